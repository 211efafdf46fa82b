/*
 * milter_ar.h - Authentication-Results header fields (RFC 8601) for
 * DKIM verification results, and recognising existing ones that claim
 * our authserv-id, so that the glue deletes them (RFC 8601 5: a forged
 * field with our id must not reach the user).
 *
 * Both functions are pure. Header values read from messages are
 * untrusted: milter_ar_is_ours bounds comment nesting and never reads
 * past n bytes. Values written are folded with "\n\t" (libmilter's
 * line ends) and start with a space (LEADSPC is negotiated).
 */
#ifndef PW_MILTER_AR_H
#define PW_MILTER_AR_H

#include <stdbool.h>
#include <stddef.h>

#include "dkim_types.h"

struct sbuf;

#define MILTER_AR_MAX_DEPTH 16	 /* nested comments */
#define MILTER_AR_MAX_REASON 128 /* bytes of a reason comment */
#define MILTER_AR_B_CHARS 8	 /* header.b: the first 8 characters */

/* one signature's result (strings borrowed, may be NULL) */
struct milter_ar_result {
	enum dkim_result res;
	const char *d;	    /* header.d */
	const char *i;	    /* header.i; "@" d when NULL and d is set */
	const char *s;	    /* header.s */
	const char *b;	    /* b= in base64; the first 8 characters */
	const char *reason; /* a comment, when not "" */
	bool testing;	    /* key record t=y: noted in the comment */
};

/*
 * milter_ar_format - append the value for authserv_id and n results
 * (n == 0: "dkim=none") to out: " id;\n\tdkim=pass header.d=..."; -1
 * when out is full
 */
int milter_ar_format(const char *authserv_id,
		     const struct milter_ar_result *r, size_t n,
		     struct sbuf *out);

/*
 * milter_ar_is_ours - does the value (n bytes, borrowed) start with
 * authserv_id (CFWS allowed around it, case ignored), followed by an
 * optional version and ";" or the end of the value?
 */
bool milter_ar_is_ours(const char *value, size_t n,
		       const char *authserv_id);

#endif
