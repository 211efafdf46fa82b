/* fuzz_milter_ar.c - Authentication-Results values from messages:
 * recognising our authserv-id, and formatting results whose strings
 * come from untrusted signatures */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "log.h"
#include "milter_ar.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf *s = sbuf_new(0), *out = sbuf_new(0);
	struct milter_ar_result r;
	const char *v = (const char *)data;
	bool ours = milter_ar_is_ours(v, size, "mx.example.com");

	/* the same value with a different id must not be ours too */
	if (ours && milter_ar_is_ours(v, size, "mx.example.org"))
		log_panic("milter_ar: two ids claimed");
	/* format with the input as every string (NUL-terminated copy) */
	sbuf_append(s, data, size);
	memset(&r, 0, sizeof(r));
	r.res = size % 7;
	r.d = r.i = r.s = r.b = r.reason = sbuf_cstr(s);
	r.testing = size & 1;
	if (milter_ar_format("mx.example.com", &r, 1, out) < 0)
		log_panic("milter_ar: format failed");
	if (strchr(sbuf_cstr(out), '\r') != NULL ||
	    !milter_ar_is_ours(sbuf_cstr(out), sbuf_len(out),
			       "mx.example.com"))
		log_panic("milter_ar: our own field is not ours");
	for (const char *p = sbuf_cstr(out); *p != '\0'; p++)
		if (*p == '\n' && p[1] != '\t')
			log_panic("milter_ar: a line break without folding");
	sbuf_free(&s);
	sbuf_free(&out);
	return 0;
}
