/*
 * milter_verdict.h - what to do with a verified message: the
 * milterd_on_* action (OpenDKIM's On-* settings) that applies to its
 * results.
 *
 *	a signature passes (not in t=y testing mode)	accept
 *	header over the limits (not verifiable)		on_bad_signature
 *	no signature					on_no_signature
 *	first signature temperror, its key lookup	on_dns_error
 *	  failed temporarily (else on_internal_error)
 *	first signature's key record does not exist	on_key_not_found
 *	anything else (fail, permerror, neutral,	on_bad_signature
 *	  policy, testing-mode pass)
 *
 * Pure; thread-safe.
 */
#ifndef PW_MILTER_VERDICT_H
#define PW_MILTER_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "dkim_types.h"
#include "dkim_verify.h"
#include "milter_conf.h"

/* one signature's outcome */
struct milter_verdict_sig {
	enum dkim_result res;
	bool testing;		  /* key record t=y */
	enum dkim_verify_key key; /* what its key lookup gave */
};

/*
 * milter_verdict - the action for n results, top signature first;
 * what_r (may be NULL) gets the reply text for a reject or tempfail
 * (static), NULL on accept
 */
enum milter_action milter_verdict(const struct milter_conf *cf,
				  const struct milter_verdict_sig *s, size_t n,
				  bool hdr_overflow, const char **what_r);

#endif
