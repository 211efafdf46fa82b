/*
 * auth_penalty.h - slow down repeated failures, per client address and
 * per login.
 *
 * Each failure raises a counter for the client address (rip; IPv6
 * masked to /48, as Dovecot's anvil) and one for the login; a success
 * resets both. Before a request is checked it waits
 * min(base * 2^(count - 1), max) seconds for the larger of the two
 * counts (0 without failures). Counters expire ttl seconds after their
 * last failure. The table holds at most max_entries keys and drops the
 * least recently failed first, so memory stays bounded whatever the
 * peer sends. Keys are peer-supplied text, hashed with a random seed.
 *
 * Pure apart from the seed: the clock comes in as an argument. Not
 * thread-safe: the loop thread owns it.
 */
#ifndef PW_AUTH_PENALTY_H
#define PW_AUTH_PENALTY_H

#include <stddef.h>
#include <time.h>

struct sbuf;
struct auth_penalty;

#define AUTH_PENALTY_MAX_COUNT 16

/* auth_penalty_new - caller frees with auth_penalty_free; seed: hashing */
struct auth_penalty *auth_penalty_new(unsigned int base, unsigned int max,
				      unsigned int ttl, size_t max_entries,
				      unsigned long long seed);
void auth_penalty_free(struct auth_penalty **pp);
/* auth_penalty_set_limits - new base/max/ttl (reload); counts stay */
void auth_penalty_set_limits(struct auth_penalty *p, unsigned int base,
			     unsigned int max, unsigned int ttl);

/*
 * auth_penalty_delay - seconds to wait before checking a request from
 * rip (canonical text, "" unknown) for login (normalised, may be NULL)
 */
unsigned int auth_penalty_delay(struct auth_penalty *p, const char *rip,
				const char *login, time_t now);
/* auth_penalty_fail, auth_penalty_success - record an outcome */
void auth_penalty_fail(struct auth_penalty *p, const char *rip,
		       const char *login, time_t now);
void auth_penalty_success(struct auth_penalty *p, const char *rip,
			  const char *login);
/* auth_penalty_count - counters held (tests, stats) */
size_t auth_penalty_count(const struct auth_penalty *p);

/* auth_penalty_rip_key - the key for an address: IPv6 masked to /48 */
void auth_penalty_rip_key(const char *rip, struct sbuf *out);

#endif
