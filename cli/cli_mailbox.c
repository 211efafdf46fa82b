/* cli_mailbox.c - postwarden mailbox: mailboxes and their passwords */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_admin.h"
#include "pw_scheme.h"
#include "sbuf.h"
#include "sqldb.h"

#define USAGE_ADD                                                        \
	"add [-c FILE] ADDRESS [--name TEXT] [--scheme SCHEME] "         \
	"[--password-stdin]"
#define USAGE_LIST "list [-c FILE] [DOMAIN]"
#define USAGE_SHOW "show [-c FILE] ADDRESS"
#define USAGE_PASSWD "passwd [-c FILE] ADDRESS [--scheme SCHEME] " \
		     "[--password-stdin]"
#define USAGE_DISABLE "disable [-c FILE] ADDRESS"
#define USAGE_ENABLE "enable [-c FILE] ADDRESS"
#define USAGE_REMOVE "remove [-c FILE] ADDRESS"

/*
 * cli_mailbox_hash - read a new password (terminal or stdin) and hash it
 * into hash_r. The plaintext lives only in a wiped buffer.
 */
static int cli_mailbox_hash(const struct cli_admin_opts *o,
			    struct sbuf *hash_r)
{
	struct sbuf *pw = sbuf_new_max(64, PW_SCHEME_MAX_PASSWORD);
	struct sbuf *err = sbuf_new(64);
	int status;

	status = cli_admin_read_password(o->password_stdin, pw);
	if (status != CLI_EXIT_OK)
		goto out;
	if (pw_scheme_generate(o->scheme, sbuf_cstr(pw), NULL, 0, hash_r,
			       err) < 0) {
		cli_admin_error("%s", sbuf_cstr(err));
		status = CLI_EXIT_SOFTWARE;
	}
out:
	sbuf_free_secret(&pw);
	sbuf_free(&err);
	return status;
}

/* cli_mailbox_check_scheme - --scheme names a scheme we can store */
static int cli_mailbox_check_scheme(struct cli_admin_opts *o)
{
	if (o->scheme == NULL)
		o->scheme = PW_SCHEME_DEFAULT;
	if (!pw_scheme_can_generate(o->scheme)) {
		cli_admin_error("--scheme: cannot store passwords as \"%.64s\""
				" (use SHA512-CRYPT, SHA256-CRYPT, BLF-CRYPT "
				"or PLAIN)", o->scheme);
		return -1;
	}
	return 0;
}

/* cli_mailbox_add - mailbox row plus its alias row, as PostfixAdmin */
static int cli_mailbox_add(const char *conf, int argc, char **argv)
{
	struct sbuf *addr = sbuf_new(64), *local = sbuf_new(64);
	struct sbuf *dom = sbuf_new(64), *maildir = sbuf_new(64);
	struct sbuf *hash = sbuf_new(128), *err = sbuf_new(128);
	char now[SQLDB_TIMESTAMP_SIZE];
	struct cli_admin_opts o;
	struct sqldb *db = NULL;
	unsigned long n = 0;
	const char *args[9];
	enum sqldb_result r;
	bool in_txn = false;
	int status;

	if (!cli_admin_getopt("mailbox", USAGE_ADD, conf, argc, argv,
			      "name scheme password-stdin", 1, 1, &o,
			      &status))
		goto out;
	status = CLI_EXIT_DATAERR;
	if (cli_admin_check_address(o.args[0], false, addr, local, dom) < 0)
		goto out;
	if (o.name == NULL)
		o.name = "";
	if (cli_admin_check_text("--name", o.name, CLI_ADMIN_MAX_TEXT) < 0)
		goto out;
	if (cli_mailbox_check_scheme(&o) < 0) {
		status = CLI_EXIT_USAGE;
		goto out;
	}
	/* PostfixAdmin's layout: domain/local/ under the mail root */
	sbuf_printf(maildir, "%s/%s/", sbuf_cstr(dom), sbuf_cstr(local));
	status = cli_admin_open(o.conf, false, true, &db);
	if (status != CLI_EXIT_OK)
		goto out;
	args[0] = sbuf_cstr(dom);
	if ((r = cli_admin_count(db, "SELECT COUNT(*) FROM domain"
				     " WHERE domain = ? AND domain != 'ALL'",
				 args, 1, &n, err)) != SQLDB_OK)
		goto db_error;
	if (n == 0) {
		cli_admin_error("no domain %s: add it first with \"postwarden "
				"domain add\"", sbuf_cstr(dom));
		status = CLI_EXIT_DATAERR;
		goto out;
	}
	/* ask before taking any lock: typing takes a while */
	status = cli_mailbox_hash(&o, hash);
	if (status != CLI_EXIT_OK)
		goto out;
	sqldb_timestamp(now);
	if ((r = sqldb_begin(db, err)) != SQLDB_OK)
		goto db_error;
	in_txn = true;
	args[0] = sbuf_cstr(addr);
	args[1] = sbuf_cstr(hash);
	args[2] = o.name;
	args[3] = sbuf_cstr(maildir);
	args[4] = sbuf_cstr(local);
	args[5] = sbuf_cstr(dom);
	args[6] = now;
	args[7] = now;
	r = sqldb_exec(db,
		       "INSERT INTO mailbox (username, password, name, maildir,"
		       " quota, local_part, domain, created, modified, active)"
		       " VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, 1)",
		       args, 8, NULL, err);
	if (r == SQLDB_OK) {
		args[1] = sbuf_cstr(addr); /* goto = the mailbox itself */
		args[2] = sbuf_cstr(dom);
		args[3] = now;
		args[4] = now;
		r = sqldb_exec(db,
			       "INSERT INTO alias (address, goto, domain,"
			       " created, modified, active)"
			       " VALUES (?, ?, ?, ?, ?, 1)",
			       args, 5, NULL, err);
	}
	if (r == SQLDB_CONSTRAINT) {
		cli_admin_error("%s already exists (as a mailbox or an alias)",
				sbuf_cstr(addr));
		status = CLI_EXIT_DATAERR;
		goto out;
	}
	if (r != SQLDB_OK || (r = sqldb_commit(db, err)) != SQLDB_OK)
		goto db_error;
	in_txn = false;
	status = CLI_EXIT_OK;
	goto out;
db_error:
	status = cli_admin_db_error(r, "adding the mailbox", err);
out:
	if (in_txn)
		sqldb_rollback(db);
	sqldb_close(&db);
	sbuf_free(&addr);
	sbuf_free(&local);
	sbuf_free(&dom);
	sbuf_free(&maildir);
	sbuf_free_secret(&hash);
	sbuf_free(&err);
	return status;
}

/* cli_mailbox_list - all mailboxes, or those of one domain */
static int cli_mailbox_list(const char *conf, int argc, char **argv)
{
	struct sbuf *dom = sbuf_new(64), *err = sbuf_new(128);
	struct sqldb_rows *rows = NULL;
	struct cli_admin_opts o;
	struct sqldb *db = NULL;
	enum sqldb_result r;
	const char *arg;
	int status;

	if (!cli_admin_getopt("mailbox", USAGE_LIST, conf, argc, argv, "", 0,
			      1, &o, &status))
		goto out;
	if (o.nargs == 1 && cli_admin_check_domain(o.args[0], dom) < 0) {
		status = CLI_EXIT_DATAERR;
		goto out;
	}
	status = cli_admin_open(o.conf, false, true, &db);
	if (status != CLI_EXIT_OK)
		goto out;
	arg = sbuf_cstr(dom);
	r = sqldb_exec(db,
		       o.nargs == 1
			       ? "SELECT username, active, maildir, quota, name"
				 " FROM mailbox WHERE domain = ?"
				 " ORDER BY username"
			       : "SELECT username, active, maildir, quota, name"
				 " FROM mailbox ORDER BY domain, username",
		       &arg, o.nargs == 1 ? 1 : 0, &rows, err);
	if (r != SQLDB_OK) {
		status = cli_admin_db_error(r, "listing mailboxes", err);
		goto out;
	}
	cli_admin_print_rows("username\tactive\tmaildir\tquota\tname", rows);
out:
	sqldb_rows_free(&rows);
	sqldb_close(&db);
	sbuf_free(&dom);
	sbuf_free(&err);
	return status;
}

/* cli_mailbox_show - one mailbox; of the password only its scheme */
static int cli_mailbox_show(const char *conf, int argc, char **argv)
{
	static const char *const names[] = {
		"username", "name",    "domain",   "local_part", "maildir",
		"quota",    "active",  "created",  "modified",   NULL,
	};
	struct sbuf *addr = sbuf_new(64), *err = sbuf_new(128);
	struct sqldb_rows *rows = NULL;
	struct cli_admin_opts o;
	struct sqldb *db = NULL;
	enum sqldb_result r;
	const char *arg, *pw, *end;
	int status;

	if (!cli_admin_getopt("mailbox", USAGE_SHOW, conf, argc, argv, "", 1,
			      1, &o, &status))
		goto out;
	status = CLI_EXIT_DATAERR;
	if (cli_admin_check_address(o.args[0], false, addr, NULL, NULL) < 0)
		goto out;
	status = cli_admin_open(o.conf, false, true, &db);
	if (status != CLI_EXIT_OK)
		goto out;
	arg = sbuf_cstr(addr);
	r = sqldb_exec(db,
		       "SELECT username, name, domain, local_part, maildir,"
		       " quota, active, created, modified, password"
		       " FROM mailbox WHERE username = ?",
		       &arg, 1, &rows, err);
	if (r != SQLDB_OK) {
		status = cli_admin_db_error(r, "reading the mailbox", err);
		goto out;
	}
	if (sqldb_rows_count(rows) == 0) {
		cli_admin_error("no mailbox %s", arg);
		status = CLI_EXIT_NOTFOUND;
		goto out;
	}
	cli_admin_print_record(names, rows);
	pw = sqldb_rows_get(rows, 0, 9);
	if (pw != NULL && pw[0] == '{' && (end = strchr(pw, '}')) != NULL &&
	    end - pw < 64)
		printf("password_scheme: %.*s\n", (int)(end - pw - 1), pw + 1);
	else
		printf("password_scheme: (none: the passdb default)\n");
out:
	sqldb_rows_free(&rows);
	sqldb_close(&db);
	sbuf_free(&addr);
	sbuf_free(&err);
	return status;
}

/* cli_mailbox_passwd - set a new password */
static int cli_mailbox_passwd(const char *conf, int argc, char **argv)
{
	struct sbuf *addr = sbuf_new(64), *hash = sbuf_new(128);
	struct sbuf *err = sbuf_new(128);
	char now[SQLDB_TIMESTAMP_SIZE];
	struct cli_admin_opts o;
	struct sqldb *db = NULL;
	unsigned long n = 0;
	const char *args[3];
	enum sqldb_result r;
	int status;

	if (!cli_admin_getopt("mailbox", USAGE_PASSWD, conf, argc, argv,
			      "scheme password-stdin", 1, 1, &o, &status))
		goto out;
	status = CLI_EXIT_DATAERR;
	if (cli_admin_check_address(o.args[0], false, addr, NULL, NULL) < 0)
		goto out;
	if (cli_mailbox_check_scheme(&o) < 0) {
		status = CLI_EXIT_USAGE;
		goto out;
	}
	status = cli_admin_open(o.conf, false, true, &db);
	if (status != CLI_EXIT_OK)
		goto out;
	args[0] = sbuf_cstr(addr);
	r = cli_admin_count(db, "SELECT COUNT(*) FROM mailbox"
				" WHERE username = ?",
			    args, 1, &n, err);
	if (r != SQLDB_OK) {
		status = cli_admin_db_error(r, "reading the mailbox", err);
		goto out;
	}
	if (n == 0) {
		cli_admin_error("no mailbox %s", sbuf_cstr(addr));
		status = CLI_EXIT_NOTFOUND;
		goto out;
	}
	status = cli_mailbox_hash(&o, hash);
	if (status != CLI_EXIT_OK)
		goto out;
	sqldb_timestamp(now);
	args[0] = sbuf_cstr(hash);
	args[1] = now;
	args[2] = sbuf_cstr(addr);
	r = sqldb_exec(db,
		       "UPDATE mailbox SET password = ?, modified = ?"
		       " WHERE username = ?",
		       args, 3, NULL, err);
	if (r != SQLDB_OK) {
		status = cli_admin_db_error(r, "setting the password", err);
	} else if (sqldb_changes(db) == 0) {
		cli_admin_error("no mailbox %s", sbuf_cstr(addr));
		status = CLI_EXIT_NOTFOUND;
	}
out:
	sqldb_close(&db);
	sbuf_free(&addr);
	sbuf_free_secret(&hash);
	sbuf_free(&err);
	return status;
}

/*
 * cli_mailbox_change - run a mailbox statement and then an alias one on
 * the same address in one transaction (enable, disable, remove: the
 * mailbox's alias row follows the mailbox, as in PostfixAdmin).
 */
static int cli_mailbox_change(const char *conf, int argc, char **argv,
			      const char *usage, const char *mailbox_sql,
			      const char *alias_sql, const char *active)
{
	struct sbuf *addr = sbuf_new(64), *err = sbuf_new(128);
	char now[SQLDB_TIMESTAMP_SIZE];
	struct cli_admin_opts o;
	struct sqldb *db = NULL;
	const char *args[3];
	enum sqldb_result r;
	bool in_txn = false;
	size_t nargs;
	int status;

	if (!cli_admin_getopt("mailbox", usage, conf, argc, argv, "", 1, 1, &o,
			      &status))
		goto out;
	status = CLI_EXIT_DATAERR;
	if (cli_admin_check_address(o.args[0], false, addr, NULL, NULL) < 0)
		goto out;
	status = cli_admin_open(o.conf, false, true, &db);
	if (status != CLI_EXIT_OK)
		goto out;
	sqldb_timestamp(now);
	nargs = 0;
	if (active != NULL) {
		args[nargs++] = active;
		args[nargs++] = now;
	}
	args[nargs++] = sbuf_cstr(addr);
	if ((r = sqldb_begin(db, err)) != SQLDB_OK)
		goto db_error;
	in_txn = true;
	if ((r = sqldb_exec(db, mailbox_sql, args, nargs, NULL, err)) !=
	    SQLDB_OK)
		goto db_error;
	if (sqldb_changes(db) == 0) {
		cli_admin_error("no mailbox %s", sbuf_cstr(addr));
		status = CLI_EXIT_NOTFOUND;
		goto out;
	}
	if ((r = sqldb_exec(db, alias_sql, args, nargs, NULL, err)) !=
		    SQLDB_OK ||
	    (r = sqldb_commit(db, err)) != SQLDB_OK)
		goto db_error;
	in_txn = false;
	status = CLI_EXIT_OK;
	goto out;
db_error:
	status = cli_admin_db_error(r, "changing the mailbox", err);
out:
	if (in_txn)
		sqldb_rollback(db);
	sqldb_close(&db);
	sbuf_free(&addr);
	sbuf_free(&err);
	return status;
}

/* cli_mailbox_disable - no login, no delivery */
static int cli_mailbox_disable(const char *conf, int argc, char **argv)
{
	return cli_mailbox_change(
		conf, argc, argv, USAGE_DISABLE,
		"UPDATE mailbox SET active = ?, modified = ? WHERE username = ?",
		"UPDATE alias SET active = ?, modified = ? WHERE address = ?",
		"0");
}

/* cli_mailbox_enable - active again */
static int cli_mailbox_enable(const char *conf, int argc, char **argv)
{
	return cli_mailbox_change(
		conf, argc, argv, USAGE_ENABLE,
		"UPDATE mailbox SET active = ?, modified = ? WHERE username = ?",
		"UPDATE alias SET active = ?, modified = ? WHERE address = ?",
		"1");
}

/* cli_mailbox_remove - delete the rows; the maildir on disk stays */
static int cli_mailbox_remove(const char *conf, int argc, char **argv)
{
	return cli_mailbox_change(conf, argc, argv, USAGE_REMOVE,
				  "DELETE FROM mailbox WHERE username = ?",
				  "DELETE FROM alias WHERE address = ?", NULL);
}

static const struct cli_admin_action cli_mailbox_actions[] = {
	{"add", cli_mailbox_add, USAGE_ADD},
	{"list", cli_mailbox_list, USAGE_LIST},
	{"show", cli_mailbox_show, USAGE_SHOW},
	{"passwd", cli_mailbox_passwd, USAGE_PASSWD},
	{"disable", cli_mailbox_disable, USAGE_DISABLE},
	{"enable", cli_mailbox_enable, USAGE_ENABLE},
	{"remove", cli_mailbox_remove, USAGE_REMOVE},
	{NULL, NULL, NULL},
};

/* cli_mailbox_main - postwarden mailbox ACTION */
int cli_mailbox_main(int argc, char **argv)
{
	return cli_admin_dispatch(argc, argv, cli_mailbox_actions);
}
