/*
 * auth_mech_cram_md5_test.c - CRAM-MD5 against stored {CRAM-MD5} and
 * {HMAC-MD5} values (Dovecot's precomputed HMAC-MD5 states)
 */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "auth_mech.h"
#include "hex.h"
#include "pw_scheme.h"
#include "sbuf.h"

/* RFC 2195 section 2 */
static const char rfc_chal[] = "<1896.697170952@postoffice.reston.mci.net>";
static const char rfc_digest[] = "b913a602c7eda7a495b4e6e7334d3890";

/* the same challenge, password "secret": HMAC-MD5 from an independent
 * implementation */
static const char secret_digest[] = "733ba87e64ed7e441f062c4ac6db0103";
/* doveadm pw -s CRAM-MD5 -p secret (doveadm-pw-vectors.tsv) */
static const char secret_cram[] = "cd3ba7deaad6e5ca23448ba42e379747"
				  "a9e0f7f1fbc00c8a81bbaac395731b56";

Test(cram_md5, hmac_from_stored_states_rfc2195)
{
	struct sbuf *stored = sbuf_new(0), *err = sbuf_new(0);

	/* {CRAM-MD5} of the RFC's password, made by our generator */
	cr_assert_eq(pw_scheme_generate_any("CRAM-MD5", "tanstaaftanstaaf",
					    NULL, 0, stored, err),
		     0, "%s", sbuf_cstr(err));
	cr_assert_eq(auth_mech_cram_md5_verify(rfc_chal, rfc_digest,
					       sbuf_cstr(stored), NULL),
		     PW_MATCH);
	cr_assert_eq(auth_mech_cram_md5_verify(
			 rfc_chal, "b913a602c7eda7a495b4e6e7334d3891",
			 sbuf_cstr(stored), NULL),
		     PW_MISMATCH);
	sbuf_free(&stored);
	sbuf_free(&err);
}

Test(cram_md5, hmac_from_doveadm_vector)
{
	unsigned char mac[16];
	struct sbuf *raw = sbuf_new(0), *hex = sbuf_new(0);

	cr_assert_eq(hex_decode(secret_cram, strlen(secret_cram), raw), 0);
	cr_assert_eq(pw_scheme_cram_md5_hmac(sbuf_data(raw), sbuf_len(raw),
					     rfc_chal, strlen(rfc_chal), mac),
		     0);
	hex_encode(mac, sizeof(mac), hex);
	cr_assert_str_eq(sbuf_cstr(hex), secret_digest);
	/* a context of the wrong size is refused */
	cr_assert_eq(pw_scheme_cram_md5_hmac(sbuf_data(raw), 31, rfc_chal,
					     strlen(rfc_chal), mac),
		     -1);
	sbuf_free(&raw);
	sbuf_free(&hex);
}

Test(cram_md5, stored_forms)
{
	static const char *const ok[] = {
	    "{CRAM-MD5}cd3ba7deaad6e5ca23448ba42e379747"
	    "a9e0f7f1fbc00c8a81bbaac395731b56",
	    "{HMAC-MD5}cd3ba7deaad6e5ca23448ba42e379747"
	    "a9e0f7f1fbc00c8a81bbaac395731b56",
	    "{cram-md5.HEX}CD3BA7DEAAD6E5CA23448BA42E379747"
	    "A9E0F7F1FBC00C8A81BBAAC395731B56",
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		cr_assert_eq(auth_mech_cram_md5_verify(rfc_chal, secret_digest,
						       ok[i], NULL),
			     PW_MATCH, "case %zu", i);
	/* a bare value read with default_pass_scheme = CRAM-MD5 */
	cr_assert_eq(auth_mech_cram_md5_verify(rfc_chal, secret_digest,
					       secret_cram, "CRAM-MD5"),
		     PW_MATCH);
	/* a hash CRAM-MD5 cannot use stays "cannot do it" */
	cr_assert_eq(auth_mech_cram_md5_verify(
			 rfc_chal, secret_digest,
			 "{PLAIN-MD5}5ebe2294ecd0e0f08eab7690d2a6ee69", NULL),
		     PW_UNKNOWN_SCHEME);
	/* the wrong length of state data is never a match */
	cr_assert_neq(auth_mech_cram_md5_verify(rfc_chal, secret_digest,
						"{CRAM-MD5}cd3ba7de", NULL),
		      PW_MATCH);
}

/* through the mechanism: challenge, answer, verification */
Test(cram_md5, mechanism_with_stored_cram)
{
	static const struct auth_mech_env env = {"vm", 1795294420,
						 1008986586029123ULL};
	struct auth_mech_state *s =
	    auth_mech_begin(auth_mech_find("CRAM-MD5"), &env);
	struct sbuf *ch = sbuf_new(0), *stored = sbuf_new(0),
		    *err = sbuf_new(0), *answer = sbuf_new(0),
		    *hex = sbuf_new(0);
	const struct auth_mech_creds *cr;
	unsigned char mac[16];

	cr_assert_eq(auth_mech_step(s, false, NULL, 0, ch),
		     AUTH_MECH_CHALLENGE);
	/* the client: HMAC-MD5(password, challenge), as RFC 2195 says */
	cr_assert_eq(pw_scheme_generate_any("CRAM-MD5", "pässwörd", NULL, 0,
					    stored, err),
		     0);
	cr_assert_eq(hex_decode(sbuf_cstr(stored) + 10,
				sbuf_len(stored) - 10, hex),
		     0);
	cr_assert_eq(pw_scheme_cram_md5_hmac(sbuf_data(hex), sbuf_len(hex),
					     sbuf_data(ch), sbuf_len(ch), mac),
		     0);
	sbuf_append_str(answer, "bob@example.com ");
	hex_encode(mac, sizeof(mac), answer);
	cr_assert_eq(auth_mech_step(s, true, sbuf_data(answer),
				    sbuf_len(answer), ch),
		     AUTH_MECH_DONE);
	cr = auth_mech_creds(s);
	cr_assert_str_eq(cr->authcid, "bob@example.com");
	/* the doveadm vector for the same password */
	cr_assert_eq(auth_mech_cram_md5_verify(
			 cr->cram_challenge, cr->cram_response,
			 "{HMAC-MD5}4a60bd37924fc5d45b4c92ce695bac86"
			 "cb234bc3028aab2a71a225cb0dedfbb9",
			 NULL),
		     PW_MATCH);
	cr_assert_eq(auth_mech_cram_md5_verify(cr->cram_challenge,
					       cr->cram_response,
					       "{PLAIN}pässwörd", NULL),
		     PW_MATCH);
	cr_assert_eq(auth_mech_cram_md5_verify(cr->cram_challenge,
					       cr->cram_response,
					       sbuf_cstr(stored) + 10, NULL),
		     PW_UNKNOWN_SCHEME);
	cr_assert_eq(auth_mech_cram_md5_verify(
			 cr->cram_challenge, cr->cram_response,
			 "{CRAM-MD5}" "cd3ba7deaad6e5ca23448ba42e379747"
			 "a9e0f7f1fbc00c8a81bbaac395731b56",
			 NULL),
		     PW_MISMATCH);
	auth_mech_free(&s);
	sbuf_free(&ch);
	sbuf_free(&stored);
	sbuf_free(&err);
	sbuf_free(&answer);
	sbuf_free(&hex);
}
