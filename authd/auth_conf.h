/*
 * auth_conf.h - postwarden-authd's parameters (prefix "authd_").
 *
 * One table (auth_conf.c) holds every parameter with its type, default
 * and range; the man page postwarden-authd(8) documents them. Loading
 * also checks what the table cannot: the passdb is set, the mechanism
 * list names known mechanisms, the username format parses, the temporary
 * failure action is known, the failure delay plus the largest penalty
 * stay under Postfix's 10 s auth timeout, and the rehash scheme is a
 * strong one that can be generated and its query expands.
 *
 * The config file is local, not peer input. Not thread-safe: the loop
 * thread loads and swaps it; workers get copies of what they need.
 */
#ifndef PW_AUTH_CONF_H
#define PW_AUTH_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sbuf;
struct auth_mech;

#define AUTH_CONF_PREFIX "authd_"
#define AUTH_CONF_MAX_MECHS 8
/* Postfix gives up on the auth server after 10 s (AUTH_TIMEOUT); keep
 * our added delay (penalty + failure delay) below this. */
#define AUTH_CONF_MAX_ADDED_DELAY 8

enum auth_tempfail_action {
	AUTH_TEMPFAIL_DISCONNECT, /* close: Postfix answers 454 */
	AUTH_TEMPFAIL_FAIL_TEMP,  /* FAIL id temp: Postfix answers 535 */
};

struct auth_conf {
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
	unsigned int workers; /* 0: auth_conf_check picks, see below */
	unsigned int worker_queue;
	/* passwords */
	char *passdb;
	char *default_pass_scheme; /* "": the backend's own default */
	char *mechanisms;
	char *username_format;
	char *default_realm;
	char *master_users;
	char *hostname; /* CRAM-MD5 challenges; "": gethostname() */
	/* timing and abuse */
	unsigned int failure_delay;
	unsigned int penalty_base;
	unsigned int penalty_max;
	unsigned int penalty_ttl;
	unsigned int penalty_table_size;
	char *tempfail_action;
	unsigned int idle_timeout; /* 0: none */
	unsigned int request_timeout;
	unsigned int max_connections;
	unsigned int max_requests; /* in flight per connection */
	bool log_logins;	   /* a line per successful login */
	/* result cache (auth_cache.h); size 0: off */
	unsigned int cache_size;
	unsigned int cache_ttl;
	unsigned int cache_negative_ttl;
	/* rehash-on-login (auth_rehash.h); query "": off */
	char *rehash_scheme;
	char *rehash_query;

	/* derived by auth_conf_load */
	enum auth_tempfail_action tempfail;
	const struct auth_mech *mechs[AUTH_CONF_MAX_MECHS]; /* static */
	size_t n_mechs;
};

/*
 * auth_conf_load - read path and fill *cf (release with
 * auth_conf_release). Returns 0, or -1 with a message in err (nothing
 * to release then).
 */
int auth_conf_load(const char *path, struct auth_conf *cf, struct sbuf *err);
/* auth_conf_check - the cross-parameter checks of auth_conf_load */
int auth_conf_check(struct auth_conf *cf, struct sbuf *err);
void auth_conf_release(struct auth_conf *cf);

/*
 * auth_conf_default_workers - authd_workers = 0 for passdb on ncpu CPUs
 * (ncpu < 1: one): one per CPU for a passwd-file; with an SQL passdb
 * AUTH_CONF_SQL_WORKERS_PER_CPU per CPU, at most AUTH_CONF_SQL_WORKERS_MAX
 * but never fewer than one per CPU, so that hashing goes on while other
 * workers wait for the database. Never above 256.
 * auth_conf_check stores it in cf->workers. Pure.
 */
#define AUTH_CONF_SQL_WORKERS_PER_CPU 4
#define AUTH_CONF_SQL_WORKERS_MAX 32
unsigned int auth_conf_default_workers(const char *passdb, long ncpu);

/* auth_conf_is_master - is login (normalised) in authd_master_users? */
bool auth_conf_is_master(const struct auth_conf *cf, const char *login);

#endif
