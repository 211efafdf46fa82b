/* policy_spf_cache_test.c - the per-message answer cache */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "policy_spf_cache.h"

Test(policy_spf_cache, put_get_replace)
{
	struct policy_spf_cache *c = policy_spf_cache_new(4);

	cr_expect_null(policy_spf_cache_get(c, "a"));
	policy_spf_cache_put(c, "a", "DUNNO");
	policy_spf_cache_put(c, "b", "550 5.7.23 no");
	cr_expect_str_eq(policy_spf_cache_get(c, "a"), "DUNNO");
	cr_expect_str_eq(policy_spf_cache_get(c, "b"), "550 5.7.23 no");
	policy_spf_cache_put(c, "a", "other");
	cr_expect_str_eq(policy_spf_cache_get(c, "a"), "other");
	cr_expect_eq(policy_spf_cache_count(c), 2);
	policy_spf_cache_free(&c);
	cr_expect_null(c);
}

/* Bounded: the oldest entries go first, the newest stay findable. */
Test(policy_spf_cache, evicts_oldest)
{
	struct policy_spf_cache *c = policy_spf_cache_new(16);
	char key[32], val[32];
	unsigned int i;

	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "%x.%x.0", i, i * 7);
		snprintf(val, sizeof(val), "v%u", i);
		policy_spf_cache_put(c, key, val);
		cr_assert_leq(policy_spf_cache_count(c), 16);
	}
	for (i = 0; i < 1000; i++) {
		const char *v;

		snprintf(key, sizeof(key), "%x.%x.0", i, i * 7);
		v = policy_spf_cache_get(c, key);
		if (i < 1000 - 16) {
			cr_expect_null(v, "%u", i);
		} else {
			snprintf(val, sizeof(val), "v%u", i);
			cr_expect(v != NULL && strcmp(v, val) == 0, "%u", i);
		}
	}
	policy_spf_cache_free(&c);
}

/* Keys past the limit are not stored; values are cut. */
Test(policy_spf_cache, limits)
{
	struct policy_spf_cache *c = policy_spf_cache_new(2);
	char big[POLICY_SPF_CACHE_MAX_VALUE + 100];

	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	policy_spf_cache_put(c, big, "x");
	cr_expect_eq(policy_spf_cache_count(c), 0);
	cr_expect_null(policy_spf_cache_get(c, big));
	policy_spf_cache_put(c, "k", big);
	cr_expect_eq(strlen(policy_spf_cache_get(c, "k")),
		     POLICY_SPF_CACHE_MAX_VALUE);
	policy_spf_cache_free(&c);
}
