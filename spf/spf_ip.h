/*
 * spf_ip.h - the SPF client address: parsing, CIDR matching and the
 * reverse-lookup name (RFC 7208 5, 5.6, 7.3).
 *
 * An IPv4-mapped IPv6 address ("::ffff:1.2.3.4") is an IPv4 client
 * (RFC 7208 5: "MUST still be considered an IPv4 address"). The text is
 * untrusted. Pure and thread-safe.
 */
#ifndef PW_SPF_IP_H
#define PW_SPF_IP_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf;

struct spf_ip {
	int family;		/* 4 or 6 */
	unsigned char addr[16]; /* IPv4: the first 4 bytes */
};

/* spf_ip_parse - IPv4 or IPv6 text; returns 0, or -1 when it is neither */
int spf_ip_parse(const char *text, struct spf_ip *ip_r);

/*
 * spf_ip_match - is ip inside net/prefix? net holds 4 bytes (family 4)
 * or 16 (family 6); an address of the other family never matches. A
 * prefix past the family's width counts as the full width.
 */
bool spf_ip_match(const struct spf_ip *ip, int family, const unsigned char *net,
		  int prefix);

/*
 * spf_ip_reverse - append the reverse-lookup name without a final dot:
 * "4.3.2.1.in-addr.arpa" or 32 lower-case nibbles and "ip6.arpa".
 * Returns 0, or -1 when out would pass its maximum.
 */
int spf_ip_reverse(const struct spf_ip *ip, struct sbuf *out);

#endif
