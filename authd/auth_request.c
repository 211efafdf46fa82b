/*
 * auth_request.c - login normalisation and the blocking verification
 * step of a request (runs in a worker).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth_cache.h"
#include "auth_request.h"
#include "pw_scheme.h"
#include "sbuf.h"
#include "xalloc.h"

/* append_part - part of the login, lower-cased (ASCII) when asked */
static int append_part(struct sbuf *out, const char *s, size_t n, bool lower)
{
	size_t i;

	if (!lower)
		return sbuf_append(out, s, n);
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (sbuf_putc(out, c) < 0)
			return -1;
	}
	return 0;
}

/* auth_request_username - Dovecot %u/%n/%d with L, plus a default realm */
int auth_request_username(const char *format, const char *realm,
			  const char *login, struct sbuf *out, struct sbuf *err)
{
	struct sbuf *full = sbuf_new(64);
	const char *p, *at, *u;
	size_t ulen;
	int rc = -1;

	sbuf_reset(out);
	sbuf_append_str(full, login);
	if (realm != NULL && *realm != '\0' && strchr(login, '@') == NULL)
		sbuf_printf(full, "@%s", realm);
	u = sbuf_cstr(full);
	ulen = sbuf_len(full);
	at = strchr(u, '@');
	for (p = format; *p != '\0'; p++) {
		bool lower = false;

		if (*p != '%') {
			if (sbuf_putc(out, *p) < 0)
				goto out;
			continue;
		}
		p++;
		if (*p == 'L') {
			lower = true;
			p++;
		}
		switch (*p) {
		case 'u':
			rc = append_part(out, u, ulen, lower);
			break;
		case 'n':
			rc = append_part(out, u,
					 at != NULL ? (size_t)(at - u) : ulen,
					 lower);
			break;
		case 'd':
			rc = at != NULL ? append_part(out, at + 1,
						      strlen(at + 1), lower)
					: 0;
			break;
		case '%':
			rc = lower ? -1 : sbuf_putc(out, '%');
			break;
		default:
			rc = -1;
			break;
		}
		if (rc < 0) {
			sbuf_printf(err,
				    "bad username format \"%s\": use "
				    "%%u %%n %%d %%Lu %%Ln %%Ld %%%%",
				    format);
			goto out;
		}
	}
	rc = 0;
out:
	sbuf_free(&full);
	return rc;
}

/* utf8_ok - is s valid UTF-8 (no overlongs, no surrogates)? */
static bool utf8_ok(const unsigned char *s)
{
	while (*s != '\0') {
		unsigned int c = *s, n, cp, i;

		if (c < 0x80) {
			s++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n + 1;
	}
	return true;
}

/* auth_request_login_is_valid - safe to look up and to send back */
bool auth_request_login_is_valid(const char *login)
{
	const unsigned char *p;
	size_t n = strlen(login);

	if (n == 0 || n > AUTH_REQUEST_MAX_LOGIN)
		return false;
	for (p = (const unsigned char *)login; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return utf8_ok((const unsigned char *)login);
}

/* auth_verify_new - an empty job */
struct auth_verify *auth_verify_new(void)
{
	struct auth_verify *v = xcalloc(1, sizeof(*v));

	v->user = sbuf_new(64);
	v->err = sbuf_new(64);
	v->rehash_err = sbuf_new(64);
	return v;
}

/* auth_verify_free - wipe the credentials and free the job */
void auth_verify_free(struct auth_verify **vp)
{
	struct auth_verify *v = *vp;

	if (v == NULL)
		return;
	xfree_secret(&v->login);
	xfree_secret(&v->authzid);
	xfree_secret(&v->password);
	xfree_secret(&v->cram_challenge);
	xfree_secret(&v->cram_response);
	sbuf_free(&v->user);
	sbuf_free(&v->err);
	sbuf_free(&v->rehash_err);
	free(v);
	*vp = NULL;
}

/* check_password - the credentials against one stored value */
static enum pw_result check_password(const struct auth_verify *v,
				     const char *stored,
				     const char *default_scheme,
				     struct sbuf *err)
{
	if (v->kind == AUTH_MECH_CRAM_MD5)
		return auth_mech_cram_md5_verify(v->cram_challenge,
						 v->cram_response, stored,
						 default_scheme);
	return pw_scheme_verify(stored, v->password != NULL ? v->password : "",
				v->login, default_scheme, err);
}

/*
 * check_cached - check_password, or the cached result of the same check
 * against the same stored value (stored NULL: an unknown user, checked
 * against the dummy hash). CRAM-MD5 is never cached.
 */
static enum pw_result check_cached(const struct auth_verify_ctx *ctx,
				   struct auth_verify *v, const char *stored,
				   const char *scheme, struct sbuf *err)
{
	struct auth_cache_key k;
	enum pw_result res;

	if (ctx->cache == NULL || v->kind == AUTH_MECH_CRAM_MD5 ||
	    !auth_cache_is_enabled(ctx->cache))
		return check_password(v, stored != NULL ? stored
							: ctx->dummy_hash,
				      stored != NULL ? scheme : NULL, err);
	auth_cache_key(ctx->cache, v->login,
		       v->password != NULL ? v->password : "", stored, scheme,
		       &k);
	switch (auth_cache_lookup(ctx->cache, &k)) {
	case AUTH_CACHE_POSITIVE:
		v->cache_hit = true;
		res = PW_MATCH;
		goto out;
	case AUTH_CACHE_NEGATIVE:
		v->cache_hit = true;
		res = PW_MISMATCH;
		goto out;
	case AUTH_CACHE_MISS:
		break;
	}
	res = check_password(v, stored != NULL ? stored : ctx->dummy_hash,
			     stored != NULL ? scheme : NULL, err);
	/* an unknown user's "match" against the dummy is still a FAIL */
	if (res == PW_MATCH || res == PW_MISMATCH)
		auth_cache_store(ctx->cache, &k,
				 stored != NULL && res == PW_MATCH);
out:
	wipe_bytes(&k, sizeof(k));
	return res;
}

/* verify_reset - clear v's out fields */
static void verify_reset(struct auth_verify *v)
{
	v->result = AUTH_VERIFY_FAIL;
	v->unknown_user = false;
	v->cache_hit = false;
	v->rehash = AUTH_REHASH_NONE;
	sbuf_reset(v->user);
	sbuf_reset(v->err);
	sbuf_reset(v->rehash_err);
}

/* entry_scheme - the default scheme for e's bare value */
static const char *entry_scheme(const struct auth_verify_ctx *ctx,
				const struct passdb_entry *e)
{
	return ctx->default_scheme != NULL ? ctx->default_scheme
					   : e->default_scheme;
}

/*
 * verify_entry - everything after the lookup of v->login (pr, e, which
 * the caller frees): the check, the master-user target, rehash-on-login
 */
static void verify_entry(const struct auth_verify_ctx *ctx, void *db,
			 struct auth_verify *v, enum passdb_result pr,
			 const struct passdb_entry *e)
{
	enum pw_result res;
	const char *scheme;

	if (pr == PASSDB_TEMPFAIL) {
		v->result = AUTH_VERIFY_TEMPFAIL;
		return;
	}
	if (pr == PASSDB_NOUSER) {
		/* The same work as a real check, then the same answer. */
		v->unknown_user = true;
		(void)check_cached(ctx, v, NULL, NULL, NULL);
		return;
	}
	scheme = entry_scheme(ctx, e);
	res = check_cached(ctx, v, sbuf_cstr(e->password), scheme, v->err);
	switch (res) {
	case PW_MATCH:
		break;
	case PW_MISMATCH:
		return;
	case PW_UNKNOWN_SCHEME:
	case PW_INVALID:
		/* Dovecot: an entry it cannot check is an internal error
		 * (a temporary failure), never a plain "wrong password" */
		if (v->kind == AUTH_MECH_CRAM_MD5 && res == PW_UNKNOWN_SCHEME) {
			sbuf_append_str(v->err, "stored scheme cannot do "
						"CRAM-MD5");
			return; /* as Dovecot: this user cannot use it */
		}
		if (sbuf_is_empty(v->err))
			sbuf_append_str(v->err, "stored password unusable");
		v->result = AUTH_VERIFY_TEMPFAIL;
		return;
	}
	if (v->authzid != NULL) {
		/* A master user acts as authzid, who must exist. */
		struct passdb_entry t;

		passdb_entry_init(&t);
		pr = ctx->lookup(db, v->authzid, &t, v->err);
		if (pr == PASSDB_FOUND)
			sbuf_set(v->user, !sbuf_is_empty(t.user)
					      ? sbuf_cstr(t.user)
					      : v->authzid);
		passdb_entry_free(&t);
		if (pr == PASSDB_TEMPFAIL) {
			v->result = AUTH_VERIFY_TEMPFAIL;
			return;
		}
		if (pr == PASSDB_NOUSER) {
			v->unknown_user = true;
			return;
		}
	} else {
		sbuf_set(v->user,
			 !sbuf_is_empty(e->user) ? sbuf_cstr(e->user) : v->login);
	}
	/* The passdb's name goes back to Postfix: it must be safe too. */
	if (!auth_request_login_is_valid(sbuf_cstr(v->user))) {
		sbuf_set(v->err, "passdb returned an unusable user name");
		v->result = AUTH_VERIFY_TEMPFAIL;
		return;
	}
	v->result = AUTH_VERIFY_OK;
	if (v->authzid == NULL && v->kind != AUTH_MECH_CRAM_MD5)
		/* e still holds v->login's entry; the login stays OK */
		v->rehash = auth_rehash_run(&ctx->rehash, db, v->login,
					    v->password, sbuf_cstr(e->password),
					    scheme, v->rehash_err);
}

/* auth_request_verify - lookup, verify, and the master-user target */
void auth_request_verify(const struct auth_verify_ctx *ctx, void *db,
			 struct auth_verify *v)
{
	struct passdb_entry e;
	enum passdb_result pr;

	passdb_entry_init(&e);
	verify_reset(v);
	pr = ctx->lookup(db, v->login, &e, v->err);
	verify_entry(ctx, db, v, pr, &e);
	passdb_entry_free(&e);
}

/*
 * Schemes whose check is one or two digest computations (or none):
 * microseconds, so the event loop may run them. The crypt(3) families
 * (MD5-CRYPT and DES-CRYPT too), PBKDF2, SCRAM, Argon2 and OTP iterate
 * and stay in workers.
 */
static const char *const cheap_schemes[] = {
	"PLAIN",    "CLEAR",	"CLEARTEXT", "PLAIN-TRUNC", "SHA",
	"SHA1",	    "SHA256",	"SHA512",    "SMD5",	    "SSHA",
	"SSHA256",  "SSHA512",	"PLAIN-MD4", "PLAIN-MD5",   "LDAP-MD5",
	"CRAM-MD5", "HMAC-MD5", "DIGEST-MD5",
};

/* auth_request_scheme_is_cheap - by the "{SCHEME}" or default scheme */
bool auth_request_scheme_is_cheap(const char *stored,
				  const char *default_scheme)
{
	const char *name = default_scheme, *end;
	size_t n, i;

	if (stored != NULL && stored[0] == '{' &&
	    (end = strchr(stored, '}')) != NULL) {
		name = stored + 1;
		n = (size_t)(end - name);
	} else if (name != NULL) {
		n = strlen(name);
	} else {
		return false;
	}
	/* "{SHA256.HEX}": the encoding does not change the cost */
	for (i = 0; i < n; i++)
		if (name[i] == '.')
			n = i;
	for (i = 0; i < sizeof(cheap_schemes) / sizeof(cheap_schemes[0]); i++)
		if (strlen(cheap_schemes[i]) == n &&
		    strncasecmp(cheap_schemes[i], name, n) == 0)
			return true;
	return false;
}

/* auth_request_verify_inline - the whole check, when it is quick */
bool auth_request_verify_inline(const struct auth_verify_ctx *ctx, void *db,
				struct auth_verify *v)
{
	struct passdb_entry e;
	enum passdb_result pr;
	bool quick = false;

	if (db == NULL || ctx->rehash.update != NULL)
		return false; /* a rehash writes to the database */
	passdb_entry_init(&e);
	verify_reset(v);
	pr = ctx->lookup(db, v->login, &e, v->err);
	switch (pr) {
	case PASSDB_FOUND:
		quick = auth_request_scheme_is_cheap(sbuf_cstr(e.password),
						     entry_scheme(ctx, &e));
		break;
	case PASSDB_NOUSER:
		quick = auth_request_scheme_is_cheap(ctx->dummy_hash, NULL);
		break;
	case PASSDB_TEMPFAIL:
		quick = true; /* nothing to hash */
		break;
	}
	if (quick)
		verify_entry(ctx, db, v, pr, &e);
	else
		verify_reset(v);
	passdb_entry_free(&e);
	return quick;
}
