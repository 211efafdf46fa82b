/* policy_spf_conf_test.c - policyd_spf_ parameters and address lists */
#include "config.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	/* No_Mail = False; no pass restrictions; no Prospective address */
	cr_expect(!cf.no_mail);
	cr_expect_str_eq(cf.helo_pass_restriction, "");
	cr_expect_str_eq(cf.mail_from_pass_restriction, "");
	cr_expect_str_eq(cf.prospective, "");
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

/* No_Mail, the pass restrictions and Prospective, as written */
Test(policy_spf_conf, no_mail_restrictions_prospective)
{
	struct policy_spf_conf cf;
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(
	    load("policyd_spf_no_mail = yes\n"
		 "policyd_spf_helo_pass_restriction = helo_passed_spf\n"
		 "policyd_spf_mail_from_pass_restriction = spf_fin, "
		 "passed_spf\n"
		 "policyd_spf_prospective = 2001:2::5\n",
		 &cf, err),
	    0, "%s", sbuf_cstr(err));
	cr_expect(cf.no_mail);
	cr_expect_str_eq(cf.helo_pass_restriction, "helo_passed_spf");
	/* a list of restrictions is an access(5) action too */
	cr_expect_str_eq(cf.mail_from_pass_restriction, "spf_fin, passed_spf");
	cr_expect_str_eq(cf.prospective, "2001:2::5");
	policy_spf_conf_release(&cf);
	cr_assert_eq(load("policyd_spf_prospective = 198.18.1.5\n", &cf, err),
		     0, "%s", sbuf_cstr(err));
	cr_expect_str_eq(cf.prospective, "198.18.1.5");
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
    {"policyd_spf_no_mail = sometimes\n", "no_mail"},
    {"policyd_spf_helo_pass_restriction = a\x01b\n", "helo_pass_restriction"},
    {"policyd_spf_mail_from_pass_restriction = caf\xc3\xa9\n",
     "mail_from_pass_restriction"},
    {"policyd_spf_mail_from_pass_restriction = "
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "\n",
     "mail_from_pass_restriction"},
    {"policyd_spf_prospective = 198.18.0.0/24\n", "prospective"},
    {"policyd_spf_prospective = mx.example.org\n", "prospective"},
    {"policyd_spf_prospective = 198.18.1.5 198.18.1.6\n", "prospective"},
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

struct user_case {
	const char *line;
	int rc;
	const char *recipient; /* NULL: none */
	const char *text;      /* conf lines written */
};

static const struct user_case user_cases[] = {
    {"", 0, NULL, ""},
    {"   # only a comment", 0, NULL, ""},
    {"Bob@Example.NET, HELO_reject=False|Mail_From_reject=False", 0,
     "bob@example.net",
     "policyd_spf_helo_reject = False\npolicyd_spf_mail_from_reject = "
     "False\n"},
    /* policyd-spf's value conversions; '#' ends the line anywhere */
    {"a@b, PermError_reject=True|TempError_Defer=true|No_Mail=True # x", 0,
     "a@b",
     "policyd_spf_permerror_reject = yes\npolicyd_spf_temperror_defer = "
     "no\npolicyd_spf_no_mail = yes\n"},
    {"a@b, SPF_Enhanced_Status_Codes=No", 0, "a@b",
     "policyd_spf_enhanced_status_codes = no\n"},
    {"a@b, SPF_Enhanced_Status_Codes=no", 0, "a@b",
     "policyd_spf_enhanced_status_codes = yes\n"},
    /* lists keep their commas; '$' is not expanded */
    {"a@b, Whitelist=198.18.0.0/16,198.19.0.0/16|Reason_Message=$x", 0, "a@b",
     "policyd_spf_whitelist = 198.18.0.0/16,198.19.0.0/16\n"
     "policyd_spf_reason_message = $$x\n"},
    /* accepted by policyd-spf without effect */
    {"a@b, Hide_Receiver=Yes|Authserv-Id=x|debugLevel=5", 0, "a@b", ""},
    {"a@b HELO_reject=False", -1, NULL, NULL},
    {", HELO_reject=False", -1, NULL, NULL},
    {"a@b, HELO_reject", -1, NULL, NULL},
    {"a@b, HELO_reject=a=b", -1, NULL, NULL},
    {"a@b, TestOnly=0", -1, NULL, NULL},
    {"a@b, Reason_Message=x\npolicyd_spf_per_user = text,/etc/passwd", -1, NULL,
     NULL},
    {"a@b, Reason_Message=x\ry", -1, NULL, NULL},
    /* policyd-spf does not trim names: " Whitelist" is unknown */
    {"a@b, HELO_reject=False| Whitelist=198.18.0.0/16", -1, NULL, NULL},
};

/* One Per_User line, as policyd-spf 3.0.4 reads it. */
Test(policy_spf_conf, per_user_lines)
{
	size_t i;

	for (i = 0; i < sizeof(user_cases) / sizeof(user_cases[0]); i++) {
		const struct user_case *u = &user_cases[i];
		struct sbuf *text = sbuf_new(0), *err = sbuf_new(0);
		char *recipient = NULL;

		cr_expect_eq(
		    policy_spf_user_parse(u->line, &recipient, text, err),
		    u->rc, "%s: %s", u->line, sbuf_cstr(err));
		if (u->rc == 0) {
			if (u->recipient == NULL)
				cr_expect_null(recipient, "%s", u->line);
			else
				cr_expect_str_eq(recipient, u->recipient);
			cr_expect_str_eq(sbuf_cstr(text), u->text, "%s",
					 u->line);
		} else {
			cr_expect(!sbuf_is_empty(err), "%s", u->line);
		}
		free(recipient);
		sbuf_free(&text);
		sbuf_free(&err);
	}
}

/* write_file - a temporary file holding text; returns its path */
static const char *write_file(const char *text)
{
	static char path[] = "/tmp/policy_spf_conf_test.XXXXXX";
	int fd;

	strcpy(path, "/tmp/policy_spf_conf_test.XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* Per_User entries start from the file's settings, then their own. */
Test(policy_spf_conf, per_user_file)
{
	struct policy_spf_conf cf;
	const struct policy_spf_conf *u;
	struct sbuf *err = sbuf_new(0), *text = sbuf_new(0);
	const char *path = write_file(
	    "# per-user settings\n"
	    "alice@example.net, HELO_reject=False|Mail_From_reject=SPF_Not_Pass"
	    "|Whitelist=198.18.2.0/24|Mail_From_pass_restriction=alice_ok\n"
	    "\n"
	    "BOB@example.net, No_Mail=True|Lookup_Time=5|Void_Limit=7\n"
	    "alice@example.net, HELO_reject=Softfail\n");
	bool per_user;

	sbuf_printf(text,
		    "policyd_spf_per_user = text,%s\n"
		    "policyd_spf_mail_from_reject = Softfail\n"
		    "base = Go away\n"
		    "policyd_spf_reason_message = $base: {spf}\n",
		    path);
	cr_assert_eq(load(sbuf_cstr(text), &cf, err), 0, "%s", sbuf_cstr(err));
	cr_expect_eq(cf.n_users, 2);
	u = policy_spf_conf_for(&cf, "alice@example.net", &per_user);
	cr_expect(per_user);
	cr_expect_eq(u->helo, POLICY_SPF_REJECT_FALSE);
	cr_expect_eq(u->mail_from, POLICY_SPF_REJECT_NOT_PASS);
	cr_expect(policy_spf_nets_match(&u->whitelist_nets, "198.18.2.9"));
	cr_expect_str_eq(u->mail_from_pass_restriction, "alice_ok");
	/* the rest as in the file, expanded there */
	cr_expect_str_eq(u->reason_message, "Go away: {spf}");
	cr_expect(policy_spf_nets_match(&u->skip_nets, "127.0.0.1"));
	cr_expect_str_eq(u->per_user, "");
	cr_expect_eq(u->n_users, 0);
	u = policy_spf_conf_for(&cf, "bob@example.net", &per_user);
	cr_expect(per_user);
	cr_expect(u->no_mail);
	cr_expect_eq(u->lookup_time, 5);
	cr_expect_eq(u->void_limit, 7);
	cr_expect_eq(u->mail_from, POLICY_SPF_REJECT_SOFTFAIL);
	/* anyone else: the file's settings */
	u = policy_spf_conf_for(&cf, "carol@example.net", &per_user);
	cr_expect(!per_user);
	cr_expect_eq(u, &cf);
	cr_expect_eq(u->helo, POLICY_SPF_REJECT_FAIL);
	u = policy_spf_conf_for(&cf, "none", &per_user);
	cr_expect(!per_user);
	policy_spf_conf_release(&cf);
	unlink(path);
	sbuf_free(&err);
	sbuf_free(&text);
}

struct per_user_bad {
	const char *file; /* NULL: no file */
	const char *value_prefix;
	const char *msg;
};

static const struct per_user_bad per_user_bads[] = {
    {"a@b, HELO_reject=False\n", "sql,", "text,<file>"},
    {NULL, "text,", "per_user"},
    {"a@b, HELO_reject=Maybe\n", "text,", "helo_reject"},
    {"a@b, Prospective=x.example\n", "text,", "prospective"},
    {"ok@b, HELO_reject=False\nbad line\n", "text,", "line 2"},
    {"a@b, Nonsense=1\n", "text,", "unknown setting"},
};

Test(policy_spf_conf, per_user_bad)
{
	size_t i;

	for (i = 0; i < sizeof(per_user_bads) / sizeof(per_user_bads[0]); i++) {
		const struct per_user_bad *b = &per_user_bads[i];
		struct policy_spf_conf cf;
		struct sbuf *err = sbuf_new(0), *text = sbuf_new(0);
		const char *path = b->file != NULL
				       ? write_file(b->file)
				       : "/nonexistent/policy_spf_per_user";

		sbuf_printf(text, "policyd_spf_per_user = %s%s\n",
			    b->value_prefix, path);
		cr_expect_eq(load(sbuf_cstr(text), &cf, err), -1, "case %zu",
			     i);
		cr_expect(strstr(sbuf_cstr(err), b->msg) != NULL,
			  "case %zu: %s", i, sbuf_cstr(err));
		if (b->file != NULL)
			unlink(path);
		sbuf_free(&err);
		sbuf_free(&text);
	}
}
