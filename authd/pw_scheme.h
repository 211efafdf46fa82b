/*
 * pw_scheme.h - Dovecot-format stored passwords: generate and verify.
 *
 * A stored password is "{SCHEME}data" or "{SCHEME.ENC}data" (Dovecot 2.3,
 * dovecot-passwords notes sections 1-2). Scheme names are
 * case-insensitive; ".b64"/".base64"/".hex" override how data is encoded.
 * A value without "{...}" uses the caller's default scheme, as Dovecot's
 * default_pass_scheme does.
 *
 * Schemes live in one table (pw_scheme.c): a name, how its data is
 * encoded, and a generate and a verify function. Adding a Dovecot scheme
 * is adding a table entry. The crypt family ({CRYPT}, {DES-CRYPT},
 * {MD5-CRYPT}, {SHA256-CRYPT}, {SHA512-CRYPT}, {BLF-CRYPT}) shares one
 * verifier: crypt(3) (libxcrypt), where the "$id$" inside the hash picks
 * the algorithm, not the scheme name.
 *
 * Untrusted: the stored value (an SQL row) and the password (a client).
 * Neither is logged; errors never quote the password. Comparisons are
 * constant-time (CRYPTO_memcmp). Buffers that held a password or a
 * derived secret are wiped before they are freed. Thread-safe: no
 * globals, crypt_rn with a per-call work area. Hashing is CPU-bound (a
 * crypt family hash takes milliseconds by design): daemons call it from
 * a worker thread, never from the event loop.
 */
#ifndef PW_PW_SCHEME_H
#define PW_PW_SCHEME_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf;

#define PW_SCHEME_DEFAULT "SHA512-CRYPT" /* what we store unless told */
#define PW_SCHEME_MAX_PASSWORD 1024	 /* longer never match, never stored */

enum pw_result {
	PW_MATCH,
	PW_MISMATCH,
	PW_UNKNOWN_SCHEME, /* not in the table (Dovecot: "Unknown scheme") */
	PW_INVALID,	   /* the stored value is malformed */
};

/* How data after the "}" is encoded when the prefix gives no suffix. */
enum pw_encoding {
	PW_ENC_NONE,   /* text as is (crypt strings, plaintext) */
	PW_ENC_HEX,    /* raw bytes as hex */
	PW_ENC_BASE64, /* raw bytes as base64 */
};

/*
 * A verify function gets the password and the decoded stored data (raw
 * bytes, NUL-terminated for convenience). user is the login name (only
 * DIGEST-MD5 needs it; may be NULL).
 */
typedef enum pw_result pw_verify_fn(const char *password,
				    const unsigned char *raw, size_t raw_len,
				    const char *user);
/*
 * A generate function appends the stored data (without "{SCHEME}") to
 * out. rounds 0 = the scheme's default cost. -1 with err on failure.
 */
typedef int pw_generate_fn(const char *password, const char *user,
			   unsigned int rounds, struct sbuf *out,
			   struct sbuf *err);

struct pw_scheme {
	const char *name;	   /* upper case, as doveadm pw -l */
	enum pw_encoding encoding; /* default encoding of the data */
	size_t raw_len;		   /* fixed digest size; 0 = variable */
	pw_generate_fn *generate;  /* NULL: verify only */
	pw_verify_fn *verify;
};

/* pw_scheme_find - table entry by name (any case); NULL if unknown */
const struct pw_scheme *pw_scheme_find(const char *name);
/* pw_scheme_count, pw_scheme_at - walk the table; borrowed, static */
size_t pw_scheme_count(void);
const struct pw_scheme *pw_scheme_at(size_t i);
/* pw_scheme_can_generate - is there a generator for name? */
bool pw_scheme_can_generate(const char *name);

/*
 * pw_scheme_generate - append "{SCHEME}data" for password to out (which
 * should be a secret-safe buffer for PLAIN). rounds 0 = default cost.
 * Returns 0, or -1 with err for an unknown scheme, a scheme without a
 * generator, a bad rounds value or a failing RNG.
 */
int pw_scheme_generate(const char *scheme, const char *password,
		       const char *user, unsigned int rounds,
		       struct sbuf *out, struct sbuf *err);

/*
 * pw_scheme_verify - check password against a stored value. A value
 * without "{...}" is taken as default_scheme (NULL: PW_UNKNOWN_SCHEME).
 * err (may be NULL) explains PW_UNKNOWN_SCHEME and PW_INVALID; it never
 * contains the password or the stored data.
 */
enum pw_result pw_scheme_verify(const char *stored, const char *password,
				const char *user, const char *default_scheme,
				struct sbuf *err);

#endif
