/* pw_scheme.c - Dovecot password schemes: the table, generate, verify */
#include "config.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base64.h"
#include "pw_scheme_impl.h"
#include "sbuf.h"
#include "xalloc.h"

#define PW_MAX_SCHEME_NAME 64	/* "{...}" longer than this is not a scheme */

/* pw_random - fill buf from the OS RNG */
int pw_random(void *buf, size_t n, struct sbuf *err)
{
	unsigned char *p = buf;
	size_t chunk;

	/* getentropy gives at most 256 bytes per call */
	while (n > 0) {
		chunk = n > 256 ? 256 : n;
		if (getentropy(p, chunk) < 0) {
			sbuf_printf(err, "getentropy: %s", strerror(errno));
			return -1;
		}
		p += chunk;
		n -= chunk;
	}
	return 0;
}

/* pw_random_salt - n salt characters; 64 divides 256, so no bias */
int pw_random_salt(char *out, size_t n, struct sbuf *err)
{
	size_t i;

	if (pw_random(out, n, err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = PW_SALT_CHARS[(unsigned char)out[i] % 64];
	out[n] = '\0';
	return 0;
}

/* pw_equal - constant-time compare */
enum pw_result pw_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0 ? PW_MATCH : PW_MISMATCH;
}

/* pw_parse_uint - digits only (no sign, no space), 1..max */
int pw_parse_uint(const char *s, size_t n, unsigned int max,
		  unsigned int *val_r)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 10)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > max)
		return -1;
	*val_r = (unsigned int)v;
	return 0;
}

/* pw_plain_generate - {PLAIN}: the password itself */
static int pw_plain_generate(const char *password, const char *user,
			     unsigned int rounds, struct sbuf *out,
			     struct sbuf *err)
{
	if (rounds != 0) {
		sbuf_printf(err, "PLAIN has no cost parameter");
		return -1;
	}
	sbuf_append_str(out, password);
	return 0;
}

/* pw_plain_verify - {PLAIN}: exact, case-sensitive, constant-time */
static enum pw_result pw_plain_verify(const char *password,
				      const unsigned char *raw, size_t raw_len,
				      const char *user)
{
	size_t len = strlen(password);

	/* The length may leak through timing; the contents do not. */
	if (len != raw_len)
		return PW_MISMATCH;
	return CRYPTO_memcmp(password, raw, len) == 0 ? PW_MATCH
						      : PW_MISMATCH;
}

/*
 * pw_plain_trunc_generate - {PLAIN-TRUNC}: "<bytes>-<password>". doveadm
 * pw writes the bare password, which its own verifier rejects; this is
 * the form that verifies.
 */
static int pw_plain_trunc_generate(const char *password, const char *user,
				   unsigned int rounds, struct sbuf *out,
				   struct sbuf *err)
{
	if (rounds != 0) {
		sbuf_printf(err, "PLAIN-TRUNC has no cost parameter");
		return -1;
	}
	sbuf_printf(out, "%zu-", strlen(password));
	sbuf_append_str(out, password);
	return 0;
}

/*
 * pw_plain_trunc_verify - {PLAIN-TRUNC}<N>-<stored>: a stored value of
 * exactly N bytes was cut there, so a password of at least N bytes
 * matches on its first N; otherwise the comparison is exact (Dovecot
 * 2.3 plain_trunc_verify). No "<N>-" prefix is malformed.
 */
static enum pw_result pw_plain_trunc_verify(const char *password,
					    const unsigned char *raw,
					    size_t raw_len, const char *user)
{
	size_t i, trunc = 0, len = strlen(password), stored_len;

	for (i = 0; i < raw_len && raw[i] >= '0' && raw[i] <= '9'; i++) {
		if (trunc > PW_SCHEME_MAX_PASSWORD)
			return PW_INVALID; /* longer than any password */
		trunc = trunc * 10 + (size_t)(raw[i] - '0');
	}
	if (i == 0 || i == raw_len || raw[i] != '-')
		return PW_INVALID;
	i++;
	stored_len = raw_len - i;
	if (stored_len == trunc && len >= trunc)
		return pw_equal(raw + i, password, trunc);
	if (len != stored_len)
		return PW_MISMATCH;
	return pw_equal(raw + i, password, len);
}

/*
 * The table: every scheme "doveadm pw -l" lists in Dovecot 2.3. encoding
 * and raw_len let the generic decoder handle .hex/.b64 and guess by
 * length; weak = verify and generate_any only.
 */
static const struct pw_scheme pw_schemes[] = {
	{"SHA512-CRYPT", PW_ENC_NONE, 0, pw_sha512_crypt_generate,
	 pw_crypt_verify, false},
	{"SHA256-CRYPT", PW_ENC_NONE, 0, pw_sha256_crypt_generate,
	 pw_crypt_verify, false},
	{"BLF-CRYPT", PW_ENC_NONE, 0, pw_blf_crypt_generate, pw_crypt_verify,
	 false},
	{"CRYPT", PW_ENC_NONE, 0, pw_blf_crypt_generate, pw_crypt_verify,
	 false},
	{"ARGON2I", PW_ENC_NONE, 0, pw_argon2i_generate, pw_argon2_verify,
	 false},
	{"ARGON2ID", PW_ENC_NONE, 0, pw_argon2id_generate, pw_argon2_verify,
	 false},
	{"PBKDF2", PW_ENC_NONE, 0, pw_pbkdf2_generate, pw_pbkdf2_verify, false},
	{"SCRAM-SHA-1", PW_ENC_NONE, 0, pw_scram_sha1_generate,
	 pw_scram_sha1_verify, false},
	{"SCRAM-SHA-256", PW_ENC_NONE, 0, pw_scram_sha256_generate,
	 pw_scram_sha256_verify, false},
	{"PLAIN", PW_ENC_NONE, 0, pw_plain_generate, pw_plain_verify, false},
	{"CLEAR", PW_ENC_NONE, 0, pw_plain_generate, pw_plain_verify, false},
	{"CLEARTEXT", PW_ENC_NONE, 0, pw_plain_generate, pw_plain_verify,
	 false},
	/* weak: verify, and generate only for compatibility tools */
	{"PLAIN-TRUNC", PW_ENC_NONE, 0, pw_plain_trunc_generate,
	 pw_plain_trunc_verify, true},
	{"MD5-CRYPT", PW_ENC_NONE, 0, pw_md5_crypt_generate,
	 pw_md5_crypt_verify, true},
	{"DES-CRYPT", PW_ENC_NONE, 0, pw_des_crypt_generate, pw_crypt_verify,
	 true},
	{"MD5", PW_ENC_NONE, 0, pw_md5_crypt_generate, pw_md5_verify, true},
	{"SHA", PW_ENC_BASE64, 20, pw_sha1_generate, pw_sha1_verify, true},
	{"SHA1", PW_ENC_BASE64, 20, pw_sha1_generate, pw_sha1_verify, true},
	{"SHA256", PW_ENC_BASE64, 32, pw_sha256_generate, pw_sha256_verify,
	 true},
	{"SHA512", PW_ENC_BASE64, 64, pw_sha512_generate, pw_sha512_verify,
	 true},
	{"SMD5", PW_ENC_BASE64, 0, pw_smd5_generate, pw_smd5_verify, true},
	{"SSHA", PW_ENC_BASE64, 0, pw_ssha_generate, pw_ssha_verify, true},
	{"SSHA256", PW_ENC_BASE64, 0, pw_ssha256_generate, pw_ssha256_verify,
	 true},
	{"SSHA512", PW_ENC_BASE64, 0, pw_ssha512_generate, pw_ssha512_verify,
	 true},
	{"PLAIN-MD4", PW_ENC_HEX, 16, pw_md4_generate, pw_md4_verify, true},
	{"PLAIN-MD5", PW_ENC_HEX, 16, pw_plain_md5_generate, pw_plain_md5_verify,
	 true},
	{"LDAP-MD5", PW_ENC_BASE64, 16, pw_ldap_md5_generate, pw_plain_md5_verify,
	 true},
	{"CRAM-MD5", PW_ENC_HEX, 32, pw_cram_md5_generate, pw_cram_md5_verify,
	 true},
	{"HMAC-MD5", PW_ENC_HEX, 32, pw_cram_md5_generate, pw_cram_md5_verify,
	 true},
	{"DIGEST-MD5", PW_ENC_HEX, 16, pw_digest_md5_generate,
	 pw_digest_md5_verify, true},
	{"OTP", PW_ENC_NONE, 0, pw_otp_generate, pw_otp_verify, true},
};

#define PW_NSCHEMES (sizeof(pw_schemes) / sizeof(pw_schemes[0]))

/* pw_scheme_find_n - table entry for the first n bytes of name */
static const struct pw_scheme *pw_scheme_find_n(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < PW_NSCHEMES; i++)
		if (strlen(pw_schemes[i].name) == n &&
		    strncasecmp(pw_schemes[i].name, name, n) == 0)
			return &pw_schemes[i];
	return NULL;
}

/* pw_scheme_find - table entry by name, any case */
const struct pw_scheme *pw_scheme_find(const char *name)
{
	return pw_scheme_find_n(name, strlen(name));
}

/* pw_scheme_count - number of table entries */
size_t pw_scheme_count(void)
{
	return PW_NSCHEMES;
}

/* pw_scheme_at - the i-th table entry */
const struct pw_scheme *pw_scheme_at(size_t i)
{
	return i < PW_NSCHEMES ? &pw_schemes[i] : NULL;
}

/* pw_scheme_can_generate - known, with a generator, not weak? */
bool pw_scheme_can_generate(const char *name)
{
	const struct pw_scheme *s = pw_scheme_find(name);

	return s != NULL && s->generate != NULL && !s->weak;
}

/* pw_scheme_can_generate_any - known and with a generator? */
bool pw_scheme_can_generate_any(const char *name)
{
	const struct pw_scheme *s = pw_scheme_find(name);

	return s != NULL && s->generate != NULL;
}

/* pw_generate - "{SCHEME}data" for a password; weak schemes if allowed */
static int pw_generate(const char *scheme, const char *password,
		       const char *user, unsigned int rounds, bool allow_weak,
		       struct sbuf *out, struct sbuf *err)
{
	const struct pw_scheme *s = pw_scheme_find(scheme);
	size_t start = sbuf_len(out);
	int r;

	if (s == NULL || s->generate == NULL || (s->weak && !allow_weak)) {
		sbuf_printf(err, "%s password scheme: %.*s",
			    s == NULL ? "unknown" : "cannot store with the",
			    PW_MAX_SCHEME_NAME, scheme);
		return -1;
	}
	if (strlen(password) > PW_SCHEME_MAX_PASSWORD) {
		sbuf_printf(err, "password longer than %u bytes",
			    PW_SCHEME_MAX_PASSWORD);
		return -1;
	}
	sbuf_printf(out, "{%s}", s->name);
	r = s->generate(password, user, rounds, out, err);
	if (r < 0)
		sbuf_truncate(out, start);
	return r;
}

/* pw_scheme_generate - "{SCHEME}data" with a scheme fit to store */
int pw_scheme_generate(const char *scheme, const char *password,
		       const char *user, unsigned int rounds,
		       struct sbuf *out, struct sbuf *err)
{
	return pw_generate(scheme, password, user, rounds, false, out, err);
}

/* pw_scheme_generate_any - "{SCHEME}data", weak schemes included */
int pw_scheme_generate_any(const char *scheme, const char *password,
			   const char *user, unsigned int rounds,
			   struct sbuf *out, struct sbuf *err)
{
	return pw_generate(scheme, password, user, rounds, true, out, err);
}

/*
 * pw_decode - turn the stored data into raw bytes. An explicit encoding
 * wins; otherwise fixed-size digests guess by length as Dovecot does
 * (exactly 2 x size characters = hex, else base64). Hex that does not
 * decode is tried as base64, explicit ".hex" included (Dovecot 2.3
 * password_decode falls through the same way).
 */
static int pw_decode(const struct pw_scheme *s, enum pw_encoding enc,
		     bool explicit_enc, const char *data, size_t n,
		     struct sbuf *raw)
{
	if (!explicit_enc && s->raw_len != 0 && enc != PW_ENC_NONE)
		enc = n == 2 * s->raw_len ? PW_ENC_HEX : PW_ENC_BASE64;
	switch (enc) {
	case PW_ENC_NONE:
		return sbuf_append(raw, data, n);
	case PW_ENC_HEX:
		if (hex_decode(data, n, raw) == 0)
			break;
		sbuf_wipe(raw);
		/* FALLTHROUGH */
	case PW_ENC_BASE64:
		if (base64_decode(data, n, BASE64_STRICT, raw) < 0)
			return -1;
		break;
	}
	if (s->raw_len != 0 && sbuf_len(raw) != s->raw_len)
		return -1;
	return 0;
}

/* pw_decode_as - decode data as scheme's default encoding */
int pw_decode_as(const char *scheme, const char *data, size_t n,
		 struct sbuf *raw)
{
	const struct pw_scheme *s = pw_scheme_find(scheme);

	if (s == NULL)
		return -1;
	return pw_decode(s, s->encoding, false, data, n, raw);
}

/* pw_parse_encoding - ".b64", ".base64" or ".hex" (any case) */
static int pw_parse_encoding(const char *suffix, size_t n,
			     enum pw_encoding *enc_r)
{
	if ((n == 3 && strncasecmp(suffix, "b64", 3) == 0) ||
	    (n == 6 && strncasecmp(suffix, "base64", 6) == 0))
		*enc_r = PW_ENC_BASE64;
	else if (n == 3 && strncasecmp(suffix, "hex", 3) == 0)
		*enc_r = PW_ENC_HEX;
	else
		return -1;
	return 0;
}

/* pw_scheme_decode - split "{SCHEME.ENC}data" and decode the data */
enum pw_result pw_scheme_decode(const char *stored, const char *default_scheme,
				const struct pw_scheme **scheme_r,
				struct sbuf *raw_r, struct sbuf *err)
{
	const struct pw_scheme *s;
	const char *name, *end, *dot, *data;
	enum pw_encoding enc = PW_ENC_NONE;
	bool explicit_enc = false;
	size_t nlen;

	/* Dovecot: "{" plus a "}" anywhere means prefixed */
	if (stored[0] == '{' && (end = strchr(stored, '}')) != NULL) {
		name = stored + 1;
		data = end + 1;
	} else if (default_scheme != NULL) {
		name = default_scheme;
		end = name + strlen(name);
		data = stored;
	} else {
		if (err != NULL)
			sbuf_printf(err, "stored password has no {SCHEME} "
				    "prefix and there is no default scheme");
		return PW_UNKNOWN_SCHEME;
	}
	dot = memchr(name, '.', (size_t)(end - name));
	nlen = (size_t)((dot != NULL ? dot : end) - name);
	s = pw_scheme_find_n(name, nlen);
	if (s == NULL || (dot != NULL && pw_parse_encoding(
						 dot + 1,
						 (size_t)(end - dot - 1),
						 &enc) < 0)) {
		if (err != NULL)
			sbuf_printf(err, "unknown password scheme {%.*s}",
				    (int)((size_t)(end - name) <
						  PW_MAX_SCHEME_NAME
					  ? (size_t)(end - name)
					  : PW_MAX_SCHEME_NAME),
				    name);
		return PW_UNKNOWN_SCHEME;
	}
	if (dot != NULL)
		explicit_enc = true;
	else
		enc = s->encoding;
	*scheme_r = s;
	if (pw_decode(s, enc, explicit_enc, data, strlen(data), raw_r) < 0) {
		if (err != NULL)
			sbuf_printf(err, "malformed {%s} password data",
				    s->name);
		return PW_INVALID;
	}
	return PW_MATCH;
}

/* pw_scheme_verify - check a password against "{SCHEME}data" */
enum pw_result pw_scheme_verify(const char *stored, const char *password,
				const char *user, const char *default_scheme,
				struct sbuf *err)
{
	const struct pw_scheme *s = NULL;
	struct sbuf *raw = sbuf_new(strlen(stored) + 1);
	enum pw_result r;

	r = pw_scheme_decode(stored, default_scheme, &s, raw, err);
	if (r != PW_MATCH)
		goto out;
	if (strlen(password) > PW_SCHEME_MAX_PASSWORD) {
		r = PW_MISMATCH;
		goto out;
	}
	r = s->verify(password, sbuf_data(raw), sbuf_len(raw), user);
	if (r == PW_INVALID && err != NULL)
		sbuf_printf(err, "malformed {%s} password data", s->name);
out:
	sbuf_free_secret(&raw);
	return r;
}
