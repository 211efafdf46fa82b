/* xalloc_test.c - unit tests for common/xalloc */
#include "config.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xalloc.h"

/* all_zero - are the n bytes at p all zero? */
static bool all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i] != 0)
			return false;
	return true;
}

Test(xalloc, malloc_returns_zeroed_memory)
{
	unsigned char *p = xmalloc(1000);

	cr_assert(all_zero(p, 1000));
	free(p);
}

Test(xalloc, malloc_zero_is_not_null)
{
	void *p = xmalloc(0);

	cr_assert_not_null(p);
	free(p);
}

Test(xalloc, calloc_returns_zeroed_array)
{
	unsigned int *p = xcalloc(100, sizeof(*p));

	cr_assert(all_zero(p, 100 * sizeof(*p)));
	free(p);
}

Test(xalloc, calloc_zero_is_not_null)
{
	void *p = xcalloc(0, 8);
	void *q = xcalloc(8, 0);

	cr_assert_not_null(p);
	cr_assert_not_null(q);
	free(p);
	free(q);
}

Test(xalloc, calloc_overflow_is_fatal, .exit_code = 1)
{
	log_init("xalloc_test", 0);
	(void)xcalloc(SIZE_MAX / 2, 3);
	cr_assert_fail("xcalloc returned on overflow");
}

Test(xalloc, realloc_keeps_contents)
{
	char *p = xmalloc(4);

	memcpy(p, "abc", 4);
	p = xrealloc(p, 100000);
	cr_assert_str_eq(p, "abc");
	p = xrealloc(p, 2);
	cr_assert_eq(memcmp(p, "ab", 2), 0);
	free(p);
}

Test(xalloc, strdup_copies)
{
	const char *s = "hello";
	char *p = xstrdup(s);

	cr_assert_str_eq(p, "hello");
	cr_assert_neq(p, s);
	free(p);
}

Test(xalloc, strndup_truncates_and_terminates)
{
	static const struct {
		const char *in;
		size_t n;
		const char *out;
	} cases[] = {
	    {"hello", 3, "hel"}, {"hello", 5, "hello"}, {"hello", 99, "hello"},
	    {"hello", 0, ""},	 {"", 4, ""},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = xstrndup(cases[i].in, cases[i].n);

		cr_expect_str_eq(p, cases[i].out, "case %zu", i);
		free(p);
	}
}

Test(xalloc, strndup_reads_no_further_than_n)
{
	char unterminated[3] = {'a', 'b', 'c'};
	char *p = xstrndup(unterminated, sizeof(unterminated));

	cr_assert_str_eq(p, "abc");
	free(p);
}

Test(xalloc, memdup_copies_bytes)
{
	static const unsigned char bytes[] = {0, 1, 0xff, 0};
	unsigned char *p = xmemdup(bytes, sizeof(bytes));

	cr_assert_eq(memcmp(p, bytes, sizeof(bytes)), 0);
	free(p);
}

Test(xalloc, wipe_bytes_zeroes_and_accepts_null)
{
	char buf[8];

	memcpy(buf, "secret!", 8);
	wipe_bytes(buf, sizeof(buf));
	cr_assert(all_zero(buf, sizeof(buf)));
	wipe_bytes(NULL, 8);
	wipe_bytes(buf, 0);
}

Test(xalloc, free_secret_sets_null_and_accepts_null)
{
	char *s = xstrdup("hunter2");

	xfree_secret(&s);
	cr_assert_null(s);
	xfree_secret(&s);
	cr_assert_null(s);
}
