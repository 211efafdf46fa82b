/*
 * sqldb_impl.h - what sqldb.c shares with its drivers (sqldb_sqlite.c,
 * sqldb_mysql.c). Private to sql/: nothing outside includes it.
 */
#ifndef PW_SQLDB_IMPL_H
#define PW_SQLDB_IMPL_H

#include "sqldb.h"

struct sqldb_driver {
	/* open: conn_r gets the driver's connection, closed with close */
	enum sqldb_result (*open)(const struct sqldb_params *p, void **conn_r,
				  struct sbuf *err);
	void (*close)(void *conn);
	/* exec: rows_r gets a new result (maybe empty) when not NULL */
	enum sqldb_result (*exec)(void *conn, const char *sql,
				  const char *const *args, size_t nargs,
				  struct sqldb_rows **rows_r,
				  unsigned long *changes_r, struct sbuf *err);
	const char *begin_sql;
	/* escape: sqldb_escape for this driver */
	int (*escape)(void *conn, const char *s, struct sbuf *out);
};

extern const struct sqldb_driver sqldb_sqlite_driver;
#ifdef HAVE_MYSQL
extern const struct sqldb_driver sqldb_mysql_driver;
#endif

/* sqldb_rows_new - empty result with ncols columns; sqldb_rows_free */
struct sqldb_rows *sqldb_rows_new(size_t ncols);
/* sqldb_rows_add - append one value (copied; NULL = SQL NULL); a row is
 * complete after ncols values */
void sqldb_rows_add(struct sqldb_rows *rows, const char *v, size_t len);
/* sqldb_rows_set_name - name column col (copied; NULL = "") */
void sqldb_rows_set_name(struct sqldb_rows *rows, size_t col,
			 const char *name);

#endif
