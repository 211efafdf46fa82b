/*
 * milter_keycache.h - DKIM key records looked up lately, by name.
 *
 * Mail from one domain comes in bursts, and every message would ask
 * the resolver for the same selector._domainkey record. libunbound
 * caches the answer, but each question still crosses to its thread and
 * back under its locks, which costs more than the RSA verification.
 * This cache answers from memory for as long as the record's TTL says
 * (at most max_ttl seconds; a missing record at most
 * MILTER_KEYCACHE_NONE_TTL), so a revoked or rotated key is seen as
 * soon as the DNS lets it be. Temporary failures are never kept.
 *
 * Fixed size: a name has one slot (by hash), and a new name takes over
 * the slot of an old one. Names are compared ignoring case. The
 * records are the resolver's, already within its limits.
 * Thread-safe: every libmilter thread uses the one cache.
 */
#ifndef PW_MILTER_KEYCACHE_H
#define PW_MILTER_KEYCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "dkim_verify.h"

struct sbuf;
struct milter_keycache;

#define MILTER_KEYCACHE_NONE_TTL 60 /* seconds for "no such record" */
#define MILTER_KEYCACHE_MAX_NAME 255

/* milter_keycache_new - slots (> 0) names at once; caller frees */
struct milter_keycache *milter_keycache_new(size_t slots,
					    unsigned int max_ttl);
void milter_keycache_free(struct milter_keycache **cp); /* NULL-safe */

/*
 * milter_keycache_get - is name known and fresh at now? Then true,
 * *status_r (FOUND or NONE) and, for FOUND, the record in txt (reset
 * first). false otherwise (txt untouched).
 */
bool milter_keycache_get(struct milter_keycache *c, const char *name,
			 time_t now, enum dkim_verify_key *status_r,
			 struct sbuf *txt);

/*
 * milter_keycache_put - remember what a lookup of name gave at now, for
 * ttl seconds within the limits above; TEMPFAIL, ttl 0 and names over
 * MILTER_KEYCACHE_MAX_NAME are not kept.
 */
void milter_keycache_put(struct milter_keycache *c, const char *name,
			 time_t now, enum dkim_verify_key status,
			 const void *txt, size_t n, unsigned int ttl);

#endif
