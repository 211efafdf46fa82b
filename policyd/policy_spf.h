/*
 * policy_spf.h - the "spf" check of policyd: postfix-policyd-spf-python
 * 3.0.4's per-request flow, actions and headers, on our evaluator
 * (spf.h) over the daemon's resolver.
 *
 * Per request (attributes lower-cased as policyd-spf does):
 *	0. the recipient's own settings (policyd_spf_per_user) over the
 *	   others; policyd_spf_prospective: every check as if from that
 *	   address, and no header;
 *	1. an answer already given for this message ("instance"): a
 *	   header prepended before gives DUNNO, a reject, defer or
 *	   restriction is repeated;
 *	2. SASL-authenticated clients (sasl_username set) are not checked
 *	   (DUNNO) unless policyd_spf_skip_sasl_authenticated = no;
 *	3. skip_addresses, Whitelist, Domain_Whitelist, HELO_Whitelist,
 *	   Domain_Whitelist_PTR: an X-Comment (or Authentication-Results
 *	   "none") header and no check;
 *	4. the HELO check (postmaster@helo; with no HELO the sender's
 *	   domain or "unknown"), whose reject or defer ends the request;
 *	5. the MAIL FROM check for a non-null sender;
 *	6. the action: "550 5.7.23 <Reason_Message>" (5.7.24 for a
 *	   permerror or temperror that rejects), "DEFER_IF_PERMIT 4.7.24
 *	   ...", a pass restriction (HELO_ or Mail_From_pass_restriction)
 *	   alone, or "PREPEND Received-SPF: ..." (DUNNO with header type
 *	   None). With policyd_spf_no_mail a reject stands only when the
 *	   domain's record is "v=spf1 -all" (looked up again, mostly from
 *	   the resolver's cache).
 * With policyd_spf_test_only = yes (policyd-spf's TestOnly = 0) a reject,
 * defer or restriction is logged and answered DUNNO; headers are still
 * prepended.
 * One deliberate difference from policyd-spf (CVE-2019-20790): for a
 * non-null sender whose MAIL FROM was checked the header always reports
 * the MAIL FROM result, also when that is None; a HELO pass never
 * stands in for it.
 *
 * Requests, DNS answers and explanations are untrusted; every action
 * is printable ASCII of at most POLICY_PROTO_MAX_ACTION bytes. The
 * check runs on the event loop's thread only.
 */
#ifndef PW_POLICY_SPF_H
#define PW_POLICY_SPF_H

#include "policy_check.h"

struct conf;
struct event_base;
struct dns_resolver;
struct policy_check_env;
struct policy_spf_conf;
struct sbuf;

/* The check. */
struct policy_spf;

/*
 * policy_spf_new - a check over resolver r on base; cf and r borrowed
 * for its life. authserv_id "" in cf: the host name.
 */
struct policy_spf *policy_spf_new(struct event_base *base,
				  struct dns_resolver *r,
				  const struct policy_spf_conf *cf);
/* policy_spf_free - cancels the jobs still in flight (no answers) */
void policy_spf_free(struct policy_spf **pp);

/* The check's operations: ctx is the struct policy_spf. */
extern const struct policy_check_ops policy_spf_ops;

/*
 * The "spf" entry of policyd's table of checks (policy_decide.h):
 * open reads the policyd_spf_ parameters (as root), start makes the
 * resolver (policyd_spf_dns_servers, else /etc/resolv.conf: with a
 * chroot, set the servers) and the check on the loop, close frees both;
 * check_conf only checks the parameters (policyd -n, reloads).
 */
void *policy_spf_open(const struct policy_check_env *env, struct sbuf *err);
int policy_spf_start(void *ctx, struct event_base *base,
		     struct policy_check *check_r, struct sbuf *err);
void policy_spf_close(void *ctx);
int policy_spf_check_conf(const struct conf *c, struct sbuf *err);

#endif
