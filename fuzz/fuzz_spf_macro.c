/* fuzz_spf_macro.c - SPF macro-strings from arbitrary bytes (spf_macro.c) */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "spf_macro.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char fuzz_ip4[4] = {192, 0, 2, 3};
static const unsigned char fuzz_ip6[16] = {
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xcb, 0x01};

/* fuzz_one - expand spec in mode; check what the header promises */
static void fuzz_one(const char *spec, enum spf_macro_mode mode,
		     const struct spf_macro_vars *v)
{
	struct sbuf *out = sbuf_new(0), *err = sbuf_new(0);
	int ok = spf_macro_check(spec, mode, err) == 0;

	if (!ok && sbuf_is_empty(err))
		abort();
	if (spf_macro_expand(spec, mode, v, out, err) == 0) {
		if (!ok || sbuf_len(out) > SPF_MACRO_MAX_OUT ||
		    (mode == SPF_MACRO_DOMAIN &&
		     sbuf_len(out) > SPF_DOMAIN_MAX))
			abort();
	} else if (sbuf_len(out) != 0 || sbuf_is_empty(err)) {
		abort();
	}
	sbuf_free(&out);
	sbuf_free(&err);
}

/*
 * Input: "spec\nvalue". The spec is expanded in both modes with fixed
 * variables (IPv4, then IPv6 without %{p}), then with value as every
 * string variable, so transformers and escaping see arbitrary bytes.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = xstrndup((const char *)data, size), *value;
	struct spf_macro_vars v = {
	    .sender = "strong-bad@email.example.com",
	    .local = "strong-bad",
	    .sender_domain = "email.example.com",
	    .domain = "email.example.com",
	    .ip = fuzz_ip4,
	    .family = 4,
	    .helo = "mx.example.org",
	    .receiver = "mx.example.net",
	    .ptr = "mx.example.org",
	    .now = 1234567890,
	};

	value = strchr(spec, '\n');
	if (value != NULL)
		*value++ = '\0';
	(void)spf_macro_uses_p(spec);
	fuzz_one(spec, SPF_MACRO_DOMAIN, &v);
	fuzz_one(spec, SPF_MACRO_EXP, &v);
	v.ip = fuzz_ip6;
	v.family = 6;
	v.ptr = NULL;
	v.receiver = NULL;
	fuzz_one(spec, SPF_MACRO_DOMAIN, &v);
	fuzz_one(spec, SPF_MACRO_EXP, &v);
	if (value != NULL) {
		v.sender = v.local = v.sender_domain = v.domain = value;
		v.helo = v.receiver = v.ptr = value;
		fuzz_one(spec, SPF_MACRO_DOMAIN, &v);
		fuzz_one(spec, SPF_MACRO_EXP, &v);
	}
	free(spec);
	return 0;
}
