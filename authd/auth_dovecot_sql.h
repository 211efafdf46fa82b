/*
 * auth_dovecot_sql.h - Dovecot's dovecot-sql.conf.ext, read as it is.
 *
 * File syntax (Dovecot 2.3 lib-settings): "key = value" lines; "#" starts
 * a comment anywhere outside quotes; a value wholly in "..." or '...' is
 * unquoted (backslash escapes removed); a line ending in "\" continues on
 * the next one, joined with one space. Keys: driver (mysql | sqlite;
 * pgsql and others are a clear error), connect, default_pass_scheme
 * (default MD5), password_query (default Dovecot's built-in one),
 * user_query, iterate_query, update_query (read, unused here),
 * userdb_warning_disable. Unknown keys, sections and !include are errors.
 *
 * connect for mysql: space-separated key=value, no quoting inside (as
 * Dovecot's driver-mysql splits it): host (repeatable; "/path" is a unix
 * socket), port, user, password, dbname, option_file, option_group.
 * client_flags and the *_timeout keys are accepted and ignored (warning);
 * ssl_* keys are an error (not supported: we would connect without TLS).
 * For sqlite, connect is the database path.
 *
 * password_query variables (Dovecot 2.3 var_expand): %u %n %d %s %l %r
 * %a %b %m %p %c, the long forms %{user} %{username} %{domain}
 * %{domain_first} %{domain_last} %{service} %{lip} %{rip} %{lport}
 * %{rport} %{mech} %{pid} %{secured}, %% for "%", and the modifiers L
 * (lower case), U (upper case) and N.M (substring: offset N, length M;
 * negative offset counts from the end). Anything else is an error when
 * the file is read, never at lookup time. Every substituted value goes
 * through the caller's quoting function (the SQL server's escaping).
 *
 * Pure functions: no I/O except dovecot_sql_load, no logging, no
 * globals. The file is trusted local configuration but size-limited;
 * expanded values are untrusted. The struct is immutable after parsing
 * and may be shared between threads; the password is wiped when freed.
 */
#ifndef PW_AUTH_DOVECOT_SQL_H
#define PW_AUTH_DOVECOT_SQL_H

#include <stddef.h>

struct sbuf;

#define DOVECOT_SQL_MAX_FILE (1u << 20)  /* bytes */
#define DOVECOT_SQL_MAX_LINE (64u << 10) /* bytes per joined line */

enum dovecot_sql_driver {
	DOVECOT_SQL_MYSQL,
	DOVECOT_SQL_SQLITE,
};

/* Every char * is owned by the struct; NULL only where noted. */
struct dovecot_sql_conf {
	enum dovecot_sql_driver driver;
	char *default_pass_scheme; /* never NULL: default "MD5" */
	char *password_query;	   /* never NULL */
	/* sqlite */
	char *path;		   /* NULL for mysql */
	/* mysql, in sql/sqldb.h terms */
	char *hosts;		   /* "unix:/p inet:h:port ...", never NULL */
	char *user;		   /* NULL when unset */
	char *password;		   /* NULL when unset; never log it */
	char *dbname;		   /* NULL when unset */
	char *option_file;	   /* NULL when unset */
	char *option_group;	   /* NULL when unset */
};

/*
 * dovecot_sql_parse - parse the text of a dovecot-sql.conf.ext; origin
 * names it in messages. Warnings (ignored keys, ambiguous "#"), one per
 * line, go to warnings_r when not NULL. Returns 0 and a struct freed with
 * dovecot_sql_free, or -1 with a message in err.
 */
int dovecot_sql_parse(const char *data, size_t len, const char *origin,
		      struct dovecot_sql_conf **c_r, struct sbuf *warnings_r,
		      struct sbuf *err);
/* dovecot_sql_load - read (at most DOVECOT_SQL_MAX_FILE bytes) and parse */
int dovecot_sql_load(const char *path, struct dovecot_sql_conf **c_r,
		     struct sbuf *warnings_r, struct sbuf *err);
void dovecot_sql_free(struct dovecot_sql_conf **cp); /* NULL-safe */

/* The values of the query variables; NULL expands to "" */
struct dovecot_sql_vars {
	const char *user;    /* %u: the whole login */
	const char *service; /* %s */
	const char *lip;     /* %l */
	const char *rip;     /* %r */
	const char *lport;   /* %a */
	const char *rport;   /* %b */
	const char *mech;    /* %m */
	const char *pid;     /* %p */
	const char *secured; /* %c */
};

/* Quoting callback: append s escaped for the server to out; -1 if full */
typedef int dovecot_sql_quote_fn(const char *s, struct sbuf *out,
				 void *arg);

/* dovecot_sql_check - is tmpl a template dovecot_sql_expand accepts? */
int dovecot_sql_check(const char *tmpl, struct sbuf *err);

/*
 * dovecot_sql_expand - append tmpl with its variables replaced, each
 * value passed through quote (NULL: as is), to out. -1 with err for a
 * bad template or when out reaches its maximum.
 */
int dovecot_sql_expand(const char *tmpl, const struct dovecot_sql_vars *v,
		       dovecot_sql_quote_fn *quote, void *arg,
		       struct sbuf *out, struct sbuf *err);

#endif
