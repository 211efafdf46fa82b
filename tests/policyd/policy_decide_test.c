/* policy_decide_test.c - combining the checks' answers, with fake checks
 * that answer from timers on a real event loop */
#include "config.h"

#include <criterion/criterion.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "policy_check.h"
#include "policy_decide.h"
#include "policy_proto.h"
#include "sbuf.h"

/* A fake check: answers action after ms milliseconds. */
struct fake {
	struct policy_check_ops ops;
	struct event_base *base;
	const char *action;
	int ms;
	int started, cancelled, answered;
};

struct fake_run {
	struct fake *f;
	struct event *ev;
	policy_answer_fn *answer;
	void *arg;
};

static void fake_fire(evutil_socket_t fd, short what, void *arg)
{
	struct fake_run *r = arg;
	policy_answer_fn *answer = r->answer;
	void *a = r->arg;
	const char *action = r->f->action;

	(void)fd;
	(void)what;
	r->f->answered++;
	event_free(r->ev);
	free(r);
	answer(a, action);
}

static void *fake_start(void *ctx, const struct policy_request *req,
			policy_answer_fn *answer, void *arg)
{
	struct fake *f = ctx;
	struct fake_run *r = calloc(1, sizeof(*r));
	struct timeval tv = {0, f->ms * 1000};

	cr_assert_not_null(policy_request_get(req, "request"));
	f->started++;
	r->f = f;
	r->answer = answer;
	r->arg = arg;
	r->ev = evtimer_new(f->base, fake_fire, r);
	evtimer_add(r->ev, &tv);
	return r;
}

static void fake_cancel(void *ctx, void *handle)
{
	struct fake *f = ctx;
	struct fake_run *r = handle;

	f->cancelled++;
	event_free(r->ev);
	free(r);
}

static struct event_base *base;
static struct policy_request *req;
static struct sbuf *logs;
static char *decided;
static int ndone;

static void capture(enum log_level level, const char *msg, void *ctx)
{
	(void)ctx;
	(void)level;
	sbuf_append_str(logs, msg);
	sbuf_putc(logs, '\n');
}

static void setup(void)
{
	struct sbuf *err = sbuf_new(0);
	size_t used;
	const char *text = "request=smtpd_access_policy\n"
			   "protocol_state=RCPT\n"
			   "client_address=192.0.2.7\n"
			   "client_name=mx.example\n"
			   "sender=s@example.org\n"
			   "recipient=\"quoted\\\"\"@example.net\n"
			   "queue_id=\n"
			   "instance=1f.2e.3d.0\n\n";

	base = event_base_new();
	cr_assert_eq(policy_request_parse(text, strlen(text), &req, &used, err),
		     POLICY_LINE_END);
	sbuf_free(&err);
	logs = sbuf_new(0);
	log_init("policy_decide_test", 0);
	log_set_sink(capture, NULL);
	decided = NULL;
	ndone = 0;
}

static void teardown(void)
{
	log_set_sink(NULL, NULL);
	policy_request_free(&req);
	event_base_free(base);
	sbuf_free(&logs);
	free(decided);
}

TestSuite(policy_decide, .init = setup, .fini = teardown);

static void on_done(void *arg, const char *action)
{
	(void)arg;
	ndone++;
	free(decided);
	decided = strdup(action);
}

static void fake_init(struct fake *f, const char *name, const char *action,
		      int ms)
{
	memset(f, 0, sizeof(*f));
	f->ops.name = name;
	f->ops.start = fake_start;
	f->ops.cancel = fake_cancel;
	f->base = base;
	f->action = action;
	f->ms = ms;
}

/* run - decide with the fakes; returns the action (NULL: none) */
static const char *run(struct fake *fakes, size_t n)
{
	struct policy_check checks[4];
	struct policy_decide *d;
	struct policy_decision *dec;
	size_t i;

	for (i = 0; i < n; i++) {
		checks[i].ops = &fakes[i].ops;
		checks[i].ctx = &fakes[i];
	}
	d = policy_decide_new(checks, n);
	dec = policy_decide_start(d, req, on_done, NULL);
	cr_assert_not_null(dec);
	cr_assert_eq(ndone, 0, "done ran inside start");
	event_base_dispatch(base);
	policy_decide_free(&d);
	cr_assert_eq(ndone, 1);
	return decided;
}

Test(policy_decide, first_deciding_in_order_waits_for_earlier)
{
	struct fake f[3];

	fake_init(&f[0], "a", "DUNNO", 30);
	fake_init(&f[1], "b", "550 5.1.1 no", 1);
	fake_init(&f[2], "c", "REJECT later", 1);
	cr_assert_str_eq(run(f, 3), "550 5.1.1 no");
	cr_assert_eq(f[0].answered, 1); /* waited for a */
	cr_assert_eq(f[2].cancelled + f[2].answered, 1);
	cr_assert(strstr(sbuf_cstr(logs), "action=\"550 5.1.1 no\" by=b") !=
		      NULL,
		  "%s", sbuf_cstr(logs));
}

Test(policy_decide, early_decision_cancels_the_rest)
{
	struct fake f[3];

	fake_init(&f[0], "a", "DEFER_IF_PERMIT 4.7.1 wait", 1);
	fake_init(&f[1], "b", "OK", 200);
	fake_init(&f[2], "c", "PREPEND X: y", 200);
	cr_assert_str_eq(run(f, 3), "DEFER_IF_PERMIT 4.7.1 wait");
	cr_assert_eq(f[1].cancelled, 1);
	cr_assert_eq(f[2].cancelled, 1);
	cr_assert_eq(f[1].answered, 0);
}

Test(policy_decide, prepend_when_nothing_decides)
{
	struct fake f[3];

	fake_init(&f[0], "a", "dunno", 1);
	fake_init(&f[1], "b", "PREPEND Received-SPF: Pass", 5);
	fake_init(&f[2], "c", "PREPEND X-Second: no", 1);
	cr_assert_str_eq(run(f, 3), "PREPEND Received-SPF: Pass");
}

Test(policy_decide, all_dunno)
{
	struct fake f[2];

	fake_init(&f[0], "a", "DUNNO", 1);
	fake_init(&f[1], "b", "INFO just saying", 2);
	cr_assert_str_eq(run(f, 2), "DUNNO");
	cr_assert_eq(f[0].cancelled + f[1].cancelled, 0);
}

Test(policy_decide, invalid_answer_counts_as_dunno)
{
	struct fake f[2];

	fake_init(&f[0], "a", "REJECT bad\nline", 1);
	fake_init(&f[1], "b", "DUNNO", 1);
	cr_assert_str_eq(run(f, 2), "DUNNO");
	cr_assert(strstr(sbuf_cstr(logs), "invalid action") != NULL);
}

Test(policy_decide, no_checks_decides_at_once)
{
	struct policy_decide *d = policy_decide_new(NULL, 0);

	cr_assert_null(policy_decide_start(d, req, on_done, NULL));
	cr_assert_eq(ndone, 1);
	cr_assert_str_eq(decided, "DUNNO");
	policy_decide_free(&d);
	policy_decide_free(&d); /* NULL-safe */
}

Test(policy_decide, cancel_stops_everything)
{
	struct fake f[2];
	struct policy_check checks[2] = {{&f[0].ops, &f[0]},
					 {&f[1].ops, &f[1]}};
	struct policy_decide *d;
	struct policy_decision *dec;

	fake_init(&f[0], "a", "REJECT", 1);
	fake_init(&f[1], "b", "REJECT", 1);
	d = policy_decide_new(checks, 2);
	dec = policy_decide_start(d, req, on_done, NULL);
	policy_decide_cancel(&dec, "test");
	cr_assert_null(dec);
	policy_decide_cancel(&dec, "again"); /* NULL-safe */
	event_base_dispatch(base);
	cr_assert_eq(ndone, 0);
	cr_assert_eq(f[0].cancelled, 1);
	cr_assert_eq(f[1].cancelled, 1);
	policy_decide_free(&d);
}

Test(policy_decide, log_line_quotes_peer_text)
{
	struct sbuf *out = sbuf_new(0);

	policy_decide_log_line(req, "550 5.1.1 x", "recipient", out);
	cr_assert_str_eq(sbuf_cstr(out),
			 "decided: queue_id=NOQUEUE instance=1f.2e.3d.0 "
			 "client=mx.example[192.0.2.7] from=<s@example.org> "
			 "to=<\\\"quoted\\\\\\\"\\\"@example.net> state=RCPT "
			 "action=\"550 5.1.1 x\" by=recipient");
	sbuf_free(&out);
}

Test(policy_decide, action_kinds)
{
	static const struct {
		const char *a;
		enum policy_action_kind k;
	} v[] = {
	    {"DUNNO", POLICY_ACTION_DUNNO},
	    {"dunno", POLICY_ACTION_DUNNO},
	    {"INFO x", POLICY_ACTION_DUNNO},
	    {"WARN x", POLICY_ACTION_DUNNO},
	    {"PREPEND X: y", POLICY_ACTION_PREPEND},
	    {"prepend X: y", POLICY_ACTION_PREPEND},
	    {"DUNNOX", POLICY_ACTION_DECIDES},
	    {"OK", POLICY_ACTION_DECIDES},
	    {"REJECT", POLICY_ACTION_DECIDES},
	    {"DEFER_IF_PERMIT 4.3.0 x", POLICY_ACTION_DECIDES},
	    {"550 5.1.1 x", POLICY_ACTION_DECIDES},
	    {"451 4.3.0 x", POLICY_ACTION_DECIDES},
	    {"reject_unknown_client_hostname", POLICY_ACTION_DECIDES},
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		cr_expect_eq(policy_action_kind(v[i].a), v[i].k, "%s", v[i].a);
}

Test(policy_decide, table_lookup)
{
	cr_assert_eq(policy_decide_find("recipient", 9), 0);
	cr_assert_eq(policy_decide_find("SENDER", 6), 1);
	cr_assert_eq(policy_decide_find("recipientx", 10), -1);
	cr_assert_eq(policy_decide_find("recip", 5), -1);
}

/* run_context - like run, on a request with this policy_context */
static const char *run_context(struct fake *fakes, size_t n,
			       const char *context)
{
	struct sbuf *b = sbuf_new(0), *err = sbuf_new(0);
	size_t used;

	policy_request_free(&req);
	sbuf_printf(b, "request=smtpd_access_policy\npolicy_context=%s\n\n",
		    context);
	cr_assert_eq(
	    policy_request_parse(sbuf_data(b), sbuf_len(b), &req, &used, err),
	    POLICY_LINE_END);
	sbuf_free(&b);
	sbuf_free(&err);
	return run(fakes, n);
}

Test(policy_decide, policy_context_selects_checks)
{
	struct fake f[3];

	fake_init(&f[0], "recipient", "550 5.1.1 unknown", 1);
	fake_init(&f[1], "sender", "553 5.7.1 not owned", 1);
	fake_init(&f[2], "spf", "PREPEND Received-SPF: x", 1);
	cr_assert_str_eq(run_context(f, 3, "sender"), "553 5.7.1 not owned");
	cr_assert_eq(f[0].started, 0);
	cr_assert_eq(f[2].started, 0);
	free(decided);
	decided = NULL;
	ndone = 0;
	cr_assert_str_eq(run_context(f, 3, "spf, Recipient"),
			 "550 5.1.1 unknown");
	cr_assert_eq(f[1].started, 1);
	ndone = 0;
	/* a context that is not a list of our checks runs them all */
	cr_assert_str_eq(run_context(f, 3, "sender submission"),
			 "550 5.1.1 unknown");
	cr_assert_eq(f[1].started, 2);
	cr_assert_eq(f[2].started, 2);
	ndone = 0;
	cr_assert_str_eq(run_context(f, 3, " , "), "550 5.1.1 unknown");
}
