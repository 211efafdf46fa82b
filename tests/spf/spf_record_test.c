/* spf_record_test.c - SPF record syntax (spf_record.c) */
#include "config.h"

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "readfile.h"
#include "sbuf.h"
#include "spf_record.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct rcase {
	const char *rec;    /* the record; "\0" inside is a NUL byte */
	size_t len;	    /* 0: strlen(rec); else not verbatim in the YAML */
	const char *reason; /* NULL: parses; else a part of the reason */
	const char *suite;  /* test of rfc7208-tests.yml using it, or NULL */
};

/*
 * Every record of the RFC 7208 conformance suite whose syntax decides a
 * test, with the name of that test. A test expecting permerror because
 * of the record's syntax has a reason here; records that parse are
 * evaluated by spf_eval (the result there may still be permerror for
 * other reasons: DNS limits, include of "none", ...).
 */
static const struct rcase suite_cases[] = {
    /* Initial processing */
    {"v=spf1 a:\xEF\xBB\xBFgarbage.example.net -all", 0,
     "invalid byte \\xef at offset 9", "non-ascii-policy"},
    {"v=spf1 \x80"
     "a:example.net -all",
     0, "invalid byte \\x80", "non-ascii-mech"},
    {"v=spf1 a:example.net \x96"
     "all",
     0, "invalid byte \\x96", "non-ascii-result"},
    {"v=spf1 a:ctrl.example.com\x0dptr -all", 0, "invalid byte \\x0d",
     "control-char-policy"},
    {"v=spf1 a  -all", 0, NULL, "two-spaces"},
    {"v=spf1 a -all ", 0, NULL, "trailing-space"},
    /* two TXT strings glued: "v=spf1 ip4:" "192.0.2.5 -all" */
    {"v=spf1 ip4:192.0.2.5 -all", 25, NULL, "null-text"},
    {"v=spf1 ip4:192.0.2.5\x0a include:spf.protection.outlook.com ~all", 0,
     "invalid byte \\x0a", "badip4"},
    {"v=spf1 -all exp=exp.example.net", 0, NULL, "nolocalpart"},
    /* Selecting records */
    {"v=spf1", 0, NULL, "empty"},
    {"v=spf1 mx", 0, NULL, "nospace2"},
    {"V=sPf1 +all", 0, NULL, "multitxt2"},
    {"v=SpF1 ~all", 0, NULL, "case-insensitive"},
    /* Record evaluation */
    {"v=spf1 ip4:1.2.3.4 -all moo", 0, "unknown mechanism in 'moo'",
     "detect-errors-anywhere"},
    {"v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all", 0, NULL,
     "modifier-charset-good"},
    {"v=spf1 moo.cow/far_out=man:dog/cat ip4:1.2.3.4 -all", 0,
     "unknown mechanism", "modifier-charset-bad1"},
    {"v=spf1 moo.cow:far_out=man:dog/cat ip4:1.2.3.4 -all", 0,
     "unknown mechanism", "modifier-charset-bad2"},
    {"v=spf1 redirect=t5.example.com ~all", 0, NULL,
     "redirect-after-mechanisms1"},
    {"v=spf1 ip4:1.2.3.4 redirect=t2.example.com", 0, NULL,
     "redirect-after-mechanisms2"},
    {"v=spf1 ip4:1.2.3.4", 0, NULL, "default-result"},
    {"v=spf1 ip4:1.2.3.4 redirect:t2.example.com", 0,
     "unknown mechanism in 'redirect:t2.example.com'", "redirect-is-modifier"},
    {"v=spf1 a:foo-bar -all", 0, "top-level label", "invalid-domain"},
    /* valid domain-spec syntax, the evaluator decides (fail/permerror) */
    {"v=spf1 a:mail.example...com -all", 0, NULL, "invalid-domain-empty-label"},
    {"v=spf1 a:a123456789012345678901234567890123456789012345678901234567"
     "890123.example.com -all",
     0, NULL, "invalid-domain-long"},
    {"v=spf1 a:%{H}.bar -all", 0, NULL, "invalid-domain-long-via-macro"},
    /* ALL mechanism syntax */
    {"v=spf1 -all.", 0, "unknown mechanism", "all-dot"},
    {"v=spf1 -all:foobar", 0, "'all' takes no argument", "all-arg"},
    {"v=spf1 -all/8", 0, "'all' takes no argument", "all-cidr"},
    {"v=spf1 ?all", 0, NULL, "all-neutral"},
    {"v=spf1 all -all", 0, NULL, "all-double"},
    /* PTR mechanism syntax */
    {"v=spf1 ptr/0 -all", 0, "takes no CIDR", "ptr-cidr"},
    {"v=spf1 ptr:example.com -all", 0, NULL, "ptr-match-target"},
    {"v=spf1 ptr -all", 0, NULL, "ptr-match-implicit"},
    {"v=spf1 ptr:", 0, "empty domain-spec", "ptr-empty-domain"},
    {"v=spf1 ptr:example.Com -all", 0, NULL, "ptr-case-change"},
    {"v=spf1 ptr", 0, NULL, "ptr-cname-loop"},
    /* A mechanism syntax */
    {"v=spf1 a/0 -all", 0, NULL, "a-nxdomain"},
    {"v=spf1 a//0 -all", 0, NULL, "a-cidr6-0-ip4"},
    {"v=spf1 a -all", 0, NULL, "a-ip6-dualstack"},
    {"v=spf1 a:foo.example.com\0", 25, "invalid byte \\x00", "a-null"},
    {"v=spf1 a:111.222.33.44", 0, "IP address as domain-spec", "a-numeric"},
    {"v=spf1 a:abc.123", 0, "top-level label", "a-numeric-toplabel"},
    {"v=spf1 a:museum", 0, "top-level label", "a-only-toplabel"},
    {"v=spf1 a:museum.", 0, "top-level label", "a-only-toplabel-trailing-dot"},
    {"v=spf1 a//33 -all", 0, NULL, "a-cidr6"},
    {"v=spf1 a/33 -all", 0, "bad CIDR length in 'a/33'", "a-bad-cidr4"},
    {"v=spf1 a//129 -all", 0, "bad CIDR length in 'a//129'", "a-bad-cidr6"},
    {"v=spf1 a/24//64 -all", 0, NULL, "a-dual-cidr-ip4-match"},
    {"v=spf1 a/24/64 -all", 0, "bad CIDR length", "a-dual-cidr-ip4-err"},
    {"v=spf1 a/24 -all", 0, NULL, "a-dual-cidr-ip6-default"},
    {"v=spf1 a//64 -all", 0, NULL, "a-dual-cidr-ip4-default"},
    {"v=spf1 a:example.com:8080", 0, "top-level label", "a-bad-domain"},
    {"v=spf1 a:foo.example.com/24", 0, NULL, "a-multi-ip1"},
    {"v=spf1 a:foo:bar/baz.example.com", 0, NULL, "a-colon-domain"},
    {"v=spf1 a:example.-com", 0, "top-level label", "a-bad-toplabel"},
    {"v=spf1 a:", 0, "empty domain-spec", "a-empty-domain"},
    {"v=spf1 a:foo.example.xn--zckzah -all", 0, NULL, "a-dash-in-toplabel"},
    /* Include mechanism semantics and syntax */
    {"v=spf1 include:ip5.example.com ~all", 0, NULL, "include-fail"},
    {"v=spf1 include +all", 0, "needs a domain-spec", "include-syntax-error"},
    {"v=spf1 include: -all", 0, "empty domain-spec", "include-empty-domain"},
    {"v=spf1 include:ip5.example.com/24 -all", 0, "top-level label",
     "include-cidr"},
    /* MX mechanism syntax */
    {"v=spf1 mx/0 -all", 0, NULL, "mx-nxdomain"},
    {"v=spf1 mx//0 -all", 0, NULL, "mx-cidr6-0-ip6"},
    {"v=spf1 mx:foo.example.com\0", 26, "invalid byte \\x00", "mx-null"},
    {"v=spf1 mx:abc.123", 0, "top-level label", "mx-numeric-top-label"},
    {"v=spf1 mx//33 -all", 0, NULL, "mx-cidr6"},
    {"v=spf1 mx/33 -all", 0, "bad CIDR length", "mx-bad-cidr4"},
    {"v=spf1 mx//129 -all", 0, "bad CIDR length", "mx-bad-cidr6"},
    {"v=spf1 mx:example.com:8080", 0, "top-level label", "mx-bad-domain"},
    {"v=spf1 mx:foo.example.com/24", 0, NULL, "mx-multi-ip1"},
    {"v=spf1 mx:foo:bar/baz.example.com", 0, NULL, "mx-colon-domain"},
    {"v=spf1 mx:example.-com", 0, "top-level label", "mx-bad-toplab"},
    {"v=spf1 mx: -all", 0, "empty domain-spec", "mx-empty-domain"},
    {"v=spf1 mx", 0, NULL, "mx-implicit"},
    /* EXISTS mechanism syntax */
    {"v=spf1 exists:", 0, "empty domain-spec", "exists-empty-domain"},
    {"v=spf1 exists", 0, "needs a domain-spec", "exists-implicit"},
    {"v=spf1 exists:mail.example.com/24", 0, "top-level label", "exists-cidr"},
    {"v=spf1 exists:mail.example.com", 0, NULL, "exists-ip4"},
    {"v=spf1 exists:mail6.example.com -all", 0, NULL, "exists-ip6only"},
    /* IP4 mechanism syntax */
    {"v=spf1 ip4:1.1.1.1/0 -all", 0, NULL, "cidr4-0"},
    {"v=spf1 ip4:1.2.3.4/32 -all", 0, NULL, "cidr4-32"},
    {"v=spf1 ip4:1.2.3.4/33 -all", 0, "bad CIDR length", "cidr4-33"},
    {"v=spf1 ip4:1.2.3.4/032 -all", 0, "bad CIDR length", "cidr4-032"},
    {"v=spf1 ip4", 0, "needs an address", "bare-ip4"},
    {"v=spf1 ip4:1.2.3.4//32", 0, "bad CIDR length", "ip4-dual-cidr"},
    {"v=spf1 -ip4:1.2.3.4 ip6:::FFFF:1.2.3.4", 0, NULL, "ip4-mapped-ip6"},
    {"v=spf1 ip4:1.2.3.4:8080", 0, "bad IPv4 address", "bad-ip4-port"},
    {"v=spf1 ip4:1.2.3", 0, "bad IPv4 address", "bad-ip4-short"},
    /* IP6 mechanism syntax */
    {"v=spf1 -all ip6", 0, "needs an address", "bare-ip6"},
    {"v=spf1 ip6:::1.1.1.1/0", 0, NULL, "cidr6-0"},
    {"v=spf1 ip6:::1.1.1.1/129", 0, "bad CIDR length", "cidr6-129"},
    {"v=spf1 ip6:::1.1.1.1//33", 0, "bad CIDR length", "cidr6-bad"},
    {"v=spf1 ip6:Cafe:Babe:8000::/33", 0, NULL, "cidr6-33"},
    {"v=spf1 ip6::CAFE::BABE", 0, "bad IPv6 address", "ip6-bad1"},
    /* Semantics of exp and other modifiers */
    {"v=spf1 exp=exp1.example.com redirect=e2.example.com", 0, NULL,
     "redirect-cancels-exp"},
    {"v=spf1 -all exp=exp2.example.com", 0, NULL, "redirect-cancels-prior-exp"},
    {"v=spf1 1up=foo", 0, "unknown mechanism", "invalid-modifier"},
    {"v=spf1 =all", 0, "unknown mechanism", "empty-modifier-name"},
    {"v=spf1 include:e3.example.com -all exp=exp3.example.com", 0, NULL,
     "include-ignores-exp"},
    {"v=spf1 -all foo=%abc", 0, "not followed by", "unknown-modifier-syntax"},
    {"v=spf1 redirect=erehwon.example.com", 0, NULL, "redirect-none"},
    {"v=spf1 exp= -all", 0, "empty domain-spec", "exp-empty-domain"},
    {"v=spf1 exp=e13msg.example.com -all exp=e11msg.example.com", 0,
     "exp= twice", "exp-twice"},
    {"v=spf1 redirect=e12.example.com -all redirect=e12.example.com", 0,
     "redirect= twice", "redirect-twice"},
    {"v=spf1 exp=-all", 0, "top-level label", "exp-syntax-error"},
    {"v=spf1 redirect=-all ?all", 0, "top-level label",
     "redirect-syntax-error"},
    {"v=spf1 ?all redirect=", 0, "empty domain-spec", "redirect-empty-domain"},
    {"v=spf1 default=pass", 0, NULL, "default-modifier-obsolete"},
    {"v=spf1 default=+", 0, NULL, "default-modifier-obsolete2"},
    {"v=spf1 a:erehwon.example.com a:foobar.com exp=nxdomain.com -all", 0, NULL,
     "exp-void"},
    {"v=spf1 redirect=testimplicit.example.com", 0, NULL, "redirect-implicit"},
    /* Macro expansion rules */
    {"v=spf1 redirect=%{d}.d.spf.example.com.", 0, NULL, "trailing-dot-domain"},
    {"v=spf1 include:o.spf.example.com. ~all", 0, NULL, "trailing-dot-domain"},
    {"v=spf1 exp=msg.example.com. -all", 0, NULL, "trailing-dot-exp"},
    {"v=spf1 -all exp=%{r}.example.com", 0, "only allowed in exp= text",
     "exp-only-macro-char"},
    {"v=spf1 -exists:%(ir).sbl.example.com ?all", 0, "not followed by",
     "invalid-macro-char"},
    {"v=spf1 exists:foo%(ir).sbl.example.com ?all", 0, "not followed by",
     "invalid-embedded-macro-char"},
    {"v=spf1 exists:foo%.sbl.example.com ?all", 0, "not followed by",
     "invalid-trailing-macro-char"},
    {"v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all", 0, NULL,
     "macro-mania-in-domain"},
    {"v=spf1 -all exp=%{ir}.example.com", 0, NULL, "exp-txt-macro-char"},
    {"v=spf1 -all exp=foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}."
     "example.com",
     0, NULL, "domain-name-truncation"},
    {"v=spf1 a:%{a}.example.com -all", 0, "unknown macro letter",
     "undef-macro"},
    {"v=spf1 exists:%{p}.should.example.com ~exists:%{p}.ok.example.com", 0,
     NULL, "p-macro-multiple"},
    {"v=spf1 -all exp=msg8.%{D2}", 0, NULL, "upper-macro"},
    {"v=spf1 a:%{H} -all", 0, NULL, "hello-macro"},
    {"v=spf1 -include:_spfh.%{d2} ip4:1.2.3.0/24 -all", 0, NULL,
     "require-valid-helo"},
    {"v=spf1 -a:%{h} +all", 0, NULL, "require-valid-helo"},
    {"v=spf1 exists:%{i}.%{l2r-}.user.%{d2}", 0, NULL,
     "macro-reverse-split-on-dash"},
    {"v=spf1 exists:%{l2r+-}.user.%{d2}", 0, NULL, "macro-multiple-delimiters"},
    /* Processing limits, implementation bugs */
    {"v=spf1 a mx a mx a mx a mx a ptr ip4:1.2.3.4 -all", 0, NULL,
     "mech-at-limit"},
    {"v=spf1 ip4:1.1.1.1 redirect=e1.example.com", 0, NULL, "redirect-loop"},
    {"v=spf1 mx redirect=_spf.example.com", 0, NULL, "bytes-bug"},
    {"v=spf1 ptr:fe.example.org ptr:sgp.example.com "
     "exp=_expspf.example.org -all",
     0, NULL, "bytes-bug"},
    {"v=spf1 ip4:192.0.2.225 ?include:webmail.pair.com "
     "?include:relay.pair.com -all",
     0, NULL, "cname-aliasing"},
};

/* More cases from the RFC 7208 grammar (4.6.1, 5, 6, 7.1, 12). */
static const struct rcase grammar_cases[] = {
    /* names and letters are case-insensitive */
    {"v=spf1 A:Example.COM MX IP4:1.2.3.4 Include:x.example PTR "
     "Exists:%{I}.x.example IP6:::1 ALL",
     0, NULL, NULL},
    {"v=spf1 REDIRECT=x.example Exp=y.example", 0, NULL, NULL},
    {"v=spf1 Redirect=x.example redirect=y.example", 0, "redirect= twice",
     NULL},
    /* qualifiers belong to mechanisms only */
    {"v=spf1 +redirect=x.example", 0, "unknown mechanism", NULL},
    {"v=spf1 -exp=x.example", 0, "unknown mechanism", NULL},
    {"v=spf1 +", 0, "unknown mechanism", NULL},
    {"v=spf1 -", 0, "unknown mechanism", NULL},
    {"v=spf1 ++all", 0, "unknown mechanism", NULL},
    {"v=spf1 !all", 0, "unknown mechanism", NULL},
    {"v=spf1 al", 0, "unknown mechanism", NULL},
    {"v=spf1 alll", 0, "unknown mechanism", NULL},
    {"v=spf1 :x.example", 0, "unknown mechanism", NULL},
    {"v=spf1 /24", 0, "unknown mechanism", NULL},
    /* unknown modifiers: name charset, any macro-string value */
    {"v=spf1 x-y_z.w=1 a1=%{i}%{d2r-}%% b= c==", 0, NULL, NULL},
    {"v=spf1 a1=%{r}", 0, "only allowed in exp=", NULL},
    {"v=spf1 a1=%{c}", 0, "only allowed in exp=", NULL},
    {"v=spf1 v=spf1 -all", 0, NULL, NULL},
    {"v=spf1 _x=1", 0, "unknown mechanism", NULL},
    {"v=spf1 x=%{q}", 0, "unknown macro letter", NULL},
    {"v=spf1 x=%", 0, "lone '%'", NULL},
    /* domain-end (RFC 7208 7.1) */
    {"v=spf1 a:foo.bar", 0, NULL, NULL},
    {"v=spf1 a:foo.1.2", 0, "top-level label", NULL},
    {"v=spf1 a:foo.1-2", 0, NULL, NULL},
    {"v=spf1 a:foo.a1", 0, NULL, NULL},
    {"v=spf1 a:foo.1a", 0, NULL, NULL},
    {"v=spf1 a:foo.-1", 0, "top-level label", NULL},
    {"v=spf1 a:foo.1-", 0, "top-level label", NULL},
    {"v=spf1 a:foo.a_b", 0, "top-level label", NULL},
    {"v=spf1 a:foo.com.", 0, NULL, NULL},
    {"v=spf1 a:foo.com..", 0, "top-level label", NULL},
    {"v=spf1 a:%{d}", 0, NULL, NULL},
    {"v=spf1 a:x.%{d}", 0, NULL, NULL},
    {"v=spf1 a:%{d}.com", 0, NULL, NULL},
    {"v=spf1 a:%{d}com", 0, "top-level label", NULL},
    {"v=spf1 a:%{d}.", 0, "top-level label", NULL},
    {"v=spf1 a:%%.com", 0, NULL, NULL},
    /* "%%" "%_" "%-" are macro-expands too: a valid domain-end */
    {"v=spf1 a:foo.com%-", 0, NULL, NULL},
    {"v=spf1 a:foo.com%%", 0, NULL, NULL},
    {"v=spf1 a:%_", 0, NULL, NULL},
    {"v=spf1 a:%%x", 0, "top-level label", NULL},
    {"v=spf1 a:foo.c%_m", 0, "top-level label", NULL},
    {"v=spf1 a:foo.com}", 0, "top-level label", NULL},
    {"v=spf1 a:1.2.3.4/24", 0, "IP address as domain-spec", NULL},
    /* the domain-spec is checked in the domain mode: no c r t */
    {"v=spf1 exists:%{c}.x.example", 0, "only allowed in exp=", NULL},
    {"v=spf1 redirect=%{t}.x.example", 0, "only allowed in exp=", NULL},
    {"v=spf1 exp=%{t}.x.example", 0, "only allowed in exp=", NULL},
    /* CIDR lengths: no leading zeros, ranges, placement */
    {"v=spf1 a/032", 0, "bad CIDR length", NULL},
    {"v=spf1 a//0128", 0, "bad CIDR length", NULL},
    {"v=spf1 a/32//128 mx/0//0", 0, NULL, NULL},
    {"v=spf1 a/", 0, "bad CIDR length", NULL},
    {"v=spf1 a//", 0, "bad CIDR length", NULL},
    {"v=spf1 a/24//", 0, "bad CIDR length", NULL},
    {"v=spf1 a:x.example/24/", 0, "top-level label", NULL},
    {"v=spf1 a:x.example///64", 0, "top-level label", NULL},
    {"v=spf1 a/99999999999", 0, "bad CIDR length", NULL},
    {"v=spf1 a/-1", 0, "bad CIDR length", NULL},
    {"v=spf1 ip4:1.2.3.4/", 0, "bad CIDR length", NULL},
    {"v=spf1 ip4:1.2.3.4/0x1", 0, "bad CIDR length", NULL},
    {"v=spf1 ip6:::1/", 0, "bad CIDR length", NULL},
    {"v=spf1 ip6:::1/0128", 0, "bad CIDR length", NULL},
    {"v=spf1 ip6:::1/128", 0, NULL, NULL},
    {"v=spf1 exists:x.example//64", 0, "top-level label", NULL},
    /* ip4-network: four qnums without leading zeros */
    {"v=spf1 ip4:", 0, "bad IPv4 address", NULL},
    {"v=spf1 ip4:01.2.3.4", 0, "bad IPv4 address", NULL},
    {"v=spf1 ip4:1.2.3.256", 0, "bad IPv4 address", NULL},
    {"v=spf1 ip4:1.2.3.4.5", 0, "bad IPv4 address", NULL},
    {"v=spf1 ip4:1.2.3.", 0, "bad IPv4 address", NULL},
    {"v=spf1 ip4:1.2..3", 0, "bad IPv4 address", NULL},
    {"v=spf1 ip4:1.2.3.0004", 0, "bad IPv4 address", NULL},
    {"v=spf1 ip4:1.2.3.x", 0, "bad IPv4 address", NULL},
    {"v=spf1 ip4:0.0.0.0/0 ip4:255.255.255.255", 0, NULL, NULL},
    {"v=spf1 ip4/24", 0, "needs an address", NULL},
    /* ip6-network: inet_pton */
    {"v=spf1 ip6:", 0, "bad IPv6 address", NULL},
    {"v=spf1 ip6:1.2.3.4", 0, "bad IPv6 address", NULL},
    {"v=spf1 ip6:fe80::1%eth0", 0, "bad IPv6 address", NULL},
    {"v=spf1 ip6:1:2:3:4:5:6:7:8:9", 0, "bad IPv6 address", NULL},
    {"v=spf1 ip6:0000:0000:0000:0000:0000:ffff:255.255.255.255/128", 0, NULL,
     NULL},
    {"v=spf1 ip6:0000:0000:0000:0000:0000:ffff:255.255.255.255:1", 0,
     "bad IPv6 address", NULL},
    /* only SP separates terms */
    {"v=spf1\ta", 0, "not an SPF record", NULL},
    {"v=spf1 a\t-all", 0, "invalid byte \\x09", NULL},
    {"v=spf1 a\x7f", 0, "invalid byte \\x7f", NULL},
    {"v=spf1     ", 0, NULL, NULL},
    /* not SPF at all */
    {"v=spf10", 0, "not an SPF record", NULL},
    {"v=spf", 0, "not an SPF record", NULL},
    {"", 0, "not an SPF record", NULL},
    {" v=spf1", 0, "not an SPF record", NULL},
    {"spf1 -all", 0, "not an SPF record", NULL},
};

/* rec_len - the byte length of a case */
static size_t rec_len(const struct rcase *c)
{
	return c->len != 0 ? c->len : strlen(c->rec);
}

/* check_cases - each record parses, or fails with its reason */
static void check_cases(const struct rcase *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct sbuf *err = sbuf_new(0);
		struct spf_record *rec = (struct spf_record *)&rec;
		int r = spf_record_parse((const unsigned char *)c[i].rec,
					 rec_len(&c[i]), &rec, err);

		if (c[i].reason == NULL) {
			cr_expect_eq(r, 0, "[%s] %s: %s",
				     c[i].suite ? c[i].suite : "-", c[i].rec,
				     sbuf_cstr(err));
			cr_expect_not_null(rec, "%s", c[i].rec);
		} else {
			cr_expect_eq(r, -1, "[%s] %s parsed",
				     c[i].suite ? c[i].suite : "-", c[i].rec);
			cr_expect_null(rec, "%s", c[i].rec);
			cr_expect(strstr(sbuf_cstr(err), c[i].reason) != NULL,
				  "[%s] %s: got \"%s\", want \"%s\"",
				  c[i].suite ? c[i].suite : "-", c[i].rec,
				  sbuf_cstr(err), c[i].reason);
		}
		spf_record_free(&rec);
		cr_expect_null(rec);
		sbuf_free(&err);
	}
}

Test(suite, records) { check_cases(suite_cases, N(suite_cases)); }

Test(grammar, records) { check_cases(grammar_cases, N(grammar_cases)); }

/* testdata_dir - the shared test vectors, or NULL */
static const char *testdata_dir(void)
{
	const char *d = getenv("PW_TESTDATA_DIR");
	struct stat st;

	if (d == NULL || *d == '\0' || stat(d, &st) < 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return d;
}

/* is_plain - printable ASCII only: written verbatim in the YAML file */
static bool is_plain(const struct rcase *c)
{
	size_t i, n = rec_len(c);

	if (c->len != 0)
		return false;
	for (i = 0; i < n; i++)
		if (c->rec[i] < 0x20 || c->rec[i] > 0x7e)
			return false;
	return true;
}

/*
 * The table above is the suite's: every test name exists in
 * rfc7208-tests.yml and every plain record is written there as is.
 */
Test(suite, table_matches_yaml)
{
	const char *dir = testdata_dir();
	struct sbuf *path = sbuf_new(0), *yml = sbuf_new_max(0, 1 << 20);
	struct sbuf *key = sbuf_new(0), *err = sbuf_new(0);
	size_t i, checked = 0;

	if (dir == NULL)
		cr_skip_test("no shared test vectors (PW_TESTDATA_DIR unset or "
			     "missing): skipped");
	sbuf_printf(path, "%s/spf/rfc7208-tests.yml", dir);
	cr_assert_eq(readfile(sbuf_cstr(path), yml, NULL, err), 0, "%s: %s",
		     sbuf_cstr(path), sbuf_cstr(err));
	for (i = 0; i < N(suite_cases); i++) {
		const struct rcase *c = &suite_cases[i];

		sbuf_reset(key);
		sbuf_printf(key, "\n  %s:\n", c->suite);
		cr_expect(strstr(sbuf_cstr(yml), sbuf_cstr(key)) != NULL,
			  "test %s not in the suite", c->suite);
		if (!is_plain(c))
			continue;
		sbuf_reset(key);
		/* plain or double-quoted YAML scalar after "SPF: "/"TXT: " */
		sbuf_printf(key, " %s\n", c->rec);
		if (strstr(sbuf_cstr(yml), sbuf_cstr(key)) == NULL) {
			sbuf_reset(key);
			sbuf_printf(key, " \"%s\"\n", c->rec);
		}
		cr_expect(strstr(sbuf_cstr(yml), sbuf_cstr(key)) != NULL,
			  "record not in the suite: %s", c->rec);
		checked++;
	}
	cr_expect_geq(checked, 120, "only %zu records compared", checked);
	sbuf_free(&path);
	sbuf_free(&yml);
	sbuf_free(&key);
	sbuf_free(&err);
}

Test(is_spf, selection)
{
	static const struct {
		const char *txt;
		bool want;
	} c[] = {
	    {"v=spf1", true},
	    {"v=spf1 ", true},
	    {"v=spf1 -all", true},
	    {"V=SPF1 a", true},
	    {"v=SpF1 ~all", true},
	    {"v=spf1a", false},
	    {"v=spf10", false},
	    {"v=spf1\t-all", false},
	    {"v=spf1-all", false},
	    {"v=spf", false},
	    {"v=spf3 !a:yahoo.com -all", false},
	    {"v=spfl am not an SPF record", false},
	    {" v=spf1", false},
	    {"", false},
	};
	size_t i;

	for (i = 0; i < N(c); i++)
		cr_expect_eq(spf_record_is_spf((const unsigned char *)c[i].txt,
					       strlen(c[i].txt)),
			     c[i].want, "%s", c[i].txt);
	/* TXT strings are glued (RFC 7208 3.3): the length decides */
	cr_expect(spf_record_is_spf((const unsigned char *)"v=spf1mx", 6));
	cr_expect(!spf_record_is_spf((const unsigned char *)"v=spf1mx", 8));
	cr_expect(!spf_record_is_spf(NULL, 0));
}

/* parse - a record that must parse */
static struct spf_record *parse(const char *txt)
{
	struct sbuf *err = sbuf_new(0);
	struct spf_record *rec = NULL;

	cr_assert_eq(spf_record_parse((const unsigned char *)txt, strlen(txt),
				      &rec, err),
		     0, "%s: %s", txt, sbuf_cstr(err));
	sbuf_free(&err);
	return rec;
}

Test(terms, fields)
{
	struct spf_record *rec =
	    parse("v=spf1 +a -mx:mx.example/24 ~ptr ?ip4:192.0.2.0/24 "
		  "ip6:2001:DB8::/32 include:_spf.%{d2} "
		  "exists:%{ir}.%{v}.x.example all "
		  "a:foo:bar/baz.example.com//64 mx/16//48 ip4:1.2.3.4 "
		  "ip6:::1 unknown=%{h1r} exp=why.%{d}");
	static const unsigned char v6net[16] = {0x20, 0x01, 0x0d, 0xb8};
	static const unsigned char v6one[16] = {[15] = 1};
	const struct spf_term *t;

	cr_assert_eq(rec->n, 12);
	t = rec->terms;
	cr_expect_eq(t[0].mech, SPF_M_A);
	cr_expect_eq(t[0].qual, SPF_Q_PASS);
	cr_expect_null(t[0].domain_spec);
	cr_expect_eq(t[0].cidr4, -1);
	cr_expect_eq(t[0].cidr6, -1);
	cr_expect_str_eq(t[0].text, "+a");
	cr_expect_eq(t[1].mech, SPF_M_MX);
	cr_expect_eq(t[1].qual, SPF_Q_FAIL);
	cr_expect_str_eq(t[1].domain_spec, "mx.example");
	cr_expect_eq(t[1].cidr4, 24);
	cr_expect_eq(t[1].cidr6, -1);
	cr_expect_str_eq(t[1].text, "-mx:mx.example/24");
	cr_expect_eq(t[2].mech, SPF_M_PTR);
	cr_expect_eq(t[2].qual, SPF_Q_SOFTFAIL);
	cr_expect_null(t[2].domain_spec);
	cr_expect_eq(t[3].mech, SPF_M_IP4);
	cr_expect_eq(t[3].qual, SPF_Q_NEUTRAL);
	cr_expect_eq(memcmp(t[3].addr, "\xc0\x00\x02\x00", 4), 0);
	cr_expect_eq(t[3].cidr4, 24);
	cr_expect_eq(t[4].mech, SPF_M_IP6);
	cr_expect_eq(memcmp(t[4].addr, v6net, 16), 0);
	cr_expect_eq(t[4].cidr6, 32);
	cr_expect_eq(t[4].cidr4, -1);
	cr_expect_str_eq(t[4].text, "ip6:2001:DB8::/32");
	cr_expect_eq(t[5].mech, SPF_M_INCLUDE);
	cr_expect_str_eq(t[5].domain_spec, "_spf.%{d2}");
	cr_expect_eq(t[6].mech, SPF_M_EXISTS);
	cr_expect_str_eq(t[6].domain_spec, "%{ir}.%{v}.x.example");
	cr_expect_eq(t[7].mech, SPF_M_ALL);
	cr_expect_eq(t[7].qual, SPF_Q_PASS);
	cr_expect_eq(t[8].mech, SPF_M_A);
	cr_expect_str_eq(t[8].domain_spec, "foo:bar/baz.example.com");
	cr_expect_eq(t[8].cidr4, -1);
	cr_expect_eq(t[8].cidr6, 64);
	cr_expect_eq(t[9].mech, SPF_M_MX);
	cr_expect_null(t[9].domain_spec);
	cr_expect_eq(t[9].cidr4, 16);
	cr_expect_eq(t[9].cidr6, 48);
	cr_expect_eq(t[10].mech, SPF_M_IP4);
	cr_expect_eq(memcmp(t[10].addr, "\x01\x02\x03\x04", 4), 0);
	cr_expect_eq(t[10].cidr4, -1);
	cr_expect_eq(t[11].mech, SPF_M_IP6);
	cr_expect_eq(memcmp(t[11].addr, v6one, 16), 0);
	cr_expect_eq(t[11].cidr6, -1);
	/* unknown= is dropped, exp= kept as written */
	cr_expect_null(rec->redirect);
	cr_expect_str_eq(rec->exp, "why.%{d}");
	spf_record_free(&rec);
	cr_expect_null(rec);
	spf_record_free(&rec); /* NULL-safe */
}

Test(terms, cidr_extremes)
{
	struct spf_record *rec =
	    parse("v=spf1 a/0//0 a/32//128 ip4:0.0.0.0/0 ip6:::/0 "
		  "ip6:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");

	cr_assert_eq(rec->n, 5);
	cr_expect_eq(rec->terms[0].cidr4, 0);
	cr_expect_eq(rec->terms[0].cidr6, 0);
	cr_expect_eq(rec->terms[1].cidr4, 32);
	cr_expect_eq(rec->terms[1].cidr6, 128);
	cr_expect_eq(rec->terms[2].cidr4, 0);
	cr_expect_eq(rec->terms[3].cidr6, 0);
	cr_expect_eq(rec->terms[4].cidr6, 128);
	cr_expect_eq(rec->terms[4].addr[0], 0xff);
	spf_record_free(&rec);
}

Test(terms, modifiers_and_empty)
{
	struct spf_record *rec = parse("v=spf1");

	cr_expect_eq(rec->n, 0);
	cr_expect_null(rec->redirect);
	cr_expect_null(rec->exp);
	spf_record_free(&rec);
	rec = parse("V=SPF1  REDIRECT=_spf.example.com  ");
	cr_expect_eq(rec->n, 0);
	cr_expect_str_eq(rec->redirect, "_spf.example.com");
	spf_record_free(&rec);
	/* redirect before mechanisms is allowed; the order is kept */
	rec = parse("v=spf1 redirect=r.example a exp=e.example -all");
	cr_expect_eq(rec->n, 2);
	cr_expect_str_eq(rec->redirect, "r.example");
	cr_expect_str_eq(rec->exp, "e.example");
	cr_expect_str_eq(rec->terms[1].text, "-all");
	spf_record_free(&rec);
}

Test(limits, record_length)
{
	struct sbuf *b = sbuf_new(0), *err = sbuf_new(0);
	struct spf_record *rec = NULL;

	sbuf_append_str(b, "v=spf1 a:");
	while (sbuf_len(b) < SPF_RECORD_MAX - 12)
		sbuf_append_str(b, "x.");
	sbuf_append_str(b, "example");
	while (sbuf_len(b) < SPF_RECORD_MAX)
		sbuf_append_str(b, " ");
	cr_assert_eq(sbuf_len(b), SPF_RECORD_MAX);
	cr_expect_eq(spf_record_parse(sbuf_data(b), sbuf_len(b), &rec, err), 0,
		     "%s", sbuf_cstr(err));
	spf_record_free(&rec);
	sbuf_putc(b, ' ');
	cr_expect_eq(spf_record_parse(sbuf_data(b), sbuf_len(b), &rec, err),
		     -1);
	cr_expect_null(rec);
	cr_expect(strstr(sbuf_cstr(err), "longer than 4096") != NULL, "%s",
		  sbuf_cstr(err));
	sbuf_free(&b);
	sbuf_free(&err);
}

Test(limits, term_count)
{
	struct sbuf *b = sbuf_new(0), *err = sbuf_new(0);
	struct spf_record *rec = NULL;
	int i;

	sbuf_append_str(b, "v=spf1");
	for (i = 0; i < SPF_RECORD_MAX_TERMS - 1; i++)
		sbuf_append_str(b, " a");
	sbuf_append_str(b, " x=1");
	cr_expect_eq(spf_record_parse(sbuf_data(b), sbuf_len(b), &rec, err), 0,
		     "%s", sbuf_cstr(err));
	cr_assert_not_null(rec);
	cr_expect_eq(rec->n, SPF_RECORD_MAX_TERMS - 1);
	spf_record_free(&rec);
	sbuf_append_str(b, " a");
	cr_expect_eq(spf_record_parse(sbuf_data(b), sbuf_len(b), &rec, err),
		     -1);
	cr_expect(strstr(sbuf_cstr(err), "more than 256 terms") != NULL, "%s",
		  sbuf_cstr(err));
	sbuf_free(&b);
	sbuf_free(&err);
}

Test(errors, reason_quotes_peer_text)
{
	struct sbuf *b = sbuf_new(0), *err = sbuf_new(0);
	struct spf_record *rec = NULL;
	int i;

	sbuf_append_str(b, "v=spf1 -all ");
	for (i = 0; i < 300; i++)
		sbuf_putc(b, 'z');
	cr_expect_eq(spf_record_parse(sbuf_data(b), sbuf_len(b), &rec, err),
		     -1);
	/* "unknown mechanism in '" + 64 bytes + "...'" */
	cr_expect(strncmp(sbuf_cstr(err), "unknown mechanism in 'zzz", 25) == 0,
		  "%s", sbuf_cstr(err));
	cr_expect(strstr(sbuf_cstr(err), "z...'") != NULL, "%s",
		  sbuf_cstr(err));
	cr_expect_lt(sbuf_len(err), 100, "%s", sbuf_cstr(err));
	/* quotes in peer text are escaped */
	sbuf_set(b, "v=spf1 a:\"quoted\"");
	cr_expect_eq(spf_record_parse(sbuf_data(b), sbuf_len(b), &rec, err),
		     -1);
	cr_expect(strstr(sbuf_cstr(err), "'a:\\\"quoted\\\"'") != NULL, "%s",
		  sbuf_cstr(err));
	/* a macro reason carries the macro's own reason */
	sbuf_set(b, "v=spf1 include:%{x}.example");
	cr_expect_eq(spf_record_parse(sbuf_data(b), sbuf_len(b), &rec, err),
		     -1);
	cr_expect_str_eq(sbuf_cstr(err),
			 "bad macro-string in 'include:%{x}.example': "
			 "unknown macro letter in '%{x}'");
	/* err may be NULL */
	cr_expect_eq(spf_record_parse(sbuf_data(b), sbuf_len(b), &rec, NULL),
		     -1);
	sbuf_free(&b);
	sbuf_free(&err);
}
