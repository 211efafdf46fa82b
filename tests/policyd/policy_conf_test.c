/* policy_conf_test.c - the policyd_ parameter table and its checks */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "policy_conf.h"
#include "policy_decide.h"
#include "sbuf.h"

/* load - write text to a temp file and load it; returns the status */
static int load(const char *text, struct policy_conf *cf, struct sbuf *err)
{
	char path[] = "/tmp/policy_conf_test.XXXXXX";
	int fd = mkstemp(path), rc;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	rc = policy_conf_load(path, cf, NULL, err);
	unlink(path);
	return rc;
}

/* name_at - the name of the i-th configured check */
static const char *name_at(const struct policy_conf *cf, size_t i)
{
	return policy_decide_checks[cf->check_idx[i]].name;
}

Test(policy_conf, defaults)
{
	struct policy_conf cf;
	struct sbuf *err = sbuf_new(0);
	size_t known = 0;

	cr_assert_eq(load("# nothing set\n", &cf, err), 0, "%s",
		     sbuf_cstr(err));
	cr_assert_str_eq(cf.listen, "/var/spool/postfix/private/policyd");
	cr_assert_str_eq(cf.listen_owner, "postfix");
	cr_assert_str_eq(cf.listen_group, "postfix");
	cr_assert_eq(cf.listen_mode, 0660);
	cr_assert_str_eq(cf.user, "postwarden");
	cr_assert_str_eq(cf.default_action,
			 "DEFER_IF_PERMIT 4.3.0 Service temporarily "
			 "unavailable");
	cr_assert_str_eq(cf.recipient_delimiter, "+");
	cr_assert_str_eq(cf.virtual_mailbox_maps, "");
	cr_assert_not(cf.reject_unauth_local_sender);
	cr_assert_eq(cf.idle_timeout, 3600);
	cr_assert_eq(cf.request_timeout, 10);
	cr_assert_eq(cf.check_timeout, 60);
	cr_assert_lt(cf.check_timeout, 100); /* Postfix's own timeout */
	cr_assert_geq(cf.workers, 1);	     /* 0 is resolved */
	/* every known check, in table order, starting with recipient */
	while (policy_decide_checks[known].name != NULL)
		known++;
	cr_assert_eq(cf.n_checks, known);
	cr_assert_str_eq(name_at(&cf, 0), "recipient");
	cr_assert_str_eq(name_at(&cf, 1), "sender");
	policy_conf_release(&cf);
	sbuf_free(&err);
}

Test(policy_conf, values)
{
	struct policy_conf cf;
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(load("policyd_listen = inet:127.0.0.1:10040\n"
			  "policyd_checks = sender,  Recipient sender\n"
			  "policyd_recipient_delimiter = +-\n"
			  "db = /x\n"
			  "policyd_virtual_mailbox_maps = sqlite:$db/m.cf,\n"
			  "   sqlite:$db/n.cf\n"
			  "policyd_reject_unauth_local_sender = yes\n"
			  "policyd_check_timeout = 2m\n"
			  "authd_passdb = belongs to authd\n",
			  &cf, err),
		     0, "%s", sbuf_cstr(err));
	cr_assert_str_eq(cf.listen, "inet:127.0.0.1:10040");
	cr_assert_eq(cf.n_checks, 2);
	cr_assert_str_eq(name_at(&cf, 0), "sender");
	cr_assert_str_eq(name_at(&cf, 1), "recipient");
	cr_assert_str_eq(cf.recipient_delimiter, "+-");
	cr_assert_str_eq(cf.virtual_mailbox_maps,
			 "sqlite:/x/m.cf,   sqlite:/x/n.cf");
	cr_assert(cf.reject_unauth_local_sender);
	cr_assert_eq(cf.check_timeout, 120);
	policy_conf_release(&cf);
	sbuf_free(&err);
}

Test(policy_conf, errors)
{
	static const struct {
		const char *text;
		const char *err;
	} v[] = {
	    {"\npolicyd_bogus = 1\n",
	     "line 2: unknown parameter policyd_bogus"},
	    {"policyd_checks = recipient, dkim\n", "unknown check \"dkim\""},
	    {"policyd_default_action =\n", "policyd_default_action"},
	    {"policyd_listen = inet:127.0.0.1:99999\n", "policyd_listen"},
	    {"policyd_listen =\n", "policyd_listen is not set"},
	    {"policyd_listen = inet:0.0.0.0:10040\n", "loopback"},
	    {"policyd_listen = inet:10040\n", "loopback"},
	    {"policyd_listen = inet:[::]:10040\n", "loopback"},
	    {"policyd_listen = inet:mail.example:10040\n", "loopback"},
	    {"policyd_listen_mode = 0999\n", "policyd_listen_mode"},
	    {"policyd_check_timeout = 0\n", "policyd_check_timeout"},
	    {"policyd_reject_unauth_local_sender = maybe\n",
	     "policyd_reject_unauth_local_sender"},
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct policy_conf cf;
		struct sbuf *err = sbuf_new(0);

		cr_expect_eq(load(v[i].text, &cf, err), -1, "%s", v[i].text);
		cr_expect(strstr(sbuf_cstr(err), v[i].err) != NULL,
			  "%s: got \"%s\"", v[i].text, sbuf_cstr(err));
		sbuf_free(&err);
	}
}

Test(policy_conf, loopback_listeners)
{
	static const char *const ok[] = {
	    "policyd_listen = inet:127.0.0.1:10040\n",
	    "policyd_listen = inet:127.1.2.3:10040\n",
	    "policyd_listen = inet:[::1]:10040\n",
	    "policyd_listen = inet:localhost:10040\n",
	    "policyd_listen = unix:/run/policyd.sock\n",
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct policy_conf cf;
		struct sbuf *err = sbuf_new(0);

		int rc = load(ok[i], &cf, err);

		cr_expect_eq(rc, 0, "%s: %s", ok[i], sbuf_cstr(err));
		if (rc == 0)
			policy_conf_release(&cf);
		sbuf_free(&err);
	}
}

Test(policy_conf, missing_file)
{
	struct policy_conf cf;
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(
	    policy_conf_load("/nonexistent/policyd.conf", &cf, NULL, err), -1);
	cr_assert_gt(sbuf_len(err), 0);
	sbuf_free(&err);
}

Test(policy_conf, parsed_file_for_the_checks)
{
	char path[] = "/tmp/policy_conf_test.XXXXXX";
	const char *text = "policyd_user = nobody\nother = 1\n";
	struct policy_conf cf;
	struct conf *c = NULL;
	struct sbuf *err = sbuf_new(0);
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	cr_assert_eq(policy_conf_load(path, &cf, &c, err), 0, "%s",
		     sbuf_cstr(err));
	unlink(path);
	cr_assert_not_null(c);
	cr_assert_str_eq(conf_get(c, "other"), "1");
	cr_assert_str_eq(cf.user, "nobody");
	conf_free(&c);
	policy_conf_release(&cf);
	sbuf_free(&err);
}

Test(policy_conf, default_workers)
{
	cr_assert_eq(policy_conf_default_workers(1, 1), 4);
	cr_assert_eq(policy_conf_default_workers(0, 1), 4);
	cr_assert_eq(policy_conf_default_workers(-1, 0), 4);
	cr_assert_eq(policy_conf_default_workers(2, 1), 8);
	cr_assert_eq(policy_conf_default_workers(8, 1), 32);
	cr_assert_eq(policy_conf_default_workers(64, 1), 32);
	/* processes share the total, each keeps at least one */
	cr_assert_eq(policy_conf_default_workers(2, 2), 4);
	cr_assert_eq(policy_conf_default_workers(8, 8), 4);
	cr_assert_eq(policy_conf_default_workers(64, 16), 2);
	cr_assert_eq(policy_conf_default_workers(1, 16), 1);
}

Test(policy_conf, default_processes)
{
	cr_assert_eq(policy_conf_default_processes(1), 1);
	cr_assert_eq(policy_conf_default_processes(0), 1);
	cr_assert_eq(policy_conf_default_processes(-1), 1);
	cr_assert_eq(policy_conf_default_processes(2), 2);
	cr_assert_eq(policy_conf_default_processes(64),
		     POLICY_CONF_PROCESSES_MAX);
}
