/* sqlschema.c - versioned schema, embedded, for SQLite and MySQL */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "numparse.h"
#include "sbuf.h"
#include "sqldb.h"
#include "sqlschema.h"

/*
 * Version 1: PostfixAdmin 3.3 tables as its upgrade.php leaves them
 * (postfix-lookup-tables notes, section 7), plus dkim_key and
 * schema_version.
 *
 * MySQL: the same types, latin1_general_ci so "=" on addresses and
 * domains ignores case. SQLite: the closest types, and COLLATE NOCASE on
 * address and domain columns for the same reason (Postfix folds keys to
 * lower case, but rows written by other tools may not be).
 *
 * Every CREATE is IF NOT EXISTS and the seed row is idempotent: that way
 * "db init" adopts an existing PostfixAdmin database, and a MySQL run
 * that died half-way (DDL commits implicitly there, so a version is not
 * atomic) finishes when run again.
 */

#define MY_DATETIME "datetime NOT NULL DEFAULT '2000-01-01 00:00:00'"
#define MY_TABLE_END                                                     \
	" ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_general_ci"
#define MY_UTF8 "CHARACTER SET utf8 COLLATE utf8_general_ci"

static const char *const schema_v1_mysql[] = {
	"CREATE TABLE IF NOT EXISTS `domain` (\n"
	"  `domain` varchar(255) NOT NULL,\n"
	"  `description` varchar(255) " MY_UTF8 " NOT NULL,\n"
	"  `aliases` int(10) NOT NULL DEFAULT 0,\n"
	"  `mailboxes` int(10) NOT NULL DEFAULT 0,\n"
	"  `maxquota` bigint(20) NOT NULL DEFAULT 0,\n"
	"  `quota` bigint(20) NOT NULL DEFAULT 0,\n"
	"  `transport` varchar(255) NOT NULL,\n"
	"  `backupmx` tinyint(1) NOT NULL DEFAULT 0,\n"
	"  `created` " MY_DATETIME ",\n"
	"  `modified` " MY_DATETIME ",\n"
	"  `active` tinyint(1) NOT NULL DEFAULT 1,\n"
	"  `password_expiry` int DEFAULT 0,\n"
	"  PRIMARY KEY (`domain`)\n"
	")" MY_TABLE_END " COMMENT='Postfix Admin - Virtual Domains'",

	"CREATE TABLE IF NOT EXISTS `mailbox` (\n"
	"  `username` varchar(255) NOT NULL,\n"
	"  `password` varchar(255) NOT NULL,\n"
	"  `name` varchar(255) " MY_UTF8 " NOT NULL,\n"
	"  `maildir` varchar(255) NOT NULL,\n"
	"  `quota` bigint(20) NOT NULL DEFAULT 0,\n"
	"  `local_part` varchar(255) NOT NULL,\n"
	"  `domain` varchar(255) NOT NULL,\n"
	"  `created` " MY_DATETIME ",\n"
	"  `modified` " MY_DATETIME ",\n"
	"  `active` tinyint(1) NOT NULL DEFAULT 1,\n"
	"  `phone` varchar(30) " MY_UTF8 " NOT NULL DEFAULT '',\n"
	"  `email_other` varchar(255) " MY_UTF8 " NOT NULL DEFAULT '',\n"
	"  `token` varchar(255) " MY_UTF8 " NOT NULL DEFAULT '',\n"
	"  `token_validity` " MY_DATETIME ",\n"
	"  `password_expiry` " MY_DATETIME ",\n"
	"  PRIMARY KEY (`username`),\n"
	"  KEY `domain` (`domain`)\n"
	")" MY_TABLE_END " COMMENT='Postfix Admin - Virtual Mailboxes'",

	"CREATE TABLE IF NOT EXISTS `alias` (\n"
	"  `address` varchar(255) NOT NULL,\n"
	"  `goto` text NOT NULL,\n"
	"  `domain` varchar(255) NOT NULL,\n"
	"  `created` " MY_DATETIME ",\n"
	"  `modified` " MY_DATETIME ",\n"
	"  `active` tinyint(1) NOT NULL DEFAULT 1,\n"
	"  PRIMARY KEY (`address`),\n"
	"  KEY `domain` (`domain`)\n"
	")" MY_TABLE_END " COMMENT='Postfix Admin - Virtual Aliases'",

	"CREATE TABLE IF NOT EXISTS `alias_domain` (\n"
	"  `alias_domain` varchar(255) NOT NULL DEFAULT '',\n"
	"  `target_domain` varchar(255) NOT NULL DEFAULT '',\n"
	"  `created` " MY_DATETIME ",\n"
	"  `modified` " MY_DATETIME ",\n"
	"  `active` tinyint(1) NOT NULL DEFAULT 1,\n"
	"  PRIMARY KEY (`alias_domain`),\n"
	"  KEY `active` (`active`),\n"
	"  KEY `target_domain` (`target_domain`)\n"
	")" MY_TABLE_END " COMMENT='Postfix Admin - Domain Aliases'",

	"CREATE TABLE IF NOT EXISTS `dkim_key` (\n"
	"  `id` int unsigned NOT NULL AUTO_INCREMENT,\n"
	"  `domain` varchar(255) NOT NULL,\n"
	"  `selector` varchar(255) NOT NULL,\n"
	"  `algorithm` varchar(16) NOT NULL\n"
	"    CHECK (`algorithm` IN ('rsa', 'ed25519')),\n"
	"  `private_key` text NOT NULL,\n"
	"  `public_key` text NOT NULL,\n"
	"  `active` tinyint(1) NOT NULL DEFAULT 1,\n"
	"  `created` " MY_DATETIME ",\n"
	"  `modified` " MY_DATETIME ",\n"
	"  PRIMARY KEY (`id`),\n"
	"  UNIQUE KEY `domain_selector_algorithm`"
	" (`domain`, `selector`, `algorithm`)\n"
	")" MY_TABLE_END " COMMENT='Postwarden - DKIM signing keys'",

	"CREATE TABLE IF NOT EXISTS `schema_version` (\n"
	"  `version` int unsigned NOT NULL,\n"
	"  `applied` " MY_DATETIME ",\n"
	"  `description` varchar(255) NOT NULL DEFAULT '',\n"
	"  PRIMARY KEY (`version`)\n"
	")" MY_TABLE_END " COMMENT='Postwarden - applied schema versions'",

	/* PostfixAdmin's dummy row: its queries say domain != 'ALL' */
	"INSERT INTO `domain` (`domain`, `description`, `transport`,"
	" `created`, `modified`)\n"
	"  VALUES ('ALL', '', '', NOW(), NOW())\n"
	"  ON DUPLICATE KEY UPDATE `domain` = `domain`",
	NULL,
};

#define LITE_DATETIME "DATETIME NOT NULL DEFAULT '2000-01-01 00:00:00'"
#define LITE_NAME "VARCHAR(255) NOT NULL COLLATE NOCASE"

static const char *const schema_v1_sqlite[] = {
	"CREATE TABLE IF NOT EXISTS domain (\n"
	"  domain " LITE_NAME " PRIMARY KEY,\n"
	"  description VARCHAR(255) NOT NULL,\n"
	"  aliases INT NOT NULL DEFAULT 0,\n"
	"  mailboxes INT NOT NULL DEFAULT 0,\n"
	"  maxquota BIGINT NOT NULL DEFAULT 0,\n"
	"  quota BIGINT NOT NULL DEFAULT 0,\n"
	"  transport VARCHAR(255) NOT NULL,\n"
	"  backupmx TINYINT(1) NOT NULL DEFAULT 0,\n"
	"  created " LITE_DATETIME ",\n"
	"  modified " LITE_DATETIME ",\n"
	"  active TINYINT(1) NOT NULL DEFAULT 1,\n"
	"  password_expiry INT DEFAULT 0\n"
	")",

	"CREATE TABLE IF NOT EXISTS mailbox (\n"
	"  username " LITE_NAME " PRIMARY KEY,\n"
	"  password VARCHAR(255) NOT NULL,\n"
	"  name VARCHAR(255) NOT NULL,\n"
	"  maildir VARCHAR(255) NOT NULL,\n"
	"  quota BIGINT NOT NULL DEFAULT 0,\n"
	"  local_part " LITE_NAME ",\n"
	"  domain " LITE_NAME ",\n"
	"  created " LITE_DATETIME ",\n"
	"  modified " LITE_DATETIME ",\n"
	"  active TINYINT(1) NOT NULL DEFAULT 1,\n"
	"  phone VARCHAR(30) NOT NULL DEFAULT '',\n"
	"  email_other VARCHAR(255) NOT NULL DEFAULT '',\n"
	"  token VARCHAR(255) NOT NULL DEFAULT '',\n"
	"  token_validity " LITE_DATETIME ",\n"
	"  password_expiry " LITE_DATETIME "\n"
	")",
	"CREATE INDEX IF NOT EXISTS mailbox_domain ON mailbox (domain)",

	"CREATE TABLE IF NOT EXISTS alias (\n"
	"  address " LITE_NAME " PRIMARY KEY,\n"
	"  goto TEXT NOT NULL,\n"
	"  domain " LITE_NAME ",\n"
	"  created " LITE_DATETIME ",\n"
	"  modified " LITE_DATETIME ",\n"
	"  active TINYINT(1) NOT NULL DEFAULT 1\n"
	")",
	"CREATE INDEX IF NOT EXISTS alias_domain_idx ON alias (domain)",

	"CREATE TABLE IF NOT EXISTS alias_domain (\n"
	"  alias_domain " LITE_NAME " DEFAULT '' PRIMARY KEY,\n"
	"  target_domain " LITE_NAME " DEFAULT '',\n"
	"  created " LITE_DATETIME ",\n"
	"  modified " LITE_DATETIME ",\n"
	"  active TINYINT(1) NOT NULL DEFAULT 1\n"
	")",
	"CREATE INDEX IF NOT EXISTS alias_domain_active"
	" ON alias_domain (active)",
	"CREATE INDEX IF NOT EXISTS alias_domain_target"
	" ON alias_domain (target_domain)",

	"CREATE TABLE IF NOT EXISTS dkim_key (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  domain " LITE_NAME ",\n"
	"  selector " LITE_NAME ",\n"
	"  algorithm VARCHAR(16) NOT NULL\n"
	"    CHECK (algorithm IN ('rsa', 'ed25519')),\n"
	"  private_key TEXT NOT NULL,\n"
	"  public_key TEXT NOT NULL,\n"
	"  active TINYINT(1) NOT NULL DEFAULT 1,\n"
	"  created " LITE_DATETIME ",\n"
	"  modified " LITE_DATETIME ",\n"
	"  UNIQUE (domain, selector, algorithm)\n"
	")",

	"CREATE TABLE IF NOT EXISTS schema_version (\n"
	"  version INTEGER NOT NULL PRIMARY KEY,\n"
	"  applied " LITE_DATETIME ",\n"
	"  description VARCHAR(255) NOT NULL DEFAULT ''\n"
	")",

	/* PostfixAdmin's dummy row: its queries say domain != 'ALL' */
	"INSERT OR IGNORE INTO domain (domain, description, transport,"
	" created, modified)\n"
	"  VALUES ('ALL', '', '', datetime('now', 'localtime'),"
	" datetime('now', 'localtime'))",
	NULL,
};

struct sqlschema_version {
	const char *description;
	const char *const *mysql;
	const char *const *sqlite;
};

/* Index i holds version i + 1. Append only: never edit a shipped one. */
static const struct sqlschema_version sqlschema_versions[] = {
	{"PostfixAdmin 3.3 tables, dkim_key, schema_version", schema_v1_mysql,
	 schema_v1_sqlite},
};

#define SQLSCHEMA_NVERSIONS                                              \
	(sizeof(sqlschema_versions) / sizeof(sqlschema_versions[0]))

/* sqlschema_latest - newest version compiled in */
unsigned int sqlschema_latest(void)
{
	return (unsigned int)SQLSCHEMA_NVERSIONS;
}

/* sqlschema_statements - the statements of one version */
const char *const *sqlschema_statements(enum sqldb_type type,
					unsigned int version)
{
	if (version < 1 || version > SQLSCHEMA_NVERSIONS)
		return NULL;
	return type == SQLDB_MYSQL ? sqlschema_versions[version - 1].mysql
				   : sqlschema_versions[version - 1].sqlite;
}

/* sqlschema_describe - what a version does */
const char *sqlschema_describe(unsigned int version)
{
	if (version < 1 || version > SQLSCHEMA_NVERSIONS)
		return "unknown version";
	return sqlschema_versions[version - 1].description;
}

/* sqlschema_dump - the schema as a script */
void sqlschema_dump(enum sqldb_type type, struct sbuf *out)
{
	const char *const *st;
	unsigned int v;

	sbuf_printf(out, "-- Postwarden database schema, %s dialect, "
		    "version %u\n", sqldb_type_name(type), sqlschema_latest());
	for (v = 1; v <= sqlschema_latest(); v++) {
		sbuf_printf(out, "\n-- version %u: %s\n", v,
			    sqlschema_describe(v));
		for (st = sqlschema_statements(type, v); *st != NULL; st++)
			sbuf_printf(out, "%s;\n\n", *st);
		sbuf_printf(out, "INSERT INTO schema_version (version, applied,"
			    " description)\n  VALUES (%u, %s, '%s');\n", v,
			    type == SQLDB_MYSQL
				    ? "NOW()"
				    : "datetime('now', 'localtime')",
			    sqlschema_describe(v));
	}
}

/* sqlschema_current - read the recorded version */
enum sqldb_result sqlschema_current(struct sqldb *db, unsigned int *version_r,
				    struct sbuf *err)
{
	static const char *const exists_sql[] = {
		[SQLDB_SQLITE] = "SELECT name FROM sqlite_master"
				 " WHERE type = 'table'"
				 " AND name = 'schema_version'",
		[SQLDB_MYSQL] = "SELECT table_name FROM information_schema.tables"
				" WHERE table_schema = DATABASE()"
				" AND table_name = 'schema_version'",
	};
	struct sqldb_rows *rows = NULL;
	enum sqldb_result r;
	const char *v;

	*version_r = 0;
	r = sqldb_exec(db, exists_sql[sqldb_type(db)], NULL, 0, &rows, err);
	if (r != SQLDB_OK || sqldb_rows_count(rows) == 0)
		goto out;
	sqldb_rows_free(&rows);
	r = sqldb_exec(db, "SELECT MAX(version) FROM schema_version", NULL, 0,
		       &rows, err);
	if (r != SQLDB_OK || sqldb_rows_count(rows) == 0 ||
	    (v = sqldb_rows_get(rows, 0, 0)) == NULL)
		goto out;
	if (numparse_uint(v, 1000000, version_r) < 0) {
		sbuf_printf(err, "schema_version: bad version \"%.20s\"", v);
		r = SQLDB_ERROR;
	}
out:
	sqldb_rows_free(&rows);
	return r;
}

/* sqlschema_apply - apply one version and record it, in a transaction */
static enum sqldb_result sqlschema_apply(struct sqldb *db, unsigned int v,
					 struct sbuf *err)
{
	const char *const *st = sqlschema_statements(sqldb_type(db), v);
	char now[SQLDB_TIMESTAMP_SIZE], num[16];
	const char *args[3];
	enum sqldb_result r;

	r = sqldb_begin(db, err);
	if (r != SQLDB_OK)
		return r;
	for (; *st != NULL; st++)
		if ((r = sqldb_exec(db, *st, NULL, 0, NULL, err)) != SQLDB_OK)
			goto fail;
	snprintf(num, sizeof(num), "%u", v);
	sqldb_timestamp(now);
	args[0] = num;
	args[1] = now;
	args[2] = sqlschema_describe(v);
	r = sqldb_exec(db, "INSERT INTO schema_version (version, applied,"
			   " description) VALUES (?, ?, ?)",
		       args, 3, NULL, err);
	if (r != SQLDB_OK)
		goto fail;
	r = sqldb_commit(db, err);
	if (r != SQLDB_OK)
		goto fail;
	return SQLDB_OK;
fail:
	sqldb_rollback(db);
	return r;
}

/* sqlschema_migrate - apply every missing version in order */
enum sqldb_result sqlschema_migrate(struct sqldb *db, unsigned int *from_r,
				    unsigned int *to_r, struct sbuf *err)
{
	unsigned int cur, v;
	enum sqldb_result r;

	r = sqlschema_current(db, &cur, err);
	if (from_r != NULL)
		*from_r = cur;
	if (to_r != NULL)
		*to_r = cur;
	if (r != SQLDB_OK)
		return r;
	if (cur > sqlschema_latest()) {
		sbuf_printf(err, "database schema version %u is newer than "
			    "this program's (%u): upgrade the program", cur,
			    sqlschema_latest());
		return SQLDB_ERROR;
	}
	for (v = cur + 1; v <= sqlschema_latest(); v++) {
		r = sqlschema_apply(db, v, err);
		if (r != SQLDB_OK) {
			sbuf_printf(err, " (while applying schema version %u)",
				    v);
			return r;
		}
		if (to_r != NULL)
			*to_r = v;
	}
	return SQLDB_OK;
}

/* sqlschema_check - refuse a database at another version */
enum sqldb_result sqlschema_check(struct sqldb *db, struct sbuf *err)
{
	enum sqldb_result r;
	unsigned int cur;

	r = sqlschema_current(db, &cur, err);
	if (r != SQLDB_OK)
		return r;
	if (cur == sqlschema_latest())
		return SQLDB_OK;
	if (cur == 0)
		sbuf_printf(err, "the database has no Postwarden schema: run "
			    "\"postwarden db init\"");
	else if (cur < sqlschema_latest())
		sbuf_printf(err, "the database schema is at version %u, this "
			    "program needs %u: run \"postwarden db migrate\"",
			    cur, sqlschema_latest());
	else
		sbuf_printf(err, "database schema version %u is newer than "
			    "this program's (%u): upgrade the program", cur,
			    sqlschema_latest());
	return SQLDB_ERROR;
}
