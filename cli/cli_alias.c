/* cli_alias.c - postwarden alias: forwarding addresses and catch-alls */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_action.h"
#include "cli_admin.h"
#include "sbuf.h"
#include "sqldb.h"

#define CLI_ALIAS_MAX_GOTO 65535 /* the goto column is MySQL TEXT */

/* The "mailbox" column: is this row a mailbox's own alias row? */
#define CLI_ALIAS_COLUMNS                                                \
	"a.address, a.active,"                                           \
	" CASE WHEN EXISTS (SELECT 1 FROM mailbox m"                     \
	" WHERE m.username = a.address) THEN 'yes' ELSE 'no' END,"       \
	" a.goto"

/* cli_alias_destinations - check and join the destinations with "," */
static int cli_alias_destinations(int n, char **args, struct sbuf *out)
{
	struct sbuf *one = sbuf_new(64), *norm = sbuf_new(64);
	const char *p, *comma;
	int i, r = -1;

	for (i = 0; i < n; i++) {
		for (p = args[i]; *p != '\0'; p = *comma ? comma + 1 : comma) {
			comma = strchr(p, ',');
			if (comma == NULL)
				comma = p + strlen(p);
			sbuf_reset(one);
			sbuf_append(one, p, (size_t)(comma - p));
			if (cli_admin_check_address(sbuf_cstr(one), false, norm,
						    NULL, NULL) < 0)
				goto out;
			if (!sbuf_is_empty(out))
				sbuf_putc(out, ',');
			sbuf_append_str(out, sbuf_cstr(norm));
		}
	}
	if (sbuf_is_empty(out)) {
		cli_admin_error("no destination address");
		goto out;
	}
	if (sbuf_len(out) > CLI_ALIAS_MAX_GOTO) {
		cli_admin_error("too many destinations");
		goto out;
	}
	r = 0;
out:
	sbuf_free(&one);
	sbuf_free(&norm);
	return r;
}

/* cli_alias_add - a new alias row */
static int cli_alias_add(struct cli_action_run *run)
{
	struct sbuf *dest = sbuf_new(64);
	char now[SQLDB_TIMESTAMP_SIZE];
	const char *args[5];
	enum sqldb_result r;
	int status = CLI_EXIT_DATAERR;

	if (cli_alias_destinations(run->o.nargs - 1, run->o.args + 1, dest) <
	    0)
		goto out;
	if ((status = cli_action_open(run)) != CLI_EXIT_OK ||
	    (status = cli_action_need_domain(run, "reading the domain")) !=
		    CLI_EXIT_OK)
		goto out;
	sqldb_timestamp(now);
	args[0] = sbuf_cstr(run->key);
	args[1] = sbuf_cstr(dest);
	args[2] = sbuf_cstr(run->domain);
	args[3] = now;
	args[4] = now;
	r = sqldb_exec(run->db,
		       "INSERT INTO alias (address, goto, domain, created,"
		       " modified, active) VALUES (?, ?, ?, ?, ?, 1)",
		       args, 5, NULL, run->err);
	if (r == SQLDB_CONSTRAINT) {
		cli_admin_error("%s already exists (as an alias or a mailbox)",
				args[0]);
		status = CLI_EXIT_DATAERR;
	} else if (r != SQLDB_OK) {
		status = cli_admin_db_error(r, "adding the alias", run->err);
	}
out:
	sbuf_free(&dest);
	return status;
}

/*
 * cli_alias_change - enable, disable or remove one alias row. A
 * mailbox's own row is left to "postwarden mailbox", which keeps the two
 * in step.
 */
static int cli_alias_change(struct cli_action_run *run)
{
	unsigned long n = 0;
	int status;

	if ((status = cli_action_open(run)) != CLI_EXIT_OK ||
	    (status = cli_action_count(run, "SELECT COUNT(*) FROM mailbox"
					    " WHERE username = ?",
				       sbuf_cstr(run->key),
				       "reading the alias", &n)) != CLI_EXIT_OK)
		return status;
	if (n > 0) {
		cli_admin_error("%s is a mailbox: use \"postwarden mailbox "
				"%s\"", sbuf_cstr(run->key), run->act->name);
		return CLI_EXIT_DATAERR;
	}
	return cli_action_change(run);
}

static const char *const cli_alias_names[] = {
	"address", "active",  "mailbox",  "goto",
	"domain",  "created", "modified", NULL,
};

/* disable (Postfix no longer expands it), enable */
#define CLI_ALIAS_SET_ACTIVE                                             \
	"UPDATE alias SET active = ?, modified = ? WHERE address = ?"

static const struct cli_action cli_alias_actions[] = {
	{.name = "add",
	 .fn = cli_alias_add,
	 .usage = "add [-c FILE] ADDRESS|@DOMAIN DEST[,DEST...] [DEST...]",
	 .operand = CLI_ACTION_ALIAS,
	 .more_operands = true},
	{.name = "list",
	 .fn = cli_action_list,
	 .usage = "list [-c FILE] [DOMAIN]",
	 .operand = CLI_ACTION_DOMAIN_OPT,
	 .what = "listing aliases",
	 .sql = "SELECT " CLI_ALIAS_COLUMNS " FROM alias a"
		" ORDER BY a.domain, a.address",
	 .sql_domain = "SELECT " CLI_ALIAS_COLUMNS " FROM alias a"
		       " WHERE a.domain = ? ORDER BY a.address",
	 .header = "address\tactive\tmailbox\tgoto"},
	{.name = "show",
	 .fn = cli_action_show,
	 .usage = "show [-c FILE] ADDRESS|@DOMAIN",
	 .operand = CLI_ACTION_ALIAS,
	 .what = "reading the alias",
	 .sql = "SELECT " CLI_ALIAS_COLUMNS ", a.domain, a.created,"
		" a.modified FROM alias a WHERE a.address = ?",
	 .names = cli_alias_names},
	{.name = "disable",
	 .fn = cli_alias_change,
	 .usage = "disable [-c FILE] ADDRESS|@DOMAIN",
	 .operand = CLI_ACTION_ALIAS,
	 .what = "changing the alias",
	 .sql = CLI_ALIAS_SET_ACTIVE,
	 .active = "0"},
	{.name = "enable",
	 .fn = cli_alias_change,
	 .usage = "enable [-c FILE] ADDRESS|@DOMAIN",
	 .operand = CLI_ACTION_ALIAS,
	 .what = "changing the alias",
	 .sql = CLI_ALIAS_SET_ACTIVE,
	 .active = "1"},
	{.name = "remove",
	 .fn = cli_alias_change,
	 .usage = "remove [-c FILE] ADDRESS|@DOMAIN",
	 .operand = CLI_ACTION_ALIAS,
	 .what = "changing the alias",
	 .sql = "DELETE FROM alias WHERE address = ?"},
	{.name = NULL},
};

/* cli_alias_main - postwarden alias ACTION */
int cli_alias_main(int argc, char **argv)
{
	return cli_action_dispatch(argc, argv, cli_alias_actions);
}
