/* auth_conf_test.c - the authd_ parameter table and its checks */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_conf.h"
#include "auth_mech.h"
#include "sbuf.h"

/* load - write text to a temp file and load it; returns the status */
static int load(const char *text, struct auth_conf *cf, struct sbuf *err)
{
	char path[] = "/tmp/auth_conf_test.XXXXXX";
	int fd = mkstemp(path), rc;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	rc = auth_conf_load(path, cf, err);
	unlink(path);
	return rc;
}

Test(auth_conf, defaults)
{
	struct auth_conf cf;
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(load("authd_passdb = passwd-file:/etc/x\n", &cf, err), 0,
		     "%s", sbuf_cstr(err));
	cr_assert_str_eq(cf.listen, "/var/spool/postfix/private/auth");
	cr_assert_str_eq(cf.listen_owner, "postfix");
	cr_assert_str_eq(cf.listen_group, "postfix");
	cr_assert_eq(cf.listen_mode, 0660);
	cr_assert_eq(cf.failure_delay, 2);
	cr_assert_eq(cf.tempfail, AUTH_TEMPFAIL_DISCONNECT);
	cr_assert_eq(cf.n_mechs, 2);
	cr_assert_str_eq(cf.mechs[0]->name, "PLAIN");
	cr_assert_str_eq(cf.mechs[1]->name, "LOGIN");
	cr_assert_str_eq(cf.username_format, "%Lu");
	cr_assert_leq(cf.failure_delay + cf.penalty_max, 8);
	cr_assert_geq(cf.workers, 1); /* 0 is resolved */
	auth_conf_release(&cf);
	sbuf_free(&err);
}

Test(auth_conf, default_workers)
{
	cr_assert_eq(auth_conf_default_workers("passwd-file:/x", 2), 2);
	cr_assert_eq(auth_conf_default_workers("passwd-file:/x", 0), 1);
	cr_assert_eq(auth_conf_default_workers("passwd-file:/x", 1000), 256);
	cr_assert_eq(auth_conf_default_workers("mysql:/x.cf", 2), 8);
	cr_assert_eq(auth_conf_default_workers("dovecot-sql:/x", -1), 4);
	cr_assert_eq(auth_conf_default_workers("sqlite:/x.cf", 16), 32);
	cr_assert_eq(auth_conf_default_workers("mysql:/x.cf", 64), 64);
	cr_assert_eq(auth_conf_default_workers("mysql:/x.cf", 1000), 256);
}

Test(auth_conf, values_and_masters)
{
	struct auth_conf cf;
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(load("authd_passdb = sqlite:/x.cf\n"
			  "authd_mechanisms = CRAM-MD5, plain plain\n"
			  "authd_tempfail_action = fail-temp\n"
			  "authd_master_users = admin@x.org, ops@x.org\n",
			  &cf, err),
		     0, "%s", sbuf_cstr(err));
	cr_assert_eq(cf.n_mechs, 2);
	cr_assert_str_eq(cf.mechs[0]->name, "CRAM-MD5");
	cr_assert_eq(cf.tempfail, AUTH_TEMPFAIL_FAIL_TEMP);
	cr_assert(auth_conf_is_master(&cf, "ops@x.org"));
	cr_assert(auth_conf_is_master(&cf, "admin@x.org"));
	cr_assert_not(auth_conf_is_master(&cf, "admin"));
	cr_assert_not(auth_conf_is_master(&cf, "ops@x.or"));
	auth_conf_release(&cf);
	sbuf_free(&err);
}

static const char *const bad_confs[] = {
    "", /* no passdb */
    "authd_passdb = x\nauthd_mechanisms = digest-md5\n",
    "authd_passdb = x\nauthd_mechanisms = ,\n",
    "authd_passdb = x\nauthd_tempfail_action = defer\n",
    "authd_passdb = x\nauthd_username_format = %q\n",
    "authd_passdb = x\nauthd_failure_delay = 3s\nauthd_penalty_max = 6s\n",
    "authd_passdb = x\nauthd_penalty_base = 4s\nauthd_penalty_max = 2s\n",
    "authd_passdb = x\nauthd_failure_delay = 1m\n",
    "authd_passdb = x\nauthd_listen_mode = 9\n",
    "authd_passdb = x\nauthd_no_such_thing = 1\n",
};

Test(auth_conf, rejected)
{
	size_t i;

	for (i = 0; i < sizeof(bad_confs) / sizeof(bad_confs[0]); i++) {
		struct auth_conf cf;
		struct sbuf *err = sbuf_new(0);

		cr_assert_eq(load(bad_confs[i], &cf, err), -1, "case %zu", i);
		cr_assert_gt(sbuf_len(err), 0);
		sbuf_free(&err);
	}
}
