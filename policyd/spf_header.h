/*
 * spf_header.h - the header fields policyd's SPF check prepends:
 * Received-SPF (RFC 7208 9.1), Authentication-Results (RFC 8601) and the
 * X-Comment of a skipped check, in the layout postfix-policyd-spf-python
 * 3.0.4 writes, so filters that parse its headers keep working:
 *
 *	Received-SPF: Pass (mailfrom) identity=mailfrom; client-ip=192.0.2.1;
 *	 helo=mx.example.org; envelope-from=user@example.org;
 *	 receiver=example.net <- one line, ending in a space
 *
 * A pure formatter: no I/O, no logging. Every text is untrusted (HELO
 * name, sender, recipient domain, explanations from DNS). The output is
 * always one line of printable ASCII, fit for an access(5) PREPEND
 * action: a key=value value that is not a plain token (dot-atom, '@',
 * ':', '<', '>', '[', ']') becomes a quoted-string, so a HELO name such
 * as "x; client-ip=1.2.3.4" cannot add a field of its own; comment text
 * escapes its parentheses; other bytes become '?'; every text is cut at
 * a hard limit.
 */
#ifndef PW_SPF_HEADER_H
#define PW_SPF_HEADER_H

#include "spf.h"

struct sbuf;

/* Hard limits on one text, in input bytes, before escaping. */
#define SPF_HEADER_MAX_VALUE 320   /* local-part 64 + @ + domain 255 */
#define SPF_HEADER_MAX_COMMENT 256 /* explanations, skip reasons */

enum spf_header_scope {
	SPF_HEADER_HELO,     /* identity=helo */
	SPF_HEADER_MAILFROM, /* identity=mailfrom */
};

/* What one header reports; all strings borrowed for the call. */
struct spf_header_info {
	enum spf_result result;
	enum spf_header_scope scope;
	const char *comment;	   /* in ( ) after the result; NULL: none */
	const char *client_ip;	   /* client address text */
	const char *helo;	   /* HELO name as checked */
	const char *envelope_from; /* MAIL FROM; "" is written <> */
	const char *receiver;	   /* receiver= text (domain, <UNKNOWN>) */
};

/* spf_header_result_word - "Pass", "Softfail", ... (policyd-spf case) */
const char *spf_header_result_word(enum spf_result r);

/* spf_header_scope_word - "helo" or "mailfrom" */
const char *spf_header_scope_word(enum spf_header_scope s);

/*
 * spf_header_received_spf - append "Received-SPF: Result (comment)
 * identity=...; client-ip=...; helo=...; envelope-from=...; receiver=... "
 * (trailing space as policyd-spf). Returns 0, or -1 when out's maximum
 * is reached (out then holds a partial line: discard it).
 */
int spf_header_received_spf(struct sbuf *out, const struct spf_header_info *h);

/*
 * spf_header_auth_results - append "Authentication-Results: authserv_id;
 * spf=result (comment) smtp.mailfrom=domain (client-ip=...; helo=...;
 * envelope-from=...; receiver=...)" with smtp.helo=name for the HELO
 * scope. Results are lower case (RFC 8601 2.7.2); the smtp.helo and
 * smtp.mailfrom values are RFC 2045 tokens (or local@domain) or else
 * quoted-strings, as the authres library that policyd-spf uses writes
 * them. authserv_id is local configuration but still written as a
 * value. 0 or -1 as above.
 */
int spf_header_auth_results(struct sbuf *out, const char *authserv_id,
			    const struct spf_header_info *h);

/*
 * spf_header_skipped - the header of a check that was skipped: with
 * authserv_id NULL "X-Comment: <reason> - client-ip=...; helo=...;
 * envelope-from=...; receiver=... " as policyd-spf (the sender as
 * given, "" stays empty); with authserv_id set "Authentication-Results:
 * authserv_id; none (<reason> -  client-ip=...; ...)" (two spaces, as
 * policyd-spf). h->result, scope
 * and comment are not used. 0 or -1 as above.
 */
int spf_header_skipped(struct sbuf *out, const char *authserv_id,
		       const char *reason, const struct spf_header_info *h);

/*
 * spf_header_put_value - append v as a header field value: as is when
 * it is a plain token, else a quoted-string; at most
 * SPF_HEADER_MAX_VALUE bytes of v are used. For other modules' headers.
 */
int spf_header_put_value(struct sbuf *out, const char *v);

/* spf_header_put_comment - append the text of a comment (no parens) */
int spf_header_put_comment(struct sbuf *out, const char *text);

#endif
