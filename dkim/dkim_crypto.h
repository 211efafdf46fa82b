/*
 * dkim_crypto.h - the cryptography DKIM needs, over OpenSSL 3 EVP: the
 * message digests, private keys for signing, public keys from key
 * records, and the rsa-sha256, rsa-sha1 and ed25519-sha256 (RFC 8463)
 * signatures. The only DKIM file that includes OpenSSL.
 *
 * Key records and signatures are untrusted: every decoder checks what it
 * gets and fails with a reason in err; nothing here logs. Private keys
 * are secrets: their buffers are wiped. Objects are not shared between
 * threads while in use; separate objects may be used in parallel.
 */
#ifndef PW_DKIM_CRYPTO_H
#define PW_DKIM_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "dkim_types.h"

struct sbuf;

#define DKIM_CRYPTO_MD_MAX 64 /* bytes of the largest digest */

/* A running digest (SHA-256 or SHA-1). */
struct dkim_crypto_md;

struct dkim_crypto_md *dkim_crypto_md_new(enum dkim_hash h); /* caller frees */
void dkim_crypto_md_update(struct dkim_crypto_md *md, const void *p, size_t n);
/* dkim_crypto_md_final - the digest into out; returns its length */
size_t dkim_crypto_md_final(struct dkim_crypto_md *md,
			    unsigned char out[DKIM_CRYPTO_MD_MAX]);
void dkim_crypto_md_free(struct dkim_crypto_md **mdp); /* NULL-safe */

/* A private or public key, RSA or Ed25519. */
struct dkim_crypto_key;

/*
 * dkim_crypto_key_private - load a signing key from the n bytes at data
 * (borrowed; the caller wipes its copy): PEM ("RSA PRIVATE KEY" PKCS#1,
 * "PRIVATE KEY" PKCS#8, RSA or Ed25519), or the base64 of a 32-byte
 * Ed25519 seed (RFC 8463 A.1). An encrypted PEM is an error, never a
 * prompt. *key_r is new (caller frees); -1 with a reason in err.
 */
int dkim_crypto_key_private(const char *data, size_t n,
			    struct dkim_crypto_key **key_r, struct sbuf *err);
/*
 * dkim_crypto_key_public - decode the p= bytes of a key record (borrowed,
 * untrusted): for k=rsa a SubjectPublicKeyInfo or a bare PKCS#1
 * RSAPublicKey (both are in use, RFC 6376 3.6.1 and its Appendix C),
 * for k=ed25519 the raw 32-byte key (RFC 8463 4). Trailing bytes are an
 * error. *key_r is new (caller frees); -1 with a reason in err.
 */
int dkim_crypto_key_public(enum dkim_keytype type, const unsigned char *p,
			   size_t n, struct dkim_crypto_key **key_r,
			   struct sbuf *err);
void dkim_crypto_key_free(struct dkim_crypto_key **keyp); /* NULL-safe */
/* dkim_crypto_key_dup - another handle on the same key (caller frees);
 * a key is read-only once made, so handles may be used by threads */
struct dkim_crypto_key *dkim_crypto_key_dup(const struct dkim_crypto_key *key);
enum dkim_keytype dkim_crypto_key_type(const struct dkim_crypto_key *key);
/* dkim_crypto_key_bits - modulus size of an RSA key, 256 for Ed25519 */
unsigned int dkim_crypto_key_bits(const struct dkim_crypto_key *key);
/* dkim_crypto_alg_keytype - the key type an algorithm needs */
enum dkim_keytype dkim_crypto_alg_keytype(enum dkim_alg alg);

#define DKIM_CRYPTO_RSA_MIN_BITS 1024 /* keygen: RFC 8301 3.2 */
#define DKIM_CRYPTO_RSA_MAX_BITS 8192 /* keygen: p= must fit a record */

/*
 * dkim_crypto_keygen - a new signing key of type type: RSA of bits
 * bits (DKIM_CRYPTO_RSA_MIN_BITS..MAX_BITS, exponent 65537) or Ed25519
 * (bits ignored). Appends the private key as PKCS#8 PEM ("PRIVATE KEY",
 * which dkim_crypto_key_private reads) to pem, a secret: the caller
 * frees it with sbuf_free_secret. Appends the p= bytes of its key
 * record to pub: the SubjectPublicKeyInfo DER for RSA, the raw 32-byte
 * key for Ed25519 (RFC 8463 4). -1 with a reason in err (bits out of
 * range, OpenSSL failed, pem or pub full); pem and pub are then as
 * before.
 */
int dkim_crypto_keygen(enum dkim_keytype type, unsigned int bits,
		       struct sbuf *pem, struct sbuf *pub, struct sbuf *err);

/*
 * dkim_crypto_sign - sign the canonical header data (n bytes at data,
 * borrowed) with a private key: RSASSA-PKCS1-v1_5 over SHA-256/SHA-1,
 * or Ed25519 over the SHA-256 hash of data (RFC 8463 3). Replaces the
 * contents of sig with the raw signature. -1 with a reason in err when
 * key and algorithm do not match or OpenSSL fails.
 */
int dkim_crypto_sign(const struct dkim_crypto_key *key, enum dkim_alg alg,
		     const void *data, size_t n, struct sbuf *sig,
		     struct sbuf *err);
/*
 * dkim_crypto_verify - is sig (siglen bytes, untrusted) a valid alg
 * signature of data by key? False as well when key and algorithm do not
 * match.
 */
bool dkim_crypto_verify(const struct dkim_crypto_key *key, enum dkim_alg alg,
			const void *data, size_t n, const unsigned char *sig,
			size_t siglen);

#endif
