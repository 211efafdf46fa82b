/*
 * auth_passdb_file.c - passdb backend "passwd-file:/path": a Dovecot
 * passwd-file (auth_passwd_file.h). Handles share one in-memory table
 * per path; the file is re-read when it changes. The default scheme is
 * CRYPT, as in Dovecot. A removed file means unknown users; a file that
 * cannot be read or parsed after a change gives TEMPFAIL.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>

#include "auth_passdb.h"
#include "auth_passdb_impl.h"
#include "auth_passwd_file.h"
#include "sbuf.h"

/* file_open - load the file (a missing one is a start-up error) */
static void *file_open(const char *path, struct sbuf *err)
{
	return passwd_file_open(path, err);
}

static const char *file_default_scheme(void *h)
{
	(void)h;
	return "CRYPT";
}

static bool extra_is_set(const char *name, void *arg)
{
	size_t len;

	return passwd_file_extra_get(sbuf_cstr(arg), name, &len) != NULL;
}

/* file_lookup - exact match on the (normalised) login */
static enum passdb_result file_lookup(void *h, const char *login,
				      struct passdb_entry *e,
				      struct sbuf *err)
{
	struct sbuf *extra = sbuf_new_max(64, PASSWD_FILE_MAX_LINE);
	enum passdb_result r = PASSDB_TEMPFAIL;
	const char *field;

	switch (passwd_file_lookup(h, login, e->password, extra, err)) {
	case PASSWD_FILE_FOUND:
		break;
	case PASSWD_FILE_NOUSER:
		r = PASSDB_NOUSER;
		goto out;
	case PASSWD_FILE_TEMPFAIL:
		goto out;
	}
	if ((field = passdb_denied_field(extra_is_set, extra)) != NULL) {
		sbuf_printf(err, "passwd-file: extra field \"%s\" is set: "
				 "login refused (not supported)",
			    field);
		r = PASSDB_NOUSER;
		goto out;
	}
	/* an empty password cannot match anything */
	r = sbuf_is_empty(e->password) ? PASSDB_NOUSER : PASSDB_FOUND;
out:
	sbuf_free(&extra);
	return r;
}

static void file_close(void *h)
{
	struct passwd_file *f = h;

	passwd_file_close(&f);
}

const struct passdb_backend passdb_file_backend = {
	.prefix = "passwd-file:",
	.never_blocks = true,
	.open = file_open,
	.default_scheme = file_default_scheme,
	.lookup = file_lookup,
	.close = file_close,
};
