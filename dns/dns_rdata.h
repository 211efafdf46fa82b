/*
 * dns_rdata.h - decode record data from wire format (RFC 1035 3.3) into
 * struct dns_rr form. Pure, with hard limits; the bytes are untrusted.
 *
 * rdata is one record's RDATA, uncompressed (libunbound hands it so);
 * a compression pointer inside a name is an error, as is any trailing
 * byte, a label over 63 bytes, or a name over 255 wire bytes.
 */
#ifndef PW_DNS_RDATA_H
#define PW_DNS_RDATA_H

#include <stddef.h>

#include "dns.h"

struct sbuf;

/*
 * dns_rdata_add - decode rdata of type and append it to a (whose type it
 * must be). Returns 0, or -1 with a reason in err.
 */
int dns_rdata_add(struct dns_answer *a, enum dns_type type,
		  const unsigned char *rdata, size_t len, struct sbuf *err);

/*
 * dns_rdata_name - append the wire name at p (len bytes available) to
 * out in presentation form without the final dot (dns.h); *used_r gets
 * its wire length. Returns 0 or -1 with a reason in err.
 */
int dns_rdata_name(const unsigned char *p, size_t len, struct sbuf *out,
		   size_t *used_r, struct sbuf *err);

#endif
