/*
 * pw_scheme_impl.h - private to authd/pw_scheme*.c: helpers shared by the
 * scheme families and the generate/verify functions that the table in
 * pw_scheme.c points at. Not for other modules: they use pw_scheme.h.
 *
 * One file per family: pw_scheme.c (table, decoding, plaintext),
 * pw_scheme_crypt.c (crypt(3) family and {MD5}), pw_scheme_digest.c
 * (plain and salted digests, CRAM-MD5, DIGEST-MD5, MD4),
 * pw_scheme_kdf.c (PBKDF2, SCRAM-SHA-1/256, OTP), pw_scheme_argon2.c.
 * Same rules as pw_scheme.h: inputs are untrusted, nothing is logged,
 * secrets are wiped, everything is thread-safe.
 */
#ifndef PW_PW_SCHEME_IMPL_H
#define PW_PW_SCHEME_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "hex.h"
#include "pw_scheme.h"

struct sbuf;

/* Characters of crypt(3) salts; Dovecot uses them for PBKDF2 too. */
#define PW_SALT_CHARS                                                         \
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/* pw_random - fill buf from the OS RNG; -1 with err */
int pw_random(void *buf, size_t n, struct sbuf *err);
/* pw_random_salt - n random PW_SALT_CHARS into out, NUL added */
int pw_random_salt(char *out, size_t n, struct sbuf *err);
/* pw_equal - constant-time compare of n bytes as a verify result */
enum pw_result pw_equal(const void *a, const void *b, size_t n);
/* pw_parse_uint - whole decimal string, 1..max; -1 otherwise */
int pw_parse_uint(const char *s, size_t n, unsigned int max,
		  unsigned int *val_r);
/*
 * pw_decode_as - decode stored data the way the scheme s reads it (see
 * pw_scheme.c); raw gets the bytes. Used by {MD5} for its PLAIN-MD5 half.
 */
int pw_decode_as(const char *scheme, const char *data, size_t n,
		 struct sbuf *raw);

/* Declare a family member's generate and verify functions. */
#define PW_GENERATE(name)                                                     \
	int name(const char *password, const char *user, unsigned int rounds, \
		 struct sbuf *out, struct sbuf *err)
#define PW_VERIFY(name)                                                       \
	enum pw_result name(const char *password, const unsigned char *raw,   \
			    size_t raw_len, const char *user)

/* pw_scheme_crypt.c */
PW_GENERATE(pw_sha512_crypt_generate);
PW_GENERATE(pw_sha256_crypt_generate);
PW_GENERATE(pw_blf_crypt_generate);
PW_GENERATE(pw_md5_crypt_generate);
PW_GENERATE(pw_des_crypt_generate);
PW_VERIFY(pw_crypt_verify);
PW_VERIFY(pw_md5_crypt_verify);
PW_VERIFY(pw_md5_verify);

/* pw_scheme_digest.c */
PW_GENERATE(pw_sha1_generate);
PW_GENERATE(pw_sha256_generate);
PW_GENERATE(pw_sha512_generate);
PW_GENERATE(pw_plain_md5_generate);
PW_GENERATE(pw_ldap_md5_generate);
PW_GENERATE(pw_md4_generate);
PW_GENERATE(pw_ssha_generate);
PW_GENERATE(pw_ssha256_generate);
PW_GENERATE(pw_ssha512_generate);
PW_GENERATE(pw_smd5_generate);
PW_GENERATE(pw_cram_md5_generate);
PW_GENERATE(pw_digest_md5_generate);
PW_VERIFY(pw_sha1_verify);
PW_VERIFY(pw_sha256_verify);
PW_VERIFY(pw_sha512_verify);
PW_VERIFY(pw_plain_md5_verify);
PW_VERIFY(pw_md4_verify);
PW_VERIFY(pw_ssha_verify);
PW_VERIFY(pw_ssha256_verify);
PW_VERIFY(pw_ssha512_verify);
PW_VERIFY(pw_smd5_verify);
PW_VERIFY(pw_cram_md5_verify);
PW_VERIFY(pw_digest_md5_verify);
/* pw_md4 - RFC 1320 MD4 (local: OpenSSL 3 has it only in "legacy") */
void pw_md4(const void *p, size_t n, unsigned char out[16]);

/* pw_scheme_kdf.c */
PW_GENERATE(pw_pbkdf2_generate);
PW_GENERATE(pw_scram_sha1_generate);
PW_GENERATE(pw_scram_sha256_generate);
PW_GENERATE(pw_otp_generate);
PW_VERIFY(pw_pbkdf2_verify);
PW_VERIFY(pw_scram_sha1_verify);
PW_VERIFY(pw_scram_sha256_verify);
PW_VERIFY(pw_otp_verify);

/* pw_scheme_argon2.c */
PW_GENERATE(pw_argon2i_generate);
PW_GENERATE(pw_argon2id_generate);
PW_VERIFY(pw_argon2_verify);

#endif
