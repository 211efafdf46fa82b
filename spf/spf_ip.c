/*
 * spf_ip.c - the SPF client address (spf_ip.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "sbuf.h"
#include "spf_ip.h"

/* RFC 4291 2.5.5.2: ::ffff:0:0/96 */
static const unsigned char spf_ip_mapped[12] = {0, 0, 0, 0, 0,	  0,
						0, 0, 0, 0, 0xff, 0xff};

/* spf_ip_parse - IPv4 or IPv6 text, IPv4-mapped IPv6 as IPv4 */
int spf_ip_parse(const char *text, struct spf_ip *ip_r)
{
	struct spf_ip ip;

	memset(&ip, 0, sizeof(ip));
	if (inet_pton(AF_INET, text, ip.addr) == 1) {
		ip.family = 4;
	} else if (inet_pton(AF_INET6, text, ip.addr) == 1) {
		ip.family = 6;
		if (memcmp(ip.addr, spf_ip_mapped, sizeof(spf_ip_mapped)) ==
		    0) {
			memmove(ip.addr, ip.addr + 12, 4);
			memset(ip.addr + 4, 0, 12);
			ip.family = 4;
		}
	} else {
		return -1;
	}
	*ip_r = ip;
	return 0;
}

/* spf_ip_match - compare the first prefix bits */
bool spf_ip_match(const struct spf_ip *ip, int family, const unsigned char *net,
		  int prefix)
{
	int width = family == 4 ? 32 : 128;
	int bytes, bits;

	if (ip->family != family)
		return false;
	if (prefix < 0 || prefix > width)
		prefix = width;
	bytes = prefix / 8;
	bits = prefix % 8;
	if (memcmp(ip->addr, net, (size_t)bytes) != 0)
		return false;
	if (bits != 0) {
		unsigned int mask = (0xffu << (8 - bits)) & 0xffu;

		if (((ip->addr[bytes] ^ net[bytes]) & mask) != 0)
			return false;
	}
	return true;
}

/* spf_ip_reverse - the in-addr.arpa or ip6.arpa name */
int spf_ip_reverse(const struct spf_ip *ip, struct sbuf *out)
{
	static const char hex[] = "0123456789abcdef";

	if (ip->family == 4)
		return sbuf_printf(out, "%u.%u.%u.%u.in-addr.arpa", ip->addr[3],
				   ip->addr[2], ip->addr[1], ip->addr[0]);
	for (int i = 15; i >= 0; i--) {
		char nib[4] = {hex[ip->addr[i] & 0x0f], '.',
			       hex[ip->addr[i] >> 4], '.'};

		if (sbuf_append(out, nib, sizeof(nib)) < 0)
			return -1;
	}
	return sbuf_append_str(out, "ip6.arpa");
}
