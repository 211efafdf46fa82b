/* listener_test.c - accepting up to a maximum, pausing, resuming, draining */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "listener.h"
#include "log.h"

#define MAX_CONNS 16

/* One accepted connection, as a server would keep it. */
struct conn {
	int fd;
	struct listener_entry *entry;
	struct bufferevent *bev;
	bool busy;    /* draining leaves it open */
	short events; /* what the event callback saw */
};

struct state {
	struct event_base *base;
	struct listener *l;
	int lfd;
	struct sockaddr_in addr;
	struct conn conns[MAX_CONNS];
	unsigned int naccepted;
	unsigned int nidle;
	unsigned int ndrain_calls, nclose_calls;
	unsigned int nwarn_max; /* "not accepting more" warnings */
	bool fd_nonblocking, fd_cloexec;
	int clients[MAX_CONNS];
	unsigned int nclients;
};

static struct state st;

/* sink - count the warning the listener gives at its maximum */
static void sink(enum log_level level, const char *msg, void *ctx)
{
	(void)level;
	(void)ctx;
	if (strcmp(msg, "t: 2 connections: not accepting more (t_max)") == 0)
		st.nwarn_max++;
}

/* conn_remove - what a server's conn_close does */
static void conn_remove(struct conn *c)
{
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	else
		close(c->fd);
	c->bev = NULL;
	c->fd = -1;
	listener_remove(st.l, &c->entry);
}

/* on_accept - listener_accept_fn: keep the fd, count it */
static void on_accept(void *arg, int fd)
{
	struct conn *c;
	int fl;

	cr_assert_eq(arg, &st);
	cr_assert(st.naccepted < MAX_CONNS);
	fl = fcntl(fd, F_GETFL);
	st.fd_nonblocking = fl >= 0 && (fl & O_NONBLOCK) != 0;
	fl = fcntl(fd, F_GETFD);
	st.fd_cloexec = fl >= 0 && (fl & FD_CLOEXEC) != 0;
	c = &st.conns[st.naccepted++];
	c->fd = fd;
	c->entry = listener_add(st.l, c);
}

/* on_drain - listener_conn_fn: close what is not busy */
static void on_drain(void *conn)
{
	struct conn *c = conn;

	st.ndrain_calls++;
	if (!c->busy)
		conn_remove(c);
}

/* on_close - listener_conn_fn for listener_free */
static void on_close(void *conn)
{
	st.nclose_calls++;
	conn_remove(conn);
}

/* on_idle - listener_idle_fn */
static void on_idle(void *arg)
{
	cr_assert_eq(arg, &st);
	st.nidle++;
}

static void setup(void)
{
	socklen_t len = sizeof(st.addr);

	memset(&st, 0, sizeof(st));
	st.base = event_base_new();
	cr_assert_not_null(st.base);
	st.lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	cr_assert(st.lfd >= 0);
	st.addr.sin_family = AF_INET;
	st.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(st.lfd, (struct sockaddr *)&st.addr, sizeof(st.addr)),
		     0);
	cr_assert_eq(listen(st.lfd, 64), 0);
	cr_assert_eq(getsockname(st.lfd, (struct sockaddr *)&st.addr, &len), 0);
	log_set_sink(sink, NULL);
}

static void teardown(void)
{
	unsigned int i;

	listener_free(&st.l, on_close);
	for (i = 0; i < st.nclients; i++)
		close(st.clients[i]);
	close(st.lfd);
	event_base_free(st.base);
	log_set_sink(NULL, NULL);
}

/* client - connect one client (the kernel completes it from the backlog) */
static int client(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert(fd >= 0);
	cr_assert_eq(connect(fd, (struct sockaddr *)&st.addr, sizeof(st.addr)),
		     0);
	cr_assert(st.nclients < MAX_CONNS);
	st.clients[st.nclients++] = fd;
	return fd;
}

/* run - turn the loop for about ms milliseconds */
static void run(unsigned int ms)
{
	struct timespec ts = {0, 1000000};
	unsigned int i;

	for (i = 0; i < ms; i++) {
		event_base_loop(st.base, EVLOOP_NONBLOCK);
		nanosleep(&ts, NULL);
	}
}

/* run_until_accepted - turn the loop until n were accepted (bounded) */
static void run_until_accepted(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < 1000 && st.naccepted < n; i++)
		run(1);
}

TestSuite(listener, .init = setup, .fini = teardown);

/*
 * start - a listener for at most max connections, nclients clients, and
 * the loop turned until naccept were accepted and a while longer (to see
 * that no more are)
 */
static void start(unsigned int max, unsigned int nclients, unsigned int naccept)
{
	unsigned int i;

	st.l = listener_new(st.base, st.lfd, "t", "t_max", max, on_accept, &st);
	for (i = 0; i < nclients; i++)
		client();
	run_until_accepted(naccept);
	run(50);
	cr_assert_eq(st.naccepted, naccept, "accepted %u, not %u", st.naccepted,
		     naccept);
}

Test(listener, accepts_and_counts)
{
	start(10, 2, 2);
	cr_expect_eq(listener_connections(st.l), 2);
	cr_expect(st.fd_nonblocking, "accepted sockets must not block");
	cr_expect(st.fd_cloexec, "accepted sockets must not leak to children");
	conn_remove(&st.conns[0]);
	cr_expect_eq(listener_connections(st.l), 1);
	cr_expect(!listener_is_draining(st.l));
	cr_expect_eq(st.nidle, 0, "idle only when draining");
}

Test(listener, pauses_at_the_maximum_and_resumes_on_release)
{
	start(2, 3, 2);
	cr_expect_eq(st.nwarn_max, 1, "one warning at the maximum");
	/* paused: another client waits in the backlog as well */
	client();
	run(50);
	cr_expect_eq(st.naccepted, 2);
	conn_remove(&st.conns[0]);
	run_until_accepted(3);
	cr_expect_eq(st.naccepted, 3, "not resumed after a close");
	run(50);
	cr_expect_eq(st.naccepted, 3, "accepted past the maximum again");
	conn_remove(&st.conns[1]);
	run_until_accepted(4);
	cr_expect_eq(st.naccepted, 4);
	cr_expect_eq(listener_connections(st.l), 2);
}

Test(listener, a_higher_maximum_resumes_at_once)
{
	start(2, 3, 2);
	listener_set_max(st.l, 3);
	run_until_accepted(3);
	cr_expect_eq(st.naccepted, 3, "a reload with a higher maximum");
}

Test(listener, drain_without_connections_is_idle_at_once)
{
	start(4, 0, 0);
	listener_drain(st.l, on_drain, on_idle, &st);
	cr_expect_eq(st.nidle, 1);
	cr_expect_eq(st.ndrain_calls, 0);
	cr_expect(listener_is_draining(st.l));
	client();
	run(100);
	cr_expect_eq(st.naccepted, 0, "accepted while draining");
}

Test(listener, drain_waits_for_the_busy_connections)
{
	start(4, 3, 3);
	st.conns[1].busy = true;
	listener_drain(st.l, on_drain, on_idle, &st);
	cr_expect_eq(st.ndrain_calls, 3, "every connection is asked");
	cr_expect_eq(listener_connections(st.l), 1);
	cr_expect_eq(st.nidle, 0, "idle with a busy connection left");
	client();
	run(100);
	cr_expect_eq(st.naccepted, 3, "accepted while draining");
	conn_remove(&st.conns[1]);
	cr_expect_eq(st.nidle, 1, "not idle after the last close");
	cr_expect_eq(listener_connections(st.l), 0);
}

Test(listener, drain_does_not_resume_a_paused_listener)
{
	start(2, 3, 2);
	st.conns[0].busy = true;
	st.conns[1].busy = true;
	listener_drain(st.l, on_drain, on_idle, &st);
	conn_remove(&st.conns[0]);
	listener_set_max(st.l, 10);
	run(100);
	cr_expect_eq(st.naccepted, 2, "accepting again while draining");
	conn_remove(&st.conns[1]);
	cr_expect_eq(st.nidle, 1);
}

Test(listener, free_closes_every_connection_without_idle)
{
	start(4, 2, 2);
	st.conns[0].busy = true;
	listener_drain(st.l, on_drain, on_idle, &st);
	cr_expect_eq(listener_connections(st.l), 1);
	listener_free(&st.l, on_close);
	cr_expect_null(st.l);
	cr_expect_eq(st.nclose_calls, 1);
	cr_expect_eq(st.conns[0].fd, -1);
	cr_expect_eq(st.nidle, 0, "idle_fn after listener_free");
	listener_free(&st.l, on_close); /* NULL-safe */
}

/* on_bev_event - remember what the bufferevent reported */
static void on_bev_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	c->events |= what;
}

/* one_bev - one accepted connection on a listener_bufferevent, enabled */
static struct conn *one_bev(size_t read_high, unsigned int idle,
			    unsigned int wr)
{
	struct conn *c;

	start(4, 1, 1);
	c = &st.conns[0];
	c->bev = listener_bufferevent(st.l, c->fd, read_high, idle, wr, NULL,
				      NULL, on_bev_event, c);
	cr_assert_not_null(c->bev);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	return c;
}

Test(listener, bufferevent_limits_input)
{
	struct conn *c = one_bev(1000, 1, 5);
	char junk[8192];
	size_t have;

	memset(junk, 'x', sizeof(junk));
	cr_assert_eq(write(st.clients[0], junk, sizeof(junk)),
		     (ssize_t)sizeof(junk));
	run(200);
	have = evbuffer_get_length(bufferevent_get_input(c->bev));
	cr_expect_leq(have, 1000, "read past read_high");
	cr_expect_gt(have, 0);
	cr_expect_eq(c->events, 0);
}

Test(listener, bufferevent_idle_timeout)
{
	struct conn *c = one_bev(1000, 1, 5);
	unsigned int i;

	/* 1 s without input (bounded wait) */
	for (i = 0; i < 30 && !(c->events & BEV_EVENT_TIMEOUT); i++)
		run(100);
	cr_expect(c->events & BEV_EVENT_TIMEOUT, "no idle timeout");
	cr_expect(c->events & BEV_EVENT_READING);
}

Test(listener, bufferevent_without_idle_timeout)
{
	struct conn *c = one_bev(1000, 0, 1);

	run(1500);
	cr_expect_eq(c->events, 0, "idle timeout 0 must mean none");
}
