/*
 * fuzz_dkim_canon.c - canonicalization of untrusted message data: the
 * body hash must not depend on how the body is split into chunks, and
 * relaxed header canonicalization must be idempotent.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "dkim_canon.h"
#include "log.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* hash - body hash of data split at the cut points the seed gives */
static size_t hash(enum dkim_canon_alg c, const uint8_t *data, size_t size,
		   unsigned int seed, uint64_t l, unsigned char *md)
{
	struct dkim_canon_body *b =
	    dkim_canon_body_new(c, DKIM_HASH_SHA256, l != UINT64_MAX, l);
	size_t i = 0, k, len;

	while (i < size) {
		/* seed 0: one chunk; otherwise chunks of 1..seed bytes */
		k = seed == 0 ? size - i : 1 + (i * 7 + seed) % seed;
		if (k > size - i)
			k = size - i;
		dkim_canon_body_update(b, data + i, k);
		i += k;
	}
	len = dkim_canon_body_final(b, md);
	dkim_canon_body_free(&b);
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum dkim_canon_alg algs[] = {DKIM_CANON_SIMPLE,
						   DKIM_CANON_RELAXED};
	static const unsigned int seeds[] = {1, 2, 3, 17};
	unsigned char ref[DKIM_CRYPTO_MD_MAX], md[DKIM_CRYPTO_MD_MAX];
	struct sbuf *once = sbuf_new(0), *twice = sbuf_new(0);
	size_t a, s;
	uint64_t l = size > 0 ? data[0] : UINT64_MAX;

	for (a = 0; a < 2; a++) {
		if (hash(algs[a], data, size, 0, UINT64_MAX, ref) != 32)
			log_panic("dkim_canon: bad digest length");
		for (s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
			hash(algs[a], data, size, seeds[s], UINT64_MAX, md);
			if (memcmp(ref, md, 32) != 0)
				log_panic("dkim_canon: chunking changed "
					  "the body hash");
		}
		hash(algs[a], data, size, 0, l, ref);
		hash(algs[a], data, size, 1, l, md);
		if (memcmp(ref, md, 32) != 0)
			log_panic("dkim_canon: chunking changed l= hash");
	}
	if (dkim_canon_header(DKIM_CANON_RELAXED, (const char *)data, size,
			      false, once) == 0) {
		if (dkim_canon_header(DKIM_CANON_RELAXED, sbuf_cstr(once),
				      sbuf_len(once), false, twice) < 0 ||
		    sbuf_len(once) != sbuf_len(twice) ||
		    memcmp(sbuf_data(once), sbuf_data(twice), sbuf_len(once)) !=
			0)
			log_panic("dkim_canon: relaxed header not idempotent");
	}
	sbuf_free(&once);
	sbuf_free(&twice);
	return 0;
}
