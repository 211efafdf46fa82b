/*
 * dns_zone.h - an in-memory zone behind the dns_resolver interface, for
 * unit tests, the SPF conformance suites and fuzzing.
 *
 * Names match case-insensitively, without a final dot, and may hold any
 * byte. A name that was never added is NXDOMAIN; a name with no record
 * of the asked type is NODATA. A name marked with dns_zone_add_timeout
 * answers DNS_TEMPFAIL for types not added before the mark (the
 * conformance suites' TIMEOUT item). A CNAME is followed (up to 8 links;
 * a loop is DNS_TEMPFAIL). Answers come from the loop, never from
 * inside dns_resolve.
 */
#ifndef PW_DNS_ZONE_H
#define PW_DNS_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"

struct event_base;
struct dns_zone;

struct dns_zone *dns_zone_new(void);
void dns_zone_free(struct dns_zone **zp);

/*
 * dns_zone_add - one record at name, data/len as in struct dns_rr (A: 4
 * bytes, TXT: the joined strings with nstrings, MX: exchange text with
 * pref). Returns 0, or -1 past DNS_MAX_RRS at that name and type.
 */
int dns_zone_add(struct dns_zone *z, const char *name, enum dns_type type,
		 const void *data, size_t len, uint16_t pref,
		 uint16_t nstrings);
/* dns_zone_add_name - name exists (NODATA for every type) */
void dns_zone_add_name(struct dns_zone *z, const char *name);
/* dns_zone_add_timeout - types at name not added so far time out */
void dns_zone_add_timeout(struct dns_zone *z, const char *name);

/* dns_zone_lookup - the answer right now (caller frees) */
struct dns_answer *dns_zone_lookup(const struct dns_zone *z,
				   const char *name, enum dns_type type);

/* dns_zone_resolver - a resolver over z (borrowed; z must outlive it) */
struct dns_resolver *dns_zone_resolver(struct event_base *base,
				       const struct dns_zone *z);

#endif
