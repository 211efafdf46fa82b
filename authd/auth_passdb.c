/*
 * auth_passdb.c - passdb dispatch, entries, and the Postfix-table backend.
 *
 * "mysql:/x.cf" and "sqlite:/x.cf" go through sql/sqlmap.h, so the .cf
 * files Postfix reads work unchanged: the query's (joined) result is the
 * stored password, read with Dovecot's SQL default scheme MD5. Set
 * expansion_limit = 1 in the .cf to turn several rows into an error
 * instead of a joined value. The other backends live in
 * auth_passdb_dovecot.c (dovecot-sql:) and auth_passdb_file.c
 * (passwd-file:).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "auth_passdb.h"
#include "auth_passdb_impl.h"
#include "sbuf.h"
#include "sqldb.h"
#include "sqlmap.h"
#include "sqlmap_cf.h"
#include "xalloc.h"

struct passdb {
	const struct passdb_backend *be;
	void *h;
	char *scheme; /* override of the backend's default, or NULL */
};

/* --- mysql: and sqlite: Postfix tables --- */

struct table {
	struct sqlmap *m;
	char *spec;	  /* "mysql:/x.cf" */
	struct sqldb *db; /* for updates only: opened on first use */
};

/* table_open - open the whole spec ("mysql:/x.cf") as a sqlmap */
static void *table_open(const char *spec, struct sbuf *err)
{
	struct table *t;
	struct sqlmap *m;

	/* the login is normalised by the caller (auth_username_format) */
	if ((m = sqlmap_open(spec, 0, err)) == NULL)
		return NULL;
	t = xcalloc(1, sizeof(*t));
	t->m = m;
	t->spec = xstrdup(spec);
	return t;
}

/* table_default_scheme - Dovecot's SQL driver default */
static const char *table_default_scheme(void *h)
{
	(void)h;
	return "MD5";
}

/* table_lookup - the query's result is the stored password */
static enum passdb_result table_lookup(void *h, const char *login,
				       struct passdb_entry *e,
				       struct sbuf *err)
{
	struct table *t = h;
	struct sqlmap *m = t->m;
	struct sbuf *val = sbuf_new_max(128, PASSDB_MAX_PASSWORD);
	enum passdb_result r = PASSDB_TEMPFAIL;

	switch (sqlmap_lookup(m, login, val, err)) {
	case SQLMAP_FOUND:
		if (sbuf_append(e->password, sbuf_data(val), sbuf_len(val)) <
		    0) {
			sbuf_printf(err, "%s: stored password too long",
				    sqlmap_name(m));
			break;
		}
		r = PASSDB_FOUND;
		break;
	case SQLMAP_NOTFOUND:
		r = PASSDB_NOUSER;
		break;
	case SQLMAP_TEMPFAIL:
		break;
	}
	sbuf_free_secret(&val);
	return r;
}

/* table_connect - an sqldb connection with the .cf's settings */
static int table_connect(struct table *t, struct sbuf *err)
{
	bool mysql = strncmp(t->spec, "mysql:", 6) == 0;
	const char *path = strchr(t->spec, ':') + 1;
	struct sqlmap_cf *cf = NULL;
	struct sbuf *warn = sbuf_new(0);
	struct sqldb_params p = {0};
	int rc = -1;

	if (t->db != NULL)
		return 0;
	/* the warnings were logged when the table was opened */
	if (sqlmap_cf_load(path, mysql ? SQLMAP_CF_MYSQL : SQLMAP_CF_SQLITE,
			   &cf, warn, err) < 0)
		goto out;
	if (mysql) {
		p.type = SQLDB_MYSQL;
		p.hosts = cf->hosts;
		p.user = cf->user;
		p.password = cf->password;
		p.dbname = cf->dbname;
		p.option_file = cf->option_file;
		p.option_group = cf->option_group;
	} else {
		p.type = SQLDB_SQLITE;
		p.path = cf->dbpath;
	}
	if (sqldb_open(&p, &t->db, err) == SQLDB_OK)
		rc = 0;
out:
	sqlmap_cf_free(&cf);
	sbuf_free(&warn);
	return rc;
}

/* table_quote - escape on the update connection */
static int table_quote(const char *s, struct sbuf *out, void *arg)
{
	return sqldb_escape(arg, s, out);
}

/* table_update - run the update statement on our own connection */
static int table_update(void *h, const char *query, const char *login,
			const char *stored, struct sbuf *err)
{
	struct table *t = h;
	struct sbuf *sql = sbuf_new_max(256, PASSDB_MAX_UPDATE);
	int rc = -1;

	if (table_connect(t, err) < 0)
		goto out;
	if (passdb_update_expand(query, login, stored, table_quote, t->db, sql,
				 err) < 0)
		goto out;
	if (sqldb_exec(t->db, sbuf_cstr(sql), NULL, 0, NULL, err) !=
	    SQLDB_OK) {
		sqldb_close(&t->db); /* reconnect next time */
		goto out;
	}
	if (sqldb_changes(t->db) == 0) {
		sbuf_printf(err, "%s: update statement changed no row",
			    sqlmap_name(t->m));
		goto out;
	}
	rc = 0;
out:
	sbuf_free_secret(&sql);
	return rc;
}

/* table_close - close the sqlmap and the update connection */
static void table_close(void *h)
{
	struct table *t = h;

	sqlmap_close(&t->m);
	sqldb_close(&t->db);
	free(t->spec);
	free(t);
}

static const struct passdb_backend passdb_table_mysql = {
	.prefix = "mysql:",
	.open = table_open,
	.default_scheme = table_default_scheme,
	.lookup = table_lookup,
	.update = table_update,
	.close = table_close,
};

static const struct passdb_backend passdb_table_sqlite = {
	.prefix = "sqlite:",
	.open = table_open,
	.default_scheme = table_default_scheme,
	.lookup = table_lookup,
	.update = table_update,
	.close = table_close,
};

static const struct passdb_backend *const backends[] = {
	&passdb_table_mysql,
	&passdb_table_sqlite,
	&passdb_dovecot_backend,
	&passdb_file_backend,
};

/* passdb_open - pick the backend by prefix */
struct passdb *passdb_open(const char *spec, const char *default_scheme,
			   struct sbuf *err)
{
	const struct passdb_backend *be = NULL;
	struct passdb *p;
	size_t i, n;
	void *h;

	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		n = strlen(backends[i]->prefix);
		if (strncmp(spec, backends[i]->prefix, n) == 0) {
			be = backends[i];
			break;
		}
	}
	if (be == NULL) {
		sbuf_printf(err, "%s: unknown passdb type (use mysql:, "
				 "sqlite:, dovecot-sql: or passwd-file:)",
			    spec);
		return NULL;
	}
	/* the sqlmap backends want the whole spec, the others the path */
	h = be->open(be->open == table_open ? spec : spec + n, err);
	if (h == NULL)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->be = be;
	p->h = h;
	if (default_scheme != NULL && *default_scheme != '\0')
		p->scheme = xstrdup(default_scheme);
	return p;
}

/* passdb_close - close the backend; NULL-safe */
void passdb_close(struct passdb **pp)
{
	struct passdb *p = *pp;

	if (p == NULL)
		return;
	p->be->close(p->h);
	free(p->scheme);
	free(p);
	*pp = NULL;
}

/* passdb_entry_init - bounded buffers */
void passdb_entry_init(struct passdb_entry *e)
{
	e->password = sbuf_new_max(128, PASSDB_MAX_PASSWORD);
	e->user = sbuf_new_max(64, PASSDB_MAX_USER);
	e->default_scheme = NULL;
}

/* passdb_entry_free - wipe the stored password and free */
void passdb_entry_free(struct passdb_entry *e)
{
	sbuf_free_secret(&e->password);
	sbuf_free(&e->user);
	e->default_scheme = NULL;
}

/* passdb_lookup - dispatch; an entry is only filled on FOUND */
enum passdb_result passdb_lookup(struct passdb *p, const char *login,
				 struct passdb_entry *e, struct sbuf *err)
{
	enum passdb_result r;

	sbuf_wipe(e->password);
	sbuf_reset(e->user);
	e->default_scheme =
		p->scheme != NULL ? p->scheme : p->be->default_scheme(p->h);
	r = p->be->lookup(p->h, login, e, err);
	if (r != PASSDB_FOUND) {
		/* never hand out half an entry */
		sbuf_wipe(e->password);
		sbuf_reset(e->user);
	}
	return r;
}

/* passdb_denied_field - fields we cannot honour refuse the login */
const char *passdb_denied_field(bool (*is_set)(const char *name, void *arg),
				void *arg)
{
	static const char *const denied[] = {
		"fail", "nologin", "noauthenticate", "nopassword",
		"allow_nets",
	};
	size_t i;

	for (i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		if (is_set(denied[i], arg))
			return denied[i];
	return NULL;
}

/* append_quoted - one value through the quoting callback */
static int append_quoted(const char *v, size_t n, passdb_quote_fn *quote,
			 void *arg, struct sbuf *out)
{
	char *copy = xstrndup(v, n);
	int rc = quote(copy, out, arg);

	xfree_secret(&copy);
	return rc;
}

/* passdb_update_expand - %u %n %d %p %% with every value quoted */
int passdb_update_expand(const char *tmpl, const char *login,
			 const char *stored, passdb_quote_fn *quote, void *arg,
			 struct sbuf *out, struct sbuf *err)
{
	const char *at = strchr(login, '@'), *p;
	size_t n = at != NULL ? (size_t)(at - login) : strlen(login);
	int rc = 0;

	for (p = tmpl; *p != '\0' && rc == 0; p++) {
		if (*p != '%') {
			rc = sbuf_putc(out, *p);
			continue;
		}
		switch (*++p) {
		case 'u':
			rc = append_quoted(login, strlen(login), quote, arg,
					   out);
			break;
		case 'n':
			rc = append_quoted(login, n, quote, arg, out);
			break;
		case 'd':
			rc = at != NULL ? append_quoted(at + 1, strlen(at + 1),
							quote, arg, out)
					: 0;
			break;
		case 'p':
			rc = append_quoted(stored, strlen(stored), quote, arg,
					   out);
			break;
		case '%':
			rc = sbuf_putc(out, '%');
			break;
		default:
			sbuf_append_str(err, "authd_rehash_query: unknown "
					     "variable (use %u %n %d %p %%)");
			return -1;
		}
	}
	if (rc < 0) {
		sbuf_append_str(err, "authd_rehash_query: statement too long");
		return -1;
	}
	return 0;
}

/* check_quote - passdb_update_check's stand-in for the server */
static int check_quote(const char *s, struct sbuf *out, void *arg)
{
	(void)arg;
	return sbuf_append_str(out, s);
}

/* passdb_update_check - expand with sample values */
int passdb_update_check(const char *tmpl, struct sbuf *err)
{
	struct sbuf *out = sbuf_new_max(256, PASSDB_MAX_UPDATE);
	int rc;

	rc = passdb_update_expand(tmpl, "user@example.com", "{X}y",
				  check_quote, NULL, out, err);
	sbuf_free(&out);
	return rc;
}

/* passdb_never_blocks - may lookups run in the event loop? */
bool passdb_never_blocks(const struct passdb *p)
{
	return p->be->never_blocks;
}

/* passdb_can_update - has the backend an update function? */
bool passdb_can_update(const struct passdb *p)
{
	return p->be->update != NULL;
}

/* passdb_update - dispatch */
int passdb_update(struct passdb *p, const char *query, const char *login,
		  const char *stored, struct sbuf *err)
{
	if (p->be->update == NULL) {
		sbuf_append_str(err, "this passdb cannot store passwords");
		return -1;
	}
	return p->be->update(p->h, query, login, stored, err);
}
