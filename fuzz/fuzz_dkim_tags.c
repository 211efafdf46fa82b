/* fuzz_dkim_tags.c - RFC 6376 tag lists from untrusted input */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "dkim_tags.h"
#include "log.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf *err = sbuf_new(0), *blank = sbuf_new(0);
	struct dkim_tags *t = NULL, *t2 = NULL;
	const char *s = (const char *)data;
	size_t i;

	if (dkim_tags_parse(s, size, &t, err) == 0) {
		for (i = 0; i < dkim_tags_count(t); i++) {
			const struct dkim_tag *tag = dkim_tags_at(t, i);

			if (dkim_tags_get(t, tag->name) != tag->value ||
			    strlen(tag->value) != tag->value_len)
				log_panic("dkim_tags: lookup mismatch");
		}
		/* blanking b= keeps a valid list with the same tags */
		if (dkim_tags_blank(s, size, "b", blank) < 0 ||
		    dkim_tags_parse(sbuf_cstr(blank), sbuf_len(blank), &t2,
				    err) < 0 ||
		    dkim_tags_count(t2) != dkim_tags_count(t))
			log_panic("dkim_tags: blanking broke the list");
		if (dkim_tags_get(t, "b") != NULL &&
		    strcmp(dkim_tags_get(t2, "b"), "") != 0)
			log_panic("dkim_tags: b= not blanked");
	} else if (t != NULL)
		log_panic("dkim_tags: list left after error");
	dkim_tags_free(&t);
	dkim_tags_free(&t2);
	sbuf_free(&err);
	sbuf_free(&blank);
	return 0;
}
