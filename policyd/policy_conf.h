/*
 * policy_conf.h - postwarden-policyd's parameters (prefix "policyd_").
 *
 * One table (policy_conf.c) holds every parameter with its type, default
 * and range; postwarden-policyd(8) and postwarden.conf(5) document them.
 * Loading also checks what the table cannot: every name in
 * policyd_checks is a known check (policy_decide.h), the default action
 * is a valid action, the listen address parses. A check with parameters
 * of its own ("policyd_spf_...": the param_prefix of its table entry)
 * reads them itself; they are not unknown names here.
 *
 * The config file is local, not peer input. Not thread-safe: the loop
 * thread loads and swaps it; workers get copies of what they need.
 */
#ifndef PW_POLICY_CONF_H
#define PW_POLICY_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sbuf;
struct conf;

#define POLICY_CONF_PREFIX "policyd_"
#define POLICY_CONF_MAX_CHECKS 8

struct policy_conf {
	/* listening socket (sock.h syntax) and who may connect */
	char *listen;
	char *listen_owner;
	char *listen_group;
	mode_t listen_mode;
	unsigned int listen_backlog;
	/* process */
	char *user;
	char *group;
	char *chroot;
	char *pid_file;
	unsigned int drain_timeout;
	unsigned int processes; /* serving processes; 0: see below */
	unsigned int workers;	/* SQL workers per check and process */
	unsigned int worker_queue;
	/* protocol */
	char *checks;		   /* "": every known check, in table order */
	char *default_action;	   /* answer on internal trouble */
	unsigned int idle_timeout; /* 0: none */
	unsigned int request_timeout; /* a started request must arrive */
	unsigned int check_timeout;   /* the checks must decide */
	unsigned int max_connections;
	unsigned int max_pipeline; /* requests in flight per connection */
	/* recipient and sender checks (policy_rcpt.h) */
	char *virtual_mailbox_domains;
	char *virtual_mailbox_maps;
	char *virtual_alias_domains;
	char *virtual_alias_maps;
	char *recipient_delimiter;
	char *sender_login_maps;
	bool reject_unauth_local_sender;

	/* derived by policy_conf_check: indexes into policy_decide_checks */
	size_t check_idx[POLICY_CONF_MAX_CHECKS];
	size_t n_checks;
};

/*
 * policy_conf_load - read path and fill *cf (release with
 * policy_conf_release); *conf_r (may be NULL) gets the parsed file for
 * the checks' own parameters (caller frees with conf_free). Returns 0,
 * or -1 with a message in err (nothing to release then).
 */
int policy_conf_load(const char *path, struct policy_conf *cf,
		     struct conf **conf_r, struct sbuf *err);
/* policy_conf_apply - the same from a parsed file (tests, reload) */
int policy_conf_apply(const struct conf *c, struct policy_conf *cf,
		      struct sbuf *err);
void policy_conf_release(struct policy_conf *cf);

/* policyd_processes = 0: one per CPU, at most the maximum */
#define POLICY_CONF_PROCESSES_MAX 16
/* policy_conf_default_processes - for ncpu CPUs (< 1: one). Pure. */
unsigned int policy_conf_default_processes(long ncpu);
/* policyd_workers = 0: this many per CPU, at most the maximum in all */
#define POLICY_CONF_WORKERS_PER_CPU 4
#define POLICY_CONF_WORKERS_MAX 32
/* policy_conf_default_workers - per process, for ncpu CPUs (< 1: one)
 * shared by that many processes; at least one. Pure. */
unsigned int policy_conf_default_workers(long ncpu, unsigned int processes);

#endif
