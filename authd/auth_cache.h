/*
 * auth_cache.h - an optional cache of recent password check results
 * (issue item 6; Dovecot's auth_cache_* settings, dovecot-passwords.md 5).
 *
 * What it saves is the expensive part of a login, the password hash
 * (SHA512-CRYPT, bcrypt, Argon2: milliseconds of CPU by design), not the
 * passdb lookup: every request still looks the login up, and the cache
 * only answers "this password against this stored value was checked
 * before, with this result".
 *
 * Key. An entry is found by id = HMAC-SHA256(K, login NUL password),
 * where login is the normalised login and K a random key made when the
 * cache is created (per process, never written anywhere). A different
 * password is a different entry, so a cached wrong password cannot block
 * the right one; the password and any plain hash of it are never kept.
 *
 * Invalidation. Each entry also keeps fp = HMAC-SHA256(K, stored value
 * and default scheme) of what the passdb returned when the result was
 * made ("no such user" has its own fingerprint). A hit counts only when
 * the fingerprint of the value looked up now is the same, so a changed
 * stored hash (new password, rehash, user deleted or created) is a miss,
 * even within the TTL: an old password is never accepted after the
 * stored hash changes. Positive entries live authd_cache_ttl seconds,
 * negative ones authd_cache_negative_ttl (0: never stored); expiry uses
 * a monotonic clock (injectable for tests). At most authd_cache_size
 * entries are kept; the least recently used goes first. authd clears the
 * cache (and takes new limits) on SIGHUP.
 *
 * Not cached: CRAM-MD5 (a new challenge every time) and results that are
 * not a plain match or mismatch (broken entries, outages).
 *
 * A hit answers faster than a miss, so a client can tell whether the
 * same login and password were tried in the last TTL; Dovecot's cache
 * has the same property. The failure delay and penalties still apply.
 *
 * Threads: workers call auth_cache_key (no lock: K never changes) and
 * auth_cache_lookup/store; the loop thread calls auth_cache_configure
 * and auth_cache_clear. One mutex guards the table; it is held only for
 * table operations, never while hashing. Keys are secrets: wipe them.
 */
#ifndef PW_AUTH_CACHE_H
#define PW_AUTH_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct auth_cache;

#define AUTH_CACHE_MAX_SIZE 1000000u /* entries (about 150 bytes each) */

enum auth_cache_result {
	AUTH_CACHE_MISS,
	AUTH_CACHE_POSITIVE, /* the password matched this stored value */
	AUTH_CACHE_NEGATIVE, /* it did not (or the user did not exist) */
};

/* Seconds from any fixed origin; injectable for tests. */
typedef time_t auth_cache_clock_fn(void);

/* What an entry is found and checked by; a secret (wipe it). */
struct auth_cache_key {
	unsigned char id[32]; /* HMAC(K, login NUL password) */
	unsigned char fp[32]; /* HMAC(K, stored value) */
};

/*
 * auth_cache_new - a cache of at most size entries (0: disabled until
 * auth_cache_configure says otherwise); ttl and negative_ttl in seconds
 * (0: such results are not stored). clock NULL: CLOCK_MONOTONIC. Caller
 * frees with auth_cache_free.
 */
struct auth_cache *auth_cache_new(unsigned int size, unsigned int ttl,
				  unsigned int negative_ttl,
				  auth_cache_clock_fn *clock);
void auth_cache_free(struct auth_cache **cp); /* NULL-safe */

/* auth_cache_configure - new limits; drops every entry (reload) */
void auth_cache_configure(struct auth_cache *c, unsigned int size,
			  unsigned int ttl, unsigned int negative_ttl);
/* auth_cache_clear - drop every entry */
void auth_cache_clear(struct auth_cache *c);
/* auth_cache_is_enabled - is size above 0? */
bool auth_cache_is_enabled(struct auth_cache *c);
/* auth_cache_count - entries held now (expired ones included) */
size_t auth_cache_count(struct auth_cache *c);

/*
 * auth_cache_key - fill k for login and password (borrowed) checked
 * against stored (the passdb's value, read with default_scheme, which
 * may be NULL); stored NULL means "no such user". No lock, no I/O.
 */
void auth_cache_key(const struct auth_cache *c, const char *login,
		    const char *password, const char *stored,
		    const char *default_scheme, struct auth_cache_key *k);

/*
 * auth_cache_lookup - the cached result for k->id if it has not expired
 * and was made against the same stored value (k->fp); otherwise
 * AUTH_CACHE_MISS (an entry for another stored value is dropped).
 */
enum auth_cache_result auth_cache_lookup(struct auth_cache *c,
					 const struct auth_cache_key *k);

/* auth_cache_store - remember a match (positive) or a mismatch */
void auth_cache_store(struct auth_cache *c, const struct auth_cache_key *k,
		      bool positive);

#endif
