/*
 * policy_spf_cache.h - what the SPF check answered for a message, keyed
 * by Postfix's "instance" attribute, so that a message with many
 * recipients gets its header prepended once and the same reject for
 * every recipient (postfix-policyd-spf-python keeps this per process;
 * here it is per check, shared by all connections).
 *
 * Bounded: at most size entries; the oldest goes first. Keys and values
 * are untrusted text, copied and cut at POLICY_SPF_CACHE_MAX_KEY /
 * POLICY_SPF_CACHE_MAX_VALUE bytes (a longer key is not stored). Not
 * thread-safe: the event loop's thread only.
 */
#ifndef PW_POLICY_SPF_CACHE_H
#define PW_POLICY_SPF_CACHE_H

#include <stddef.h>

#define POLICY_SPF_CACHE_MAX_KEY 128	/* Postfix sends ~30 bytes */
#define POLICY_SPF_CACHE_MAX_VALUE 1024 /* an action text */

struct policy_spf_cache;

struct policy_spf_cache *policy_spf_cache_new(size_t size); /* size >= 1 */
void policy_spf_cache_free(struct policy_spf_cache **cp);   /* NULL-safe */

/*
 * policy_spf_cache_put - remember value for key (both copied), replacing
 * an older value of key; evicts the oldest entry when full.
 */
void policy_spf_cache_put(struct policy_spf_cache *c, const char *key,
			  const char *value);
/* policy_spf_cache_get - the value, borrowed until the next put; NULL */
const char *policy_spf_cache_get(const struct policy_spf_cache *c,
				 const char *key);
size_t policy_spf_cache_count(const struct policy_spf_cache *c);

#endif
