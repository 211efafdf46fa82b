/*
 * milter_verdict.c - the milterd_on_* action for verification results
 * (milter_verdict.h).
 */
#include "config.h"

#include "milter_verdict.h"

enum milter_action milter_verdict(const struct milter_conf *cf,
				  const struct milter_verdict_sig *s, size_t n,
				  bool hdr_overflow, const char **what_r)
{
	enum milter_action a;
	const char *what;

	for (size_t i = 0; i < n && !hdr_overflow; i++)
		if (s[i].res == DKIM_RES_PASS && !s[i].testing) {
			if (what_r != NULL)
				*what_r = NULL;
			return MILTER_ACTION_ACCEPT;
		}
	if (hdr_overflow) {
		a = cf->act_bad_signature;
		what = "DKIM verification failed";
	} else if (n == 0) {
		a = cf->act_no_signature;
		what = "message not DKIM-signed";
	} else if (s[0].res == DKIM_RES_TEMPERROR) {
		a = s[0].key == DKIM_VERIFY_KEY_TEMPFAIL
			? cf->act_dns_error
			: cf->act_internal_error;
		what = "DKIM key lookup failed, try again later";
	} else if (s[0].key == DKIM_VERIFY_KEY_NONE) {
		a = cf->act_key_not_found;
		what = "DKIM key not found";
	} else {
		a = cf->act_bad_signature;
		what = "DKIM verification failed";
	}
	if (what_r != NULL)
		*what_r = a == MILTER_ACTION_ACCEPT ? NULL : what;
	return a;
}
