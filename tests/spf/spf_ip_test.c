/* spf_ip_test.c - the SPF client address (spf/spf_ip.c) */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "sbuf.h"
#include "spf_ip.h"

static const unsigned char net_192_0_2_0[4] = {192, 0, 2, 0};
static const unsigned char net_192_0_2_192[4] = {192, 0, 2, 192};
/* 2001:db8:: */
static const unsigned char net_2001_db8[16] = {0x20, 0x01, 0x0d, 0xb8};

/* parse - spf_ip_parse that must succeed */
static struct spf_ip parse(const char *text)
{
	struct spf_ip ip;

	cr_assert_eq(spf_ip_parse(text, &ip), 0, "%s", text);
	return ip;
}

Test(spf_ip, parses_both_families)
{
	struct spf_ip ip = parse("192.0.2.200");

	cr_assert_eq(ip.family, 4);
	cr_assert_eq(memcmp(ip.addr, "\xc0\x00\x02\xc8", 4), 0);
	ip = parse("2001:DB8::1");
	cr_assert_eq(ip.family, 6);
	cr_assert_eq(memcmp(ip.addr, net_2001_db8, 4), 0);
	cr_assert_eq(ip.addr[15], 1);
}

Test(spf_ip, mapped_ipv6_is_ipv4)
{
	static const char *mapped[] = {"::ffff:192.0.2.200", "::FFFF:c000:2c8",
				       "0:0:0:0:0:ffff:192.0.2.200"};

	for (size_t i = 0; i < sizeof(mapped) / sizeof(mapped[0]); i++) {
		struct spf_ip ip = parse(mapped[i]);

		cr_assert_eq(ip.family, 4, "%s", mapped[i]);
		cr_assert_eq(memcmp(ip.addr, "\xc0\x00\x02\xc8", 4), 0);
	}
	/* IPv4-compatible (::a.b.c.d) and NAT64 are IPv6 */
	cr_assert_eq(parse("::192.0.2.200").family, 6);
	cr_assert_eq(parse("64:ff9b::192.0.2.200").family, 6);
}

Test(spf_ip, rejects_garbage)
{
	static const char *bad[] = {
	    "",		"1.2.3", "1.2.3.4.5",	      "256.1.1.1", "1.2.3.4 ",
	    " 1.2.3.4", "::g",	 "1:2:3:4:5:6:7:8:9", "1.2.3.04x", "[::1]"};
	struct spf_ip ip = {.family = 9};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(spf_ip_parse(bad[i], &ip), -1, "%s", bad[i]);
		cr_assert_eq(ip.family, 9, "changed on error: %s", bad[i]);
	}
}

Test(spf_ip, prefix_match)
{
	struct spf_ip ip = parse("192.0.2.200");

	cr_assert(spf_ip_match(&ip, 4, net_192_0_2_0, 24));
	cr_assert(spf_ip_match(&ip, 4, net_192_0_2_0, 0));
	cr_assert_not(spf_ip_match(&ip, 4, net_192_0_2_0, 25));
	/* .200 is 11001000: inside .192/26 and .192/28, not .192/29 */
	cr_assert(spf_ip_match(&ip, 4, net_192_0_2_192, 26));
	cr_assert(spf_ip_match(&ip, 4, net_192_0_2_192, 28));
	cr_assert_not(spf_ip_match(&ip, 4, net_192_0_2_192, 29));
	cr_assert_not(spf_ip_match(&ip, 4, net_192_0_2_0, 32));
	cr_assert_not(spf_ip_match(&ip, 4, net_192_0_2_0, -1));
	cr_assert(spf_ip_match(&ip, 4, ip.addr, -1));
	cr_assert(spf_ip_match(&ip, 4, ip.addr, 99)); /* full width */
	/* the other family never matches, even /0 */
	cr_assert_not(spf_ip_match(&ip, 6, net_2001_db8, 0));

	ip = parse("2001:db8:8000::1");
	cr_assert(spf_ip_match(&ip, 6, net_2001_db8, 32));
	cr_assert_not(spf_ip_match(&ip, 6, net_2001_db8, 33));
	cr_assert(spf_ip_match(&ip, 6, net_2001_db8, 0));
	cr_assert_not(spf_ip_match(&ip, 4, net_192_0_2_0, 0));
	cr_assert(spf_ip_match(&ip, 6, ip.addr, 128));
}

Test(spf_ip, reverse_names)
{
	struct sbuf *b = sbuf_new(0);
	struct spf_ip ip = parse("192.0.2.200");

	cr_assert_eq(spf_ip_reverse(&ip, b), 0);
	cr_assert_str_eq(sbuf_cstr(b), "200.2.0.192.in-addr.arpa");
	sbuf_reset(b);
	ip = parse("::ffff:1.2.3.4");
	spf_ip_reverse(&ip, b);
	cr_assert_str_eq(sbuf_cstr(b), "4.3.2.1.in-addr.arpa");
	sbuf_reset(b);
	ip = parse("2001:DB8::CB01");
	spf_ip_reverse(&ip, b);
	cr_assert_str_eq(sbuf_cstr(b), "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
				       "0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
	sbuf_free(&b);
}
