/* sqldb_test.c - the admin SQL connection on real SQLite files */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbuf.h"
#include "sqldb.h"

static char tmpdir[] = "/tmp/sqldb_test.XXXXXX";
static char dbpath[sizeof(tmpdir) + 16];
static struct sqldb *db;
static struct sbuf *err;

/* setup - a fresh database file with one table */
static void setup(void)
{
	struct sqldb_params p = {.type = SQLDB_SQLITE, .create = true};

	cr_assert_not_null(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof(dbpath), "%s/t.db", tmpdir);
	p.path = dbpath;
	err = sbuf_new(64);
	cr_assert_eq(sqldb_open(&p, &db, err), SQLDB_OK, "%s",
		     sbuf_cstr(err));
	cr_assert_eq(sqldb_exec(db, "CREATE TABLE t (k VARCHAR(255) NOT NULL"
				    " COLLATE NOCASE PRIMARY KEY, v TEXT)",
				NULL, 0, NULL, err),
		     SQLDB_OK, "%s", sbuf_cstr(err));
}

/* teardown - close and remove the files */
static void teardown(void)
{
	sqldb_close(&db);
	sbuf_free(&err);
	unlink(dbpath);
	rmdir(tmpdir);
}

TestSuite(sqldb, .init = setup, .fini = teardown);

/* put - insert one row */
static enum sqldb_result put(const char *k, const char *v)
{
	const char *args[] = {k, v};

	return sqldb_exec(db, "INSERT INTO t (k, v) VALUES (?, ?)", args, 2,
			  NULL, err);
}

Test(sqldb, insert_select_null)
{
	struct sqldb_rows *rows = NULL;
	const char *k = "a";

	cr_assert_eq(put("a", NULL), SQLDB_OK);
	cr_expect_eq(sqldb_changes(db), 1);
	cr_assert_eq(sqldb_exec(db, "SELECT k, v FROM t WHERE k = ?", &k, 1,
				&rows, err),
		     SQLDB_OK);
	cr_assert_eq(sqldb_rows_count(rows), 1);
	cr_expect_eq(sqldb_rows_columns(rows), 2);
	cr_expect_str_eq(sqldb_rows_get(rows, 0, 0), "a");
	cr_expect_null(sqldb_rows_get(rows, 0, 1));
	sqldb_rows_free(&rows);
	cr_expect_null(rows);
}

Test(sqldb, arguments_are_data_not_sql)
{
	struct sqldb_rows *rows = NULL;
	const char *evil = "x'); DROP TABLE t; --";

	cr_assert_eq(put(evil, "?"), SQLDB_OK, "%s", sbuf_cstr(err));
	cr_assert_eq(sqldb_exec(db, "SELECT v FROM t WHERE k = ?", &evil, 1,
				&rows, err),
		     SQLDB_OK);
	cr_assert_eq(sqldb_rows_count(rows), 1);
	cr_expect_str_eq(sqldb_rows_get(rows, 0, 0), "?");
	sqldb_rows_free(&rows);
}

Test(sqldb, duplicate_is_constraint)
{
	cr_assert_eq(put("a", "1"), SQLDB_OK);
	cr_expect_eq(put("A", "2"), SQLDB_CONSTRAINT, "NOCASE key");
	cr_expect_neq(sbuf_len(err), 0);
}

Test(sqldb, not_null_is_constraint)
{
	cr_expect_eq(put(NULL, "1"), SQLDB_CONSTRAINT);
}

Test(sqldb, bad_sql_is_error)
{
	cr_expect_eq(sqldb_exec(db, "SELECT nope FROM t", NULL, 0, NULL, err),
		     SQLDB_ERROR);
	cr_expect_eq(sqldb_exec(db, "SELECT 1 FROM missing", NULL, 0, NULL,
				err),
		     SQLDB_ERROR);
}

Test(sqldb, argument_count_must_match)
{
	const char *args[] = {"a", "b", "c"};

	cr_expect_eq(sqldb_exec(db, "INSERT INTO t (k, v) VALUES (?, ?)",
				args, 3, NULL, err),
		     SQLDB_ERROR);
	cr_expect_eq(sqldb_exec(db, "INSERT INTO t (k, v) VALUES (?, ?)",
				args, 1, NULL, err),
		     SQLDB_ERROR);
}

Test(sqldb, one_statement_only)
{
	cr_expect_eq(sqldb_exec(db, "SELECT 1; DELETE FROM t", NULL, 0, NULL,
				err),
		     SQLDB_ERROR);
	cr_expect_eq(sqldb_exec(db, "SELECT 1;  ", NULL, 0, NULL, err),
		     SQLDB_OK);
}

Test(sqldb, rollback_undoes)
{
	struct sqldb_rows *rows = NULL;

	cr_assert_eq(sqldb_begin(db, err), SQLDB_OK);
	cr_assert_eq(put("a", "1"), SQLDB_OK);
	sqldb_rollback(db);
	cr_assert_eq(sqldb_begin(db, err), SQLDB_OK);
	cr_assert_eq(put("b", "1"), SQLDB_OK);
	cr_assert_eq(sqldb_commit(db, err), SQLDB_OK);
	cr_assert_eq(sqldb_exec(db, "SELECT k FROM t", NULL, 0, &rows, err),
		     SQLDB_OK);
	cr_assert_eq(sqldb_rows_count(rows), 1);
	cr_expect_str_eq(sqldb_rows_get(rows, 0, 0), "b");
	sqldb_rows_free(&rows);
}

Test(sqldb, update_counts_matched_rows)
{
	const char *args[] = {"1", "a"};

	cr_assert_eq(put("a", "1"), SQLDB_OK);
	cr_assert_eq(sqldb_exec(db, "UPDATE t SET v = ? WHERE k = ?", args, 2,
				NULL, err),
		     SQLDB_OK);
	cr_expect_eq(sqldb_changes(db), 1, "same value still counts");
	args[1] = "zz";
	cr_assert_eq(sqldb_exec(db, "UPDATE t SET v = ? WHERE k = ?", args, 2,
				NULL, err),
		     SQLDB_OK);
	cr_expect_eq(sqldb_changes(db), 0);
}

Test(sqldb, locked_database_is_tempfail)
{
	struct sqldb_params p = {.type = SQLDB_SQLITE, .path = dbpath};
	struct sqldb *other = NULL;

	cr_assert_eq(sqldb_open(&p, &other, err), SQLDB_OK);
	cr_assert_eq(sqldb_exec(other, "PRAGMA busy_timeout = 0", NULL, 0,
				NULL, err),
		     SQLDB_OK);
	cr_assert_eq(sqldb_begin(db, err), SQLDB_OK);
	cr_expect_eq(sqldb_begin(other, err), SQLDB_TEMPFAIL);
	sqldb_rollback(db);
	sqldb_close(&other);
	cr_expect_null(other);
}

Test(sqldb, missing_file_without_create)
{
	struct sqldb_params p = {.type = SQLDB_SQLITE};
	struct sqldb *other = NULL;
	char path[sizeof(tmpdir) + 32];

	snprintf(path, sizeof(path), "%s/absent.db", tmpdir);
	p.path = path;
	cr_expect_eq(sqldb_open(&p, &other, err), SQLDB_ERROR);
	cr_expect_null(other);
	cr_expect_neq(access(path, F_OK), 0, "must not be created");
}

Test(sqldb, timestamp_format)
{
	char ts[SQLDB_TIMESTAMP_SIZE];

	sqldb_timestamp(ts);
	cr_expect_eq(strlen(ts), 19);
	cr_expect_eq(ts[4], '-');
	cr_expect_eq(ts[10], ' ');
	cr_expect_eq(ts[13], ':');
}

/* values are wiped, then freed, by sqldb_rows_free: whatever their form
 * (NULL, empty, a long PEM-sized text, text cut at an embedded NUL) the
 * result must free cleanly, once, and leave the handle NULL */
Test(sqldb, rows_free_wipes_every_value_form)
{
	struct sqldb_rows *rows = NULL;
	size_t big = 70000;
	char *pem = malloc(big + 1);

	cr_assert_not_null(pem);
	memset(pem, 'K', big);
	pem[big] = '\0';
	cr_assert_eq(put("null", NULL), SQLDB_OK);
	cr_assert_eq(put("empty", ""), SQLDB_OK);
	cr_assert_eq(put("pem", pem), SQLDB_OK, "%s", sbuf_cstr(err));
	cr_assert_eq(sqldb_exec(db, "INSERT INTO t (k, v) VALUES ('nul', "
				    "CAST(X'61620063' AS TEXT))",
				NULL, 0, NULL, err),
		     SQLDB_OK, "%s", sbuf_cstr(err));
	cr_assert_eq(sqldb_exec(db, "SELECT k, v FROM t ORDER BY k", NULL, 0,
				&rows, err),
		     SQLDB_OK, "%s", sbuf_cstr(err));
	cr_assert_eq(sqldb_rows_count(rows), 4);
	cr_expect_str_eq(sqldb_rows_get(rows, 0, 1), "");
	cr_expect_str_eq(sqldb_rows_get(rows, 1, 1), "ab");
	cr_expect_null(sqldb_rows_get(rows, 2, 1));
	cr_expect_eq(strlen(sqldb_rows_get(rows, 3, 1)), big);
	sqldb_rows_free(&rows);
	cr_expect_null(rows);
	sqldb_rows_free(&rows); /* NULL-safe */
	free(pem);
}
