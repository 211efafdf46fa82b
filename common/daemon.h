/*
 * daemon.h - the life cycle every daemon shares.
 *
 * A daemon's main() fills a struct daemon_hooks and calls daemon_main(),
 * which does, in this order:
 *
 *	parse -f -c FILE -n -v -h	(daemon_parse_args)
 *	load_config			as root; -n stops here
 *	take the pid file		a second instance stops here
 *	bind				as root: sockets, secrets
 *	[workers]			with processes > 1: detach unless -f,
 *					then fork the workers; this process
 *					supervises (daemon_workers.h) and
 *					each worker goes on below
 *	prepare				as root, in each serving process:
 *					database connections and the like
 *	drop privileges			user, group, chroot (privs.h)
 *	detach unless -f		fork, setsid, the parent exits once
 *					the child is ready (0) or failed (1)
 *	start				on a fresh libevent event_base
 *	run the loop			SIGHUP: reload; SIGTERM/SIGINT: drain
 *	stop				free connections; the loop is over
 *
 * In the foreground we log to stderr; detached, to syslog (facility
 * mail), which is opened before any chroot. SIGPIPE is ignored.
 *
 * Reload: the reload hook re-reads the config; if it fails it must keep
 * the old one, and we log a warning. Drain: the drain hook stops
 * accepting and lets in-flight requests finish; the daemon calls
 * daemon_drain_done() once idle. The loop ends then, when the drain
 * timeout passes, or on a second SIGTERM/SIGINT.
 *
 * Everything runs in the one thread of the event loop; none of this is
 * thread-safe. With worker processes each runs the steps from prepare
 * on, signals reach the supervisor, which passes them on. Command-line and config text is local, not peer input.
 */
#ifndef PW_DAEMON_H
#define PW_DAEMON_H

#include <stdbool.h>

struct event_base;
struct sbuf;
struct daemon;

#define DAEMON_CONFIG_PATH "/etc/postwarden/postwarden.conf"

/* Exit statuses of daemon_main (sysexits.h values). */
enum daemon_exit {
	DAEMON_EXIT_OK = 0,
	DAEMON_EXIT_FAIL = 1,	 /* environment, or failure after start */
	DAEMON_EXIT_USAGE = 64,	 /* EX_USAGE: bad command line */
	DAEMON_EXIT_CONFIG = 78, /* EX_CONFIG: bad or unreadable config */
};

/* Common options. */
struct daemon_args {
	bool foreground;	 /* -f */
	bool check_only;	 /* -n: check the config and exit */
	bool verbose;		 /* -v */
	bool help;		 /* -h */
	const char *config_path; /* -c; borrowed from argv, or the default */
};

/*
 * daemon_parse_args - parse argv (argv[0] is the program). Options may
 * be grouped (-fv) and -c may be joined (-cFILE); "--" ends them; no
 * operands are allowed. Pure. Returns 0, or -1 with a message in err.
 */
int daemon_parse_args(int argc, char *const *argv, struct daemon_args *args_r,
		      struct sbuf *err);

/*
 * What the life cycle needs from the daemon's config; load_config fills
 * it. Strings are borrowed for the call and copied. NULL or "" means
 * unset. Changes on reload are ignored: they need a restart.
 */
struct daemon_env {
	const char *pid_file;	    /* none if unset */
	const char *user;	    /* stay as we are if unset */
	const char *group;	    /* the user's primary group if unset */
	const char *chroot_dir;	    /* no chroot if unset */
	unsigned int drain_timeout; /* seconds; 0: do not wait */
	unsigned int processes;	    /* serving processes; 0 or 1: this one */
};

/*
 * Hooks get back the ctx given to daemon_main. Those returning int
 * return 0, or -1 with a message appended to err (logged by the caller,
 * once). Only load_config is required.
 */
struct daemon_hooks {
	const char *name; /* for logs and usage: "authd" */
	/* load_config - read and check the config; fill env_r */
	int (*load_config)(void *ctx, const char *path,
			   struct daemon_env *env_r, struct sbuf *err);
	/* bind - as root: create listening sockets, read secrets */
	int (*bind)(void *ctx, struct sbuf *err);
	/* prepare - as root, per serving process: connections of its own */
	int (*prepare)(void *ctx, struct sbuf *err);
	/* start - unprivileged: add events to daemon_base(d) */
	int (*start)(void *ctx, struct daemon *d, struct sbuf *err);
	/* reload - SIGHUP: re-read path; on error keep the old config */
	int (*reload)(void *ctx, const char *path, struct sbuf *err);
	/* drain - SIGTERM: stop accepting; daemon_drain_done() when idle */
	void (*drain)(void *ctx);
	/* stop - the loop is over: free connections and events */
	void (*stop)(void *ctx);
};

/*
 * daemon_main - run the whole life cycle; returns an enum daemon_exit
 * for main() to return. Fatal errors log and exit from inside.
 */
int daemon_main(int argc, char **argv, const struct daemon_hooks *hooks,
		void *ctx);

/* daemon_base - the event base; borrowed until the stop hook returns */
struct event_base *daemon_base(struct daemon *d);

/* daemon_is_draining - has SIGTERM/SIGINT arrived? */
bool daemon_is_draining(const struct daemon *d);

/*
 * daemon_drain_done - in-flight work is finished: end the loop. Does
 * nothing unless draining, so it may be called whenever idle; it may
 * be called from inside the drain hook.
 */
void daemon_drain_done(struct daemon *d);

#endif
