/* daemon.c - the life cycle every daemon shares */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon.h"
#include "daemon_workers.h"
#include "log.h"
#include "pidfile.h"
#include "privs.h"
#include "sbuf.h"
#include "xalloc.h"

struct daemon {
	const struct daemon_hooks *hooks;
	void *ctx;
	char *config_path;
	/* copies of what load_config put in struct daemon_env */
	char *pid_file, *user, *group, *chroot_dir;
	unsigned int drain_timeout;
	unsigned int processes;

	struct pidfile *pidfile;
	struct event_base *base;
	struct event *sig_term, *sig_int, *sig_hup, *drain_timer;
	int null_fd;  /* /dev/null, opened before any chroot */
	int ready_fd; /* tells the waiting parent (or supervisor) we started */
	bool stdio_closed;
	bool worker; /* one of several; the supervisor speaks for us */
	bool draining;
};

/* daemon_set_flag - one option letter without an argument */
static int daemon_set_flag(struct daemon_args *args, char c)
{
	switch (c) {
	case 'f':
		args->foreground = true;
		return 0;
	case 'n':
		args->check_only = true;
		return 0;
	case 'v':
		args->verbose = true;
		return 0;
	case 'h':
		args->help = true;
		return 0;
	default:
		return -1;
	}
}

/* daemon_parse_args - the common options */
int daemon_parse_args(int argc, char *const *argv, struct daemon_args *args_r,
		      struct sbuf *err)
{
	struct daemon_args args = {.config_path = DAEMON_CONFIG_PATH};
	const char *p;
	int i;

	for (i = 1; i < argc; i++) {
		p = argv[i];
		if (strcmp(p, "--") == 0) {
			i++;
			break;
		}
		if (p[0] != '-' || p[1] == '\0')
			break;
		for (p++; *p != '\0'; p++) {
			if (*p == 'c') {
				/* -c takes the rest of the word, or the next */
				if (p[1] != '\0') {
					args.config_path = p + 1;
				} else if (i + 1 < argc) {
					args.config_path = argv[++i];
				} else {
					sbuf_append_str(err, "option -c needs "
							     "a file name");
					return -1;
				}
				break;
			}
			if (daemon_set_flag(&args, *p) < 0) {
				sbuf_printf(err, "unknown option -%c", *p);
				return -1;
			}
		}
	}
	if (i < argc) {
		sbuf_append_str(err, "unexpected argument");
		return -1;
	}
	if (args.config_path[0] == '\0') {
		sbuf_append_str(err, "empty config file name");
		return -1;
	}
	*args_r = args;
	return 0;
}

/* daemon_base - the event base */
struct event_base *daemon_base(struct daemon *d)
{
	return d->base;
}

/* daemon_is_draining - has SIGTERM/SIGINT arrived? */
bool daemon_is_draining(const struct daemon *d)
{
	return d->draining;
}

/* daemon_drain_done - in-flight work is finished: end the loop */
void daemon_drain_done(struct daemon *d)
{
	if (!d->draining)
		return;
	log_debug("all in-flight requests finished");
	event_base_loopbreak(d->base);
}

/* daemon_usage - the common options */
static void daemon_usage(FILE *fp, const char *name)
{
	fprintf(fp,
		"usage: %s [-fnv] [-c config]\n"
		"  -c FILE  config file (default %s)\n"
		"  -f       stay in the foreground, log to stderr\n"
		"  -n       check the config and exit\n"
		"  -v       verbose logging\n"
		"  -h       this help\n",
		name, DAEMON_CONFIG_PATH);
}

/* daemon_dup - a private copy of an optional setting; NULL if unset */
static char *daemon_dup(const char *s)
{
	return s == NULL || s[0] == '\0' ? NULL : xstrdup(s);
}

/* daemon_on_drain_timeout - in-flight work took too long: give up */
static void daemon_on_drain_timeout(evutil_socket_t fd, short what,
				    void *arg)
{
	struct daemon *d = arg;

	log_warn("drain timeout (%us): abandoning in-flight requests",
		 d->drain_timeout);
	event_base_loopbreak(d->base);
}

/* daemon_drain - SIGTERM/SIGINT: stop accepting, wait a bounded time */
static void daemon_drain(struct daemon *d, int sig)
{
	struct timeval tv = {.tv_sec = (time_t)d->drain_timeout};
	const char *name = sig == SIGTERM ? "SIGTERM" : "SIGINT";

	if (d->draining) {
		log_warn("%s again: stopping without waiting", name);
		event_base_loopbreak(d->base);
		return;
	}
	log_info("%s: stopping", name);
	d->draining = true;
	if (d->hooks->drain == NULL || d->drain_timeout == 0) {
		event_base_loopbreak(d->base);
		return;
	}
	d->drain_timer = evtimer_new(d->base, daemon_on_drain_timeout, d);
	if (d->drain_timer == NULL || evtimer_add(d->drain_timer, &tv) < 0)
		log_panic("cannot add the drain timer");
	d->hooks->drain(d->ctx);
}

/* daemon_reload - SIGHUP: the daemon re-reads, or keeps, its config */
static void daemon_reload(struct daemon *d)
{
	struct sbuf *err;

	if (d->draining)
		return;
	if (d->hooks->reload == NULL) {
		log_info("SIGHUP: nothing to reload");
		return;
	}
	err = sbuf_new(128);
	if (d->hooks->reload(d->ctx, d->config_path, err) < 0)
		log_warn("reload %s failed, keeping the old config: %s",
			 d->config_path, sbuf_cstr(err));
	else
		log_info("reloaded %s", d->config_path);
	sbuf_free(&err);
}

/* daemon_on_signal - signals arrive here through the event loop */
static void daemon_on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	if (sig == SIGHUP)
		daemon_reload(d);
	else
		daemon_drain(d, (int)sig);
}

/* daemon_add_signals - SIGTERM, SIGINT and SIGHUP through the loop */
static int daemon_add_signals(struct daemon *d, struct sbuf *err)
{
	d->sig_term = evsignal_new(d->base, SIGTERM, daemon_on_signal, d);
	d->sig_int = evsignal_new(d->base, SIGINT, daemon_on_signal, d);
	d->sig_hup = evsignal_new(d->base, SIGHUP, daemon_on_signal, d);
	if (d->sig_term == NULL || d->sig_int == NULL || d->sig_hup == NULL ||
	    evsignal_add(d->sig_term, NULL) < 0 ||
	    evsignal_add(d->sig_int, NULL) < 0 ||
	    evsignal_add(d->sig_hup, NULL) < 0) {
		sbuf_append_str(err, "cannot watch signals");
		return -1;
	}
	return 0;
}

/*
 * daemon_detach - fork; the parent waits until the child is ready (a
 * byte on a pipe) or gone (EOF), so "started" means started, and a
 * supervisor finds the pid file written (systemd Type=forking).
 */
static void daemon_detach(struct daemon *d)
{
	int pfd[2];
	pid_t pid;
	char c;
	ssize_t n;

	if (pipe(pfd) < 0 || fcntl(pfd[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(pfd[1], F_SETFD, FD_CLOEXEC) < 0)
		log_fatal("pipe: %s", strerror(errno));
	fflush(NULL);
	if ((pid = fork()) < 0)
		log_fatal("fork: %s", strerror(errno));
	if (pid > 0) {
		close(pfd[1]);
		do
			n = read(pfd[0], &c, 1);
		while (n < 0 && errno == EINTR);
		_exit(n == 1 ? DAEMON_EXIT_OK : DAEMON_EXIT_FAIL);
	}
	close(pfd[0]);
	d->ready_fd = pfd[1];
	if (setsid() < 0)
		log_fatal("setsid: %s", strerror(errno));
	/* Hold no directory busy (a chroot is at its "/" already). */
	if (chdir("/") < 0)
		log_fatal("chdir /: %s", strerror(errno));
}

/*
 * daemon_ready - started: detached, stdio to /dev/null and log to
 * syslog only; tell whoever waits
 */
static void daemon_ready(struct daemon *d)
{
	if (d->null_fd >= 0 && !d->stdio_closed) {
		if (dup2(d->null_fd, STDIN_FILENO) < 0 ||
		    dup2(d->null_fd, STDOUT_FILENO) < 0 ||
		    dup2(d->null_fd, STDERR_FILENO) < 0)
			log_fatal("redirect stdio to /dev/null: %s",
				  strerror(errno));
		log_init(d->hooks->name, LOG_DEST_SYSLOG);
		d->stdio_closed = true;
	}
	if (d->ready_fd < 0)
		return;
	if (write(d->ready_fd, "", 1) != 1)
		log_warn("cannot tell the parent we started: %s",
			 strerror(errno));
	close(d->ready_fd);
	d->ready_fd = -1;
}

/* daemon_load - load_config, and keep what the life cycle needs */
static int daemon_load(struct daemon *d, struct sbuf *err)
{
	struct daemon_env env = {0};

	if (d->hooks->load_config(d->ctx, d->config_path, &env, err) < 0)
		return -1;
	d->pid_file = daemon_dup(env.pid_file);
	d->user = daemon_dup(env.user);
	d->group = daemon_dup(env.group);
	d->chroot_dir = daemon_dup(env.chroot_dir);
	d->drain_timeout = env.drain_timeout;
	d->processes = env.processes;
	if (d->processes > DAEMON_WORKERS_MAX) {
		sbuf_printf(err, "at most %u processes", DAEMON_WORKERS_MAX);
		return -1;
	}
	return 0;
}

/*
 * daemon_abspath - the config path made absolute, since we chdir("/")
 * later; symlinks stay, so a reload follows a link that was moved
 */
static char *daemon_abspath(const char *path)
{
	struct sbuf *b;
	char *cwd, *abs;

	if (path[0] == '/' || (cwd = getcwd(NULL, 0)) == NULL)
		return xstrdup(path);
	b = sbuf_new(strlen(cwd) + strlen(path) + 1);
	sbuf_printf(b, "%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, path);
	abs = sbuf_steal(b);
	sbuf_free(&b);
	free(cwd);
	return abs;
}

/* daemon_cleanup - release everything daemon_main acquired */
static void daemon_cleanup(struct daemon *d)
{
	if (d->drain_timer != NULL)
		event_free(d->drain_timer);
	if (d->sig_term != NULL)
		event_free(d->sig_term);
	if (d->sig_int != NULL)
		event_free(d->sig_int);
	if (d->sig_hup != NULL)
		event_free(d->sig_hup);
	if (d->base != NULL)
		event_base_free(d->base);
	pidfile_remove(&d->pidfile);
	if (d->null_fd >= 0)
		close(d->null_fd);
	free(d->config_path);
	free(d->pid_file);
	free(d->user);
	free(d->group);
	free(d->chroot_dir);
}

/* daemon_fail - clean up, then log "what: err" (or err) and exit */
static void ATTR_NORETURN daemon_fail(struct daemon *d, int status,
				      const char *what, struct sbuf *err)
{
	/* Format first: what may point into d, which cleanup frees. */
	char *msg = xstrdup(sbuf_cstr(err));
	char *prefix = xstrdup(what != NULL ? what : "");

	sbuf_free(&err);
	daemon_cleanup(d);
	log_set_fatal_status(status);
	if (prefix[0] != '\0')
		log_fatal("%s: %s", prefix, msg);
	log_fatal("%s", msg);
}

/* daemon_on_workers_ready - every worker serves: we have started */
static void daemon_on_workers_ready(void *arg)
{
	struct daemon *d = arg;

	log_info("started (config %s)", d->config_path);
	daemon_ready(d);
}

/*
 * daemon_supervise - fork the workers (detached first unless in the
 * foreground). Returns DAEMON_WORKERS_CHILD in each worker; in the
 * supervisor, once the workers are gone, its exit status (cleaned up).
 */
static int daemon_supervise(struct daemon *d, bool detach, struct sbuf *err)
{
	int status, ready_fd = -1;

	if (detach) {
		daemon_detach(d);
		if (d->pidfile != NULL && pidfile_write(d->pidfile, err) < 0)
			daemon_fail(d, DAEMON_EXIT_FAIL, "pid file", err);
	}
	status = daemon_workers_run(d->processes, d->drain_timeout,
				    daemon_on_workers_ready, d, &ready_fd);
	if (status != DAEMON_WORKERS_CHILD) {
		log_info("stopped");
		daemon_cleanup(d);
		return status;
	}
	/* A worker: the supervisor owns the pid file and our parent's
	 * pipe, and it has told whoever waits for it. */
	pidfile_forget(&d->pidfile);
	if (d->ready_fd >= 0)
		close(d->ready_fd);
	d->ready_fd = ready_fd;
	d->worker = true;
	return DAEMON_WORKERS_CHILD;
}

/* daemon_main - run the whole life cycle */
int daemon_main(int argc, char **argv, const struct daemon_hooks *hooks,
		void *ctx)
{
	struct daemon d = {.hooks = hooks, .ctx = ctx, .null_fd = -1,
			   .ready_fd = -1};
	struct daemon_args args;
	struct sigaction sa;
	struct sbuf *err = sbuf_new(128);
	int status;

	if (hooks->load_config == NULL)
		log_panic("daemon_main: no load_config hook");
	log_init(hooks->name, LOG_DEST_STDERR);
	if (daemon_parse_args(argc, argv, &args, err) < 0) {
		log_warn("%s", sbuf_cstr(err));
		daemon_usage(stderr, hooks->name);
		sbuf_free(&err);
		return DAEMON_EXIT_USAGE;
	}
	if (args.help) {
		daemon_usage(stdout, hooks->name);
		sbuf_free(&err);
		return DAEMON_EXIT_OK;
	}
	log_set_verbose(args.verbose);
	d.config_path = daemon_abspath(args.config_path);
	if (daemon_load(&d, err) < 0) {
		/* conf_load() names the file itself; other errors do not */
		daemon_fail(&d, DAEMON_EXIT_CONFIG,
			    strncmp(sbuf_cstr(err), d.config_path,
				    strlen(d.config_path)) == 0
				    ? NULL
				    : d.config_path,
			    err);
	}
	if (args.check_only) {
		log_debug("%s: OK", d.config_path);
		daemon_cleanup(&d);
		sbuf_free(&err);
		return DAEMON_EXIT_OK;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) < 0) {
		sbuf_append_str(err, strerror(errno));
		daemon_fail(&d, DAEMON_EXIT_FAIL, "SIGPIPE", err);
	}

	if (d.pid_file != NULL &&
	    pidfile_open(d.pid_file, &d.pidfile, NULL, err) != PIDFILE_OK)
		daemon_fail(&d, DAEMON_EXIT_FAIL, "pid file", err);
	if (hooks->bind != NULL && hooks->bind(ctx, err) < 0)
		daemon_fail(&d, DAEMON_EXIT_FAIL, "bind", err);
	if (!args.foreground) {
		/* Before any chroot: neither exists inside one. */
		if ((d.null_fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
			sbuf_append_str(err, strerror(errno));
			daemon_fail(&d, DAEMON_EXIT_FAIL, "/dev/null", err);
		}
		log_init(hooks->name, LOG_DEST_STDERR | LOG_DEST_SYSLOG);
	}
	if (d.processes > 1 &&
	    (status = daemon_supervise(&d, !args.foreground, err)) !=
		DAEMON_WORKERS_CHILD) {
		sbuf_free(&err);
		return status;
	}
	if (hooks->prepare != NULL && hooks->prepare(ctx, err) < 0)
		daemon_fail(&d, DAEMON_EXIT_FAIL, "prepare", err);
	if (d.user == NULL && privs_is_root())
		log_warn("running as root: set a user to run as");
	if (privs_drop(d.user, d.group, d.chroot_dir, err) < 0)
		daemon_fail(&d, DAEMON_EXIT_FAIL, "drop privileges", err);
	if (!args.foreground && d.processes <= 1) {
		daemon_detach(&d);
		if (d.pidfile != NULL && pidfile_write(d.pidfile, err) < 0)
			daemon_fail(&d, DAEMON_EXIT_FAIL, "pid file", err);
	}

	if ((d.base = event_base_new()) == NULL) {
		sbuf_append_str(err, "cannot create the event base");
		daemon_fail(&d, DAEMON_EXIT_FAIL, "libevent", err);
	}
	if (daemon_add_signals(&d, err) < 0)
		daemon_fail(&d, DAEMON_EXIT_FAIL, "libevent", err);
	if (hooks->start != NULL && hooks->start(ctx, &d, err) < 0)
		daemon_fail(&d, DAEMON_EXIT_FAIL, "start", err);
	if (!d.worker)
		log_info("started (config %s)", d.config_path);
	daemon_ready(&d);

	if (event_base_dispatch(d.base) < 0)
		log_warn("event loop failed");
	if (hooks->stop != NULL)
		hooks->stop(ctx);
	log_info("stopped");
	daemon_cleanup(&d);
	sbuf_free(&err);
	return DAEMON_EXIT_OK;
}
