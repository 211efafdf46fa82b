/* spf_macro_test.c - RFC 7208 section 7 macros (spf_macro.c) */
#include "config.h"

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sbuf.h"
#include "spf_macro.h"

/* Client addresses used below, as bytes. */
static const unsigned char ip_192_0_2_3[4] = {192, 0, 2, 3};
static const unsigned char ip_1_2_3_4[4] = {1, 2, 3, 4};
static const unsigned char ip_192_168_218_40[4] = {192, 168, 218, 40};
/* 2001:db8::cb01 */
static const unsigned char ip_2001_db8__cb01[16] = {
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xcb, 0x01};
/* cafe:babe::1 */
static const unsigned char ip_cafe_babe__1[16] = {
    0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

/* RFC 7208 7.4: the variables of the examples */
static const struct spf_macro_vars rfc_vars = {
    .sender = "strong-bad@email.example.com",
    .local = "strong-bad",
    .sender_domain = "email.example.com",
    .domain = "email.example.com",
    .ip = ip_192_0_2_3,
    .family = 4,
    .helo = "mx.example.org",
    .receiver = "mx.example.net",
    .ptr = "mx.example.org",
    .now = 1234567890,
};

/* expand - expand spec into a new string; NULL with the reason in why */
static char *expand(const char *spec, enum spf_macro_mode mode,
		    const struct spf_macro_vars *v, struct sbuf *why)
{
	struct sbuf *out = sbuf_new(0), *err = sbuf_new(0);
	char *res = NULL;

	if (spf_macro_expand(spec, mode, v, out, err) == 0) {
		res = sbuf_steal(out);
		cr_assert_eq(spf_macro_check(spec, mode, NULL), 0, "%s", spec);
	} else {
		cr_assert(!sbuf_is_empty(err), "no reason for %s", spec);
		cr_assert_eq(sbuf_len(out), 0, "partial output for %s", spec);
		if (why != NULL)
			sbuf_set(why, sbuf_cstr(err));
	}
	sbuf_free(&out);
	sbuf_free(&err);
	return res;
}

struct xcase {
	const char *spec;
	const char *want;
};

/* check_table - every spec expands to want with v in mode */
static void check_table(const struct xcase *c, size_t n,
			enum spf_macro_mode mode,
			const struct spf_macro_vars *v)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct sbuf *why = sbuf_new(0);
		char *got = expand(c[i].spec, mode, v, why);

		cr_assert_not_null(got, "%s: %s", c[i].spec, sbuf_cstr(why));
		cr_expect_str_eq(got, c[i].want, "%s", c[i].spec);
		free(got);
		sbuf_free(&why);
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* RFC 7208 7.4, the single-macro table */
static const struct xcase rfc_letters[] = {
    {"%{s}", "strong-bad@email.example.com"},
    {"%{o}", "email.example.com"},
    {"%{d}", "email.example.com"},
    {"%{d4}", "email.example.com"},
    {"%{d3}", "email.example.com"},
    {"%{d2}", "example.com"},
    {"%{d1}", "com"},
    {"%{dr}", "com.example.email"},
    {"%{d2r}", "example.email"},
    {"%{l}", "strong-bad"},
    {"%{l-}", "strong.bad"},
    {"%{lr}", "strong-bad"},
    {"%{lr-}", "bad.strong"},
    {"%{l1r-}", "strong"},
};

/* RFC 7208 7.4, the macro-string table (IPv4 client 192.0.2.3) */
static const struct xcase rfc_strings[] = {
    {"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
    {"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
    {"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
     "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
    {"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
     "3.2.0.192.in-addr.strong.lp._spf.example.com"},
    {"%{d2}.trusted-domains.example.net",
     "example.com.trusted-domains.example.net"},
};

Test(rfc7208_examples, letters)
{
	check_table(rfc_letters, N(rfc_letters), SPF_MACRO_DOMAIN, &rfc_vars);
	check_table(rfc_letters, N(rfc_letters), SPF_MACRO_EXP, &rfc_vars);
}

Test(rfc7208_examples, strings)
{
	check_table(rfc_strings, N(rfc_strings), SPF_MACRO_DOMAIN, &rfc_vars);
}

Test(rfc7208_examples, ipv6)
{
	struct spf_macro_vars v = rfc_vars;
	char *got;

	v.ip = ip_2001_db8__cb01;
	v.family = 6;
	got = expand("%{ir}.%{v}._spf.%{d2}", SPF_MACRO_DOMAIN, &v, NULL);
	cr_assert_not_null(got);
	/* the RFC prints lower-case nibbles; hex digits and DNS names are
	 * case-insensitive (the suite wants upper case, test below) */
	cr_expect(strcasecmp(got, "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
				  "0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf."
				  "example.com") == 0,
		  "%s", got);
	free(got);
	got = expand("%{i}", SPF_MACRO_DOMAIN, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_str_eq(got, "2.0.0.1.0.D.B.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
			      "0.0.0.0.0.0.C.B.0.1");
	free(got);
	got = expand("%{c} %{v}", SPF_MACRO_EXP, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_str_eq(got, "2001:db8::cb01 ip6");
	free(got);
}

/*
 * From the "Macro expansion rules" and other scenarios of the RFC 7208
 * conformance suite: the macro-strings of its records and explanations,
 * with the variables of the test that uses them.
 */
Test(suite, macro_reverse_split_on_dash)
{
	struct spf_macro_vars v = {
	    .sender = "philip-gladstone-test@e11.example.com",
	    .local = "philip-gladstone-test",
	    .sender_domain = "e11.example.com",
	    .domain = "e11.example.com",
	    .ip = ip_1_2_3_4,
	    .family = 4,
	    .helo = "mail.example.com",
	};
	static const struct xcase c[] = {
	    {"%{i}.%{l2r-}.user.%{d2}",
	     "1.2.3.4.gladstone.philip.user.example.com"},
	};

	check_table(c, N(c), SPF_MACRO_DOMAIN, &v);
}

Test(suite, macro_multiple_delimiters)
{
	struct spf_macro_vars v = {
	    .sender = "foo-bar+zip+quux@e12.example.com",
	    .local = "foo-bar+zip+quux",
	    .sender_domain = "e12.example.com",
	    .domain = "e12.example.com",
	    .ip = ip_1_2_3_4,
	    .family = 4,
	};
	static const struct xcase c[] = {
	    {"%{l2r+-}.user.%{d2}", "bar.foo.user.example.com"},
	    {"%{l+-}", "foo.bar.zip.quux"},
	};

	check_table(c, N(c), SPF_MACRO_DOMAIN, &v);
}

Test(suite, macro_mania_in_domain)
{
	static const struct xcase c[] = {
	    {"macro%%percent%_%_space%-url-space.example.com",
	     "macro%percent  space%20url-space.example.com"},
	};

	check_table(c, N(c), SPF_MACRO_DOMAIN, &rfc_vars);
	check_table(c, N(c), SPF_MACRO_EXP, &rfc_vars);
}

Test(suite, exp_txt_and_v_macro)
{
	struct spf_macro_vars v = {
	    .sender = "test@e4.example.com",
	    .local = "test",
	    .sender_domain = "e4.example.com",
	    .domain = "e4.example.com",
	    .ip = ip_192_168_218_40,
	    .family = 4,
	    .helo = "msgbas2x.cos.example.com",
	};
	static const struct xcase dom[] = {
	    {"%{ir}.example.com", "40.218.168.192.example.com"},
	};
	static const struct xcase exp4[] = {
	    {"Connections from %{c} not authorized.",
	     "Connections from 192.168.218.40 not authorized."},
	    {"%{c} is queried as %{ir}.%{v}.arpa",
	     "192.168.218.40 is queried as 40.218.168.192.in-addr.arpa"},
	};
	static const struct xcase exp6[] = {
	    /* v-macro-ip6: exactly as the suite spells it */
	    {"%{c} is queried as %{ir}.%{v}.arpa",
	     "cafe:babe::1 is queried as 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	     "0.0.0.0.0.0.0.0.E.B.A.B.E.F.A.C.ip6.arpa"},
	};

	check_table(dom, N(dom), SPF_MACRO_DOMAIN, &v);
	check_table(exp4, N(exp4), SPF_MACRO_EXP, &v);
	v.ip = ip_cafe_babe__1;
	v.family = 6;
	check_table(exp6, N(exp6), SPF_MACRO_EXP, &v);
}

Test(suite, domain_name_truncation)
{
	struct spf_macro_vars v = {
	    .sender = "test@somewhat.long.exp.example.com",
	    .local = "test",
	    .sender_domain = "somewhat.long.exp.example.com",
	    .domain = "somewhat.long.exp.example.com",
	    .ip = ip_192_168_218_40,
	    .family = 4,
	};
	const char *spec = "foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}."
			   "example.com";
	char want[512] = "", *got;
	int i;

	for (i = 0; i < 8; i++)
		strcat(want, "somewhat.long.exp.example.com.");
	strcat(want, "example.com");
	got = expand(spec, SPF_MACRO_DOMAIN, &v, NULL);
	cr_assert_not_null(got);
	/* 258 bytes: "foobar." goes, 251 are left */
	cr_expect_str_eq(got, want);
	cr_expect_eq(strlen(got), 251);
	free(got);
	/* explanation text is never cut */
	got = expand(spec, SPF_MACRO_EXP, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_eq(strlen(got), 258);
	cr_expect_eq(strncmp(got, "foobar.", 7), 0);
	free(got);
}

Test(suite, upper_macro_url_escape)
{
	struct spf_macro_vars v = {
	    .sender = "~jack&jill=up-a_b3.c@e8.example.com",
	    .local = "~jack&jill=up-a_b3.c",
	    .sender_domain = "e8.example.com",
	    .domain = "e8.example.com",
	    .ip = ip_192_168_218_40,
	    .family = 4,
	};
	static const struct xcase exp[] = {
	    {"http://example.com/why.html?l=%{L}",
	     "http://example.com/why.html?l=~jack%26jill%3Dup-a_b3.c"},
	};
	static const struct xcase dom[] = {
	    {"msg8.%{D2}", "msg8.example.com"},
	};

	check_table(exp, N(exp), SPF_MACRO_EXP, &v);
	check_table(dom, N(dom), SPF_MACRO_DOMAIN, &v);
}

Test(suite, helo_macros)
{
	struct spf_macro_vars v = {
	    .sender = "test@e9.example.com",
	    .local = "test",
	    .sender_domain = "e9.example.com",
	    .domain = "e9.example.com",
	    .ip = ip_192_168_218_40,
	    .family = 4,
	    .helo = "msgbas2x.cos.example.com",
	};
	static const struct xcase ok[] = {
	    {"%{H}", "msgbas2x.cos.example.com"},
	    {"_spfh.%{d2}", "_spfh.example.com"},
	};
	static const struct xcase bad_helo[] = {
	    /* invalid-hello-macro: expanded, not checked afterwards */
	    {"%{H}", "JUMPIN%27%20JUPITER"},
	    {"%{h}", "JUMPIN' JUPITER"},
	};
	static const struct xcase literal[] = {
	    {"%{H}", "%5B192.168.218.40%5D"},
	    {"%{h}", "[192.168.218.40]"},
	};
	static const struct xcase percents[] = {
	    /* invalid-domain-long-via-macro */
	    {"%{H}.bar", "%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25"
			 "%25%25%25%25%25%25.bar"},
	};

	check_table(ok, N(ok), SPF_MACRO_DOMAIN, &v);
	v.helo = "JUMPIN' JUPITER";
	check_table(bad_helo, N(bad_helo), SPF_MACRO_DOMAIN, &v);
	/* hello-domain-literal: "[" and "]" are reserved, so escaped */
	v.helo = "[192.168.218.40]";
	check_table(literal, N(literal), SPF_MACRO_DOMAIN, &v);
	v.helo = "%%%%%%%%%%%%%%%%%%%%%%";
	check_table(percents, N(percents), SPF_MACRO_DOMAIN, &v);
}

Test(suite, trailing_dot_domain)
{
	struct spf_macro_vars v = rfc_vars;
	static const struct xcase dom[] = {
	    {"%{d}.d.spf.example.com.", "example.com.d.spf.example.com"},
	    {"o.spf.example.com.", "o.spf.example.com"},
	};
	static const struct xcase exp[] = {
	    /* trailing-dot-exp: explanation text keeps it */
	    {"This is a test.", "This is a test."},
	};

	v.domain = "example.com";
	check_table(dom, N(dom), SPF_MACRO_DOMAIN, &v);
	check_table(exp, N(exp), SPF_MACRO_EXP, &v);
}

Test(suite, local_part_explanations)
{
	struct spf_macro_vars v = rfc_vars;
	char *got;

	/* dorky-sentinel: spaces are fine in a local part */
	v.sender = "Macro Error@e8.example.com";
	v.local = "Macro Error";
	got = expand("%{l} in implementation", SPF_MACRO_EXP, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_str_eq(got, "Macro Error in implementation");
	free(got);
	/* nolocalpart: "@example.net" is postmaster@example.net */
	v.sender = "@example.net";
	v.local = "";
	v.sender_domain = "example.net";
	got = expand("%{l}|%{s}", SPF_MACRO_EXP, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_str_eq(got, "postmaster|postmaster@example.net");
	free(got);
	v.sender = "";
	got = expand("%{s}", SPF_MACRO_EXP, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_str_eq(got, "postmaster@example.net");
	free(got);
}

Test(suite, p_macro)
{
	struct spf_macro_vars v = rfc_vars;
	struct sbuf *why = sbuf_new(0);
	char *got;

	cr_expect(spf_macro_uses_p("%{p}.should.example.com"));
	cr_expect(spf_macro_uses_p("connect from %{P}"));
	cr_expect(spf_macro_uses_p("a%%%{p2r-}"));
	cr_expect(!spf_macro_uses_p("connect from %{d}"));
	cr_expect(!spf_macro_uses_p("%%{p}"));
	cr_expect(!spf_macro_uses_p("%%%%{p}"));
	cr_expect(!spf_macro_uses_p("p.example.com"));
	cr_expect(!spf_macro_uses_p("%"));
	cr_expect(!spf_macro_uses_p(""));
	cr_expect(!spf_macro_uses_p(NULL));
	v.ptr = "unknown";
	got = expand("connect from %{p}", SPF_MACRO_EXP, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_str_eq(got, "connect from unknown");
	free(got);
	v.ptr = "mx.example.com";
	got = expand("%{p}.ok.example.com", SPF_MACRO_DOMAIN, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_str_eq(got, "mx.example.com.ok.example.com");
	free(got);
	v.ptr = NULL;
	cr_expect_null(
	    expand("%{p}.ok.example.com", SPF_MACRO_DOMAIN, &v, why));
	cr_expect(strstr(sbuf_cstr(why), "%{p}") != NULL, "%s", sbuf_cstr(why));
	/* without %{p} the missing name does not matter */
	got = expand("%{d}", SPF_MACRO_DOMAIN, &v, NULL);
	cr_assert_not_null(got);
	free(got);
	sbuf_free(&why);
}

struct ecase {
	const char *spec;
	enum spf_macro_mode mode;
	const char *reason; /* a part of the reason */
};

/* Syntax errors: the suite's cases first, then the RFC's grammar. */
static const struct ecase errors[] = {
    /* invalid-macro-char, invalid-embedded-macro-char */
    {"%(ir).sbl.example.com", SPF_MACRO_DOMAIN, "not followed by"},
    {"foo%(ir).sbl.example.com", SPF_MACRO_DOMAIN, "not followed by"},
    /* invalid-trailing-macro-char */
    {"foo%.sbl.example.com", SPF_MACRO_DOMAIN, "not followed by"},
    /* exp-only-macro-char */
    {"%{r}.example.com", SPF_MACRO_DOMAIN, "only allowed in exp="},
    {"%{c}", SPF_MACRO_DOMAIN, "only allowed in exp="},
    {"%{T}", SPF_MACRO_DOMAIN, "only allowed in exp="},
    /* undef-macro */
    {"%{a}.example.com", SPF_MACRO_DOMAIN, "unknown macro letter"},
    /* explanation-syntax-error */
    {"The %{x}-files.", SPF_MACRO_EXP, "unknown macro letter"},
    /* unknown-modifier-syntax */
    {"%abc", SPF_MACRO_EXP, "not followed by"},
    /* non-ascii-exp: UTF-8 BOM */
    {"\xEF\xBB\xBF"
     "Explanation",
     SPF_MACRO_EXP, "invalid character \\xef"},
    {"%", SPF_MACRO_DOMAIN, "lone '%'"},
    {"abc%", SPF_MACRO_EXP, "lone '%'"},
    {"%{", SPF_MACRO_DOMAIN, "unterminated"},
    {"%{d", SPF_MACRO_DOMAIN, "unterminated"},
    {"%{d2r.", SPF_MACRO_DOMAIN, "unterminated"},
    {"%{}", SPF_MACRO_DOMAIN, "unknown macro letter"},
    {"%{ }", SPF_MACRO_EXP, "unknown macro letter"},
    {"%{d0}", SPF_MACRO_DOMAIN, "zero parts"},
    {"%{d00r}", SPF_MACRO_DOMAIN, "zero parts"},
    {"%{l-r}", SPF_MACRO_DOMAIN, "bad transformer"},
    {"%{lrr}", SPF_MACRO_DOMAIN, "bad transformer"},
    {"%{l2r3}", SPF_MACRO_DOMAIN, "bad transformer"},
    {"%{l:}", SPF_MACRO_DOMAIN, "bad transformer"},
    {"%{dd}", SPF_MACRO_DOMAIN, "bad transformer"},
    {"%{d }", SPF_MACRO_EXP, "bad transformer"},
    {"%{d%}", SPF_MACRO_EXP, "bad transformer"},
    /* SP only in explanation text, never a control character */
    {"a b", SPF_MACRO_DOMAIN, "invalid character \\x20"},
    {"a\tb", SPF_MACRO_EXP, "invalid character \\x09"},
    {"a\r\nb", SPF_MACRO_EXP, "invalid character \\x0d"},
    {"\x7f", SPF_MACRO_EXP, "invalid character \\x7f"},
    {"\x80", SPF_MACRO_DOMAIN, "invalid character \\x80"},
};

Test(syntax, errors)
{
	size_t i;

	for (i = 0; i < N(errors); i++) {
		struct sbuf *err = sbuf_new(0), *why = sbuf_new(0);
		const struct ecase *c = &errors[i];

		cr_expect_eq(spf_macro_check(c->spec, c->mode, err), -1, "%s",
			     c->spec);
		cr_expect(strstr(sbuf_cstr(err), c->reason) != NULL,
			  "%s: got \"%s\", want \"%s\"", c->spec,
			  sbuf_cstr(err), c->reason);
		cr_expect_null(expand(c->spec, c->mode, &rfc_vars, why), "%s",
			       c->spec);
		cr_expect_str_eq(sbuf_cstr(why), sbuf_cstr(err), "%s", c->spec);
		sbuf_free(&err);
		sbuf_free(&why);
	}
}

Test(syntax, valid)
{
	static const char *const ok_domain[] = {
	    "",
	    "example.com",
	    "%%%_%-",
	    "%{s}%{l}%{o}%{d}%{i}%{p}%{h}%{v}",
	    "%{S}%{L}%{O}%{D}%{I}%{P}%{H}%{V}",
	    "%{d1}%{d12}%{d2r}%{dR}%{d2R}%{d.-+,/_=}%{d3r.-+,/_=}",
	    "%{d02}",
	    "!\"#$&'()*+,-./:;<=>?@[\\]^_`{|}~",
	    "}{",
	};
	static const char *const ok_exp[] = {
	    "%{c}%{r}%{t}%{C}%{R}%{T}",
	    "  leading and trailing spaces  ",
	    "%{t10r=}",
	};
	size_t i;

	for (i = 0; i < N(ok_domain); i++) {
		cr_expect_eq(
		    spf_macro_check(ok_domain[i], SPF_MACRO_DOMAIN, NULL), 0,
		    "%s", ok_domain[i]);
		cr_expect_eq(spf_macro_check(ok_domain[i], SPF_MACRO_EXP, NULL),
			     0, "%s", ok_domain[i]);
	}
	for (i = 0; i < N(ok_exp); i++)
		cr_expect_eq(spf_macro_check(ok_exp[i], SPF_MACRO_EXP, NULL), 0,
			     "%s", ok_exp[i]);
	cr_expect_eq(spf_macro_check(NULL, SPF_MACRO_EXP, NULL), -1);
}

Test(transform, parts_and_delimiters)
{
	struct spf_macro_vars v = rfc_vars;
	static const struct xcase c[] = {
	    /* empty parts are kept (RFC 7208 7.3) */
	    {"%{d}", "a..b."},
	    {"%{d2}", "b."},
	    {"%{d1}", ""},
	    {"%{dr}", ".b..a"},
	    {"%{d9r}", ".b..a"},
	    /* huge counts keep everything */
	    {"%{d99999999999999999999}", "a..b."},
	    /* leading zero digits are allowed by the grammar */
	    {"%{d003}", ".b."},
	    {"%{d1r}", "a"},
	    /* a delimiter list replaces ".", parts re-joined with "." */
	    {"%{d-}", "a..b."},
	    {"%{d+}", "a..b."},
	    {"%{dr-}", "a..b."},
	};
	static const struct xcase h[] = {
	    /* pyspf re-joins with "-": RFC 7208 7.3 says "." */
	    {"%{h-}", "mail.1.example.com"}, {"%{hr-}", "1.example.com.mail"},
	    {"%{h1-}", "1.example.com"},     {"%{h,}", "mail-1.example.com"},
	    {"%{H-}", "mail.1.example.com"},
	};
	static const struct xcase all[] = {
	    /* every delimiter */
	    {"%{h.-+,/_=}", "a.b.c.d.e.f.g.h"},
	    {"%{h2r.-+,/_=}", "b.a"},
	    {"%{h/}", "a.b-c+d,e.f_g=h"},
	    {"%{h=}", "a.b-c+d,e/f_g.h"},
	    {"%{h_}", "a.b-c+d,e/f.g=h"},
	    {"%{H=}", "a.b-c%2Bd%2Ce%2Ff_g.h"},
	};

	v.domain = "a..b.";
	check_table(c, N(c), SPF_MACRO_EXP, &v);
	v.helo = "mail-1.example.com";
	check_table(h, N(h), SPF_MACRO_DOMAIN, &v);
	v.helo = "a.b-c+d,e/f_g=h";
	check_table(all, N(all), SPF_MACRO_EXP, &v);
}

Test(transform, url_escape_every_byte)
{
	struct spf_macro_vars v = rfc_vars;
	char want[1024] = "", *got;
	char val[2] = "x";
	unsigned int c;

	/* every printable byte: RFC 3986 unreserved stays, rest %XX */
	for (c = 0x20; c < 0x7f; c++) {
		bool unres = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '-' || c == '.' ||
			     c == '_' || c == '~';

		val[0] = (char)c;
		v.helo = val;
		got = expand("%{H}", SPF_MACRO_EXP, &v, NULL);
		cr_assert_not_null(got);
		if (unres)
			snprintf(want, sizeof(want), "%c", c);
		else
			snprintf(want, sizeof(want), "%%%02X", c);
		cr_expect_str_eq(got, want, "byte 0x%02x", c);
		free(got);
	}
	/* bytes above 0x7f in a value (a UTF-8 local part) too */
	v.local = "\xc3\xa9t\xc3\xa9";
	got = expand("%{L}", SPF_MACRO_DOMAIN, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_str_eq(got, "%C3%A9t%C3%A9");
	free(got);
}

Test(letters, exp_only_and_defaults)
{
	struct spf_macro_vars v = rfc_vars;
	char *got;

	got = expand("%{t} %{r} %{c} %{R}", SPF_MACRO_EXP, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_str_eq(got, "1234567890 mx.example.net 192.0.2.3 "
			      "mx.example.net");
	free(got);
	v.receiver = NULL;
	v.now = 0;
	got = expand("%{t}/%{r}", SPF_MACRO_EXP, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_str_eq(got, "0/unknown");
	free(got);
	/* a timestamp splits like any other value */
	v.now = 1234567890;
	got = expand("%{t2}", SPF_MACRO_EXP, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_str_eq(got, "1234567890");
	free(got);
	/* unset strings are empty, not a crash */
	v.helo = NULL;
	v.domain = NULL;
	got = expand("[%{h}][%{d2}]", SPF_MACRO_EXP, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_str_eq(got, "[][]");
	free(got);
}

Test(letters, no_client_address)
{
	struct spf_macro_vars v = rfc_vars;
	struct sbuf *why = sbuf_new(0);
	char *got;

	v.ip = NULL;
	cr_expect_null(expand("%{i}", SPF_MACRO_DOMAIN, &v, why));
	cr_expect(strstr(sbuf_cstr(why), "client address") != NULL);
	v.ip = ip_1_2_3_4;
	v.family = 5;
	cr_expect_null(expand("%{v}", SPF_MACRO_DOMAIN, &v, why));
	cr_expect_null(expand("%{c}", SPF_MACRO_EXP, &v, why));
	got = expand("%{d}", SPF_MACRO_DOMAIN, &v, why);
	cr_assert_not_null(got);
	free(got);
	sbuf_free(&why);
}

Test(limits, domain_truncation)
{
	struct spf_macro_vars v = rfc_vars;
	char dom[600], *got;
	struct sbuf *why = sbuf_new(0);
	size_t i;

	/* 50 labels "abcd." = 250 bytes + "com" = 253: kept whole */
	dom[0] = '\0';
	for (i = 0; i < 50; i++)
		strcat(dom, "abcd.");
	strcat(dom, "com");
	v.domain = dom;
	got = expand("%{d}", SPF_MACRO_DOMAIN, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_eq(strlen(got), 253);
	free(got);
	/* one more byte: the first label goes */
	got = expand("x%{d}", SPF_MACRO_DOMAIN, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_eq(strlen(got), 248);
	cr_expect_eq(strncmp(got, "abcd.", 5), 0);
	free(got);
	/* a trailing dot does not count */
	got = expand("%{d}.", SPF_MACRO_EXP, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_eq(strlen(got), 254);
	free(got);
	got = expand("%{d}.", SPF_MACRO_DOMAIN, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_eq(strlen(got), 253);
	free(got);
	/* no label boundary leaves 253 bytes or fewer: an error */
	memset(dom, 'a', 300);
	dom[300] = '\0';
	cr_expect_null(expand("%{d}", SPF_MACRO_DOMAIN, &v, why));
	cr_expect(strstr(sbuf_cstr(why), "253") != NULL, "%s", sbuf_cstr(why));
	memcpy(dom + 290, ".com", 5);
	got = expand("%{d}", SPF_MACRO_DOMAIN, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_str_eq(got, "com");
	free(got);
	sbuf_free(&why);
}

Test(limits, output_size)
{
	struct spf_macro_vars v = rfc_vars;
	struct sbuf *spec = sbuf_new(0), *out, *err = sbuf_new(0);
	char *got;
	int i;

	/* "%-" is 3 bytes out: 2730 of them fit in 8192, 2731 do not */
	for (i = 0; i < 2730; i++)
		sbuf_append_str(spec, "%-");
	sbuf_append_str(spec, "xy");
	got = expand(sbuf_cstr(spec), SPF_MACRO_EXP, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_eq(strlen(got), SPF_MACRO_MAX_OUT);
	free(got);
	sbuf_append_str(spec, "z");
	cr_expect_null(expand(sbuf_cstr(spec), SPF_MACRO_EXP, &v, err));
	cr_expect(strstr(sbuf_cstr(err), "longer than 8192") != NULL, "%s",
		  sbuf_cstr(err));
	/* URL-escaping a long value triples it */
	sbuf_reset(spec);
	for (i = 0; i < 3000; i++)
		sbuf_putc(spec, '&');
	v.local = sbuf_cstr(spec);
	cr_expect_null(expand("%{L}", SPF_MACRO_EXP, &v, err));
	got = expand("%{l}", SPF_MACRO_EXP, &v, NULL);
	cr_assert_not_null(got);
	cr_expect_eq(strlen(got), 3000);
	free(got);
	/* the caller's own limit on out */
	out = sbuf_new_max(0, 5);
	cr_expect_eq(
	    spf_macro_expand("%{d}", SPF_MACRO_DOMAIN, &rfc_vars, out, err),
	    -1);
	cr_expect_eq(sbuf_len(out), 0);
	sbuf_free(&out);
	sbuf_free(&spec);
	sbuf_free(&err);
}

Test(api, appends_to_out)
{
	struct sbuf *out = sbuf_new(0), *err = sbuf_new(0);

	sbuf_set(out, "pre:");
	cr_assert_eq(
	    spf_macro_expand("%{d2}", SPF_MACRO_DOMAIN, &rfc_vars, out, err),
	    0);
	cr_expect_str_eq(sbuf_cstr(out), "pre:example.com");
	cr_assert_eq(
	    spf_macro_expand("%{x}", SPF_MACRO_DOMAIN, &rfc_vars, out, err),
	    -1);
	cr_expect_str_eq(sbuf_cstr(out), "pre:example.com");
	/* a NULL err is allowed */
	cr_expect_eq(
	    spf_macro_expand("%", SPF_MACRO_DOMAIN, &rfc_vars, out, NULL), -1);
	sbuf_free(&out);
	sbuf_free(&err);
}

Test(api, reason_quotes_peer_text)
{
	struct sbuf *err = sbuf_new(0), *spec = sbuf_new(0);
	int i;

	sbuf_append_str(spec, "%{");
	for (i = 0; i < 200; i++)
		sbuf_putc(spec, 'd');
	cr_expect_eq(spf_macro_check(sbuf_cstr(spec), SPF_MACRO_DOMAIN, err),
		     -1);
	/* cut to 64 bytes of peer text */
	cr_expect(strstr(sbuf_cstr(err), "...'") != NULL, "%s", sbuf_cstr(err));
	cr_expect_lt(sbuf_len(err), 120, "%s", sbuf_cstr(err));
	cr_expect_eq(spf_macro_check("%{\x01}", SPF_MACRO_DOMAIN, err), -1);
	cr_expect(strstr(sbuf_cstr(err), "\\x01") != NULL, "%s",
		  sbuf_cstr(err));
	sbuf_free(&err);
	sbuf_free(&spec);
}
