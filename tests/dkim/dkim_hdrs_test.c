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

/* add_bad - dkim_hdrs_add refuses field (n bytes) with why in err and
 * keeps nothing */
static void add_bad(const char *field, size_t n, const char *why)
{
	struct dkim_hdrs *h = dkim_hdrs_new();
	struct sbuf *err = sbuf_new(0);

	cr_expect_eq(dkim_hdrs_add(h, field, n, err), -1, "accepted %zu: %s", n,
		     field);
	cr_expect_not_null(strstr(sbuf_cstr(err), why), "%s: error \"%s\"",
			   field, sbuf_cstr(err));
	cr_expect_eq(dkim_hdrs_count(h), 0);
	dkim_hdrs_free(&h);
	sbuf_free(&err);
}

Test(dkim_hdrs, good_names)
{
	/* every ftext byte, 33..126 but ':', in one name, and odd but
	 * valid names; empty values too */
	static const char *const f[] = {"From: a@example.org",
					"x-a!#$%&'*+-.^_`{|}~:v",
					"\"(),./;<=>?@[\\]: q",
					"X:",
					"a:\r\n folded",
					"DKIM-Signature:v=1",
					NULL};
	struct dkim_hdrs *h = make(f);

	cr_assert_eq(dkim_hdrs_count(h), 6);
	cr_expect(dkim_hdrs_name_is(h, 0, "from"));
	cr_expect(dkim_hdrs_name_is(h, 1, "X-A!#$%&'*+-.^_`{|}~"));
	cr_expect(dkim_hdrs_name_is(h, 2, "\"(),./;<=>?@[\\]"));
	cr_expect(dkim_hdrs_name_is(h, 3, "x"));
	cr_expect(dkim_hdrs_name_is(h, 4, "A"));
	cr_expect(dkim_hdrs_name_is(h, 5, "dkim-signature"));
	dkim_hdrs_free(&h);
}

Test(dkim_hdrs, white_space_before_colon_is_accepted)
{
	static const char *const f[] = {"Name : v", "To\t:x", "Cc \t :y", NULL};
	static const char *const names[] = {"name", "to", "cc"};
	struct dkim_hdrs *h = make(f);
	struct sbuf *out = sbuf_new(0);

	cr_assert_eq(dkim_hdrs_count(h), 3);
	cr_expect(dkim_hdrs_name_is(h, 0, "Name"));
	cr_expect(!dkim_hdrs_name_is(h, 0, "Name "));
	cr_expect(dkim_hdrs_name_is(h, 1, "to"));
	cr_expect(dkim_hdrs_name_is(h, 2, "CC"));
	/* simple keeps the blanks, relaxed deletes them */
	cr_assert_eq(dkim_hdrs_canon(h, DKIM_CANON_SIMPLE, names, 3, out), 0);
	cr_expect_str_eq(sbuf_cstr(out), "Name : v\r\nTo\t:x\r\nCc \t :y\r\n");
	sbuf_reset(out);
	cr_assert_eq(dkim_hdrs_canon(h, DKIM_CANON_RELAXED, names, 3, out), 0);
	cr_expect_str_eq(sbuf_cstr(out), "name:v\r\nto:x\r\ncc:y\r\n");
	sbuf_free(&out);
	dkim_hdrs_free(&h);
}

Test(dkim_hdrs, white_space_inside_name_is_refused)
{
	add_bad("From a@b: x", 11, "white space inside");
	add_bad("From\ta@b: x", 11, "white space inside");
	add_bad("X Y : z", 7, "white space inside");
	/* a leading blank is a continuation line, never a name */
	add_bad(" From: x", 8, "white space inside");
}

Test(dkim_hdrs, control_and_8bit_bytes_in_name_are_refused)
{
	add_bad("Fr\x01om: x", 8, "control character");
	add_bad("From\x7f: x", 8, "control character");
	add_bad("Fr\0om: x", 8, "control character");
	add_bad("X\r\n Y: x", 8, "control character");
	add_bad("Subj\xc3\xa9"
		"ct: x",
		11, "8-bit byte");
	add_bad("\xff: x", 4, "8-bit byte");
}

Test(dkim_hdrs, empty_name_is_refused)
{
	add_bad(": x", 3, "empty name");
	add_bad(":", 1, "empty name");
	add_bad(" \t: x", 5, "empty name");
	add_bad("", 0, "without a colon");
}

Test(dkim_hdrs, name_is_valid_agrees_with_add)
{
	static const char *const names[] = {
	    "From",	 "X-Mailer", "Subject ", "To\t", "Cc \t ",
	    "From a@b", "",	      " ",	  "Fr\x01om", "N\xc3\xa4me",
	    "Ta\x7fg",	 "Dkim-Signature",
	};
	struct sbuf *err = sbuf_new(64), *field = sbuf_new(64);

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct dkim_hdrs *h = dkim_hdrs_new();
		bool valid =
		    dkim_hdrs_name_is_valid(names[i], strlen(names[i]));

		sbuf_reset(field);
		sbuf_printf(field, "%s: v", names[i]);
		sbuf_reset(err);
		cr_expect_eq(valid,
			     dkim_hdrs_add(h, sbuf_cstr(field),
					   sbuf_len(field), err) == 0,
			     "name %zu", i);
		dkim_hdrs_free(&h);
	}
	cr_expect(dkim_hdrs_name_is_valid("From", 4));
	cr_expect(dkim_hdrs_name_is_valid("From  ", 6));
	cr_expect_not(dkim_hdrs_name_is_valid("From a@b", 8));
	cr_expect_not(dkim_hdrs_name_is_valid("", 0));
	cr_expect_not(dkim_hdrs_name_is_valid("\t", 1));
	sbuf_free(&err);
	sbuf_free(&field);
}
