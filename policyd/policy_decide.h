/*
 * policy_decide.h - the known checks and the decision on one request.
 *
 * policy_decide_checks[] is the one table of checks policyd knows, by
 * the name policyd_checks uses. Each entry opens its check as root (read
 * .cf files), starts it on the event loop (unprivileged) and closes it
 * after the loop. policy_check.h says how a started check answers.
 *
 * A decision runs every configured check on a request at once and
 * combines the answers by policy_check.h's rule, in the configured
 * order: the first action that decides; failing that the first PREPEND;
 * failing that DUNNO. As soon as the answers before a deciding one are
 * in, the checks still running are cancelled. One log line per decided
 * request (queue id, instance, client, sender, recipient, action, the
 * check that decided), peer text quoted.
 *
 * policy_context (Postfix 3.1+: check_policy_service { unix:private/x,
 * policy_context=sender }) selects checks: when every word of it names
 * a configured check, only those run. So one server can sit in
 * smtpd_sender_restrictions (context "sender": replies read "<sender>:
 * Sender address rejected: ...", as Postfix words it) and in
 * smtpd_recipient_restrictions (context "recipient spf"). Any other
 * context runs every check.
 *
 * Event loop thread only. Requests are untrusted; actions come from our
 * checks.
 */
#ifndef PW_POLICY_DECIDE_H
#define PW_POLICY_DECIDE_H

#include <stdbool.h>
#include <stddef.h>

#include "policy_check.h"

struct conf;
struct event_base;
struct policy_conf;
struct policy_request;
struct sbuf;

/* What a check gets to open: all borrowed until its close. */
struct policy_check_env {
	const struct conf *conf;      /* the whole file: own parameters */
	const struct policy_conf *cf; /* the policyd_ parameters */
	unsigned int workers;	      /* worker threads a check may run */
};

struct policy_check_def {
	const char *name;	  /* in policyd_checks and logs */
	const char *param_prefix; /* its own parameters ("policyd_spf_"),
				     read from env->conf; NULL: none */
	/* open - as root: read config and files; returns ctx or NULL
	 * with a message in err */
	void *(*open)(const struct policy_check_env *env, struct sbuf *err);
	/* start - on the loop, unprivileged: fill *check_r */
	int (*start)(void *ctx, struct event_base *base,
		     struct policy_check *check_r, struct sbuf *err);
	/* close - after the loop: cancel what runs, free ctx (NULL-safe) */
	void (*close)(void *ctx);
	/* check_conf - optional (NULL): check the check's own parameters
	 * in c without opening anything; runs at every config load (-n,
	 * start, SIGHUP) when the check is configured */
	int (*check_conf)(const struct conf *c, struct sbuf *err);
};

/* The table: add a check here (one line), nowhere else. Ends in NULL. */
extern const struct policy_check_def policy_decide_checks[];

/* policy_decide_find - the index of name in the table, or -1 */
int policy_decide_find(const char *name, size_t len);

/* What an action does to the decision (access(5) keyword, any case). */
enum policy_action_kind {
	POLICY_ACTION_DUNNO,   /* DUNNO, INFO, WARN: no decision */
	POLICY_ACTION_PREPEND, /* PREPEND: used when nothing decides */
	POLICY_ACTION_DECIDES, /* OK, REJECT, DEFER..., 4NN, 5NN, others */
};
/* policy_action_kind - classify an action text. Pure. */
enum policy_action_kind policy_action_kind(const char *action);

struct policy_decide;
struct policy_decision;

/*
 * policy_decide_done_fn - the decided action (borrowed for the call).
 * Runs exactly once per decision unless cancelled; it runs before
 * policy_decide_start returns only when no check is configured.
 */
typedef void policy_decide_done_fn(void *arg, const char *action);

/* policy_decide_new - decide with checks[0..n-1] (copied; their ctx
 * borrowed until policy_decide_free). Caller frees. */
struct policy_decide *policy_decide_new(const struct policy_check *checks,
					size_t n);
void policy_decide_free(struct policy_decide **dp); /* NULL-safe */

/*
 * policy_decide_start - start every check on req (borrowed until done
 * or cancel). Returns the decision to cancel, or NULL when done already
 * ran.
 */
struct policy_decision *policy_decide_start(struct policy_decide *d,
					    const struct policy_request *req,
					    policy_decide_done_fn *done,
					    void *arg);
/* policy_decide_cancel - stop the checks still running; done will not
 * run. why (for the log line) says what happened. NULL-safe. */
void policy_decide_cancel(struct policy_decision **dp, const char *why);

/* policy_decide_log_line - append the log text of a decided request
 * (what policy_decide logs). Pure; for the server's own answers too. */
void policy_decide_log_line(const struct policy_request *req,
			    const char *action, const char *by,
			    struct sbuf *out);

#endif
