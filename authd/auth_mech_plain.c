/*
 * auth_mech_plain.c - SASL PLAIN (RFC 4616) as Dovecot's mech-plain.c:
 * "authzid NUL authcid NUL password", exactly two NULs.
 */
#include "config.h"

#include <string.h>

#include "auth_mech.h"
#include "sbuf.h"
#include "xalloc.h"

/* find_nul - index of the first NUL in data[from..n), or n */
static size_t find_nul(const unsigned char *data, size_t from, size_t n)
{
	size_t i;

	for (i = from; i < n; i++)
		if (data[i] == '\0')
			return i;
	return n;
}

/* auth_mech_plain_step - empty challenge first if no initial response */
enum auth_mech_status auth_mech_plain_step(struct auth_mech_creds *cr,
					   unsigned int *stage, bool has_data,
					   const unsigned char *data, size_t n,
					   struct sbuf *challenge_r)
{
	size_t nul1, nul2;

	(void)challenge_r;
	if (!has_data) {
		if (*stage > 0)
			return AUTH_MECH_FAILED;
		/* Dovecot answers a missing initial response with an
		 * empty CONT (dovecot-auth.md section 6). */
		*stage = 1;
		return AUTH_MECH_CHALLENGE;
	}
	/* authzid NUL authcid NUL password: exactly two NULs */
	nul1 = find_nul(data, 0, n);
	nul2 = nul1 < n ? find_nul(data, nul1 + 1, n) : n;
	if (nul2 >= n || find_nul(data, nul2 + 1, n) != n)
		return AUTH_MECH_FAILED;
	if (nul2 == nul1 + 1)
		return AUTH_MECH_FAILED; /* empty authcid */
	cr->authcid = xstrndup((const char *)data + nul1 + 1, nul2 - nul1 - 1);
	cr->password = xstrndup((const char *)data + nul2 + 1, n - nul2 - 1);
	/* authzid equal to authcid is no authzid (RFC 4616 2) */
	if (nul1 > 0 && !(nul1 == nul2 - nul1 - 1 &&
			  memcmp(data, data + nul1 + 1, nul1) == 0))
		cr->authzid = xstrndup((const char *)data, nul1);
	*stage = 2;
	return AUTH_MECH_DONE;
}
