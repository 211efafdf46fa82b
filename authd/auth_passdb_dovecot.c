/*
 * auth_passdb_dovecot.c - passdb backend "dovecot-sql:/path": an existing
 * dovecot-sql.conf.ext (auth_dovecot_sql.h) run through sql/sqldb.h.
 *
 * The connection is opened on the first lookup, not at start-up, so an
 * SQL server that is down when authd starts gives TEMPFAIL, not a fatal
 * error. Any failure closes the connection; the next lookup reconnects.
 * password_query is expanded with every value escaped by the server's
 * own escaping (sqldb_escape) and sent as one statement; the result is
 * read as Dovecot's passdb-sql reads it: no row = unknown user, several
 * rows or no "password"/"password_noscheme" column = internal error
 * (TEMPFAIL), columns "user" (or "username"/"domain") change the login.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "auth_dovecot_sql.h"
#include "auth_passdb.h"
#include "auth_passdb_impl.h"
#include "log.h"
#include "sbuf.h"
#include "sqldb.h"
#include "xalloc.h"

#define DOVECOT_MAX_QUERY (256u << 10) /* expanded query bytes */

struct dovecot {
	char *path;
	struct dovecot_sql_conf *conf;
	struct sqldb *db; /* NULL until the first lookup, or after a failure */
};

/* dovecot_open - read and check the file; no connection yet */
static void *dovecot_open(const char *path, struct sbuf *err)
{
	struct sbuf *warn = sbuf_new(0);
	struct dovecot *d = xcalloc(1, sizeof(*d));
	const char *s, *nl;

	d->path = xstrdup(path);
	if (dovecot_sql_load(path, &d->conf, warn, err) < 0) {
		free(d->path);
		free(d);
		d = NULL;
		goto out;
	}
	for (s = sbuf_cstr(warn); (nl = strchr(s, '\n')) != NULL; s = nl + 1)
		log_warn("%.*s", (int)(nl - s), s);
out:
	sbuf_free(&warn);
	return d;
}

/* dovecot_default_scheme - the file's default_pass_scheme */
static const char *dovecot_default_scheme(void *h)
{
	struct dovecot *d = h;

	return d->conf->default_pass_scheme;
}

/* quote - escape a value on the open connection */
static int quote(const char *s, struct sbuf *out, void *arg)
{
	return sqldb_escape(arg, s, out);
}

/* connect - open the connection if there is none */
static int connect_db(struct dovecot *d, struct sbuf *err)
{
	const struct dovecot_sql_conf *c = d->conf;
	struct sqldb_params p = {0};

	if (d->db != NULL)
		return 0;
	if (c->driver == DOVECOT_SQL_SQLITE) {
		p.type = SQLDB_SQLITE;
		p.path = c->path;
		p.create = false;
	} else {
		p.type = SQLDB_MYSQL;
		p.hosts = c->hosts;
		p.user = c->user;
		p.password = c->password;
		p.dbname = c->dbname;
		p.option_file = c->option_file;
		p.option_group = c->option_group;
	}
	if (sqldb_open(&p, &d->db, err) != SQLDB_OK)
		return -1;
	return 0;
}

/* column - index of the column named name, or -1 */
static long column(const struct sqldb_rows *rows, const char *name)
{
	size_t i, n = sqldb_rows_columns(rows);

	for (i = 0; i < n; i++)
		if (strcmp(sqldb_rows_column_name(rows, i), name) == 0)
			return (long)i;
	return -1;
}

/* row_value - the value of a named column in row 0, NULL if none/NULL */
static const char *row_value(const struct sqldb_rows *rows, const char *name)
{
	long c = column(rows, name);

	return c < 0 ? NULL : sqldb_rows_get(rows, 0, (size_t)c);
}

static bool row_is_set(const char *name, void *arg)
{
	return row_value(arg, name) != NULL;
}

/* set_user - Dovecot: "user" replaces the login, "username"/"domain"
 * replace its parts */
static int set_user(const struct sqldb_rows *rows, const char *login,
		    struct sbuf *user)
{
	const char *u = row_value(rows, "user"), *n, *dom, *at;

	if (u != NULL)
		return sbuf_set(user, u);
	n = row_value(rows, "username");
	dom = row_value(rows, "domain");
	if (n == NULL && dom == NULL)
		return 0;
	at = strchr(login, '@');
	if (n != NULL)
		sbuf_append_str(user, n);
	else
		sbuf_append(user, login,
			    at != NULL ? (size_t)(at - login) : strlen(login));
	if (dom != NULL && *dom != '\0')
		return sbuf_printf(user, "@%s", dom);
	if (dom == NULL && at != NULL)
		return sbuf_append_str(user, at);
	return 0;
}

/* dovecot_lookup - run password_query for login */
static enum passdb_result dovecot_lookup(void *h, const char *login,
					 struct passdb_entry *e,
					 struct sbuf *err)
{
	struct dovecot *d = h;
	struct sbuf *sql = sbuf_new_max(256, DOVECOT_MAX_QUERY);
	struct dovecot_sql_vars v = {0};
	struct sqldb_rows *rows = NULL;
	enum passdb_result r = PASSDB_TEMPFAIL;
	const char *pw, *field;
	long c;

	v.user = login;
	v.service = "smtp"; /* authd answers Postfix's smtpd */
	if (connect_db(d, err) < 0)
		goto out;
	if (dovecot_sql_expand(d->conf->password_query, &v, quote, d->db, sql,
			       err) < 0)
		goto out; /* too long: not the server's fault, keep it */
	if (sqldb_exec(d->db, sbuf_cstr(sql), NULL, 0, &rows, err) !=
	    SQLDB_OK) {
		/* reconnect next time: the server may have gone away */
		sqldb_close(&d->db);
		goto out;
	}
	if (sqldb_rows_count(rows) == 0) {
		r = PASSDB_NOUSER;
		goto out;
	}
	if (sqldb_rows_count(rows) > 1) {
		sbuf_printf(err, "%s: password query returned multiple "
				 "matches",
			    d->path);
		goto out;
	}
	if (column(rows, "password") < 0 &&
	    column(rows, "password_noscheme") < 0) {
		sbuf_printf(err, "%s: password query must return a field "
				 "named 'password'",
			    d->path);
		goto out;
	}
	if ((field = passdb_denied_field(row_is_set, rows)) != NULL) {
		sbuf_printf(err, "%s: field \"%s\" is set: login refused "
				 "(not supported)",
			    d->path, field);
		r = PASSDB_NOUSER;
		goto out;
	}
	if ((pw = row_value(rows, "password")) != NULL && *pw != '\0') {
		if (sbuf_append_str(e->password, pw) < 0)
			goto toolong;
	} else if ((c = column(rows, "password_noscheme")) >= 0 &&
		   (pw = sqldb_rows_get(rows, 0, (size_t)c)) != NULL &&
		   *pw != '\0') {
		/* never parse a "{...}" prefix: put the scheme in front */
		if (sbuf_printf(e->password, "{%s}", e->default_scheme) < 0 ||
		    sbuf_append_str(e->password, pw) < 0)
			goto toolong;
	} else {
		/* NULL or empty password: no password to check against */
		r = PASSDB_NOUSER;
		goto out;
	}
	if (set_user(rows, login, e->user) < 0)
		goto toolong;
	r = PASSDB_FOUND;
	goto out;
toolong:
	sbuf_printf(err, "%s: stored password or user name too long",
		    d->path);
out:
	if (rows != NULL) {
		/* the rows hold the stored password: wipe before free */
		size_t i, ncol = sqldb_rows_columns(rows);

		for (i = 0; sqldb_rows_count(rows) > 0 && i < ncol; i++) {
			char *s = (char *)sqldb_rows_get(rows, 0, i);

			if (s != NULL) /* UNSAFE: wiping our own copy */
				wipe_bytes(s, strlen(s));
		}
		sqldb_rows_free(&rows);
	}
	sbuf_free_secret(&sql);
	return r;
}

/* dovecot_update - authd_rehash_query on the lookup connection */
static int dovecot_update(void *h, const char *query, const char *login,
			  const char *stored, struct sbuf *err)
{
	struct dovecot *d = h;
	struct sbuf *sql = sbuf_new_max(256, PASSDB_MAX_UPDATE);
	int rc = -1;

	if (connect_db(d, err) < 0)
		goto out;
	if (passdb_update_expand(query, login, stored, quote, d->db, sql,
				 err) < 0)
		goto out;
	if (sqldb_exec(d->db, sbuf_cstr(sql), NULL, 0, NULL, err) !=
	    SQLDB_OK) {
		sqldb_close(&d->db); /* reconnect next time */
		goto out;
	}
	if (sqldb_changes(d->db) == 0) {
		sbuf_printf(err, "%s: update statement changed no row",
			    d->path);
		goto out;
	}
	rc = 0;
out:
	sbuf_free_secret(&sql);
	return rc;
}

/* dovecot_close - disconnect and free */
static void dovecot_close(void *h)
{
	struct dovecot *d = h;

	sqldb_close(&d->db);
	dovecot_sql_free(&d->conf);
	free(d->path);
	free(d);
}

const struct passdb_backend passdb_dovecot_backend = {
	.prefix = "dovecot-sql:",
	.open = dovecot_open,
	.default_scheme = dovecot_default_scheme,
	.lookup = dovecot_lookup,
	.update = dovecot_update,
	.close = dovecot_close,
};
