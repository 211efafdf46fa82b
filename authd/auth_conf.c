/*
 * auth_conf.c - the authd_ parameter table and its checks.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_cache.h"
#include "auth_conf.h"
#include "auth_mech.h"
#include "auth_passdb.h"
#include "auth_request.h"
#include "conf.h"
#include "pw_scheme.h"
#include "sbuf.h"

#define OFF(m) offsetof(struct auth_conf, m)

/* Defaults live here and in postwarden-authd(8) only. */
static const struct conf_param auth_conf_params[] = {
    {"listen", CONF_STR, "/var/spool/postfix/private/auth", 0, 0, OFF(listen)},
    {"listen_owner", CONF_STR, "postfix", 0, 0, OFF(listen_owner)},
    {"listen_group", CONF_STR, "postfix", 0, 0, OFF(listen_group)},
    {"listen_mode", CONF_MODE, "0660", 0, 0, OFF(listen_mode)},
    {"listen_backlog", CONF_UINT, "128", 1, 65535, OFF(listen_backlog)},
    {"user", CONF_STR, "postwarden", 0, 0, OFF(user)},
    {"group", CONF_STR, "", 0, 0, OFF(group)},
    {"chroot", CONF_STR, "", 0, 0, OFF(chroot)},
    {"pid_file", CONF_STR, "", 0, 0, OFF(pid_file)},
    {"drain_timeout", CONF_TIME, "15s", 0, 3600, OFF(drain_timeout)},
    /* 0: one per CPU for a passwd-file, 4 per CPU (at most 32, at least
     * one per CPU) for SQL: auth_conf_default_workers */
    {"workers", CONF_UINT, "0", 0, 256, OFF(workers)},
    {"worker_queue", CONF_UINT, "1024", 1, 1000000, OFF(worker_queue)},
    {"passdb", CONF_STR, "", 0, 0, OFF(passdb)},
    {"default_pass_scheme", CONF_STR, "", 0, 0, OFF(default_pass_scheme)},
    {"mechanisms", CONF_STR, "plain login", 0, 0, OFF(mechanisms)},
    {"username_format", CONF_STR, "%Lu", 0, 0, OFF(username_format)},
    {"default_realm", CONF_STR, "", 0, 0, OFF(default_realm)},
    {"master_users", CONF_STR, "", 0, 0, OFF(master_users)},
    {"hostname", CONF_STR, "", 0, 0, OFF(hostname)},
    {"failure_delay", CONF_TIME, "2s", 0, 5, OFF(failure_delay)},
    {"penalty_base", CONF_TIME, "2s", 0, AUTH_CONF_MAX_ADDED_DELAY,
     OFF(penalty_base)},
    {"penalty_max", CONF_TIME, "6s", 0, AUTH_CONF_MAX_ADDED_DELAY,
     OFF(penalty_max)},
    {"penalty_ttl", CONF_TIME, "30s", 1, 86400, OFF(penalty_ttl)},
    {"penalty_table_size", CONF_UINT, "65536", 16, 10000000,
     OFF(penalty_table_size)},
    {"tempfail_action", CONF_STR, "disconnect", 0, 0, OFF(tempfail_action)},
    {"idle_timeout", CONF_TIME, "1h", 0, 604800, OFF(idle_timeout)},
    {"request_timeout", CONF_TIME, "150s", 1, 3600, OFF(request_timeout)},
    {"max_connections", CONF_UINT, "4096", 1, 1000000, OFF(max_connections)},
    {"max_requests", CONF_UINT, "32", 1, 10000, OFF(max_requests)},
    /* off as Dovecot's auth_verbose: smtpd logs sasl_username already */
    {"log_logins", CONF_BOOL, "no", 0, 0, OFF(log_logins)},
    {"cache_size", CONF_UINT, "0", 0, AUTH_CACHE_MAX_SIZE, OFF(cache_size)},
    {"cache_ttl", CONF_TIME, "1h", 0, 604800, OFF(cache_ttl)},
    {"cache_negative_ttl", CONF_TIME, "1h", 0, 604800,
     OFF(cache_negative_ttl)},
    {"rehash_scheme", CONF_STR, "SHA512-CRYPT", 0, 0, OFF(rehash_scheme)},
    {"rehash_query", CONF_STR, "", 0, 0, OFF(rehash_query)},
    {NULL, 0, NULL, 0, 0, 0},
};

/* parse_mechanisms - authd_mechanisms into cf->mechs */
static int parse_mechanisms(struct auth_conf *cf, struct sbuf *err)
{
	const char *s = cf->mechanisms, *w;
	size_t len, i;

	cf->n_mechs = 0;
	while ((w = conf_next_word(&s, &len)) != NULL) {
		char name[32];
		const struct auth_mech *m = NULL;

		if (len < sizeof(name)) {
			memcpy(name, w, len);
			name[len] = '\0';
			m = auth_mech_find(name);
		}
		if (m == NULL) {
			sbuf_printf(err,
				    "authd_mechanisms: unknown mechanism "
				    "\"%.*s\"",
				    (int)len, w);
			return -1;
		}
		for (i = 0; i < cf->n_mechs; i++)
			if (cf->mechs[i] == m)
				break;
		if (i < cf->n_mechs)
			continue; /* listed twice: once is enough */
		if (cf->n_mechs == AUTH_CONF_MAX_MECHS)
			break;
		cf->mechs[cf->n_mechs++] = m;
	}
	if (cf->n_mechs == 0) {
		sbuf_append_str(err, "authd_mechanisms: empty; Postfix would "
				     "find no SASL mechanism");
		return -1;
	}
	return 0;
}

/* auth_conf_check - checks across parameters; derives the enums */
int auth_conf_check(struct auth_conf *cf, struct sbuf *err)
{
	struct sbuf *tmp = sbuf_new(64);
	int rc = -1;

	if (cf->passdb[0] == '\0') {
		sbuf_append_str(err, "authd_passdb is not set");
		goto out;
	}
	if (cf->listen[0] == '\0') {
		sbuf_append_str(err, "authd_listen is not set");
		goto out;
	}
	if (strcmp(cf->tempfail_action, "disconnect") == 0) {
		cf->tempfail = AUTH_TEMPFAIL_DISCONNECT;
	} else if (strcmp(cf->tempfail_action, "fail-temp") == 0) {
		cf->tempfail = AUTH_TEMPFAIL_FAIL_TEMP;
	} else {
		sbuf_append_str(err, "authd_tempfail_action: expected "
				     "disconnect or fail-temp");
		goto out;
	}
	if (parse_mechanisms(cf, err) < 0)
		goto out;
	if (auth_request_username(cf->username_format, cf->default_realm,
				  "User@Example.COM", tmp, err) < 0) {
		sbuf_append_str(err, " (authd_username_format)");
		goto out;
	}
	if (cf->penalty_base > cf->penalty_max) {
		sbuf_append_str(err, "authd_penalty_base is above "
				     "authd_penalty_max");
		goto out;
	}
	/* dovecot-auth.md section 8: past 10 s Postfix answers 454 */
	if (cf->failure_delay + cf->penalty_max > AUTH_CONF_MAX_ADDED_DELAY) {
		sbuf_printf(err,
			    "authd_failure_delay + authd_penalty_max "
			    "must stay at or below %us (Postfix waits "
			    "10s for the auth server)",
			    AUTH_CONF_MAX_ADDED_DELAY);
		goto out;
	}
	if (cf->request_timeout <= cf->failure_delay + cf->penalty_max) {
		sbuf_append_str(err, "authd_request_timeout must be longer "
				     "than the added delays");
		goto out;
	}
	if (!pw_scheme_can_generate(cf->rehash_scheme)) {
		sbuf_printf(err,
			    "authd_rehash_scheme: \"%s\" is unknown, weak "
			    "or cannot be generated",
			    cf->rehash_scheme);
		goto out;
	}
	if (cf->rehash_query[0] != '\0' &&
	    passdb_update_check(cf->rehash_query, err) < 0)
		goto out;
	if (cf->workers == 0)
		cf->workers = auth_conf_default_workers(
		    cf->passdb, sysconf(_SC_NPROCESSORS_ONLN));
	rc = 0;
out:
	sbuf_free(&tmp);
	return rc;
}

/* auth_conf_default_workers - CPUs, more of them with an SQL passdb */
unsigned int auth_conf_default_workers(const char *passdb, long ncpu)
{
	unsigned long n = ncpu > 0 ? (unsigned long)ncpu : 1;

	if (strncmp(passdb, "passwd-file:", 12) == 0)
		return n < 256 ? (unsigned int)n : 256;
	if (n >= 256)
		return 256;
	/* SQL: a worker waiting for a reply leaves its CPU idle */
	if (n * AUTH_CONF_SQL_WORKERS_PER_CPU <= AUTH_CONF_SQL_WORKERS_MAX)
		return (unsigned int)(n * AUTH_CONF_SQL_WORKERS_PER_CPU);
	return n > AUTH_CONF_SQL_WORKERS_MAX ? (unsigned int)n
					     : AUTH_CONF_SQL_WORKERS_MAX;
}

/* auth_conf_load - read, apply the table, check */
int auth_conf_load(const char *path, struct auth_conf *cf, struct sbuf *err)
{
	struct conf *c = NULL;
	int rc;

	memset(cf, 0, sizeof(*cf));
	if (conf_load(path, &c, NULL, err) < 0)
		return -1;
	rc = conf_apply(c, AUTH_CONF_PREFIX, auth_conf_params, cf, err);
	conf_free(&c);
	if (rc < 0) {
		auth_conf_release(cf); /* what was filled before the error */
		return -1;
	}
	if (auth_conf_check(cf, err) < 0) {
		auth_conf_release(cf);
		return -1;
	}
	return 0;
}

/* auth_conf_release - free the strings */
void auth_conf_release(struct auth_conf *cf)
{
	conf_release(auth_conf_params, cf);
}

/* auth_conf_is_master - exact match in authd_master_users */
bool auth_conf_is_master(const struct auth_conf *cf, const char *login)
{
	const char *s = cf->master_users, *w;
	size_t len, n = strlen(login);

	while ((w = conf_next_word(&s, &len)) != NULL)
		if (len == n && memcmp(w, login, n) == 0)
			return true;
	return false;
}
