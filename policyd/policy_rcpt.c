/*
 * policy_rcpt.c - recipient and sender checks over sqlmap tables.
 *
 * Ownership: a check's ctx owns one struct policy_rcpt_maps per worker
 * and the workq; a job (one request) owns copies of the request values.
 * When the server cancels a job that is in a worker, the job is only
 * marked; its done function frees it.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "policy_check.h"
#include "policy_conf.h"
#include "policy_decide.h"
#include "policy_proto.h"
#include "policy_rcpt.h"
#include "sbuf.h"
#include "sqlmap.h"
#include "sqlmap_domain.h"
#include "workq.h"
#include "xalloc.h"

#define POLICY_RCPT_MAX_TABLES 16 /* tables in one list */
#define POLICY_RCPT_MAX_LOGIN 256 /* login bytes quoted in a reply */

struct map_list {
	struct sqlmap *maps[POLICY_RCPT_MAX_TABLES];
	size_t n;
};

struct policy_rcpt_maps {
	enum policy_rcpt_mode mode;
	struct sqlmap_domain *alias_domains;   /* NULL: none */
	struct sqlmap_domain *mailbox_domains; /* NULL: none */
	struct map_list alias, mailbox, login;
	char *delimiters;
	bool reject_unauth_local;
	struct sbuf *key, *val; /* scratch */
};

/* next_word - the next item of a list separated by commas or spaces */
static const char *next_word(const char **sp, size_t *len_r)
{
	const char *s = *sp, *start;

	s += strspn(s, ", \t\r\n");
	if (*s == '\0')
		return NULL;
	start = s;
	s += strcspn(s, ", \t\r\n");
	*len_r = (size_t)(s - start);
	*sp = s;
	return start;
}

/* open_list - the tables of a parameter */
static int open_list(const char *param, const char *value, struct map_list *l,
		     struct sbuf *err)
{
	const char *s = value, *w;
	size_t len;

	while ((w = next_word(&s, &len)) != NULL) {
		char *spec = xstrndup(w, len);

		if (l->n == POLICY_RCPT_MAX_TABLES) {
			sbuf_printf(err, "%s%s: more than %u tables",
				    POLICY_CONF_PREFIX, param,
				    POLICY_RCPT_MAX_TABLES);
			free(spec);
			return -1;
		}
		l->maps[l->n] = sqlmap_open(spec, SQLMAP_FOLD_KEY, err);
		free(spec);
		if (l->maps[l->n] == NULL) {
			sbuf_printf(err, " (%s%s)", POLICY_CONF_PREFIX, param);
			return -1;
		}
		l->n++;
	}
	return 0;
}

/* open_domains - a Postfix match list, or NULL when empty */
static int open_domains(const char *param, const char *value,
			struct sqlmap_domain **d_r, struct sbuf *err)
{
	const char *s = value;
	size_t len;

	*d_r = NULL;
	if (next_word(&s, &len) == NULL)
		return 0;
	*d_r = sqlmap_domain_new(value, param, 0, NULL, err);
	if (*d_r == NULL) {
		sbuf_printf(err, " (%s%s)", POLICY_CONF_PREFIX, param);
		return -1;
	}
	return 0;
}

/* policy_rcpt_maps_open - one worker's handles */
struct policy_rcpt_maps *policy_rcpt_maps_open(const struct policy_conf *cf,
					       enum policy_rcpt_mode mode,
					       struct sbuf *err)
{
	struct policy_rcpt_maps *m = xcalloc(1, sizeof(*m));
	bool domains =
	    mode == POLICY_RCPT_RECIPIENT || cf->reject_unauth_local_sender;

	m->mode = mode;
	m->delimiters = xstrdup(cf->recipient_delimiter);
	m->reject_unauth_local = cf->reject_unauth_local_sender;
	m->key = sbuf_new(256);
	m->val = sbuf_new(256);
	if (domains &&
	    (open_domains("virtual_alias_domains", cf->virtual_alias_domains,
			  &m->alias_domains, err) < 0 ||
	     open_domains("virtual_mailbox_domains",
			  cf->virtual_mailbox_domains, &m->mailbox_domains,
			  err) < 0))
		goto fail;
	if (mode == POLICY_RCPT_RECIPIENT &&
	    (open_list("virtual_alias_maps", cf->virtual_alias_maps, &m->alias,
		       err) < 0 ||
	     open_list("virtual_mailbox_maps", cf->virtual_mailbox_maps,
		       &m->mailbox, err) < 0))
		goto fail;
	if (mode == POLICY_RCPT_SENDER &&
	    open_list("sender_login_maps", cf->sender_login_maps, &m->login,
		      err) < 0)
		goto fail;
	return m;
fail:
	policy_rcpt_maps_close(&m);
	return NULL;
}

/* close_list - every table of a list */
static void close_list(struct map_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		sqlmap_close(&l->maps[i]);
	l->n = 0;
}

/* policy_rcpt_maps_close - NULL-safe */
void policy_rcpt_maps_close(struct policy_rcpt_maps **mp)
{
	struct policy_rcpt_maps *m = *mp;

	if (m == NULL)
		return;
	sqlmap_domain_free(&m->alias_domains);
	sqlmap_domain_free(&m->mailbox_domains);
	close_list(&m->alias);
	close_list(&m->mailbox);
	close_list(&m->login);
	free(m->delimiters);
	sbuf_free(&m->key);
	sbuf_free(&m->val);
	free(m);
	*mp = NULL;
}

/* policy_rcpt_strip_ext - user+ext@domain -> user@domain */
bool policy_rcpt_strip_ext(const char *addr, const char *delimiters,
			   struct sbuf *out)
{
	const char *at = strrchr(addr, '@');
	size_t local = at != NULL ? (size_t)(at - addr) : strlen(addr);
	size_t cut;

	if (delimiters[0] == '\0' || local == 0)
		return false;
	/* Postfix: the first delimiter character; not at the start */
	for (cut = 1; cut < local; cut++)
		if (strchr(delimiters, addr[cut]) != NULL)
			break;
	if (cut >= local)
		return false;
	sbuf_append(out, addr, cut);
	if (at != NULL)
		sbuf_append_str(out, at);
	return true;
}

/* find_in - look key up in every table of l, in order */
static enum sqlmap_result find_in(struct map_list *l, const char *key,
				  struct sbuf *value_r, struct sbuf *err)
{
	enum sqlmap_result r;
	size_t i;

	for (i = 0; i < l->n; i++) {
		sbuf_reset(value_r);
		r = sqlmap_lookup(l->maps[i], key, value_r, err);
		if (r == SQLMAP_TEMPFAIL)
			sbuf_printf(err, " (%s)", sqlmap_name(l->maps[i]));
		if (r != SQLMAP_NOTFOUND)
			return r;
	}
	return SQLMAP_NOTFOUND;
}

/*
 * find_addr - Postfix mail_addr_find() over a list: the address, then
 * without its extension, then the catch-all "@domain"; each key in every
 * table before the next key
 */
static enum sqlmap_result find_addr(struct policy_rcpt_maps *m,
				    struct map_list *l, const char *addr,
				    struct sbuf *value_r, struct sbuf *err)
{
	const char *at = strrchr(addr, '@');
	enum sqlmap_result r;

	if (l->n == 0)
		return SQLMAP_NOTFOUND;
	r = find_in(l, addr, value_r, err);
	if (r != SQLMAP_NOTFOUND)
		return r;
	sbuf_reset(m->key);
	if (policy_rcpt_strip_ext(addr, m->delimiters, m->key)) {
		r = find_in(l, sbuf_cstr(m->key), value_r, err);
		if (r != SQLMAP_NOTFOUND)
			return r;
	}
	if (at == NULL || at[1] == '\0')
		return SQLMAP_NOTFOUND;
	sbuf_set(m->key, at);
	return find_in(l, sbuf_cstr(m->key), value_r, err);
}

/* match_domain - is domain in the list? -1: lookup failure */
static int match_domain(struct sqlmap_domain *d, const char *domain,
			struct sbuf *err)
{
	if (d == NULL)
		return 0;
	switch (sqlmap_domain_match(d, domain, err)) {
	case SQLMAP_DOMAIN_MATCH:
		return 1;
	case SQLMAP_DOMAIN_NOMATCH:
		return 0;
	case SQLMAP_DOMAIN_ERROR:
		break;
	}
	return -1;
}

enum domain_class {
	CLASS_OTHER,
	CLASS_ALIAS,   /* virtual alias domain */
	CLASS_MAILBOX, /* virtual mailbox domain */
	CLASS_ERROR,
};

/* domain_class - Postfix's address class order: alias domains first */
static enum domain_class domain_class(struct policy_rcpt_maps *m,
				      const char *domain, struct sbuf *err)
{
	int r;

	if (domain[0] == '\0')
		return CLASS_OTHER;
	if ((r = match_domain(m->alias_domains, domain, err)) != 0)
		return r > 0 ? CLASS_ALIAS : CLASS_ERROR;
	if ((r = match_domain(m->mailbox_domains, domain, err)) != 0)
		return r > 0 ? CLASS_MAILBOX : CLASS_ERROR;
	return CLASS_OTHER;
}

/* domain_of - the part after the last "@", or "" */
static const char *domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at != NULL ? at + 1 : "";
}

/* check_recipient - reject_unlisted_recipient for virtual domains */
static void check_recipient(struct policy_rcpt_maps *m, const char *rcpt,
			    struct sbuf *action_r, struct sbuf *err)
{
	enum sqlmap_result r = SQLMAP_TEMPFAIL;

	switch (domain_class(m, domain_of(rcpt), err)) {
	case CLASS_OTHER:
		sbuf_set(action_r, "DUNNO");
		return;
	case CLASS_ERROR:
		sbuf_set(action_r, POLICY_RCPT_TEMPFAIL);
		return;
	case CLASS_ALIAS:
		r = find_addr(m, &m->alias, rcpt, m->val, err);
		if (r == SQLMAP_NOTFOUND) {
			sbuf_set(action_r, "550 5.1.1 User unknown in virtual "
					   "alias table");
			return;
		}
		break;
	case CLASS_MAILBOX:
		r = find_addr(m, &m->alias, rcpt, m->val, err);
		if (r == SQLMAP_NOTFOUND)
			r = find_addr(m, &m->mailbox, rcpt, m->val, err);
		if (r == SQLMAP_NOTFOUND) {
			sbuf_set(action_r, "550 5.1.1 User unknown in virtual "
					   "mailbox table");
			return;
		}
		break;
	}
	sbuf_set(action_r, r == SQLMAP_FOUND ? "DUNNO" : POLICY_RCPT_TEMPFAIL);
}

/* owns - is login (any case) one of the owners listed in value? */
static bool owns(const char *value, const char *login)
{
	const char *s = value, *w;
	size_t len, n = strlen(login);

	while ((w = next_word(&s, &len)) != NULL)
		if (len == n && strncasecmp(w, login, n) == 0)
			return true;
	return false;
}

/* put_login - login as printable ASCII for a reply ("?" elsewhere) */
static void put_login(struct sbuf *out, const char *login)
{
	size_t i;

	for (i = 0; login[i] != '\0' && i < POLICY_RCPT_MAX_LOGIN; i++) {
		unsigned char c = (unsigned char)login[i];

		sbuf_putc(out, c >= 0x20 && c < 0x7f ? c : '?');
	}
}

/* check_sender - reject_sender_login_mismatch */
static void check_sender(struct policy_rcpt_maps *m, const char *sender,
			 const char *login, struct sbuf *action_r,
			 struct sbuf *err)
{
	enum sqlmap_result r;

	sbuf_set(action_r, "DUNNO");
	if (sender[0] == '\0')
		return;
	if (login[0] == '\0') {
		if (!m->reject_unauth_local)
			return;
		switch (domain_class(m, domain_of(sender), err)) {
		case CLASS_OTHER:
			return;
		case CLASS_ERROR:
			sbuf_set(action_r, POLICY_RCPT_TEMPFAIL);
			return;
		case CLASS_ALIAS:
		case CLASS_MAILBOX:
			sbuf_set(action_r, "553 5.7.1 not logged in");
			return;
		}
		return;
	}
	if (m->login.n == 0)
		return;
	r = find_addr(m, &m->login, sender, m->val, err);
	if (r == SQLMAP_TEMPFAIL) {
		sbuf_set(action_r, POLICY_RCPT_TEMPFAIL);
		return;
	}
	if (r == SQLMAP_FOUND && owns(sbuf_cstr(m->val), login))
		return;
	sbuf_set(action_r, "553 5.7.1 not owned by user ");
	put_login(action_r, login);
}

/* policy_rcpt_check - one request, blocking */
void policy_rcpt_check(struct policy_rcpt_maps *m,
		       const struct policy_rcpt_query *q, struct sbuf *action_r,
		       struct sbuf *err)
{
	const char *rcpt = q->recipient != NULL ? q->recipient : "";
	const char *sender = q->sender != NULL ? q->sender : "";
	const char *login = q->sasl_username != NULL ? q->sasl_username : "";

	sbuf_reset(action_r);
	if (m->mode == POLICY_RCPT_RECIPIENT) {
		if (rcpt[0] == '\0')
			sbuf_set(action_r, "DUNNO");
		else if (strlen(rcpt) > POLICY_RCPT_MAX_ADDR)
			sbuf_set(action_r,
				 "501 5.1.3 Bad recipient address syntax");
		else
			check_recipient(m, rcpt, action_r, err);
		return;
	}
	if (strlen(sender) > POLICY_RCPT_MAX_ADDR)
		sbuf_set(action_r, "501 5.1.7 Bad sender address syntax");
	else
		check_sender(m, sender, login, action_r, err);
}

/* ---- the asynchronous check ---- */

struct rcpt_ctx {
	enum policy_rcpt_mode mode;
	struct policy_check_ops ops;
	unsigned int nworkers, worker_queue;
	struct policy_rcpt_maps **maps; /* one per worker */
	atomic_uint next_maps;		/* handed out by worker_init */
	bool has_tables;		/* anything configured at all */
	struct event_base *base;
	struct workq *wq;
	unsigned long jobs; /* live, for a leak check at close */
};

struct rcpt_job {
	struct rcpt_ctx *ctx;
	struct policy_rcpt_query q;
	char *recipient, *sender, *login;
	struct sbuf *action, *err;
	policy_answer_fn *answer;
	void *arg;
	struct event *ev; /* an answer without a worker, next loop turn */
	bool in_worker;
	bool cancelled;
};

/* job_free - the copies and the job */
static void job_free(struct rcpt_job *j)
{
	j->ctx->jobs--;
	if (j->ev != NULL)
		event_free(j->ev);
	free(j->recipient);
	free(j->sender);
	free(j->login);
	sbuf_free(&j->action);
	sbuf_free(&j->err);
	free(j);
}

/* job_answer - give the answer and forget the job */
static void job_answer(struct rcpt_job *j)
{
	policy_answer_fn *answer = j->answer;
	void *arg = j->arg;
	char *action = sbuf_steal(j->action);

	if (sbuf_len(j->err) > 0) {
		struct sbuf *q = sbuf_new(64);
		const char *who = j->ctx->mode == POLICY_RCPT_RECIPIENT
				      ? j->recipient
				      : j->sender;

		log_warn("policyd: %s check for <%s>: %s", j->ctx->ops.name,
			 log_quote(q, who, strlen(who)), sbuf_cstr(j->err));
		sbuf_free(&q);
	}
	job_free(j);
	answer(arg, action);
	free(action);
}

/* on_deferred - the answer known at start, one loop turn later */
static void on_deferred(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	job_answer(arg);
}

/* job_work - in a worker */
static void job_work(void *thread_ctx, void *arg)
{
	struct rcpt_job *j = arg;

	policy_rcpt_check(thread_ctx, &j->q, j->action, j->err);
}

/* job_done - in the loop */
static void job_done(void *arg, bool cancelled)
{
	struct rcpt_job *j = arg;

	if (j->cancelled) {
		job_free(j);
		return;
	}
	if (cancelled) {
		sbuf_set(j->action, POLICY_RCPT_TEMPFAIL);
		sbuf_set(j->err, "the worker queue was shut down");
	}
	job_answer(j);
}

/* applicable - does this request need a lookup at all? */
static bool applicable(const struct rcpt_ctx *c,
		       const struct policy_request *req)
{
	const char *state = policy_request_get(req, "protocol_state");
	const char *sender = policy_request_get(req, "sender");

	if (!c->has_tables || state == NULL)
		return false;
	if (c->mode == POLICY_RCPT_RECIPIENT) {
		const char *rcpt = policy_request_get(req, "recipient");

		return strcmp(state, "RCPT") == 0 && rcpt != NULL &&
		       rcpt[0] != '\0';
	}
	return (strcmp(state, "RCPT") == 0 || strcmp(state, "MAIL") == 0) &&
	       sender != NULL && sender[0] != '\0';
}

/* check_start - policy_check_ops start */
static void *check_start(void *ctx, const struct policy_request *req,
			 policy_answer_fn *answer, void *arg)
{
	struct rcpt_ctx *c = ctx;
	struct rcpt_job *j = xcalloc(1, sizeof(*j));
	const char *v;
	struct timeval now = {0, 0};

	c->jobs++;
	j->ctx = c;
	j->answer = answer;
	j->arg = arg;
	j->action = sbuf_new(128);
	j->err = sbuf_new(0);
	v = policy_request_get(req, "recipient");
	j->recipient = xstrdup(v != NULL ? v : "");
	v = policy_request_get(req, "sender");
	j->sender = xstrdup(v != NULL ? v : "");
	v = policy_request_get(req, "sasl_username");
	j->login = xstrdup(v != NULL ? v : "");
	j->q.recipient = j->recipient;
	j->q.sender = j->sender;
	j->q.sasl_username = j->login;
	if (applicable(c, req)) {
		j->in_worker = true;
		if (workq_submit(c->wq, job_work, job_done, j) == 0)
			return j;
		j->in_worker = false;
		sbuf_set(j->action, POLICY_RCPT_TEMPFAIL);
		sbuf_set(j->err, "the worker queue is full");
	} else {
		sbuf_set(j->action, "DUNNO");
	}
	/* never answer from inside start (policy_check.h) */
	j->ev = evtimer_new(c->base, on_deferred, j);
	if (j->ev == NULL || evtimer_add(j->ev, &now) < 0)
		log_panic("policyd: cannot add a timer");
	return j;
}

/* check_cancel - policy_check_ops cancel */
static void check_cancel(void *ctx, void *handle)
{
	struct rcpt_job *j = handle;

	(void)ctx;
	if (j->in_worker)
		j->cancelled = true; /* job_done frees it */
	else
		job_free(j);
}

/* open_ctx - as root: one set of handles per worker */
static void *open_ctx(const struct policy_check_env *env,
		      enum policy_rcpt_mode mode, struct sbuf *err)
{
	struct rcpt_ctx *c = xcalloc(1, sizeof(*c));
	const struct policy_conf *cf = env->cf;
	unsigned int i;

	c->mode = mode;
	c->ops.name = mode == POLICY_RCPT_RECIPIENT ? "recipient" : "sender";
	c->ops.start = check_start;
	c->ops.cancel = check_cancel;
	c->nworkers = env->workers > 0 ? env->workers : 1;
	c->worker_queue = cf->worker_queue;
	atomic_init(&c->next_maps, 0);
	if (mode == POLICY_RCPT_RECIPIENT)
		c->has_tables = cf->virtual_mailbox_domains[0] != '\0' ||
				cf->virtual_alias_domains[0] != '\0';
	else
		c->has_tables = cf->sender_login_maps[0] != '\0' ||
				cf->reject_unauth_local_sender;
	if (!c->has_tables) {
		if (mode == POLICY_RCPT_RECIPIENT &&
		    (cf->virtual_mailbox_maps[0] != '\0' ||
		     cf->virtual_alias_maps[0] != '\0'))
			log_warn("policyd_virtual_*_maps are set, but no "
				 "policyd_virtual_*_domains: the recipient "
				 "check has no domain to check");
		c->nworkers = 0; /* every answer is DUNNO */
		return c;
	}
	c->maps = xcalloc(c->nworkers, sizeof(*c->maps));
	for (i = 0; i < c->nworkers; i++) {
		c->maps[i] = policy_rcpt_maps_open(cf, mode, err);
		if (c->maps[i] == NULL) {
			policy_rcpt_close(c);
			return NULL;
		}
	}
	return c;
}

/* policy_rcpt_open_recipient - the "recipient" entry */
void *policy_rcpt_open_recipient(const struct policy_check_env *env,
				 struct sbuf *err)
{
	return open_ctx(env, POLICY_RCPT_RECIPIENT, err);
}

/* policy_rcpt_open_sender - the "sender" entry */
void *policy_rcpt_open_sender(const struct policy_check_env *env,
			      struct sbuf *err)
{
	return open_ctx(env, POLICY_RCPT_SENDER, err);
}

/* worker_init - each worker takes its own handles */
static void *worker_init(void *init_arg)
{
	struct rcpt_ctx *c = init_arg;
	unsigned int i = atomic_fetch_add(&c->next_maps, 1);

	if (i >= c->nworkers)
		log_panic("policyd: more workers than table handles");
	return c->maps[i];
}

/* policy_rcpt_start - the workers, on the loop */
int policy_rcpt_start(void *ctx, struct event_base *base,
		      struct policy_check *check_r, struct sbuf *err)
{
	struct rcpt_ctx *c = ctx;

	c->base = base;
	if (c->nworkers > 0) {
		c->wq = workq_new(base, c->nworkers, c->worker_queue,
				  worker_init, NULL, c);
		if (c->wq == NULL) {
			sbuf_append_str(err, "cannot start the worker threads");
			return -1;
		}
	}
	check_r->ops = &c->ops;
	check_r->ctx = c;
	return 0;
}

/* policy_rcpt_close - workers, then handles */
void policy_rcpt_close(void *ctx)
{
	struct rcpt_ctx *c = ctx;
	unsigned int i;

	if (c == NULL)
		return;
	workq_free(&c->wq);
	for (i = 0; c->maps != NULL && i < c->nworkers; i++)
		policy_rcpt_maps_close(&c->maps[i]);
	free(c->maps);
	if (c->jobs > 0)
		log_warn("policyd: %s check closed with %lu requests open",
			 c->ops.name, c->jobs);
	free(c);
}
