/* fuzz_milter_keytable.c - OpenDKIM KeyTable and SigningTable files and
 * the lookup of a From: address in them. The first byte picks plain or
 * refile and multiple signatures; the input up to the first NUL is the
 * table, the rest the address. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "log.h"
#include "milter_keytable.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf *err = sbuf_new(0), *addr = sbuf_new(0);
	struct milter_keytable *kt = NULL;
	struct milter_signtable *st = NULL;
	const char *text, *nul;
	size_t n, idx[MILTER_KEYTABLE_MAX_MATCHES];
	bool refile, multiple;

	if (size < 1)
		goto out;
	refile = data[0] & 1;
	multiple = data[0] & 2;
	text = (const char *)data + 1;
	n = size - 1;
	nul = memchr(text, '\0', n);
	if (nul != NULL) {
		sbuf_append(addr, nul + 1, n - (size_t)(nul - text) - 1);
		n = (size_t)(nul - text);
	} else {
		sbuf_append_str(addr, "user@mail.example.com");
	}
	if (milter_keytable_parse(text, n, &kt, err) == 0) {
		for (size_t i = 0; i < milter_keytable_count(kt); i++) {
			const struct milter_keytable_key *k =
			    milter_keytable_at(kt, i);

			if (k->domain[0] == '\0' || k->selector[0] == '\0' ||
			    k->key[0] == '\0' ||
			    milter_keytable_find(kt, k->name) != (long)i)
				log_panic("milter_keytable: bad entry");
		}
	} else if (kt != NULL || sbuf_is_empty(err)) {
		log_panic("milter_keytable: error without reason");
	}
	sbuf_reset(err);
	if (milter_signtable_parse(text, n, refile, &st, err) == 0) {
		size_t m = milter_signtable_lookup(st, sbuf_cstr(addr), multiple,
						   idx, MILTER_KEYTABLE_MAX_MATCHES);

		if (m > MILTER_KEYTABLE_MAX_MATCHES)
			log_panic("milter_signtable: too many matches");
		for (size_t i = 0; i < m; i++)
			if (idx[i] >= milter_signtable_count(st))
				log_panic("milter_signtable: bad index");
	} else if (st != NULL || sbuf_is_empty(err)) {
		log_panic("milter_signtable: error without reason");
	}
out:
	milter_keytable_free(&kt);
	milter_signtable_free(&st);
	sbuf_free(&err);
	sbuf_free(&addr);
	return 0;
}
