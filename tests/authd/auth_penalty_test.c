/* auth_penalty_test.c - failure counters, delays, expiry, bounds */
#include "config.h"

#include <criterion/criterion.h>

#include "auth_penalty.h"
#include "sbuf.h"

Test(auth_penalty, grows_and_caps)
{
	struct auth_penalty *p = auth_penalty_new(2, 6, 30, 100, 1);
	static const unsigned int want[] = {0, 2, 4, 6, 6, 6};
	unsigned int i;

	for (i = 0; i < 6; i++) {
		cr_assert_eq(auth_penalty_delay(p, "192.0.2.1", "alice", 100),
			     want[i], "after %u failures", i);
		auth_penalty_fail(p, "192.0.2.1", "alice", 100);
	}
	/* another address for the same login: the login's count counts */
	cr_assert_eq(auth_penalty_delay(p, "192.0.2.2", "alice", 100), 6);
	/* another login from the same address: the address counts */
	cr_assert_eq(auth_penalty_delay(p, "192.0.2.1", "bob", 100), 6);
	cr_assert_eq(auth_penalty_delay(p, "192.0.2.2", "bob", 100), 0);
	auth_penalty_free(&p);
	cr_assert_null(p);
}

Test(auth_penalty, success_resets_and_ttl_expires)
{
	struct auth_penalty *p = auth_penalty_new(1, 8, 30, 100, 2);

	auth_penalty_fail(p, "192.0.2.1", "alice", 100);
	auth_penalty_fail(p, "192.0.2.1", "alice", 101);
	cr_assert_eq(auth_penalty_delay(p, "192.0.2.1", NULL, 102), 2);
	auth_penalty_success(p, "192.0.2.1", "alice");
	cr_assert_eq(auth_penalty_delay(p, "192.0.2.1", "alice", 102), 0);
	cr_assert_eq(auth_penalty_count(p), 0);
	auth_penalty_fail(p, "192.0.2.1", "alice", 200);
	cr_assert_eq(auth_penalty_delay(p, "192.0.2.1", "alice", 229), 1);
	cr_assert_eq(auth_penalty_delay(p, "192.0.2.1", "alice", 230), 0);
	auth_penalty_free(&p);
}

Test(auth_penalty, ipv6_masked_to_48)
{
	struct auth_penalty *p = auth_penalty_new(1, 8, 30, 100, 3);
	struct sbuf *k = sbuf_new(0);

	auth_penalty_rip_key("2001:db8:1:2::5", k);
	cr_assert_str_eq(sbuf_cstr(k), "r:2001:db8:1::");
	auth_penalty_rip_key("192.0.2.7", k);
	cr_assert_str_eq(sbuf_cstr(k), "r:192.0.2.7");
	auth_penalty_fail(p, "2001:db8:1:2::5", NULL, 10);
	cr_assert_eq(auth_penalty_delay(p, "2001:db8:1:ffff::9", NULL, 10), 1);
	cr_assert_eq(auth_penalty_delay(p, "2001:db8:2::9", NULL, 10), 0);
	/* unknown address and login: nothing to count */
	auth_penalty_fail(p, "", NULL, 10);
	cr_assert_eq(auth_penalty_count(p), 1);
	sbuf_free(&k);
	auth_penalty_free(&p);
}

Test(auth_penalty, bounded_table_drops_oldest)
{
	struct auth_penalty *p = auth_penalty_new(1, 8, 3600, 16, 4);
	struct sbuf *rip = sbuf_new(0);
	unsigned int i;

	auth_penalty_fail(p, "198.18.0.1", NULL, 1);
	for (i = 0; i < 1000; i++) {
		sbuf_reset(rip);
		sbuf_printf(rip, "198.19.%u.%u", i / 256, i % 256);
		auth_penalty_fail(p, sbuf_cstr(rip), NULL, 2 + i);
		cr_assert_leq(auth_penalty_count(p), 16);
	}
	cr_assert_eq(auth_penalty_delay(p, "198.18.0.1", NULL, 2000), 0);
	cr_assert_eq(auth_penalty_delay(p, "198.19.3.231", NULL, 2000), 1);
	sbuf_free(&rip);
	auth_penalty_free(&p);
}
