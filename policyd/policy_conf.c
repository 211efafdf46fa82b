/*
 * policy_conf.c - the policyd_ parameter table and its checks.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "policy_conf.h"
#include "policy_decide.h"
#include "policy_proto.h"
#include "sbuf.h"
#include "sock.h"
#include "xalloc.h"

#define OFF(m) offsetof(struct policy_conf, m)

/* Defaults live here and in postwarden-policyd(8) only. */
static const struct conf_param policy_conf_params[] = {
    {"listen", CONF_STR, "/var/spool/postfix/private/policyd", 0, 0,
     OFF(listen)},
    {"listen_owner", CONF_STR, "postfix", 0, 0, OFF(listen_owner)},
    {"listen_group", CONF_STR, "postfix", 0, 0, OFF(listen_group)},
    {"listen_mode", CONF_MODE, "0660", 0, 0, OFF(listen_mode)},
    {"listen_backlog", CONF_UINT, "128", 1, 65535, OFF(listen_backlog)},
    {"user", CONF_STR, "postwarden", 0, 0, OFF(user)},
    {"group", CONF_STR, "", 0, 0, OFF(group)},
    {"chroot", CONF_STR, "", 0, 0, OFF(chroot)},
    {"pid_file", CONF_STR, "", 0, 0, OFF(pid_file)},
    {"drain_timeout", CONF_TIME, "15s", 0, 3600, OFF(drain_timeout)},
    /* 0: one per CPU, at most 16 (policy_conf_default_processes) */
    {"processes", CONF_UINT, "0", 0, 64, OFF(processes)},
    /* 0: 4 per CPU over the processes, at most 32 in all
     * (policy_conf_default_workers) */
    {"workers", CONF_UINT, "0", 0, 256, OFF(workers)},
    {"worker_queue", CONF_UINT, "1024", 1, 1000000, OFF(worker_queue)},
    /* "": every check policyd knows, in policy_decide_checks order */
    {"checks", CONF_STR, "", 0, 0, OFF(checks)},
    /* Postfix: 450 4.3.0 unless a later restriction rejects anyway */
    {"default_action", CONF_STR,
     "DEFER_IF_PERMIT 4.3.0 Service temporarily unavailable", 0, 0,
     OFF(default_action)},
    /* Postfix closes an idle connection after 300s itself */
    {"idle_timeout", CONF_TIME, "1h", 0, 604800, OFF(idle_timeout)},
    {"request_timeout", CONF_TIME, "10s", 1, 3600, OFF(request_timeout)},
    /* below smtpd_policy_service_timeout (100s) */
    {"check_timeout", CONF_TIME, "60s", 1, 3600, OFF(check_timeout)},
    {"max_connections", CONF_UINT, "1024", 1, 1000000, OFF(max_connections)},
    {"max_pipeline", CONF_UINT, "16", 1, 10000, OFF(max_pipeline)},
    {"virtual_mailbox_domains", CONF_STR, "", 0, 0,
     OFF(virtual_mailbox_domains)},
    {"virtual_mailbox_maps", CONF_STR, "", 0, 0, OFF(virtual_mailbox_maps)},
    {"virtual_alias_domains", CONF_STR, "", 0, 0, OFF(virtual_alias_domains)},
    {"virtual_alias_maps", CONF_STR, "", 0, 0, OFF(virtual_alias_maps)},
    {"recipient_delimiter", CONF_STR, "+", 0, 0, OFF(recipient_delimiter)},
    {"sender_login_maps", CONF_STR, "", 0, 0, OFF(sender_login_maps)},
    {"reject_unauth_local_sender", CONF_BOOL, "no", 0, 0,
     OFF(reject_unauth_local_sender)},
    {NULL, 0, NULL, 0, 0, 0},
};

/* parse_checks - policyd_checks into cf->check_idx */
static int parse_checks(struct policy_conf *cf, struct sbuf *err)
{
	const char *s = cf->checks, *w;
	size_t len, i;
	int idx;

	cf->n_checks = 0;
	if (conf_next_word(&s, &len) == NULL) {
		for (idx = 0; policy_decide_checks[idx].name != NULL &&
			      cf->n_checks < POLICY_CONF_MAX_CHECKS;
		     idx++)
			cf->check_idx[cf->n_checks++] = (size_t)idx;
		return 0;
	}
	s = cf->checks;
	while ((w = conf_next_word(&s, &len)) != NULL) {
		if ((idx = policy_decide_find(w, len)) < 0) {
			sbuf_printf(err,
				    "policyd_checks: unknown check \"%.*s\"",
				    (int)len, w);
			return -1;
		}
		for (i = 0; i < cf->n_checks; i++)
			if (cf->check_idx[i] == (size_t)idx)
				break;
		if (i < cf->n_checks)
			continue; /* listed twice: once is enough */
		if (cf->n_checks == POLICY_CONF_MAX_CHECKS)
			break;
		cf->check_idx[cf->n_checks++] = (size_t)idx;
	}
	return 0;
}

/* is_loopback - a literal loopback address or "localhost" */
static bool is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (host == NULL)
		return false; /* any address */
	if (strcmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

/* check - what the table cannot say */
static int check(struct policy_conf *cf, struct sbuf *err)
{
	struct sock_spec *spec = NULL;

	if (cf->listen[0] == '\0') {
		sbuf_append_str(err, "policyd_listen is not set");
		return -1;
	}
	if (sock_spec_parse(cf->listen, &spec, err) < 0) {
		sbuf_append_str(err, " (policyd_listen)");
		return -1;
	}
	if (spec->kind == SOCK_KIND_INET && !is_loopback(spec->host)) {
		/* the protocol has no authentication: anyone who can connect
		 * can ask about our users */
		sbuf_append_str(err,
				"policyd_listen: a TCP listener must be on "
				"a loopback address (127.0.0.0/8, ::1)");
		sock_spec_free(&spec);
		return -1;
	}
	sock_spec_free(&spec);
	if (!policy_action_is_valid(cf->default_action)) {
		sbuf_append_str(err, "policyd_default_action: not a valid "
				     "action (empty, too long or control "
				     "characters)");
		return -1;
	}
	if (parse_checks(cf, err) < 0)
		return -1;
	if (cf->processes == 0)
		cf->processes = policy_conf_default_processes(
		    sysconf(_SC_NPROCESSORS_ONLN));
	if (cf->workers == 0)
		cf->workers = policy_conf_default_workers(
		    sysconf(_SC_NPROCESSORS_ONLN), cf->processes);
	return 0;
}

/* check_checks - each configured check's own parameters */
static int check_checks(const struct conf *c, const struct policy_conf *cf,
			struct sbuf *err)
{
	size_t i;

	for (i = 0; i < cf->n_checks; i++) {
		const struct policy_check_def *def =
		    &policy_decide_checks[cf->check_idx[i]];

		if (def->check_conf != NULL && def->check_conf(c, err) < 0)
			return -1;
	}
	return 0;
}

/*
 * check_prefixes - the param_prefix of every check that reads parameters
 * of its own ("policyd_spf_"), NULL-terminated; caller frees with free()
 */
static const char **check_prefixes(void)
{
	const char **list;
	size_t i, n = 0;

	for (i = 0; policy_decide_checks[i].name != NULL; i++)
		;
	list = xcalloc(i + 1, sizeof(*list));
	for (i = 0; policy_decide_checks[i].name != NULL; i++)
		if (policy_decide_checks[i].param_prefix != NULL)
			list[n++] = policy_decide_checks[i].param_prefix;
	return list;
}

/*
 * policy_conf_apply - fill cf. The names a check owns are that check's
 * to read and check (check_checks), so they are not unknown names here.
 */
int policy_conf_apply(const struct conf *c, struct policy_conf *cf,
		      struct sbuf *err)
{
	const char **skip = check_prefixes();
	int rc = -1;

	memset(cf, 0, sizeof(*cf));
	if (conf_apply_except(c, POLICY_CONF_PREFIX, skip, policy_conf_params,
			      cf, err) < 0) {
		policy_conf_release(cf);
		goto out;
	}
	if (check(cf, err) < 0 || check_checks(c, cf, err) < 0) {
		policy_conf_release(cf);
		goto out;
	}
	rc = 0;
out:
	free(skip);
	return rc;
}

/* policy_conf_load - read, apply, check */
int policy_conf_load(const char *path, struct policy_conf *cf,
		     struct conf **conf_r, struct sbuf *err)
{
	struct conf *c = NULL;
	int rc;

	memset(cf, 0, sizeof(*cf));
	if (conf_load(path, &c, NULL, err) < 0)
		return -1;
	rc = policy_conf_apply(c, cf, err);
	if (rc == 0 && conf_r != NULL)
		*conf_r = c;
	else
		conf_free(&c);
	return rc;
}

/* policy_conf_release - free the strings */
void policy_conf_release(struct policy_conf *cf)
{
	conf_release(policy_conf_params, cf);
}

/* policy_conf_default_processes - one event loop per CPU */
unsigned int policy_conf_default_processes(long ncpu)
{
	if (ncpu < 1)
		return 1;
	if (ncpu > POLICY_CONF_PROCESSES_MAX)
		return POLICY_CONF_PROCESSES_MAX;
	return (unsigned int)ncpu;
}

/* policy_conf_default_workers - SQL waits leave CPUs idle; the
 * processes share the total */
unsigned int policy_conf_default_workers(long ncpu, unsigned int processes)
{
	unsigned long n = ncpu > 0 ? (unsigned long)ncpu : 1;
	unsigned long total = n * POLICY_CONF_WORKERS_PER_CPU;

	if (total > POLICY_CONF_WORKERS_MAX)
		total = POLICY_CONF_WORKERS_MAX;
	if (processes > 1)
		total /= processes;
	return total > 0 ? (unsigned int)total : 1;
}
