/* dkim_sig.c - DKIM-Signature header values (RFC 6376 3.5) */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "dkim_sig.h"
#include "dkim_tags.h"
#include "numparse.h"
#include "sbuf.h"
#include "xalloc.h"

/* dkim_sig_is_wsp - folding white space inside a tag value */
static bool dkim_sig_is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * dkim_sig_is_domain - RFC 6376 3.5 d= and s=: dot-separated labels of
 * letters, digits and hyphens, no hyphen at either end of a label. An
 * underscore is accepted as well: selectors with one are common.
 */
bool dkim_sig_is_domain(const char *s, size_t n)
{
	size_t i, label = 0;
	char c;

	if (n == 0 || n > DKIM_SIG_MAX_DOMAIN)
		return false;
	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
		if (c == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && s[n - 1] != '-';
}

/* dkim_sig_alg - a= */
static int dkim_sig_alg(const char *v, struct dkim_sig *sig)
{
	if (strcasecmp(v, "rsa-sha256") == 0) {
		sig->alg = DKIM_ALG_RSA_SHA256;
		sig->hash = DKIM_HASH_SHA256;
	} else if (strcasecmp(v, "rsa-sha1") == 0) {
		sig->alg = DKIM_ALG_RSA_SHA1;
		sig->hash = DKIM_HASH_SHA1;
	} else if (strcasecmp(v, "ed25519-sha256") == 0) {
		sig->alg = DKIM_ALG_ED25519_SHA256;
		sig->hash = DKIM_HASH_SHA256;
	} else
		return -1;
	return 0;
}

/* dkim_sig_canon_word - "simple" or "relaxed", n bytes */
static int dkim_sig_canon_word(const char *v, size_t n,
			       enum dkim_canon_alg *c_r)
{
	if (n == 6 && strncasecmp(v, "simple", 6) == 0)
		*c_r = DKIM_CANON_SIMPLE;
	else if (n == 7 && strncasecmp(v, "relaxed", 7) == 0)
		*c_r = DKIM_CANON_RELAXED;
	else
		return -1;
	return 0;
}

/* dkim_sig_canon - c=: header[/body]; body defaults to simple */
static int dkim_sig_canon(const char *v, struct dkim_sig *sig)
{
	const char *slash = strchr(v, '/');

	sig->bcanon = DKIM_CANON_SIMPLE;
	if (slash == NULL)
		return dkim_sig_canon_word(v, strlen(v), &sig->hcanon);
	if (dkim_sig_canon_word(v, (size_t)(slash - v), &sig->hcanon) < 0)
		return -1;
	return dkim_sig_canon_word(slash + 1, strlen(slash + 1), &sig->bcanon);
}

/* dkim_sig_q - q=: a colon-separated list that must name dns/txt */
static int dkim_sig_q(const char *v)
{
	const char *p = v, *e;
	size_t n;

	for (;;) {
		while (dkim_sig_is_wsp(*p))
			p++;
		e = p;
		while (*e != '\0' && *e != ':')
			e++;
		n = (size_t)(e - p);
		while (n > 0 && dkim_sig_is_wsp(p[n - 1]))
			n--;
		if (n == 7 && strncasecmp(p, "dns/txt", 7) == 0)
			return 0;
		if (*e == '\0')
			return -1;
		p = e + 1;
	}
}

/*
 * dkim_sig_h - split h= into names; white space around colons is FWS.
 * Names are field-names (RFC 5322: printable ASCII but ':').
 */
static int dkim_sig_h(const char *v, struct dkim_sig *sig, struct sbuf *err)
{
	size_t len = strlen(v), k, nn = 0;
	char *q, *e, *name;
	bool from = false;

	sig->store = xmalloc(len + 1);
	memcpy(sig->store, v, len + 1);
	sig->h = xcalloc(DKIM_SIG_MAX_H, sizeof(*sig->h));
	q = sig->store;
	for (;;) {
		while (dkim_sig_is_wsp(*q))
			q++;
		name = q;
		while (*q != '\0' && *q != ':' && !dkim_sig_is_wsp(*q))
			q++;
		e = q;
		while (dkim_sig_is_wsp(*q))
			q++;
		if (*q != '\0' && *q != ':') {
			sbuf_append_str(err, "h= has white space in a name");
			return -1;
		}
		if (e == name) {
			sbuf_append_str(err, "h= has an empty name");
			return -1;
		}
		if (nn == DKIM_SIG_MAX_H) {
			sbuf_printf(err, "h= names more than %d fields",
				    DKIM_SIG_MAX_H);
			return -1;
		}
		for (k = 0; name + k < e; k++) {
			unsigned char c = (unsigned char)name[k];

			if (c < 0x21 || c > 0x7e) {
				sbuf_append_str(err, "h= has a bad name");
				return -1;
			}
		}
		if (e - name == 4 && strncasecmp(name, "from", 4) == 0)
			from = true;
		sig->h[nn++] = name;
		if (*q == '\0') {
			*e = '\0';
			break;
		}
		*e = '\0';
		q++;
	}
	sig->nh = nn;
	if (!from) {
		sbuf_append_str(err, "h= does not include From");
		return -1;
	}
	return 0;
}

/* dkim_sig_number - t=, x=, l=: digits only */
static int dkim_sig_number(const char *v, unsigned long *val_r)
{
	return numparse_ulong(v, (unsigned long)-1, val_r);
}

/* dkim_sig_i - i=: [local-part] "@" domain within d= */
static int dkim_sig_i(struct dkim_sig *sig, struct sbuf *err)
{
	const char *at = strrchr(sig->i, '@');
	size_t dl, il;

	if (at == NULL) {
		sbuf_append_str(err, "i= has no '@'");
		return -1;
	}
	sig->i_domain = at + 1;
	il = strlen(sig->i_domain);
	dl = strlen(sig->d);
	if (!dkim_sig_is_domain(sig->i_domain, il)) {
		sbuf_append_str(err, "i= domain is not a domain name");
		return -1;
	}
	/* RFC 6376 3.5: the domain of i= is d= or a subdomain of it */
	if (il < dl || strcasecmp(sig->i_domain + il - dl, sig->d) != 0 ||
	    (il > dl && sig->i_domain[il - dl - 1] != '.')) {
		sbuf_append_str(err, "i= is not within d=");
		return -1;
	}
	return 0;
}

/* dkim_sig_b64 - decode a base64 tag value into a new bounded sbuf */
static int dkim_sig_b64(const char *v, size_t max, struct sbuf **out_r)
{
	*out_r = sbuf_new_max(64, max);
	return base64_decode(v, strlen(v), BASE64_SKIP_SPACE, *out_r);
}

/* dkim_sig_fill - validate the tags and fill sig */
static int dkim_sig_fill(struct dkim_sig *sig, struct sbuf *err)
{
	const struct dkim_tags *t = sig->tags;
	const char *v;
	static const char *const required[] = {"v", "a", "b", "bh",
					       "d", "h", "s"};
	size_t k;

	for (k = 0; k < sizeof(required) / sizeof(required[0]); k++) {
		if (dkim_tags_get(t, required[k]) == NULL) {
			sbuf_printf(err,
				    "missing required tag %s=", required[k]);
			return -1;
		}
	}
	if (strcmp(dkim_tags_get(t, "v"), "1") != 0) {
		sbuf_append_str(err, "v= is not 1");
		return -1;
	}
	if (dkim_sig_alg(dkim_tags_get(t, "a"), sig) < 0) {
		sbuf_append_str(err, "unknown algorithm a=");
		return -1;
	}
	if (dkim_sig_b64(dkim_tags_get(t, "b"), DKIM_SIG_MAX_B, &sig->b) < 0 ||
	    sbuf_len(sig->b) == 0) {
		sbuf_append_str(err, "b= is not valid base64");
		return -1;
	}
	if (dkim_sig_b64(dkim_tags_get(t, "bh"), 64, &sig->bh) < 0 ||
	    sbuf_len(sig->bh) != (sig->hash == DKIM_HASH_SHA1 ? 20u : 32u)) {
		sbuf_append_str(err, "bh= is not a base64 hash of the "
				     "right length");
		return -1;
	}
	sig->hcanon = sig->bcanon = DKIM_CANON_SIMPLE;
	if ((v = dkim_tags_get(t, "c")) != NULL && dkim_sig_canon(v, sig) < 0) {
		sbuf_append_str(err, "unknown canonicalization c=");
		return -1;
	}
	sig->d = dkim_tags_get(t, "d");
	if (!dkim_sig_is_domain(sig->d, strlen(sig->d))) {
		sbuf_append_str(err, "d= is not a domain name");
		return -1;
	}
	sig->s = dkim_tags_get(t, "s");
	if (!dkim_sig_is_domain(sig->s, strlen(sig->s))) {
		sbuf_append_str(err, "s= is not a valid selector");
		return -1;
	}
	if ((v = dkim_tags_get(t, "q")) != NULL && dkim_sig_q(v) < 0) {
		sbuf_append_str(err, "q= does not allow dns/txt");
		return -1;
	}
	if (dkim_sig_h(dkim_tags_get(t, "h"), sig, err) < 0)
		return -1;
	if ((v = dkim_tags_get(t, "l")) != NULL) {
		if (dkim_sig_number(v, &sig->l) < 0) {
			sbuf_append_str(err, "l= is not a number");
			return -1;
		}
		sig->has_l = true;
	}
	if ((v = dkim_tags_get(t, "t")) != NULL) {
		if (dkim_sig_number(v, &sig->t) < 0) {
			sbuf_append_str(err, "t= is not a number");
			return -1;
		}
		sig->has_t = true;
	}
	if ((v = dkim_tags_get(t, "x")) != NULL) {
		if (dkim_sig_number(v, &sig->x) < 0) {
			sbuf_append_str(err, "x= is not a number");
			return -1;
		}
		sig->has_x = true;
	}
	if (sig->has_t && sig->has_x && sig->x < sig->t) {
		sbuf_append_str(err, "x= is before t=");
		return -1;
	}
	return 0;
}

/* dkim_sig_parse - header value to a validated struct */
int dkim_sig_parse(const char *value, size_t n, struct dkim_sig **sig_r,
		   struct sbuf *err)
{
	struct dkim_sig *sig = xcalloc(1, sizeof(*sig));

	*sig_r = NULL;
	if (dkim_tags_parse(value, n, &sig->tags, err) < 0 ||
	    dkim_sig_fill(sig, err) < 0)
		goto fail;
	if ((sig->i = dkim_tags_get(sig->tags, "i")) == NULL)
		sig->i_domain = sig->d; /* RFC 6376 3.5: default "@" d */
	else if (dkim_sig_i(sig, err) < 0)
		goto fail;
	*sig_r = sig;
	return 0;
fail:
	dkim_sig_free(&sig);
	return -1;
}

/* dkim_sig_free - release a signature */
void dkim_sig_free(struct dkim_sig **sp)
{
	struct dkim_sig *sig = *sp;

	if (sig == NULL)
		return;
	sbuf_free(&sig->b);
	sbuf_free(&sig->bh);
	free(sig->h);
	free(sig->store);
	dkim_tags_free(&sig->tags);
	free(sig);
	*sp = NULL;
}

/* dkim_sig_key_name - where the key record lives */
int dkim_sig_key_name(const struct dkim_sig *sig, struct sbuf *out)
{
	return sbuf_printf(out, "%s._domainkey.%s", sig->s, sig->d);
}
