/*
 * sqldb.h - a plain SQL connection for administrative work.
 *
 * This is not the lookup path (that is sqlmap.h, which must answer as
 * Postfix does): it is what "postwarden db/domain/mailbox/alias" use to
 * create the schema and change rows. One API over SQLite and MySQL.
 *
 * Statements take "?" placeholders and string-or-NULL arguments. SQLite
 * binds them (sqlite3_bind_text); MySQL has no binding here, so each
 * argument is escaped with mysql_real_escape_string on the open
 * connection and put between single quotes, never spliced raw. Results
 * come back as rows of nullable strings.
 *
 * Every call has one of four outcomes (enum sqldb_result); a broken
 * constraint (duplicate key) is told apart from an outage so the caller
 * can say "already exists" instead of "try again later".
 *
 * Ownership: sqldb_open returns a connection closed with sqldb_close;
 * sqldb_exec hands out rows freed with sqldb_rows_free. Strings in the
 * parameters are copied. Threads: one connection per thread. SQL rows are
 * untrusted data.
 */
#ifndef PW_SQLDB_H
#define PW_SQLDB_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf;
struct sqldb;
struct sqldb_rows;

enum sqldb_type {
	SQLDB_SQLITE,
	SQLDB_MYSQL,
};

enum sqldb_result {
	SQLDB_OK,
	SQLDB_CONSTRAINT, /* duplicate key, NOT NULL, CHECK: the data's fault */
	SQLDB_ERROR,	  /* bad SQL, missing table, access denied: permanent */
	SQLDB_TEMPFAIL,	  /* unreachable, locked, I/O error: try again later */
};

struct sqldb_params {
	enum sqldb_type type;
	/* sqlite */
	const char *path;
	bool create;		/* create a missing database file */
	/* mysql: hosts use the mysql_table(5) syntax: "unix:/path",
	 * "inet:host[:port]" or "host[:port]", separated by comma or space;
	 * empty means localhost (the default unix socket) */
	const char *hosts;
	const char *user;
	const char *password;
	const char *dbname;
	const char *option_file;  /* my.cnf-style file, may be empty */
	const char *option_group; /* default "client"; empty: none */
};

/* sqldb_type_name - "sqlite" or "mysql" */
const char *sqldb_type_name(enum sqldb_type type);
/* sqldb_is_available - was support for type compiled in? */
bool sqldb_is_available(enum sqldb_type type);

/*
 * sqldb_open - connect (MySQL: the hosts in order until one answers) and
 * return the connection in db_r, caller closes with sqldb_close. On
 * failure db_r is NULL and err says why.
 */
enum sqldb_result sqldb_open(const struct sqldb_params *p,
			     struct sqldb **db_r, struct sbuf *err);
void sqldb_close(struct sqldb **dbp); /* NULL-safe */
enum sqldb_type sqldb_type(const struct sqldb *db);

/*
 * sqldb_exec - run one statement with nargs "?" arguments (an argument
 * may be NULL for SQL NULL; the count must match the placeholders). When
 * rows_r is not NULL it receives the result rows (empty for statements
 * without a result set), caller frees with sqldb_rows_free.
 */
enum sqldb_result sqldb_exec(struct sqldb *db, const char *sql,
			     const char *const *args, size_t nargs,
			     struct sqldb_rows **rows_r, struct sbuf *err);
/*
 * sqldb_escape - append s escaped for a string literal between single
 * quotes in this database's SQL (MySQL: mysql_real_escape_string on the
 * connection, charset-aware; SQLite: "'" doubled), without the quotes.
 * For statements built from templates that put the quotes themselves
 * (Dovecot's password_query). Returns 0, or -1 when out is full.
 */
int sqldb_escape(struct sqldb *db, const char *s, struct sbuf *out);
/* sqldb_changes - rows the last INSERT/UPDATE/DELETE matched */
unsigned long sqldb_changes(const struct sqldb *db);

/* Transactions: SQLite takes the write lock at BEGIN (IMMEDIATE). In
 * MySQL, DDL commits implicitly (see sqlschema.c). */
enum sqldb_result sqldb_begin(struct sqldb *db, struct sbuf *err);
enum sqldb_result sqldb_commit(struct sqldb *db, struct sbuf *err);
/* sqldb_rollback - best effort, used on error paths; never fails loudly */
void sqldb_rollback(struct sqldb *db);

size_t sqldb_rows_count(const struct sqldb_rows *rows);
size_t sqldb_rows_columns(const struct sqldb_rows *rows);
/* sqldb_rows_column_name - name (alias) of column col, "" if unknown;
 * borrowed until sqldb_rows_free. Out of range is a bug (log_panic). */
const char *sqldb_rows_column_name(const struct sqldb_rows *rows,
				   size_t col);
/* sqldb_rows_get - value at (row, col), NULL for SQL NULL; borrowed until
 * sqldb_rows_free. Out of range is a bug (log_panic). */
const char *sqldb_rows_get(const struct sqldb_rows *rows, size_t row,
			   size_t col);
/* sqldb_rows_free - NULL-safe; wipes every value before freeing it, as
 * values may be secrets (private keys, password hashes) */
void sqldb_rows_free(struct sqldb_rows **rowsp);

#define SQLDB_TIMESTAMP_SIZE 20 /* "YYYY-MM-DD HH:MM:SS" + NUL */

/* sqldb_timestamp - local time in the DATETIME text form both use */
void sqldb_timestamp(char buf[SQLDB_TIMESTAMP_SIZE]);

#endif
