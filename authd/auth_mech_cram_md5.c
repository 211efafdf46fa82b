/*
 * auth_mech_cram_md5.c - CRAM-MD5 (RFC 2195) as Dovecot's
 * mech-cram-md5.c: the server challenges first, the client answers
 * "user SP hex(HMAC-MD5(password, challenge))".
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth_mech.h"
#include "base64.h"
#include "hex.h"
#include "pw_scheme.h"
#include "sbuf.h"
#include "xalloc.h"

#define CRAM_MD5_HEX_LEN 32
#define CRAM_RANDOM_MOD 10000000000000000ULL /* 16 decimal digits */

/* auth_mech_cram_md5_challenge - "<digits.time@host>" (Dovecot's form) */
int auth_mech_cram_md5_challenge(const struct auth_mech_env *env,
				 struct sbuf *out)
{
	const char *host = env->hostname != NULL && *env->hostname != '\0'
			       ? env->hostname
			       : "localhost";

	return sbuf_printf(out, "<%016llu.%lld@%s>",
			   env->random % CRAM_RANDOM_MOD, (long long)env->now,
			   host);
}

/* is_lower_hex - n lower-case hex digits? */
static bool is_lower_hex(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		      (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	return true;
}

/* auth_mech_cram_md5_step - challenge, then "user SP digest" */
enum auth_mech_status
auth_mech_cram_md5_step(struct auth_mech_creds *cr, unsigned int *stage,
			bool has_data, const unsigned char *data, size_t n,
			struct sbuf *challenge_r)
{
	size_t sp;

	if (*stage == 0) {
		/* The initial response, if any, is ignored (Dovecot). */
		*stage = 1;
		sbuf_append_str(challenge_r, cr->cram_challenge);
		return AUTH_MECH_CHALLENGE;
	}
	if (*stage != 1 || !has_data || memchr(data, '\0', n) != NULL)
		return AUTH_MECH_FAILED;
	*stage = 2;
	/* Split at the rightmost space: user names may hold spaces. */
	for (sp = n; sp > 0 && data[sp - 1] != ' '; sp--)
		;
	/* sp: index after the space; the user name is data[0..sp-1) */
	if (sp < 2 || n - sp != CRAM_MD5_HEX_LEN)
		return AUTH_MECH_FAILED;
	/* Clients write lower-case hex (RFC 2195); accept upper too. */
	cr->cram_response = xstrndup((const char *)data + sp, CRAM_MD5_HEX_LEN);
	for (size_t i = 0; i < CRAM_MD5_HEX_LEN; i++)
		if (cr->cram_response[i] >= 'A' && cr->cram_response[i] <= 'F')
			cr->cram_response[i] += 'a' - 'A';
	if (!is_lower_hex((const unsigned char *)cr->cram_response,
			  CRAM_MD5_HEX_LEN))
		return AUTH_MECH_FAILED;
	cr->authcid = xstrndup((const char *)data, sp - 1);
	return AUTH_MECH_DONE;
}

/*
 * cram_mac - HMAC-MD5(key, challenge) from a stored value: the key is
 * the plaintext of {PLAIN}/{CLEAR}, or the precomputed inner and outer
 * MD5 states of {CRAM-MD5}/{HMAC-MD5} (dovecot-passwords.md 2). -1 for
 * any other scheme or a bad encoding (this user cannot do CRAM-MD5).
 */
static int cram_mac(const char *stored, const char *default_scheme,
		    const char *challenge, unsigned char mac[16])
{
	struct sbuf *raw = sbuf_new(64);
	const struct pw_scheme *s = NULL;
	unsigned int len = 0;
	int rc = -1;

	if (pw_scheme_decode(stored, default_scheme, &s, raw, NULL) != PW_MATCH)
		goto out;
	if (strcmp(s->name, "CRAM-MD5") == 0 ||
	    strcmp(s->name, "HMAC-MD5") == 0) {
		rc = pw_scheme_cram_md5_hmac(sbuf_data(raw), sbuf_len(raw),
					     challenge, strlen(challenge), mac);
	} else if (strcmp(s->name, "PLAIN") == 0 ||
		   strcmp(s->name, "CLEAR") == 0 ||
		   strcmp(s->name, "CLEARTEXT") == 0) {
		if (HMAC(EVP_md5(), sbuf_data(raw), (int)sbuf_len(raw),
			 (const unsigned char *)challenge, strlen(challenge),
			 mac, &len) != NULL &&
		    len == 16)
			rc = 0;
	}
out:
	sbuf_free_secret(&raw);
	return rc;
}

/* auth_mech_cram_md5_verify - HMAC-MD5 of the challenge, constant time */
enum pw_result auth_mech_cram_md5_verify(const char *challenge,
					 const char *response_hex,
					 const char *stored,
					 const char *default_scheme)
{
	struct sbuf *mac_hex = sbuf_new(2 * EVP_MAX_MD_SIZE);
	unsigned char mac[16];
	enum pw_result res = PW_UNKNOWN_SCHEME;

	if (cram_mac(stored, default_scheme, challenge, mac) < 0)
		goto out;
	res = PW_MISMATCH;
	if (strlen(response_hex) != CRAM_MD5_HEX_LEN)
		goto out;
	hex_encode(mac, sizeof(mac), mac_hex);
	if (CRYPTO_memcmp(sbuf_data(mac_hex), response_hex,
			  CRAM_MD5_HEX_LEN) == 0)
		res = PW_MATCH;
out:
	wipe_bytes(mac, sizeof(mac));
	sbuf_free_secret(&mac_hex);
	return res;
}
