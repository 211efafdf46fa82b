/*
 * sqlmap_sqlite.h - the SQLite backend of sqlmap (sqlite_table(5)).
 *
 * Opens dbpath on first use, never creating it (a missing database is a
 * lookup error, not "not found"). Each lookup expands the query with
 * sqlite3_mprintf("%q") quoting, prepares it, and hands column 0 of each
 * row to the caller's sink, as Postfix dict_sqlite does. A busy timeout
 * and a query deadline keep a lookup from hanging; a query that does not
 * prepare (bad SQL, missing table) is a temporary failure.
 *
 * Ownership: sqlmap_sqlite_open returns a handle the caller closes with
 * sqlmap_sqlite_close; dbpath is copied. Threads: one thread at a time per
 * handle. Keys and rows are untrusted.
 */
#ifndef PW_SQLMAP_SQLITE_H
#define PW_SQLMAP_SQLITE_H

#include "sqlmap.h"
#include "sqlmap_expand.h"

struct sbuf;
struct sqlmap_sqlite;

#define SQLMAP_SQLITE_BUSY_MS 2000   /* wait for a locked database */
#define SQLMAP_SQLITE_QUERY_MS 5000  /* whole query, then interrupted */
#define SQLMAP_SQLITE_MAX_ROWS 10000 /* more rows = temporary failure */
#define SQLMAP_SQLITE_MAX_QUERY (256u << 10) /* expanded query bytes */

/* sqlmap_sqlite_open - remember dbpath; does not open it yet */
struct sqlmap_sqlite *sqlmap_sqlite_open(const char *dbpath);

/*
 * sqlmap_sqlite_lookup - expand tmpl for key (which the caller checked
 * with sqlmap_expand_query: it is not suppressed), run it and pass column
 * 0 of every row to fn. NOTFOUND is never returned: the sink decides.
 * Returns SQLMAP_FOUND when every row was read, or SQLMAP_TEMPFAIL with
 * err set (database missing or unreadable, prepare or step failure, too
 * many rows, timeout, or fn stopped the lookup: err left to fn).
 */
enum sqlmap_result sqlmap_sqlite_lookup(struct sqlmap_sqlite *db,
					const struct sqlmap_expand *ctx,
					const char *tmpl, const char *key,
					sqlmap_value_fn *fn, void *arg,
					struct sbuf *err);

/* sqlmap_sqlite_quote - sqlite3_mprintf("%q"): double every "'" */
int sqlmap_sqlite_quote(const char *s, struct sbuf *out, void *arg);

void sqlmap_sqlite_close(struct sqlmap_sqlite **dbp); /* NULL-safe */

#endif
