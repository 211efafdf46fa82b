/* sqldb.c - administrative SQL connection: dispatch and result rows */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "sbuf.h"
#include "sqldb.h"
#include "sqldb_impl.h"
#include "xalloc.h"

struct sqldb {
	enum sqldb_type type;
	const struct sqldb_driver *drv;
	void *conn;
	unsigned long changes;
};

struct sqldb_rows {
	size_t ncols;
	size_t nvals; /* values stored, row-major */
	size_t cap;
	char **vals;  /* NULL entries are SQL NULL */
	char **names; /* ncols column names, NULL until set */
};

/* sqldb_type_name - the config spelling of a type */
const char *sqldb_type_name(enum sqldb_type type)
{
	return type == SQLDB_MYSQL ? "mysql" : "sqlite";
}

/* sqldb_is_available - was the driver built in? */
bool sqldb_is_available(enum sqldb_type type)
{
#ifdef HAVE_MYSQL
	return true;
#else
	return type == SQLDB_SQLITE;
#endif
}

/* sqldb_driver_of - the driver for a type, or NULL if not built in */
static const struct sqldb_driver *sqldb_driver_of(enum sqldb_type type)
{
	switch (type) {
	case SQLDB_SQLITE:
		return &sqldb_sqlite_driver;
	case SQLDB_MYSQL:
#ifdef HAVE_MYSQL
		return &sqldb_mysql_driver;
#else
		return NULL;
#endif
	}
	return NULL;
}

/* sqldb_open - connect through the type's driver */
enum sqldb_result sqldb_open(const struct sqldb_params *p,
			     struct sqldb **db_r, struct sbuf *err)
{
	const struct sqldb_driver *drv = sqldb_driver_of(p->type);
	enum sqldb_result r;
	void *conn = NULL;

	*db_r = NULL;
	if (drv == NULL) {
		sbuf_printf(err, "database type %s is not supported by this "
			    "build", sqldb_type_name(p->type));
		return SQLDB_ERROR;
	}
	r = drv->open(p, &conn, err);
	if (r != SQLDB_OK)
		return r;
	*db_r = xmalloc(sizeof(**db_r));
	(*db_r)->type = p->type;
	(*db_r)->drv = drv;
	(*db_r)->conn = conn;
	return SQLDB_OK;
}

/* sqldb_close - disconnect and free; NULL-safe */
void sqldb_close(struct sqldb **dbp)
{
	if (*dbp == NULL)
		return;
	(*dbp)->drv->close((*dbp)->conn);
	free(*dbp);
	*dbp = NULL;
}

/* sqldb_type - which kind of database this is */
enum sqldb_type sqldb_type(const struct sqldb *db)
{
	return db->type;
}

/* sqldb_exec - run one statement with bound arguments */
enum sqldb_result sqldb_exec(struct sqldb *db, const char *sql,
			     const char *const *args, size_t nargs,
			     struct sqldb_rows **rows_r, struct sbuf *err)
{
	if (rows_r != NULL)
		*rows_r = NULL;
	db->changes = 0;
	return db->drv->exec(db->conn, sql, args, nargs, rows_r, &db->changes,
			     err);
}

/* sqldb_escape - escape a value for a quoted string literal */
int sqldb_escape(struct sqldb *db, const char *s, struct sbuf *out)
{
	return db->drv->escape(db->conn, s, out);
}

/* sqldb_changes - rows matched by the last statement */
unsigned long sqldb_changes(const struct sqldb *db)
{
	return db->changes;
}

/* sqldb_begin - start a transaction */
enum sqldb_result sqldb_begin(struct sqldb *db, struct sbuf *err)
{
	return sqldb_exec(db, db->drv->begin_sql, NULL, 0, NULL, err);
}

/* sqldb_commit - commit the transaction */
enum sqldb_result sqldb_commit(struct sqldb *db, struct sbuf *err)
{
	return sqldb_exec(db, "COMMIT", NULL, 0, NULL, err);
}

/* sqldb_rollback - abandon the transaction, ignoring errors */
void sqldb_rollback(struct sqldb *db)
{
	struct sbuf *ignored = sbuf_new(64);

	(void)sqldb_exec(db, "ROLLBACK", NULL, 0, NULL, ignored);
	sbuf_free(&ignored);
}

/* sqldb_rows_new - empty result set */
struct sqldb_rows *sqldb_rows_new(size_t ncols)
{
	struct sqldb_rows *rows = xmalloc(sizeof(*rows));

	rows->ncols = ncols;
	return rows;
}

/* sqldb_rows_add - append one value to the current row */
void sqldb_rows_add(struct sqldb_rows *rows, const char *v, size_t len)
{
	if (rows->nvals == rows->cap) {
		if (rows->cap > SIZE_MAX / 2 / sizeof(char *))
			log_fatal("sqldb: result too large");
		rows->cap = rows->cap ? rows->cap * 2 : 16;
		rows->vals = xrealloc(rows->vals, rows->cap * sizeof(char *));
	}
	rows->vals[rows->nvals++] = v != NULL ? xstrndup(v, len) : NULL;
}

/* sqldb_rows_set_name - remember a column's name */
void sqldb_rows_set_name(struct sqldb_rows *rows, size_t col,
			 const char *name)
{
	if (col >= rows->ncols)
		log_panic("sqldb_rows_set_name: column %zu of %zu", col,
			  rows->ncols);
	if (rows->names == NULL)
		rows->names = xcalloc(rows->ncols, sizeof(*rows->names));
	free(rows->names[col]);
	rows->names[col] = xstrdup(name != NULL ? name : "");
}

/* sqldb_rows_column_name - a column's name, "" if unknown */
const char *sqldb_rows_column_name(const struct sqldb_rows *rows,
				   size_t col)
{
	if (col >= rows->ncols)
		log_panic("sqldb_rows_column_name: column %zu of %zu", col,
			  rows->ncols);
	if (rows->names == NULL || rows->names[col] == NULL)
		return "";
	return rows->names[col];
}

/* sqldb_rows_count - number of complete rows */
size_t sqldb_rows_count(const struct sqldb_rows *rows)
{
	return rows->ncols == 0 ? 0 : rows->nvals / rows->ncols;
}

/* sqldb_rows_columns - number of columns */
size_t sqldb_rows_columns(const struct sqldb_rows *rows)
{
	return rows->ncols;
}

/* sqldb_rows_get - one value, NULL for SQL NULL */
const char *sqldb_rows_get(const struct sqldb_rows *rows, size_t row,
			   size_t col)
{
	if (col >= rows->ncols || row >= sqldb_rows_count(rows))
		log_panic("sqldb_rows_get: (%zu, %zu) outside %zu x %zu", row,
			  col, sqldb_rows_count(rows), rows->ncols);
	return rows->vals[row * rows->ncols + col];
}

/*
 * sqldb_rows_free - release a result; NULL-safe. Values may be secrets
 * (dkim_key.private_key, password hashes), so each is wiped before it is
 * freed: a result is small next to the query that made it.
 */
void sqldb_rows_free(struct sqldb_rows **rowsp)
{
	size_t i;

	if (*rowsp == NULL)
		return;
	for (i = 0; i < (*rowsp)->nvals; i++)
		xfree_secret(&(*rowsp)->vals[i]);
	for (i = 0; (*rowsp)->names != NULL && i < (*rowsp)->ncols; i++)
		free((*rowsp)->names[i]);
	free((*rowsp)->names);
	free((*rowsp)->vals);
	free(*rowsp);
	*rowsp = NULL;
}

/* sqldb_timestamp - now, local time, as PostfixAdmin stores DATETIME */
void sqldb_timestamp(char buf[SQLDB_TIMESTAMP_SIZE])
{
	time_t now = time(NULL);
	struct tm tm;

	if (localtime_r(&now, &tm) == NULL ||
	    strftime(buf, SQLDB_TIMESTAMP_SIZE, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		log_panic("sqldb_timestamp: cannot format the time");
}
