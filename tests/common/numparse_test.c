/* numparse_test.c - unit tests for common/numparse */
#include "config.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>

#include "numparse.h"

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

/* Table: input, upper bound, expected result and value. */
struct ulong_case {
	const char *in;
	unsigned long max;
	int ret;
	unsigned long val;
};

static const struct ulong_case uint_cases[] = {
    {"0", 10, 0, 0},
    {"7", 10, 0, 7},
    {"10", 10, 0, 10},
    {"11", 10, -1, 0},
    {"007", 10, 0, 7},
    {"4294967295", UINT_MAX, 0, UINT_MAX},
    {"4294967296", UINT_MAX, -1, 0},
    {"99999999999999999999999", UINT_MAX, -1, 0},
    {"5", 0, -1, 0},
    {"0", 0, 0, 0},
    {"", 10, -1, 0},
    {"+1", 10, -1, 0},
    {"-1", 10, -1, 0},
    {"-0", 10, -1, 0},
    {" 1", 10, -1, 0},
    {"1 ", 10, -1, 0},
    {"1x", 10, -1, 0},
    {"0x1", 10, -1, 0},
    {"1.0", 10, -1, 0},
    {"1e2", 1000, -1, 0},
    {"\t1", 10, -1, 0},
    {"1\n", 10, -1, 0},
};

Test(numparse, uint_table)
{
	size_t i;

	for (i = 0; i < NCASES(uint_cases); i++) {
		const struct ulong_case *c = &uint_cases[i];
		unsigned int v = 12345;
		int r = numparse_uint(c->in, (unsigned int)c->max, &v);

		cr_expect_eq(r, c->ret, "case %zu \"%s\": ret %d", i, c->in, r);
		if (c->ret == 0)
			cr_expect_eq(v, c->val, "case %zu \"%s\": %u", i, c->in,
				     v);
		else
			cr_expect_eq(v, 12345, "case %zu: value touched", i);
	}
}

static const struct ulong_case ulong_cases[] = {
    {"0", ULONG_MAX, 0, 0},
    {"18446744073709551615", ULONG_MAX, 0, 18446744073709551615UL},
    {"18446744073709551616", ULONG_MAX, -1, 0},
    {"18446744073709551620", ULONG_MAX, -1, 0},
    {"100000", 100000, 0, 100000},
    {"100001", 100000, -1, 0},
    {"", ULONG_MAX, -1, 0},
    {"-1", ULONG_MAX, -1, 0},
    {"1a", ULONG_MAX, -1, 0},
    {"١", ULONG_MAX, -1, 0}, /* Arabic-Indic digit one */
};

Test(numparse, ulong_table)
{
	size_t i;

	for (i = 0; i < NCASES(ulong_cases); i++) {
		const struct ulong_case *c = &ulong_cases[i];
		unsigned long v = 12345;
		int r = numparse_ulong(c->in, c->max, &v);

		cr_expect_eq(r, c->ret, "case %zu \"%s\": ret %d", i, c->in, r);
		cr_expect_eq(v, c->ret == 0 ? c->val : 12345,
			     "case %zu \"%s\": %lu", i, c->in, v);
	}
}

Test(numparse, null_string_is_rejected)
{
	unsigned int u = 3;
	unsigned long ul = 3;
	bool b = true;

	cr_assert_eq(numparse_uint(NULL, 10, &u), -1);
	cr_assert_eq(numparse_ulong(NULL, 10, &ul), -1);
	cr_assert_eq(numparse_bool(NULL, &b), -1);
	cr_assert_eq(u, 3);
	cr_assert_eq(ul, 3);
	cr_assert(b);
}

static const struct {
	const char *in;
	int ret;
	bool val;
} bool_cases[] = {
    {"yes", 0, true},	 {"YES", 0, true},   {"Yes", 0, true},
    {"no", 0, false},	 {"NO", 0, false},   {"nO", 0, false},
    {"", -1, false},	 {"y", -1, false},   {"n", -1, false},
    {"true", -1, false}, {"1", -1, false},   {"0", -1, false},
    {"yes ", -1, false}, {" no", -1, false}, {"yess", -1, false},
};

Test(numparse, bool_table)
{
	size_t i;

	for (i = 0; i < NCASES(bool_cases); i++) {
		/* Start from the opposite so a missing store shows. */
		bool v = !bool_cases[i].val;
		bool before = v;
		int r = numparse_bool(bool_cases[i].in, &v);

		cr_expect_eq(r, bool_cases[i].ret, "case %zu \"%s\"", i,
			     bool_cases[i].in);
		cr_expect_eq(v, r == 0 ? bool_cases[i].val : before,
			     "case %zu \"%s\": value", i, bool_cases[i].in);
	}
}

static const struct ulong_case time_cases[] = {
    {"0", 1000000, 0, 0},
    {"45", 1000000, 0, 45},
    {"45s", 1000000, 0, 45},
    {"10m", 1000000, 0, 600},
    {"2h", 1000000, 0, 7200},
    {"1d", 1000000, 0, 86400},
    {"1w", 1000000, 0, 604800},
    {"0w", 1000000, 0, 0},
    {"60", 60, 0, 60},
    {"1m", 60, 0, 60},
    {"61", 60, -1, 0},
    {"2m", 60, -1, 0},
    {"1h", 3599, -1, 0},
    {"", 1000, -1, 0},
    {"s", 1000, -1, 0},
    {"m10", 1000, -1, 0},
    {"10M", 1000, -1, 0},
    {"10x", 1000, -1, 0},
    {"10ms", 1000, -1, 0},
    {"10 s", 1000, -1, 0},
    {"-1s", 1000, -1, 0},
    {"1.5h", 100000, -1, 0},
    {"30500568904943w", ULONG_MAX, 0, 30500568904943UL * 604800},
    {"30500568904944w", ULONG_MAX, -1, 0},
    {"99999999999999999999999s", ULONG_MAX, -1, 0},
};

Test(numparse, time_table)
{
	size_t i;

	for (i = 0; i < NCASES(time_cases); i++) {
		const struct ulong_case *c = &time_cases[i];
		unsigned long v = 12345;
		int r = numparse_time(c->in, c->max, &v);

		cr_expect_eq(r, c->ret, "case %zu \"%s\": ret %d", i, c->in, r);
		cr_expect_eq(v, c->ret == 0 ? c->val : 12345,
			     "case %zu \"%s\": %lu", i, c->in, v);
	}
}

static const struct {
	const char *in;
	int ret;
	unsigned int val;
} mode_cases[] = {
    {"0660", 0, 0660},	{"660", 0, 0660},
    {"0", 0, 0},	{"07777", 0, 07777},
    {"7777", 0, 07777}, {"000600", 0, 0600},
    {"010000", -1, 0},	{"17777", -1, 0},
    {"0668", -1, 0},	{"0689", -1, 0},
    {"", -1, 0},	{"-0660", -1, 0},
    {"0x1ff", -1, 0},	{"0660 ", -1, 0},
    {"rw", -1, 0},	{"777777777777777777777777777", -1, 0},
};

Test(numparse, mode_table)
{
	size_t i;

	for (i = 0; i < NCASES(mode_cases); i++) {
		mode_t v = 0123;
		int r = numparse_mode(mode_cases[i].in, &v);

		cr_expect_eq(r, mode_cases[i].ret, "case %zu \"%s\"", i,
			     mode_cases[i].in);
		cr_expect_eq(v, r == 0 ? mode_cases[i].val : 0123,
			     "case %zu \"%s\": %o", i, mode_cases[i].in,
			     (unsigned int)v);
	}
}

Test(numparse, uint_every_bound_round_trips)
{
	static const unsigned int vals[] = {
	    0, 1, 9, 10, 99, 100, 65535, UINT_MAX - 1, UINT_MAX};
	char s[32]; /* fixed width: a formatted unsigned int */
	size_t i;

	for (i = 0; i < NCASES(vals); i++) {
		unsigned int v = 0;

		snprintf(s, sizeof(s), "%u", vals[i]);
		cr_expect_eq(numparse_uint(s, vals[i], &v), 0, "%s", s);
		cr_expect_eq(v, vals[i]);
		if (vals[i] > 0)
			cr_expect_eq(numparse_uint(s, vals[i] - 1, &v), -1,
				     "%s over max", s);
	}
}
