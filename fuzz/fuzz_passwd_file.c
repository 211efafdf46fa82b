/* fuzz_passwd_file.c - Dovecot passwd-file text from memory */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "auth_passwd_file.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf *warnings = sbuf_new(0), *err = sbuf_new(0);
	struct passwd_file_table *t = NULL;
	const struct passwd_file_entry *e;
	size_t len;

	if (passwd_file_parse((const char *)data, size, "fuzz", &t, warnings,
			      err) == 0) {
		/* look up the first line's user, and an extra field */
		struct sbuf *u = sbuf_new(64);
		size_t n = 0;

		while (n < size && data[n] != ':' && data[n] != '\n' &&
		       data[n] != '\r')
			n++;
		sbuf_append(u, data, n);
		e = passwd_file_table_lookup(t, sbuf_cstr(u));
		if (e != NULL)
			(void)passwd_file_extra_get(e->extra, "allow_nets",
						    &len);
		sbuf_free(&u);
		passwd_file_table_free(&t);
	}
	sbuf_free(&warnings);
	sbuf_free(&err);
	return 0;
}
