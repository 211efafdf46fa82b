/* cli_domain.c - postwarden domain: the PostfixAdmin domain table */
#include "config.h"

#include <stdio.h>

#include "cli.h"
#include "cli_admin.h"
#include "sbuf.h"
#include "sqldb.h"

#define USAGE_ADD                                                        \
	"add [-c FILE] DOMAIN [--description TEXT] [--transport T] "     \
	"[--backupmx]"
#define USAGE_LIST "list [-c FILE]"
#define USAGE_SHOW "show [-c FILE] DOMAIN"
#define USAGE_DISABLE "disable [-c FILE] DOMAIN"
#define USAGE_ENABLE "enable [-c FILE] DOMAIN"
#define USAGE_REMOVE "remove [-c FILE] [--force] DOMAIN"

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
static int cli_domain_add(const char *conf, int argc, char **argv)
{
	struct sbuf *dom = sbuf_new(64), *err = sbuf_new(128);
	char now[SQLDB_TIMESTAMP_SIZE];
	struct cli_admin_opts o;
	struct sqldb *db = NULL;
	const char *args[6];
	enum sqldb_result r;
	int status;

	if (!cli_admin_getopt("domain", USAGE_ADD, conf, argc, argv,
			      "description transport backupmx", 1, 1, &o,
			      &status))
		goto out;
	status = CLI_EXIT_DATAERR;
	if (cli_admin_check_domain(o.args[0], dom) < 0)
		goto out;
	if (o.description == NULL)
		o.description = "";
	if (o.transport == NULL)
		o.transport = CLI_DOMAIN_TRANSPORT;
	if (cli_admin_check_text("--description", o.description,
				 CLI_ADMIN_MAX_TEXT) < 0 ||
	    cli_admin_check_text("--transport", o.transport,
				 CLI_ADMIN_MAX_TEXT) < 0)
		goto out;
	status = cli_admin_open(o.conf, false, true, &db);
	if (status != CLI_EXIT_OK)
		goto out;
	sqldb_timestamp(now);
	args[0] = sbuf_cstr(dom);
	args[1] = o.description;
	args[2] = o.transport;
	args[3] = o.backupmx ? "1" : "0";
	args[4] = now;
	args[5] = now;
	r = sqldb_exec(db,
		       "INSERT INTO domain (domain, description, aliases,"
		       " mailboxes, maxquota, quota, transport, backupmx,"
		       " created, modified, active)"
		       " VALUES (?, ?, 0, 0, 0, 0, ?, ?, ?, ?, 1)",
		       args, 6, NULL, err);
	if (r == SQLDB_CONSTRAINT) {
		cli_admin_error("domain %s already exists", sbuf_cstr(dom));
		status = CLI_EXIT_DATAERR;
	} else if (r != SQLDB_OK) {
		status = cli_admin_db_error(r, "adding the domain", err);
	}
out:
	sqldb_close(&db);
	sbuf_free(&dom);
	sbuf_free(&err);
	return status;
}

/* cli_domain_list - every domain, tab-separated */
static int cli_domain_list(const char *conf, int argc, char **argv)
{
	struct sbuf *err = sbuf_new(128);
	struct sqldb_rows *rows = NULL;
	struct cli_admin_opts o;
	struct sqldb *db = NULL;
	enum sqldb_result r;
	int status;

	if (!cli_admin_getopt("domain", USAGE_LIST, conf, argc, argv, "", 0, 0,
			      &o, &status))
		goto out;
	status = cli_admin_open(o.conf, false, true, &db);
	if (status != CLI_EXIT_OK)
		goto out;
	r = sqldb_exec(db,
		       "SELECT " CLI_DOMAIN_COLUMNS " FROM domain d"
		       " WHERE d.domain != 'ALL' ORDER BY d.domain",
		       NULL, 0, &rows, err);
	if (r != SQLDB_OK) {
		status = cli_admin_db_error(r, "listing domains", err);
		goto out;
	}
	cli_admin_print_rows("domain\tactive\tbackupmx\ttransport\tmailboxes"
			     "\taliases\tdescription",
			     rows);
out:
	sqldb_rows_free(&rows);
	sqldb_close(&db);
	sbuf_free(&err);
	return status;
}

/* cli_domain_show - one domain, "name: value" lines */
static int cli_domain_show(const char *conf, int argc, char **argv)
{
	static const char *const names[] = {
		"domain",  "active",	  "backupmx", "transport", "mailboxes",
		"aliases", "description", "created",  "modified",  NULL,
	};
	struct sbuf *dom = sbuf_new(64), *err = sbuf_new(128);
	struct sqldb_rows *rows = NULL;
	struct cli_admin_opts o;
	struct sqldb *db = NULL;
	enum sqldb_result r;
	const char *arg;
	int status;

	if (!cli_admin_getopt("domain", USAGE_SHOW, conf, argc, argv, "", 1, 1,
			      &o, &status))
		goto out;
	status = CLI_EXIT_DATAERR;
	if (cli_admin_check_domain(o.args[0], dom) < 0)
		goto out;
	status = cli_admin_open(o.conf, false, true, &db);
	if (status != CLI_EXIT_OK)
		goto out;
	arg = sbuf_cstr(dom);
	r = sqldb_exec(db,
		       "SELECT " CLI_DOMAIN_COLUMNS ", d.created, d.modified"
		       " FROM domain d WHERE d.domain = ?",
		       &arg, 1, &rows, err);
	if (r != SQLDB_OK) {
		status = cli_admin_db_error(r, "reading the domain", err);
		goto out;
	}
	if (sqldb_rows_count(rows) == 0) {
		cli_admin_error("no domain %s", arg);
		status = CLI_EXIT_NOTFOUND;
		goto out;
	}
	cli_admin_print_record(names, rows);
out:
	sqldb_rows_free(&rows);
	sqldb_close(&db);
	sbuf_free(&dom);
	sbuf_free(&err);
	return status;
}

/* cli_domain_set_active - disable or enable */
static int cli_domain_set_active(const char *conf, int argc, char **argv,
				 bool active)
{
	struct sbuf *dom = sbuf_new(64), *err = sbuf_new(128);
	char now[SQLDB_TIMESTAMP_SIZE];
	struct cli_admin_opts o;
	struct sqldb *db = NULL;
	const char *args[3];
	enum sqldb_result r;
	int status;

	if (!cli_admin_getopt("domain", active ? USAGE_ENABLE : USAGE_DISABLE,
			      conf, argc, argv, "", 1, 1, &o, &status))
		goto out;
	status = CLI_EXIT_DATAERR;
	if (cli_admin_check_domain(o.args[0], dom) < 0)
		goto out;
	status = cli_admin_open(o.conf, false, true, &db);
	if (status != CLI_EXIT_OK)
		goto out;
	sqldb_timestamp(now);
	args[0] = active ? "1" : "0";
	args[1] = now;
	args[2] = sbuf_cstr(dom);
	r = sqldb_exec(db,
		       "UPDATE domain SET active = ?, modified = ?"
		       " WHERE domain = ? AND domain != 'ALL'",
		       args, 3, NULL, err);
	if (r != SQLDB_OK) {
		status = cli_admin_db_error(r, "updating the domain", err);
	} else if (sqldb_changes(db) == 0) {
		cli_admin_error("no domain %s", sbuf_cstr(dom));
		status = CLI_EXIT_NOTFOUND;
	}
out:
	sqldb_close(&db);
	sbuf_free(&dom);
	sbuf_free(&err);
	return status;
}

/* cli_domain_disable - active = 0: Postfix stops accepting its mail */
static int cli_domain_disable(const char *conf, int argc, char **argv)
{
	return cli_domain_set_active(conf, argc, argv, false);
}

/* cli_domain_enable - active = 1 */
static int cli_domain_enable(const char *conf, int argc, char **argv)
{
	return cli_domain_set_active(conf, argc, argv, true);
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
static int cli_domain_remove(const char *conf, int argc, char **argv)
{
	struct sbuf *dom = sbuf_new(64), *err = sbuf_new(128);
	unsigned long mailboxes = 0, aliases = 0;
	const char *const *st;
	struct cli_admin_opts o;
	struct sqldb *db = NULL;
	const char *args[2];
	enum sqldb_result r;
	bool in_txn = false;
	int status;

	if (!cli_admin_getopt("domain", USAGE_REMOVE, conf, argc, argv,
			      "force", 1, 1, &o, &status))
		goto out;
	status = CLI_EXIT_DATAERR;
	if (cli_admin_check_domain(o.args[0], dom) < 0)
		goto out;
	status = cli_admin_open(o.conf, false, true, &db);
	if (status != CLI_EXIT_OK)
		goto out;
	args[0] = args[1] = sbuf_cstr(dom);
	if ((r = sqldb_begin(db, err)) != SQLDB_OK)
		goto db_error;
	in_txn = true;
	if ((r = cli_admin_count(db, "SELECT COUNT(*) FROM mailbox"
				     " WHERE domain = ?",
				 args, 1, &mailboxes, err)) != SQLDB_OK ||
	    (r = cli_admin_count(db, "SELECT COUNT(*) FROM alias"
				     " WHERE domain = ?",
				 args, 1, &aliases, err)) != SQLDB_OK)
		goto db_error;
	if ((mailboxes > 0 || aliases > 0) && !o.force) {
		cli_admin_error("domain %s has %lu mailbox(es) and %lu alias "
				"row(s): --force removes them too (maildirs "
				"on disk stay)",
				sbuf_cstr(dom), mailboxes, aliases);
		status = CLI_EXIT_DATAERR;
		goto out;
	}
	for (st = cli_domain_owned; *st != NULL; st++) {
		r = sqldb_exec(db, *st, args,
			       st == &cli_domain_owned[2] ? 2 : 1, NULL, err);
		if (r != SQLDB_OK)
			goto db_error;
	}
	r = sqldb_exec(db, "DELETE FROM domain WHERE domain = ?"
			   " AND domain != 'ALL'",
		       args, 1, NULL, err);
	if (r != SQLDB_OK)
		goto db_error;
	if (sqldb_changes(db) == 0) {
		cli_admin_error("no domain %s", sbuf_cstr(dom));
		status = CLI_EXIT_NOTFOUND;
		goto out;
	}
	if ((r = sqldb_commit(db, err)) != SQLDB_OK)
		goto db_error;
	in_txn = false;
	status = CLI_EXIT_OK;
	goto out;
db_error:
	status = cli_admin_db_error(r, "removing the domain", err);
out:
	if (in_txn)
		sqldb_rollback(db);
	sqldb_close(&db);
	sbuf_free(&dom);
	sbuf_free(&err);
	return status;
}

static const struct cli_admin_action cli_domain_actions[] = {
	{"add", cli_domain_add, USAGE_ADD},
	{"list", cli_domain_list, USAGE_LIST},
	{"show", cli_domain_show, USAGE_SHOW},
	{"disable", cli_domain_disable, USAGE_DISABLE},
	{"enable", cli_domain_enable, USAGE_ENABLE},
	{"remove", cli_domain_remove, USAGE_REMOVE},
	{NULL, NULL, NULL},
};

/* cli_domain_main - postwarden domain ACTION */
int cli_domain_main(int argc, char **argv)
{
	return cli_admin_dispatch(argc, argv, cli_domain_actions);
}
