/* sqlmap.c - Postfix mysql_table(5) / sqlite_table(5) lookups */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "casefold.h"
#include "log.h"
#include "sbuf.h"
#include "sqlmap.h"
#include "sqlmap_cf.h"
#include "sqlmap_domain.h"
#include "sqlmap_expand.h"
#include "sqlmap_sqlite.h"
#include "xalloc.h"
#ifdef HAVE_MYSQL
#include "sqlmap_mysql.h"
#endif

struct sqlmap {
	char *spec;                  /* "sqlite:/x.cf", as given */
	int flags;                   /* enum sqlmap_flags */
	struct sqlmap_cf *cf;
	struct sqlmap_expand ctx;    /* flags of query and result_format */
	struct sqlmap_domain *domain; /* NULL without a domain list */
	struct sqlmap_sqlite *sqlite;
#ifdef HAVE_MYSQL
	struct sqlmap_mysql *mysql;
#endif
};

/* Per-lookup state of the value sink */
struct collect {
	const struct sqlmap *m;
	const char *key;
	struct sbuf *result;  /* bounded by SQLMAP_MAX_RESULT */
	struct sbuf *err;
	unsigned int count;   /* values that expanded */
};

/* log_lines - log each "\n"-terminated warning line */
static void log_lines(const struct sbuf *lines)
{
	const char *s = sbuf_cstr(lines), *nl;

	while (*s != '\0') {
		nl = strchr(s, '\n');
		if (nl == NULL) {
			log_warn("%s", s);
			break;
		}
		log_warn("%.*s", (int)(nl - s), s);
		s = nl + 1;
	}
}

/*
 * utf8_is_valid - well-formed UTF-8 (no overlong forms, surrogates or code
 * points above U+10FFFF), as Postfix valid_utf8_string() checks.
 */
static bool utf8_is_valid(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	unsigned char c, lo, hi;

	while (i < len) {
		c = s[i];
		lo = 0x80;
		hi = 0xbf;
		if (c <= 0x7f) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else {
			return false;
		}
		if (len - i - 1 < n)
			return false;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (k = 2; k <= n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		i += n + 1;
	}
	return true;
}

/* collect_value - Postfix's handling of one database value */
static int collect_value(const char *value, void *arg)
{
	struct collect *c = arg;
	struct sbuf *q;

	if (value == NULL) /* SQL NULL: skipped silently */
		return 0;
	if (*value == '\0') {
		q = sbuf_new(64);
		log_warn("table \"%s\": empty lookup result for: \"%s\""
			 " -- ignored",
			 c->m->spec, log_quote(q, c->key, strlen(c->key)));
		sbuf_free(&q);
		return 0;
	}
	switch (sqlmap_expand_result(&c->m->ctx, c->m->cf->result_format,
				     value, c->key, c->result)) {
	case SQLMAP_EXPAND_SKIP:
		return 0;
	case SQLMAP_EXPAND_TOOBIG:
		sbuf_printf(c->err, "result longer than %u bytes",
			    SQLMAP_MAX_RESULT);
		return -1;
	case SQLMAP_EXPAND_OK:
		break;
	}
	if (c->m->cf->expansion_limit > 0 &&
	    ++c->count > c->m->cf->expansion_limit) {
		sbuf_printf(c->err, "expansion limit exceeded (more than %u "
				    "values)",
			    c->m->cf->expansion_limit);
		return -1;
	}
	return 0;
}

/* sqlmap_open_nested - open a table, counting the nesting depth */
struct sqlmap *sqlmap_open_nested(const char *spec, int flags, int depth,
				  struct sbuf *err)
{
	struct sqlmap *m = NULL;
	struct sbuf *warn = sbuf_new(0);
	enum sqlmap_cf_type type;
	const char *path;

	if (strncmp(spec, "sqlite:", 7) == 0) {
		type = SQLMAP_CF_SQLITE;
		path = spec + 7;
	} else if (strncmp(spec, "mysql:", 6) == 0) {
#ifndef HAVE_MYSQL
		sbuf_printf(err, "%s: mysql: support not built", spec);
		goto out;
#endif
		type = SQLMAP_CF_MYSQL;
		path = spec + 6;
	} else {
		sbuf_printf(err, "%s: unsupported table type (use sqlite: or "
				 "mysql:)",
			    spec);
		goto out;
	}
	/* Postfix reads main.cf "name_param" for other names (obsolete) */
	if (path[0] != '/' && path[0] != '.') {
		sbuf_printf(err, "%s: the table name must be the path of a .cf "
				 "file (starting with / or .)",
			    spec);
		goto out;
	}
	m = xcalloc(1, sizeof(*m));
	m->spec = xstrdup(spec);
	m->flags = flags;
	if (sqlmap_cf_load(path, type, &m->cf, warn, err) < 0)
		goto fail;
	log_lines(warn);
	sbuf_reset(warn);
	if (sqlmap_expand_parse(&m->ctx, m->cf->query, SQLMAP_EXPAND_QUERY,
				err) < 0 ||
	    sqlmap_expand_parse(&m->ctx, m->cf->result_format,
				SQLMAP_EXPAND_RESULT, err) < 0) {
		/* err holds "invalid ... template: ..." */
		goto fail;
	}
	if (m->cf->domain != NULL) {
		m->domain = sqlmap_domain_new(m->cf->domain, path, depth, warn,
					      err);
		log_lines(warn);
		if (m->domain == NULL)
			goto fail;
	}
	if (type == SQLMAP_CF_SQLITE) {
		m->sqlite = sqlmap_sqlite_open(m->cf->dbpath);
	} else {
#ifdef HAVE_MYSQL
		if ((m->mysql = sqlmap_mysql_open(m->cf, m->spec, err)) == NULL)
			goto fail;
#endif
	}
	goto out;
fail:
	if (sbuf_len(err) > 0 && strstr(sbuf_cstr(err), path) == NULL) {
		/* make sure the message names the file */
		struct sbuf *tmp = sbuf_new(sbuf_len(err) + 64);

		sbuf_printf(tmp, "%s: %s", path, sbuf_cstr(err));
		sbuf_reset(err);
		sbuf_append(err, sbuf_data(tmp), sbuf_len(tmp));
		sbuf_free(&tmp);
	}
	sqlmap_close(&m);
out:
	sbuf_free(&warn);
	return m;
}

/* sqlmap_open - open a table from its spec */
struct sqlmap *sqlmap_open(const char *spec, int flags, struct sbuf *err)
{
	return sqlmap_open_nested(spec, flags, 0, err);
}

/* domain_check - Postfix db_common_check_domain */
static enum sqlmap_result domain_check(struct sqlmap *m, const char *key,
				       struct sbuf *err)
{
	const char *at;

	if (m->domain == NULL)
		return SQLMAP_FOUND;
	at = strrchr(key, '@');
	if (at == NULL || at == key) /* "user" or "@domain" */
		return SQLMAP_NOTFOUND;
	switch (sqlmap_domain_match(m->domain, at + 1, err)) {
	case SQLMAP_DOMAIN_MATCH:
		return SQLMAP_FOUND;
	case SQLMAP_DOMAIN_NOMATCH:
		return SQLMAP_NOTFOUND;
	case SQLMAP_DOMAIN_ERROR:
		break;
	}
	return SQLMAP_TEMPFAIL;
}

/* sqlmap_lookup - look a key up, as dict_mysql/dict_sqlite do */
enum sqlmap_result sqlmap_lookup(struct sqlmap *m, const char *key,
				 struct sbuf *value_r, struct sbuf *err)
{
	enum sqlmap_result ret = SQLMAP_TEMPFAIL;
	struct sbuf *check = NULL, *q = NULL;
	struct collect c;
	size_t len = strlen(key);
	char *k = NULL;

	sbuf_reset(value_r);
	memset(&c, 0, sizeof(c));
	if (len > SQLMAP_MAX_KEY) {
		sbuf_printf(err, "%s: key longer than %u bytes", m->spec,
			    SQLMAP_MAX_KEY);
		return SQLMAP_TEMPFAIL;
	}
	/*
	 * Postfix (smtputf8_enable = yes, the default since compatibility
	 * level 1) skips malformed keys with a warning.
	 */
	if (!utf8_is_valid((const unsigned char *)key, len)) {
		q = sbuf_new(64);
		log_warn("%s: non-UTF-8 key \"%s\": malformed UTF-8 or invalid "
			 "codepoint",
			 m->spec, log_quote(q, key, len));
		sbuf_free(&q);
		return SQLMAP_NOTFOUND;
	}
	if (m->flags & SQLMAP_FOLD_KEY) {
		/* postmap folds Unicode case too (SMTPUTF8 on by default) */
		q = sbuf_new_max(len, SQLMAP_MAX_KEY * 3);
		if (casefold_utf8(key, len, q) < 0) {
			sbuf_printf(err, "%s: cannot fold the case of a key",
				    m->spec);
			sbuf_free(&q);
			return SQLMAP_TEMPFAIL;
		}
		k = sbuf_steal(q);
		sbuf_free(&q);
	} else {
		k = xstrdup(key);
	}

	if ((ret = domain_check(m, k, err)) != SQLMAP_FOUND) {
		if (ret == SQLMAP_TEMPFAIL)
			goto fail;
		goto out;
	}
	if (*k == '\0') {
		log_warn("table \"%s\": empty query string -- ignored",
			 m->spec);
		ret = SQLMAP_NOTFOUND;
		goto out;
	}
	/* suppression rules first, outside any connection (as dict_mysql) */
	check = sbuf_new_max(256, SQLMAP_MAX_KEY * 10 + strlen(m->cf->query));
	if (sqlmap_expand_query(&m->ctx, m->cf->query, k, NULL, NULL, check) ==
	    SQLMAP_EXPAND_SKIP) {
		ret = SQLMAP_NOTFOUND;
		goto out;
	}

	c.m = m;
	c.key = k;
	c.err = err;
	c.result = sbuf_new_max(256, SQLMAP_MAX_RESULT);
	if (m->sqlite != NULL)
		ret = sqlmap_sqlite_lookup(m->sqlite, &m->ctx, m->cf->query, k,
					   collect_value, &c, err);
#ifdef HAVE_MYSQL
	else if (m->mysql != NULL)
		ret = sqlmap_mysql_lookup(m->mysql, &m->ctx, m->cf->query, k,
					  collect_value, &c, err);
#endif
	else
		log_panic("sqlmap_lookup: %s: no backend", m->spec);
	if (ret == SQLMAP_TEMPFAIL)
		goto fail;
	/*
	 * Postfix with smtputf8: a value that is not UTF-8 fails the lookup.
	 */
	if (!utf8_is_valid(sbuf_data(c.result), sbuf_len(c.result))) {
		q = sbuf_new(64);
		sbuf_printf(err, "key \"%s\": non-UTF-8 value",
			    log_quote(q, k, strlen(k)));
		ret = SQLMAP_TEMPFAIL;
		goto fail;
	}
	if (sbuf_is_empty(c.result)) {
		ret = SQLMAP_NOTFOUND;
		goto out;
	}
	if (sbuf_append(value_r, sbuf_data(c.result), sbuf_len(c.result)) < 0) {
		sbuf_printf(err, "result does not fit the caller's buffer");
		ret = SQLMAP_TEMPFAIL;
		goto fail;
	}
	ret = SQLMAP_FOUND;
	goto out;
fail:
	/* name the table once, in front of the backend's message */
	if (strncmp(sbuf_cstr(err), m->spec, strlen(m->spec)) != 0) {
		struct sbuf *tmp = sbuf_new(sbuf_len(err) + 64);

		sbuf_printf(tmp, "%s: %s", m->spec, sbuf_cstr(err));
		sbuf_reset(err);
		sbuf_append(err, sbuf_data(tmp), sbuf_len(tmp));
		sbuf_free(&tmp);
	}
	sbuf_reset(value_r);
out:
	sbuf_free(&q);
	sbuf_free(&check);
	sbuf_free(&c.result);
	free(k);
	return ret;
}

/* sqlmap_close - close the backend and free the map; NULL-safe */
void sqlmap_close(struct sqlmap **mp)
{
	struct sqlmap *m = *mp;

	if (m == NULL)
		return;
	sqlmap_sqlite_close(&m->sqlite);
#ifdef HAVE_MYSQL
	sqlmap_mysql_close(&m->mysql);
#endif
	sqlmap_domain_free(&m->domain);
	sqlmap_cf_free(&m->cf);
	free(m->spec);
	free(m);
	*mp = NULL;
}

/* sqlmap_name - the spec the map was opened with */
const char *sqlmap_name(const struct sqlmap *m)
{
	return m->spec;
}
