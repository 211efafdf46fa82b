/*
 * fuzz_dns_rdata.c - dns_rdata_add and dns_rdata_name on untrusted bytes.
 * The first byte picks the record type, the rest is the rdata. A decoded
 * record must respect the limits dns.h promises.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "dns.h"
#include "dns_rdata.h"
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
	struct sbuf *out, *err;
	enum dns_type type;
	size_t used;

	if (size == 0)
		return 0;
	type =
	    fuzz_types[data[0] % (sizeof(fuzz_types) / sizeof(fuzz_types[0]))];
	data++;
	size--;

	a = dns_answer_new(DNS_OK, type);
	err = sbuf_new(0);
	if (dns_rdata_add(a, type, data, size, err) == 0) {
		const struct dns_rr *rr;

		if (a->n != 1)
			log_panic("rdata: %zu records", a->n);
		rr = &a->rr[0];
		if (rr->data[rr->len] != '\0')
			log_panic("rdata: not terminated");
		if ((type == DNS_T_A && rr->len != 4) ||
		    (type == DNS_T_AAAA && rr->len != 16))
			log_panic("rdata: address of %zu bytes", rr->len);
		if ((type == DNS_T_MX || type == DNS_T_PTR ||
		     type == DNS_T_CNAME) &&
		    (rr->len >= DNS_MAX_NAME ||
		     strlen((const char *)rr->data) != rr->len))
			log_panic("rdata: bad name of %zu bytes", rr->len);
		if ((type == DNS_T_TXT || type == DNS_T_SPF) &&
		    (rr->nstrings == 0 || rr->len + rr->nstrings != size))
			log_panic("rdata: TXT %zu bytes in %u strings of %zu",
				  rr->len, rr->nstrings, size);
	} else if (a->n != 0 || sbuf_is_empty(err)) {
		log_panic("rdata: error without reason or with a record");
	}

	out = sbuf_new(0);
	if (dns_rdata_name(data, size, out, &used, NULL) == 0) {
		if (used == 0 || used > size || used > 255 ||
		    sbuf_len(out) >= DNS_MAX_NAME)
			log_panic("name: used %zu of %zu, %zu text bytes", used,
				  size, sbuf_len(out));
	} else if (!sbuf_is_empty(out)) {
		log_panic("name: output left after error");
	}
	sbuf_free(&out);
	sbuf_free(&err);
	dns_answer_free(&a);
	return 0;
}
