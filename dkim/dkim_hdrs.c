/* dkim_hdrs.c - a message's header fields and h= selection */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dkim_canon.h"
#include "dkim_hdrs.h"
#include "sbuf.h"
#include "xalloc.h"

struct dkim_hdrs_field {
	char *text; /* NUL-terminated copy */
	size_t len;
	size_t name_len; /* the name: before ':' without trailing WSP */
};

struct dkim_hdrs {
	size_t n;
	size_t bytes;
	struct dkim_hdrs_field *f;
	size_t cap;
};

/* dkim_hdrs_new - an empty header */
struct dkim_hdrs *dkim_hdrs_new(void)
{
	return xcalloc(1, sizeof(struct dkim_hdrs));
}

/* dkim_hdrs_free - release all fields */
void dkim_hdrs_free(struct dkim_hdrs **hp)
{
	size_t i;

	if (*hp == NULL)
		return;
	for (i = 0; i < (*hp)->n; i++)
		free((*hp)->f[i].text);
	free((*hp)->f);
	free(*hp);
	*hp = NULL;
}

/* dkim_hdrs_is_ftext - a field name byte: printable US-ASCII but ':' */
static bool dkim_hdrs_is_ftext(unsigned char c)
{
	return c >= 33 && c <= 126 && c != ':';
}

/*
 * dkim_hdrs_name_scan - a field name of n bytes (what stands before the
 * colon): its length without the white space before the colon in *nl_r
 * (RFC 5322 4.5.3, obsolete but still met; relaxed canonicalization
 * deletes it), and the offset of its first byte that is not ftext
 * (2.2: printable US-ASCII but ':'), or *nl_r when all are
 */
static size_t dkim_hdrs_name_scan(const char *name, size_t n, size_t *nl_r)
{
	size_t i = 0;

	while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
		n--;
	*nl_r = n;
	while (i < n && dkim_hdrs_is_ftext((unsigned char)name[i]))
		i++;
	return i;
}

/* dkim_hdrs_name_is_valid - 1*ftext, then optional spaces and tabs */
bool dkim_hdrs_name_is_valid(const char *name, size_t n)
{
	size_t nl;

	return dkim_hdrs_name_scan(name, n, &nl) == nl && nl > 0;
}

/* dkim_hdrs_name_len - the name's length, or -1 with the reason */
static int dkim_hdrs_name_len(const char *field, size_t colon_off, size_t *nl_r,
			      struct sbuf *err)
{
	size_t nl, bad = dkim_hdrs_name_scan(field, colon_off, &nl);
	unsigned char c;

	if (nl == 0) {
		sbuf_append_str(err, "header field with an empty name");
		return -1;
	}
	if (bad < nl) {
		c = (unsigned char)field[bad];
		sbuf_printf(err, "header field name with %s at byte %zu",
			    c == ' ' || c == '\t' ? "white space inside"
			    : c >= 128		  ? "an 8-bit byte"
						  : "a control character",
			    bad + 1);
		return -1;
	}
	*nl_r = nl;
	return 0;
}

/* dkim_hdrs_add - keep one more field */
int dkim_hdrs_add(struct dkim_hdrs *h, const char *field, size_t n,
		  struct sbuf *err)
{
	const char *colon = memchr(field, ':', n);
	struct dkim_hdrs_field *f;
	size_t nl;

	if (colon == NULL) {
		sbuf_append_str(err, "header field without a colon");
		return -1;
	}
	if (dkim_hdrs_name_len(field, (size_t)(colon - field), &nl, err) < 0)
		return -1;
	if (h->n == DKIM_HDRS_MAX_FIELDS) {
		sbuf_printf(err, "more than %d header fields",
			    DKIM_HDRS_MAX_FIELDS);
		return -1;
	}
	if (n > DKIM_HDRS_MAX_BYTES - h->bytes) {
		sbuf_printf(err, "header larger than %u bytes",
			    DKIM_HDRS_MAX_BYTES);
		return -1;
	}
	if (h->n == h->cap) {
		h->cap = h->cap == 0 ? 32 : h->cap * 2;
		h->f = xrealloc(h->f, h->cap * sizeof(*h->f));
	}
	f = &h->f[h->n++];
	/* a copy of n bytes: a NUL inside must not shorten it */
	f->text = xmalloc(n + 1);
	memcpy(f->text, field, n);
	f->text[n] = '\0';
	f->len = n;
	f->name_len = nl;
	h->bytes += n;
	return 0;
}

/* dkim_hdrs_count - number of fields */
size_t dkim_hdrs_count(const struct dkim_hdrs *h) { return h->n; }

/* dkim_hdrs_field - one field's text */
const char *dkim_hdrs_field(const struct dkim_hdrs *h, size_t i, size_t *len_r)
{
	*len_r = h->f[i].len;
	return h->f[i].text;
}

/* dkim_hdrs_name_is - caseless name comparison */
bool dkim_hdrs_name_is(const struct dkim_hdrs *h, size_t i, const char *name)
{
	size_t n = strlen(name);

	return h->f[i].name_len == n && strncasecmp(h->f[i].text, name, n) == 0;
}

/* dkim_hdrs_canon - RFC 6376 5.4.2 selection, canonicalized */
int dkim_hdrs_canon(const struct dkim_hdrs *h, enum dkim_canon_alg c,
		    const char *const *names, size_t n, struct sbuf *out)
{
	size_t k, j, seen, i;

	for (k = 0; k < n; k++) {
		/* this is occurrence number seen+1 of the name in h= */
		seen = 0;
		for (j = 0; j < k; j++)
			if (strcasecmp(names[j], names[k]) == 0)
				seen++;
		for (i = h->n; i-- > 0;) {
			if (!dkim_hdrs_name_is(h, i, names[k]))
				continue;
			if (seen-- > 0)
				continue;
			if (dkim_canon_header(c, h->f[i].text, h->f[i].len,
					      true, out) < 0)
				return -1;
			break;
		}
	}
	return 0;
}
