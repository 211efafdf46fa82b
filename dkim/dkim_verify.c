/* dkim_verify.c - RFC 6376 6: verifying the signatures of a message */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dkim_canon.h"
#include "dkim_crypto.h"
#include "dkim_hdrs.h"
#include "dkim_keyrec.h"
#include "dkim_pubcache.h"
#include "dkim_sig.h"
#include "dkim_tags.h"
#include "dkim_verify.h"
#include "log.h"
#include "sbuf.h"
#include "xalloc.h"

/* one DKIM-Signature field and where its evaluation stands */
struct dkim_verify_one {
	struct dkim_sig *sig; /* NULL: parse failed or not evaluated */
	bool decided;	      /* result is final */
	enum dkim_result result;
	struct sbuf *reason;
	struct sbuf *key_name;
	struct sbuf *hdata;	      /* canonical header data to sign */
	struct dkim_canon_body *body; /* body hasher */
	bool body_ok;		      /* bh= matched (after eom) */
	bool l_too_long;	      /* l= beyond the body */
	bool key_fed;
	enum dkim_verify_key key_status;
	struct sbuf *key_txt;
	bool testing;
};

struct dkim_verify {
	struct dkim_verify_opts opts;
	struct dkim_hdrs *hdrs;
	struct dkim_verify_one *one;
	size_t n;
	bool eoh, eom;
};

/* dkim_verify_opts_init - defaults */
void dkim_verify_opts_init(struct dkim_verify_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_sigs = DKIM_VERIFY_MAX_SIGS;
	o->rsa_min_bits = DKIM_VERIFY_RSA_MIN_BITS;
}

/* dkim_verify_new - a verifier for one message */
struct dkim_verify *dkim_verify_new(const struct dkim_verify_opts *opts)
{
	struct dkim_verify *v = xcalloc(1, sizeof(*v));

	v->opts = *opts;
	v->hdrs = dkim_hdrs_new();
	return v;
}

/* dkim_verify_free - release everything */
void dkim_verify_free(struct dkim_verify **vp)
{
	struct dkim_verify *v = *vp;
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		dkim_sig_free(&v->one[i].sig);
		sbuf_free(&v->one[i].reason);
		sbuf_free(&v->one[i].key_name);
		sbuf_free(&v->one[i].hdata);
		sbuf_free(&v->one[i].key_txt);
		dkim_canon_body_free(&v->one[i].body);
	}
	free(v->one);
	dkim_hdrs_free(&v->hdrs);
	free(v);
	*vp = NULL;
}

/* dkim_verify_header - keep one field */
int dkim_verify_header(struct dkim_verify *v, const char *field, size_t n,
		       struct sbuf *err)
{
	if (v->eoh)
		log_panic("dkim_verify_header after eoh");
	return dkim_hdrs_add(v->hdrs, field, n, err);
}

/* dkim_verify_decide - fix the result of one signature */
static void dkim_verify_decide(struct dkim_verify_one *o, enum dkim_result r,
			       const char *reason)
{
	o->decided = true;
	o->result = r;
	if (sbuf_is_empty(o->reason))
		sbuf_append_str(o->reason, reason);
}

/*
 * dkim_verify_hdata - the data the signature covers (RFC 6376 3.7): the
 * selected fields, then the signature field itself with b= emptied and
 * no final CRLF
 */
static int dkim_verify_hdata(struct dkim_verify *v, struct dkim_verify_one *o,
			     const char *field, size_t n)
{
	const char *colon = memchr(field, ':', n);
	size_t vlen = n - (size_t)(colon + 1 - field);
	struct sbuf *blank = sbuf_new_max(n, n);
	int ret = -1;

	if (dkim_hdrs_canon(v->hdrs, o->sig->hcanon, o->sig->h, o->sig->nh,
			    o->hdata) < 0)
		goto out;
	if (sbuf_append(blank, field, (size_t)(colon + 1 - field)) < 0 ||
	    dkim_tags_blank(colon + 1, vlen, "b", blank) < 0)
		goto out;
	ret = dkim_canon_header(o->sig->hcanon, sbuf_cstr(blank),
				sbuf_len(blank), false, o->hdata);
out:
	sbuf_free(&blank);
	return ret;
}

/* dkim_verify_prepare - parse one signature field, set up its hashes */
static void dkim_verify_prepare(struct dkim_verify *v,
				struct dkim_verify_one *o, const char *field,
				size_t n)
{
	const char *colon = memchr(field, ':', n);
	struct dkim_sig *sig = NULL;

	if (dkim_sig_parse(colon + 1, n - (size_t)(colon + 1 - field), &sig,
			   o->reason) < 0) {
		dkim_verify_decide(o, DKIM_RES_PERMERROR, "");
		return;
	}
	o->sig = sig;
	/* RFC 6376 6.1.1: checks that need neither key nor body */
	if (v->opts.now != 0 && sig->has_x && sig->x < v->opts.now) {
		dkim_verify_decide(o, DKIM_RES_PERMERROR, "signature expired");
		return;
	}
	if (sig->alg == DKIM_ALG_RSA_SHA1 && !v->opts.allow_sha1) {
		dkim_verify_decide(o, DKIM_RES_PERMERROR,
				   "rsa-sha1 is not accepted (RFC 8301)");
		return;
	}
	o->hdata = sbuf_new_max(1024, DKIM_HDRS_MAX_BYTES * 2);
	if (dkim_verify_hdata(v, o, field, n) < 0) {
		dkim_verify_decide(o, DKIM_RES_PERMERROR,
				   "cannot canonicalize the header");
		return;
	}
	dkim_sig_key_name(sig, o->key_name);
	o->body =
	    dkim_canon_body_new(sig->bcanon, sig->hash, sig->has_l, sig->l);
}

/* dkim_verify_eoh - find the DKIM-Signature fields, top first */
void dkim_verify_eoh(struct dkim_verify *v)
{
	size_t i, len, nh = dkim_hdrs_count(v->hdrs);
	struct dkim_verify_one *o;
	const char *field;

	if (v->eoh)
		log_panic("dkim_verify_eoh twice");
	v->eoh = true;
	for (i = 0; i < nh; i++) {
		if (!dkim_hdrs_name_is(v->hdrs, i, "DKIM-Signature"))
			continue;
		v->one = xrealloc(v->one, (v->n + 1) * sizeof(*v->one));
		o = &v->one[v->n++];
		memset(o, 0, sizeof(*o));
		o->reason = sbuf_new(0);
		o->key_name = sbuf_new(0);
		if (v->n > v->opts.max_sigs) {
			sbuf_printf(o->reason,
				    "more than %u signatures: not evaluated",
				    v->opts.max_sigs);
			dkim_verify_decide(o, DKIM_RES_POLICY, "");
			continue;
		}
		field = dkim_hdrs_field(v->hdrs, i, &len);
		dkim_verify_prepare(v, o, field, len);
	}
}

/* dkim_verify_body - feed every body hasher */
void dkim_verify_body(struct dkim_verify *v, const void *p, size_t n)
{
	size_t i;

	if (!v->eoh || v->eom)
		log_panic("dkim_verify_body out of order");
	for (i = 0; i < v->n; i++)
		if (v->one[i].body != NULL)
			dkim_canon_body_update(v->one[i].body, p, n);
}

/* dkim_verify_eom - finish the body hashes */
void dkim_verify_eom(struct dkim_verify *v)
{
	unsigned char md[DKIM_CRYPTO_MD_MAX];
	struct dkim_verify_one *o;
	size_t i, len;

	if (!v->eoh || v->eom)
		log_panic("dkim_verify_eom out of order");
	v->eom = true;
	for (i = 0; i < v->n; i++) {
		o = &v->one[i];
		if (o->body == NULL)
			continue;
		len = dkim_canon_body_final(o->body, md);
		o->body_ok = len == sbuf_len(o->sig->bh) &&
			     memcmp(md, sbuf_data(o->sig->bh), len) == 0;
		o->l_too_long = o->sig->has_l &&
				o->sig->l > dkim_canon_body_length(o->body);
		dkim_canon_body_free(&o->body);
	}
}

/* dkim_verify_count - signatures found */
size_t dkim_verify_count(const struct dkim_verify *v) { return v->n; }

/* dkim_verify_key_name - which key a signature needs */
const char *dkim_verify_key_name(const struct dkim_verify *v, size_t i)
{
	if (i >= v->n || v->one[i].decided)
		return NULL;
	return sbuf_cstr(v->one[i].key_name);
}

/* dkim_verify_key - store a lookup result */
void dkim_verify_key(struct dkim_verify *v, size_t i,
		     enum dkim_verify_key status, const char *txt, size_t n)
{
	struct dkim_verify_one *o;

	if (i >= v->n)
		return;
	o = &v->one[i];
	o->key_fed = true;
	o->key_status = status;
	sbuf_free(&o->key_txt);
	if (status == DKIM_VERIFY_KEY_FOUND) {
		o->key_txt = sbuf_new(n);
		sbuf_append(o->key_txt, txt, n);
	}
}

/* dkim_verify_key_by_name - store it for every signature using name */
size_t dkim_verify_key_by_name(struct dkim_verify *v, const char *name,
			       enum dkim_verify_key status, const char *txt,
			       size_t n)
{
	size_t i, count = 0;
	const char *kn;

	for (i = 0; i < v->n; i++) {
		kn = dkim_verify_key_name(v, i);
		if (kn != NULL && strcasecmp(kn, name) == 0) {
			dkim_verify_key(v, i, status, txt, n);
			count++;
		}
	}
	return count;
}

/* dkim_verify_apply_key - RFC 6376 6.1.2 checks of the key record */
static struct dkim_crypto_key *dkim_verify_apply_key(struct dkim_verify *v,
						     struct dkim_verify_one *o)
{
	const struct dkim_sig *sig = o->sig;
	struct dkim_crypto_key *key = NULL;
	struct dkim_keyrec *rec = NULL;
	struct sbuf *err = sbuf_new(0);

	if (o->key_status == DKIM_VERIFY_KEY_NONE) {
		dkim_verify_decide(o, DKIM_RES_PERMERROR, "no key record");
		goto out;
	}
	if (o->key_status == DKIM_VERIFY_KEY_TEMPFAIL) {
		dkim_verify_decide(o, DKIM_RES_TEMPERROR,
				   "key lookup failed temporarily");
		goto out;
	}
	if (dkim_keyrec_parse(sbuf_cstr(o->key_txt), sbuf_len(o->key_txt), &rec,
			      err) < 0) {
		sbuf_printf(o->reason, "bad key record: %s", sbuf_cstr(err));
		dkim_verify_decide(o, DKIM_RES_PERMERROR, "");
		goto out;
	}
	o->testing = rec->testing;
	if (rec->revoked)
		dkim_verify_decide(o, DKIM_RES_PERMERROR, "key revoked");
	else if (!rec->email)
		dkim_verify_decide(o, DKIM_RES_PERMERROR,
				   "key is not for email (s=)");
	else if (rec->k != dkim_crypto_alg_keytype(sig->alg))
		dkim_verify_decide(o, DKIM_RES_PERMERROR,
				   "key type does not match a=");
	else if (!dkim_keyrec_allows_hash(rec, sig->hash))
		dkim_verify_decide(o, DKIM_RES_PERMERROR,
				   "key record h= excludes the hash");
	else if (rec->strict_i && strcasecmp(sig->i_domain, sig->d) != 0)
		dkim_verify_decide(o, DKIM_RES_PERMERROR,
				   "key has t=s but i= is a subdomain");
	else if (dkim_pubcache_key(rec->k, sbuf_data(rec->p), sbuf_len(rec->p),
				   &key, err) < 0) {
		sbuf_printf(o->reason, "bad key: %s", sbuf_cstr(err));
		dkim_verify_decide(o, DKIM_RES_PERMERROR, "");
	} else if (rec->k == DKIM_KEY_RSA &&
		   dkim_crypto_key_bits(key) < v->opts.rsa_min_bits) {
		sbuf_printf(o->reason, "RSA key of %u bits is too small",
			    dkim_crypto_key_bits(key));
		dkim_verify_decide(o, DKIM_RES_PERMERROR, "");
		dkim_crypto_key_free(&key);
	}
out:
	dkim_keyrec_free(&rec);
	sbuf_free(&err);
	return key;
}

/* dkim_verify_finish - evaluate a signature once key and body are in */
static void dkim_verify_finish(struct dkim_verify *v, struct dkim_verify_one *o)
{
	struct dkim_crypto_key *key;

	if (!o->key_fed) {
		dkim_verify_decide(o, DKIM_RES_TEMPERROR, "no key was given");
		return;
	}
	if ((key = dkim_verify_apply_key(v, o)) == NULL)
		return;
	if (o->l_too_long)
		dkim_verify_decide(o, DKIM_RES_PERMERROR,
				   "l= is longer than the body");
	else if (!o->body_ok)
		dkim_verify_decide(o, DKIM_RES_FAIL, "body hash mismatch");
	else if (!dkim_crypto_verify(key, o->sig->alg, sbuf_data(o->hdata),
				     sbuf_len(o->hdata), sbuf_data(o->sig->b),
				     sbuf_len(o->sig->b)))
		dkim_verify_decide(o, DKIM_RES_FAIL, "signature mismatch");
	else
		dkim_verify_decide(o, DKIM_RES_PASS, "");
	dkim_crypto_key_free(&key);
}

/* dkim_verify_result - the outcome of signature i */
enum dkim_result dkim_verify_result(struct dkim_verify *v, size_t i,
				    const char **reason_r)
{
	struct dkim_verify_one *o;

	if (i >= v->n || !v->eom)
		log_panic("dkim_verify_result: no signature %zu yet", i);
	o = &v->one[i];
	if (!o->decided)
		dkim_verify_finish(v, o);
	if (reason_r != NULL)
		*reason_r = sbuf_cstr(o->reason);
	return o->result;
}

/* dkim_verify_sig - the parsed signature */
const struct dkim_sig *dkim_verify_sig(const struct dkim_verify *v, size_t i)
{
	return i < v->n ? v->one[i].sig : NULL;
}

/* dkim_verify_is_testing - t=y in the key record */
bool dkim_verify_is_testing(const struct dkim_verify *v, size_t i)
{
	return i < v->n && v->one[i].testing;
}

/* dkim_result_name - RFC 8601 result words */
const char *dkim_result_name(enum dkim_result r)
{
	switch (r) {
	case DKIM_RES_NONE:
		return "none";
	case DKIM_RES_PASS:
		return "pass";
	case DKIM_RES_FAIL:
		return "fail";
	case DKIM_RES_NEUTRAL:
		return "neutral";
	case DKIM_RES_POLICY:
		return "policy";
	case DKIM_RES_TEMPERROR:
		return "temperror";
	case DKIM_RES_PERMERROR:
		return "permerror";
	}
	return "unknown";
}
