/* sqlschema_test.c - schema and migrations on real SQLite files */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbuf.h"
#include "sqldb.h"
#include "sqlschema.h"

static char tmpdir[] = "/tmp/sqlschema_test.XXXXXX";
static char dbpath[sizeof(tmpdir) + 16];
static struct sqldb *db;
static struct sbuf *err;

/* setup - an empty database file */
static void setup(void)
{
	struct sqldb_params p = {.type = SQLDB_SQLITE, .create = true};

	cr_assert_not_null(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof(dbpath), "%s/t.db", tmpdir);
	p.path = dbpath;
	err = sbuf_new(64);
	cr_assert_eq(sqldb_open(&p, &db, err), SQLDB_OK, "%s",
		     sbuf_cstr(err));
}

/* teardown - close and remove the files */
static void teardown(void)
{
	sqldb_close(&db);
	sbuf_free(&err);
	unlink(dbpath);
	rmdir(tmpdir);
}

TestSuite(sqlschema, .init = setup, .fini = teardown);

/* exec - run a statement, expect a result */
static void exec(const char *sql, enum sqldb_result want)
{
	sbuf_reset(err);
	cr_expect_eq(sqldb_exec(db, sql, NULL, 0, NULL, err), want, "%s: %s",
		     sql, sbuf_cstr(err));
}

/* count - one number from a query */
static long count(const char *sql)
{
	struct sqldb_rows *rows = NULL;
	long n;

	cr_assert_eq(sqldb_exec(db, sql, NULL, 0, &rows, err), SQLDB_OK,
		     "%s: %s", sql, sbuf_cstr(err));
	cr_assert_eq(sqldb_rows_count(rows), 1);
	n = strtol(sqldb_rows_get(rows, 0, 0), NULL, 10);
	sqldb_rows_free(&rows);
	return n;
}

/* migrate - bring the database to the latest version */
static void migrate(void)
{
	unsigned int from = 99, to = 99;

	cr_assert_eq(sqlschema_migrate(db, &from, &to, err), SQLDB_OK, "%s",
		     sbuf_cstr(err));
	cr_expect_eq(from, 0);
	cr_expect_eq(to, sqlschema_latest());
}

Test(sqlschema, empty_database_is_version_0)
{
	unsigned int v = 99;

	cr_assert_eq(sqlschema_current(db, &v, err), SQLDB_OK);
	cr_expect_eq(v, 0);
	cr_expect_eq(sqlschema_check(db, err), SQLDB_ERROR);
	cr_expect_neq(strstr(sbuf_cstr(err), "db init"), NULL);
}

Test(sqlschema, migrate_creates_postfixadmin_tables)
{
	unsigned int v = 0, from = 99;

	migrate();
	cr_assert_eq(sqlschema_current(db, &v, err), SQLDB_OK);
	cr_expect_eq(v, sqlschema_latest());
	cr_expect_eq(sqlschema_check(db, err), SQLDB_OK);
	/* PostfixAdmin's dummy row, and only one of it */
	cr_expect_eq(count("SELECT COUNT(*) FROM domain WHERE domain = 'ALL'"),
		     1);
	cr_expect_eq(count("SELECT COUNT(*) FROM schema_version"),
		     (long)sqlschema_latest());
	/* running again is a no-op */
	cr_assert_eq(sqlschema_migrate(db, &from, &v, err), SQLDB_OK);
	cr_expect_eq(from, sqlschema_latest());
	cr_expect_eq(count("SELECT COUNT(*) FROM domain"), 1);
}

Test(sqlschema, postfix_queries_work)
{
	migrate();
	exec("INSERT INTO domain (domain, description, transport)"
	     " VALUES ('example.com', '', 'virtual')",
	     SQLDB_OK);
	exec("INSERT INTO mailbox (username, password, name, maildir,"
	     " local_part, domain) VALUES ('alice@example.com', 'x', 'Alice',"
	     " 'example.com/alice/', 'alice', 'example.com')",
	     SQLDB_OK);
	exec("INSERT INTO alias (address, goto, domain) VALUES"
	     " ('alice@example.com', 'alice@example.com', 'example.com')",
	     SQLDB_OK);
	exec("INSERT INTO alias_domain (alias_domain, target_domain)"
	     " VALUES ('example.org', 'example.com')",
	     SQLDB_OK);
	/* the canonical PostfixAdmin queries, SQLite spelling */
	cr_expect_eq(count("SELECT COUNT(*) FROM domain WHERE domain ="
			   " 'EXAMPLE.com' AND active = '1' AND domain != "
			   "'ALL'"),
		     1, "case-insensitive like MySQL's latin1_general_ci");
	cr_expect_eq(count("SELECT COUNT(*) FROM mailbox WHERE username ="
			   " 'Alice@Example.COM' AND active = '1'"),
		     1);
	cr_expect_eq(count("SELECT COUNT(*) FROM alias, alias_domain"
			   " WHERE alias_domain.alias_domain = 'example.org'"
			   " AND alias.address = 'alice' || '@' ||"
			   " alias_domain.target_domain AND alias.active = '1'"
			   " AND alias_domain.active = '1'"),
		     1);
}

Test(sqlschema, keys_are_unique_ignoring_case)
{
	migrate();
	exec("INSERT INTO domain (domain, description, transport)"
	     " VALUES ('example.com', '', '')",
	     SQLDB_OK);
	exec("INSERT INTO domain (domain, description, transport)"
	     " VALUES ('Example.COM', '', '')",
	     SQLDB_CONSTRAINT);
}

Test(sqlschema, dkim_key_constraints)
{
	migrate();
	exec("INSERT INTO dkim_key (domain, selector, algorithm, private_key,"
	     " public_key) VALUES ('example.com', 's1', 'rsa', 'k', 'p')",
	     SQLDB_OK);
	exec("INSERT INTO dkim_key (domain, selector, algorithm, private_key,"
	     " public_key) VALUES ('example.com', 's1', 'ed25519', 'k', 'p')",
	     SQLDB_OK);
	exec("INSERT INTO dkim_key (domain, selector, algorithm, private_key,"
	     " public_key) VALUES ('example.com', 'S1', 'rsa', 'k', 'p')",
	     SQLDB_CONSTRAINT);
	exec("INSERT INTO dkim_key (domain, selector, algorithm, private_key,"
	     " public_key) VALUES ('example.com', 's2', 'dsa', 'k', 'p')",
	     SQLDB_CONSTRAINT);
}

Test(sqlschema, newer_database_is_refused)
{
	unsigned int from = 0, to = 0;

	migrate();
	exec("INSERT INTO schema_version (version, applied)"
	     " VALUES (999, '2000-01-01 00:00:00')",
	     SQLDB_OK);
	cr_expect_eq(sqlschema_migrate(db, &from, &to, err), SQLDB_ERROR);
	cr_expect_eq(from, 999);
	cr_expect_neq(strstr(sbuf_cstr(err), "newer"), NULL);
	cr_expect_eq(sqlschema_check(db, err), SQLDB_ERROR);
}

Test(sqlschema, adopts_existing_postfixadmin_tables)
{
	/* a PostfixAdmin database: tables and the ALL row, no schema_version */
	exec("CREATE TABLE domain (domain VARCHAR(255) NOT NULL PRIMARY KEY,"
	     " description VARCHAR(255) NOT NULL, transport VARCHAR(255),"
	     " created DATETIME, modified DATETIME)",
	     SQLDB_OK);
	exec("INSERT INTO domain VALUES ('ALL', '', '', '2000-01-01 00:00:00',"
	     " '2000-01-01 00:00:00')",
	     SQLDB_OK);
	migrate();
	cr_expect_eq(count("SELECT COUNT(*) FROM domain"), 1);
}

Test(sqlschema, dump_both_dialects)
{
	struct sbuf *out = sbuf_new(4096);
	const char *s;

	sqlschema_dump(SQLDB_MYSQL, out);
	s = sbuf_cstr(out);
	cr_expect_neq(strstr(s, "CREATE TABLE IF NOT EXISTS `mailbox`"), NULL);
	cr_expect_neq(strstr(s, "latin1_general_ci"), NULL);
	cr_expect_neq(strstr(s, "INSERT INTO schema_version"), NULL);
	sbuf_reset(out);
	sqlschema_dump(SQLDB_SQLITE, out);
	s = sbuf_cstr(out);
	cr_expect_neq(strstr(s, "COLLATE NOCASE"), NULL);
	cr_expect_null(strstr(s, "`"));
	sbuf_free(&out);
}

Test(sqlschema, dump_runs_on_sqlite)
{
	struct sbuf *out = sbuf_new(4096);
	unsigned int v = 0;
	char cmd[256];
	FILE *fp;

	if (system("command -v sqlite3 >/dev/null 2>&1") != 0)
		cr_skip_test("no sqlite3 shell");
	/* the script alone makes a database the program accepts */
	sqlschema_dump(SQLDB_SQLITE, out);
	snprintf(cmd, sizeof(cmd), "sqlite3 -bail %s", dbpath);
	fp = popen(cmd, "w");
	cr_assert_not_null(fp);
	fputs(sbuf_cstr(out), fp);
	cr_assert_eq(pclose(fp), 0);
	cr_assert_eq(sqlschema_current(db, &v, err), SQLDB_OK);
	cr_expect_eq(v, sqlschema_latest());
	sbuf_free(&out);
}
