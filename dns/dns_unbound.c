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

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <unbound-event.h>
#include <unbound.h>

#include "dns.h"
#include "dns_impl.h"
#include "dns_packet.h"
#include "dns_ubctx.h"
#include "dns_unbound.h"
#include "log.h"
#include "sbuf.h"
#include "xalloc.h"

#define DNS_UNBOUND_TIMEOUT_MS 5000
#define DNS_UNBOUND_CLASS_IN 1
#define DNS_UNBOUND_SEC_BOGUS 1 /* ub_event_callback_type's sec */

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
	    !dns_ubctx_name_ok(name, namelen)) {
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
	if (dns_ubctx_configure(ctx, o, err) < 0) {
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
