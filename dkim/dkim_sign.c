/* dkim_sign.c - RFC 6376 5: signing a message */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "dkim_canon.h"
#include "dkim_crypto.h"
#include "dkim_hdrs.h"
#include "dkim_sig.h"
#include "dkim_sign.h"
#include "log.h"
#include "sbuf.h"
#include "xalloc.h"

/* RFC 6376 5.4.1, as OpenDKIM signs by default */
const char *const dkim_sign_default_headers[] = {
    "from",
    "reply-to",
    "subject",
    "date",
    "to",
    "cc",
    "resent-date",
    "resent-from",
    "resent-sender",
    "resent-to",
    "resent-cc",
    "in-reply-to",
    "references",
    "list-id",
    "list-help",
    "list-unsubscribe",
    "list-subscribe",
    "list-post",
    "list-owner",
    "list-archive",
    NULL,
};

#define DKIM_SIGN_LINE 76 /* fold the new field before this column */

struct dkim_sign {
	struct dkim_sign_opts opts;
	const struct dkim_crypto_key *key;
	struct dkim_hdrs *hdrs;
	struct dkim_canon_body *body;
	bool done;
};

/* dkim_sign_opts_init - defaults */
void dkim_sign_opts_init(struct dkim_sign_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->alg = DKIM_ALG_RSA_SHA256;
	o->hcanon = o->bcanon = DKIM_CANON_RELAXED;
	o->oversign_from = true;
	o->rsa_min_bits = 1024;
}

/* dkim_sign_lists_from - RFC 6376 5.4: From must be signed */
static bool dkim_sign_lists_from(const char *const *h)
{
	for (; *h != NULL; h++)
		if (strcasecmp(*h, "from") == 0)
			return true;
	return false;
}

/* dkim_sign_auid_ok - RFC 6376 3.5: i= is within d= */
static bool dkim_sign_auid_ok(const char *auid, const char *d)
{
	const char *at = strrchr(auid, '@'), *dom;
	size_t dl = strlen(d), il;

	if (at == NULL)
		return false;
	dom = at + 1;
	il = strlen(dom);
	return dkim_sig_is_domain(dom, il) && il >= dl &&
	       strcasecmp(dom + il - dl, d) == 0 &&
	       (il == dl || dom[il - dl - 1] == '.');
}

/* dkim_sign_new - check the options and key, start the body hash */
struct dkim_sign *dkim_sign_new(const struct dkim_sign_opts *opts,
				const struct dkim_crypto_key *key,
				struct sbuf *err)
{
	struct dkim_sign *s;

	if (opts->domain == NULL ||
	    !dkim_sig_is_domain(opts->domain, strlen(opts->domain)) ||
	    opts->selector == NULL ||
	    !dkim_sig_is_domain(opts->selector, strlen(opts->selector))) {
		sbuf_append_str(err, "bad signing domain or selector");
		return NULL;
	}
	if (opts->auid != NULL &&
	    !dkim_sign_auid_ok(opts->auid, opts->domain)) {
		sbuf_append_str(err, "i= is not within the signing domain");
		return NULL;
	}
	if (opts->alg == DKIM_ALG_RSA_SHA1) {
		sbuf_append_str(err, "rsa-sha1 must not be used (RFC 8301)");
		return NULL;
	}
	if (dkim_crypto_key_type(key) != dkim_crypto_alg_keytype(opts->alg)) {
		sbuf_append_str(err, "key type does not match the algorithm");
		return NULL;
	}
	if (dkim_crypto_key_type(key) == DKIM_KEY_RSA &&
	    dkim_crypto_key_bits(key) < opts->rsa_min_bits) {
		sbuf_printf(err, "RSA key of %u bits is too small",
			    dkim_crypto_key_bits(key));
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->opts = *opts;
	if (s->opts.headers == NULL)
		s->opts.headers = dkim_sign_default_headers;
	if (!dkim_sign_lists_from(s->opts.headers)) {
		sbuf_append_str(err, "the header list must include From");
		free(s);
		return NULL;
	}
	s->key = key;
	s->hdrs = dkim_hdrs_new();
	s->body = dkim_canon_body_new(opts->bcanon, DKIM_HASH_SHA256, false, 0);
	return s;
}

/* dkim_sign_free - release a signer */
void dkim_sign_free(struct dkim_sign **sp)
{
	if (*sp == NULL)
		return;
	dkim_hdrs_free(&(*sp)->hdrs);
	dkim_canon_body_free(&(*sp)->body);
	free(*sp);
	*sp = NULL;
}

/* dkim_sign_header - keep one field */
int dkim_sign_header(struct dkim_sign *s, const char *field, size_t n,
		     struct sbuf *err)
{
	return dkim_hdrs_add(s->hdrs, field, n, err);
}

/* dkim_sign_body - hash body bytes */
void dkim_sign_body(struct dkim_sign *s, const void *p, size_t n)
{
	if (s->done)
		log_panic("dkim_sign_body after eom");
	dkim_canon_body_update(s->body, p, n);
}

/* dkim_sign_names - h=: each listed field as often as it occurs */
static size_t dkim_sign_names(const struct dkim_sign *s, const char ***names_r)
{
	size_t i, k, n = 0, cap = 8, nh = dkim_hdrs_count(s->hdrs);
	const char **names = xcalloc(cap, sizeof(*names));
	const char *const *h;

	for (h = s->opts.headers; *h != NULL; h++) {
		k = 0;
		for (i = 0; i < nh; i++)
			if (dkim_hdrs_name_is(s->hdrs, i, *h))
				k++;
		if (s->opts.oversign_from && strcasecmp(*h, "from") == 0)
			k++;
		for (; k > 0 && n < DKIM_SIG_MAX_H; k--) {
			if (n == cap) {
				cap *= 2;
				names = xrealloc(names, cap * sizeof(*names));
			}
			names[n++] = *h;
		}
	}
	*names_r = names;
	return n;
}

/*
 * dkim_sign_fold - append sep and text, folding first if the line would
 * get too long; a ":" separator stays in front of the fold, white space
 * is replaced by it
 */
static void dkim_sign_fold(struct sbuf *out, size_t *col, const char *text,
			   const char *sep)
{
	size_t n = strlen(text), sl = strlen(sep);

	if (*col + n + sl > DKIM_SIGN_LINE) {
		if (*sep != ' ')
			sbuf_append_str(out, sep);
		sbuf_append_str(out, "\r\n\t");
		*col = 8;
	} else {
		sbuf_append_str(out, sep);
		*col += sl;
	}
	sbuf_append_str(out, text);
	*col += n;
}

/* dkim_sign_field - the new field up to "b=" */
static void dkim_sign_field(const struct dkim_sign *s, const char **names,
			    size_t nn, const unsigned char *bh, size_t bhlen,
			    struct sbuf *out)
{
	struct sbuf *t = sbuf_new(64), *b64 = sbuf_new(64);
	size_t col, i;
	static const char *const canon[] = {"simple", "relaxed"};

	sbuf_append_str(out, "DKIM-Signature: v=1;");
	col = strlen("DKIM-Signature: v=1;");
	sbuf_printf(t, "a=%s;",
		    s->opts.alg == DKIM_ALG_ED25519_SHA256 ? "ed25519-sha256"
							   : "rsa-sha256");
	dkim_sign_fold(out, &col, sbuf_cstr(t), " ");
	sbuf_reset(t);
	sbuf_printf(t, "c=%s/%s;", canon[s->opts.hcanon],
		    canon[s->opts.bcanon]);
	dkim_sign_fold(out, &col, sbuf_cstr(t), " ");
	sbuf_reset(t);
	sbuf_printf(t, "d=%s;", s->opts.domain);
	dkim_sign_fold(out, &col, sbuf_cstr(t), " ");
	sbuf_reset(t);
	sbuf_printf(t, "s=%s;", s->opts.selector);
	dkim_sign_fold(out, &col, sbuf_cstr(t), " ");
	if (s->opts.auid != NULL) {
		sbuf_reset(t);
		sbuf_printf(t, "i=%s;", s->opts.auid);
		dkim_sign_fold(out, &col, sbuf_cstr(t), " ");
	}
	if (s->opts.timestamp != 0) {
		sbuf_reset(t);
		sbuf_printf(t, "t=%lu;", s->opts.timestamp);
		dkim_sign_fold(out, &col, sbuf_cstr(t), " ");
		if (s->opts.expire != 0) {
			sbuf_reset(t);
			sbuf_printf(t, "x=%lu;",
				    s->opts.timestamp + s->opts.expire);
			dkim_sign_fold(out, &col, sbuf_cstr(t), " ");
		}
	}
	for (i = 0; i < nn; i++) {
		sbuf_reset(t);
		sbuf_printf(t, "%s%s%s", i == 0 ? "h=" : "", names[i],
			    i + 1 == nn ? ";" : "");
		dkim_sign_fold(out, &col, sbuf_cstr(t), i == 0 ? " " : ":");
	}
	base64_encode(bh, bhlen, b64);
	sbuf_reset(t);
	sbuf_printf(t, "bh=%s;", sbuf_cstr(b64));
	dkim_sign_fold(out, &col, sbuf_cstr(t), " ");
	/* b= starts a line of its own: its value follows unfolded */
	sbuf_append_str(out, "\r\n\tb=");
	sbuf_free(&t);
	sbuf_free(&b64);
}

/* dkim_sign_eom - compute and append the signature field */
int dkim_sign_eom(struct dkim_sign *s, struct sbuf *out, struct sbuf *err)
{
	unsigned char bh[DKIM_CRYPTO_MD_MAX];
	struct sbuf *field = sbuf_new(512), *hdata = sbuf_new(1024);
	struct sbuf *sig = sbuf_new(256), *b64 = sbuf_new(512);
	const char **names = NULL;
	size_t nn, bhlen, i, k, nh = dkim_hdrs_count(s->hdrs);
	bool from = false;
	int ret = -1;

	if (s->done)
		log_panic("dkim_sign_eom twice");
	s->done = true;
	bhlen = dkim_canon_body_final(s->body, bh);
	for (i = 0; i < nh; i++)
		if (dkim_hdrs_name_is(s->hdrs, i, "from"))
			from = true;
	if (!from) {
		sbuf_append_str(err, "message has no From header field");
		goto out;
	}
	nn = dkim_sign_names(s, &names);
	dkim_sign_field(s, names, nn, bh, bhlen, field);
	if (dkim_hdrs_canon(s->hdrs, s->opts.hcanon, names, nn, hdata) < 0 ||
	    dkim_canon_header(s->opts.hcanon, sbuf_cstr(field), sbuf_len(field),
			      false, hdata) < 0) {
		sbuf_append_str(err, "cannot canonicalize the header");
		goto out;
	}
	if (dkim_crypto_sign(s->key, s->opts.alg, sbuf_data(hdata),
			     sbuf_len(hdata), sig, err) < 0)
		goto out;
	base64_encode(sbuf_data(sig), sbuf_len(sig), b64);
	/* b= goes last: folding its value changes nothing signed */
	for (i = 0; i < sbuf_len(b64); i += k) {
		k = sbuf_len(b64) - i < 64 ? sbuf_len(b64) - i : 64;
		if (i > 0)
			sbuf_append_str(field, "\r\n\t");
		sbuf_append(field, sbuf_cstr(b64) + i, k);
	}
	if (sbuf_append(out, sbuf_data(field), sbuf_len(field)) < 0) {
		sbuf_append_str(err, "signature field does not fit");
		goto out;
	}
	ret = 0;
out:
	free(names);
	sbuf_free(&field);
	sbuf_free(&hdata);
	sbuf_free(&sig);
	sbuf_free(&b64);
	return ret;
}
