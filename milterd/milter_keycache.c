/* milter_keycache.c - DKIM key records looked up lately, by name */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "milter_keycache.h"
#include "sbuf.h"
#include "xalloc.h"

struct milter_keycache_slot {
	char *name; /* NULL: empty */
	enum dkim_verify_key status;
	unsigned char *txt;
	size_t len;
	time_t expires;
};

struct milter_keycache {
	pthread_mutex_t mu;
	size_t n;
	unsigned int max_ttl;
	struct milter_keycache_slot *slot;
};

/* milter_keycache_new - an empty cache */
struct milter_keycache *milter_keycache_new(size_t slots,
					    unsigned int max_ttl)
{
	struct milter_keycache *c = xcalloc(1, sizeof(*c));

	pthread_mutex_init(&c->mu, NULL);
	c->n = slots > 0 ? slots : 1;
	c->max_ttl = max_ttl;
	c->slot = xcalloc(c->n, sizeof(*c->slot));
	return c;
}

/* milter_keycache_clear - empty one slot */
static void milter_keycache_clear(struct milter_keycache_slot *s)
{
	free(s->name);
	free(s->txt);
	memset(s, 0, sizeof(*s));
}

/* milter_keycache_free - every slot, then the cache */
void milter_keycache_free(struct milter_keycache **cp)
{
	struct milter_keycache *c = *cp;

	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		milter_keycache_clear(&c->slot[i]);
	free(c->slot);
	pthread_mutex_destroy(&c->mu);
	free(c);
	*cp = NULL;
}

/* milter_keycache_slot - the slot of name: FNV-1a over its lower case */
static struct milter_keycache_slot *milter_keycache_slot(
    struct milter_keycache *c, const char *name)
{
	uint64_t h = 14695981039346656037ull;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		unsigned char ch = *p >= 'A' && *p <= 'Z' ? *p + 32 : *p;

		h = (h ^ ch) * 1099511628211ull;
	}
	return &c->slot[h % c->n];
}

/* milter_keycache_get - a fresh answer for name, if there is one */
bool milter_keycache_get(struct milter_keycache *c, const char *name,
			 time_t now, enum dkim_verify_key *status_r,
			 struct sbuf *txt)
{
	struct milter_keycache_slot *s;
	bool hit = false;

	pthread_mutex_lock(&c->mu);
	s = milter_keycache_slot(c, name);
	if (s->name != NULL && strcasecmp(s->name, name) == 0) {
		if (now < s->expires) {
			hit = true;
			*status_r = s->status;
			sbuf_reset(txt);
			if (s->status == DKIM_VERIFY_KEY_FOUND)
				sbuf_append(txt, s->txt, s->len);
		} else {
			milter_keycache_clear(s);
		}
	}
	pthread_mutex_unlock(&c->mu);
	return hit;
}

/* milter_keycache_put - remember a lookup's answer for its TTL */
void milter_keycache_put(struct milter_keycache *c, const char *name,
			 time_t now, enum dkim_verify_key status,
			 const void *txt, size_t n, unsigned int ttl)
{
	struct milter_keycache_slot *s;
	unsigned int keep = ttl < c->max_ttl ? ttl : c->max_ttl;

	if (status == DKIM_VERIFY_KEY_NONE && keep > MILTER_KEYCACHE_NONE_TTL)
		keep = MILTER_KEYCACHE_NONE_TTL;
	if (status == DKIM_VERIFY_KEY_TEMPFAIL || keep == 0 ||
	    strlen(name) > MILTER_KEYCACHE_MAX_NAME)
		return;
	pthread_mutex_lock(&c->mu);
	s = milter_keycache_slot(c, name);
	milter_keycache_clear(s);
	s->name = xstrdup(name);
	s->status = status;
	if (status == DKIM_VERIFY_KEY_FOUND) {
		s->txt = xmalloc(n > 0 ? n : 1);
		memcpy(s->txt, txt, n);
		s->len = n;
	}
	s->expires = now + (time_t)keep;
	pthread_mutex_unlock(&c->mu);
}
