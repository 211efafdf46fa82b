/* cli_domain.c - postwarden domain: the PostfixAdmin domain table */
#include "config.h"

#include <stdio.h>

#include "cli.h"
#include "cli_action.h"
#include "cli_admin.h"
#include "sbuf.h"
#include "sqldb.h"

/* PostfixAdmin's default transport for a new domain */
#define CLI_DOMAIN_TRANSPORT "virtual"

/* Counts shown by list and show: mailboxes, and aliases that are not a
 * mailbox's own row. */
#define CLI_DOMAIN_COLUMNS                                               \
	"d.domain, d.active, d.backupmx, d.transport,"                   \
	" (SELECT COUNT(*) FROM mailbox m WHERE m.domain = d.domain),"   \
	" (SELECT COUNT(*) FROM alias a WHERE a.domain = d.domain"       \
	"  AND NOT EXISTS (SELECT 1 FROM mailbox m2"                     \
	"  WHERE m2.username = a.address)),"                             \
	" d.description"

/* cli_domain_add - insert a domain row */
static int cli_domain_add(struct cli_action_run *run)
{
	struct cli_action_opts *o = &run->o;
	char now[SQLDB_TIMESTAMP_SIZE];
	const char *args[6];
	enum sqldb_result r;
	int status;

	if (o->description == NULL)
		o->description = "";
	if (o->transport == NULL)
		o->transport = CLI_DOMAIN_TRANSPORT;
	if (cli_admin_check_text("--description", o->description,
				 CLI_ADMIN_MAX_TEXT) < 0 ||
	    cli_admin_check_text("--transport", o->transport,
				 CLI_ADMIN_MAX_TEXT) < 0)
		return CLI_EXIT_DATAERR;
	status = cli_action_open(run);
	if (status != CLI_EXIT_OK)
		return status;
	sqldb_timestamp(now);
	args[0] = sbuf_cstr(run->key);
	args[1] = o->description;
	args[2] = o->transport;
	args[3] = o->backupmx ? "1" : "0";
	args[4] = now;
	args[5] = now;
	r = sqldb_exec(run->db,
		       "INSERT INTO domain (domain, description, aliases,"
		       " mailboxes, maxquota, quota, transport, backupmx,"
		       " created, modified, active)"
		       " VALUES (?, ?, 0, 0, 0, 0, ?, ?, ?, ?, 1)",
		       args, 6, NULL, run->err);
	if (r == SQLDB_CONSTRAINT) {
		cli_admin_error("domain %s already exists",
				sbuf_cstr(run->key));
		return CLI_EXIT_DATAERR;
	}
	if (r != SQLDB_OK)
		return cli_admin_db_error(r, "adding the domain", run->err);
	return CLI_EXIT_OK;
}

/* Rows that belong to a domain, deleted with it under --force. */
static const char *const cli_domain_owned[] = {
	"DELETE FROM alias WHERE domain = ?",
	"DELETE FROM mailbox WHERE domain = ?",
	"DELETE FROM alias_domain WHERE alias_domain = ? OR target_domain = ?",
	"DELETE FROM dkim_key WHERE domain = ?",
	NULL,
};

/* cli_domain_remove - delete a domain; with --force, what it owns too */
static int cli_domain_remove(struct cli_action_run *run)
{
	static const char what[] = "removing the domain";
	unsigned long mailboxes = 0, aliases = 0;
	const char *const *st;
	const char *args[2];
	enum sqldb_result r;
	int status;

	status = cli_action_open(run);
	if (status != CLI_EXIT_OK)
		return status;
	args[0] = args[1] = sbuf_cstr(run->key);
	if ((r = cli_action_begin(run)) != SQLDB_OK)
		goto db_error;
	status = cli_action_count(run, "SELECT COUNT(*) FROM mailbox"
				       " WHERE domain = ?",
				  args[0], what, &mailboxes);
	if (status == CLI_EXIT_OK)
		status = cli_action_count(run, "SELECT COUNT(*) FROM alias"
					       " WHERE domain = ?",
					  args[0], what, &aliases);
	if (status != CLI_EXIT_OK)
		return status;
	if ((mailboxes > 0 || aliases > 0) && !run->o.force) {
		cli_admin_error("domain %s has %lu mailbox(es) and %lu alias "
				"row(s): --force removes them too (maildirs "
				"on disk stay)",
				args[0], mailboxes, aliases);
		return CLI_EXIT_DATAERR;
	}
	for (st = cli_domain_owned; *st != NULL; st++) {
		r = sqldb_exec(run->db, *st, args,
			       st == &cli_domain_owned[2] ? 2 : 1, NULL,
			       run->err);
		if (r != SQLDB_OK)
			goto db_error;
	}
	r = sqldb_exec(run->db, "DELETE FROM domain WHERE domain = ?"
				" AND domain != 'ALL'",
		       args, 1, NULL, run->err);
	if (r != SQLDB_OK)
		goto db_error;
	if (sqldb_changes(run->db) == 0)
		return cli_action_not_found(run);
	if ((r = cli_action_commit(run)) != SQLDB_OK)
		goto db_error;
	return CLI_EXIT_OK;
db_error:
	return cli_admin_db_error(r, what, run->err);
}

static const char *const cli_domain_names[] = {
	"domain",  "active",	  "backupmx", "transport", "mailboxes",
	"aliases", "description", "created",  "modified",  NULL,
};

/* disable (active = 0: Postfix stops accepting its mail) and enable */
#define CLI_DOMAIN_SET_ACTIVE                                            \
	"UPDATE domain SET active = ?, modified = ?"                     \
	" WHERE domain = ? AND domain != 'ALL'"

static const struct cli_action cli_domain_actions[] = {
	{.name = "add",
	 .fn = cli_domain_add,
	 .usage = "add [-c FILE] DOMAIN [--description TEXT] "
		  "[--transport T] [--backupmx]",
	 .options = "description transport backupmx",
	 .operand = CLI_ACTION_DOMAIN},
	{.name = "list",
	 .fn = cli_action_list,
	 .usage = "list [-c FILE]",
	 .what = "listing domains",
	 .sql = "SELECT " CLI_DOMAIN_COLUMNS " FROM domain d"
		" WHERE d.domain != 'ALL' ORDER BY d.domain",
	 .header = "domain\tactive\tbackupmx\ttransport\tmailboxes"
		   "\taliases\tdescription"},
	{.name = "show",
	 .fn = cli_action_show,
	 .usage = "show [-c FILE] DOMAIN",
	 .operand = CLI_ACTION_DOMAIN,
	 .what = "reading the domain",
	 .sql = "SELECT " CLI_DOMAIN_COLUMNS ", d.created, d.modified"
		" FROM domain d WHERE d.domain = ?",
	 .names = cli_domain_names},
	{.name = "disable",
	 .fn = cli_action_change,
	 .usage = "disable [-c FILE] DOMAIN",
	 .operand = CLI_ACTION_DOMAIN,
	 .what = "updating the domain",
	 .sql = CLI_DOMAIN_SET_ACTIVE,
	 .active = "0"},
	{.name = "enable",
	 .fn = cli_action_change,
	 .usage = "enable [-c FILE] DOMAIN",
	 .operand = CLI_ACTION_DOMAIN,
	 .what = "updating the domain",
	 .sql = CLI_DOMAIN_SET_ACTIVE,
	 .active = "1"},
	{.name = "remove",
	 .fn = cli_domain_remove,
	 .usage = "remove [-c FILE] [--force] DOMAIN",
	 .options = "force",
	 .operand = CLI_ACTION_DOMAIN},
	{.name = NULL},
};

/* cli_domain_main - postwarden domain ACTION */
int cli_domain_main(int argc, char **argv)
{
	return cli_action_dispatch(argc, argv, cli_domain_actions);
}
