/* auth_mech_test.c - PLAIN, LOGIN and CRAM-MD5 state machines */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "auth_mech.h"
#include "auth_proto.h"
#include "sbuf.h"

static const struct auth_mech_env env = {"vm", 1795294420, 1008986586029123ULL};

Test(auth_mech, table_and_flags)
{
	cr_assert_eq(auth_mech_find("plain")->kind, AUTH_MECH_PLAIN);
	cr_assert_eq(auth_mech_find("Login")->kind, AUTH_MECH_LOGIN);
	cr_assert_eq(auth_mech_find("CRAM-MD5")->kind, AUTH_MECH_CRAM_MD5);
	cr_assert_null(auth_mech_find("DIGEST-MD5"));
	cr_assert_null(auth_mech_find(""));
	/* dovecot-auth.md section 3: what Postfix filters on */
	cr_assert_eq(auth_mech_find("PLAIN")->flags, AUTH_MECH_FLAG_PLAINTEXT);
	cr_assert_eq(auth_mech_find("LOGIN")->flags, AUTH_MECH_FLAG_PLAINTEXT);
	cr_assert_eq(auth_mech_find("CRAM-MD5")->flags,
		     AUTH_MECH_FLAG_DICTIONARY | AUTH_MECH_FLAG_ACTIVE);
}

struct plain_case {
	const char *data;
	size_t len;
	enum auth_mech_status st;
	const char *authcid, *authzid, *password;
};

static const struct plain_case plain_cases[] = {
    {"\0alice@example.com\0secret", 25, AUTH_MECH_DONE, "alice@example.com",
     NULL, "secret"},
    {"alice\0alice\0pw", 14, AUTH_MECH_DONE, "alice", NULL, "pw"},
    {"admin\0alice\0pw", 14, AUTH_MECH_DONE, "alice", "admin", "pw"},
    {"\0alice\0", 7, AUTH_MECH_DONE, "alice", NULL, ""},
    {"\0alice\0pw\0", 10, AUTH_MECH_FAILED, NULL, NULL, NULL},
    {"\0alice", 6, AUTH_MECH_FAILED, NULL, NULL, NULL},
    {"alice", 5, AUTH_MECH_FAILED, NULL, NULL, NULL},
    {"\0\0pw", 4, AUTH_MECH_FAILED, NULL, NULL, NULL},
    {"", 0, AUTH_MECH_FAILED, NULL, NULL, NULL},
};

Test(auth_mech, plain_table)
{
	struct sbuf *ch = sbuf_new(0);
	size_t i;

	for (i = 0; i < sizeof(plain_cases) / sizeof(plain_cases[0]); i++) {
		const struct plain_case *pc = &plain_cases[i];
		struct auth_mech_state *s =
		    auth_mech_begin(auth_mech_find("PLAIN"), &env);
		const struct auth_mech_creds *cr;

		cr_assert_eq(auth_mech_step(s, true,
					    (const unsigned char *)pc->data,
					    pc->len, ch),
			     pc->st, "case %zu", i);
		cr = auth_mech_creds(s);
		if (pc->st == AUTH_MECH_DONE) {
			cr_assert_str_eq(cr->authcid, pc->authcid);
			cr_assert_str_eq(cr->password, pc->password);
			if (pc->authzid == NULL)
				cr_assert_null(cr->authzid, "case %zu", i);
			else
				cr_assert_str_eq(cr->authzid, pc->authzid);
		}
		/* nothing more after the end */
		cr_assert_eq(
		    auth_mech_step(s, true, (const unsigned char *)"x", 1, ch),
		    AUTH_MECH_FAILED);
		auth_mech_free(&s);
		cr_assert_null(s);
	}
	sbuf_free(&ch);
}

Test(auth_mech, plain_without_initial_response)
{
	struct sbuf *ch = sbuf_new(0);
	struct auth_mech_state *s =
	    auth_mech_begin(auth_mech_find("PLAIN"), &env);

	cr_assert_eq(auth_mech_step(s, false, NULL, 0, ch),
		     AUTH_MECH_CHALLENGE);
	cr_assert_eq(sbuf_len(ch), 0); /* "CONT id " with nothing */
	cr_assert_eq(
	    auth_mech_step(s, true, (const unsigned char *)"\0u\0p", 4, ch),
	    AUTH_MECH_DONE);
	cr_assert_str_eq(auth_mech_creds(s)->authcid, "u");
	auth_mech_free(&s);
	sbuf_free(&ch);
}

Test(auth_mech, login_round_trips)
{
	struct sbuf *ch = sbuf_new(0);
	struct auth_mech_state *s =
	    auth_mech_begin(auth_mech_find("LOGIN"), &env);

	cr_assert_eq(auth_mech_step(s, false, NULL, 0, ch),
		     AUTH_MECH_CHALLENGE);
	cr_assert_str_eq(sbuf_cstr(ch), "Username:");
	cr_assert_eq(auth_mech_step(s, true,
				    (const unsigned char *)"alice@example.com",
				    17, ch),
		     AUTH_MECH_CHALLENGE);
	cr_assert_str_eq(sbuf_cstr(ch), "Password:");
	cr_assert_eq(
	    auth_mech_step(s, true, (const unsigned char *)"secret", 6, ch),
	    AUTH_MECH_DONE);
	cr_assert_str_eq(auth_mech_creds(s)->authcid, "alice@example.com");
	cr_assert_str_eq(auth_mech_creds(s)->password, "secret");
	cr_assert_null(auth_mech_creds(s)->authzid);
	auth_mech_free(&s);

	/* an initial response is the user name; empty means none */
	s = auth_mech_begin(auth_mech_find("LOGIN"), &env);
	cr_assert_eq(
	    auth_mech_step(s, true, (const unsigned char *)"bob", 3, ch),
	    AUTH_MECH_CHALLENGE);
	cr_assert_str_eq(sbuf_cstr(ch), "Password:");
	auth_mech_free(&s);
	s = auth_mech_begin(auth_mech_find("LOGIN"), &env);
	cr_assert_eq(auth_mech_step(s, true, (const unsigned char *)"", 0, ch),
		     AUTH_MECH_CHALLENGE);
	cr_assert_str_eq(sbuf_cstr(ch), "Username:");
	/* empty user name and NUL bytes fail */
	cr_assert_eq(auth_mech_step(s, true, (const unsigned char *)"", 0, ch),
		     AUTH_MECH_FAILED);
	auth_mech_free(&s);
	s = auth_mech_begin(auth_mech_find("LOGIN"), &env);
	cr_assert_eq(
	    auth_mech_step(s, true, (const unsigned char *)"a\0b", 3, ch),
	    AUTH_MECH_FAILED);
	auth_mech_free(&s);
	s = auth_mech_begin(auth_mech_find("LOGIN"), &env);
	auth_mech_step(s, true, (const unsigned char *)"a", 1, ch);
	cr_assert_eq(
	    auth_mech_step(s, true, (const unsigned char *)"p\0w", 3, ch),
	    AUTH_MECH_FAILED);
	auth_mech_free(&s);
	sbuf_free(&ch);
}

/* The transcript of dovecot-auth.md section 7 */
Test(auth_mech, cram_md5_dovecot_transcript)
{
	static const char answer[] =
	    "bob@example.com b927e3cce6426db6872957f421f78bd0";
	struct sbuf *ch = sbuf_new(0), *b64 = sbuf_new(0);
	struct auth_mech_state *s =
	    auth_mech_begin(auth_mech_find("CRAM-MD5"), &env);
	const struct auth_mech_creds *cr;

	cr_assert_eq(
	    auth_mech_step(s, true, (const unsigned char *)"ignored", 7, ch),
	    AUTH_MECH_CHALLENGE);
	cr_assert_str_eq(sbuf_cstr(ch), "<1008986586029123.1795294420@vm>");
	auth_proto_cont(b64, 4, sbuf_data(ch), sbuf_len(ch));
	cr_assert_str_eq(
	    sbuf_cstr(b64),
	    "CONT\t4\tPDEwMDg5ODY1ODYwMjkxMjMuMTc5NTI5NDQyMEB2bT4=\n");
	cr_assert_eq(auth_mech_step(s, true, (const unsigned char *)answer,
				    strlen(answer), ch),
		     AUTH_MECH_DONE);
	cr = auth_mech_creds(s);
	cr_assert_str_eq(cr->authcid, "bob@example.com");
	/* the transcript's password is not given; check the mechanics with
	 * a known one below and that a wrong one mismatches here */
	cr_assert_eq(auth_mech_cram_md5_verify(cr->cram_challenge,
					       cr->cram_response, "{PLAIN}x",
					       NULL),
		     PW_MISMATCH);
	cr_assert_eq(auth_mech_cram_md5_verify(cr->cram_challenge,
					       cr->cram_response,
					       "$6$salt$hash", "SHA512-CRYPT"),
		     PW_UNKNOWN_SCHEME);
	auth_mech_free(&s);
	sbuf_free(&ch);
	sbuf_free(&b64);
}

/* RFC 2195 section 2 example: tim / tanstaaftanstaaf */
Test(auth_mech, cram_md5_rfc2195)
{
	static const char *const chal =
	    "<1896.697170952@postoffice.reston.mci.net>";
	static const char *const digest = "b913a602c7eda7a495b4e6e7334d3890";

	cr_assert_eq(auth_mech_cram_md5_verify(chal, digest,
					       "{PLAIN}tanstaaftanstaaf", NULL),
		     PW_MATCH);
	cr_assert_eq(
	    auth_mech_cram_md5_verify(
		chal, digest, "{CLEAR.b64}dGFuc3RhYWZ0YW5zdGFhZg==", NULL),
	    PW_MATCH);
	cr_assert_eq(auth_mech_cram_md5_verify(chal, digest,
					       "{plain.hex}74616e7374616166"
					       "74616e7374616166",
					       NULL),
		     PW_MATCH);
	cr_assert_eq(auth_mech_cram_md5_verify(chal, digest, "tanstaaftanstaaf",
					       "PLAIN"),
		     PW_MATCH);
	cr_assert_eq(
	    auth_mech_cram_md5_verify(chal, digest, "tanstaaftanstaaf", NULL),
	    PW_UNKNOWN_SCHEME);
	cr_assert_eq(auth_mech_cram_md5_verify(
			 chal, digest, "{PLAIN}tanstaaftanstaafX", NULL),
		     PW_MISMATCH);
	cr_assert_eq(auth_mech_cram_md5_verify(chal, "b913", "{PLAIN}x", NULL),
		     PW_MISMATCH);
}

Test(auth_mech, cram_md5_bad_answers)
{
	static const char *const bad[] = {
	    "",
	    "nospace",
	    " b927e3cce6426db6872957f421f78bd0", /* empty user */
	    "bob b927e3cce6426db6872957f421f78bd",
	    "bob b927e3cce6426db6872957f421f78bd00",
	    "bob g927e3cce6426db6872957f421f78bd0",
	};
	struct sbuf *ch = sbuf_new(0);
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct auth_mech_state *s =
		    auth_mech_begin(auth_mech_find("CRAM-MD5"), &env);

		auth_mech_step(s, false, NULL, 0, ch);
		cr_assert_eq(auth_mech_step(s, true,
					    (const unsigned char *)bad[i],
					    strlen(bad[i]), ch),
			     AUTH_MECH_FAILED, "case %zu", i);
		auth_mech_free(&s);
	}
	/* a user name with a space: split at the rightmost one; upper-case
	 * hex is folded */
	struct auth_mech_state *s =
	    auth_mech_begin(auth_mech_find("CRAM-MD5"), &env);
	static const char ok[] = "a b B927E3CCE6426DB6872957F421F78BD0";

	auth_mech_step(s, false, NULL, 0, ch);
	cr_assert_eq(
	    auth_mech_step(s, true, (const unsigned char *)ok, strlen(ok), ch),
	    AUTH_MECH_DONE);
	cr_assert_str_eq(auth_mech_creds(s)->authcid, "a b");
	cr_assert_str_eq(auth_mech_creds(s)->cram_response,
			 "b927e3cce6426db6872957f421f78bd0");
	auth_mech_free(&s);
	sbuf_free(&ch);
}
