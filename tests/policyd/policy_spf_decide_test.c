/*
 * policy_spf_decide_test.c - results in, action out: the behaviour table
 * of postfix-policyd-spf-python 3.0.4 (spf_engine._spfcheck,
 * _get_resultcodes, _rejectmessage, policyd_spf.py's action texts).
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "dns.h"
#include "policy_proto.h"
#include "policy_spf_conf.h"
#include "policy_spf_decide.h"
#include "sbuf.h"

static struct policy_spf_conf cf;

/* load - the defaults plus "name = value" lines */
static void load(const char *text)
{
	struct conf *c = NULL;
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(conf_parse(text, strlen(text), "test", &c, NULL, err), 0,
		     "%s", sbuf_cstr(err));
	cr_assert_eq(policy_spf_conf_load(c, &cf, err), 0, "%s",
		     sbuf_cstr(err));
	conf_free(&c);
	sbuf_free(&err);
}

static void fini(void) { policy_spf_conf_release(&cf); }

static const enum spf_result all[] = {SPF_NONE,	    SPF_NEUTRAL,  SPF_PASS,
				      SPF_FAIL,	    SPF_SOFTFAIL, SPF_TEMPERROR,
				      SPF_PERMERROR};
#define NALL (sizeof(all) / sizeof(all[0]))

/*
 * Which results reject under each HELO_reject / Mail_From_reject value,
 * with PermError_reject and TempError_Defer at their defaults (False).
 */
struct verdict_case {
	const char *setting;
	const char *reject; /* result names that reject, space separated */
};

static const struct verdict_case verdicts[] = {
    {"Fail", "fail"},
    {"Softfail", "fail softfail"},
    {"SPF_Not_Pass", "fail softfail neutral"},
    {"False", ""},
};

static bool listed(const char *list, enum spf_result r)
{
	const char *name = spf_result_name(r);
	size_t n = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

Test(policy_spf_decide, verdict_table, .fini = fini)
{
	size_t i, k;
	char text[256];

	for (i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
		snprintf(text, sizeof(text),
			 "policyd_spf_helo_reject = %s\n"
			 "policyd_spf_mail_from_reject = %s\n",
			 verdicts[i].setting, verdicts[i].setting);
		load(text);
		for (k = 0; k < NALL; k++) {
			enum policy_spf_kind want =
			    listed(verdicts[i].reject, all[k])
				? POLICY_SPF_REJECT
				: POLICY_SPF_PREPEND;

			cr_expect_eq(policy_spf_verdict(&cf, SPF_HEADER_HELO,
							all[k], true),
				     want, "%s helo %s", verdicts[i].setting,
				     spf_result_name(all[k]));
			cr_expect_eq(policy_spf_verdict(&cf,
							SPF_HEADER_MAILFROM,
							all[k], false),
				     want, "%s mfrom %s", verdicts[i].setting,
				     spf_result_name(all[k]));
		}
		policy_spf_conf_release(&cf);
	}
	load("");
}

Test(policy_spf_decide, errors_reject_or_defer_when_asked, .fini = fini)
{
	load("policyd_spf_permerror_reject = yes\n"
	     "policyd_spf_temperror_defer = yes\n");
	cr_expect_eq(
	    policy_spf_verdict(&cf, SPF_HEADER_MAILFROM, SPF_PERMERROR, false),
	    POLICY_SPF_REJECT);
	cr_expect_eq(
	    policy_spf_verdict(&cf, SPF_HEADER_MAILFROM, SPF_TEMPERROR, false),
	    POLICY_SPF_DEFER);
	cr_expect_eq(
	    policy_spf_verdict(&cf, SPF_HEADER_HELO, SPF_TEMPERROR, false),
	    POLICY_SPF_DEFER);
	policy_spf_conf_release(&cf);
	/* HELO_reject = False: header only, the error options unused */
	load("policyd_spf_permerror_reject = yes\n"
	     "policyd_spf_temperror_defer = yes\n"
	     "policyd_spf_helo_reject = False\n");
	cr_expect_eq(
	    policy_spf_verdict(&cf, SPF_HEADER_HELO, SPF_PERMERROR, true),
	    POLICY_SPF_PREPEND);
	cr_expect_eq(
	    policy_spf_verdict(&cf, SPF_HEADER_HELO, SPF_TEMPERROR, true),
	    POLICY_SPF_PREPEND);
}

/* HELO_reject = Null: HELO fail rejects only the null sender. */
Test(policy_spf_decide, helo_null_policy, .fini = fini)
{
	load("policyd_spf_helo_reject = null\n");
	cr_expect_eq(policy_spf_verdict(&cf, SPF_HEADER_HELO, SPF_FAIL, true),
		     POLICY_SPF_REJECT);
	cr_expect_eq(policy_spf_verdict(&cf, SPF_HEADER_HELO, SPF_FAIL, false),
		     POLICY_SPF_PREPEND);
}

/* starts - does s begin with prefix? */
static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* decide - run policy_spf_decide; returns the action (static) */
static const char *decide(const struct policy_spf_input *in,
			  const struct policy_spf_result *helo,
			  const struct policy_spf_result *mfrom,
			  enum policy_spf_kind *kind_r, bool *need_r)
{
	static struct sbuf *out;

	if (out == NULL)
		out = sbuf_new(0);
	sbuf_reset(out);
	*kind_r = policy_spf_decide(&cf, "mx.example.net", in, helo, mfrom,
				    need_r, out);
	if (!*need_r)
		cr_expect(policy_action_is_valid(sbuf_cstr(out)), "%s",
			  sbuf_cstr(out));
	return sbuf_cstr(out);
}

static const struct policy_spf_input in_user = {
    "198.18.0.1", "mx.example.org", "user@example.org", "example.net", true};
static const struct policy_spf_input in_null = {"198.18.0.1", "mx.example.org",
						"", "example.net", true};

Test(policy_spf_decide, mfrom_pass_prepends_header, .fini = fini)
{
	struct policy_spf_result h = {SPF_NONE, "no SPF record", false};
	struct policy_spf_result m = {SPF_PASS, "sender SPF authorized", false};
	enum policy_spf_kind k;
	bool need;
	const char *a;

	load("");
	a = decide(&in_user, &h, NULL, &k, &need);
	cr_expect(need);
	a = decide(&in_user, &h, &m, &k, &need);
	cr_expect(!need);
	cr_expect_eq(k, POLICY_SPF_PREPEND);
	cr_expect_str_eq(a, "PREPEND Received-SPF: Pass (mailfrom) "
			    "identity=mailfrom; client-ip=198.18.0.1; "
			    "helo=mx.example.org; "
			    "envelope-from=user@example.org; "
			    "receiver=example.net ");
}

Test(policy_spf_decide, mfrom_fail_rejects_5723, .fini = fini)
{
	struct policy_spf_result h = {SPF_PASS, "sender SPF authorized", false};
	struct policy_spf_result m = {SPF_FAIL, "SPF fail - not authorized",
				      false};
	enum policy_spf_kind k;
	bool need;
	const char *a;

	load("");
	a = decide(&in_user, &h, &m, &k, &need);
	cr_expect_eq(k, POLICY_SPF_REJECT);
	cr_expect_str_eq(a, "550 5.7.23 Message rejected due to: SPF fail - "
			    "not authorized. Please see "
			    "http://www.openspf.net/Why?s=mfrom;"
			    "id=user@example.org;ip=198.18.0.1;"
			    "r=example.net");
}

/* The HELO result wins: a HELO fail rejects before MAIL FROM runs. */
Test(policy_spf_decide, helo_fail_rejects_first, .fini = fini)
{
	struct policy_spf_result h = {SPF_FAIL, "Not from here", false};
	enum policy_spf_kind k;
	bool need;
	const char *a;

	load("");
	a = decide(&in_user, &h, NULL, &k, &need);
	cr_expect(!need);
	cr_expect_eq(k, POLICY_SPF_REJECT);
	cr_expect_str_eq(a, "550 5.7.23 Message rejected due to: Not from "
			    "here. Please see http://www.openspf.net/Why?"
			    "s=helo;id=mx.example.org;ip=198.18.0.1;"
			    "r=example.net");
}

Test(policy_spf_decide, permerror_reject_uses_5724, .fini = fini)
{
	struct policy_spf_result h = {SPF_NONE, "no SPF record", false};
	struct policy_spf_result m = {
	    SPF_PERMERROR, "SPF Permanent Error: 2 SPF records", false};
	enum policy_spf_kind k;
	bool need;
	const char *a;

	load("policyd_spf_permerror_reject = yes\n");
	a = decide(&in_user, &h, &m, &k, &need);
	cr_expect_eq(k, POLICY_SPF_REJECT);
	cr_expect(starts(a, "550 5.7.24 Message rejected due to: SPF "
			    "Permanent Error: 2 SPF records."),
		  "%s", a);
}

Test(policy_spf_decide, temperror_defer, .fini = fini)
{
	struct policy_spf_result h = {SPF_NONE, "no SPF record", false};
	struct policy_spf_result m = {
	    SPF_TEMPERROR, "SPF Temporary Error: DNS timeout", false};
	enum policy_spf_kind k;
	bool need;
	const char *a;

	load("policyd_spf_temperror_defer = yes\n");
	a = decide(&in_user, &h, &m, &k, &need);
	cr_expect_eq(k, POLICY_SPF_DEFER);
	cr_expect(starts(a, "DEFER_IF_PERMIT 4.7.24 Message deferred due "
			    "to: SPF Temporary Error: DNS timeout."),
		  "%s", a);
	policy_spf_conf_release(&cf);
	/* default: a temperror only goes into the header */
	load("");
	a = decide(&in_user, &h, &m, &k, &need);
	cr_expect_eq(k, POLICY_SPF_PREPEND);
	cr_expect(starts(a, "PREPEND Received-SPF: Temperror (mailfrom) "),
		  "%s", a);
}

Test(policy_spf_decide, no_enhanced_codes, .fini = fini)
{
	struct policy_spf_result h = {SPF_NONE, "no SPF record", false};
	struct policy_spf_result m = {SPF_FAIL, "SPF fail - not authorized",
				      false};
	struct policy_spf_result t = {SPF_TEMPERROR, "SPF Temporary Error: x",
				      false};
	enum policy_spf_kind k;
	bool need;

	load("policyd_spf_enhanced_status_codes = no\n"
	     "policyd_spf_temperror_defer = yes\n");
	cr_expect(starts(decide(&in_user, &h, &m, &k, &need),
			 "550 Message rejected"));
	cr_expect(starts(decide(&in_user, &h, &t, &k, &need),
			 "DEFER_IF_PERMIT Message deferred"));
}

/* Null sender: the HELO header, envelope-from=<>, no MAIL FROM check. */
Test(policy_spf_decide, null_sender_helo_header, .fini = fini)
{
	struct policy_spf_result h = {SPF_PASS, "sender SPF authorized", false};
	enum policy_spf_kind k;
	bool need;
	const char *a;

	load("");
	a = decide(&in_null, &h, NULL, &k, &need);
	cr_expect(!need);
	cr_expect_eq(k, POLICY_SPF_PREPEND);
	cr_expect_str_eq(a, "PREPEND Received-SPF: Pass (sender SPF "
			    "authorized) identity=helo; client-ip=198.18.0.1; "
			    "helo=mx.example.org; envelope-from=<>; "
			    "receiver=example.net ");
}

/*
 * CVE-2019-20790: with a HELO pass and a MAIL FROM none, the header
 * reports the MAIL FROM none (policyd-spf 3.0.4 keeps the HELO pass).
 */
Test(policy_spf_decide, helo_pass_never_stands_in, .fini = fini)
{
	struct policy_spf_result h = {SPF_PASS, "sender SPF authorized", false};
	struct policy_spf_result m = {SPF_NONE, "no SPF record", false};
	enum policy_spf_kind k;
	bool need;
	const char *a;

	load("");
	a = decide(&in_user, &h, &m, &k, &need);
	cr_expect_str_eq(a, "PREPEND Received-SPF: None (mailfrom) "
			    "identity=mailfrom; client-ip=198.18.0.1; "
			    "helo=mx.example.org; "
			    "envelope-from=user@example.org; "
			    "receiver=example.net ");
	cr_expect_null(strstr(a, "Pass"));
}

Test(policy_spf_decide, no_check_settings, .fini = fini)
{
	struct policy_spf_result h = {SPF_SOFTFAIL, "domain owner ...", false};
	struct policy_spf_result m = {SPF_FAIL, "SPF fail - not authorized",
				      false};
	enum policy_spf_kind k;
	bool need;
	const char *a;

	/* Mail_From_reject = No_Check: the HELO header is the answer */
	load("policyd_spf_mail_from_reject = No_Check\n");
	a = decide(&in_user, &h, NULL, &k, &need);
	cr_expect(!need);
	cr_expect(starts(a, "PREPEND Received-SPF: Softfail (domain owner "
			    "...) identity=helo;"),
		  "%s", a);
	policy_spf_conf_release(&cf);
	/* HELO_reject = No_Check: straight to MAIL FROM */
	load("policyd_spf_helo_reject = No_Check\n");
	a = decide(&in_user, NULL, NULL, &k, &need);
	cr_expect(need);
	a = decide(&in_user, NULL, &m, &k, &need);
	cr_expect_eq(k, POLICY_SPF_REJECT);
	/* null sender and no HELO check: nothing to say */
	a = decide(&in_null, NULL, NULL, &k, &need);
	cr_expect(!need);
	cr_expect_eq(k, POLICY_SPF_DUNNO);
	cr_expect_str_eq(a, "DUNNO");
}

Test(policy_spf_decide, header_types, .fini = fini)
{
	struct policy_spf_result m = {SPF_SOFTFAIL, "domain owner ...", false};
	struct policy_spf_result h = {SPF_NONE, "no SPF record", false};
	enum policy_spf_kind k;
	bool need;
	const char *a;

	load("policyd_spf_header_type = AR\n");
	a = decide(&in_user, &h, &m, &k, &need);
	cr_expect_str_eq(a, "PREPEND Authentication-Results: mx.example.net; "
			    "spf=softfail (domain owner ...) "
			    "smtp.mailfrom=example.org "
			    "(client-ip=198.18.0.1; helo=mx.example.org; "
			    "envelope-from=user@example.org; "
			    "receiver=example.net)");
	policy_spf_conf_release(&cf);
	load("policyd_spf_header_type = None\n");
	a = decide(&in_user, &h, &m, &k, &need);
	cr_expect_eq(k, POLICY_SPF_PREPEND);
	cr_expect_str_eq(a, "DUNNO");
}

Test(policy_spf_decide, reason_message_fields, .fini = fini)
{
	struct policy_spf_result h = {SPF_NONE, "no SPF record", false};
	struct policy_spf_result m = {SPF_SOFTFAIL, "discouraged", false};
	enum policy_spf_kind k;
	bool need;

	load("policyd_spf_mail_from_reject = Softfail\n"
	     "policyd_spf_reason_message = SPF {spf} ({rejectdefer}) {url}\n");
	cr_expect_str_eq(decide(&in_user, &h, &m, &k, &need),
			 "550 5.7.23 SPF discouraged (rejected) "
			 "http://www.openspf.net/Why?s=mfrom;"
			 "id=user@example.org;ip=198.18.0.1;r=example.net");
}

/* Untrusted text in the reject stays one line of printable ASCII. */
Test(policy_spf_decide, hostile_text_in_reject, .fini = fini)
{
	struct policy_spf_input in = {"198.18.0.1", "mx\x01.example",
				      "u\r\n@e.org", "x\xff", true};
	struct policy_spf_result h = {SPF_FAIL, "exp\nX-Evil: yes", false};
	enum policy_spf_kind k;
	bool need;
	const char *a;

	load("");
	a = decide(&in, &h, NULL, &k, &need);
	cr_expect_eq(k, POLICY_SPF_REJECT);
	cr_expect_null(strchr(a, '\n'));
	cr_expect(strstr(a, "exp?X-Evil: yes") != NULL, "%s", a);
	cr_expect(strstr(a, "id=mx?.example") != NULL, "%s", a);
}

/* A header that would pass the action limit is cut, never dropped. */
Test(policy_spf_decide, long_values_fit_an_action, .fini = fini)
{
	char big[400];
	struct policy_spf_input in = {"198.18.0.1", big, big, big, true};
	struct policy_spf_result h = {SPF_NEUTRAL, big, false};
	struct policy_spf_result m = {SPF_NEUTRAL, big, false};
	enum policy_spf_kind k;
	bool need;
	const char *a;

	memset(big, '"', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	load("");
	a = decide(&in, &h, &m, &k, &need);
	cr_expect_eq(k, POLICY_SPF_PREPEND);
	cr_expect_leq(strlen(a), POLICY_PROTO_MAX_ACTION);
	cr_expect(starts(a, "PREPEND Received-SPF: Neutral identity="), "%s",
		  a);
	/* and a reject with them too */
	m.result = SPF_FAIL;
	a = decide(&in, &h, &m, &k, &need);
	cr_expect_leq(strlen(a), POLICY_PROTO_MAX_ACTION);
}

struct reason_case {
	enum spf_result r;
	const char *exp, *problem, *want;
};

static const struct reason_case reasons[] = {
    {SPF_PASS, NULL, NULL, "sender SPF authorized"},
    {SPF_FAIL, NULL, NULL, "SPF fail - not authorized"},
    {SPF_FAIL, "Go away", NULL, "Go away"},
    {SPF_SOFTFAIL, NULL, NULL, "domain owner discourages use of this host"},
    {SPF_NEUTRAL, NULL, NULL, "access neither permitted nor denied"},
    {SPF_NONE, NULL, "no SPF record", "no SPF record"},
    {SPF_PERMERROR, NULL, "2 SPF records",
     "SPF Permanent Error: 2 SPF records"},
    {SPF_TEMPERROR, NULL, "DNS timeout for a TXT",
     "SPF Temporary Error: DNS timeout for a TXT"},
};

Test(policy_spf_decide, reasons)
{
	struct sbuf *b = sbuf_new(0);
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		sbuf_reset(b);
		policy_spf_reason(b, reasons[i].r, reasons[i].exp,
				  reasons[i].problem);
		cr_expect_str_eq(sbuf_cstr(b), reasons[i].want);
	}
	sbuf_free(&b);
}

Test(policy_spf_decide, receiver)
{
	struct sbuf *b = sbuf_new(0);

	policy_spf_receiver(b, "bob@example.net", false);
	cr_expect_str_eq(sbuf_cstr(b), "example.net");
	sbuf_reset(b);
	policy_spf_receiver(b, "bob@example.net", true);
	cr_expect_str_eq(sbuf_cstr(b), "<UNKNOWN>");
	sbuf_reset(b);
	policy_spf_receiver(b, "", false);
	cr_expect_str_eq(sbuf_cstr(b), "none");
	sbuf_reset(b);
	policy_spf_receiver(b, NULL, true);
	cr_expect_str_eq(sbuf_cstr(b), "<UNKNOWN>");
	sbuf_reset(b);
	policy_spf_receiver(b, "postmaster", false);
	cr_expect_str_eq(sbuf_cstr(b), "postmaster");
	sbuf_reset(b);
	/* Python's split('@')[1] */
	policy_spf_receiver(b, "a@b@c", false);
	cr_expect_str_eq(sbuf_cstr(b), "b");
	sbuf_free(&b);
}

/* Reject_Not_Pass_Domains: SPF_Not_Pass for those, with its own reason. */
Test(policy_spf_decide, reject_not_pass_domains, .fini = fini)
{
	struct policy_spf_result none = {SPF_NONE, "no SPF record", false};
	struct policy_spf_result neutral = {SPF_NEUTRAL,
					    "access neither "
					    "permitted nor denied",
					    false};
	struct policy_spf_result pass = {SPF_PASS, "sender SPF authorized",
					 false};
	struct policy_spf_input in_other = {"198.18.0.1", "mx.other.example",
					    "user@example.org", "example.net",
					    true};
	struct policy_spf_input in_nohelo = {"198.18.0.1", "example.org",
					     "user@example.org", "example.net",
					     false};
	enum policy_spf_kind k;
	bool need;
	const char *a;

	load("policyd_spf_reject_not_pass_domains = Example.ORG\n");
	cr_expect(policy_spf_not_pass_domain(&cf, "example.org"));
	cr_expect(policy_spf_not_pass_domain(&cf, "mx.example.org"));
	cr_expect(!policy_spf_not_pass_domain(&cf, "badexample.org"));
	cr_expect(!policy_spf_not_pass_domain(&cf, "org"));
	cr_expect(!policy_spf_not_pass_domain(&cf, ""));
	/* MAIL FROM neutral for a listed domain: rejected */
	a = decide(&in_other, &none, &neutral, &k, &need);
	cr_expect_eq(k, POLICY_SPF_REJECT);
	cr_expect(starts(a, "550 5.7.23 Message rejected due to: Receiver "
			    "policy for SPF Neutral. Please see "),
		  "%s", a);
	/* a pass still passes, with the usual header */
	a = decide(&in_other, &none, &pass, &k, &need);
	cr_expect_eq(k, POLICY_SPF_PREPEND);
	cr_expect(starts(a, "PREPEND Received-SPF: Pass (mailfrom) "), "%s", a);
	/* the HELO name is under a listed domain: neutral rejects there */
	a = decide(&in_user, &neutral, NULL, &k, &need);
	cr_expect_eq(k, POLICY_SPF_REJECT);
	cr_expect(strstr(a, "Receiver policy for SPF Neutral") != NULL, "%s",
		  a);
	cr_expect(strstr(a, "s=helo;") != NULL, "%s", a);
	/* no HELO sent: its stand-in (the sender's domain) is not matched */
	a = decide(&in_nohelo, &neutral, NULL, &k, &need);
	cr_expect(need);
	/* HELO header comment carries the receiver policy text */
	a = decide(&in_null, &pass, NULL, &k, &need);
	cr_expect(starts(a, "PREPEND Received-SPF: Pass (Receiver policy for "
			    "SPF Pass) identity=helo;"),
		  "%s", a);
}

/* A garbage client address of the longest kind still fits (AR too). */
Test(policy_spf_decide, long_client_address_fits, .fini = fini)
{
	static char big[4096];
	struct policy_spf_input in = {big, big, big, big, true};
	struct policy_spf_result r = {SPF_PERMERROR, big, false};
	struct sbuf *out = sbuf_new(0);
	enum policy_spf_kind k;
	bool need;

	memset(big, '(', sizeof(big) - 1);
	load("policyd_spf_header_type = AR\n"
	     "policyd_spf_authserv_id = "
	     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	     "\n");
	cr_assert_eq(strlen(cf.authserv_id), 255);
	k = policy_spf_decide(&cf, cf.authserv_id, &in, &r, &r, &need, out);
	cr_expect_eq(k, POLICY_SPF_PREPEND);
	cr_expect(starts(sbuf_cstr(out), "PREPEND Authentication-Results: "),
		  "%.100s", sbuf_cstr(out));
	cr_expect(policy_action_is_valid(sbuf_cstr(out)), "%zu: %.100s",
		  sbuf_len(out), sbuf_cstr(out));
	sbuf_free(&out);
}

/* txt - a TXT answer of n records (NULL-terminated list) */
static struct dns_answer *txt(enum dns_status st, const char *const *recs)
{
	struct dns_answer *a = dns_answer_new(st, DNS_T_TXT);

	for (; recs != NULL && *recs != NULL; recs++)
		cr_assert_eq(dns_answer_add(a, *recs, strlen(*recs), 0, 1), 0);
	return a;
}

struct no_mail_case {
	enum dns_status st;
	const char *recs[3];
	bool want;
};

static const struct no_mail_case no_mail_cases[] = {
    {DNS_OK, {"v=spf1 -all"}, true},
    {DNS_OK, {"google-site-verification=x", "v=spf1 -all"}, true},
    {DNS_OK, {"v=spf1 -all", "not spf"}, true},
    {DNS_OK, {"v=spf1 -all "}, false},
    {DNS_OK, {"v=spf1  -all"}, false},
    {DNS_OK, {"V=SPF1 -ALL"}, false},
    {DNS_OK, {"v=spf1 ip4:198.18.1.0/24 -all"}, false},
    {DNS_OK, {"v=spf1 ~all"}, false},
    /* two SPF records: a permerror, not a domain without mail */
    {DNS_OK, {"v=spf1 -all", "v=spf1 +all"}, false},
    {DNS_OK, {"v=spf1 -all", "v=spf1 -all"}, false},
    {DNS_OK, {"v=spf10 -all"}, false},
    {DNS_OK, {NULL}, false},
    {DNS_NXDOMAIN, {NULL}, false},
    {DNS_TEMPFAIL, {NULL}, false},
};

/* No_Mail: which records are those of a domain that sends no mail */
Test(policy_spf_decide, no_mail_record)
{
	size_t i;

	for (i = 0; i < sizeof(no_mail_cases) / sizeof(no_mail_cases[0]); i++) {
		struct dns_answer *a =
		    txt(no_mail_cases[i].st, no_mail_cases[i].recs);

		cr_expect_eq(policy_spf_no_mail_record(a),
			     no_mail_cases[i].want, "case %zu (%s)", i,
			     no_mail_cases[i].recs[0] != NULL
				 ? no_mail_cases[i].recs[0]
				 : "-");
		dns_answer_free(&a);
	}
	cr_expect(!policy_spf_no_mail_record(NULL));
}

/* The record is looked at only when No_Mail is on and r may reject. */
Test(policy_spf_decide, no_mail_wanted, .fini = fini)
{
	size_t k;

	load("");
	for (k = 0; k < NALL; k++)
		cr_expect(!policy_spf_no_mail_wanted(&cf, all[k]));
	policy_spf_conf_release(&cf);
	load("policyd_spf_no_mail = yes\n");
	cr_expect(policy_spf_no_mail_wanted(&cf, SPF_FAIL));
	cr_expect(policy_spf_no_mail_wanted(&cf, SPF_SOFTFAIL));
	cr_expect(policy_spf_no_mail_wanted(&cf, SPF_NEUTRAL));
	cr_expect(policy_spf_no_mail_wanted(&cf, SPF_PERMERROR));
	cr_expect(!policy_spf_no_mail_wanted(&cf, SPF_PASS));
	cr_expect(!policy_spf_no_mail_wanted(&cf, SPF_NONE));
	cr_expect(!policy_spf_no_mail_wanted(&cf, SPF_TEMPERROR));
}

/* No_Mail: a MAIL FROM reject stands only for "v=spf1 -all". */
Test(policy_spf_decide, no_mail_mail_from, .fini = fini)
{
	struct policy_spf_result h = {SPF_NONE, "no SPF record", false};
	struct policy_spf_result m = {SPF_FAIL, "SPF fail - not authorized",
				      false};
	struct policy_spf_result t = {SPF_TEMPERROR, "SPF Temporary Error: x",
				      false};
	enum policy_spf_kind k;
	bool need;
	const char *a;

	load("policyd_spf_no_mail = yes\n"
	     "policyd_spf_temperror_defer = yes\n");
	a = decide(&in_user, &h, &m, &k, &need);
	cr_expect_eq(k, POLICY_SPF_PREPEND);
	cr_expect_str_eq(a, "PREPEND Received-SPF: Fail (mailfrom) "
			    "identity=mailfrom; client-ip=198.18.0.1; "
			    "helo=mx.example.org; "
			    "envelope-from=user@example.org; "
			    "receiver=example.net ");
	m.no_mail = true;
	a = decide(&in_user, &h, &m, &k, &need);
	cr_expect_eq(k, POLICY_SPF_REJECT);
	cr_expect(starts(a, "550 5.7.23 Message rejected due to: SPF fail"),
		  "%s", a);
	/* a defer is not a reject: No_Mail leaves it alone */
	a = decide(&in_user, &h, &t, &k, &need);
	cr_expect_eq(k, POLICY_SPF_DEFER);
	policy_spf_conf_release(&cf);
	/* without No_Mail the flag means nothing */
	load("");
	m.no_mail = false;
	a = decide(&in_user, &h, &m, &k, &need);
	cr_expect_eq(k, POLICY_SPF_REJECT);
}

/* No_Mail on HELO: no reject, so MAIL FROM runs (or the HELO header). */
Test(policy_spf_decide, no_mail_helo, .fini = fini)
{
	struct policy_spf_result h = {SPF_FAIL, "SPF fail - not authorized",
				      false};
	struct policy_spf_result m = {SPF_PASS, "sender SPF authorized", false};
	struct policy_spf_result soft = {
	    SPF_SOFTFAIL, "domain owner discourages use of this host", false};
	enum policy_spf_kind k;
	bool need;
	const char *a;

	load("policyd_spf_no_mail = yes\n"
	     "policyd_spf_mail_from_reject = Softfail\n");
	a = decide(&in_user, &h, NULL, &k, &need);
	cr_expect(need);
	a = decide(&in_user, &h, &m, &k, &need);
	cr_expect_eq(k, POLICY_SPF_PREPEND);
	cr_expect(starts(a, "PREPEND Received-SPF: Pass (mailfrom) "), "%s", a);
	/* a softfail that Mail_From_reject = Softfail rejects: header */
	a = decide(&in_user, &h, &soft, &k, &need);
	cr_expect_eq(k, POLICY_SPF_PREPEND);
	cr_expect(starts(a, "PREPEND Received-SPF: Softfail (mailfrom) "), "%s",
		  a);
	/* null sender: the HELO header */
	a = decide(&in_null, &h, NULL, &k, &need);
	cr_expect(!need);
	cr_expect_eq(k, POLICY_SPF_PREPEND);
	cr_expect_str_eq(a, "PREPEND Received-SPF: Fail (SPF fail - not "
			    "authorized) identity=helo; client-ip=198.18.0.1; "
			    "helo=mx.example.org; envelope-from=<>; "
			    "receiver=example.net ");
	/* "v=spf1 -all" at the HELO name: rejected */
	h.no_mail = true;
	a = decide(&in_user, &h, NULL, &k, &need);
	cr_expect(!need);
	cr_expect_eq(k, POLICY_SPF_REJECT);
	cr_expect(strstr(a, "s=helo;") != NULL, "%s", a);
}

/* HELO_pass_restriction: the restriction alone is the action. */
Test(policy_spf_decide, helo_pass_restriction, .fini = fini)
{
	struct policy_spf_result pass = {SPF_PASS, "sender SPF authorized",
					 false};
	struct policy_spf_result fail = {SPF_FAIL, "SPF fail - not authorized",
					 false};
	struct policy_spf_result none = {SPF_NONE, "no SPF record", false};
	enum policy_spf_kind k;
	bool need;
	const char *a;

	load("policyd_spf_helo_pass_restriction = helo_passed_spf\n");
	a = decide(&in_null, &pass, NULL, &k, &need);
	cr_expect(!need);
	cr_expect_eq(k, POLICY_SPF_RESTRICTION);
	cr_expect_str_eq(a, "helo_passed_spf");
	/* a sender: MAIL FROM cannot change the answer, so it is not run */
	a = decide(&in_user, &pass, NULL, &k, &need);
	cr_expect(!need);
	cr_expect_eq(k, POLICY_SPF_RESTRICTION);
	cr_expect_str_eq(a, "helo_passed_spf");
	/* the HELO did not pass: as without the setting */
	a = decide(&in_null, &none, NULL, &k, &need);
	cr_expect_eq(k, POLICY_SPF_PREPEND);
	a = decide(&in_null, &fail, NULL, &k, &need);
	cr_expect_eq(k, POLICY_SPF_REJECT);
	a = decide(&in_user, &none, NULL, &k, &need);
	cr_expect(need);
	a = decide(&in_user, &none, &pass, &k, &need);
	cr_expect_eq(k, POLICY_SPF_PREPEND);
	cr_expect(starts(a, "PREPEND Received-SPF: Pass (mailfrom) "), "%s", a);
	policy_spf_conf_release(&cf);
	/* Mail_From_reject = No_Check: still the restriction */
	load("policyd_spf_helo_pass_restriction = helo_passed_spf\n"
	     "policyd_spf_mail_from_reject = No_Check\n");
	a = decide(&in_user, &pass, NULL, &k, &need);
	cr_expect(!need);
	cr_expect_str_eq(a, "helo_passed_spf");
	policy_spf_conf_release(&cf);
	/* HELO_reject = No_Check: no HELO result, no restriction */
	load("policyd_spf_helo_pass_restriction = helo_passed_spf\n"
	     "policyd_spf_helo_reject = No_Check\n");
	a = decide(&in_user, NULL, &pass, &k, &need);
	cr_expect_eq(k, POLICY_SPF_PREPEND);
	/* HELO_reject = False still checks HELO: the restriction applies */
	policy_spf_conf_release(&cf);
	load("policyd_spf_helo_pass_restriction = helo_passed_spf\n"
	     "policyd_spf_helo_reject = False\n");
	a = decide(&in_null, &pass, NULL, &k, &need);
	cr_expect_str_eq(a, "helo_passed_spf");
}

/* Both restrictions: a MAIL FROM pass picks its own. */
Test(policy_spf_decide, both_pass_restrictions, .fini = fini)
{
	struct policy_spf_result pass = {SPF_PASS, "sender SPF authorized",
					 false};
	struct policy_spf_result fail = {SPF_FAIL, "SPF fail - not authorized",
					 false};
	struct policy_spf_result neutral = {
	    SPF_NEUTRAL, "access neither permitted nor denied", false};
	struct policy_spf_result none = {SPF_NONE, "no SPF record", false};
	enum policy_spf_kind k;
	bool need;
	const char *a;

	load("policyd_spf_helo_pass_restriction = helo_passed_spf\n"
	     "policyd_spf_mail_from_pass_restriction = spf_fin, passed_spf\n");
	a = decide(&in_user, &pass, NULL, &k, &need);
	cr_expect(need);
	a = decide(&in_user, &pass, &pass, &k, &need);
	cr_expect_eq(k, POLICY_SPF_RESTRICTION);
	cr_expect_str_eq(a, "spf_fin, passed_spf");
	/* HELO pass, MAIL FROM not: the HELO one, even over a reject */
	a = decide(&in_user, &pass, &fail, &k, &need);
	cr_expect_eq(k, POLICY_SPF_RESTRICTION);
	cr_expect_str_eq(a, "helo_passed_spf");
	a = decide(&in_user, &pass, &neutral, &k, &need);
	cr_expect_str_eq(a, "helo_passed_spf");
	/* no HELO pass: MAIL FROM's own, or its usual answer */
	a = decide(&in_user, &none, &pass, &k, &need);
	cr_expect_eq(k, POLICY_SPF_RESTRICTION);
	cr_expect_str_eq(a, "spf_fin, passed_spf");
	a = decide(&in_user, &none, &fail, &k, &need);
	cr_expect_eq(k, POLICY_SPF_REJECT);
	/* a HELO reject comes first */
	a = decide(&in_user, &fail, NULL, &k, &need);
	cr_expect(!need);
	cr_expect_eq(k, POLICY_SPF_REJECT);
	policy_spf_conf_release(&cf);
	/* MAIL FROM restriction only: nothing for the null sender */
	load("policyd_spf_mail_from_pass_restriction = mfrom_passed_spf\n");
	a = decide(&in_null, &pass, NULL, &k, &need);
	cr_expect_eq(k, POLICY_SPF_PREPEND);
	cr_expect(starts(a, "PREPEND Received-SPF: Pass (sender SPF "
			    "authorized) identity=helo;"),
		  "%s", a);
	a = decide(&in_user, &pass, &pass, &k, &need);
	cr_expect_str_eq(a, "mfrom_passed_spf");
	a = decide(&in_user, &pass, &none, &k, &need);
	cr_expect_eq(k, POLICY_SPF_PREPEND);
	cr_expect(starts(a, "PREPEND Received-SPF: None (mailfrom) "), "%s", a);
}

/* Prospective: no header ever; rejects and restrictions as usual. */
Test(policy_spf_decide, prospective, .fini = fini)
{
	struct policy_spf_input in = {"198.18.1.5", "mx.example.org",
				      "user@example.org", "example.net", true};
	struct policy_spf_result pass = {SPF_PASS, "sender SPF authorized",
					 false};
	struct policy_spf_result fail = {SPF_FAIL, "SPF fail - not authorized",
					 false};
	struct policy_spf_result none = {SPF_NONE, "no SPF record", false};
	enum policy_spf_kind k;
	bool need;
	const char *a;

	load("policyd_spf_prospective = 198.18.1.5\n"
	     "policyd_spf_mail_from_pass_restriction = mfrom_passed_spf\n");
	a = decide(&in, &none, &none, &k, &need);
	cr_expect_eq(k, POLICY_SPF_PREPEND);
	cr_expect_str_eq(a, "DUNNO");
	a = decide(&in_null, &none, NULL, &k, &need);
	cr_expect_str_eq(a, "DUNNO");
	a = decide(&in, &none, &fail, &k, &need);
	cr_expect_eq(k, POLICY_SPF_REJECT);
	cr_expect(strstr(a, ";ip=198.18.1.5;") != NULL, "%s", a);
	a = decide(&in, &none, &pass, &k, &need);
	cr_expect_str_eq(a, "mfrom_passed_spf");
}
