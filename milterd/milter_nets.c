/*
 * milter_nets.c - address and CIDR lists for milterd_internal_hosts
 * (milter_nets.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "milter_nets.h"
#include "numparse.h"
#include "sbuf.h"
#include "xalloc.h"

/* longest entry: an IPv6 literal, "/128" and "!" with room to spare */
#define MILTER_NETS_ENTRY_MAX 64

struct milter_net {
	int family;		/* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* masked to prefix bits */
	unsigned int prefix;
	bool negated;
};

struct milter_nets {
	struct milter_net *v;
	size_t n;
};

/* milter_nets_mask - clear the bits after prefix in addr (len bytes) */
static void milter_nets_mask(unsigned char *addr, size_t len,
			     unsigned int prefix)
{
	for (size_t i = 0; i < len; i++) {
		unsigned int bits = i * 8 >= prefix ? 0 : prefix - i * 8;

		if (bits >= 8)
			continue;
		addr[i] &= (unsigned char)(0xff00u >> bits);
	}
}

/* milter_nets_entry - parse one entry (NUL-terminated) into net */
static int milter_nets_entry(char *s, struct milter_net *net,
			     struct sbuf *err)
{
	char *slash;
	unsigned int max;

	memset(net, 0, sizeof(*net));
	if (*s == '!') {
		net->negated = true;
		s++;
	}
	slash = strchr(s, '/');
	if (slash != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, s, net->addr) == 1) {
		net->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, s, net->addr) == 1) {
		net->family = AF_INET6;
		max = 128;
	} else {
		sbuf_printf(err, "\"%s\" is not an IPv4 or IPv6 address", s);
		return -1;
	}
	net->prefix = max;
	if (slash != NULL && numparse_uint(slash + 1, max, &net->prefix) < 0) {
		sbuf_printf(err, "\"%s\": bad prefix length \"%s\"", s,
			    slash + 1);
		return -1;
	}
	milter_nets_mask(net->addr, max / 8, net->prefix);
	return 0;
}

int milter_nets_parse(const char *text, struct milter_nets **nets_r,
		      struct sbuf *err)
{
	static const char sep[] = ", \t\r\n";
	struct milter_nets *n = xcalloc(1, sizeof(*n));
	const char *p = text;
	size_t cap = 0;

	for (;;) {
		char entry[MILTER_NETS_ENTRY_MAX + 1];
		size_t len;

		p += strspn(p, sep);
		if (*p == '\0')
			break;
		len = strcspn(p, sep);
		if (len > MILTER_NETS_ENTRY_MAX) {
			sbuf_printf(err, "entry too long: \"%.*s...\"", 32, p);
			goto fail;
		}
		if (n->n == MILTER_NETS_MAX) {
			sbuf_printf(err, "more than %u entries",
				    MILTER_NETS_MAX);
			goto fail;
		}
		memcpy(entry, p, len);
		entry[len] = '\0';
		p += len;
		if (n->n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			n->v = xrealloc(n->v, cap * sizeof(*n->v));
		}
		if (milter_nets_entry(entry, &n->v[n->n], err) < 0)
			goto fail;
		n->n++;
	}
	*nets_r = n;
	return 0;
fail:
	milter_nets_free(&n);
	return -1;
}

void milter_nets_free(struct milter_nets **np)
{
	if (*np == NULL)
		return;
	free((*np)->v);
	free(*np);
	*np = NULL;
}

size_t milter_nets_count(const struct milter_nets *n)
{
	return n->n;
}

/* milter_nets_covers - is addr inside net? */
static bool milter_nets_covers(const struct milter_net *net, int family,
			       const unsigned char *addr)
{
	unsigned char a[16];
	size_t len = family == AF_INET ? 4 : 16;

	if (net->family != family)
		return false;
	memcpy(a, addr, len);
	milter_nets_mask(a, len, net->prefix);
	return memcmp(a, net->addr, len) == 0;
}

bool milter_nets_match(const struct milter_nets *n, int family,
		       const void *addr)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0,	  0,
						 0, 0, 0, 0, 0xff, 0xff};
	const unsigned char *a = addr;
	bool hit = false;

	if (family == AF_INET6 && memcmp(a, mapped, sizeof(mapped)) == 0) {
		family = AF_INET;
		a += sizeof(mapped);
	}
	if (family != AF_INET && family != AF_INET6)
		return false;
	for (size_t i = 0; i < n->n; i++) {
		if (!milter_nets_covers(&n->v[i], family, a))
			continue;
		if (n->v[i].negated)
			return false;
		hit = true;
	}
	return hit;
}
