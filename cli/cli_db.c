/* cli_db.c - postwarden db: create, upgrade and describe the database */
#include "config.h"

#include <stdio.h>

#include "cli.h"
#include "cli_action.h"
#include "cli_admin.h"
#include "sbuf.h"
#include "sqldb.h"
#include "sqlschema.h"

/* cli_db_migrate - shared by init and migrate */
static int cli_db_migrate(struct cli_action_run *run, bool create)
{
	unsigned int from = 0, to = 0;
	enum sqldb_result r;
	int status;

	status = cli_admin_open(run->o.conf, create, false, &run->db);
	if (status != CLI_EXIT_OK)
		return status;
	r = sqlschema_migrate(run->db, &from, &to, run->err);
	if (r != SQLDB_OK) {
		status = cli_admin_db_error(r, "schema migration", run->err);
		if (r == SQLDB_ERROR && from > sqlschema_latest())
			status = CLI_EXIT_CONFIG;
		return status;
	}
	if (from == to)
		printf("schema version %u, up to date\n", to);
	else
		printf("schema version %u -> %u\n", from, to);
	return CLI_EXIT_OK;
}

/* cli_db_init - create the database (SQLite file) and the schema */
static int cli_db_init(struct cli_action_run *run)
{
	return cli_db_migrate(run, true);
}

/* cli_db_upgrade - apply the missing versions to an existing database */
static int cli_db_upgrade(struct cli_action_run *run)
{
	return cli_db_migrate(run, false);
}

/* cli_db_version - print the database's schema version */
static int cli_db_version(struct cli_action_run *run)
{
	enum sqldb_result r;
	unsigned int v = 0;
	int status;

	status = cli_admin_open(run->o.conf, false, false, &run->db);
	if (status != CLI_EXIT_OK)
		return status;
	r = sqlschema_current(run->db, &v, run->err);
	if (r != SQLDB_OK)
		return cli_admin_db_error(r, "schema version", run->err);
	printf("%u\n", v);
	if (v != sqlschema_latest())
		cli_admin_error("this program uses schema version %u: %s",
				sqlschema_latest(),
				v < sqlschema_latest()
					? "run \"postwarden db migrate\""
					: "upgrade the program");
	return CLI_EXIT_OK;
}

/* cli_db_schema - print the DDL: --mysql/--sqlite, else the config's */
static int cli_db_schema(struct cli_action_run *run)
{
	struct sqldb_conf cf;
	struct sqldb_params p;
	struct sbuf *out;
	enum sqldb_type type;
	int status;

	if (run->o.mysql && run->o.sqlite)
		return cli_action_usage(run, CLI_EXIT_USAGE);
	if (run->o.mysql || run->o.sqlite) {
		type = run->o.mysql ? SQLDB_MYSQL : SQLDB_SQLITE;
	} else {
		status = cli_admin_load_conf(run->o.conf, &cf);
		if (status == CLI_EXIT_OK)
			status = cli_admin_conf_params(&cf, &p);
		sqldb_conf_release(&cf);
		if (status != CLI_EXIT_OK)
			return status;
		type = p.type;
	}
	out = sbuf_new(16384);
	sqlschema_dump(type, out);
	fputs(sbuf_cstr(out), stdout);
	sbuf_free(&out);
	return CLI_EXIT_OK;
}

static const struct cli_action cli_db_actions[] = {
	{.name = "init",
	 .fn = cli_db_init,
	 .usage = "init [-c FILE]",
	 .help = "create the database and its tables (an existing "
		 "PostfixAdmin database is adopted)"},
	{.name = "migrate",
	 .fn = cli_db_upgrade,
	 .usage = "migrate [-c FILE]",
	 .help = "apply the schema versions the database lacks"},
	{.name = "version",
	 .fn = cli_db_version,
	 .usage = "version [-c FILE]",
	 .help = "print the database's schema version"},
	{.name = "schema",
	 .fn = cli_db_schema,
	 .usage = "schema [-c FILE] [--mysql | --sqlite]",
	 .help = "print the schema as SQL",
	 .options = "mysql sqlite"},
	{.name = NULL},
};

/* cli_db_main - postwarden db ACTION */
int cli_db_main(int argc, char **argv)
{
	return cli_action_dispatch(argc, argv, cli_db_actions);
}
