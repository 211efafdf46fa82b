/*
 * sqlmap.h - Postfix mysql_table(5) / sqlite_table(5) lookups.
 *
 * Reads the .cf files Postfix reads, unchanged, and answers as Postfix's
 * dict_mysql / dict_sqlite do (see postfix-lookup-tables notes): the same
 * query expansion, quoting by the server's own escaping, rows joined with
 * ",", the same suppression rules. Every lookup has three outcomes and an
 * outage is never "not found".
 *
 * Ownership: sqlmap_open returns a map the caller closes with
 * sqlmap_close. Threads: a map is used by one thread at a time (open one
 * per worker); different maps are independent. Keys and SQL rows are
 * untrusted.
 */
#ifndef PW_SQLMAP_H
#define PW_SQLMAP_H

#include <stddef.h>

struct sbuf;
struct sqlmap;

enum sqlmap_result {
	SQLMAP_FOUND,
	SQLMAP_NOTFOUND,
	SQLMAP_TEMPFAIL, /* database unreachable, query failed, too many results */
};

enum sqlmap_flags {
	SQLMAP_FOLD_KEY = 1 << 0, /* lower-case the key first, as postmap -q */
};

/*
 * sqlmap_open - parse "mysql:/path/x.cf" or "sqlite:/path/x.cf". Reads and
 * checks the file (unknown parameters warn through log_warn, as do
 * passwords in world-readable files); does not connect yet. Returns NULL
 * with a message in err for a bad table type, a missing, unreadable or
 * malformed file, or an invalid query template.
 */
struct sqlmap *sqlmap_open(const char *spec, int flags, struct sbuf *err);

/*
 * sqlmap_lookup - look key up. FOUND: value_r holds the joined result.
 * NOTFOUND: value_r is empty. TEMPFAIL: err says why. Per-row warnings
 * Postfix prints (empty results ignored, ...) go through log_warn.
 */
enum sqlmap_result sqlmap_lookup(struct sqlmap *m, const char *key,
				 struct sbuf *value_r, struct sbuf *err);

void sqlmap_close(struct sqlmap **mp);

/*
 * sqlmap_open_nested - sqlmap_open for a table named in another table's
 * "domain" list; depth is its nesting level (sqlmap_open uses 0), which
 * stops a list that names its own table.
 */
struct sqlmap *sqlmap_open_nested(const char *spec, int flags, int depth,
				  struct sbuf *err);

/* Hard limits on untrusted input (Postfix has none; we answer TEMPFAIL). */
#define SQLMAP_MAX_KEY 4096            /* key bytes */
#define SQLMAP_MAX_RESULT (1u << 20)   /* joined result bytes */

/* sqlmap_name - the spec the map was opened with; borrowed */
const char *sqlmap_name(const struct sqlmap *m);

#endif
