/*
 * sqlmap_cf.h - Postfix mysql_table(5) / sqlite_table(5) .cf files.
 *
 * Reads the file with conf_parse (main.cf syntax, no $name expansion, as
 * Postfix cfg_parser does) and keeps the parameters the table type knows.
 * Unknown names are ignored, as Postfix ignores them, but reported as
 * warnings. Booleans are yes/no only. A missing query is built from the
 * legacy select_field/table/where_field/additional_conditions trio.
 *
 * sqlmap_cf_parse is pure (no I/O, no logging); sqlmap_cf_load reads the
 * file and adds the world-readable-password warning. Warnings are appended
 * to the caller's sbuf one per line ("\n"-terminated); the caller logs
 * them. The file is trusted local configuration but still size-limited.
 * The password is wiped when the struct is freed. Thread-safe.
 */
#ifndef PW_SQLMAP_CF_H
#define PW_SQLMAP_CF_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf;

enum sqlmap_cf_type {
	SQLMAP_CF_MYSQL,
	SQLMAP_CF_SQLITE,
};

/* Every char * is owned by the struct and freed by sqlmap_cf_free. */
struct sqlmap_cf {
	enum sqlmap_cf_type type;
	char *origin;          /* file name, for messages */
	char *query;           /* never NULL: query, or built from legacy */
	char *result_format;   /* never NULL: default "%s" */
	char *domain;          /* NULL when unset or empty */
	unsigned int expansion_limit; /* 0 = unlimited */

	char *dbpath;          /* sqlite: never NULL, never empty */

	char *hosts;           /* mysql: never NULL (may be empty) */
	char *user;            /* never NULL */
	char *password;        /* never NULL; never log it */
	char *dbname;          /* never NULL, never empty */
	char *option_file;     /* NULL when unset */
	char *option_group;    /* never NULL: default "client"; "" = none */
	bool require_result_set; /* default yes */
	char *tls_cert_file;   /* the tls_* are NULL when unset */
	char *tls_key_file;
	char *tls_CAfile;
	char *tls_CApath;
	char *tls_ciphers;
	int tls_verify_cert;   /* -1 unset (library default), 0 no, 1 yes */
};

/*
 * sqlmap_cf_parse - parse the text of a .cf file for the given table type.
 * origin names it in messages. Returns 0 and a struct the caller frees with
 * sqlmap_cf_free, or -1 with a message in err (syntax, bad boolean or
 * number, a required parameter missing or empty).
 */
int sqlmap_cf_parse(const char *data, size_t len, const char *origin,
		    enum sqlmap_cf_type type, struct sqlmap_cf **cf_r,
		    struct sbuf *warnings_r, struct sbuf *err);

/*
 * sqlmap_cf_load - read and parse path. A missing, unreadable, non-regular
 * or oversized file is an error. Adds a warning when the file sets a
 * password and is readable by everyone.
 */
int sqlmap_cf_load(const char *path, enum sqlmap_cf_type type,
		   struct sqlmap_cf **cf_r, struct sbuf *warnings_r,
		   struct sbuf *err);

/* sqlmap_cf_free - release cf, wiping the password; NULL-safe */
void sqlmap_cf_free(struct sqlmap_cf **cfp);

#endif
