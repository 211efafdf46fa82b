/* daemon_workers.c - worker processes under a supervisor */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "daemon_workers.h"
#include "log.h"
#include "xalloc.h"

#define DAEMON_WORKERS_RESPAWN 1 /* seconds between starts of a slot */
#define DAEMON_WORKERS_MARGIN 5	 /* seconds past the drain timeout */

struct daemon_workers {
	unsigned int n;
	pid_t *pid;	   /* per slot; 0: empty */
	time_t *started;   /* per slot: last fork */
	sigset_t watched;  /* blocked here, waited for with sigtimedwait */
	sigset_t old_mask; /* what workers get back */
	pid_t self;
	unsigned int drain_timeout;
	bool draining;
	time_t deadline; /* draining: then SIGKILL */
};

/* daemon_workers_now - seconds on a clock that does not jump */
static time_t daemon_workers_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* daemon_workers_free - the supervisor's tables */
static void daemon_workers_free(struct daemon_workers *w)
{
	free(w->pid);
	free(w->started);
}

/*
 * daemon_workers_spawn - fork the worker of a slot. In the child:
 * returns true with the signal mask restored and *ready_fd_r set (if
 * ready_r_fd is not NULL); in the supervisor: false, and *ready_rd_r
 * the read end to wait on (-1 when not asked for).
 */
static bool daemon_workers_spawn(struct daemon_workers *w, unsigned int slot,
				 int *ready_rd_r, int *ready_fd_r)
{
	int pfd[2] = {-1, -1};
	pid_t pid;

	if (ready_rd_r != NULL &&
	    (pipe(pfd) < 0 || fcntl(pfd[0], F_SETFD, FD_CLOEXEC) < 0 ||
	     fcntl(pfd[1], F_SETFD, FD_CLOEXEC) < 0))
		log_fatal("pipe: %s", strerror(errno));
	w->started[slot] = daemon_workers_now();
	if ((pid = fork()) < 0) {
		/* try again at the next tick */
		log_warn("fork: %s", strerror(errno));
		if (ready_rd_r != NULL) {
			close(pfd[0]);
			close(pfd[1]);
			*ready_rd_r = -1;
		}
		return false;
	}
	if (pid == 0) {
		/* If the supervisor is already gone, do not serve alone. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 ||
		    getppid() != w->self)
			_exit(DAEMON_EXIT_FAIL);
		sigprocmask(SIG_SETMASK, &w->old_mask, NULL);
		if (pfd[0] >= 0)
			close(pfd[0]);
		*ready_fd_r = pfd[1];
		return true;
	}
	w->pid[slot] = pid;
	if (ready_rd_r != NULL) {
		close(pfd[1]);
		*ready_rd_r = pfd[0];
	}
	return false;
}

/* daemon_workers_signal - send sig to every live worker */
static void daemon_workers_signal(const struct daemon_workers *w, int sig)
{
	unsigned int i;

	for (i = 0; i < w->n; i++)
		if (w->pid[i] > 0)
			kill(w->pid[i], sig);
}

/* daemon_workers_alive - workers not yet reaped */
static unsigned int daemon_workers_alive(const struct daemon_workers *w)
{
	unsigned int i, alive = 0;

	for (i = 0; i < w->n; i++)
		alive += w->pid[i] > 0;
	return alive;
}

/* daemon_workers_reap - collect every worker that exited, and say how */
static void daemon_workers_reap(struct daemon_workers *w)
{
	unsigned int i;
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (i = 0; i < w->n && w->pid[i] != pid; i++)
			;
		if (i == w->n)
			continue;
		w->pid[i] = 0;
		if (w->draining && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			continue;
		if (WIFSIGNALED(st))
			log_warn("worker process %ld killed by signal %d%s",
				 (long)pid, WTERMSIG(st),
				 w->draining ? "" : "; starting another");
		else
			log_warn("worker process %ld exited with status %d%s",
				 (long)pid, WEXITSTATUS(st),
				 w->draining ? "" : "; starting another");
	}
}

/*
 * daemon_workers_start - fork every worker and wait for each to say it
 * started. true in a worker; false in the supervisor, with *ok_r.
 */
static bool daemon_workers_start(struct daemon_workers *w, int *ready_fd_r,
				 bool *ok_r)
{
	int *rd = xcalloc(w->n, sizeof(*rd));
	unsigned int i;
	bool ok = true;
	char c;
	ssize_t got;

	for (i = 0; i < w->n; i++) {
		if (daemon_workers_spawn(w, i, &rd[i], ready_fd_r)) {
			unsigned int j;

			for (j = 0; j < i; j++)
				close(rd[j]);
			free(rd);
			return true;
		}
		if (rd[i] < 0)
			ok = false;
	}
	/* Signals are blocked here: reads are not interrupted. */
	for (i = 0; i < w->n; i++) {
		if (rd[i] < 0)
			continue;
		got = read(rd[i], &c, 1);
		if (got != 1)
			ok = false;
		close(rd[i]);
	}
	free(rd);
	*ok_r = ok;
	return false;
}

/*
 * daemon_workers_tick - one pass of the supervisor after a signal (or
 * none, sig 0): relay, reap, replace. true in a new worker.
 */
static bool daemon_workers_tick(struct daemon_workers *w, int sig,
				int *ready_fd_r)
{
	time_t now = daemon_workers_now();
	unsigned int i;

	if (sig == SIGHUP && !w->draining) {
		log_info("SIGHUP: passing it to the workers");
		daemon_workers_signal(w, SIGHUP);
	} else if (sig == SIGTERM || sig == SIGINT) {
		if (!w->draining)
			w->deadline = now + (time_t)w->drain_timeout +
				      DAEMON_WORKERS_MARGIN;
		w->draining = true;
		daemon_workers_signal(w, sig);
	}
	daemon_workers_reap(w);
	if (w->draining) {
		if (now >= w->deadline && daemon_workers_alive(w) > 0) {
			log_warn("workers still running after the drain "
				 "timeout: killing them");
			daemon_workers_signal(w, SIGKILL);
			w->deadline = now + DAEMON_WORKERS_MARGIN;
		}
		return false;
	}
	for (i = 0; i < w->n; i++) {
		if (w->pid[i] != 0 ||
		    now - w->started[i] < DAEMON_WORKERS_RESPAWN)
			continue;
		if (daemon_workers_spawn(w, i, NULL, ready_fd_r)) {
			*ready_fd_r = -1;
			return true;
		}
	}
	return false;
}

/* daemon_workers_run - fork n workers and supervise them */
int daemon_workers_run(unsigned int n, unsigned int drain_timeout,
		       daemon_workers_ready_fn *ready_fn, void *arg,
		       int *ready_fd_r)
{
	struct daemon_workers w = {.n = n, .self = getpid(),
				   .drain_timeout = drain_timeout};
	struct timespec tick = {.tv_sec = DAEMON_WORKERS_RESPAWN};
	bool ok;
	int sig;

	if (n < 2 || n > DAEMON_WORKERS_MAX)
		log_panic("daemon_workers_run: %u workers", n);
	w.pid = xcalloc(n, sizeof(*w.pid));
	w.started = xcalloc(n, sizeof(*w.started));
	sigemptyset(&w.watched);
	sigaddset(&w.watched, SIGCHLD);
	sigaddset(&w.watched, SIGHUP);
	sigaddset(&w.watched, SIGTERM);
	sigaddset(&w.watched, SIGINT);
	if (sigprocmask(SIG_BLOCK, &w.watched, &w.old_mask) < 0)
		log_fatal("sigprocmask: %s", strerror(errno));

	if (daemon_workers_start(&w, ready_fd_r, &ok)) {
		daemon_workers_free(&w);
		return DAEMON_WORKERS_CHILD;
	}
	if (!ok) {
		log_warn("a worker process failed to start: stopping");
		daemon_workers_signal(&w, SIGTERM);
		w.draining = true;
		w.deadline = daemon_workers_now() + DAEMON_WORKERS_MARGIN;
	} else {
		log_info("%u worker processes started", n);
		ready_fn(arg);
	}
	while (!w.draining || daemon_workers_alive(&w) > 0) {
		sig = sigtimedwait(&w.watched, NULL, &tick);
		if (sig < 0 && errno != EAGAIN && errno != EINTR)
			log_fatal("sigtimedwait: %s", strerror(errno));
		if (daemon_workers_tick(&w, sig < 0 ? 0 : sig, ready_fd_r)) {
			daemon_workers_free(&w);
			return DAEMON_WORKERS_CHILD;
		}
	}
	sigprocmask(SIG_SETMASK, &w.old_mask, NULL);
	daemon_workers_free(&w);
	return ok ? DAEMON_EXIT_OK : DAEMON_EXIT_FAIL;
}
