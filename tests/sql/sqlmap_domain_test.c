/* sqlmap_domain_test.c - the "domain" match list */
#include "config.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sbuf.h"
#include "sqlmap.h"
#include "sqlmap_domain.h"

/* FMT - snprintf into an array; a truncated test path is a test bug */
#define FMT(buf, ...) \
	cr_assert_lt(snprintf(buf, sizeof(buf), __VA_ARGS__), (int)sizeof(buf))
#define FMT_N(buf, n, ...) \
	cr_assert_lt(snprintf(buf, n, __VA_ARGS__), (int)(n))

/* scratch directory, made in the current (build) directory */
static char tmpdir[PATH_MAX];
static struct sbuf *captured;

static void capture(enum log_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (level == LOG_LEVEL_WARN) {
		sbuf_append_str(captured, msg);
		sbuf_putc(captured, '\n');
	}
}

static void setup(void)
{
	char tmpl[] = "sqlmap_domain_test.XXXXXX";

	cr_assert_not_null(mkdtemp(tmpl));
	cr_assert_not_null(realpath(tmpl, tmpdir));
	captured = sbuf_new(0);
	log_init("sqlmap_domain_test", 0);
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

TestSuite(domain, .init = setup, .fini = teardown);

/* write_file - tmpdir/name with text; path_r gets the path */
static void write_file(const char *name, const char *text, char *path_r,
		       size_t size)
{
	FILE *fp;

	FMT_N(path_r, size, "%s/%s", tmpdir, name);
	fp = fopen(path_r, "w");
	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* match - one list, one domain */
static enum sqlmap_domain_result match(const char *list, const char *dom)
{
	struct sbuf *err = sbuf_new(0);
	struct sqlmap_domain *d = sqlmap_domain_new(list, "t.cf", 0, NULL, err);
	enum sqlmap_domain_result r;

	cr_assert_not_null(d, "%s: %s", list, sbuf_cstr(err));
	r = sqlmap_domain_match(d, dom, err);
	sqlmap_domain_free(&d);
	cr_assert_null(d);
	sbuf_free(&err);
	return r;
}

Test(domain, names)
{
	cr_assert_eq(match("example.com", "example.com"), SQLMAP_DOMAIN_MATCH);
	cr_assert_eq(match("Example.COM", "EXAMPLE.com"), SQLMAP_DOMAIN_MATCH);
	cr_assert_eq(match("a.com, b.com  c.com\td.com", "c.com"),
		     SQLMAP_DOMAIN_MATCH);
	cr_assert_eq(match("a.com,,b.com", "b.com"), SQLMAP_DOMAIN_MATCH);
	/* exact: no parent-domain or subdomain match */
	cr_assert_eq(match("example.com", "sub.example.com"),
		     SQLMAP_DOMAIN_NOMATCH);
	cr_assert_eq(match("example.com", "com"), SQLMAP_DOMAIN_NOMATCH);
	cr_assert_eq(match(".example.com", "sub.example.com"),
		     SQLMAP_DOMAIN_NOMATCH);
	cr_assert_eq(match("example.com", ""), SQLMAP_DOMAIN_NOMATCH);
}

Test(domain, negation_first_match_wins)
{
	cr_assert_eq(match("!a.com, a.com", "a.com"), SQLMAP_DOMAIN_NOMATCH);
	cr_assert_eq(match("a.com, !a.com", "a.com"), SQLMAP_DOMAIN_MATCH);
	cr_assert_eq(match("!!a.com", "a.com"), SQLMAP_DOMAIN_MATCH);
	cr_assert_eq(match("!b.com", "a.com"), SQLMAP_DOMAIN_NOMATCH);
}

Test(domain, bang_without_pattern)
{
	struct sbuf *err = sbuf_new(0);

	cr_assert_null(sqlmap_domain_new("a.com, !", "t.cf", 0, NULL, err));
	cr_assert(strstr(sbuf_cstr(err), "no pattern after '!'") != NULL);
	sbuf_free(&err);
}

Test(domain, comment_stops_list)
{
	struct sbuf *err = sbuf_new(0), *warn = sbuf_new(0);
	struct sqlmap_domain *d =
		sqlmap_domain_new("a.com #b.com", "t.cf", 0, warn, err);

	cr_assert_not_null(d);
	cr_assert(strstr(sbuf_cstr(warn), "comment") != NULL);
	cr_assert_eq(sqlmap_domain_match(d, "a.com", err), SQLMAP_DOMAIN_MATCH);
	cr_assert_eq(sqlmap_domain_match(d, "b.com", err),
		     SQLMAP_DOMAIN_NOMATCH);
	sqlmap_domain_free(&d);
	sbuf_free(&err);
	sbuf_free(&warn);
}

Test(domain, file)
{
	char path[256], list[600], inner[256];

	write_file("inner", "deep.org\n", inner, sizeof(inner));
	FMT(list,
		 "# comment line\n"
		 "one.com\n"
		 "two.com, Three.COM\n"
		 "\n"
		 "!skip.com\n"
		 "%s\n",
		 inner);
	write_file("domains", list, path, sizeof(path));
	cr_assert_eq(match(path, "one.com"), SQLMAP_DOMAIN_MATCH);
	cr_assert_eq(match(path, "three.com"), SQLMAP_DOMAIN_MATCH);
	cr_assert_eq(match(path, "deep.org"), SQLMAP_DOMAIN_MATCH);
	cr_assert_eq(match(path, "comment"), SQLMAP_DOMAIN_NOMATCH);
	cr_assert_eq(match(path, "skip.com"), SQLMAP_DOMAIN_NOMATCH);
	FMT(list, "!%s, skip.com", path);
	/* "!" in front of a file inverts its items */
	cr_assert_eq(match(list, "one.com"), SQLMAP_DOMAIN_NOMATCH);
	cr_assert_eq(match(list, "skip.com"), SQLMAP_DOMAIN_MATCH);
}

Test(domain, missing_file_fails_lookups)
{
	struct sbuf *err = sbuf_new(0);
	char list[300];
	struct sqlmap_domain *d;

	FMT(list, "first.com, %s/none, last.com", tmpdir);
	d = sqlmap_domain_new(list, "t.cf", 0, NULL, err);
	cr_assert_not_null(d, "%s", sbuf_cstr(err));
	/* items before the file still answer, as in Postfix */
	cr_assert_eq(sqlmap_domain_match(d, "first.com", err),
		     SQLMAP_DOMAIN_MATCH);
	cr_assert_eq(sqlmap_domain_match(d, "last.com", err),
		     SQLMAP_DOMAIN_ERROR);
	cr_assert(strstr(sbuf_cstr(err), "No such file") != NULL);
	sqlmap_domain_free(&d);
	sbuf_free(&err);
}

Test(domain, unsupported_table_type)
{
	struct sbuf *err = sbuf_new(0);

	cr_assert_null(
		sqlmap_domain_new("a.com hash:/etc/x", "t.cf", 0, NULL, err));
	cr_assert(strstr(sbuf_cstr(err), "unsupported table type") != NULL);
	sbuf_free(&err);
}

/* make_db - an SQLite database with table d(name) */
static void make_db(const char *path, const char *sql)
{
	sqlite3 *db;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

Test(domain, sqlite_table_in_list)
{
	char db[256], cf[256], text[600], list[300];

	FMT(db, "%s/d.db", tmpdir);
	make_db(db, "CREATE TABLE d(name TEXT);"
		    "INSERT INTO d VALUES('tab.com'),('neg.com');");
	FMT(text,
		 "dbpath = %s\nquery = SELECT name FROM d WHERE name='%%s'\n",
		 db);
	write_file("d.cf", text, cf, sizeof(cf));
	FMT(list, "!neg.com sqlite:%s", cf);
	cr_assert_eq(match(list, "TAB.com"), SQLMAP_DOMAIN_MATCH);
	cr_assert_eq(match(list, "neg.com"), SQLMAP_DOMAIN_NOMATCH);
	cr_assert_eq(match(list, "other.com"), SQLMAP_DOMAIN_NOMATCH);
	FMT(list, "!sqlite:%s, tab.com", cf);
	cr_assert_eq(match(list, "tab.com"), SQLMAP_DOMAIN_NOMATCH);
}

Test(domain, table_error_is_error)
{
	struct sbuf *err = sbuf_new(0);
	struct sqlmap_domain *d;
	char cf[256], text[600], list[300];

	/* the database file does not exist: lookups fail, not "no match" */
	FMT(text,
		 "dbpath = %s/none.db\nquery = SELECT '%%s'\n", tmpdir);
	write_file("e.cf", text, cf, sizeof(cf));
	FMT(list, "sqlite:%s", cf);
	d = sqlmap_domain_new(list, "t.cf", 0, NULL, err);
	cr_assert_not_null(d, "%s", sbuf_cstr(err));
	cr_assert_eq(sqlmap_domain_match(d, "x.com", err),
		     SQLMAP_DOMAIN_ERROR);
	sqlmap_domain_free(&d);
	sbuf_free(&err);
}

Test(domain, table_that_names_itself)
{
	struct sbuf *err = sbuf_new(0);
	char cf[256], text[600], spec[300];

	FMT(cf, "%s/self.cf", tmpdir);
	FMT(text,
		 "dbpath = /x.db\nquery = q\ndomain = sqlite:%s\n", cf);
	write_file("self.cf", text, cf, sizeof(cf));
	FMT(spec, "sqlite:%s", cf);
	cr_assert_null(sqlmap_open(spec, 0, err));
	cr_assert(strstr(sbuf_cstr(err), "nested too deeply") != NULL, "%s",
		  sbuf_cstr(err));
	sbuf_free(&err);
}

Test(domain, braces_group)
{
	/* mystrtokq: separators inside {} do not split */
	cr_assert_eq(match("{a.com b.com}", "a.com"), SQLMAP_DOMAIN_NOMATCH);
	cr_assert_eq(match("{a.com b.com}", "{a.com b.com}"),
		     SQLMAP_DOMAIN_MATCH);
}
