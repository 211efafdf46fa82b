/*
 * auth_request.c - login normalisation and the blocking verification
 * step of a request (runs in a worker).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

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

/* auth_request_verify - lookup, verify, and the master-user target */
void auth_request_verify(const struct auth_verify_ctx *ctx, void *db,
			 struct auth_verify *v)
{
	struct passdb_entry e;
	enum passdb_result pr;
	enum pw_result res;
	const char *scheme;

	passdb_entry_init(&e);
	v->result = AUTH_VERIFY_FAIL;
	sbuf_reset(v->user);
	sbuf_reset(v->err);
	pr = ctx->lookup(db, v->login, &e, v->err);
	if (pr == PASSDB_TEMPFAIL) {
		v->result = AUTH_VERIFY_TEMPFAIL;
		goto out;
	}
	if (pr == PASSDB_NOUSER) {
		/* The same work as a real check, then the same answer. */
		v->unknown_user = true;
		(void)check_password(v, ctx->dummy_hash, NULL, NULL);
		goto out;
	}
	scheme = ctx->default_scheme != NULL ? ctx->default_scheme
					     : e.default_scheme;
	res = check_password(v, sbuf_cstr(e.password), scheme, v->err);
	switch (res) {
	case PW_MATCH:
		break;
	case PW_MISMATCH:
		goto out;
	case PW_UNKNOWN_SCHEME:
	case PW_INVALID:
		/* Dovecot: an entry it cannot check is an internal error
		 * (a temporary failure), never a plain "wrong password" */
		if (v->kind == AUTH_MECH_CRAM_MD5 && res == PW_UNKNOWN_SCHEME) {
			sbuf_append_str(v->err, "stored scheme cannot do "
						"CRAM-MD5");
			goto out; /* as Dovecot: this user cannot use it */
		}
		if (sbuf_is_empty(v->err))
			sbuf_append_str(v->err, "stored password unusable");
		v->result = AUTH_VERIFY_TEMPFAIL;
		goto out;
	}
	if (v->authzid != NULL) {
		/* A master user acts as authzid, who must exist. */
		passdb_entry_free(&e);
		passdb_entry_init(&e);
		pr = ctx->lookup(db, v->authzid, &e, v->err);
		if (pr == PASSDB_TEMPFAIL) {
			v->result = AUTH_VERIFY_TEMPFAIL;
			goto out;
		}
		if (pr == PASSDB_NOUSER) {
			v->unknown_user = true;
			goto out;
		}
		sbuf_set(v->user, !sbuf_is_empty(e.user) ? sbuf_cstr(e.user)
							 : v->authzid);
	} else {
		sbuf_set(v->user,
			 !sbuf_is_empty(e.user) ? sbuf_cstr(e.user) : v->login);
	}
	/* The passdb's name goes back to Postfix: it must be safe too. */
	if (!auth_request_login_is_valid(sbuf_cstr(v->user))) {
		sbuf_set(v->err, "passdb returned an unusable user name");
		v->result = AUTH_VERIFY_TEMPFAIL;
		goto out;
	}
	v->result = AUTH_VERIFY_OK;
out:
	passdb_entry_free(&e);
}
