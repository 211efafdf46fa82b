/* dkim_hdrs_test.c - unit tests for dkim/dkim_hdrs */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "dkim_hdrs.h"
#include "sbuf.h"

static struct dkim_hdrs *make(const char *const *fields)
{
	struct dkim_hdrs *h = dkim_hdrs_new();
	struct sbuf *err = sbuf_new(0);

	for (; *fields != NULL; fields++)
		cr_assert_eq(dkim_hdrs_add(h, *fields, strlen(*fields), err),
			     0);
	sbuf_free(&err);
	return h;
}

Test(dkim_hdrs, selects_repeated_fields_bottom_up)
{
	static const char *const f[] = {"Received: 1", "From: a", "To: x",
					"Received: 2", "to: y",	  NULL};
	static const char *const names[] = {
	    "received", "To", "Received", "received", "TO", "to", "from"};
	struct dkim_hdrs *h = make(f);
	struct sbuf *out = sbuf_new(0);

	cr_assert_eq(dkim_hdrs_count(h), 5);
	cr_assert_eq(dkim_hdrs_canon(h, DKIM_CANON_SIMPLE, names, 7, out), 0);
	/* third received and third to select nothing (over-signing) */
	cr_expect_str_eq(sbuf_cstr(out), "Received: 2\r\nto: y\r\n"
					 "Received: 1\r\nTo: x\r\nFrom: a\r\n");
	sbuf_free(&out);
	dkim_hdrs_free(&h);
	cr_expect_null(h);
}

Test(dkim_hdrs, names_ignore_case_and_space_before_colon)
{
	static const char *const f[] = {"SUBJECT : hi", "X-Sub: no", NULL};
	struct dkim_hdrs *h = make(f);
	struct sbuf *out = sbuf_new(0);
	static const char *const names[] = {"subject"};

	cr_expect(dkim_hdrs_name_is(h, 0, "Subject"));
	cr_expect(!dkim_hdrs_name_is(h, 1, "Sub"));
	cr_assert_eq(dkim_hdrs_canon(h, DKIM_CANON_RELAXED, names, 1, out), 0);
	cr_expect_str_eq(sbuf_cstr(out), "subject:hi\r\n");
	sbuf_free(&out);
	dkim_hdrs_free(&h);
}

Test(dkim_hdrs, limits)
{
	struct dkim_hdrs *h = dkim_hdrs_new();
	struct sbuf *err = sbuf_new(0), *big = sbuf_new(0);
	int i;

	cr_expect_eq(dkim_hdrs_add(h, "no colon", 8, err), -1);
	cr_expect_gt(sbuf_len(err), 0);
	for (i = 0; i < DKIM_HDRS_MAX_FIELDS; i++)
		cr_assert_eq(dkim_hdrs_add(h, "X: 1", 4, err), 0);
	cr_expect_eq(dkim_hdrs_add(h, "X: 1", 4, err), -1);
	dkim_hdrs_free(&h);
	h = dkim_hdrs_new();
	sbuf_append_str(big, "X: ");
	while (sbuf_len(big) < DKIM_HDRS_MAX_BYTES / 2)
		sbuf_append_str(big, "0123456789abcdef");
	cr_expect_eq(dkim_hdrs_add(h, sbuf_cstr(big), sbuf_len(big), err), 0);
	cr_expect_eq(dkim_hdrs_add(h, sbuf_cstr(big), sbuf_len(big), err), -1);
	dkim_hdrs_free(&h);
	sbuf_free(&err);
	sbuf_free(&big);
}
