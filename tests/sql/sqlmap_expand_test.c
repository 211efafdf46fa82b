/* sqlmap_expand_test.c - query/result_format templates (db_common_expand) */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "sbuf.h"
#include "sqlmap_expand.h"

/* test_quote - double "'" like sqlite3_mprintf("%q") */
static int test_quote(const char *s, struct sbuf *out, void *arg)
{
	(void)arg;
	for (; *s != '\0'; s++)
		if ((*s == '\'' && sbuf_putc(out, '\'') < 0) ||
		    sbuf_putc(out, *s) < 0)
			return -1;
	return 0;
}

struct qcase {
	const char *tmpl;
	const char *key;
	const char *want; /* NULL: suppressed */
};

/*
 * Expected answers are those of Postfix 3.7 postmap -q with a sqlite
 * table whose query is "SELECT '<template>'".
 */
static const struct qcase qcases[] = {
	{"k='%s'", "bob@example.com", "k='bob@example.com'"},
	{"k='%s'", "o'brien@example.com", "k='o''brien@example.com'"},
	{"%%", "x", "%"},
	{"a%%s", "x", "a%s"},
	{"LIKE 'smtp%%'", "x", "LIKE 'smtp%'"},
	{"[%u][%d]", "bob@example.com", "[bob][example.com]"},
	{"[%U][%D][%S]", "bob@example.com", "[bob][example.com][bob@example.com]"},
	/* split at the last @ */
	{"[%u][%d]", "a@b@c.com", "[a@b][c.com]"},
	/* %u without @ is the whole key; not suppressed */
	{"[%u]", "bob", "[bob]"},
	{"[%U]", "bob", "[bob]"},
	{"[%u]", "bob@", "[bob]"},
	{"[%u]", "@example.com", NULL},
	{"[%u]", "@", NULL},
	{"[%U]", "@example.com", NULL},
	{"[%d]", "bob", NULL},
	{"[%d]", "bob@", NULL},
	{"[%D]", "bob", NULL},
	{"[%u][%d]", "@example.com", NULL},
	/* %s alone suppresses nothing but the empty key */
	{"[%s]", "@example.com", "[@example.com]"},
	{"[%s]", "bob@", "[bob@]"},
	{"[%s]", "", NULL},
	/* %1..%9 count labels from the right, empty labels collapse */
	{"[%1][%2][%3]", "u@mail.example.com", "[com][example][mail]"},
	{"[%1][%2][%3]", "u@a.b.c.d", "[d][c][b]"},
	{"[%1][%2][%3]", "u@mail..example.com", "[com][example][mail]"},
	{"[%1][%2]", "u@.example.com", "[com][example]"},
	{"[%1][%2]", "u@example.com.", "[com][example]"},
	{"[%2]", "u@example..com.", "[example]"},
	{"[%1][%2][%3]", "u@example.com", NULL},
	{"[%1][%2]", "u@.a.", NULL},
	{"[%1]", "u@..", NULL},
	{"[%1]", "x", NULL},
	{"[%1]", "u@", NULL},
	{"[%9]", "u@1.2.3.4.5.6.7.8.9", "[1]"},
	/* %1 implies a domain: "@x.y" is queried (no %u) */
	{"[%1]", "@x.y", "[y]"},
	/* a %u anywhere makes @domain keys unqueryable */
	{"[%s] [%u]", "@x.y", NULL},
	/* quoting applies to every substitution */
	{"%u|%d|%2", "o'b@it's.com", "o''b|it''s.com|it''s"},
};

/* check_query - one row of qcases */
static void check_query(const struct qcase *c)
{
	struct sqlmap_expand ctx = {0};
	struct sbuf *err = sbuf_new(0), *out = sbuf_new(0);
	enum sqlmap_expand_result r;

	cr_assert_eq(sqlmap_expand_parse(&ctx, c->tmpl, SQLMAP_EXPAND_QUERY,
					 err),
		     0, "%s", sbuf_cstr(err));
	r = sqlmap_expand_query(&ctx, c->tmpl, c->key, test_quote, NULL, out);
	if (c->want == NULL) {
		cr_assert_eq(r, SQLMAP_EXPAND_SKIP, "%s / %s: got %s", c->tmpl,
			     c->key, sbuf_cstr(out));
		cr_assert_eq(sbuf_len(out), 0);
	} else {
		cr_assert_eq(r, SQLMAP_EXPAND_OK, "%s / %s", c->tmpl, c->key);
		cr_assert_str_eq(sbuf_cstr(out), c->want, "%s / %s", c->tmpl,
				 c->key);
	}
	sbuf_free(&err);
	sbuf_free(&out);
}

Test(expand, query)
{
	size_t i;

	for (i = 0; i < sizeof(qcases) / sizeof(qcases[0]); i++)
		check_query(&qcases[i]);
}

struct rcase {
	const char *query;
	const char *fmt;
	const char *key;
	const char *values[4]; /* NULL-terminated */
	const char *want;      /* joined result; "" = nothing */
};

static const struct rcase rcases[] = {
	/* the example verified with postmap in the notes */
	{"%s", "smtp:[%d] %u %S %D %U %%", "alice@example.com",
	 {"x@y.com", "z@w.org", NULL},
	 "smtp:[y.com] x alice@example.com example.com alice %,"
	 "smtp:[w.org] z alice@example.com example.com alice %"},
	{"%s", "%s", "k", {"a", "b", "c", NULL}, "a,b,c"},
	{"%s", "%s", "k", {"", "b", NULL}, "b"},
	/* %u: empty local part skipped, no @ = whole value, "u@" = "u" */
	{"%s", "%u", "n", {"@y.com", "plain", "u@", "a@b"}, "plain,u,a"},
	/* %d: no domain or empty domain skipped */
	{"%s", "%d", "n", {"@y.com", "plain", "u@", "a@b"}, "y.com,b"},
	{"%s", "<%2|%1|%u|%d>", "u@a.b.c", {"r@x.y", NULL}, "<b|c|r|x.y>"},
	{"%s", "%U", "bob", {"v", NULL}, "bob"},
	/* nothing is quoted in a result */
	{"%s", "'%s'", "k", {"it's", NULL}, "'it's'"},
};

/* check_result - one row of rcases */
static void check_result(const struct rcase *c)
{
	struct sqlmap_expand ctx = {0};
	struct sbuf *err = sbuf_new(0), *out = sbuf_new(0);
	size_t i;

	cr_assert_eq(sqlmap_expand_parse(&ctx, c->query, SQLMAP_EXPAND_QUERY,
					 err),
		     0);
	cr_assert_eq(sqlmap_expand_parse(&ctx, c->fmt, SQLMAP_EXPAND_RESULT,
					 err),
		     0);
	for (i = 0; i < 4 && c->values[i] != NULL; i++)
		cr_assert_neq(sqlmap_expand_result(&ctx, c->fmt, c->values[i],
						   c->key, out),
			      SQLMAP_EXPAND_TOOBIG);
	cr_assert_str_eq(sbuf_cstr(out), c->want, "%s / %s", c->fmt, c->key);
	sbuf_free(&err);
	sbuf_free(&out);
}

Test(expand, result)
{
	size_t i;

	for (i = 0; i < sizeof(rcases) / sizeof(rcases[0]); i++)
		check_result(&rcases[i]);
}

Test(expand, result_null_value_skipped)
{
	struct sqlmap_expand ctx = {0};
	struct sbuf *out = sbuf_new(0);

	cr_assert_eq(sqlmap_expand_result(&ctx, "%s", NULL, "k", out),
		     SQLMAP_EXPAND_SKIP);
	cr_assert_eq(sbuf_len(out), 0);
	sbuf_free(&out);
}

Test(expand, result_format_flags_suppress_query)
{
	/* %U/%D/%1 in result_format apply the key rules before the query */
	static const char *const fmts[] = {"%U", "%D", "%1"};
	size_t i;

	for (i = 0; i < 3; i++) {
		struct sqlmap_expand ctx = {0};
		struct sbuf *err = sbuf_new(0), *out = sbuf_new(0);

		cr_assert_eq(sqlmap_expand_parse(&ctx, "%s",
						 SQLMAP_EXPAND_QUERY, err),
			     0);
		cr_assert_eq(sqlmap_expand_parse(&ctx, fmts[i],
						 SQLMAP_EXPAND_RESULT, err),
			     0);
		cr_assert(sqlmap_expand_is_pattern(&ctx));
		cr_assert_eq(sqlmap_expand_query(&ctx, "%s", "@x.y", NULL,
						 NULL, out),
			     i == 0 ? SQLMAP_EXPAND_SKIP : SQLMAP_EXPAND_OK,
			     "%s", fmts[i]);
		sbuf_reset(out);
		cr_assert_eq(sqlmap_expand_query(&ctx, "%s", "bob", NULL, NULL,
						 out),
			     i == 0 ? SQLMAP_EXPAND_OK : SQLMAP_EXPAND_SKIP,
			     "%s", fmts[i]);
		sbuf_free(&err);
		sbuf_free(&out);
	}
}

Test(expand, result_u_d_do_not_make_pattern)
{
	struct sqlmap_expand ctx = {0};
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(sqlmap_expand_parse(&ctx, "k='%s' AND x LIKE 'a%%'",
					 SQLMAP_EXPAND_QUERY, err),
		     0);
	cr_assert_eq(sqlmap_expand_parse(&ctx, "%u %d", SQLMAP_EXPAND_RESULT,
					 err),
		     0);
	cr_assert_not(sqlmap_expand_is_pattern(&ctx));
	cr_assert_eq(sqlmap_expand_parse(&ctx, "%d", SQLMAP_EXPAND_QUERY, err),
		     0);
	cr_assert(sqlmap_expand_is_pattern(&ctx));
	sbuf_free(&err);
}

static const char *const bad_templates[] = {
	"SELECT '%x'", "a%", "%", "%0", "%e", "100%", "%%%", "%s %q",
	"%-", "% s",
};

Test(expand, bad_templates)
{
	size_t i;

	for (i = 0; i < sizeof(bad_templates) / sizeof(bad_templates[0]);
	     i++) {
		struct sqlmap_expand ctx = {0};
		struct sbuf *err = sbuf_new(0);

		cr_assert_eq(sqlmap_expand_parse(&ctx, bad_templates[i],
						 SQLMAP_EXPAND_QUERY, err),
			     -1, "%s", bad_templates[i]);
		cr_assert(strstr(sbuf_cstr(err), "invalid query template") !=
				  NULL,
			  "%s", sbuf_cstr(err));
		sbuf_reset(err);
		cr_assert_eq(sqlmap_expand_parse(&ctx, bad_templates[i],
						 SQLMAP_EXPAND_RESULT, err),
			     -1);
		cr_assert(strstr(sbuf_cstr(err), "invalid result template") !=
			  NULL);
		sbuf_free(&err);
	}
}

Test(expand, toobig_leaves_output_unchanged)
{
	struct sqlmap_expand ctx = {0};
	struct sbuf *err = sbuf_new(0), *out = sbuf_new_max(0, 10);

	cr_assert_eq(sqlmap_expand_parse(&ctx, "%s", SQLMAP_EXPAND_RESULT, err),
		     0);
	cr_assert_eq(sqlmap_expand_result(&ctx, "%s", "abcd", "k", out),
		     SQLMAP_EXPAND_OK);
	cr_assert_eq(sqlmap_expand_result(&ctx, "%s", "0123456789", "k", out),
		     SQLMAP_EXPAND_TOOBIG);
	cr_assert_str_eq(sbuf_cstr(out), "abcd");
	sbuf_free(&err);
	sbuf_free(&out);
}

Test(expand, quote_failure_is_toobig)
{
	struct sqlmap_expand ctx = {0};
	struct sbuf *err = sbuf_new(0), *out = sbuf_new_max(0, 8);

	cr_assert_eq(sqlmap_expand_parse(&ctx, "k='%s'", SQLMAP_EXPAND_QUERY,
					 err),
		     0);
	cr_assert_eq(sqlmap_expand_query(&ctx, "k='%s'", "''''''", test_quote,
					 NULL, out),
		     SQLMAP_EXPAND_TOOBIG);
	cr_assert_eq(sbuf_len(out), 0);
	sbuf_free(&err);
	sbuf_free(&out);
}
