/* sqlmap_cf_test.c - mysql_table(5) / sqlite_table(5) .cf parsing */
#include "config.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "sbuf.h"
#include "sqlmap.h"
#include "sqlmap_cf.h"

/* parse - sqlmap_cf_parse on a string */
static int parse(const char *text, enum sqlmap_cf_type type,
		 struct sqlmap_cf **cf_r, struct sbuf *warn, struct sbuf *err)
{
	return sqlmap_cf_parse(text, strlen(text), "test.cf", type, cf_r, warn,
			       err);
}

Test(cf, sqlite_minimal_defaults)
{
	struct sbuf *err = sbuf_new(0), *warn = sbuf_new(0);
	struct sqlmap_cf *cf;

	cr_assert_eq(parse("dbpath = /x.db\nquery = SELECT v FROM t WHERE "
			   "k='%s'\n",
			   SQLMAP_CF_SQLITE, &cf, warn, err),
		     0, "%s", sbuf_cstr(err));
	cr_assert_str_eq(cf->dbpath, "/x.db");
	cr_assert_str_eq(cf->query, "SELECT v FROM t WHERE k='%s'");
	cr_assert_str_eq(cf->result_format, "%s");
	cr_assert_null(cf->domain);
	cr_assert_eq(cf->expansion_limit, 0);
	cr_assert_str_empty(sbuf_cstr(warn));
	sqlmap_cf_free(&cf);
	cr_assert_null(cf);
	sbuf_free(&err);
	sbuf_free(&warn);
}

Test(cf, mysql_all_parameters)
{
	struct sbuf *err = sbuf_new(0), *warn = sbuf_new(0);
	struct sqlmap_cf *cf;
	const char *text =
		"hosts = unix:/run/mysqld/mysqld.sock, inet:db1:3306 db2\n"
		"user = postfix\n"
		"password = s3cret\n"
		"dbname = mail\n"
		"query = SELECT goto FROM alias WHERE address='%s'\n"
		"result_format = smtp:[%s]\n"
		"domain = example.com, !other.com\n"
		"expansion_limit = 5\n"
		"option_file = /etc/my.cnf\n"
		"option_group = postfix\n"
		"require_result_set = No\n"
		"tls_cert_file = /c.pem\n"
		"tls_key_file = /k.pem\n"
		"tls_CAfile = /ca.pem\n"
		"tls_CApath = /ca\n"
		"tls_ciphers = HIGH\n"
		"tls_verify_cert = YES\n";

	cr_assert_eq(parse(text, SQLMAP_CF_MYSQL, &cf, warn, err), 0, "%s",
		     sbuf_cstr(err));
	cr_assert_str_eq(cf->hosts,
			 "unix:/run/mysqld/mysqld.sock, inet:db1:3306 db2");
	cr_assert_str_eq(cf->user, "postfix");
	cr_assert_str_eq(cf->password, "s3cret");
	cr_assert_str_eq(cf->dbname, "mail");
	cr_assert_str_eq(cf->result_format, "smtp:[%s]");
	cr_assert_str_eq(cf->domain, "example.com, !other.com");
	cr_assert_eq(cf->expansion_limit, 5);
	cr_assert_str_eq(cf->option_file, "/etc/my.cnf");
	cr_assert_str_eq(cf->option_group, "postfix");
	cr_assert_not(cf->require_result_set);
	cr_assert_str_eq(cf->tls_cert_file, "/c.pem");
	cr_assert_str_eq(cf->tls_key_file, "/k.pem");
	cr_assert_str_eq(cf->tls_CAfile, "/ca.pem");
	cr_assert_str_eq(cf->tls_CApath, "/ca");
	cr_assert_str_eq(cf->tls_ciphers, "HIGH");
	cr_assert_eq(cf->tls_verify_cert, 1);
	cr_assert_str_empty(sbuf_cstr(warn));
	sqlmap_cf_free(&cf);
	sbuf_free(&err);
	sbuf_free(&warn);
}

Test(cf, mysql_defaults)
{
	struct sbuf *err = sbuf_new(0);
	struct sqlmap_cf *cf;

	cr_assert_eq(parse("dbname = mail\nquery = x\n", SQLMAP_CF_MYSQL, &cf,
			   NULL, err),
		     0);
	cr_assert_str_eq(cf->hosts, "");
	cr_assert_str_eq(cf->user, "");
	cr_assert_str_eq(cf->password, "");
	cr_assert_str_eq(cf->option_group, "client");
	cr_assert_null(cf->option_file);
	cr_assert(cf->require_result_set);
	cr_assert_eq(cf->tls_verify_cert, -1);
	cr_assert_null(cf->tls_CAfile);
	sqlmap_cf_free(&cf);
	sbuf_free(&err);
}

Test(cf, legacy_query)
{
	struct sbuf *err = sbuf_new(0);
	struct sqlmap_cf *cf;

	cr_assert_eq(parse("dbpath = /x\ntable = alias\nselect_field = goto\n"
			   "where_field = address\n",
			   SQLMAP_CF_SQLITE, &cf, NULL, err),
		     0, "%s", sbuf_cstr(err));
	/* Postfix keeps the space before the empty additional_conditions */
	cr_assert_str_eq(cf->query,
			 "SELECT goto FROM alias WHERE address='%s' ");
	sqlmap_cf_free(&cf);
	cr_assert_eq(parse("dbpath = /x\ntable = alias\nselect_field = goto\n"
			   "where_field = address\n"
			   "additional_conditions = AND active = '1'\n",
			   SQLMAP_CF_SQLITE, &cf, NULL, err),
		     0);
	cr_assert_str_eq(cf->query, "SELECT goto FROM alias WHERE "
				    "address='%s' AND active = '1'");
	sqlmap_cf_free(&cf);
	sbuf_free(&err);
}

Test(cf, legacy_ignored_with_query)
{
	struct sbuf *err = sbuf_new(0);
	struct sqlmap_cf *cf;

	cr_assert_eq(parse("dbpath = /x\nquery = Q\ntable = t\n",
			   SQLMAP_CF_SQLITE, &cf, NULL, err),
		     0);
	cr_assert_str_eq(cf->query, "Q");
	sqlmap_cf_free(&cf);
	sbuf_free(&err);
}

struct bad_case {
	const char *text;
	enum sqlmap_cf_type type;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{"query = x\n", SQLMAP_CF_SQLITE, "'dbpath' parameter not defined"},
	{"dbpath =\nquery = x\n", SQLMAP_CF_SQLITE, "bad string length"},
	{"query = x\n", SQLMAP_CF_MYSQL, "'dbname' parameter not defined"},
	{"dbname =\nquery = x\n", SQLMAP_CF_MYSQL, "bad string length"},
	{"dbpath = /x\n", SQLMAP_CF_SQLITE, "'table' parameter not defined"},
	{"dbpath = /x\ntable = t\n", SQLMAP_CF_SQLITE,
	 "'select_field' parameter not defined"},
	{"dbpath = /x\ntable = t\nselect_field = s\n", SQLMAP_CF_SQLITE,
	 "'where_field' parameter not defined"},
	{"dbpath = /x\ntable = t\nselect_field =\nwhere_field = w\n",
	 SQLMAP_CF_SQLITE, "bad string length"},
	{"dbpath = /x\nquery = x\nresult_format =\n", SQLMAP_CF_SQLITE,
	 "bad string length"},
	{"dbname = d\nquery = x\nrequire_result_set = true\n",
	 SQLMAP_CF_MYSQL, "bad boolean value"},
	{"dbname = d\nquery = x\nrequire_result_set = 1\n", SQLMAP_CF_MYSQL,
	 "bad boolean value"},
	{"dbname = d\nquery = x\ntls_verify_cert = on\n", SQLMAP_CF_MYSQL,
	 "bad boolean value"},
	{"dbpath = /x\nquery = x\nexpansion_limit = ten\n", SQLMAP_CF_SQLITE,
	 "bad numerical configuration"},
	{"dbpath = /x\nquery = x\nexpansion_limit = 1x\n", SQLMAP_CF_SQLITE,
	 "bad numerical configuration"},
	{"dbpath = /x\nthis line has no equals sign\n", SQLMAP_CF_SQLITE,
	 "test.cf"},
};

/* check_bad - one row of bad_cases */
static void check_bad(const struct bad_case *c)
{
	struct sbuf *err = sbuf_new(0);
	struct sqlmap_cf *cf = (struct sqlmap_cf *)1;

	cr_assert_eq(parse(c->text, c->type, &cf, NULL, err), -1, "%s",
		     c->text);
	cr_assert_null(cf);
	cr_assert(strstr(sbuf_cstr(err), c->msg) != NULL, "%s: got %s",
		  c->text, sbuf_cstr(err));
	sbuf_free(&err);
}

Test(cf, bad)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		check_bad(&bad_cases[i]);
}

Test(cf, expansion_limit_signs)
{
	struct sbuf *err = sbuf_new(0);
	struct sqlmap_cf *cf;

	/* Postfix sscanf("%d"): negative means no limit, like 0 */
	cr_assert_eq(parse("dbpath = /x\nquery = x\nexpansion_limit = -1\n",
			   SQLMAP_CF_SQLITE, &cf, NULL, err),
		     0);
	cr_assert_eq(cf->expansion_limit, 0);
	sqlmap_cf_free(&cf);
	cr_assert_eq(parse("dbpath = /x\nquery = x\nexpansion_limit = +3\n",
			   SQLMAP_CF_SQLITE, &cf, NULL, err),
		     0);
	cr_assert_eq(cf->expansion_limit, 3);
	sqlmap_cf_free(&cf);
	sbuf_free(&err);
}

Test(cf, unknown_names_warn_and_are_ignored)
{
	struct sbuf *err = sbuf_new(0), *warn = sbuf_new(0);
	struct sqlmap_cf *cf;

	/* mysql-only names are unknown to sqlite; 3.9 names to 3.7 */
	cr_assert_eq(parse("dbpath = /x\nquery = x\nhosts = h\n"
			   "idle_interval = 10\nbogus = 1\n",
			   SQLMAP_CF_SQLITE, &cf, warn, err),
		     0, "%s", sbuf_cstr(err));
	cr_assert(strstr(sbuf_cstr(warn), "\"hosts\"") != NULL);
	cr_assert(strstr(sbuf_cstr(warn), "\"idle_interval\"") != NULL);
	cr_assert(strstr(sbuf_cstr(warn), "test.cf, line 5: unknown "
					  "parameter \"bogus\"") != NULL,
		  "%s", sbuf_cstr(warn));
	cr_assert_null(cf->hosts);
	sqlmap_cf_free(&cf);
	sbuf_free(&err);
	sbuf_free(&warn);
}

Test(cf, continuation_and_hash_in_value)
{
	struct sbuf *err = sbuf_new(0);
	struct sqlmap_cf *cf;

	cr_assert_eq(parse("dbpath = /x\n"
			   "query = SELECT v FROM a\n"
			   "# a comment between continuation lines\n"
			   "   WHERE k='%s' # not a comment\n",
			   SQLMAP_CF_SQLITE, &cf, NULL, err),
		     0, "%s", sbuf_cstr(err));
	cr_assert_str_eq(cf->query,
			 "SELECT v FROM a   WHERE k='%s' # not a comment");
	sqlmap_cf_free(&cf);
	sbuf_free(&err);
}

/* Warnings that reach log_warn through sqlmap_open */
static struct sbuf *captured;

static void capture(enum log_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (level == LOG_LEVEL_WARN) {
		sbuf_append_str(captured, msg);
		sbuf_putc(captured, '\n');
	}
}

/* FMT - snprintf into an array; a truncated test path is a test bug */
#define FMT(buf, ...) \
	cr_assert_lt(snprintf(buf, sizeof(buf), __VA_ARGS__), (int)sizeof(buf))
#define FMT_N(buf, n, ...) \
	cr_assert_lt(snprintf(buf, n, __VA_ARGS__), (int)(n))

/* scratch directory, made in the current (build) directory */
static char tmpdir[PATH_MAX];

static void setup(void)
{
	char tmpl[] = "sqlmap_cf_test.XXXXXX";

	cr_assert_not_null(mkdtemp(tmpl));
	cr_assert_not_null(realpath(tmpl, tmpdir));
	captured = sbuf_new(0);
	log_init("sqlmap_cf_test", 0);
	log_set_sink(capture, NULL);
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	log_set_sink(NULL, NULL);
	sbuf_free(&captured);
	FMT(cmd, "rm -rf %s", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

/* write_cf - create tmpdir/name with text and mode; returns the spec */
static void write_cf(const char *name, const char *text, mode_t mode,
		     char *spec, size_t size)
{
	char path[256];
	FILE *fp;

	FMT(path, "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
	cr_assert_eq(chmod(path, mode), 0);
	FMT_N(spec, size, "%s", path);
}

Test(cf, load_missing_file, .init = setup, .fini = teardown)
{
	struct sbuf *err = sbuf_new(0);
	struct sqlmap_cf *cf;
	char path[256];

	FMT(path, "%s/none.cf", tmpdir);
	cr_assert_eq(sqlmap_cf_load(path, SQLMAP_CF_SQLITE, &cf, NULL, err),
		     -1);
	cr_assert(strstr(sbuf_cstr(err), "No such file") != NULL);
	sbuf_free(&err);
}

Test(cf, load_directory_is_error, .init = setup, .fini = teardown)
{
	struct sbuf *err = sbuf_new(0);
	struct sqlmap_cf *cf;

	cr_assert_eq(sqlmap_cf_load(tmpdir, SQLMAP_CF_SQLITE, &cf, NULL, err),
		     -1);
	sbuf_free(&err);
}

Test(cf, load_unreadable_is_error)
{
	struct sbuf *err;
	struct sqlmap_cf *cf;
	char path[256];

	/* before setup: a skipped test does not run .fini */
	if (geteuid() == 0)
		cr_skip_test("root reads every file");
	setup();
	err = sbuf_new(0);
	write_cf("x.cf", "dbpath = /x\nquery = q\n", 0200, path, sizeof(path));
	cr_assert_eq(sqlmap_cf_load(path, SQLMAP_CF_SQLITE, &cf, NULL, err),
		     -1);
	cr_assert(strstr(sbuf_cstr(err), "Permission denied") != NULL);
	sbuf_free(&err);
	teardown();
}

Test(cf, world_readable_password_warns, .init = setup, .fini = teardown)
{
	struct sbuf *err = sbuf_new(0);
	struct sqlmap *m;
	char path[256], spec[300];

	write_cf("m.cf", "dbname = d\npassword = pw\nquery = q\n", 0644, path,
		 sizeof(path));
	FMT(spec, "mysql:%s", path);
	m = sqlmap_open(spec, 0, err);
#ifdef HAVE_MYSQL
	cr_assert_not_null(m, "%s", sbuf_cstr(err));
	cr_assert(strstr(sbuf_cstr(captured), "readable by everyone") != NULL,
		  "%s", sbuf_cstr(captured));
	/* never the password itself */
	cr_assert(strstr(sbuf_cstr(captured), "pw\n") == NULL);
	sqlmap_close(&m);

	sbuf_reset(captured);
	cr_assert_eq(chmod(path, 0640), 0);
	m = sqlmap_open(spec, 0, err);
	cr_assert_not_null(m);
	cr_assert_str_empty(sbuf_cstr(captured));
	sqlmap_close(&m);
#else
	cr_assert_null(m);
	cr_assert(strstr(sbuf_cstr(err), "support not built") != NULL);
#endif
	sbuf_free(&err);
}

Test(cf, open_logs_unknown_once, .init = setup, .fini = teardown)
{
	struct sbuf *err = sbuf_new(0);
	struct sqlmap *m;
	char path[256], spec[300];
	const char *first;

	write_cf("s.cf", "dbpath = /x.db\nquery = q\nfoo = bar\n", 0600, path,
		 sizeof(path));
	FMT(spec, "sqlite:%s", path);
	m = sqlmap_open(spec, 0, err);
	cr_assert_not_null(m, "%s", sbuf_cstr(err));
	first = strstr(sbuf_cstr(captured), "\"foo\"");
	cr_assert_not_null(first, "%s", sbuf_cstr(captured));
	cr_assert_null(strstr(first + 1, "\"foo\""));
	sqlmap_close(&m);
	sbuf_free(&err);
}

Test(cf, open_errors, .init = setup, .fini = teardown)
{
	struct sbuf *err = sbuf_new(0);
	char path[256], spec[300];

	cr_assert_null(sqlmap_open("hash:/etc/aliases", 0, err));
	cr_assert(strstr(sbuf_cstr(err), "unsupported table type") != NULL);
	sbuf_reset(err);
	cr_assert_null(sqlmap_open("sqlite:relative.cf", 0, err));
	sbuf_reset(err);
	write_cf("b.cf", "dbpath = /x.db\nquery = SELECT '%x'\n", 0600, path,
		 sizeof(path));
	FMT(spec, "sqlite:%s", path);
	cr_assert_null(sqlmap_open(spec, 0, err));
	cr_assert(strstr(sbuf_cstr(err), "invalid query template") != NULL,
		  "%s", sbuf_cstr(err));
	cr_assert(strstr(sbuf_cstr(err), path) != NULL);
	sbuf_reset(err);
	write_cf("r.cf", "dbpath = /x.db\nquery = q\nresult_format = 50%\n",
		 0600, path, sizeof(path));
	FMT(spec, "sqlite:%s", path);
	cr_assert_null(sqlmap_open(spec, 0, err));
	cr_assert(strstr(sbuf_cstr(err), "invalid result template") != NULL);
	sbuf_free(&err);
}
