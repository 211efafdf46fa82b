/*
 * pw_scheme_kdf.c - iterated schemes (Dovecot 2.3): PBKDF2, SCRAM-SHA-1,
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) and OTP (RFC 2289). Each stored
 * value names its own iteration count; counts above the limits in
 * pw_scheme.h are PW_INVALID before any work is done.
 */
#include "config.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "pw_scheme_impl.h"
#include "sbuf.h"
#include "xalloc.h"

#define PW_PBKDF2_DEFAULT_ROUNDS 5000
#define PW_PBKDF2_SALT_CHARS 16
#define PW_PBKDF2_KEY 20 /* HMAC-SHA1 output */
#define PW_SCRAM_SALT 16
#define PW_OTP_DEFAULT_SEQ 1024
#define PW_OTP_MAX_SEED 16 /* RFC 2289 6 */
#define PW_OTP_HASH 8

/*
 * pw_pbkdf2_generate - "$1$<salt>$<rounds>$<hex>": PBKDF2-HMAC-SHA1 with
 * the 16-character salt used as text, as Dovecot's pbkdf2_generate
 */
int pw_pbkdf2_generate(const char *password, const char *user,
		       unsigned int rounds, struct sbuf *out,
		       struct sbuf *err)
{
	unsigned char key[PW_PBKDF2_KEY];
	char salt[PW_PBKDF2_SALT_CHARS + 1];

	if (rounds == 0)
		rounds = PW_PBKDF2_DEFAULT_ROUNDS;
	if (rounds > PW_SCHEME_MAX_PBKDF2_ROUNDS) {
		sbuf_printf(err, "PBKDF2 rounds above %u",
			    PW_SCHEME_MAX_PBKDF2_ROUNDS);
		return -1;
	}
	if (pw_random_salt(salt, PW_PBKDF2_SALT_CHARS, err) < 0)
		return -1;
	if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password),
			      (const unsigned char *)salt, (int)strlen(salt),
			      (int)rounds, EVP_sha1(), sizeof(key),
			      key) != 1) {
		sbuf_printf(err, "PBKDF2 failed");
		return -1;
	}
	sbuf_printf(out, "$1$%s$%u$", salt, rounds);
	hex_encode(key, sizeof(key), out);
	wipe_bytes(key, sizeof(key));
	return 0;
}

/*
 * pw_pbkdf2_verify - "$1$" then exactly three '$'-separated fields: salt
 * (any text, may be empty), rounds (1..limit) and 40 hex digits
 */
enum pw_result pw_pbkdf2_verify(const char *password, const unsigned char *raw,
				size_t raw_len, const char *user)
{
	const char *p = (const char *)raw, *d1, *d2;
	unsigned char key[PW_PBKDF2_KEY];
	struct sbuf *want = NULL;
	unsigned int rounds;
	enum pw_result r = PW_INVALID;

	if (raw_len < 3 || memcmp(p, "$1$", 3) != 0 || strlen(p) != raw_len)
		return PW_INVALID;
	p += 3;
	if ((d1 = strchr(p, '$')) == NULL || (d2 = strchr(d1 + 1, '$')) ==
						     NULL ||
	    strchr(d2 + 1, '$') != NULL)
		return PW_INVALID;
	if (pw_parse_uint(d1 + 1, (size_t)(d2 - d1 - 1),
			  PW_SCHEME_MAX_PBKDF2_ROUNDS, &rounds) < 0)
		return PW_INVALID;
	want = sbuf_new(PW_PBKDF2_KEY);
	if (strlen(d2 + 1) != 2 * PW_PBKDF2_KEY ||
	    hex_decode(d2 + 1, 2 * PW_PBKDF2_KEY, want) < 0)
		goto out;
	if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password),
			      (const unsigned char *)p, (int)(d1 - p),
			      (int)rounds, EVP_sha1(), sizeof(key),
			      key) != 1)
		goto out;
	r = pw_equal(key, sbuf_data(want), sizeof(key));
out:
	wipe_bytes(key, sizeof(key));
	sbuf_free(&want);
	return r;
}

/*
 * pw_scram_keys - RFC 5802 3: SaltedPassword = Hi(password, salt, i),
 * StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey =
 * HMAC(SaltedPassword, "Server Key"). Each output is EVP_MD size.
 */
static int pw_scram_keys(const EVP_MD *md, const char *password,
			 const unsigned char *salt, size_t salt_len,
			 unsigned int iter, unsigned char *stored,
			 unsigned char *server)
{
	unsigned char salted[EVP_MAX_MD_SIZE], client[EVP_MAX_MD_SIZE];
	int len = EVP_MD_get_size(md), r = -1;
	unsigned int n;

	if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt,
			      (int)salt_len, (int)iter, md, len,
			      salted) != 1 ||
	    HMAC(md, salted, len, (const unsigned char *)"Client Key", 10,
		 client, &n) == NULL ||
	    EVP_Digest(client, (size_t)len, stored, &n, md, NULL) != 1 ||
	    HMAC(md, salted, len, (const unsigned char *)"Server Key", 10,
		 server, &n) == NULL)
		goto out;
	r = 0;
out:
	wipe_bytes(salted, sizeof(salted));
	wipe_bytes(client, sizeof(client));
	return r;
}

/* pw_scram_generate - "iter,salt,StoredKey,ServerKey", 16-byte salt */
static int pw_scram_generate(const EVP_MD *md, const char *password,
			     unsigned int iter, struct sbuf *out,
			     struct sbuf *err)
{
	unsigned char salt[PW_SCRAM_SALT], stored[EVP_MAX_MD_SIZE],
		server[EVP_MAX_MD_SIZE];
	size_t len = (size_t)EVP_MD_get_size(md);
	int r = -1;

	if (iter == 0)
		iter = PW_SCHEME_MIN_SCRAM_ITER;
	if (iter < PW_SCHEME_MIN_SCRAM_ITER || iter > PW_SCHEME_MAX_SCRAM_ITER) {
		sbuf_printf(err, "SCRAM iterations must be %u to %u",
			    PW_SCHEME_MIN_SCRAM_ITER,
			    PW_SCHEME_MAX_SCRAM_ITER);
		return -1;
	}
	if (pw_random(salt, sizeof(salt), err) < 0)
		return -1;
	if (pw_scram_keys(md, password, salt, sizeof(salt), iter, stored,
			  server) < 0) {
		sbuf_printf(err, "SCRAM key derivation failed");
		goto out;
	}
	sbuf_printf(out, "%u,", iter);
	base64_encode(salt, sizeof(salt), out);
	sbuf_putc(out, ',');
	base64_encode(stored, len, out);
	sbuf_putc(out, ',');
	base64_encode(server, len, out);
	r = 0;
out:
	wipe_bytes(stored, sizeof(stored));
	wipe_bytes(server, sizeof(server));
	return r;
}

/*
 * pw_scram_field - base64 field [p, end) into out; want_len 0 = any
 * non-empty length
 */
static int pw_scram_field(const char *p, const char *end, size_t want_len,
			  struct sbuf *out)
{
	if (end == p ||
	    base64_decode(p, (size_t)(end - p), BASE64_STRICT, out) < 0 ||
	    sbuf_len(out) == 0)
		return -1;
	return want_len == 0 || sbuf_len(out) == want_len ? 0 : -1;
}

/*
 * pw_scram_verify - four comma-separated fields (Dovecot 2.3
 * scram_scheme_parse): iterations (4096..limit), base64 salt, base64
 * StoredKey and ServerKey of the digest size. Only StoredKey decides, as
 * in Dovecot; ServerKey must be well-formed.
 */
static enum pw_result pw_scram_verify(const EVP_MD *md, const char *password,
				      const unsigned char *raw,
				      size_t raw_len)
{
	const char *p = (const char *)raw, *c[3];
	unsigned char stored[EVP_MAX_MD_SIZE], server[EVP_MAX_MD_SIZE];
	size_t len = (size_t)EVP_MD_get_size(md);
	struct sbuf *salt = sbuf_new(32), *want = sbuf_new(64),
		    *srv = sbuf_new(64);
	enum pw_result r = PW_INVALID;
	unsigned int iter;

	if (strlen(p) != raw_len || (c[0] = strchr(p, ',')) == NULL ||
	    (c[1] = strchr(c[0] + 1, ',')) == NULL ||
	    (c[2] = strchr(c[1] + 1, ',')) == NULL ||
	    strchr(c[2] + 1, ',') != NULL)
		goto out;
	if (pw_parse_uint(p, (size_t)(c[0] - p), PW_SCHEME_MAX_SCRAM_ITER,
			  &iter) < 0 ||
	    iter < PW_SCHEME_MIN_SCRAM_ITER)
		goto out;
	if (pw_scram_field(c[0] + 1, c[1], 0, salt) < 0 ||
	    pw_scram_field(c[1] + 1, c[2], len, want) < 0 ||
	    pw_scram_field(c[2] + 1, p + raw_len, len, srv) < 0)
		goto out;
	if (pw_scram_keys(md, password, sbuf_data(salt), sbuf_len(salt),
			  iter, stored, server) < 0)
		goto out;
	r = pw_equal(stored, sbuf_data(want), len);
out:
	wipe_bytes(stored, sizeof(stored));
	wipe_bytes(server, sizeof(server));
	sbuf_free(&salt);
	sbuf_free(&want);
	sbuf_free(&srv);
	return r;
}

/* pw_scram_sha1_generate - {SCRAM-SHA-1} */
int pw_scram_sha1_generate(const char *password, const char *user,
			   unsigned int rounds, struct sbuf *out,
			   struct sbuf *err)
{
	return pw_scram_generate(EVP_sha1(), password, rounds, out, err);
}

/* pw_scram_sha256_generate - {SCRAM-SHA-256} */
int pw_scram_sha256_generate(const char *password, const char *user,
			     unsigned int rounds, struct sbuf *out,
			     struct sbuf *err)
{
	return pw_scram_generate(EVP_sha256(), password, rounds, out, err);
}

/* pw_scram_sha1_verify - {SCRAM-SHA-1} */
enum pw_result pw_scram_sha1_verify(const char *password,
				    const unsigned char *raw, size_t raw_len,
				    const char *user)
{
	return pw_scram_verify(EVP_sha1(), password, raw, raw_len);
}

/* pw_scram_sha256_verify - {SCRAM-SHA-256} */
enum pw_result pw_scram_sha256_verify(const char *password,
				      const unsigned char *raw,
				      size_t raw_len, const char *user)
{
	return pw_scram_verify(EVP_sha256(), password, raw, raw_len);
}

/* OTP algorithms Dovecot knows (RFC 2289 md4, md5, sha1) */
enum pw_otp_algo { PW_OTP_MD4, PW_OTP_MD5, PW_OTP_SHA1 };

/* pw_otp_step - hash n bytes and fold to 64 bits (RFC 2289 Appendix A) */
static void pw_otp_step(enum pw_otp_algo algo, const void *p, size_t n,
			unsigned char out[PW_OTP_HASH])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int len, i;
	uint32_t w[5];

	switch (algo) {
	case PW_OTP_MD4:
		pw_md4(p, n, d);
		/* FALLTHROUGH */
	case PW_OTP_MD5:
		if (algo == PW_OTP_MD5)
			EVP_Digest(p, n, d, &len, EVP_md5(), NULL);
		for (i = 0; i < PW_OTP_HASH; i++)
			out[i] = d[i] ^ d[i + 8];
		break;
	case PW_OTP_SHA1:
		EVP_Digest(p, n, d, &len, EVP_sha1(), NULL);
		for (i = 0; i < 5; i++)
			w[i] = (uint32_t)d[4 * i] << 24 |
			       (uint32_t)d[4 * i + 1] << 16 |
			       (uint32_t)d[4 * i + 2] << 8 | d[4 * i + 3];
		w[0] ^= w[2];
		w[1] ^= w[3];
		w[0] ^= w[4];
		/* the folded words go out least significant byte first */
		for (i = 0; i < PW_OTP_HASH; i++)
			out[i] = (unsigned char)(w[i / 4] >> (8 * (i % 4)));
		wipe_bytes(w, sizeof(w));
		break;
	}
	wipe_bytes(d, sizeof(d));
}

/* pw_otp_hash - S(seed || passphrase), then seq more steps */
static void pw_otp_hash(enum pw_otp_algo algo, const char *seed,
			const char *password, unsigned int seq,
			unsigned char out[PW_OTP_HASH])
{
	struct sbuf *in = sbuf_new(strlen(seed) + strlen(password) + 1);

	sbuf_append_str(in, seed);
	sbuf_append_str(in, password);
	pw_otp_step(algo, sbuf_data(in), sbuf_len(in), out);
	sbuf_free_secret(&in);
	while (seq-- > 0)
		pw_otp_step(algo, out, PW_OTP_HASH, out);
}

/* pw_otp_generate - "sha1 <seq> <seed> <hex>", 16-hex-digit seed */
int pw_otp_generate(const char *password, const char *user,
		    unsigned int rounds, struct sbuf *out, struct sbuf *err)
{
	unsigned char rnd[PW_OTP_MAX_SEED / 2], h[PW_OTP_HASH];
	struct sbuf *seed;

	if (rounds == 0)
		rounds = PW_OTP_DEFAULT_SEQ;
	if (rounds > PW_SCHEME_MAX_OTP_SEQ) {
		sbuf_printf(err, "OTP sequence above %u",
			    PW_SCHEME_MAX_OTP_SEQ);
		return -1;
	}
	if (pw_random(rnd, sizeof(rnd), err) < 0)
		return -1;
	seed = sbuf_new(PW_OTP_MAX_SEED + 1);
	hex_encode(rnd, sizeof(rnd), seed);
	pw_otp_hash(PW_OTP_SHA1, sbuf_cstr(seed), password, rounds, h);
	sbuf_printf(out, "sha1 %u %s ", rounds, sbuf_cstr(seed));
	hex_encode(h, sizeof(h), out);
	wipe_bytes(h, sizeof(h));
	sbuf_free(&seed);
	return 0;
}

/*
 * pw_otp_verify - "<algo> <seq> <seed> <16 hex>" (Dovecot's OTP passdb
 * entry): the plaintext matches if it gives that hash at that sequence.
 * The seed is 1-16 alphanumerics, lower-cased before use (RFC 2289 6).
 */
enum pw_result pw_otp_verify(const char *password, const unsigned char *raw,
			     size_t raw_len, const char *user)
{
	const char *p = (const char *)raw, *sp[3];
	char seed[PW_OTP_MAX_SEED + 1];
	unsigned char h[PW_OTP_HASH];
	struct sbuf *want = sbuf_new(PW_OTP_HASH);
	enum pw_result r = PW_INVALID;
	enum pw_otp_algo algo;
	unsigned int seq;
	size_t i, n;

	if (strlen(p) != raw_len || (sp[0] = strchr(p, ' ')) == NULL ||
	    (sp[1] = strchr(sp[0] + 1, ' ')) == NULL ||
	    (sp[2] = strchr(sp[1] + 1, ' ')) == NULL ||
	    strchr(sp[2] + 1, ' ') != NULL)
		goto out;
	n = (size_t)(sp[0] - p);
	if (n == 3 && strncasecmp(p, "md4", 3) == 0)
		algo = PW_OTP_MD4;
	else if (n == 3 && strncasecmp(p, "md5", 3) == 0)
		algo = PW_OTP_MD5;
	else if (n == 4 && strncasecmp(p, "sha1", 4) == 0)
		algo = PW_OTP_SHA1;
	else
		goto out;
	if (pw_parse_uint(sp[0] + 1, (size_t)(sp[1] - sp[0] - 1),
			  PW_SCHEME_MAX_OTP_SEQ, &seq) < 0)
		goto out;
	n = (size_t)(sp[2] - sp[1] - 1);
	if (n == 0 || n > PW_OTP_MAX_SEED)
		goto out;
	for (i = 0; i < n; i++) {
		char ch = sp[1][1 + i];

		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= 'A' && ch <= 'Z')))
			goto out;
		seed[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	seed[n] = '\0';
	if (strlen(sp[2] + 1) != 2 * PW_OTP_HASH ||
	    hex_decode(sp[2] + 1, 2 * PW_OTP_HASH, want) < 0)
		goto out;
	pw_otp_hash(algo, seed, password, seq, h);
	r = pw_equal(h, sbuf_data(want), PW_OTP_HASH);
	wipe_bytes(h, sizeof(h));
out:
	sbuf_free(&want);
	return r;
}
