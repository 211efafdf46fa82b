/*
 * milter_nets.h - a list of client addresses and networks, as
 * OpenDKIM's InternalHosts writes them: IPv4 and IPv6 addresses and
 * CIDR blocks ("192.0.2.0/24", "2001:db8::/32"), separated by commas or
 * white space, each optionally negated with "!". A client matches when
 * a plain entry covers it and no negated entry does (negation wins, in
 * any order). Host names are not accepted: milterd does not resolve
 * names at start-up.
 *
 * The text comes from the local config; milter_nets_parse is pure and
 * still bounded (MILTER_NETS_MAX entries). A parsed list is read-only
 * and may be shared between threads.
 */
#ifndef PW_MILTER_NETS_H
#define PW_MILTER_NETS_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf;
struct milter_nets;

#define MILTER_NETS_MAX 4096 /* entries in one list */

/*
 * milter_nets_parse - parse text (borrowed); *nets_r is new (caller
 * frees with milter_nets_free). An empty list is valid and matches
 * nothing. -1 with a reason appended to err.
 */
int milter_nets_parse(const char *text, struct milter_nets **nets_r,
		      struct sbuf *err);
void milter_nets_free(struct milter_nets **np); /* NULL-safe */

/* milter_nets_count - entries in the list */
size_t milter_nets_count(const struct milter_nets *n);

/*
 * milter_nets_match - is the address (4 bytes for AF_INET, 16 for
 * AF_INET6, network order, borrowed) in the list? An IPv4-mapped IPv6
 * address is matched as IPv4. Other families never match.
 */
bool milter_nets_match(const struct milter_nets *n, int family,
		       const void *addr);

#endif
