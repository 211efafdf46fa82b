/* conf.c - Postfix main.cf syntax reader, $name expansion, parameter tables */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "numparse.h"
#include "readfile.h"
#include "sbuf.h"
#include "xalloc.h"

struct conf_entry {
	char *name;
	char *value;
	unsigned int line;
};

struct conf {
	char *origin;
	struct conf_entry *entries;
	size_t count, cap;
};

/* is_space - main.cf white space */
static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

/* conf_find - index of name, or -1 */
static long conf_find(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->count; i++)
		if (strcmp(c->entries[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* conf_set - add or override one entry */
static void conf_set(struct conf *c, const char *name, size_t nlen,
		     const char *value, size_t vlen, unsigned int line,
		     struct sbuf *warnings_r)
{
	char *n = xstrndup(name, nlen);
	long i = conf_find(c, n);
	struct conf_entry *e;

	if (i >= 0) {
		/* Name only: the old value may be a password. */
		if (warnings_r != NULL)
			sbuf_printf(warnings_r,
				    "%s, line %u: overriding earlier entry: "
				    "%s\n",
				    c->origin, line, n);
		e = &c->entries[i];
		xfree_secret(&e->value);
		free(n);
	} else {
		if (c->count == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 16;
			c->entries = xrealloc(c->entries,
					      c->cap * sizeof(*c->entries));
		}
		e = &c->entries[c->count++];
		e->name = n;
	}
	e->value = xstrndup(value, vlen);
	e->line = line;
}

/*
 * conf_split - split one logical line into name and value, as Postfix's
 * split_nameval: the name runs to white space or "=", the value is
 * trimmed at both ends.
 */
static int conf_split(struct conf *c, const char *s, size_t len,
		      unsigned int line, struct sbuf *warnings_r,
		      struct sbuf *err)
{
	const char *end = s + len, *name, *np;

	while (s < end && is_space(*s))
		s++;
	name = s;
	while (s < end && !is_space(*s) && *s != '=')
		s++;
	np = s;
	if (np == name) {
		sbuf_printf(err, "%s, line %u: missing parameter name",
			    c->origin, line);
		return -1;
	}
	while (s < end && is_space(*s))
		s++;
	if (s == end || *s != '=') {
		sbuf_printf(err, "%s, line %u: missing '=' after parameter "
			    "name", c->origin, line);
		return -1;
	}
	s++;
	while (s < end && is_space(*s))
		s++;
	while (end > s && is_space(end[-1]))
		end--;
	conf_set(c, name, (size_t)(np - name), s, (size_t)(end - s), line,
		 warnings_r);
	return 0;
}

/* conf_flush - hand a finished logical line to conf_split */
static int conf_flush(struct conf *c, struct sbuf *logical,
		      unsigned int line, struct sbuf *warnings_r,
		      struct sbuf *err)
{
	int r = 0;

	if (!sbuf_is_empty(logical))
		r = conf_split(c, sbuf_cstr(logical), sbuf_len(logical), line,
			       warnings_r, err);
	sbuf_wipe(logical);
	return r;
}

/* conf_parse - parse main.cf-syntax text */
int conf_parse(const char *data, size_t len, const char *origin,
	       struct conf **conf_r, struct sbuf *warnings_r,
	       struct sbuf *err)
{
	struct conf *c = xmalloc(sizeof(*c));
	struct sbuf *logical = sbuf_new_max(256, CONF_MAX_LINE);
	const char *p = data, *end = data + len, *nl, *q;
	unsigned int lineno = 0, start = 0;
	int r = -1;

	c->origin = xstrdup(origin);
	if (len > CONF_MAX_FILE) {
		sbuf_printf(err, "%s: file larger than %u bytes", origin,
			    CONF_MAX_FILE);
		goto out;
	}
	if (memchr(data, '\0', len) != NULL) {
		sbuf_printf(err, "%s: file contains a NUL byte", origin);
		goto out;
	}
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		lineno++;
		for (q = p; q < nl && is_space(*q); q++)
			;
		if (q == nl || *q == '#') {
			/* blank or comment: skipped, even inside a logical line */
		} else if (q != p && !sbuf_is_empty(logical)) {
			/* continuation: appended as is, leading space kept */
			if (sbuf_append(logical, p, (size_t)(nl - p)) < 0) {
				sbuf_printf(err, "%s, line %u: logical line "
					    "longer than %u bytes", origin,
					    lineno, CONF_MAX_LINE);
				goto out;
			}
		} else {
			if (conf_flush(c, logical, start, warnings_r, err) < 0)
				goto out;
			if (q != p && warnings_r != NULL)
				sbuf_printf(warnings_r, "%s, line %u: logical "
					    "line must not start with white "
					    "space\n", origin, lineno);
			start = lineno;
			if (sbuf_append(logical, p, (size_t)(nl - p)) < 0) {
				sbuf_printf(err, "%s, line %u: line longer "
					    "than %u bytes", origin, lineno,
					    CONF_MAX_LINE);
				goto out;
			}
		}
		p = nl < end ? nl + 1 : end;
	}
	if (conf_flush(c, logical, start, warnings_r, err) < 0)
		goto out;
	r = 0;
out:
	sbuf_free_secret(&logical);
	if (r < 0)
		conf_free(&c);
	*conf_r = c;
	return r;
}

/* conf_load - read a whole file (bounded) and parse it */
int conf_load(const char *path, struct conf **conf_r,
	      struct sbuf *warnings_r, struct sbuf *err)
{
	struct sbuf *text = sbuf_new_max(4096, CONF_MAX_FILE);
	int r = -1;

	*conf_r = NULL;
	if (readfile(path, text, NULL, err) == 0)
		r = conf_parse(sbuf_cstr(text), sbuf_len(text), path, conf_r,
			       warnings_r, err);
	/* the text may hold a password */
	sbuf_free_secret(&text);
	return r;
}

/* conf_free - release everything; values are wiped (they hold passwords) */
void conf_free(struct conf **cp)
{
	struct conf *c = *cp;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->count; i++) {
		free(c->entries[i].name);
		xfree_secret(&c->entries[i].value);
	}
	free(c->entries);
	free(c->origin);
	free(c);
	*cp = NULL;
}

/* conf_get - raw value of name, or NULL */
const char *conf_get(const struct conf *c, const char *name)
{
	long i = conf_find(c, name);

	return i < 0 ? NULL : c->entries[i].value;
}

/* conf_count - number of distinct names */
size_t conf_count(const struct conf *c)
{
	return c->count;
}

/* conf_name_at - i-th name in file order */
const char *conf_name_at(const struct conf *c, size_t i)
{
	return i < c->count ? c->entries[i].name : NULL;
}

/* conf_line_of - line where name was (last) set, 0 if never */
unsigned int conf_line_of(const struct conf *c, const char *name)
{
	long i = conf_find(c, name);

	return i < 0 ? 0 : c->entries[i].line;
}

/* conf_origin - where the text came from */
const char *conf_origin(const struct conf *c)
{
	return c->origin;
}

/* is_name_char - characters of a $name */
static bool is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* One expansion: nesting depth and the total count of references. */
struct conf_expander {
	const struct conf *c;
	struct sbuf *out, *err;
	unsigned int refs;
};

static int conf_expand_depth(struct conf_expander *x, const char *value,
			     unsigned int depth);

/*
 * conf_expand_ref - expand one reference: $name, ${name}, $(name),
 * ${name?text} (text when name is set and not empty), ${name:text} (text
 * when name is unset or empty). *pp points past the "$".
 */
static int conf_expand_ref(struct conf_expander *x, const char **pp,
			   unsigned int depth)
{
	struct sbuf *err = x->err;
	const char *p = *pp, *name, *nend, *text = NULL, *tend = NULL;
	char close = 0, op = 0;
	const char *val;
	char *n, *t;
	int r;

	if (*p == '{' || *p == '(') {
		close = *p == '{' ? '}' : ')';
		p++;
	}
	name = p;
	while (is_name_char(*p))
		p++;
	nend = p;
	if (close) {
		if (*p == '?' || *p == ':') {
			unsigned int nest = 0;

			op = *p++;
			text = p;
			for (; *p && (*p != close || nest); p++) {
				if (*p == '{' || *p == '(')
					nest++;
				else if ((*p == '}' || *p == ')') && nest)
					nest--;
			}
			tend = p;
		}
		if (*p != close) {
			sbuf_printf(err, "unbalanced '%c' in \"%s\"",
				    close == '}' ? '{' : '(', *pp - 1);
			return -1;
		}
		p++;
	}
	if (nend == name) {
		sbuf_printf(err, "missing parameter name after '$'");
		return -1;
	}
	*pp = p;
	/* $a = $b$b, $b = $c$c, ... doubles per level: bound the total. */
	if (++x->refs > CONF_MAX_REFS) {
		sbuf_printf(err, "more than %d parameter references in one "
			    "value", CONF_MAX_REFS);
		return -1;
	}
	n = xstrndup(name, (size_t)(nend - name));
	val = conf_get(x->c, n);
	free(n);
	if (op != 0) {
		bool set = val != NULL && *val != '\0';

		if ((op == '?') != set)
			return 0;
		t = xstrndup(text, (size_t)(tend - text));
		r = conf_expand_depth(x, t, depth + 1);
		free(t);
		return r;
	}
	if (val == NULL)
		return 0;
	return conf_expand_depth(x, val, depth + 1);
}

/* conf_expand_depth - conf_expand with a bound on nesting */
static int conf_expand_depth(struct conf_expander *x, const char *value,
			     unsigned int depth)
{
	struct sbuf *out = x->out, *err = x->err;
	const char *p = value;

	if (depth > CONF_MAX_DEPTH) {
		sbuf_printf(err, "parameter expansion nested more than %d "
			    "levels (a loop?)", CONF_MAX_DEPTH);
		return -1;
	}
	while (*p) {
		const char *dollar = strchr(p, '$');

		if (dollar == NULL)
			dollar = p + strlen(p);
		if (sbuf_append(out, p, (size_t)(dollar - p)) < 0)
			goto toolong;
		if (*dollar == '\0')
			break;
		p = dollar + 1;
		if (*p == '$') {
			if (sbuf_putc(out, '$') < 0)
				goto toolong;
			p++;
		} else if (*p == '{' || *p == '(' || is_name_char(*p)) {
			if (conf_expand_ref(x, &p, depth) < 0)
				return -1;
		} else if (sbuf_putc(out, '$') < 0) {
			goto toolong;
		}
	}
	return 0;
toolong:
	sbuf_printf(err, "expanded value too long");
	return -1;
}

/* conf_expand - expand $name references in value */
int conf_expand(const struct conf *c, const char *value, struct sbuf *out,
		struct sbuf *err)
{
	struct conf_expander x = {c, out, err, 0};

	return conf_expand_depth(&x, value, 0);
}

/* conf_param_find - table entry for a name without prefix */
static const struct conf_param *conf_param_find(const struct conf_param *t,
						const char *name)
{
	for (; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

/* conf_store - parse one expanded value into its destination */
static int conf_store(const struct conf_param *p, const char *full,
		      const char *v, void *dest, struct sbuf *err)
{
	char *at = (char *)dest + p->offset;
	unsigned long ul;
	bool b;
	mode_t m;

	switch (p->type) {
	case CONF_STR: {
		char **sp = (char **)(void *)at;

		xfree_secret(sp);
		*sp = xstrdup(v);
		return 0;
	}
	case CONF_BOOL:
		if (numparse_bool(v, &b) < 0) {
			sbuf_printf(err, "%s: bad boolean value \"%s\" "
				    "(use yes or no)", full, v);
			return -1;
		}
		*(bool *)(void *)at = b;
		return 0;
	case CONF_UINT:
	case CONF_TIME:
		if ((p->type == CONF_UINT ? numparse_ulong(v, p->max, &ul)
					  : numparse_time(v, p->max, &ul)) <
			    0 ||
		    ul < p->min) {
			sbuf_printf(err, "%s: bad value \"%s\" (expected %s "
				    "from %lu to %lu)", full, v,
				    p->type == CONF_TIME ? "a time" : "a number",
				    p->min, p->max);
			return -1;
		}
		*(unsigned int *)(void *)at = (unsigned int)ul;
		return 0;
	case CONF_MODE:
		if (numparse_mode(v, &m) < 0) {
			sbuf_printf(err, "%s: bad file mode \"%s\" (expected "
				    "octal, e.g. 0660)", full, v);
			return -1;
		}
		*(mode_t *)(void *)at = m;
		return 0;
	}
	sbuf_printf(err, "%s: unknown parameter type", full);
	return -1;
}

/* has_any_prefix - does name start with one of the prefixes in list? */
static bool has_any_prefix(const char *name, const char *const *list)
{
	for (; list != NULL && *list != NULL; list++)
		if (strncmp(name, *list, strlen(*list)) == 0)
			return true;
	return false;
}

/* conf_apply - fill dest from a parameter table */
int conf_apply(const struct conf *c, const char *prefix,
	       const struct conf_param *table, void *dest, struct sbuf *err)
{
	return conf_apply_except(c, prefix, NULL, table, dest, err);
}

/* conf_apply_except - conf_apply, leaving names under skip to others */
int conf_apply_except(const struct conf *c, const char *prefix,
		      const char *const *skip, const struct conf_param *table,
		      void *dest, struct sbuf *err)
{
	size_t plen = strlen(prefix), i;
	struct sbuf *full = sbuf_new(64), *val = sbuf_new(128);
	const struct conf_param *p;
	const char *raw;
	int r = -1;

	for (i = 0; c != NULL && i < c->count; i++) {
		const char *n = c->entries[i].name;

		if (strncmp(n, prefix, plen) != 0 || has_any_prefix(n, skip))
			continue;
		if (conf_param_find(table, n + plen) == NULL) {
			sbuf_printf(err, "%s, line %u: unknown parameter %s",
				    c->origin, c->entries[i].line, n);
			goto out;
		}
	}
	for (p = table; p->name != NULL; p++) {
		sbuf_reset(full);
		sbuf_printf(full, "%s%s", prefix, p->name);
		raw = c != NULL ? conf_get(c, sbuf_cstr(full)) : NULL;
		if (raw == NULL)
			raw = p->def != NULL ? p->def : "";
		sbuf_wipe(val);
		if (c != NULL ? conf_expand(c, raw, val, err) < 0
			      : sbuf_append_str(val, raw) < 0)
			goto out;
		if (conf_store(p, sbuf_cstr(full), sbuf_cstr(val), dest, err) <
		    0)
			goto out;
	}
	r = 0;
out:
	sbuf_free(&full);
	sbuf_free_secret(&val);
	return r;
}

/* conf_release - free the strings conf_apply stored */
void conf_release(const struct conf_param *table, void *dest)
{
	for (; table->name != NULL; table++)
		if (table->type == CONF_STR)
			xfree_secret((char **)(void *)((char *)dest +
						       table->offset));
}

/* conf_next_word - the next word of a comma or white space separated list */
const char *conf_next_word(const char **sp, size_t *len_r)
{
	const char *s = *sp, *start;

	s += strspn(s, ", \t");
	if (*s == '\0')
		return NULL;
	start = s;
	s += strcspn(s, ", \t");
	*len_r = (size_t)(s - start);
	*sp = s;
	return start;
}
