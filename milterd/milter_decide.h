/*
 * milter_decide.h - sign or verify, decided as OpenDKIM decides
 * (milter.md section 6): sign when the client authenticated with SASL
 * ({auth_authen} set), when its address is in milterd_internal_hosts,
 * or when {daemon_name} is in milterd_sign_daemon_names; otherwise
 * verify. milterd_mode can rule either out. The reason goes to the log.
 *
 * Inputs are macro values from the MTA (trusted peer, but passed
 * through as text). Pure; thread-safe.
 */
#ifndef PW_MILTER_DECIDE_H
#define PW_MILTER_DECIDE_H

#include <stdbool.h>

struct sbuf;
struct milter_conf;

enum milter_decision {
	MILTER_DECIDE_SIGN,
	MILTER_DECIDE_VERIFY,
	MILTER_DECIDE_NONE, /* neither allowed by milterd_mode */
};

struct milter_decide_in {
	const char *auth_authen; /* {auth_authen}, NULL when unset */
	const char *daemon_name; /* {daemon_name}, NULL when unset */
	int family;		 /* AF_INET, AF_INET6, or 0: unknown */
	unsigned char addr[16];	 /* client address, network order */
};

/*
 * milter_decide - the decision; reason (may be NULL) gets why, e.g.
 * "authenticated as alice" or "client 192.0.2.1 not internal"
 */
enum milter_decision milter_decide(const struct milter_conf *cf,
				   const struct milter_decide_in *in,
				   struct sbuf *reason);

#endif
