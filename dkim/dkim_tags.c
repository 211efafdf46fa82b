/* dkim_tags.c - RFC 6376 3.2 tag=value lists */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dkim_tags.h"
#include "sbuf.h"
#include "xalloc.h"

struct dkim_tags {
	size_t n;
	struct dkim_tag tag[DKIM_TAGS_MAX];
	char *store; /* names and values, NUL-separated */
};

/* one tag-spec as found in the input: offsets into s */
struct dkim_tags_span {
	size_t name, name_len;
	size_t val, val_len;
	size_t val_end; /* where the spec ends: at ';' or n */
};

/* dkim_tags_is_wsp - folding white space; CR and LF only inside FWS */
static bool dkim_tags_is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* dkim_tags_is_tval - RFC 6376 3.2 tval-char: %x21-3A / %x3C-7E */
static bool dkim_tags_is_tval(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != ';';
}

/* dkim_tags_is_alpha - ALPHA */
static bool dkim_tags_is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* dkim_tags_is_alnumpunc - RFC 6376 3.2 ALNUMPUNC: ALPHA / DIGIT / "_" */
static bool dkim_tags_is_alnumpunc(unsigned char c)
{
	return dkim_tags_is_alpha(c) || (c >= '0' && c <= '9') || c == '_';
}

/*
 * dkim_tags_next - scan the tag-spec that starts at *pos; 1 with span
 * filled and *pos past its ';', 0 for an empty spec (only white space,
 * allowed as most verifiers allow "a=1;;" and a final ";"), -1 with a
 * reason in err.
 */
static int dkim_tags_next(const unsigned char *s, size_t n, size_t *pos,
			  struct dkim_tags_span *sp, struct sbuf *err)
{
	size_t i = *pos, last;

	while (i < n && dkim_tags_is_wsp(s[i]))
		i++;
	if (i == n || s[i] == ';') {
		*pos = i < n ? i + 1 : n;
		return 0;
	}
	if (!dkim_tags_is_alpha(s[i])) {
		sbuf_printf(err, "tag name expected at offset %zu", i);
		return -1;
	}
	sp->name = i;
	while (i < n && dkim_tags_is_alnumpunc(s[i]))
		i++;
	sp->name_len = i - sp->name;
	if (sp->name_len > DKIM_TAGS_MAX_NAME) {
		sbuf_printf(err, "tag name longer than %d bytes",
			    DKIM_TAGS_MAX_NAME);
		return -1;
	}
	while (i < n && dkim_tags_is_wsp(s[i]))
		i++;
	if (i == n || s[i] != '=') {
		sbuf_printf(err, "'=' expected after tag name at offset %zu",
			    i);
		return -1;
	}
	i++;
	while (i < n && dkim_tags_is_wsp(s[i]))
		i++;
	sp->val = i;
	last = i; /* one past the last tval-char seen */
	for (; i < n && s[i] != ';'; i++) {
		if (dkim_tags_is_tval(s[i]))
			last = i + 1;
		else if (!dkim_tags_is_wsp(s[i])) {
			sbuf_printf(err,
				    "invalid byte 0x%02x in tag value at "
				    "offset %zu",
				    s[i], i);
			return -1;
		}
	}
	sp->val_len = last - sp->val;
	sp->val_end = i;
	if (sp->val_len > DKIM_TAGS_MAX_VALUE) {
		sbuf_printf(err, "tag value longer than %u bytes",
			    DKIM_TAGS_MAX_VALUE);
		return -1;
	}
	*pos = i < n ? i + 1 : n;
	return 1;
}

/* dkim_tags_parse - parse a whole tag-list into a new struct */
int dkim_tags_parse(const char *s, size_t n, struct dkim_tags **tags_r,
		    struct sbuf *err)
{
	const unsigned char *u = (const unsigned char *)s;
	struct dkim_tags_span span[DKIM_TAGS_MAX], sp;
	struct dkim_tags *t;
	size_t pos = 0, count = 0, need = 0, i, j;
	char *p;
	int r;

	*tags_r = NULL;
	while (pos < n) {
		r = dkim_tags_next(u, n, &pos, &sp, err);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		if (count == DKIM_TAGS_MAX) {
			sbuf_printf(err, "more than %d tags", DKIM_TAGS_MAX);
			return -1;
		}
		for (j = 0; j < count; j++) {
			if (span[j].name_len == sp.name_len &&
			    memcmp(s + span[j].name, s + sp.name,
				   sp.name_len) == 0) {
				sbuf_printf(err, "tag %.*s appears twice",
					    (int)sp.name_len, s + sp.name);
				return -1;
			}
		}
		/* both lengths are capped above, so this cannot overflow */
		need += sp.name_len + sp.val_len + 2;
		span[count++] = sp;
	}
	t = xcalloc(1, sizeof(*t));
	t->store = xmalloc(need + 1);
	p = t->store;
	for (i = 0; i < count; i++) {
		t->tag[i].name = p;
		memcpy(p, s + span[i].name, span[i].name_len);
		p += span[i].name_len;
		*p++ = '\0';
		t->tag[i].value = p;
		t->tag[i].value_len = span[i].val_len;
		memcpy(p, s + span[i].val, span[i].val_len);
		p += span[i].val_len;
		*p++ = '\0';
	}
	t->n = count;
	*tags_r = t;
	return 0;
}

/* dkim_tags_free - release a list */
void dkim_tags_free(struct dkim_tags **tp)
{
	if (*tp == NULL)
		return;
	free((*tp)->store);
	free(*tp);
	*tp = NULL;
}

/* dkim_tags_count - number of tags */
size_t dkim_tags_count(const struct dkim_tags *t) { return t->n; }

/* dkim_tags_at - the i-th tag */
const struct dkim_tag *dkim_tags_at(const struct dkim_tags *t, size_t i)
{
	return i < t->n ? &t->tag[i] : NULL;
}

/* dkim_tags_get - look a tag up by its (case-sensitive) name */
const char *dkim_tags_get(const struct dkim_tags *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->tag[i].name, name) == 0)
			return t->tag[i].value;
	return NULL;
}

/* dkim_tags_blank - copy a tag list with one value emptied */
int dkim_tags_blank(const char *s, size_t n, const char *name, struct sbuf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	struct sbuf *err = sbuf_new(0);
	struct dkim_tags_span sp;
	size_t pos = 0, count = 0, nlen = strlen(name);
	size_t done = 0; /* bytes of s already copied */
	int r, ret = -1;

	while (pos < n) {
		r = dkim_tags_next(u, n, &pos, &sp, err);
		if (r < 0)
			goto out;
		if (r == 0)
			continue;
		if (++count > DKIM_TAGS_MAX)
			goto out;
		if (sp.name_len != nlen || memcmp(s + sp.name, name, nlen) != 0)
			continue;
		/* keep everything up to and including '=' */
		if (sbuf_append(out, s + done, sp.val - done) < 0)
			goto out;
		/* the white space between '=' and the value goes too */
		while (dkim_tags_is_wsp(sbuf_data(out)[sbuf_len(out) - 1]))
			sbuf_truncate(out, sbuf_len(out) - 1);
		done = sp.val_end;
	}
	if (sbuf_append(out, s + done, n - done) < 0)
		goto out;
	ret = 0;
out:
	sbuf_free(&err);
	return ret;
}
