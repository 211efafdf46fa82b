/* fuzz_conf.c - conf_parse and conf_expand on untrusted config text */
#include "config.h"

#include <stdint.h>

#include "conf.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Expansion may multiply text ("a = $b$b", "b = $c$c", ...): cap it. */
#define FUZZ_CONF_MAX_EXPAND (1u << 16)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf *warnings = sbuf_new(0), *err = sbuf_new(0);
	struct sbuf *out = sbuf_new_max(0, FUZZ_CONF_MAX_EXPAND);
	struct conf *c = NULL;
	const char *name, *value;
	size_t i;

	if (conf_parse((const char *)data, size, "fuzz", &c, warnings, err) < 0)
		goto out;
	for (i = 0; i < conf_count(c); i++) {
		name = conf_name_at(c, i);
		value = conf_get(c, name);
		(void)conf_line_of(c, name);
		sbuf_reset(out);
		sbuf_reset(err);
		(void)conf_expand(c, value, out, err);
	}
	conf_free(&c);
out:
	sbuf_free(&warnings);
	sbuf_free(&err);
	sbuf_free(&out);
	return 0;
}
