/* policy_spf_conf_test.c - policyd_spf_ parameters and address lists */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "conf.h"
#include "policy_spf_conf.h"
#include "sbuf.h"

/* load - parse text and load it; returns 0 or -1 (err kept in *err_r) */
static int load(const char *text, struct policy_spf_conf *cf, struct sbuf *err)
{
	struct conf *c = NULL;
	int rc;

	cr_assert_eq(conf_parse(text, strlen(text), "test", &c, NULL, err), 0);
	rc = policy_spf_conf_load(c, cf, err);
	conf_free(&c);
	return rc;
}

/* The defaults are policyd-spf's built-in ones. */
Test(policy_spf_conf, defaults)
{
	struct policy_spf_conf cf;
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(policy_spf_conf_load(NULL, &cf, err), 0, "%s",
		     sbuf_cstr(err));
	cr_expect_eq(cf.helo, POLICY_SPF_REJECT_FAIL);
	cr_expect_eq(cf.mail_from, POLICY_SPF_REJECT_FAIL);
	cr_expect(!cf.permerror_reject);
	cr_expect(!cf.temperror_defer);
	cr_expect_eq(cf.header, POLICY_SPF_HEADER_SPF);
	cr_expect(!cf.hide_receiver);
	cr_expect(cf.enhanced_status_codes);
	cr_expect(cf.skip_sasl_authenticated);
	cr_expect_eq(cf.lookup_time, 20);
	cr_expect_eq(cf.whitelist_lookup_time, 10);
	cr_expect_eq(cf.void_limit, 2);
	cr_expect_str_eq(cf.reason_message,
			 "Message {rejectdefer} due to: {spf}. Please see "
			 "{url}");
	/* skip_addresses = 127.0.0.0/8,::ffff:127.0.0.0/104,::1 */
	cr_expect(policy_spf_nets_match(&cf.skip_nets, "127.0.0.1"));
	cr_expect(policy_spf_nets_match(&cf.skip_nets, "127.255.1.2"));
	cr_expect(policy_spf_nets_match(&cf.skip_nets, "::1"));
	cr_expect(policy_spf_nets_match(&cf.skip_nets, "::ffff:127.0.0.9"));
	cr_expect(!policy_spf_nets_match(&cf.skip_nets, "128.0.0.1"));
	cr_expect(!policy_spf_nets_match(&cf.skip_nets, "::2"));
	cr_expect(!policy_spf_nets_match(&cf.whitelist_nets, "127.0.0.1"));
	cr_expect_eq(cf.n_domains, 0);
	policy_spf_conf_release(&cf);
	sbuf_free(&err);
}

Test(policy_spf_conf, values)
{
	struct policy_spf_conf cf;
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(load("policyd_spf_helo_reject = spf_not_pass\n"
			  "policyd_spf_mail_from_reject = SOFTFAIL\n"
			  "policyd_spf_header_type = ar\n"
			  "policyd_spf_whitelist = 198.18.0.0/16 [2001:2::1]\n"
			  "policyd_spf_domain_whitelist = Example.ORG, b.test\n"
			  "policyd_spf_lookup_time = 5s\n",
			  &cf, err),
		     0, "%s", sbuf_cstr(err));
	cr_expect_eq(cf.helo, POLICY_SPF_REJECT_NOT_PASS);
	cr_expect_eq(cf.mail_from, POLICY_SPF_REJECT_SOFTFAIL);
	cr_expect_eq(cf.header, POLICY_SPF_HEADER_AR);
	cr_expect(policy_spf_nets_match(&cf.whitelist_nets, "198.18.200.1"));
	cr_expect(!policy_spf_nets_match(&cf.whitelist_nets, "198.19.0.1"));
	cr_expect(policy_spf_nets_match(&cf.whitelist_nets, "2001:2::1"));
	cr_expect(!policy_spf_nets_match(&cf.whitelist_nets, "2001:2::2"));
	cr_assert_eq(cf.n_domains, 2);
	cr_expect_str_eq(cf.domains[0], "example.org");
	cr_expect_str_eq(cf.domains[1], "b.test");
	cr_expect_eq(cf.lookup_time, 5);
	policy_spf_conf_release(&cf);
	sbuf_free(&err);
}

struct bad_case {
	const char *text;
	const char *msg;
};

static const struct bad_case bad[] = {
    {"policyd_spf_helo_reject = Maybe\n", "helo_reject"},
    {"policyd_spf_mail_from_reject = Null\n", "mail_from_reject"},
    {"policyd_spf_header_type = XML\n", "header_type"},
    {"policyd_spf_whitelist = 10.1.2.3/8\n", "bad network"},
    {"policyd_spf_whitelist = 10.0.0.0/33\n", "bad network"},
    {"policyd_spf_skip_addresses = example.org\n", "bad network"},
    {"policyd_spf_reason_message = {spf} {queue_id}\n", "reason_message"},
    {"policyd_spf_lookup_time = 0\n", "lookup_time"},
    {"policyd_spf_no_such = 1\n", "unknown parameter"},
    {"policyd_spf_authserv_id = "
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "\n",
     "authserv_id"},
};

Test(policy_spf_conf, bad_values)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct policy_spf_conf cf;
		struct sbuf *err = sbuf_new(0);

		cr_expect_eq(load(bad[i].text, &cf, err), -1, "%s",
			     bad[i].text);
		cr_expect(strstr(sbuf_cstr(err), bad[i].msg) != NULL, "%s: %s",
			  bad[i].text, sbuf_cstr(err));
		sbuf_free(&err);
	}
}

Test(policy_spf_conf, nets_limits)
{
	struct policy_spf_nets nets;
	struct sbuf *err = sbuf_new(0), *list = sbuf_new(0);
	unsigned int i;

	for (i = 0; i <= POLICY_SPF_CONF_MAX_NETS; i++)
		sbuf_printf(list, "10.%u.%u.0/24,", i / 256, i % 256);
	cr_expect_eq(policy_spf_nets_parse(sbuf_cstr(list), &nets, err), -1);
	cr_expect_eq(nets.n, 0);
	sbuf_reset(err);
	cr_expect_eq(policy_spf_nets_parse("0.0.0.0/0 ::/0", &nets, err), 0);
	cr_expect(policy_spf_nets_match(&nets, "203.0.113.7"));
	cr_expect(policy_spf_nets_match(&nets, "2001:db8::7"));
	cr_expect(!policy_spf_nets_match(&nets, "not-an-ip"));
	policy_spf_nets_release(&nets);
	sbuf_free(&err);
	sbuf_free(&list);
}
