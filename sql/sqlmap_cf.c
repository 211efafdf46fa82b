/* sqlmap_cf.c - Postfix mysql_table(5) / sqlite_table(5) .cf files */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "numparse.h"
#include "readfile.h"
#include "sbuf.h"
#include "sqlmap_cf.h"
#include "xalloc.h"

enum cf_kind { CF_STR, CF_BOOL, CF_INT, CF_TRISTATE };

#define CF_MYSQL (1u << SQLMAP_CF_MYSQL)
#define CF_SQLITE (1u << SQLMAP_CF_SQLITE)
#define CF_BOTH (CF_MYSQL | CF_SQLITE)
#define CF_LEGACY SIZE_MAX /* no destination: see cf_legacy_query */

/*
 * The parameters Postfix 3.7 dict_mysql/dict_sqlite read (mysql_table(5),
 * sqlite_table(5)). Names from later releases (idle_interval,
 * retry_interval, charset: 3.9) are unknown to 3.7 and ignored like any
 * other unknown name. Defaults are applied in cf_defaults().
 */
static const struct cf_param {
	const char *name;
	unsigned int types;
	enum cf_kind kind;
	size_t offset;
} cf_params[] = {
	{"query", CF_BOTH, CF_STR, offsetof(struct sqlmap_cf, query)},
	{"result_format", CF_BOTH, CF_STR,
	 offsetof(struct sqlmap_cf, result_format)},
	{"domain", CF_BOTH, CF_STR, offsetof(struct sqlmap_cf, domain)},
	{"expansion_limit", CF_BOTH, CF_INT,
	 offsetof(struct sqlmap_cf, expansion_limit)},
	/* legacy: read only when query is absent (cf_legacy_query) */
	{"select_field", CF_BOTH, CF_STR, CF_LEGACY},
	{"table", CF_BOTH, CF_STR, CF_LEGACY},
	{"where_field", CF_BOTH, CF_STR, CF_LEGACY},
	{"additional_conditions", CF_BOTH, CF_STR, CF_LEGACY},
	{"dbpath", CF_SQLITE, CF_STR, offsetof(struct sqlmap_cf, dbpath)},
	{"hosts", CF_MYSQL, CF_STR, offsetof(struct sqlmap_cf, hosts)},
	{"user", CF_MYSQL, CF_STR, offsetof(struct sqlmap_cf, user)},
	{"password", CF_MYSQL, CF_STR, offsetof(struct sqlmap_cf, password)},
	{"dbname", CF_MYSQL, CF_STR, offsetof(struct sqlmap_cf, dbname)},
	{"option_file", CF_MYSQL, CF_STR,
	 offsetof(struct sqlmap_cf, option_file)},
	{"option_group", CF_MYSQL, CF_STR,
	 offsetof(struct sqlmap_cf, option_group)},
	{"require_result_set", CF_MYSQL, CF_BOOL,
	 offsetof(struct sqlmap_cf, require_result_set)},
	{"tls_cert_file", CF_MYSQL, CF_STR,
	 offsetof(struct sqlmap_cf, tls_cert_file)},
	{"tls_key_file", CF_MYSQL, CF_STR,
	 offsetof(struct sqlmap_cf, tls_key_file)},
	{"tls_CAfile", CF_MYSQL, CF_STR, offsetof(struct sqlmap_cf, tls_CAfile)},
	{"tls_CApath", CF_MYSQL, CF_STR, offsetof(struct sqlmap_cf, tls_CApath)},
	{"tls_ciphers", CF_MYSQL, CF_STR,
	 offsetof(struct sqlmap_cf, tls_ciphers)},
	{"tls_verify_cert", CF_MYSQL, CF_TRISTATE,
	 offsetof(struct sqlmap_cf, tls_verify_cert)},
};

#define CF_NPARAMS (sizeof(cf_params) / sizeof(cf_params[0]))

/* cf_find - the parameter this table type knows by name, or NULL */
static const struct cf_param *cf_find(const char *name,
				      enum sqlmap_cf_type type)
{
	size_t i;

	for (i = 0; i < CF_NPARAMS; i++)
		if ((cf_params[i].types & (1u << type)) &&
		    strcmp(cf_params[i].name, name) == 0)
			return &cf_params[i];
	return NULL;
}

/*
 * cf_int - Postfix reads integers with sscanf("%d%c"): a sign is allowed
 * and a negative expansion_limit means unlimited, like 0.
 */
static int cf_int(const char *s, unsigned int *val_r)
{
	unsigned int v;

	if (*s == '+' || *s == '-') {
		if (numparse_uint(s + 1, 2147483647u, &v) < 0)
			return -1;
		*val_r = *s == '-' ? 0 : v;
		return 0;
	}
	return numparse_uint(s, 2147483647u, val_r);
}

/* cf_set - store one known parameter */
static int cf_set(struct sqlmap_cf *cf, const struct cf_param *p,
		  const char *value, struct sbuf *err)
{
	char *base = (char *)cf;
	bool b;

	switch (p->kind) {
	case CF_STR: {
		char **dst;

		if (p->offset == CF_LEGACY)
			return 0;
		dst = (char **)(void *)(base + p->offset);
		if (*dst != NULL)
			xfree_secret(dst);
		*dst = xstrdup(value);
		return 0;
	}
	case CF_BOOL:
	case CF_TRISTATE:
		if (numparse_bool(value, &b) < 0) {
			sbuf_printf(err, "%s: bad boolean value: %s = %s",
				    cf->origin, p->name, value);
			return -1;
		}
		if (p->kind == CF_BOOL)
			*(bool *)(void *)(base + p->offset) = b;
		else
			*(int *)(void *)(base + p->offset) = b ? 1 : 0;
		return 0;
	case CF_INT:
		if (cf_int(value, (unsigned int *)(void *)(base + p->offset)) <
		    0) {
			sbuf_printf(err, "%s: bad numerical configuration: %s = %s",
				    cf->origin, p->name, value);
			return -1;
		}
		return 0;
	}
	return 0;
}

/* cf_required - a parameter that must be present and not empty */
static int cf_required(const struct sqlmap_cf *cf, const char *name,
		       const char *value, struct sbuf *err)
{
	if (value == NULL) {
		sbuf_printf(err, "%s: '%s' parameter not defined", cf->origin,
			    name);
		return -1;
	}
	if (*value == '\0') {
		sbuf_printf(err, "%s: bad string length 0 < 1: %s = ",
			    cf->origin, name);
		return -1;
	}
	return 0;
}

/*
 * cf_legacy_query - Postfix db_common_sql_build_query: the trailing space
 * after '%s' is kept when additional_conditions is empty, and
 * additional_conditions is part of the template (its "%" are escapes).
 */
static int cf_legacy_query(struct sqlmap_cf *cf, const struct conf *c,
			   struct sbuf *err)
{
	const char *table = conf_get(c, "table");
	const char *sel = conf_get(c, "select_field");
	const char *where = conf_get(c, "where_field");
	const char *add = conf_get(c, "additional_conditions");
	struct sbuf *q;

	if (cf_required(cf, "table", table, err) < 0 ||
	    cf_required(cf, "select_field", sel, err) < 0 ||
	    cf_required(cf, "where_field", where, err) < 0)
		return -1;
	q = sbuf_new(128);
	sbuf_printf(q, "SELECT %s FROM %s WHERE %s='%%s' %s", sel, table,
		    where, add != NULL ? add : "");
	cf->query = sbuf_steal(q);
	sbuf_free(&q);
	return 0;
}

/* cf_defaults - fill what the file left unset */
static void cf_defaults(struct sqlmap_cf *cf)
{
	if (cf->result_format == NULL)
		cf->result_format = xstrdup("%s");
	if (cf->domain != NULL && cf->domain[0] == '\0') {
		free(cf->domain);
		cf->domain = NULL;
	}
	if (cf->type != SQLMAP_CF_MYSQL)
		return;
	if (cf->hosts == NULL)
		cf->hosts = xstrdup("");
	if (cf->user == NULL)
		cf->user = xstrdup("");
	if (cf->password == NULL)
		cf->password = xstrdup("");
	if (cf->option_group == NULL)
		cf->option_group = xstrdup("client");
}

/* sqlmap_cf_parse - parse the text of a .cf file */
int sqlmap_cf_parse(const char *data, size_t len, const char *origin,
		    enum sqlmap_cf_type type, struct sqlmap_cf **cf_r,
		    struct sbuf *warnings_r, struct sbuf *err)
{
	struct conf *c = NULL;
	struct sqlmap_cf *cf;
	const struct cf_param *p;
	const char *name, *value;
	size_t i, n;
	int ret = -1;

	*cf_r = NULL;
	cf = xcalloc(1, sizeof(*cf));
	cf->type = type;
	cf->origin = xstrdup(origin);
	cf->require_result_set = true;
	cf->tls_verify_cert = -1;
	if (conf_parse(data, len, origin, &c, warnings_r, err) < 0)
		goto out;
	n = conf_count(c);
	for (i = 0; i < n; i++) {
		name = conf_name_at(c, i);
		value = conf_get(c, name);
		if ((p = cf_find(name, type)) == NULL) {
			/* Postfix ignores unknown names without a word */
			if (warnings_r != NULL)
				sbuf_printf(warnings_r,
					    "%s, line %u: unknown parameter "
					    "\"%s\" -- ignored\n",
					    origin, conf_line_of(c, name),
					    name);
			continue;
		}
		if (cf_set(cf, p, value, err) < 0)
			goto out;
	}
	if (cf->query == NULL && cf_legacy_query(cf, c, err) < 0)
		goto out;
	if (type == SQLMAP_CF_SQLITE &&
	    cf_required(cf, "dbpath", cf->dbpath, err) < 0)
		goto out;
	if (type == SQLMAP_CF_MYSQL &&
	    cf_required(cf, "dbname", cf->dbname, err) < 0)
		goto out;
	if (cf->result_format != NULL && cf->result_format[0] == '\0') {
		sbuf_printf(err, "%s: bad string length 0 < 1: result_format = ",
			    origin);
		goto out;
	}
	cf_defaults(cf);
	*cf_r = cf;
	cf = NULL;
	ret = 0;
out:
	conf_free(&c);
	sqlmap_cf_free(&cf);
	return ret;
}

/* sqlmap_cf_load - read and parse a .cf file */
int sqlmap_cf_load(const char *path, enum sqlmap_cf_type type,
		   struct sqlmap_cf **cf_r, struct sbuf *warnings_r,
		   struct sbuf *err)
{
	struct sbuf *data = sbuf_new_max(4096, CONF_MAX_FILE);
	struct stat st;
	int ret = -1;

	*cf_r = NULL;
	if (readfile(path, data, &st, err) < 0)
		goto out;
	if (sqlmap_cf_parse(sbuf_cstr(data), sbuf_len(data), path, type, cf_r,
			    warnings_r, err) < 0)
		goto out;
	if ((*cf_r)->password != NULL && (*cf_r)->password[0] != '\0' &&
	    (st.st_mode & S_IROTH) && warnings_r != NULL)
		sbuf_printf(warnings_r,
			    "%s: file sets a password and is readable by "
			    "everyone (mode %04o)\n",
			    path, (unsigned int)(st.st_mode & 07777));
	ret = 0;
out:
	/* the file text may hold the password */
	sbuf_free_secret(&data);
	return ret;
}

/* sqlmap_cf_free - release cf, wiping the password */
void sqlmap_cf_free(struct sqlmap_cf **cfp)
{
	struct sqlmap_cf *cf = *cfp;

	if (cf == NULL)
		return;
	free(cf->origin);
	free(cf->query);
	free(cf->result_format);
	free(cf->domain);
	free(cf->dbpath);
	free(cf->hosts);
	free(cf->user);
	if (cf->password != NULL)
		xfree_secret(&cf->password);
	free(cf->dbname);
	free(cf->option_file);
	free(cf->option_group);
	free(cf->tls_cert_file);
	free(cf->tls_key_file);
	free(cf->tls_CAfile);
	free(cf->tls_CApath);
	free(cf->tls_ciphers);
	free(cf);
	*cfp = NULL;
}
