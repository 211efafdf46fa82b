/* pw_scheme_crypt.c - the crypt(3) family and {MD5} (Dovecot 2.3) */
#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "pw_scheme_impl.h"
#include "sbuf.h"
#include "xalloc.h"

#define PW_SALT_BYTES 16 /* random bytes handed to crypt_gensalt */
#define PW_BCRYPT_KEY 72 /* bcrypt reads at most this many bytes */
#define PW_MD5_SALT 8	 /* "$1$" salt: at most 8 characters */

/*
 * pw_crypt_call - crypt_rn, except that bcrypt gets at most 72 bytes of
 * the password: it never reads more, and Dovecot's own bcrypt takes
 * longer passwords, which libxcrypt would refuse (over 511 bytes)
 */
static const char *pw_crypt_call(const char *password, const char *setting,
				 struct crypt_data *cd)
{
	char key[PW_BCRYPT_KEY + 1];
	const char *h;

	if (setting[0] != '$' || setting[1] != '2' ||
	    strlen(password) <= PW_BCRYPT_KEY)
		return crypt_rn(password, setting, cd, (int)sizeof(*cd));
	memcpy(key, password, PW_BCRYPT_KEY);
	key[PW_BCRYPT_KEY] = '\0';
	h = crypt_rn(key, setting, cd, (int)sizeof(*cd));
	wipe_bytes(key, sizeof(key));
	return h;
}

/*
 * pw_crypt_generate - crypt(3) with a fresh salt for the given prefix
 * ("$6$", "$5$", "$2y$", "$1$"). count 0 asks libxcrypt for its default
 * cost, which is also doveadm's: 5000 rounds for $5$/$6$, cost 5 for
 * bcrypt. Costs above our verify limits are refused.
 */
static int pw_crypt_generate(const char *prefix, const char *password,
			     unsigned int count, struct sbuf *out,
			     struct sbuf *err)
{
	unsigned char rbytes[PW_SALT_BYTES];
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = NULL;
	const char *h;
	int r = -1;

	if ((prefix[1] == '2' && count > PW_SCHEME_MAX_BCRYPT_COST) ||
	    (prefix[1] != '2' && count > PW_SCHEME_MAX_CRYPT_ROUNDS)) {
		sbuf_printf(err, "cost %u above the limit for %s", count,
			    prefix);
		goto out;
	}
	if (pw_random(rbytes, sizeof(rbytes), err) < 0)
		goto out;
	if (crypt_gensalt_rn(prefix, count, (const char *)rbytes,
			     (int)sizeof(rbytes), setting,
			     (int)sizeof(setting)) == NULL) {
		sbuf_printf(err, "cannot make a %s salt with cost %u: %s",
			    prefix, count, strerror(errno));
		goto out;
	}
	cd = xmalloc(sizeof(*cd));
	h = pw_crypt_call(password, setting, cd);
	if (h == NULL || h[0] == '*') {
		sbuf_printf(err, "crypt %s failed: %s", prefix,
			    errno == ERANGE ? "password too long"
					    : strerror(errno));
		goto out;
	}
	sbuf_append_str(out, h);
	r = 0;
out:
	wipe_bytes(rbytes, sizeof(rbytes));
	if (cd != NULL) {
		wipe_bytes(cd, sizeof(*cd));
		free(cd);
	}
	return r;
}

/* pw_sha512_crypt_generate - {SHA512-CRYPT}: $6$ */
int pw_sha512_crypt_generate(const char *password, const char *user,
			     unsigned int rounds, struct sbuf *out,
			     struct sbuf *err)
{
	return pw_crypt_generate("$6$", password, rounds, out, err);
}

/* pw_sha256_crypt_generate - {SHA256-CRYPT}: $5$ */
int pw_sha256_crypt_generate(const char *password, const char *user,
			     unsigned int rounds, struct sbuf *out,
			     struct sbuf *err)
{
	return pw_crypt_generate("$5$", password, rounds, out, err);
}

/* pw_blf_crypt_generate - {BLF-CRYPT} and {CRYPT}: bcrypt $2y$, as Dovecot */
int pw_blf_crypt_generate(const char *password, const char *user,
			  unsigned int rounds, struct sbuf *out,
			  struct sbuf *err)
{
	return pw_crypt_generate("$2y$", password, rounds, out, err);
}

/* pw_md5_add - one more input to an MD5 context */
static void pw_md5_add(EVP_MD_CTX *c, const void *p, size_t n)
{
	EVP_DigestUpdate(c, p, n);
}

/* pw_md5_to64 - n crypt(3) base-64 characters of v, low bits first */
static void pw_md5_to64(struct sbuf *out, unsigned long v, int n)
{
	while (n-- > 0) {
		sbuf_putc(out, PW_SALT_CHARS[v & 0x3f]);
		v >>= 6;
	}
}

/*
 * pw_md5_crypt - "$1$salt$hash" (Poul-Henning Kamp's MD5 crypt). Dovecot
 * has its own copy rather than crypt(3), which takes any password length
 * (libxcrypt stops at 511 bytes): so do we. setting is "$1$salt[$...]"
 * or a bare salt; the salt ends at '$' and has at most 8 characters.
 */
static int pw_md5_crypt(const char *password, const char *setting,
			struct sbuf *out)
{
	static const int perm[5][3] = {
		{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}};
	EVP_MD_CTX *c = EVP_MD_CTX_new(), *c1 = EVP_MD_CTX_new();
	size_t plen = strlen(password), slen, i;
	unsigned char f[16];
	const char *salt = setting;
	unsigned int n;
	int r = -1;

	if (c == NULL || c1 == NULL)
		goto out;
	if (strncmp(salt, "$1$", 3) == 0)
		salt += 3;
	for (slen = 0; slen < PW_MD5_SALT && salt[slen] != '\0' &&
		       salt[slen] != '$';
	     slen++)
		;
	/* final = MD5(pw salt pw) */
	EVP_DigestInit_ex(c1, EVP_md5(), NULL);
	pw_md5_add(c1, password, plen);
	pw_md5_add(c1, salt, slen);
	pw_md5_add(c1, password, plen);
	EVP_DigestFinal_ex(c1, f, &n);
	EVP_DigestInit_ex(c, EVP_md5(), NULL);
	pw_md5_add(c, password, plen);
	pw_md5_add(c, "$1$", 3);
	pw_md5_add(c, salt, slen);
	for (i = plen; i > 0; i -= i > 16 ? 16 : i)
		pw_md5_add(c, f, i > 16 ? 16 : i);
	memset(f, 0, sizeof(f));
	for (i = plen; i > 0; i >>= 1)
		pw_md5_add(c, (i & 1) ? (const char *)f : password, 1);
	EVP_DigestFinal_ex(c, f, &n);
	/* 1000 rounds, to slow things down (PHK's comment) */
	for (i = 0; i < 1000; i++) {
		EVP_DigestInit_ex(c1, EVP_md5(), NULL);
		if (i & 1)
			pw_md5_add(c1, password, plen);
		else
			pw_md5_add(c1, f, 16);
		if (i % 3)
			pw_md5_add(c1, salt, slen);
		if (i % 7)
			pw_md5_add(c1, password, plen);
		if (i & 1)
			pw_md5_add(c1, f, 16);
		else
			pw_md5_add(c1, password, plen);
		EVP_DigestFinal_ex(c1, f, &n);
	}
	sbuf_append_str(out, "$1$");
	sbuf_append(out, salt, slen);
	sbuf_putc(out, '$');
	for (i = 0; i < 5; i++)
		pw_md5_to64(out,
			    (unsigned long)f[perm[i][0]] << 16 |
				    (unsigned long)f[perm[i][1]] << 8 |
				    f[perm[i][2]],
			    4);
	pw_md5_to64(out, f[11], 2);
	r = 0;
out:
	wipe_bytes(f, sizeof(f));
	EVP_MD_CTX_free(c);
	EVP_MD_CTX_free(c1);
	return r;
}

/* pw_md5_crypt_generate - {MD5-CRYPT} and {MD5}: $1$, fixed cost */
int pw_md5_crypt_generate(const char *password, const char *user,
			  unsigned int rounds, struct sbuf *out,
			  struct sbuf *err)
{
	char salt[PW_MD5_SALT + 1];

	if (rounds != 0) {
		sbuf_printf(err, "MD5-CRYPT has no cost parameter");
		return -1;
	}
	if (pw_random_salt(salt, PW_MD5_SALT, err) < 0)
		return -1;
	if (pw_md5_crypt(password, salt, out) < 0) {
		sbuf_printf(err, "MD5 digest failed");
		return -1;
	}
	return 0;
}

/*
 * pw_crypt_run - crypt(3) of password with setting; the result (a
 * crypt string) is compared in constant time with expect
 */
static enum pw_result pw_crypt_run(const char *password, const char *setting,
				   const char *expect, size_t expect_len)
{
	struct crypt_data *cd = xmalloc(sizeof(*cd));
	enum pw_result r;
	const char *h;

	h = pw_crypt_call(password, setting, cd);
	if (h == NULL || h[0] == '*')
		r = PW_INVALID; /* unsupported setting, or too long */
	else if (strlen(h) != expect_len)
		r = PW_MISMATCH;
	else
		r = pw_equal(h, expect, expect_len);
	wipe_bytes(cd, sizeof(*cd));
	free(cd);
	return r;
}

/* pw_des_crypt_generate - {DES-CRYPT}: 13 characters, 2-character salt */
int pw_des_crypt_generate(const char *password, const char *user,
			  unsigned int rounds, struct sbuf *out,
			  struct sbuf *err)
{
	struct crypt_data *cd;
	char salt[3];
	const char *h;
	int r = -1;

	if (rounds != 0) {
		sbuf_printf(err, "DES-CRYPT has no cost parameter");
		return -1;
	}
	if (pw_random_salt(salt, 2, err) < 0)
		return -1;
	cd = xmalloc(sizeof(*cd));
	h = crypt_rn(password, salt, cd, (int)sizeof(*cd));
	if (h == NULL || h[0] == '*' || strlen(h) != 13)
		sbuf_printf(err, "DES crypt is not available");
	else
		r = sbuf_append_str(out, h);
	wipe_bytes(cd, sizeof(*cd));
	free(cd);
	return r;
}

/*
 * pw_crypt_cost_ok - reject costs above our limits before crypt(3) runs:
 * "$5$rounds=N$"/"$6$rounds=N$" and bcrypt "$2?$NN$"
 */
static bool pw_crypt_cost_ok(const char *h)
{
	const char *end;
	unsigned int v;

	if ((strncmp(h, "$5$rounds=", 10) == 0 ||
	     strncmp(h, "$6$rounds=", 10) == 0)) {
		end = strchr(h + 10, '$');
		/* libxcrypt: rounds below 1000 count as 1000 */
		return end != NULL &&
		       pw_parse_uint(h + 10, (size_t)(end - h - 10),
				     PW_SCHEME_MAX_CRYPT_ROUNDS, &v) == 0;
	}
	if (h[0] == '$' && h[1] == '2' && h[2] != '\0' && h[3] == '$') {
		if (h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9' ||
		    h[6] != '$')
			return false;
		return (unsigned int)((h[4] - '0') * 10 + (h[5] - '0')) <=
		       PW_SCHEME_MAX_BCRYPT_COST;
	}
	return true;
}

/*
 * pw_crypt_verify - the whole crypt family: crypt(3) reads the algorithm
 * and salt from the stored hash itself, then the output must equal it.
 */
enum pw_result pw_crypt_verify(const char *password, const unsigned char *raw,
			       size_t raw_len, const char *user)
{
	const char *h = (const char *)raw;

	if (raw_len == 0 || strlen(h) != raw_len || !pw_crypt_cost_ok(h))
		return PW_INVALID;
	return pw_crypt_run(password, h, h, raw_len);
}

/*
 * pw_md5_crypt_verify - {MD5-CRYPT}: Dovecot has its own "$1$" code and
 * never calls crypt(3) here, so anything but "$1$" cannot match.
 */
enum pw_result pw_md5_crypt_verify(const char *password,
				   const unsigned char *raw, size_t raw_len,
				   const char *user)
{
	struct sbuf *h;
	enum pw_result r;

	if (raw_len < 3 || memcmp(raw, "$1$", 3) != 0 ||
	    strlen((const char *)raw) != raw_len)
		return PW_MISMATCH;
	h = sbuf_new(64);
	if (pw_md5_crypt(password, (const char *)raw, h) < 0)
		r = PW_INVALID;
	else if (sbuf_len(h) != raw_len)
		r = PW_MISMATCH;
	else
		r = pw_equal(sbuf_data(h), raw, raw_len);
	sbuf_free(&h);
	return r;
}

/*
 * pw_md5_verify - {MD5}: "$1$..." is MD5-CRYPT, anything else is a
 * PLAIN-MD5 digest in hex or base64 (Dovecot 2.3 md5_verify)
 */
enum pw_result pw_md5_verify(const char *password, const unsigned char *raw,
			     size_t raw_len, const char *user)
{
	struct sbuf *digest;
	enum pw_result r;

	if (raw_len >= 3 && memcmp(raw, "$1$", 3) == 0)
		return pw_md5_crypt_verify(password, raw, raw_len, user);
	digest = sbuf_new(16);
	if (pw_decode_as("PLAIN-MD5", (const char *)raw, raw_len, digest) < 0)
		r = PW_INVALID;
	else
		r = pw_plain_md5_verify(password, sbuf_data(digest),
					sbuf_len(digest), user);
	sbuf_free(&digest);
	return r;
}
