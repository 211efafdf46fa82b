/*
 * policy_check.h - one check in policyd's decision on a request.
 *
 * The server parses a request (policy_proto.h) and hands it to the
 * checks in their configured order (policy_decide.c). Each check answers
 * once with an access(5) action, possibly later from the event loop
 * (SQL in a worker, SPF over DNS). The decision is the first action that
 * decides (OK, REJECT, DEFER, DEFER_IF_PERMIT, 4NN, 5NN, ...); failing
 * that the first PREPEND; failing that DUNNO. Checks never see the
 * connection; the request is borrowed until they answer or are cancelled.
 */
#ifndef PW_POLICY_CHECK_H
#define PW_POLICY_CHECK_H

struct policy_request;

/*
 * policy_answer_fn - a check's action, without "action=" ("DUNNO",
 * "550 5.7.23 Message rejected due to: ...", "PREPEND Received-SPF: ...");
 * borrowed for the call; printable UTF-8, no LF. Called exactly once per
 * start unless cancelled, never from inside start.
 */
typedef void policy_answer_fn(void *arg, const char *action);

struct policy_check_ops {
	const char *name; /* "recipient", "sender", "spf": logs, config */
	/* start - begin deciding req; returns a handle for cancel */
	void *(*start)(void *ctx, const struct policy_request *req,
		       policy_answer_fn *answer, void *arg);
	/* cancel - the client went away: answer will not be called */
	void (*cancel)(void *ctx, void *handle);
};

struct policy_check {
	const struct policy_check_ops *ops;
	void *ctx;
};

#endif
