/* sqldb_mysql.c - sqldb driver for MySQL/MariaDB (libmariadb) */
#include "config.h"

#include <errmsg.h>
#include <limits.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "numparse.h"
#include "sbuf.h"
#include "sqldb.h"
#include "sqldb_impl.h"
#include "xalloc.h"

#define SQLDB_MYSQL_TIMEOUT 30u /* seconds: connect, read, write */

/* sqldb_mysql_classify - map a server or client error number */
static enum sqldb_result sqldb_mysql_classify(unsigned int e)
{
	switch (e) {
	case ER_DUP_KEY:
	case ER_DUP_ENTRY:
	case ER_DUP_ENTRY_WITH_KEY_NAME:
	case ER_BAD_NULL_ERROR:
	case ER_DATA_TOO_LONG:
	case ER_WARN_DATA_OUT_OF_RANGE:
	case ER_TRUNCATED_WRONG_VALUE:
	case ER_ROW_IS_REFERENCED_2:
	case ER_NO_REFERENCED_ROW_2:
	case ER_CONSTRAINT_FAILED:
		return SQLDB_CONSTRAINT;
	case ER_CON_COUNT_ERROR:
	case ER_SERVER_SHUTDOWN:
	case ER_TOO_MANY_USER_CONNECTIONS:
	case ER_LOCK_WAIT_TIMEOUT:
	case ER_LOCK_DEADLOCK:
		return SQLDB_TEMPFAIL;
	default:
		/* 2000-2999 are the client library's: lost connection etc. */
		if (e >= CR_MIN_ERROR && e <= CR_MAX_ERROR)
			return SQLDB_TEMPFAIL;
		return SQLDB_ERROR;
	}
}

/* sqldb_mysql_connect_host - try one host of the "hosts" list */
static int sqldb_mysql_connect_host(MYSQL *m, const char *spec,
				    const struct sqldb_params *p,
				    struct sbuf *err)
{
	const char *host = NULL, *sock = NULL, *colon;
	unsigned long port = 0;
	char *h = NULL;
	int r = -1;

	if (strncmp(spec, "unix:", 5) == 0) {
		sock = spec + 5;
	} else {
		if (strncmp(spec, "inet:", 5) == 0)
			spec += 5;
		if (*spec == '[' && (colon = strchr(spec, ']')) != NULL) {
			/* [IPv6 address]:port */
			h = xstrndup(spec + 1, (size_t)(colon - spec - 1));
			colon = colon[1] == ':' ? colon + 1 : NULL;
		} else if ((colon = strrchr(spec, ':')) != NULL) {
			h = xstrndup(spec, (size_t)(colon - spec));
		} else {
			h = xstrdup(spec);
		}
		if (colon != NULL &&
		    numparse_ulong(colon + 1, 65535, &port) < 0) {
			sbuf_printf(err, "bad port in host \"%s\"", spec);
			goto out;
		}
		/* "localhost" means the default unix socket, as in Postfix */
		host = h;
	}
	if (mysql_real_connect(m, host, p->user, p->password, p->dbname,
			       (unsigned int)port, sock,
			       CLIENT_FOUND_ROWS) == NULL) {
		sbuf_printf(err, "%s: %s", spec, mysql_error(m));
		goto out;
	}
	r = 0;
out:
	free(h);
	return r;
}

/* sqldb_mysql_new_handle - a handle with our options set */
static MYSQL *sqldb_mysql_new_handle(const struct sqldb_params *p)
{
	unsigned int timeout = SQLDB_MYSQL_TIMEOUT;
	const char *group = p->option_group != NULL ? p->option_group
						    : "client";
	MYSQL *m = mysql_init(NULL);

	if (m == NULL)
		log_fatal("mysql_init: out of memory");
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
	mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	if (p->option_file != NULL && *p->option_file != '\0')
		mysql_options(m, MYSQL_READ_DEFAULT_FILE, p->option_file);
	if (*group != '\0')
		mysql_options(m, MYSQL_READ_DEFAULT_GROUP, group);
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	return m;
}

/* sqldb_mysql_open - connect to the first host that answers */
static enum sqldb_result sqldb_mysql_open(const struct sqldb_params *p,
					  void **conn_r, struct sbuf *err)
{
	const char *hosts = p->hosts != NULL && *p->hosts != '\0'
				    ? p->hosts
				    : "localhost";
	struct sbuf *errs = sbuf_new(128);
	enum sqldb_result r = SQLDB_TEMPFAIL;
	unsigned int last = 0;
	const char *s = hosts;
	MYSQL *m = NULL;
	size_t n;
	char *one;

	if (p->dbname == NULL || *p->dbname == '\0') {
		sbuf_printf(err, "mysql: no database name");
		r = SQLDB_ERROR;
		goto out;
	}
	for (;;) {
		s += strspn(s, ", \t");
		if (*s == '\0')
			break;
		n = strcspn(s, ", \t");
		one = xstrndup(s, n);
		s += n;
		m = sqldb_mysql_new_handle(p);
		if (sqldb_mysql_connect_host(m, one, p, errs) == 0) {
			free(one);
			*conn_r = m;
			r = SQLDB_OK;
			goto out;
		}
		last = mysql_errno(m);
		sbuf_append_str(errs, "; ");
		free(one);
		mysql_close(m);
		m = NULL;
	}
	sbuf_truncate(errs, sbuf_len(errs) > 2 ? sbuf_len(errs) - 2 : 0);
	sbuf_printf(err, "mysql: cannot connect: %s", sbuf_cstr(errs));
	/* Wrong credentials or database name will not heal by waiting. */
	if (last == ER_ACCESS_DENIED_ERROR || last == ER_BAD_DB_ERROR ||
	    last == ER_DBACCESS_DENIED_ERROR || last == 0)
		r = SQLDB_ERROR;
out:
	sbuf_free(&errs);
	return r;
}

/* sqldb_mysql_close - disconnect */
static void sqldb_mysql_close(void *conn)
{
	mysql_close(conn);
}

/* sqldb_mysql_quote - append 'escaped' (or NULL) to the statement */
static void sqldb_mysql_quote(MYSQL *m, const char *v, struct sbuf *out)
{
	size_t len, n;
	char *buf;

	if (v == NULL) {
		sbuf_append_str(out, "NULL");
		return;
	}
	len = strlen(v);
	if (len > (SIZE_MAX - 1) / 2 || len > ULONG_MAX / 2)
		log_fatal("sqldb: argument too long");
	buf = xmalloc(2 * len + 1);
	n = mysql_real_escape_string(m, buf, v, (unsigned long)len);
	sbuf_putc(out, '\'');
	sbuf_append(out, buf, n);
	sbuf_putc(out, '\'');
	wipe_bytes(buf, n);
	free(buf);
}

/* sqldb_mysql_escape - mysql_real_escape_string, without quotes */
static int sqldb_mysql_escape(void *conn, const char *s, struct sbuf *out)
{
	size_t len = strlen(s), n;
	char *buf;
	int r;

	if (len > (SIZE_MAX - 1) / 2 || len > ULONG_MAX / 2)
		return -1;
	buf = xmalloc(2 * len + 1);
	n = mysql_real_escape_string(conn, buf, s, (unsigned long)len);
	r = sbuf_append(out, buf, n);
	wipe_bytes(buf, n);
	free(buf);
	return r;
}

/*
 * sqldb_mysql_expand - replace each "?" outside quotes and comments with
 * its quoted argument. MySQL string literals use backslash escapes
 * (unless NO_BACKSLASH_ESCAPES, which our own statements never need).
 */
static int sqldb_mysql_expand(MYSQL *m, const char *sql,
			      const char *const *args, size_t nargs,
			      struct sbuf *out, struct sbuf *err)
{
	const char *s;
	size_t used = 0;
	char q = 0;

	for (s = sql; *s != '\0'; s++) {
		if (q != 0) {
			sbuf_putc(out, *s);
			if (*s == '\\' && q != '`' && s[1] != '\0')
				sbuf_putc(out, *++s);
			else if (*s == q)
				q = 0;
			continue;
		}
		if (*s == '\'' || *s == '"' || *s == '`') {
			q = *s;
			sbuf_putc(out, *s);
		} else if (*s == '?') {
			if (used == nargs) {
				sbuf_printf(err, "mysql: more placeholders "
					    "than the %zu arguments", nargs);
				return -1;
			}
			sqldb_mysql_quote(m, args[used++], out);
		} else {
			sbuf_putc(out, *s);
		}
	}
	if (q != 0 || used != nargs) {
		sbuf_printf(err, "mysql: %s", q != 0 ? "unterminated quote"
			    : "fewer placeholders than arguments");
		return -1;
	}
	return 0;
}

/* sqldb_mysql_exec - expand, send, fetch the whole result */
static enum sqldb_result sqldb_mysql_exec(void *conn, const char *sql,
					  const char *const *args,
					  size_t nargs,
					  struct sqldb_rows **rows_r,
					  unsigned long *changes_r,
					  struct sbuf *err)
{
	struct sbuf *stmt = sbuf_new(strlen(sql) + 64);
	enum sqldb_result r = SQLDB_ERROR;
	MYSQL *m = conn;
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	unsigned long *lens;
	unsigned int ncols, i;
	my_ulonglong changed;

	if (sqldb_mysql_expand(m, sql, args, nargs, stmt, err) < 0)
		goto out;
	if (mysql_real_query(m, sbuf_cstr(stmt), sbuf_len(stmt)) != 0) {
		sbuf_printf(err, "mysql: %s", mysql_error(m));
		r = sqldb_mysql_classify(mysql_errno(m));
		goto out;
	}
	res = mysql_store_result(m);
	if (res == NULL && mysql_field_count(m) != 0) {
		sbuf_printf(err, "mysql: %s", mysql_error(m));
		r = sqldb_mysql_classify(mysql_errno(m));
		goto out;
	}
	if (res == NULL) {
		changed = mysql_affected_rows(m);
		*changes_r = changed == (my_ulonglong)-1 ? 0
							 : (unsigned long)changed;
	}
	ncols = res != NULL ? mysql_num_fields(res) : 0;
	if (rows_r != NULL) {
		MYSQL_FIELD *fields = res != NULL ? mysql_fetch_fields(res)
						  : NULL;

		*rows_r = sqldb_rows_new(ncols);
		for (i = 0; fields != NULL && i < ncols; i++)
			sqldb_rows_set_name(*rows_r, i, fields[i].name);
	}
	while (res != NULL && (row = mysql_fetch_row(res)) != NULL) {
		lens = mysql_fetch_lengths(res);
		for (i = 0; rows_r != NULL && i < ncols; i++)
			sqldb_rows_add(*rows_r, row[i],
				       row[i] != NULL ? lens[i] : 0);
	}
	r = SQLDB_OK;
out:
	if (res != NULL)
		mysql_free_result(res);
	sbuf_free_secret(&stmt);
	return r;
}

const struct sqldb_driver sqldb_mysql_driver = {
	.open = sqldb_mysql_open,
	.close = sqldb_mysql_close,
	.exec = sqldb_mysql_exec,
	.begin_sql = "START TRANSACTION",
	.escape = sqldb_mysql_escape,
};
