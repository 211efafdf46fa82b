/*
 * sqlmap_mysql.h - the MySQL/MariaDB backend of sqlmap (mysql_table(5)).
 *
 * Host selection follows Postfix 3.7 dict_mysql: an open connection is
 * reused (unix sockets first, random among equals); otherwise untried
 * hosts and hosts whose 60 s penalty has expired are tried, unix before
 * inet, random order. A connect or query error closes that connection,
 * marks the host down for 60 s and retries the query on the next host;
 * when no host is left the lookup fails temporarily. The key is quoted
 * with mysql_real_escape_string on the connection the query goes to.
 * Every column of every row goes to the caller's sink.
 *
 * Only built with HAVE_MYSQL. Ownership: the handle borrows cf, which must
 * outlive it; close with sqlmap_mysql_close. Threads: one thread at a time
 * per handle (libmysqlclient is initialised once, thread-safely). Keys and
 * rows are untrusted. The password is never logged.
 */
#ifndef PW_SQLMAP_MYSQL_H
#define PW_SQLMAP_MYSQL_H

#include "sqlmap.h"
#include "sqlmap_expand.h"

struct sbuf;
struct sqlmap_cf;
struct sqlmap_mysql;

#define SQLMAP_MYSQL_RETRY_SECS 60   /* a failed host is skipped this long */
#define SQLMAP_MYSQL_IDLE_SECS 60    /* an idle connection is closed */
#define SQLMAP_MYSQL_CONNECT_TIMEOUT 10 /* seconds */
#define SQLMAP_MYSQL_RW_TIMEOUT 30   /* seconds, read and write each */
#define SQLMAP_MYSQL_MAX_ROWS 10000  /* more rows = temporary failure */
#define SQLMAP_MYSQL_MAX_HOSTS 64
#define SQLMAP_MYSQL_MAX_QUERY (256u << 10) /* expanded query bytes */

/*
 * sqlmap_mysql_open - parse cf->hosts ("unix:/path", "inet:host[:port]",
 * "host[:port]", "localhost" = the default unix socket; comma or space
 * separated; empty = localhost). Does not connect. Returns NULL with a
 * message in err for a bad host entry. name ("mysql:/x.cf") is copied and
 * used in warnings.
 */
struct sqlmap_mysql *sqlmap_mysql_open(const struct sqlmap_cf *cf,
				       const char *name, struct sbuf *err);

/*
 * sqlmap_mysql_lookup - as sqlmap_sqlite_lookup: expand tmpl for key
 * (already checked: not suppressed) on the chosen connection, run it and
 * pass every column of every row to fn. SQLMAP_FOUND when the rows were
 * read, SQLMAP_TEMPFAIL with err set otherwise (all hosts down, query
 * error on every host, several result sets with data, no result set with
 * require_result_set = yes, too many rows, or fn stopped it).
 */
enum sqlmap_result sqlmap_mysql_lookup(struct sqlmap_mysql *db,
				       const struct sqlmap_expand *ctx,
				       const char *tmpl, const char *key,
				       sqlmap_value_fn *fn, void *arg,
				       struct sbuf *err);

void sqlmap_mysql_close(struct sqlmap_mysql **dbp); /* NULL-safe */

#endif
