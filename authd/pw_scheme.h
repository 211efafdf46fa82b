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
 * encoded, and a generate and a verify function; the families live in
 * pw_scheme_{crypt,digest,kdf,argon2}.c. Every scheme Dovecot 2.3's
 * "doveadm pw -l" lists verifies as Dovecot verifies it. The crypt family
 * ({CRYPT}, {DES-CRYPT}, {SHA256-CRYPT}, {SHA512-CRYPT}, {BLF-CRYPT})
 * shares one verifier: crypt(3) (libxcrypt), where the "$id$" inside the
 * hash picks the algorithm, not the scheme name. {ARGON2I}/{ARGON2ID}
 * likewise follow the "$argon2i$"/"$argon2id$" inside the PHC string.
 *
 * Weak schemes (unsalted or fast digests, DES and MD5 crypt, CRAM-MD5,
 * DIGEST-MD5, OTP, PLAIN-TRUNC) verify, and pw_scheme_generate_any makes
 * them for compatibility tools ("postwarden pw", as "doveadm pw" does),
 * but pw_scheme_generate refuses them so nothing new is stored with them.
 *
 * Cost limits: a stored value picks its own cost, and a stored value is
 * untrusted, so costs above the limits below are PW_INVALID (never
 * computed) and generation refuses them. Each limit keeps one check to
 * roughly a second of CPU (or 256 MiB for Argon2) on current hardware,
 * far above the defaults Dovecot and libxcrypt use. yescrypt, scrypt and
 * BSDi crypt strings in {CRYPT} carry costs crypt(3) reads itself and are
 * not limited here.
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

/* Cost limits (see above); defaults in brackets. */
#define PW_SCHEME_MAX_CRYPT_ROUNDS 1000000u /* $5$/$6$ rounds= [5000] */
#define PW_SCHEME_MAX_BCRYPT_COST 15u	    /* $2?$NN$ [5] */
#define PW_SCHEME_MAX_PBKDF2_ROUNDS 1000000u /* PBKDF2 [5000] */
#define PW_SCHEME_MIN_SCRAM_ITER 4096u	    /* Dovecot's minimum and default */
#define PW_SCHEME_MAX_SCRAM_ITER 1000000u
#define PW_SCHEME_MAX_OTP_SEQ 10000u	    /* OTP sequence [1024] */
#define PW_SCHEME_MAX_ARGON2_MEMORY 262144u /* KiB, m= [32768/65536] */
#define PW_SCHEME_MAX_ARGON2_TIME 16u	    /* t= [4/3] */
#define PW_SCHEME_MAX_ARGON2_LANES 8u	    /* p= [1] */
/* t x m: at most 4 passes over the largest memory */
#define PW_SCHEME_MAX_ARGON2_WORK (4u * PW_SCHEME_MAX_ARGON2_MEMORY)

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
	bool weak;		   /* only pw_scheme_generate_any makes it */
};

/* pw_scheme_find - table entry by name (any case); NULL if unknown */
const struct pw_scheme *pw_scheme_find(const char *name);
/* pw_scheme_count, pw_scheme_at - walk the table; borrowed, static */
size_t pw_scheme_count(void);
const struct pw_scheme *pw_scheme_at(size_t i);
/* pw_scheme_can_generate - may pw_scheme_generate store with name? */
bool pw_scheme_can_generate(const char *name);
/* pw_scheme_can_generate_any - is there a generator at all (weak too)? */
bool pw_scheme_can_generate_any(const char *name);

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
 * pw_scheme_generate_any - the same, weak schemes included (as doveadm
 * pw). user (borrowed) is required for DIGEST-MD5. rounds is the cost:
 * crypt rounds or bcrypt cost, PBKDF2 rounds, SCRAM iterations, Argon2
 * passes (t; memory stays at Dovecot's default), OTP sequence.
 */
int pw_scheme_generate_any(const char *scheme, const char *password,
			   const char *user, unsigned int rounds,
			   struct sbuf *out, struct sbuf *err);

/*
 * pw_scheme_decode - split a stored value into its scheme (scheme_r,
 * static) and its decoded data (appended to raw_r, a secret: free it
 * with sbuf_free_secret). Returns PW_MATCH on success, PW_UNKNOWN_SCHEME
 * or PW_INVALID (with err, which never holds the data) otherwise. For
 * mechanisms that need the credential itself (CRAM-MD5 and PLAIN).
 */
enum pw_result pw_scheme_decode(const char *stored, const char *default_scheme,
				const struct pw_scheme **scheme_r,
				struct sbuf *raw_r, struct sbuf *err);

/*
 * pw_scheme_cram_md5_hmac - HMAC-MD5 of msg (n bytes) from the decoded
 * data of a {CRAM-MD5}/{HMAC-MD5} value (ctx: 32 bytes, the MD5 states
 * after the outer and the inner key block, as Dovecot stores them), for
 * the CRAM-MD5 mechanism. out gets the 16-byte MAC (a secret). -1 when
 * ctx_len is not 32.
 */
int pw_scheme_cram_md5_hmac(const unsigned char *ctx, size_t ctx_len,
			    const void *msg, size_t n, unsigned char out[16]);

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
