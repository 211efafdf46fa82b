/*
 * policy_rcpt.h - the "recipient" and "sender" checks over SQL tables.
 *
 * recipient (at RCPT): when the recipient's domain is one of ours (it
 * matches policyd_virtual_alias_domains or policyd_virtual_mailbox_domains,
 * Postfix match lists of names, /files and mysql:/sqlite: tables), the
 * address must be found the way Postfix's reject_unlisted_recipient
 * finds it: as is, without its extension (policyd_recipient_delimiter),
 * then as the catch-all "@domain", in policyd_virtual_alias_maps, and
 * for mailbox domains also in policyd_virtual_mailbox_maps. Otherwise
 * "550 5.1.1 User unknown in virtual alias table" (alias domains) or
 * "... virtual mailbox table", Postfix's own words; Postfix puts
 * "<rcpt>: Recipient address rejected: " in front. Found, or not our
 * domain: DUNNO (later restrictions still apply).
 *
 * sender (at MAIL or RCPT): for a SASL client (sasl_username set), the
 * login must own MAIL FROM per policyd_sender_login_maps (same three
 * keys; the value is a list of logins, compared without case), else
 * "553 5.7.1 not owned by user <login>", as reject_sender_login_mismatch.
 * With policyd_reject_unauth_local_sender = yes, a client without SASL
 * login whose MAIL FROM is in one of our domains gets "553 5.7.1 not
 * logged in". The null sender is never checked.
 *
 * Any lookup failure (database down, query error) is "451 4.3.0
 * Temporary lookup failure": never a reject, never DUNNO. Keys are
 * lower-cased as Postfix does (SQLMAP_FOLD_KEY).
 *
 * Threads: SQL runs in a worker pool (workq); each worker owns one
 * handle per table (struct policy_rcpt_maps). Request text is untrusted.
 */
#ifndef PW_POLICY_RCPT_H
#define PW_POLICY_RCPT_H

#include <stdbool.h>

struct event_base;
struct policy_check;
struct policy_check_env;
struct policy_conf;
struct sbuf;

#define POLICY_RCPT_TEMPFAIL "451 4.3.0 Temporary lookup failure"
/* longest address we look up (RFC 5321 4.5.3.1.3: a path is 256) */
#define POLICY_RCPT_MAX_ADDR 1024

enum policy_rcpt_mode {
	POLICY_RCPT_RECIPIENT,
	POLICY_RCPT_SENDER,
};

struct policy_rcpt_maps;

/*
 * policy_rcpt_maps_open - one worker's handles for mode's tables (from
 * cf; borrowed for the call). Returns NULL with a message in err.
 */
struct policy_rcpt_maps *policy_rcpt_maps_open(const struct policy_conf *cf,
					       enum policy_rcpt_mode mode,
					       struct sbuf *err);
void policy_rcpt_maps_close(struct policy_rcpt_maps **mp); /* NULL-safe */

/* What one check looks at; borrowed. NULL counts as "". */
struct policy_rcpt_query {
	const char *recipient;
	const char *sender;
	const char *sasl_username;
};

/*
 * policy_rcpt_check - the check itself, blocking (a worker runs it):
 * replace action_r with the action. A lookup failure also appends the
 * reason to err (the action is then POLICY_RCPT_TEMPFAIL).
 */
void policy_rcpt_check(struct policy_rcpt_maps *m,
		       const struct policy_rcpt_query *q, struct sbuf *action_r,
		       struct sbuf *err);

/*
 * policy_rcpt_strip_ext - append the address without its extension to
 * out: the local part ends at its first delimiter character when that
 * is not its first character. Returns true when something was
 * stripped. Pure.
 */
bool policy_rcpt_strip_ext(const char *addr, const char *delimiters,
			   struct sbuf *out);

/* The policy_decide_checks entries (see policy_check_def). */
void *policy_rcpt_open_recipient(const struct policy_check_env *env,
				 struct sbuf *err);
void *policy_rcpt_open_sender(const struct policy_check_env *env,
			      struct sbuf *err);
int policy_rcpt_start(void *ctx, struct event_base *base,
		      struct policy_check *check_r, struct sbuf *err);
void policy_rcpt_close(void *ctx);

#endif
