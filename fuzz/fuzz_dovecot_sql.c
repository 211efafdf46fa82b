/* fuzz_dovecot_sql.c - dovecot-sql.conf.ext text, then its query expanded */
#include "config.h"

#include <stdint.h>

#include "auth_dovecot_sql.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* quote - the SQLite rule, enough to exercise the callback */
static int quote(const char *s, struct sbuf *out, void *arg)
{
	(void)arg;
	for (; *s != '\0'; s++)
		if ((*s == '\'' && sbuf_putc(out, '\'') < 0) ||
		    sbuf_putc(out, *s) < 0)
			return -1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf *warnings = sbuf_new(0), *err = sbuf_new(0);
	struct sbuf *out = sbuf_new_max(0, 1u << 16);
	struct dovecot_sql_conf *c = NULL;
	struct dovecot_sql_vars v = {
		.user = "Us'er%\\@Dom@ain", .service = "smtp",
		.rip = "192.0.2.1",
	};

	if (dovecot_sql_parse((const char *)data, size, "fuzz", &c, warnings,
			      err) == 0) {
		(void)dovecot_sql_expand(c->password_query, &v, quote, NULL,
					 out, err);
		dovecot_sql_free(&c);
	}
	sbuf_free(&warnings);
	sbuf_free(&err);
	sbuf_free(&out);
	return 0;
}
