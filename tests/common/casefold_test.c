/* casefold_test.c - key case folding as Postfix casefold() does it */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "casefold.h"
#include "sbuf.h"

struct fold_case {
	const char *in;
	const char *want;
};

static const struct fold_case fold_cases[] = {
	{"", ""},
	{"Alice@Example.COM", "alice@example.com"},
	{"123-_.+%'\\", "123-_.+%'\\"},
	{"\xc3\x84LICE@X.com", "\xc3\xa4lice@x.com"},	  /* Ä -> ä */
	{"Stra\xc3\x9f" "e", "strasse"},		  /* ß -> ss */
	{"STRA\xe1\xba\x9e" "E", "strasse"},		  /* ẞ -> ss */
	{"\xce\xa3\xce\x9f\xce\xa6", "\xcf\x83\xce\xbf\xcf\x86"}, /* ΣΟΦ */
	{"\xc3\xa4", "\xc3\xa4"},			  /* already folded */
	{"\xe2\x82\xac", "\xe2\x82\xac"},		  /* € has no case */
};

Test(casefold, table)
{
	struct sbuf *out = sbuf_new(8);
	size_t i;

	for (i = 0; i < sizeof(fold_cases) / sizeof(fold_cases[0]); i++) {
		const struct fold_case *fc = &fold_cases[i];

		cr_assert_eq(casefold_utf8(fc->in, strlen(fc->in), out), 0,
			     "case %zu", i);
		cr_expect_str_eq(sbuf_cstr(out), fc->want, "case %zu", i);
	}
	sbuf_free(&out);
}

Test(casefold, replaces_contents)
{
	struct sbuf *out = sbuf_new(8);

	sbuf_set(out, "old");
	cr_assert_eq(casefold_utf8("NEW", 3, out), 0);
	cr_expect_str_eq(sbuf_cstr(out), "new");
	sbuf_free(&out);
}

Test(casefold, respects_buffer_maximum)
{
	struct sbuf *out = sbuf_new_max(4, 4);

	cr_expect_eq(casefold_utf8("ABCDEFGH", 8, out), -1);
	cr_expect_eq(casefold_utf8("STRA\xe1\xba\x9e" "E", 8, out), -1);
	cr_expect_eq(casefold_utf8("AB", 2, out), 0);
	sbuf_free(&out);
}
