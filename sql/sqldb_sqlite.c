/* sqldb_sqlite.c - sqldb driver for SQLite */
#include "config.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "sqldb.h"
#include "sqldb_impl.h"

#define SQLDB_SQLITE_BUSY_MS 10000 /* wait this long for a writer */

/* sqldb_sqlite_classify - map an SQLite result code to our outcomes */
static enum sqldb_result sqldb_sqlite_classify(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return SQLDB_OK;
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_TOOBIG:
		return SQLDB_CONSTRAINT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_NOMEM:
	case SQLITE_CANTOPEN:
	case SQLITE_PROTOCOL:
		return SQLDB_TEMPFAIL;
	default:
		return SQLDB_ERROR;
	}
}

/* sqldb_sqlite_open - open (and maybe create) a database file */
static enum sqldb_result sqldb_sqlite_open(const struct sqldb_params *p,
					   void **conn_r, struct sbuf *err)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
	sqlite3 *db = NULL;
	int rc;

	if (p->path == NULL || *p->path == '\0') {
		sbuf_printf(err, "sqlite: no database path");
		return SQLDB_ERROR;
	}
	if (p->create)
		flags |= SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(p->path, &db, flags, NULL);
	if (rc != SQLITE_OK) {
		sbuf_printf(err, "sqlite: open %s: %s", p->path,
			    db != NULL ? sqlite3_errmsg(db)
				       : sqlite3_errstr(rc));
		sqlite3_close(db);
		/* A missing file is a setup problem, not an outage. */
		return (rc & 0xff) == SQLITE_CANTOPEN ? SQLDB_ERROR
						      : sqldb_sqlite_classify(rc);
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, SQLDB_SQLITE_BUSY_MS);
	*conn_r = db;
	return SQLDB_OK;
}

/* sqldb_sqlite_close - close the handle */
static void sqldb_sqlite_close(void *conn)
{
	sqlite3_close(conn);
}

/* sqldb_sqlite_exec - prepare, bind, step through every row */
static enum sqldb_result sqldb_sqlite_exec(void *conn, const char *sql,
					   const char *const *args,
					   size_t nargs,
					   struct sqldb_rows **rows_r,
					   unsigned long *changes_r,
					   struct sbuf *err)
{
	sqlite3 *db = conn;
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	enum sqldb_result r = SQLDB_ERROR;
	int rc, ncols, i;
	size_t a;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, &tail);
	if (rc != SQLITE_OK) {
		sbuf_printf(err, "sqlite: %s", sqlite3_errmsg(db));
		r = sqldb_sqlite_classify(rc);
		if (r == SQLDB_OK || r == SQLDB_CONSTRAINT)
			r = SQLDB_ERROR;
		goto out;
	}
	if (st == NULL || (tail != NULL && *tail != '\0' &&
			   strspn(tail, " \t\r\n;") != strlen(tail))) {
		sbuf_printf(err, "sqlite: expected exactly one statement");
		goto out;
	}
	if ((size_t)sqlite3_bind_parameter_count(st) != nargs) {
		sbuf_printf(err, "sqlite: statement has %d placeholders, "
			    "%zu arguments given",
			    sqlite3_bind_parameter_count(st), nargs);
		goto out;
	}
	for (a = 0; a < nargs; a++) {
		rc = args[a] == NULL
			     ? sqlite3_bind_null(st, (int)a + 1)
			     : sqlite3_bind_text(st, (int)a + 1, args[a], -1,
						 SQLITE_TRANSIENT);
		if (rc != SQLITE_OK) {
			sbuf_printf(err, "sqlite: bind: %s",
				    sqlite3_errmsg(db));
			r = sqldb_sqlite_classify(rc);
			goto out;
		}
	}
	ncols = sqlite3_column_count(st);
	if (rows_r != NULL) {
		*rows_r = sqldb_rows_new((size_t)ncols);
		for (i = 0; i < ncols; i++)
			sqldb_rows_set_name(*rows_r, (size_t)i,
					    sqlite3_column_name(st, i));
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (rows_r == NULL)
			continue;
		for (i = 0; i < ncols; i++) {
			const unsigned char *v = sqlite3_column_text(st, i);

			sqldb_rows_add(*rows_r, (const char *)v,
				       v != NULL ? (size_t)sqlite3_column_bytes(
							   st, i)
						 : 0);
		}
	}
	if (rc != SQLITE_DONE) {
		sbuf_printf(err, "sqlite: %s", sqlite3_errmsg(db));
		r = sqldb_sqlite_classify(rc);
		if (r == SQLDB_OK)
			r = SQLDB_ERROR;
		if (rows_r != NULL)
			sqldb_rows_free(rows_r);
		goto out;
	}
	if (!sqlite3_stmt_readonly(st))
		*changes_r = (unsigned long)sqlite3_changes(db);
	r = SQLDB_OK;
out:
	sqlite3_finalize(st);
	return r;
}

/* sqldb_sqlite_escape - sqlite3_mprintf("%q"): double every "'" */
static int sqldb_sqlite_escape(void *conn, const char *s, struct sbuf *out)
{
	size_t n;

	(void)conn;
	while (*s != '\0') {
		n = strcspn(s, "'");
		if (sbuf_append(out, s, n) < 0)
			return -1;
		s += n;
		if (*s == '\'') {
			if (sbuf_append(out, "''", 2) < 0)
				return -1;
			s++;
		}
	}
	return 0;
}

const struct sqldb_driver sqldb_sqlite_driver = {
	.open = sqldb_sqlite_open,
	.close = sqldb_sqlite_close,
	.exec = sqldb_sqlite_exec,
	/* IMMEDIATE: take the write lock now, so two writers cannot both
	 * read and then deadlock on the upgrade to a write lock */
	.begin_sql = "BEGIN IMMEDIATE",
	.escape = sqldb_sqlite_escape,
};
