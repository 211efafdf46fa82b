/*
 * policy_decide.c - the table of checks and the combined decision.
 *
 * Ownership: a decision owns one slot per check; a slot is the arg its
 * check answers to. A decision frees itself once decided (after done)
 * or when cancelled.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "log.h"
#include "policy_decide.h"
#include "policy_proto.h"
#include "policy_rcpt.h"
#include "policy_spf.h"
#include "sbuf.h"
#include "xalloc.h"

/* The checks policyd knows, in the default order of policyd_checks. */
const struct policy_check_def policy_decide_checks[] = {
    {"recipient", NULL, policy_rcpt_open_recipient, policy_rcpt_start,
     policy_rcpt_close, NULL},
    {"sender", NULL, policy_rcpt_open_sender, policy_rcpt_start,
     policy_rcpt_close, NULL},
    {"spf", "policyd_spf_", policy_spf_open, policy_spf_start, policy_spf_close,
     policy_spf_check_conf},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

#define POLICY_DECIDE_MAX_CHECKS 16 /* bits in a selection */
#define POLICY_DECIDE_MAX_CONTEXT 256

struct slot {
	struct policy_decision *dec;
	void *handle; /* the check's, while running */
	char *action; /* its answer */
	bool answered;
};

struct policy_decide {
	struct policy_check *checks;
	size_t n;
	struct sbuf *log; /* scratch for log lines */
};

struct policy_decision {
	struct policy_decide *d;
	const struct policy_request *req;
	policy_decide_done_fn *done;
	void *arg;
	bool starting; /* inside policy_decide_start */
	struct slot slots[];
};

/* policy_decide_find - index of a check name */
int policy_decide_find(const char *name, size_t len)
{
	int i;

	for (i = 0; policy_decide_checks[i].name != NULL; i++)
		if (strlen(policy_decide_checks[i].name) == len &&
		    strncasecmp(policy_decide_checks[i].name, name, len) == 0)
			return i;
	return -1;
}

/* keyword_is - does action start with keyword (any case), then end or
 * white space? */
static bool keyword_is(const char *action, const char *keyword)
{
	size_t n = strlen(keyword);

	return strncasecmp(action, keyword, n) == 0 &&
	       (action[n] == '\0' || action[n] == ' ' || action[n] == '\t');
}

/* policy_action_kind - access(5) keywords that do not decide */
enum policy_action_kind policy_action_kind(const char *action)
{
	if (keyword_is(action, "DUNNO") || keyword_is(action, "INFO") ||
	    keyword_is(action, "WARN"))
		return POLICY_ACTION_DUNNO;
	if (keyword_is(action, "PREPEND"))
		return POLICY_ACTION_PREPEND;
	return POLICY_ACTION_DECIDES;
}

/* policy_decide_new - copy the check list */
struct policy_decide *policy_decide_new(const struct policy_check *checks,
					size_t n)
{
	struct policy_decide *d = xcalloc(1, sizeof(*d));

	if (n > POLICY_DECIDE_MAX_CHECKS)
		log_panic("policyd: %zu checks configured", n);
	d->checks = xcalloc(n > 0 ? n : 1, sizeof(*d->checks));
	if (n > 0)
		memcpy(d->checks, checks, n * sizeof(*checks));
	d->n = n;
	d->log = sbuf_new(512);
	return d;
}

/* policy_decide_free - NULL-safe */
void policy_decide_free(struct policy_decide **dp)
{
	struct policy_decide *d = *dp;

	if (d == NULL)
		return;
	free(d->checks);
	sbuf_free(&d->log);
	free(d);
	*dp = NULL;
}

/* attr - a request value for the log, "" when absent */
static const char *attr(const struct policy_request *req, const char *name)
{
	const char *v = policy_request_get(req, name);

	return v != NULL ? v : "";
}

/* put_quoted - prefix, the value quoted for the log, suffix */
static void put_quoted(struct sbuf *out, const char *prefix, const char *v,
		       const char *suffix)
{
	sbuf_append_str(out, prefix);
	log_quote(out, v, strlen(v));
	sbuf_append_str(out, suffix);
}

/* policy_decide_log_line - the text of a decision's log line; one
 * line per request, so appended without temporary buffers */
void policy_decide_log_line(const struct policy_request *req,
			    const char *action, const char *by,
			    struct sbuf *out)
{
	const char *qid = attr(req, "queue_id");
	const char *sasl = attr(req, "sasl_username");

	sbuf_append_str(out, "decided:");
	put_quoted(out, " queue_id=", qid[0] != '\0' ? qid : "NOQUEUE", "");
	put_quoted(out, " instance=", attr(req, "instance"), "");
	put_quoted(out, " client=", attr(req, "client_name"), "");
	put_quoted(out, "[", attr(req, "client_address"), "]");
	if (sasl[0] != '\0')
		put_quoted(out, " sasl_username=", sasl, "");
	put_quoted(out, " from=<", attr(req, "sender"), ">");
	put_quoted(out, " to=<", attr(req, "recipient"), ">");
	put_quoted(out, " state=", attr(req, "protocol_state"), "");
	put_quoted(out, " action=\"", action, "\" by=");
	sbuf_append_str(out, by);
}

/* decision_free - cancel running checks, free answers */
static void decision_free(struct policy_decision *dec)
{
	struct policy_decide *d = dec->d;
	size_t i;

	for (i = 0; i < d->n; i++) {
		struct slot *s = &dec->slots[i];

		if (!s->answered && s->handle != NULL &&
		    d->checks[i].ops->cancel != NULL)
			d->checks[i].ops->cancel(d->checks[i].ctx, s->handle);
		free(s->action);
	}
	free(dec);
}

/* finish - the decision is made: log, tell the caller, free */
static void finish(struct policy_decision *dec, const char *action,
		   const char *by)
{
	struct policy_decide *d = dec->d;
	char *copy = xstrdup(action);
	policy_decide_done_fn *done;
	void *arg;

	sbuf_reset(d->log);
	policy_decide_log_line(dec->req, copy, by, d->log);
	log_info("%s", sbuf_cstr(d->log));
	/* cancel the rest before done: done may free the request */
	done = dec->done;
	arg = dec->arg;
	decision_free(dec);
	done(arg, copy);
	free(copy);
}

/* evaluate - decide if the answers so far allow it; true when done */
static bool evaluate(struct policy_decision *dec)
{
	struct policy_decide *d = dec->d;
	const char *prepend = NULL, *prepend_by = NULL;
	size_t i;

	for (i = 0; i < d->n; i++) {
		struct slot *s = &dec->slots[i];

		if (!s->answered)
			return false; /* an earlier check may still decide */
		switch (policy_action_kind(s->action)) {
		case POLICY_ACTION_DECIDES:
			finish(dec, s->action, d->checks[i].ops->name);
			return true;
		case POLICY_ACTION_PREPEND:
			if (prepend == NULL) {
				prepend = s->action;
				prepend_by = d->checks[i].ops->name;
			}
			break;
		case POLICY_ACTION_DUNNO:
			break;
		}
	}
	if (prepend != NULL)
		finish(dec, prepend, prepend_by);
	else
		finish(dec, "DUNNO", d->n > 0 ? "all" : "none");
	return true;
}

/* on_answer - policy_answer_fn of every slot */
static void on_answer(void *arg, const char *action)
{
	struct slot *s = arg;
	struct policy_decision *dec = s->dec;

	if (dec == NULL || s->answered)
		log_panic("policyd: a check answered twice");
	s->answered = true;
	s->handle = NULL;
	if (!policy_action_is_valid(action)) {
		log_warn("policyd: a check answered an invalid action; "
			 "taking DUNNO");
		action = "DUNNO";
	}
	s->action = xstrdup(action);
	if (dec->starting)
		log_panic("policyd: a check answered from inside start");
	evaluate(dec);
}

/*
 * select_checks - a bit per configured check to run: all of them,
 * unless every word of policy_context names a configured check; then
 * only those (the same server in smtpd_sender_restrictions with
 * policy_context=sender and in smtpd_recipient_restrictions with
 * policy_context=recipient, so that each reply reads as Postfix words
 * it for that list)
 */
static unsigned int select_checks(const struct policy_decide *d,
				  const char *context)
{
	unsigned int all = (1u << d->n) - 1, sel = 0;
	const char *w;
	size_t len, i;

	if (context == NULL || strlen(context) > POLICY_DECIDE_MAX_CONTEXT)
		return all;
	while ((w = conf_next_word(&context, &len)) != NULL) {
		for (i = 0; i < d->n; i++)
			if (strlen(d->checks[i].ops->name) == len &&
			    strncasecmp(d->checks[i].ops->name, w, len) == 0)
				break;
		if (i == d->n)
			return all; /* a context of some other meaning */
		sel |= 1u << i;
	}
	return sel != 0 ? sel : all;
}

/* policy_decide_start - run every check */
struct policy_decision *policy_decide_start(struct policy_decide *d,
					    const struct policy_request *req,
					    policy_decide_done_fn *done,
					    void *arg)
{
	struct policy_decision *dec;
	unsigned int selected;
	size_t i;

	dec = xcalloc(1, sizeof(*dec) +
			     (d->n > 0 ? d->n : 1) * sizeof(struct slot));
	dec->d = d;
	dec->req = req;
	dec->done = done;
	dec->arg = arg;
	if (d->n == 0) {
		evaluate(dec); /* DUNNO, done runs now */
		return NULL;
	}
	selected = select_checks(d, policy_request_get(req, "policy_context"));
	dec->starting = true;
	for (i = 0; i < d->n; i++) {
		dec->slots[i].dec = dec;
		if ((selected & (1u << i)) == 0) {
			dec->slots[i].answered = true;
			dec->slots[i].action = xstrdup("DUNNO");
			continue;
		}
		dec->slots[i].handle = d->checks[i].ops->start(
		    d->checks[i].ctx, req, on_answer, &dec->slots[i]);
	}
	dec->starting = false;
	return dec;
}

/* policy_decide_cancel - the client went away or time ran out */
void policy_decide_cancel(struct policy_decision **dp, const char *why)
{
	struct policy_decision *dec = *dp;

	if (dec == NULL)
		return;
	log_debug("policyd: decision cancelled: %s", why);
	decision_free(dec);
	*dp = NULL;
}
