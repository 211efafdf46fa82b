/* sqlmap_sqlite.c - the SQLite backend of sqlmap (sqlite_table(5)) */
#include "config.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sbuf.h"
#include "sqlmap_sqlite.h"
#include "xalloc.h"

struct sqlmap_sqlite {
	char *dbpath;
	sqlite3 *db;           /* NULL until the first lookup opens it */
	struct timespec deadline; /* of the running query */
	bool timed_out;
};

/* sqlmap_sqlite_open - remember dbpath */
struct sqlmap_sqlite *sqlmap_sqlite_open(const char *dbpath)
{
	struct sqlmap_sqlite *db = xcalloc(1, sizeof(*db));

	db->dbpath = xstrdup(dbpath);
	return db;
}

/* sqlite_progress - interrupt a query that runs past its deadline */
static int sqlite_progress(void *arg)
{
	struct sqlmap_sqlite *db = arg;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > db->deadline.tv_sec ||
	    (now.tv_sec == db->deadline.tv_sec &&
	     now.tv_nsec >= db->deadline.tv_nsec)) {
		db->timed_out = true;
		return 1;
	}
	return 0;
}

/*
 * sqlite_connect - open the database file read-write but without
 * SQLITE_OPEN_CREATE: Postfix would create an empty file and answer "not
 * found" for everything, which hides a typo in dbpath.
 */
static int sqlite_connect(struct sqlmap_sqlite *db, struct sbuf *err)
{
	int rc;

	if (db->db != NULL)
		return 0;
	rc = sqlite3_open_v2(db->dbpath, &db->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		sbuf_printf(err, "open database %s: %s", db->dbpath,
			    db->db != NULL ? sqlite3_errmsg(db->db)
					   : sqlite3_errstr(rc));
		sqlite3_close(db->db);
		db->db = NULL;
		return -1;
	}
	sqlite3_extended_result_codes(db->db, 1);
	sqlite3_busy_timeout(db->db, SQLMAP_SQLITE_BUSY_MS);
	sqlite3_progress_handler(db->db, 1000, sqlite_progress, db);
	return 0;
}

/* sqlmap_sqlite_quote - sqlite3_mprintf("%q"), as Postfix quotes */
int sqlmap_sqlite_quote(const char *s, struct sbuf *out, void *arg)
{
	char *q = sqlite3_mprintf("%q", s);
	int rc;

	if (q == NULL)
		return -1;
	rc = sbuf_append_str(out, q);
	sqlite3_free(q);
	return rc;
}

/* sqlmap_sqlite_lookup - run the query, feed column 0 of each row to fn */
enum sqlmap_result sqlmap_sqlite_lookup(struct sqlmap_sqlite *db,
					const struct sqlmap_expand *ctx,
					const char *tmpl, const char *key,
					sqlmap_value_fn *fn, void *arg,
					struct sbuf *err)
{
	struct sbuf *sql = sbuf_new_max(256, SQLMAP_SQLITE_MAX_QUERY);
	enum sqlmap_result ret = SQLMAP_TEMPFAIL;
	sqlite3_stmt *stmt = NULL;
	unsigned int rows = 0;
	int rc;

	switch (sqlmap_expand_query(ctx, tmpl, key, sqlmap_sqlite_quote, NULL,
				    sql)) {
	case SQLMAP_EXPAND_OK:
		break;
	case SQLMAP_EXPAND_SKIP: /* the caller checked: cannot happen */
		sbuf_append_str(err, "query suppressed");
		goto out;
	case SQLMAP_EXPAND_TOOBIG:
		sbuf_printf(err, "expanded query longer than %u bytes",
			    SQLMAP_SQLITE_MAX_QUERY);
		goto out;
	}
	if (sqlite_connect(db, err) < 0)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &db->deadline);
	db->deadline.tv_sec += SQLMAP_SQLITE_QUERY_MS / 1000;
	db->deadline.tv_nsec += (SQLMAP_SQLITE_QUERY_MS % 1000) * 1000000L;
	if (db->deadline.tv_nsec >= 1000000000L) {
		db->deadline.tv_sec++;
		db->deadline.tv_nsec -= 1000000000L;
	}
	db->timed_out = false;

	/* Postfix ignores text after the first statement */
	if (sqlite3_prepare_v2(db->db, sbuf_cstr(sql), -1, &stmt, NULL) !=
	    SQLITE_OK) {
		/* fatal in Postfix; never "not found" here */
		sbuf_printf(err, "SQL prepare failed: %s",
			    sqlite3_errmsg(db->db));
		goto out;
	}
	if (stmt == NULL) {
		sbuf_append_str(err, "SQL step failed: empty query");
		goto out;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (++rows > SQLMAP_SQLITE_MAX_ROWS) {
			sbuf_printf(err, "more than %u result rows",
				    SQLMAP_SQLITE_MAX_ROWS);
			goto out;
		}
		if (fn((const char *)sqlite3_column_text(stmt, 0), arg) < 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		if (db->timed_out)
			sbuf_printf(err, "SQL step failed: query took longer "
					 "than %u ms",
				    SQLMAP_SQLITE_QUERY_MS);
		else
			sbuf_printf(err, "SQL step failed: %s",
				    sqlite3_errmsg(db->db));
		goto out;
	}
	ret = SQLMAP_FOUND;
out:
	sqlite3_finalize(stmt);
	sbuf_free(&sql);
	return ret;
}

/* sqlmap_sqlite_close - close the database; NULL-safe */
void sqlmap_sqlite_close(struct sqlmap_sqlite **dbp)
{
	struct sqlmap_sqlite *db = *dbp;

	if (db == NULL)
		return;
	sqlite3_close(db->db);
	free(db->dbpath);
	free(db);
	*dbp = NULL;
}
