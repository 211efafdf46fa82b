/*
 * auth_passdb_impl.h - what auth_passdb.c shares with its backends
 * (auth_passdb_dovecot.c, auth_passdb_file.c). Private to authd/passdb.
 */
#ifndef PW_AUTH_PASSDB_IMPL_H
#define PW_AUTH_PASSDB_IMPL_H

#include <stdbool.h>

#include "auth_passdb.h"

#define PASSDB_MAX_PASSWORD (64u << 10) /* stored value bytes */
#define PASSDB_MAX_USER 4096u		/* canonical login bytes */

/* A backend: open parses arg (the spec after "type:"), lookup blocks */
struct passdb_backend {
	const char *prefix; /* "passwd-file:" */
	bool never_blocks;  /* lookups are in memory: safe in the event loop */
	void *(*open)(const char *arg, struct sbuf *err);
	/* default_scheme of the source (may depend on the handle) */
	const char *(*default_scheme)(void *h);
	enum passdb_result (*lookup)(void *h, const char *login,
				     struct passdb_entry *e, struct sbuf *err);
	/* NULL: cannot store a new hash (passwd-file) */
	int (*update)(void *h, const char *query, const char *login,
		      const char *stored, struct sbuf *err);
	void (*close)(void *h);
};

#define PASSDB_MAX_UPDATE (64u << 10) /* expanded update statement bytes */

extern const struct passdb_backend passdb_dovecot_backend;
extern const struct passdb_backend passdb_file_backend;

/*
 * passdb_denied_field - the first Dovecot passdb field that forbids this
 * login whatever the password (fail, nologin, noauthenticate, nopassword,
 * allow_nets: authd cannot honour them), or NULL. is_set(name, arg) says
 * whether the source set the field.
 */
const char *passdb_denied_field(bool (*is_set)(const char *name, void *arg),
				void *arg);

#endif
