/* spf_eval_test.c - RFC 7208 check_host() (spf/spf_eval.c) over a zone */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dns.h"
#include "dns_zone.h"
#include "spf.h"

/* txt - one TXT record of one string */
static void txt(struct dns_zone *z, const char *name, const char *text)
{
	cr_assert_eq(dns_zone_add(z, name, DNS_T_TXT, text, strlen(text), 0, 1),
		     0);
}

/* addr - one A or AAAA record from text */
static void addr(struct dns_zone *z, const char *name, const char *ip)
{
	unsigned char b[16];

	if (inet_pton(AF_INET, ip, b) == 1)
		dns_zone_add(z, name, DNS_T_A, b, 4, 0, 0);
	else if (inet_pton(AF_INET6, ip, b) == 1)
		dns_zone_add(z, name, DNS_T_AAAA, b, 16, 0, 0);
	else
		cr_assert_fail("bad test address %s", ip);
}

/* mx - one MX record */
static void mx(struct dns_zone *z, const char *name, unsigned int pref,
	       const char *host)
{
	dns_zone_add(z, name, DNS_T_MX, host, strlen(host), (uint16_t)pref, 0);
}

/* ptr - one PTR record */
static void ptr(struct dns_zone *z, const char *name, const char *target)
{
	dns_zone_add(z, name, DNS_T_PTR, target, strlen(target), 0, 0);
}

/* request - a MAIL FROM check of sender from ip */
static struct spf_request request(const char *ip, const char *sender)
{
	struct spf_request req;

	memset(&req, 0, sizeof(req));
	req.ip = ip;
	req.sender = sender;
	req.helo = "helo.example.org";
	req.identity = SPF_ID_MAILFROM;
	req.receiver = "mx.example.net";
	req.now = 1700000000;
	return req;
}

/* answer_all - answer every missing query from the zone */
static size_t answer_all(struct spf_check *c, const struct dns_zone *z)
{
	size_t n = spf_check_query_count(c);

	cr_assert_gt(n, 0, "NEED_DNS with no query");
	for (size_t i = 0; i < n; i++) {
		enum dns_type type;
		const char *name = spf_check_query(c, i, &type);
		struct dns_answer *a;

		cr_assert_not_null(name);
		a = dns_zone_lookup(z, name, type);
		spf_check_answer(c, name, type, a);
		dns_answer_free(&a);
	}
	return n;
}

/* eval - run a check to the end over z */
static struct spf_check *eval(const struct dns_zone *z,
			      const struct spf_request *req)
{
	struct spf_check *c = spf_check_new(req);
	int passes = 0;

	while (spf_check_run(c) == SPF_STEP_NEED_DNS) {
		answer_all(c, z);
		cr_assert_lt(++passes, 500, "the check does not end");
	}
	cr_assert_eq(spf_check_query_count(c), 0);
	return c;
}

/* result - the result of checking sender from ip over z */
static enum spf_result result(const struct dns_zone *z, const char *ip,
			      const char *sender)
{
	struct spf_request req = request(ip, sender);
	struct spf_check *c = eval(z, &req);
	enum spf_result r = spf_check_result(c);

	spf_check_free(&c);
	return r;
}

/* is_printable - printable ASCII only */
static bool is_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

Test(spf_eval, pass_fail_mechanism_and_default_explanation)
{
	struct dns_zone *z = dns_zone_new();
	struct spf_request req = request("192.0.2.5", "user@example.com");
	struct spf_check *c;

	txt(z, "example.com", "v=spf1 ip4:192.0.2.0/24 -all");
	c = eval(z, &req);
	cr_assert_eq(spf_check_result(c), SPF_PASS);
	cr_assert_str_eq(spf_check_mechanism(c), "ip4:192.0.2.0/24");
	cr_assert_null(spf_check_explanation(c));
	cr_assert_str_eq(spf_check_problem(c), "");
	cr_assert_str_eq(spf_check_domain(c), "example.com");
	cr_assert_str_eq(spf_check_sender(c), "user@example.com");
	cr_assert_eq(spf_check_queries_made(c), 1);
	spf_check_free(&c);
	cr_assert_null(c);

	req.ip = "198.51.100.1";
	c = eval(z, &req);
	cr_assert_eq(spf_check_result(c), SPF_FAIL);
	cr_assert_str_eq(spf_check_mechanism(c), "-all");
	cr_assert_str_eq(spf_check_explanation(c),
			 "See https://example.com/why.html"
			 "?s=user%40example.com&i=198.51.100.1");
	spf_check_free(&c);
	dns_zone_free(&z);
}

Test(spf_eval, no_record_is_none)
{
	struct dns_zone *z = dns_zone_new();
	struct spf_request req = request("192.0.2.5", "user@example.com");
	struct spf_check *c;

	txt(z, "example.com", "v=spf10 -all");
	txt(z, "example.com", "some other text");
	c = eval(z, &req);
	cr_assert_eq(spf_check_result(c), SPF_NONE);
	cr_assert_str_eq(spf_check_problem(c), "no SPF record");
	cr_assert_str_eq(spf_check_mechanism(c), "");
	spf_check_free(&c);
	/* no such name at all */
	cr_assert_eq(result(z, "192.0.2.5", "user@nowhere.example"), SPF_NONE);
	dns_zone_free(&z);
}

Test(spf_eval, two_records_are_permerror)
{
	struct dns_zone *z = dns_zone_new();

	txt(z, "example.com", "v=spf1 +all");
	txt(z, "example.com", "V=SPF1 -all");
	cr_assert_eq(result(z, "192.0.2.5", "u@example.com"), SPF_PERMERROR);
	dns_zone_free(&z);
}

Test(spf_eval, bad_ip_is_permerror_without_dns)
{
	static const char *bad[] = {"", "1.2.3", "1.2.3.4.5", "::g", "x"};
	struct spf_request req;
	struct spf_check *c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req = request(bad[i], "user@example.com");
		c = spf_check_new(&req);
		cr_assert_eq(spf_check_run(c), SPF_STEP_DONE, "%s", bad[i]);
		cr_assert_eq(spf_check_result(c), SPF_PERMERROR);
		cr_assert_eq(spf_check_query_count(c), 0);
		cr_assert_eq(spf_check_queries_made(c), 0);
		cr_assert_str_neq(spf_check_problem(c), "");
		spf_check_free(&c);
	}
}

Test(spf_eval, malformed_domain_is_none_without_dns)
{
	static const char *bad[] = {
	    "u@nodot",
	    "u@a..b.example",
	    "u@.example.com",
	    "u@[192.0.2.1]",
	    "u@192.0.2.1",
	    /* a label of 64 bytes */
	    ("u@a123456789012345678901234567890123456789012345678901234567890"
	     "123.example"),
	    "",
	};
	struct spf_request req;
	struct spf_check *c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req = request("192.0.2.1", bad[i]);
		req.helo = "";
		c = spf_check_new(&req);
		cr_assert_eq(spf_check_run(c), SPF_STEP_DONE, "%s", bad[i]);
		cr_assert_eq(spf_check_result(c), SPF_NONE, "%s", bad[i]);
		cr_assert_eq(spf_check_queries_made(c), 0);
		cr_assert(is_printable(spf_check_problem(c)));
		spf_check_free(&c);
	}
}

Test(spf_eval, helo_identity_and_postmaster)
{
	struct dns_zone *z = dns_zone_new();
	struct spf_request req = request("192.0.2.5", "user@other.example");
	struct spf_check *c;

	txt(z, "helo.example.org", "v=spf1 -all exp=e.example.org");
	txt(z, "e.example.org", "%{s} %{l} %{o} %{d} %{h}");
	req.identity = SPF_ID_HELO;
	c = eval(z, &req);
	cr_assert_eq(spf_check_result(c), SPF_FAIL);
	cr_assert_str_eq(spf_check_domain(c), "helo.example.org");
	cr_assert_str_eq(spf_check_sender(c), "postmaster@helo.example.org");
	cr_assert_str_eq(spf_check_explanation(c),
			 "postmaster@helo.example.org postmaster "
			 "helo.example.org helo.example.org helo.example.org");
	spf_check_free(&c);

	/* null sender: the HELO identity */
	req = request("192.0.2.5", "");
	c = eval(z, &req);
	cr_assert_str_eq(spf_check_sender(c), "postmaster@helo.example.org");
	cr_assert_eq(spf_check_result(c), SPF_FAIL);
	spf_check_free(&c);

	/* empty local part: postmaster (RFC 7208 4.3) */
	txt(z, "example.com", "v=spf1 -all exp=e.example.org");
	req = request("192.0.2.5", "@example.com");
	c = eval(z, &req);
	cr_assert_str_eq(spf_check_sender(c), "postmaster@example.com");
	cr_assert_str_eq(spf_check_explanation(c),
			 "postmaster@example.com postmaster example.com "
			 "example.com helo.example.org");
	spf_check_free(&c);
	dns_zone_free(&z);
}

Test(spf_eval, ipv4_mapped_client_is_ipv4)
{
	struct dns_zone *z = dns_zone_new();

	txt(z, "v4.example", "v=spf1 ip4:192.0.2.5 -all");
	txt(z, "v6.example", "v=spf1 ip6:::ffff:192.0.2.5 ip6:::/0 -all");
	txt(z, "a.example", "v=spf1 a -all");
	addr(z, "a.example", "192.0.2.5");
	addr(z, "a.example", "::ffff:192.0.2.5");
	cr_assert_eq(result(z, "::ffff:192.0.2.5", "u@v4.example"), SPF_PASS);
	cr_assert_eq(result(z, "::FFFF:192.0.2.5", "u@v6.example"), SPF_FAIL);
	cr_assert_eq(result(z, "::ffff:192.0.2.5", "u@a.example"), SPF_PASS);
	cr_assert_eq(result(z, "2001:db8::1", "u@v6.example"), SPF_PASS);
	dns_zone_free(&z);
}

Test(spf_eval, dual_cidr_for_a_and_mx)
{
	struct dns_zone *z = dns_zone_new();

	txt(z, "a.example", "v=spf1 a/24//64 -all");
	txt(z, "m.example", "v=spf1 mx/24//64 -all");
	addr(z, "a.example", "192.0.2.1");
	addr(z, "a.example", "2001:db8:1:2::1");
	mx(z, "m.example", 10, "a.example");
	cr_assert_eq(result(z, "192.0.2.200", "u@a.example"), SPF_PASS);
	cr_assert_eq(result(z, "192.0.3.1", "u@a.example"), SPF_FAIL);
	cr_assert_eq(result(z, "2001:db8:1:2:ffff::1", "u@a.example"),
		     SPF_PASS);
	cr_assert_eq(result(z, "2001:db8:1:3::1", "u@a.example"), SPF_FAIL);
	cr_assert_eq(result(z, "192.0.2.200", "u@m.example"), SPF_PASS);
	cr_assert_eq(result(z, "2001:db8:1:3::1", "u@m.example"), SPF_FAIL);
	dns_zone_free(&z);
}

/* include_chain - d0 includes d1 ... includes d<n>, which passes */
static void include_chain(struct dns_zone *z, int n)
{
	char name[64], rec[128];

	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "d%d.example", i);
		snprintf(rec, sizeof(rec), "v=spf1 include:d%d.example -all",
			 i + 1);
		txt(z, name, rec);
	}
	snprintf(name, sizeof(name), "d%d.example", n);
	txt(z, name, "v=spf1 +all");
}

Test(spf_eval, ten_includes_pass_eleven_are_permerror)
{
	struct dns_zone *z = dns_zone_new();
	struct spf_request req = request("192.0.2.5", "u@d0.example");
	struct spf_check *c;

	include_chain(z, 10);
	cr_assert_eq(result(z, "192.0.2.5", "u@d0.example"), SPF_PASS);
	dns_zone_free(&z);

	z = dns_zone_new();
	include_chain(z, 11);
	c = eval(z, &req);
	cr_assert_eq(spf_check_result(c), SPF_PERMERROR);
	cr_assert_str_eq(spf_check_problem(c),
			 "more than 10 DNS-querying terms");
	spf_check_free(&c);
	dns_zone_free(&z);
}

Test(spf_eval, term_limit_is_configurable)
{
	struct dns_zone *z = dns_zone_new();
	struct spf_limits lim = SPF_LIMITS_DEFAULT;
	struct spf_request req = request("192.0.2.5", "u@d0.example");
	struct spf_check *c;

	include_chain(z, 3);
	lim.dns_terms = 2;
	req.limits = &lim;
	c = eval(z, &req);
	cr_assert_eq(spf_check_result(c), SPF_PERMERROR);
	spf_check_free(&c);
	lim.dns_terms = 3;
	c = eval(z, &req);
	cr_assert_eq(spf_check_result(c), SPF_PASS);
	spf_check_free(&c);
	dns_zone_free(&z);
}

Test(spf_eval, include_result_table)
{
	struct dns_zone *z = dns_zone_new();

	txt(z, "p.example", "v=spf1 +all");
	txt(z, "f.example", "v=spf1 -all");
	txt(z, "s.example", "v=spf1 ~all");
	txt(z, "n.example", "v=spf1 ?all");
	txt(z, "e.example", "v=spf1 bogus:x");
	dns_zone_add_timeout(z, "t.example");
	dns_zone_add_name(z, "none.example");
	txt(z, "ip.example", "v=spf1 include:p.example -all");
	txt(z, "if.example", "v=spf1 include:f.example ~all");
	txt(z, "is.example", "v=spf1 include:s.example ~all");
	txt(z, "in.example", "v=spf1 include:n.example ~all");
	txt(z, "ie.example", "v=spf1 include:e.example +all");
	txt(z, "it.example", "v=spf1 include:t.example +all");
	txt(z, "ix.example", "v=spf1 include:none.example +all");
	txt(z, "iy.example", "v=spf1 include:nxdomain.example +all");
	cr_assert_eq(result(z, "192.0.2.1", "u@ip.example"), SPF_PASS);
	cr_assert_eq(result(z, "192.0.2.1", "u@if.example"), SPF_SOFTFAIL);
	cr_assert_eq(result(z, "192.0.2.1", "u@is.example"), SPF_SOFTFAIL);
	cr_assert_eq(result(z, "192.0.2.1", "u@in.example"), SPF_SOFTFAIL);
	cr_assert_eq(result(z, "192.0.2.1", "u@ie.example"), SPF_PERMERROR);
	cr_assert_eq(result(z, "192.0.2.1", "u@it.example"), SPF_TEMPERROR);
	cr_assert_eq(result(z, "192.0.2.1", "u@ix.example"), SPF_PERMERROR);
	cr_assert_eq(result(z, "192.0.2.1", "u@iy.example"), SPF_PERMERROR);
	dns_zone_free(&z);
}

Test(spf_eval, redirect_only_without_match_and_none_is_permerror)
{
	struct dns_zone *z = dns_zone_new();
	struct spf_request req = request("192.0.2.1", "u@r.example");
	struct spf_check *c;

	txt(z, "r.example",
	    "v=spf1 ip4:192.0.2.9 redirect=t.example "
	    "exp=x.example");
	txt(z, "t.example", "v=spf1 -all");
	txt(z, "x.example", "not used");
	txt(z, "m.example", "v=spf1 ip4:192.0.2.1 redirect=none.example");
	txt(z, "n.example", "v=spf1 redirect=none.example");
	c = eval(z, &req);
	cr_assert_eq(spf_check_result(c), SPF_FAIL);
	/* RFC 7208 6.2: the exp= of the redirecting record is not used */
	cr_assert_str_eq(spf_check_explanation(c),
			 "See https://t.example/why.html"
			 "?s=u%40r.example&i=192.0.2.1");
	spf_check_free(&c);
	cr_assert_eq(result(z, "192.0.2.9", "u@r.example"), SPF_PASS);
	cr_assert_eq(result(z, "192.0.2.1", "u@m.example"), SPF_PASS);
	cr_assert_eq(result(z, "192.0.2.1", "u@n.example"), SPF_PERMERROR);
	dns_zone_free(&z);
}

Test(spf_eval, void_lookups)
{
	struct dns_zone *z = dns_zone_new();
	struct spf_limits lim = SPF_LIMITS_DEFAULT;
	struct spf_request req = request("192.0.2.1", "u@three.example");
	struct spf_check *c;

	dns_zone_add_name(z, "nodata.example");
	txt(z, "two.example", "v=spf1 a:nx1.example mx:nodata.example ?all");
	txt(z, "three.example",
	    "v=spf1 a:nx1.example exists:nx2.example ptr:x.example ?all");
	cr_assert_eq(result(z, "192.0.2.1", "u@two.example"), SPF_NEUTRAL);
	c = eval(z, &req);
	cr_assert_eq(spf_check_result(c), SPF_PERMERROR);
	cr_assert_str_eq(spf_check_problem(c), "more than 2 void DNS lookups");
	spf_check_free(&c);
	lim.void_lookups = 3;
	req.limits = &lim;
	c = eval(z, &req);
	cr_assert_eq(spf_check_result(c), SPF_NEUTRAL);
	spf_check_free(&c);
	dns_zone_free(&z);
}

/* mx_names - name gets n MX names mx<i>.example, the last at ip */
static void mx_names(struct dns_zone *z, const char *name, int n,
		     const char *ip)
{
	char host[32];

	for (int i = 0; i < n; i++) {
		snprintf(host, sizeof(host), "mx%d.example", i);
		mx(z, name, (unsigned int)i, host);
		addr(z, host, i == n - 1 ? ip : "198.51.100.1");
	}
}

Test(spf_eval, ten_mx_names_evaluated_eleven_permerror)
{
	struct dns_zone *z = dns_zone_new();
	struct spf_request req = request("192.0.2.1", "u@ten.example");
	struct spf_check *c;
	enum spf_step step;

	txt(z, "ten.example", "v=spf1 mx -all");
	txt(z, "eleven.example", "v=spf1 mx -all");
	mx_names(z, "ten.example", 10, "192.0.2.1");
	mx_names(z, "eleven.example", 11, "192.0.2.1");

	/* the ten address lookups are asked for at once */
	c = spf_check_new(&req);
	cr_assert_eq(spf_check_run(c), SPF_STEP_NEED_DNS);
	cr_assert_eq(answer_all(c, z), 1); /* TXT */
	cr_assert_eq(spf_check_run(c), SPF_STEP_NEED_DNS);
	cr_assert_eq(answer_all(c, z), 1); /* MX */
	cr_assert_eq(spf_check_run(c), SPF_STEP_NEED_DNS);
	cr_assert_eq(answer_all(c, z), 10); /* A of each exchange */
	step = spf_check_run(c);
	cr_assert_eq(step, SPF_STEP_DONE);
	cr_assert_eq(spf_check_result(c), SPF_PASS);
	cr_assert_str_eq(spf_check_mechanism(c), "mx");
	cr_assert_eq(spf_check_queries_made(c), 12);
	spf_check_free(&c);

	req = request("192.0.2.1", "u@eleven.example");
	c = eval(z, &req);
	cr_assert_eq(spf_check_result(c), SPF_PERMERROR);
	cr_assert_str_eq(spf_check_problem(c),
			 "more than 10 MX names for 'eleven.example'");
	/* no address lookup was made for any of them */
	cr_assert_eq(spf_check_queries_made(c), 2);
	spf_check_free(&c);
	dns_zone_free(&z);
}

Test(spf_eval, null_mx_needs_no_lookup_and_does_not_count)
{
	struct dns_zone *z = dns_zone_new();

	txt(z, "n.example", "v=spf1 mx ?all");
	mx(z, "n.example", 0, "");
	mx_names(z, "n.example", 10, "192.0.2.1");
	cr_assert_eq(result(z, "192.0.2.1", "u@n.example"), SPF_PASS);
	txt(z, "only.example", "v=spf1 mx ?all");
	mx(z, "only.example", 0, "");
	cr_assert_eq(result(z, "192.0.2.1", "u@only.example"), SPF_NEUTRAL);
	dns_zone_free(&z);
}

Test(spf_eval, mx_address_failure_is_temperror)
{
	struct dns_zone *z = dns_zone_new();

	txt(z, "m.example", "v=spf1 mx -all");
	mx(z, "m.example", 10, "down.example");
	dns_zone_add_timeout(z, "down.example");
	cr_assert_eq(result(z, "192.0.2.1", "u@m.example"), SPF_TEMPERROR);
	dns_zone_free(&z);
}

/* ptr_names - n PTR names p<i>.ptr.example for 192.0.2.1; the one at
 * index good resolves back to it, the others elsewhere */
static void ptr_names(struct dns_zone *z, int n, int good)
{
	char host[32];

	for (int i = 0; i < n; i++) {
		snprintf(host, sizeof(host), "p%d.ptr.example", i);
		ptr(z, "1.2.0.192.in-addr.arpa", host);
		addr(z, host, i == good ? "192.0.2.1" : "198.51.100.1");
	}
}

Test(spf_eval, ptr_names_past_ten_are_ignored)
{
	struct dns_zone *z = dns_zone_new();

	txt(z, "ptr.example", "v=spf1 ptr ?all");
	ptr_names(z, 11, 10);
	cr_assert_eq(result(z, "192.0.2.1", "u@ptr.example"), SPF_NEUTRAL);
	dns_zone_free(&z);

	z = dns_zone_new();
	txt(z, "ptr.example", "v=spf1 ptr ?all");
	ptr_names(z, 11, 9);
	cr_assert_eq(result(z, "192.0.2.1", "u@ptr.example"), SPF_PASS);
	dns_zone_free(&z);
}

Test(spf_eval, ptr_skips_lookup_errors_and_other_domains)
{
	struct dns_zone *z = dns_zone_new();

	txt(z, "ptr.example", "v=spf1 ptr -all");
	ptr(z, "1.2.0.192.in-addr.arpa", "loop.ptr.example");
	ptr(z, "1.2.0.192.in-addr.arpa", "host.elsewhere.example");
	dns_zone_add(z, "loop.ptr.example", DNS_T_CNAME, "loop.ptr.example", 16,
		     0, 0);
	addr(z, "host.elsewhere.example", "192.0.2.1");
	cr_assert_eq(result(z, "192.0.2.1", "u@ptr.example"), SPF_FAIL);
	ptr(z, "1.2.0.192.in-addr.arpa", "OK.Ptr.Example.");
	addr(z, "ok.ptr.example", "192.0.2.1");
	cr_assert_eq(result(z, "192.0.2.1", "u@ptr.example"), SPF_PASS);
	dns_zone_free(&z);
}

Test(spf_eval, p_macro_is_validated)
{
	struct dns_zone *z = dns_zone_new();
	struct spf_request req = request("2001:db8::5", "u@p.example");
	struct spf_check *c;

	txt(z, "p.example", "v=spf1 -all exp=e.p.example");
	txt(z, "e.p.example", "from %{p}");
	ptr(z,
	    "5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0."
	    "2.ip6.arpa",
	    "liar.example");
	ptr(z,
	    "5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0."
	    "2.ip6.arpa",
	    "other.example");
	ptr(z,
	    "5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0."
	    "2.ip6.arpa",
	    "mail.p.example");
	addr(z, "liar.example", "2001:db8::6");
	addr(z, "other.example", "2001:db8::5");
	addr(z, "mail.p.example", "2001:db8::5");
	c = eval(z, &req);
	cr_assert_eq(spf_check_result(c), SPF_FAIL);
	/* a validated subdomain of <domain> first */
	cr_assert_str_eq(spf_check_explanation(c), "from mail.p.example");
	spf_check_free(&c);

	req.ip = "2001:db8::7";
	c = eval(z, &req);
	cr_assert_str_eq(spf_check_explanation(c), "from unknown");
	spf_check_free(&c);
	dns_zone_free(&z);
}

Test(spf_eval, exists_asks_for_a_only)
{
	struct dns_zone *z = dns_zone_new();

	txt(z, "x.example", "v=spf1 exists:%{i}.in.example -all");
	addr(z, "192.0.2.1.in.example", "127.0.0.2");
	addr(z, "2001:db8::1.in.example", "::1");
	cr_assert_eq(result(z, "192.0.2.1", "u@x.example"), SPF_PASS);
	/* %{i} of an IPv6 client is dotted nibbles: no such name */
	cr_assert_eq(result(z, "2001:db8::1", "u@x.example"), SPF_FAIL);
	txt(z, "y.example", "v=spf1 exists:six.example -all");
	addr(z, "six.example", "2001:db8::1");
	cr_assert_eq(result(z, "2001:db8::1", "u@y.example"), SPF_FAIL);
	dns_zone_free(&z);
}

Test(spf_eval, explanation_rules)
{
	struct dns_zone *z = dns_zone_new();
	struct spf_request req = request("192.0.2.1", "u@ok.example");
	struct spf_check *c;

	req.default_exp = "DEFAULT";
	txt(z, "ok.example", "v=spf1 -all exp=%{d}.exp.example");
	txt(z, "ok.example.exp.example", "%{i} is not one of %{d}'s hosts.");
	txt(z, "bin.example", "v=spf1 -all exp=bin.exp.example");
	txt(z, "bin.exp.example", "caf\xc3\xa9");
	txt(z, "two.example", "v=spf1 -all exp=two.exp.example");
	txt(z, "two.exp.example", "one");
	txt(z, "two.exp.example", "two");
	txt(z, "bad.example", "v=spf1 -all exp=bad.exp.example");
	txt(z, "bad.exp.example", "%{x} unknown macro");
	txt(z, "to.example", "v=spf1 -all exp=to.exp.example");
	dns_zone_add_timeout(z, "to.exp.example");
	txt(z, "soft.example", "v=spf1 ~all exp=ok.example.exp.example");

	c = eval(z, &req);
	cr_assert_str_eq(spf_check_explanation(c),
			 "192.0.2.1 is not one of ok.example's hosts.");
	spf_check_free(&c);
	static const char *const def[] = {"u@bin.example", "u@two.example",
					  "u@bad.example", "u@to.example"};
	for (size_t i = 0; i < sizeof(def) / sizeof(def[0]); i++) {
		req.sender = def[i];
		c = eval(z, &req);
		cr_assert_eq(spf_check_result(c), SPF_FAIL);
		cr_assert_str_eq(spf_check_explanation(c), "DEFAULT", "%s",
				 def[i]);
		spf_check_free(&c);
	}
	/* only a fail has an explanation, and only it fetches exp= */
	req.sender = "u@soft.example";
	c = eval(z, &req);
	cr_assert_eq(spf_check_result(c), SPF_SOFTFAIL);
	cr_assert_null(spf_check_explanation(c));
	cr_assert_eq(spf_check_queries_made(c), 1);
	spf_check_free(&c);
	dns_zone_free(&z);
}

Test(spf_eval, dns_failure_is_temperror)
{
	struct dns_zone *z = dns_zone_new();
	struct spf_request req = request("192.0.2.1", "u@to.example");
	struct spf_check *c;

	dns_zone_add_timeout(z, "to.example");
	txt(z, "a.example", "v=spf1 a:to.example -all");
	c = eval(z, &req);
	cr_assert_eq(spf_check_result(c), SPF_TEMPERROR);
	cr_assert_str_eq(spf_check_problem(c),
			 "DNS failure for 'to.example' TXT");
	spf_check_free(&c);
	cr_assert_eq(result(z, "192.0.2.1", "u@a.example"), SPF_TEMPERROR);
	dns_zone_free(&z);
}

Test(spf_eval, expire_ends_as_temperror)
{
	struct dns_zone *z = dns_zone_new();
	struct spf_request req = request("192.0.2.1", "u@example.com");
	struct spf_check *c;

	txt(z, "example.com", "v=spf1 a:slow.example -all");
	c = spf_check_new(&req);
	cr_assert_eq(spf_check_run(c), SPF_STEP_NEED_DNS);
	answer_all(c, z);
	cr_assert_eq(spf_check_run(c), SPF_STEP_NEED_DNS);
	spf_check_expire(c);
	cr_assert_eq(spf_check_result(c), SPF_TEMPERROR);
	cr_assert_str_eq(spf_check_problem(c), "DNS time limit");
	cr_assert_eq(spf_check_run(c), SPF_STEP_DONE);
	cr_assert_eq(spf_check_query_count(c), 0);
	spf_check_expire(c); /* harmless once done */
	cr_assert_eq(spf_check_result(c), SPF_TEMPERROR);
	spf_check_free(&c);

	/* before the first run */
	c = spf_check_new(&req);
	spf_check_expire(c);
	cr_assert_eq(spf_check_result(c), SPF_TEMPERROR);
	spf_check_free(&c);
	dns_zone_free(&z);
}

Test(spf_eval, expire_while_fetching_exp_keeps_the_fail)
{
	struct dns_zone *z = dns_zone_new();
	struct spf_request req = request("192.0.2.1", "u@example.com");
	struct spf_check *c;

	req.default_exp = "DEFAULT";
	txt(z, "example.com", "v=spf1 -all exp=slow.example");
	c = spf_check_new(&req);
	cr_assert_eq(spf_check_run(c), SPF_STEP_NEED_DNS);
	answer_all(c, z);
	cr_assert_eq(spf_check_run(c), SPF_STEP_NEED_DNS);
	enum dns_type type;
	cr_assert_str_eq(spf_check_query(c, 0, &type), "slow.example");
	cr_assert_eq(type, DNS_T_TXT);
	spf_check_expire(c);
	cr_assert_eq(spf_check_result(c), SPF_FAIL);
	cr_assert_str_eq(spf_check_explanation(c), "DEFAULT");
	spf_check_free(&c);
	dns_zone_free(&z);
}

Test(spf_eval, query_backstop)
{
	struct dns_zone *z = dns_zone_new();
	struct spf_limits lim = SPF_LIMITS_DEFAULT;
	struct spf_request req = request("192.0.2.1", "u@example.com");
	struct spf_check *c;

	txt(z, "example.com",
	    "v=spf1 a:h1.example a:h2.example a:h3.example -all");
	addr(z, "h1.example", "198.51.100.1");
	addr(z, "h2.example", "198.51.100.2");
	addr(z, "h3.example", "198.51.100.3");
	req.limits = &lim;
	lim.max_queries = 4;
	c = eval(z, &req);
	cr_assert_eq(spf_check_result(c), SPF_FAIL);
	cr_assert_eq(spf_check_queries_made(c), 4);
	spf_check_free(&c);
	lim.max_queries = 3;
	c = eval(z, &req);
	cr_assert_eq(spf_check_result(c), SPF_PERMERROR);
	cr_assert_str_eq(spf_check_problem(c), "more than 3 DNS queries");
	cr_assert_eq(spf_check_queries_made(c), 3);
	spf_check_free(&c);
	dns_zone_free(&z);
}

Test(spf_eval, answers_match_any_case_and_extra_ones_are_harmless)
{
	struct dns_zone *z = dns_zone_new();
	struct spf_request req = request("192.0.2.1", "u@Example.COM");
	struct dns_answer *a = dns_answer_new(DNS_OK, DNS_T_TXT);
	struct dns_answer *junk = dns_answer_new(DNS_OK, DNS_T_TXT);
	struct spf_check *c = spf_check_new(&req);

	dns_answer_add(a, "v=spf1 +all", 11, 0, 1);
	dns_answer_add(junk, "v=spf1 -all", 11, 0, 1);
	spf_check_answer(c, "other.example", DNS_T_TXT, junk);
	spf_check_answer(c, "example.com", DNS_T_A, junk);
	spf_check_answer(c, "EXAMPLE.com", DNS_T_TXT, a);
	/* a second answer to the same query changes nothing */
	spf_check_answer(c, "example.com", DNS_T_TXT, junk);
	cr_assert_eq(spf_check_run(c), SPF_STEP_DONE);
	cr_assert_eq(spf_check_result(c), SPF_PASS);
	cr_assert_eq(spf_check_queries_made(c), 1);
	spf_check_free(&c);
	dns_answer_free(&a);
	dns_answer_free(&junk);
	dns_zone_free(&z);
}

Test(spf_eval, problem_is_short_and_printable)
{
	struct dns_zone *z = dns_zone_new();
	struct spf_request req = request("192.0.2.1", "u@example.com");
	struct spf_check *c;
	char rec[1200] = "v=spf1 ";

	for (int i = 0; i < 100; i++)
		strcat(rec, "\x80\x01\x7f\\x");
	strcat(rec, " -all");
	txt(z, "example.com", rec);
	c = eval(z, &req);
	cr_assert_eq(spf_check_result(c), SPF_PERMERROR);
	cr_assert(is_printable(spf_check_problem(c)));
	cr_assert_leq(strlen(spf_check_problem(c)), 200);
	cr_assert_str_neq(spf_check_problem(c), "");
	spf_check_free(&c);
	dns_zone_free(&z);
}
