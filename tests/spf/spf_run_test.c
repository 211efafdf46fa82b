/* spf_run_test.c - the SPF driver on the event loop (spf/spf_run.c) */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "dns_impl.h"
#include "dns_zone.h"
#include "spf.h"
#include "spf_run.h"

/*
 * A resolver the test steers: queries wait until a timer answers every
 * waiting one from a zone, newest first (so answers come back in the
 * reverse order of the questions), or never when the zone is NULL.
 */
#define SLOW_MAX 64

struct slow_query {
	struct dns_query base;
	char *name;
	enum dns_type type;
	dns_done_fn *done;
	void *arg;
	bool live;
};

struct slow {
	struct dns_resolver base;
	const struct dns_zone *z;
	struct event *tick;
	struct slow_query *q[SLOW_MAX];
	size_t n;
	size_t asked, cancelled, answered, max_waiting;
	size_t order_reversed; /* answers given out of question order */
};

/* slow_waiting - queries still waiting */
static size_t slow_waiting(const struct slow *s)
{
	size_t w = 0;

	for (size_t i = 0; i < s->n; i++)
		if (s->q[i] != NULL && s->q[i]->live)
			w++;
	return w;
}

/* slow_on_tick - answer what waits, newest first */
static void slow_on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct slow *s = arg;
	size_t n = s->n;

	(void)fd;
	(void)what;
	for (size_t i = n; i-- > 0;) {
		struct slow_query *q = s->q[i];
		struct dns_answer *a;

		if (q == NULL || !q->live)
			continue;
		s->q[i] = NULL;
		a = dns_zone_lookup(s->z, q->name, q->type);
		if (i + 1 < n)
			s->order_reversed++;
		s->answered++;
		q->done(q->arg, a);
		dns_answer_free(&a);
		free(q->name);
		free(q);
	}
}

/* slow_arm - answer on a later loop turn */
static void slow_arm(struct slow *s)
{
	static const struct timeval ms = {0, 1000};

	if (s->z != NULL && !evtimer_pending(s->tick, NULL))
		evtimer_add(s->tick, &ms);
}

static struct dns_query *slow_resolve(struct dns_resolver *r, const char *name,
				      enum dns_type type, dns_done_fn *done,
				      void *arg)
{
	struct slow *s = (struct slow *)r;
	struct slow_query *q = calloc(1, sizeof(*q));

	cr_assert_lt(s->n, SLOW_MAX);
	q->base.r = r;
	q->name = strdup(name);
	q->type = type;
	q->done = done;
	q->arg = arg;
	q->live = true;
	s->q[s->n++] = q;
	s->asked++;
	if (slow_waiting(s) > s->max_waiting)
		s->max_waiting = slow_waiting(s);
	slow_arm(s);
	return &q->base;
}

static void slow_cancel(struct dns_query *dq)
{
	struct slow *s = (struct slow *)dq->r;

	for (size_t i = 0; i < s->n; i++) {
		if (s->q[i] == (struct slow_query *)dq) {
			s->q[i] = NULL;
			break;
		}
	}
	s->cancelled++;
	free(((struct slow_query *)dq)->name);
	free(dq);
}

static void slow_free(struct dns_resolver *r)
{
	struct slow *s = (struct slow *)r;

	for (size_t i = 0; i < s->n; i++)
		if (s->q[i] != NULL)
			slow_cancel(&s->q[i]->base);
	event_free(s->tick);
	free(s);
}

static const struct dns_resolver_ops slow_ops = {
    .resolve = slow_resolve,
    .cancel = slow_cancel,
    .free = slow_free,
};

/* slow_new - a steered resolver answering from z (NULL: never) */
static struct slow *slow_new(struct event_base *base, const struct dns_zone *z)
{
	struct slow *s = calloc(1, sizeof(*s));

	s->base.ops = &slow_ops;
	s->base.base = base;
	s->z = z;
	s->tick = evtimer_new(base, slow_on_tick, s);
	return s;
}

struct done {
	int calls;
	bool in_start;
	enum spf_result result;
	struct spf_check *c;
};

static bool starting;

/* on_done - record the driver's call */
static void on_done(void *arg, struct spf_check *c)
{
	struct done *d = arg;

	d->calls++;
	d->in_start = starting;
	d->c = c;
	d->result = spf_check_result(c);
}

/* start - spf_run_start, noting whether done runs inside it */
static struct spf_run *start(struct event_base *base, struct dns_resolver *r,
			     struct spf_check *c, unsigned int limit_ms,
			     struct done *d)
{
	struct spf_run *run;

	starting = true;
	run = spf_run_start(base, r, c, limit_ms, on_done, d);
	starting = false;
	cr_assert_not_null(run);
	return run;
}

/* txt - one TXT record */
static void txt(struct dns_zone *z, const char *name, const char *text)
{
	dns_zone_add(z, name, DNS_T_TXT, text, strlen(text), 0, 1);
}

/* a4 - one A record */
static void a4(struct dns_zone *z, const char *name, const char *ip)
{
	unsigned char b[4];

	cr_assert_eq(inet_pton(AF_INET, ip, b), 1);
	dns_zone_add(z, name, DNS_T_A, b, 4, 0, 0);
}

/* request - a MAIL FROM check */
static struct spf_request request(const char *ip, const char *sender)
{
	struct spf_request req;

	memset(&req, 0, sizeof(req));
	req.ip = ip;
	req.sender = sender;
	req.helo = "helo.example.org";
	req.identity = SPF_ID_MAILFROM;
	return req;
}

/* mx_zone - m.example: "mx -all" with n exchanges, the last at 192.0.2.1 */
static struct dns_zone *mx_zone(int n)
{
	struct dns_zone *z = dns_zone_new();
	char host[32];

	txt(z, "m.example", "v=spf1 mx -all");
	for (int i = 0; i < n; i++) {
		snprintf(host, sizeof(host), "mx%d.example", i);
		dns_zone_add(z, "m.example", DNS_T_MX, host, strlen(host),
			     (uint16_t)i, 0);
		a4(z, host, i == n - 1 ? "192.0.2.1" : "198.51.100.1");
	}
	return z;
}

Test(spf_run, over_the_zone_resolver)
{
	struct event_base *base = event_base_new();
	struct dns_zone *z = mx_zone(3);
	struct dns_resolver *r = dns_zone_resolver(base, z);
	struct spf_request req = request("192.0.2.1", "u@m.example");
	struct spf_check *c = spf_check_new(&req);
	struct done d = {0};

	start(base, r, c, 5000, &d);
	cr_assert_eq(d.calls, 0);
	cr_assert_geq(event_base_dispatch(base), 0);
	cr_assert_eq(d.calls, 1);
	cr_assert_not(d.in_start);
	cr_assert_eq(d.c, c);
	cr_assert_eq(d.result, SPF_PASS);
	cr_assert_eq(spf_check_queries_made(c), 5);
	spf_check_free(&c);
	dns_resolver_free(&r);
	dns_zone_free(&z);
	event_base_free(base);
}

Test(spf_run, answers_out_of_order_and_in_parallel)
{
	struct event_base *base = event_base_new();
	struct dns_zone *z = mx_zone(6);
	struct slow *s = slow_new(base, z);
	struct dns_resolver *r = &s->base;
	struct spf_request req = request("192.0.2.1", "u@m.example");
	struct spf_check *c = spf_check_new(&req);
	struct done d = {0};

	start(base, r, c, 5000, &d);
	cr_assert_geq(event_base_dispatch(base), 0);
	cr_assert_eq(d.calls, 1);
	cr_assert_eq(d.result, SPF_PASS);
	/* TXT, MX, then the six exchanges at once */
	cr_assert_eq(s->asked, 8);
	cr_assert_eq(s->max_waiting, 6);
	cr_assert_geq(s->order_reversed, 5);
	cr_assert_eq(s->cancelled, 0);
	spf_check_free(&c);
	dns_resolver_free(&r);
	dns_zone_free(&z);
	event_base_free(base);
}

Test(spf_run, mixed_results_out_of_order)
{
	struct event_base *base = event_base_new();
	struct dns_zone *z = dns_zone_new();
	struct slow *s = slow_new(base, z);
	struct dns_resolver *r = &s->base;
	struct spf_request req = request("192.0.2.7", "u@e.example");
	struct spf_check *c = spf_check_new(&req);
	struct done d = {0};

	/* the first exchange fails to resolve, but only after the second
	 * matched: order of evaluation, not of arrival, decides */
	txt(z, "e.example", "v=spf1 mx:x.example -all");
	dns_zone_add(z, "x.example", DNS_T_MX, "good.example", 12, 1, 0);
	dns_zone_add(z, "x.example", DNS_T_MX, "bad.example", 11, 2, 0);
	a4(z, "good.example", "192.0.2.7");
	dns_zone_add_timeout(z, "bad.example");
	start(base, r, c, 5000, &d);
	cr_assert_geq(event_base_dispatch(base), 0);
	cr_assert_eq(d.calls, 1);
	cr_assert_eq(d.result, SPF_PASS);
	spf_check_free(&c);
	dns_resolver_free(&r);
	dns_zone_free(&z);
	event_base_free(base);
}

Test(spf_run, cancel_means_no_done_and_no_queries)
{
	struct event_base *base = event_base_new();
	struct dns_zone *z = mx_zone(2);
	struct slow *s = slow_new(base, z);
	struct dns_resolver *r = &s->base;
	struct spf_request req = request("192.0.2.1", "u@m.example");
	struct spf_check *c = spf_check_new(&req);
	struct done d = {0};
	struct spf_run *run;

	run = start(base, r, c, 5000, &d);
	cr_assert_eq(s->asked, 1);
	spf_run_cancel(&run);
	cr_assert_null(run);
	spf_run_cancel(&run); /* NULL-safe */
	cr_assert_eq(s->cancelled, 1);
	event_base_dispatch(base);
	cr_assert_eq(d.calls, 0);
	cr_assert_eq(s->answered, 0);
	spf_check_free(&c);
	dns_resolver_free(&r);
	dns_zone_free(&z);
	event_base_free(base);
}

/* cancel_from_done - a done that cancels another run */
struct two {
	struct spf_run *other;
	int calls;
};

static void on_done_cancel(void *arg, struct spf_check *c)
{
	struct two *t = arg;

	(void)c;
	t->calls++;
	spf_run_cancel(&t->other);
}

Test(spf_run, cancel_another_run_from_done)
{
	struct event_base *base = event_base_new();
	struct dns_zone *z = mx_zone(2);
	struct dns_resolver *fast = dns_zone_resolver(base, z);
	struct slow *s = slow_new(base, NULL); /* never answers */
	struct dns_resolver *r = &s->base;
	struct spf_request req = request("192.0.2.1", "u@m.example");
	struct spf_check *c1 = spf_check_new(&req);
	struct spf_check *c2 = spf_check_new(&req);
	struct two t = {0};
	struct done d = {0};

	t.other = start(base, r, c2, 0, &d);
	spf_run_start(base, fast, c1, 5000, on_done_cancel, &t);
	cr_assert_geq(event_base_dispatch(base), 0);
	cr_assert_eq(t.calls, 1);
	cr_assert_null(t.other);
	cr_assert_eq(d.calls, 0);
	cr_assert_eq(s->cancelled, 1);
	cr_assert_eq(spf_check_result(c1), SPF_PASS);
	spf_check_free(&c1);
	spf_check_free(&c2);
	dns_resolver_free(&r);
	dns_resolver_free(&fast);
	dns_zone_free(&z);
	event_base_free(base);
}

Test(spf_run, time_limit_is_temperror)
{
	struct event_base *base = event_base_new();
	struct slow *s = slow_new(base, NULL); /* never answers */
	struct dns_resolver *r = &s->base;
	struct spf_request req = request("192.0.2.1", "u@m.example");
	struct spf_check *c = spf_check_new(&req);
	struct done d = {0};
	struct timeval t0, t1;

	evutil_gettimeofday(&t0, NULL);
	start(base, r, c, 50, &d);
	cr_assert_geq(event_base_dispatch(base), 0);
	evutil_gettimeofday(&t1, NULL);
	cr_assert_eq(d.calls, 1);
	cr_assert_eq(d.result, SPF_TEMPERROR);
	cr_assert_str_eq(spf_check_problem(c), "DNS time limit");
	cr_assert_eq(s->asked, 1);
	cr_assert_eq(s->cancelled, 1);
	long ms =
	    (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000;
	cr_assert_geq(ms, 45);
	cr_assert_lt(ms, 3000);
	spf_check_free(&c);
	dns_resolver_free(&r);
	event_base_free(base);
}

Test(spf_run, done_at_once_still_comes_from_the_loop)
{
	struct event_base *base = event_base_new();
	struct slow *s = slow_new(base, NULL);
	struct dns_resolver *r = &s->base;
	struct spf_request req = request("not an address", "u@m.example");
	struct spf_check *c = spf_check_new(&req);
	struct done d = {0};

	start(base, r, c, 50, &d);
	cr_assert_eq(d.calls, 0);
	cr_assert_geq(event_base_dispatch(base), 0);
	cr_assert_eq(d.calls, 1);
	cr_assert_not(d.in_start);
	cr_assert_eq(d.result, SPF_PERMERROR);
	cr_assert_eq(s->asked, 0);
	spf_check_free(&c);
	dns_resolver_free(&r);
	event_base_free(base);
}

Test(spf_run, cancel_before_a_quick_done)
{
	struct event_base *base = event_base_new();
	struct slow *s = slow_new(base, NULL);
	struct dns_resolver *r = &s->base;
	struct spf_request req = request("not an address", "u@m.example");
	struct spf_check *c = spf_check_new(&req);
	struct done d = {0};
	struct spf_run *run = start(base, r, c, 0, &d);

	spf_run_cancel(&run);
	event_base_dispatch(base);
	cr_assert_eq(d.calls, 0);
	spf_check_free(&c);
	dns_resolver_free(&r);
	event_base_free(base);
}
