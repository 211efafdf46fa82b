/*
 * dns_packet.h - the answer of a DNS response message (RFC 1035 4.1) as
 * a struct dns_answer. Pure, with hard limits; the bytes are untrusted.
 *
 * libunbound's event interface hands over whole response packets, with
 * compressed names (RFC 1035 4.1.4). The header's RCODE gives the status;
 * for NOERROR the answer section's records of the answer's type and class
 * IN are kept in order, whatever their owner (so a CNAME chain's final
 * records are), their names expanded and their rdata decoded by
 * dns_rdata_add (dns_rdata.h, with its limits). Other records (CNAMEs of
 * the chain, signatures) are skipped. A compression pointer must point
 * backwards; an expanded name may not pass 255 bytes. No state: safe
 * from any thread. The answer's records are copies (dns_answer_add).
 */
#ifndef PW_DNS_PACKET_H
#define PW_DNS_PACKET_H

#include <stddef.h>

#include "dns.h"

struct sbuf;

/*
 * dns_packet_answer - decode the response pkt/len into a (empty, of the
 * asked type): a->status becomes DNS_OK (records added), DNS_NXDOMAIN or,
 * for any other RCODE, DNS_TEMPFAIL. Returns 0, or -1 with a reason in
 * err for a malformed or over-limit packet (a then holds partial records:
 * the caller discards it).
 */
int dns_packet_answer(struct dns_answer *a, const unsigned char *pkt,
		      size_t len, struct sbuf *err);

#endif
