/*
 * policy_spf_decide.h - the SPF check's decision as pure functions:
 * results of the HELO and MAIL FROM checks in, access(5) action out,
 * following postfix-policyd-spf-python 3.0.4 (spf_engine._spfcheck,
 * _get_resultcodes, _rejectmessage) except where policy_spf.h says.
 *
 * No I/O, no logging, no globals. Every string is untrusted; the action
 * written is printable ASCII of at most POLICY_PROTO_MAX_ACTION bytes.
 */
#ifndef PW_POLICY_SPF_DECIDE_H
#define PW_POLICY_SPF_DECIDE_H

#include <stdbool.h>

#include "spf.h"
#include "spf_header.h"

struct policy_spf_conf;
struct sbuf;

/* pyspf's explanation of a fail without exp= (spf.py EXPLANATIONS) */
#define POLICY_SPF_TEXT_FAIL "SPF fail - not authorized"

/* What the check does with one scope's result. */
enum policy_spf_kind {
	POLICY_SPF_DUNNO,   /* no decision, no header */
	POLICY_SPF_PREPEND, /* the header, no decision */
	POLICY_SPF_REJECT,
	POLICY_SPF_DEFER,
	POLICY_SPF_RESTRICTION, /* a pass restriction is the action */
};

/* One finished check, as the decision needs it (strings borrowed). */
struct policy_spf_result {
	enum spf_result result;
	const char *reason; /* policy_spf_reason() text */
	/*
	 * no_mail - the checked domain's SPF record is "v=spf1 -all"
	 * (policy_spf_no_mail_record); read only with policyd_spf_no_mail
	 */
	bool no_mail;
};

/* The request, normalized (strings borrowed). */
struct policy_spf_input {
	const char *ip;
	const char *helo;     /* as checked: never "" */
	const char *sender;   /* "" = null sender */
	const char *receiver; /* receiver= text: domain, <UNKNOWN>, none */
	bool helo_given;      /* helo was sent, not the sender's domain */
};

/*
 * policy_spf_verdict - HELO_reject / Mail_From_reject, PermError_reject
 * and TempError_Defer applied to one result (policyd-spf's
 * _get_resultcodes): REJECT, DEFER or PREPEND.
 */
enum policy_spf_kind policy_spf_verdict(const struct policy_spf_conf *cf,
					enum spf_header_scope scope,
					enum spf_result r, bool null_sender);

/*
 * policy_spf_no_mail_wanted - with policyd_spf_no_mail, can result r
 * reject (so that the record must be looked at)? Fail, Softfail,
 * Neutral and Permerror can, under some setting.
 */
bool policy_spf_no_mail_wanted(const struct policy_spf_conf *cf,
			       enum spf_result r);

/*
 * policy_spf_no_mail_record - is the SPF record in TXT answer a (of the
 * checked domain) exactly "v=spf1 -all", the record of a domain that
 * sends no mail? Exactly one TXT record must select as SPF (RFC 7208
 * 4.5), its strings joined. policyd-spf 3.0.4 compares the first string
 * of the first TXT record in its cache, whatever record that is.
 */
bool policy_spf_no_mail_record(const struct dns_answer *a);

/*
 * policy_spf_not_pass_domain - is name (lower case) one of
 * Reject_Not_Pass_Domains, or a subdomain of one? Such a HELO name or
 * sender domain is checked as with SPF_Not_Pass, and its reason reads
 * "Receiver policy for SPF <Result>". (policyd-spf 3.0.4 compares the
 * other way round, finding listed domains under the name: the same for
 * an exact match, not for subdomains.)
 */
bool policy_spf_not_pass_domain(const struct policy_spf_conf *cf,
				const char *name);

/*
 * policy_spf_reason - append pyspf's text for a result: the explanation
 * for a fail ("SPF fail - not authorized" without exp=), "no SPF
 * record", "SPF Permanent Error: <problem>", ...
 */
void policy_spf_reason(struct sbuf *out, enum spf_result r,
		       const char *explanation, const char *problem);

/*
 * policy_spf_receiver - the receiver= text for a recipient attribute:
 * its domain, "none" when empty, "<UNKNOWN>" when hidden.
 */
void policy_spf_receiver(struct sbuf *out, const char *recipient, bool hide);

/*
 * policy_spf_decide - the action text (without "action=") for the
 * results so far: helo NULL when the HELO check did not run, mfrom NULL
 * when the MAIL FROM check did not (yet) run. Returns the kind; sets
 * *need_mfrom_r when the MAIL FROM check must still run (then out is
 * empty). authserv_id is used for header type AR.
 *
 * As policyd-spf 3.0.4: with policyd_spf_no_mail a reject stands only
 * when the rejected result's no_mail is set (else the header); a HELO
 * pass with policyd_spf_helo_pass_restriction answers that restriction
 * (no header) whatever MAIL FROM gives, unless MAIL FROM passes and
 * policyd_spf_mail_from_pass_restriction is set: then that one, also
 * after a HELO that did not pass. A HELO reject or defer still comes
 * first. With policyd_spf_prospective a header is never added (DUNNO).
 * Two deliberate differences: with the HELO restriction only, a HELO
 * and MAIL FROM pass answer the HELO restriction (policyd-spf 3.0.4
 * answers "None"), and so does a HELO pass with Mail_From_reject =
 * No_Check (3.0.4 answers its first recipient with the HELO header).
 */
enum policy_spf_kind policy_spf_decide(const struct policy_spf_conf *cf,
				       const char *authserv_id,
				       const struct policy_spf_input *in,
				       const struct policy_spf_result *helo,
				       const struct policy_spf_result *mfrom,
				       bool *need_mfrom_r, struct sbuf *out);

#endif
