/*
 * pw_scheme_digest.c - digest schemes (Dovecot 2.3): SHA/SHA1, SHA256,
 * SHA512, PLAIN-MD4, PLAIN-MD5/LDAP-MD5, salted SSHA*, SMD5, CRAM-MD5
 * (HMAC-MD5) and DIGEST-MD5. The digests come from OpenSSL EVP, except
 * MD4 (below) and the raw MD5 state CRAM-MD5 stores.
 */
#include "config.h"

#include <openssl/evp.h>
#include <openssl/md5.h>
#include <stdint.h>
#include <string.h>

#include "base64.h"
#include "pw_scheme_impl.h"
#include "sbuf.h"
#include "xalloc.h"

#define PW_SALT_LEN 4	  /* Dovecot's SSHA/SMD5 salt size */
#define PW_CRAM_LEN 32	  /* outer + inner MD5 state */
#define PW_HMAC_BLOCK 64  /* MD5 block size */

/* pw_evp - one-shot digest of a || b; out holds EVP_MAX_MD_SIZE */
static size_t pw_evp(const EVP_MD *md, const void *a, size_t alen,
		     const void *b, size_t blen, unsigned char *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, a, alen) != 1 ||
	    (blen > 0 && EVP_DigestUpdate(ctx, b, blen) != 1) ||
	    EVP_DigestFinal_ex(ctx, out, &len) != 1)
		len = 0;
	EVP_MD_CTX_free(ctx);
	return len;
}

/* pw_digest_generate - unsalted digest, raw (the caller's encoding) */
static int pw_digest_generate(const EVP_MD *md, const char *password,
			      unsigned int rounds, struct sbuf *out,
			      struct sbuf *err, bool hex)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	size_t n;

	if (rounds != 0) {
		sbuf_printf(err, "%s has no cost parameter",
			    EVP_MD_get0_name(md));
		return -1;
	}
	n = pw_evp(md, password, strlen(password), NULL, 0, d);
	if (n == 0) {
		sbuf_printf(err, "%s digest failed", EVP_MD_get0_name(md));
		return -1;
	}
	if (hex)
		hex_encode(d, n, out);
	else
		base64_encode(d, n, out);
	return 0;
}

/* pw_digest_verify - unsalted digest against the decoded raw bytes */
static enum pw_result pw_digest_verify(const EVP_MD *md,
				       const char *password,
				       const unsigned char *raw,
				       size_t raw_len)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	size_t n = pw_evp(md, password, strlen(password), NULL, 0, d);
	enum pw_result r;

	if (n == 0 || n != raw_len)
		return PW_INVALID;
	r = pw_equal(d, raw, n);
	wipe_bytes(d, sizeof(d));
	return r;
}

/* pw_salted_generate - base64(H(password || salt) || salt), 4-byte salt */
static int pw_salted_generate(const EVP_MD *md, const char *password,
			      unsigned int rounds, struct sbuf *out,
			      struct sbuf *err)
{
	unsigned char d[EVP_MAX_MD_SIZE + PW_SALT_LEN];
	size_t n;

	if (rounds != 0) {
		sbuf_printf(err, "salted %s has no cost parameter",
			    EVP_MD_get0_name(md));
		return -1;
	}
	if (pw_random(d + EVP_MAX_MD_SIZE, PW_SALT_LEN, err) < 0)
		return -1;
	n = pw_evp(md, password, strlen(password), d + EVP_MAX_MD_SIZE,
		   PW_SALT_LEN, d);
	if (n == 0) {
		sbuf_printf(err, "%s digest failed", EVP_MD_get0_name(md));
		return -1;
	}
	memmove(d + n, d + EVP_MAX_MD_SIZE, PW_SALT_LEN);
	base64_encode(d, n + PW_SALT_LEN, out);
	return 0;
}

/*
 * pw_salted_verify - the salt is everything after the digest, at least
 * one byte (Dovecot: "password is too short" otherwise)
 */
static enum pw_result pw_salted_verify(const EVP_MD *md, const char *password,
				       const unsigned char *raw,
				       size_t raw_len)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	size_t dlen = (size_t)EVP_MD_get_size(md), n;
	enum pw_result r;

	if (raw_len <= dlen)
		return PW_INVALID;
	n = pw_evp(md, password, strlen(password), raw + dlen, raw_len - dlen,
		   d);
	if (n != dlen)
		return PW_INVALID;
	r = pw_equal(d, raw, dlen);
	wipe_bytes(d, sizeof(d));
	return r;
}

/* The unsalted and salted members, one pair of one-liners each. */
int pw_sha1_generate(const char *password, const char *user,
		     unsigned int rounds, struct sbuf *out, struct sbuf *err)
{
	return pw_digest_generate(EVP_sha1(), password, rounds, out, err,
				  false);
}

int pw_sha256_generate(const char *password, const char *user,
		       unsigned int rounds, struct sbuf *out, struct sbuf *err)
{
	return pw_digest_generate(EVP_sha256(), password, rounds, out, err,
				  false);
}

int pw_sha512_generate(const char *password, const char *user,
		       unsigned int rounds, struct sbuf *out, struct sbuf *err)
{
	return pw_digest_generate(EVP_sha512(), password, rounds, out, err,
				  false);
}

/* pw_plain_md5_generate - PLAIN-MD5: hex */
int pw_plain_md5_generate(const char *password, const char *user,
			  unsigned int rounds, struct sbuf *out,
			  struct sbuf *err)
{
	return pw_digest_generate(EVP_md5(), password, rounds, out, err,
				  true);
}

/* pw_ldap_md5_generate - LDAP-MD5: the same digest in base64 */
int pw_ldap_md5_generate(const char *password, const char *user,
			 unsigned int rounds, struct sbuf *out,
			 struct sbuf *err)
{
	return pw_digest_generate(EVP_md5(), password, rounds, out, err,
				  false);
}

enum pw_result pw_sha1_verify(const char *password, const unsigned char *raw,
			      size_t raw_len, const char *user)
{
	return pw_digest_verify(EVP_sha1(), password, raw, raw_len);
}

enum pw_result pw_sha256_verify(const char *password, const unsigned char *raw,
				size_t raw_len, const char *user)
{
	return pw_digest_verify(EVP_sha256(), password, raw, raw_len);
}

enum pw_result pw_sha512_verify(const char *password, const unsigned char *raw,
				size_t raw_len, const char *user)
{
	return pw_digest_verify(EVP_sha512(), password, raw, raw_len);
}

enum pw_result pw_plain_md5_verify(const char *password,
				   const unsigned char *raw, size_t raw_len,
				   const char *user)
{
	return pw_digest_verify(EVP_md5(), password, raw, raw_len);
}

int pw_ssha_generate(const char *password, const char *user,
		     unsigned int rounds, struct sbuf *out, struct sbuf *err)
{
	return pw_salted_generate(EVP_sha1(), password, rounds, out, err);
}

int pw_ssha256_generate(const char *password, const char *user,
			unsigned int rounds, struct sbuf *out, struct sbuf *err)
{
	return pw_salted_generate(EVP_sha256(), password, rounds, out, err);
}

int pw_ssha512_generate(const char *password, const char *user,
			unsigned int rounds, struct sbuf *out, struct sbuf *err)
{
	return pw_salted_generate(EVP_sha512(), password, rounds, out, err);
}

int pw_smd5_generate(const char *password, const char *user,
		     unsigned int rounds, struct sbuf *out, struct sbuf *err)
{
	return pw_salted_generate(EVP_md5(), password, rounds, out, err);
}

enum pw_result pw_ssha_verify(const char *password, const unsigned char *raw,
			      size_t raw_len, const char *user)
{
	return pw_salted_verify(EVP_sha1(), password, raw, raw_len);
}

enum pw_result pw_ssha256_verify(const char *password,
				 const unsigned char *raw, size_t raw_len,
				 const char *user)
{
	return pw_salted_verify(EVP_sha256(), password, raw, raw_len);
}

enum pw_result pw_ssha512_verify(const char *password,
				 const unsigned char *raw, size_t raw_len,
				 const char *user)
{
	return pw_salted_verify(EVP_sha512(), password, raw, raw_len);
}

enum pw_result pw_smd5_verify(const char *password, const unsigned char *raw,
			      size_t raw_len, const char *user)
{
	return pw_salted_verify(EVP_md5(), password, raw, raw_len);
}

/*
 * MD4 (RFC 1320), for {PLAIN-MD4}. OpenSSL 3 has MD4 only in its
 * "legacy" provider, which a distribution may leave out and which would
 * have to be loaded into the whole process; 60 lines here are simpler.
 */
#define PW_MD4_ROTL(x, s) ((uint32_t)((x) << (s)) | ((x) >> (32 - (s))))

/* pw_md4_block - one 64-byte block into the state */
static void pw_md4_block(uint32_t st[4], const unsigned char *p)
{
	static const int r2[16] = {0, 4, 8, 12, 1, 5, 9, 13,
				   2, 6, 10, 14, 3, 7, 11, 15};
	static const int r3[16] = {0, 8, 4, 12, 2, 10, 6, 14,
				   1, 9, 5, 13, 3, 11, 7, 15};
	static const int s1[4] = {3, 7, 11, 19}, s2[4] = {3, 5, 9, 13},
			 s3[4] = {3, 9, 11, 15};
	uint32_t x[16], a = st[0], b = st[1], c = st[2], d = st[3], t;
	int i;

	for (i = 0; i < 16; i++)
		x[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
		       (uint32_t)p[4 * i + 2] << 16 |
		       (uint32_t)p[4 * i + 3] << 24;
	for (i = 0; i < 16; i++) {
		t = a + ((b & c) | (~b & d)) + x[i];
		a = d, d = c, c = b, b = PW_MD4_ROTL(t, s1[i % 4]);
	}
	for (i = 0; i < 16; i++) {
		t = a + ((b & c) | (b & d) | (c & d)) + x[r2[i]] +
		    0x5a827999u;
		a = d, d = c, c = b, b = PW_MD4_ROTL(t, s2[i % 4]);
	}
	for (i = 0; i < 16; i++) {
		t = a + (b ^ c ^ d) + x[r3[i]] + 0x6ed9eba1u;
		a = d, d = c, c = b, b = PW_MD4_ROTL(t, s3[i % 4]);
	}
	st[0] += a, st[1] += b, st[2] += c, st[3] += d;
	wipe_bytes(x, sizeof(x));
}

/* pw_md4 - MD4 of n bytes */
void pw_md4(const void *data, size_t n, unsigned char out[16])
{
	uint32_t st[4] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u};
	const unsigned char *p = data;
	unsigned char last[128];
	uint64_t bits = (uint64_t)n * 8;
	size_t rest, total, i;

	for (; n >= 64; p += 64, n -= 64)
		pw_md4_block(st, p);
	rest = n;
	memset(last, 0, sizeof(last));
	memcpy(last, p, rest);
	last[rest] = 0x80;
	total = rest + 1 + 8 <= 64 ? 64 : 128;
	for (i = 0; i < 8; i++)
		last[total - 8 + i] = (unsigned char)(bits >> (8 * i));
	pw_md4_block(st, last);
	if (total == 128)
		pw_md4_block(st, last + 64);
	for (i = 0; i < 16; i++)
		out[i] = (unsigned char)(st[i / 4] >> (8 * (i % 4)));
	wipe_bytes(last, sizeof(last));
	wipe_bytes(st, sizeof(st));
}

int pw_md4_generate(const char *password, const char *user,
		    unsigned int rounds, struct sbuf *out, struct sbuf *err)
{
	unsigned char d[16];

	if (rounds != 0) {
		sbuf_printf(err, "PLAIN-MD4 has no cost parameter");
		return -1;
	}
	pw_md4(password, strlen(password), d);
	hex_encode(d, sizeof(d), out);
	return 0;
}

enum pw_result pw_md4_verify(const char *password, const unsigned char *raw,
			     size_t raw_len, const char *user)
{
	unsigned char d[16];
	enum pw_result r;

	if (raw_len != sizeof(d))
		return PW_INVALID;
	pw_md4(password, strlen(password), d);
	r = pw_equal(d, raw, sizeof(d));
	wipe_bytes(d, sizeof(d));
	return r;
}

/*
 * The low-level MD5 interface is deprecated in OpenSSL 3 but still there,
 * and it is the only way to read the chaining state after one block,
 * which is what CRAM-MD5 stores (EVP hides it), and to go on from a
 * stored state. The pragma covers only the functions below.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

/* pw_md5_state_put - A, B, C, D as little-endian words (Dovecot CDPUT) */
static void pw_md5_state_put(const MD5_CTX *c, unsigned char *p)
{
	const uint32_t w[4] = {c->A, c->B, c->C, c->D};
	int i;

	for (i = 0; i < 16; i++)
		p[i] = (unsigned char)(w[i / 4] >> (8 * (i % 4)));
}

/*
 * pw_cram_context - the 32 bytes {CRAM-MD5} stores: the MD5 state after
 * the HMAC key block XOR opad, then after the block XOR ipad (RFC 2104;
 * Dovecot hmac_md5_get_cram_context). Keys over 64 bytes are hashed.
 */
static void pw_cram_context(const char *password, unsigned char out[32])
{
	unsigned char key[PW_HMAC_BLOCK], pad[PW_HMAC_BLOCK];
	size_t len = strlen(password), i;
	MD5_CTX c;

	memset(key, 0, sizeof(key));
	if (len > PW_HMAC_BLOCK)
		MD5((const unsigned char *)password, len, key);
	else
		memcpy(key, password, len);
	for (i = 0; i < PW_HMAC_BLOCK; i++)
		pad[i] = key[i] ^ 0x5c;
	MD5_Init(&c);
	MD5_Update(&c, pad, sizeof(pad));
	pw_md5_state_put(&c, out);
	for (i = 0; i < PW_HMAC_BLOCK; i++)
		pad[i] = key[i] ^ 0x36;
	MD5_Init(&c);
	MD5_Update(&c, pad, sizeof(pad));
	pw_md5_state_put(&c, out + 16);
	wipe_bytes(key, sizeof(key));
	wipe_bytes(pad, sizeof(pad));
	wipe_bytes(&c, sizeof(c));
}

/* pw_md5_state_get - the inverse of pw_md5_state_put */
static void pw_md5_state_get(MD5_CTX *c, const unsigned char *p)
{
	uint32_t w[4] = {0, 0, 0, 0};
	int i;

	for (i = 0; i < 16; i++)
		w[i / 4] |= (uint32_t)p[i] << (8 * (i % 4));
	c->A = w[0];
	c->B = w[1];
	c->C = w[2];
	c->D = w[3];
}

/*
 * pw_scheme_cram_md5_hmac - finish HMAC-MD5 from stored states: set the
 * chaining values as after one 64-byte block (Nl counts bits: 512) and
 * go on hashing (Dovecot hmac_md5_set_cram_context). MD5_CTX is a
 * public struct in every OpenSSL and LibreSSL; the fields are the ones
 * pw_md5_state_put reads.
 */
int pw_scheme_cram_md5_hmac(const unsigned char *ctx, size_t ctx_len,
			    const void *msg, size_t n, unsigned char out[16])
{
	unsigned char inner[16];
	MD5_CTX c;

	if (ctx_len != PW_CRAM_LEN)
		return -1;
	MD5_Init(&c);
	pw_md5_state_get(&c, ctx + 16);
	c.Nl = PW_HMAC_BLOCK * 8;
	c.Nh = 0;
	MD5_Update(&c, msg, n);
	MD5_Final(inner, &c);
	MD5_Init(&c);
	pw_md5_state_get(&c, ctx);
	c.Nl = PW_HMAC_BLOCK * 8;
	c.Nh = 0;
	MD5_Update(&c, inner, sizeof(inner));
	MD5_Final(out, &c);
	wipe_bytes(inner, sizeof(inner));
	wipe_bytes(&c, sizeof(c));
	return 0;
}

#pragma GCC diagnostic pop

int pw_cram_md5_generate(const char *password, const char *user,
			 unsigned int rounds, struct sbuf *out,
			 struct sbuf *err)
{
	unsigned char ctx[PW_CRAM_LEN];

	if (rounds != 0) {
		sbuf_printf(err, "CRAM-MD5 has no cost parameter");
		return -1;
	}
	pw_cram_context(password, ctx);
	hex_encode(ctx, sizeof(ctx), out);
	wipe_bytes(ctx, sizeof(ctx));
	return 0;
}

enum pw_result pw_cram_md5_verify(const char *password,
				  const unsigned char *raw, size_t raw_len,
				  const char *user)
{
	unsigned char ctx[PW_CRAM_LEN];
	enum pw_result r;

	if (raw_len != sizeof(ctx))
		return PW_INVALID;
	pw_cram_context(password, ctx);
	r = pw_equal(ctx, raw, sizeof(ctx));
	wipe_bytes(ctx, sizeof(ctx));
	return r;
}

/*
 * pw_digest_md5_a1 - MD5("user:realm:password"). The login is split at
 * its last '@' (Dovecot 2.3 digest_md5_generate: "user@domain@realm"
 * keeps "user@domain" as the user); no '@' = empty realm.
 */
static int pw_digest_md5_a1(const char *password, const char *user,
			    unsigned char out[16])
{
	const char *at;
	struct sbuf *a1;
	int r = 0;

	if (user == NULL)
		return -1;
	at = strrchr(user, '@');
	a1 = sbuf_new(strlen(user) + strlen(password) + 3);
	if (at != NULL) {
		sbuf_append(a1, user, (size_t)(at - user));
		sbuf_putc(a1, ':');
		sbuf_append_str(a1, at + 1);
	} else {
		sbuf_append_str(a1, user);
		sbuf_putc(a1, ':');
	}
	sbuf_putc(a1, ':');
	sbuf_append_str(a1, password);
	if (pw_evp(EVP_md5(), sbuf_data(a1), sbuf_len(a1), NULL, 0, out) !=
	    16)
		r = -1;
	sbuf_free_secret(&a1);
	return r;
}

int pw_digest_md5_generate(const char *password, const char *user,
			   unsigned int rounds, struct sbuf *out,
			   struct sbuf *err)
{
	unsigned char d[16];

	if (rounds != 0) {
		sbuf_printf(err, "DIGEST-MD5 has no cost parameter");
		return -1;
	}
	if (pw_digest_md5_a1(password, user, d) < 0) {
		sbuf_printf(err, "DIGEST-MD5 needs the user name");
		return -1;
	}
	hex_encode(d, sizeof(d), out);
	return 0;
}

/* pw_digest_md5_verify - without a user name it cannot be checked */
enum pw_result pw_digest_md5_verify(const char *password,
				    const unsigned char *raw, size_t raw_len,
				    const char *user)
{
	unsigned char d[16];
	enum pw_result r;

	if (raw_len != sizeof(d) || pw_digest_md5_a1(password, user, d) < 0)
		return PW_INVALID;
	r = pw_equal(d, raw, sizeof(d));
	wipe_bytes(d, sizeof(d));
	return r;
}
