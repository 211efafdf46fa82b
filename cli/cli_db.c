/* cli_db.c - postwarden db: create, upgrade and describe the database */
#include "config.h"

#include <stdio.h>

#include "cli.h"
#include "cli_admin.h"
#include "sbuf.h"
#include "sqldb.h"
#include "sqlschema.h"

#define USAGE_INIT "init [-c FILE]"
#define USAGE_MIGRATE "migrate [-c FILE]"
#define USAGE_VERSION "version [-c FILE]"
#define USAGE_SCHEMA "schema [-c FILE] [--mysql | --sqlite]"

/* cli_db_migrate - shared by init and migrate */
static int cli_db_migrate(const char *conf, bool create)
{
	struct sbuf *err = sbuf_new(128);
	struct sqldb *db = NULL;
	unsigned int from = 0, to = 0;
	enum sqldb_result r;
	int status;

	status = cli_admin_open(conf, create, false, &db);
	if (status != CLI_EXIT_OK)
		goto out;
	r = sqlschema_migrate(db, &from, &to, err);
	if (r != SQLDB_OK) {
		status = cli_admin_db_error(r, "schema migration", err);
		if (r == SQLDB_ERROR && from > sqlschema_latest())
			status = CLI_EXIT_CONFIG;
		goto out;
	}
	if (from == to)
		printf("schema version %u, up to date\n", to);
	else
		printf("schema version %u -> %u\n", from, to);
out:
	sqldb_close(&db);
	sbuf_free(&err);
	return status;
}

/* cli_db_init - create the database (SQLite file) and the schema */
static int cli_db_init(const char *conf, int argc, char **argv)
{
	struct cli_admin_opts o;
	int status;

	if (!cli_admin_getopt("db", USAGE_INIT, conf, argc, argv, "", 0, 0, &o,
			      &status))
		return status;
	return cli_db_migrate(o.conf, true);
}

/* cli_db_upgrade - apply the missing versions to an existing database */
static int cli_db_upgrade(const char *conf, int argc, char **argv)
{
	struct cli_admin_opts o;
	int status;

	if (!cli_admin_getopt("db", USAGE_MIGRATE, conf, argc, argv, "", 0, 0,
			      &o, &status))
		return status;
	return cli_db_migrate(o.conf, false);
}

/* cli_db_version - print the database's schema version */
static int cli_db_version(const char *conf, int argc, char **argv)
{
	struct sbuf *err = sbuf_new(128);
	struct cli_admin_opts o;
	struct sqldb *db = NULL;
	enum sqldb_result r;
	unsigned int v = 0;
	int status;

	if (!cli_admin_getopt("db", USAGE_VERSION, conf, argc, argv, "", 0, 0,
			      &o, &status))
		goto out;
	status = cli_admin_open(o.conf, false, false, &db);
	if (status != CLI_EXIT_OK)
		goto out;
	r = sqlschema_current(db, &v, err);
	if (r != SQLDB_OK) {
		status = cli_admin_db_error(r, "schema version", err);
		goto out;
	}
	printf("%u\n", v);
	if (v != sqlschema_latest())
		cli_admin_error("this program uses schema version %u: %s", 
				sqlschema_latest(),
				v < sqlschema_latest()
					? "run \"postwarden db migrate\""
					: "upgrade the program");
out:
	sqldb_close(&db);
	sbuf_free(&err);
	return status;
}

/* cli_db_schema - print the DDL: --mysql/--sqlite, else the config's */
static int cli_db_schema(const char *conf, int argc, char **argv)
{
	struct cli_admin_conf cf;
	struct cli_admin_opts o;
	struct sqldb_params p;
	struct sbuf *out;
	enum sqldb_type type;
	int status;

	if (!cli_admin_getopt("db", USAGE_SCHEMA, conf, argc, argv,
			      "mysql sqlite", 0, 0, &o, &status))
		return status;
	if (o.mysql && o.sqlite)
		return cli_admin_action_usage("db", USAGE_SCHEMA,
					      CLI_EXIT_USAGE);
	if (o.mysql || o.sqlite) {
		type = o.mysql ? SQLDB_MYSQL : SQLDB_SQLITE;
	} else {
		status = cli_admin_load_conf(o.conf, &cf);
		if (status == CLI_EXIT_OK)
			status = cli_admin_conf_params(&cf, &p);
		cli_admin_conf_release(&cf);
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

static const struct cli_admin_action cli_db_actions[] = {
	{"init", cli_db_init, USAGE_INIT "\n      create the database and "
				      "its tables (an existing PostfixAdmin "
				      "database is adopted)"},
	{"migrate", cli_db_upgrade, USAGE_MIGRATE "\n      apply the schema "
					  "versions the database lacks"},
	{"version", cli_db_version, USAGE_VERSION "\n      print the "
					  "database's schema version"},
	{"schema", cli_db_schema, USAGE_SCHEMA "\n      print the schema as "
					 "SQL"},
	{NULL, NULL, NULL},
};

/* cli_db_main - postwarden db ACTION */
int cli_db_main(int argc, char **argv)
{
	return cli_admin_dispatch(argc, argv, cli_db_actions);
}
