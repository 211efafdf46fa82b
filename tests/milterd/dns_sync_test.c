/*
 * dns_sync_test.c - the blocking resolver (dns/dns_sync.c) against a
 * small DNS server on 127.0.0.1 run by the test itself: TXT answers,
 * NXDOMAIN, SERVFAIL, a silent server (TEMPFAIL by the deadline), and
 * many threads at once, each getting its own answers while another
 * thread waits for a server that never answers.
 */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "dns_sync.h"
#include "sbuf.h"

#define NTHREADS 8
#define PER_THREAD 25

static int srv_fd = -1;
static unsigned short srv_port;
static pthread_t srv_thread;
static atomic_bool srv_stop;
static atomic_uint srv_queries;

/* qname_text - the question name at p (wire, uncompressed) as text */
static size_t qname_text(const unsigned char *p, size_t n, char *out,
			 size_t outlen)
{
	size_t i = 0, o = 0;

	while (i < n && p[i] != 0) {
		size_t l = p[i++];

		if (l > 63 || i + l > n || o + l + 2 > outlen)
			return 0;
		if (o > 0)
			out[o++] = '.';
		memcpy(out + o, p + i, l);
		o += l;
		i += l;
	}
	out[o] = '\0';
	return i < n ? i + 1 : 0;
}

/* serve - answer by the first label: "silent" none, "nx" NXDOMAIN,
 * "fail" SERVFAIL, else a TXT record "v=DKIM1; n=<name>" */
static void *serve(void *arg)
{
	(void)arg;
	while (!atomic_load(&srv_stop)) {
		unsigned char q[512], r[1024];
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		struct pollfd pfd = {srv_fd, POLLIN, 0};
		char name[300], txt[320];
		size_t qn, qend, rl, tl;
		ssize_t n;
		unsigned int rcode = 0;

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		n = recvfrom(srv_fd, q, sizeof(q), 0, (struct sockaddr *)&from,
			     &flen);
		if (n < 12)
			continue;
		atomic_fetch_add(&srv_queries, 1);
		qn = qname_text(q + 12, (size_t)n - 12, name, sizeof(name));
		if (qn == 0 || 12 + qn + 4 > (size_t)n)
			continue;
		qend = 12 + qn + 4;
		if (strncmp(name, "silent.", 7) == 0)
			continue;
		if (strncmp(name, "nx.", 3) == 0)
			rcode = 3;
		else if (strncmp(name, "fail.", 5) == 0)
			rcode = 2;
		memcpy(r, q, qend);
		r[2] = (unsigned char)(0x80 | (q[2] & 0x01)); /* QR, RD */
		r[3] = (unsigned char)(0x80 | rcode); /* RA */
		r[6] = 0;
		r[7] = rcode == 0 ? 1 : 0; /* ANCOUNT */
		memset(r + 8, 0, 4);	   /* no authority, no additional */
		rl = qend;
		if (rcode == 0) {
			tl = (size_t)snprintf(txt, sizeof(txt), "v=DKIM1; n=%s",
					      name);
			if (tl > 255)
				continue;
			r[rl++] = 0xc0; /* the name: pointer to the question */
			r[rl++] = 12;
			r[rl++] = 0;
			r[rl++] = 16; /* TXT */
			r[rl++] = 0;
			r[rl++] = 1; /* IN */
			r[rl++] = 0;
			r[rl++] = 0;
			r[rl++] = 0;
			r[rl++] = 60; /* TTL */
			r[rl++] = (unsigned char)((tl + 1) >> 8);
			r[rl++] = (unsigned char)((tl + 1) & 0xff);
			r[rl++] = (unsigned char)tl;
			memcpy(r + rl, txt, tl);
			rl += tl;
		}
		(void)sendto(srv_fd, r, rl, 0, (struct sockaddr *)&from, flen);
	}
	return NULL;
}

static void srv_start(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	srv_fd = socket(AF_INET, SOCK_DGRAM, 0);
	cr_assert_geq(srv_fd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(srv_fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(getsockname(srv_fd, (struct sockaddr *)&sin, &len), 0);
	srv_port = ntohs(sin.sin_port);
	atomic_store(&srv_stop, false);
	cr_assert_eq(pthread_create(&srv_thread, NULL, serve, NULL), 0);
}

static void srv_end(void)
{
	atomic_store(&srv_stop, true);
	pthread_join(srv_thread, NULL);
	close(srv_fd);
}

TestSuite(dns_sync, .init = srv_start, .fini = srv_end, .timeout = 60);

/* resolver_opts - a dns_sync on our server */
static struct dns_sync *resolver_opts(unsigned int timeout_ms,
				      bool no_default_local_zones)
{
	char servers[64];
	struct dns_unbound_options o;
	struct sbuf *err = sbuf_new(0);
	struct dns_sync *s;

	snprintf(servers, sizeof(servers), "127.0.0.1@%u", srv_port);
	memset(&o, 0, sizeof(o));
	o.servers = servers;
	o.timeout_ms = timeout_ms;
	o.no_default_local_zones = no_default_local_zones;
	s = dns_sync_new(&o, err);
	cr_assert_not_null(s, "%s", sbuf_cstr(err));
	sbuf_free(&err);
	return s;
}

/* resolver - a dns_sync on our server, unbound's local zones on */
static struct dns_sync *resolver(unsigned int timeout_ms)
{
	return resolver_opts(timeout_ms, false);
}

/* ms_since - milliseconds since t0 */
static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

Test(dns_sync, answers)
{
	struct dns_sync *s = resolver(2000);
	struct dns_answer *a;

	a = dns_sync_resolve(s, "sel._domainkey.example.com", DNS_T_TXT);
	cr_assert_eq(a->status, DNS_OK);
	cr_assert_eq(a->n, 1);
	cr_assert_str_eq((const char *)a->rr[0].data,
			 "v=DKIM1; n=sel._domainkey.example.com");
	/* the record's TTL, for milterd's key cache */
	cr_assert(a->ttl > 0 && a->ttl <= 60, "ttl %u", a->ttl);
	dns_answer_free(&a);

	a = dns_sync_resolve(s, "nx.example.com", DNS_T_TXT);
	cr_assert_eq(a->status, DNS_NXDOMAIN);
	dns_answer_free(&a);

	a = dns_sync_resolve(s, "fail.example.com", DNS_T_TXT);
	cr_assert_eq(a->status, DNS_TEMPFAIL);
	dns_answer_free(&a);

	/* names libunbound could not encode never reach it */
	a = dns_sync_resolve(s, "a..example.com", DNS_T_TXT);
	cr_assert_eq(a->status, DNS_TEMPFAIL);
	dns_answer_free(&a);
	a = dns_sync_resolve(s, "", DNS_T_TXT);
	cr_assert_eq(a->status, DNS_TEMPFAIL);
	dns_answer_free(&a);
	dns_sync_free(&s);
	cr_assert_null(s);
}

Test(dns_sync, cached)
{
	struct dns_sync *s = resolver(2000);
	struct dns_answer *a;
	unsigned int before;

	a = dns_sync_resolve(s, "cache.example.com", DNS_T_TXT);
	cr_assert_eq(a->status, DNS_OK);
	dns_answer_free(&a);
	before = atomic_load(&srv_queries);
	for (int i = 0; i < 50; i++) {
		a = dns_sync_resolve(s, "cache.example.com", DNS_T_TXT);
		cr_assert_eq(a->status, DNS_OK);
		dns_answer_free(&a);
	}
	cr_assert_eq(atomic_load(&srv_queries), before,
		     "cached answers went to the server");
	dns_sync_free(&s);
}

Test(dns_sync, silent_server_times_out)
{
	struct dns_sync *s = resolver(500);
	struct dns_answer *a;
	struct timespec t0;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	a = dns_sync_resolve(s, "silent.example.com", DNS_T_TXT);
	ms = ms_since(&t0);
	cr_assert_eq(a->status, DNS_TEMPFAIL);
	cr_assert(ms >= 450 && ms < 2000, "%ld ms for a 500 ms timeout", ms);
	dns_answer_free(&a);
	dns_sync_free(&s);
}

struct worker {
	struct dns_sync *s;
	int id;
	int ok;
	long max_ms;
};

/* work - PER_THREAD distinct names; each answer must be its own */
static void *work(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < PER_THREAD; i++) {
		char name[64], want[80];
		struct dns_answer *a;
		struct timespec t0;
		long ms;

		snprintf(name, sizeof(name), "t%d-%d.example.com", w->id, i);
		snprintf(want, sizeof(want), "v=DKIM1; n=%s", name);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		a = dns_sync_resolve(w->s, name, DNS_T_TXT);
		ms = ms_since(&t0);
		if (ms > w->max_ms)
			w->max_ms = ms;
		if (a->status == DNS_OK && a->n == 1 &&
		    strcmp((const char *)a->rr[0].data, want) == 0)
			w->ok++;
		dns_answer_free(&a);
	}
	return NULL;
}

/* slow - a query nobody answers, in parallel with the workers */
static void *slow(void *arg)
{
	struct worker *w = arg;
	struct dns_answer *a =
	    dns_sync_resolve(w->s, "silent.threads.example.com", DNS_T_TXT);

	w->ok = a->status == DNS_TEMPFAIL;
	dns_answer_free(&a);
	return NULL;
}

Test(dns_sync, threads)
{
	struct dns_sync *s = resolver(3000);
	pthread_t t[NTHREADS + 1];
	struct worker w[NTHREADS + 1];

	memset(w, 0, sizeof(w));
	for (int i = 0; i <= NTHREADS; i++) {
		w[i].s = s;
		w[i].id = i;
		cr_assert_eq(pthread_create(&t[i], NULL,
					    i == NTHREADS ? slow : work, &w[i]),
			     0);
	}
	for (int i = 0; i <= NTHREADS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < NTHREADS; i++) {
		cr_assert_eq(w[i].ok, PER_THREAD, "thread %d: %d of %d", i,
			     w[i].ok, PER_THREAD);
		/* nobody waits for the silent query's deadline */
		cr_assert_lt(w[i].max_ms, 2500, "thread %d waited %ld ms", i,
			     w[i].max_ms);
	}
	cr_assert_eq(w[NTHREADS].ok, 1);
	dns_sync_free(&s);
}

Test(dns_sync, default_local_zones)
{
	struct dns_sync *s = resolver(2000);
	struct dns_answer *a;

	/* libunbound answers .test itself (pitfalls.md) */
	a = dns_sync_resolve(s, "sel._domainkey.example.test", DNS_T_TXT);
	cr_assert_eq(a->status, DNS_NXDOMAIN);
	dns_answer_free(&a);
	dns_sync_free(&s);

	/* turned off, the query reaches our server */
	s = resolver_opts(2000, true);
	a = dns_sync_resolve(s, "sel._domainkey.example.test", DNS_T_TXT);
	cr_assert_eq(a->status, DNS_OK);
	cr_assert_eq(a->n, 1);
	cr_assert_str_eq((const char *)a->rr[0].data,
			 "v=DKIM1; n=sel._domainkey.example.test");
	dns_answer_free(&a);
	dns_sync_free(&s);
}
