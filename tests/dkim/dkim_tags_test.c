/* dkim_tags_test.c - unit tests for dkim/dkim_tags */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "dkim_tags.h"
#include "sbuf.h"

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

/* parse a C string; returns the list or NULL, the reason in err */
static struct dkim_tags *parse(const char *s, struct sbuf *err)
{
	struct dkim_tags *t = NULL;

	if (dkim_tags_parse(s, strlen(s), &t, err) < 0)
		cr_assert_null(t);
	return t;
}

static const struct {
	const char *in;
	size_t count;
	const char *name, *value; /* one tag to check */
} good[] = {
    {"", 0, NULL, NULL},
    {"v=1", 1, "v", "1"},
    {"v=1;", 1, "v", "1"},
    {" v = 1 ; a=rsa-sha256 ", 2, "a", "rsa-sha256"},
    {"v=1;\r\n\ta=rsa-sha256", 2, "a", "rsa-sha256"},
    {"p=", 1, "p", ""},
    {"p= ;k=rsa", 2, "p", ""},
    {"b=abc\r\n def\r\n ghi", 1, "b", "abc\r\n def\r\n ghi"},
    {"h=from : to\t: subject ", 1, "h", "from : to\t: subject"},
    {"v=DKIM1: g=*; k=rsa", 2, "v", "DKIM1: g=*"},
    {"a=1;;b=2", 2, "b", "2"},
    {"A=1; a=2", 2, "A", "1"},
    {"x_y9=z", 1, "x_y9", "z"},
};

Test(dkim_tags, parses_valid_lists)
{
	size_t i;

	for (i = 0; i < NCASES(good); i++) {
		struct sbuf *err = sbuf_new(0);
		struct dkim_tags *t = parse(good[i].in, err);

		cr_assert_not_null(t, "case %zu: %s", i, sbuf_cstr(err));
		cr_expect_eq(dkim_tags_count(t), good[i].count, "case %zu", i);
		if (good[i].name != NULL)
			cr_expect_str_eq(dkim_tags_get(t, good[i].name),
					 good[i].value, "case %zu", i);
		dkim_tags_free(&t);
		cr_expect_null(t);
		sbuf_free(&err);
	}
}

static const char *const bad[] = {
    "v",	     /* no '=' */
    "=1",	     /* no name */
    "1a=2",	     /* name starts with a digit */
    "a-b=1",	     /* '-' is not ALNUMPUNC */
    "v=1; v=1",	     /* duplicate */
    "a=1; b=2; a=3", /* duplicate, not adjacent */
    "a=\001",	     /* control byte */
    "a=caf\303\251", /* 8-bit byte */
    "a b=1",	     /* white space inside a name */
};

Test(dkim_tags, rejects_bad_lists_with_reason)
{
	size_t i;

	for (i = 0; i < NCASES(bad); i++) {
		struct sbuf *err = sbuf_new(0);

		cr_expect_null(parse(bad[i], err), "case %zu", i);
		cr_expect_gt(sbuf_len(err), 0, "case %zu has no reason", i);
		sbuf_free(&err);
	}
}

Test(dkim_tags, nul_byte_is_an_error)
{
	struct dkim_tags *t = NULL;
	struct sbuf *err = sbuf_new(0);

	cr_expect_eq(dkim_tags_parse("a=1\0b", 5, &t, err), -1);
	cr_expect_null(t);
	sbuf_free(&err);
}

Test(dkim_tags, keeps_input_order)
{
	struct sbuf *err = sbuf_new(0);
	struct dkim_tags *t = parse("k=rsa; v=DKIM1; p=AB", err);

	cr_assert_not_null(t);
	cr_expect_str_eq(dkim_tags_at(t, 0)->name, "k");
	cr_expect_str_eq(dkim_tags_at(t, 1)->name, "v");
	cr_expect_eq(dkim_tags_at(t, 2)->value_len, 2);
	cr_expect_null(dkim_tags_at(t, 3));
	cr_expect_null(dkim_tags_get(t, "K")); /* case-sensitive */
	dkim_tags_free(&t);
	sbuf_free(&err);
}

Test(dkim_tags, limits_tag_count)
{
	struct sbuf *in = sbuf_new(0), *err = sbuf_new(0);
	struct dkim_tags *t;
	int i;

	for (i = 0; i < DKIM_TAGS_MAX; i++)
		sbuf_printf(in, "t%d=%d;", i, i);
	sbuf_append_str(in, " ;\r\n "); /* empty specs do not count */
	t = parse(sbuf_cstr(in), err);
	cr_assert_not_null(t, "%s", sbuf_cstr(err));
	cr_expect_eq(dkim_tags_count(t), DKIM_TAGS_MAX);
	dkim_tags_free(&t);
	sbuf_printf(in, "one=more");
	cr_expect_null(parse(sbuf_cstr(in), err));
	sbuf_free(&in);
	sbuf_free(&err);
}

Test(dkim_tags, limits_value_and_name_length)
{
	struct sbuf *in = sbuf_new(0), *err = sbuf_new(0);
	struct dkim_tags *t;
	size_t i;

	sbuf_append_str(in, "p=");
	for (i = 0; i < DKIM_TAGS_MAX_VALUE; i++)
		sbuf_putc(in, 'A');
	t = parse(sbuf_cstr(in), err);
	cr_assert_not_null(t);
	dkim_tags_free(&t);
	sbuf_putc(in, 'A');
	cr_expect_null(parse(sbuf_cstr(in), err));
	sbuf_reset(in);
	for (i = 0; i <= DKIM_TAGS_MAX_NAME; i++)
		sbuf_putc(in, 'n');
	sbuf_append_str(in, "=1");
	cr_expect_null(parse(sbuf_cstr(in), err));
	sbuf_free(&in);
	sbuf_free(&err);
}

static const struct {
	const char *in, *out;
} blank[] = {
    {"a=1; b=abc; c=2", "a=1; b=; c=2"},
    {"a=1; b= abc\r\n def ;c=2", "a=1; b=;c=2"},
    {"a=1; b=abc\r\n def", "a=1; b="},
    {"b=x", "b="},
    {"bh=x; b=y", "bh=x; b="},
    {"a=1", "a=1"},
};

Test(dkim_tags, blanks_one_value)
{
	size_t i;

	for (i = 0; i < NCASES(blank); i++) {
		struct sbuf *out = sbuf_new(0);

		cr_expect_eq(
		    dkim_tags_blank(blank[i].in, strlen(blank[i].in), "b", out),
		    0, "case %zu", i);
		cr_expect_str_eq(sbuf_cstr(out), blank[i].out, "case %zu", i);
		sbuf_free(&out);
	}
}

Test(dkim_tags, blank_rejects_bad_list)
{
	struct sbuf *out = sbuf_new(0);

	cr_expect_eq(dkim_tags_blank("b=1; =2", 7, "b", out), -1);
	sbuf_free(&out);
}
