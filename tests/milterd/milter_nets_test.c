/* milter_nets_test.c - milterd_internal_hosts lists */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>
#include <sys/socket.h>

#include "milter_nets.h"
#include "sbuf.h"

/* match - is the text address in the list? */
static bool match(const struct milter_nets *n, const char *addr)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, addr, a) == 1)
		return milter_nets_match(n, AF_INET, a);
	cr_assert_eq(inet_pton(AF_INET6, addr, a), 1, "%s", addr);
	return milter_nets_match(n, AF_INET6, a);
}

Test(milter_nets, table)
{
	static const struct {
		const char *list;
		const char *addr;
		bool want;
	} cases[] = {
	    {"127.0.0.1, ::1", "127.0.0.1", true},
	    {"127.0.0.1, ::1", "::1", true},
	    {"127.0.0.1, ::1", "127.0.0.2", false},
	    {"127.0.0.1, ::1", "::ffff:127.0.0.1", true},
	    {"10.0.0.0/8", "10.255.1.2", true},
	    {"10.0.0.0/8", "11.0.0.1", false},
	    {"198.18.0.0/15", "198.19.255.255", true},
	    {"198.18.0.0/15", "198.20.0.0", false},
	    {"10.1.2.99/24", "10.1.2.7", true}, /* host bits ignored */
	    {"10.0.0.0/8 !10.1.0.0/16", "10.1.3.4", false},
	    {"!10.1.0.0/16, 10.0.0.0/8", "10.1.3.4", false},
	    {"!10.1.0.0/16, 10.0.0.0/8", "10.2.3.4", true},
	    {"2001:2::/48", "2001:2:0:ffff::1", true},
	    {"2001:2::/48", "2001:3::1", false},
	    {"0.0.0.0/0", "203.0.113.9", true},
	    {"0.0.0.0/0", "2001:2::1", false},
	    {"::/0", "2001:2::1", true},
	    {"", "127.0.0.1", false},
	    {"10.0.0.1/32", "10.0.0.1", true},
	    {"10.0.0.1/31", "10.0.0.0", true},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct milter_nets *n = NULL;
		struct sbuf *err = sbuf_new(0);

		cr_assert_eq(milter_nets_parse(cases[i].list, &n, err), 0,
			     "%s: %s", cases[i].list, sbuf_cstr(err));
		cr_assert_eq(match(n, cases[i].addr), cases[i].want,
			     "%s in %s", cases[i].addr, cases[i].list);
		milter_nets_free(&n);
		sbuf_free(&err);
	}
}

Test(milter_nets, errors)
{
	static const char *const bad[] = {
	    "mx.example.com", "10.0.0.0/33", "::/129", "10.0.0.0/",
	    "10.0.0.0/x",     "300.1.1.1",   "!",      "10.0.0.0/-1",
	    "1111111111111111111111111111111111111111111111111111111111111111"
	    "1111",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct milter_nets *n = NULL;
		struct sbuf *err = sbuf_new(0);

		cr_assert_eq(milter_nets_parse(bad[i], &n, err), -1, "%s",
			     bad[i]);
		cr_assert_null(n);
		cr_assert(!sbuf_is_empty(err));
		sbuf_free(&err);
	}
}

Test(milter_nets, other_family)
{
	struct milter_nets *n = NULL;
	struct sbuf *err = sbuf_new(0);
	unsigned char a[16] = {0};

	cr_assert_eq(milter_nets_parse("0.0.0.0/0 ::/0", &n, err), 0);
	cr_assert(!milter_nets_match(n, AF_UNIX, a));
	cr_assert_eq(milter_nets_count(n), 2);
	milter_nets_free(&n);
	cr_assert_null(n);
	sbuf_free(&err);
}
