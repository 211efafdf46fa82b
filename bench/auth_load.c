/*
 * auth_load.c - load client for servers of the Dovecot auth protocol
 * (postwarden-authd, Dovecot's auth service).
 *
 * Throughput mode: C connections, each does the handshake and then sends
 * AUTH PLAIN requests the way Postfix does, one in flight per connection,
 * every request with its own rip= (Dovecot penalises an address after a
 * failure, and closing with requests pending counts as failures). Stops
 * after N requests or T seconds, whichever comes first, then prints one
 * line of key=value results (throughput, latency percentiles, counts).
 *
 * Idle mode (-i M): opens M connections, completes each handshake and
 * holds them without requests until T seconds pass or SIGTERM/SIGINT;
 * prints "ready idle=M" once they are all up, for RSS measurements.
 *
 * Endpoints: unix:/path, /path, inet:127.0.0.1:port and the other forms
 * of load_common.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"
#include "load_common.h"
#include "numparse.h"
#include "sbuf.h"
#include "xalloc.h"

#define PROG "auth_load"
#define LOAD_MAX_CONNS 512u	    /* concurrent request connections */
#define LOAD_MAX_IDLE 100000u	    /* idle connections */
#define LOAD_MAX_REQUESTS 10000000u /* latency samples are kept */
#define LOAD_MAX_SECONDS 3600u
#define LOAD_MAX_USERS 100000u
#define LOAD_LINE_MAX 16384u	  /* Dovecot's own limit */
#define LOAD_REQ_TIMEOUT_MS 15000 /* a reply later than this: an error */
#define LOAD_HS_TIMEOUT_MS 10000  /* handshake, as Postfix's AUTH_TIMEOUT */

enum conn_state {
	CONN_HANDSHAKE, /* reading VERSION ... DONE */
	CONN_READY,	/* no request in flight */
	CONN_WAIT,	/* one AUTH sent, waiting for OK/FAIL */
	CONN_DEAD,
};

struct conn {
	int fd;
	enum conn_state state;
	unsigned int id;      /* id of the request in flight */
	bool wrong;	      /* it carries a wrong password */
	struct timespec sent; /* when it was sent */
	char in[LOAD_LINE_MAX];
	size_t inlen;
};

struct load {
	/* options */
	struct load_common_endpoint endpoint;
	unsigned int nconns, nreq, seconds, nusers, idle;
	double wrong_frac;
	const char *login_fmt, *password;
	/* precomputed resp= values: [user][0 right, 1 wrong] */
	char **resp;
	/* state */
	struct conn *conns;
	unsigned int next_id;
	unsigned long sent, ok, fail, ok_wrong, fail_right, errors;
	unsigned long cont, closed, timeouts, unfinished;
	uint32_t *lat_us; /* one per answered request */
	unsigned long nlat;
	struct timespec start, deadline;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: auth_load -s ENDPOINT [-c CONNS] [-n REQUESTS] "
		"[-t SECONDS]\n"
		"                 [-u LOGIN] [-p PASSWORD] [-k USERS] "
		"[-w WRONG-PERMILLE]\n"
		"       auth_load -s ENDPOINT -i IDLE-CONNS [-t SECONDS]\n"
		"  ENDPOINT  unix:/path, /path or inet:127.0.0.1:port\n"
		"  -c        concurrent connections, one request in flight "
		"each (16)\n"
		"  -n        stop after this many requests (100000)\n"
		"  -t        stop after this many seconds (30)\n"
		"  -u        login; %%d in it is replaced by 1..USERS "
		"(bench@example.com)\n"
		"  -p        the right password (benchpw)\n"
		"  -k        number of users for %%d (1)\n"
		"  -w        wrong passwords per 1000 requests (0)\n"
		"  -i        hold this many idle connections instead\n");
	exit(2);
}

static long ms_until(const struct timespec *t)
{
	struct timespec now;
	double d;

	clock_gettime(CLOCK_MONOTONIC, &now);
	d = load_common_ts_diff(t, &now) * 1000.0;
	if (d <= 0)
		return 0;
	return d > 1000.0 ? 1000 : (long)d + 1;
}

/*
 * conn_take_line - next complete line of c (NUL-terminated, LF removed)
 * into line, or 0 when none is buffered; -1 when the line is too long.
 */
static int conn_take_line(struct conn *c, char *line, size_t max)
{
	char *lf = memchr(c->in, '\n', c->inlen);
	size_t n;

	if (lf == NULL)
		return c->inlen >= sizeof(c->in) ? -1 : 0;
	n = (size_t)(lf - c->in);
	if (n >= max)
		return -1;
	memcpy(line, c->in, n);
	line[n] = '\0';
	c->inlen -= n + 1;
	memmove(c->in, lf + 1, c->inlen);
	return 1;
}

/* conn_fill - read what is there; -1 on EOF or error */
static int conn_fill(struct conn *c)
{
	ssize_t r;

	if (c->inlen >= sizeof(c->in))
		return -1;
	r = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (r <= 0)
		return -1;
	c->inlen += (size_t)r;
	return 0;
}

/*
 * conn_handshake - connect, send VERSION and CPID (as Postfix, before
 * reading), read up to DONE. Blocking; a read that times out
 * returns EAGAIN, which conn_fill takes as "nothing yet", so the
 * deadline is what ends a handshake that never completes.
 */
static int conn_handshake(struct conn *c, const struct load_common_endpoint *ep)
{
	char hello[64], line[LOAD_LINE_MAX];
	struct timeval tv = {LOAD_HS_TIMEOUT_MS / 1000, 0};
	struct timespec deadline;
	int n, r;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += LOAD_HS_TIMEOUT_MS / 1000;
	c->inlen = 0;
	c->fd = load_common_connect(ep);
	if (c->fd < 0)
		return -1;
	(void)setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = snprintf(hello, sizeof(hello), "VERSION\t1\t0\nCPID\t%ld\n",
		     (long)getpid());
	if (load_common_write_all(c->fd, hello, (size_t)n) < 0)
		goto fail;
	for (;;) {
		r = conn_take_line(c, line, sizeof(line));
		if (r < 0)
			goto fail;
		if (r == 0) {
			if (conn_fill(c) < 0)
				goto fail;
			if (load_common_ts_passed(&deadline)) {
				errno = ETIMEDOUT;
				goto fail;
			}
			continue;
		}
		if (strcmp(line, "DONE") == 0)
			break;
	}
	c->state = CONN_READY;
	return 0;
fail:
	close(c->fd);
	c->fd = -1;
	c->state = CONN_DEAD;
	return -1;
}

/* resp_build - base64 of "\0login\0password" */
static char *resp_build(const char *login, const char *pw)
{
	struct sbuf *raw = sbuf_new(64), *b64 = sbuf_new(96);
	char *s;

	sbuf_append(raw, "", 1);
	sbuf_append(raw, login, strlen(login));
	sbuf_append(raw, "", 1);
	sbuf_append(raw, pw, strlen(pw));
	base64_encode(sbuf_data(raw), sbuf_len(raw), b64);
	s = xstrdup(sbuf_cstr(b64));
	sbuf_free(&raw);
	sbuf_free(&b64);
	return s;
}

/* login_for - login number i (1-based) from the -u pattern */
static char *login_for(const char *fmt, unsigned int i)
{
	const char *pct = strstr(fmt, "%d");
	struct sbuf *b;
	char *s;

	if (pct == NULL)
		return xstrdup(fmt);
	b = sbuf_new(64);
	sbuf_append(b, fmt, (size_t)(pct - fmt));
	sbuf_printf(b, "%u", i);
	sbuf_append(b, pct + 2, strlen(pct + 2));
	s = xstrdup(sbuf_cstr(b));
	sbuf_free(&b);
	return s;
}

/* conn_send_auth - the next AUTH on c */
static int conn_send_auth(struct load *L, struct conn *c)
{
	char line[512];
	unsigned long k = L->sent; /* 0-based request number */
	unsigned int user = (unsigned int)(k % L->nusers);
	unsigned long ripn = k + 1;
	bool wrong = false;
	int n;

	/* spread wrong passwords evenly: request k is wrong when the
	   running count of wrong ones steps up */
	if (L->wrong_frac > 0) {
		unsigned long a = (unsigned long)((double)k * L->wrong_frac);
		unsigned long b =
		    (unsigned long)((double)(k + 1) * L->wrong_frac);
		wrong = b > a;
	}
	/* a distinct client address per request, within 10.0.0.0/8 */
	n = snprintf(line, sizeof(line),
		     "AUTH\t%u\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\t"
		     "rip=10.%lu.%lu.%lu\tresp=%s\n",
		     ++L->next_id, (ripn >> 16) & 255, (ripn >> 8) & 255,
		     ripn & 255, L->resp[user * 2 + (wrong ? 1 : 0)]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	c->id = L->next_id;
	c->wrong = wrong;
	clock_gettime(CLOCK_MONOTONIC, &c->sent);
	if (load_common_write_all(c->fd, line, (size_t)n) < 0)
		return -1;
	L->sent++;
	c->state = CONN_WAIT;
	return 0;
}

static void conn_kill(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = CONN_DEAD;
}

/* conn_reply - a line from the server on a connection in CONN_WAIT */
static void conn_reply(struct load *L, struct conn *c, const char *line)
{
	struct timespec now;
	const char *tab = strchr(line, '\t');
	size_t cmdlen = tab != NULL ? (size_t)(tab - line) : strlen(line);
	unsigned int id;
	char idbuf[16];
	const char *idend;

	if (tab == NULL)
		return; /* not a reply; ignored as Postfix does */
	idend = strchr(tab + 1, '\t');
	if (idend == NULL)
		idend = tab + 1 + strlen(tab + 1);
	if ((size_t)(idend - tab - 1) >= sizeof(idbuf))
		return;
	memcpy(idbuf, tab + 1, (size_t)(idend - tab - 1));
	idbuf[idend - tab - 1] = '\0';
	if (numparse_uint(idbuf, UINT32_MAX, &id) < 0 || id != c->id)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (cmdlen == 2 && memcmp(line, "OK", 2) == 0) {
		L->ok++;
		if (c->wrong)
			L->ok_wrong++;
	} else if (cmdlen == 4 && memcmp(line, "FAIL", 4) == 0) {
		L->fail++;
		if (!c->wrong)
			L->fail_right++;
	} else if (cmdlen == 4 && memcmp(line, "CONT", 4) == 0) {
		L->cont++; /* PLAIN with resp= needs no CONT */
		conn_kill(c);
		return;
	} else {
		return;
	}
	if (L->nlat < L->nreq)
		L->lat_us[L->nlat++] =
		    load_common_lat_us(load_common_ts_diff(&now, &c->sent));
	c->state = CONN_READY;
}

static int run_load(struct load *L)
{
	struct pollfd *pfd = xcalloc(L->nconns, sizeof(*pfd));
	unsigned int *idx = xcalloc(L->nconns, sizeof(*idx));
	char line[LOAD_LINE_MAX];
	struct timespec end;
	unsigned int i, live = 0;
	double el;

	L->conns = xcalloc(L->nconns, sizeof(*L->conns));
	L->lat_us = xcalloc(L->nreq, sizeof(*L->lat_us));
	for (i = 0; i < L->nconns; i++) {
		if (conn_handshake(&L->conns[i], &L->endpoint) < 0) {
			fprintf(stderr,
				"auth_load: connection %u: handshake failed: "
				"%s\n",
				i + 1, strerror(errno));
			return -1;
		}
		(void)fcntl(L->conns[i].fd, F_SETFL,
			    fcntl(L->conns[i].fd, F_GETFL) | O_NONBLOCK);
	}
	clock_gettime(CLOCK_MONOTONIC, &L->start);
	L->deadline = L->start;
	L->deadline.tv_sec += L->seconds;

	for (;;) {
		bool stopping = load_common_should_stop() ||
				L->sent >= L->nreq ||
				load_common_ts_passed(&L->deadline);
		unsigned int n = 0;

		live = 0;
		for (i = 0; i < L->nconns; i++) {
			struct conn *c = &L->conns[i];

			if (c->state == CONN_READY && !stopping &&
			    L->sent < L->nreq) {
				if (conn_send_auth(L, c) < 0) {
					L->closed++;
					conn_kill(c);
				}
			}
			if (c->state == CONN_WAIT) {
				struct timespec now;

				clock_gettime(CLOCK_MONOTONIC, &now);
				if (load_common_ts_diff(&now, &c->sent) *
					1000.0 >
				    LOAD_REQ_TIMEOUT_MS) {
					L->timeouts++;
					conn_kill(c);
					continue;
				}
				pfd[n].fd = c->fd;
				pfd[n].events = POLLIN;
				idx[n++] = i;
				live++;
			}
		}
		if (live == 0)
			break;
		/* past the time limit: give the in-flight requests up to
		   the request timeout, then count them as unfinished */
		if (load_common_should_stop())
			break;
		if (poll(pfd, n, 1000) < 0) {
			if (errno == EINTR)
				continue;
			perror("auth_load: poll");
			return -1;
		}
		for (i = 0; i < n; i++) {
			struct conn *c = &L->conns[idx[i]];
			int r;

			if (pfd[i].revents == 0)
				continue;
			if (conn_fill(c) < 0) {
				L->closed++;
				conn_kill(c);
				continue;
			}
			while (c->state == CONN_WAIT &&
			       (r = conn_take_line(c, line, sizeof(line))) !=
				   0) {
				if (r < 0) {
					L->errors++;
					conn_kill(c);
					break;
				}
				conn_reply(L, c, line);
			}
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	for (i = 0; i < L->nconns; i++)
		if (L->conns[i].state == CONN_WAIT)
			L->unfinished++;
	el = load_common_ts_diff(&end, &L->start);
	load_common_lat_sort(L->lat_us, L->nlat);
	printf("conns=%u requests=%lu answered=%lu ok=%lu fail=%lu "
	       "ok_wrong=%lu fail_right=%lu closed=%lu timeouts=%lu "
	       "cont=%lu unfinished=%lu seconds=%.3f rps=%.1f "
	       "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
	       L->nconns, L->sent, L->nlat, L->ok, L->fail, L->ok_wrong,
	       L->fail_right, L->closed, L->timeouts, L->cont, L->unfinished,
	       el, el > 0 ? (double)L->nlat / el : 0.0,
	       load_common_lat_pct_ms(L->lat_us, L->nlat, 0.50),
	       load_common_lat_pct_ms(L->lat_us, L->nlat, 0.90),
	       load_common_lat_pct_ms(L->lat_us, L->nlat, 0.99),
	       load_common_lat_pct_ms(L->lat_us, L->nlat, 1.0));
	fflush(stdout);
	for (i = 0; i < L->nconns; i++)
		conn_kill(&L->conns[i]);
	free(pfd);
	free(idx);
	free(L->conns);
	free(L->lat_us);
	/* anything but a clean run of answers is worth a non-zero exit */
	return L->ok_wrong > 0 || L->closed > 0 || L->timeouts > 0 ||
		       L->cont > 0 || L->errors > 0
		   ? 1
		   : 0;
}

static int run_idle(struct load *L)
{
	struct conn *c = xcalloc(1, sizeof(*c));
	int *fds = xcalloc(L->idle, sizeof(*fds));
	struct timespec deadline;
	unsigned int i, n = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += L->seconds;
	for (i = 0; i < L->idle && !load_common_should_stop() &&
		    !load_common_ts_passed(&deadline);
	     i++) {
		if (conn_handshake(c, &L->endpoint) < 0) {
			fprintf(stderr, "auth_load: idle connection %u: %s\n",
				i + 1, strerror(errno));
			break;
		}
		fds[n++] = c->fd;
	}
	printf("%s idle=%u\n", n == L->idle ? "ready" : "short", n);
	fflush(stdout);
	while (n == L->idle && !load_common_should_stop() &&
	       !load_common_ts_passed(&deadline))
		(void)poll(NULL, 0, (int)ms_until(&deadline));
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	free(c);
	return n == L->idle ? 0 : 1;
}

/* raise_nofile - lift the soft descriptor limit to what is needed */
static void raise_nofile(unsigned int need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need
			  ? need
			  : rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
}

int main(int argc, char **argv)
{
	struct load L;
	const char *endpoint = NULL;
	struct sbuf *err = sbuf_new(0);
	unsigned int i, permille = 0;
	int ch, rc;

	memset(&L, 0, sizeof(L));
	L.nconns = 16;
	L.nreq = 100000;
	L.seconds = 30;
	L.nusers = 1;
	L.login_fmt = "bench@example.com";
	L.password = "benchpw";
	while ((ch = getopt(argc, argv, "s:c:n:t:u:p:k:w:i:")) != -1) {
		switch (ch) {
		case 's':
			endpoint = optarg;
			break;
		case 'c':
			L.nconns = load_common_opt_uint(PROG, optarg, 1,
							LOAD_MAX_CONNS, "-c");
			break;
		case 'n':
			L.nreq = load_common_opt_uint(PROG, optarg, 1,
						      LOAD_MAX_REQUESTS, "-n");
			break;
		case 't':
			L.seconds = load_common_opt_uint(
			    PROG, optarg, 1, LOAD_MAX_SECONDS, "-t");
			break;
		case 'u':
			L.login_fmt = optarg;
			break;
		case 'p':
			L.password = optarg;
			break;
		case 'k':
			L.nusers = load_common_opt_uint(PROG, optarg, 1,
							LOAD_MAX_USERS, "-k");
			break;
		case 'w':
			permille =
			    load_common_opt_uint(PROG, optarg, 0, 1000, "-w");
			break;
		case 'i':
			L.idle = load_common_opt_uint(PROG, optarg, 1,
						      LOAD_MAX_IDLE, "-i");
			break;
		default:
			usage();
		}
	}
	if (endpoint == NULL || optind != argc)
		usage();
	if (load_common_endpoint_parse(endpoint, &L.endpoint, err) < 0) {
		fprintf(stderr, PROG ": %s: %s\n", endpoint, sbuf_cstr(err));
		sbuf_free(&err);
		return 2;
	}
	sbuf_free(&err);
	L.wrong_frac = permille / 1000.0;
	load_common_stop_on_signals();

	if (L.idle > 0) {
		raise_nofile(L.idle + 32);
		return run_idle(&L);
	}
	raise_nofile(L.nconns + 32);
	L.resp = xcalloc((size_t)L.nusers * 2, sizeof(*L.resp));
	for (i = 0; i < L.nusers; i++) {
		char *login = login_for(L.login_fmt, i + 1);
		struct sbuf *bad = sbuf_new(32);

		sbuf_printf(bad, "%s-wrong", L.password);
		L.resp[i * 2] = resp_build(login, L.password);
		L.resp[i * 2 + 1] = resp_build(login, sbuf_cstr(bad));
		sbuf_free(&bad);
		free(login);
	}
	rc = run_load(&L);
	for (i = 0; i < L.nusers * 2; i++)
		free(L.resp[i]);
	free(L.resp);
	return rc;
}
