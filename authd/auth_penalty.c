/*
 * auth_penalty.c - failure counters in a chained hash table with an LRU
 * list (oldest failure at the tail, dropped first when full).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth_penalty.h"
#include "sbuf.h"
#include "xalloc.h"

struct penalty_entry {
	char *key; /* "r:addr" or "u:login" */
	unsigned int count;
	time_t last;
	struct penalty_entry *hnext;	     /* bucket chain */
	struct penalty_entry *lprev, *lnext; /* LRU: head newest */
};

struct auth_penalty {
	unsigned int base, max, ttl;
	size_t max_entries, count, nbuckets;
	unsigned long long seed;
	struct penalty_entry **buckets;
	struct penalty_entry *head, *tail;
};

/* auth_penalty_new - an empty table */
struct auth_penalty *auth_penalty_new(unsigned int base, unsigned int max,
				      unsigned int ttl, size_t max_entries,
				      unsigned long long seed)
{
	struct auth_penalty *p = xcalloc(1, sizeof(*p));

	p->max_entries = max_entries > 0 ? max_entries : 1;
	p->nbuckets = 16;
	while (p->nbuckets < p->max_entries && p->nbuckets < (1u << 24))
		p->nbuckets <<= 1;
	p->buckets = xcalloc(p->nbuckets, sizeof(*p->buckets));
	p->seed = seed;
	auth_penalty_set_limits(p, base, max, ttl);
	return p;
}

/* auth_penalty_set_limits - change the delays and the lifetime */
void auth_penalty_set_limits(struct auth_penalty *p, unsigned int base,
			     unsigned int max, unsigned int ttl)
{
	p->base = base;
	p->max = max;
	p->ttl = ttl;
}

/* hash - FNV-1a, seeded so that peers cannot aim at one bucket */
static size_t hash(const struct auth_penalty *p, const char *key)
{
	uint64_t h = 14695981039346656037ULL ^ p->seed;

	for (; *key != '\0'; key++) {
		h ^= (unsigned char)*key;
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 29)) & (p->nbuckets - 1);
}

/* lru_unlink - take e out of the LRU list */
static void lru_unlink(struct auth_penalty *p, struct penalty_entry *e)
{
	if (e->lprev != NULL)
		e->lprev->lnext = e->lnext;
	else
		p->head = e->lnext;
	if (e->lnext != NULL)
		e->lnext->lprev = e->lprev;
	else
		p->tail = e->lprev;
	e->lprev = e->lnext = NULL;
}

/* lru_push - put e at the head (newest) */
static void lru_push(struct auth_penalty *p, struct penalty_entry *e)
{
	e->lprev = NULL;
	e->lnext = p->head;
	if (p->head != NULL)
		p->head->lprev = e;
	p->head = e;
	if (p->tail == NULL)
		p->tail = e;
}

/* entry_remove - unlink e from everything and free it */
static void entry_remove(struct auth_penalty *p, struct penalty_entry *e)
{
	struct penalty_entry **pp = &p->buckets[hash(p, e->key)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	lru_unlink(p, e);
	free(e->key);
	free(e);
	p->count--;
}

/* find - the entry for key; an expired one is dropped */
static struct penalty_entry *find(struct auth_penalty *p, const char *key,
				  time_t now)
{
	struct penalty_entry *e;

	for (e = p->buckets[hash(p, key)]; e != NULL; e = e->hnext)
		if (strcmp(e->key, key) == 0)
			break;
	if (e != NULL && now - e->last >= (time_t)p->ttl) {
		entry_remove(p, e);
		e = NULL;
	}
	return e;
}

/* expire - drop entries past their ttl, oldest first */
static void expire(struct auth_penalty *p, time_t now)
{
	while (p->tail != NULL && now - p->tail->last >= (time_t)p->ttl)
		entry_remove(p, p->tail);
}

/* auth_penalty_free - free every entry */
void auth_penalty_free(struct auth_penalty **pp)
{
	struct auth_penalty *p = *pp;

	if (p == NULL)
		return;
	while (p->tail != NULL)
		entry_remove(p, p->tail);
	free(p->buckets);
	free(p);
	*pp = NULL;
}

/* auth_penalty_rip_key - "r:" plus the address, IPv6 masked to /48 */
void auth_penalty_rip_key(const char *rip, struct sbuf *out)
{
	unsigned char a6[sizeof(struct in6_addr)];
	char text[INET6_ADDRSTRLEN];

	sbuf_reset(out);
	sbuf_append_str(out, "r:");
	if (strchr(rip, ':') != NULL && inet_pton(AF_INET6, rip, a6) == 1) {
		memset(a6 + 6, 0, sizeof(a6) - 6);
		if (inet_ntop(AF_INET6, a6, text, sizeof(text)) != NULL) {
			sbuf_append_str(out, text);
			return;
		}
	}
	sbuf_append_str(out, rip);
}

/* count_of - the live count for a key */
static unsigned int count_of(struct auth_penalty *p, const char *key,
			     time_t now)
{
	struct penalty_entry *e = find(p, key, now);

	return e != NULL ? e->count : 0;
}

/* delay_for - base * 2^(count - 1), capped */
static unsigned int delay_for(const struct auth_penalty *p, unsigned int c)
{
	unsigned long d;

	if (c == 0 || p->base == 0)
		return 0;
	d = (unsigned long)p->base << (c - 1 < 16 ? c - 1 : 16);
	return d > p->max ? p->max : (unsigned int)d;
}

/* auth_penalty_delay - the wait for the worse of address and login */
unsigned int auth_penalty_delay(struct auth_penalty *p, const char *rip,
				const char *login, time_t now)
{
	struct sbuf *key = sbuf_new(64);
	unsigned int c = 0, c2;

	if (rip != NULL && *rip != '\0') {
		auth_penalty_rip_key(rip, key);
		c = count_of(p, sbuf_cstr(key), now);
	}
	if (login != NULL && *login != '\0') {
		sbuf_reset(key);
		sbuf_printf(key, "u:%s", login);
		c2 = count_of(p, sbuf_cstr(key), now);
		if (c2 > c)
			c = c2;
	}
	sbuf_free(&key);
	return delay_for(p, c);
}

/* bump - one more failure for key */
static void bump(struct auth_penalty *p, const char *key, time_t now)
{
	struct penalty_entry *e = find(p, key, now);
	size_t b;

	if (e == NULL) {
		if (p->count >= p->max_entries)
			entry_remove(p, p->tail);
		e = xcalloc(1, sizeof(*e));
		e->key = xstrdup(key);
		b = hash(p, key);
		e->hnext = p->buckets[b];
		p->buckets[b] = e;
		p->count++;
	} else {
		lru_unlink(p, e);
	}
	if (e->count < AUTH_PENALTY_MAX_COUNT)
		e->count++;
	e->last = now;
	lru_push(p, e);
}

/* auth_penalty_fail - raise both counters */
void auth_penalty_fail(struct auth_penalty *p, const char *rip,
		       const char *login, time_t now)
{
	struct sbuf *key = sbuf_new(64);

	expire(p, now);
	if (rip != NULL && *rip != '\0') {
		auth_penalty_rip_key(rip, key);
		bump(p, sbuf_cstr(key), now);
	}
	if (login != NULL && *login != '\0') {
		sbuf_reset(key);
		sbuf_printf(key, "u:%s", login);
		bump(p, sbuf_cstr(key), now);
	}
	sbuf_free(&key);
}

/* forget - drop key if present */
static void forget(struct auth_penalty *p, const char *key)
{
	struct penalty_entry *e;

	for (e = p->buckets[hash(p, key)]; e != NULL; e = e->hnext)
		if (strcmp(e->key, key) == 0) {
			entry_remove(p, e);
			return;
		}
}

/* auth_penalty_success - a good login clears both counters */
void auth_penalty_success(struct auth_penalty *p, const char *rip,
			  const char *login)
{
	struct sbuf *key = sbuf_new(64);

	if (rip != NULL && *rip != '\0') {
		auth_penalty_rip_key(rip, key);
		forget(p, sbuf_cstr(key));
	}
	if (login != NULL && *login != '\0') {
		sbuf_reset(key);
		sbuf_printf(key, "u:%s", login);
		forget(p, sbuf_cstr(key));
	}
	sbuf_free(&key);
}

/* auth_penalty_count - entries held */
size_t auth_penalty_count(const struct auth_penalty *p) { return p->count; }
