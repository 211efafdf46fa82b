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
#include "sqlmap.h"
#include "xalloc.h"

struct passdb {
	const struct passdb_backend *be;
	void *h;
	char *scheme; /* override of the backend's default, or NULL */
};

/* --- mysql: and sqlite: Postfix tables --- */

/* table_open - open the whole spec ("mysql:/x.cf") as a sqlmap */
static void *table_open(const char *spec, struct sbuf *err)
{
	/* the login is normalised by the caller (auth_username_format) */
	return sqlmap_open(spec, 0, err);
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
	struct sqlmap *m = h;
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

/* table_close - close the sqlmap */
static void table_close(void *h)
{
	struct sqlmap *m = h;

	sqlmap_close(&m);
}

static const struct passdb_backend passdb_table_mysql = {
	.prefix = "mysql:",
	.open = table_open,
	.default_scheme = table_default_scheme,
	.lookup = table_lookup,
	.close = table_close,
};

static const struct passdb_backend passdb_table_sqlite = {
	.prefix = "sqlite:",
	.open = table_open,
	.default_scheme = table_default_scheme,
	.lookup = table_lookup,
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
