/*
 * milter_addr.h - the address of a From: header field (RFC 5322 3.4),
 * as the signing table looks it up.
 *
 * The value is untrusted message data. milter_addr_from is pure: it
 * skips comments (nested, with quoted-pairs, bounded depth) and quoted
 * strings, takes the first angle-addr "<...>" or else the whole value,
 * and checks that the result is "local@domain" with a domain of
 * letters, digits, "-", "_" and dots. The domain is lower-cased; the
 * local part is kept as written.
 */
#ifndef PW_MILTER_ADDR_H
#define PW_MILTER_ADDR_H

#include <stddef.h>

struct sbuf;

#define MILTER_ADDR_MAX 512	   /* bytes of the address found */
#define MILTER_ADDR_MAX_DEPTH 16 /* nested comments */

/*
 * milter_addr_from - the address in the n bytes at value (borrowed)
 * replaces the contents of out; the domain starts at *domain_off_r
 * (may be NULL). -1 with a reason in err.
 */
int milter_addr_from(const char *value, size_t n, struct sbuf *out,
		     size_t *domain_off_r, struct sbuf *err);

#endif
