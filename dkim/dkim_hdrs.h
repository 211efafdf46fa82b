/*
 * dkim_hdrs.h - the header fields of one message as DKIM signs and
 * verifies them, and the selection of RFC 6376 5.4.2: a name listed n
 * times in h= takes the last n instances of that field, bottom-up; a
 * name listed more often than the field occurs selects nothing (the
 * over-signing that stops fields from being added).
 *
 * Fields are untrusted message data, kept byte-exact (simple
 * canonicalization signs them as sent). Hard limits on count and total
 * size. One owner at a time.
 */
#ifndef PW_DKIM_HDRS_H
#define PW_DKIM_HDRS_H

#include <stdbool.h>
#include <stddef.h>

#include "dkim_types.h"

struct sbuf;

#define DKIM_HDRS_MAX_FIELDS 1000	  /* header fields per message */
#define DKIM_HDRS_MAX_BYTES (1024u << 10) /* bytes of all fields */

struct dkim_hdrs;

struct dkim_hdrs *dkim_hdrs_new(void);	    /* caller frees */
void dkim_hdrs_free(struct dkim_hdrs **hp); /* NULL-safe */

/*
 * dkim_hdrs_add - one field "Name:value" (n bytes, borrowed, folding
 * CRLFs inside, no final CRLF). The name is 1*ftext (RFC 5322 2.2:
 * printable US-ASCII but ':'), optionally followed by spaces and tabs
 * before the colon (obsolete syntax, 4.5.3). -1 with a reason in err
 * when it has no colon, the name is empty or has other bytes (white
 * space inside, control characters, 8-bit bytes), or a limit is passed.
 */
int dkim_hdrs_add(struct dkim_hdrs *h, const char *field, size_t n,
		  struct sbuf *err);
/*
 * dkim_hdrs_name_is_valid - the n bytes before a field's colon make a
 * name dkim_hdrs_add takes: 1*ftext, then optional spaces and tabs
 */
bool dkim_hdrs_name_is_valid(const char *name, size_t n);
size_t dkim_hdrs_count(const struct dkim_hdrs *h);
/* dkim_hdrs_field - field i, top first (borrowed while h lives) */
const char *dkim_hdrs_field(const struct dkim_hdrs *h, size_t i, size_t *len_r);
/* dkim_hdrs_name_is - is the name of field i name, ignoring case? */
bool dkim_hdrs_name_is(const struct dkim_hdrs *h, size_t i, const char *name);

/*
 * dkim_hdrs_canon - append the canonical form (with CRLFs) of the fields
 * that names (n names, borrowed) select to out; -1 when out is full
 */
int dkim_hdrs_canon(const struct dkim_hdrs *h, enum dkim_canon_alg c,
		    const char *const *names, size_t n, struct sbuf *out);

#endif
