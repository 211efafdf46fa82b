/* spf_header_test.c - Received-SPF, Authentication-Results, X-Comment */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "sbuf.h"
#include "spf_header.h"

/* received - format h as Received-SPF; caller frees */
static char *received(const struct spf_header_info *h)
{
	struct sbuf *b = sbuf_new(0);

	cr_assert_eq(spf_header_received_spf(b, h), 0);
	return sbuf_steal(b);
}

struct rs_case {
	struct spf_header_info h;
	const char *want;
};

/*
 * The layouts postfix-policyd-spf-python 3.0.4 writes (its header for
 * each result, as seen in its output for these requests): the MAIL FROM
 * comment is the scope word, the null sender is <>, a trailing space.
 */
static const struct rs_case rs_cases[] = {
    {{SPF_PASS, SPF_HEADER_MAILFROM, "mailfrom", "192.0.2.1", "mx.example.org",
      "user@example.org", "example.net"},
     "Received-SPF: Pass (mailfrom) identity=mailfrom; client-ip=192.0.2.1; "
     "helo=mx.example.org; envelope-from=user@example.org; "
     "receiver=example.net "},
    {{SPF_NONE, SPF_HEADER_HELO, "no SPF record", "192.0.2.1", "mx.example.org",
      "", "example.net"},
     "Received-SPF: None (no SPF record) identity=helo; client-ip=192.0.2.1; "
     "helo=mx.example.org; envelope-from=<>; receiver=example.net "},
    {{SPF_SOFTFAIL, SPF_HEADER_MAILFROM, "mailfrom", "2001:2::1",
      "[198.18.0.1]", "a+b=c@sub.example.org", "<UNKNOWN>"},
     "Received-SPF: Softfail (mailfrom) identity=mailfrom; "
     "client-ip=2001:2::1; helo=[198.18.0.1]; "
     "envelope-from=a+b=c@sub.example.org; receiver=<UNKNOWN> "},
    {{SPF_PERMERROR, SPF_HEADER_HELO,
      "SPF Permanent Error: Unknown mechanism found: moo", "198.18.0.1",
      "h.example", "", "none"},
     "Received-SPF: Permerror (SPF Permanent Error: Unknown mechanism found: "
     "moo) identity=helo; client-ip=198.18.0.1; helo=h.example; "
     "envelope-from=<>; receiver=none "},
    {{SPF_TEMPERROR, SPF_HEADER_MAILFROM, NULL, "198.18.0.1", "h.example",
      "u@h.example", "x"},
     "Received-SPF: Temperror identity=mailfrom; client-ip=198.18.0.1; "
     "helo=h.example; envelope-from=u@h.example; receiver=x "},
    {{SPF_NEUTRAL, SPF_HEADER_MAILFROM, "mailfrom", "198.18.0.1", "h.example",
      "u@h.example", "x"},
     "Received-SPF: Neutral (mailfrom) identity=mailfrom; "
     "client-ip=198.18.0.1; helo=h.example; envelope-from=u@h.example; "
     "receiver=x "},
    {{SPF_FAIL, SPF_HEADER_HELO, "SPF fail - not authorized", "198.18.0.1",
      "h.example", "u@h.example", "x"},
     "Received-SPF: Fail (SPF fail - not authorized) identity=helo; "
     "client-ip=198.18.0.1; helo=h.example; envelope-from=u@h.example; "
     "receiver=x "},
};

Test(spf_header, received_spf_layout)
{
	size_t i;

	for (i = 0; i < sizeof(rs_cases) / sizeof(rs_cases[0]); i++) {
		char *got = received(&rs_cases[i].h);

		cr_expect_str_eq(got, rs_cases[i].want, "case %zu", i);
		free(got);
	}
}

Test(spf_header, result_words)
{
	cr_expect_str_eq(spf_header_result_word(SPF_PASS), "Pass");
	cr_expect_str_eq(spf_header_result_word(SPF_SOFTFAIL), "Softfail");
	cr_expect_str_eq(spf_header_result_word(SPF_TEMPERROR), "Temperror");
	cr_expect_str_eq(spf_header_result_word(SPF_PERMERROR), "Permerror");
	cr_expect_str_eq(spf_header_scope_word(SPF_HEADER_HELO), "helo");
	cr_expect_str_eq(spf_header_scope_word(SPF_HEADER_MAILFROM),
			 "mailfrom");
}

/* A HELO name cannot add fields: it becomes one quoted-string. */
Test(spf_header, hostile_values_are_quoted)
{
	struct spf_header_info h = {
	    SPF_PASS,	     SPF_HEADER_MAILFROM,    "mailfrom",
	    "198.18.0.1",    "x; client-ip=1.2.3.4", "\"q\"\\@e(x)ample.org",
	    "r\r\nX-Evil: 1"};
	char *got = received(&h);

	cr_expect_str_eq(got,
			 "Received-SPF: Pass (mailfrom) identity=mailfrom; "
			 "client-ip=198.18.0.1; helo=\"x; client-ip=1.2.3.4\"; "
			 "envelope-from=\"\\\"q\\\"\\\\@e\\(x\\)ample.org\"; "
			 "receiver=\"r??X-Evil: 1\" ");
	cr_expect_null(strchr(got, '\n'));
	cr_expect_null(strchr(got, '\r'));
	free(got);
}

/* Comments from DNS (exp=) keep their parens balanced, no controls. */
Test(spf_header, hostile_comment_is_escaped)
{
	struct spf_header_info h = {SPF_FAIL,
				    SPF_HEADER_HELO,
				    "a) b (c\\ \x01\xff",
				    "198.18.0.1",
				    "h",
				    "",
				    "x"};
	char *got = received(&h);

	cr_expect_str_eq(got, "Received-SPF: Fail (a\\) b \\(c\\\\ ?\?) "
			      "identity=helo; client-ip=198.18.0.1; helo=h; "
			      "envelope-from=<>; receiver=x ");
	free(got);
}

/* Non-ASCII bytes never reach Postfix (smtputf8 would refuse them). */
Test(spf_header, output_is_printable_ascii)
{
	struct spf_header_info h = {
	    SPF_PASS,	  SPF_HEADER_HELO,     "c\xc3\xa9",
	    "198.18.0.1", "h\xc3\xa9.example", "\xc3\xa9@x",
	    "x"};
	char *got;
	const unsigned char *p;

	got = received(&h);
	for (p = (const unsigned char *)got; *p != '\0'; p++)
		cr_assert(*p >= 0x20 && *p < 0x7f, "byte 0x%02x", *p);
	cr_expect(strstr(got, "helo=\"h??.example\"") != NULL, "%s", got);
	free(got);
}

/* Long texts are cut at the limits, never grow without bound. */
Test(spf_header, long_values_are_cut)
{
	char *big = malloc(10000);
	struct spf_header_info h = {
	    SPF_FAIL, SPF_HEADER_MAILFROM, big, "198.18.0.1", big, big, big};
	char *got;

	memset(big, 'a', 9999);
	big[9999] = '\0';
	got = received(&h);
	cr_expect_lt(strlen(got),
		     4 * SPF_HEADER_MAX_VALUE + SPF_HEADER_MAX_COMMENT + 200);
	free(got);
	free(big);
}

/* A full buffer is an error, not a silent cut. */
Test(spf_header, buffer_limit_reported)
{
	struct sbuf *b = sbuf_new_max(16, 40);
	struct spf_header_info h = {
	    SPF_PASS, SPF_HEADER_MAILFROM, "mailfrom", "198.18.0.1", "h", "u@h",
	    "x"};

	cr_expect_eq(spf_header_received_spf(b, &h), -1);
	sbuf_free(&b);
}

Test(spf_header, authentication_results)
{
	struct spf_header_info m = {
	    SPF_PASS,	      SPF_HEADER_MAILFROM, "mailfrom",	 "198.18.0.1",
	    "mx.example.org", "user@example.org",  "example.net"};
	struct spf_header_info h = {SPF_NONE,	      SPF_HEADER_HELO,
				    "no SPF record",  "198.18.0.1",
				    "mx.example.org", "",
				    "example.net"};
	struct sbuf *b = sbuf_new(0);

	cr_assert_eq(spf_header_auth_results(b, "mx.example.net", &m), 0);
	cr_expect_str_eq(sbuf_cstr(b),
			 "Authentication-Results: mx.example.net; spf=pass "
			 "(mailfrom) smtp.mailfrom=example.org "
			 "(client-ip=198.18.0.1; helo=mx.example.org; "
			 "envelope-from=user@example.org; "
			 "receiver=example.net)");
	sbuf_reset(b);
	cr_assert_eq(spf_header_auth_results(b, "mx.example.net", &h), 0);
	cr_expect_str_eq(sbuf_cstr(b),
			 "Authentication-Results: mx.example.net; spf=none "
			 "(no SPF record) smtp.helo=mx.example.org "
			 "(client-ip=198.18.0.1; helo=mx.example.org; "
			 "envelope-from=<>; receiver=example.net)");
	sbuf_free(&b);
}

Test(spf_header, skipped_x_comment_and_ar)
{
	struct spf_header_info h = {SPF_NONE,	  SPF_HEADER_MAILFROM, NULL,
				    "127.0.0.1",  "localhost",	       "",
				    "example.net"};
	struct sbuf *b = sbuf_new(0);

	cr_assert_eq(spf_header_skipped(
			 b, NULL, "SPF check N/A for local connections", &h),
		     0);
	/* policyd-spf: the sender as given, so a null sender is empty */
	cr_expect_str_eq(sbuf_cstr(b),
			 "X-Comment: SPF check N/A for local connections - "
			 "client-ip=127.0.0.1; helo=localhost; envelope-from=; "
			 "receiver=example.net ");
	sbuf_reset(b);
	cr_assert_eq(spf_header_skipped(b, "mx", "SPF skipped (relay)", &h), 0);
	cr_expect_str_eq(sbuf_cstr(b),
			 "Authentication-Results: mx; none (SPF skipped "
			 "\\(relay\\) -  client-ip=127.0.0.1; helo=localhost; "
			 "envelope-from=; receiver=example.net)");
	sbuf_free(&b);
}

/* RFC 8601 pvalues: tokens bare, anything else quoted (as authres). */
Test(spf_header, auth_results_pvalues)
{
	struct spf_header_info h = {SPF_NONE,	     SPF_HEADER_HELO,
				    "no SPF record", "198.18.0.1",
				    "[198.18.0.1]",  "",
				    "example.net"};
	struct sbuf *b = sbuf_new(0);

	cr_assert_eq(spf_header_auth_results(b, "mx", &h), 0);
	cr_expect_str_eq(sbuf_cstr(b),
			 "Authentication-Results: mx; spf=none (no SPF record) "
			 "smtp.helo=\"[198.18.0.1]\" (client-ip=198.18.0.1; "
			 "helo=[198.18.0.1]; envelope-from=<>; "
			 "receiver=example.net)");
	sbuf_reset(b);
	h.helo = "a;b (c)";
	cr_assert_eq(spf_header_auth_results(b, "mx", &h), 0);
	cr_expect(strstr(sbuf_cstr(b), "smtp.helo=\"a;b \\(c\\)\" ") != NULL,
		  "%s", sbuf_cstr(b));
	sbuf_free(&b);
}
