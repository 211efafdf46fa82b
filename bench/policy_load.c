/*
 * policy_load.c - load client for Postfix policy servers
 * (check_policy_service): postwarden-policyd, postfix-policyd-spf-python.
 *
 *   policy_load (-s inet:HOST:PORT | -s unix:/path | -e COMMAND)
 *               [-c conns] [-n requests] [-r per_conn] [-t seconds] [-w]
 *               FILE
 *
 * FILE holds requests in the protocol's own form: name=value lines,
 * each request ended by an empty line. The client cycles through them;
 * every request it sends gets a fresh instance= attribute (a per-message
 * cache must not answer it), replacing one in the file.
 *
 * -c threads each hold one connection with one request in flight, as an
 * smtpd process does. A connection is a socket (-s), or with -e a new
 * "/bin/sh -c COMMAND" whose stdin and stdout are the connection, as
 * Postfix's spawn(8) runs a policy server per connection. After -r
 * requests (0: never) a connection is closed and a new one made (with
 * -e: the process gets EOF and is waited for). Stops after -n requests
 * or -t seconds, whichever comes first. -w: the first request on each
 * connection is a warm-up, sent and answered but neither timed nor
 * counted (a kept-running server's start-up is not its speed); the
 * clock starts when every connection has had its warm-up. A reply that
 * takes longer than LOAD_REPLY_TIMEOUT seconds is an error and ends its
 * connection.
 *
 * Prints one line of key=value fields: requests, answered, errors,
 * seconds, rps, p50_ms, p90_ms, p99_ms, max_ms, then one
 * "action_<word>=count" per first word of the actions (case folded), so
 * two servers' answers can be compared. Exit 1 when any request failed.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "load_common.h"
#include "readfile.h"
#include "sbuf.h"
#include "xalloc.h"

#define PROG "policy_load"
#define LOAD_MAX_CONNS 256u
#define LOAD_MAX_REQUESTS 10000000u
#define LOAD_MAX_SECONDS 3600u
#define LOAD_MAX_TEMPLATES 100000u
#define LOAD_MAX_FILE (64u << 20)
#define LOAD_MAX_REPLY 8192u
#define LOAD_MAX_WORDS 16u
#define LOAD_REPLY_TIMEOUT 15 /* seconds a reply may take */

struct load {
	const char *server;		      /* -s */
	struct load_common_endpoint endpoint; /* -s, resolved */
	const char *command;		      /* -e */
	unsigned int conns, per_conn, seconds;
	bool warmup;
	pthread_barrier_t ready; /* -w: all warm-ups done */
	unsigned long max_requests;
	char **tmpl; /* requests without instance= and final empty line */
	size_t ntmpl;
	atomic_ulong next; /* requests handed out */
	struct timespec start;
	double deadline;
};

struct worker {
	struct load *ld;
	unsigned int id;
	pthread_t thread;
	uint32_t *lat_us;
	size_t nlat, alat;
	unsigned long errors;
	double last; /* when its last reply came */
	char words[LOAD_MAX_WORDS][24];
	unsigned long counts[LOAD_MAX_WORDS];
	size_t nwords;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* reply_timeout - a server that stops answering ends the connection
 * (an error) instead of holding the run past its time */
static int reply_timeout(int fd)
{
	struct timeval tv = {LOAD_REPLY_TIMEOUT, 0};

	if (fd >= 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* conn_open - a socket or a spawned process; fd or -1, *pid_r or 0 */
static int conn_open(const struct load *ld, pid_t *pid_r)
{
	int sv[2];

	*pid_r = 0;
	if (ld->command == NULL) {
		int fd = load_common_connect(&ld->endpoint);

		if (fd < 0)
			fprintf(stderr, PROG ": cannot connect to %s\n",
				ld->server);
		return reply_timeout(fd);
	}
	/* CLOEXEC: a server spawned by another thread must not inherit
	 * our end, or this server never sees EOF and conn_close waits
	 * for it until that other one exits (dup2 clears the flag on
	 * the child's own 0 and 1) */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	*pid_r = fork();
	if (*pid_r < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (*pid_r == 0) {
		close(sv[0]);
		if (dup2(sv[1], 0) < 0 || dup2(sv[1], 1) < 0)
			_exit(127);
		close(sv[1]);
		execl("/bin/sh", "sh", "-c", ld->command, (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	return reply_timeout(sv[0]);
}

static void conn_close(int fd, pid_t pid)
{
	int st;

	if (fd >= 0)
		close(fd);
	if (pid > 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
}

/* read_reply - up to and with the empty line; 0 or -1 */
static int read_reply(int fd, struct sbuf *buf)
{
	char chunk[1024];

	sbuf_reset(buf);
	for (;;) {
		ssize_t r;
		size_t n = sbuf_len(buf);

		if (n >= 2 && memcmp(sbuf_cstr(buf) + n - 2, "\n\n", 2) == 0)
			return 0;
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || sbuf_append(buf, chunk, (size_t)r) < 0)
			return -1;
	}
}

/* count_action - tally the first word of "action=<word> ..." */
static void count_action(struct worker *w, const char *reply)
{
	const char *a = strstr(reply, "action=");
	char word[24];
	size_t n, i;

	if (a == NULL)
		a = "action=(none)";
	a += 7;
	n = strcspn(a, " \n");
	if (n >= sizeof(word))
		n = sizeof(word) - 1;
	for (i = 0; i < n; i++)
		word[i] = (char)(a[i] >= 'A' && a[i] <= 'Z' ? a[i] - 'A' + 'a'
							    : a[i]);
	word[n] = '\0';
	for (i = 0; i < w->nwords; i++)
		if (strcmp(w->words[i], word) == 0)
			break;
	if (i == w->nwords) {
		if (w->nwords == LOAD_MAX_WORDS)
			return;
		memcpy(w->words[i], word, n + 1);
		w->nwords++;
	}
	w->counts[i]++;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct load *ld = w->ld;
	struct sbuf *req = sbuf_new(1024),
		    *reply = sbuf_new_max(1024, LOAD_MAX_REPLY);
	unsigned long seq = 0;
	unsigned int used = 0;
	pid_t pid = 0;
	int fd = -1;

	if (ld->warmup) {
		fd = conn_open(ld, &pid);
		sbuf_printf(req, "%sinstance=w%x.%lx\n\n",
			    ld->tmpl[w->id % ld->ntmpl], w->id,
			    (unsigned long)getpid());
		if (fd < 0 ||
		    load_common_write_all(fd, sbuf_cstr(req), sbuf_len(req)) <
			0 ||
		    read_reply(fd, reply) < 0) {
			w->errors++;
			conn_close(fd, pid);
			fd = -1;
		}
		pthread_barrier_wait(&ld->ready); /* warm-ups done */
		pthread_barrier_wait(&ld->ready); /* deadline set */
		if (fd < 0)
			goto out;
	}
	for (;;) {
		unsigned long i = atomic_fetch_add(&ld->next, 1);
		double t0;

		if (i >= ld->max_requests || now_s() > ld->deadline)
			break;
		if (fd < 0) {
			fd = conn_open(ld, &pid);
			used = 0;
			if (fd < 0) {
				w->errors++;
				break;
			}
		}
		sbuf_reset(req);
		sbuf_printf(req, "%sinstance=%x.%lx.%lx\n\n",
			    ld->tmpl[i % ld->ntmpl], w->id,
			    (unsigned long)getpid(), seq++);
		t0 = now_s();
		if (load_common_write_all(fd, sbuf_cstr(req), sbuf_len(req)) <
			0 ||
		    read_reply(fd, reply) < 0) {
			w->errors++;
			conn_close(fd, pid);
			fd = -1;
			continue;
		}
		if (w->nlat == w->alat) {
			w->alat = w->alat ? w->alat * 2 : 4096;
			w->lat_us =
			    xrealloc(w->lat_us, w->alat * sizeof(*w->lat_us));
		}
		w->last = now_s();
		w->lat_us[w->nlat++] = load_common_lat_us(w->last - t0);
		count_action(w, sbuf_cstr(reply));
		if (ld->per_conn > 0 && ++used >= ld->per_conn) {
			conn_close(fd, pid);
			fd = -1;
		}
	}
out:
	conn_close(fd, pid);
	sbuf_free(&req);
	sbuf_free(&reply);
	return NULL;
}

/* load_templates - split FILE into requests, dropping instance= lines */
static int load_templates(struct load *ld, const char *path)
{
	struct sbuf *data = sbuf_new_max(4096, LOAD_MAX_FILE);
	struct sbuf *err = sbuf_new(0), *cur = sbuf_new(512);
	const char *p, *end, *nl;

	if (readfile(path, data, NULL, err) < 0) {
		fprintf(stderr, "policy_load: %s\n", sbuf_cstr(err));
		return -1;
	}
	p = sbuf_cstr(data);
	end = p + sbuf_len(data);
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl == p) { /* the empty line: one request done */
			if (!sbuf_is_empty(cur) &&
			    ld->ntmpl < LOAD_MAX_TEMPLATES) {
				ld->tmpl =
				    xrealloc(ld->tmpl, (ld->ntmpl + 1) *
							   sizeof(*ld->tmpl));
				ld->tmpl[ld->ntmpl++] = sbuf_steal(cur);
			}
			sbuf_reset(cur);
			continue;
		}
		if (strncmp(p, "instance=", 9) == 0)
			continue;
		sbuf_append(cur, p, (size_t)(nl - p));
		sbuf_putc(cur, '\n');
	}
	sbuf_free(&data);
	sbuf_free(&err);
	sbuf_free(&cur);
	if (ld->ntmpl == 0) {
		fprintf(stderr, "policy_load: no requests in %s\n", path);
		return -1;
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: policy_load (-s ENDPOINT | -e COMMAND) "
			"[-c conns] [-n requests] [-r per_conn] [-t seconds] "
			"[-w] FILE\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct load ld;
	struct worker *w;
	struct sbuf *err;
	unsigned int i;
	unsigned long n = 100000, errors = 0;
	size_t total = 0, k, j;
	uint32_t *all;
	double secs, last;
	int ch;

	memset(&ld, 0, sizeof(ld));
	ld.conns = 16;
	ld.seconds = 30;
	while ((ch = getopt(argc, argv, "s:e:c:n:r:t:w")) != -1) {
		switch (ch) {
		case 's':
			ld.server = optarg;
			break;
		case 'e':
			ld.command = optarg;
			break;
		case 'c':
			ld.conns = load_common_opt_uint(PROG, optarg, 1,
							LOAD_MAX_CONNS, "-c");
			break;
		case 'n':
			n = load_common_opt_uint(PROG, optarg, 0,
						 LOAD_MAX_REQUESTS, "-n");
			break;
		case 'r':
			ld.per_conn = load_common_opt_uint(
			    PROG, optarg, 0, LOAD_MAX_REQUESTS, "-r");
			break;
		case 'w':
			ld.warmup = true;
			break;
		case 't':
			ld.seconds = load_common_opt_uint(
			    PROG, optarg, 1, LOAD_MAX_SECONDS, "-t");
			break;
		default:
			return usage();
		}
	}
	if (optind + 1 != argc || (ld.server == NULL) == (ld.command == NULL))
		return usage();
	err = sbuf_new(0);
	if (ld.server != NULL &&
	    load_common_endpoint_parse(ld.server, &ld.endpoint, err) < 0) {
		fprintf(stderr, PROG ": %s: %s\n", ld.server, sbuf_cstr(err));
		sbuf_free(&err);
		return 2;
	}
	sbuf_free(&err);
	if (load_templates(&ld, argv[optind]) < 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	ld.max_requests = n;
	/* with -w the deadline moves to after the warm-ups (below) */
	ld.deadline = ld.warmup ? 1e300 : now_s() + ld.seconds;
	if (ld.warmup)
		pthread_barrier_init(&ld.ready, NULL, ld.conns + 1);
	secs = now_s();
	w = xcalloc(ld.conns, sizeof(*w));
	for (i = 0; i < ld.conns; i++) {
		w[i].ld = &ld;
		w[i].id = i;
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]) !=
		    0) {
			fprintf(stderr, "policy_load: pthread_create failed\n");
			return 2;
		}
	}
	if (ld.warmup) {
		pthread_barrier_wait(&ld.ready);
		secs = now_s();
		ld.deadline = secs + ld.seconds;
		pthread_barrier_wait(&ld.ready);
	}
	/* up to the last reply: closing spawned servers is not counted */
	last = secs;
	for (i = 0; i < ld.conns; i++) {
		pthread_join(w[i].thread, NULL);
		total += w[i].nlat;
		errors += w[i].errors;
		if (w[i].last > last)
			last = w[i].last;
	}
	secs = last - secs;
	all = xcalloc(total + 1, sizeof(*all));
	for (i = 0, k = 0; i < ld.conns; i++)
		for (j = 0; j < w[i].nlat; j++)
			all[k++] = w[i].lat_us[j];
	load_common_lat_sort(all, total);
	printf("requests=%lu answered=%zu errors=%lu seconds=%.3f rps=%.0f "
	       "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f",
	       (unsigned long)total + errors, total, errors, secs,
	       secs > 0 ? (double)total / secs : 0.0,
	       load_common_lat_pct_ms(all, total, 0.50),
	       load_common_lat_pct_ms(all, total, 0.90),
	       load_common_lat_pct_ms(all, total, 0.99),
	       load_common_lat_pct_ms(all, total, 1.0));
	/* merge the action words of all workers */
	for (i = 1; i < ld.conns; i++)
		for (j = 0; j < w[i].nwords; j++) {
			for (k = 0; k < w[0].nwords; k++)
				if (strcmp(w[0].words[k], w[i].words[j]) == 0)
					break;
			if (k == w[0].nwords) {
				if (k == LOAD_MAX_WORDS)
					continue;
				memcpy(w[0].words[k], w[i].words[j],
				       sizeof(w[0].words[k]));
				w[0].nwords++;
			}
			w[0].counts[k] += w[i].counts[j];
		}
	for (k = 0; k < w[0].nwords; k++)
		printf(" action_%s=%lu", w[0].words[k], w[0].counts[k]);
	printf("\n");
	for (i = 0; i < ld.conns; i++)
		free(w[i].lat_us);
	free(w);
	free(all);
	for (k = 0; k < ld.ntmpl; k++)
		free(ld.tmpl[k]);
	free(ld.tmpl);
	return errors > 0 ? 1 : 0;
}
