/*
 * auth_request.h - what happens to one login between the mechanism and
 * the reply: the login name is normalised (Dovecot auth_username_format),
 * then a worker looks it up and verifies the password (auth_request_
 * verify). The connection layer (auth_server.c) owns timers and replies.
 *
 * auth_request_username and auth_request_login_is_valid are pure.
 * auth_request_verify blocks (passdb lookup, password hashing): call it
 * from a worker thread; it touches only its arguments, so it is
 * thread-safe for distinct struct auth_verify. Credentials in struct
 * auth_verify are secrets: auth_verify_free wipes them. Errors in
 * v->err never contain a password or a stored hash.
 */
#ifndef PW_AUTH_REQUEST_H
#define PW_AUTH_REQUEST_H

#include <stdbool.h>

#include "auth_mech.h"
#include "auth_passdb.h"
#include "auth_rehash.h"

struct sbuf;
struct auth_cache;

#define AUTH_REQUEST_MAX_LOGIN 255 /* bytes, after normalisation */

/*
 * auth_request_username - replace out with login formatted by format
 * (Dovecot auth_username_format subset: %u whole login, %n the part
 * before "@", %d the part after it, an "L" between "%" and the letter
 * lower-cases (ASCII), %% a "%"). realm, when not empty, is appended as
 * "@realm" to a login without "@" first (Dovecot auth_default_realm).
 * -1 with err for a bad format.
 */
int auth_request_username(const char *format, const char *realm,
			  const char *login, struct sbuf *out,
			  struct sbuf *err);

/*
 * auth_request_login_is_valid - may this login go to a passdb and back
 * to Postfix in user=? Not empty, at most AUTH_REQUEST_MAX_LOGIN bytes,
 * no control characters (Postfix does not unescape, and \001 would be
 * our escape byte) and valid UTF-8.
 */
bool auth_request_login_is_valid(const char *login);

enum auth_verify_result {
	AUTH_VERIFY_OK,
	AUTH_VERIFY_FAIL,     /* wrong password, unknown user, not allowed */
	AUTH_VERIFY_TEMPFAIL, /* backend down or broken entry: never OK */
};

/* The passdb lookup, injectable for tests (passdb_lookup in authd). */
typedef enum passdb_result auth_lookup_fn(void *db, const char *login,
					  struct passdb_entry *e,
					  struct sbuf *err);

/*
 * Settings a verification needs; the caller keeps them alive and
 * unchanged while jobs run (the server swaps whole copies on reload).
 */
struct auth_verify_ctx {
	auth_lookup_fn *lookup;
	const char *default_scheme; /* NULL: the passdb's own */
	const char *dummy_hash;	    /* verified for unknown users */
	struct auth_cache *cache;   /* NULL: none (auth_cache.h) */
	struct auth_rehash rehash;  /* update NULL: off (auth_rehash.h) */
	/* a db whose lookups never block (an in-memory passwd-file), for
	 * auth_request_verify_inline in the event loop; NULL: none */
	void *loop_db;
};

struct auth_verify {
	/* in: normalised names; secrets are owned and wiped */
	enum auth_mech_kind kind;
	char *login;	      /* whose password is checked */
	char *authzid;	      /* master login: act as this user; or NULL */
	char *password;	      /* PLAIN, LOGIN */
	char *cram_challenge; /* CRAM-MD5 */
	char *cram_response;
	/* out */
	enum auth_verify_result result;
	bool unknown_user; /* for the log: FAIL looks the same either way */
	bool cache_hit;	   /* answered from ctx->cache */
	struct sbuf *user; /* OK: user= value */
	struct sbuf *err;  /* TEMPFAIL: why, for the log */
	enum auth_rehash_result rehash; /* OK: what rehash-on-login did */
	struct sbuf *rehash_err;	/* AUTH_REHASH_FAILED: why */
};

/* auth_verify_new - empty job; auth_verify_free wipes and frees */
struct auth_verify *auth_verify_new(void);
void auth_verify_free(struct auth_verify **vp);

/*
 * auth_request_verify - look up v->login in db and check the
 * credentials; then, for a master login, check that v->authzid exists.
 * An unknown user costs one verification against ctx->dummy_hash. With
 * ctx->cache, a PLAIN/LOGIN check may be answered from the cache (the
 * lookup still runs: the cache is keyed on the stored value too). After
 * an OK (not a master login), a weak stored hash is rehashed when
 * ctx->rehash is on; that never changes v->result. Blocking; fills v's
 * out fields.
 */
void auth_request_verify(const struct auth_verify_ctx *ctx, void *db,
			 struct auth_verify *v);

/*
 * auth_request_scheme_is_cheap - does checking a password against stored
 * (bare: default_scheme, which may be NULL) take microseconds: PLAIN and
 * the plain or salted digests, not crypt(3), PBKDF2, SCRAM, Argon2 or
 * OTP? Pure.
 */
bool auth_request_scheme_is_cheap(const char *stored,
				  const char *default_scheme);

/*
 * auth_request_verify_inline - auth_request_verify for the event loop,
 * done only when it is quick: db (ctx->loop_db) never blocks, the
 * stored value (an unknown user: ctx->dummy_hash, so that unknown users
 * still cost what a known user of the default scheme costs) is cheap,
 * and rehash-on-login is off. true: v is filled as by
 * auth_request_verify. false: nothing decided, run auth_request_verify
 * in a worker (which looks the login up again).
 */
bool auth_request_verify_inline(const struct auth_verify_ctx *ctx, void *db,
				struct auth_verify *v);

#endif
