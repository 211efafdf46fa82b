/*
 * auth_passdb.h - where authd finds a login's stored password.
 *
 * Backends, chosen by the authd_passdb spec:
 *   mysql:/path.cf, sqlite:/path.cf   a Postfix-style table (sql/sqlmap.h)
 *                                     whose query returns the stored
 *                                     password for the login (%s/%u/%d)
 *   dovecot-sql:/path.conf.ext        an existing Dovecot
 *                                     dovecot-sql.conf.ext, read as it is
 *   passwd-file:/path                 a Dovecot passwd-file, down to bare
 *                                     "user:password" lines
 *
 * A passdb handle is used by one worker thread at a time (open one per
 * worker: SQL connections are per thread). Lookups block: call them from
 * a worker (common/workq.h), never from the event loop. The login is
 * untrusted and is escaped by the backend, never spliced into SQL.
 * Stored passwords are secrets: never logged; entries are wiped.
 */
#ifndef PW_AUTH_PASSDB_H
#define PW_AUTH_PASSDB_H

#include <stdbool.h>

struct sbuf;
struct passdb;

enum passdb_result {
	PASSDB_FOUND,	 /* stored password (and maybe a user name) set */
	PASSDB_NOUSER,	 /* no such login (or no password for it) */
	PASSDB_TEMPFAIL, /* backend unreachable, query failed: never OK */
};

struct passdb_entry {
	struct sbuf *password; /* "{SCHEME}data" or bare (default scheme) */
	struct sbuf *user;     /* canonical login for OK user=; may be empty */
	const char *default_scheme; /* for a bare value; static string */
};

/*
 * passdb_open - open the backend named by spec; default_scheme overrides
 * the backend's own default (NULL: Dovecot's: "MD5" for SQL, "CRYPT" for
 * passwd-file, default_pass_scheme of a dovecot-sql file). NULL with err
 * for a bad spec or an unreadable or malformed file (a start-up error).
 */
struct passdb *passdb_open(const char *spec, const char *default_scheme,
			   struct sbuf *err);
void passdb_close(struct passdb **pp);

/* passdb_entry_init/free - buffers for passdb_lookup; free wipes them */
void passdb_entry_init(struct passdb_entry *e);
void passdb_entry_free(struct passdb_entry *e);

/* passdb_lookup - find login's stored password (blocking) */
enum passdb_result passdb_lookup(struct passdb *p, const char *login,
				 struct passdb_entry *e, struct sbuf *err);

/*
 * Rehash-on-login (auth_rehash.h) stores a new hash with an update
 * statement, authd_rehash_query: SQL text whose variables are replaced
 * by values escaped by the server's own escaping (the template puts the
 * quotes): %u the login, %n the part before the first "@", %d the part
 * after it, %p the new stored value ("{SCHEME}data"), %% a "%". Only
 * the SQL backends (mysql:, sqlite:, dovecot-sql:) can update; a Postfix
 * .cf table uses the connection settings of its .cf (not its tls_*
 * settings). The update runs on the worker's handle (its own connection
 * for a .cf table, the lookup connection for dovecot-sql).
 */
typedef int passdb_quote_fn(const char *s, struct sbuf *out, void *arg);

/*
 * passdb_update_expand - expand tmpl into out, each value passed
 * through quote(value, out, arg). -1 with err for an unknown variable
 * or when out is full. Pure (quote aside).
 */
int passdb_update_expand(const char *tmpl, const char *login,
			 const char *stored, passdb_quote_fn *quote, void *arg,
			 struct sbuf *out, struct sbuf *err);
/* passdb_update_check - does tmpl expand (a start-up check)? */
int passdb_update_check(const char *tmpl, struct sbuf *err);
/*
 * passdb_never_blocks - are lookups in memory (passwd-file), so that
 * the event loop may make them instead of a worker?
 */
bool passdb_never_blocks(const struct passdb *p);

/* passdb_can_update - does the backend take an update statement? */
bool passdb_can_update(const struct passdb *p);
/*
 * passdb_update - run query (expanded for login and stored) on p
 * (blocking). 0, or -1 with err (which never holds stored): backend
 * cannot update, no connection, statement failed, or no row changed.
 */
int passdb_update(struct passdb *p, const char *query, const char *login,
		  const char *stored, struct sbuf *err);

#endif
