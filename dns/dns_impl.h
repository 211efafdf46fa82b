/*
 * dns_impl.h - what a resolver implementation provides. Only dns.c and
 * the implementations (dns_unbound.c, dns_zone.c) include this.
 */
#ifndef PW_DNS_IMPL_H
#define PW_DNS_IMPL_H

#include "dns.h"

struct dns_resolver_ops {
	/* resolve - start a query; never NULL: an internal failure is
	 * answered as DNS_TEMPFAIL from the loop like any other answer */
	struct dns_query *(*resolve)(struct dns_resolver *r, const char *name,
				     enum dns_type type, dns_done_fn *done,
				     void *arg);
	void (*cancel)(struct dns_query *q);
	void (*free)(struct dns_resolver *r);
};

/* Every implementation's resolver struct begins with this, */
struct dns_resolver {
	const struct dns_resolver_ops *ops;
	struct event_base *base;
};

/* and every query struct with this (dns_cancel finds the ops here). */
struct dns_query {
	struct dns_resolver *r;
};

#endif
