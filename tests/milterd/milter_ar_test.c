/* milter_ar_test.c - Authentication-Results (RFC 8601) */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "milter_ar.h"
#include "sbuf.h"

Test(milter_ar, format_pass)
{
	struct milter_ar_result r = {
	    .res = DKIM_RES_PASS,
	    .d = "example.com",
	    .s = "sel",
	    .b = "AbCdEfGhIjKl",
	};
	struct sbuf *out = sbuf_new(0);

	cr_assert_eq(milter_ar_format("mx.example.net", &r, 1, out), 0);
	cr_assert_str_eq(sbuf_cstr(out),
			 " mx.example.net;\n\tdkim=pass header.d=example.com "
			 "header.i=@example.com header.s=sel "
			 "header.b=\"AbCdEfGh\"");
	sbuf_free(&out);
}

Test(milter_ar, format_several)
{
	struct milter_ar_result r[2] = {
	    {.res = DKIM_RES_FAIL,
	     .d = "example.com",
	     .i = "alice@sub.example.com",
	     .s = "s1",
	     .b = "xyz+/=",
	     .reason = "body hash (bh=) mismatch"},
	    {.res = DKIM_RES_PERMERROR, .reason = "no \"d=\" tag\r\n"},
	};
	struct sbuf *out = sbuf_new(0);

	cr_assert_eq(milter_ar_format("id", r, 2, out), 0);
	cr_assert_str_eq(sbuf_cstr(out),
			 " id;\n\tdkim=fail (body hash \\(bh=\\) mismatch) "
			 "header.d=example.com header.i=alice@sub.example.com "
			 "header.s=s1 header.b=\"xyz+/=\";\n\t"
			 "dkim=permerror (no \"d=\" tag?" "?)");
	sbuf_free(&out);
}

Test(milter_ar, format_none_and_quoting)
{
	struct milter_ar_result r = {
	    .res = DKIM_RES_PASS,
	    .d = "example.com",
	    .i = "\"odd local\"@example.com",
	    .s = "s",
	    .testing = true,
	};
	struct sbuf *out = sbuf_new(0);

	cr_assert_eq(milter_ar_format("id", NULL, 0, out), 0);
	cr_assert_str_eq(sbuf_cstr(out), " id;\n\tdkim=none");
	sbuf_reset(out);
	cr_assert_eq(milter_ar_format("id", &r, 1, out), 0);
	cr_assert_str_eq(sbuf_cstr(out),
			 " id;\n\tdkim=pass (test mode) header.d=example.com "
			 "header.i=\"\\\"odd local\\\"@example.com\" "
			 "header.s=s");
	sbuf_free(&out);
}

Test(milter_ar, reason_truncated)
{
	char reason[400];
	struct milter_ar_result r = {.res = DKIM_RES_NEUTRAL,
				     .reason = reason};
	struct sbuf *out = sbuf_new(0);

	memset(reason, 'x', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	cr_assert_eq(milter_ar_format("id", &r, 1, out), 0);
	cr_assert_lt(sbuf_len(out), 200);
	cr_assert(strstr(sbuf_cstr(out), "...)") != NULL);
	sbuf_free(&out);
}

Test(milter_ar, is_ours)
{
	static const struct {
		const char *v;
		bool want;
	} cases[] = {
	    {" mx.example.net; dkim=pass header.d=x", true},
	    {"mx.example.net;dkim=pass", true},
	    {" MX.Example.NET; spf=pass", true},
	    {" (forged) mx.example.net (really) ; dkim=pass", true},
	    {" \"mx.example.net\"; dkim=pass", true},
	    {" mx.example.net 1; dkim=pass", true},
	    {"\r\n\tmx.example.net\r\n\t;\r\n\tdkim=pass", true},
	    {" mx.example.net; none", true},
	    {" mx.example.net", true},
	    {" mx.example.net.evil; dkim=pass", false},
	    {" evil.mx.example.net; dkim=pass", false},
	    {" other.example; dkim=pass (mx.example.net)", false},
	    {" mx.example.net x; dkim=pass", false},
	    {" (unclosed mx.example.net; dkim=pass", false},
	    {" \"mx.example.net; dkim=pass", false},
	    {"", false},
	    {" ", false},
	    {" mx.example.net/queueid; dkim=pass", false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_eq(milter_ar_is_ours(cases[i].v, strlen(cases[i].v),
					       "mx.example.net"),
			     cases[i].want, "%s", cases[i].v);
}

Test(milter_ar, is_ours_bounded)
{
	struct sbuf *v = sbuf_new(0);

	for (int i = 0; i < 100; i++)
		sbuf_putc(v, '(');
	sbuf_append_str(v, "x");
	for (int i = 0; i < 100; i++)
		sbuf_putc(v, ')');
	sbuf_append_str(v, " id; dkim=pass");
	cr_assert(!milter_ar_is_ours(sbuf_cstr(v), sbuf_len(v), "id"));
	/* the length bounds the scan, not a NUL */
	cr_assert(milter_ar_is_ours(" id; x", 3, "id"));
	cr_assert(milter_ar_is_ours(" idx", 3, "id"));
	sbuf_free(&v);
}
