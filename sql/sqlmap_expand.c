/* sqlmap_expand.c - query and result_format templates (mysql_table(5)) */
#include "config.h"

#include <string.h>

#include "log.h"
#include "sbuf.h"
#include "sqlmap_expand.h"

/* sqlmap_expand_parse - validate a template and collect its flags */
int sqlmap_expand_parse(struct sqlmap_expand *ctx, const char *tmpl,
			enum sqlmap_expand_kind kind, struct sbuf *err)
{
	bool query = kind == SQLMAP_EXPAND_QUERY;
	const char *cp;

	for (cp = tmpl; *cp != '\0'; cp++) {
		if (*cp != '%')
			continue;
		switch (*++cp) {
		case '%':
		case 's':
		case 'S':
			break;
		case 'u':
			ctx->flags |= query ? SQLMAP_EXPAND_KEY_USER |
						      SQLMAP_EXPAND_KEY_PARTIAL
					    : SQLMAP_EXPAND_VALUE_USER;
			break;
		case 'd':
			ctx->flags |= query ? SQLMAP_EXPAND_KEY_DOMAIN |
						      SQLMAP_EXPAND_KEY_PARTIAL
					    : SQLMAP_EXPAND_VALUE_DOMAIN;
			break;
		case 'U':
			ctx->flags |= SQLMAP_EXPAND_KEY_USER |
				      SQLMAP_EXPAND_KEY_PARTIAL;
			break;
		case '1': case '2': case '3': case '4': case '5':
		case '6': case '7': case '8': case '9':
			if (ctx->nparts < (unsigned int)(*cp - '0'))
				ctx->nparts = (unsigned int)(*cp - '0');
			/* %1-9 need the key's domain, as %D */
			__attribute__((fallthrough));
		case 'D':
			ctx->flags |= SQLMAP_EXPAND_KEY_DOMAIN |
				      SQLMAP_EXPAND_KEY_PARTIAL;
			break;
		default:
			/* includes a "%" at the very end: *cp is the NUL */
			sbuf_printf(err, "invalid %s template: %s",
				    query ? "query" : "result", tmpl);
			return -1;
		}
	}
	return 0;
}

/* sqlmap_expand_is_pattern - do the templates use parts of the key? */
bool sqlmap_expand_is_pattern(const struct sqlmap_expand *ctx)
{
	return (ctx->flags & SQLMAP_EXPAND_KEY_PARTIAL) != 0;
}

/* domain_of - text after the last "@", or NULL without one */
static const char *domain_of(const char *s)
{
	const char *at = strrchr(s, '@');

	return at == NULL ? NULL : at + 1;
}

/*
 * label_from_right - the n-th (1-based) non-empty label of dom counted from
 * the right. Empty labels do not count: Postfix splits the domain with
 * mystrtok(), which collapses leading, trailing and repeated dots
 * (postmap: "u@mail..example.com" gives %3 = "mail"). Returns false when
 * dom has fewer than n labels.
 */
static bool label_from_right(const char *dom, unsigned int n,
			     const char **p_r, size_t *len_r)
{
	const char *end = dom + strlen(dom);
	const char *start;

	while (end > dom) {
		while (end > dom && end[-1] == '.')
			end--;
		if (end == dom)
			break;
		start = end;
		while (start > dom && start[-1] != '.')
			start--;
		if (--n == 0) {
			*p_r = start;
			*len_r = (size_t)(end - start);
			return true;
		}
		end = start;
	}
	return false;
}

/* emit - append part of a key or value, quoted when a quoter is given */
static int emit(struct sbuf *out, const char *p, size_t len,
		sqlmap_quote_fn *quote, void *arg, struct sbuf *tmp)
{
	if (quote == NULL)
		return sbuf_append(out, p, len);
	sbuf_reset(tmp);
	if (sbuf_append(tmp, p, len) < 0)
		return -1;
	return quote(sbuf_cstr(tmp), out, arg);
}

/* local_len - length of the local part: up to the last "@", else all */
static size_t local_len(const char *s, const char *dom)
{
	return dom == NULL ? strlen(s) : (size_t)(dom - 1 - s);
}

/*
 * expand - db_common_expand: key is NULL for a query (value is the key)
 * and the lookup key for result_format (value is a database value).
 */
static enum sqlmap_expand_result
expand(const struct sqlmap_expand *ctx, const char *tmpl, const char *value,
       const char *key, sqlmap_quote_fn *quote, void *arg, struct sbuf *out)
{
	unsigned int fl = ctx->flags;
	const char *vdom = NULL, *kdom = NULL, *cp, *lp;
	size_t mark = sbuf_len(out), ll;
	struct sbuf *tmp = NULL;
	enum sqlmap_expand_result ret = SQLMAP_EXPAND_SKIP;
	int rc = 0;

	if (value == NULL || *value == '\0')
		return SQLMAP_EXPAND_SKIP;
	if (key != NULL) {
		/* a result: %u/%d need those parts of the value */
		if (fl & (SQLMAP_EXPAND_VALUE_DOMAIN | SQLMAP_EXPAND_VALUE_USER))
			vdom = domain_of(value);
		if (((vdom == NULL || *vdom == '\0') &&
		     (fl & SQLMAP_EXPAND_VALUE_DOMAIN)) ||
		    (vdom == value + 1 && (fl & SQLMAP_EXPAND_VALUE_USER)))
			return SQLMAP_EXPAND_SKIP;
		if (fl & (SQLMAP_EXPAND_KEY_DOMAIN | SQLMAP_EXPAND_KEY_USER))
			kdom = domain_of(key);
		if ((kdom == NULL || *kdom == '\0') &&
		    (fl & SQLMAP_EXPAND_KEY_DOMAIN))
			return SQLMAP_EXPAND_SKIP;
	} else {
		/* a query: mysql_table(5) suppression rules */
		if (fl & (SQLMAP_EXPAND_KEY_DOMAIN | SQLMAP_EXPAND_KEY_USER))
			vdom = domain_of(value);
		if (((vdom == NULL || *vdom == '\0') &&
		     (fl & SQLMAP_EXPAND_KEY_DOMAIN)) ||
		    (vdom == value + 1 && (fl & SQLMAP_EXPAND_KEY_USER)))
			return SQLMAP_EXPAND_SKIP;
	}
	if (ctx->nparts > 0 &&
	    !label_from_right(key != NULL ? kdom : vdom, ctx->nparts, &lp,
			      &ll))
		return SQLMAP_EXPAND_SKIP;

	if (quote != NULL)
		tmp = sbuf_new(64);
	if (key != NULL && sbuf_len(out) > 0)
		rc = sbuf_putc(out, ',');
	for (cp = tmpl; *cp != '\0' && rc == 0; cp++) {
		if (*cp != '%') {
			rc = sbuf_putc(out, *cp);
			continue;
		}
		switch (*++cp) {
		case '%':
			rc = sbuf_putc(out, '%');
			break;
		case 's':
			rc = emit(out, value, strlen(value), quote, arg, tmp);
			break;
		case 'u':
			rc = emit(out, value, local_len(value, vdom), quote,
				  arg, tmp);
			break;
		case 'd':
			if (vdom == NULL)
				log_panic("sqlmap_expand: %%d without domain");
			rc = emit(out, vdom, strlen(vdom), quote, arg, tmp);
			break;
		case 'S':
			lp = key != NULL ? key : value;
			rc = emit(out, lp, strlen(lp), quote, arg, tmp);
			break;
		case 'U':
			if (key != NULL)
				rc = emit(out, key, local_len(key, kdom), quote,
					  arg, tmp);
			else
				rc = emit(out, value, local_len(value, vdom),
					  quote, arg, tmp);
			break;
		case 'D':
			lp = key != NULL ? kdom : vdom;
			if (lp == NULL)
				log_panic("sqlmap_expand: %%D without domain");
			rc = emit(out, lp, strlen(lp), quote, arg, tmp);
			break;
		case '1': case '2': case '3': case '4': case '5':
		case '6': case '7': case '8': case '9':
			if (!label_from_right(key != NULL ? kdom : vdom,
					      (unsigned int)(*cp - '0'), &lp,
					      &ll))
				log_panic("sqlmap_expand: missing label");
			rc = emit(out, lp, ll, quote, arg, tmp);
			break;
		default:
			/* sqlmap_expand_parse rejected this template */
			log_panic("sqlmap_expand: unparsed template");
		}
	}
	if (rc == 0) {
		ret = SQLMAP_EXPAND_OK;
	} else {
		sbuf_truncate(out, mark);
		ret = SQLMAP_EXPAND_TOOBIG;
	}
	sbuf_free(&tmp);
	return ret;
}

/* sqlmap_expand_query - expand the query template for a key */
enum sqlmap_expand_result
sqlmap_expand_query(const struct sqlmap_expand *ctx, const char *tmpl,
		    const char *key, sqlmap_quote_fn *quote, void *arg,
		    struct sbuf *out)
{
	return expand(ctx, tmpl, key, NULL, quote, arg, out);
}

/* sqlmap_expand_result - expand result_format for one database value */
enum sqlmap_expand_result
sqlmap_expand_result(const struct sqlmap_expand *ctx, const char *tmpl,
		     const char *value, const char *key, struct sbuf *out)
{
	return expand(ctx, tmpl, value, key, NULL, NULL, out);
}
