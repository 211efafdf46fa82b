/* policy_server_test.c - the policy socket with a fake check on a real
 * event loop, a client in another thread: replies in request order
 * whatever order the checks decide in, the default action when the
 * checks are too slow, nothing written before a request, drain */
#include "config.h"

#include <criterion/criterion.h>
#include <event2/event.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "numparse.h"
#include "policy_check.h"
#include "policy_conf.h"
#include "policy_decide.h"
#include "policy_proto.h"
#include "policy_server.h"
#include "sbuf.h"
#include "sock.h"

/* The fake check answers "OK <recipient>" after delay_ms (an attribute
 * of the request) milliseconds. */
struct run {
	struct event *ev;
	policy_answer_fn *answer;
	void *arg;
	char action[128];
};

static struct event_base *base;
static atomic_int cancels;

static void fire(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;
	policy_answer_fn *answer = r->answer;
	void *a = r->arg;
	char action[128];

	(void)fd;
	(void)what;
	memcpy(action, r->action, sizeof(action));
	event_free(r->ev);
	free(r);
	answer(a, action);
}

static void *fake_start(void *ctx, const struct policy_request *req,
			policy_answer_fn *answer, void *arg)
{
	struct run *r = calloc(1, sizeof(*r));
	const char *d = policy_request_get(req, "delay_ms");
	const char *rcpt = policy_request_get(req, "recipient");
	unsigned int ms = 0;
	struct timeval tv;

	(void)ctx;
	if (d != NULL)
		cr_assert_eq(numparse_uint(d, 100000, &ms), 0);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	snprintf(r->action, sizeof(r->action), "OK %s",
		 rcpt != NULL ? rcpt : "-");
	r->answer = answer;
	r->arg = arg;
	r->ev = evtimer_new(base, fire, r);
	evtimer_add(r->ev, &tv);
	return r;
}

static void fake_cancel(void *ctx, void *handle)
{
	struct run *r = handle;

	(void)ctx;
	atomic_fetch_add(&cancels, 1);
	event_free(r->ev);
	free(r);
}

static const struct policy_check_ops fake_ops = {"fake", fake_start,
						 fake_cancel};

static char tmpdir[] = "/tmp/policy_server_test.XXXXXX";
static char path[100];
static struct policy_conf cf;
static struct policy_decide *decide;
static struct policy_server *srv;
static int lfd = -1;
static atomic_int client_done;
static bool idle_called;

static const char conf_text[] = "policyd_checks = recipient\n"
				"policyd_check_timeout = 1s\n"
				"policyd_request_timeout = 1s\n"
				"policyd_max_pipeline = 4\n";

static void setup(void)
{
	struct sock_spec *spec = NULL;
	struct sbuf *err = sbuf_new(0);
	struct policy_check chk = {&fake_ops, NULL};
	struct conf *c = NULL;

	log_init("policy_server_test", 0);
	cr_assert_not_null(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "unix:%s/s", tmpdir);
	cr_assert_eq(
	    conf_parse(conf_text, strlen(conf_text), "test", &c, NULL, err), 0);
	cr_assert_eq(policy_conf_apply(c, &cf, err), 0, "%s", sbuf_cstr(err));
	conf_free(&c);
	cr_assert_eq(sock_spec_parse(path, &spec, err), 0, "%s",
		     sbuf_cstr(err));
	cr_assert_eq(sock_listen(spec, NULL, 16, &lfd, err), 0, "%s",
		     sbuf_cstr(err));
	sock_spec_free(&spec);
	base = event_base_new();
	decide = policy_decide_new(&chk, 1);
	srv = policy_server_new(base, lfd, &cf, decide, NULL, NULL);
	atomic_store(&client_done, 0);
	atomic_store(&cancels, 0);
	sbuf_free(&err);
}

static void teardown(void)
{
	char cmd[200];

	policy_server_free(&srv);
	policy_decide_free(&decide);
	event_base_free(base);
	close(lfd);
	policy_conf_release(&cf);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(policy_server, .init = setup, .fini = teardown);

/* ---- the client thread ---- */

struct client {
	const char *send; /* all at once */
	int replies;	  /* to read */
	char got[4096];	  /* replies, or "EOF"/"TIMEOUT" appended */
	double seconds;	  /* until the last reply */
};

static int client_connect(void)
{
	struct sockaddr_un sun;
	struct timeval tv = {5, 0};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path + 5);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *client_main(void *arg)
{
	struct client *cl = arg;
	int fd = client_connect(), seen = 0;
	size_t len = 0;
	double t0 = now();
	char *p;
	ssize_t n;

	if (fd < 0) {
		snprintf(cl->got, sizeof(cl->got), "CONNECT");
		goto out;
	}
	if (cl->send[0] != '\0' &&
	    write(fd, cl->send, strlen(cl->send)) != (ssize_t)strlen(cl->send))
		goto out;
	while (seen < cl->replies && len < sizeof(cl->got) - 16) {
		n = read(fd, cl->got + len, sizeof(cl->got) - 16 - len);
		if (n <= 0) {
			strcpy(cl->got + len, n == 0 ? "EOF" : "TIMEOUT");
			break;
		}
		len += (size_t)n;
		cl->got[len] = '\0';
		for (seen = 0, p = cl->got; (p = strstr(p, "\n\n")) != NULL;
		     p += 2)
			seen++;
	}
	cl->seconds = now() - t0;
	close(fd);
out:
	atomic_store(&client_done, 1);
	return NULL;
}

static void tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
}

/* run_client - serve until the client thread is done */
static void run_client(struct client *cl)
{
	pthread_t t;
	struct timeval tv = {0, 10000};
	struct event *ev = event_new(base, -1, EV_PERSIST, tick, NULL);

	evtimer_add(ev, &tv);
	atomic_store(&client_done, 0);
	cr_assert_eq(pthread_create(&t, NULL, client_main, cl), 0);
	while (!atomic_load(&client_done))
		event_base_loop(base, EVLOOP_ONCE);
	pthread_join(t, NULL);
	event_free(ev);
}

#define REQ(rcpt, ms)                                                          \
	"request=smtpd_access_policy\nrecipient=" rcpt "\ndelay_ms=" #ms "\n"  \
	"\n"

Test(policy_server, replies_in_request_order)
{
	struct client cl = {REQ("a@x", 600) REQ("b@x", 10) REQ("c@x", 300), 3,
			    "", 0};

	run_client(&cl);
	cr_assert_str_eq(cl.got,
			 "action=OK a@x\n\naction=OK b@x\n\naction=OK c@x\n\n");
	/* decided at once, not one after the other (600+10+300 ms) */
	cr_assert_geq(cl.seconds, 0.59, "%.3fs", cl.seconds);
	cr_assert_lt(cl.seconds, 0.85, "%.3fs", cl.seconds);
}

Test(policy_server, pipeline_limit_still_answers_all)
{
	struct client cl = {REQ("1@x", 50) REQ("2@x", 0) REQ("3@x", 0)
				REQ("4@x", 0) REQ("5@x", 0) REQ("6@x", 0),
			    6, "", 0};

	run_client(&cl);
	cr_assert_str_eq(cl.got, "action=OK 1@x\n\naction=OK 2@x\n\n"
				 "action=OK 3@x\n\naction=OK 4@x\n\n"
				 "action=OK 5@x\n\naction=OK 6@x\n\n");
}

Test(policy_server, slow_checks_get_the_default_action)
{
	struct client cl = {REQ("slow@x", 3000) REQ("fast@x", 0), 2, "", 0};

	run_client(&cl);
	cr_assert_str_eq(cl.got, "action=DEFER_IF_PERMIT 4.3.0 Service "
				 "temporarily unavailable\n\n"
				 "action=OK fast@x\n\n");
	cr_assert_eq(atomic_load(&cancels), 1);
	cr_assert_lt(cl.seconds, 2.5);
}

Test(policy_server, nothing_unsolicited_then_idle_close_of_partial)
{
	/* no request: nothing comes; a partial request times out (1s) */
	struct client cl = {"request=smtpd_access_policy\n", 1, "", 0};

	run_client(&cl);
	cr_assert_str_eq(cl.got, "EOF");
	cr_assert_geq(cl.seconds, 0.9);
	cr_assert_lt(cl.seconds, 3.0);
}

Test(policy_server, protocol_error_answers_earlier_then_closes)
{
	struct client cl = {REQ("a@x", 100) "bogus\n\n" REQ("b@x", 0), 2, "",
			    0};

	run_client(&cl);
	cr_assert_str_eq(cl.got, "action=OK a@x\n\nEOF");
	cr_assert_eq(policy_server_connections(srv), 0);
}

static void on_idle(void *arg)
{
	(void)arg;
	idle_called = true;
}

Test(policy_server, drain_with_nothing_open)
{
	policy_server_free(&srv);
	srv = policy_server_new(base, lfd, &cf, decide, on_idle, NULL);
	idle_called = false;
	policy_server_drain(srv);
	cr_assert(idle_called);
}
