/*
 * milter_glue.c - the libmilter callbacks of postwarden-milterd
 * (milter_glue.h).
 *
 * Per message: header fields are rebuilt byte-exact ("Name:" plus the
 * value as sent, which SMFIP_HDR_LEADSPC gives us, with libmilter's LF
 * folding turned back into CRLF) and kept until the end of the header,
 * where the sign-or-verify decision needs the From: address and the
 * macros. Then the signers (one per key chosen) or the verifier take
 * the fields and every body chunk as it comes. At the end of message
 * the signatures are inserted at the top, or the keys are looked up
 * (dns_sync, blocking this connection's thread only) and an
 * Authentication-Results field is inserted at the top, after deleting
 * the fields that claim our authserv-id.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <libmilter/mfapi.h>

#include "base64.h"
#include "dkim_crypto.h"
#include "dkim_hdrs.h"
#include "dkim_sig.h"
#include "dkim_sign.h"
#include "dkim_verify.h"
#include "dns.h"
#include "dns_sync.h"
#include "log.h"
#include "milter_addr.h"
#include "milter_ar.h"
#include "milter_conf.h"
#include "milter_decide.h"
#include "milter_glue.h"
#include "milter_keycache.h"
#include "milter_keys.h"
#include "milter_verdict.h"
#include "sbuf.h"
#include "xalloc.h"

#define MILTER_GLUE_AR "Authentication-Results"
#define MILTER_GLUE_MAX_SIGN 8	     /* signatures added per message */
#define MILTER_GLUE_MAX_AR_DELETE 64 /* our forged A-R fields deleted */

static const struct milter_glue_env *glue_env;

enum milter_glue_state {
	GLUE_HEADERS, /* collecting header fields */
	GLUE_SIGN,
	GLUE_VERIFY,
	GLUE_PASS,    /* nothing to do for this message */
	GLUE_FAILED,  /* act_internal_error at end of message */
};

struct milter_msg {
	enum milter_glue_state state;
	struct sbuf *hdrs;  /* fields, each "Name:value" CRLF-folded */
	size_t *hdr_end;    /* end offset of each field in hdrs */
	size_t nhdrs;
	bool hdr_overflow;
	struct sbuf *from;  /* value of the first From: */
	bool have_from;
	unsigned int n_ar;  /* Authentication-Results fields seen */
	int ar_delete[MILTER_GLUE_MAX_AR_DELETE]; /* their indexes */
	size_t n_ar_delete;
	struct dkim_sign *signers[MILTER_GLUE_MAX_SIGN];
	struct milter_sigspec specs[MILTER_GLUE_MAX_SIGN];
	size_t nsigners;
	struct dkim_verify *verify;
	struct sbuf *why; /* the decision, for the log */
};

struct milter_conn {
	int family; /* of the client address, 0 if unknown */
	unsigned char addr[16];
	bool leadspc;	  /* SMFIP_HDR_LEADSPC negotiated */
	unsigned long nr; /* SMFIP_NR_* negotiated: those steps get no reply */
	struct milter_msg *msg;
};

/* queue_id - the "i" macro, or "NOQUEUE" */
static const char *queue_id(SMFICTX *ctx)
{
	const char *id = smfi_getsymval(ctx, "i");

	return id != NULL && id[0] != '\0' ? id : "NOQUEUE";
}

/* msg_free - everything of one message */
static void msg_free(struct milter_msg **mp)
{
	struct milter_msg *m = *mp;

	if (m == NULL)
		return;
	for (size_t i = 0; i < m->nsigners; i++)
		dkim_sign_free(&m->signers[i]);
	milter_keys_release(m->specs, m->nsigners);
	dkim_verify_free(&m->verify);
	sbuf_free(&m->hdrs);
	free(m->hdr_end);
	sbuf_free(&m->from);
	sbuf_free(&m->why);
	free(m);
	*mp = NULL;
}

/* msg_new - a message for conn, replacing any earlier one */
static struct milter_msg *msg_new(struct milter_conn *c)
{
	struct milter_msg *m;

	msg_free(&c->msg);
	m = xcalloc(1, sizeof(*m));
	m->hdrs = sbuf_new_max(4096, DKIM_HDRS_MAX_BYTES);
	m->hdr_end = xcalloc(DKIM_HDRS_MAX_FIELDS, sizeof(*m->hdr_end));
	m->from = sbuf_new_max(128, DKIM_HDRS_MAX_BYTES);
	m->why = sbuf_new(128);
	c->msg = m;
	return m;
}

/* glue_negotiate - actions we take; header values with leading space */
static sfsistat glue_negotiate(SMFICTX *ctx, unsigned long f0,
			       unsigned long f1, unsigned long f2,
			       unsigned long f3, unsigned long *pf0,
			       unsigned long *pf1, unsigned long *pf2,
			       unsigned long *pf3)
{
	struct milter_conn *c = xcalloc(1, sizeof(*c));
	unsigned long want = SMFIF_ADDHDRS | SMFIF_CHGHDRS;
	unsigned long skip = SMFIP_NOHELO | SMFIP_NORCPT | SMFIP_NOUNKNOWN |
			     SMFIP_NODATA;
	/* Steps that always continue need no reply: the MTA sends the
	 * next command at once instead of waiting for our answer. */
	unsigned long noreply = SMFIP_NR_CONN | SMFIP_NR_MAIL | SMFIP_NR_HDR |
				SMFIP_NR_EOH | SMFIP_NR_BODY;

	(void)f2;
	(void)f3;
	if ((f0 & want) != want) {
		log_warn("the MTA does not allow adding and changing "
			 "headers: not filtering");
		free(c);
		return SMFIS_REJECT; /* libmilter: do not filter */
	}
	*pf0 = want;
	*pf1 = f1 & (skip | noreply);
	c->nr = f1 & noreply;
	/* milter.md 4: values byte-exact, needed for simple c= */
	if (f1 & SMFIP_HDR_LEADSPC) {
		*pf1 |= SMFIP_HDR_LEADSPC;
		c->leadspc = true;
	}
	*pf2 = 0;
	*pf3 = 0;
	smfi_setpriv(ctx, c);
	return SMFIS_CONTINUE;
}

/* go_on - continue, without a reply when step's was negotiated away
 * (such a step must never answer: the MTA would read it as the reply
 * to a later command) */
static sfsistat go_on(const struct milter_conn *c, unsigned long step)
{
	return (c->nr & step) != 0 ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* glue_connect - remember the client address */
static sfsistat glue_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	(void)host;
	if (c == NULL) {
		/* no negotiation callback: values without the leading space */
		c = xcalloc(1, sizeof(*c));
		smfi_setpriv(ctx, c);
	}
	c->family = 0;
	if (sa != NULL && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		c->family = AF_INET;
		memcpy(c->addr, &in->sin_addr, 4);
	} else if (sa != NULL && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		c->family = AF_INET6;
		memcpy(c->addr, &in6->sin6_addr, 16);
	}
	return go_on(c, SMFIP_NR_CONN);
}

/* glue_envfrom - a new message */
static sfsistat glue_envfrom(SMFICTX *ctx, char **argv)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	(void)argv;
	if (c == NULL)
		return SMFIS_ACCEPT;
	(void)msg_new(c);
	return go_on(c, SMFIP_NR_MAIL);
}

/* add_field - "name:value" with LF folding turned into CRLF */
static void add_field(struct milter_msg *m, bool leadspc, const char *name,
		      const char *value)
{
	size_t mark;
	int rc;

	if (m->hdr_overflow || m->hdrs == NULL)
		return;
	mark = sbuf_len(m->hdrs);
	if (m->nhdrs == DKIM_HDRS_MAX_FIELDS) {
		m->hdr_overflow = true;
		return;
	}
	rc = sbuf_append_str(m->hdrs, name);
	rc |= sbuf_putc(m->hdrs, ':');
	/* without LEADSPC the MTA took one space away (milter.md 4) */
	if (!leadspc)
		rc |= sbuf_putc(m->hdrs, ' ');
	/* copy line by line: a bare LF of the MTA's folding gets its CR */
	for (const char *p = value, *lf; rc == 0; p = lf + 1) {
		if ((lf = strchr(p, '\n')) == NULL) {
			rc |= sbuf_append_str(m->hdrs, p);
			break;
		}
		rc |= sbuf_append(m->hdrs, p, (size_t)(lf - p));
		if (lf == value || lf[-1] != '\r')
			rc |= sbuf_putc(m->hdrs, '\r');
		rc |= sbuf_putc(m->hdrs, '\n');
	}
	if (rc != 0) {
		sbuf_truncate(m->hdrs, mark);
		m->hdr_overflow = true;
		return;
	}
	m->hdr_end[m->nhdrs++] = sbuf_len(m->hdrs);
}

/* field_at - field i of the message */
static const char *field_at(const struct milter_msg *m, size_t i,
			    size_t *len_r)
{
	size_t start = i == 0 ? 0 : m->hdr_end[i - 1];

	*len_r = m->hdr_end[i] - start;
	return sbuf_cstr(m->hdrs) + start;
}

/* glue_header - keep the field; note From: and our A-R fields */
static sfsistat glue_header(SMFICTX *ctx, char *name, char *value)
{
	struct milter_conn *c = smfi_getpriv(ctx);
	struct milter_msg *m;

	if (c == NULL)
		return SMFIS_ACCEPT;
	m = c->msg != NULL ? c->msg : msg_new(c);
	if (m->state != GLUE_HEADERS)
		return go_on(c, SMFIP_NR_HDR);
	if (!dkim_hdrs_name_is_valid(name, strlen(name))) {
		/* no h= can name it: left out, so it cannot fail the rest */
		log_info("%s: header field with a malformed name left out of "
			 "DKIM",
			 queue_id(ctx));
		return go_on(c, SMFIP_NR_HDR);
	}
	if (strcasecmp(name, "From") == 0 && !m->have_from) {
		m->have_from = true;
		if (sbuf_append_str(m->from, value) < 0)
			m->have_from = false;
	}
	if (strcasecmp(name, MILTER_GLUE_AR) == 0) {
		m->n_ar++;
		if (milter_ar_is_ours(value, strlen(value),
				      glue_env->cf->authserv) &&
		    m->n_ar_delete < MILTER_GLUE_MAX_AR_DELETE)
			m->ar_delete[m->n_ar_delete++] = (int)m->n_ar;
	}
	add_field(m, c->leadspc, name, value);
	return go_on(c, SMFIP_NR_HDR);
}

/* start_sign - signers for the From: domain; false: none */
static bool start_sign(SMFICTX *ctx, struct milter_msg *m)
{
	const struct milter_conf *cf = glue_env->cf;
	struct sbuf *addr = sbuf_new(64), *err = sbuf_new(64);
	struct sbuf *q = sbuf_new(64);
	size_t off = 0, n = 0;
	bool ok = false;

	if (glue_env->keys == NULL)
		goto out;
	if (!m->have_from) {
		sbuf_append_str(m->why, "; no From: field");
		goto out;
	}
	if (milter_addr_from(sbuf_cstr(m->from), sbuf_len(m->from), addr,
			     &off, err) < 0) {
		sbuf_printf(m->why, "; %s", sbuf_cstr(err));
		goto out;
	}
	if (milter_keys_select(glue_env->keys, sbuf_cstr(addr), off,
			       cf->multiple_signatures, m->specs,
			       MILTER_GLUE_MAX_SIGN, &n, err) < 0 ||
	    n == 0) {
		sbuf_printf(m->why, "; no signing key for %s%s%s",
			    log_quote(q, sbuf_data(addr), sbuf_len(addr)),
			    sbuf_is_empty(err) ? "" : ": ", sbuf_cstr(err));
		milter_keys_release(m->specs, n);
		goto out;
	}
	m->nsigners = n;
	for (size_t i = 0; i < n; i++) {
		struct dkim_sign_opts o;

		dkim_sign_opts_init(&o);
		o.alg = m->specs[i].alg;
		o.hcanon = cf->hcanon;
		o.bcanon = cf->bcanon;
		o.domain = m->specs[i].domain;
		o.selector = m->specs[i].selector;
		o.auid = m->specs[i].auid;
		o.timestamp = (unsigned long)time(NULL);
		m->signers[i] = dkim_sign_new(&o, m->specs[i].key, err);
		if (m->signers[i] == NULL) {
			log_warn("%s: key %s: cannot sign: %s", queue_id(ctx),
				 m->specs[i].keyname, sbuf_cstr(err));
			m->state = GLUE_FAILED;
			ok = true;
			goto out;
		}
		for (size_t h = 0; h < m->nhdrs; h++) {
			size_t len;
			const char *f = field_at(m, h, &len);

			if (dkim_sign_header(m->signers[i], f, len, err) <
			    0) {
				log_warn("%s: cannot sign: %s", queue_id(ctx),
					 sbuf_cstr(err));
				m->state = GLUE_FAILED;
				ok = true;
				goto out;
			}
		}
	}
	m->state = GLUE_SIGN;
	ok = true;
out:
	sbuf_free(&addr);
	sbuf_free(&err);
	sbuf_free(&q);
	return ok;
}

/* start_verify - the verifier, fed the header */
static void start_verify(SMFICTX *ctx, struct milter_msg *m)
{
	const struct milter_conf *cf = glue_env->cf;
	struct dkim_verify_opts o;
	struct sbuf *err = sbuf_new(64);

	dkim_verify_opts_init(&o);
	o.max_sigs = cf->max_signatures;
	o.now = (unsigned long)time(NULL);
	m->verify = dkim_verify_new(&o);
	m->state = GLUE_VERIFY;
	for (size_t h = 0; h < m->nhdrs && !m->hdr_overflow; h++) {
		size_t len;
		const char *f = field_at(m, h, &len);

		if (dkim_verify_header(m->verify, f, len, err) < 0) {
			log_info("%s: verify: %s", queue_id(ctx),
				 sbuf_cstr(err));
			m->hdr_overflow = true;
		}
	}
	dkim_verify_eoh(m->verify);
	sbuf_free(&err);
}

/* glue_eoh_start - decide, then start signing or verifying */
static sfsistat glue_eoh_start(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);
	const struct milter_conf *cf = glue_env->cf;
	struct milter_decide_in in;
	struct milter_msg *m;
	enum milter_decision d;

	if (c == NULL)
		return SMFIS_ACCEPT;
	m = c->msg != NULL ? c->msg : msg_new(c);
	memset(&in, 0, sizeof(in));
	in.auth_authen = smfi_getsymval(ctx, "{auth_authen}");
	in.daemon_name = smfi_getsymval(ctx, "{daemon_name}");
	in.family = c->family;
	memcpy(in.addr, c->addr, sizeof(in.addr));
	d = milter_decide(cf, &in, m->why);
	if (d == MILTER_DECIDE_SIGN) {
		if (m->hdr_overflow) {
			log_warn("%s: sign: %s; header over the limits",
				 queue_id(ctx), sbuf_cstr(m->why));
			m->state = GLUE_FAILED;
			return SMFIS_CONTINUE;
		}
		if (start_sign(ctx, m))
			return SMFIS_CONTINUE;
		d = cf->do_verify ? MILTER_DECIDE_VERIFY : MILTER_DECIDE_NONE;
	}
	if (d == MILTER_DECIDE_VERIFY) {
		start_verify(ctx, m);
		return SMFIS_CONTINUE;
	}
	log_info("%s: neither signing nor verifying: %s", queue_id(ctx),
		 sbuf_cstr(m->why));
	m->state = GLUE_PASS;
	return SMFIS_CONTINUE;
}

/* drop_fields - the signers and the verifier keep what they need */
static void drop_fields(struct milter_msg *m)
{
	sbuf_free(&m->hdrs);
	free(m->hdr_end);
	m->hdr_end = NULL;
	m->nhdrs = 0;
}

/* glue_eoh - end of header: start, then free the kept fields */
static sfsistat glue_eoh(SMFICTX *ctx)
{
	sfsistat rc = glue_eoh_start(ctx);
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c != NULL && c->msg != NULL)
		drop_fields(c->msg);
	return c != NULL && rc == SMFIS_CONTINUE ? go_on(c, SMFIP_NR_EOH) : rc;
}

/* glue_body - stream the chunk */
static sfsistat glue_body(SMFICTX *ctx, unsigned char *p, size_t n)
{
	struct milter_conn *c = smfi_getpriv(ctx);
	struct milter_msg *m = c != NULL ? c->msg : NULL;

	if (m == NULL)
		return c != NULL ? go_on(c, SMFIP_NR_BODY) : SMFIS_CONTINUE;
	if (m->state == GLUE_SIGN)
		for (size_t i = 0; i < m->nsigners; i++)
			dkim_sign_body(m->signers[i], p, n);
	else if (m->state == GLUE_VERIFY)
		dkim_verify_body(m->verify, p, n);
	return go_on(c, SMFIP_NR_BODY);
}

/* delete_our_ar - RFC 8601 5: fields claiming our id, last first so
 * that no index moves under us */
static void delete_our_ar(SMFICTX *ctx, struct milter_msg *m)
{
	for (size_t i = m->n_ar_delete; i > 0; i--) {
		if (smfi_chgheader(ctx, (char *)MILTER_GLUE_AR,
				   m->ar_delete[i - 1], NULL) != MI_SUCCESS)
			log_warn("%s: cannot delete an Authentication-Results "
				 "field",
				 queue_id(ctx));
	}
	if (m->n_ar_delete > 0)
		log_info("%s: deleted %zu Authentication-Results field(s) "
			 "claiming our authserv-id",
			 queue_id(ctx), m->n_ar_delete);
}

/* act - the reply for a configured action */
static sfsistat act(SMFICTX *ctx, enum milter_action a, const char *what)
{
	switch (a) {
	case MILTER_ACTION_REJECT:
		(void)smfi_setreply(ctx, (char *)"550", (char *)"5.7.1",
				    (char *)what);
		return SMFIS_REJECT;
	case MILTER_ACTION_TEMPFAIL:
		(void)smfi_setreply(ctx, (char *)"451", (char *)"4.7.5",
				    (char *)what);
		return SMFIS_TEMPFAIL;
	case MILTER_ACTION_ACCEPT:
		break;
	}
	return SMFIS_ACCEPT;
}

/* insert_field - field "Name:value" (CRLF folded) at the top */
static int insert_field(SMFICTX *ctx, const struct milter_conn *c,
			const char *name, const char *value)
{
	struct sbuf *v = sbuf_new(strlen(value) + 1);
	const char *p = value;
	int rc;

	/* without LEADSPC the MTA adds the space itself (milter.md 5) */
	if (!c->leadspc && *p == ' ')
		p++;
	for (; *p != '\0'; p++)
		if (*p != '\r')
			sbuf_putc(v, *p);
	rc = smfi_insheader(ctx, 0, (char *)name, (char *)sbuf_cstr(v)) ==
		     MI_SUCCESS
		 ? 0
		 : -1;
	sbuf_free(&v);
	return rc;
}

/* eom_sign - insert one signature per key */
static sfsistat eom_sign(SMFICTX *ctx, struct milter_conn *c,
			 struct milter_msg *m)
{
	const struct milter_conf *cf = glue_env->cf;
	struct sbuf *out = sbuf_new(1024), *err = sbuf_new(64);
	sfsistat rc = SMFIS_ACCEPT;
	static const char prefix[] = "DKIM-Signature:";

	delete_our_ar(ctx, m);
	for (size_t i = 0; i < m->nsigners; i++) {
		struct milter_sigspec *sp = &m->specs[i];

		sbuf_reset(out);
		if (dkim_sign_eom(m->signers[i], out, err) < 0 ||
		    sbuf_len(out) < sizeof(prefix) - 1 ||
		    strncasecmp(sbuf_cstr(out), prefix, sizeof(prefix) - 1) !=
			0) {
			log_warn("%s: d=%s s=%s: cannot sign: %s",
				 queue_id(ctx), sp->domain, sp->selector,
				 sbuf_cstr(err));
			rc = act(ctx, cf->act_internal_error,
				 "DKIM signing failed");
			goto out;
		}
		if (insert_field(ctx, c, "DKIM-Signature",
				 sbuf_cstr(out) + sizeof(prefix) - 1) < 0) {
			log_warn("%s: cannot insert DKIM-Signature",
				 queue_id(ctx));
			rc = act(ctx, cf->act_internal_error,
				 "DKIM signing failed");
			goto out;
		}
		log_info("%s: signed: d=%s s=%s a=%s (%s)", queue_id(ctx),
			 sp->domain, sp->selector,
			 sp->alg == DKIM_ALG_ED25519_SHA256 ? "ed25519-sha256"
							    : "rsa-sha256",
			 sbuf_cstr(m->why));
	}
out:
	sbuf_free(&out);
	sbuf_free(&err);
	return rc;
}

/* key_found - hand the lookup of name to every signature that needs
 * it, and note its status in st */
static void key_found(struct milter_msg *m, enum dkim_verify_key *st,
		      size_t from, size_t n, const char *name,
		      enum dkim_verify_key ks, const void *txt, size_t len)
{
	for (size_t j = from; j < n; j++) {
		const char *nj = dkim_verify_key_name(m->verify, j);

		if (nj != NULL && strcasecmp(nj, name) == 0)
			st[j] = ks;
	}
	(void)dkim_verify_key_by_name(m->verify, name, ks,
				      (const char *)txt, len);
}

/* key_lookups - look up every key the signatures need (the key cache
 * first); key status of each signature into st */
static void key_lookups(struct milter_msg *m, enum dkim_verify_key *st,
			size_t n)
{
	struct milter_keycache *kc = glue_env->keycache;
	struct sbuf *txt = sbuf_new(512);

	for (size_t i = 0; i < n; i++)
		st[i] = DKIM_VERIFY_KEY_FOUND;
	for (size_t i = 0; i < n; i++) {
		const char *name = dkim_verify_key_name(m->verify, i);
		enum dkim_verify_key ks = DKIM_VERIFY_KEY_NONE;
		struct dns_answer *a;
		const void *rec = NULL;
		size_t len = 0;
		char *copy;

		if (name == NULL)
			continue;
		/* the name is borrowed from v, which feeding may change */
		copy = xstrdup(name);
		if (kc != NULL &&
		    milter_keycache_get(kc, copy, time(NULL), &ks, txt)) {
			key_found(m, st, i, n, copy, ks, sbuf_data(txt),
				  sbuf_len(txt));
			free(copy);
			continue;
		}
		a = dns_sync_resolve(glue_env->dns, copy, DNS_T_TXT);
		if (a->status == DNS_TEMPFAIL)
			ks = DKIM_VERIFY_KEY_TEMPFAIL;
		else if (a->status == DNS_OK && a->n > 0)
			ks = DKIM_VERIFY_KEY_FOUND;
		/* RFC 6376 3.6.2.2: one record; several: the first */
		if (ks == DKIM_VERIFY_KEY_FOUND) {
			rec = a->rr[0].data;
			len = a->rr[0].len;
		}
		if (kc != NULL)
			milter_keycache_put(kc, copy, time(NULL), ks, rec, len,
					    a->ttl);
		key_found(m, st, i, n, copy, ks, rec, len);
		free(copy);
		dns_answer_free(&a);
	}
	sbuf_free(&txt);
}

/* eom_verify - results, A-R field, action */
static sfsistat eom_verify(SMFICTX *ctx, struct milter_conn *c,
			   struct milter_msg *m)
{
	const struct milter_conf *cf = glue_env->cf;
	size_t n = dkim_verify_count(m->verify), nshow;
	enum dkim_verify_key *st = xcalloc(n + 1, sizeof(*st));
	struct milter_ar_result *r = xcalloc(n + 1, sizeof(*r));
	struct milter_verdict_sig *vs = xcalloc(n + 1, sizeof(*vs));
	struct sbuf **b8 = xcalloc(n + 1, sizeof(*b8));
	struct sbuf *ar = sbuf_new(256), *q = sbuf_new(64);
	enum milter_action a;
	const char *what = NULL;
	sfsistat rc;

	dkim_verify_eom(m->verify);
	if (!m->hdr_overflow)
		key_lookups(m, st, n);
	nshow = n < cf->max_signatures ? n : cf->max_signatures;
	for (size_t i = 0; i < nshow; i++) {
		const struct dkim_sig *sig = dkim_verify_sig(m->verify, i);

		r[i].res = dkim_verify_result(m->verify, i, &r[i].reason);
		r[i].testing = dkim_verify_is_testing(m->verify, i);
		if (sig != NULL) {
			r[i].d = sig->d;
			r[i].i = sig->i;
			r[i].s = sig->s;
			b8[i] = sbuf_new(16);
			/* 6 bytes are the first 8 base64 characters */
			(void)base64_encode(
			    sbuf_data(sig->b),
			    sbuf_len(sig->b) < 6 ? sbuf_len(sig->b) : 6,
			    b8[i]);
			r[i].b = sbuf_cstr(b8[i]);
		}
		vs[i].res = r[i].res;
		vs[i].testing = r[i].testing;
		vs[i].key = st[i];
	}
	a = milter_verdict(cf, vs, nshow, m->hdr_overflow, &what);
	if (m->hdr_overflow) {
		nshow = 1;
		memset(&r[0], 0, sizeof(r[0]));
		r[0].res = DKIM_RES_PERMERROR;
		r[0].reason = "header over the limits";
	}
	for (size_t i = 0; i < nshow; i++)
		log_info("%s: verify: dkim=%s d=%s s=%s%s%s (%s)",
			 queue_id(ctx), dkim_result_name(r[i].res),
			 r[i].d != NULL ? r[i].d : "-",
			 r[i].s != NULL ? r[i].s : "-",
			 r[i].reason != NULL && r[i].reason[0] ? ": " : "",
			 r[i].reason != NULL ? r[i].reason : "",
			 sbuf_cstr(m->why));
	if (nshow == 0)
		log_info("%s: verify: no signature (%s)", queue_id(ctx),
			 sbuf_cstr(m->why));
	if (a != MILTER_ACTION_ACCEPT) {
		log_info("%s: %s: %s", queue_id(ctx),
			 milter_conf_action_name(a), what);
		rc = act(ctx, a, what);
		goto out;
	}
	delete_our_ar(ctx, m);
	if (milter_ar_format(cf->authserv, r, nshow, ar) < 0 ||
	    insert_field(ctx, c, MILTER_GLUE_AR, sbuf_cstr(ar)) < 0) {
		log_warn("%s: cannot insert Authentication-Results",
			 queue_id(ctx));
		rc = act(ctx, cf->act_internal_error, "internal error");
		goto out;
	}
	rc = SMFIS_ACCEPT;
out:
	for (size_t i = 0; i < n; i++)
		sbuf_free(&b8[i]);
	free(b8);
	free(r);
	free(vs);
	free(st);
	sbuf_free(&ar);
	sbuf_free(&q);
	return rc;
}

/* glue_eom - sign or verify, then free the message */
static sfsistat glue_eom(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);
	struct milter_msg *m = c != NULL ? c->msg : NULL;
	sfsistat rc = SMFIS_ACCEPT;

	if (m == NULL)
		return SMFIS_ACCEPT;
	switch (m->state) {
	case GLUE_SIGN:
		rc = eom_sign(ctx, c, m);
		break;
	case GLUE_VERIFY:
		rc = eom_verify(ctx, c, m);
		break;
	case GLUE_FAILED:
		rc = act(ctx, glue_env->cf->act_internal_error,
			 "DKIM signing failed, try again later");
		break;
	case GLUE_HEADERS:
	case GLUE_PASS:
		break;
	}
	msg_free(&c->msg);
	return rc;
}

/* glue_abort - the message is gone; the connection stays */
static sfsistat glue_abort(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c != NULL)
		msg_free(&c->msg);
	return SMFIS_CONTINUE;
}

/* glue_close - the connection is gone */
static sfsistat glue_close(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c != NULL) {
		msg_free(&c->msg);
		free(c);
		smfi_setpriv(ctx, NULL);
	}
	return SMFIS_CONTINUE;
}

static struct smfiDesc glue_desc = {
    .xxfi_name = (char *)"postwarden-milterd",
    .xxfi_version = SMFI_VERSION,
    .xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS,
    .xxfi_connect = glue_connect,
    .xxfi_envfrom = glue_envfrom,
    .xxfi_header = glue_header,
    .xxfi_eoh = glue_eoh,
    .xxfi_body = glue_body,
    .xxfi_eom = glue_eom,
    .xxfi_abort = glue_abort,
    .xxfi_close = glue_close,
    .xxfi_negotiate = glue_negotiate,
};

int milter_glue_register(const struct milter_glue_env *env,
			 struct sbuf *err)
{
	glue_env = env;
	if (smfi_setconn(env->cf->milter_socket) != MI_SUCCESS) {
		sbuf_printf(err, "libmilter rejects the socket %s",
			    env->cf->milter_socket);
		return -1;
	}
	if (smfi_settimeout((int)env->cf->timeout) != MI_SUCCESS ||
	    smfi_register(glue_desc) != MI_SUCCESS) {
		sbuf_append_str(err, "libmilter: smfi_register failed");
		return -1;
	}
	return 0;
}

int milter_glue_open_socket(struct sbuf *err)
{
	if (smfi_opensocket(true) != MI_SUCCESS) {
		sbuf_printf(err, "cannot listen on %s",
			    glue_env->cf->milter_socket);
		return -1;
	}
	return 0;
}

int milter_glue_run(void)
{
	return smfi_main() == MI_SUCCESS ? 0 : -1;
}
