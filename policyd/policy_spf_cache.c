/*
 * policy_spf_cache.c - a bounded map from message instance to the SPF
 * check's answer (policy_spf_cache.h).
 *
 * Entries live in a ring in insertion order; a chained hash table finds
 * them. Putting into a full ring reuses the oldest slot after taking it
 * out of its chain, so every operation is O(1) on average.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy_spf_cache.h"
#include "xalloc.h"

#define NIL SIZE_MAX

struct entry {
	char *key; /* NULL: slot unused */
	char *value;
	size_t next; /* chain */
};

struct policy_spf_cache {
	struct entry *slot;
	size_t size;   /* slots */
	size_t oldest; /* next slot to (re)use */
	size_t count;
	size_t *bucket;
	size_t nbuckets;
};

/* hash - FNV-1a */
static size_t hash(const char *s)
{
	uint64_t h = 14695981039346656037u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211u;
	}
	return (size_t)h;
}

struct policy_spf_cache *policy_spf_cache_new(size_t size)
{
	struct policy_spf_cache *c = xcalloc(1, sizeof(*c));
	size_t i;

	c->size = size > 0 ? size : 1;
	c->slot = xcalloc(c->size, sizeof(*c->slot));
	c->nbuckets = c->size * 2;
	c->bucket = xcalloc(c->nbuckets, sizeof(*c->bucket));
	for (i = 0; i < c->nbuckets; i++)
		c->bucket[i] = NIL;
	return c;
}

void policy_spf_cache_free(struct policy_spf_cache **cp)
{
	struct policy_spf_cache *c = *cp;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->size; i++) {
		free(c->slot[i].key);
		free(c->slot[i].value);
	}
	free(c->slot);
	free(c->bucket);
	free(c);
	*cp = NULL;
}

/* find - the slot of key, or NIL */
static size_t find(const struct policy_spf_cache *c, const char *key)
{
	size_t i = c->bucket[hash(key) % c->nbuckets];

	while (i != NIL && strcmp(c->slot[i].key, key) != 0)
		i = c->slot[i].next;
	return i;
}

/* unlink_slot - take slot i out of its chain and free it */
static void unlink_slot(struct policy_spf_cache *c, size_t i)
{
	size_t *p = &c->bucket[hash(c->slot[i].key) % c->nbuckets];

	while (*p != i)
		p = &c->slot[*p].next;
	*p = c->slot[i].next;
	free(c->slot[i].key);
	free(c->slot[i].value);
	c->slot[i].key = c->slot[i].value = NULL;
	c->count--;
}

void policy_spf_cache_put(struct policy_spf_cache *c, const char *key,
			  const char *value)
{
	size_t i, b;

	if (strnlen(key, POLICY_SPF_CACHE_MAX_KEY + 1) >
	    POLICY_SPF_CACHE_MAX_KEY)
		return;
	i = find(c, key);
	if (i != NIL) {
		free(c->slot[i].value);
		c->slot[i].value = xstrndup(value, POLICY_SPF_CACHE_MAX_VALUE);
		return;
	}
	i = c->oldest;
	c->oldest = (c->oldest + 1) % c->size;
	if (c->slot[i].key != NULL)
		unlink_slot(c, i);
	b = hash(key) % c->nbuckets;
	c->slot[i].key = xstrdup(key);
	c->slot[i].value = xstrndup(value, POLICY_SPF_CACHE_MAX_VALUE);
	c->slot[i].next = c->bucket[b];
	c->bucket[b] = i;
	c->count++;
}

const char *policy_spf_cache_get(const struct policy_spf_cache *c,
				 const char *key)
{
	size_t i;

	if (strnlen(key, POLICY_SPF_CACHE_MAX_KEY + 1) >
	    POLICY_SPF_CACHE_MAX_KEY)
		return NULL;
	i = find(c, key);
	return i != NIL ? c->slot[i].value : NULL;
}

size_t policy_spf_cache_count(const struct policy_spf_cache *c)
{
	return c->count;
}
