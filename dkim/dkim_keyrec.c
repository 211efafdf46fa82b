/* dkim_keyrec.c - DKIM key records (RFC 6376 3.6.1) */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "dkim_keyrec.h"
#include "dkim_tags.h"
#include "sbuf.h"
#include "xalloc.h"

/* the callback of dkim_keyrec_list: one item, n bytes */
typedef void dkim_keyrec_item_fn(const char *item, size_t n, void *ctx);

/* dkim_keyrec_is_wsp - folding white space inside a tag value */
static bool dkim_keyrec_is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* dkim_keyrec_list - call fn for each item of a colon-separated list */
static void dkim_keyrec_list(const char *v, dkim_keyrec_item_fn *fn, void *ctx)
{
	const char *p = v, *e;
	size_t n;

	for (;;) {
		while (dkim_keyrec_is_wsp(*p))
			p++;
		e = p;
		while (*e != '\0' && *e != ':')
			e++;
		n = (size_t)(e - p);
		while (n > 0 && dkim_keyrec_is_wsp(p[n - 1]))
			n--;
		fn(p, n, ctx);
		if (*e == '\0')
			return;
		p = e + 1;
	}
}

/* dkim_keyrec_is - item equals word, ignoring case */
static bool dkim_keyrec_is(const char *item, size_t n, const char *word)
{
	return n == strlen(word) && strncasecmp(item, word, n) == 0;
}

/* dkim_keyrec_hash_item - h=: unknown hash names are ignored (3.6.1) */
static void dkim_keyrec_hash_item(const char *item, size_t n, void *ctx)
{
	struct dkim_keyrec *rec = ctx;

	if (dkim_keyrec_is(item, n, "sha1"))
		rec->hash_sha1 = true;
	else if (dkim_keyrec_is(item, n, "sha256"))
		rec->hash_sha256 = true;
}

/* dkim_keyrec_service_item - s=: "*" or "email" allow email */
static void dkim_keyrec_service_item(const char *item, size_t n, void *ctx)
{
	struct dkim_keyrec *rec = ctx;

	if (dkim_keyrec_is(item, n, "*") || dkim_keyrec_is(item, n, "email"))
		rec->email = true;
}

/* dkim_keyrec_flag_item - t=: y (testing) and s (strict i=) */
static void dkim_keyrec_flag_item(const char *item, size_t n, void *ctx)
{
	struct dkim_keyrec *rec = ctx;

	if (dkim_keyrec_is(item, n, "y"))
		rec->testing = true;
	else if (dkim_keyrec_is(item, n, "s"))
		rec->strict_i = true;
}

/* dkim_keyrec_fill - validate the tags and fill rec */
static int dkim_keyrec_fill(const struct dkim_tags *t, struct dkim_keyrec *rec,
			    struct sbuf *err)
{
	const char *v;

	/* RFC 6376 3.6.1: v= is optional, but if present it comes first */
	if ((v = dkim_tags_get(t, "v")) != NULL &&
	    (strcmp(v, "DKIM1") != 0 ||
	     strcmp(dkim_tags_at(t, 0)->name, "v") != 0)) {
		sbuf_append_str(err, "v= is not DKIM1 or not the first tag");
		return -1;
	}
	rec->k = DKIM_KEY_RSA;
	if ((v = dkim_tags_get(t, "k")) != NULL) {
		if (strcasecmp(v, "rsa") == 0)
			rec->k = DKIM_KEY_RSA;
		else if (strcasecmp(v, "ed25519") == 0)
			rec->k = DKIM_KEY_ED25519;
		else {
			sbuf_append_str(err, "unknown key type k=");
			return -1;
		}
	}
	if ((v = dkim_tags_get(t, "h")) != NULL)
		dkim_keyrec_list(v, dkim_keyrec_hash_item, rec);
	else
		rec->hash_sha1 = rec->hash_sha256 = true;
	if ((v = dkim_tags_get(t, "s")) != NULL)
		dkim_keyrec_list(v, dkim_keyrec_service_item, rec);
	else
		rec->email = true;
	if ((v = dkim_tags_get(t, "t")) != NULL)
		dkim_keyrec_list(v, dkim_keyrec_flag_item, rec);
	if ((v = dkim_tags_get(t, "p")) == NULL) {
		sbuf_append_str(err, "missing required tag p=");
		return -1;
	}
	rec->p = sbuf_new_max(256, DKIM_KEYREC_MAX_P);
	if (base64_decode(v, strlen(v), BASE64_SKIP_SPACE, rec->p) < 0) {
		sbuf_append_str(err, "p= is not valid base64");
		return -1;
	}
	rec->revoked = sbuf_len(rec->p) == 0;
	return 0;
}

/* dkim_keyrec_parse - TXT value to a struct */
int dkim_keyrec_parse(const char *s, size_t n, struct dkim_keyrec **rec_r,
		      struct sbuf *err)
{
	struct dkim_keyrec *rec = xcalloc(1, sizeof(*rec));
	struct dkim_tags *t = NULL;
	int ret = -1;

	*rec_r = NULL;
	if (dkim_tags_parse(s, n, &t, err) < 0)
		goto out;
	if (dkim_keyrec_fill(t, rec, err) < 0)
		goto out;
	*rec_r = rec;
	rec = NULL;
	ret = 0;
out:
	dkim_tags_free(&t);
	dkim_keyrec_free(&rec);
	return ret;
}

/* dkim_keyrec_free - release a record */
void dkim_keyrec_free(struct dkim_keyrec **rp)
{
	if (*rp == NULL)
		return;
	sbuf_free(&(*rp)->p);
	free(*rp);
	*rp = NULL;
}

/* dkim_keyrec_allows_hash - RFC 6376 3.6.1 h= */
bool dkim_keyrec_allows_hash(const struct dkim_keyrec *rec, enum dkim_hash h)
{
	return h == DKIM_HASH_SHA1 ? rec->hash_sha1 : rec->hash_sha256;
}
