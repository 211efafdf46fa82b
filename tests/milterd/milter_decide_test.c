/* milter_decide_test.c - sign or verify, as OpenDKIM decides */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>
#include <sys/socket.h>

#include "conf.h"
#include "milter_conf.h"
#include "milter_decide.h"
#include "sbuf.h"

/* load - a config from text */
static void load(const char *text, struct milter_conf *cf)
{
	struct conf *c = NULL;
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(conf_parse(text, strlen(text), "t", &c, NULL, err), 0);
	cr_assert_eq(milter_conf_apply(c, cf, err), 0, "%s", sbuf_cstr(err));
	conf_free(&c);
	sbuf_free(&err);
}

/* in_for - decision input for a client address (NULL: unknown) */
static struct milter_decide_in in_for(const char *addr, const char *authen,
				      const char *daemon)
{
	struct milter_decide_in in;

	memset(&in, 0, sizeof(in));
	in.auth_authen = authen;
	in.daemon_name = daemon;
	if (addr != NULL) {
		if (inet_pton(AF_INET, addr, in.addr) == 1)
			in.family = AF_INET;
		else if (inet_pton(AF_INET6, addr, in.addr) == 1)
			in.family = AF_INET6;
	}
	return in;
}

#define SV_CONF                                                               \
	"milterd_key_table = /k\nmilterd_signing_table = /s\n"                \
	"milterd_internal_hosts = 127.0.0.1, ::1, 198.18.0.0/15\n"            \
	"milterd_sign_daemon_names = ORIGINATING\n"

Test(milter_decide, table)
{
	static const struct {
		const char *addr, *authen, *daemon;
		enum milter_decision want;
		const char *reason;
	} cases[] = {
	    {"203.0.113.5", "alice", NULL, MILTER_DECIDE_SIGN,
	     "authenticated as alice"},
	    {"203.0.113.5", "", NULL, MILTER_DECIDE_VERIFY,
	     "client 203.0.113.5 not authenticated"},
	    {"198.19.1.1", NULL, NULL, MILTER_DECIDE_SIGN,
	     "internal client 198.19.1.1"},
	    {"::1", NULL, NULL, MILTER_DECIDE_SIGN, "internal client ::1"},
	    {"203.0.113.5", NULL, "ORIGINATING", MILTER_DECIDE_SIGN,
	     "daemon name ORIGINATING"},
	    {"203.0.113.5", NULL, "mx.example.com", MILTER_DECIDE_VERIFY,
	     "not internal"},
	    {NULL, NULL, NULL, MILTER_DECIDE_VERIFY, "client unknown"},
	    {"203.0.113.5", "a\nb", NULL, MILTER_DECIDE_SIGN,
	     "authenticated as a\\x0ab"},
	};
	struct milter_conf cf;

	load(SV_CONF, &cf);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct milter_decide_in in =
		    in_for(cases[i].addr, cases[i].authen, cases[i].daemon);
		struct sbuf *why = sbuf_new(0);

		cr_assert_eq(milter_decide(&cf, &in, why), cases[i].want,
			     "case %zu: %s", i, sbuf_cstr(why));
		cr_assert(strstr(sbuf_cstr(why), cases[i].reason) != NULL,
			  "case %zu: %s", i, sbuf_cstr(why));
		sbuf_free(&why);
	}
	milter_conf_release(&cf);
}

Test(milter_decide, modes)
{
	struct milter_conf cf;
	struct milter_decide_in authed = in_for("203.0.113.5", "bob", NULL);
	struct milter_decide_in other = in_for("203.0.113.5", NULL, NULL);
	struct sbuf *why = sbuf_new(0);

	load("milterd_mode = v\n", &cf);
	cr_assert_eq(milter_decide(&cf, &authed, why), MILTER_DECIDE_VERIFY);
	cr_assert(strstr(sbuf_cstr(why), "does not sign") != NULL);
	milter_conf_release(&cf);

	load("milterd_mode = s\n"
	     "milterd_key_table = /k\nmilterd_signing_table = /s\n",
	     &cf);
	cr_assert_eq(milter_decide(&cf, &authed, NULL), MILTER_DECIDE_SIGN);
	cr_assert_eq(milter_decide(&cf, &other, NULL), MILTER_DECIDE_NONE);
	milter_conf_release(&cf);

	/* an empty list: only authentication and daemon names sign */
	load(SV_CONF "milterd_internal_hosts =\n", &cf);
	{
		struct milter_decide_in lo = in_for("127.0.0.1", NULL, NULL);

		cr_assert_eq(milter_decide(&cf, &lo, NULL),
			     MILTER_DECIDE_VERIFY);
	}
	milter_conf_release(&cf);
	sbuf_free(&why);
}
