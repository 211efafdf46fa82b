/* cli_alias.c - postwarden alias: forwarding addresses and catch-alls */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_admin.h"
#include "sbuf.h"
#include "sqldb.h"

#define USAGE_ADD "add [-c FILE] ADDRESS|@DOMAIN DEST[,DEST...] [DEST...]"
#define USAGE_LIST "list [-c FILE] [DOMAIN]"
#define USAGE_SHOW "show [-c FILE] ADDRESS|@DOMAIN"
#define USAGE_DISABLE "disable [-c FILE] ADDRESS|@DOMAIN"
#define USAGE_ENABLE "enable [-c FILE] ADDRESS|@DOMAIN"
#define USAGE_REMOVE "remove [-c FILE] ADDRESS|@DOMAIN"

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
static int cli_alias_add(const char *conf, int argc, char **argv)
{
	struct sbuf *addr = sbuf_new(64), *dom = sbuf_new(64);
	struct sbuf *dest = sbuf_new(64), *err = sbuf_new(128);
	char now[SQLDB_TIMESTAMP_SIZE];
	struct cli_admin_opts o;
	struct sqldb *db = NULL;
	unsigned long n = 0;
	const char *args[5];
	enum sqldb_result r;
	int status;

	if (!cli_admin_getopt("alias", USAGE_ADD, conf, argc, argv, "", 2, -1,
			      &o, &status))
		goto out;
	status = CLI_EXIT_DATAERR;
	if (cli_admin_check_address(o.args[0], true, addr, NULL, dom) < 0 ||
	    cli_alias_destinations(o.nargs - 1, o.args + 1, dest) < 0)
		goto out;
	status = cli_admin_open(o.conf, false, true, &db);
	if (status != CLI_EXIT_OK)
		goto out;
	args[0] = sbuf_cstr(dom);
	r = cli_admin_count(db, "SELECT COUNT(*) FROM domain"
				" WHERE domain = ? AND domain != 'ALL'",
			    args, 1, &n, err);
	if (r != SQLDB_OK) {
		status = cli_admin_db_error(r, "reading the domain", err);
		goto out;
	}
	if (n == 0) {
		cli_admin_error("no domain %s: add it first with \"postwarden "
				"domain add\"", sbuf_cstr(dom));
		status = CLI_EXIT_DATAERR;
		goto out;
	}
	sqldb_timestamp(now);
	args[0] = sbuf_cstr(addr);
	args[1] = sbuf_cstr(dest);
	args[2] = sbuf_cstr(dom);
	args[3] = now;
	args[4] = now;
	r = sqldb_exec(db,
		       "INSERT INTO alias (address, goto, domain, created,"
		       " modified, active) VALUES (?, ?, ?, ?, ?, 1)",
		       args, 5, NULL, err);
	if (r == SQLDB_CONSTRAINT) {
		cli_admin_error("%s already exists (as an alias or a mailbox)",
				sbuf_cstr(addr));
		status = CLI_EXIT_DATAERR;
	} else if (r != SQLDB_OK) {
		status = cli_admin_db_error(r, "adding the alias", err);
	}
out:
	sqldb_close(&db);
	sbuf_free(&addr);
	sbuf_free(&dom);
	sbuf_free(&dest);
	sbuf_free(&err);
	return status;
}

/* cli_alias_list - all alias rows, or those of one domain */
static int cli_alias_list(const char *conf, int argc, char **argv)
{
	struct sbuf *dom = sbuf_new(64), *err = sbuf_new(128);
	struct sqldb_rows *rows = NULL;
	struct cli_admin_opts o;
	struct sqldb *db = NULL;
	enum sqldb_result r;
	const char *arg;
	int status;

	if (!cli_admin_getopt("alias", USAGE_LIST, conf, argc, argv, "", 0, 1,
			      &o, &status))
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
		       o.nargs == 1 ? "SELECT " CLI_ALIAS_COLUMNS
				      " FROM alias a WHERE a.domain = ?"
				      " ORDER BY a.address"
				    : "SELECT " CLI_ALIAS_COLUMNS
				      " FROM alias a"
				      " ORDER BY a.domain, a.address",
		       &arg, o.nargs == 1 ? 1 : 0, &rows, err);
	if (r != SQLDB_OK) {
		status = cli_admin_db_error(r, "listing aliases", err);
		goto out;
	}
	cli_admin_print_rows("address\tactive\tmailbox\tgoto", rows);
out:
	sqldb_rows_free(&rows);
	sqldb_close(&db);
	sbuf_free(&dom);
	sbuf_free(&err);
	return status;
}

/* cli_alias_show - one alias row */
static int cli_alias_show(const char *conf, int argc, char **argv)
{
	static const char *const names[] = {
		"address", "active", "mailbox", "goto",
		"domain",  "created", "modified", NULL,
	};
	struct sbuf *addr = sbuf_new(64), *err = sbuf_new(128);
	struct sqldb_rows *rows = NULL;
	struct cli_admin_opts o;
	struct sqldb *db = NULL;
	enum sqldb_result r;
	const char *arg;
	int status;

	if (!cli_admin_getopt("alias", USAGE_SHOW, conf, argc, argv, "", 1, 1,
			      &o, &status))
		goto out;
	status = CLI_EXIT_DATAERR;
	if (cli_admin_check_address(o.args[0], true, addr, NULL, NULL) < 0)
		goto out;
	status = cli_admin_open(o.conf, false, true, &db);
	if (status != CLI_EXIT_OK)
		goto out;
	arg = sbuf_cstr(addr);
	r = sqldb_exec(db,
		       "SELECT " CLI_ALIAS_COLUMNS ", a.domain, a.created,"
		       " a.modified FROM alias a WHERE a.address = ?",
		       &arg, 1, &rows, err);
	if (r != SQLDB_OK) {
		status = cli_admin_db_error(r, "reading the alias", err);
		goto out;
	}
	if (sqldb_rows_count(rows) == 0) {
		cli_admin_error("no alias %s", arg);
		status = CLI_EXIT_NOTFOUND;
		goto out;
	}
	cli_admin_print_record(names, rows);
out:
	sqldb_rows_free(&rows);
	sqldb_close(&db);
	sbuf_free(&addr);
	sbuf_free(&err);
	return status;
}

/*
 * cli_alias_change - enable, disable or remove one alias row. A
 * mailbox's own row is left to "postwarden mailbox", which keeps the two
 * in step.
 */
static int cli_alias_change(const char *conf, int argc, char **argv,
			    const char *usage, const char *sql,
			    const char *active)
{
	struct sbuf *addr = sbuf_new(64), *err = sbuf_new(128);
	char now[SQLDB_TIMESTAMP_SIZE];
	struct cli_admin_opts o;
	struct sqldb *db = NULL;
	unsigned long n = 0;
	const char *args[3];
	enum sqldb_result r;
	size_t nargs = 0;
	int status;

	if (!cli_admin_getopt("alias", usage, conf, argc, argv, "", 1, 1, &o,
			      &status))
		goto out;
	status = CLI_EXIT_DATAERR;
	if (cli_admin_check_address(o.args[0], true, addr, NULL, NULL) < 0)
		goto out;
	status = cli_admin_open(o.conf, false, true, &db);
	if (status != CLI_EXIT_OK)
		goto out;
	args[0] = sbuf_cstr(addr);
	r = cli_admin_count(db, "SELECT COUNT(*) FROM mailbox"
				" WHERE username = ?",
			    args, 1, &n, err);
	if (r != SQLDB_OK) {
		status = cli_admin_db_error(r, "reading the alias", err);
		goto out;
	}
	if (n > 0) {
		cli_admin_error("%s is a mailbox: use \"postwarden mailbox "
				"%s\"", sbuf_cstr(addr), argv[0]);
		status = CLI_EXIT_DATAERR;
		goto out;
	}
	sqldb_timestamp(now);
	if (active != NULL) {
		args[nargs++] = active;
		args[nargs++] = now;
	}
	args[nargs++] = sbuf_cstr(addr);
	r = sqldb_exec(db, sql, args, nargs, NULL, err);
	if (r != SQLDB_OK) {
		status = cli_admin_db_error(r, "changing the alias", err);
	} else if (sqldb_changes(db) == 0) {
		cli_admin_error("no alias %s", sbuf_cstr(addr));
		status = CLI_EXIT_NOTFOUND;
	} else {
		status = CLI_EXIT_OK;
	}
out:
	sqldb_close(&db);
	sbuf_free(&addr);
	sbuf_free(&err);
	return status;
}

/* cli_alias_disable - Postfix no longer expands it */
static int cli_alias_disable(const char *conf, int argc, char **argv)
{
	return cli_alias_change(conf, argc, argv, USAGE_DISABLE,
				"UPDATE alias SET active = ?, modified = ?"
				" WHERE address = ?",
				"0");
}

/* cli_alias_enable - active again */
static int cli_alias_enable(const char *conf, int argc, char **argv)
{
	return cli_alias_change(conf, argc, argv, USAGE_ENABLE,
				"UPDATE alias SET active = ?, modified = ?"
				" WHERE address = ?",
				"1");
}

/* cli_alias_remove - delete the row */
static int cli_alias_remove(const char *conf, int argc, char **argv)
{
	return cli_alias_change(conf, argc, argv, USAGE_REMOVE,
				"DELETE FROM alias WHERE address = ?", NULL);
}

static const struct cli_admin_action cli_alias_actions[] = {
	{"add", cli_alias_add, USAGE_ADD},
	{"list", cli_alias_list, USAGE_LIST},
	{"show", cli_alias_show, USAGE_SHOW},
	{"disable", cli_alias_disable, USAGE_DISABLE},
	{"enable", cli_alias_enable, USAGE_ENABLE},
	{"remove", cli_alias_remove, USAGE_REMOVE},
	{NULL, NULL, NULL},
};

/* cli_alias_main - postwarden alias ACTION */
int cli_alias_main(int argc, char **argv)
{
	return cli_admin_dispatch(argc, argv, cli_alias_actions);
}
