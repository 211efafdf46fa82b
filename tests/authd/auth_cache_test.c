/* auth_cache_test.c - the result cache, alone and inside a verification */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "auth_cache.h"
#include "auth_request.h"
#include "pw_scheme.h"
#include "sbuf.h"
#include "xalloc.h"

/* an injectable clock */
static time_t now = 1000;

static time_t fake_clock(void)
{
	return now;
}

/* key - the key for login/password against stored */
static struct auth_cache_key key(struct auth_cache *c, const char *login,
				 const char *pw, const char *stored)
{
	struct auth_cache_key k;

	auth_cache_key(c, login, pw, stored, "PLAIN", &k);
	return k;
}

Test(auth_cache, disabled_when_size_is_zero)
{
	struct auth_cache *c = auth_cache_new(0, 60, 60, fake_clock);
	struct auth_cache_key k = key(c, "a", "pw", "{X}1");

	cr_assert_not(auth_cache_is_enabled(c));
	auth_cache_store(c, &k, true);
	cr_assert_eq(auth_cache_lookup(c, &k), AUTH_CACHE_MISS);
	cr_assert_eq(auth_cache_count(c), 0);
	auth_cache_free(&c);
	cr_assert_null(c);
}

Test(auth_cache, positive_and_negative_are_per_password)
{
	struct auth_cache *c = auth_cache_new(16, 60, 60, fake_clock);
	struct auth_cache_key good = key(c, "a", "right", "{X}1");
	struct auth_cache_key bad = key(c, "a", "wrong", "{X}1");
	struct auth_cache_key other = key(c, "b", "right", "{X}1");

	cr_assert_eq(auth_cache_lookup(c, &good), AUTH_CACHE_MISS);
	/* a cached wrong password does not block the right one */
	auth_cache_store(c, &bad, false);
	cr_assert_eq(auth_cache_lookup(c, &bad), AUTH_CACHE_NEGATIVE);
	cr_assert_eq(auth_cache_lookup(c, &good), AUTH_CACHE_MISS);
	auth_cache_store(c, &good, true);
	cr_assert_eq(auth_cache_lookup(c, &good), AUTH_CACHE_POSITIVE);
	cr_assert_eq(auth_cache_lookup(c, &bad), AUTH_CACHE_NEGATIVE);
	/* the same password of another login is another entry */
	cr_assert_eq(auth_cache_lookup(c, &other), AUTH_CACHE_MISS);
	cr_assert_neq(memcmp(good.id, other.id, sizeof(good.id)), 0);
	cr_assert_eq(auth_cache_count(c), 2);
	auth_cache_free(&c);
}

Test(auth_cache, key_is_keyed_per_cache)
{
	struct auth_cache *c1 = auth_cache_new(4, 60, 60, fake_clock);
	struct auth_cache *c2 = auth_cache_new(4, 60, 60, fake_clock);
	struct auth_cache_key k1 = key(c1, "a", "pw", "{X}1");
	struct auth_cache_key k2 = key(c2, "a", "pw", "{X}1");
	struct auth_cache_key nouser;

	/* a random key per cache: no plain hash of the password */
	cr_assert_neq(memcmp(k1.id, k2.id, sizeof(k1.id)), 0);
	auth_cache_key(c1, "a", "pw", NULL, NULL, &nouser);
	cr_assert_eq(memcmp(k1.id, nouser.id, sizeof(k1.id)), 0);
	cr_assert_neq(memcmp(k1.fp, nouser.fp, sizeof(k1.fp)), 0);
	auth_cache_free(&c1);
	auth_cache_free(&c2);
}

Test(auth_cache, stored_hash_changed_is_a_miss)
{
	struct auth_cache *c = auth_cache_new(16, 3600, 3600, fake_clock);
	struct auth_cache_key old = key(c, "a", "old", "{PLAIN}old");
	struct auth_cache_key now_stored = key(c, "a", "old", "{PLAIN}new");

	auth_cache_store(c, &old, true);
	cr_assert_eq(auth_cache_lookup(c, &old), AUTH_CACHE_POSITIVE);
	/* same login and password, the passdb now says something else */
	cr_assert_eq(auth_cache_lookup(c, &now_stored), AUTH_CACHE_MISS);
	/* and the stale entry is gone */
	cr_assert_eq(auth_cache_count(c), 0);
	cr_assert_eq(auth_cache_lookup(c, &old), AUTH_CACHE_MISS);
	auth_cache_free(&c);
}

Test(auth_cache, ttl_expiry)
{
	struct auth_cache *c = auth_cache_new(16, 60, 10, fake_clock);
	struct auth_cache_key pos = key(c, "a", "p", "{X}1");
	struct auth_cache_key neg = key(c, "a", "n", "{X}1");

	now = 1000;
	auth_cache_store(c, &pos, true);
	auth_cache_store(c, &neg, false);
	now = 1009;
	cr_assert_eq(auth_cache_lookup(c, &neg), AUTH_CACHE_NEGATIVE);
	now = 1010;
	cr_assert_eq(auth_cache_lookup(c, &neg), AUTH_CACHE_MISS);
	cr_assert_eq(auth_cache_lookup(c, &pos), AUTH_CACHE_POSITIVE);
	now = 1060;
	cr_assert_eq(auth_cache_lookup(c, &pos), AUTH_CACHE_MISS);
	cr_assert_eq(auth_cache_count(c), 0);
	/* negative TTL 0: mismatches are not kept */
	auth_cache_configure(c, 16, 60, 0);
	auth_cache_store(c, &neg, false);
	cr_assert_eq(auth_cache_lookup(c, &neg), AUTH_CACHE_MISS);
	auth_cache_free(&c);
}

Test(auth_cache, size_bound_drops_least_recently_used)
{
	struct auth_cache *c = auth_cache_new(3, 60, 60, fake_clock);
	struct auth_cache_key k[5];
	char pw[8];
	int i;

	for (i = 0; i < 5; i++) {
		snprintf(pw, sizeof(pw), "pw%d", i);
		k[i] = key(c, "a", pw, "{X}1");
	}
	auth_cache_store(c, &k[0], true);
	auth_cache_store(c, &k[1], true);
	auth_cache_store(c, &k[2], true);
	/* touch 0: now 1 is the least recently used */
	cr_assert_eq(auth_cache_lookup(c, &k[0]), AUTH_CACHE_POSITIVE);
	auth_cache_store(c, &k[3], true);
	cr_assert_eq(auth_cache_count(c), 3);
	cr_assert_eq(auth_cache_lookup(c, &k[1]), AUTH_CACHE_MISS);
	cr_assert_eq(auth_cache_lookup(c, &k[0]), AUTH_CACHE_POSITIVE);
	cr_assert_eq(auth_cache_lookup(c, &k[2]), AUTH_CACHE_POSITIVE);
	cr_assert_eq(auth_cache_lookup(c, &k[3]), AUTH_CACHE_POSITIVE);
	/* storing the same key again replaces, it does not add */
	auth_cache_store(c, &k[3], false);
	cr_assert_eq(auth_cache_count(c), 3);
	cr_assert_eq(auth_cache_lookup(c, &k[3]), AUTH_CACHE_NEGATIVE);
	auth_cache_store(c, &k[4], true);
	cr_assert_eq(auth_cache_count(c), 3);
	cr_assert_eq(auth_cache_lookup(c, &k[0]), AUTH_CACHE_MISS);
	auth_cache_free(&c);
}

Test(auth_cache, clear_and_reconfigure)
{
	struct auth_cache *c = auth_cache_new(8, 60, 60, fake_clock);
	struct auth_cache_key k = key(c, "a", "pw", "{X}1");

	auth_cache_store(c, &k, true);
	auth_cache_clear(c);
	cr_assert_eq(auth_cache_count(c), 0);
	cr_assert_eq(auth_cache_lookup(c, &k), AUTH_CACHE_MISS);
	auth_cache_configure(c, 0, 60, 60);
	cr_assert_not(auth_cache_is_enabled(c));
	auth_cache_configure(c, 2, 60, 60);
	auth_cache_store(c, &k, true);
	cr_assert_eq(auth_cache_lookup(c, &k), AUTH_CACHE_POSITIVE);
	auth_cache_free(&c);
}

/* --- inside auth_request_verify, over a passdb we can change --- */

static char stored_pw[256];
static unsigned int lookups;

static enum passdb_result one_user(void *db, const char *login,
				   struct passdb_entry *e, struct sbuf *err)
{
	(void)db;
	(void)err;
	lookups++;
	if (strcmp(login, "alice@example.com") != 0 || stored_pw[0] == '\0')
		return PASSDB_NOUSER;
	sbuf_append_str(e->password, stored_pw);
	return PASSDB_FOUND;
}

/* set_stored - the user's stored value: SHA512-CRYPT of pw, or none */
static void set_stored(const char *pw)
{
	struct sbuf *out = sbuf_new(0), *err = sbuf_new(0);

	stored_pw[0] = '\0';
	if (pw != NULL) {
		cr_assert_eq(pw_scheme_generate("SHA512-CRYPT", pw, NULL, 0,
						out, err),
			     0);
		snprintf(stored_pw, sizeof(stored_pw), "%s", sbuf_cstr(out));
	}
	sbuf_free(&out);
	sbuf_free(&err);
}

/* login - one PLAIN verification; result and whether it was cached */
static enum auth_verify_result login(const struct auth_verify_ctx *ctx,
				     const char *pw, bool *hit_r)
{
	struct auth_verify *v = auth_verify_new();
	enum auth_verify_result r;

	v->kind = AUTH_MECH_PLAIN;
	v->login = xstrdup("alice@example.com");
	v->password = xstrdup(pw);
	auth_request_verify(ctx, NULL, v);
	r = v->result;
	*hit_r = v->cache_hit;
	auth_verify_free(&v);
	return r;
}

Test(auth_cache, verify_never_accepts_an_old_password)
{
	struct auth_cache *c = auth_cache_new(64, 3600, 3600, fake_clock);
	struct auth_verify_ctx ctx = {
	    .lookup = one_user,
	    .dummy_hash = "{PLAIN}dummy",
	    .cache = c,
	};
	bool hit;

	set_stored("old secret");
	lookups = 0;
	cr_assert_eq(login(&ctx, "old secret", &hit), AUTH_VERIFY_OK);
	cr_assert_not(hit);
	cr_assert_eq(login(&ctx, "old secret", &hit), AUTH_VERIFY_OK);
	cr_assert(hit);
	cr_assert_eq(lookups, 2, "the lookup runs on every hit");
	cr_assert_eq(login(&ctx, "guess", &hit), AUTH_VERIFY_FAIL);
	cr_assert_not(hit);
	cr_assert_eq(login(&ctx, "guess", &hit), AUTH_VERIFY_FAIL);
	cr_assert(hit);

	/* the password changes in the passdb, well within the TTL */
	set_stored("new secret");
	cr_assert_eq(login(&ctx, "old secret", &hit), AUTH_VERIFY_FAIL);
	cr_assert_not(hit);
	cr_assert_eq(login(&ctx, "new secret", &hit), AUTH_VERIFY_OK);
	cr_assert_not(hit);
	cr_assert_eq(login(&ctx, "new secret", &hit), AUTH_VERIFY_OK);
	cr_assert(hit);

	/* the user is deleted: the cached OK is worthless */
	set_stored(NULL);
	cr_assert_eq(login(&ctx, "new secret", &hit), AUTH_VERIFY_FAIL);
	cr_assert_not(hit);
	cr_assert_eq(login(&ctx, "new secret", &hit), AUTH_VERIFY_FAIL);
	cr_assert(hit, "unknown users are cached as misses too");
	/* and created again with that password: a miss, then OK */
	set_stored("new secret");
	cr_assert_eq(login(&ctx, "new secret", &hit), AUTH_VERIFY_OK);
	cr_assert_not(hit);
	auth_cache_free(&c);
}

Test(auth_cache, verify_without_cache_or_for_cram_md5)
{
	struct auth_cache *c = auth_cache_new(64, 3600, 3600, fake_clock);
	struct auth_verify_ctx ctx = {
	    .lookup = one_user,
	    .dummy_hash = "{PLAIN}dummy",
	    .cache = NULL,
	};
	struct auth_verify *v;
	bool hit;

	set_stored("pw");
	cr_assert_eq(login(&ctx, "pw", &hit), AUTH_VERIFY_OK);
	cr_assert_eq(login(&ctx, "pw", &hit), AUTH_VERIFY_OK);
	cr_assert_not(hit);
	/* CRAM-MD5 answers differ every time: never cached */
	ctx.cache = c;
	snprintf(stored_pw, sizeof(stored_pw), "{PLAIN}tanstaaftanstaaf");
	v = auth_verify_new();
	v->kind = AUTH_MECH_CRAM_MD5;
	v->login = xstrdup("alice@example.com");
	v->cram_challenge =
	    xstrdup("<1896.697170952@postoffice.reston.mci.net>");
	v->cram_response = xstrdup("b913a602c7eda7a495b4e6e7334d3890");
	auth_request_verify(&ctx, NULL, v);
	cr_assert_eq(v->result, AUTH_VERIFY_OK);
	auth_verify_free(&v);
	cr_assert_eq(auth_cache_count(c), 0);
	auth_cache_free(&c);
}
