/* sqlmap_sqlite_test.c - sqlite: tables end to end, on real SQLite files */
#include "config.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "sbuf.h"
#include "sqlmap.h"

/* FMT - snprintf into an array; a truncated test path is a test bug */
#define FMT(buf, ...) \
	cr_assert_lt(snprintf(buf, sizeof(buf), __VA_ARGS__), (int)sizeof(buf))
#define FMT_N(buf, n, ...) \
	cr_assert_lt(snprintf(buf, n, __VA_ARGS__), (int)(n))

/* scratch directory, made in the current (build) directory */
static char tmpdir[PATH_MAX];
static char dbpath[300];
static struct sbuf *captured;

static void capture(enum log_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (level == LOG_LEVEL_WARN) {
		sbuf_append_str(captured, msg);
		sbuf_putc(captured, '\n');
	}
}

/* exec - run SQL on the test database */
static void exec(const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK, "%s",
		     msg != NULL ? msg : "");
	sqlite3_close(db);
}

static void setup(void)
{
	char tmpl[] = "sqlmap_sqlite_test.XXXXXX";

	cr_assert_not_null(mkdtemp(tmpl));
	cr_assert_not_null(realpath(tmpl, tmpdir));
	FMT(dbpath, "%s/t.db", tmpdir);
	captured = sbuf_new(0);
	log_init("sqlmap_sqlite_test", 0);
	log_set_sink(capture, NULL);
	exec("CREATE TABLE alias(address TEXT, goto TEXT, active INT);"
	     "INSERT INTO alias VALUES"
	     " ('alice@example.com', 'alice@example.com', 1),"
	     " ('o''brien@example.com', 'ob@example.net', 1),"
	     " ('back\\slash@example.com', 'bs@example.net', 1),"
	     " ('pct%@example.com', 'pct@example.net', 1),"
	     " ('j\xc3\xbcrgen@example.com', 'j@example.net', 1),"
	     " ('off@example.com', 'x@example.net', 0),"
	     " ('@example.com', 'catchall@example.net', 1),"
	     " ('bob', 'local-bob', 1);"
	     "CREATE TABLE multi(k TEXT, v TEXT, w TEXT);"
	     "INSERT INTO multi VALUES"
	     " ('m', 'x@y.com', 'c1'), ('m', NULL, 'c2'), ('m', '', 'c3'),"
	     " ('m', 'z@w.org', 'c4'), ('e', '', 'q'), ('n', NULL, 'q');"
	     "CREATE TABLE alias_domain(alias_domain TEXT, target_domain TEXT);"
	     "INSERT INTO alias_domain VALUES ('alias.org', 'example.com');"
	     "CREATE TABLE secret(x TEXT); INSERT INTO secret VALUES('s');");
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	log_set_sink(NULL, NULL);
	sbuf_free(&captured);
	FMT(cmd, "rm -rf %s", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(sqlite, .init = setup, .fini = teardown);

/* open_cf - write tmpdir/name.cf with dbpath plus extra, open it */
static struct sqlmap *open_cf(const char *name, const char *extra,
			      int flags)
{
	struct sbuf *err = sbuf_new(0);
	char path[300], spec[320];
	struct sqlmap *m;
	FILE *fp;

	FMT(path, "%s/%s.cf", tmpdir, name);
	fp = fopen(path, "w");
	cr_assert_not_null(fp);
	fprintf(fp, "dbpath = %s\n%s", dbpath, extra);
	fclose(fp);
	FMT(spec, "sqlite:%s", path);
	m = sqlmap_open(spec, flags, err);
	cr_assert_not_null(m, "%s", sbuf_cstr(err));
	cr_assert_str_eq(sqlmap_name(m), spec);
	sbuf_free(&err);
	return m;
}

/* lookup - returns the result; *value_r is a static copy for asserts */
static enum sqlmap_result lookup(struct sqlmap *m, const char *key,
				 struct sbuf *value)
{
	struct sbuf *err = sbuf_new(0);
	enum sqlmap_result r;

	r = sqlmap_lookup(m, key, value, err);
	if (r != SQLMAP_TEMPFAIL)
		cr_assert_str_empty(sbuf_cstr(err), "%s", sbuf_cstr(err));
	else
		cr_assert_not(sbuf_is_empty(err));
	if (r != SQLMAP_FOUND)
		cr_assert(sbuf_is_empty(value));
	sbuf_free(&err);
	return r;
}

#define ALIAS_Q "query = SELECT goto FROM alias WHERE address='%s' AND active=1\n"

Test(sqlite, found_and_notfound)
{
	struct sqlmap *m = open_cf("a", ALIAS_Q, SQLMAP_FOLD_KEY);
	struct sbuf *v = sbuf_new(0);

	cr_assert_eq(lookup(m, "alice@example.com", v), SQLMAP_FOUND);
	cr_assert_str_eq(sbuf_cstr(v), "alice@example.com");
	cr_assert_eq(lookup(m, "nobody@example.com", v), SQLMAP_NOTFOUND);
	cr_assert_eq(lookup(m, "off@example.com", v), SQLMAP_NOTFOUND);
	/* a %s map looks up "@domain" and bare names as they are */
	cr_assert_eq(lookup(m, "@example.com", v), SQLMAP_FOUND);
	cr_assert_str_eq(sbuf_cstr(v), "catchall@example.net");
	cr_assert_eq(lookup(m, "bob", v), SQLMAP_FOUND);
	cr_assert_str_eq(sbuf_cstr(v), "local-bob");
	sqlmap_close(&m);
	cr_assert_null(m);
	sbuf_free(&v);
}

Test(sqlite, key_folding)
{
	struct sqlmap *m = open_cf("a", ALIAS_Q, SQLMAP_FOLD_KEY);
	struct sqlmap *nf = open_cf("b", ALIAS_Q, 0);
	struct sbuf *v = sbuf_new(0);

	cr_assert_eq(lookup(m, "ALICE@Example.COM", v), SQLMAP_FOUND);
	cr_assert_eq(lookup(nf, "ALICE@Example.COM", v), SQLMAP_NOTFOUND);
	/* Unicode folds too, as postmap with SMTPUTF8: U+00DC -> U+00FC */
	cr_assert_eq(lookup(m, "J\xc3\xbcRGEN@example.com", v), SQLMAP_FOUND);
	cr_assert_eq(lookup(m, "j\xc3\x9crgen@example.com", v), SQLMAP_FOUND);
	cr_assert_eq(lookup(nf, "j\xc3\x9crgen@example.com", v),
		     SQLMAP_NOTFOUND);
	sqlmap_close(&m);
	sqlmap_close(&nf);
	sbuf_free(&v);
}

Test(sqlite, quoting)
{
	struct sqlmap *m = open_cf("a", ALIAS_Q, SQLMAP_FOLD_KEY);
	struct sbuf *v = sbuf_new(0);

	cr_assert_eq(lookup(m, "O'Brien@example.com", v), SQLMAP_FOUND);
	cr_assert_str_eq(sbuf_cstr(v), "ob@example.net");
	cr_assert_eq(lookup(m, "back\\slash@example.com", v), SQLMAP_FOUND);
	cr_assert_eq(lookup(m, "pct%@example.com", v), SQLMAP_FOUND);
	cr_assert_eq(lookup(m, "j\xc3\xbcrgen@example.com", v), SQLMAP_FOUND);
	cr_assert_str_eq(sbuf_cstr(v), "j@example.net");
	sqlmap_close(&m);
	sbuf_free(&v);
}

Test(sqlite, injection_attempts)
{
	static const char *const keys[] = {
		"' OR '1'='1",
		"x' OR 1=1 --",
		"x'; DROP TABLE alias; --",
		"x'; DELETE FROM secret; --",
		"x' UNION SELECT x FROM secret --",
		"\\'; DROP TABLE alias; --",
		"x\\' OR 1=1 --",
		"''''",
	};
	struct sqlmap *m = open_cf("a", ALIAS_Q, SQLMAP_FOLD_KEY);
	struct sbuf *v = sbuf_new(0);
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		cr_assert_eq(lookup(m, keys[i], v), SQLMAP_NOTFOUND, "%s",
			     keys[i]);
	sqlmap_close(&m);
	/* nothing changed */
	m = open_cf("s", "query = SELECT count(*) || '/' || "
			 "(SELECT x FROM secret) FROM alias WHERE '%s'='k'\n",
		    0);
	cr_assert_eq(lookup(m, "k", v), SQLMAP_FOUND);
	cr_assert_str_eq(sbuf_cstr(v), "8/s");
	sqlmap_close(&m);
	sbuf_free(&v);
}

Test(sqlite, rows_joined_null_and_empty)
{
	struct sqlmap *m = open_cf(
		"m", "query = SELECT v, w FROM multi WHERE k='%s'\n", 0);
	struct sbuf *v = sbuf_new(0);

	/* column 0 only; NULL silent; empty warned */
	cr_assert_eq(lookup(m, "m", v), SQLMAP_FOUND);
	cr_assert_str_eq(sbuf_cstr(v), "x@y.com,z@w.org");
	cr_assert(strstr(sbuf_cstr(captured), "empty lookup result for: "
					      "\"m\" -- ignored") != NULL,
		  "%s", sbuf_cstr(captured));
	cr_assert(strstr(sbuf_cstr(captured), "table \"sqlite:") != NULL);
	sbuf_reset(captured);
	/* only empty or NULL values: not found */
	cr_assert_eq(lookup(m, "e", v), SQLMAP_NOTFOUND);
	cr_assert_not(sbuf_is_empty(captured));
	sbuf_reset(captured);
	cr_assert_eq(lookup(m, "n", v), SQLMAP_NOTFOUND);
	cr_assert(sbuf_is_empty(captured));
	sqlmap_close(&m);
	sbuf_free(&v);
}

Test(sqlite, result_format)
{
	struct sqlmap *m = open_cf(
		"m",
		"query = SELECT v FROM multi WHERE k='m' AND '%s'<>''\n"
		"result_format = smtp:[%d] %u %S %D %U %%\n",
		0);
	struct sbuf *v = sbuf_new(0);

	cr_assert_eq(lookup(m, "alice@example.com", v), SQLMAP_FOUND);
	cr_assert_str_eq(sbuf_cstr(v),
			 "smtp:[y.com] x alice@example.com example.com alice "
			 "%,smtp:[w.org] z alice@example.com example.com "
			 "alice %");
	/* %D in result_format: a key without a domain is not queried */
	cr_assert_eq(lookup(m, "alice", v), SQLMAP_NOTFOUND);
	sqlmap_close(&m);
	sbuf_free(&v);
}

Test(sqlite, expansion_limit)
{
	struct sqlmap *m = open_cf(
		"l", "query = SELECT v FROM multi WHERE k='%s'\n"
		     "expansion_limit = 1\n",
		0);
	struct sqlmap *ok = open_cf(
		"l2", "query = SELECT v FROM multi WHERE k='%s'\n"
		      "expansion_limit = 2\n",
		0);
	struct sbuf *v = sbuf_new(0), *err = sbuf_new(0);

	/* two values and a limit of one: a temporary error, no truncation */
	cr_assert_eq(sqlmap_lookup(m, "m", v, err), SQLMAP_TEMPFAIL);
	cr_assert(strstr(sbuf_cstr(err), "expansion limit") != NULL);
	cr_assert(sbuf_is_empty(v));
	/* NULL and empty values do not count */
	cr_assert_eq(lookup(ok, "m", v), SQLMAP_FOUND);
	cr_assert_str_eq(sbuf_cstr(v), "x@y.com,z@w.org");
	sqlmap_close(&m);
	sqlmap_close(&ok);
	sbuf_free(&v);
	sbuf_free(&err);
}

Test(sqlite, alias_domain_pattern)
{
	struct sqlmap *m = open_cf(
		"p",
		"query = SELECT goto FROM alias,alias_domain WHERE "
		"alias_domain.alias_domain = '%d' AND alias.address = "
		"'%u' || '@' || alias_domain.target_domain AND "
		"alias.active=1\n",
		SQLMAP_FOLD_KEY);
	struct sbuf *v = sbuf_new(0);

	cr_assert_eq(lookup(m, "Alice@Alias.org", v), SQLMAP_FOUND);
	cr_assert_str_eq(sbuf_cstr(v), "alice@example.com");
	/* suppressed: no SQL is sent for these */
	cr_assert_eq(lookup(m, "alice", v), SQLMAP_NOTFOUND);
	cr_assert_eq(lookup(m, "@alias.org", v), SQLMAP_NOTFOUND);
	cr_assert_eq(lookup(m, "alice@", v), SQLMAP_NOTFOUND);
	sqlmap_close(&m);
	sbuf_free(&v);
}

Test(sqlite, suppressed_keys_send_no_sql)
{
	/* this query cannot prepare: only a suppressed key avoids TEMPFAIL */
	struct sqlmap *m = open_cf("x", "query = SELECT FROM WHERE %d\n", 0);
	struct sbuf *v = sbuf_new(0);

	cr_assert_eq(lookup(m, "nodomain", v), SQLMAP_NOTFOUND);
	cr_assert_eq(lookup(m, "a@b.c", v), SQLMAP_TEMPFAIL);
	sqlmap_close(&m);
	sbuf_free(&v);
}

Test(sqlite, empty_key)
{
	struct sqlmap *m = open_cf("a", ALIAS_Q, 0);
	struct sbuf *v = sbuf_new(0);

	cr_assert_eq(lookup(m, "", v), SQLMAP_NOTFOUND);
	cr_assert(strstr(sbuf_cstr(captured), "empty query string -- "
					      "ignored") != NULL);
	sqlmap_close(&m);
	sbuf_free(&v);
}

Test(sqlite, non_utf8_key)
{
	struct sqlmap *m = open_cf("a", ALIAS_Q, 0);
	struct sbuf *v = sbuf_new(0);

	cr_assert_eq(lookup(m, "\xff\xfeX", v), SQLMAP_NOTFOUND);
	cr_assert(strstr(sbuf_cstr(captured), "non-UTF-8 key") != NULL);
	/* overlong "/" and a surrogate */
	cr_assert_eq(lookup(m, "\xc0\xaf", v), SQLMAP_NOTFOUND);
	cr_assert_eq(lookup(m, "\xed\xa0\x80", v), SQLMAP_NOTFOUND);
	sqlmap_close(&m);
	sbuf_free(&v);
}

Test(sqlite, non_utf8_value_is_tempfail)
{
	struct sqlmap *m = open_cf("a", "query = SELECT X'ff41'\n", 0);
	struct sbuf *v = sbuf_new(0);

	cr_assert_eq(lookup(m, "k", v), SQLMAP_TEMPFAIL);
	sqlmap_close(&m);
	sbuf_free(&v);
}

Test(sqlite, missing_db_is_error_and_not_created)
{
	struct sbuf *v = sbuf_new(0), *err = sbuf_new(0);
	struct sqlmap *m;
	struct stat st;

	FMT(dbpath, "%s/missing.db", tmpdir);
	m = open_cf("miss", ALIAS_Q, 0);
	cr_assert_eq(sqlmap_lookup(m, "alice@example.com", v, err),
		     SQLMAP_TEMPFAIL);
	cr_assert(strstr(sbuf_cstr(err), "missing.db") != NULL, "%s",
		  sbuf_cstr(err));
	cr_assert(strstr(sbuf_cstr(err), "sqlite:") == sbuf_cstr(err));
	cr_assert_neq(stat(dbpath, &st), 0);
	sqlmap_close(&m);
	sbuf_free(&v);
	sbuf_free(&err);
}

Test(sqlite, bad_sql_is_tempfail)
{
	struct sqlmap *m =
		open_cf("bad", "query = SELECT v FROM nosuchtable WHERE "
			       "k='%s'\n",
			0);
	struct sqlmap *syn = open_cf("syn", "query = SELEKT '%s'\n", 0);
	struct sbuf *v = sbuf_new(0), *err = sbuf_new(0);

	cr_assert_eq(sqlmap_lookup(m, "k", v, err), SQLMAP_TEMPFAIL);
	cr_assert(strstr(sbuf_cstr(err), "SQL prepare failed: no such "
					 "table") != NULL,
		  "%s", sbuf_cstr(err));
	sbuf_reset(err);
	cr_assert_eq(sqlmap_lookup(syn, "k", v, err), SQLMAP_TEMPFAIL);
	sqlmap_close(&m);
	sqlmap_close(&syn);
	sbuf_free(&v);
	sbuf_free(&err);
}

Test(sqlite, runaway_query_times_out, .timeout = 30)
{
	struct sqlmap *m = open_cf(
		"slow",
		"query = WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT "
		"x+1 FROM c) SELECT x FROM c WHERE x < 0 AND '%s'<>''\n",
		0);
	struct sbuf *v = sbuf_new(0), *err = sbuf_new(0);

	cr_assert_eq(sqlmap_lookup(m, "k", v, err), SQLMAP_TEMPFAIL);
	cr_assert(strstr(sbuf_cstr(err), "longer than") != NULL, "%s",
		  sbuf_cstr(err));
	sqlmap_close(&m);
	sbuf_free(&v);
	sbuf_free(&err);
}

Test(sqlite, too_many_rows)
{
	struct sqlmap *m = open_cf(
		"many",
		"query = WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT "
		"x+1 FROM c WHERE x < 20000) SELECT x FROM c WHERE '%s'<>''\n",
		0);
	struct sbuf *v = sbuf_new(0), *err = sbuf_new(0);

	cr_assert_eq(sqlmap_lookup(m, "k", v, err), SQLMAP_TEMPFAIL);
	sqlmap_close(&m);
	sbuf_free(&v);
	sbuf_free(&err);
}

Test(sqlite, long_key)
{
	struct sqlmap *m = open_cf("a", ALIAS_Q, 0);
	struct sbuf *v = sbuf_new(0), *err = sbuf_new(0);
	char *key = malloc(SQLMAP_MAX_KEY + 2);

	memset(key, 'a', SQLMAP_MAX_KEY);
	key[SQLMAP_MAX_KEY] = '\0';
	cr_assert_eq(sqlmap_lookup(m, key, v, err), SQLMAP_NOTFOUND);
	key[SQLMAP_MAX_KEY] = 'a';
	key[SQLMAP_MAX_KEY + 1] = '\0';
	cr_assert_eq(sqlmap_lookup(m, key, v, err), SQLMAP_TEMPFAIL);
	free(key);
	sqlmap_close(&m);
	sbuf_free(&v);
	sbuf_free(&err);
}

Test(sqlite, domain_list)
{
	struct sqlmap *m = open_cf(
		"dom", ALIAS_Q "domain = example.com, !blocked.example.com\n",
		SQLMAP_FOLD_KEY);
	struct sbuf *v = sbuf_new(0);

	cr_assert_eq(lookup(m, "alice@EXAMPLE.com", v), SQLMAP_FOUND);
	/* not user@listed-domain: never queried */
	cr_assert_eq(lookup(m, "@example.com", v), SQLMAP_NOTFOUND);
	cr_assert_eq(lookup(m, "bob", v), SQLMAP_NOTFOUND);
	cr_assert_eq(lookup(m, "alice@other.com", v), SQLMAP_NOTFOUND);
	cr_assert_eq(lookup(m, "x@blocked.example.com", v), SQLMAP_NOTFOUND);
	/* the empty key is skipped silently before the empty-key warning */
	cr_assert_eq(lookup(m, "", v), SQLMAP_NOTFOUND);
	cr_assert(sbuf_is_empty(captured), "%s", sbuf_cstr(captured));
	sqlmap_close(&m);
	sbuf_free(&v);
}

Test(sqlite, legacy_parameters)
{
	struct sqlmap *m = open_cf("leg",
				   "table = alias\nselect_field = goto\n"
				   "where_field = address\n"
				   "additional_conditions = AND active = 1\n",
				   SQLMAP_FOLD_KEY);
	struct sbuf *v = sbuf_new(0);

	cr_assert_eq(lookup(m, "Alice@example.com", v), SQLMAP_FOUND);
	cr_assert_eq(lookup(m, "off@example.com", v), SQLMAP_NOTFOUND);
	sqlmap_close(&m);
	sbuf_free(&v);
}

Test(sqlite, value_buffer_is_replaced)
{
	struct sqlmap *m = open_cf("a", ALIAS_Q, 0);
	struct sbuf *v = sbuf_new(0);

	sbuf_set(v, "stale");
	cr_assert_eq(lookup(m, "nobody", v), SQLMAP_NOTFOUND);
	sbuf_set(v, "stale");
	cr_assert_eq(lookup(m, "bob", v), SQLMAP_FOUND);
	cr_assert_str_eq(sbuf_cstr(v), "local-bob");
	sqlmap_close(&m);
	sbuf_free(&v);
}
