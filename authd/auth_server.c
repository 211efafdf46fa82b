/*
 * auth_server.c - connections and requests of the auth socket.
 *
 * Ownership: the server owns its connections, a connection its requests.
 * The listener (common/listener.h) accepts them, counts them against
 * authd_max_connections and reports when a drain is complete.
 * A request in a worker owns nothing there: the job (struct auth_job)
 * owns the credentials and points back at the request; when the request
 * goes away first (client gone, CANCEL, timeout) the back pointer is
 * cleared and the done function just frees the job.
 *
 * Re-entrancy: a connection is only closed from a top-level libevent
 * callback (or on a protocol error, after which the caller returns at
 * once), never from inside a helper that its caller still walks.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "auth_cache.h"
#include "auth_conf.h"
#include "auth_mech.h"
#include "auth_passdb.h"
#include "auth_penalty.h"
#include "auth_proto.h"
#include "auth_request.h"
#include "auth_server.h"
#include "linerd.h"
#include "listener.h"
#include "log.h"
#include "sbuf.h"
#include "workq.h"
#include "xalloc.h"

#define AUTH_SERVER_READ_HIGH (64u << 10) /* input buffered per conn */
#define AUTH_SERVER_OUT_MAX (256u << 10)  /* unread replies per conn */
#define AUTH_SERVER_READ_CHUNK 4096

enum req_phase {
	REQ_WAIT_CONT, /* we sent CONT, the client answers */
	REQ_PENALTY,   /* waiting out the penalty before the check */
	REQ_WORKER,    /* lookup and verification in a worker */
	REQ_DELAY,     /* failure delay before FAIL */
};

enum conn_state {
	CONN_WANT_VERSION,
	CONN_WANT_CPID,
	CONN_READY,
};

struct auth_job;

struct auth_req {
	struct auth_conn *conn;
	unsigned int id;
	enum req_phase phase;
	const struct auth_mech *mech;
	struct auth_mech_state *ms;
	struct auth_verify *v; /* credentials waiting out the penalty */
	struct auth_job *job;  /* while in a worker */
	char *login;	       /* normalised, for user= and logs */
	char *rip;
	struct event *timeout_ev;
	struct event *delay_ev;
	uint64_t checked_us; /* when the password check began (monotonic) */
	struct auth_req *next;
};

struct auth_job {
	struct auth_req *req; /* NULL: the request is gone */
	struct auth_verify *v;
	const struct auth_verify_ctx *vctx;
};

struct auth_conn {
	struct auth_server *srv;
	struct bufferevent *bev;
	struct linerd *lr;
	struct sbuf *line;
	enum conn_state state;
	unsigned int minor;
	unsigned long cuid, cpid;
	struct auth_req *reqs;
	unsigned int nreqs;
	bool dead;    /* close at the next top-level callback */
	bool closing; /* replies are flushing, then close */
	struct listener_entry *entry;
};

struct auth_server {
	struct event_base *base;
	const struct auth_conf *cf;
	struct workq *wq;
	const struct auth_verify_ctx *vctx; /* &vctx_own */
	struct auth_verify_ctx vctx_own;    /* the caller's, plus ours: */
	struct auth_cache *cache;	    /* authd_cache_* (may be off) */
	struct passdb *loop_passdb;	    /* vctx_own.loop_db, if ours */
	char *rehash_query, *rehash_scheme; /* restart-only copies */
	char *hostname;
	struct auth_penalty *penalty;
	struct listener *listener; /* accepting, counting, draining */
	unsigned long cuid_next;
	auth_server_idle_fn *idle_fn;
	void *idle_arg;
	struct sbuf *out; /* scratch for reply lines */
	struct sbuf *q;	  /* scratch for log_quote */
};

static void conn_close(struct auth_conn *c);
static void conn_shutdown(struct auth_conn *c);
static void conn_process(struct auth_conn *c);

/* tv_secs - a timeval of s seconds */
static struct timeval tv_secs(unsigned int s)
{
	struct timeval tv = {(time_t)s, 0};

	return tv;
}

/* quoted - log form of untrusted text; borrowed until the next call */
static const char *quoted(struct auth_server *s, const char *text)
{
	sbuf_reset(s->q);
	if (text == NULL)
		return "(unknown)";
	return log_quote(s->q, text, strlen(text));
}

/*
 * conn_send - send the line built in s->out. With nothing queued before
 * it, write it straight to the socket: going through the bufferevent
 * costs two epoll_ctl calls and a loop pass per reply. Whatever the
 * socket does not take is queued after it, so order is kept.
 */
static void conn_send(struct auth_conn *c)
{
	struct sbuf *out = c->srv->out;
	const unsigned char *p = sbuf_data(out);
	size_t len = sbuf_len(out);
	ssize_t n;

	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		do
			n = send(bufferevent_getfd(c->bev), p, len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		while (n < 0 && errno == EINTR);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		}
	}
	if (len > 0 && bufferevent_write(c->bev, p, len) < 0)
		log_warn("auth connection cuid=%lu: cannot queue a reply",
			 c->cuid);
	sbuf_reset(out);
}

/* req_find - the request with id on c, or NULL */
static struct auth_req *req_find(struct auth_conn *c, unsigned int id)
{
	struct auth_req *r;

	for (r = c->reqs; r != NULL; r = r->next)
		if (r->id == id)
			return r;
	return NULL;
}

/* req_free - forget a request: timers, mechanism, a running job */
static void req_free(struct auth_req *r)
{
	struct auth_conn *c = r->conn;
	struct auth_req **pp;

	for (pp = &c->reqs; *pp != r; pp = &(*pp)->next)
		;
	*pp = r->next;
	c->nreqs--;
	if (r->job != NULL)
		r->job->req = NULL; /* the done function frees it */
	if (r->timeout_ev != NULL)
		event_free(r->timeout_ev);
	if (r->delay_ev != NULL)
		event_free(r->delay_ev);
	auth_mech_free(&r->ms);
	auth_verify_free(&r->v);
	free(r->login);
	free(r->rip);
	free(r);
}

/* conn_check_idle - draining: close c once it has nothing in flight;
 * true when c is gone or closing (top-level callbacks only) */
static bool conn_check_idle(struct auth_conn *c)
{
	if (!listener_is_draining(c->srv->listener) || c->nreqs > 0)
		return false;
	conn_shutdown(c);
	return true;
}

/* reply_fail_now - FAIL at once and forget the request */
static void reply_fail_now(struct auth_req *r, const char *code,
			   const char *reason, bool temp)
{
	struct auth_conn *c = r->conn;

	auth_proto_fail(c->srv->out, r->id, r->login, code, reason, temp);
	conn_send(c);
	req_free(r);
}

/* on_delay_fail - the failure delay is over: FAIL */
static void on_delay_fail(evutil_socket_t fd, short what, void *arg)
{
	struct auth_req *r = arg;
	struct auth_conn *c = r->conn;

	(void)fd;
	(void)what;
	reply_fail_now(r, NULL, NULL, false);
	if (!conn_check_idle(c))
		conn_process(c); /* a request slot is free again */
}

/* now_us - monotonic microseconds */
static uint64_t now_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		log_panic("auth: clock_gettime: %s", strerror(errno));
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * fail_delay_left - the failure delay counts from the start of the
 * password check, not its end: a FAIL then takes the same time whatever
 * the stored scheme costs, and whether the user exists (the dummy hash
 * may be of another scheme than a user's).
 */
static struct timeval fail_delay_left(const struct auth_req *r,
				      unsigned int delay)
{
	uint64_t want = (uint64_t)delay * 1000000u, spent;
	struct timeval tv = {0, 0};

	spent = r->checked_us == 0 ? 0 : now_us() - r->checked_us;
	if (spent < want) {
		tv.tv_sec = (time_t)((want - spent) / 1000000u);
		tv.tv_usec = (suseconds_t)((want - spent) % 1000000u);
	}
	return tv;
}

/* req_fail_delayed - FAIL after authd_failure_delay (no worker held) */
static void req_fail_delayed(struct auth_req *r)
{
	struct auth_server *s = r->conn->srv;
	struct timeval tv = fail_delay_left(r, s->cf->failure_delay);

	r->phase = REQ_DELAY;
	auth_mech_free(&r->ms);
	auth_verify_free(&r->v);
	if (r->delay_ev != NULL)
		event_free(r->delay_ev);
	r->delay_ev = evtimer_new(s->base, on_delay_fail, r);
	if (r->delay_ev == NULL || evtimer_add(r->delay_ev, &tv) < 0)
		log_panic("auth: cannot add the failure delay timer");
}

/*
 * req_tempfail - a backend outage: never OK (dovecot-auth.md 5). The
 * request is gone afterwards; in disconnect mode c->dead is set and the
 * top-level callback closes the connection.
 */
static void req_tempfail(struct auth_req *r, const char *why)
{
	struct auth_conn *c = r->conn;
	struct auth_server *s = c->srv;

	if (s->cf->tempfail == AUTH_TEMPFAIL_FAIL_TEMP) {
		log_warn("auth: temporary failure for user=%s rip=%s: %s",
			 quoted(s, r->login), r->rip, why);
		reply_fail_now(r, NULL, NULL, true);
		return;
	}
	/* Postfix turns any FAIL into 535; only a lost connection gives
	 * the SMTP client a 454, so close. */
	log_warn("auth: temporary failure for user=%s rip=%s: %s; closing "
		 "connection cuid=%lu",
		 quoted(s, r->login), r->rip, why, c->cuid);
	c->dead = true;
	req_free(r);
}

/* job_work - in a worker: look up and verify */
static void job_work(void *thread_ctx, void *arg)
{
	struct auth_job *j = arg;

	auth_request_verify(j->vctx, thread_ctx, j->v);
}

/*
 * req_finish - act on a finished check: OK, FAIL after the delay, or a
 * temporary failure (r is gone, maybe c->dead). v stays the caller's.
 */
static void req_finish(struct auth_req *r, const struct auth_verify *v)
{
	struct auth_conn *c = r->conn;
	struct auth_server *s = c->srv;

	switch (v->result) {
	case AUTH_VERIFY_OK:
		auth_penalty_success(s->penalty, r->rip, r->login);
		if (s->cf->log_logins)
			log_info("auth: login: user=%s rip=%s mech=%s%s",
				 quoted(s, sbuf_cstr(v->user)), r->rip,
				 r->mech->name,
				 v->cache_hit ? " (cached)" : "");
		if (v->rehash == AUTH_REHASH_DONE)
			log_info("auth: user=%s: stored password rehashed "
				 "to %s",
				 quoted(s, r->login), s->rehash_scheme);
		else if (v->rehash == AUTH_REHASH_FAILED)
			log_warn("auth: user=%s: rehash to %s failed: %s",
				 quoted(s, r->login), s->rehash_scheme,
				 sbuf_cstr(v->rehash_err));
		auth_proto_ok(s->out, r->id, sbuf_cstr(v->user));
		conn_send(c);
		req_free(r);
		break;
	case AUTH_VERIFY_FAIL:
		auth_penalty_fail(s->penalty, r->rip, r->login, time(NULL));
		log_info("auth: failed: user=%s rip=%s mech=%s: %s",
			 quoted(s, r->login), r->rip, r->mech->name,
			 v->unknown_user ? "unknown user"
					 : "password mismatch");
		req_fail_delayed(r);
		break;
	case AUTH_VERIFY_TEMPFAIL:
		req_tempfail(r, sbuf_cstr(v->err)); /* r is gone */
		break;
	}
}

/* job_done - in the loop: reply, or remember the failure */
static void job_done(void *arg, bool cancelled)
{
	struct auth_job *j = arg;
	struct auth_req *r = j->req;
	struct auth_conn *c;

	if (r == NULL) {
		auth_verify_free(&j->v);
		free(j);
		return;
	}
	r->job = NULL;
	c = r->conn;
	if (cancelled) {
		req_tempfail(r, "the worker queue was shut down");
		auth_verify_free(&j->v);
		free(j);
		if (c->dead)
			conn_shutdown(c);
		return;
	}
	req_finish(r, j->v);
	auth_verify_free(&j->v);
	free(j);
	if (c->dead)
		conn_shutdown(c);
	else if (!conn_check_idle(c))
		conn_process(c);
}

/*
 * req_submit - hand the credentials to a worker, or check them here when
 * that is quick (auth_request_verify_inline): a PLAIN or digest entry of
 * a passwd-file costs less than the two thread hand-offs. Either way r
 * may be gone afterwards (and c->dead set), as after req_tempfail.
 */
static void req_submit(struct auth_req *r)
{
	struct auth_server *s = r->conn->srv;
	struct auth_verify *v = r->v;
	struct auth_job *j;

	r->checked_us = now_us();
	if (s->vctx->loop_db != NULL &&
	    auth_request_verify_inline(s->vctx, s->vctx->loop_db, v)) {
		r->v = NULL;
		req_finish(r, v);
		auth_verify_free(&v);
		return;
	}
	j = xcalloc(1, sizeof(*j));
	j->req = r;
	j->v = r->v;
	j->vctx = s->vctx;
	r->v = NULL;
	r->job = j;
	r->phase = REQ_WORKER;
	if (workq_submit(s->wq, job_work, job_done, j) < 0) {
		r->job = NULL;
		r->v = j->v;
		free(j);
		req_tempfail(r, "the worker queue is full");
	}
}

/* on_penalty_over - the penalty wait is over: check the credentials */
static void on_penalty_over(evutil_socket_t fd, short what, void *arg)
{
	struct auth_req *r = arg;
	struct auth_conn *c = r->conn;

	(void)fd;
	(void)what;
	req_submit(r);
	if (c->dead)
		conn_shutdown(c); /* the queue was full: temporary failure */
	else
		conn_process(c);
}

/* req_verify - credentials complete: normalise, penalty, worker */
static void req_verify(struct auth_req *r)
{
	struct auth_conn *c = r->conn;
	struct auth_server *s = c->srv;
	const struct auth_mech_creds *cr = auth_mech_creds(r->ms);
	struct sbuf *name = sbuf_new(64), *err = sbuf_new(64);
	struct auth_verify *v = auth_verify_new();
	unsigned int delay;

	if (auth_request_username(s->cf->username_format, s->cf->default_realm,
				  cr->authcid, name, err) < 0 ||
	    !auth_request_login_is_valid(sbuf_cstr(name))) {
		log_info("auth: failed: rip=%s mech=%s: invalid user name %s",
			 r->rip, r->mech->name, quoted(s, cr->authcid));
		auth_verify_free(&v);
		auth_penalty_fail(s->penalty, r->rip, NULL, time(NULL));
		req_fail_delayed(r);
		goto out;
	}
	r->login = xstrdup(sbuf_cstr(name));
	v->kind = auth_mech_kind_of(r->ms);
	v->login = xstrdup(r->login);
	if (cr->password != NULL)
		v->password = xstrdup(cr->password);
	if (cr->cram_challenge != NULL)
		v->cram_challenge = xstrdup(cr->cram_challenge);
	if (cr->cram_response != NULL)
		v->cram_response = xstrdup(cr->cram_response);
	if (cr->authzid != NULL) {
		/* PLAIN authzid: only a configured master user may act as
		 * someone else (issue: refused unless equal or master) */
		sbuf_reset(err);
		if (!auth_conf_is_master(s->cf, r->login) ||
		    auth_request_username(s->cf->username_format,
					  s->cf->default_realm, cr->authzid,
					  name, err) < 0 ||
		    !auth_request_login_is_valid(sbuf_cstr(name))) {
			log_info("auth: failed: user=%s rip=%s mech=%s: "
				 "authorization identity not allowed",
				 quoted(s, r->login), r->rip, r->mech->name);
			auth_verify_free(&v);
			auth_penalty_fail(s->penalty, r->rip, r->login,
					  time(NULL));
			req_fail_delayed(r);
			goto out;
		}
		v->authzid = xstrdup(sbuf_cstr(name));
	}
	auth_mech_free(&r->ms); /* the copies in v are all we need now */
	r->v = v;
	delay = auth_penalty_delay(s->penalty, r->rip, r->login, time(NULL));
	if (delay > 0) {
		struct timeval tv = tv_secs(delay);

		r->phase = REQ_PENALTY;
		r->delay_ev = evtimer_new(s->base, on_penalty_over, r);
		if (r->delay_ev == NULL || evtimer_add(r->delay_ev, &tv) < 0)
			log_panic("auth: cannot add the penalty timer");
		goto out;
	}
	req_submit(r);
out:
	sbuf_free(&name);
	sbuf_free(&err);
}

/* req_step - feed one payload to the mechanism and act on the result */
static void req_step(struct auth_req *r, bool has_data, struct sbuf *data)
{
	struct auth_conn *c = r->conn;
	struct sbuf *ch = sbuf_new(64);

	switch (auth_mech_step(r->ms, has_data, sbuf_data(data), sbuf_len(data),
			       ch)) {
	case AUTH_MECH_CHALLENGE:
		r->phase = REQ_WAIT_CONT;
		auth_proto_cont(c->srv->out, r->id, sbuf_data(ch),
				sbuf_len(ch));
		conn_send(c);
		break;
	case AUTH_MECH_DONE:
		req_verify(r);
		break;
	case AUTH_MECH_FAILED:
		log_info("auth: failed: rip=%s mech=%s: malformed %s data",
			 r->rip, r->mech->name, r->mech->name);
		auth_penalty_fail(c->srv->penalty, r->rip, NULL, time(NULL));
		req_fail_delayed(r);
		break;
	}
	sbuf_wipe(data);
	sbuf_free(&ch);
}

/* on_req_timeout - authd_request_timeout passed (a CONT never came) */
static void on_req_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct auth_req *r = arg;
	struct auth_conn *c = r->conn;

	(void)fd;
	(void)what;
	log_info("auth: request %u on cuid=%lu timed out", r->id, c->cuid);
	reply_fail_now(r, NULL, "Authentication request timed out", false);
	if (!conn_check_idle(c))
		conn_process(c);
}

/* cmd_auth - a new request; -1: protocol error, close */
static int cmd_auth(struct auth_conn *c, struct auth_cmd *cmd)
{
	struct auth_server *s = c->srv;
	const struct auth_mech *m = auth_mech_find(cmd->mech);
	struct auth_mech_env env = {NULL, 0, 0};
	struct auth_req *r;
	struct sbuf *data;
	struct timeval tv = tv_secs(s->cf->request_timeout);
	size_t i;

	if (req_find(c, cmd->id) != NULL) {
		log_warn("auth connection cuid=%lu: request id %u reused",
			 c->cuid, cmd->id);
		return -1;
	}
	for (i = 0; m != NULL && i < s->cf->n_mechs; i++)
		if (s->cf->mechs[i] == m)
			break;
	if (m == NULL || i == s->cf->n_mechs) {
		log_warn("auth connection cuid=%lu: unsupported mechanism %s",
			 c->cuid, quoted(s, cmd->mech));
		return -1;
	}
	r = xcalloc(1, sizeof(*r));
	r->conn = c;
	r->id = cmd->id;
	r->mech = m;
	r->rip = xstrdup(cmd->rip != NULL ? cmd->rip : "");
	env.hostname = s->hostname;
	env.now = time(NULL);
	/* only a challenge needs randomness: spare the others a getrandom */
	if (m->kind == AUTH_MECH_CRAM_MD5)
		evutil_secure_rng_get_bytes(&env.random, sizeof(env.random));
	r->ms = auth_mech_begin(m, &env);
	r->timeout_ev = evtimer_new(s->base, on_req_timeout, r);
	if (r->timeout_ev == NULL || evtimer_add(r->timeout_ev, &tv) < 0)
		log_panic("auth: cannot add the request timer");
	r->next = c->reqs;
	c->reqs = r;
	c->nreqs++;

	data = sbuf_new(256);
	switch (auth_proto_initial_response(cmd, c->minor, data)) {
	case AUTH_RESP_NONE:
		req_step(r, false, data);
		break;
	case AUTH_RESP_DATA:
		req_step(r, true, data);
		break;
	case AUTH_RESP_BAD_BASE64:
		reply_fail_now(r, "invalid_base64",
			       "Invalid base64 data in initial response",
			       false);
		break;
	}
	sbuf_free_secret(&data);
	return 0;
}

/* cmd_cont - the client's answer to a CONT */
static void cmd_cont(struct auth_conn *c, struct auth_cmd *cmd)
{
	struct auth_server *s = c->srv;
	struct auth_req *r = req_find(c, cmd->id);
	struct sbuf *data;

	if (r == NULL) {
		/* Dovecot's answer to a CONT for a request it forgot */
		auth_proto_fail(s->out, cmd->id, NULL, NULL,
				"Authentication request timed out", false);
		conn_send(c);
		return;
	}
	if (r->phase != REQ_WAIT_CONT) {
		reply_fail_now(r, NULL, "Unexpected continuation", false);
		return;
	}
	data = sbuf_new(256);
	if (auth_proto_decode_cont(cmd->data, data) < 0)
		reply_fail_now(r, "invalid_base64",
			       "Invalid base64 data in continued response",
			       false);
	else
		req_step(r, true, data);
	sbuf_free_secret(&data);
}

/* conn_line - one client line; -1: protocol error, close */
static int conn_line(struct auth_conn *c)
{
	struct sbuf *err = sbuf_new(64);
	struct auth_cmd *cmd = NULL;
	struct auth_req *r;
	int rc = -1;

	if (auth_cmd_parse(sbuf_data(c->line), sbuf_len(c->line), &cmd, err) <
	    0) {
		log_warn("auth connection cuid=%lu: protocol error: %s",
			 c->cuid, sbuf_cstr(err));
		goto out;
	}
	switch (c->state) {
	case CONN_WANT_VERSION:
		if (cmd->type != AUTH_CMD_VERSION)
			break;
		c->minor = cmd->minor;
		c->state = CONN_WANT_CPID;
		rc = 0;
		goto out;
	case CONN_WANT_CPID:
		if (cmd->type != AUTH_CMD_CPID)
			break;
		c->cpid = cmd->cpid;
		c->state = CONN_READY;
		rc = 0;
		goto out;
	case CONN_READY:
		switch (cmd->type) {
		case AUTH_CMD_AUTH:
			rc = cmd_auth(c, cmd);
			goto out;
		case AUTH_CMD_CONT:
			cmd_cont(c, cmd);
			rc = 0;
			goto out;
		case AUTH_CMD_CANCEL:
			if ((r = req_find(c, cmd->id)) != NULL)
				req_free(r);
			rc = 0;
			goto out;
		default:
			break;
		}
		break;
	}
	log_warn("auth connection cuid=%lu: unexpected command at this point",
		 c->cuid);
out:
	auth_cmd_free(&cmd);
	sbuf_free(&err);
	sbuf_wipe(c->line); /* it may have held credentials */
	return rc;
}

/*
 * drop_oldest_waiting - free a slot held by a request that waits for a
 * CONT. When an SMTP client aborts with "*", Postfix sends no CANCEL and
 * its next AUTH comes on the same connection (dovecot-auth.md 5), so on
 * a busy smtpd such requests pile up; they must not stall the live one.
 */
static void drop_oldest_waiting(struct auth_conn *c)
{
	struct auth_req *r, *oldest = NULL;

	for (r = c->reqs; r != NULL; r = r->next) /* newest first */
		if (r->phase == REQ_WAIT_CONT)
			oldest = r;
	if (oldest != NULL)
		req_free(oldest);
}

/* conn_process - take lines while request slots and output room last */
static void conn_process(struct auth_conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer *out = bufferevent_get_output(c->bev);
	char buf[AUTH_SERVER_READ_CHUNK];
	int n;

	if (c->closing)
		return;
	for (;;) {
		if (c->nreqs >= c->srv->cf->max_requests)
			drop_oldest_waiting(c);
		/* full: resumed when a request ends or the output drains */
		if (c->nreqs >= c->srv->cf->max_requests ||
		    evbuffer_get_length(out) > AUTH_SERVER_OUT_MAX)
			break;
		switch (linerd_next(c->lr, c->line)) {
		case LINERD_LINE:
			if (conn_line(c) < 0 || c->dead) {
				conn_shutdown(c);
				return;
			}
			continue;
		case LINERD_TOO_LONG:
			log_warn("auth connection cuid=%lu: line longer than "
				 "%u bytes",
				 c->cuid, AUTH_PROTO_MAX_LINE);
			conn_shutdown(c);
			return;
		case LINERD_NEED_MORE:
			break;
		default:
			conn_close(c);
			return;
		}
		n = evbuffer_remove(in, buf, sizeof(buf));
		if (n <= 0)
			break;
		linerd_feed(c->lr, buf, (size_t)n);
	}
	wipe_bytes(buf, sizeof(buf));
	conn_check_idle(c);
}

/* on_read - data arrived */
static void on_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_process(arg);
}

/* on_write - output drained: close if closing, else maybe read on */
static void on_write(struct bufferevent *bev, void *arg)
{
	struct auth_conn *c = arg;

	(void)bev;
	if (c->closing)
		conn_close(c);
	else
		conn_process(c);
}

/*
 * conn_shutdown - stop reading, drop the requests, let the replies
 * already queued go out (bounded by the write timeout), then close
 */
static void conn_shutdown(struct auth_conn *c)
{
	while (c->reqs != NULL)
		req_free(c->reqs);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		conn_close(c);
		return;
	}
	c->closing = true;
	bufferevent_disable(c->bev, EV_READ);
}

/* on_event - EOF, error or timeout */
static void on_event(struct bufferevent *bev, short what, void *arg)
{
	struct auth_conn *c = arg;

	if ((what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_READING) &&
	    c->nreqs > 0) {
		bufferevent_enable(bev, EV_READ); /* busy, not idle */
		return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		log_info("auth connection cuid=%lu: %s timeout", c->cuid,
			 (what & BEV_EVENT_READING) ? "idle" : "write");
	else if (what & BEV_EVENT_ERROR)
		log_info("auth connection cuid=%lu: %s", c->cuid,
			 evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	conn_close(c);
}

/* conn_close - drop a connection and everything in flight on it */
static void conn_close(struct auth_conn *c)
{
	struct auth_server *s = c->srv;
	struct listener_entry *entry = c->entry;

	while (c->reqs != NULL)
		req_free(c->reqs);
	bufferevent_free(c->bev);
	linerd_free(&c->lr);
	sbuf_free_secret(&c->line);
	free(c);
	listener_remove(s->listener, &entry); /* last: may call idle_fn */
}

/* conn_close_any - listener_conn_fn for conn_close */
static void conn_close_any(void *conn)
{
	conn_close(conn);
}

/* conn_new - listener_accept_fn: set up a connection and write the
 * handshake at once */
static void conn_new(void *arg, int fd)
{
	struct auth_server *s = arg;
	struct auth_conn *c = xcalloc(1, sizeof(*c));
	struct auth_proto_mech mechs[AUTH_CONF_MAX_MECHS];
	unsigned char cookie[16];
	size_t i;

	c->srv = s;
	c->cuid = s->cuid_next++;
	c->lr = linerd_new(AUTH_PROTO_MAX_LINE, 0);
	c->line = sbuf_new_max(256, AUTH_PROTO_MAX_LINE);
	c->bev = listener_bufferevent(s->listener, fd, AUTH_SERVER_READ_HIGH,
				      s->cf->idle_timeout,
				      s->cf->request_timeout, on_read,
				      on_write, on_event, c);
	c->entry = listener_add(s->listener, c);

	for (i = 0; i < s->cf->n_mechs; i++) {
		mechs[i].name = s->cf->mechs[i]->name;
		mechs[i].flags = s->cf->mechs[i]->flags;
	}
	evutil_secure_rng_get_bytes(cookie, sizeof(cookie));
	auth_proto_handshake(s->out, mechs, s->cf->n_mechs,
			     (unsigned long)getpid(), c->cuid, cookie);
	conn_send(c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* server_update - auth_update_fn over the worker's passdb handle */
static int server_update(void *db, const char *query, const char *login,
			 const char *stored, struct sbuf *err)
{
	return passdb_update(db, query, login, stored, err);
}

/*
 * server_setup_verify - our copy of the caller's verification settings,
 * with the result cache, rehash-on-login and, for a passwd-file (whose
 * lookups never block), a passdb handle for the event loop from cf
 * unless the caller brought its own (tests)
 */
static void server_setup_verify(struct auth_server *s,
				const struct auth_conf *cf,
				const struct auth_verify_ctx *vctx)
{
	struct sbuf *err = sbuf_new(64);
	struct passdb *db;
	bool can_update;

	s->vctx_own = *vctx;
	s->vctx = &s->vctx_own;
	s->cache = auth_cache_new(cf->cache_size, cf->cache_ttl,
				  cf->cache_negative_ttl, NULL);
	if (s->vctx_own.cache == NULL)
		s->vctx_own.cache = s->cache;
	s->rehash_query = xstrdup(cf->rehash_query);
	s->rehash_scheme = xstrdup(cf->rehash_scheme);
	/* A passwd-file handle shares the table the workers' handles loaded,
	 * and an SQL handle connects only on its first lookup: cheap to ask. */
	db = passdb_open(cf->passdb, vctx->default_scheme, err);
	if (db == NULL)
		log_warn("auth: %s: every check goes to a worker",
			 sbuf_cstr(err));
	can_update = db != NULL && passdb_can_update(db);
	if (db != NULL && s->vctx_own.loop_db == NULL &&
	    passdb_never_blocks(db)) {
		s->loop_passdb = db;
		s->vctx_own.loop_db = db;
	} else {
		passdb_close(&db);
	}
	sbuf_free(&err);
	if (s->vctx_own.rehash.update != NULL || cf->rehash_query[0] == '\0')
		return;
	if (!can_update) {
		log_warn("authd_rehash_query is set, but this passdb "
			 "cannot store passwords (a passwd-file, or it did "
			 "not open): rehash-on-login is off");
		return;
	}
	s->vctx_own.rehash.update = server_update;
	s->vctx_own.rehash.query = s->rehash_query;
	s->vctx_own.rehash.scheme = s->rehash_scheme;
	log_info("rehash-on-login: weak stored passwords become %s",
		 s->rehash_scheme);
}

/* auth_server_new - start accepting */
struct auth_server *
auth_server_new(struct event_base *base, int listen_fd,
		const struct auth_conf *cf, struct workq *wq,
		const struct auth_verify_ctx *vctx, const char *hostname,
		auth_server_idle_fn *idle_fn, void *idle_arg)
{
	struct auth_server *s = xcalloc(1, sizeof(*s));
	unsigned long long seed;

	s->base = base;
	s->cf = cf;
	s->wq = wq;
	s->vctx = vctx;
	s->hostname = xstrdup(hostname);
	s->cuid_next = 1;
	s->idle_fn = idle_fn;
	s->idle_arg = idle_arg;
	s->out = sbuf_new(512);
	s->q = sbuf_new(LOG_QUOTE_MAX + 16);
	server_setup_verify(s, cf, vctx);
	evutil_secure_rng_get_bytes(&seed, sizeof(seed));
	s->penalty =
	    auth_penalty_new(cf->penalty_base, cf->penalty_max, cf->penalty_ttl,
			     cf->penalty_table_size, seed);
	s->listener = listener_new(base, listen_fd, "auth",
				   "authd_max_connections", cf->max_connections,
				   conn_new, s);
	return s;
}

/* auth_server_set_conf - new settings; existing timers keep theirs */
void auth_server_set_conf(struct auth_server *s, const struct auth_conf *cf)
{
	s->cf = cf;
	auth_penalty_set_limits(s->penalty, cf->penalty_base, cf->penalty_max,
				cf->penalty_ttl);
	/* a reload forgets every cached result */
	auth_cache_configure(s->cache, cf->cache_size, cf->cache_ttl,
			     cf->cache_negative_ttl);
	if (strcmp(cf->rehash_query, s->rehash_query) != 0 ||
	    strcmp(cf->rehash_scheme, s->rehash_scheme) != 0)
		log_warn("authd_rehash_query and authd_rehash_scheme take "
			 "effect after a restart");
	listener_set_max(s->listener, cf->max_connections);
}

/* conn_drain - listener_conn_fn: close c now if nothing is in flight */
static void conn_drain(void *conn)
{
	struct auth_conn *c = conn;

	if (c->nreqs == 0)
		conn_shutdown(c); /* idle_fn after the last close */
}

/* auth_server_drain - stop accepting, close idle connections */
void auth_server_drain(struct auth_server *s)
{
	listener_drain(s->listener, conn_drain, s->idle_fn, s->idle_arg);
}

/* auth_server_connections - how many are open */
unsigned int auth_server_connections(const struct auth_server *s)
{
	return listener_connections(s->listener);
}

/* auth_server_free - close everything */
void auth_server_free(struct auth_server **sp)
{
	struct auth_server *s = *sp;

	if (s == NULL)
		return;
	listener_free(&s->listener, conn_close_any); /* no idle_fn */
	auth_penalty_free(&s->penalty);
	auth_cache_free(&s->cache);
	passdb_close(&s->loop_passdb);
	free(s->rehash_query);
	free(s->rehash_scheme);
	sbuf_free(&s->out);
	sbuf_free(&s->q);
	free(s->hostname);
	free(s);
	*sp = NULL;
}
