/*
 * sqldb_conf.h - the db_* parameters of postwarden.conf: the database
 * that holds Postwarden's own tables (the schema of sqlschema.h, with
 * dkim_key). The postwarden command and postwarden-milterd (its SQL
 * signing keys) read them from the same file, with one table of names
 * and defaults (sqldb_conf.c; the man pages document them).
 *
 *   db_type          sqlite | mysql
 *   db_path          SQLite file
 *   db_hosts         MySQL hosts, mysql_table(5) syntax
 *   db_user, db_password, db_name, db_option_file, db_option_group
 *
 * Ownership: sqldb_conf_apply fills the strings (never NULL), released
 * with sqldb_conf_release; sqldb_conf_params borrows them. The config
 * file is local, not peer input. Pure apart from the stat() in
 * sqldb_conf_password_exposed; thread-safe.
 */
#ifndef PW_SQLDB_CONF_H
#define PW_SQLDB_CONF_H

#include <stdbool.h>

#include "sqldb.h"

struct conf;
struct sbuf;

#define SQLDB_CONF_PREFIX "db_"

struct sqldb_conf {
	char *type; /* sqlite | mysql */
	char *path;
	char *hosts;
	char *user;
	char *password;
	char *name;
	char *option_file;
	char *option_group;
};

/*
 * sqldb_conf_apply - fill cf from the db_* names of c (NULL: the
 * defaults). An unknown db_* name is an error. Release cf with
 * sqldb_conf_release, also after a failure (-1, reason in err).
 */
int sqldb_conf_apply(const struct conf *c, struct sqldb_conf *cf,
		     struct sbuf *err);
void sqldb_conf_release(struct sqldb_conf *cf);

/*
 * sqldb_conf_params - the connection parameters of cf (p borrows from
 * cf): -1 with a reason in err for an unknown db_type, a type this
 * build lacks, an empty db_path (sqlite) or db_name (mysql). p->create
 * is false.
 */
int sqldb_conf_params(const struct sqldb_conf *cf, struct sqldb_params *p,
		      struct sbuf *err);

/*
 * sqldb_conf_password_exposed - does the file at path, which cf was read
 * from, hold a db_password while others may read it?
 */
bool sqldb_conf_password_exposed(const struct sqldb_conf *cf, const char *path);

#endif
