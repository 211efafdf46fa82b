/* sqlmap_domain.c - the "domain" match list of mysql_table(5) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbuf.h"
#include "sqlmap.h"
#include "sqlmap_domain.h"
#include "xalloc.h"

enum domain_kind {
	DOMAIN_NAME,        /* exact, folded name */
	DOMAIN_TABLE,       /* sqlite:/x.cf or mysql:/x.cf */
	DOMAIN_UNAVAILABLE, /* a /file that did not open: lookups fail */
};

struct domain_item {
	enum domain_kind kind;
	bool match;         /* false after an odd number of "!" */
	char *text;         /* name, or the reason the file is unavailable */
	struct sqlmap *map; /* DOMAIN_TABLE */
};

struct sqlmap_domain {
	struct domain_item *items;
	size_t count, cap;
};

/* Postfix CHARS_COMMA_SP */
#define DOMAIN_SEP ", \t\r\n"

/* fold_ascii - lower-case ASCII letters in place (Postfix casefold) */
static void fold_ascii(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* domain_add - append an item; the list takes ownership of text and map */
static int domain_add(struct sqlmap_domain *d, enum domain_kind kind,
		      bool match, char *text, struct sqlmap *map,
		      struct sbuf *err)
{
	if (d->count >= SQLMAP_DOMAIN_MAX_ITEMS) {
		sbuf_printf(err, "domain list: more than %u items",
			    SQLMAP_DOMAIN_MAX_ITEMS);
		free(text);
		sqlmap_close(&map);
		return -1;
	}
	if (d->count == d->cap) {
		d->cap = d->cap == 0 ? 8 : d->cap * 2;
		d->items = xrealloc(d->items, d->cap * sizeof(*d->items));
	}
	d->items[d->count].kind = kind;
	d->items[d->count].match = match;
	d->items[d->count].text = text;
	d->items[d->count].map = map;
	d->count++;
	return 0;
}

/*
 * next_token - Postfix mystrtokq(): skip separators, then take text up to
 * the next separator outside "{...}". Returns NULL at the end; *bp moves.
 */
static char *next_token(char **bp)
{
	char *s = *bp + strspn(*bp, DOMAIN_SEP), *start = s;
	int level = 0;

	if (*s == '\0') {
		*bp = s;
		return NULL;
	}
	for (; *s != '\0'; s++) {
		if (*s == '{')
			level++;
		else if (*s == '}' && level > 0)
			level--;
		else if (level == 0 && strchr(DOMAIN_SEP, *s) != NULL)
			break;
	}
	if (*s != '\0')
		*s++ = '\0';
	*bp = s;
	return start;
}

static int domain_parse(struct sqlmap_domain *d, char *list, bool init_match,
			const char *origin, int depth,
			struct sbuf *warnings_r, struct sbuf *err);

/* domain_file - add the items of a /file, one or more per line */
static int domain_file(struct sqlmap_domain *d, const char *path,
		       bool match, const char *origin, int depth,
		       struct sbuf *warnings_r, struct sbuf *err)
{
	struct sbuf *text = sbuf_new_max(4096, SQLMAP_DOMAIN_MAX_FILE);
	struct sbuf *why;
	char chunk[8192]; /* fixed: I/O buffer */
	char *line, *next;
	ssize_t n;
	int fd, ret = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		/* Postfix replaces the file with a table that always fails */
		why = sbuf_new(64);
		sbuf_printf(why, "open file %s: %s", path, strerror(errno));
		ret = domain_add(d, DOMAIN_UNAVAILABLE, true, sbuf_steal(why),
				 NULL, err);
		sbuf_free(&why);
		sbuf_free(&text);
		return ret;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sbuf_printf(err, "%s: read file %s: %s", origin, path,
				    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (sbuf_append(text, chunk, (size_t)n) < 0) {
			sbuf_printf(err, "%s: file %s larger than %u bytes",
				    origin, path, SQLMAP_DOMAIN_MAX_FILE);
			goto out;
		}
	}
	/* sbuf_steal keeps the text NUL-terminated; split it in place */
	line = sbuf_steal(text);
	for (next = line; next != NULL && *next != '\0';) {
		char *cur = next, *nl = strchr(cur, '\n');

		next = nl != NULL ? nl + 1 : NULL;
		if (nl != NULL)
			*nl = '\0';
		if (cur[0] == '#')
			continue;
		if (domain_parse(d, cur, match, origin, depth + 1, warnings_r,
				 err) < 0) {
			free(line);
			goto out;
		}
	}
	free(line);
	ret = 0;
out:
	close(fd);
	sbuf_free(&text);
	return ret;
}

/* domain_table - open a table named in the list */
static int domain_table(struct sqlmap_domain *d, const char *item,
			bool match, const char *origin, int depth,
			struct sbuf *err)
{
	struct sqlmap *map;

	if (strncmp(item, "sqlite:", 7) != 0 && strncmp(item, "mysql:", 6) != 0) {
		sbuf_printf(err,
			    "%s: domain list: unsupported table type in \"%s\" "
			    "(only sqlite: and mysql: tables)",
			    origin, item);
		return -1;
	}
	if ((map = sqlmap_open_nested(item, SQLMAP_FOLD_KEY, depth + 1, err)) ==
	    NULL)
		return -1;
	return domain_add(d, DOMAIN_TABLE, match, NULL, map, err);
}

/* domain_parse - Postfix match_list_parse for one string */
static int domain_parse(struct sqlmap_domain *d, char *list, bool init_match,
			const char *origin, int depth,
			struct sbuf *warnings_r, struct sbuf *err)
{
	char *bp = list, *tok, *item, *name;
	bool match;

	if (depth > SQLMAP_DOMAIN_MAX_DEPTH) {
		sbuf_printf(err, "%s: domain list nested too deeply", origin);
		return -1;
	}
	while ((tok = next_token(&bp)) != NULL) {
		if (*tok == '#') {
			if (warnings_r != NULL)
				sbuf_printf(warnings_r,
					    "%s: comment at end of line is not "
					    "supported: %s %s\n",
					    origin, tok, bp);
			break;
		}
		for (match = init_match, item = tok; *item == '!'; item++)
			match = !match;
		if (*item == '\0') {
			sbuf_printf(err, "%s: no pattern after '!'", origin);
			return -1;
		}
		if (*item == '/') {
			if (domain_file(d, item, match, origin, depth,
					warnings_r, err) < 0)
				return -1;
		} else if (*item != '[' && strchr(item, ':') != NULL) {
			if (domain_table(d, item, match, origin, depth, err) < 0)
				return -1;
		} else {
			name = xstrdup(item);
			fold_ascii(name);
			if (domain_add(d, DOMAIN_NAME, match, name, NULL, err) <
			    0)
				return -1;
		}
	}
	return 0;
}

/* sqlmap_domain_new - parse a domain match list, opening its files */
struct sqlmap_domain *sqlmap_domain_new(const char *list, const char *origin,
					int depth, struct sbuf *warnings_r,
					struct sbuf *err)
{
	struct sqlmap_domain *d = xcalloc(1, sizeof(*d));
	char *copy = xstrdup(list);

	if (domain_parse(d, copy, true, origin, depth, warnings_r, err) < 0)
		sqlmap_domain_free(&d);
	free(copy);
	return d;
}

/* sqlmap_domain_match - Postfix match_list_match with string_list rules */
enum sqlmap_domain_result sqlmap_domain_match(struct sqlmap_domain *d,
					      const char *domain,
					      struct sbuf *err)
{
	enum sqlmap_domain_result ret = SQLMAP_DOMAIN_NOMATCH;
	struct sbuf *val = NULL;
	char *folded = xstrdup(domain);
	size_t i;

	fold_ascii(folded);
	for (i = 0; i < d->count; i++) {
		struct domain_item *it = &d->items[i];

		if (it->kind == DOMAIN_NAME) {
			if (strcmp(folded, it->text) == 0) {
				ret = it->match ? SQLMAP_DOMAIN_MATCH
						: SQLMAP_DOMAIN_NOMATCH;
				break;
			}
			continue;
		}
		if (it->kind == DOMAIN_UNAVAILABLE) {
			sbuf_printf(err, "domain list: %s", it->text);
			ret = SQLMAP_DOMAIN_ERROR;
			break;
		}
		if (val == NULL)
			val = sbuf_new(64);
		sbuf_reset(val);
		switch (sqlmap_lookup(it->map, folded, val, err)) {
		case SQLMAP_FOUND:
			ret = it->match ? SQLMAP_DOMAIN_MATCH
					: SQLMAP_DOMAIN_NOMATCH;
			goto out;
		case SQLMAP_NOTFOUND:
			continue;
		case SQLMAP_TEMPFAIL:
			ret = SQLMAP_DOMAIN_ERROR;
			goto out;
		}
	}
out:
	sbuf_free(&val);
	free(folded);
	return ret;
}

/* sqlmap_domain_free - close the tables and free the list */
void sqlmap_domain_free(struct sqlmap_domain **dp)
{
	struct sqlmap_domain *d = *dp;
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->count; i++) {
		free(d->items[i].text);
		sqlmap_close(&d->items[i].map);
	}
	free(d->items);
	free(d);
	*dp = NULL;
}
