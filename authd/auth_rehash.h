/*
 * auth_rehash.h - rehash-on-login (issue item 4): after a successful
 * PLAIN or LOGIN check against a weak stored scheme (pw_scheme.h's weak
 * flag: unsalted or fast digests, MD5-CRYPT, CRAM-MD5, ...), hash the
 * password again in a strong scheme (authd_rehash_scheme) and store it
 * through the passdb's update statement (authd_rehash_query; SQL
 * passdbs only, see passdb_update).
 *
 * Off unless authd_rehash_query is set. A rehash failure never changes
 * the login's result: the caller gets AUTH_REHASH_FAILED and a reason
 * to log. Neither the password nor either hash is ever put in err.
 * Note that a user rehashed away from {CRAM-MD5} can no longer use the
 * CRAM-MD5 mechanism; leave CRAM-MD5 users' rows out of the query if
 * that matters.
 *
 * Threads: auth_rehash_run blocks (hashing, SQL) and runs in the worker
 * that checked the password, on that worker's passdb handle; it touches
 * only its arguments. The password is untrusted and secret.
 */
#ifndef PW_AUTH_REHASH_H
#define PW_AUTH_REHASH_H

#include <stdbool.h>

struct sbuf;

enum auth_rehash_result {
	AUTH_REHASH_NONE,   /* not enabled, not weak, nothing to do */
	AUTH_REHASH_DONE,   /* the new hash is stored */
	AUTH_REHASH_FAILED, /* err says why; the login is unaffected */
};

/*
 * Store stored (a "{SCHEME}data" value) for login with query; 0, or -1
 * with err. Injectable for tests (passdb_update in authd).
 */
typedef int auth_update_fn(void *db, const char *query, const char *login,
			   const char *stored, struct sbuf *err);

/* Settings; borrowed, kept alive by the caller. update NULL: off. */
struct auth_rehash {
	auth_update_fn *update;
	const char *query;  /* authd_rehash_query */
	const char *scheme; /* authd_rehash_scheme: a strong scheme */
};

/*
 * auth_rehash_is_wanted - is stored (read with default_scheme, may be
 * NULL) in a scheme pw_scheme flags weak? Unknown or malformed values:
 * false.
 */
bool auth_rehash_is_wanted(const char *stored, const char *default_scheme);

/*
 * auth_rehash_run - after password (borrowed) matched stored for login:
 * if rehashing is on and stored is weak, generate rh->scheme and update
 * the passdb db. Blocking.
 */
enum auth_rehash_result auth_rehash_run(const struct auth_rehash *rh, void *db,
					const char *login, const char *password,
					const char *stored,
					const char *default_scheme,
					struct sbuf *err);

#endif
