/*
 * dns_unbound.c - the libunbound resolver on the daemon's libevent loop
 * (dns_unbound.h).
 *
 * libunbound runs on our event_base itself (ub_ctx_create_event, the
 * same libevent as Debian's libunbound links), without a thread or a
 * pipe: a cached answer costs a few microseconds. ub_resolve_event hands
 * over the whole response packet, decoded by dns_packet.h, and it calls
 * back from inside ub_resolve_event for cached and local answers, or from
 * inside libunbound's own event callbacks. Our callback only decodes the
 * answer and activates the query's own event, so done() always runs from
 * that event: never inside dns_resolve, and a done() that cancels other
 * queries or frees the whole resolver is safe.
 *
 * Each query also has a deadline on that same event: if it fires first,
 * the query is cancelled in libunbound (ub_cancel: its callback will not
 * run) and answered DNS_TEMPFAIL.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <unbound-event.h>
#include <unbound.h>

#include "dns.h"
#include "dns_impl.h"
#include "dns_packet.h"
#include "dns_unbound.h"
#include "log.h"
#include "sbuf.h"
#include "xalloc.h"

#define DNS_UNBOUND_TIMEOUT_MS 5000
#define DNS_UNBOUND_CLASS_IN 1
#define DNS_UNBOUND_SEC_BOGUS 1 /* ub_event_callback_type's sec */
/* one "addr[@port]" in the servers option */
#define DNS_UNBOUND_SERVER_MAX 128

/*
 * unbound's default local zones (services/localzone.c, as of 1.17),
 * answered by the library itself. A configured zone of the same name
 * replaces a default one; "transparent" passes queries on to the servers
 * ("nodefault" is not honoured when set through ub_ctx_set_option). Also
 * 16-31.172.in-addr.arpa (RFC 1918) and 64-127.100.in-addr.arpa
 * (RFC 6598), made in dns_unbound_configure.
 */
static const char *const dns_unbound_default_zones[] = {
    "localhost.",
    "127.in-addr.arpa.",
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
    "ip6.arpa.",
    "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
    "ip6.arpa.",
    "home.arpa.",
    "onion.",
    "test.",
    "invalid.",
    "10.in-addr.arpa.",
    "168.192.in-addr.arpa.",
    "0.in-addr.arpa.",
    "254.169.in-addr.arpa.",
    "2.0.192.in-addr.arpa.",
    "100.51.198.in-addr.arpa.",
    "113.0.203.in-addr.arpa.",
    "255.255.255.255.in-addr.arpa.",
    "d.f.ip6.arpa.",
    "8.e.f.ip6.arpa.",
    "9.e.f.ip6.arpa.",
    "a.e.f.ip6.arpa.",
    "b.e.f.ip6.arpa.",
    "8.b.d.0.1.0.0.2.ip6.arpa.",
};

struct dns_unbound_query;

struct dns_unbound {
	struct dns_resolver base; /* first: dns_impl.h */
	struct ub_ctx *ctx;
	struct timeval timeout;
	struct dns_unbound_query *queries; /* in flight, for free */
};

struct dns_unbound_query {
	struct dns_query base; /* first: dns_impl.h */
	struct dns_unbound *ur;
	struct dns_unbound_query *prev, *next;
	struct event *ev;	   /* deadline, or activated with the answer */
	struct dns_answer *answer; /* set once libunbound answered */
	int async_id;
	bool ub_pending; /* libunbound still owes a callback */
	enum dns_type type;
	dns_done_fn *done;
	void *arg;
	char *name; /* for log lines */
};

/* dns_unbound_unlink - take q off its resolver's list */
static void dns_unbound_unlink(struct dns_unbound_query *q)
{
	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		q->ur->queries = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	q->prev = q->next = NULL;
}

/* dns_unbound_query_free - stop everything q has pending and free it */
static void dns_unbound_query_free(struct dns_unbound_query *q)
{
	if (q->ub_pending)
		(void)ub_cancel(q->ur->ctx, q->async_id);
	dns_unbound_unlink(q);
	event_free(q->ev);
	dns_answer_free(&q->answer);
	free(q->name);
	free(q);
}

/* dns_unbound_fire - the query's event: deliver its answer or time out */
static void dns_unbound_fire(evutil_socket_t fd, short what, void *arg)
{
	struct dns_unbound_query *q = arg;
	struct dns_answer *a = q->answer;
	dns_done_fn *done = q->done;
	void *done_arg = q->arg;

	(void)fd;
	(void)what;
	if (a == NULL) {
		log_debug("dns: %s %s: timed out", q->name,
			  dns_type_name(q->type));
		a = dns_answer_new(DNS_TEMPFAIL, q->type);
	}
	q->answer = NULL;
	/* the handle is invalid once done runs (dns.h) */
	dns_unbound_query_free(q);
	done(done_arg, a);
	dns_answer_free(&a);
}

/* dns_unbound_decode - a libunbound answer as a dns_answer */
static struct dns_answer *dns_unbound_decode(struct dns_unbound_query *q,
					     int rcode, const void *pkt,
					     int len, int sec, const char *why)
{
	struct dns_answer *a;
	struct sbuf *err;

	if (sec == DNS_UNBOUND_SEC_BOGUS) {
		log_info("dns: %s %s: DNSSEC bogus: %s", q->name,
			 dns_type_name(q->type), why != NULL ? why : "?");
		return dns_answer_new(DNS_TEMPFAIL, q->type);
	}
	/* rcode is libunbound's (SERVFAIL for its own failures); the
	 * server's RCODE is in the packet */
	if (rcode != 0 || pkt == NULL || len < 0) {
		log_debug("dns: %s %s: rcode %d", q->name,
			  dns_type_name(q->type), rcode);
		return dns_answer_new(DNS_TEMPFAIL, q->type);
	}
	a = dns_answer_new(DNS_TEMPFAIL, q->type);
	err = sbuf_new(64);
	if (dns_packet_answer(a, pkt, (size_t)len, err) < 0) {
		log_info("dns: %s %s: bad answer: %s", q->name,
			 dns_type_name(q->type), sbuf_cstr(err));
		dns_answer_free(&a);
		a = dns_answer_new(DNS_TEMPFAIL, q->type);
	}
	sbuf_free(&err);
	return a;
}

/* dns_unbound_result - libunbound's callback, maybe from inside
 * ub_resolve_event or from libunbound's own event callbacks */
static void dns_unbound_result(void *arg, int rcode, void *pkt, int len,
			       int sec, char *why_bogus, int ratelimited)
{
	struct dns_unbound_query *q = arg;

	(void)ratelimited;
	q->ub_pending = false;
	q->answer = dns_unbound_decode(q, rcode, pkt, len, sec, why_bogus);
	/* done runs from the loop, outside libunbound */
	event_active(q->ev, EV_TIMEOUT, 1);
}

/* dns_unbound_quote - the name as log lines show it (caller frees) */
static char *dns_unbound_quote(const char *name, size_t len)
{
	struct sbuf *b = sbuf_new(len + 8);
	char *s;

	(void)log_quote(b, name, len);
	s = sbuf_steal(b);
	sbuf_free(&b);
	return s;
}

/*
 * dns_unbound_name_ok - does the text name fit RFC 1035's limits (labels
 * of 1-63 bytes, 255 in all)? libunbound keeps a query it could not
 * encode until the context is deleted, so such names never reach it.
 */
static bool dns_unbound_name_ok(const char *name, size_t len)
{
	size_t label = 0, wire = 1;

	if (len == 1 && name[0] == '.')
		return true;
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (label == 0)
				return false;
			wire += 1 + label;
			label = 0;
			continue;
		}
		if (name[i] == '\\') {
			/* \DDD or \X: one byte (RFC 1035 5.1) */
			if (i + 1 >= len)
				return false;
			if (isdigit((unsigned char)name[i + 1])) {
				if (i + 3 >= len ||
				    !isdigit((unsigned char)name[i + 2]) ||
				    !isdigit((unsigned char)name[i + 3]) ||
				    (name[i + 1] - '0') * 100 +
					    (name[i + 2] - '0') * 10 +
					    (name[i + 3] - '0') >
					255)
					return false;
				i += 3;
			} else {
				i++;
			}
		}
		if (++label > 63)
			return false;
	}
	if (label > 0)
		wire += 1 + label;
	return wire <= 255;
}

/* dns_unbound_resolve - start one query (never NULL) */
static struct dns_query *dns_unbound_resolve(struct dns_resolver *r,
					     const char *name,
					     enum dns_type type,
					     dns_done_fn *done, void *arg)
{
	struct dns_unbound *ur = (struct dns_unbound *)r;
	struct dns_unbound_query *q = xcalloc(1, sizeof(*q));
	size_t namelen = strnlen(name, DNS_MAX_NAME + 1);
	int rc;

	q->base.r = r;
	q->ur = ur;
	q->type = type;
	q->done = done;
	q->arg = arg;
	q->name = dns_unbound_quote(name, namelen);
	q->ev = evtimer_new(r->base, dns_unbound_fire, q);
	if (q->ev == NULL)
		log_fatal("dns: evtimer_new failed");
	q->next = ur->queries;
	if (q->next != NULL)
		q->next->prev = q;
	ur->queries = q;

	if (namelen == 0 || namelen > DNS_MAX_NAME ||
	    !dns_unbound_name_ok(name, namelen)) {
		q->answer = dns_answer_new(DNS_TEMPFAIL, type);
		event_active(q->ev, EV_TIMEOUT, 1);
		return &q->base;
	}
	q->ub_pending = true;
	rc = ub_resolve_event(ur->ctx, name, (int)type, DNS_UNBOUND_CLASS_IN, q,
			      dns_unbound_result, &q->async_id);
	if (rc != 0) {
		q->ub_pending = false;
		log_info("dns: %s %s: %s", q->name, dns_type_name(type),
			 ub_strerror(rc));
		if (q->answer == NULL) {
			q->answer = dns_answer_new(DNS_TEMPFAIL, type);
			event_active(q->ev, EV_TIMEOUT, 1);
		}
		return &q->base;
	}
	/* not answered from the cache or a local zone yet: a deadline */
	if (q->answer == NULL && evtimer_add(q->ev, &ur->timeout) < 0)
		log_fatal("dns: evtimer_add failed");
	return &q->base;
}

/* dns_unbound_cancel - forget q: done will not run */
static void dns_unbound_cancel(struct dns_query *dq)
{
	dns_unbound_query_free((struct dns_unbound_query *)dq);
}

/* dns_unbound_free - cancel what is in flight, stop libunbound */
static void dns_unbound_free(struct dns_resolver *r)
{
	struct dns_unbound *ur = (struct dns_unbound *)r;

	while (ur->queries != NULL)
		dns_unbound_query_free(ur->queries);
	/* removes libunbound's events from the base; no callbacks */
	ub_ctx_delete(ur->ctx);
	free(ur);
}

static const struct dns_resolver_ops dns_unbound_ops = {
    .resolve = dns_unbound_resolve,
    .cancel = dns_unbound_cancel,
    .free = dns_unbound_free,
};

/* dns_unbound_servers - ub_ctx_set_fwd for each "addr[@port]" */
static int dns_unbound_servers(struct ub_ctx *ctx, const char *list,
			       struct sbuf *err)
{
	const char *sep = " \t,";
	const char *p = list;
	int nservers = 0;

	for (;;) {
		size_t n;
		char *addr;
		int rc;

		p += strspn(p, sep);
		if (*p == '\0')
			break;
		n = strcspn(p, sep);
		if (n > DNS_UNBOUND_SERVER_MAX) {
			sbuf_printf(err, "dns servers: address too long");
			return -1;
		}
		addr = xstrndup(p, n);
		rc = ub_ctx_set_fwd(ctx, addr);
		if (rc != 0) {
			sbuf_printf(err, "dns servers: bad address \"%s\": %s",
				    addr, ub_strerror(rc));
			free(addr);
			return -1;
		}
		free(addr);
		nservers++;
		p += n;
	}
	if (nservers == 0) {
		sbuf_printf(err, "dns servers: no address");
		return -1;
	}
	return 0;
}

/* dns_unbound_setopt - ub_ctx_set_option or an error */
static int dns_unbound_setopt(struct ub_ctx *ctx, const char *opt,
			      const char *val, struct sbuf *err)
{
	int rc = ub_ctx_set_option(ctx, opt, val);

	if (rc != 0) {
		sbuf_printf(err, "libunbound option %s %s: %s", opt, val,
			    ub_strerror(rc));
		return -1;
	}
	return 0;
}

/* dns_unbound_transparent - one local zone that asks the servers */
static int dns_unbound_transparent(struct ub_ctx *ctx, struct sbuf *val,
				   struct sbuf *err)
{
	(void)sbuf_append_str(val, " transparent");
	return dns_unbound_setopt(ctx, "local-zone:", sbuf_cstr(val), err);
}

/* dns_unbound_no_default_zones - every default local zone transparent */
static int dns_unbound_no_default_zones(struct ub_ctx *ctx, struct sbuf *err)
{
	struct sbuf *val = sbuf_new(128);
	size_t nzones = sizeof(dns_unbound_default_zones) /
			sizeof(dns_unbound_default_zones[0]);
	int ret = -1;

	for (size_t i = 0; i < nzones; i++) {
		sbuf_set(val, dns_unbound_default_zones[i]);
		if (dns_unbound_transparent(ctx, val, err) < 0)
			goto out;
	}
	for (unsigned int i = 16; i <= 31; i++) {
		sbuf_reset(val);
		sbuf_printf(val, "%u.172.in-addr.arpa.", i);
		if (dns_unbound_transparent(ctx, val, err) < 0)
			goto out;
	}
	for (unsigned int i = 64; i <= 127; i++) {
		sbuf_reset(val);
		sbuf_printf(val, "%u.100.in-addr.arpa.", i);
		if (dns_unbound_transparent(ctx, val, err) < 0)
			goto out;
	}
	ret = 0;
out:
	sbuf_free(&val);
	return ret;
}

/* dns_unbound_configure - apply the options to a fresh context */
static int dns_unbound_configure(struct ub_ctx *ctx,
				 const struct dns_unbound_options *o,
				 struct sbuf *err)
{
	int rc;

	/* the library's default already; a forwarder on loopback is the
	 * usual local setup, so never leave it to a config file */
	if (dns_unbound_setopt(ctx, "do-not-query-localhost:", "no", err) < 0)
		return -1;
	if (o->servers != NULL && o->servers[strspn(o->servers, " \t,")]) {
		if (dns_unbound_servers(ctx, o->servers, err) < 0)
			return -1;
	} else if ((rc = ub_ctx_resolvconf(ctx, o->resolv_conf)) != 0) {
		sbuf_printf(err, "%s: %s",
			    o->resolv_conf != NULL ? o->resolv_conf
						   : "/etc/resolv.conf",
			    ub_strerror(rc));
		return -1;
	}
	if (o->no_default_local_zones &&
	    dns_unbound_no_default_zones(ctx, err) < 0)
		return -1;
	if (o->trust_anchor_file != NULL &&
	    (rc = ub_ctx_add_ta_file(ctx, o->trust_anchor_file)) != 0) {
		sbuf_printf(err, "%s: %s", o->trust_anchor_file,
			    ub_strerror(rc));
		return -1;
	}
	return 0;
}

struct dns_resolver *dns_unbound_new(struct event_base *base,
				     const struct dns_unbound_options *o,
				     struct sbuf *err)
{
	struct dns_unbound *ur;
	struct ub_ctx *ctx;
	unsigned int ms =
	    o->timeout_ms != 0 ? o->timeout_ms : DNS_UNBOUND_TIMEOUT_MS;

	if ((ctx = ub_ctx_create_event(base)) == NULL) {
		sbuf_printf(err, "libunbound: cannot create a context");
		return NULL;
	}
	if (dns_unbound_configure(ctx, o, err) < 0) {
		ub_ctx_delete(ctx);
		return NULL;
	}
	ur = xcalloc(1, sizeof(*ur));
	ur->base.ops = &dns_unbound_ops;
	ur->base.base = base;
	ur->ctx = ctx;
	ur->timeout.tv_sec = ms / 1000;
	ur->timeout.tv_usec = (ms % 1000) * 1000;
	return &ur->base;
}
