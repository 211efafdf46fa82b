/*
 * auth_mech_login.c - the LOGIN mechanism as Dovecot's mech-login.c:
 * "Username:" then "Password:" challenges; a non-empty initial response
 * is the user name. NUL bytes fail.
 */
#include "config.h"

#include <string.h>

#include "auth_mech.h"
#include "sbuf.h"
#include "xalloc.h"

enum {
	LOGIN_START,
	LOGIN_WANT_USER,
	LOGIN_WANT_PASS,
	LOGIN_DONE,
};

/* auth_mech_login_step - two challenges, then the credentials */
enum auth_mech_status auth_mech_login_step(struct auth_mech_creds *cr,
					   unsigned int *stage, bool has_data,
					   const unsigned char *data, size_t n,
					   struct sbuf *challenge_r)
{
	if (has_data && memchr(data, '\0', n) != NULL)
		return AUTH_MECH_FAILED;
	switch (*stage) {
	case LOGIN_START:
		if (!has_data || n == 0) {
			*stage = LOGIN_WANT_USER;
			sbuf_append_str(challenge_r, "Username:");
			return AUTH_MECH_CHALLENGE;
		}
		/* the initial response is the user name */
		/* FALLTHROUGH */
	case LOGIN_WANT_USER:
		if (!has_data || n == 0)
			return AUTH_MECH_FAILED; /* empty user name */
		cr->authcid = xstrndup((const char *)data, n);
		*stage = LOGIN_WANT_PASS;
		sbuf_append_str(challenge_r, "Password:");
		return AUTH_MECH_CHALLENGE;
	case LOGIN_WANT_PASS:
		if (!has_data)
			return AUTH_MECH_FAILED;
		cr->password = xstrndup((const char *)data, n);
		*stage = LOGIN_DONE;
		return AUTH_MECH_DONE;
	default:
		return AUTH_MECH_FAILED;
	}
}
