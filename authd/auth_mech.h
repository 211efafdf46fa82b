/*
 * auth_mech.h - SASL mechanisms as pure state machines.
 *
 * A request runs one mechanism: auth_mech_begin, then auth_mech_step for
 * the initial response (if any) and for each CONT payload, until it says
 * AUTH_MECH_DONE (the credentials are complete: look them up and verify
 * them) or AUTH_MECH_FAILED (malformed input: FAIL). AUTH_MECH_CHALLENGE
 * means "send CONT with these bytes and wait". Wire behaviour follows
 * Dovecot 2.3 (dovecot-auth.md section 6); flags follow section 3 so that
 * Postfix's noplaintext/smtpd_tls_auth_only filter the same mechanisms.
 *
 * Input (decoded client payloads) is untrusted. No I/O, no logging, no
 * globals: time, randomness and the host name for CRAM-MD5 come in
 * struct auth_mech_env, so tests are repeatable. Credentials are secrets:
 * auth_mech_free wipes them. One state per request; not thread-safe, but
 * states are independent (auth_mech_cram_md5_verify is thread-safe).
 */
#ifndef PW_AUTH_MECH_H
#define PW_AUTH_MECH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "pw_scheme.h"

struct sbuf;
struct auth_mech_state;

enum auth_mech_kind {
	AUTH_MECH_PLAIN,
	AUTH_MECH_LOGIN,
	AUTH_MECH_CRAM_MD5,
};

struct auth_mech {
	const char *name;   /* upper case, as advertised */
	unsigned int flags; /* enum auth_mech_flag (auth_proto.h) */
	enum auth_mech_kind kind;
};

/* auth_mech_find - by name, any case (Postfix sends it as typed); NULL */
const struct auth_mech *auth_mech_find(const char *name);
/* auth_mech_count, auth_mech_at - walk the table (static, borrowed) */
size_t auth_mech_count(void);
const struct auth_mech *auth_mech_at(size_t i);

/* What CRAM-MD5 needs for its challenge (Dovecot: <rand.time@host>). */
struct auth_mech_env {
	const char *hostname; /* borrowed for auth_mech_begin */
	time_t now;
	unsigned long long random; /* 16 decimal digits are taken from it */
};

enum auth_mech_status {
	AUTH_MECH_CHALLENGE, /* send CONT with challenge_r, wait for data */
	AUTH_MECH_DONE,	     /* auth_mech_creds is complete */
	AUTH_MECH_FAILED,    /* malformed or missing data: FAIL */
};

/*
 * The credentials a mechanism collected; owned by the state, borrowed
 * until auth_mech_free. authcid is the login as sent (normalised later
 * by the request layer). authzid is NULL unless the client asked to act
 * as someone else (PLAIN; an authzid equal to authcid counts as none).
 */
struct auth_mech_creds {
	char *authcid;
	char *authzid;
	char *password;	      /* PLAIN, LOGIN */
	char *cram_challenge; /* CRAM-MD5: what we sent */
	char *cram_response;  /* CRAM-MD5: 32 lower-case hex digits */
};

/* auth_mech_begin - a new state (caller frees with auth_mech_free) */
struct auth_mech_state *auth_mech_begin(const struct auth_mech *m,
					const struct auth_mech_env *env);
void auth_mech_free(struct auth_mech_state **sp); /* wipes; NULL-safe */

/*
 * auth_mech_step - feed the next client payload (n bytes, borrowed):
 * has_data false means "no initial response" (only on the first step).
 * challenge_r is reset, then filled for AUTH_MECH_CHALLENGE. After DONE
 * or FAILED, further steps return AUTH_MECH_FAILED.
 */
enum auth_mech_status auth_mech_step(struct auth_mech_state *s, bool has_data,
				     const unsigned char *data, size_t n,
				     struct sbuf *challenge_r);
/* auth_mech_creds - the credentials (complete after DONE); borrowed */
const struct auth_mech_creds *auth_mech_creds(const struct auth_mech_state *s);
/* auth_mech_kind_of - which mechanism the state runs */
enum auth_mech_kind auth_mech_kind_of(const struct auth_mech_state *s);

/*
 * auth_mech_cram_md5_verify - check a CRAM-MD5 answer against a stored
 * password: HMAC-MD5(password, challenge) in lower-case hex, compared in
 * constant time. Works for stored values that give back the plaintext
 * ({PLAIN}, {CLEAR}, with .b64/.hex; a bare value when default_scheme is
 * one of them) and for Dovecot's precomputed HMAC-MD5 states
 * ({CRAM-MD5}, {HMAC-MD5}). Other schemes: PW_UNKNOWN_SCHEME (the
 * mechanism cannot work for that user, as with Dovecot). Thread-safe.
 */
enum pw_result auth_mech_cram_md5_verify(const char *challenge,
					 const char *response_hex,
					 const char *stored,
					 const char *default_scheme);

/*
 * One file per mechanism; auth_mech.c dispatches. A step function gets
 * the state's credentials and a per-mechanism stage counter (0 first).
 */
enum auth_mech_status auth_mech_plain_step(struct auth_mech_creds *cr,
					   unsigned int *stage, bool has_data,
					   const unsigned char *data, size_t n,
					   struct sbuf *challenge_r);
enum auth_mech_status auth_mech_login_step(struct auth_mech_creds *cr,
					   unsigned int *stage, bool has_data,
					   const unsigned char *data, size_t n,
					   struct sbuf *challenge_r);
enum auth_mech_status
auth_mech_cram_md5_step(struct auth_mech_creds *cr, unsigned int *stage,
			bool has_data, const unsigned char *data, size_t n,
			struct sbuf *challenge_r);
/* auth_mech_cram_md5_challenge - "<16 digits.time@host>" into out */
int auth_mech_cram_md5_challenge(const struct auth_mech_env *env,
				 struct sbuf *out);

#endif
