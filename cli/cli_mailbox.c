/* cli_mailbox.c - postwarden mailbox: mailboxes and their passwords */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_action.h"
#include "cli_admin.h"
#include "pw_scheme.h"
#include "sbuf.h"
#include "sqldb.h"

/*
 * cli_mailbox_hash - read a new password (terminal or stdin) and hash it
 * into hash_r. The plaintext lives only in a wiped buffer.
 */
static int cli_mailbox_hash(const struct cli_action_opts *o,
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
static int cli_mailbox_check_scheme(struct cli_action_opts *o)
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
static int cli_mailbox_add(struct cli_action_run *run)
{
	static const char what[] = "adding the mailbox";
	struct sbuf *maildir = sbuf_new(64), *hash = sbuf_new(128);
	const char *addr = sbuf_cstr(run->key), *args[8];
	char now[SQLDB_TIMESTAMP_SIZE];
	enum sqldb_result r;
	int status = CLI_EXIT_DATAERR;

	if (run->o.name == NULL)
		run->o.name = "";
	if (cli_admin_check_text("--name", run->o.name, CLI_ADMIN_MAX_TEXT) <
	    0)
		goto out;
	if (cli_mailbox_check_scheme(&run->o) < 0) {
		status = CLI_EXIT_USAGE;
		goto out;
	}
	/*
	 * The local part names a directory: "a/b" would put this maildir
	 * inside a's, so a "/" (valid in an address) is refused here.
	 */
	if (strchr(sbuf_cstr(run->local), '/') != NULL) {
		cli_admin_error("mailbox %s: a mailbox name may not contain "
				"'/' (it names the maildir)", addr);
		goto out;
	}
	/* PostfixAdmin's layout: domain/local/ under the mail root */
	sbuf_printf(maildir, "%s/%s/", sbuf_cstr(run->domain),
		    sbuf_cstr(run->local));
	if ((status = cli_action_open(run)) != CLI_EXIT_OK ||
	    (status = cli_action_need_domain(run, what)) != CLI_EXIT_OK)
		goto out;
	/* ask before taking any lock: typing takes a while */
	status = cli_mailbox_hash(&run->o, hash);
	if (status != CLI_EXIT_OK)
		goto out;
	sqldb_timestamp(now);
	if ((r = cli_action_begin(run)) != SQLDB_OK)
		goto db_error;
	args[0] = addr;
	args[1] = sbuf_cstr(hash);
	args[2] = run->o.name;
	args[3] = sbuf_cstr(maildir);
	args[4] = sbuf_cstr(run->local);
	args[5] = sbuf_cstr(run->domain);
	args[6] = now;
	args[7] = now;
	r = sqldb_exec(run->db,
		       "INSERT INTO mailbox (username, password, name, maildir,"
		       " quota, local_part, domain, created, modified, active)"
		       " VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, 1)",
		       args, 8, NULL, run->err);
	if (r == SQLDB_OK) {
		args[1] = addr; /* goto = the mailbox itself */
		args[2] = sbuf_cstr(run->domain);
		args[3] = now;
		args[4] = now;
		r = sqldb_exec(run->db,
			       "INSERT INTO alias (address, goto, domain,"
			       " created, modified, active)"
			       " VALUES (?, ?, ?, ?, ?, 1)",
			       args, 5, NULL, run->err);
	}
	if (r == SQLDB_CONSTRAINT) {
		cli_admin_error("%s already exists (as a mailbox or an alias)",
				addr);
		status = CLI_EXIT_DATAERR;
		goto out;
	}
	if (r != SQLDB_OK || (r = cli_action_commit(run)) != SQLDB_OK)
		goto db_error;
	status = CLI_EXIT_OK;
	goto out;
db_error:
	status = cli_admin_db_error(r, what, run->err);
out:
	sbuf_free(&maildir);
	sbuf_free_secret(&hash);
	return status;
}

/* cli_mailbox_show - one mailbox; of the password only its scheme */
static int cli_mailbox_show(struct cli_action_run *run)
{
	struct sqldb_rows *rows = NULL;
	const char *pw, *end;
	int status;

	status = cli_action_fetch(run, &rows);
	if (status != CLI_EXIT_OK)
		goto out;
	cli_admin_print_record(run->act->names, rows);
	pw = sqldb_rows_get(rows, 0, 9);
	if (pw != NULL && pw[0] == '{' && (end = strchr(pw, '}')) != NULL &&
	    end - pw < 64)
		printf("password_scheme: %.*s\n", (int)(end - pw - 1), pw + 1);
	else
		printf("password_scheme: (none: the passdb default)\n");
out:
	sqldb_rows_free(&rows);
	return status;
}

/* cli_mailbox_passwd - set a new password */
static int cli_mailbox_passwd(struct cli_action_run *run)
{
	struct sbuf *hash = sbuf_new(128);
	char now[SQLDB_TIMESTAMP_SIZE];
	unsigned long n = 0;
	const char *args[3];
	enum sqldb_result r;
	int status = CLI_EXIT_USAGE;

	if (cli_mailbox_check_scheme(&run->o) < 0)
		goto out;
	if ((status = cli_action_open(run)) != CLI_EXIT_OK ||
	    (status = cli_action_count(run, "SELECT COUNT(*) FROM mailbox"
					    " WHERE username = ?",
				       sbuf_cstr(run->key),
				       "reading the mailbox", &n)) !=
		    CLI_EXIT_OK)
		goto out;
	if (n == 0) {
		status = cli_action_not_found(run);
		goto out;
	}
	status = cli_mailbox_hash(&run->o, hash);
	if (status != CLI_EXIT_OK)
		goto out;
	sqldb_timestamp(now);
	args[0] = sbuf_cstr(hash);
	args[1] = now;
	args[2] = sbuf_cstr(run->key);
	r = sqldb_exec(run->db,
		       "UPDATE mailbox SET password = ?, modified = ?"
		       " WHERE username = ?",
		       args, 3, NULL, run->err);
	if (r != SQLDB_OK)
		status = cli_admin_db_error(r, "setting the password",
					    run->err);
	else if (sqldb_changes(run->db) == 0)
		status = cli_action_not_found(run);
out:
	sbuf_free_secret(&hash);
	return status;
}

static const char *const cli_mailbox_names[] = {
	"username", "name",   "domain",	 "local_part", "maildir",
	"quota",    "active", "created", "modified",   NULL,
};

/* disable (no login, no delivery), enable, remove (the maildir on disk
 * stays): the mailbox's alias row follows, as in PostfixAdmin */
#define CLI_MAILBOX_SET_ACTIVE                                           \
	"UPDATE mailbox SET active = ?, modified = ? WHERE username = ?"
#define CLI_MAILBOX_ALIAS_SET_ACTIVE                                     \
	"UPDATE alias SET active = ?, modified = ? WHERE address = ?"

static const struct cli_action cli_mailbox_actions[] = {
	{.name = "add",
	 .fn = cli_mailbox_add,
	 .usage = "add [-c FILE] ADDRESS [--name TEXT] [--scheme SCHEME] "
		  "[--password-stdin]",
	 .options = "name scheme password-stdin",
	 .operand = CLI_ACTION_ADDRESS},
	{.name = "list",
	 .fn = cli_action_list,
	 .usage = "list [-c FILE] [DOMAIN]",
	 .operand = CLI_ACTION_DOMAIN_OPT,
	 .what = "listing mailboxes",
	 .sql = "SELECT username, active, maildir, quota, name"
		" FROM mailbox ORDER BY domain, username",
	 .sql_domain = "SELECT username, active, maildir, quota, name"
		       " FROM mailbox WHERE domain = ? ORDER BY username",
	 .header = "username\tactive\tmaildir\tquota\tname"},
	{.name = "show",
	 .fn = cli_mailbox_show,
	 .usage = "show [-c FILE] ADDRESS",
	 .operand = CLI_ACTION_ADDRESS,
	 .what = "reading the mailbox",
	 .sql = "SELECT username, name, domain, local_part, maildir,"
		" quota, active, created, modified, password"
		" FROM mailbox WHERE username = ?",
	 .names = cli_mailbox_names},
	{.name = "passwd",
	 .fn = cli_mailbox_passwd,
	 .usage = "passwd [-c FILE] ADDRESS [--scheme SCHEME] "
		  "[--password-stdin]",
	 .options = "scheme password-stdin",
	 .operand = CLI_ACTION_ADDRESS},
	{.name = "disable",
	 .fn = cli_action_change,
	 .usage = "disable [-c FILE] ADDRESS",
	 .operand = CLI_ACTION_ADDRESS,
	 .what = "changing the mailbox",
	 .sql = CLI_MAILBOX_SET_ACTIVE,
	 .sql_then = CLI_MAILBOX_ALIAS_SET_ACTIVE,
	 .active = "0"},
	{.name = "enable",
	 .fn = cli_action_change,
	 .usage = "enable [-c FILE] ADDRESS",
	 .operand = CLI_ACTION_ADDRESS,
	 .what = "changing the mailbox",
	 .sql = CLI_MAILBOX_SET_ACTIVE,
	 .sql_then = CLI_MAILBOX_ALIAS_SET_ACTIVE,
	 .active = "1"},
	{.name = "remove",
	 .fn = cli_action_change,
	 .usage = "remove [-c FILE] ADDRESS",
	 .operand = CLI_ACTION_ADDRESS,
	 .what = "changing the mailbox",
	 .sql = "DELETE FROM mailbox WHERE username = ?",
	 .sql_then = "DELETE FROM alias WHERE address = ?"},
	{.name = NULL},
};

/* cli_mailbox_main - postwarden mailbox ACTION */
int cli_mailbox_main(int argc, char **argv)
{
	return cli_action_dispatch(argc, argv, cli_mailbox_actions);
}
