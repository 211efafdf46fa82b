/*
 * fuzz_dns_packet.c - dns_packet_answer on untrusted response packets.
 * The first byte picks the asked type, the rest is the packet. Whatever
 * the packet, a decoded answer must respect dns.h's limits.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "dns.h"
#include "dns_packet.h"
#include "log.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum dns_type fuzz_types[] = {
    DNS_T_A,  DNS_T_AAAA, DNS_T_TXT,   DNS_T_SPF,
    DNS_T_MX, DNS_T_PTR,  DNS_T_CNAME, (enum dns_type)2,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_answer *a;
	struct sbuf *err;
	enum dns_type type;

	if (size == 0)
		return 0;
	type =
	    fuzz_types[data[0] % (sizeof(fuzz_types) / sizeof(fuzz_types[0]))];
	a = dns_answer_new(DNS_TEMPFAIL, type);
	err = sbuf_new(0);
	if (dns_packet_answer(a, data + 1, size - 1, err) == 0) {
		if (a->n > DNS_MAX_RRS || (a->n > 0 && a->status != DNS_OK))
			log_panic("packet: %zu records, status %s", a->n,
				  dns_status_name(a->status));
		for (size_t i = 0; i < a->n; i++) {
			const struct dns_rr *rr = &a->rr[i];

			if (rr->data[rr->len] != '\0')
				log_panic("packet: record not terminated");
			if ((type == DNS_T_MX || type == DNS_T_PTR ||
			     type == DNS_T_CNAME) &&
			    (rr->len >= DNS_MAX_NAME ||
			     strlen((const char *)rr->data) != rr->len))
				log_panic("packet: bad name");
		}
	} else if (sbuf_is_empty(err)) {
		log_panic("packet: error without a reason");
	}
	sbuf_free(&err);
	dns_answer_free(&a);
	return 0;
}
