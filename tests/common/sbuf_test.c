/* sbuf_test.c - unit tests for common/sbuf */
#include "config.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "sbuf.h"

Test(sbuf, new_is_empty)
{
	struct sbuf *b = sbuf_new(0);

	cr_assert(sbuf_is_empty(b));
	cr_assert_eq(sbuf_len(b), 0);
	cr_assert_str_eq(sbuf_cstr(b), "");
	sbuf_free(&b);
}

Test(sbuf, append_is_binary_safe_and_terminated)
{
	struct sbuf *b = sbuf_new(1);
	static const unsigned char bytes[] = {'a', 0, 'b', 0xff};

	cr_assert_eq(sbuf_append(b, bytes, sizeof(bytes)), 0);
	cr_assert_eq(sbuf_len(b), 4);
	cr_assert_eq(memcmp(sbuf_data(b), bytes, 4), 0);
	cr_assert_eq(sbuf_data(b)[4], '\0');
	cr_assert_not(sbuf_is_empty(b));
	sbuf_free(&b);
}

Test(sbuf, append_zero_bytes)
{
	struct sbuf *b = sbuf_new(0);

	cr_assert_eq(sbuf_append(b, NULL, 0), 0);
	cr_assert_eq(sbuf_len(b), 0);
	cr_assert_str_eq(sbuf_cstr(b), "");
	sbuf_free(&b);
}

Test(sbuf, append_str_and_putc)
{
	struct sbuf *b = sbuf_new(0);

	cr_assert_eq(sbuf_append_str(b, "hello"), 0);
	cr_assert_eq(sbuf_putc(b, ','), 0);
	cr_assert_eq(sbuf_putc(b, 0x1ff), 0); /* truncated to a byte */
	cr_assert_eq(sbuf_len(b), 7);
	cr_assert_eq(memcmp(sbuf_cstr(b), "hello,\xff", 7), 0);
	sbuf_free(&b);
}

Test(sbuf, grows_across_many_appends)
{
	struct sbuf *b = sbuf_new(0);
	size_t i;

	for (i = 0; i < 100000; i++)
		cr_assert_eq(sbuf_putc(b, 'a' + (int)(i % 26)), 0);
	cr_assert_eq(sbuf_len(b), 100000);
	for (i = 0; i < 100000; i++)
		cr_assert_eq(sbuf_cstr(b)[i], 'a' + (int)(i % 26));
	cr_assert_eq(sbuf_cstr(b)[100000], '\0');
	sbuf_free(&b);
}

Test(sbuf, printf_formats_and_appends)
{
	struct sbuf *b = sbuf_new(0);

	sbuf_append_str(b, "x=");
	cr_assert_eq(sbuf_printf(b, "%d,%s,%zu", -5, "yz", (size_t)7), 0);
	cr_assert_str_eq(sbuf_cstr(b), "x=-5,yz,7");
	cr_assert_eq(sbuf_len(b), strlen("x=-5,yz,7"));
	sbuf_free(&b);
}

Test(sbuf, printf_grows_past_hint)
{
	struct sbuf *b = sbuf_new(4);

	cr_assert_eq(sbuf_printf(b, "%0500d", 1), 0);
	cr_assert_eq(sbuf_len(b), 500);
	cr_assert_eq(sbuf_cstr(b)[499], '1');
	cr_assert_eq(sbuf_cstr(b)[0], '0');
	sbuf_free(&b);
}

Test(sbuf, max_refuses_append_and_keeps_contents)
{
	struct sbuf *b = sbuf_new_max(2, 8);

	cr_assert_eq(sbuf_append(b, "12345678", 8), 0);
	cr_assert_eq(sbuf_append(b, "9", 1), -1);
	cr_assert_eq(sbuf_putc(b, '9'), -1);
	cr_assert_eq(sbuf_append_str(b, "9"), -1);
	cr_assert_str_eq(sbuf_cstr(b), "12345678");
	cr_assert_eq(sbuf_len(b), 8);
	sbuf_free(&b);
}

Test(sbuf, max_refuses_printf_and_keeps_contents)
{
	struct sbuf *b = sbuf_new_max(0, 5);

	cr_assert_eq(sbuf_printf(b, "%s", "abc"), 0);
	cr_assert_eq(sbuf_printf(b, "%s", "def"), -1);
	cr_assert_str_eq(sbuf_cstr(b), "abc");
	cr_assert_eq(sbuf_printf(b, "%s", "de"), 0);
	cr_assert_str_eq(sbuf_cstr(b), "abcde");
	sbuf_free(&b);
}

Test(sbuf, max_refuses_set_and_keeps_contents)
{
	struct sbuf *b = sbuf_new_max(0, 3);

	cr_assert_eq(sbuf_set(b, "abc"), 0);
	cr_assert_eq(sbuf_set(b, "abcd"), -1);
	cr_assert_str_eq(sbuf_cstr(b), "abc");
	sbuf_free(&b);
}

Test(sbuf, huge_append_refused_without_overflow)
{
	struct sbuf *b = sbuf_new(0);

	sbuf_append_str(b, "ab");
	cr_assert_eq(sbuf_append(b, "x", SIZE_MAX), -1);
	cr_assert_eq(sbuf_append(b, "x", SIZE_MAX - 1), -1);
	cr_assert_str_eq(sbuf_cstr(b), "ab");
	sbuf_free(&b);
}

Test(sbuf, set_replaces_contents)
{
	struct sbuf *b = sbuf_new(0);

	sbuf_append_str(b, "old contents");
	cr_assert_eq(sbuf_set(b, "new"), 0);
	cr_assert_str_eq(sbuf_cstr(b), "new");
	cr_assert_eq(sbuf_len(b), 3);
	sbuf_free(&b);
}

Test(sbuf, set_from_own_contents)
{
	struct sbuf *b = sbuf_new(0);

	sbuf_append_str(b, "abcdef");
	cr_assert_eq(sbuf_set(b, sbuf_cstr(b) + 2), 0);
	cr_assert_str_eq(sbuf_cstr(b), "cdef");
	cr_assert_eq(sbuf_set(b, sbuf_cstr(b)), 0);
	cr_assert_str_eq(sbuf_cstr(b), "cdef");
	sbuf_free(&b);
}

Test(sbuf, append_from_own_contents_while_growing)
{
	struct sbuf *b = sbuf_new(0);
	int i;

	sbuf_append_str(b, "ab");
	/* Each append doubles the data, so the buffer moves many times. */
	for (i = 0; i < 12; i++)
		cr_assert_eq(sbuf_append(b, sbuf_data(b), sbuf_len(b)), 0);
	cr_assert_eq(sbuf_len(b), 2u << 12);
	for (i = 0; i < (2 << 12); i += 2)
		cr_assert_eq(memcmp(sbuf_cstr(b) + i, "ab", 2), 0);
	sbuf_free(&b);
}

Test(sbuf, reset_empties)
{
	struct sbuf *b = sbuf_new(0);

	sbuf_append_str(b, "abc");
	sbuf_reset(b);
	cr_assert(sbuf_is_empty(b));
	cr_assert_str_eq(sbuf_cstr(b), "");
	sbuf_append_str(b, "d");
	cr_assert_str_eq(sbuf_cstr(b), "d");
	sbuf_free(&b);
}

Test(sbuf, truncate_shortens_only)
{
	struct sbuf *b = sbuf_new(0);

	sbuf_append_str(b, "abcdef");
	sbuf_truncate(b, 10);
	cr_assert_str_eq(sbuf_cstr(b), "abcdef");
	sbuf_truncate(b, 6);
	cr_assert_str_eq(sbuf_cstr(b), "abcdef");
	sbuf_truncate(b, 2);
	cr_assert_str_eq(sbuf_cstr(b), "ab");
	cr_assert_eq(sbuf_len(b), 2);
	sbuf_free(&b);
}

Test(sbuf, wipe_clears_bytes)
{
	struct sbuf *b = sbuf_new(0);
	const unsigned char *d;
	size_t i;

	sbuf_append_str(b, "secret");
	d = sbuf_data(b);
	sbuf_wipe(b);
	cr_assert_eq(sbuf_len(b), 0);
	cr_assert_str_eq(sbuf_cstr(b), "");
	for (i = 0; i < 6; i++)
		cr_assert_eq(d[i], 0);
	sbuf_free(&b);
}

Test(sbuf, steal_hands_over_string)
{
	struct sbuf *b = sbuf_new(0);
	char *s;

	sbuf_append_str(b, "mine");
	s = sbuf_steal(b);
	cr_assert_str_eq(s, "mine");
	cr_assert(sbuf_is_empty(b));
	cr_assert_str_eq(sbuf_cstr(b), "");
	cr_assert_eq(sbuf_append_str(b, "again"), 0);
	cr_assert_str_eq(sbuf_cstr(b), "again");
	free(s);
	sbuf_free(&b);
}

Test(sbuf, steal_keeps_max)
{
	struct sbuf *b = sbuf_new_max(0, 2);
	char *s;

	sbuf_append_str(b, "ab");
	s = sbuf_steal(b);
	cr_assert_eq(sbuf_append_str(b, "abc"), -1);
	free(s);
	sbuf_free(&b);
}

Test(sbuf, free_sets_null_and_accepts_null)
{
	struct sbuf *b = sbuf_new(0);

	sbuf_free(&b);
	cr_assert_null(b);
	sbuf_free(&b);
	cr_assert_null(b);
}

Test(sbuf, free_secret_sets_null_and_accepts_null)
{
	struct sbuf *b = sbuf_new(0);

	sbuf_append_str(b, "password");
	sbuf_free_secret(&b);
	cr_assert_null(b);
	sbuf_free_secret(&b);
	cr_assert_null(b);
}
