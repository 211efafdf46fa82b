/*
 * dns_probe.c - test helper for dns_unbound.sh: resolve the queries given
 * on the command line through dns_unbound, all at once on one event
 * loop, and print each answer in command-line order:
 *
 *	TYPE NAME STATUS N
 *	  record		(one line per record, sorted)
 *
 * Records: A/AAAA as addresses, MX as "PREF NAME", PTR/CNAME as the
 * name, TXT/SPF as "[NSTRINGS] LEN "TEXT"" with bytes outside printable
 * ASCII, '"' and '\' as \DDD. A query is TYPE:NAME.
 *
 *	dns_probe [-s SERVERS] [-r RESOLV_CONF] [-t TIMEOUT_MS] [-L]
 *		[-m MODE] [-n COUNT] QUERY...
 *
 * -L turns unbound's default local zones off. Modes other than the
 * default "print":
 *	cancel	start every query COUNT times, let the loop run a moment,
 *		cancel half of them and free the resolver with the rest in
 *		flight; prints "cancel: started S cancelled C freed F late 0"
 *		and fails if any done ran after its cancel or the free
 *	bench	resolve the first query COUNT times (64 in flight), after
 *		one warm-up lookup; prints "bench: N lookups in MS ms, R/s,
 *		S ok" (stops after 10 s whatever COUNT says)
 *	silent	also bind a UDP socket on 127.0.0.1 that never answers and
 *		use it as the only server (for timeout tests)
 * -T prints each query's time in ms after its status line.
 */
#include "config.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "dns_unbound.h"
#include "log.h"
#include "numparse.h"
#include "sbuf.h"
#include "xalloc.h"

#define PROBE_BENCH_INFLIGHT 64
#define PROBE_BENCH_MAX_MS 10000.0
#define PROBE_MAX_QUERIES 1000

struct probe_query {
	enum dns_type type;
	const char *name;
	struct dns_query *q;
	struct dns_answer *answer;
	double ms;
	bool cancelled;
	bool late; /* done ran after cancel or free */
};

static struct event_base *base;
static int pending;
static struct timespec t0;
static bool freed;

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0.tv_sec) * 1000.0 +
	       (double)(t.tv_nsec - t0.tv_nsec) / 1e6;
}

static int parse_type(const char *s, enum dns_type *t)
{
	static const enum dns_type types[] = {
	    DNS_T_A,  DNS_T_AAAA, DNS_T_TXT,   DNS_T_SPF,
	    DNS_T_MX, DNS_T_PTR,  DNS_T_CNAME,
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(s, dns_type_name(types[i])) == 0) {
			*t = types[i];
			return 0;
		}
	return -1;
}

/* format_rr - one record as a line (without the indent) */
static void format_rr(enum dns_type type, const struct dns_rr *rr,
		      struct sbuf *out)
{
	char addr[INET6_ADDRSTRLEN];

	switch (type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		if (inet_ntop(type == DNS_T_A ? AF_INET : AF_INET6, rr->data,
			      addr, sizeof(addr)) == NULL)
			sbuf_append_str(out, "?");
		else
			sbuf_append_str(out, addr);
		break;
	case DNS_T_MX:
		sbuf_printf(out, "%u %s", rr->pref, (const char *)rr->data);
		break;
	case DNS_T_TXT:
	case DNS_T_SPF:
		sbuf_printf(out, "[%u] %zu \"", rr->nstrings, rr->len);
		for (size_t i = 0; i < rr->len; i++) {
			unsigned char c = rr->data[i];

			if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
				sbuf_printf(out, "\\%03u", c);
			else
				sbuf_putc(out, c);
		}
		sbuf_putc(out, '"');
		break;
	default:
		sbuf_append(out, rr->data, rr->len);
		break;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void print_answer(const struct probe_query *pq, bool timing)
{
	const struct dns_answer *a = pq->answer;
	char **lines;

	printf("%s %s %s %zu\n", dns_type_name(pq->type), pq->name,
	       dns_status_name(a->status), a->n);
	if (timing)
		printf("  time %.0f\n", pq->ms);
	lines = xcalloc(a->n + 1, sizeof(*lines));
	for (size_t i = 0; i < a->n; i++) {
		struct sbuf *b = sbuf_new(64);

		format_rr(a->type, &a->rr[i], b);
		lines[i] = sbuf_steal(b);
		sbuf_free(&b);
	}
	qsort(lines, a->n, sizeof(*lines), cmp_str);
	for (size_t i = 0; i < a->n; i++) {
		printf("  %s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
}

static void on_done(void *arg, const struct dns_answer *a)
{
	struct probe_query *pq = arg;

	if (pq->cancelled || freed)
		pq->late = true;
	pq->q = NULL;
	pq->ms = now_ms();
	pq->answer = dns_answer_dup(a);
	if (--pending == 0)
		event_base_loopbreak(base);
}

/* Bench: keep PROBE_BENCH_INFLIGHT lookups of one name going. */
struct bench {
	struct dns_resolver *r;
	enum dns_type type;
	const char *name;
	unsigned long started, done, ok, count;
};

static void bench_done(void *arg, const struct dns_answer *a);

static void bench_start(struct bench *b)
{
	b->started++;
	(void)dns_resolve(b->r, b->name, b->type, bench_done, b);
}

static void bench_done(void *arg, const struct dns_answer *a)
{
	struct bench *b = arg;

	b->done++;
	if (a->status == DNS_OK && a->n > 0)
		b->ok++;
	if (b->started < b->count && now_ms() < PROBE_BENCH_MAX_MS)
		bench_start(b);
	else if (b->done == b->started)
		event_base_loopbreak(base);
}

static int run_bench(struct dns_resolver *r, struct probe_query *pq,
		     unsigned long count)
{
	struct bench b = {r, pq->type, pq->name, 0, 0, 0, count};
	double start;

	/* warm the cache */
	pending = 1;
	pq->q = dns_resolve(r, pq->name, pq->type, on_done, pq);
	event_base_dispatch(base);
	if (pq->answer == NULL || pq->answer->status != DNS_OK) {
		fprintf(stderr, "dns_probe: warm-up lookup failed\n");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	start = now_ms();
	for (int i = 0; i < PROBE_BENCH_INFLIGHT && b.started < count; i++)
		bench_start(&b);
	event_base_dispatch(base);
	double ms = now_ms() - start;
	printf("bench: %lu lookups in %.0f ms, %.0f/s, %lu ok\n", b.done, ms,
	       ms > 0 ? (double)b.done * 1000.0 / ms : 0.0, b.ok);
	return b.ok == b.done ? 0 : 1;
}

static int run_cancel(struct dns_resolver **rp, struct probe_query *pqs,
		      size_t n, unsigned long count)
{
	size_t total = n * count, ncancel = 0, nfreed = 0, nlate = 0;
	struct probe_query *all = xcalloc(total, sizeof(*all));
	struct timeval tv = {0, 20000};

	for (size_t i = 0; i < total; i++) {
		all[i] = pqs[i % n];
		pending++;
		all[i].q = dns_resolve(*rp, all[i].name, all[i].type, on_done,
				       &all[i]);
	}
	/* a moment for some answers (cache, local zones) to arrive */
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	for (size_t i = 0; i < total; i += 2)
		if (all[i].q != NULL) {
			all[i].cancelled = true;
			dns_cancel(&all[i].q);
			ncancel++;
		}
	for (size_t i = 0; i < total; i++)
		if (all[i].q != NULL)
			nfreed++;
	dns_resolver_free(rp);
	freed = true;
	/* anything still scheduled would run now */
	tv.tv_usec = 200000;
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	for (size_t i = 0; i < total; i++) {
		if (all[i].late)
			nlate++;
		dns_answer_free(&all[i].answer);
	}
	printf("cancel: started %zu cancelled %zu freed %zu late %zu\n", total,
	       ncancel, nfreed, nlate);
	free(all);
	return nlate == 0 ? 0 : 1;
}

/* silent_server - a bound UDP socket that is never read */
static int silent_server(char *addr, size_t size)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &slen) < 0) {
		close(fd);
		return -1;
	}
	snprintf(addr, size, "127.0.0.1@%u", (unsigned int)ntohs(sin.sin_port));
	return fd;
}

static void usage(void)
{
	fprintf(stderr, "usage: dns_probe [-s servers] [-r resolv.conf] "
			"[-t timeout_ms] [-L] [-T] [-m print|cancel|bench|"
			"silent] [-n count] TYPE:NAME...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct dns_unbound_options o = {0};
	struct probe_query *pqs;
	struct dns_resolver *r;
	struct sbuf *err = sbuf_new(0);
	const char *mode = "print";
	unsigned int count = 1;
	char silent_addr[64];
	int silent_fd = -1, c, status = 0;
	bool timing = false;
	size_t n;

	log_init("dns_probe", LOG_DEST_STDERR);
	while ((c = getopt(argc, argv, "s:r:t:LTm:n:")) != -1) {
		switch (c) {
		case 's':
			o.servers = optarg;
			break;
		case 'r':
			o.resolv_conf = optarg;
			break;
		case 't':
			if (numparse_uint(optarg, 3600000, &o.timeout_ms) < 0)
				usage();
			break;
		case 'L':
			o.no_default_local_zones = true;
			break;
		case 'T':
			timing = true;
			break;
		case 'm':
			mode = optarg;
			break;
		case 'n':
			if (numparse_uint(optarg, 10000000, &count) < 0 ||
			    count == 0)
				usage();
			break;
		default:
			usage();
		}
	}
	n = (size_t)(argc - optind);
	if (n == 0 || n > PROBE_MAX_QUERIES)
		usage();
	pqs = xcalloc(n, sizeof(*pqs));
	for (size_t i = 0; i < n; i++) {
		char *arg = argv[optind + (int)i];
		char *colon = strchr(arg, ':');

		if (colon == NULL)
			usage();
		*colon = '\0';
		if (parse_type(arg, &pqs[i].type) < 0)
			usage();
		pqs[i].name = colon + 1;
	}
	if (strcmp(mode, "silent") == 0) {
		silent_fd = silent_server(silent_addr, sizeof(silent_addr));
		if (silent_fd < 0) {
			perror("dns_probe: silent server");
			return 1;
		}
		o.servers = silent_addr;
		mode = "print";
	}

	base = event_base_new();
	if (base == NULL)
		log_fatal("event_base_new failed");
	if ((r = dns_unbound_new(base, &o, err)) == NULL) {
		fprintf(stderr, "dns_probe: %s\n", sbuf_cstr(err));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (strcmp(mode, "bench") == 0) {
		status = run_bench(r, &pqs[0], count);
		dns_answer_free(&pqs[0].answer);
	} else if (strcmp(mode, "cancel") == 0) {
		status = run_cancel(&r, pqs, n, count);
	} else if (strcmp(mode, "print") == 0) {
		for (size_t i = 0; i < n; i++) {
			pending++;
			pqs[i].q = dns_resolve(r, pqs[i].name, pqs[i].type,
					       on_done, &pqs[i]);
		}
		event_base_dispatch(base);
		for (size_t i = 0; i < n; i++) {
			if (pqs[i].answer == NULL) {
				printf("%s %s (no answer)\n",
				       dns_type_name(pqs[i].type), pqs[i].name);
				status = 1;
				continue;
			}
			print_answer(&pqs[i], timing);
			dns_answer_free(&pqs[i].answer);
		}
	} else {
		usage();
	}
	dns_resolver_free(&r);
	event_base_free(base);
	if (silent_fd >= 0)
		close(silent_fd);
	free(pqs);
	sbuf_free(&err);
	fflush(stdout);
	return status;
}
