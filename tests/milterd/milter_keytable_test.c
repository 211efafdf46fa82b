/* milter_keytable_test.c - OpenDKIM KeyTable and SigningTable files */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "milter_keytable.h"
#include "sbuf.h"

/* st - parse a SigningTable */
static struct milter_signtable *st(const char *text, bool refile)
{
	struct milter_signtable *t = NULL;
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(milter_signtable_parse(text, strlen(text), refile, &t,
					    err),
		     0, "%s", sbuf_cstr(err));
	sbuf_free(&err);
	return t;
}

/* keys - the keynames found for addr, joined with "," */
static char *keys(const struct milter_signtable *t, const char *addr,
		  bool multiple)
{
	size_t idx[MILTER_KEYTABLE_MAX_MATCHES];
	size_t n = milter_signtable_lookup(t, addr, multiple, idx,
					   MILTER_KEYTABLE_MAX_MATCHES);
	struct sbuf *b = sbuf_new(0);
	char *s;

	for (size_t i = 0; i < n; i++)
		sbuf_printf(b, "%s%s", i ? "," : "",
			    milter_signtable_at(t, idx[i])->keyname);
	s = sbuf_steal(b);
	sbuf_free(&b);
	return s;
}

#define CHECK_KEYS(t, addr, multiple, want)                                   \
	do {                                                                  \
		char *got_ = keys((t), (addr), (multiple));                   \
		cr_assert_str_eq(got_, (want), "%s", (addr));                 \
		free(got_);                                                   \
	} while (0)

Test(milter_keytable, keytable_parse)
{
	static const char text[] =
	    "# comment\n"
	    "\n"
	    "rsa  example.com:sel1:/etc/keys/rsa.private\n"
	    "  ed\texample.com:sel2:./ed.key   \r\n"
	    "any %:s:fL+5V9EquCZAovKik3pA6Lk9zwCzoEtjIuIqK9ZXHHA=";
	struct milter_keytable *kt = NULL;
	struct sbuf *err = sbuf_new(0);
	const struct milter_keytable_key *k;

	cr_assert_eq(milter_keytable_parse(text, strlen(text), &kt, err), 0,
		     "%s", sbuf_cstr(err));
	cr_assert_eq(milter_keytable_count(kt), 3);
	k = milter_keytable_at(kt, 0);
	cr_assert_str_eq(k->name, "rsa");
	cr_assert_str_eq(k->domain, "example.com");
	cr_assert_str_eq(k->selector, "sel1");
	cr_assert_str_eq(k->key, "/etc/keys/rsa.private");
	cr_assert(k->is_path);
	cr_assert_eq(k->line, 3);
	k = milter_keytable_at(kt, 1);
	cr_assert_str_eq(k->name, "ed");
	cr_assert_str_eq(k->key, "./ed.key");
	cr_assert(k->is_path);
	k = milter_keytable_at(kt, 2);
	cr_assert_str_eq(k->domain, "%");
	cr_assert(!k->is_path);
	cr_assert_eq(milter_keytable_find(kt, "ed"), 1);
	cr_assert_eq(milter_keytable_find(kt, "ED"), -1);
	cr_assert_null(milter_keytable_at(kt, 3));
	milter_keytable_free(&kt);
	cr_assert_null(kt);
	sbuf_free(&err);
}

Test(milter_keytable, keytable_errors)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
	    {"k\n", "line 1"},
	    {"k example.com:sel\n", "domain:selector"},
	    {"k :sel:/x\n", "domain:selector"},
	    {"k d::/x\n", "domain:selector"},
	    {"k d:s:\n", "domain:selector"},
	    {"k d:s:/x extra\n", "line 1"},
	    {"a d:s:/x\n#\na d:s:/y\n", "line 3: key \"a\" defined twice"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct milter_keytable *kt = NULL;
		struct sbuf *err = sbuf_new(0);

		cr_assert_eq(milter_keytable_parse(cases[i].text,
						   strlen(cases[i].text), &kt,
						   err),
			     -1, "%s", cases[i].text);
		cr_assert(strstr(sbuf_cstr(err), cases[i].msg) != NULL,
			  "%s", sbuf_cstr(err));
		sbuf_free(&err);
	}
}

Test(milter_keytable, line_limits)
{
	struct sbuf *t = sbuf_new(0), *err = sbuf_new(0);
	struct milter_keytable *kt = NULL;
	struct milter_signtable *s = NULL;

	sbuf_append_str(t, "k d:s:/");
	for (int i = 0; i < MILTER_KEYTABLE_MAX_LINE; i++)
		sbuf_putc(t, 'x');
	cr_assert_eq(milter_keytable_parse(sbuf_cstr(t), sbuf_len(t), &kt,
					   err),
		     -1);
	cr_assert(strstr(sbuf_cstr(err), "longer than") != NULL);
	sbuf_reset(err);
	cr_assert_eq(milter_signtable_parse("a\0b k\n", 6, false, &s, err),
		     -1);
	cr_assert(strstr(sbuf_cstr(err), "NUL") != NULL);
	sbuf_free(&t);
	sbuf_free(&err);
}

Test(milter_keytable, plain_order)
{
	/* opendkim.conf(5): user@host, host, user@.parent..., .parent...,
	 * user@*, * */
	struct milter_signtable *t =
	    st("*                  k_star\n"
	       "bob@*              k_bobstar\n"
	       ".com               k_dotcom\n"
	       ".example.com       k_dotexample\n"
	       "bob@.com           k_bobdotcom\n"
	       "bob@.example.com   k_bobdotexample\n"
	       "mail.example.com   k_host\n"
	       "bob@mail.example.com k_full\n",
	       false);

	CHECK_KEYS(t, "bob@mail.example.com", false, "k_full");
	CHECK_KEYS(t, "BOB@Mail.Example.COM", false, "k_full");
	CHECK_KEYS(t, "ann@mail.example.com", false, "k_host");
	CHECK_KEYS(t, "bob@www.example.com", false, "k_bobdotexample");
	CHECK_KEYS(t, "bob@other.com", false, "k_bobdotcom");
	CHECK_KEYS(t, "ann@www.example.com", false, "k_dotexample");
	CHECK_KEYS(t, "ann@other.com", false, "k_dotcom");
	CHECK_KEYS(t, "bob@example.org", false, "k_bobstar");
	CHECK_KEYS(t, "ann@example.org", false, "k_star");
	CHECK_KEYS(t, "bob@mail.example.com", true,
		   "k_full,k_host,k_bobdotexample,k_bobdotcom,k_dotexample,"
		   "k_dotcom,k_bobstar,k_star");
	CHECK_KEYS(t, "no-at-sign", false, "");
	milter_signtable_free(&t);
}

Test(milter_keytable, plain_dual)
{
	/* the same key twice: two signatures (RSA and Ed25519) */
	struct milter_signtable *t = st("example.com rsa\n"
					"example.org other\n"
					"example.com ed25519\n",
					false);

	CHECK_KEYS(t, "alice@example.com", false, "rsa,ed25519");
	CHECK_KEYS(t, "alice@example.org", false, "other");
	CHECK_KEYS(t, "alice@example.net", false, "");
	milter_signtable_free(&t);
}

Test(milter_keytable, refile)
{
	struct milter_signtable *t = st("*@sub.example.com   k_sub\n"
					"*@example.com       k_rsa\n"
					"*@example.com       k_ed\n"
					"alice@*             k_alice\n"
					"*                   k_any\n",
					true);

	CHECK_KEYS(t, "bob@sub.example.com", false, "k_sub");
	CHECK_KEYS(t, "bob@EXAMPLE.com", false, "k_rsa,k_ed");
	CHECK_KEYS(t, "alice@example.com", false, "k_rsa,k_ed");
	CHECK_KEYS(t, "alice@example.com", true, "k_rsa,k_ed,k_alice,k_any");
	CHECK_KEYS(t, "alice@example.net", false, "k_alice");
	CHECK_KEYS(t, "bob@example.net", false, "k_any");
	/* "*@example.com" must not match a look-alike domain */
	CHECK_KEYS(t, "bob@example.com.evil", false, "k_any");
	milter_signtable_free(&t);
}

Test(milter_keytable, signer_field)
{
	struct milter_signtable *t = st("*@example.com k1 @%\n", true);
	const struct milter_signtable_entry *e = milter_signtable_at(t, 0);

	cr_assert_str_eq(e->signer, "@%");
	cr_assert_eq(milter_signtable_count(t), 1);
	milter_signtable_free(&t);
}

Test(milter_keytable, glob)
{
	static const struct {
		const char *p, *s;
		bool want;
	} cases[] = {
	    {"*", "", true},
	    {"*", "anything", true},
	    {"a*b", "ab", true},
	    {"a*b", "axxb", true},
	    {"a*b", "axxbc", false},
	    {"*@example.com", "x@example.com", true},
	    {"*@example.com", "x@example.co", false},
	    {"*@*.example.com", "x@a.b.example.com", true},
	    {"**a", "a", true},
	    {"a", "A", true},
	    {"", "", true},
	    {"", "a", false},
	    {"*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_eq(milter_keytable_glob(cases[i].p, cases[i].s),
			     cases[i].want, "%s ~ %s", cases[i].p, cases[i].s);
}
