/*
 * pw_scheme_argon2.c - {ARGON2I} and {ARGON2ID} (Dovecot 2.3, which uses
 * libsodium): PHC strings "$argon2id$v=19$m=65536,t=3,p=1$salt$hash".
 * libargon2 reads and writes the same strings. The costs in a stored
 * string are checked against our limits before libargon2 allocates
 * m KiB; the "$argon2i$"/"$argon2id$" inside decides the variant, as
 * libsodium's crypto_pwhash_str_verify does for Dovecot.
 */
#include "config.h"

#include <argon2.h>
#include <stdlib.h>
#include <string.h>

#include "pw_scheme_impl.h"
#include "sbuf.h"
#include "xalloc.h"

#define PW_ARGON2_SALT 16 /* libsodium crypto_pwhash_SALTBYTES */
#define PW_ARGON2_HASH 32 /* libsodium crypto_pwhash_STRHASHBYTES */

/* pw_argon2_generate - libsodium's string with Dovecot's default costs */
static int pw_argon2_generate(argon2_type type, uint32_t t, uint32_t t_min,
			      uint32_t m, const char *password,
			      unsigned int rounds, struct sbuf *out,
			      struct sbuf *err)
{
	unsigned char salt[PW_ARGON2_SALT];
	size_t len;
	char *enc;
	int r;

	/* rounds sets passes only: memory stays at Dovecot's default */
	if (rounds != 0)
		t = rounds;
	if (t < t_min || t > PW_SCHEME_MAX_ARGON2_TIME ||
	    (uint64_t)t * m > PW_SCHEME_MAX_ARGON2_WORK) {
		sbuf_printf(err, "Argon2 passes must be %u to %u", t_min,
			    PW_SCHEME_MAX_ARGON2_WORK / m);
		return -1;
	}
	if (pw_random(salt, sizeof(salt), err) < 0)
		return -1;
	len = argon2_encodedlen(t, m, 1, sizeof(salt), PW_ARGON2_HASH, type);
	enc = xmalloc(len);
	r = argon2_hash(t, m, 1, password, strlen(password), salt,
			sizeof(salt), NULL, PW_ARGON2_HASH, enc, len, type,
			ARGON2_VERSION_13);
	if (r != ARGON2_OK)
		sbuf_printf(err, "argon2: %s", argon2_error_message(r));
	else
		sbuf_append_str(out, enc);
	wipe_bytes(enc, len);
	free(enc);
	return r == ARGON2_OK ? 0 : -1;
}

/* pw_argon2i_generate - {ARGON2I}: m=32768 (KiB), t=4, p=1 */
int pw_argon2i_generate(const char *password, const char *user,
			unsigned int rounds, struct sbuf *out,
			struct sbuf *err)
{
	/* libsodium refuses argon2i with fewer than 3 passes */
	return pw_argon2_generate(Argon2_i, 4, 3, 32768, password, rounds,
				  out, err);
}

/* pw_argon2id_generate - {ARGON2ID}: m=65536 (KiB), t=3, p=1 */
int pw_argon2id_generate(const char *password, const char *user,
			 unsigned int rounds, struct sbuf *out,
			 struct sbuf *err)
{
	return pw_argon2_generate(Argon2_id, 3, 1, 65536, password, rounds,
				  out, err);
}

/*
 * pw_argon2_param - "<key>=<n>" at *pp, ending at one of the stop
 * characters; advances *pp past it
 */
static int pw_argon2_param(const char **pp, char key, const char *stops,
			   unsigned int max, unsigned int *val_r)
{
	const char *p = *pp;
	size_t n;

	if (p[0] != key || p[1] != '=')
		return -1;
	p += 2;
	n = strcspn(p, stops);
	if (p[n] == '\0' || pw_parse_uint(p, n, max, val_r) < 0)
		return -1;
	*pp = p + n + 1;
	return 0;
}

/*
 * pw_argon2_verify - both schemes: read the variant and the costs, refuse
 * costs over the limits, then let libargon2 recompute and compare (it
 * compares in constant time)
 */
enum pw_result pw_argon2_verify(const char *password, const unsigned char *raw,
				size_t raw_len, const char *user)
{
	const char *p = (const char *)raw;
	unsigned int v, m, t, lanes;
	argon2_type type;
	int r;

	if (strlen(p) != raw_len)
		return PW_INVALID;
	if (strncmp(p, "$argon2i$", 9) == 0) {
		type = Argon2_i;
		p += 9;
	} else if (strncmp(p, "$argon2id$", 10) == 0) {
		type = Argon2_id;
		p += 10;
	} else {
		return PW_INVALID;
	}
	if (p[0] == 'v' && pw_argon2_param(&p, 'v', "$", 0xff, &v) < 0)
		return PW_INVALID;
	if (pw_argon2_param(&p, 'm', ",", PW_SCHEME_MAX_ARGON2_MEMORY, &m) <
		    0 ||
	    pw_argon2_param(&p, 't', ",", PW_SCHEME_MAX_ARGON2_TIME, &t) < 0 ||
	    pw_argon2_param(&p, 'p', "$", PW_SCHEME_MAX_ARGON2_LANES,
			    &lanes) < 0 ||
	    (unsigned long)t * m > PW_SCHEME_MAX_ARGON2_WORK)
		return PW_INVALID;
	r = argon2_verify((const char *)raw, password, strlen(password), type);
	if (r == ARGON2_OK)
		return PW_MATCH;
	return r == ARGON2_VERIFY_MISMATCH ? PW_MISMATCH : PW_INVALID;
}
