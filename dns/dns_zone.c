/*
 * dns_zone.c - an in-memory zone behind the dns_resolver interface
 * (dns_zone.h).
 *
 * Each name keeps its items in the order they were added; a timeout
 * mark is an item too, so "types not added before the mark" is a walk
 * of the list. Lookups are linear: test zones hold a few dozen names.
 */
#include "config.h"

#include <event2/event.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "dns_impl.h"
#include "dns_zone.h"
#include "log.h"
#include "xalloc.h"

#define DNS_ZONE_MAX_CNAME 8 /* links followed before giving up */

struct dns_zone_item {
	bool timeout; /* the mark; the other fields are unused */
	enum dns_type type;
	unsigned char *data;
	size_t len;
	uint16_t pref;
	uint16_t nstrings;
};

struct dns_zone_name {
	char *name; /* without a final dot */
	size_t n, cap;
	struct dns_zone_item *items;
};

struct dns_zone {
	size_t n, cap;
	struct dns_zone_name *names;
};

struct dns_zone_query {
	struct dns_query base; /* first: dns_cancel finds the ops here */
	struct dns_zone_resolver *zr;
	struct dns_zone_query *prev, *next;
	struct event *ev;
	char *name;
	enum dns_type type;
	dns_done_fn *done;
	void *arg;
};

struct dns_zone_resolver {
	struct dns_resolver base; /* first: the interface's common part */
	const struct dns_zone *z;
	struct dns_zone_query *inflight; /* doubly linked, for free */
};

/* dns_zone_new - an empty zone */
struct dns_zone *dns_zone_new(void)
{
	return xcalloc(1, sizeof(struct dns_zone));
}

/* dns_zone_free - free every name and item */
void dns_zone_free(struct dns_zone **zp)
{
	struct dns_zone *z = *zp;

	if (z == NULL)
		return;
	for (size_t i = 0; i < z->n; i++) {
		struct dns_zone_name *zn = &z->names[i];

		for (size_t j = 0; j < zn->n; j++)
			free(zn->items[j].data);
		free(zn->items);
		free(zn->name);
	}
	free(z->names);
	free(z);
	*zp = NULL;
}

/* dns_zone_name_len - length of name without one final dot */
static size_t dns_zone_name_len(const char *name)
{
	size_t len = strlen(name);

	if (len > 0 && name[len - 1] == '.')
		len--;
	return len;
}

/* dns_zone_find - the entry for name, or NULL */
static struct dns_zone_name *dns_zone_find(const struct dns_zone *z,
					   const char *name)
{
	size_t len = dns_zone_name_len(name);

	for (size_t i = 0; i < z->n; i++) {
		struct dns_zone_name *zn = &z->names[i];

		if (strlen(zn->name) == len &&
		    strncasecmp(zn->name, name, len) == 0)
			return zn;
	}
	return NULL;
}

/* dns_zone_get - the entry for name, created when missing */
static struct dns_zone_name *dns_zone_get(struct dns_zone *z, const char *name)
{
	struct dns_zone_name *zn = dns_zone_find(z, name);

	if (zn != NULL)
		return zn;
	if (z->n == z->cap) {
		z->cap = z->cap == 0 ? 8 : z->cap * 2;
		z->names = xrealloc(z->names, z->cap * sizeof(*z->names));
	}
	zn = &z->names[z->n++];
	memset(zn, 0, sizeof(*zn));
	zn->name = xstrndup(name, dns_zone_name_len(name));
	return zn;
}

/* dns_zone_push - append an item to a name's list */
static struct dns_zone_item *dns_zone_push(struct dns_zone_name *zn)
{
	struct dns_zone_item *it;

	if (zn->n == zn->cap) {
		zn->cap = zn->cap == 0 ? 4 : zn->cap * 2;
		zn->items = xrealloc(zn->items, zn->cap * sizeof(*zn->items));
	}
	it = &zn->items[zn->n++];
	memset(it, 0, sizeof(*it));
	return it;
}

/* dns_zone_count - records of type at a name */
static size_t dns_zone_count(const struct dns_zone_name *zn, enum dns_type type)
{
	size_t n = 0;

	for (size_t i = 0; i < zn->n; i++)
		if (!zn->items[i].timeout && zn->items[i].type == type)
			n++;
	return n;
}

/* dns_zone_add - one record at name */
int dns_zone_add(struct dns_zone *z, const char *name, enum dns_type type,
		 const void *data, size_t len, uint16_t pref, uint16_t nstrings)
{
	struct dns_zone_name *zn = dns_zone_get(z, name);
	struct dns_zone_item *it;

	if (dns_zone_count(zn, type) >= DNS_MAX_RRS || len > DNS_MAX_TXT)
		return -1;
	it = dns_zone_push(zn);
	it->type = type;
	it->data = xmalloc(len + 1);
	if (len > 0)
		memcpy(it->data, data, len);
	it->data[len] = '\0';
	it->len = len;
	it->pref = pref;
	it->nstrings = nstrings;
	return 0;
}

/* dns_zone_add_name - name exists */
void dns_zone_add_name(struct dns_zone *z, const char *name)
{
	(void)dns_zone_get(z, name);
}

/* dns_zone_add_timeout - mark: types not added so far time out */
void dns_zone_add_timeout(struct dns_zone *z, const char *name)
{
	struct dns_zone_name *zn = dns_zone_get(z, name);

	dns_zone_push(zn)->timeout = true;
}

/*
 * dns_zone_lookup - walk the CNAME chain from name. At each name the
 * records of type listed before a timeout mark answer; with none, a
 * CNAME listed before the mark is followed, and a mark makes the query
 * time out; otherwise NODATA.
 */
struct dns_answer *dns_zone_lookup(const struct dns_zone *z, const char *name,
				   enum dns_type type)
{
	const struct dns_zone_name *zn = dns_zone_find(z, name);
	struct dns_answer *a;

	for (int links = 0;; links++) {
		const struct dns_zone_item *cname = NULL;
		bool timeout = false;

		if (zn == NULL)
			return dns_answer_new(DNS_NXDOMAIN, type);
		a = dns_answer_new(DNS_OK, type);
		for (size_t i = 0; i < zn->n; i++) {
			const struct dns_zone_item *it = &zn->items[i];

			if (it->timeout) {
				timeout = true;
				break;
			}
			if (it->type == type)
				(void)dns_answer_add(a, it->data, it->len,
						     it->pref, it->nstrings);
			else if (it->type == DNS_T_CNAME && cname == NULL)
				cname = it;
		}
		if (a->n > 0)
			return a;
		if (cname == NULL) {
			if (timeout)
				a->status = DNS_TEMPFAIL;
			return a;
		}
		dns_answer_free(&a);
		if (links >= DNS_ZONE_MAX_CNAME)
			return dns_answer_new(DNS_TEMPFAIL, type);
		zn = dns_zone_find(z, (const char *)cname->data);
	}
}

/* dns_zone_unlink - take q off the in-flight list */
static void dns_zone_unlink(struct dns_zone_query *q)
{
	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		q->zr->inflight = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	q->prev = q->next = NULL;
}

/* dns_zone_query_free - release one query */
static void dns_zone_query_free(struct dns_zone_query *q)
{
	if (q->ev != NULL)
		event_free(q->ev);
	free(q->name);
	free(q);
}

/* dns_zone_on_answer - the loop came round: answer and forget q */
static void dns_zone_on_answer(evutil_socket_t fd, short what, void *arg)
{
	struct dns_zone_query *q = arg;
	dns_done_fn *done = q->done;
	void *done_arg = q->arg;
	struct dns_answer *a;

	(void)fd;
	(void)what;
	dns_zone_unlink(q);
	a = dns_zone_lookup(q->zr->z, q->name, q->type);
	/* free first: done may start, cancel or free other queries */
	dns_zone_query_free(q);
	done(done_arg, a);
	dns_answer_free(&a);
}

/* dns_zone_resolve - queue an answer for the next loop turn */
static struct dns_query *dns_zone_resolve(struct dns_resolver *r,
					  const char *name, enum dns_type type,
					  dns_done_fn *done, void *arg)
{
	struct dns_zone_resolver *zr = (struct dns_zone_resolver *)r;
	struct dns_zone_query *q = xcalloc(1, sizeof(*q));
	static const struct timeval now = {0, 0};

	q->base.r = r;
	q->zr = zr;
	q->name = xstrdup(name);
	q->type = type;
	q->done = done;
	q->arg = arg;
	q->next = zr->inflight;
	if (q->next != NULL)
		q->next->prev = q;
	zr->inflight = q;
	/* a zero timeout: the answer comes on the next loop turn */
	q->ev = evtimer_new(r->base, dns_zone_on_answer, q);
	if (q->ev == NULL || evtimer_add(q->ev, &now) < 0)
		log_fatal("dns_zone: cannot add a timer event");
	return &q->base;
}

/* dns_zone_cancel - forget q; its done will not run */
static void dns_zone_cancel(struct dns_query *dq)
{
	struct dns_zone_query *q = (struct dns_zone_query *)dq;

	dns_zone_unlink(q);
	dns_zone_query_free(q);
}

/* dns_zone_resolver_free - cancel what is in flight, then free */
static void dns_zone_resolver_free(struct dns_resolver *r)
{
	struct dns_zone_resolver *zr = (struct dns_zone_resolver *)r;

	while (zr->inflight != NULL)
		dns_zone_cancel(&zr->inflight->base);
	free(zr);
}

static const struct dns_resolver_ops dns_zone_ops = {
    .resolve = dns_zone_resolve,
    .cancel = dns_zone_cancel,
    .free = dns_zone_resolver_free,
};

/* dns_zone_resolver - a resolver answering from z */
struct dns_resolver *dns_zone_resolver(struct event_base *base,
				       const struct dns_zone *z)
{
	struct dns_zone_resolver *zr = xcalloc(1, sizeof(*zr));

	zr->base.ops = &dns_zone_ops;
	zr->base.base = base;
	zr->z = z;
	return &zr->base;
}
