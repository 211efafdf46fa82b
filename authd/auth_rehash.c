/*
 * auth_rehash.c - store a weak hash again in a strong scheme after a
 * successful login (see auth_rehash.h).
 */
#include "config.h"

#include "auth_rehash.h"
#include "pw_scheme.h"
#include "sbuf.h"

/* auth_rehash_is_wanted - is the stored scheme flagged weak? */
bool auth_rehash_is_wanted(const char *stored, const char *default_scheme)
{
	struct sbuf *raw = sbuf_new(64);
	const struct pw_scheme *s = NULL;
	bool weak;

	weak = pw_scheme_decode(stored, default_scheme, &s, raw, NULL) ==
		   PW_MATCH &&
	       s != NULL && s->weak;
	sbuf_free_secret(&raw);
	return weak;
}

/* auth_rehash_run - generate the strong hash and store it */
enum auth_rehash_result auth_rehash_run(const struct auth_rehash *rh, void *db,
					const char *login, const char *password,
					const char *stored,
					const char *default_scheme,
					struct sbuf *err)
{
	struct sbuf *fresh;
	enum auth_rehash_result r = AUTH_REHASH_FAILED;

	if (rh == NULL || rh->update == NULL || password == NULL ||
	    !auth_rehash_is_wanted(stored, default_scheme))
		return AUTH_REHASH_NONE;
	fresh = sbuf_new(160);
	if (pw_scheme_generate(rh->scheme, password, login, 0, fresh, err) < 0)
		goto out;
	if (rh->update(db, rh->query, login, sbuf_cstr(fresh), err) < 0)
		goto out;
	r = AUTH_REHASH_DONE;
out:
	sbuf_free_secret(&fresh);
	return r;
}
