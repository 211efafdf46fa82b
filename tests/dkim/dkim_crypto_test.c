/* dkim_crypto_test.c - unit tests for dkim/dkim_crypto */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "base64.h"
#include "dkim_crypto.h"
#include "dkim_keyrec.h"
#include "dkim_testdata.h"
#include "sbuf.h"

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

/* private_key - load a private key file of the vectors (skips if none) */
static struct dkim_crypto_key *private_key(const char *rel)
{
	struct sbuf *data, *err = sbuf_new(0);
	struct dkim_crypto_key *key = NULL;

	if (testdata_dir() == NULL)
		cr_skip_test("no PW_TESTDATA_DIR/dkim");
	data = testdata_read(rel, false);
	cr_assert_not_null(data, "cannot read %s", rel);
	cr_assert_eq(
	    dkim_crypto_key_private(sbuf_cstr(data), sbuf_len(data), &key, err),
	    0, "%s: %s", rel, sbuf_cstr(err));
	sbuf_free_secret(&data);
	sbuf_free(&err);
	return key;
}

/* record_key - the public key of a record file; NULL (reason) if bad */
static struct dkim_crypto_key *record_key(const char *rel, struct sbuf *err)
{
	struct sbuf *data;
	struct dkim_keyrec *rec = NULL;
	struct dkim_crypto_key *key = NULL;

	if (testdata_dir() == NULL)
		cr_skip_test("no PW_TESTDATA_DIR/dkim");
	data = testdata_read(rel, true);
	cr_assert_not_null(data, "cannot read %s", rel);
	cr_assert_eq(
	    dkim_keyrec_parse(sbuf_cstr(data), sbuf_len(data), &rec, err), 0,
	    "%s: %s", rel, sbuf_cstr(err));
	if (dkim_crypto_key_public(rec->k, sbuf_data(rec->p), sbuf_len(rec->p),
				   &key, err) < 0)
		cr_assert_null(key);
	dkim_keyrec_free(&rec);
	sbuf_free(&data);
	return key;
}

static const struct {
	const char *file;
	enum dkim_keytype type;
	unsigned int bits;
} privs[] = {
    {"dkimpy/test.private", DKIM_KEY_RSA, 1024},	   /* PKCS#1 */
    {"dkimpy/2048_testkey_PKCS8.key", DKIM_KEY_RSA, 2048}, /* PKCS#8 */
    {"dkimpy/2048_testkey.key", DKIM_KEY_RSA, 2048},
    {"records/canonical.com-512.private", DKIM_KEY_RSA, 512},
    {"dkimpy/ed25519test.key", DKIM_KEY_ED25519, 256}, /* base64 seed */
    {"rfc8463/ed25519-secret.b64", DKIM_KEY_ED25519, 256},
};

Test(dkim_crypto, loads_private_keys)
{
	size_t i;

	for (i = 0; i < NCASES(privs); i++) {
		struct dkim_crypto_key *key = private_key(privs[i].file);

		cr_expect_eq(dkim_crypto_key_type(key), privs[i].type, "%s",
			     privs[i].file);
		cr_expect_eq(dkim_crypto_key_bits(key), privs[i].bits, "%s",
			     privs[i].file);
		dkim_crypto_key_free(&key);
		cr_expect_null(key);
	}
}

Test(dkim_crypto, rejects_bad_private_keys)
{
	static const char *const bad[] = {
	    "",
	    "AAAA", /* base64, but not 32 bytes */
	    "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
	    "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
	    "DEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF\n\n"
	    "AAAA\n-----END RSA PRIVATE KEY-----\n",
	};
	size_t i;

	for (i = 0; i < NCASES(bad); i++) {
		struct sbuf *err = sbuf_new(0);
		struct dkim_crypto_key *key = NULL;

		cr_expect_eq(
		    dkim_crypto_key_private(bad[i], strlen(bad[i]), &key, err),
		    -1, "case %zu", i);
		cr_expect_null(key);
		cr_expect_gt(sbuf_len(err), 0);
		sbuf_free(&err);
	}
}

static const struct {
	const char *file;
	enum dkim_keytype type;
	unsigned int bits;
} pubs[] = {
    {"dkimpy/test.txt", DKIM_KEY_RSA, 1024}, /* SPKI */
    {"dkimpy/1024_testkey_wo_markers.pub.rsa.txt", DKIM_KEY_RSA, 1024},
    {"dkimpy/2048_testkey_wo_markers.pub.txt", DKIM_KEY_RSA, 2048},
    {"dkimpy/2048_testkey_wo_markers.pub.rsa.txt", DKIM_KEY_RSA, 2048},
    {"records/example._domainkey.canonical.com.txt", DKIM_KEY_RSA, 512},
    {"rfc6376/brisbane._domainkey.example.com.txt", DKIM_KEY_RSA, 1024},
    {"dkimpy/ed25519test.dns", DKIM_KEY_ED25519, 256},
    {"rfc8463/brisbane._domainkey.football.example.com.txt", DKIM_KEY_ED25519,
     256},
};

Test(dkim_crypto, decodes_public_keys_spki_and_rsapublickey)
{
	size_t i;

	for (i = 0; i < NCASES(pubs); i++) {
		struct sbuf *err = sbuf_new(0);
		struct dkim_crypto_key *key = record_key(pubs[i].file, err);

		cr_assert_not_null(key, "%s: %s", pubs[i].file, sbuf_cstr(err));
		cr_expect_eq(dkim_crypto_key_type(key), pubs[i].type);
		cr_expect_eq(dkim_crypto_key_bits(key), pubs[i].bits, "%s",
			     pubs[i].file);
		dkim_crypto_key_free(&key);
		sbuf_free(&err);
	}
}

Test(dkim_crypto, rejects_bad_public_keys)
{
	struct sbuf *err = sbuf_new(0), *der = sbuf_new(0);
	struct dkim_crypto_key *key = record_key("dkimpy/test_bad.txt", err);
	struct dkim_keyrec *rec = NULL;
	struct sbuf *data = testdata_read("dkimpy/test.txt", true);

	cr_expect_null(key, "test_bad.txt decoded");
	cr_expect_gt(sbuf_len(err), 0);
	/* a valid SPKI with one byte more, or one byte less */
	cr_assert_eq(
	    dkim_keyrec_parse(sbuf_cstr(data), sbuf_len(data), &rec, err), 0);
	sbuf_append(der, sbuf_data(rec->p), sbuf_len(rec->p));
	sbuf_putc(der, 0);
	cr_expect_eq(dkim_crypto_key_public(DKIM_KEY_RSA, sbuf_data(der),
					    sbuf_len(der), &key, err),
		     -1);
	cr_expect_eq(dkim_crypto_key_public(DKIM_KEY_RSA, sbuf_data(der),
					    sbuf_len(der) - 2, &key, err),
		     -1);
	/* an RSA key where Ed25519 is expected, and the reverse */
	cr_expect_eq(dkim_crypto_key_public(DKIM_KEY_ED25519, sbuf_data(rec->p),
					    sbuf_len(rec->p), &key, err),
		     -1);
	cr_expect_eq(
	    dkim_crypto_key_public(
		DKIM_KEY_RSA,
		(const unsigned char *)"0123456789abcdef0123456789abcdef", 32,
		&key, err),
	    -1);
	cr_expect_eq(dkim_crypto_key_public(DKIM_KEY_ED25519,
					    (const unsigned char *)"short", 5,
					    &key, err),
		     -1);
	cr_expect_eq(
	    dkim_crypto_key_public(DKIM_KEY_RSA, sbuf_data(der), 0, &key, err),
	    -1);
	cr_expect_null(key);
	dkim_keyrec_free(&rec);
	sbuf_free(&data);
	sbuf_free(&der);
	sbuf_free(&err);
}

static const struct {
	const char *priv, *pub;
	enum dkim_alg alg;
} pairs[] = {
    {"dkimpy/test.private", "dkimpy/test.txt", DKIM_ALG_RSA_SHA256},
    {"dkimpy/test.private", "dkimpy/test.txt", DKIM_ALG_RSA_SHA1},
    {"dkimpy/2048_testkey_PKCS8.key", "dkimpy/2048_testkey_PKCS8.key.pub.txt",
     DKIM_ALG_RSA_SHA256},
    {"dkimpy/ed25519test.key", "dkimpy/ed25519test.dns",
     DKIM_ALG_ED25519_SHA256},
    {"rfc8463/ed25519-secret.b64",
     "rfc8463/brisbane._domainkey.football.example.com.txt",
     DKIM_ALG_ED25519_SHA256},
};

Test(dkim_crypto, sign_verify_round_trip)
{
	static const char data[] = "from:Joe <joe@example.com>\r\n"
				   "dkim-signature:v=1; b=";
	size_t i;

	for (i = 0; i < NCASES(pairs); i++) {
		struct sbuf *err = sbuf_new(0), *sig = sbuf_new(0);
		struct dkim_crypto_key *priv = private_key(pairs[i].priv);
		struct dkim_crypto_key *pub = record_key(pairs[i].pub, err);
		unsigned char *bad;

		cr_assert_not_null(pub, "%s", sbuf_cstr(err));
		cr_assert_eq(dkim_crypto_sign(priv, pairs[i].alg, data,
					      strlen(data), sig, err),
			     0, "case %zu: %s", i, sbuf_cstr(err));
		cr_expect(dkim_crypto_verify(pub, pairs[i].alg, data,
					     strlen(data), sbuf_data(sig),
					     sbuf_len(sig)),
			  "case %zu", i);
		/* private keys verify too (they hold the public half) */
		cr_expect(dkim_crypto_verify(priv, pairs[i].alg, data,
					     strlen(data), sbuf_data(sig),
					     sbuf_len(sig)));
		/* one changed byte of data or signature fails */
		cr_expect(!dkim_crypto_verify(pub, pairs[i].alg, data,
					      strlen(data) - 1, sbuf_data(sig),
					      sbuf_len(sig)));
		bad = (unsigned char *)sbuf_cstr(sig);
		bad[3] ^= 1;
		cr_expect(!dkim_crypto_verify(
		    pub, pairs[i].alg, data, strlen(data), bad, sbuf_len(sig)));
		cr_expect(!dkim_crypto_verify(pub, pairs[i].alg, data,
					      strlen(data), bad, 0));
		dkim_crypto_key_free(&priv);
		dkim_crypto_key_free(&pub);
		sbuf_free(&sig);
		sbuf_free(&err);
	}
}

Test(dkim_crypto, algorithm_must_match_key)
{
	struct sbuf *err = sbuf_new(0), *sig = sbuf_new(0);
	struct dkim_crypto_key *rsa = private_key("dkimpy/test.private");
	struct dkim_crypto_key *ed = private_key("dkimpy/ed25519test.key");

	cr_expect_eq(
	    dkim_crypto_sign(rsa, DKIM_ALG_ED25519_SHA256, "x", 1, sig, err),
	    -1);
	cr_expect_eq(
	    dkim_crypto_sign(ed, DKIM_ALG_RSA_SHA256, "x", 1, sig, err), -1);
	cr_assert_eq(
	    dkim_crypto_sign(ed, DKIM_ALG_ED25519_SHA256, "x", 1, sig, err), 0);
	cr_expect_eq(sbuf_len(sig), 64);
	cr_expect(!dkim_crypto_verify(rsa, DKIM_ALG_ED25519_SHA256, "x", 1,
				      sbuf_data(sig), sbuf_len(sig)));
	dkim_crypto_key_free(&rsa);
	dkim_crypto_key_free(&ed);
	sbuf_free(&sig);
	sbuf_free(&err);
}

/* Ed25519 signs SHA-256(data), not data: check with a known answer. */
Test(dkim_crypto, ed25519_signs_the_sha256_of_the_data)
{
	struct sbuf *err = sbuf_new(0), *sig = sbuf_new(0), *b64 = sbuf_new(0);
	struct dkim_crypto_key *ed = private_key("rfc8463/ed25519-secret.b64");

	/* Ed25519 is deterministic: the same input gives the same bytes */
	cr_assert_eq(
	    dkim_crypto_sign(ed, DKIM_ALG_ED25519_SHA256, "", 0, sig, err), 0);
	base64_encode(sbuf_data(sig), sbuf_len(sig), b64);
	/*
	 * RFC 8032 7.1 test 1 signs the empty message; signing its SHA-256
	 * instead must give a different signature.
	 */
	cr_expect_str_neq(sbuf_cstr(b64),
			  "5VZDAMNgrHKQhuLMgG6CioSHfx645dl02HPgZSJJAVVfuIIVkKM7"
			  "rMYeOXAc+bRr0lv18FlbviRlUUFDjnoQCw==");
	dkim_crypto_key_free(&ed);
	sbuf_free(&sig);
	sbuf_free(&b64);
	sbuf_free(&err);
}

/* An Ed25519 key in PKCS#8 PEM signs exactly as its base64 seed does. */
Test(dkim_crypto, ed25519_pem_equals_seed)
{
	static const char pem[] =
	    "-----BEGIN PRIVATE KEY-----\n"
	    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
	    "-----END PRIVATE KEY-----\n";
	struct dkim_crypto_key *seed = private_key("rfc8463/ed25519-secret.b64");
	struct dkim_crypto_key *key = NULL;
	struct sbuf *err = sbuf_new(0), *s1 = sbuf_new(0), *s2 = sbuf_new(0);

	cr_assert_eq(dkim_crypto_key_private(pem, strlen(pem), &key, err), 0,
		     "%s", sbuf_cstr(err));
	cr_expect_eq(dkim_crypto_key_type(key), DKIM_KEY_ED25519);
	cr_assert_eq(
	    dkim_crypto_sign(key, DKIM_ALG_ED25519_SHA256, "abc", 3, s1, err),
	    0);
	cr_assert_eq(
	    dkim_crypto_sign(seed, DKIM_ALG_ED25519_SHA256, "abc", 3, s2, err),
	    0);
	cr_expect_eq(sbuf_len(s1), 64);
	cr_expect_eq(memcmp(sbuf_data(s1), sbuf_data(s2), 64), 0);
	dkim_crypto_key_free(&key);
	dkim_crypto_key_free(&seed);
	sbuf_free(&err);
	sbuf_free(&s1);
	sbuf_free(&s2);
}

/* check_new_key - a generated key loads, signs, and its p= verifies */
static void check_new_key(enum dkim_keytype type, unsigned int bits,
			  const struct sbuf *pem, const struct sbuf *pub)
{
	static const char data[] = "from:a@example.com\r\n";
	enum dkim_alg alg = type == DKIM_KEY_ED25519 ? DKIM_ALG_ED25519_SHA256
						     : DKIM_ALG_RSA_SHA256;
	struct sbuf *err = sbuf_new(0), *sig = sbuf_new(0);
	struct dkim_crypto_key *priv = NULL, *pubkey = NULL;

	cr_expect_eq(
	    strncmp(sbuf_cstr(pem), "-----BEGIN PRIVATE KEY-----\n", 28), 0,
	    "not PKCS#8 PEM: %.40s", sbuf_cstr(pem));
	cr_assert_eq(
	    dkim_crypto_key_private(sbuf_cstr(pem), sbuf_len(pem), &priv, err),
	    0, "%s", sbuf_cstr(err));
	cr_expect_eq(dkim_crypto_key_type(priv), type);
	cr_expect_eq(dkim_crypto_key_bits(priv), bits);
	cr_assert_eq(dkim_crypto_key_public(type, sbuf_data(pub), sbuf_len(pub),
					    &pubkey, err),
		     0, "%s", sbuf_cstr(err));
	cr_expect_eq(dkim_crypto_key_bits(pubkey), bits);
	cr_assert_eq(dkim_crypto_sign(priv, alg, data, strlen(data), sig, err),
		     0, "%s", sbuf_cstr(err));
	cr_expect(dkim_crypto_verify(pubkey, alg, data, strlen(data),
				     sbuf_data(sig), sbuf_len(sig)));
	dkim_crypto_key_free(&priv);
	dkim_crypto_key_free(&pubkey);
	sbuf_free(&sig);
	sbuf_free(&err);
}

Test(dkim_crypto, keygen_makes_usable_keys)
{
	static const struct {
		enum dkim_keytype type;
		unsigned int bits, want_bits;
	} cases[] = {
	    {DKIM_KEY_RSA, 1024, 1024},
	    {DKIM_KEY_RSA, 2048, 2048},
	    {DKIM_KEY_ED25519, 0, 256}, /* bits ignored */
	    {DKIM_KEY_ED25519, 99999, 256},
	};
	size_t i;

	for (i = 0; i < NCASES(cases); i++) {
		struct sbuf *pem = sbuf_new(0), *pub = sbuf_new(0);
		struct sbuf *err = sbuf_new(0);

		cr_assert_eq(dkim_crypto_keygen(cases[i].type, cases[i].bits,
						pem, pub, err),
			     0, "case %zu: %s", i, sbuf_cstr(err));
		cr_expect(sbuf_is_empty(err));
		if (cases[i].type == DKIM_KEY_ED25519)
			cr_expect_eq(sbuf_len(pub), 32); /* RFC 8463 4 */
		check_new_key(cases[i].type, cases[i].want_bits, pem, pub);
		sbuf_free_secret(&pem);
		sbuf_free(&pub);
		sbuf_free(&err);
	}
}

/* Two keys are different keys: one's p= does not verify the other. */
Test(dkim_crypto, keygen_keys_differ)
{
	enum dkim_keytype types[] = {DKIM_KEY_RSA, DKIM_KEY_ED25519};
	size_t i;

	for (i = 0; i < NCASES(types); i++) {
		enum dkim_alg alg = types[i] == DKIM_KEY_RSA
					? DKIM_ALG_RSA_SHA256
					: DKIM_ALG_ED25519_SHA256;
		struct sbuf *pem1 = sbuf_new(0), *pub1 = sbuf_new(0);
		struct sbuf *pem2 = sbuf_new(0), *pub2 = sbuf_new(0);
		struct sbuf *err = sbuf_new(0), *sig = sbuf_new(0);
		struct dkim_crypto_key *priv2 = NULL, *key1 = NULL;

		cr_assert_eq(
		    dkim_crypto_keygen(types[i], 1024, pem1, pub1, err), 0);
		cr_assert_eq(
		    dkim_crypto_keygen(types[i], 1024, pem2, pub2, err), 0);
		cr_expect(sbuf_len(pub1) != sbuf_len(pub2) ||
			  memcmp(sbuf_data(pub1), sbuf_data(pub2),
				 sbuf_len(pub1)) != 0);
		cr_assert_eq(dkim_crypto_key_private(
				 sbuf_cstr(pem2), sbuf_len(pem2), &priv2, err),
			     0);
		cr_assert_eq(dkim_crypto_key_public(types[i], sbuf_data(pub1),
						    sbuf_len(pub1), &key1, err),
			     0);
		cr_assert_eq(dkim_crypto_sign(priv2, alg, "x", 1, sig, err), 0);
		cr_expect(!dkim_crypto_verify(key1, alg, "x", 1, sbuf_data(sig),
					      sbuf_len(sig)));
		dkim_crypto_key_free(&priv2);
		dkim_crypto_key_free(&key1);
		sbuf_free_secret(&pem1);
		sbuf_free_secret(&pem2);
		sbuf_free(&pub1);
		sbuf_free(&pub2);
		sbuf_free(&sig);
		sbuf_free(&err);
	}
}

Test(dkim_crypto, keygen_refuses_rsa_sizes_out_of_range)
{
	static const unsigned int bad[] = {0, 512, 1023, 8193, 16384};
	size_t i;

	for (i = 0; i < NCASES(bad); i++) {
		struct sbuf *pem = sbuf_new(0), *pub = sbuf_new(0);
		struct sbuf *err = sbuf_new(0);

		cr_expect_eq(
		    dkim_crypto_keygen(DKIM_KEY_RSA, bad[i], pem, pub, err), -1,
		    "%u bits", bad[i]);
		cr_expect(!sbuf_is_empty(err));
		cr_expect(sbuf_is_empty(pem));
		cr_expect(sbuf_is_empty(pub));
		sbuf_free(&pem);
		sbuf_free(&pub);
		sbuf_free(&err);
	}
}

/* A full output buffer fails cleanly: both buffers are left as they were. */
Test(dkim_crypto, keygen_full_buffers_leave_nothing_behind)
{
	struct sbuf *pem = sbuf_new_max(0, 64), *pub = sbuf_new(0);
	struct sbuf *err = sbuf_new(0);

	sbuf_append_str(pub, "kept");
	cr_expect_eq(dkim_crypto_keygen(DKIM_KEY_ED25519, 0, pem, pub, err),
		     -1);
	cr_expect(sbuf_is_empty(pem));
	cr_expect_str_eq(sbuf_cstr(pub), "kept");
	sbuf_free(&pem);
	sbuf_free(&pub);
	sbuf_reset(err);
	pem = sbuf_new(0);
	pub = sbuf_new_max(0, 16); /* an SPKI of 1024 bits has 162 bytes */
	cr_expect_eq(dkim_crypto_keygen(DKIM_KEY_RSA, 1024, pem, pub, err), -1);
	cr_expect(sbuf_is_empty(pem));
	cr_expect(sbuf_is_empty(pub));
	cr_expect(!sbuf_is_empty(err));
	sbuf_free_secret(&pem);
	sbuf_free(&pub);
	sbuf_free(&err);
}
