/* milter_verdict_test.c - the milterd_on_* action for verify results */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "conf.h"
#include "milter_conf.h"
#include "milter_verdict.h"
#include "sbuf.h"

/* load - a verify-only config from text */
static void load(const char *text, struct milter_conf *cf)
{
	struct conf *c = NULL;
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(conf_parse(text, strlen(text), "t", &c, NULL, err), 0);
	cr_assert_eq(milter_conf_apply(c, cf, err), 0, "%s", sbuf_cstr(err));
	conf_free(&c);
	sbuf_free(&err);
}

#define FOUND DKIM_VERIFY_KEY_FOUND
#define NONE DKIM_VERIFY_KEY_NONE
#define TEMP DKIM_VERIFY_KEY_TEMPFAIL

Test(milter_verdict, each_action_its_own)
{
	/* every action distinct, so that a wrong mapping shows */
	static const struct {
		struct milter_verdict_sig s[2];
		size_t n;
		bool overflow;
		enum milter_action want;
		const char *what;
	} cases[] = {
	    {{{DKIM_RES_PASS, false, FOUND}}, 1, false, MILTER_ACTION_ACCEPT,
	     NULL},
	    /* a later pass is enough */
	    {{{DKIM_RES_FAIL, false, FOUND}, {DKIM_RES_PASS, false, FOUND}},
	     2, false, MILTER_ACTION_ACCEPT, NULL},
	    {{{DKIM_RES_FAIL, false, FOUND}}, 1, false, MILTER_ACTION_REJECT,
	     "verification failed"},
	    {{{DKIM_RES_PERMERROR, false, FOUND}}, 1, false,
	     MILTER_ACTION_REJECT, "verification failed"},
	    /* t=y: treated like unsigned mail, not a pass */
	    {{{DKIM_RES_PASS, true, FOUND}}, 1, false, MILTER_ACTION_REJECT,
	     "verification failed"},
	    {{{DKIM_RES_NONE, false, FOUND}}, 0, false, MILTER_ACTION_ACCEPT,
	     NULL},
	    {{{DKIM_RES_TEMPERROR, false, TEMP}}, 1, false,
	     MILTER_ACTION_TEMPFAIL, "key lookup failed"},
	    {{{DKIM_RES_PERMERROR, false, NONE}}, 1, false,
	     MILTER_ACTION_REJECT, "key not found"},
	    {{{DKIM_RES_PASS, false, FOUND}}, 1, true, MILTER_ACTION_REJECT,
	     "verification failed"},
	};
	struct milter_conf cf;

	load("milterd_mode = v\n"
	     "milterd_on_bad_signature = reject\n"
	     "milterd_on_dns_error = tempfail\n"
	     "milterd_on_internal_error = accept\n"
	     "milterd_on_key_not_found = reject\n"
	     "milterd_on_no_signature = accept\n",
	     &cf);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *what = "unset";

		cr_assert_eq(milter_verdict(&cf, cases[i].s, cases[i].n,
					    cases[i].overflow, &what),
			     cases[i].want, "case %zu", i);
		if (cases[i].what == NULL)
			cr_assert_null(what, "case %zu: %s", i, what);
		else
			cr_assert(what != NULL &&
				      strstr(what, cases[i].what) != NULL,
				  "case %zu: %s", i, what ? what : "(null)");
	}
	milter_conf_release(&cf);
}

Test(milter_verdict, temperror_without_dns_failure_is_internal)
{
	struct milter_conf cf;
	struct milter_verdict_sig s = {DKIM_RES_TEMPERROR, false, FOUND};

	load("milterd_mode = v\n"
	     "milterd_on_dns_error = accept\n"
	     "milterd_on_internal_error = reject\n",
	     &cf);
	cr_assert_eq(milter_verdict(&cf, &s, 1, false, NULL),
		     MILTER_ACTION_REJECT);
	s.key = TEMP;
	cr_assert_eq(milter_verdict(&cf, &s, 1, false, NULL),
		     MILTER_ACTION_ACCEPT);
	milter_conf_release(&cf);
}

Test(milter_verdict, defaults_accept_bad_mail)
{
	/* OpenDKIM's defaults: only DNS and internal errors tempfail */
	struct milter_conf cf;
	struct milter_verdict_sig fail = {DKIM_RES_FAIL, false, FOUND};
	struct milter_verdict_sig nokey = {DKIM_RES_PERMERROR, false, NONE};
	struct milter_verdict_sig dns = {DKIM_RES_TEMPERROR, false, TEMP};

	load("milterd_mode = v\n", &cf);
	cr_assert_eq(milter_verdict(&cf, &fail, 1, false, NULL),
		     MILTER_ACTION_ACCEPT);
	cr_assert_eq(milter_verdict(&cf, &nokey, 1, false, NULL),
		     MILTER_ACTION_ACCEPT);
	cr_assert_eq(milter_verdict(&cf, NULL, 0, false, NULL),
		     MILTER_ACTION_ACCEPT);
	cr_assert_eq(milter_verdict(&cf, &dns, 1, false, NULL),
		     MILTER_ACTION_TEMPFAIL);
	milter_conf_release(&cf);
}
