/*
 * dns_ubctx.c - what both libunbound resolvers do to a fresh context
 * (dns_unbound.c on the event loop, dns_sync.c for threads): servers or
 * resolv.conf, unbound's default local zones made transparent on
 * request, a trust anchor; and the name check both make before a query.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <unbound.h>

#include "dns_ubctx.h"
#include "sbuf.h"
#include "xalloc.h"

/* one "addr[@port]" in the servers option */
#define DNS_UBCTX_SERVER_MAX 128

/*
 * unbound's default local zones (services/localzone.c, as of 1.17),
 * answered by the library itself. A configured zone of the same name
 * replaces a default one; "transparent" passes queries on to the servers
 * ("nodefault" is not honoured when set through ub_ctx_set_option). Also
 * 16-31.172.in-addr.arpa (RFC 1918) and 64-127.100.in-addr.arpa
 * (RFC 6598), made in dns_ubctx_no_default_zones.
 */
static const char *const dns_ubctx_default_zones[] = {
    "localhost.",
    "127.in-addr.arpa.",
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
    "ip6.arpa.",
    "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
    "ip6.arpa.",
    "home.arpa.",
    "onion.",
    "test.",
    "invalid.",
    "10.in-addr.arpa.",
    "168.192.in-addr.arpa.",
    "0.in-addr.arpa.",
    "254.169.in-addr.arpa.",
    "2.0.192.in-addr.arpa.",
    "100.51.198.in-addr.arpa.",
    "113.0.203.in-addr.arpa.",
    "255.255.255.255.in-addr.arpa.",
    "d.f.ip6.arpa.",
    "8.e.f.ip6.arpa.",
    "9.e.f.ip6.arpa.",
    "a.e.f.ip6.arpa.",
    "b.e.f.ip6.arpa.",
    "8.b.d.0.1.0.0.2.ip6.arpa.",
};

/*
 * dns_ubctx_name_ok - does the text name fit RFC 1035's limits (labels
 * of 1-63 bytes, 255 in all)? libunbound keeps a query it could not
 * encode until the context is deleted, so such names never reach it.
 */
bool dns_ubctx_name_ok(const char *name, size_t len)
{
	size_t label = 0, wire = 1;

	if (len == 1 && name[0] == '.')
		return true;
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (label == 0)
				return false;
			wire += 1 + label;
			label = 0;
			continue;
		}
		if (name[i] == '\\') {
			/* \DDD or \X: one byte (RFC 1035 5.1) */
			if (i + 1 >= len)
				return false;
			if (isdigit((unsigned char)name[i + 1])) {
				if (i + 3 >= len ||
				    !isdigit((unsigned char)name[i + 2]) ||
				    !isdigit((unsigned char)name[i + 3]) ||
				    (name[i + 1] - '0') * 100 +
					    (name[i + 2] - '0') * 10 +
					    (name[i + 3] - '0') >
					255)
					return false;
				i += 3;
			} else {
				i++;
			}
		}
		if (++label > 63)
			return false;
	}
	if (label > 0)
		wire += 1 + label;
	return wire <= 255;
}

/* dns_ubctx_servers - ub_ctx_set_fwd for each "addr[@port]" */
static int dns_ubctx_servers(struct ub_ctx *ctx, const char *list,
			     struct sbuf *err)
{
	const char *sep = " \t,";
	const char *p = list;
	int nservers = 0;

	for (;;) {
		size_t n;
		char *addr;
		int rc;

		p += strspn(p, sep);
		if (*p == '\0')
			break;
		n = strcspn(p, sep);
		if (n > DNS_UBCTX_SERVER_MAX) {
			sbuf_printf(err, "dns servers: address too long");
			return -1;
		}
		addr = xstrndup(p, n);
		rc = ub_ctx_set_fwd(ctx, addr);
		if (rc != 0) {
			sbuf_printf(err, "dns servers: bad address \"%s\": %s",
				    addr, ub_strerror(rc));
			free(addr);
			return -1;
		}
		free(addr);
		nservers++;
		p += n;
	}
	if (nservers == 0) {
		sbuf_printf(err, "dns servers: no address");
		return -1;
	}
	return 0;
}

/* dns_ubctx_setopt - ub_ctx_set_option or an error */
static int dns_ubctx_setopt(struct ub_ctx *ctx, const char *opt,
			    const char *val, struct sbuf *err)
{
	int rc = ub_ctx_set_option(ctx, opt, val);

	if (rc != 0) {
		sbuf_printf(err, "libunbound option %s %s: %s", opt, val,
			    ub_strerror(rc));
		return -1;
	}
	return 0;
}

/* dns_ubctx_transparent - one local zone that asks the servers */
static int dns_ubctx_transparent(struct ub_ctx *ctx, struct sbuf *val,
				 struct sbuf *err)
{
	(void)sbuf_append_str(val, " transparent");
	return dns_ubctx_setopt(ctx, "local-zone:", sbuf_cstr(val), err);
}

/* dns_ubctx_no_default_zones - every default local zone transparent */
static int dns_ubctx_no_default_zones(struct ub_ctx *ctx, struct sbuf *err)
{
	struct sbuf *val = sbuf_new(128);
	size_t nzones = sizeof(dns_ubctx_default_zones) /
			sizeof(dns_ubctx_default_zones[0]);
	int ret = -1;

	for (size_t i = 0; i < nzones; i++) {
		sbuf_set(val, dns_ubctx_default_zones[i]);
		if (dns_ubctx_transparent(ctx, val, err) < 0)
			goto out;
	}
	for (unsigned int i = 16; i <= 31; i++) {
		sbuf_reset(val);
		sbuf_printf(val, "%u.172.in-addr.arpa.", i);
		if (dns_ubctx_transparent(ctx, val, err) < 0)
			goto out;
	}
	for (unsigned int i = 64; i <= 127; i++) {
		sbuf_reset(val);
		sbuf_printf(val, "%u.100.in-addr.arpa.", i);
		if (dns_ubctx_transparent(ctx, val, err) < 0)
			goto out;
	}
	ret = 0;
out:
	sbuf_free(&val);
	return ret;
}

int dns_ubctx_configure(struct ub_ctx *ctx, const struct dns_unbound_options *o,
			struct sbuf *err)
{
	int rc;

	/* the library's default already; a forwarder on loopback is the
	 * usual local setup, so never leave it to a config file */
	if (dns_ubctx_setopt(ctx, "do-not-query-localhost:", "no", err) < 0)
		return -1;
	if (o->servers != NULL && o->servers[strspn(o->servers, " \t,")]) {
		if (dns_ubctx_servers(ctx, o->servers, err) < 0)
			return -1;
	} else if ((rc = ub_ctx_resolvconf(ctx, o->resolv_conf)) != 0) {
		sbuf_printf(err, "%s: %s",
			    o->resolv_conf != NULL ? o->resolv_conf
						   : "/etc/resolv.conf",
			    ub_strerror(rc));
		return -1;
	}
	if (o->no_default_local_zones &&
	    dns_ubctx_no_default_zones(ctx, err) < 0)
		return -1;
	if (o->trust_anchor_file != NULL &&
	    (rc = ub_ctx_add_ta_file(ctx, o->trust_anchor_file)) != 0) {
		sbuf_printf(err, "%s: %s", o->trust_anchor_file,
			    ub_strerror(rc));
		return -1;
	}
	return 0;
}
