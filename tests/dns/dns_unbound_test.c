/*
 * dns_unbound_test.c - the libunbound resolver without a DNS server:
 * unbound's own local zones, and a UDP socket on 127.0.0.1 that never
 * answers (timeouts, cancel, free with queries in flight). Real answers
 * are tested against nsd in tests/integration/dns_unbound.sh.
 */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "dns_unbound.h"
#include "sbuf.h"

struct result {
	int calls;
	bool in_resolve; /* set while dns_resolve runs */
	bool called_in_resolve;
	enum dns_status status;
	size_t n;
	char first[64];
	double ms; /* since start */
};

static struct event_base *base;
static int pending;
static struct timespec t0;
static int silent_fd = -1;
static char silent_addr[64];

static double elapsed_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0.tv_sec) * 1000.0 +
	       (double)(t.tv_nsec - t0.tv_nsec) / 1e6;
}

static void setup(void)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);

	base = event_base_new();
	cr_assert_not_null(base);
	/* a server that never answers: bound, never read */
	silent_fd = socket(AF_INET, SOCK_DGRAM, 0);
	cr_assert(silent_fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(silent_fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(getsockname(silent_fd, (struct sockaddr *)&sin, &slen), 0);
	snprintf(silent_addr, sizeof(silent_addr), "127.0.0.1@%u",
		 (unsigned int)ntohs(sin.sin_port));
	pending = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
}

static void teardown(void)
{
	if (silent_fd >= 0)
		close(silent_fd);
	silent_fd = -1;
	event_base_free(base);
	base = NULL;
}

TestSuite(dns_unbound, .init = setup, .fini = teardown, .timeout = 30);

static void on_done(void *arg, const struct dns_answer *a)
{
	struct result *res = arg;

	res->calls++;
	res->called_in_resolve = res->in_resolve;
	res->status = a->status;
	res->n = a->n;
	res->ms = elapsed_ms();
	if (a->n > 0) {
		size_t n = a->rr[0].len < sizeof(res->first) - 1
			       ? a->rr[0].len
			       : sizeof(res->first) - 1;
		memcpy(res->first, a->rr[0].data, n);
		res->first[n] = '\0';
	}
	if (--pending == 0)
		event_base_loopbreak(base);
}

static struct dns_query *start(struct dns_resolver *r, const char *name,
			       enum dns_type type, struct result *res)
{
	struct dns_query *q;

	pending++;
	res->in_resolve = true;
	q = dns_resolve(r, name, type, on_done, res);
	res->in_resolve = false;
	return q;
}

/* run - the loop until every started query answered or max_ms passed */
static void run(unsigned int max_ms)
{
	struct timeval tv = {max_ms / 1000, (max_ms % 1000) * 1000};

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static struct dns_resolver *new_resolver(const char *servers, bool nodef,
					 unsigned int timeout_ms)
{
	struct dns_unbound_options o = {
	    .servers = servers,
	    .timeout_ms = timeout_ms,
	    .no_default_local_zones = nodef,
	};
	struct sbuf *err = sbuf_new(0);
	struct dns_resolver *r = dns_unbound_new(base, &o, err);

	cr_assert_not_null(r, "dns_unbound_new: %s", sbuf_cstr(err));
	sbuf_free(&err);
	return r;
}

Test(dns_unbound, bad_options)
{
	static const char *const bad[] = {
	    "not-an-address",
	    "127.0.0.1 999.1.1.1",
	    "127.0.0.1@notaport",
	};
	struct sbuf *err = sbuf_new(0);
	struct dns_unbound_options o = {0};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.servers = bad[i];
		sbuf_reset(err);
		cr_expect_null(dns_unbound_new(base, &o, err), "%s", bad[i]);
		cr_expect(!sbuf_is_empty(err), "%s: no error text", bad[i]);
	}
	o.servers = NULL;
	o.resolv_conf = "/nonexistent/resolv.conf";
	sbuf_reset(err);
	cr_expect_null(dns_unbound_new(base, &o, err));
	cr_expect(strstr(sbuf_cstr(err), "/nonexistent/resolv.conf") != NULL,
		  "%s", sbuf_cstr(err));
	sbuf_free(&err);
}

Test(dns_unbound, servers_list_forms)
{
	struct dns_resolver *r;

	r = new_resolver("127.0.0.1@5353, 127.0.0.2 ::1@53", false, 0);
	dns_resolver_free(&r);
	cr_expect_null(r);
}

/* unbound's default local zones answer without asking any server */
Test(dns_unbound, default_local_zones)
{
	struct dns_resolver *r = new_resolver(silent_addr, false, 2000);
	struct result lh = {0}, tst = {0}, rfc1918 = {0};

	start(r, "localhost", DNS_T_A, &lh);
	start(r, "name.test", DNS_T_TXT, &tst);
	start(r, "1.0.0.10.in-addr.arpa", DNS_T_PTR, &rfc1918);
	run(5000);
	cr_expect_eq(lh.calls, 1);
	cr_expect(!lh.called_in_resolve);
	cr_expect_eq(lh.status, DNS_OK);
	cr_assert_eq(lh.n, 1);
	cr_expect(memcmp(lh.first, "\x7f\0\0\1", 4) == 0);
	cr_expect_eq(tst.calls, 1);
	cr_expect_eq(tst.status, DNS_NXDOMAIN);
	cr_expect_eq(rfc1918.calls, 1);
	cr_expect_eq(rfc1918.status, DNS_NXDOMAIN);
	/* all from the library: far below the 2 s timeout */
	cr_expect(lh.ms < 1500 && tst.ms < 1500 && rfc1918.ms < 1500);
	dns_resolver_free(&r);
}

/* with no_default_local_zones the same names go to the server */
Test(dns_unbound, no_default_local_zones_asks_server)
{
	static const char *const names[] = {
	    "localhost",
	    "name.test",
	    "name.invalid",
	    "1.0.0.10.in-addr.arpa",
	    "1.0.20.172.in-addr.arpa",
	    "1.0.64.100.in-addr.arpa",
	    "1.2.0.192.in-addr.arpa",
	    "8.b.d.0.1.0.0.2.ip6.arpa",
	};
	struct dns_resolver *r = new_resolver(silent_addr, true, 400);
	struct result res[sizeof(names) / sizeof(names[0])] = {{0}};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		start(r, names[i], DNS_T_PTR, &res[i]);
	run(5000);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		cr_expect_eq(res[i].calls, 1, "%s", names[i]);
		cr_expect_eq(res[i].status, DNS_TEMPFAIL, "%s: %s", names[i],
			     dns_status_name(res[i].status));
		cr_expect(res[i].ms >= 350, "%s: answered after %.0f ms",
			  names[i], res[i].ms);
	}
	dns_resolver_free(&r);
}

Test(dns_unbound, timeout)
{
	struct dns_resolver *r = new_resolver(silent_addr, false, 300);
	struct result res = {0};

	start(r, "example.org", DNS_T_TXT, &res);
	cr_expect_eq(res.calls, 0);
	run(5000);
	cr_expect_eq(res.calls, 1);
	cr_expect(!res.called_in_resolve);
	cr_expect_eq(res.status, DNS_TEMPFAIL);
	cr_expect_eq(res.n, 0);
	cr_expect(res.ms >= 290 && res.ms < 1500, "after %.0f ms", res.ms);
	dns_resolver_free(&r);
}

Test(dns_unbound, bad_names_answer_from_loop)
{
	struct dns_resolver *r = new_resolver(silent_addr, false, 300);
	struct result empty = {0}, toolong = {0}, syntax = {0};
	char longname[DNS_MAX_NAME + 2];

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	start(r, "", DNS_T_A, &empty);
	start(r, longname, DNS_T_A, &toolong);
	/* a 64-byte label: libunbound cannot encode it */
	start(r,
	      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	      ".example",
	      DNS_T_A, &syntax);
	run(5000);
	cr_expect_eq(empty.calls, 1);
	cr_expect(!empty.called_in_resolve);
	cr_expect_eq(empty.status, DNS_TEMPFAIL);
	cr_expect_eq(toolong.calls, 1);
	cr_expect(!toolong.called_in_resolve);
	cr_expect_eq(toolong.status, DNS_TEMPFAIL);
	cr_expect_eq(syntax.calls, 1);
	cr_expect_eq(syntax.status, DNS_TEMPFAIL);
	dns_resolver_free(&r);
}

Test(dns_unbound, cancel)
{
	struct dns_resolver *r = new_resolver(silent_addr, false, 200);
	struct result a = {0}, b = {0}, lh = {0};
	struct dns_query *qa, *qlh;

	qa = start(r, "a.example.org", DNS_T_A, &a);
	start(r, "b.example.org", DNS_T_A, &b);
	/* answered by the library at once, cancelled before the loop runs */
	qlh = start(r, "localhost", DNS_T_A, &lh);
	dns_cancel(&qa);
	cr_expect_null(qa);
	dns_cancel(&qlh);
	pending -= 2;
	run(3000);
	cr_expect_eq(a.calls, 0);
	cr_expect_eq(lh.calls, 0);
	cr_expect_eq(b.calls, 1);
	cr_expect_eq(b.status, DNS_TEMPFAIL);
	/* the loop stays usable for new queries after cancels */
	struct result c = {0};
	start(r, "localhost", DNS_T_A, &c);
	run(3000);
	cr_expect_eq(c.calls, 1);
	cr_expect_eq(c.status, DNS_OK);
	dns_resolver_free(&r);
}

Test(dns_unbound, free_with_queries_in_flight)
{
	struct dns_resolver *r = new_resolver(silent_addr, false, 200);
	struct result res[8] = {{0}};
	char name[32];

	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "n%d.example.org", i);
		start(r, i % 2 ? name : "localhost", DNS_T_A, &res[i]);
	}
	dns_resolver_free(&r);
	cr_expect_null(r);
	pending = 0;
	run(600);
	for (int i = 0; i < 8; i++)
		cr_expect_eq(res[i].calls, 0, "query %d answered", i);
}

struct freer {
	struct dns_resolver *r;
	int calls;
};

static void free_in_done(void *arg, const struct dns_answer *a)
{
	struct freer *f = arg;

	(void)a;
	f->calls++;
	dns_resolver_free(&f->r);
}

static void count_done(void *arg, const struct dns_answer *a)
{
	(void)a;
	(*(int *)arg)++;
}

/* done may free the resolver while other answers are ready too */
Test(dns_unbound, free_from_done)
{
	struct freer f = {.r = new_resolver(silent_addr, false, 300)};
	int others = 0;

	for (int i = 0; i < 4; i++)
		(void)dns_resolve(f.r, "localhost", DNS_T_A, free_in_done, &f);
	for (int i = 0; i < 4; i++)
		(void)dns_resolve(f.r, "x.example.org", DNS_T_A, count_done,
				  &others);
	run(1500);
	cr_expect_eq(f.calls, 1);
	cr_expect_null(f.r);
	cr_expect_eq(others, 0);
}

struct canceller {
	struct dns_query *victim;
	int calls;
};

static void cancel_in_done(void *arg, const struct dns_answer *a)
{
	struct canceller *c = arg;

	(void)a;
	c->calls++;
	dns_cancel(&c->victim);
}

/* done may cancel another query that is still in flight */
Test(dns_unbound, cancel_from_done)
{
	struct dns_resolver *r = new_resolver(silent_addr, false, 300);
	struct canceller c = {0};
	int victim_calls = 0;

	c.victim =
	    dns_resolve(r, "v.example.org", DNS_T_A, count_done, &victim_calls);
	(void)dns_resolve(r, "localhost", DNS_T_A, cancel_in_done, &c);
	run(1000);
	cr_expect_eq(c.calls, 1);
	cr_expect_null(c.victim);
	cr_expect_eq(victim_calls, 0);
	dns_resolver_free(&r);
}

/* a cached answer, like a local one, still comes from the loop */
Test(dns_unbound, repeated_local_answers)
{
	struct dns_resolver *r = new_resolver(silent_addr, false, 1000);
	struct result res[20] = {{0}};

	for (int i = 0; i < 20; i++)
		start(r, "localhost", DNS_T_A, &res[i]);
	run(3000);
	for (int i = 0; i < 20; i++) {
		cr_expect_eq(res[i].calls, 1);
		cr_expect(!res[i].called_in_resolve);
		cr_expect_eq(res[i].status, DNS_OK);
	}
	dns_resolver_free(&r);
}

/* names past RFC 1035's limits are answered at once, without a query;
 * escaped names within them go to the server */
Test(dns_unbound, name_limits)
{
	static const char *const bad[] = {
	    "a..b",
	    ".a",
	    "a\\",
	    "a\\25",
	    "a\\256.b",
	    "a."
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    /* 64 bytes once \065 is one byte */
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "\\065.example",
	};
	static const char *const good[] = {
	    "a\\.b.example",
	    "a\\032b.example",
	    "a\\\\b.example.",
	    /* 63 bytes with the escape */
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "\\065.example",
	};
	struct dns_resolver *r = new_resolver(silent_addr, false, 400);
	struct result rb[sizeof(bad) / sizeof(bad[0])] = {{0}};
	struct result rg[sizeof(good) / sizeof(good[0])] = {{0}};
	char longname[300];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		start(r, bad[i], DNS_T_A, &rb[i]);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		start(r, good[i], DNS_T_A, &rg[i]);
	run(3000);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(rb[i].calls, 1, "%s", bad[i]);
		cr_expect_eq(rb[i].status, DNS_TEMPFAIL, "%s", bad[i]);
		cr_expect(rb[i].ms < 200, "%s: after %.0f ms", bad[i],
			  rb[i].ms);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cr_expect_eq(rg[i].calls, 1, "%s", good[i]);
		cr_expect_eq(rg[i].status, DNS_TEMPFAIL, "%s", good[i]);
		cr_expect(rg[i].ms >= 350, "%s: after %.0f ms: not asked",
			  good[i], rg[i].ms);
	}

	/* 255 wire bytes at most: 127 one-byte labels fit, 128 do not */
	struct result fits = {0}, over = {0};
	size_t n = 0;
	for (int i = 0; i < 127; i++) {
		longname[n++] = 'a';
		longname[n++] = '.';
	}
	longname[n - 1] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &t0);
	start(r, longname, DNS_T_A, &fits);
	longname[n - 1] = '.';
	longname[n++] = 'b';
	longname[n] = '\0';
	start(r, longname, DNS_T_A, &over);
	run(3000);
	cr_expect_eq(over.status, DNS_TEMPFAIL);
	cr_expect(over.ms < 200, "over: after %.0f ms", over.ms);
	cr_expect_eq(fits.status, DNS_TEMPFAIL);
	cr_expect(fits.ms >= 350, "fits: after %.0f ms: not asked", fits.ms);
	dns_resolver_free(&r);
}
