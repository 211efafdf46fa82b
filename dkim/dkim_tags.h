/*
 * dkim_tags.h - the tag=value list of RFC 6376 3.2, as DKIM-Signature
 * header fields and DKIM key records (DNS TXT) use it.
 *
 * Input is untrusted (message headers, DNS answers). The parser is pure:
 * it copies what it keeps, enforces DKIM_TAGS_MAX tags and
 * DKIM_TAGS_MAX_VALUE bytes per value, and fails with a reason in err on
 * a syntax error or a repeated tag name. Tag names are case-sensitive
 * (RFC 6376 3.2). A parsed list is read-only and may be shared between
 * threads.
 */
#ifndef PW_DKIM_TAGS_H
#define PW_DKIM_TAGS_H

#include <stddef.h>

struct sbuf;

#define DKIM_TAGS_MAX 64		/* tags in one list */
#define DKIM_TAGS_MAX_NAME 32		/* bytes of a tag name */
#define DKIM_TAGS_MAX_VALUE (16u << 10) /* bytes of one value */

struct dkim_tag {
	const char *name;  /* NUL-terminated */
	const char *value; /* NUL-terminated; inner FWS kept, outer gone */
	size_t value_len;
};

struct dkim_tags;

/*
 * dkim_tags_parse - parse n bytes at s (borrowed, not NUL-terminated);
 * on success *tags_r is a new list (caller frees with dkim_tags_free).
 * -1 with a reason in err (appended) on bad syntax, a repeated tag or a
 * passed limit. Values may only hold the tval characters of RFC 6376
 * 3.2 (printable ASCII but ';') and folding white space (SP, HTAB, CR,
 * LF): a NUL or 8-bit byte is an error.
 */
int dkim_tags_parse(const char *s, size_t n, struct dkim_tags **tags_r,
		    struct sbuf *err);
void dkim_tags_free(struct dkim_tags **tp); /* NULL-safe */

size_t dkim_tags_count(const struct dkim_tags *t);
/* dkim_tags_at - the i-th tag in input order (borrowed, i < count) */
const struct dkim_tag *dkim_tags_at(const struct dkim_tags *t, size_t i);
/* dkim_tags_get - the value of tag name (borrowed) or NULL if absent */
const char *dkim_tags_get(const struct dkim_tags *t, const char *name);

/*
 * dkim_tags_blank - append to out the n bytes at s (a tag list that
 * dkim_tags_parse accepts) with the value of tag name, and the white
 * space around it, removed: "b=abc; c=x" becomes "b=; c=x" (RFC 6376
 * 3.5, b=). -1 when s is not a valid tag list or out is full.
 */
int dkim_tags_blank(const char *s, size_t n, const char *name,
		    struct sbuf *out);

#endif
