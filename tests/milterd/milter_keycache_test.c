/* milter_keycache_test.c - key records kept for their TTL, by name */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "milter_keycache.h"
#include "sbuf.h"

#define NOW 1000000

static const char rec[] = "v=DKIM1; k=rsa; p=MIIB";

/* get - look name up at now: its status, or -1 on a miss; txt in out */
static int get(struct milter_keycache *c, const char *name, time_t now,
	       struct sbuf *out)
{
	enum dkim_verify_key st;

	if (!milter_keycache_get(c, name, now, &st, out))
		return -1;
	return (int)st;
}

Test(milter_keycache, kept_for_the_ttl_by_name_ignoring_case)
{
	struct milter_keycache *c = milter_keycache_new(64, 3600);
	struct sbuf *out = sbuf_new(0);

	cr_assert_eq(get(c, "s._domainkey.example.com", NOW, out), -1);
	milter_keycache_put(c, "s._domainkey.example.com", NOW,
			    DKIM_VERIFY_KEY_FOUND, rec, strlen(rec), 300);
	cr_assert_eq(get(c, "S._DomainKey.Example.COM", NOW + 299, out),
		     DKIM_VERIFY_KEY_FOUND);
	cr_assert_str_eq(sbuf_cstr(out), rec);
	cr_assert_eq(get(c, "t._domainkey.example.com", NOW, out), -1);
	/* the TTL is over: gone, and stays gone */
	cr_assert_eq(get(c, "s._domainkey.example.com", NOW + 300, out), -1);
	cr_assert_eq(get(c, "s._domainkey.example.com", NOW + 1, out), -1);
	milter_keycache_free(&c);
	cr_assert_null(c);
	sbuf_free(&out);
}

Test(milter_keycache, limits_on_what_is_kept)
{
	struct milter_keycache *c = milter_keycache_new(64, 600);
	struct sbuf *out = sbuf_new(0);
	char longname[MILTER_KEYCACHE_MAX_NAME + 2];

	/* the cache's own ceiling below a long TTL */
	milter_keycache_put(c, "a._domainkey.x.example", NOW,
			    DKIM_VERIFY_KEY_FOUND, rec, strlen(rec), 86400);
	cr_assert_eq(get(c, "a._domainkey.x.example", NOW + 599, out),
		     DKIM_VERIFY_KEY_FOUND);
	cr_assert_eq(get(c, "a._domainkey.x.example", NOW + 600, out), -1);
	/* no record: a minute at most, and no text */
	milter_keycache_put(c, "b._domainkey.x.example", NOW,
			    DKIM_VERIFY_KEY_NONE, NULL, 0, 3600);
	sbuf_set(out, "old");
	cr_assert_eq(get(c, "b._domainkey.x.example", NOW + 59, out),
		     DKIM_VERIFY_KEY_NONE);
	cr_assert_eq(sbuf_len(out), 0);
	cr_assert_eq(get(c, "b._domainkey.x.example",
			 NOW + MILTER_KEYCACHE_NONE_TTL, out),
		     -1);
	/* never kept: a temporary failure, TTL 0, an over-long name */
	milter_keycache_put(c, "c._domainkey.x.example", NOW,
			    DKIM_VERIFY_KEY_TEMPFAIL, NULL, 0, 300);
	cr_assert_eq(get(c, "c._domainkey.x.example", NOW, out), -1);
	milter_keycache_put(c, "d._domainkey.x.example", NOW,
			    DKIM_VERIFY_KEY_FOUND, rec, strlen(rec), 0);
	cr_assert_eq(get(c, "d._domainkey.x.example", NOW, out), -1);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	milter_keycache_put(c, longname, NOW, DKIM_VERIFY_KEY_FOUND, rec,
			    strlen(rec), 300);
	cr_assert_eq(get(c, longname, NOW, out), -1);
	milter_keycache_free(&c);
	sbuf_free(&out);
}

Test(milter_keycache, a_new_name_takes_over_the_slot)
{
	struct milter_keycache *c = milter_keycache_new(1, 3600);
	struct sbuf *out = sbuf_new(0);

	milter_keycache_put(c, "one._domainkey.example", NOW,
			    DKIM_VERIFY_KEY_FOUND, "v=DKIM1; p=1", 12, 300);
	milter_keycache_put(c, "two._domainkey.example", NOW,
			    DKIM_VERIFY_KEY_FOUND, "v=DKIM1; p=2", 12, 300);
	cr_assert_eq(get(c, "one._domainkey.example", NOW, out), -1);
	cr_assert_eq(get(c, "two._domainkey.example", NOW, out),
		     DKIM_VERIFY_KEY_FOUND);
	cr_assert_str_eq(sbuf_cstr(out), "v=DKIM1; p=2");
	/* a rotated key replaces the old text */
	milter_keycache_put(c, "two._domainkey.example", NOW + 1,
			    DKIM_VERIFY_KEY_FOUND, "v=DKIM1; p=3", 12, 300);
	cr_assert_eq(get(c, "two._domainkey.example", NOW + 2, out),
		     DKIM_VERIFY_KEY_FOUND);
	cr_assert_str_eq(sbuf_cstr(out), "v=DKIM1; p=3");
	milter_keycache_free(&c);
	sbuf_free(&out);
}

#define THREADS 4
#define ROUNDS 20000
#define NAMES 50

struct worker {
	struct milter_keycache *c;
	unsigned int seed;
	unsigned long wrong;
};

/* hammer - puts and gets from many threads: every hit must carry the
 * text that belongs to its name */
static void *hammer(void *arg)
{
	struct worker *w = arg;
	struct sbuf *out = sbuf_new(0);
	char name[64], txt[64];

	for (int i = 0; i < ROUNDS; i++) {
		int k = (int)(rand_r(&w->seed) % NAMES);

		snprintf(name, sizeof(name), "s%d._domainkey.example", k);
		snprintf(txt, sizeof(txt), "v=DKIM1; p=%d", k);
		if (get(w->c, name, NOW, out) == DKIM_VERIFY_KEY_FOUND) {
			if (strcmp(sbuf_cstr(out), txt) != 0)
				w->wrong++;
		} else {
			milter_keycache_put(w->c, name, NOW,
					    DKIM_VERIFY_KEY_FOUND, txt,
					    strlen(txt), 300);
		}
	}
	sbuf_free(&out);
	return NULL;
}

Test(milter_keycache, shared_by_threads)
{
	struct milter_keycache *c = milter_keycache_new(16, 3600);
	struct worker w[THREADS];
	pthread_t t[THREADS];

	for (int i = 0; i < THREADS; i++) {
		w[i].c = c;
		w[i].seed = (unsigned int)i + 1;
		w[i].wrong = 0;
		cr_assert_eq(pthread_create(&t[i], NULL, hammer, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		cr_assert_eq(w[i].wrong, 0, "thread %d saw a wrong record", i);
	}
	milter_keycache_free(&c);
}
