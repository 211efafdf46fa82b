/* auth_request_test.c - login normalisation and verification */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "auth_request.h"
#include "sbuf.h"

struct fmt_case {
	const char *format, *realm, *login, *want;
};

static const struct fmt_case fmt_cases[] = {
    {"%Lu", "", "Alice@Example.COM", "alice@example.com"},
    {"%u", "", "Alice@Example.COM", "Alice@Example.COM"},
    {"%Ln", "", "Alice@Example.COM", "alice"},
    {"%Ld", "", "Alice@Example.COM", "example.com"},
    {"%n@x.org", "", "bob@y.org", "bob@x.org"},
    {"%Lu", "Example.org", "Bob", "bob@example.org"},
    {"%Lu", "example.org", "bob@other.net", "bob@other.net"},
    {"100%%-%u", "", "a", "100%-a"},
    {"%Ld", "", "nodomain", ""},
    /* non-ASCII bytes pass untouched (%L folds ASCII only) */
    {"%Lu", "", "\xc3\x9cn\xc3\xaf@EX\xc3\xa4mple.com",
     "\xc3\x9cn\xc3\xaf@ex\xc3\xa4mple.com"},
};

Test(auth_request, username_format)
{
	struct sbuf *out = sbuf_new(0), *err = sbuf_new(0);
	size_t i;

	for (i = 0; i < sizeof(fmt_cases) / sizeof(fmt_cases[0]); i++) {
		cr_assert_eq(auth_request_username(
				 fmt_cases[i].format, fmt_cases[i].realm,
				 fmt_cases[i].login, out, err),
			     0, "case %zu: %s", i, sbuf_cstr(err));
		cr_assert_str_eq(sbuf_cstr(out), fmt_cases[i].want, "case %zu",
				 i);
	}
	cr_assert_eq(auth_request_username("%x", "", "a", out, err), -1);
	cr_assert_eq(auth_request_username("%L%", "", "a", out, err), -1);
	cr_assert_eq(auth_request_username("%", "", "a", out, err), -1);
	sbuf_free(&out);
	sbuf_free(&err);
}

Test(auth_request, login_validity)
{
	cr_assert(auth_request_login_is_valid("alice@example.com"));
	cr_assert(auth_request_login_is_valid("o'brien\\%u \"x\"@example.com"));
	cr_assert(auth_request_login_is_valid("\xc3\xbc@example.com"));
	cr_assert_not(auth_request_login_is_valid(""));
	cr_assert_not(auth_request_login_is_valid("a\tb"));
	cr_assert_not(auth_request_login_is_valid("a\001b"));
	cr_assert_not(auth_request_login_is_valid("a\x7f"));
	cr_assert_not(auth_request_login_is_valid("\xc3"));	/* cut */
	cr_assert_not(auth_request_login_is_valid("\xc0\xaf")); /* overlong */
	cr_assert_not(
	    auth_request_login_is_valid("\xed\xa0\x80")); /* surrogate */
	char big[AUTH_REQUEST_MAX_LOGIN + 2];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_assert_not(auth_request_login_is_valid(big));
	big[AUTH_REQUEST_MAX_LOGIN] = '\0';
	cr_assert(auth_request_login_is_valid(big));
}

/* A fake passdb: a few users, one outage, counts lookups. */
static unsigned int lookups;

static enum passdb_result fake_lookup(void *db, const char *login,
				      struct passdb_entry *e, struct sbuf *err)
{
	(void)db;
	lookups++;
	if (strcmp(login, "down@example.com") == 0) {
		sbuf_append_str(err, "backend down");
		return PASSDB_TEMPFAIL;
	}
	if (strcmp(login, "alice@example.com") == 0) {
		sbuf_set(e->password, "{PLAIN}secret");
		return PASSDB_FOUND;
	}
	if (strcmp(login, "bob@example.com") == 0) {
		sbuf_set(e->password, "secret"); /* bare: default scheme */
		sbuf_set(e->user, "Bob@Example.com");
		return PASSDB_FOUND;
	}
	if (strcmp(login, "broken@example.com") == 0) {
		sbuf_set(e->password, "{NO-SUCH-SCHEME}x");
		return PASSDB_FOUND;
	}
	return PASSDB_NOUSER;
}

static const struct auth_verify_ctx ctx = {
    .lookup = fake_lookup,
    .default_scheme = "PLAIN",
    .dummy_hash = "{PLAIN}dummy-never-matches",
};

/* run - one verification */
static struct auth_verify *run(const char *login, const char *pw,
			       const char *authzid)
{
	struct auth_verify *v = auth_verify_new();

	v->kind = AUTH_MECH_PLAIN;
	v->login = strdup(login);
	v->password = strdup(pw);
	v->authzid = authzid != NULL ? strdup(authzid) : NULL;
	auth_request_verify(&ctx, NULL, v);
	return v;
}

Test(auth_request, verify_outcomes)
{
	struct auth_verify *v;

	v = run("alice@example.com", "secret", NULL);
	cr_assert_eq(v->result, AUTH_VERIFY_OK);
	cr_assert_str_eq(sbuf_cstr(v->user), "alice@example.com");
	auth_verify_free(&v);
	cr_assert_null(v);

	v = run("alice@example.com", "wrong", NULL);
	cr_assert_eq(v->result, AUTH_VERIFY_FAIL);
	cr_assert_not(v->unknown_user);
	auth_verify_free(&v);

	v = run("bob@example.com", "secret", NULL); /* passdb's user name */
	cr_assert_eq(v->result, AUTH_VERIFY_OK);
	cr_assert_str_eq(sbuf_cstr(v->user), "Bob@Example.com");
	auth_verify_free(&v);

	/* unknown user: FAIL, and the dummy hash was checked */
	v = run("nobody@example.com", "dummy-never-matches", NULL);
	cr_assert_eq(v->result, AUTH_VERIFY_FAIL);
	cr_assert(v->unknown_user);
	auth_verify_free(&v);

	/* an outage is never OK, never "unknown user" */
	v = run("down@example.com", "x", NULL);
	cr_assert_eq(v->result, AUTH_VERIFY_TEMPFAIL);
	cr_assert_str_eq(sbuf_cstr(v->err), "backend down");
	auth_verify_free(&v);

	/* an entry we cannot check: temporary, as Dovecot */
	v = run("broken@example.com", "x", NULL);
	cr_assert_eq(v->result, AUTH_VERIFY_TEMPFAIL);
	cr_assert_null(strstr(sbuf_cstr(v->err), "x}"));
	auth_verify_free(&v);
}

Test(auth_request, master_target)
{
	struct auth_verify *v;

	lookups = 0;
	v = run("alice@example.com", "secret", "bob@example.com");
	cr_assert_eq(v->result, AUTH_VERIFY_OK);
	cr_assert_str_eq(sbuf_cstr(v->user), "Bob@Example.com");
	cr_assert_eq(lookups, 2);
	auth_verify_free(&v);

	v = run("alice@example.com", "secret", "ghost@example.com");
	cr_assert_eq(v->result, AUTH_VERIFY_FAIL);
	auth_verify_free(&v);

	v = run("alice@example.com", "secret", "down@example.com");
	cr_assert_eq(v->result, AUTH_VERIFY_TEMPFAIL);
	auth_verify_free(&v);

	/* a wrong master password never looks at the target */
	lookups = 0;
	v = run("alice@example.com", "wrong", "bob@example.com");
	cr_assert_eq(v->result, AUTH_VERIFY_FAIL);
	cr_assert_eq(lookups, 1);
	auth_verify_free(&v);
}

Test(auth_request, cram_md5)
{
	struct auth_verify *v = auth_verify_new();

	/* RFC 2195 example against a {PLAIN} entry */
	v->kind = AUTH_MECH_CRAM_MD5;
	v->login = strdup("alice@example.com");
	v->cram_challenge =
	    strdup("<1896.697170952@postoffice.reston.mci.net>");
	v->cram_response = strdup("b913a602c7eda7a495b4e6e7334d3890");
	auth_request_verify(&ctx, NULL, v);
	cr_assert_eq(v->result, AUTH_VERIFY_FAIL); /* password is "secret" */
	auth_verify_free(&v);
}

Test(auth_request, scheme_is_cheap)
{
	cr_assert(auth_request_scheme_is_cheap("{PLAIN}x", NULL));
	cr_assert(auth_request_scheme_is_cheap("{clear}x", "SHA512-CRYPT"));
	cr_assert(auth_request_scheme_is_cheap("{SSHA512}abc", NULL));
	cr_assert(auth_request_scheme_is_cheap("{SHA256.HEX}ab", NULL));
	cr_assert(auth_request_scheme_is_cheap("secret", "PLAIN-MD5"));
	cr_assert_not(auth_request_scheme_is_cheap("{SHA512-CRYPT}$6$x", NULL));
	cr_assert_not(auth_request_scheme_is_cheap("{MD5-CRYPT}$1$x", NULL));
	cr_assert_not(auth_request_scheme_is_cheap("{PBKDF2}x", "PLAIN"));
	cr_assert_not(auth_request_scheme_is_cheap("{ARGON2ID}x", NULL));
	cr_assert_not(auth_request_scheme_is_cheap("{NO-SUCH}x", NULL));
	cr_assert_not(auth_request_scheme_is_cheap("$6$x", "CRYPT"));
	cr_assert_not(auth_request_scheme_is_cheap("$6$x", NULL));
	cr_assert_not(auth_request_scheme_is_cheap("{PLAIN", NULL));
	cr_assert_not(auth_request_scheme_is_cheap("{PLAINX}x", NULL));
}

/* never_update - a rehash update that must not run in these tests */
static int never_update(void *db, const char *query, const char *login,
			const char *stored, struct sbuf *err)
{
	(void)db;
	(void)query;
	(void)login;
	(void)stored;
	(void)err;
	cr_assert_fail("rehash update called");
	return -1;
}

/* run_inline - auth_request_verify_inline with a dummy hash */
static bool run_inline(const char *dummy, const char *login, const char *pw,
		       struct auth_verify **vp)
{
	struct auth_verify_ctx c = ctx;
	struct auth_verify *v = auth_verify_new();
	int db;

	c.dummy_hash = dummy;
	v->kind = AUTH_MECH_PLAIN;
	v->login = strdup(login);
	v->password = strdup(pw);
	*vp = v;
	return auth_request_verify_inline(&c, &db, v);
}

Test(auth_request, verify_inline)
{
	const char *strong = "{SHA512-CRYPT}$6$x";
	struct auth_verify *v;
	struct auth_verify_ctx c = ctx;
	int db;

	/* a cheap entry: the whole check, same outcomes */
	cr_assert(run_inline(strong, "alice@example.com", "secret", &v));
	cr_assert_eq(v->result, AUTH_VERIFY_OK);
	cr_assert_str_eq(sbuf_cstr(v->user), "alice@example.com");
	auth_verify_free(&v);
	cr_assert(run_inline(strong, "bob@example.com", "wrong", &v));
	cr_assert_eq(v->result, AUTH_VERIFY_FAIL);
	cr_assert_not(v->unknown_user);
	auth_verify_free(&v);
	cr_assert(run_inline(strong, "down@example.com", "x", &v));
	cr_assert_eq(v->result, AUTH_VERIFY_TEMPFAIL);
	auth_verify_free(&v);

	/* unknown user: only when the dummy is cheap too, so an unknown
	 * login still costs what a default-scheme user costs */
	cr_assert_not(run_inline(strong, "nobody@example.com", "x", &v));
	cr_assert_eq(v->result, AUTH_VERIFY_FAIL);
	cr_assert(sbuf_is_empty(v->err));
	auth_verify_free(&v);
	cr_assert(run_inline("{PLAIN}d", "nobody@example.com", "x", &v));
	cr_assert_eq(v->result, AUTH_VERIFY_FAIL);
	cr_assert(v->unknown_user);
	auth_verify_free(&v);

	/* an expensive or unknown scheme goes to a worker */
	cr_assert_not(run_inline(strong, "broken@example.com", "x", &v));
	auth_verify_free(&v);

	/* no loop db, or rehash-on-login on: never inline */
	v = auth_verify_new();
	v->kind = AUTH_MECH_PLAIN;
	v->login = strdup("alice@example.com");
	v->password = strdup("secret");
	cr_assert_not(auth_request_verify_inline(&ctx, NULL, v));
	c.rehash.update = never_update;
	cr_assert_not(auth_request_verify_inline(&c, &db, v));
	auth_verify_free(&v);
}
