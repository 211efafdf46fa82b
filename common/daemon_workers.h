/*
 * daemon_workers.h - several processes serving one listening socket,
 * under a supervisor (daemon.h, daemon_env.processes > 1).
 *
 * One event loop uses one CPU. A daemon whose requests are short and
 * independent (policyd: one request per SMTP recipient) serves more
 * by running the same loop in several processes that accept on the
 * socket they inherit; the kernel spreads the connections. A
 * connection stays with the process that accepted it, so state kept
 * per connection (a message's answer for its later recipients) stays
 * correct.
 *
 * The supervisor forks the workers, waits until each has started (a
 * byte on a pipe, EOF if it failed), then only relays signals and
 * reaps: SIGHUP goes to every worker (each reloads); SIGTERM/SIGINT go
 * to every worker (each drains; a second one stops them at once) and
 * the supervisor ends when the last is gone, killing stragglers after
 * the drain timeout plus a margin. A worker that dies while not
 * draining is logged and replaced, at most once a second per slot.
 * The supervisor keeps its privileges so that a replacement can open
 * root-only resources again; it reads nothing from peers. Workers get
 * SIGTERM when the supervisor dies.
 */
#ifndef PW_DAEMON_WORKERS_H
#define PW_DAEMON_WORKERS_H

#define DAEMON_WORKERS_MAX 64
#define DAEMON_WORKERS_CHILD (-1) /* daemon_workers_run in a worker */

typedef void daemon_workers_ready_fn(void *arg);

/*
 * daemon_workers_run - fork n (2..DAEMON_WORKERS_MAX) workers and
 * supervise them. Returns DAEMON_WORKERS_CHILD in each worker, with
 * *ready_fd_r the pipe to write one byte to once serving (-1 for a
 * replacement: nobody waits for it). In the supervisor it returns,
 * once no worker is left, an enum daemon_exit: DAEMON_EXIT_FAIL if a
 * worker failed to start (the others are stopped), else OK. ready_fn
 * runs in the supervisor once every worker has started.
 */
int daemon_workers_run(unsigned int n, unsigned int drain_timeout,
		       daemon_workers_ready_fn *ready_fn, void *arg,
		       int *ready_fd_r);

#endif
