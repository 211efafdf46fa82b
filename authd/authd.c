/*
 * authd.c - postwarden-authd: a SASL authentication server speaking the
 * Dovecot auth protocol, for Postfix's smtpd_sasl_type = dovecot.
 *
 * The life cycle is daemon.h's: load the config, bind the socket and
 * open one passdb handle per worker as root (.cf files with database
 * passwords are root-only), drop privileges, start the workers and the
 * server on the event loop. See postwarden-authd(8).
 */
#include "config.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/util.h>

#include "auth_conf.h"
#include "auth_passdb.h"
#include "auth_request.h"
#include "auth_server.h"
#include "daemon.h"
#include "log.h"
#include "pw_scheme.h"
#include "sbuf.h"
#include "sock.h"
#include "workq.h"
#include "xalloc.h"

#define AUTHD_HOSTNAME_MAX 255

struct authd {
	struct auth_conf cf;
	bool cf_loaded;
	struct daemon *d;
	int listen_fd;
	unsigned int nworkers;
	struct passdb **passdbs; /* one per worker, opened as root */
	atomic_uint next_passdb; /* handed out by worker_init */
	char *dummy_hash;	 /* for unknown users */
	char *default_scheme;	 /* NULL: each backend's own */
	char hostname[AUTHD_HOSTNAME_MAX + 1];
	struct auth_verify_ctx vctx;
	struct workq *wq;
	struct auth_server *srv;
};

/* authd_load_config - the load_config hook */
static int authd_load_config(void *ctx, const char *path,
			     struct daemon_env *env_r, struct sbuf *err)
{
	struct authd *a = ctx;

	if (auth_conf_load(path, &a->cf, err) < 0)
		return -1;
	a->cf_loaded = true;
	env_r->pid_file = a->cf.pid_file;
	env_r->user = a->cf.user;
	env_r->group = a->cf.group;
	env_r->chroot_dir = a->cf.chroot;
	env_r->drain_timeout = a->cf.drain_timeout;
	return 0;
}

/* lookup - auth_lookup_fn over the real passdb */
static enum passdb_result lookup(void *db, const char *login,
				 struct passdb_entry *e, struct sbuf *err)
{
	return passdb_lookup(db, login, e, err);
}

/* make_dummy_hash - a hash of random bytes in the scheme users have */
static int make_dummy_hash(struct authd *a, struct sbuf *err)
{
	const char *scheme =
	    a->default_scheme != NULL ? a->default_scheme : PW_SCHEME_DEFAULT;
	unsigned char rnd[18];
	char pw[sizeof(rnd) * 2 + 1];
	struct sbuf *out = sbuf_new(128);
	size_t i;
	int rc;

	evutil_secure_rng_get_bytes(rnd, sizeof(rnd));
	for (i = 0; i < sizeof(rnd); i++) {
		pw[2 * i] = "0123456789abcdef"[rnd[i] >> 4];
		pw[2 * i + 1] = "0123456789abcdef"[rnd[i] & 15];
	}
	pw[sizeof(pw) - 1] = '\0';
	if (!pw_scheme_can_generate(scheme))
		scheme = PW_SCHEME_DEFAULT;
	rc = pw_scheme_generate(scheme, pw, "nobody", 0, out, err);
	if (rc == 0)
		a->dummy_hash = sbuf_steal(out);
	wipe_bytes(pw, sizeof(pw));
	wipe_bytes(rnd, sizeof(rnd));
	sbuf_free_secret(&out);
	return rc;
}

/* authd_bind - the bind hook: socket, passdb handles (as root) */
static int authd_bind(void *ctx, struct sbuf *err)
{
	struct authd *a = ctx;
	struct sock_spec *spec = NULL;
	struct sock_perm perm = {NULL, NULL, a->cf.listen_mode};
	unsigned int i;
	int rc;

	if (a->cf.listen_owner[0] != '\0')
		perm.owner = a->cf.listen_owner;
	if (a->cf.listen_group[0] != '\0')
		perm.group = a->cf.listen_group;
	if (sock_spec_parse(a->cf.listen, &spec, err) < 0)
		return -1;
	rc = sock_listen(spec, &perm, (int)a->cf.listen_backlog, &a->listen_fd,
			 err);
	sock_spec_free(&spec);
	if (rc < 0)
		return -1;

	/* auth_conf_check turned 0 into the default for this passdb */
	a->nworkers = a->cf.workers;
	if (a->cf.default_pass_scheme[0] != '\0')
		a->default_scheme = xstrdup(a->cf.default_pass_scheme);
	a->passdbs = xcalloc(a->nworkers, sizeof(*a->passdbs));
	for (i = 0; i < a->nworkers; i++) {
		a->passdbs[i] =
		    passdb_open(a->cf.passdb, a->default_scheme, err);
		if (a->passdbs[i] == NULL)
			return -1;
	}
	if (make_dummy_hash(a, err) < 0)
		return -1;
	if (a->cf.hostname[0] != '\0') {
		snprintf(a->hostname, sizeof(a->hostname), "%s",
			 a->cf.hostname);
	} else if (gethostname(a->hostname, sizeof(a->hostname) - 1) < 0) {
		snprintf(a->hostname, sizeof(a->hostname), "localhost");
	}
	return 0;
}

/* worker_init - each worker takes its own passdb handle */
static void *worker_init(void *init_arg)
{
	struct authd *a = init_arg;
	unsigned int i = atomic_fetch_add(&a->next_passdb, 1);

	if (i >= a->nworkers)
		log_panic("authd: more workers than passdb handles");
	return a->passdbs[i];
}

/* drained - the server has no connection left */
static void drained(void *arg)
{
	struct authd *a = arg;

	daemon_drain_done(a->d);
}

/* authd_start - the start hook: workers and the server */
static int authd_start(void *ctx, struct daemon *d, struct sbuf *err)
{
	struct authd *a = ctx;

	a->d = d;
	a->vctx.lookup = lookup;
	a->vctx.default_scheme = a->default_scheme;
	a->vctx.dummy_hash = a->dummy_hash;
	a->wq = workq_new(daemon_base(d), a->nworkers, a->cf.worker_queue,
			  worker_init, NULL, a);
	if (a->wq == NULL) {
		sbuf_append_str(err, "cannot start the worker threads");
		return -1;
	}
	a->srv = auth_server_new(daemon_base(d), a->listen_fd, &a->cf, a->wq,
				 &a->vctx, a->hostname, drained, a);
	log_info("listening on %s with %u workers", a->cf.listen, a->nworkers);
	return 0;
}

/* changed - did a restart-only string parameter change? */
static bool changed(const char *a, const char *b) { return strcmp(a, b) != 0; }

/* authd_reload - the reload hook: timing, names, limits; the socket,
 * passdb, users and workers need a restart */
static int authd_reload(void *ctx, const char *path, struct sbuf *err)
{
	struct authd *a = ctx;
	struct auth_conf cf;

	if (auth_conf_load(path, &cf, err) < 0)
		return -1;
	if (changed(cf.listen, a->cf.listen) ||
	    changed(cf.passdb, a->cf.passdb) ||
	    changed(cf.default_pass_scheme, a->cf.default_pass_scheme) ||
	    changed(cf.user, a->cf.user) || cf.workers != a->cf.workers ||
	    changed(cf.mechanisms, a->cf.mechanisms))
		log_warn(
		    "authd_listen, authd_passdb, authd_default_pass_scheme,"
		    " authd_user, authd_workers and authd_mechanisms "
		    "take effect after a restart");
	/* Keep what needs a restart; take the rest. */
	memcpy(cf.mechs, a->cf.mechs, sizeof(cf.mechs));
	cf.n_mechs = a->cf.n_mechs;
	auth_conf_release(&a->cf);
	a->cf = cf;
	if (a->srv != NULL)
		auth_server_set_conf(a->srv, &a->cf);
	return 0;
}

/* authd_drain - the drain hook */
static void authd_drain(void *ctx)
{
	struct authd *a = ctx;

	close(a->listen_fd);
	a->listen_fd = -1;
	if (a->srv != NULL)
		auth_server_drain(a->srv);
	else
		daemon_drain_done(a->d);
}

/* authd_stop - the stop hook: connections first, then the workers */
static void authd_stop(void *ctx)
{
	struct authd *a = ctx;

	auth_server_free(&a->srv);
	workq_free(&a->wq);
}

int main(int argc, char **argv)
{
	static const struct daemon_hooks hooks = {
	    .name = "authd",
	    .load_config = authd_load_config,
	    .bind = authd_bind,
	    .start = authd_start,
	    .reload = authd_reload,
	    .drain = authd_drain,
	    .stop = authd_stop,
	};
	struct authd a;
	unsigned int i;
	int status;

	memset(&a, 0, sizeof(a));
	a.listen_fd = -1;
	atomic_init(&a.next_passdb, 0);
	status = daemon_main(argc, argv, &hooks, &a);
	if (a.listen_fd >= 0)
		close(a.listen_fd);
	for (i = 0; a.passdbs != NULL && i < a.nworkers; i++)
		passdb_close(&a.passdbs[i]);
	free(a.passdbs);
	xfree_secret(&a.dummy_hash);
	free(a.default_scheme);
	if (a.cf_loaded)
		auth_conf_release(&a.cf);
	return status;
}
