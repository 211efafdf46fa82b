/* cli_admin.c - config, database, input checks and output for admin */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "cli_admin.h"
#include "conf.h"
#include "log.h"
#include "pw_scheme.h"
#include "sbuf.h"
#include "sqldb.h"
#include "sqlschema.h"
#include "xalloc.h"

#define CLI_ADMIN_DB_MODE 0640 /* hashes and DKIM keys: not for everyone */

/* cli_admin_error - one line on stderr, as Postfix tools print them */
void cli_admin_error(const char *fmt, ...)
{
	va_list ap;

	fputs("postwarden: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* cli_admin_config_path - -c, else the environment, else the default */
const char *cli_admin_config_path(const char *conf_opt, bool *required_r)
{
	const char *env = getenv(CLI_ADMIN_CONF_ENV);

	*required_r = true;
	if (conf_opt != NULL)
		return conf_opt;
	if (env != NULL && *env != '\0')
		return env;
	*required_r = false;
	return CLI_ADMIN_DEFAULT_CONF;
}

/* cli_admin_load_conf - read the file (or nothing) and apply the table */
int cli_admin_load_conf(const char *conf_opt, struct sqldb_conf *cf)
{
	struct sbuf *err = sbuf_new(128), *warn = sbuf_new(0);
	struct conf *c = NULL;
	const char *path, *w, *nl;
	bool required;
	struct stat st;
	int status = CLI_EXIT_CONFIG;

	memset(cf, 0, sizeof(*cf));
	path = cli_admin_config_path(conf_opt, &required);
	if (!required && stat(path, &st) < 0 && errno == ENOENT) {
		c = NULL; /* a fresh machine: defaults only */
	} else if (conf_load(path, &c, warn, err) < 0) {
		cli_admin_error("%s", sbuf_cstr(err));
		goto out;
	}
	for (w = sbuf_cstr(warn); *w != '\0'; w = *nl ? nl + 1 : nl) {
		nl = strchr(w, '\n');
		if (nl == NULL)
			nl = w + strlen(w);
		log_warn("%.*s", (int)(nl - w), w);
	}
	if (sqldb_conf_apply(c, cf, err) < 0) {
		cli_admin_error("%s", sbuf_cstr(err));
		goto out;
	}
	if (c != NULL && sqldb_conf_password_exposed(cf, path))
		log_warn("%s holds db_password and is world-readable: "
			 "chmod o-r %s", path, path);
	status = CLI_EXIT_OK;
out:
	conf_free(&c);
	sbuf_free(&err);
	sbuf_free(&warn);
	return status;
}

/* cli_admin_conf_params - connection parameters from the config */
int cli_admin_conf_params(const struct sqldb_conf *cf,
			  struct sqldb_params *p)
{
	struct sbuf *err = sbuf_new(128);
	int status = CLI_EXIT_OK;

	if (sqldb_conf_params(cf, p, err) < 0) {
		cli_admin_error("%s", sbuf_cstr(err));
		status = CLI_EXIT_CONFIG;
	}
	sbuf_free(&err);
	return status;
}

/* cli_admin_create_file - make a missing SQLite file with tight modes */
static int cli_admin_create_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		      CLI_ADMIN_DB_MODE);

	if (fd < 0 && errno != EEXIST) {
		cli_admin_error("cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

/* cli_admin_open - config, connect, optionally check the schema */
int cli_admin_open(const char *conf_opt, bool create, bool check_schema,
		   struct sqldb **db_r)
{
	struct sqldb_conf cf;
	struct sqldb_params p;
	struct sbuf *err = sbuf_new(128);
	enum sqldb_result r;
	int status;

	*db_r = NULL;
	status = cli_admin_load_conf(conf_opt, &cf);
	if (status != CLI_EXIT_OK)
		goto out;
	status = cli_admin_conf_params(&cf, &p);
	if (status != CLI_EXIT_OK)
		goto out;
	if (create && p.type == SQLDB_SQLITE &&
	    cli_admin_create_file(p.path) < 0) {
		status = CLI_EXIT_CONFIG;
		goto out;
	}
	p.create = false; /* created above, with our mode */
	r = sqldb_open(&p, db_r, err);
	if (r != SQLDB_OK) {
		cli_admin_error("%s", sbuf_cstr(err));
		if (r == SQLDB_ERROR && p.type == SQLDB_SQLITE)
			cli_admin_error("(\"postwarden db init\" creates the "
					"database)");
		status = r == SQLDB_TEMPFAIL ? CLI_EXIT_TEMPFAIL
					     : CLI_EXIT_CONFIG;
		goto out;
	}
	if (check_schema && (r = sqlschema_check(*db_r, err)) != SQLDB_OK) {
		cli_admin_error("%s", sbuf_cstr(err));
		status = r == SQLDB_TEMPFAIL ? CLI_EXIT_TEMPFAIL
					     : CLI_EXIT_CONFIG;
		sqldb_close(db_r);
		goto out;
	}
	status = CLI_EXIT_OK;
out:
	sqldb_conf_release(&cf);
	sbuf_free(&err);
	return status;
}

/* cli_admin_db_error - report a failed call, choose the exit status */
int cli_admin_db_error(enum sqldb_result r, const char *what,
		       const struct sbuf *err)
{
	cli_admin_error("%s: %s", what, sbuf_cstr(err));
	switch (r) {
	case SQLDB_OK:
		return CLI_EXIT_OK;
	case SQLDB_CONSTRAINT:
		return CLI_EXIT_DATAERR;
	case SQLDB_TEMPFAIL:
		return CLI_EXIT_TEMPFAIL;
	case SQLDB_ERROR:
		break;
	}
	return CLI_EXIT_SOFTWARE;
}

/* cli_admin_quote - a printable form of untrusted input for messages */
static const char *cli_admin_quote(struct sbuf *q, const char *s)
{
	sbuf_reset(q);
	return log_quote(q, s, strlen(s));
}

/* cli_admin_check_domain - a DNS host name, at least two labels */
int cli_admin_check_domain(const char *s, struct sbuf *norm_r)
{
	struct sbuf *q = sbuf_new(64);
	size_t len = strlen(s), label = 0, labels = 1, i;
	bool numeric_tld = true;
	const char *why = NULL;
	int c;

	sbuf_reset(norm_r);
	if (len == 0 || len > CLI_ADMIN_MAX_DOMAIN) {
		why = len == 0 ? "empty" : "longer than 253 characters";
		goto out;
	}
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-') {
				why = "empty label, or a label ending in '-'";
				goto out;
			}
			label = 0;
			labels++;
			numeric_tld = true;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '-') {
			if (c == '-' && label == 0) {
				why = "a label starts with '-'";
				goto out;
			}
			if (++label > 63) {
				why = "a label is longer than 63 characters";
				goto out;
			}
			if (!(c >= '0' && c <= '9'))
				numeric_tld = false;
		} else {
			why = c >= 0x80 ? "not ASCII (use the xn-- form)"
					: "only letters, digits, '-' and '.'";
			goto out;
		}
		sbuf_putc(norm_r, c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	if (label == 0 || s[len - 1] == '-')
		why = "empty last label, or it ends in '-'";
	else if (labels < 2)
		why = "needs at least two labels (example.com)";
	else if (numeric_tld)
		why = "the last label is numeric (an address, not a domain)";
out:
	if (why != NULL)
		cli_admin_error("bad domain name \"%s\": %s",
				cli_admin_quote(q, s), why);
	sbuf_free(&q);
	return why != NULL ? -1 : 0;
}

/* cli_admin_is_atext - RFC 5322 3.2.3 atext */
static bool cli_admin_is_atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* cli_admin_check_address - local@domain (dot-atom local part) */
int cli_admin_check_address(const char *s, bool allow_catchall,
			    struct sbuf *norm_r, struct sbuf *local_r,
			    struct sbuf *domain_r)
{
	struct sbuf *q = sbuf_new(64), *dom = sbuf_new(64);
	const char *at = strrchr(s, '@'), *why = NULL;
	size_t llen, i;
	int c, r = -1;

	sbuf_reset(norm_r);
	if (at == NULL) {
		why = "no '@'";
		goto out;
	}
	llen = (size_t)(at - s);
	if (llen == 0 && !allow_catchall) {
		why = "empty local part";
		goto out;
	}
	if (llen > CLI_ADMIN_MAX_LOCAL) {
		why = "local part longer than 64 characters";
		goto out;
	}
	for (i = 0; i < llen; i++) {
		c = (unsigned char)s[i];
		if (c == '.') {
			if (i == 0 || i + 1 == llen || s[i + 1] == '.') {
				why = "a '.' at the start or end of the local "
				      "part, or two in a row";
				goto out;
			}
		} else if (!cli_admin_is_atext(c)) {
			why = "the local part may hold letters, digits, '.' "
			      "and !#$%&'*+-/=?^_`{|}~ (no quoted forms)";
			goto out;
		}
		sbuf_putc(norm_r, c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	if (local_r != NULL)
		sbuf_set(local_r, sbuf_cstr(norm_r));
	if (cli_admin_check_domain(at + 1, dom) < 0)
		goto out_quiet;
	sbuf_putc(norm_r, '@');
	sbuf_append_str(norm_r, sbuf_cstr(dom));
	if (sbuf_len(norm_r) > CLI_ADMIN_MAX_ADDRESS) {
		why = "longer than 254 characters";
		goto out;
	}
	if (domain_r != NULL)
		sbuf_set(domain_r, sbuf_cstr(dom));
	r = 0;
out:
	if (why != NULL)
		cli_admin_error("bad address \"%s\": %s",
				cli_admin_quote(q, s), why);
out_quiet:
	sbuf_free(&q);
	sbuf_free(&dom);
	return r;
}

/* cli_admin_utf8_len - length of the UTF-8 sequence at s, 0 if bad */
static size_t cli_admin_utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong 3-byte forms and UTF-16 surrogates */
	if (n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) ||
		       (s[0] == 0xed && s[1] >= 0xa0)))
		return 0;
	if (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) ||
		       (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return n;
}

/* cli_admin_check_text - printable UTF-8, bounded */
int cli_admin_check_text(const char *what, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (strlen(s) > max) {
		cli_admin_error("%s: longer than %zu bytes", what, max);
		return -1;
	}
	while (*p != '\0') {
		if (*p < 0x20 || *p == 0x7f ||
		    (n = cli_admin_utf8_len(p)) == 0) {
			cli_admin_error("%s: control characters or invalid "
					"UTF-8", what);
			return -1;
		}
		p += n;
	}
	return 0;
}

/* The terminal state to restore if we are interrupted at the prompt. */
static struct termios cli_admin_saved_tty;
static volatile sig_atomic_t cli_admin_tty_fd = -1;

/* cli_admin_restore_tty - signal handler: echo back on, then die */
static void cli_admin_restore_tty(int sig)
{
	if (cli_admin_tty_fd >= 0)
		tcsetattr(cli_admin_tty_fd, TCSAFLUSH, &cli_admin_saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* cli_admin_read_line - one line from fd, without its end; -1 if too
 * long, on error, or at EOF before any byte */
int cli_admin_read_line(int fd, struct sbuf *line)
{
	bool any = false;
	ssize_t n;
	char c;

	sbuf_wipe(line);
	for (;;) {
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return any ? 0 : -1;
		any = true;
		if (c == '\n')
			break;
		if (sbuf_putc(line, c) < 0)
			return -1;
	}
	if (sbuf_len(line) > 0 && sbuf_cstr(line)[sbuf_len(line) - 1] == '\r')
		sbuf_truncate(line, sbuf_len(line) - 1);
	return 0;
}

/* cli_admin_prompt - ask once on the terminal with echo off */
int cli_admin_prompt(int fd, const char *prompt, struct sbuf *pw)
{
	struct sigaction sa, old_int, old_term;
	struct termios noecho;
	int r;

	if (tcgetattr(fd, &cli_admin_saved_tty) < 0)
		return -1;
	noecho = cli_admin_saved_tty;
	noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cli_admin_restore_tty;
	sigemptyset(&sa.sa_mask);
	cli_admin_tty_fd = fd;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if (write(fd, prompt, strlen(prompt)) < 0 ||
	    tcsetattr(fd, TCSAFLUSH, &noecho) < 0) {
		r = -1;
	} else {
		r = cli_admin_read_line(fd, pw);
		tcsetattr(fd, TCSAFLUSH, &cli_admin_saved_tty);
		(void)!write(fd, "\n", 1);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	cli_admin_tty_fd = -1;
	return r;
}

/* cli_admin_read_password - from stdin or the terminal (twice) */
int cli_admin_read_password(bool from_stdin, struct sbuf *pw)
{
	struct sbuf *again = NULL;
	int fd = -1, status = CLI_EXIT_DATAERR;

	if (from_stdin) {
		if (cli_admin_read_line(STDIN_FILENO, pw) < 0) {
			cli_admin_error("no password on standard input, or "
					"longer than %u bytes",
					PW_SCHEME_MAX_PASSWORD);
			goto out;
		}
	} else {
		fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fd < 0) {
			cli_admin_error("no terminal to ask for the password: "
					"use --password-stdin");
			status = CLI_EXIT_USAGE;
			goto out;
		}
		again = sbuf_new_max(64, PW_SCHEME_MAX_PASSWORD);
		if (cli_admin_prompt(fd, "New password: ", pw) < 0 ||
		    cli_admin_prompt(fd, "Retype new password: ", again) < 0) {
			cli_admin_error("cannot read the password from the "
					"terminal");
			goto out;
		}
		if (sbuf_len(pw) != sbuf_len(again) ||
		    memcmp(sbuf_cstr(pw), sbuf_cstr(again), sbuf_len(pw)) !=
			    0) {
			cli_admin_error("the passwords do not match");
			goto out;
		}
	}
	if (sbuf_is_empty(pw)) {
		cli_admin_error("empty password");
		goto out;
	}
	if (strlen(sbuf_cstr(pw)) != sbuf_len(pw)) {
		cli_admin_error("the password contains a NUL byte");
		goto out;
	}
	status = CLI_EXIT_OK;
out:
	if (status != CLI_EXIT_OK)
		sbuf_wipe(pw);
	sbuf_free_secret(&again);
	if (fd >= 0)
		close(fd);
	return status;
}

/* cli_admin_put_value - one value, kept on one line and in its column */
static void cli_admin_put_value(const char *v)
{
	for (; v != NULL && *v != '\0'; v++)
		putchar((unsigned char)*v < 0x20 || *v == 0x7f ? ' ' : *v);
}

/* cli_admin_print_rows - header plus tab-separated rows */
void cli_admin_print_rows(const char *header, const struct sqldb_rows *rows)
{
	size_t r, c;

	printf("%s\n", header);
	for (r = 0; r < sqldb_rows_count(rows); r++) {
		for (c = 0; c < sqldb_rows_columns(rows); c++) {
			if (c > 0)
				putchar('\t');
			cli_admin_put_value(sqldb_rows_get(rows, r, c));
		}
		putchar('\n');
	}
}

/* cli_admin_print_record - "name: value" for each column of row 0 */
void cli_admin_print_record(const char *const *names,
			    const struct sqldb_rows *rows)
{
	size_t c;

	for (c = 0; names[c] != NULL && c < sqldb_rows_columns(rows); c++) {
		printf("%s: ", names[c]);
		cli_admin_put_value(sqldb_rows_get(rows, 0, c));
		putchar('\n');
	}
}
