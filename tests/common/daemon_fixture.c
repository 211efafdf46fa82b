/*
 * daemon_fixture.c - the smallest daemon built on daemon.h, for
 * daemon_test. Not a test itself.
 *
 * It listens on fixture_socket; a client sends one line and gets one:
 * "count" answers "GREETING reloads=N" (N successful SIGHUP reloads);
 * "pid" answers "pid=N" (the serving process); anything else gets "?".
 * fixture_processes runs worker processes; fixture_prepare_fail makes
 * the prepare hook fail. One request per connection; a connection that
 * has not sent its line yet is in flight, and SIGTERM waits for it (up
 * to fixture_drain_timeout).
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "daemon.h"
#include "linerd.h"
#include "log.h"
#include "sbuf.h"
#include "sock.h"
#include "xalloc.h"

#define FIXTURE_MAX_LINE 512

struct fixture_cfg {
	char *socket;
	mode_t socket_mode;
	char *pid_file;
	char *user;
	unsigned int drain_timeout;
	char *greeting;
	unsigned int processes;
	bool prepare_fail;
};

static const struct conf_param fixture_params[] = {
	{"socket", CONF_STR, "", 0, 0, offsetof(struct fixture_cfg, socket)},
	{"socket_mode", CONF_MODE, "0600", 0, 0,
	 offsetof(struct fixture_cfg, socket_mode)},
	{"pid_file", CONF_STR, "", 0, 0,
	 offsetof(struct fixture_cfg, pid_file)},
	{"user", CONF_STR, "", 0, 0, offsetof(struct fixture_cfg, user)},
	{"drain_timeout", CONF_TIME, "5s", 0, 3600,
	 offsetof(struct fixture_cfg, drain_timeout)},
	{"greeting", CONF_STR, "hello", 0, 0,
	 offsetof(struct fixture_cfg, greeting)},
	{"processes", CONF_UINT, "1", 0, 64,
	 offsetof(struct fixture_cfg, processes)},
	{"prepare_fail", CONF_BOOL, "no", 0, 0,
	 offsetof(struct fixture_cfg, prepare_fail)},
	{NULL, 0, NULL, 0, 0, 0},
};

struct fixture_conn {
	struct fixture *fx;
	int fd;
	struct event *ev;
	struct linerd *lr;
	struct fixture_conn *next;
};

struct fixture {
	struct fixture_cfg cfg;
	bool cfg_loaded;
	unsigned int reloads;
	int listen_fd;
	struct event *accept_ev;
	struct daemon *d;
	struct fixture_conn *conns;
};

/* fixture_read_cfg - load and apply the file into cfg */
static int fixture_read_cfg(const char *path, struct fixture_cfg *cfg,
			    struct sbuf *err)
{
	struct conf *c = NULL;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	if (conf_load(path, &c, NULL, err) < 0)
		return -1;
	rc = conf_apply(c, "fixture_", fixture_params, cfg, err);
	conf_free(&c);
	if (rc == 0 && cfg->socket[0] == '\0') {
		sbuf_append_str(err, "fixture_socket is not set");
		rc = -1;
	}
	if (rc < 0)
		conf_release(fixture_params, cfg);
	return rc;
}

/* fixture_load_config - the load_config hook */
static int fixture_load_config(void *ctx, const char *path,
			       struct daemon_env *env_r, struct sbuf *err)
{
	struct fixture *fx = ctx;

	if (fixture_read_cfg(path, &fx->cfg, err) < 0)
		return -1;
	fx->cfg_loaded = true;
	env_r->pid_file = fx->cfg.pid_file;
	env_r->user = fx->cfg.user;
	env_r->drain_timeout = fx->cfg.drain_timeout;
	env_r->processes = fx->cfg.processes;
	return 0;
}

/* fixture_bind - the bind hook: one unix socket */
static int fixture_bind(void *ctx, struct sbuf *err)
{
	struct fixture *fx = ctx;
	struct sock_spec *spec = NULL;
	struct sock_perm perm = {NULL, NULL, fx->cfg.socket_mode};
	int rc;

	if (sock_spec_parse(fx->cfg.socket, &spec, err) < 0)
		return -1;
	rc = sock_listen(spec, &perm, 16, &fx->listen_fd, err);
	sock_spec_free(&spec);
	return rc;
}

/* fixture_prepare - the prepare hook: fails when told to */
static int fixture_prepare(void *ctx, struct sbuf *err)
{
	struct fixture *fx = ctx;

	if (fx->cfg.prepare_fail) {
		sbuf_append_str(err, "told to fail");
		return -1;
	}
	return 0;
}

/* fixture_conn_close - one request done (or abandoned) */
static void fixture_conn_close(struct fixture_conn *conn)
{
	struct fixture *fx = conn->fx;
	struct fixture_conn **pp;

	for (pp = &fx->conns; *pp != conn; pp = &(*pp)->next)
		;
	*pp = conn->next;
	event_free(conn->ev);
	close(conn->fd);
	linerd_free(&conn->lr);
	free(conn);
	if (fx->conns == NULL)
		daemon_drain_done(fx->d); /* no-op unless draining */
}

/* fixture_answer - one request line, one answer line */
static void fixture_answer(struct fixture_conn *conn, const char *line)
{
	struct fixture *fx = conn->fx;
	struct sbuf *out = sbuf_new(64);

	if (strcmp(line, "count") == 0) {
		sbuf_printf(out, "%s reloads=%u\n", fx->cfg.greeting,
			    fx->reloads);
	} else if (strcmp(line, "pid") == 0) {
		sbuf_printf(out, "pid=%ld\n", (long)getpid());
	} else {
		sbuf_append_str(out, "?\n");
	}
	/* A short line to a blocking socket: one write is enough here. */
	if (write(conn->fd, sbuf_data(out), sbuf_len(out)) < 0)
		log_warn("write: %s", strerror(errno));
	sbuf_free(&out);
}

/* fixture_on_read - feed the line reader; answer a complete line */
static void fixture_on_read(evutil_socket_t fd, short what, void *arg)
{
	struct fixture_conn *conn = arg;
	struct sbuf *line = sbuf_new(64);
	char buf[512];
	ssize_t n;

	n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		goto out;
	if (n > 0)
		linerd_feed(conn->lr, buf, (size_t)n);
	else
		linerd_feed_eof(conn->lr);
	switch (linerd_next(conn->lr, line)) {
	case LINERD_NEED_MORE:
		goto out;
	case LINERD_LINE:
		fixture_answer(conn, sbuf_cstr(line));
		break;
	default:
		break;
	}
	fixture_conn_close(conn);
out:
	sbuf_free(&line);
}

/* fixture_on_accept - a new connection: wait for its line */
static void fixture_on_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct fixture *fx = arg;
	struct fixture_conn *conn;
	int fd;

	if ((fd = accept(lfd, NULL, NULL)) < 0)
		return;
	conn = xcalloc(1, sizeof(*conn));
	conn->fx = fx;
	conn->fd = fd;
	conn->lr = linerd_new(FIXTURE_MAX_LINE, LINERD_STRIP_CR);
	conn->ev = event_new(daemon_base(fx->d), fd, EV_READ | EV_PERSIST,
			     fixture_on_read, conn);
	if (conn->ev == NULL || event_add(conn->ev, NULL) < 0)
		log_panic("event_add");
	conn->next = fx->conns;
	fx->conns = conn;
}

/* fixture_start - the start hook: accept connections */
static int fixture_start(void *ctx, struct daemon *d, struct sbuf *err)
{
	struct fixture *fx = ctx;

	fx->d = d;
	fx->accept_ev = event_new(daemon_base(d), fx->listen_fd,
				  EV_READ | EV_PERSIST, fixture_on_accept, fx);
	if (fx->accept_ev == NULL || event_add(fx->accept_ev, NULL) < 0) {
		sbuf_append_str(err, "cannot watch the listening socket");
		return -1;
	}
	return 0;
}

/* fixture_reload - the reload hook: a new greeting, or the old one */
static int fixture_reload(void *ctx, const char *path, struct sbuf *err)
{
	struct fixture *fx = ctx;
	struct fixture_cfg cfg;

	if (fixture_read_cfg(path, &cfg, err) < 0)
		return -1;
	/* Only the greeting may change without a restart. */
	free(fx->cfg.greeting);
	fx->cfg.greeting = cfg.greeting;
	cfg.greeting = NULL;
	conf_release(fixture_params, &cfg);
	fx->reloads++;
	return 0;
}

/* fixture_drain - the drain hook: stop accepting, wait for the rest */
static void fixture_drain(void *ctx)
{
	struct fixture *fx = ctx;

	event_free(fx->accept_ev);
	fx->accept_ev = NULL;
	close(fx->listen_fd);
	fx->listen_fd = -1;
	log_info("draining %s", fx->conns != NULL ? "connections" : "nothing");
	if (fx->conns == NULL)
		daemon_drain_done(fx->d);
}

/* fixture_stop - the stop hook: free whatever is left */
static void fixture_stop(void *ctx)
{
	struct fixture *fx = ctx;

	while (fx->conns != NULL)
		fixture_conn_close(fx->conns);
	if (fx->accept_ev != NULL)
		event_free(fx->accept_ev);
	fx->accept_ev = NULL;
}

int main(int argc, char **argv)
{
	static const struct daemon_hooks hooks = {
		.name = "daemon_fixture",
		.load_config = fixture_load_config,
		.bind = fixture_bind,
		.prepare = fixture_prepare,
		.start = fixture_start,
		.reload = fixture_reload,
		.drain = fixture_drain,
		.stop = fixture_stop,
	};
	struct fixture fx = {.listen_fd = -1};
	int status;

	status = daemon_main(argc, argv, &hooks, &fx);
	if (fx.listen_fd >= 0)
		close(fx.listen_fd);
	if (fx.cfg_loaded)
		conf_release(fixture_params, &fx.cfg);
	return status;
}
