/*
 * dns_ubctx.h - configuring a libunbound context from
 * dns_unbound_options, shared by dns_unbound.c and dns_sync.c.
 */
#ifndef PW_DNS_UBCTX_H
#define PW_DNS_UBCTX_H

#include <stdbool.h>
#include <stddef.h>

#include "dns_unbound.h"

struct sbuf;
struct ub_ctx;

/*
 * dns_ubctx_configure - apply o to a fresh context: the servers (as a
 * stub) or resolv.conf, the default local zones made transparent when
 * o->no_default_local_zones, the trust anchor. -1 with a reason in err.
 */
int dns_ubctx_configure(struct ub_ctx *ctx, const struct dns_unbound_options *o,
			struct sbuf *err);

/*
 * dns_ubctx_name_ok - does the text name (len bytes, \DDD and \X escapes
 * allowed) fit RFC 1035's limits: labels of 1-63 bytes, 255 in all?
 * libunbound keeps a query it could not encode until the context is
 * deleted, so such names never reach it.
 */
bool dns_ubctx_name_ok(const char *name, size_t len);

#endif
