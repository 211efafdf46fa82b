/*
 * policy_spf_test.c - the "spf" check end to end on the event loop,
 * over an in-memory zone: skip rules, HELO then MAIL FROM, actions,
 * one header per message, time limit.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <event2/event.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "dns.h"
#include "dns_zone.h"
#include "policy_check.h"
#include "policy_proto.h"
#include "policy_spf.h"
#include "policy_spf_conf.h"
#include "sbuf.h"

static struct event_base *base;
static struct dns_zone *zone;
static struct dns_resolver *resolver;
static struct policy_spf_conf cf;
static struct policy_spf *spf;

static void txt(const char *name, const char *record)
{
	cr_assert_eq(
	    dns_zone_add(zone, name, DNS_T_TXT, record, strlen(record), 0, 1),
	    0);
}

static void a4(const char *name, unsigned char a, unsigned char b,
	       unsigned char c, unsigned char d)
{
	unsigned char ip[4] = {a, b, c, d};

	cr_assert_eq(dns_zone_add(zone, name, DNS_T_A, ip, 4, 0, 0), 0);
}

/* start - a check with the defaults plus config lines */
static void start(const char *config)
{
	struct conf *c = NULL;
	struct sbuf *err = sbuf_new(0);

	base = event_base_new();
	zone = dns_zone_new();
	txt("example.org", "v=spf1 ip4:198.18.0.0/24 ~all");
	txt("strict.example", "v=spf1 ip4:198.18.0.0/24 -all");
	txt("mx.example.org", "v=spf1 a -all");
	a4("mx.example.org", 198, 18, 0, 1);
	txt("broken.example", "v=spf1 foo:bar -all");
	txt("relay.example", "v=spf1 ip4:198.19.5.0/24 -all");
	dns_zone_add_name(zone, "nospf.example");
	cr_assert_eq(dns_zone_add(zone, "7.7.18.198.in-addr.arpa", DNS_T_PTR,
				  "Host.Relay.example", 18, 0, 0),
		     0);
	dns_zone_add_timeout(zone, "slow.example");
	resolver = dns_zone_resolver(base, zone);
	cr_assert_eq(conf_parse(config, strlen(config), "test", &c, NULL, err),
		     0);
	cr_assert_eq(policy_spf_conf_load(c, &cf, err), 0, "%s",
		     sbuf_cstr(err));
	conf_free(&c);
	sbuf_free(&err);
	spf = policy_spf_new(base, resolver, &cf);
}

static void stop(void)
{
	policy_spf_free(&spf);
	dns_resolver_free(&resolver);
	dns_zone_free(&zone);
	policy_spf_conf_release(&cf);
	event_base_free(base);
}

struct reply {
	char *action;
	int calls;
	bool in_start;
};

static void answer(void *arg, const char *action)
{
	struct reply *r = arg;

	cr_assert(!r->in_start, "answer from inside start: %s", action);
	r->calls++;
	free(r->action);
	r->action = strdup(action);
}

/*
 * ask - one request: "ip helo sender recipient instance [sasl]" fields
 * separated by spaces ("-" for empty); returns the action (caller frees)
 */
static char *ask(const char *ip, const char *helo, const char *sender,
		 const char *rcpt, const char *instance, const char *sasl)
{
	struct sbuf *text = sbuf_new(0), *err = sbuf_new(0);
	struct policy_request *req = NULL;
	struct reply r = {NULL, 0, false};
	const struct policy_check_ops *ops = &policy_spf_ops;
	size_t used;
	void *h;

	sbuf_printf(text,
		    "request=smtpd_access_policy\nprotocol_state=RCPT\n"
		    "client_address=%s\nhelo_name=%s\nsender=%s\n"
		    "recipient=%s\ninstance=%s\nsasl_username=%s\n\n",
		    ip, helo, sender, rcpt, instance, sasl);
	cr_assert_eq(policy_request_parse(sbuf_data(text), sbuf_len(text), &req,
					  &used, err),
		     POLICY_LINE_END, "%s", sbuf_cstr(err));
	r.in_start = true;
	h = ops->start(spf, req, answer, &r);
	r.in_start = false;
	cr_assert_not_null(h);
	while (r.calls == 0)
		cr_assert_eq(event_base_loop(base, EVLOOP_ONCE), 0);
	event_base_loop(base, EVLOOP_NONBLOCK);
	cr_assert_eq(r.calls, 1);
	policy_request_free(&req);
	sbuf_free(&text);
	sbuf_free(&err);
	return r.action;
}

static void expect(char *got, const char *want)
{
	cr_expect_str_eq(got, want);
	free(got);
}

static void expect_prefix(char *got, const char *want)
{
	cr_expect(strncmp(got, want, strlen(want)) == 0, "got: %s", got);
	free(got);
}

Test(policy_spf, pass_prepends_once_per_message, .fini = stop)
{
	start("");
	expect(ask("198.18.0.1", "mx.example.org", "User@Example.ORG",
		   "bob@example.net", "a1.1.1.0", ""),
	       "PREPEND Received-SPF: Pass (mailfrom) identity=mailfrom; "
	       "client-ip=198.18.0.1; helo=mx.example.org; "
	       "envelope-from=user@example.org; receiver=example.net ");
	/* the second recipient of the same message: no second header */
	expect(ask("198.18.0.1", "mx.example.org", "User@Example.ORG",
		   "carol@example.net", "a1.1.1.0", ""),
	       "DUNNO");
	/* the next message gets its own */
	expect_prefix(ask("198.18.0.1", "mx.example.org", "user@example.org",
			  "carol@example.net", "a1.1.1.1", ""),
		      "PREPEND Received-SPF: Pass (mailfrom)");
}

Test(policy_spf, fail_rejects_every_recipient, .fini = stop)
{
	const char *want = "550 5.7.23 Message rejected due to: SPF fail - "
			   "not authorized. Please see "
			   "http://www.openspf.net/Why?s=mfrom;"
			   "id=u@strict.example;ip=198.18.9.9;r=example.net";

	start("");
	expect(ask("198.18.9.9", "nospf.example", "u@strict.example",
		   "bob@example.net", "b1", ""),
	       want);
	expect(ask("198.18.9.9", "nospf.example", "u@strict.example",
		   "carol@example.net", "b1", ""),
	       want);
}

Test(policy_spf, softfail_header_and_helo_fail, .fini = stop)
{
	start("");
	expect_prefix(ask("198.18.9.9", "nospf.example", "u@example.org",
			  "bob@example.net", "c1", ""),
		      "PREPEND Received-SPF: Softfail (mailfrom) "
		      "identity=mailfrom; client-ip=198.18.9.9; "
		      "helo=nospf.example;");
	/* HELO mx.example.org allows only 198.18.0.1: rejected on HELO */
	expect_prefix(ask("198.18.9.9", "mx.example.org", "u@example.org",
			  "bob@example.net", "c2", ""),
		      "550 5.7.23 Message rejected due to: SPF fail - not "
		      "authorized. Please see http://www.openspf.net/Why?"
		      "s=helo;id=mx.example.org;");
}

Test(policy_spf, null_sender_uses_helo, .fini = stop)
{
	start("");
	expect(ask("198.18.0.1", "mx.example.org", "", "bob@example.net", "d1",
		   ""),
	       "PREPEND Received-SPF: Pass (sender SPF authorized) "
	       "identity=helo; client-ip=198.18.0.1; helo=mx.example.org; "
	       "envelope-from=<>; receiver=example.net ");
	/* no HELO, no sender: nothing to check */
	expect(ask("198.18.0.1", "", "", "bob@example.net", "d2", ""), "DUNNO");
}

Test(policy_spf, skip_rules, .fini = stop)
{
	start("policyd_spf_whitelist = 198.19.0.0/16\n"
	      "policyd_spf_domain_whitelist = relay.example\n");
	expect(ask("127.0.0.1", "localhost", "u@strict.example",
		   "bob@example.net", "e1", ""),
	       "PREPEND X-Comment: SPF check N/A for local connections - "
	       "client-ip=127.0.0.1; helo=localhost; "
	       "envelope-from=u@strict.example; receiver=example.net ");
	expect(ask("198.19.1.1", "h.example", "u@strict.example",
		   "bob@example.net", "e2", ""),
	       "PREPEND X-Comment: SPF skipped for whitelisted relay - "
	       "client-ip=198.19.1.1; helo=h.example; "
	       "envelope-from=u@strict.example; receiver=example.net ");
	/* 198.19.5.5 passes relay.example's SPF: Domain_Whitelist */
	cf.whitelist_nets.n = 0;
	expect_prefix(ask("198.19.5.5", "h.example", "u@strict.example",
			  "bob@example.net", "e3", ""),
		      "PREPEND X-Comment: SPF skipped for whitelisted relay "
		      "domain - client-ip=198.19.5.5;");
	/* SASL-authenticated clients are not checked at all */
	expect(ask("198.18.9.9", "h.example", "u@strict.example",
		   "bob@example.net", "e4", "alice"),
	       "DUNNO");
}

Test(policy_spf, sasl_check_when_configured, .fini = stop)
{
	start("policyd_spf_skip_sasl_authenticated = no\n");
	expect_prefix(ask("198.18.9.9", "h.example", "u@strict.example",
			  "bob@example.net", "f1", "alice"),
		      "550 5.7.23 ");
}

Test(policy_spf, temperror_defers_within_limit, .fini = stop)
{
	start("policyd_spf_temperror_defer = yes\n"
	      "policyd_spf_lookup_time = 1s\n");
	expect_prefix(ask("198.18.9.9", "h.example", "u@slow.example",
			  "bob@example.net", "g1", ""),
		      "DEFER_IF_PERMIT 4.7.24 Message deferred due to: SPF "
		      "Temporary Error: ");
}

Test(policy_spf, permerror_header_or_reject, .fini = stop)
{
	start("");
	expect_prefix(ask("198.18.9.9", "h.example", "u@broken.example",
			  "bob@example.net", "h1", ""),
		      "PREPEND Received-SPF: Permerror (mailfrom) ");
	policy_spf_free(&spf);
	cf.permerror_reject = true;
	spf = policy_spf_new(base, resolver, &cf);
	expect_prefix(ask("198.18.9.9", "h.example", "u@broken.example",
			  "bob@example.net", "h2", ""),
		      "550 5.7.24 Message rejected due to: SPF Permanent "
		      "Error: ");
}

/* MAIL FROM none after a HELO pass: the header says none (mailfrom). */
Test(policy_spf, helo_pass_does_not_stand_in, .fini = stop)
{
	start("");
	expect(ask("198.18.0.1", "mx.example.org", "u@nospf.example",
		   "bob@example.net", "i1", ""),
	       "PREPEND Received-SPF: None (mailfrom) identity=mailfrom; "
	       "client-ip=198.18.0.1; helo=mx.example.org; "
	       "envelope-from=u@nospf.example; receiver=example.net ");
}

/* A client that goes away: cancel, and no answer ever comes. */
Test(policy_spf, cancel_in_flight, .fini = stop)
{
	struct sbuf *err = sbuf_new(0);
	struct policy_request *req = NULL;
	struct reply r = {NULL, 0, false};
	const char *text = "request=smtpd_access_policy\n"
			   "client_address=198.18.9.9\nhelo_name=h.example\n"
			   "sender=u@slow.example\ninstance=j1\n\n";
	size_t used;
	void *h;

	start("");
	cr_assert_eq(policy_request_parse(text, strlen(text), &req, &used, err),
		     POLICY_LINE_END);
	h = policy_spf_ops.start(spf, req, answer, &r);
	policy_spf_ops.cancel(spf, h);
	event_base_loop(base, EVLOOP_NONBLOCK);
	cr_expect_eq(r.calls, 0);
	policy_request_free(&req);
	sbuf_free(&err);
}

/* A long sender is checked whole (its domain), the answer stays bounded. */
Test(policy_spf, long_sender_checked_whole, .fini = stop)
{
	char sender[700];
	char *got;

	memset(sender, 'a', 600);
	strcpy(sender + 600, "@strict.example");
	start("");
	got =
	    ask("198.18.9.9", "h.example", sender, "bob@example.net", "k1", "");
	cr_expect(strncmp(got, "550 5.7.23 ", 11) == 0, "%s", got);
	cr_expect_leq(strlen(got), POLICY_PROTO_MAX_ACTION);
	free(got);
	got =
	    ask("198.18.0.9", "h.example", sender, "bob@example.net", "k2", "");
	cr_expect(strncmp(got, "PREPEND Received-SPF: Pass (mailfrom) ", 38) ==
		      0,
		  "%s", got);
	cr_expect(policy_action_is_valid(got), "%s", got);
	free(got);
}

/* policyd_spf_test_only: rejects and defers become DUNNO, headers stay. */
Test(policy_spf, test_only, .fini = stop)
{
	start("policyd_spf_test_only = yes\n"
	      "policyd_spf_temperror_defer = yes\n");
	expect(ask("198.18.9.9", "h.example", "u@strict.example",
		   "bob@example.net", "l1", ""),
	       "DUNNO");
	expect(ask("198.18.9.9", "h.example", "u@strict.example",
		   "carol@example.net", "l1", ""),
	       "DUNNO");
	expect(ask("198.18.9.9", "h.example", "u@slow.example",
		   "bob@example.net", "l2", ""),
	       "DUNNO");
	expect_prefix(ask("198.18.9.9", "h.example", "u@example.org",
			  "bob@example.net", "l3", ""),
		      "PREPEND Received-SPF: Softfail (mailfrom) ");
}

/* HELO_Whitelist and Domain_Whitelist_PTR skip the check. */
Test(policy_spf, helo_and_ptr_whitelists, .fini = stop)
{
	start("policyd_spf_helo_whitelist = mx.example.org\n"
	      "policyd_spf_domain_whitelist_ptr = relay.example\n");
	expect_prefix(ask("198.18.0.1", "mx.example.org", "u@strict.example",
			  "bob@example.net", "m1", ""),
		      "PREPEND X-Comment: SPF skipped for whitelisted HELO "
		      "domain - client-ip=198.18.0.1; helo=mx.example.org;");
	/* a listed HELO name that does not resolve to the client: checked */
	expect_prefix(ask("198.18.9.9", "mx.example.org", "u@strict.example",
			  "bob@example.net", "m2", ""),
		      "550 5.7.23 ");
	/* the client's PTR name is under relay.example (any case) */
	expect_prefix(ask("198.18.7.7", "h.example", "u@strict.example",
			  "bob@example.net", "m3", ""),
		      "PREPEND X-Comment: SPF skipped for PTR whitelisted "
		      "relay domain - client-ip=198.18.7.7;");
	/* no PTR record: checked */
	expect_prefix(ask("198.18.7.8", "h.example", "u@strict.example",
			  "bob@example.net", "m4", ""),
		      "550 5.7.23 ");
}

/* policyd -n and reloads check the policyd_spf_ parameters. */
Test(policy_spf, check_conf)
{
	const char *good = "policyd_spf_helo_reject = SPF_Not_Pass\n";
	const char *bad = "policyd_spf_header_type = XML\n";
	struct conf *c = NULL;
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(conf_parse(good, strlen(good), "t", &c, NULL, err), 0);
	cr_expect_eq(policy_spf_check_conf(c, err), 0, "%s", sbuf_cstr(err));
	conf_free(&c);
	cr_assert_eq(conf_parse(bad, strlen(bad), "t", &c, NULL, err), 0);
	cr_expect_eq(policy_spf_check_conf(c, err), -1);
	cr_expect(strstr(sbuf_cstr(err), "header_type") != NULL, "%s",
		  sbuf_cstr(err));
	conf_free(&c);
	sbuf_free(&err);
}
