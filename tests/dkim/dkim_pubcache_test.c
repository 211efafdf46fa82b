/* dkim_pubcache_test.c - decoded public keys kept by their bytes */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "dkim_crypto.h"
#include "dkim_pubcache.h"
#include "sbuf.h"

/* keypair - a fresh key: the private key and its p= bytes in pub */
static struct dkim_crypto_key *keypair(enum dkim_keytype type,
				       struct sbuf *pub)
{
	struct sbuf *pem = sbuf_new(0), *err = sbuf_new(0);
	struct dkim_crypto_key *key = NULL;

	cr_assert_eq(dkim_crypto_keygen(type, 1024, pem, pub, err), 0, "%s",
		     sbuf_cstr(err));
	cr_assert_eq(dkim_crypto_key_private(sbuf_cstr(pem), sbuf_len(pem),
					     &key, err),
		     0);
	sbuf_free_secret(&pem);
	sbuf_free(&err);
	return key;
}

/* verifies - does pubkey verify what priv signed? */
static bool verifies(const struct dkim_crypto_key *priv,
		     const struct dkim_crypto_key *pubkey, enum dkim_alg alg)
{
	struct sbuf *sig = sbuf_new(0), *err = sbuf_new(0);
	bool ok;

	cr_assert_eq(dkim_crypto_sign(priv, alg, "data", 4, sig, err), 0);
	ok = dkim_crypto_verify(pubkey, alg, "data", 4, sbuf_data(sig),
				sbuf_len(sig));
	sbuf_free(&sig);
	sbuf_free(&err);
	return ok;
}

Test(dkim_pubcache, the_second_decode_comes_from_the_cache)
{
	struct sbuf *pub = sbuf_new(0), *err = sbuf_new(0);
	struct dkim_crypto_key *priv = keypair(DKIM_KEY_RSA, pub);
	struct dkim_crypto_key *a = NULL, *b = NULL;
	unsigned long hits;

	dkim_pubcache_clear();
	cr_assert_eq(dkim_pubcache_key(DKIM_KEY_RSA, sbuf_data(pub),
				       sbuf_len(pub), &a, err),
		     0, "%s", sbuf_cstr(err));
	cr_assert_eq(dkim_pubcache_hits(), 0);
	cr_assert_eq(dkim_pubcache_key(DKIM_KEY_RSA, sbuf_data(pub),
				       sbuf_len(pub), &b, err),
		     0);
	cr_assert_eq(dkim_pubcache_hits(), 1);
	/* both handles are the key, and each is the caller's own */
	cr_assert(verifies(priv, a, DKIM_ALG_RSA_SHA256));
	dkim_crypto_key_free(&a);
	cr_assert(verifies(priv, b, DKIM_ALG_RSA_SHA256));
	dkim_crypto_key_free(&b);
	/* the same bytes as another type: not the cached key */
	hits = dkim_pubcache_hits();
	cr_assert_eq(dkim_pubcache_key(DKIM_KEY_ED25519, sbuf_data(pub),
				       sbuf_len(pub), &a, err),
		     -1);
	cr_assert_null(a);
	cr_assert_eq(dkim_pubcache_hits(), hits);
	/* forgotten: decoded again */
	dkim_pubcache_clear();
	cr_assert_eq(dkim_pubcache_key(DKIM_KEY_RSA, sbuf_data(pub),
				       sbuf_len(pub), &a, err),
		     0);
	cr_assert_eq(dkim_pubcache_hits(), 0);
	dkim_crypto_key_free(&a);
	dkim_crypto_key_free(&priv);
	dkim_pubcache_clear();
	sbuf_free(&pub);
	sbuf_free(&err);
}

Test(dkim_pubcache, other_bytes_are_another_key)
{
	struct sbuf *pub1 = sbuf_new(0), *pub2 = sbuf_new(0);
	struct sbuf *err = sbuf_new(0);
	struct dkim_crypto_key *p1 = keypair(DKIM_KEY_ED25519, pub1);
	struct dkim_crypto_key *p2 = keypair(DKIM_KEY_ED25519, pub2);
	struct dkim_crypto_key *k = NULL;

	dkim_pubcache_clear();
	for (int round = 0; round < 3; round++) {
		cr_assert_eq(dkim_pubcache_key(DKIM_KEY_ED25519,
					       sbuf_data(pub1),
					       sbuf_len(pub1), &k, err),
			     0);
		cr_assert(verifies(p1, k, DKIM_ALG_ED25519_SHA256));
		cr_assert(!verifies(p2, k, DKIM_ALG_ED25519_SHA256));
		dkim_crypto_key_free(&k);
		cr_assert_eq(dkim_pubcache_key(DKIM_KEY_ED25519,
					       sbuf_data(pub2),
					       sbuf_len(pub2), &k, err),
			     0);
		cr_assert(verifies(p2, k, DKIM_ALG_ED25519_SHA256));
		cr_assert(!verifies(p1, k, DKIM_ALG_ED25519_SHA256));
		dkim_crypto_key_free(&k);
	}
	/* 6 lookups, the first of each key decoded */
	cr_assert_eq(dkim_pubcache_hits(), 4);
	dkim_crypto_key_free(&p1);
	dkim_crypto_key_free(&p2);
	dkim_pubcache_clear();
	sbuf_free(&pub1);
	sbuf_free(&pub2);
	sbuf_free(&err);
}

Test(dkim_pubcache, bytes_that_do_not_decode_are_not_kept)
{
	static const unsigned char junk[] = "not a key at all, 33 bytes long!";
	struct sbuf *err = sbuf_new(0);
	struct dkim_crypto_key *k = NULL;

	dkim_pubcache_clear();
	for (int i = 0; i < 2; i++) {
		sbuf_reset(err);
		cr_assert_eq(dkim_pubcache_key(DKIM_KEY_RSA, junk,
					       sizeof(junk) - 1, &k, err),
			     -1);
		cr_assert_null(k);
		cr_assert_str_eq(sbuf_cstr(err), "p= is not an RSA public key");
	}
	cr_assert_eq(dkim_pubcache_hits(), 0);
	sbuf_free(&err);
}
