/*
 * dkim_pubcache.h - public keys decoded lately, by their p= bytes.
 *
 * Turning the DER bytes of a key record into a key (OpenSSL's decoder)
 * costs several times what an RSA-2048 verification does, and mail
 * comes in bursts from a few signers. The bytes are the key, so an
 * entry never goes stale: a record that changes brings other bytes,
 * and whether a record may be used (revoked, t=, h=, s=) is decided
 * before the key is needed, from the record itself.
 *
 * One cache per process, DKIM_PUBCACHE_SLOTS slots, one slot per key
 * (by hash): a new key takes over the slot of an old one. Bytes that do
 * not decode are not kept. Thread-safe.
 */
#ifndef PW_DKIM_PUBCACHE_H
#define PW_DKIM_PUBCACHE_H

#include <stddef.h>

#include "dkim_types.h"

struct sbuf;
struct dkim_crypto_key;

#define DKIM_PUBCACHE_SLOTS 256
#define DKIM_PUBCACHE_MAX_KEY 2048 /* bytes of DER kept (RSA-8192: 1.1K) */

/*
 * dkim_pubcache_key - dkim_crypto_key_public(), from the cache when the
 * same type and bytes were decoded before. *key_r is new (caller frees)
 * either way; -1 with a reason in err as dkim_crypto_key_public says.
 */
int dkim_pubcache_key(enum dkim_keytype type, const unsigned char *p,
		      size_t n, struct dkim_crypto_key **key_r,
		      struct sbuf *err);

/* dkim_pubcache_hits - answers from the cache so far (tests) */
unsigned long dkim_pubcache_hits(void);

/* dkim_pubcache_clear - forget every key (tests, and before exit) */
void dkim_pubcache_clear(void);

#endif
