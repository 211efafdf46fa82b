/*
 * dns_unbound.h - the production resolver: libunbound, asynchronous on
 * the daemon's libevent loop, with libunbound's own cache.
 *
 * Answers are decoded by dns_rdata.h with its limits; a bogus DNSSEC
 * answer, SERVFAIL, REFUSED, a timeout or anything malformed is
 * DNS_TEMPFAIL.
 */
#ifndef PW_DNS_UNBOUND_H
#define PW_DNS_UNBOUND_H

#include <stdbool.h>

struct event_base;
struct sbuf;
struct dns_resolver;

struct dns_unbound_options {
	/* servers - "addr[@port]" list separated by spaces or commas, sent
	 * queries as a stub (forwarder) resolver; NULL or "": resolv_conf */
	const char *servers;
	const char *resolv_conf;   /* NULL: /etc/resolv.conf */
	unsigned int timeout_ms;   /* per query; 0: 5000 */
	/* no_default_local_zones - answer RFC 1918, documentation ranges,
	 * .test, .invalid, localhost from the servers too (tests need it) */
	bool no_default_local_zones;
	const char *trust_anchor_file; /* DNSSEC; NULL: none */
};

struct dns_resolver *dns_unbound_new(struct event_base *base,
				     const struct dns_unbound_options *o,
				     struct sbuf *err);

#endif
