/*
 * spf_eval.c - RFC 7208 check_host() over a memo of DNS answers (spf.h).
 *
 * Every pass evaluates the whole check from the start: the counters of
 * RFC 7208 4.6.4 restart at zero, records are parsed again and each DNS
 * answer comes from the memo. A missing answer is noted in the memo and
 * the pass unwinds with SPF_EV_NEED; the caller resolves what the memo
 * lists and runs again. Where the missing queries can be told apart up
 * front (the address lookups of an mx or ptr term, %{p}), a pass notes
 * all of them before it unwinds, so they are resolved in parallel.
 *
 * Results, mechanism text, explanation and problem are copied into the
 * check only when it is done; everything a pass builds is freed before
 * the pass returns.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "log.h"
#include "sbuf.h"
#include "spf.h"
#include "spf_ip.h"
#include "spf_macro.h"
#include "spf_memo.h"
#include "spf_record.h"
#include "xalloc.h"

#define SPF_EVAL_MAX_DEPTH 32	 /* include/redirect nesting, a backstop */
#define SPF_EVAL_MAX_NAME 253	 /* RFC 1035 2.3.4, text form, no dot */
#define SPF_EVAL_MAX_LABEL 63	 /* RFC 1035 2.3.4 */
#define SPF_EVAL_MAX_PROBLEM 200 /* spf.h: bytes of spf_check_problem */
#define SPF_EVAL_MAX_QUOTE 64	 /* bytes of peer text in a problem */
#define SPF_EVAL_MAX_MECH 200	 /* bytes of spf_check_mechanism */

/* what a term, a lookup or an expansion came to */
enum spf_ev {
	SPF_EV_OK,	/* done (expansions, lookups) */
	SPF_EV_MATCH,	/* the term matches */
	SPF_EV_NOMATCH, /* the term does not match; or: no record */
	SPF_EV_NEED,	/* an answer is missing (noted in the memo) */
	SPF_EV_ERROR,	/* c->err is temperror or permerror, problem set */
};

struct spf_check {
	struct spf_limits lim;
	struct spf_ip ip;
	bool ip_ok;
	bool domain_ok;
	char *sender;	     /* local@domain, postmaster filled in */
	char *local;	     /* %{l} */
	char *sender_domain; /* %{o} */
	char *domain;	     /* <domain> of the outermost check_host */
	char *helo;	     /* %{h} */
	char *receiver;	     /* %{r} */
	char *default_exp;
	time_t now;

	struct spf_memo *memo;
	bool done;
	bool expired;
	enum spf_result result;
	struct sbuf *mech;
	struct sbuf *exp;
	bool has_exp;
	struct sbuf *problem;

	/* one pass */
	unsigned int terms;  /* DNS-querying terms so far */
	unsigned int voids;  /* void lookups so far */
	bool full;	     /* the query backstop was hit */
	enum spf_result err; /* with SPF_EV_ERROR */
	struct sbuf *quote;  /* spf_eval_quote's buffer */
};

/* what one check_host() level came to */
struct spf_host_out {
	enum spf_result result;
	char *mech;	  /* the term that matched, "default", or NULL */
	char *exp_spec;	  /* exp= of the record that decided, or NULL */
	char *exp_domain; /* the deciding domain: %{d} of the explanation */
};

/* spf_eval_out_free - release what an spf_host_out holds */
static void spf_eval_out_free(struct spf_host_out *o)
{
	free(o->mech);
	free(o->exp_spec);
	free(o->exp_domain);
	memset(o, 0, sizeof(*o));
}

/* spf_eval_printable - append at most max bytes, non-printables as \xNN */
static void spf_eval_printable(struct sbuf *out, const void *p, size_t n,
			       size_t max)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n && i < max; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
			(void)sbuf_putc(out, s[i]);
		else
			(void)sbuf_printf(out, "\\x%02X", s[i]);
	}
	if (i < n)
		(void)sbuf_append_str(out, "...");
}

/* spf_eval_quote - s quoted for a problem text (borrowed: next call) */
static const char *spf_eval_quote(struct spf_check *c, const char *s)
{
	sbuf_set(c->quote, "'");
	spf_eval_printable(c->quote, s, strlen(s), SPF_EVAL_MAX_QUOTE);
	(void)sbuf_putc(c->quote, '\'');
	return sbuf_cstr(c->quote);
}

/* spf_eval_error - end the pass with r and a reason */
static enum spf_ev spf_eval_error(struct spf_check *c, enum spf_result r,
				  const char *fmt, ...) ATTR_PRINTF(3, 4);
static enum spf_ev spf_eval_error(struct spf_check *c, enum spf_result r,
				  const char *fmt, ...)
{
	va_list ap;

	c->err = r;
	sbuf_reset(c->problem);
	va_start(ap, fmt);
	(void)sbuf_vprintf(c->problem, fmt, ap);
	va_end(ap);
	return SPF_EV_ERROR;
}

/* spf_eval_strip_dot - drop one final dot from a name (RFC 7208 7.3) */
static void spf_eval_strip_dot(struct sbuf *name)
{
	size_t len = sbuf_len(name);

	if (len > 0 && sbuf_cstr(name)[len - 1] == '.')
		sbuf_truncate(name, len - 1);
}

/*
 * spf_eval_name_ok - can a query be made for name: 1..253 bytes, labels
 * of 1..63 bytes (RFC 1035 2.3.4). Any byte may appear in a label.
 */
static bool spf_eval_name_ok(const char *name)
{
	size_t len = strlen(name), label = 0;

	if (len == 0 || len > SPF_EVAL_MAX_NAME)
		return false;
	for (size_t i = 0; i <= len; i++) {
		if (name[i] == '.' || name[i] == '\0') {
			if (label == 0 || label > SPF_EVAL_MAX_LABEL)
				return false;
			label = 0;
		} else {
			label++;
		}
	}
	return true;
}

/*
 * spf_eval_domain_ok - RFC 7208 4.3: the <domain> of the check is a
 * multi-label domain name, not an address literal, made of printable
 * ASCII, with a top label that is not all digits.
 */
static bool spf_eval_domain_ok(const char *name)
{
	const char *top = strrchr(name, '.');
	bool digits = true;

	if (!spf_eval_name_ok(name) || top == NULL || name[0] == '[')
		return false;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return false;
	for (const char *p = top + 1; *p; p++)
		if (*p < '0' || *p > '9')
			digits = false;
	return !digits;
}

/* spf_eval_is_subdomain - is name target or below it (any case)? */
static bool spf_eval_is_subdomain(const char *name, const char *target)
{
	size_t n = strlen(name), t = strlen(target);

	if (n < t || strcasecmp(name + (n - t), target) != 0)
		return false;
	return n == t || name[n - t - 1] == '.';
}

/* spf_eval_dns - the answer to (name, type), or NULL: it is missing */
static const struct dns_answer *
spf_eval_dns(struct spf_check *c, const char *name, enum dns_type type)
{
	const struct dns_answer *a = NULL;

	switch (spf_memo_get(c->memo, name, type, &a)) {
	case SPF_MEMO_FOUND:
		return a;
	case SPF_MEMO_MISSING:
		return NULL;
	case SPF_MEMO_FULL:
		c->full = true;
		return NULL;
	}
	return NULL;
}

/* spf_eval_is_void - RFC 7208 4.6.4: NXDOMAIN or no records */
static bool spf_eval_is_void(const struct dns_answer *a)
{
	return a->status == DNS_NXDOMAIN || (a->status == DNS_OK && a->n == 0);
}

/* spf_eval_void - count a void lookup of a term; past the limit: error */
static enum spf_ev spf_eval_void(struct spf_check *c,
				 const struct dns_answer *a)
{
	if (!spf_eval_is_void(a))
		return SPF_EV_OK;
	if (++c->voids > c->lim.void_lookups)
		return spf_eval_error(c, SPF_PERMERROR,
				      "more than %u void DNS lookups",
				      c->lim.void_lookups);
	return SPF_EV_OK;
}

/* spf_eval_count - one more DNS-querying term (RFC 7208 4.6.4) */
static enum spf_ev spf_eval_count(struct spf_check *c)
{
	if (++c->terms > c->lim.dns_terms)
		return spf_eval_error(c, SPF_PERMERROR,
				      "more than %u DNS-querying terms",
				      c->lim.dns_terms);
	return SPF_EV_OK;
}

/* spf_eval_addr_type - A for an IPv4 client, AAAA for IPv6 */
static enum dns_type spf_eval_addr_type(const struct spf_check *c)
{
	return c->ip.family == 4 ? DNS_T_A : DNS_T_AAAA;
}

/* spf_eval_addr_match - does an A/AAAA answer hold the client? */
static bool spf_eval_addr_match(const struct spf_check *c,
				const struct dns_answer *a, int cidr4,
				int cidr6)
{
	if (a->status != DNS_OK)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct dns_rr *rr = &a->rr[i];

		if (a->type == DNS_T_A && rr->len == 4 &&
		    spf_ip_match(&c->ip, 4, rr->data, cidr4))
			return true;
		if (a->type == DNS_T_AAAA && rr->len == 16 &&
		    spf_ip_match(&c->ip, 6, rr->data, cidr6))
			return true;
	}
	return false;
}

/* spf_eval_rr_name - a name from an answer (MX, PTR) without final dot */
static void spf_eval_rr_name(const struct dns_rr *rr, struct sbuf *out)
{
	sbuf_reset(out);
	(void)sbuf_append(out, rr->data,
			  strnlen((const char *)rr->data, rr->len));
	spf_eval_strip_dot(out);
}

/*
 * spf_eval_ptr_name - %{p} (RFC 7208 7.3): a validated name of the
 * client, preferring <domain> itself, then a subdomain of it, then the
 * first; "unknown" when none validates or the PTR lookup fails.
 */
static enum spf_ev spf_eval_ptr_name(struct spf_check *c, const char *domain,
				     struct sbuf *out)
{
	struct sbuf *rev = sbuf_new(80), *name = sbuf_new(64);
	const struct dns_answer *ptr, *fwd;
	size_t k, best = SIZE_MAX;
	int best_rank = 3;
	bool need = false;
	enum spf_ev ev = SPF_EV_OK;

	(void)spf_ip_reverse(&c->ip, rev);
	ptr = spf_eval_dns(c, sbuf_cstr(rev), DNS_T_PTR);
	if (ptr == NULL) {
		ev = SPF_EV_NEED;
		goto out;
	}
	k = ptr->status == DNS_OK ? ptr->n : 0;
	if (k > c->lim.ptr_names)
		k = c->lim.ptr_names;
	for (size_t i = 0; i < k; i++) {
		spf_eval_rr_name(&ptr->rr[i], name);
		if (spf_eval_name_ok(sbuf_cstr(name)) &&
		    spf_eval_dns(c, sbuf_cstr(name), spf_eval_addr_type(c)) ==
			NULL)
			need = true;
	}
	if (need) {
		ev = SPF_EV_NEED;
		goto out;
	}
	for (size_t i = 0; i < k; i++) {
		int rank;

		spf_eval_rr_name(&ptr->rr[i], name);
		if (!spf_eval_name_ok(sbuf_cstr(name)))
			continue;
		fwd = spf_eval_dns(c, sbuf_cstr(name), spf_eval_addr_type(c));
		if (fwd == NULL || !spf_eval_addr_match(c, fwd, -1, -1))
			continue;
		if (strcasecmp(sbuf_cstr(name), domain) == 0)
			rank = 0;
		else if (spf_eval_is_subdomain(sbuf_cstr(name), domain))
			rank = 1;
		else
			rank = 2;
		if (rank < best_rank) {
			best_rank = rank;
			best = i;
		}
	}
	if (best == SIZE_MAX) {
		sbuf_set(out, "unknown");
	} else {
		spf_eval_rr_name(&ptr->rr[best], name);
		sbuf_set(out, sbuf_cstr(name));
	}
out:
	sbuf_free(&rev);
	sbuf_free(&name);
	return ev;
}

/* spf_eval_expand - expand a macro-string for <domain> into out */
static enum spf_ev spf_eval_expand(struct spf_check *c, const char *spec,
				   enum spf_macro_mode mode, const char *domain,
				   struct sbuf *out)
{
	struct sbuf *ptr = NULL, *err = sbuf_new(64);
	struct spf_macro_vars v;
	enum spf_ev ev = SPF_EV_OK;

	if (spf_macro_uses_p(spec)) {
		ptr = sbuf_new(64);
		ev = spf_eval_ptr_name(c, domain, ptr);
		if (ev != SPF_EV_OK)
			goto out;
	}
	memset(&v, 0, sizeof(v));
	v.sender = c->sender;
	v.local = c->local;
	v.sender_domain = c->sender_domain;
	v.domain = domain;
	v.ip = c->ip.addr;
	v.family = c->ip.family;
	v.helo = c->helo;
	v.receiver = c->receiver;
	v.ptr = ptr != NULL ? sbuf_cstr(ptr) : NULL;
	v.now = c->now;
	sbuf_reset(out);
	if (spf_macro_expand(spec, mode, &v, out, err) < 0) {
		ev = spf_eval_error(c, SPF_PERMERROR, "macro expansion: %s",
				    sbuf_cstr(err));
		goto out;
	}
out:
	sbuf_free(&ptr);
	sbuf_free(&err);
	return ev;
}

/*
 * spf_eval_target - a term's <target-name>: its domain-spec expanded,
 * or <domain>; without a final dot. *ok_r: can a query be made for it.
 */
static enum spf_ev spf_eval_target(struct spf_check *c, const char *spec,
				   const char *domain, struct sbuf *out,
				   bool *ok_r)
{
	enum spf_ev ev;

	if (spec == NULL) {
		sbuf_set(out, domain);
	} else {
		ev = spf_eval_expand(c, spec, SPF_MACRO_DOMAIN, domain, out);
		if (ev != SPF_EV_OK)
			return ev;
	}
	spf_eval_strip_dot(out);
	*ok_r = spf_eval_name_ok(sbuf_cstr(out));
	return SPF_EV_OK;
}

static int spf_eval_host(struct spf_check *c, const char *domain,
			 unsigned int depth, struct spf_host_out *out);

/* spf_eval_a - RFC 7208 5.3 */
static enum spf_ev spf_eval_a(struct spf_check *c, const struct spf_term *t,
			      const char *domain, struct sbuf *target)
{
	const struct dns_answer *a;
	enum spf_ev ev;
	bool ok;

	ev = spf_eval_target(c, t->domain_spec, domain, target, &ok);
	if (ev != SPF_EV_OK)
		return ev;
	if (!ok) /* RFC 7208 4.3, 4.8: no such name */
		return SPF_EV_NOMATCH;
	a = spf_eval_dns(c, sbuf_cstr(target), spf_eval_addr_type(c));
	if (a == NULL)
		return SPF_EV_NEED;
	if (a->status == DNS_TEMPFAIL)
		return spf_eval_error(c, SPF_TEMPERROR, "DNS failure for %s %s",
				      spf_eval_quote(c, sbuf_cstr(target)),
				      dns_type_name(a->type));
	ev = spf_eval_void(c, a);
	if (ev != SPF_EV_OK)
		return ev;
	return spf_eval_addr_match(c, a, t->cidr4, t->cidr6) ? SPF_EV_MATCH
							     : SPF_EV_NOMATCH;
}

/*
 * spf_eval_mx - RFC 7208 5.4: an address lookup for each exchange,
 * all noted at once; more than lim.mx_names exchanges to look up is a
 * permerror (RFC 7208 4.6.4).
 */
static enum spf_ev spf_eval_mx(struct spf_check *c, const struct spf_term *t,
			       const char *domain, struct sbuf *target)
{
	const struct dns_answer *mx, *a;
	struct sbuf *name;
	enum spf_ev ev;
	size_t names = 0;
	bool ok, need = false;

	ev = spf_eval_target(c, t->domain_spec, domain, target, &ok);
	if (ev != SPF_EV_OK)
		return ev;
	if (!ok)
		return SPF_EV_NOMATCH;
	mx = spf_eval_dns(c, sbuf_cstr(target), DNS_T_MX);
	if (mx == NULL)
		return SPF_EV_NEED;
	if (mx->status == DNS_TEMPFAIL)
		return spf_eval_error(c, SPF_TEMPERROR, "DNS failure for %s MX",
				      spf_eval_quote(c, sbuf_cstr(target)));
	ev = spf_eval_void(c, mx);
	if (ev != SPF_EV_OK || mx->status != DNS_OK)
		return ev == SPF_EV_OK ? SPF_EV_NOMATCH : ev;
	name = sbuf_new(64);
	/* a null MX (RFC 7505) or a bad name needs no address lookup */
	for (size_t i = 0; i < mx->n; i++) {
		spf_eval_rr_name(&mx->rr[i], name);
		if (spf_eval_name_ok(sbuf_cstr(name)))
			names++;
	}
	if (names > c->lim.mx_names) {
		sbuf_free(&name);
		return spf_eval_error(
		    c, SPF_PERMERROR, "more than %u MX names for %s",
		    c->lim.mx_names, spf_eval_quote(c, sbuf_cstr(target)));
	}
	for (size_t i = 0; i < mx->n; i++) {
		spf_eval_rr_name(&mx->rr[i], name);
		if (spf_eval_name_ok(sbuf_cstr(name)) &&
		    spf_eval_dns(c, sbuf_cstr(name), spf_eval_addr_type(c)) ==
			NULL)
			need = true;
	}
	ev = need ? SPF_EV_NEED : SPF_EV_NOMATCH;
	for (size_t i = 0; !need && i < mx->n; i++) {
		spf_eval_rr_name(&mx->rr[i], name);
		if (!spf_eval_name_ok(sbuf_cstr(name)))
			continue;
		a = spf_eval_dns(c, sbuf_cstr(name), spf_eval_addr_type(c));
		if (a->status == DNS_TEMPFAIL) {
			ev = spf_eval_error(c, SPF_TEMPERROR,
					    "DNS failure for %s %s",
					    spf_eval_quote(c, sbuf_cstr(name)),
					    dns_type_name(a->type));
			break;
		}
		if (spf_eval_addr_match(c, a, t->cidr4, t->cidr6)) {
			ev = SPF_EV_MATCH;
			break;
		}
	}
	sbuf_free(&name);
	return ev;
}

/*
 * spf_eval_ptr - RFC 7208 5.5: of the first lim.ptr_names PTR names,
 * those in <target-name> are validated by an address lookup; a name
 * whose lookup fails is skipped (5.5/7), as is a failed PTR lookup.
 */
static enum spf_ev spf_eval_ptr(struct spf_check *c, const struct spf_term *t,
				const char *domain, struct sbuf *target)
{
	const struct dns_answer *ptr, *a;
	struct sbuf *rev, *name;
	enum spf_ev ev;
	size_t k;
	bool ok, need = false;

	ev = spf_eval_target(c, t->domain_spec, domain, target, &ok);
	if (ev != SPF_EV_OK)
		return ev;
	if (!ok)
		return SPF_EV_NOMATCH;
	rev = sbuf_new(80);
	(void)spf_ip_reverse(&c->ip, rev);
	ptr = spf_eval_dns(c, sbuf_cstr(rev), DNS_T_PTR);
	sbuf_free(&rev);
	if (ptr == NULL)
		return SPF_EV_NEED;
	if (ptr->status == DNS_TEMPFAIL)
		return SPF_EV_NOMATCH;
	ev = spf_eval_void(c, ptr);
	if (ev != SPF_EV_OK || ptr->status != DNS_OK)
		return ev == SPF_EV_OK ? SPF_EV_NOMATCH : ev;
	k = ptr->n < c->lim.ptr_names ? ptr->n : c->lim.ptr_names;
	name = sbuf_new(64);
	for (size_t i = 0; i < k; i++) {
		spf_eval_rr_name(&ptr->rr[i], name);
		if (spf_eval_name_ok(sbuf_cstr(name)) &&
		    spf_eval_is_subdomain(sbuf_cstr(name), sbuf_cstr(target)) &&
		    spf_eval_dns(c, sbuf_cstr(name), spf_eval_addr_type(c)) ==
			NULL)
			need = true;
	}
	ev = need ? SPF_EV_NEED : SPF_EV_NOMATCH;
	for (size_t i = 0; !need && i < k; i++) {
		spf_eval_rr_name(&ptr->rr[i], name);
		if (!spf_eval_name_ok(sbuf_cstr(name)) ||
		    !spf_eval_is_subdomain(sbuf_cstr(name), sbuf_cstr(target)))
			continue;
		a = spf_eval_dns(c, sbuf_cstr(name), spf_eval_addr_type(c));
		if (spf_eval_addr_match(c, a, -1, -1)) {
			ev = SPF_EV_MATCH;
			break;
		}
	}
	sbuf_free(&name);
	return ev;
}

/* spf_eval_exists - RFC 7208 5.7: an A lookup, whatever the client */
static enum spf_ev spf_eval_exists(struct spf_check *c,
				   const struct spf_term *t, const char *domain,
				   struct sbuf *target)
{
	const struct dns_answer *a;
	enum spf_ev ev;
	bool ok;

	ev = spf_eval_target(c, t->domain_spec, domain, target, &ok);
	if (ev != SPF_EV_OK)
		return ev;
	if (!ok)
		return SPF_EV_NOMATCH;
	a = spf_eval_dns(c, sbuf_cstr(target), DNS_T_A);
	if (a == NULL)
		return SPF_EV_NEED;
	if (a->status == DNS_TEMPFAIL)
		return spf_eval_error(c, SPF_TEMPERROR, "DNS failure for %s A",
				      spf_eval_quote(c, sbuf_cstr(target)));
	ev = spf_eval_void(c, a);
	if (ev != SPF_EV_OK)
		return ev;
	return a->status == DNS_OK && a->n > 0 ? SPF_EV_MATCH : SPF_EV_NOMATCH;
}

/* spf_eval_include - RFC 7208 5.2, with the table of 5.2/9 */
static enum spf_ev spf_eval_include(struct spf_check *c,
				    const struct spf_term *t,
				    const char *domain, unsigned int depth,
				    struct sbuf *target)
{
	struct spf_host_out in;
	enum spf_result r;
	enum spf_ev ev;
	bool ok;

	ev = spf_eval_target(c, t->domain_spec, domain, target, &ok);
	if (ev != SPF_EV_OK)
		return ev;
	if (!ok)
		return spf_eval_error(c, SPF_PERMERROR,
				      "include of a bad name %s",
				      spf_eval_quote(c, sbuf_cstr(target)));
	memset(&in, 0, sizeof(in));
	if (spf_eval_host(c, sbuf_cstr(target), depth + 1, &in) < 0)
		return SPF_EV_NEED;
	r = in.result;
	spf_eval_out_free(&in);
	switch (r) {
	case SPF_PASS:
		return SPF_EV_MATCH;
	case SPF_FAIL:
	case SPF_SOFTFAIL:
	case SPF_NEUTRAL:
		return SPF_EV_NOMATCH;
	case SPF_TEMPERROR:
	case SPF_PERMERROR:
		c->err = r; /* the problem is the included record's */
		return SPF_EV_ERROR;
	case SPF_NONE:
		break;
	}
	return spf_eval_error(c, SPF_PERMERROR, "no SPF record at include %s",
			      spf_eval_quote(c, sbuf_cstr(target)));
}

/* spf_eval_term - one mechanism */
static enum spf_ev spf_eval_term(struct spf_check *c, const struct spf_term *t,
				 const char *domain, unsigned int depth)
{
	struct sbuf *target;
	enum spf_ev ev;

	switch (t->mech) {
	case SPF_M_ALL:
		return SPF_EV_MATCH;
	case SPF_M_IP4:
		return spf_ip_match(&c->ip, 4, t->addr, t->cidr4)
			   ? SPF_EV_MATCH
			   : SPF_EV_NOMATCH;
	case SPF_M_IP6:
		return spf_ip_match(&c->ip, 6, t->addr, t->cidr6)
			   ? SPF_EV_MATCH
			   : SPF_EV_NOMATCH;
	case SPF_M_INCLUDE:
	case SPF_M_A:
	case SPF_M_MX:
	case SPF_M_PTR:
	case SPF_M_EXISTS:
		break;
	}
	ev = spf_eval_count(c);
	if (ev != SPF_EV_OK)
		return ev;
	target = sbuf_new(64);
	switch (t->mech) {
	case SPF_M_INCLUDE:
		ev = spf_eval_include(c, t, domain, depth, target);
		break;
	case SPF_M_A:
		ev = spf_eval_a(c, t, domain, target);
		break;
	case SPF_M_MX:
		ev = spf_eval_mx(c, t, domain, target);
		break;
	case SPF_M_PTR:
		ev = spf_eval_ptr(c, t, domain, target);
		break;
	case SPF_M_EXISTS:
		ev = spf_eval_exists(c, t, domain, target);
		break;
	default:
		log_panic("spf_eval_term: mechanism %d", (int)t->mech);
	}
	sbuf_free(&target);
	return ev;
}

/*
 * spf_eval_record - RFC 7208 4.4, 4.5: the one "v=spf1" TXT record of
 * domain, parsed. SPF_EV_NOMATCH: there is none (result "none").
 */
static enum spf_ev spf_eval_record(struct spf_check *c, const char *domain,
				   struct spf_record **rec_r)
{
	const struct dns_answer *a = spf_eval_dns(c, domain, DNS_T_TXT);
	const struct dns_rr *found = NULL;
	struct sbuf *err;
	size_t nspf = 0;

	if (a == NULL)
		return SPF_EV_NEED;
	if (a->status == DNS_TEMPFAIL)
		return spf_eval_error(c, SPF_TEMPERROR,
				      "DNS failure for %s TXT",
				      spf_eval_quote(c, domain));
	for (size_t i = 0; a->status == DNS_OK && i < a->n; i++) {
		if (spf_record_is_spf(a->rr[i].data, a->rr[i].len)) {
			found = &a->rr[i];
			nspf++;
		}
	}
	if (nspf == 0) {
		sbuf_set(c->problem, "no SPF record");
		return SPF_EV_NOMATCH;
	}
	if (nspf > 1)
		return spf_eval_error(c, SPF_PERMERROR, "%zu SPF records at %s",
				      nspf, spf_eval_quote(c, domain));
	err = sbuf_new(64);
	if (spf_record_parse(found->data, found->len, rec_r, err) < 0) {
		(void)spf_eval_error(c, SPF_PERMERROR, "%s at %s",
				     sbuf_cstr(err), spf_eval_quote(c, domain));
		sbuf_free(&err);
		return SPF_EV_ERROR;
	}
	sbuf_free(&err);
	return SPF_EV_OK;
}

/* spf_eval_result_of - the result a qualifier gives (RFC 7208 4.6.2) */
static enum spf_result spf_eval_result_of(enum spf_qualifier q)
{
	switch (q) {
	case SPF_Q_PASS:
		return SPF_PASS;
	case SPF_Q_FAIL:
		return SPF_FAIL;
	case SPF_Q_SOFTFAIL:
		return SPF_SOFTFAIL;
	case SPF_Q_NEUTRAL:
		return SPF_NEUTRAL;
	}
	return SPF_NEUTRAL;
}

/* spf_eval_redirect - RFC 7208 6.1: the target's result replaces ours */
static int spf_eval_redirect(struct spf_check *c, const struct spf_record *rec,
			     const char *domain, unsigned int depth,
			     struct spf_host_out *out)
{
	struct sbuf *target = sbuf_new(64);
	enum spf_ev ev;
	bool ok = false;
	int rc = 0;

	ev = spf_eval_count(c);
	if (ev == SPF_EV_OK)
		ev = spf_eval_target(c, rec->redirect, domain, target, &ok);
	if (ev == SPF_EV_OK && !ok)
		ev = spf_eval_error(c, SPF_PERMERROR,
				    "redirect to a bad name %s",
				    spf_eval_quote(c, sbuf_cstr(target)));
	if (ev == SPF_EV_NEED) {
		rc = -1;
	} else if (ev == SPF_EV_ERROR) {
		out->result = c->err;
	} else if (spf_eval_host(c, sbuf_cstr(target), depth + 1, out) < 0) {
		rc = -1;
	} else if (out->result == SPF_NONE) {
		spf_eval_out_free(out);
		(void)spf_eval_error(c, SPF_PERMERROR,
				     "no SPF record at redirect %s",
				     spf_eval_quote(c, sbuf_cstr(target)));
		out->result = SPF_PERMERROR;
	}
	sbuf_free(&target);
	return rc;
}

/*
 * spf_eval_host - check_host(<ip>, domain, <sender>) (RFC 7208 4).
 * Returns 0 with *out set (errors as results), or -1: an answer is
 * missing.
 */
static int spf_eval_host(struct spf_check *c, const char *domain,
			 unsigned int depth, struct spf_host_out *out)
{
	struct spf_record *rec = NULL;
	enum spf_ev ev;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (depth > SPF_EVAL_MAX_DEPTH) {
		(void)spf_eval_error(c, SPF_PERMERROR,
				     "include/redirect nesting too deep");
		out->result = SPF_PERMERROR;
		return 0;
	}
	ev = spf_eval_record(c, domain, &rec);
	if (ev == SPF_EV_NEED)
		return -1;
	if (ev == SPF_EV_ERROR) {
		out->result = c->err;
		return 0;
	}
	if (ev == SPF_EV_NOMATCH) {
		out->result = SPF_NONE;
		return 0;
	}
	for (size_t i = 0; i < rec->n; i++) {
		const struct spf_term *t = &rec->terms[i];

		ev = spf_eval_term(c, t, domain, depth);
		if (ev == SPF_EV_NOMATCH)
			continue;
		if (ev == SPF_EV_NEED) {
			rc = -1;
		} else if (ev == SPF_EV_ERROR) {
			out->result = c->err;
		} else {
			out->result = spf_eval_result_of(t->qual);
			out->mech = xstrdup(t->text);
			out->exp_domain = xstrdup(domain);
			if (rec->exp != NULL)
				out->exp_spec = xstrdup(rec->exp);
		}
		goto done;
	}
	if (rec->redirect != NULL) {
		/* RFC 7208 6.2: the exp= of this record does not apply */
		rc = spf_eval_redirect(c, rec, domain, depth, out);
		goto done;
	}
	out->result = SPF_NEUTRAL; /* RFC 7208 4.7 */
	out->mech = xstrdup("default");
	out->exp_domain = xstrdup(domain);
	if (rec->exp != NULL)
		out->exp_spec = xstrdup(rec->exp);
done:
	spf_record_free(&rec);
	return rc;
}

/* spf_eval_is_printable - printable ASCII only (RFC 7208 6.2) */
static bool spf_eval_is_printable(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] >= 0x7f)
			return false;
	return true;
}

/*
 * spf_eval_exp_text - RFC 7208 6.2: the expanded exp= text into out.
 * SPF_EV_NOMATCH: use the default (no usable exp=). Lookups here do
 * not count against the term and void limits (exp-void in the suite).
 */
static enum spf_ev spf_eval_exp_text(struct spf_check *c,
				     const struct spf_host_out *o,
				     struct sbuf *out)
{
	struct sbuf *target = sbuf_new(64);
	const struct dns_answer *a;
	enum spf_ev ev;
	bool ok;

	ev = spf_eval_target(c, o->exp_spec, o->exp_domain, target, &ok);
	if (ev != SPF_EV_OK)
		goto out;
	ev = SPF_EV_NOMATCH;
	if (!ok)
		goto out;
	a = spf_eval_dns(c, sbuf_cstr(target), DNS_T_TXT);
	if (a == NULL) {
		ev = SPF_EV_NEED;
		goto out;
	}
	/* RFC 7208 6.2: exactly one record, and ASCII text */
	if (a->status != DNS_OK || a->n != 1 ||
	    !spf_eval_is_printable(a->rr[0].data, a->rr[0].len))
		goto out;
	sbuf_set(target, (const char *)a->rr[0].data);
	ev = spf_eval_expand(c, sbuf_cstr(target), SPF_MACRO_EXP, o->exp_domain,
			     out);
	if (ev == SPF_EV_OK &&
	    !spf_eval_is_printable(sbuf_data(out), sbuf_len(out)))
		ev = SPF_EV_NOMATCH;
out:
	sbuf_free(&target);
	if (ev == SPF_EV_OK || ev == SPF_EV_NEED)
		return ev;
	return SPF_EV_NOMATCH;
}

/* spf_eval_sanitize - copy at most max bytes, non-printables as '?' */
static void spf_eval_sanitize(struct sbuf *out, const void *p, size_t n,
			      size_t max)
{
	const unsigned char *s = p;

	sbuf_reset(out);
	for (size_t i = 0; i < n && i < max; i++)
		(void)sbuf_putc(out, s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?');
}

/*
 * spf_eval_explain - the explanation of a fail into c->exp: the exp=
 * text, else the default. Past the time limit or the query backstop a
 * missing answer means the default (RFC 7208 6.2: DNS errors do), and
 * a default that still needs DNS becomes "".
 */
static enum spf_ev spf_eval_explain(struct spf_check *c,
				    const struct spf_host_out *o)
{
	const char *domain = o->exp_domain != NULL ? o->exp_domain : c->domain;
	struct sbuf *text = sbuf_new(128);
	enum spf_ev ev = SPF_EV_NOMATCH;

	if (o->exp_spec != NULL)
		ev = spf_eval_exp_text(c, o, text);
	if (ev == SPF_EV_NEED && (c->expired || c->full))
		ev = SPF_EV_NOMATCH;
	if (ev == SPF_EV_NOMATCH) {
		ev = spf_eval_expand(c, c->default_exp, SPF_MACRO_EXP, domain,
				     text);
		if (ev == SPF_EV_ERROR ||
		    (ev == SPF_EV_NEED && (c->expired || c->full))) {
			sbuf_reset(text);
			ev = SPF_EV_OK;
		}
	}
	if (ev == SPF_EV_OK)
		spf_eval_sanitize(c->exp, sbuf_data(text), sbuf_len(text),
				  SPF_MACRO_MAX_OUT);
	sbuf_free(&text);
	return ev;
}

/* spf_eval_finish - the check is done with r */
static void spf_eval_finish(struct spf_check *c, enum spf_result r,
			    const char *mech)
{
	struct sbuf *p = sbuf_new(64);

	c->done = true;
	c->result = r;
	if (mech != NULL)
		spf_eval_sanitize(c->mech, mech, strlen(mech),
				  SPF_EVAL_MAX_MECH);
	else
		sbuf_reset(c->mech);
	c->has_exp = r == SPF_FAIL;
	/* the parts of the problem are quoted already */
	if (r == SPF_PERMERROR || r == SPF_TEMPERROR || r == SPF_NONE)
		spf_eval_sanitize(p, sbuf_data(c->problem),
				  sbuf_len(c->problem), SPF_EVAL_MAX_PROBLEM);
	sbuf_set(c->problem, sbuf_cstr(p));
	sbuf_free(&p);
}

/* spf_check_new - copy the request; the first run does the work */
struct spf_check *spf_check_new(const struct spf_request *req)
{
	static const struct spf_limits defaults = SPF_LIMITS_DEFAULT;
	struct spf_check *c = xcalloc(1, sizeof(*c));
	const char *sender = req->sender != NULL ? req->sender : "";
	const char *helo = req->helo != NULL ? req->helo : "";
	const char *at = strrchr(sender, '@');
	struct sbuf *b = sbuf_new(64);

	c->lim = req->limits != NULL ? *req->limits : defaults;
	c->ip_ok = req->ip != NULL && spf_ip_parse(req->ip, &c->ip) == 0;
	/* RFC 7208 2.3, 2.4, 4.3: postmaster@helo, postmaster@domain */
	if (req->identity == SPF_ID_HELO || sender[0] == '\0') {
		c->local = xstrdup("postmaster");
		c->sender_domain = xstrdup(helo);
	} else if (at == NULL) {
		c->local = xstrdup("postmaster");
		c->sender_domain = xstrdup(sender);
	} else {
		c->local = at == sender
			       ? xstrdup("postmaster")
			       : xstrndup(sender, (size_t)(at - sender));
		c->sender_domain = xstrdup(at + 1);
	}
	sbuf_printf(b, "%s@%s", c->local, c->sender_domain);
	c->sender = sbuf_steal(b);
	sbuf_set(b, c->sender_domain);
	spf_eval_strip_dot(b);
	c->domain = sbuf_steal(b);
	sbuf_free(&b);
	c->domain_ok = spf_eval_domain_ok(c->domain);
	c->helo = xstrdup(helo);
	c->receiver =
	    xstrdup(req->receiver != NULL ? req->receiver : "unknown");
	c->default_exp = xstrdup(req->default_exp != NULL ? req->default_exp
							  : SPF_DEFAULT_EXP);
	c->now = req->now;
	c->memo = spf_memo_new(c->lim.max_queries);
	c->mech = sbuf_new(32);
	c->exp = sbuf_new(64);
	c->problem = sbuf_new(64);
	c->quote = sbuf_new(80);
	return c;
}

/* spf_check_free - release the check and its answers */
void spf_check_free(struct spf_check **cp)
{
	struct spf_check *c = *cp;

	if (c == NULL)
		return;
	free(c->sender);
	free(c->local);
	free(c->sender_domain);
	free(c->domain);
	free(c->helo);
	free(c->receiver);
	free(c->default_exp);
	spf_memo_free(&c->memo);
	sbuf_free(&c->mech);
	sbuf_free(&c->exp);
	sbuf_free(&c->problem);
	sbuf_free(&c->quote);
	free(c);
	*cp = NULL;
}

/* spf_check_run - one pass from the start */
enum spf_step spf_check_run(struct spf_check *c)
{
	struct spf_host_out out;
	enum spf_ev ev;

	if (c->done)
		return SPF_STEP_DONE;
	if (!c->ip_ok) {
		sbuf_set(c->problem, "bad client address");
		spf_eval_finish(c, SPF_PERMERROR, NULL);
		return SPF_STEP_DONE;
	}
	if (!c->domain_ok) {
		sbuf_printf(c->problem, "malformed domain %s",
			    spf_eval_quote(c, c->domain));
		spf_eval_finish(c, SPF_NONE, NULL);
		return SPF_STEP_DONE;
	}
	spf_memo_begin_pass(c->memo);
	c->terms = 0;
	c->voids = 0;
	c->full = false;
	sbuf_reset(c->problem);
	if (spf_eval_host(c, c->domain, 0, &out) < 0) {
		if (c->full) {
			sbuf_printf(c->problem, "more than %u DNS queries",
				    c->lim.max_queries);
			spf_eval_finish(c, SPF_PERMERROR, NULL);
		} else if (c->expired) {
			sbuf_set(c->problem, "DNS time limit");
			spf_eval_finish(c, SPF_TEMPERROR, NULL);
		} else if (spf_memo_missing_count(c->memo) == 0) {
			log_panic("spf_check_run: stopped with nothing to ask");
		}
		return c->done ? SPF_STEP_DONE : SPF_STEP_NEED_DNS;
	}
	if (out.result == SPF_FAIL) {
		ev = spf_eval_explain(c, &out);
		if (ev == SPF_EV_NEED) {
			spf_eval_out_free(&out);
			if (spf_memo_missing_count(c->memo) == 0)
				log_panic("spf_check_run: explanation stuck");
			return SPF_STEP_NEED_DNS;
		}
	}
	spf_eval_finish(c, out.result, out.mech);
	spf_eval_out_free(&out);
	return SPF_STEP_DONE;
}

/* spf_check_query_count - queries the last run found missing */
size_t spf_check_query_count(const struct spf_check *c)
{
	return c->done ? 0 : spf_memo_missing_count(c->memo);
}

/* spf_check_query - one of them */
const char *spf_check_query(const struct spf_check *c, size_t i,
			    enum dns_type *type_r)
{
	if (c->done)
		return NULL;
	return spf_memo_missing(c->memo, i, type_r);
}

/* spf_check_answer - keep an answer for the next run */
void spf_check_answer(struct spf_check *c, const char *name, enum dns_type type,
		      const struct dns_answer *a)
{
	if (!c->done)
		spf_memo_put(c->memo, name, type, a);
}

/* spf_check_expire - the time limit passed: finish without waiting */
void spf_check_expire(struct spf_check *c)
{
	if (c->done)
		return;
	c->expired = true;
	if (spf_check_run(c) != SPF_STEP_DONE)
		log_panic("spf_check_expire: the check did not end");
}

/* spf_check_result - the result, once done */
enum spf_result spf_check_result(const struct spf_check *c)
{
	return c->done ? c->result : SPF_TEMPERROR;
}

/* spf_check_domain - <domain> of the outermost check_host */
const char *spf_check_domain(const struct spf_check *c) { return c->domain; }

/* spf_check_sender - local@domain with postmaster filled in */
const char *spf_check_sender(const struct spf_check *c) { return c->sender; }

/* spf_check_explanation - for a fail only */
const char *spf_check_explanation(const struct spf_check *c)
{
	return c->done && c->has_exp ? sbuf_cstr(c->exp) : NULL;
}

/* spf_check_mechanism - the term that decided */
const char *spf_check_mechanism(const struct spf_check *c)
{
	return sbuf_cstr(c->mech);
}

/* spf_check_problem - why an error or none */
const char *spf_check_problem(const struct spf_check *c)
{
	return c->done ? sbuf_cstr(c->problem) : "";
}

/* spf_check_queries_made - distinct queries used */
unsigned int spf_check_queries_made(const struct spf_check *c)
{
	return spf_memo_used(c->memo);
}
