/*
 * sqlschema.h - the Postwarden database schema and its migrations.
 *
 * The schema is PostfixAdmin's (domain, mailbox, alias, alias_domain,
 * same table and column names, so its .cf queries and admin UI work on
 * our database and ours on theirs) plus our own tables (dkim_key,
 * schema_version). It is kept as numbered versions, each a list of
 * statements per dialect, compiled into the program. A database records
 * the versions applied in schema_version; migrating applies each missing
 * version in its own transaction. A database newer than the program is
 * refused, never "downgraded".
 *
 * Ownership: statement tables are static (borrowed forever). Threads:
 * the tables are immutable; the functions use the caller's connection.
 */
#ifndef PW_SQLSCHEMA_H
#define PW_SQLSCHEMA_H

#include "sqldb.h"

struct sbuf;

/* sqlschema_latest - the newest version this program knows */
unsigned int sqlschema_latest(void);

/*
 * sqlschema_statements - the statements of version (1..latest) for a
 * dialect, NULL-terminated; NULL for an unknown version. Borrowed.
 */
const char *const *sqlschema_statements(enum sqldb_type type,
					unsigned int version);
/* sqlschema_describe - one line about a version; borrowed */
const char *sqlschema_describe(unsigned int version);

/*
 * sqlschema_dump - append the whole schema as an SQL script (statements
 * end in ";", each version records itself in schema_version), for
 * "postwarden db schema" and for people who create databases by hand.
 */
void sqlschema_dump(enum sqldb_type type, struct sbuf *out);

/*
 * sqlschema_current - the version of the database: 0 when it has no
 * schema_version table (empty, or a PostfixAdmin database we have not
 * adopted yet).
 */
enum sqldb_result sqlschema_current(struct sqldb *db, unsigned int *version_r,
				    struct sbuf *err);

/*
 * sqlschema_migrate - bring the database to sqlschema_latest(). from_r
 * and to_r (may be NULL) get the versions before and after; after a
 * failure to_r is the last version that was committed. A database
 * newer than this program is SQLDB_ERROR and is left alone.
 */
enum sqldb_result sqlschema_migrate(struct sqldb *db, unsigned int *from_r,
				    unsigned int *to_r, struct sbuf *err);

/*
 * sqlschema_check - is the database exactly at sqlschema_latest()? If not
 * (SQLDB_ERROR), err says whether to run "postwarden db migrate" or to
 * upgrade the program.
 */
enum sqldb_result sqlschema_check(struct sqldb *db, struct sbuf *err);

#endif
