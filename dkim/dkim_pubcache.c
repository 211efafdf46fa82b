/* dkim_pubcache.c - public keys decoded lately, by their p= bytes */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dkim_crypto.h"
#include "dkim_pubcache.h"
#include "xalloc.h"

struct dkim_pubcache_slot {
	enum dkim_keytype type;
	unsigned char *der; /* NULL: empty */
	size_t len;
	struct dkim_crypto_key *key;
};

static pthread_mutex_t dkim_pubcache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct dkim_pubcache_slot dkim_pubcache_slot[DKIM_PUBCACHE_SLOTS];
static unsigned long dkim_pubcache_nhits;

/* dkim_pubcache_index - the slot of a key: FNV-1a over type and bytes */
static size_t dkim_pubcache_index(enum dkim_keytype type,
				  const unsigned char *p, size_t n)
{
	uint64_t h = 14695981039346656037ull ^ (uint64_t)type;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return (size_t)(h % DKIM_PUBCACHE_SLOTS);
}

/* dkim_pubcache_empty - forget one slot (lock held) */
static void dkim_pubcache_empty(struct dkim_pubcache_slot *s)
{
	free(s->der);
	dkim_crypto_key_free(&s->key);
	memset(s, 0, sizeof(*s));
}

/* dkim_pubcache_key - from the cache, or decoded and then kept */
int dkim_pubcache_key(enum dkim_keytype type, const unsigned char *p,
		      size_t n, struct dkim_crypto_key **key_r,
		      struct sbuf *err)
{
	struct dkim_pubcache_slot *s;
	struct dkim_crypto_key *key;

	if (n == 0 || n > DKIM_PUBCACHE_MAX_KEY)
		return dkim_crypto_key_public(type, p, n, key_r, err);
	s = &dkim_pubcache_slot[dkim_pubcache_index(type, p, n)];
	pthread_mutex_lock(&dkim_pubcache_mu);
	if (s->der != NULL && s->type == type && s->len == n &&
	    memcmp(s->der, p, n) == 0) {
		*key_r = dkim_crypto_key_dup(s->key);
		dkim_pubcache_nhits++;
		pthread_mutex_unlock(&dkim_pubcache_mu);
		return 0;
	}
	pthread_mutex_unlock(&dkim_pubcache_mu);
	/* decode outside the lock: it is the slow part */
	if (dkim_crypto_key_public(type, p, n, &key, err) < 0) {
		*key_r = NULL;
		return -1;
	}
	pthread_mutex_lock(&dkim_pubcache_mu);
	dkim_pubcache_empty(s);
	s->type = type;
	s->der = xmalloc(n);
	memcpy(s->der, p, n);
	s->len = n;
	s->key = dkim_crypto_key_dup(key);
	pthread_mutex_unlock(&dkim_pubcache_mu);
	*key_r = key;
	return 0;
}

/* dkim_pubcache_hits - answers from the cache so far */
unsigned long dkim_pubcache_hits(void)
{
	unsigned long n;

	pthread_mutex_lock(&dkim_pubcache_mu);
	n = dkim_pubcache_nhits;
	pthread_mutex_unlock(&dkim_pubcache_mu);
	return n;
}

/* dkim_pubcache_clear - forget every key */
void dkim_pubcache_clear(void)
{
	pthread_mutex_lock(&dkim_pubcache_mu);
	for (size_t i = 0; i < DKIM_PUBCACHE_SLOTS; i++)
		dkim_pubcache_empty(&dkim_pubcache_slot[i]);
	dkim_pubcache_nhits = 0;
	pthread_mutex_unlock(&dkim_pubcache_mu);
}
