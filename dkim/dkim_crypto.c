/* dkim_crypto.c - OpenSSL 3 glue for DKIM: digests, keys, signatures */
#include "config.h"

#include <limits.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "dkim_crypto.h"
#include "log.h"
#include "sbuf.h"
#include "xalloc.h"

struct dkim_crypto_md {
	EVP_MD_CTX *ctx;
};

/* dkim_crypto_evp_md - the EVP digest of a DKIM hash */
static const EVP_MD *dkim_crypto_evp_md(enum dkim_hash h)
{
	return h == DKIM_HASH_SHA1 ? EVP_sha1() : EVP_sha256();
}

/* dkim_crypto_md_new - start a digest */
struct dkim_crypto_md *dkim_crypto_md_new(enum dkim_hash h)
{
	struct dkim_crypto_md *md = xcalloc(1, sizeof(*md));

	/* failures here mean no memory or a broken OpenSSL: not input */
	if ((md->ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md->ctx, dkim_crypto_evp_md(h), NULL) != 1)
		log_panic("dkim_crypto: cannot start a digest");
	return md;
}

/* dkim_crypto_md_update - hash n more bytes */
void dkim_crypto_md_update(struct dkim_crypto_md *md, const void *p, size_t n)
{
	if (n > 0 && EVP_DigestUpdate(md->ctx, p, n) != 1)
		log_panic("dkim_crypto: digest update failed");
}

/* dkim_crypto_md_final - finish the digest */
size_t dkim_crypto_md_final(struct dkim_crypto_md *md,
			    unsigned char out[DKIM_CRYPTO_MD_MAX])
{
	unsigned int len = 0;

	if (EVP_DigestFinal_ex(md->ctx, out, &len) != 1)
		log_panic("dkim_crypto: digest final failed");
	return len;
}

/* dkim_crypto_md_free - release a digest */
void dkim_crypto_md_free(struct dkim_crypto_md **mdp)
{
	if (*mdp == NULL)
		return;
	EVP_MD_CTX_free((*mdp)->ctx);
	free(*mdp);
	*mdp = NULL;
}

struct dkim_crypto_key {
	EVP_PKEY *pkey;
	enum dkim_keytype type;
};

#define DKIM_CRYPTO_ED25519_LEN 32 /* raw key and seed (RFC 8032) */

/* dkim_crypto_no_pass - PEM password callback: never prompt */
static int dkim_crypto_no_pass(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* dkim_crypto_wrap - a key object around pkey, if its type is ours */
static int dkim_crypto_wrap(EVP_PKEY *pkey, struct dkim_crypto_key **key_r,
			    struct sbuf *err)
{
	struct dkim_crypto_key *key;
	enum dkim_keytype type;

	if (EVP_PKEY_is_a(pkey, "RSA"))
		type = DKIM_KEY_RSA;
	else if (EVP_PKEY_is_a(pkey, "ED25519"))
		type = DKIM_KEY_ED25519;
	else {
		sbuf_append_str(err, "key is neither RSA nor Ed25519");
		EVP_PKEY_free(pkey);
		return -1;
	}
	key = xcalloc(1, sizeof(*key));
	key->pkey = pkey;
	key->type = type;
	*key_r = key;
	return 0;
}

/* dkim_crypto_key_private - PEM or an Ed25519 seed in base64 */
int dkim_crypto_key_private(const char *data, size_t n,
			    struct dkim_crypto_key **key_r, struct sbuf *err)
{
	EVP_PKEY *pkey = NULL;
	struct sbuf *seed;
	BIO *bio;

	*key_r = NULL;
	if (n > INT_MAX) {
		sbuf_append_str(err, "key file too large");
		return -1;
	}
	/* '-' is outside the base64 alphabet: "-----BEGIN" means PEM */
	if (memchr(data, '-', n) != NULL) {
		if ((bio = BIO_new_mem_buf(data, (int)n)) == NULL)
			log_panic("dkim_crypto: BIO_new_mem_buf failed");
		pkey = PEM_read_bio_PrivateKey(bio, NULL, dkim_crypto_no_pass,
					       NULL);
		BIO_free(bio);
		ERR_clear_error();
		if (pkey == NULL) {
			sbuf_append_str(err, "cannot read the PEM private key "
					     "(encrypted or malformed)");
			return -1;
		}
		return dkim_crypto_wrap(pkey, key_r, err);
	}
	/* RFC 8463 A.1 and dkimpy: the base64 of the 32-byte seed */
	seed = sbuf_new_max(DKIM_CRYPTO_ED25519_LEN, 64);
	if (base64_decode(data, n, BASE64_SKIP_SPACE, seed) == 0 &&
	    sbuf_len(seed) == DKIM_CRYPTO_ED25519_LEN)
		pkey = EVP_PKEY_new_raw_private_key(
		    EVP_PKEY_ED25519, NULL, sbuf_data(seed), sbuf_len(seed));
	sbuf_free_secret(&seed);
	ERR_clear_error();
	if (pkey == NULL) {
		sbuf_append_str(err, "not a PEM key nor a base64 Ed25519 "
				     "seed");
		return -1;
	}
	return dkim_crypto_wrap(pkey, key_r, err);
}

/* dkim_crypto_key_public - p= of a key record to a key */
int dkim_crypto_key_public(enum dkim_keytype type, const unsigned char *p,
			   size_t n, struct dkim_crypto_key **key_r,
			   struct sbuf *err)
{
	EVP_PKEY *pkey = NULL;
	const unsigned char *q;

	*key_r = NULL;
	if (n == 0 || n > LONG_MAX) {
		sbuf_append_str(err, "empty or oversized public key");
		return -1;
	}
	if (type == DKIM_KEY_ED25519) {
		if (n == DKIM_CRYPTO_ED25519_LEN)
			pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519,
							   NULL, p, n);
	} else {
		q = p;
		pkey = d2i_PUBKEY(NULL, &q, (long)n);
		if (pkey != NULL &&
		    (q != p + n || !EVP_PKEY_is_a(pkey, "RSA"))) {
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
		if (pkey == NULL) {
			/* the bare PKCS#1 RSAPublicKey form */
			q = p;
			pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, (long)n);
			if (pkey != NULL && q != p + n) {
				EVP_PKEY_free(pkey);
				pkey = NULL;
			}
		}
	}
	ERR_clear_error();
	if (pkey == NULL) {
		sbuf_append_str(err, type == DKIM_KEY_ED25519
					 ? "p= is not a 32-byte Ed25519 key"
					 : "p= is not an RSA public key");
		return -1;
	}
	if (dkim_crypto_wrap(pkey, key_r, err) < 0)
		return -1;
	if ((*key_r)->type != type) {
		dkim_crypto_key_free(key_r);
		sbuf_append_str(err, "p= holds a key of another type");
		return -1;
	}
	return 0;
}

/* dkim_crypto_key_free - release a key */
void dkim_crypto_key_free(struct dkim_crypto_key **keyp)
{
	if (*keyp == NULL)
		return;
	EVP_PKEY_free((*keyp)->pkey);
	free(*keyp);
	*keyp = NULL;
}

/* dkim_crypto_key_dup - one more reference to the same EVP_PKEY */
struct dkim_crypto_key *dkim_crypto_key_dup(const struct dkim_crypto_key *key)
{
	struct dkim_crypto_key *k = xmalloc(sizeof(*k));

	if (EVP_PKEY_up_ref(key->pkey) != 1)
		log_panic("EVP_PKEY_up_ref failed");
	k->pkey = key->pkey;
	k->type = key->type;
	return k;
}

/* dkim_crypto_key_type - RSA or Ed25519 */
enum dkim_keytype dkim_crypto_key_type(const struct dkim_crypto_key *key)
{
	return key->type;
}

/* dkim_crypto_key_bits - key size */
unsigned int dkim_crypto_key_bits(const struct dkim_crypto_key *key)
{
	int bits = EVP_PKEY_get_bits(key->pkey);

	return bits > 0 ? (unsigned int)bits : 0;
}

/* dkim_crypto_alg_keytype - which key an algorithm uses */
enum dkim_keytype dkim_crypto_alg_keytype(enum dkim_alg alg)
{
	return alg == DKIM_ALG_ED25519_SHA256 ? DKIM_KEY_ED25519 : DKIM_KEY_RSA;
}

/* dkim_crypto_pem - append pkey as PKCS#8 PEM, through wiped memory */
static int dkim_crypto_pem(EVP_PKEY *pkey, struct sbuf *pem)
{
	BIO *bio = BIO_new(BIO_s_secmem());
	char *data = NULL;
	long len;
	int rc = -1;

	if (bio == NULL)
		log_panic("dkim_crypto: BIO_new failed");
	if (PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) ==
		1 &&
	    (len = BIO_get_mem_data(bio, &data)) > 0 &&
	    sbuf_append(pem, data, (size_t)len) == 0)
		rc = 0;
	BIO_free(bio); /* a secure-memory BIO clears its buffer */
	return rc;
}

/* dkim_crypto_pub - append the p= bytes of pkey (RFC 6376 3.6.1) */
static int dkim_crypto_pub(EVP_PKEY *pkey, enum dkim_keytype type,
			   struct sbuf *pub)
{
	unsigned char raw[DKIM_CRYPTO_ED25519_LEN], *der = NULL;
	size_t rawlen = sizeof(raw);
	int len, rc;

	if (type == DKIM_KEY_ED25519) {
		if (EVP_PKEY_get_raw_public_key(pkey, raw, &rawlen) != 1 ||
		    rawlen != sizeof(raw))
			return -1;
		return sbuf_append(pub, raw, rawlen);
	}
	if ((len = i2d_PUBKEY(pkey, &der)) <= 0)
		return -1;
	rc = sbuf_append(pub, der, (size_t)len);
	OPENSSL_free(der);
	return rc;
}

/* dkim_crypto_keygen - a new RSA or Ed25519 key, PEM and p= bytes */
int dkim_crypto_keygen(enum dkim_keytype type, unsigned int bits,
		       struct sbuf *pem, struct sbuf *pub, struct sbuf *err)
{
	size_t pub_mark = sbuf_len(pub);
	EVP_PKEY *pkey;
	int rc = -1;

	if (type == DKIM_KEY_RSA && (bits < DKIM_CRYPTO_RSA_MIN_BITS ||
				     bits > DKIM_CRYPTO_RSA_MAX_BITS)) {
		sbuf_printf(err, "RSA keys have %u to %u bits",
			    DKIM_CRYPTO_RSA_MIN_BITS, DKIM_CRYPTO_RSA_MAX_BITS);
		return -1;
	}
	pkey = type == DKIM_KEY_ED25519
		   ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
		   : EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	if (pkey == NULL) {
		sbuf_append_str(err, "key generation failed");
		goto out;
	}
	/* pem last: it appends all or nothing, so no secret stays behind */
	if (dkim_crypto_pub(pkey, type, pub) < 0 ||
	    dkim_crypto_pem(pkey, pem) < 0) {
		sbuf_truncate(pub, pub_mark);
		sbuf_append_str(err, "cannot encode the new key");
		goto out;
	}
	rc = 0;
out:
	ERR_clear_error();
	EVP_PKEY_free(pkey);
	return rc;
}

/*
 * dkim_crypto_prepare - what EVP_DigestSign/Verify see: RSA hashes the
 * data itself (md), Ed25519 signs the SHA-256 of the data with no md
 */
static const EVP_MD *dkim_crypto_prepare(enum dkim_alg alg, const void *data,
					 size_t n, const unsigned char **tbs,
					 size_t *tbs_len,
					 unsigned char hash[DKIM_CRYPTO_MD_MAX])
{
	struct dkim_crypto_md *md;

	if (alg != DKIM_ALG_ED25519_SHA256) {
		*tbs = data;
		*tbs_len = n;
		return dkim_crypto_evp_md(alg == DKIM_ALG_RSA_SHA1
					      ? DKIM_HASH_SHA1
					      : DKIM_HASH_SHA256);
	}
	md = dkim_crypto_md_new(DKIM_HASH_SHA256);
	dkim_crypto_md_update(md, data, n);
	*tbs_len = dkim_crypto_md_final(md, hash);
	dkim_crypto_md_free(&md);
	*tbs = hash;
	return NULL;
}

/* dkim_crypto_sign - sign header data */
int dkim_crypto_sign(const struct dkim_crypto_key *key, enum dkim_alg alg,
		     const void *data, size_t n, struct sbuf *sig,
		     struct sbuf *err)
{
	unsigned char hash[DKIM_CRYPTO_MD_MAX];
	const unsigned char *tbs;
	unsigned char *out = NULL;
	size_t tbs_len, len = 0;
	const EVP_MD *md;
	EVP_MD_CTX *ctx;
	int ret = -1;

	sbuf_reset(sig);
	if (key->type != dkim_crypto_alg_keytype(alg)) {
		sbuf_append_str(err, "key type does not match the algorithm");
		return -1;
	}
	md = dkim_crypto_prepare(alg, data, n, &tbs, &tbs_len, hash);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		log_panic("dkim_crypto: EVP_MD_CTX_new failed");
	if (EVP_DigestSignInit(ctx, NULL, md, NULL, key->pkey) != 1 ||
	    EVP_DigestSign(ctx, NULL, &len, tbs, tbs_len) != 1) {
		sbuf_append_str(err, "cannot start signing");
		goto out;
	}
	out = xmalloc(len);
	if (EVP_DigestSign(ctx, out, &len, tbs, tbs_len) != 1) {
		sbuf_append_str(err, "signing failed");
		goto out;
	}
	if (sbuf_append(sig, out, len) < 0) {
		sbuf_append_str(err, "signature too large");
		goto out;
	}
	ret = 0;
out:
	ERR_clear_error();
	free(out);
	EVP_MD_CTX_free(ctx);
	return ret;
}

/* dkim_crypto_verify - check a signature over header data */
bool dkim_crypto_verify(const struct dkim_crypto_key *key, enum dkim_alg alg,
			const void *data, size_t n, const unsigned char *sig,
			size_t siglen)
{
	unsigned char hash[DKIM_CRYPTO_MD_MAX];
	const unsigned char *tbs;
	const EVP_MD *md;
	EVP_MD_CTX *ctx;
	size_t tbs_len;
	bool ok;

	if (key->type != dkim_crypto_alg_keytype(alg))
		return false;
	md = dkim_crypto_prepare(alg, data, n, &tbs, &tbs_len, hash);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		log_panic("dkim_crypto: EVP_MD_CTX_new failed");
	ok = EVP_DigestVerifyInit(ctx, NULL, md, NULL, key->pkey) == 1 &&
	     EVP_DigestVerify(ctx, sig, siglen, tbs, tbs_len) == 1;
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	return ok;
}
