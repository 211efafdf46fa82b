/*
 * policy_spf.c - the "spf" check: postfix-policyd-spf-python's flow,
 * actions and headers over our evaluator (policy_spf.h).
 *
 * The decision is policy_spf_decide.c (pure); this file runs one job
 * per request on the event loop: skip rules, then up to
 * len(Domain_Whitelist) + 2 SPF checks one after the other, each with
 * its own time limit (Lookup_Time, Whitelist_Lookup_Time).
 */
#include "config.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "dns_unbound.h"
#include "log.h"
#include "policy_decide.h"
#include "policy_proto.h"
#include "policy_spf.h"
#include "policy_spf_cache.h"
#include "policy_spf_conf.h"
#include "policy_spf_decide.h"
#include "sbuf.h"
#include "spf.h"
#include "spf_header.h"
#include "spf_run.h"
#include "xalloc.h"

/* the X-Comment texts of policyd-spf's skip rules */
#define SKIP_LOCAL "SPF check N/A for local connections"
#define SKIP_RELAY "SPF skipped for whitelisted relay"
#define SKIP_DOMAIN "SPF skipped for whitelisted relay domain"
#define SKIP_HELO "SPF skipped for whitelisted HELO domain"
#define SKIP_PTR "SPF skipped for PTR whitelisted relay domain"

struct policy_spf {
	struct event_base *base;
	struct dns_resolver *resolver;
	const struct policy_spf_conf *cf;
	struct policy_spf_cache *cache;
	struct spf_limits limits;
	char *authserv_id;
	struct job *jobs; /* in flight, for policy_spf_free */
};

enum job_stage {
	JOB_DOMAIN_WHITELIST,
	JOB_HELO_WHITELIST,
	JOB_PTR_WHITELIST,
	JOB_HELO,
	JOB_MAIL_FROM,
	JOB_HELO_NO_MAIL,      /* No_Mail: the HELO domain's record */
	JOB_MAIL_FROM_NO_MAIL, /* No_Mail: the sender domain's record */
};

struct job {
	struct policy_spf *ps;
	const struct policy_spf_conf *cf; /* ps->cf or a Per_User entry's */
	bool per_user;			  /* a Per_User recipient */
	bool header_done; /* per_user: the message has its header already */
	struct spf_limits limits;
	struct job *prev, *next; /* ps->jobs */
	policy_answer_fn *answer;
	void *arg;
	/* the request, lower-cased copies */
	char *ip;
	char *helo_name; /* as sent, may be "" */
	char *helo;	 /* as checked */
	char *sender;
	char *instance;
	struct sbuf *receiver;
	/* progress */
	enum job_stage stage;
	size_t domain_i;
	struct spf_check *check;
	struct spf_run *run;
	struct dns_query *q;   /* whitelists, No_Mail records */
	struct event *q_limit; /* their time limit */
	bool helo_checked;
	enum spf_result helo_result;
	struct sbuf *helo_reason;
	bool helo_no_mail, mfrom_no_mail; /* record is "v=spf1 -all" */
	struct sbuf *action;
	bool cache_it;	  /* remember the action for this instance */
	bool in_start;	  /* inside start(): answers must wait for the loop */
	struct event *ev; /* answers decided in start() go out from here */
};

/*
 * lower_dup - a lower-case copy of s (NULL: dflt), at most max bytes.
 * Request values are bounded by policy_proto (POLICY_PROTO_MAX_LINE);
 * they are not cut shorter here, which could change the domain checked.
 */
static char *lower_dup(const char *s, const char *dflt, size_t max)
{
	char *d = xstrndup(s != NULL ? s : dflt, max), *p;

	for (p = d; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

/* job_free - cancel what runs, unlink, free; NULL-safe */
static void job_free(struct job **jp)
{
	struct job *j = *jp;

	if (j == NULL)
		return;
	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		j->ps->jobs = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	spf_run_cancel(&j->run);
	spf_check_free(&j->check);
	dns_cancel(&j->q);
	if (j->q_limit != NULL)
		event_free(j->q_limit);
	if (j->ev != NULL)
		event_free(j->ev);
	free(j->ip);
	free(j->helo_name);
	free(j->helo);
	free(j->sender);
	free(j->instance);
	sbuf_free(&j->receiver);
	sbuf_free(&j->helo_reason);
	sbuf_free(&j->action);
	free(j);
	*jp = NULL;
}

static void job_later_cb(evutil_socket_t fd, short what, void *arg);

/* later - answer from the loop with what start() decided */
static struct job *later(struct job *j)
{
	j->ev = evtimer_new(j->ps->base, job_later_cb, j);
	if (j->ev == NULL)
		log_fatal("policy_spf: cannot create a timer event");
	event_active(j->ev, EV_TIMEOUT, 0);
	return j;
}

/* job_answer - send j->action, remember it, free the job */
static void job_answer(struct job *j)
{
	struct job *jj = j;
	const char *action = sbuf_cstr(j->action);

	if (j->in_start) { /* the contract: never from inside start */
		later(j);
		return;
	}
	if (!policy_action_is_valid(action)) {
		log_panic("policy_spf: invalid action %.80s", action);
	}
	/* policyd-spf: a Per_User recipient is checked on its own, but
	 * never prepends a second header */
	if (j->per_user && j->header_done &&
	    strncmp(action, "PREPEND ", 8) == 0) {
		sbuf_set(j->action, "DUNNO");
		action = sbuf_cstr(j->action);
	}
	if (j->cache_it && !j->per_user && *j->instance != '\0') {
		/* later recipients: DUNNO after a header, else the same */
		policy_spf_cache_put(
		    j->ps->cache, j->instance,
		    strncmp(action, "PREPEND ", 8) == 0 ? "DUNNO" : action);
	}
	/* policy_decide logs the decided request; details when verbose */
	if (log_is_verbose()) {
		struct sbuf *q = sbuf_new(64);

		log_debug("spf: client=%s action=%s",
			  log_quote(q, j->ip, strlen(j->ip)), action);
		sbuf_free(&q);
	}
	j->answer(j->arg, action);
	job_free(&jj);
}

/* job_later_cb - an answer decided in start() goes out from the loop */
static void job_later_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	job_answer(arg);
}

/* job_skipped - the X-Comment (or AR "none") header of a skip rule */
static void job_skipped(struct job *j, const char *reason)
{
	const struct policy_spf_conf *cf = j->cf;
	struct spf_header_info h = {
	    SPF_NONE,  SPF_HEADER_MAILFROM,   NULL, j->ip, j->helo_name,
	    j->sender, sbuf_cstr(j->receiver)};
	struct sbuf *hdr = sbuf_new(256);

	j->cache_it = true;
	/* Prospective: policyd-spf prepends nothing, not even this */
	if (cf->header == POLICY_SPF_HEADER_NONE || *cf->prospective != '\0') {
		sbuf_append_str(j->action, "DUNNO");
	} else if (spf_header_skipped(hdr,
				      cf->header == POLICY_SPF_HEADER_AR
					  ? j->ps->authserv_id
					  : NULL,
				      reason, &h) == 0 &&
		   sbuf_len(hdr) + 8 <= POLICY_PROTO_MAX_ACTION) {
		sbuf_printf(j->action, "PREPEND %s", sbuf_cstr(hdr));
	} else {
		sbuf_append_str(j->action, "DUNNO");
	}
	sbuf_free(&hdr);
}

static void job_done(void *arg, struct spf_check *c);

/* job_check - start one SPF check; sender NULL: the HELO identity */
static void job_check(struct job *j, enum job_stage stage, const char *sender,
		      const char *helo, unsigned int limit_s)
{
	struct spf_request rq;

	memset(&rq, 0, sizeof(rq));
	rq.ip = j->ip;
	rq.sender = sender != NULL ? sender : "";
	rq.helo = helo;
	rq.identity = sender != NULL ? SPF_ID_MAILFROM : SPF_ID_HELO;
	rq.receiver = NULL; /* %{r}: "unknown", as policyd-spf */
	rq.now = time(NULL);
	rq.default_exp = POLICY_SPF_TEXT_FAIL;
	rq.limits = &j->limits;
	j->stage = stage;
	j->check = spf_check_new(&rq);
	j->run = spf_run_start(j->ps->base, j->ps->resolver, j->check,
			       limit_s * 1000u, job_done, j);
}

/* job_next - decide with what is known, or start the next check */
static void job_next(struct job *j)
{
	const struct policy_spf_conf *cf = j->cf;
	struct policy_spf_input in = {j->ip, j->helo, j->sender,
				      sbuf_cstr(j->receiver),
				      *j->helo_name != '\0'};
	struct policy_spf_result h = {j->helo_result, sbuf_cstr(j->helo_reason),
				      j->helo_no_mail};
	struct policy_spf_result m;
	bool need_mfrom;
	enum policy_spf_kind k;

	if (j->stage == JOB_MAIL_FROM) {
		struct sbuf *reason = sbuf_new(64);

		m.result = spf_check_result(j->check);
		policy_spf_reason(reason, m.result,
				  spf_check_explanation(j->check),
				  spf_check_problem(j->check));
		m.reason = sbuf_cstr(reason);
		m.no_mail = j->mfrom_no_mail;
		k = policy_spf_decide(cf, j->ps->authserv_id, &in,
				      j->helo_checked ? &h : NULL, &m,
				      &need_mfrom, j->action);
		sbuf_free(&reason);
	} else {
		k = policy_spf_decide(cf, j->ps->authserv_id, &in,
				      j->helo_checked ? &h : NULL, NULL,
				      &need_mfrom, j->action);
	}
	spf_check_free(&j->check);
	if (need_mfrom) {
		job_check(j, JOB_MAIL_FROM, j->sender, j->helo,
			  cf->lookup_time);
		return;
	}
	/* TestOnly = 0: a reject, defer or restriction only goes to the log */
	if (cf->test_only && (k == POLICY_SPF_REJECT || k == POLICY_SPF_DEFER ||
			      k == POLICY_SPF_RESTRICTION)) {
		struct sbuf *q = sbuf_new(64);

		/* the action is printable ASCII already (policy_spf_decide) */
		log_info("spf: test only: client=%s would be answered: %s",
			 log_quote(q, j->ip, strlen(j->ip)),
			 sbuf_cstr(j->action));
		sbuf_free(&q);
		sbuf_set(j->action, "DUNNO");
	}
	j->cache_it = k != POLICY_SPF_DUNNO;
	job_answer(j);
}

/* job_main - after the skip rules: the HELO check, or straight on */
static void job_main(struct job *j)
{
	const struct policy_spf_conf *cf = j->cf;

	if (*j->sender == '\0' && *j->helo_name == '\0') {
		sbuf_append_str(j->action, "DUNNO");
		job_answer(j);
		return;
	}
	if (cf->helo != POLICY_SPF_REJECT_NO_CHECK) {
		job_check(j, JOB_HELO, NULL, j->helo, cf->lookup_time);
		return;
	}
	j->stage = JOB_HELO;
	job_next(j);
}

/* listed - is name one of the n names in v? */
static bool listed(char *const *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return true;
	return false;
}

/* reverse_name - the PTR name of ip (in-addr.arpa, ip6.arpa); 0 or -1 */
static int reverse_name(const char *ip, struct sbuf *out)
{
	unsigned char a[16];
	int i;

	if (inet_pton(AF_INET, ip, a) == 1) {
		sbuf_printf(out, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1],
			    a[0]);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, a) != 1)
		return -1;
	for (i = 15; i >= 0; i--)
		sbuf_printf(out, "%x.%x.", a[i] & 0xfu, a[i] >> 4);
	sbuf_append_str(out, "ip6.arpa");
	return 0;
}

static void job_ptr_whitelist(struct job *j);
static void job_dns_done(void *arg, const struct dns_answer *a);

/* job_q_limit_cb - Whitelist_Lookup_Time passed: go on without it */
static void job_q_limit_cb(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;

	(void)fd;
	(void)what;
	dns_cancel(&j->q);
	switch (j->stage) {
	case JOB_HELO_WHITELIST:
		job_ptr_whitelist(j);
		return;
	case JOB_HELO_NO_MAIL: /* no answer: not a no-mail record */
		j->stage = JOB_HELO;
		job_next(j);
		return;
	case JOB_MAIL_FROM_NO_MAIL:
		j->stage = JOB_MAIL_FROM;
		job_next(j);
		return;
	default:
		job_main(j);
		return;
	}
}

/* job_lookup - one lookup for a whitelist or No_Mail, with a time limit */
static void job_lookup(struct job *j, enum job_stage stage, const char *name,
		       enum dns_type type, unsigned int limit_s)
{
	struct timeval tv = {(time_t)limit_s, 0};

	j->stage = stage;
	if (j->q_limit == NULL)
		j->q_limit = evtimer_new(j->ps->base, job_q_limit_cb, j);
	if (j->q_limit == NULL)
		log_fatal("policy_spf: cannot create a timer event");
	evtimer_add(j->q_limit, &tv);
	j->q = dns_resolve(j->ps->resolver, name, type, job_dns_done, j);
}

/*
 * job_helo_whitelist - HELO_Whitelist (policyd-spf): a listed HELO name
 * whose A (AAAA for an IPv6 client) records hold the client address
 */
static void job_helo_whitelist(struct job *j)
{
	const struct policy_spf_conf *cf = j->cf;
	unsigned char a[16];

	if (!listed(cf->helo_wl, cf->n_helo_wl, j->helo_name)) {
		job_ptr_whitelist(j);
		return;
	}
	job_lookup(j, JOB_HELO_WHITELIST, j->helo_name,
		   inet_pton(AF_INET, j->ip, a) == 1 ? DNS_T_A : DNS_T_AAAA,
		   cf->whitelist_lookup_time);
}

/*
 * job_ptr_whitelist - Domain_Whitelist_PTR (policyd-spf): the client's
 * first PTR name ends with a listed domain (not validated, as there)
 */
static void job_ptr_whitelist(struct job *j)
{
	const struct policy_spf_conf *cf = j->cf;
	struct sbuf *name;

	if (cf->n_ptr_wl == 0) {
		job_main(j);
		return;
	}
	name = sbuf_new(80);
	if (reverse_name(j->ip, name) < 0) {
		sbuf_free(&name);
		job_main(j);
		return;
	}
	job_lookup(j, JOB_PTR_WHITELIST, sbuf_cstr(name), DNS_T_PTR,
		   cf->whitelist_lookup_time);
	sbuf_free(&name);
}

/* helo_addr_matches - an A/AAAA record equal to the client address */
static bool helo_addr_matches(const struct job *j, const struct dns_answer *a)
{
	unsigned char ip[16];
	size_t len, i;

	if (inet_pton(AF_INET, j->ip, ip) == 1)
		len = 4;
	else if (inet_pton(AF_INET6, j->ip, ip) == 1)
		len = 16;
	else
		return false;
	for (i = 0; a->status == DNS_OK && i < a->n; i++)
		if (a->rr[i].len == len && memcmp(a->rr[i].data, ip, len) == 0)
			return true;
	return false;
}

/* ptr_matches - the first PTR name ends with a listed domain */
static bool ptr_matches(const struct job *j, const struct dns_answer *a)
{
	const struct policy_spf_conf *cf = j->cf;
	size_t i, n, d;
	char *name;
	bool match = false;

	if (a->status != DNS_OK || a->n == 0)
		return false;
	name = lower_dup((const char *)a->rr[0].data, "", DNS_MAX_NAME);
	n = strlen(name);
	for (i = 0; i < cf->n_ptr_wl && !match; i++) {
		d = strlen(cf->ptr_wl[i]);
		match = n >= d && strcmp(name + n - d, cf->ptr_wl[i]) == 0;
	}
	free(name);
	return match;
}

/* job_dns_done - the answer for a whitelist lookup */
static void job_dns_done(void *arg, const struct dns_answer *a)
{
	struct job *j = arg;

	j->q = NULL;
	evtimer_del(j->q_limit);
	if (j->stage == JOB_HELO_NO_MAIL) {
		j->helo_no_mail = policy_spf_no_mail_record(a);
		j->stage = JOB_HELO;
		job_next(j);
		return;
	}
	if (j->stage == JOB_MAIL_FROM_NO_MAIL) {
		j->mfrom_no_mail = policy_spf_no_mail_record(a);
		j->stage = JOB_MAIL_FROM;
		job_next(j);
		return;
	}
	if (j->stage == JOB_HELO_WHITELIST) {
		if (helo_addr_matches(j, a)) {
			job_skipped(j, SKIP_HELO);
			job_answer(j);
			return;
		}
		job_ptr_whitelist(j);
		return;
	}
	if (ptr_matches(j, a)) {
		job_skipped(j, SKIP_PTR);
		job_answer(j);
		return;
	}
	job_main(j);
}

/* job_domain_whitelist - check Domain_Whitelist entry domain_i */
static void job_domain_whitelist(struct job *j)
{
	const struct policy_spf_conf *cf = j->cf;
	struct sbuf *s;

	if (j->domain_i >= cf->n_domains) {
		job_helo_whitelist(j);
		return;
	}
	/* policyd-spf: spf.check2(ip, domain, domain) */
	s = sbuf_new(64);
	sbuf_printf(s, "postmaster@%s", cf->domains[j->domain_i]);
	job_check(j, JOB_DOMAIN_WHITELIST, sbuf_cstr(s),
		  cf->domains[j->domain_i], cf->whitelist_lookup_time);
	sbuf_free(&s);
}

/*
 * no_mail_lookup - No_Mail: before deciding on a result that may reject,
 * fetch the checked domain's TXT records (just resolved, so cached) to
 * see whether its record is "v=spf1 -all"; false if not started
 */
static bool no_mail_lookup(struct job *j, enum job_stage stage)
{
	const char *domain = spf_check_domain(j->check);

	if (!policy_spf_no_mail_wanted(j->cf, spf_check_result(j->check)) ||
	    domain == NULL || *domain == '\0')
		return false;
	job_lookup(j, stage, domain, DNS_T_TXT, j->cf->lookup_time);
	return true;
}

/* job_done - one SPF check finished (from the loop) */
static void job_done(void *arg, struct spf_check *c)
{
	struct job *j = arg;

	(void)c;
	j->run = NULL;
	switch (j->stage) {
	case JOB_DOMAIN_WHITELIST:
		if (spf_check_result(j->check) == SPF_PASS) {
			spf_check_free(&j->check);
			job_skipped(j, SKIP_DOMAIN);
			job_answer(j);
			return;
		}
		spf_check_free(&j->check);
		j->domain_i++;
		job_domain_whitelist(j);
		return;
	case JOB_HELO:
		j->helo_checked = true;
		j->helo_result = spf_check_result(j->check);
		policy_spf_reason(j->helo_reason, j->helo_result,
				  spf_check_explanation(j->check),
				  spf_check_problem(j->check));
		if (!no_mail_lookup(j, JOB_HELO_NO_MAIL))
			job_next(j);
		return;
	case JOB_MAIL_FROM:
		if (!no_mail_lookup(j, JOB_MAIL_FROM_NO_MAIL))
			job_next(j);
		return;
	case JOB_HELO_WHITELIST:
	case JOB_PTR_WHITELIST:
	case JOB_HELO_NO_MAIL:
	case JOB_MAIL_FROM_NO_MAIL:
		log_panic("policy_spf: an SPF check in a whitelist lookup");
	}
}

/* spf_start - policy_check_ops.start */
static void *spf_start(void *ctx, const struct policy_request *req,
		       policy_answer_fn *answer, void *arg)
{
	struct policy_spf *ps = ctx;
	const struct policy_spf_conf *cf;
	struct job *j = xcalloc(1, sizeof(*j));
	const char *sasl = policy_request_get(req, "sasl_username");
	const char *ip = policy_request_get(req, "client_address");
	const char *cached;
	/* one byte more than a header takes: a longer one is cut */
	char *rcpt = lower_dup(policy_request_get(req, "recipient"), "",
			       SPF_HEADER_MAX_VALUE + 1);

	/* Per_User: the recipient's own settings; one cut short matches none */
	cf = policy_spf_conf_for(
	    ps->cf, strlen(rcpt) <= SPF_HEADER_MAX_VALUE ? rcpt : NULL,
	    &j->per_user);
	j->cf = cf;
	j->limits = ps->limits;
	j->limits.void_lookups = cf->void_limit;
	j->ps = ps;
	j->answer = answer;
	j->arg = arg;
	j->in_start = true;
	j->next = ps->jobs;
	if (ps->jobs != NULL)
		ps->jobs->prev = j;
	ps->jobs = j;
	/* policyd-spf lower-cases every value it uses */
	/*
	 * Prospective: every check (skip rules too) as if from that
	 * address, written as configured
	 */
	j->ip = *cf->prospective != '\0'
		    ? xstrdup(cf->prospective)
		    : lower_dup(ip, "", POLICY_PROTO_MAX_LINE);
	j->helo_name = lower_dup(policy_request_get(req, "helo_name"), "",
				 POLICY_PROTO_MAX_LINE);
	j->sender = lower_dup(policy_request_get(req, "sender"), "",
			      POLICY_PROTO_MAX_LINE);
	j->instance = lower_dup(policy_request_get(req, "instance"), "",
				POLICY_SPF_CACHE_MAX_KEY + 1);
	j->receiver = sbuf_new(64);
	j->helo_reason = sbuf_new(64);
	j->action = sbuf_new(256);
	/* with Per_User, policyd-spf writes the whole address, never hidden */
	if (*ps->cf->per_user != '\0')
		sbuf_append_str(j->receiver, *rcpt != '\0' ? rcpt : "none");
	else
		policy_spf_receiver(j->receiver, rcpt, cf->hide_receiver);
	free(rcpt);
	/* no HELO: the sender's domain, else "unknown" (policyd-spf) */
	if (*j->helo_name != '\0') {
		j->helo = xstrdup(j->helo_name);
	} else {
		const char *at = strchr(j->sender, '@');

		j->helo = xstrdup(at != NULL ? at + 1 : "unknown");
	}

	cached = *j->instance != '\0'
		     ? policy_spf_cache_get(ps->cache, j->instance)
		     : NULL;
	/* a Per_User recipient is checked anyway (not remembered either) */
	if (cached != NULL && j->per_user)
		j->header_done = strcmp(cached, "DUNNO") == 0;
	if (cached != NULL && !j->per_user) {
		sbuf_append_str(j->action, cached);
		job_answer(j);
	} else if (cf->skip_sasl_authenticated && sasl != NULL &&
		   *sasl != '\0') {
		sbuf_append_str(j->action, "DUNNO");
		job_answer(j);
	} else if (*j->ip == '\0') {
		sbuf_append_str(j->action, "DUNNO");
		job_answer(j);
	} else if (policy_spf_nets_match(&cf->skip_nets, j->ip)) {
		job_skipped(j, SKIP_LOCAL);
		job_answer(j);
	} else if (policy_spf_nets_match(&cf->whitelist_nets, j->ip)) {
		job_skipped(j, SKIP_RELAY);
		job_answer(j);
	} else {
		/* Domain_Whitelist, HELO_Whitelist, Domain_Whitelist_PTR */
		j->domain_i = 0;
		job_domain_whitelist(j);
	}
	/* job_answer only scheduled the answer: j lives on */
	j->in_start = false;
	return j;
}

/* spf_cancel - policy_check_ops.cancel */
static void spf_cancel(void *ctx, void *handle)
{
	struct job *j = handle;

	(void)ctx;
	job_free(&j);
}

const struct policy_check_ops policy_spf_ops = {
    "spf",
    spf_start,
    spf_cancel,
};

struct policy_spf *policy_spf_new(struct event_base *base,
				  struct dns_resolver *r,
				  const struct policy_spf_conf *cf)
{
	struct policy_spf *ps = xcalloc(1, sizeof(*ps));
	struct spf_limits lim = SPF_LIMITS_DEFAULT;
	char host[256], *p;

	ps->base = base;
	ps->resolver = r;
	ps->cf = cf;
	ps->cache = policy_spf_cache_new(cf->cache_size);
	lim.void_lookups = cf->void_limit;
	ps->limits = lim;
	if (*cf->authserv_id != '\0') {
		ps->authserv_id = xstrdup(cf->authserv_id);
	} else {
		if (gethostname(host, sizeof(host)) < 0)
			host[0] = '\0';
		host[sizeof(host) - 1] = '\0';
		ps->authserv_id = xstrdup(*host != '\0' ? host : "localhost");
	}
	/* authres (policyd-spf) writes it in lower case */
	for (p = ps->authserv_id; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return ps;
}

void policy_spf_free(struct policy_spf **pp)
{
	struct policy_spf *ps = *pp;

	if (ps == NULL)
		return;
	while (ps->jobs != NULL) {
		struct job *j = ps->jobs;

		job_free(&j);
	}
	policy_spf_cache_free(&ps->cache);
	free(ps->authserv_id);
	free(ps);
	*pp = NULL;
}

/* What policyd's table holds for the "spf" entry. */
struct spf_ctx {
	struct policy_spf_conf cf;
	struct dns_resolver *resolver;
	struct policy_spf *spf;
};

/* policy_spf_open - read the policyd_spf_ parameters */
void *policy_spf_open(const struct policy_check_env *env, struct sbuf *err)
{
	struct spf_ctx *x = xcalloc(1, sizeof(*x));

	if (policy_spf_conf_load(env->conf, &x->cf, err) < 0) {
		free(x);
		return NULL;
	}
	return x;
}

/* policy_spf_start - the resolver and the check, on the loop */
int policy_spf_start(void *ctx, struct event_base *base,
		     struct policy_check *check_r, struct sbuf *err)
{
	struct spf_ctx *x = ctx;
	struct dns_unbound_options o;

	memset(&o, 0, sizeof(o));
	o.servers = x->cf.dns_servers;
	x->resolver = dns_unbound_new(base, &o, err);
	if (x->resolver == NULL)
		return -1;
	x->spf = policy_spf_new(base, x->resolver, &x->cf);
	check_r->ops = &policy_spf_ops;
	check_r->ctx = x->spf;
	return 0;
}

/* policy_spf_close - the check, then the resolver, then the config */
void policy_spf_close(void *ctx)
{
	struct spf_ctx *x = ctx;

	if (x == NULL)
		return;
	policy_spf_free(&x->spf);
	dns_resolver_free(&x->resolver);
	policy_spf_conf_release(&x->cf);
	free(x);
}

/* policy_spf_check_conf - the policyd_spf_ parameters load */
int policy_spf_check_conf(const struct conf *c, struct sbuf *err)
{
	struct policy_spf_conf cf;

	if (policy_spf_conf_load(c, &cf, err) < 0)
		return -1;
	policy_spf_conf_release(&cf);
	return 0;
}
