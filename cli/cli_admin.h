/*
 * cli_admin.h - what the admin subcommands (db, domain, mailbox, alias)
 * share: the config file, opening the database, input checks, password
 * entry and table output.
 *
 * Config: one file in main.cf syntax, -c FILE, else $POSTWARDEN_CONF,
 * else CLI_ADMIN_DEFAULT_CONF. Only the default may be missing (then the
 * defaults apply, so a fresh machine works); a file named by -c or the
 * environment must exist. Parameters start with "db_".
 *
 * Functions that can fail print one message on stderr (log_warn style,
 * "postwarden: ...") and return an enum cli_exit status, 0 for success.
 * Command-line arguments are untrusted input: every name is checked
 * before it reaches the database. Passwords never come from argv.
 */
#ifndef PW_CLI_ADMIN_H
#define PW_CLI_ADMIN_H

#include <stdbool.h>
#include <stddef.h>

#include "attrs.h"
#include "sqldb.h"
#include "sqldb_conf.h"

struct sbuf;

#define CLI_ADMIN_DEFAULT_CONF "/etc/postwarden/postwarden.conf"
#define CLI_ADMIN_CONF_ENV "POSTWARDEN_CONF"

/* RFC 5321 4.5.3.1: local part 64, domain 255 (DNS: 253 as text) */
#define CLI_ADMIN_MAX_LOCAL 64
#define CLI_ADMIN_MAX_DOMAIN 253
#define CLI_ADMIN_MAX_ADDRESS 254 /* RFC 5321 path limit less "<>" */
#define CLI_ADMIN_MAX_TEXT 255	  /* varchar(255) columns */

/*
 * cli_admin_config_path - the file to read: conf_opt (-c, may be NULL),
 * else the environment, else the default. required_r says whether a
 * missing file is an error. Borrowed (argv, environ or static).
 */
const char *cli_admin_config_path(const char *conf_opt, bool *required_r);

/*
 * cli_admin_load_conf - read the db_* parameters (sqldb_conf.h) into cf
 * (caller releases with sqldb_conf_release, also after a failure).
 * Warns when a file that holds db_password is world-readable. Returns a
 * status.
 */
int cli_admin_load_conf(const char *conf_opt, struct sqldb_conf *cf);
/* cli_admin_conf_params - connection parameters; p borrows from cf */
int cli_admin_conf_params(const struct sqldb_conf *cf,
			  struct sqldb_params *p);

/*
 * cli_admin_open - read the config and connect. create: a missing SQLite
 * file is created (mode 0640). check_schema: refuse a database whose
 * schema is not the one this program knows. db_r: sqldb_close.
 */
int cli_admin_open(const char *conf_opt, bool create, bool check_schema,
		   struct sqldb **db_r);

/* cli_admin_db_error - the exit status for a failed database call, after
 * printing what (a borrowed string) and err */
int cli_admin_db_error(enum sqldb_result r, const char *what,
		       const struct sbuf *err);

/* cli_admin_error - print "postwarden: message" on stderr */
void cli_admin_error(const char *fmt, ...) ATTR_PRINTF(1, 2);

/*
 * Input checks. Each returns 0, or -1 after printing why. Accepted names
 * are ASCII and stored in lower case (Postfix folds lookup keys); norm_r
 * gets the normalized form.
 */
int cli_admin_check_domain(const char *s, struct sbuf *norm_r);
/* cli_admin_check_address - local@domain; with allow_catchall also
 * "@domain". local_r and domain_r (may be NULL) get the parts. */
int cli_admin_check_address(const char *s, bool allow_catchall,
			    struct sbuf *norm_r, struct sbuf *local_r,
			    struct sbuf *domain_r);
/* cli_admin_check_text - free text (names, descriptions): UTF-8 as
 * given, no control characters, at most max bytes */
int cli_admin_check_text(const char *what, const char *s, size_t max);

/*
 * cli_admin_read_line - one line from fd into line (replaced, without
 * its end); -1 if longer than line's maximum, on error, or at EOF first
 */
int cli_admin_read_line(int fd, struct sbuf *line);
/*
 * cli_admin_prompt - write prompt to the terminal fd and read one line
 * with echo off; the terminal is restored even if a signal ends us
 */
int cli_admin_prompt(int fd, const char *prompt, struct sbuf *pw);

/*
 * cli_admin_read_password - a new password into pw (a secret buffer made
 * with sbuf_new_max(.., PW_SCHEME_MAX_PASSWORD): free it with
 * sbuf_free_secret). from_stdin: one line from standard
 * input. Otherwise from the terminal with echo off, asked twice.
 */
int cli_admin_read_password(bool from_stdin, struct sbuf *pw);

/*
 * cli_admin_print_rows - print a header line and the rows, tab-separated,
 * NULL as empty. Tabs and control characters in values (rows written
 * by other tools) become spaces so each row stays one line.
 */
void cli_admin_print_rows(const char *header, const struct sqldb_rows *rows);
/* cli_admin_print_record - "name: value" lines for the first row */
void cli_admin_print_record(const char *const *names,
			    const struct sqldb_rows *rows);

#endif
