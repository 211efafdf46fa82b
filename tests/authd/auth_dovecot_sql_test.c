/* auth_dovecot_sql_test.c - dovecot-sql.conf.ext reader and %-variables */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "auth_dovecot_sql.h"
#include "sbuf.h"

static struct dovecot_sql_conf *parse(const char *text, struct sbuf *warn,
				      struct sbuf *err)
{
	struct dovecot_sql_conf *c = NULL;

	if (dovecot_sql_parse(text, strlen(text), "t.conf", &c, warn, err) <
	    0)
		return NULL;
	return c;
}

Test(dovecot_sql, debian_style_mysql)
{
	struct sbuf *err = sbuf_new(0), *warn = sbuf_new(0);
	struct dovecot_sql_conf *c = parse(
		"# sample\n"
		"driver = mysql\n"
		"connect = host=/run/mysqld/mysqld.sock dbname=postfix "
		"user=postfix password=se#cret\n"
		"default_pass_scheme = SHA512-CRYPT\n"
		"password_query = SELECT username AS user, password \\\n"
		"   FROM mailbox WHERE username = '%u' AND active = '1'\n"
		"user_query = SELECT 1\n",
		warn, err);

	cr_assert_not_null(c, "%s", sbuf_cstr(err));
	cr_assert_eq(c->driver, DOVECOT_SQL_MYSQL);
	cr_assert_str_eq(c->hosts, "unix:/run/mysqld/mysqld.sock");
	cr_assert_str_eq(c->dbname, "postfix");
	cr_assert_str_eq(c->user, "postfix");
	/* Dovecot treats "#" as a comment even without a space (warns) */
	cr_assert_str_eq(c->password, "se");
	cr_assert_not_null(strstr(sbuf_cstr(warn), "ambiguous"));
	cr_assert_str_eq(c->default_pass_scheme, "SHA512-CRYPT");
	cr_assert_str_eq(c->password_query,
			 "SELECT username AS user, password FROM mailbox "
			 "WHERE username = '%u' AND active = '1'");
	dovecot_sql_free(&c);
	cr_assert_null(c);
	sbuf_free(&err);
	sbuf_free(&warn);
}

Test(dovecot_sql, defaults_quotes_and_tcp_hosts)
{
	struct sbuf *err = sbuf_new(0);
	struct dovecot_sql_conf *c = parse(
		"driver=mysql\n"
		"connect = \"host=db1 host=127.0.0.1 host=::1 port=3307 "
		"dbname=d user=u password=p#w\"\n",
		NULL, err);

	cr_assert_not_null(c, "%s", sbuf_cstr(err));
	cr_assert_str_eq(c->hosts,
			 "inet:db1:3307 inet:127.0.0.1:3307 inet:[::1]:3307");
	cr_assert_str_eq(c->password, "p#w");
	cr_assert_str_eq(c->default_pass_scheme, "MD5");
	cr_assert_str_eq(c->password_query,
			 "SELECT username, domain, password FROM users "
			 "WHERE username = '%n' AND domain = '%d'");
	dovecot_sql_free(&c);
	sbuf_free(&err);
}

Test(dovecot_sql, sqlite)
{
	struct sbuf *err = sbuf_new(0);
	struct dovecot_sql_conf *c = parse(
		"driver = sqlite\nconnect = /etc/dovecot/users.db\n"
		"password_query = SELECT password FROM u WHERE u = '%Lu'\n",
		NULL, err);

	cr_assert_not_null(c, "%s", sbuf_cstr(err));
	cr_assert_eq(c->driver, DOVECOT_SQL_SQLITE);
	cr_assert_str_eq(c->path, "/etc/dovecot/users.db");
	dovecot_sql_free(&c);
	sbuf_free(&err);
}

struct bad_case {
	const char *text;
	const char *msg;
};

Test(dovecot_sql, errors)
{
	static const struct bad_case cases[] = {
		{"driver = pgsql\nconnect = host=x\n", "PostgreSQL"},
		{"driver = oracle\nconnect = x\n", "unknown driver"},
		{"connect = x\n", "driver not set"},
		{"driver = mysql\n", "connect not set"},
		{"driver = mysql\nconnect = dbname=x\n", "no hosts"},
		{"driver = mysql\nconnect = host=x bogus=1\n", "unknown"},
		{"driver = mysql\nconnect = host=x ssl_ca=/c\n", "TLS"},
		{"driver = mysql\nconnect = host=x password\n",
		 "missing value"},
		{"driver = mysql\nconnect = host=x\nfoo = bar\n",
		 "unknown setting: foo"},
		{"!include x.conf\n", "!include"},
		{"driver = mysql\nconnect = host=x\n"
		 "password_query = SELECT '%w'\n",
		 "unsupported variable"},
		{"driver = mysql\nconnect = host=x\n"
		 "password_query = SELECT '%{nope}'\n",
		 "unsupported variable"},
		{"driver = mysql\nconnect = host=x\n"
		 "password_query = SELECT '%Eu'\n",
		 "unsupported variable"},
		{"driver = mysql\nconnect = host=x\n"
		 "password_query = SELECT '%'\n",
		 "unsupported variable"},
		{"driver = mysql\nconnect = host=x\npassword_query = a \\\n",
		 "ends in"},
		{"driver = mysql\nconnect = host=x\nzzz\n", "key = value"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sbuf *err = sbuf_new(0);
		struct dovecot_sql_conf *c = parse(cases[i].text, NULL, err);

		cr_assert_null(c, "case %zu accepted", i);
		cr_assert_not_null(strstr(sbuf_cstr(err), cases[i].msg),
				   "case %zu: %s", i, sbuf_cstr(err));
		/* the connect password never shows in messages */
		cr_assert_null(strstr(sbuf_cstr(err), "password="));
		sbuf_free(&err);
	}
}

/* quote_test - mark substitutions so the test sees what was quoted */
static int quote_test(const char *s, struct sbuf *out, void *arg)
{
	(void)arg;
	return sbuf_printf(out, "<%s>", s);
}

struct exp_case {
	const char *tmpl;
	const char *user;
	const char *want;
};

Test(dovecot_sql, expand_variables)
{
	static const struct exp_case cases[] = {
		{"u='%u'", "Alice@Example.COM", "u='<Alice@Example.COM>'"},
		{"%Lu", "Alice@Example.COM", "<alice@example.com>"},
		{"%Uu", "alice@x", "<ALICE@X>"},
		{"%n|%d", "a@b@c", "<a>|<b@c>"},
		{"%{username}|%{domain}|%{domain_last}", "a@b@c",
		 "<a>|<b@c>|<c>"},
		{"%n|%d", "noat", "<noat>|<>"},
		{"%{user} %{service} %s %r %l", "x", "<x> <smtp> <smtp> <> <>"},
		{"100%% %Ln", "BoB@x", "100% <bob>"},
		{"%2u %1.2u %-2.2u", "abcdef", "<ab> <bc> <ef>"},
		{"%L{user}", "ÄB", "<Äb>"},
	};
	struct dovecot_sql_vars v = {0};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sbuf *out = sbuf_new(0), *err = sbuf_new(0);

		v.user = cases[i].user;
		v.service = "smtp";
		cr_assert_eq(dovecot_sql_check(cases[i].tmpl, err), 0,
			     "case %zu: %s", i, sbuf_cstr(err));
		cr_assert_eq(dovecot_sql_expand(cases[i].tmpl, &v, quote_test,
						NULL, out, err),
			     0, "case %zu: %s", i, sbuf_cstr(err));
		cr_assert_str_eq(sbuf_cstr(out), cases[i].want, "case %zu", i);
		sbuf_free(&out);
		sbuf_free(&err);
	}
}

Test(dovecot_sql, expand_respects_the_output_maximum)
{
	struct sbuf *out = sbuf_new_max(0, 10), *err = sbuf_new(0);
	struct dovecot_sql_vars v = {.user = "a-very-long-user-name"};

	cr_assert_eq(dovecot_sql_expand("x='%u'", &v, NULL, NULL, out, err),
		     -1);
	cr_assert_not_null(strstr(sbuf_cstr(err), "too long"));
	sbuf_free(&out);
	sbuf_free(&err);
}
