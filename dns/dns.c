/*
 * dns.c - answers, and the resolver interface's dispatch (dns.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "dns_impl.h"
#include "log.h"
#include "xalloc.h"

struct dns_answer *dns_answer_new(enum dns_status status, enum dns_type type)
{
	struct dns_answer *a = xcalloc(1, sizeof(*a));

	a->status = status;
	a->type = type;
	return a;
}

int dns_answer_add(struct dns_answer *a, const void *data, size_t len,
		   uint16_t pref, uint16_t nstrings)
{
	struct dns_rr *rr;

	if (a->n >= DNS_MAX_RRS || len > DNS_MAX_TXT)
		return -1;
	/* grow by doubling: answers are small, DNS_MAX_RRS bounds them */
	if ((a->n & (a->n - 1)) == 0) {
		size_t cap = a->n == 0 ? 1 : a->n * 2;
		a->rr = xrealloc(a->rr, cap * sizeof(*a->rr));
	}
	rr = &a->rr[a->n++];
	rr->data = xmalloc(len + 1);
	if (len > 0)
		memcpy(rr->data, data, len);
	rr->data[len] = '\0';
	rr->len = len;
	rr->pref = pref;
	rr->nstrings = nstrings;
	return 0;
}

struct dns_answer *dns_answer_dup(const struct dns_answer *a)
{
	struct dns_answer *b = dns_answer_new(a->status, a->type);

	b->ttl = a->ttl;

	for (size_t i = 0; i < a->n; i++)
		(void)dns_answer_add(b, a->rr[i].data, a->rr[i].len,
				     a->rr[i].pref, a->rr[i].nstrings);
	return b;
}

void dns_answer_free(struct dns_answer **ap)
{
	struct dns_answer *a = *ap;

	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n; i++)
		free(a->rr[i].data);
	free(a->rr);
	free(a);
	*ap = NULL;
}

const char *dns_type_name(enum dns_type t)
{
	switch (t) {
	case DNS_T_A:
		return "A";
	case DNS_T_CNAME:
		return "CNAME";
	case DNS_T_PTR:
		return "PTR";
	case DNS_T_MX:
		return "MX";
	case DNS_T_TXT:
		return "TXT";
	case DNS_T_AAAA:
		return "AAAA";
	case DNS_T_SPF:
		return "SPF";
	}
	return "unknown";
}

const char *dns_status_name(enum dns_status s)
{
	switch (s) {
	case DNS_OK:
		return "ok";
	case DNS_NXDOMAIN:
		return "nxdomain";
	case DNS_TEMPFAIL:
		return "tempfail";
	}
	return "unknown";
}

struct dns_query *dns_resolve(struct dns_resolver *r, const char *name,
			      enum dns_type type, dns_done_fn *done, void *arg)
{
	struct dns_query *q = r->ops->resolve(r, name, type, done, arg);

	if (q == NULL)
		log_panic("dns_resolve: resolver returned no query");
	return q;
}

void dns_cancel(struct dns_query **qp)
{
	struct dns_query *q = *qp;

	if (q == NULL)
		return;
	q->r->ops->cancel(q);
	*qp = NULL;
}

void dns_resolver_free(struct dns_resolver **rp)
{
	struct dns_resolver *r = *rp;

	if (r == NULL)
		return;
	r->ops->free(r);
	*rp = NULL;
}
