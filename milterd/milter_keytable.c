/*
 * milter_keytable.c - OpenDKIM KeyTable and SigningTable parsing and
 * lookup (milter_keytable.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "milter_keytable.h"
#include "sbuf.h"
#include "xalloc.h"

#define MILTER_KEYTABLE_MAX_FIELDS 4

struct milter_keytable {
	struct milter_keytable_key *v;
	size_t n, cap;
};

struct milter_signtable {
	struct milter_signtable_entry *v;
	size_t n, cap;
	bool refile;
};

/* line_fn - one line's fields (borrowed) */
typedef int line_fn(void *ctx, char **f, size_t nf, unsigned int line,
		    struct sbuf *err);

/*
 * milter_keytable_lines - split text into lines and lines into fields
 * separated by white space; call fn for each non-blank, non-comment line
 */
static int milter_keytable_lines(const char *text, size_t n, line_fn *fn,
				 void *ctx, struct sbuf *err)
{
	char buf[MILTER_KEYTABLE_MAX_LINE + 1];
	size_t pos = 0, nlines = 0;
	unsigned int lineno = 0;

	while (pos < n) {
		const char *nl = memchr(text + pos, '\n', n - pos);
		size_t len = nl != NULL ? (size_t)(nl - (text + pos)) : n - pos;
		char *f[MILTER_KEYTABLE_MAX_FIELDS], *p;
		size_t nf = 0;

		lineno++;
		if (len > MILTER_KEYTABLE_MAX_LINE) {
			sbuf_printf(err, "line %u: longer than %u bytes",
				    lineno, MILTER_KEYTABLE_MAX_LINE);
			return -1;
		}
		memcpy(buf, text + pos, len);
		buf[len] = '\0';
		pos += len + (nl != NULL);
		if (len > 0 && buf[len - 1] == '\r')
			buf[--len] = '\0';
		if (memchr(buf, '\0', len) != NULL) {
			sbuf_printf(err, "line %u: NUL byte", lineno);
			return -1;
		}
		p = buf + strspn(buf, " \t");
		if (*p == '\0' || *p == '#')
			continue;
		while (*p != '\0') {
			if (nf == MILTER_KEYTABLE_MAX_FIELDS) {
				sbuf_printf(err, "line %u: too many fields",
					    lineno);
				return -1;
			}
			f[nf++] = p;
			p += strcspn(p, " \t");
			if (*p != '\0')
				*p++ = '\0';
			p += strspn(p, " \t");
		}
		if (++nlines > MILTER_KEYTABLE_MAX_LINES) {
			sbuf_printf(err, "more than %u entries",
				    MILTER_KEYTABLE_MAX_LINES);
			return -1;
		}
		if (fn(ctx, f, nf, lineno, err) < 0)
			return -1;
	}
	return 0;
}

/* milter_keytable_is_path - OpenDKIM's test: a file, not an inline key */
static bool milter_keytable_is_path(const char *s)
{
	return s[0] == '/' || strncmp(s, "./", 2) == 0 ||
	       strncmp(s, "../", 3) == 0;
}

/* milter_keytable_line - "name domain:selector:key" */
static int milter_keytable_line(void *ctx, char **f, size_t nf,
				unsigned int line, struct sbuf *err)
{
	struct milter_keytable *kt = ctx;
	struct milter_keytable_key *k;
	char *c1, *c2;

	if (nf != 2) {
		sbuf_printf(err,
			    "line %u: expected \"keyname "
			    "domain:selector:keyfile\"",
			    line);
		return -1;
	}
	c1 = strchr(f[1], ':');
	c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
	if (c1 == NULL || c2 == NULL || c1 == f[1] || c2 == c1 + 1 ||
	    c2[1] == '\0') {
		sbuf_printf(err,
			    "line %u: key \"%s\": expected "
			    "domain:selector:keyfile",
			    line, f[0]);
		return -1;
	}
	if (milter_keytable_find(kt, f[0]) >= 0) {
		sbuf_printf(err, "line %u: key \"%s\" defined twice", line,
			    f[0]);
		return -1;
	}
	if (kt->n == kt->cap) {
		kt->cap = kt->cap == 0 ? 8 : kt->cap * 2;
		kt->v = xrealloc(kt->v, kt->cap * sizeof(*kt->v));
	}
	k = &kt->v[kt->n++];
	memset(k, 0, sizeof(*k));
	k->name = xstrdup(f[0]);
	k->domain = xstrndup(f[1], (size_t)(c1 - f[1]));
	k->selector = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
	k->key = xstrdup(c2 + 1);
	k->is_path = milter_keytable_is_path(k->key);
	k->line = line;
	return 0;
}

int milter_keytable_parse(const char *text, size_t n,
			  struct milter_keytable **kt_r, struct sbuf *err)
{
	struct milter_keytable *kt = xcalloc(1, sizeof(*kt));

	if (milter_keytable_lines(text, n, milter_keytable_line, kt, err) <
	    0) {
		milter_keytable_free(&kt);
		return -1;
	}
	*kt_r = kt;
	return 0;
}

void milter_keytable_free(struct milter_keytable **kp)
{
	struct milter_keytable *kt = *kp;

	if (kt == NULL)
		return;
	for (size_t i = 0; i < kt->n; i++) {
		free(kt->v[i].name);
		free(kt->v[i].domain);
		free(kt->v[i].selector);
		/* an inline key is a secret */
		xfree_secret(&kt->v[i].key);
	}
	free(kt->v);
	free(kt);
	*kp = NULL;
}

size_t milter_keytable_count(const struct milter_keytable *kt)
{
	return kt->n;
}

const struct milter_keytable_key *
milter_keytable_at(const struct milter_keytable *kt, size_t i)
{
	return i < kt->n ? &kt->v[i] : NULL;
}

long milter_keytable_find(const struct milter_keytable *kt, const char *name)
{
	for (size_t i = 0; i < kt->n; i++)
		if (strcmp(kt->v[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* milter_signtable_line - "pattern keyname [signer]" */
static int milter_signtable_line(void *ctx, char **f, size_t nf,
				 unsigned int line, struct sbuf *err)
{
	struct milter_signtable *st = ctx;
	struct milter_signtable_entry *e;

	if (nf != 2 && nf != 3) {
		sbuf_printf(err, "line %u: expected \"pattern keyname "
				 "[signer]\"",
			    line);
		return -1;
	}
	if (st->n == st->cap) {
		st->cap = st->cap == 0 ? 8 : st->cap * 2;
		st->v = xrealloc(st->v, st->cap * sizeof(*st->v));
	}
	e = &st->v[st->n++];
	memset(e, 0, sizeof(*e));
	e->pattern = xstrdup(f[0]);
	e->keyname = xstrdup(f[1]);
	e->signer = nf == 3 ? xstrdup(f[2]) : NULL;
	e->line = line;
	return 0;
}

int milter_signtable_parse(const char *text, size_t n, bool refile,
			   struct milter_signtable **st_r, struct sbuf *err)
{
	struct milter_signtable *st = xcalloc(1, sizeof(*st));

	st->refile = refile;
	if (milter_keytable_lines(text, n, milter_signtable_line, st, err) <
	    0) {
		milter_signtable_free(&st);
		return -1;
	}
	*st_r = st;
	return 0;
}

void milter_signtable_free(struct milter_signtable **sp)
{
	struct milter_signtable *st = *sp;

	if (st == NULL)
		return;
	for (size_t i = 0; i < st->n; i++) {
		free(st->v[i].pattern);
		free(st->v[i].keyname);
		free(st->v[i].signer);
	}
	free(st->v);
	free(st);
	*sp = NULL;
}

size_t milter_signtable_count(const struct milter_signtable *st)
{
	return st->n;
}

const struct milter_signtable_entry *
milter_signtable_at(const struct milter_signtable *st, size_t i)
{
	return i < st->n ? &st->v[i] : NULL;
}

bool milter_keytable_glob(const char *p, const char *s)
{
	const char *star = NULL, *resume = NULL;

	/* greedy with one backtrack point: the last star seen */
	while (*s != '\0') {
		if (*p == '*') {
			star = p++;
			resume = s;
		} else if (*p != '\0' &&
			   tolower((unsigned char)*p) ==
			       tolower((unsigned char)*s)) {
			p++;
			s++;
		} else if (star != NULL) {
			p = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* add_match - idx unless present; false when full */
static bool add_match(size_t *idx_r, size_t *n, size_t max, size_t idx)
{
	for (size_t i = 0; i < *n; i++)
		if (idx_r[i] == idx)
			return true;
	if (*n == max)
		return false;
	idx_r[(*n)++] = idx;
	return true;
}

/* refile_lookup - patterns in file order */
static size_t refile_lookup(const struct milter_signtable *st,
			    const char *addr, bool multiple, size_t *idx_r,
			    size_t max)
{
	size_t n = 0;
	const char *first = NULL;

	for (size_t i = 0; i < st->n; i++) {
		const char *pat = st->v[i].pattern;

		if (first != NULL && !multiple) {
			/* the same pattern again: one more signature */
			if (strcmp(pat, first) == 0 &&
			    !add_match(idx_r, &n, max, i))
				break;
			continue;
		}
		if (!milter_keytable_glob(pat, addr))
			continue;
		if (!add_match(idx_r, &n, max, i))
			break;
		first = pat;
	}
	return n;
}

/* exact_key - every entry whose pattern is key (ignoring case); true
 * if any */
static bool exact_key(const struct milter_signtable *st, const char *key,
		      size_t *idx_r, size_t *n, size_t max)
{
	bool hit = false;

	for (size_t i = 0; i < st->n; i++) {
		if (strcasecmp(st->v[i].pattern, key) != 0)
			continue;
		hit = true;
		if (!add_match(idx_r, n, max, i))
			break;
	}
	return hit;
}

/* plain_lookup - OpenDKIM's order of exact keys */
static size_t plain_lookup(const struct milter_signtable *st,
			   const char *addr, bool multiple, size_t *idx_r,
			   size_t max)
{
	const char *at = strrchr(addr, '@');
	const char *host, *d;
	struct sbuf *key;
	size_t n = 0, ulen;
	bool hit;

	if (at == NULL)
		return 0;
	host = at + 1;
	ulen = (size_t)(at - addr);
	key = sbuf_new(strlen(addr) + 8);

	/* user@host, host */
	hit = exact_key(st, addr, idx_r, &n, max);
	if (!hit || multiple)
		hit = exact_key(st, host, idx_r, &n, max);
	/* user@.parent for each parent, then .parent for each parent */
	for (d = strchr(host, '.'); d != NULL && (!hit || multiple);
	     d = strchr(d + 1, '.')) {
		sbuf_reset(key);
		sbuf_append(key, addr, ulen);
		sbuf_printf(key, "@%s", d);
		hit = exact_key(st, sbuf_cstr(key), idx_r, &n, max) || hit;
	}
	for (d = strchr(host, '.'); d != NULL && (!hit || multiple);
	     d = strchr(d + 1, '.'))
		hit = exact_key(st, d, idx_r, &n, max) || hit;
	/* user@*, * */
	if (!hit || multiple) {
		sbuf_reset(key);
		sbuf_append(key, addr, ulen);
		sbuf_append_str(key, "@*");
		hit = exact_key(st, sbuf_cstr(key), idx_r, &n, max) || hit;
	}
	if (!hit || multiple)
		(void)exact_key(st, "*", idx_r, &n, max);
	sbuf_free(&key);
	return n;
}

size_t milter_signtable_lookup(const struct milter_signtable *st,
			       const char *addr, bool multiple, size_t *idx_r,
			       size_t max)
{
	if (st->refile)
		return refile_lookup(st, addr, multiple, idx_r, max);
	return plain_lookup(st, addr, multiple, idx_r, max);
}
