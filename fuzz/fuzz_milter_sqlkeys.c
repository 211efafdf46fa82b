/* fuzz_milter_sqlkeys.c - rows of the dkim_key table as milterd checks
 * them at start-up. The first byte is the number of rows (1 to 4); the
 * rest is the rows' columns (domain, selector, algorithm, private_key,
 * public_key), each ended by a NUL; a missing column is SQL NULL. Then
 * every loaded key must be found again under its domain. */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "milter_sqlkeys.h"
#include "sbuf.h"

#define FUZZ_COLUMNS 5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct milter_sqlkeys *sk = milter_sqlkeys_new();
	struct sbuf *err = sbuf_new(0), *copy = sbuf_new(size + 1);
	const char *col[FUZZ_COLUMNS], *p, *end;
	size_t rows, added = 0;

	if (size < 1)
		goto out;
	rows = (size_t)(data[0] % 4) + 1;
	sbuf_append(copy, data + 1, size - 1);
	p = (const char *)sbuf_data(copy);
	end = p + sbuf_len(copy);
	for (size_t r = 0; r < rows; r++) {
		for (size_t c = 0; c < FUZZ_COLUMNS; c++) {
			const char *nul =
			    p < end ? memchr(p, '\0', (size_t)(end - p)) : NULL;

			col[c] = nul != NULL ? p : NULL;
			p = nul != NULL ? nul + 1 : end;
		}
		sbuf_reset(err);
		if (milter_sqlkeys_add(sk, col[0], col[1], col[2], col[3],
				       col[4], err) == 0)
			added++;
		else if (sbuf_is_empty(err))
			log_panic("milter_sqlkeys: error without reason");
	}
	if (milter_sqlkeys_count(sk) != added)
		log_panic("milter_sqlkeys: count");
	sbuf_reset(err);
	if (milter_sqlkeys_finish(sk, err) < 0) {
		if (sbuf_is_empty(err))
			log_panic("milter_sqlkeys: error without reason");
		goto out;
	}
	for (size_t i = 0; i < added; i++) {
		const struct milter_sqlkeys_key *k = milter_sqlkeys_at(sk, i);
		size_t first, n = milter_sqlkeys_find(sk, k->domain, &first);

		if (n == 0 || i < first || i >= first + n)
			log_panic("milter_sqlkeys: key not found");
		if (i > first && milter_sqlkeys_at(sk, i - 1)->type > k->type)
			log_panic("milter_sqlkeys: not RSA first");
		if (strcasecmp(k->domain, milter_sqlkeys_at(sk, first)->domain))
			log_panic("milter_sqlkeys: bad domain run");
	}
out:
	milter_sqlkeys_free(&sk);
	sbuf_free(&err);
	sbuf_free(&copy);
	return 0;
}
