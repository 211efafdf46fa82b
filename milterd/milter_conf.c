/*
 * milter_conf.c - the milterd_ parameter table and its checks.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "milter_conf.h"
#include "milter_nets.h"
#include "sbuf.h"
#include "sock.h"
#include "sqldb_conf.h"
#include "xalloc.h"

#define OFF(m) offsetof(struct milter_conf, m)

/* Defaults live here and in postwarden-milterd(8) only. The On-*
 * defaults are OpenDKIM's (opendkim.conf(5)). */
static const struct conf_param milter_conf_params[] = {
    {"socket", CONF_STR, "unix:/run/postwarden/milterd.sock", 0, 0,
     OFF(socket)},
    {"socket_mode", CONF_MODE, "0660", 0, 0, OFF(socket_mode)},
    /* libmilter's default: an idle SMTP session must not lose the milter */
    {"timeout", CONF_TIME, "7210s", 1, 86400, OFF(timeout)},
    {"user", CONF_STR, "postwarden", 0, 0, OFF(user)},
    {"group", CONF_STR, "", 0, 0, OFF(group)},
    {"pid_file", CONF_STR, "", 0, 0, OFF(pid_file)},
    {"key_table", CONF_STR, "", 0, 0, OFF(key_table)},
    {"signing_table", CONF_STR, "", 0, 0, OFF(signing_table)},
    {"multiple_signatures", CONF_BOOL, "no", 0, 0, OFF(multiple_signatures)},
    {"sql_keys", CONF_BOOL, "no", 0, 0, OFF(sql_keys)},
    {"internal_hosts", CONF_STR, "127.0.0.1, ::1", 0, 0, OFF(internal_hosts)},
    {"sign_daemon_names", CONF_STR, "", 0, 0, OFF(sign_daemon_names)},
    {"mode", CONF_STR, "sv", 0, 0, OFF(mode)},
    {"canonicalization", CONF_STR, "relaxed/relaxed", 0, 0,
     OFF(canonicalization)},
    {"authserv_id", CONF_STR, "", 0, 0, OFF(authserv_id)},
    {"max_signatures", CONF_UINT, "5", 1, 100, OFF(max_signatures)},
    {"on_bad_signature", CONF_STR, "accept", 0, 0, OFF(on_bad_signature)},
    {"on_dns_error", CONF_STR, "tempfail", 0, 0, OFF(on_dns_error)},
    {"on_internal_error", CONF_STR, "tempfail", 0, 0,
     OFF(on_internal_error)},
    {"on_key_not_found", CONF_STR, "accept", 0, 0, OFF(on_key_not_found)},
    {"on_no_signature", CONF_STR, "accept", 0, 0, OFF(on_no_signature)},
    {"dns_servers", CONF_STR, "", 0, 0, OFF(dns_servers)},
    {"dns_timeout", CONF_TIME, "5s", 1, 60, OFF(dns_timeout)},
    {"key_cache_size", CONF_UINT, "4096", 0, 1000000, OFF(key_cache_size)},
    {"key_cache_ttl", CONF_TIME, "1h", 0, 86400, OFF(key_cache_ttl)},
    {NULL, 0, NULL, 0, 0, 0},
};

int milter_conf_action(const char *s, enum milter_action *act_r)
{
	if (strcasecmp(s, "accept") == 0 || strcasecmp(s, "a") == 0)
		*act_r = MILTER_ACTION_ACCEPT;
	else if (strcasecmp(s, "reject") == 0 || strcasecmp(s, "r") == 0)
		*act_r = MILTER_ACTION_REJECT;
	else if (strcasecmp(s, "tempfail") == 0 || strcasecmp(s, "t") == 0)
		*act_r = MILTER_ACTION_TEMPFAIL;
	else
		return -1;
	return 0;
}

const char *milter_conf_action_name(enum milter_action a)
{
	switch (a) {
	case MILTER_ACTION_ACCEPT:
		return "accept";
	case MILTER_ACTION_REJECT:
		return "reject";
	case MILTER_ACTION_TEMPFAIL:
		return "tempfail";
	}
	return "?";
}

/* milter_conf_canon_one - "simple" or "relaxed" (n bytes at s) */
static int milter_conf_canon_one(const char *s, size_t n,
				 enum dkim_canon_alg *c_r)
{
	if (n == 6 && strncasecmp(s, "simple", n) == 0)
		*c_r = DKIM_CANON_SIMPLE;
	else if (n == 7 && strncasecmp(s, "relaxed", n) == 0)
		*c_r = DKIM_CANON_RELAXED;
	else
		return -1;
	return 0;
}

/* milter_conf_canon - "header/body" or one name for both (opendkim) */
static int milter_conf_canon(struct milter_conf *cf, struct sbuf *err)
{
	const char *s = cf->canonicalization, *slash = strchr(s, '/');
	int rc;

	if (slash == NULL) {
		/* OpenDKIM: "relaxed" alone is relaxed/simple, as RFC
		 * 6376 3.5 reads a c= without a body part */
		rc = milter_conf_canon_one(s, strlen(s), &cf->hcanon);
		cf->bcanon = DKIM_CANON_SIMPLE;
	} else {
		rc = milter_conf_canon_one(s, (size_t)(slash - s),
					   &cf->hcanon);
		if (rc == 0)
			rc = milter_conf_canon_one(slash + 1,
						   strlen(slash + 1),
						   &cf->bcanon);
	}
	if (rc < 0)
		sbuf_printf(err,
			    "milterd_canonicalization: \"%s\": expected "
			    "simple or relaxed, as header/body",
			    s);
	return rc;
}

/* milter_conf_mode - "sv", "s" or "v" */
static int milter_conf_mode(struct milter_conf *cf, struct sbuf *err)
{
	const char *m = cf->mode;

	cf->do_sign = strchr(m, 's') != NULL;
	cf->do_verify = strchr(m, 'v') != NULL;
	if (m[strspn(m, "sv")] != '\0' || (!cf->do_sign && !cf->do_verify) ||
	    strlen(m) > 2 || (strlen(m) == 2 && m[0] == m[1])) {
		sbuf_printf(err, "milterd_mode: \"%s\": expected sv, s or v",
			    m);
		return -1;
	}
	return 0;
}

/* milter_conf_actions - every milterd_on_* value */
static int milter_conf_actions(struct milter_conf *cf, struct sbuf *err)
{
	const struct {
		const char *name;
		const char *val;
		enum milter_action *dst;
	} acts[] = {
	    {"on_bad_signature", cf->on_bad_signature, &cf->act_bad_signature},
	    {"on_dns_error", cf->on_dns_error, &cf->act_dns_error},
	    {"on_internal_error", cf->on_internal_error,
	     &cf->act_internal_error},
	    {"on_key_not_found", cf->on_key_not_found, &cf->act_key_not_found},
	    {"on_no_signature", cf->on_no_signature, &cf->act_no_signature},
	};

	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		if (milter_conf_action(acts[i].val, acts[i].dst) < 0) {
			sbuf_printf(err,
				    "milterd_%s: \"%s\": expected accept, "
				    "reject or tempfail",
				    acts[i].name, acts[i].val);
			return -1;
		}
	}
	return 0;
}

/* milter_conf_socket - check the socket and write libmilter's form */
static int milter_conf_socket(struct milter_conf *cf, struct sbuf *err)
{
	struct sock_spec *spec = NULL;
	struct sbuf *b = sbuf_new(64);
	int rc = -1;

	if (sock_spec_parse(cf->socket, &spec, err) < 0) {
		sbuf_append_str(err, " (milterd_socket)");
		goto out;
	}
	/* libmilter reads "inet:" as IPv4 only: keep what asked for IPv6 */
	if (spec->kind == SOCK_KIND_UNIX)
		sbuf_printf(b, "local:%s", spec->path);
	else if (spec->host == NULL)
		sbuf_printf(b, "%s:%u", spec->inet6 ? "inet6" : "inet",
			    spec->port);
	else
		sbuf_printf(b, "%s:%u@%s", spec->inet6 ? "inet6" : "inet",
			    spec->port, spec->host);
	cf->milter_socket = sbuf_steal(b);
	rc = 0;
out:
	sock_spec_free(&spec);
	sbuf_free(&b);
	return rc;
}

/* milter_conf_check - checks across parameters; derived values */
static int milter_conf_check(struct milter_conf *cf, struct sbuf *err)
{
	const char *st = cf->signing_table;
	char host[MILTER_CONF_HOSTNAME_MAX + 1];

	if (milter_conf_socket(cf, err) < 0 || milter_conf_mode(cf, err) < 0 ||
	    milter_conf_canon(cf, err) < 0 || milter_conf_actions(cf, err) < 0)
		return -1;
	if (milter_nets_parse(cf->internal_hosts, &cf->internal, err) < 0) {
		sbuf_append_str(err, " (milterd_internal_hosts)");
		return -1;
	}
	if (strncmp(st, "refile:", 7) == 0) {
		cf->signing_table_refile = true;
		st += 7;
	} else if (strncmp(st, "file:", 5) == 0) {
		st += 5;
	}
	cf->signing_table_path = st;
	if (cf->do_sign && (cf->key_table[0] == '\0') != (st[0] == '\0')) {
		sbuf_printf(err, "milterd_%s is set, but milterd_%s is not",
			    st[0] == '\0' ? "key_table" : "signing_table",
			    st[0] == '\0' ? "signing_table" : "key_table");
		return -1;
	}
	if (cf->do_sign && st[0] == '\0' && !cf->sql_keys) {
		sbuf_append_str(err, "milterd_mode signs, but has no keys: "
				     "set milterd_key_table and "
				     "milterd_signing_table, or "
				     "milterd_sql_keys = yes");
		return -1;
	}
	if (cf->sql_keys && sqldb_conf_params(&cf->db, &cf->db_params, err) <
				0) {
		sbuf_append_str(err, " (milterd_sql_keys)");
		return -1;
	}
	if (cf->authserv_id[0] != '\0') {
		cf->authserv = xstrdup(cf->authserv_id);
	} else {
		memset(host, 0, sizeof(host));
		if (gethostname(host, sizeof(host) - 1) < 0 || host[0] == '\0')
			snprintf(host, sizeof(host), "localhost");
		cf->authserv = xstrdup(host);
	}
	if (strpbrk(cf->authserv, " \t\r\n;()\"\\") != NULL) {
		sbuf_printf(err, "milterd_authserv_id: \"%s\" is not an "
				 "RFC 8601 token", cf->authserv);
		return -1;
	}
	return 0;
}

int milter_conf_apply(const struct conf *c, struct milter_conf *cf,
		      struct sbuf *err)
{
	memset(cf, 0, sizeof(*cf));
	if (conf_apply(c, MILTER_CONF_PREFIX, milter_conf_params, cf, err) <
		0 ||
	    (cf->sql_keys && sqldb_conf_apply(c, &cf->db, err) < 0) ||
	    milter_conf_check(cf, err) < 0) {
		milter_conf_release(cf);
		return -1;
	}
	return 0;
}

int milter_conf_load(const char *path, struct milter_conf *cf,
		     struct sbuf *err)
{
	struct conf *c = NULL;
	int rc;

	memset(cf, 0, sizeof(*cf));
	if (conf_load(path, &c, NULL, err) < 0)
		return -1;
	rc = milter_conf_apply(c, cf, err);
	if (rc == 0 && cf->sql_keys &&
	    sqldb_conf_password_exposed(&cf->db, path))
		log_warn("%s holds db_password and is world-readable: "
			 "chmod o-r %s",
			 path, path);
	conf_free(&c);
	return rc;
}

void milter_conf_release(struct milter_conf *cf)
{
	conf_release(milter_conf_params, cf);
	sqldb_conf_release(&cf->db);
	memset(&cf->db_params, 0, sizeof(cf->db_params));
	milter_nets_free(&cf->internal);
	free(cf->milter_socket);
	free(cf->authserv);
	cf->milter_socket = NULL;
	cf->authserv = NULL;
}

bool milter_conf_is_sign_daemon(const struct milter_conf *cf,
				const char *name)
{
	const char *s = cf->sign_daemon_names, *w;
	size_t len, n = strlen(name);

	while ((w = conf_next_word(&s, &len)) != NULL)
		if (len == n && memcmp(w, name, n) == 0)
			return true;
	return false;
}
