/* milter_conf_test.c - the milterd_ parameter table and its checks */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "conf.h"
#include "milter_conf.h"
#include "milter_nets.h"
#include "sbuf.h"

/* apply - parse text and apply it; the status */
static int apply(const char *text, struct milter_conf *cf, struct sbuf *err)
{
	struct conf *c = NULL;
	int rc;

	cr_assert_eq(conf_parse(text, strlen(text), "test.conf", &c, NULL,
				err),
		     0, "%s", sbuf_cstr(err));
	rc = milter_conf_apply(c, cf, err);
	conf_free(&c);
	return rc;
}

Test(milter_conf, defaults)
{
	struct milter_conf cf;
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(apply("milterd_key_table = /etc/kt\n"
			   "milterd_signing_table = refile:/etc/st\n",
			   &cf, err),
		     0, "%s", sbuf_cstr(err));
	cr_assert(cf.do_sign && cf.do_verify);
	cr_assert_eq(cf.hcanon, DKIM_CANON_RELAXED);
	cr_assert_eq(cf.bcanon, DKIM_CANON_RELAXED);
	cr_assert_eq(cf.max_signatures, 5);
	cr_assert_eq(cf.dns_timeout, 5);
	cr_assert_eq(cf.timeout, 7210);
	cr_assert_eq(cf.socket_mode, 0660);
	/* OpenDKIM's defaults */
	cr_assert_eq(cf.act_bad_signature, MILTER_ACTION_ACCEPT);
	cr_assert_eq(cf.act_dns_error, MILTER_ACTION_TEMPFAIL);
	cr_assert_eq(cf.act_internal_error, MILTER_ACTION_TEMPFAIL);
	cr_assert_eq(cf.act_key_not_found, MILTER_ACTION_ACCEPT);
	cr_assert_eq(cf.act_no_signature, MILTER_ACTION_ACCEPT);
	cr_assert(cf.signing_table_refile);
	cr_assert_str_eq(cf.signing_table_path, "/etc/st");
	cr_assert_str_eq(cf.milter_socket, "local:/run/postwarden/milterd.sock");
	cr_assert_eq(milter_nets_count(cf.internal), 2);
	cr_assert_str_neq(cf.authserv, ""); /* the host name */
	cr_assert(!cf.multiple_signatures);
	milter_conf_release(&cf);
	sbuf_free(&err);
}

Test(milter_conf, values)
{
	struct milter_conf cf;
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(apply("milterd_mode = v\n"
			   "milterd_socket = inet:8891@127.0.0.1\n"
			   "milterd_canonicalization = simple/relaxed\n"
			   "milterd_authserv_id = mx.example.com\n"
			   "milterd_on_bad_signature = Reject\n"
			   "milterd_on_dns_error = a\n"
			   "milterd_on_no_signature = tempfail\n"
			   "milterd_sign_daemon_names = ORIGINATING, SUBMIT\n"
			   "milterd_max_signatures = 3\n",
			   &cf, err),
		     0, "%s", sbuf_cstr(err));
	cr_assert(!cf.do_sign && cf.do_verify);
	cr_assert_str_eq(cf.milter_socket, "inet:8891@127.0.0.1");
	cr_assert_eq(cf.hcanon, DKIM_CANON_SIMPLE);
	cr_assert_eq(cf.bcanon, DKIM_CANON_RELAXED);
	cr_assert_str_eq(cf.authserv, "mx.example.com");
	cr_assert_eq(cf.act_bad_signature, MILTER_ACTION_REJECT);
	cr_assert_eq(cf.act_dns_error, MILTER_ACTION_ACCEPT);
	cr_assert_eq(cf.act_no_signature, MILTER_ACTION_TEMPFAIL);
	cr_assert_eq(cf.max_signatures, 3);
	cr_assert(milter_conf_is_sign_daemon(&cf, "ORIGINATING"));
	cr_assert(milter_conf_is_sign_daemon(&cf, "SUBMIT"));
	cr_assert(!milter_conf_is_sign_daemon(&cf, "originating"));
	cr_assert(!milter_conf_is_sign_daemon(&cf, "ORIGIN"));
	milter_conf_release(&cf);
	sbuf_free(&err);
}

Test(milter_conf, socket_forms)
{
	static const char *const cases[][2] = {
	    {"unix:/run/m.sock", "local:/run/m.sock"},
	    {"local:/run/m.sock", "local:/run/m.sock"},
	    {"inet:8891@localhost", "inet:8891@localhost"},
	    {"inet6:8891@::1", "inet6:8891@::1"},
	    {"inet6:8891@[::1]", "inet6:8891@::1"},
	    {"inet6:8891", "inet6:8891"},
	    {"inet6:8891@localhost", "inet6:8891@localhost"},
	    {"inet:8891", "inet:8891"},
	    {"inet:[::1]:8891", "inet6:8891@::1"},
	    {"inet:127.0.0.1:8891", "inet:8891@127.0.0.1"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct milter_conf cf;
		struct sbuf *err = sbuf_new(0), *t = sbuf_new(0);

		sbuf_printf(t, "milterd_mode = v\nmilterd_socket = %s\n",
			    cases[i][0]);
		cr_assert_eq(apply(sbuf_cstr(t), &cf, err), 0, "%s: %s",
			     cases[i][0], sbuf_cstr(err));
		cr_assert_str_eq(cf.milter_socket, cases[i][1]);
		milter_conf_release(&cf);
		sbuf_free(&err);
		sbuf_free(&t);
	}
}

Test(milter_conf, errors)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
	    {"milterd_mode = x\n", "milterd_mode"},
	    {"milterd_mode = vv\n", "milterd_mode"},
	    {"milterd_mode = v\nmilterd_canonicalization = loose\n",
	     "milterd_canonicalization"},
	    {"milterd_mode = v\nmilterd_on_bad_signature = discard\n",
	     "milterd_on_bad_signature"},
	    {"milterd_mode = v\nmilterd_internal_hosts = 10.0.0.0/33\n",
	     "milterd_internal_hosts"},
	    {"milterd_mode = v\nmilterd_socket = unix:relative.sock\n", "milterd_socket"},
	    {"milterd_mode = v\nmilterd_max_signatures = 0\n",
	     "milterd_max_signatures"},
	    {"milterd_mode = v\nmilterd_no_such = 1\n", "milterd_no_such"},
	    {"milterd_mode = sv\n", "milterd_key_table"},
	    {"milterd_mode = sv\n", "milterd_sql_keys = yes"},
	    {"milterd_key_table = /kt\n", "milterd_signing_table is not"},
	    {"milterd_signing_table = /st\nmilterd_sql_keys = yes\n",
	     "milterd_key_table is not"},
	    {"milterd_sql_keys = maybe\n", "milterd_sql_keys"},
	    {"milterd_sql_keys = yes\ndb_type = oracle\n", "db_type"},
#ifdef HAVE_MYSQL
	    {"milterd_sql_keys = yes\ndb_type = mysql\n", "db_name"},
#else
	    {"milterd_sql_keys = yes\ndb_type = mysql\n",
	     "not supported by this build"},
#endif
	    {"milterd_sql_keys = yes\ndb_path =\n", "db_path"},
	    {"milterd_sql_keys = yes\ndb_no_such = 1\n", "db_no_such"},
	    {"milterd_mode = v\nmilterd_authserv_id = a;b\n",
	     "milterd_authserv_id"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct milter_conf cf;
		struct sbuf *err = sbuf_new(0);

		cr_assert_eq(apply(cases[i].text, &cf, err), -1, "%s",
			     cases[i].text);
		cr_assert(strstr(sbuf_cstr(err), cases[i].msg) != NULL,
			  "%s: %s", cases[i].text, sbuf_cstr(err));
		sbuf_free(&err);
	}
}

Test(milter_conf, actions)
{
	enum milter_action a;

	cr_assert_eq(milter_conf_action("ACCEPT", &a), 0);
	cr_assert_eq(a, MILTER_ACTION_ACCEPT);
	cr_assert_eq(milter_conf_action("r", &a), 0);
	cr_assert_eq(a, MILTER_ACTION_REJECT);
	cr_assert_eq(milter_conf_action("tempfail", &a), 0);
	cr_assert_eq(a, MILTER_ACTION_TEMPFAIL);
	cr_assert_eq(milter_conf_action("quarantine", &a), -1);
	cr_assert_eq(milter_conf_action("", &a), -1);
	cr_assert_str_eq(milter_conf_action_name(MILTER_ACTION_REJECT),
			 "reject");
}

Test(milter_conf, sql_keys)
{
	struct milter_conf cf;
	struct sbuf *err = sbuf_new(0);

	/* SQL keys alone are enough to sign, from the db_* database */
	cr_assert_eq(apply("milterd_sql_keys = yes\n"
			   "db_path = /var/db/pw.db\n",
			   &cf, err),
		     0, "%s", sbuf_cstr(err));
	cr_assert(cf.do_sign && cf.sql_keys);
	cr_assert_str_eq(cf.signing_table_path, "");
	cr_assert_eq(cf.db_params.type, SQLDB_SQLITE);
	cr_assert_str_eq(cf.db_params.path, "/var/db/pw.db");
	milter_conf_release(&cf);

	/* and together with the tables; MySQL parameters */
#ifdef HAVE_MYSQL
	cr_assert_eq(apply("milterd_sql_keys = yes\n"
			   "milterd_key_table = /kt\n"
			   "milterd_signing_table = /st\n"
			   "db_type = mysql\ndb_name = pw\n"
			   "db_hosts = inet:127.0.0.1:3306\n",
			   &cf, err),
		     0, "%s", sbuf_cstr(err));
	cr_assert_eq(cf.db_params.type, SQLDB_MYSQL);
	cr_assert_str_eq(cf.db_params.dbname, "pw");
	cr_assert_str_eq(cf.db_params.hosts, "inet:127.0.0.1:3306");
	cr_assert_str_eq(cf.db_params.option_group, "client");
	milter_conf_release(&cf);
#else
	/* an SQLite-only build says so */
	cr_assert_eq(apply("milterd_sql_keys = yes\n"
			   "db_type = mysql\ndb_name = pw\n",
			   &cf, err),
		     -1);
	cr_assert(strstr(sbuf_cstr(err), "not supported by this build") !=
		      NULL,
		  "%s", sbuf_cstr(err));
	sbuf_reset(err);
#endif

	/* without sql_keys the db_* parameters are the command's only */
	cr_assert_eq(apply("milterd_mode = v\ndb_type = oracle\n", &cf, err),
		     0, "%s", sbuf_cstr(err));
	cr_assert(!cf.sql_keys);
	milter_conf_release(&cf);
	sbuf_free(&err);
}
