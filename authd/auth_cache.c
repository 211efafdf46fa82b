/*
 * auth_cache.c - recent password check results: a chained hash table on
 * the keyed id, an LRU list, one mutex (see auth_cache.h).
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "auth_cache.h"
#include "log.h"
#include "sbuf.h"
#include "xalloc.h"

#define AUTH_CACHE_KEY_LEN 32
#define AUTH_CACHE_MIN_BUCKETS 16u

struct cache_entry {
	unsigned char id[32];
	unsigned char fp[32];
	bool positive;
	time_t expires;
	struct cache_entry *hnext;	     /* bucket chain */
	struct cache_entry *newer, *older; /* LRU list */
};

struct auth_cache {
	pthread_mutex_t lock;
	unsigned char key[AUTH_CACHE_KEY_LEN]; /* K: never changes */
	auth_cache_clock_fn *clock;
	/* under lock */
	unsigned int size, ttl, negative_ttl;
	struct cache_entry **buckets;
	size_t nbuckets; /* a power of two, or 0 when disabled */
	size_t count;
	struct cache_entry *newest, *oldest;
};

/* monotonic_now - the default clock */
static time_t monotonic_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		log_panic("auth cache: clock_gettime(CLOCK_MONOTONIC) failed");
	return ts.tv_sec;
}

/* lru_unlink - take e out of the LRU list */
static void lru_unlink(struct auth_cache *c, struct cache_entry *e)
{
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	e->newer = e->older = NULL;
}

/* lru_push - make e the newest */
static void lru_push(struct auth_cache *c, struct cache_entry *e)
{
	e->newer = NULL;
	e->older = c->newest;
	if (c->newest != NULL)
		c->newest->newer = e;
	c->newest = e;
	if (c->oldest == NULL)
		c->oldest = e;
}

/* bucket_of - the chain for id; the id is a keyed MAC, so any bits are
 * as good as a hash and a client cannot aim at one bucket */
static struct cache_entry **bucket_of(struct auth_cache *c,
				      const unsigned char *id)
{
	uint64_t h;

	memcpy(&h, id, sizeof(h));
	return &c->buckets[h & (c->nbuckets - 1)];
}

/* entry_remove - unlink e everywhere and free it */
static void entry_remove(struct auth_cache *c, struct cache_entry *e)
{
	struct cache_entry **pp;

	for (pp = bucket_of(c, e->id); *pp != e; pp = &(*pp)->hnext)
		if (*pp == NULL)
			log_panic("auth cache: entry not in its bucket");
	*pp = e->hnext;
	lru_unlink(c, e);
	c->count--;
	wipe_bytes(e, sizeof(*e));
	free(e);
}

/* drop_all - free every entry and the buckets (under lock) */
static void drop_all(struct auth_cache *c)
{
	while (c->oldest != NULL)
		entry_remove(c, c->oldest);
	free(c->buckets);
	c->buckets = NULL;
	c->nbuckets = 0;
}

/* set_limits - new limits on an empty table (under lock) */
static void set_limits(struct auth_cache *c, unsigned int size,
		       unsigned int ttl, unsigned int negative_ttl)
{
	size_t n = AUTH_CACHE_MIN_BUCKETS;

	if (size > AUTH_CACHE_MAX_SIZE)
		size = AUTH_CACHE_MAX_SIZE;
	c->size = size;
	c->ttl = ttl;
	c->negative_ttl = negative_ttl;
	if (size == 0)
		return;
	while (n < size) /* about one entry per bucket when full */
		n <<= 1;
	c->buckets = xcalloc(n, sizeof(*c->buckets));
	c->nbuckets = n;
}

/* auth_cache_new - a cache with a fresh random key */
struct auth_cache *auth_cache_new(unsigned int size, unsigned int ttl,
				  unsigned int negative_ttl,
				  auth_cache_clock_fn *clock)
{
	struct auth_cache *c = xcalloc(1, sizeof(*c));

	if (RAND_bytes(c->key, sizeof(c->key)) != 1)
		log_fatal("auth cache: no random bytes for the cache key");
	if (pthread_mutex_init(&c->lock, NULL) != 0)
		log_panic("auth cache: pthread_mutex_init failed");
	c->clock = clock != NULL ? clock : monotonic_now;
	set_limits(c, size, ttl, negative_ttl);
	return c;
}

/* auth_cache_free - drop everything, wipe the key */
void auth_cache_free(struct auth_cache **cp)
{
	struct auth_cache *c = *cp;

	if (c == NULL)
		return;
	drop_all(c);
	pthread_mutex_destroy(&c->lock);
	wipe_bytes(c->key, sizeof(c->key));
	free(c);
	*cp = NULL;
}

/* auth_cache_configure - new limits, empty table */
void auth_cache_configure(struct auth_cache *c, unsigned int size,
			  unsigned int ttl, unsigned int negative_ttl)
{
	pthread_mutex_lock(&c->lock);
	drop_all(c);
	set_limits(c, size, ttl, negative_ttl);
	pthread_mutex_unlock(&c->lock);
}

/* auth_cache_clear - same limits, empty table */
void auth_cache_clear(struct auth_cache *c)
{
	auth_cache_configure(c, c->size, c->ttl, c->negative_ttl);
}

/* auth_cache_is_enabled - size above 0? */
bool auth_cache_is_enabled(struct auth_cache *c)
{
	bool on;

	pthread_mutex_lock(&c->lock);
	on = c->size > 0;
	pthread_mutex_unlock(&c->lock);
	return on;
}

/* auth_cache_count - entries now */
size_t auth_cache_count(struct auth_cache *c)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->count;
	pthread_mutex_unlock(&c->lock);
	return n;
}

/* mac - HMAC-SHA256(K, tag a NUL b) into out; the tag separates the
 * two uses of K */
static void mac(const struct auth_cache *c, char tag, const char *a,
		const char *b, unsigned char out[32])
{
	struct sbuf *in = sbuf_new(128);
	unsigned int len = 0;

	sbuf_putc(in, tag);
	sbuf_append_str(in, a);
	sbuf_putc(in, '\0');
	sbuf_append_str(in, b);
	if (HMAC(EVP_sha256(), c->key, (int)sizeof(c->key), sbuf_data(in),
		 sbuf_len(in), out, &len) == NULL ||
	    len != 32)
		log_panic("auth cache: HMAC-SHA256 failed");
	sbuf_free_secret(&in);
}

/* auth_cache_key - id from login and password, fp from the stored value */
void auth_cache_key(const struct auth_cache *c, const char *login,
		    const char *password, const char *stored,
		    const char *default_scheme, struct auth_cache_key *k)
{
	mac(c, 'I', login, password, k->id);
	if (stored == NULL)
		mac(c, 'N', "", "", k->fp); /* no such user */
	else
		mac(c, 'S', default_scheme != NULL ? default_scheme : "",
		    stored, k->fp);
}

/* find - the entry for id, or NULL (under lock) */
static struct cache_entry *find(struct auth_cache *c, const unsigned char *id)
{
	struct cache_entry *e;

	for (e = *bucket_of(c, id); e != NULL; e = e->hnext)
		if (memcmp(e->id, id, sizeof(e->id)) == 0)
			return e;
	return NULL;
}

/* auth_cache_lookup - a fresh result for the same stored value */
enum auth_cache_result auth_cache_lookup(struct auth_cache *c,
					 const struct auth_cache_key *k)
{
	enum auth_cache_result r = AUTH_CACHE_MISS;
	struct cache_entry *e;

	pthread_mutex_lock(&c->lock);
	if (c->size == 0 || (e = find(c, k->id)) == NULL)
		goto out;
	if (c->clock() >= e->expires ||
	    memcmp(e->fp, k->fp, sizeof(e->fp)) != 0) {
		/* stale, or the stored value changed since */
		entry_remove(c, e);
		goto out;
	}
	lru_unlink(c, e);
	lru_push(c, e);
	r = e->positive ? AUTH_CACHE_POSITIVE : AUTH_CACHE_NEGATIVE;
out:
	pthread_mutex_unlock(&c->lock);
	return r;
}

/* auth_cache_store - insert or replace; the oldest goes when full */
void auth_cache_store(struct auth_cache *c, const struct auth_cache_key *k,
		      bool positive)
{
	struct cache_entry *e, **b;
	unsigned int ttl;

	pthread_mutex_lock(&c->lock);
	ttl = positive ? c->ttl : c->negative_ttl;
	if (c->size == 0 || ttl == 0)
		goto out;
	if ((e = find(c, k->id)) != NULL)
		entry_remove(c, e);
	while (c->count >= c->size)
		entry_remove(c, c->oldest);
	e = xcalloc(1, sizeof(*e));
	memcpy(e->id, k->id, sizeof(e->id));
	memcpy(e->fp, k->fp, sizeof(e->fp));
	e->positive = positive;
	e->expires = c->clock() + (time_t)ttl;
	b = bucket_of(c, e->id);
	e->hnext = *b;
	*b = e;
	lru_push(c, e);
	c->count++;
out:
	pthread_mutex_unlock(&c->lock);
}
