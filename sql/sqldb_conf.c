/*
 * sqldb_conf.c - the db_* parameter table (sqldb_conf.h).
 */
#include "config.h"

#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"
#include "sbuf.h"
#include "sqldb_conf.h"

#define OFF(m) offsetof(struct sqldb_conf, m)

/* The only place these defaults live (and the man pages and the sample
 * config). */
static const struct conf_param sqldb_conf_table[] = {
    {"type", CONF_STR, "sqlite", 0, 0, OFF(type)},
    {"path", CONF_STR, "/var/lib/postwarden/postwarden.db", 0, 0, OFF(path)},
    {"hosts", CONF_STR, "", 0, 0, OFF(hosts)},
    {"user", CONF_STR, "", 0, 0, OFF(user)},
    {"password", CONF_STR, "", 0, 0, OFF(password)},
    {"name", CONF_STR, "", 0, 0, OFF(name)},
    {"option_file", CONF_STR, "", 0, 0, OFF(option_file)},
    {"option_group", CONF_STR, "client", 0, 0, OFF(option_group)},
    {NULL, CONF_STR, NULL, 0, 0, 0},
};

int sqldb_conf_apply(const struct conf *c, struct sqldb_conf *cf,
		     struct sbuf *err)
{
	memset(cf, 0, sizeof(*cf));
	return conf_apply(c, SQLDB_CONF_PREFIX, sqldb_conf_table, cf, err);
}

void sqldb_conf_release(struct sqldb_conf *cf)
{
	conf_release(sqldb_conf_table, cf);
}

int sqldb_conf_params(const struct sqldb_conf *cf, struct sqldb_params *p,
		      struct sbuf *err)
{
	memset(p, 0, sizeof(*p));
	if (strcmp(cf->type, "sqlite") == 0) {
		p->type = SQLDB_SQLITE;
	} else if (strcmp(cf->type, "mysql") == 0) {
		p->type = SQLDB_MYSQL;
	} else {
		sbuf_printf(err,
			    "db_type: unknown database type \"%.64s\" "
			    "(use sqlite or mysql)",
			    cf->type);
		return -1;
	}
	if (!sqldb_is_available(p->type)) {
		sbuf_printf(err, "db_type = %s: not supported by this build",
			    cf->type);
		return -1;
	}
	if (p->type == SQLDB_SQLITE && *cf->path == '\0') {
		sbuf_append_str(err, "db_path is empty");
		return -1;
	}
	if (p->type == SQLDB_MYSQL && *cf->name == '\0') {
		sbuf_append_str(err, "db_type = mysql needs db_name");
		return -1;
	}
	p->path = cf->path;
	p->hosts = cf->hosts;
	p->user = cf->user;
	p->password = cf->password;
	p->dbname = cf->name;
	p->option_file = cf->option_file;
	p->option_group = cf->option_group;
	return 0;
}

bool sqldb_conf_password_exposed(const struct sqldb_conf *cf, const char *path)
{
	struct stat st;

	return *cf->password != '\0' && stat(path, &st) == 0 &&
	       (st.st_mode & S_IROTH) != 0;
}
