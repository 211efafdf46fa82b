/*
 * policyd.c - postwarden-policyd: a Postfix policy delegation server
 * (check_policy_service) running the checks of policy_decide.h.
 *
 * The life cycle is daemon.h's: load the config, bind the socket as
 * root; then in each serving process (policyd_processes, one per CPU
 * by default: one event loop per CPU) open every configured check as
 * root (.cf files with database passwords are root-only), drop
 * privileges, start the checks and the server on the event loop. See
 * postwarden-policyd(8).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "policy_conf.h"
#include "policy_decide.h"
#include "policy_server.h"
#include "sbuf.h"
#include "sock.h"
#include "xalloc.h"

struct policyd {
	struct policy_conf cf;
	bool cf_loaded;
	struct conf *conf; /* the whole file, for the checks' parameters */
	struct daemon *d;
	int listen_fd;
	void *ctx[POLICY_CONF_MAX_CHECKS]; /* per configured check */
	struct policy_check checks[POLICY_CONF_MAX_CHECKS];
	size_t n_open;
	struct policy_decide *decide;
	struct policy_server *srv;
};

/* policyd_load_config - the load_config hook */
static int policyd_load_config(void *ctx, const char *path,
			       struct daemon_env *env_r, struct sbuf *err)
{
	struct policyd *p = ctx;

	if (policy_conf_load(path, &p->cf, &p->conf, err) < 0)
		return -1;
	p->cf_loaded = true;
	env_r->pid_file = p->cf.pid_file;
	env_r->user = p->cf.user;
	env_r->group = p->cf.group;
	env_r->chroot_dir = p->cf.chroot;
	env_r->drain_timeout = p->cf.drain_timeout;
	env_r->processes = p->cf.processes;
	return 0;
}

/* def_of - the table entry of the i-th configured check */
static const struct policy_check_def *def_of(const struct policyd *p, size_t i)
{
	return &policy_decide_checks[p->cf.check_idx[i]];
}

/* policyd_bind - the bind hook: the socket (as root) */
static int policyd_bind(void *ctx, struct sbuf *err)
{
	struct policyd *p = ctx;
	struct sock_spec *spec = NULL;
	struct sock_perm perm = {NULL, NULL, p->cf.listen_mode};
	int rc;

	if (p->cf.listen_owner[0] != '\0')
		perm.owner = p->cf.listen_owner;
	if (p->cf.listen_group[0] != '\0')
		perm.group = p->cf.listen_group;
	if (sock_spec_parse(p->cf.listen, &spec, err) < 0)
		return -1;
	rc = sock_listen(spec, &perm, (int)p->cf.listen_backlog, &p->listen_fd,
			 err);
	sock_spec_free(&spec);
	return rc;
}

/* policyd_prepare - the prepare hook: this process's checks (as root) */
static int policyd_prepare(void *ctx, struct sbuf *err)
{
	struct policyd *p = ctx;
	struct policy_check_env env;

	env.conf = p->conf;
	env.cf = &p->cf;
	env.workers = p->cf.workers;
	for (p->n_open = 0; p->n_open < p->cf.n_checks; p->n_open++) {
		const struct policy_check_def *def = def_of(p, p->n_open);

		p->ctx[p->n_open] = def->open(&env, err);
		if (p->ctx[p->n_open] == NULL) {
			sbuf_printf(err, " (check %s)", def->name);
			return -1;
		}
	}
	return 0;
}

/* drained - the server has no connection left */
static void drained(void *arg)
{
	struct policyd *p = arg;

	daemon_drain_done(p->d);
}

/* policyd_start - the start hook: checks and the server */
static int policyd_start(void *ctx, struct daemon *d, struct sbuf *err)
{
	struct policyd *p = ctx;
	struct sbuf *names = sbuf_new(64);
	size_t i;

	p->d = d;
	for (i = 0; i < p->n_open; i++) {
		if (def_of(p, i)->start(p->ctx[i], daemon_base(d),
					&p->checks[i], err) < 0) {
			sbuf_printf(err, " (check %s)", def_of(p, i)->name);
			sbuf_free(&names);
			return -1;
		}
		sbuf_printf(names, "%s%s", i > 0 ? ", " : "",
			    def_of(p, i)->name);
	}
	p->decide = policy_decide_new(p->checks, p->n_open);
	p->srv = policy_server_new(daemon_base(d), p->listen_fd, &p->cf,
				   p->decide, drained, p);
	log_info("listening on %s; checks: %s; %u SQL workers per check",
		 p->cf.listen, p->n_open > 0 ? sbuf_cstr(names) : "none",
		 p->cf.workers);
	sbuf_free(&names);
	return 0;
}

/* changed - did a restart-only string parameter change? */
static bool changed(const char *a, const char *b) { return strcmp(a, b) != 0; }

/* tables_changed - any of the checks' tables */
static bool tables_changed(const struct policy_conf *a,
			   const struct policy_conf *b)
{
	return changed(a->virtual_mailbox_domains,
		       b->virtual_mailbox_domains) ||
	       changed(a->virtual_mailbox_maps, b->virtual_mailbox_maps) ||
	       changed(a->virtual_alias_domains, b->virtual_alias_domains) ||
	       changed(a->virtual_alias_maps, b->virtual_alias_maps) ||
	       changed(a->recipient_delimiter, b->recipient_delimiter) ||
	       changed(a->sender_login_maps, b->sender_login_maps) ||
	       a->reject_unauth_local_sender != b->reject_unauth_local_sender;
}

/* policyd_reload - the reload hook: timing, limits, default action;
 * the socket, checks, tables, users and workers need a restart */
static int policyd_reload(void *ctx, const char *path, struct sbuf *err)
{
	struct policyd *p = ctx;
	struct policy_conf cf;

	if (policy_conf_load(path, &cf, NULL, err) < 0)
		return -1;
	if (changed(cf.listen, p->cf.listen) || changed(cf.user, p->cf.user) ||
	    changed(cf.checks, p->cf.checks) || cf.workers != p->cf.workers ||
	    cf.processes != p->cf.processes || tables_changed(&cf, &p->cf))
		log_warn("policyd_listen, policyd_user, policyd_checks, "
			 "policyd_processes, policyd_workers and the tables "
			 "take effect after a restart");
	/* Keep what needs a restart: the checks opened with the old
	 * strings, which stay ours until exit. */
	{
		struct policy_conf keep = p->cf;

		/* swap only the numbers and the default action */
		keep.idle_timeout = cf.idle_timeout;
		keep.request_timeout = cf.request_timeout;
		keep.check_timeout = cf.check_timeout;
		keep.max_connections = cf.max_connections;
		keep.max_pipeline = cf.max_pipeline;
		free(keep.default_action);
		keep.default_action = cf.default_action;
		cf.default_action = NULL;
		p->cf = keep;
	}
	policy_conf_release(&cf);
	if (p->srv != NULL)
		policy_server_set_conf(p->srv, &p->cf);
	return 0;
}

/* policyd_drain - the drain hook */
static void policyd_drain(void *ctx)
{
	struct policyd *p = ctx;

	close(p->listen_fd);
	p->listen_fd = -1;
	if (p->srv != NULL)
		policy_server_drain(p->srv);
	else
		daemon_drain_done(p->d);
}

/* policyd_stop - the stop hook: connections, then the checks */
static void policyd_stop(void *ctx)
{
	struct policyd *p = ctx;
	size_t i;

	policy_server_free(&p->srv);
	policy_decide_free(&p->decide);
	for (i = 0; i < p->n_open; i++) {
		def_of(p, i)->close(p->ctx[i]);
		p->ctx[i] = NULL;
	}
	p->n_open = 0;
}

int main(int argc, char **argv)
{
	static const struct daemon_hooks hooks = {
	    .name = "policyd",
	    .load_config = policyd_load_config,
	    .bind = policyd_bind,
	    .prepare = policyd_prepare,
	    .start = policyd_start,
	    .reload = policyd_reload,
	    .drain = policyd_drain,
	    .stop = policyd_stop,
	};
	struct policyd p;
	size_t i;
	int status;

	memset(&p, 0, sizeof(p));
	p.listen_fd = -1;
	status = daemon_main(argc, argv, &hooks, &p);
	if (p.listen_fd >= 0)
		close(p.listen_fd);
	for (i = 0; i < p.n_open; i++)
		if (p.ctx[i] != NULL)
			def_of(&p, i)->close(p.ctx[i]);
	conf_free(&p.conf);
	if (p.cf_loaded)
		policy_conf_release(&p.cf);
	return status;
}
