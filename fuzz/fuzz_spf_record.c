/* fuzz_spf_record.c - SPF records from arbitrary bytes (spf_record.c) */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "sbuf.h"
#include "spf_macro.h"
#include "spf_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char fuzz_ip[4] = {192, 0, 2, 3};

static const struct spf_macro_vars fuzz_vars = {
    .sender = "strong-bad@email.example.com",
    .local = "strong-bad",
    .sender_domain = "email.example.com",
    .domain = "email.example.com",
    .ip = fuzz_ip,
    .family = 4,
    .helo = "mx.example.org",
    .receiver = "mx.example.net",
    .ptr = "mx.example.org",
    .now = 1234567890,
};

/* fuzz_expand - every domain-spec of a parsed record must expand */
static void fuzz_expand(const char *spec, struct sbuf *out, struct sbuf *err)
{
	if (spec == NULL)
		return;
	sbuf_reset(out);
	if (spf_macro_expand(spec, SPF_MACRO_DOMAIN, &fuzz_vars, out, err) ==
	    0) {
		if (sbuf_len(out) > SPF_DOMAIN_MAX)
			abort();
	} else if (sbuf_is_empty(err)) {
		abort();
	}
}

/*
 * Input: the record bytes. A parsed record must hold what the header
 * promises; a refused one must come with a reason.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf *err = sbuf_new(0), *out = sbuf_new(0);
	struct spf_record *rec = NULL;
	size_t i;

	(void)spf_record_is_spf(data, size);
	if (spf_record_parse(data, size, &rec, err) < 0) {
		if (rec != NULL || sbuf_is_empty(err))
			abort();
		goto out;
	}
	if (rec->n > SPF_RECORD_MAX_TERMS)
		abort();
	for (i = 0; i < rec->n; i++) {
		const struct spf_term *t = &rec->terms[i];

		if (t->text == NULL || t->cidr4 < -1 || t->cidr4 > 32 ||
		    t->cidr6 < -1 || t->cidr6 > 128)
			abort();
		if ((t->mech == SPF_M_INCLUDE || t->mech == SPF_M_EXISTS) &&
		    t->domain_spec == NULL)
			abort();
		fuzz_expand(t->domain_spec, out, err);
	}
	fuzz_expand(rec->redirect, out, err);
	fuzz_expand(rec->exp, out, err);
	spf_record_free(&rec);
out:
	sbuf_free(&out);
	sbuf_free(&err);
	return 0;
}
