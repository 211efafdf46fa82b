/* pw_scheme.c - Dovecot password schemes: the table, generate, verify */
#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base64.h"
#include "pw_scheme.h"
#include "sbuf.h"
#include "xalloc.h"

#define PW_SALT_BYTES 16	/* random bytes handed to crypt_gensalt */
#define PW_MAX_SCHEME_NAME 64	/* "{...}" longer than this is not a scheme */

/* pw_random - fill buf from the OS RNG */
static int pw_random(void *buf, size_t n, struct sbuf *err)
{
	if (getentropy(buf, n) < 0) {
		sbuf_printf(err, "getentropy: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * pw_crypt_generate - crypt(3) with a fresh salt for the given prefix
 * ("$6$", "$5$", "$2y$"). count 0 asks libxcrypt for its default cost,
 * which is also doveadm's: 5000 rounds for $5$/$6$, cost 5 for bcrypt.
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
	h = crypt_rn(password, setting, cd, (int)sizeof(*cd));
	if (h == NULL || h[0] == '*') {
		sbuf_printf(err, "crypt %s failed: %s", prefix,
			    strerror(errno));
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
static int pw_sha512_crypt_generate(const char *password, const char *user,
				    unsigned int rounds, struct sbuf *out,
				    struct sbuf *err)
{
	return pw_crypt_generate("$6$", password, rounds, out, err);
}

/* pw_sha256_crypt_generate - {SHA256-CRYPT}: $5$ */
static int pw_sha256_crypt_generate(const char *password, const char *user,
				    unsigned int rounds, struct sbuf *out,
				    struct sbuf *err)
{
	return pw_crypt_generate("$5$", password, rounds, out, err);
}

/* pw_blf_crypt_generate - {BLF-CRYPT} and {CRYPT}: bcrypt $2y$, as Dovecot */
static int pw_blf_crypt_generate(const char *password, const char *user,
				 unsigned int rounds, struct sbuf *out,
				 struct sbuf *err)
{
	return pw_crypt_generate("$2y$", password, rounds, out, err);
}

/*
 * pw_crypt_verify - the whole crypt family: crypt(3) reads the algorithm
 * and salt from the stored hash itself, then the output must equal it.
 */
static enum pw_result pw_crypt_verify(const char *password,
				      const unsigned char *raw, size_t raw_len,
				      const char *user)
{
	struct crypt_data *cd;
	enum pw_result r;
	const char *h;

	if (raw_len == 0 || strlen((const char *)raw) != raw_len)
		return PW_INVALID;
	cd = xmalloc(sizeof(*cd));
	h = crypt_rn(password, (const char *)raw, cd, (int)sizeof(*cd));
	if (h == NULL || h[0] == '*')
		r = PW_INVALID; /* unsupported or malformed setting */
	else if (strlen(h) != raw_len)
		r = PW_MISMATCH;
	else
		r = CRYPTO_memcmp(h, raw, raw_len) == 0 ? PW_MATCH
							: PW_MISMATCH;
	wipe_bytes(cd, sizeof(*cd));
	free(cd);
	return r;
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
 * The table. Dovecot's other schemes (SHA*, SSHA*, PLAIN-MD5, PBKDF2,
 * SCRAM-*, ARGON2*, ...) go here as entries with their own functions;
 * encoding and raw_len make the generic decoder handle .hex/.b64.
 */
static const struct pw_scheme pw_schemes[] = {
	{"SHA512-CRYPT", PW_ENC_NONE, 0, pw_sha512_crypt_generate,
	 pw_crypt_verify},
	{"SHA256-CRYPT", PW_ENC_NONE, 0, pw_sha256_crypt_generate,
	 pw_crypt_verify},
	{"BLF-CRYPT", PW_ENC_NONE, 0, pw_blf_crypt_generate, pw_crypt_verify},
	{"CRYPT", PW_ENC_NONE, 0, pw_blf_crypt_generate, pw_crypt_verify},
	/* weak: verify only, so nothing new is ever stored with them */
	{"MD5-CRYPT", PW_ENC_NONE, 0, NULL, pw_crypt_verify},
	{"DES-CRYPT", PW_ENC_NONE, 0, NULL, pw_crypt_verify},
	{"PLAIN", PW_ENC_NONE, 0, pw_plain_generate, pw_plain_verify},
	{"CLEAR", PW_ENC_NONE, 0, pw_plain_generate, pw_plain_verify},
	{"CLEARTEXT", PW_ENC_NONE, 0, pw_plain_generate, pw_plain_verify},
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

/* pw_scheme_can_generate - known and with a generator? */
bool pw_scheme_can_generate(const char *name)
{
	const struct pw_scheme *s = pw_scheme_find(name);

	return s != NULL && s->generate != NULL;
}

/* pw_scheme_generate - "{SCHEME}data" for a password */
int pw_scheme_generate(const char *scheme, const char *password,
		       const char *user, unsigned int rounds,
		       struct sbuf *out, struct sbuf *err)
{
	const struct pw_scheme *s = pw_scheme_find(scheme);

	if (s == NULL || s->generate == NULL) {
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
	return s->generate(password, user, rounds, out, err);
}

/* pw_hex_value - one hex digit, or -1 */
static int pw_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* pw_hex_decode - append decoded hex to out; -1 on bad input */
static int pw_hex_decode(const char *s, size_t n, struct sbuf *out)
{
	size_t i;
	int hi, lo;

	if (n % 2 != 0)
		return -1;
	for (i = 0; i < n; i += 2) {
		hi = pw_hex_value((unsigned char)s[i]);
		lo = pw_hex_value((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		sbuf_putc(out, hi << 4 | lo);
	}
	return 0;
}

/*
 * pw_decode - turn the stored data into raw bytes. An explicit encoding
 * wins; otherwise fixed-size digests guess by length as Dovecot does
 * (exactly 2 x size characters = hex, else base64; hex that does not
 * decode is tried as base64).
 */
static int pw_decode(const struct pw_scheme *s, enum pw_encoding enc,
		     bool explicit_enc, const char *data, struct sbuf *raw)
{
	size_t n = strlen(data);

	if (!explicit_enc && s->raw_len != 0 && enc != PW_ENC_NONE)
		enc = n == 2 * s->raw_len ? PW_ENC_HEX : PW_ENC_BASE64;
	switch (enc) {
	case PW_ENC_NONE:
		return sbuf_append(raw, data, n);
	case PW_ENC_HEX:
		if (pw_hex_decode(data, n, raw) == 0)
			break;
		if (explicit_enc)
			return -1;
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

/* pw_scheme_verify - check a password against "{SCHEME}data" */
enum pw_result pw_scheme_verify(const char *stored, const char *password,
				const char *user, const char *default_scheme,
				struct sbuf *err)
{
	const struct pw_scheme *s;
	const char *name, *end, *dot, *data;
	struct sbuf *raw = NULL;
	enum pw_encoding enc = PW_ENC_NONE;
	bool explicit_enc = false;
	enum pw_result r;
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
	if (strlen(password) > PW_SCHEME_MAX_PASSWORD)
		return PW_MISMATCH;
	raw = sbuf_new(strlen(data) + 1);
	if (pw_decode(s, enc, explicit_enc, data, raw) < 0) {
		if (err != NULL)
			sbuf_printf(err, "malformed {%s} password data",
				    s->name);
		r = PW_INVALID;
		goto out;
	}
	r = s->verify(password, sbuf_data(raw), sbuf_len(raw), user);
	if (r == PW_INVALID && err != NULL)
		sbuf_printf(err, "malformed {%s} password data", s->name);
out:
	sbuf_free_secret(&raw);
	return r;
}
