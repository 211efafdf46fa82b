/*
 * milter_conf.h - postwarden-milterd's parameters (prefix "milterd_").
 *
 * One table (milter_conf.c) holds every parameter with its type,
 * default and range; postwarden-milterd(8) documents them. Loading also
 * checks what the table cannot: the socket syntax, the mode (sv, s, v),
 * the canonicalization, the failure actions, the internal hosts list,
 * and that signing has keys: both tables, or milterd_sql_keys (then the
 * db_* parameters of the same file, sqldb_conf.h, name the database).
 * The authserv-id defaults to the host name.
 *
 * The config file is local, not peer input. A loaded config is
 * read-only and shared by every libmilter thread.
 */
#ifndef PW_MILTER_CONF_H
#define PW_MILTER_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "dkim_types.h"
#include "sqldb.h"
#include "sqldb_conf.h"

struct sbuf;
struct conf;
struct milter_nets;

#define MILTER_CONF_PREFIX "milterd_"
#define MILTER_CONF_HOSTNAME_MAX 255

/* what to do with a message, as OpenDKIM's On-* values */
enum milter_action {
	MILTER_ACTION_ACCEPT,
	MILTER_ACTION_REJECT,
	MILTER_ACTION_TEMPFAIL,
};

struct milter_conf {
	/* listening socket: unix:/path, local:/path, inet:port@host */
	char *socket;
	mode_t socket_mode;
	unsigned int timeout; /* libmilter's I/O timeout, seconds */
	/* process */
	char *user;
	char *group;
	char *pid_file;
	/* OpenDKIM-format tables; signing_table may be "refile:/path" */
	char *key_table;
	char *signing_table;
	bool multiple_signatures;
	/* keys from the dkim_key table of the db_* database */
	bool sql_keys;
	struct sqldb_conf db; /* filled only with sql_keys */
	/* sign or verify */
	char *internal_hosts;
	char *sign_daemon_names;
	char *mode;
	char *canonicalization;
	char *authserv_id; /* "": the host name */
	unsigned int max_signatures;
	/* failure actions */
	char *on_bad_signature;
	char *on_dns_error;
	char *on_internal_error;
	char *on_key_not_found;
	char *on_no_signature;
	/* key lookups */
	char *dns_servers; /* "": /etc/resolv.conf */
	unsigned int dns_timeout;
	unsigned int key_cache_size; /* key records kept; 0: none */
	unsigned int key_cache_ttl;  /* seconds at most, below the TTL */

	/* derived by milter_conf_check */
	bool do_sign, do_verify;
	enum dkim_canon_alg hcanon, bcanon;
	enum milter_action act_bad_signature, act_dns_error,
	    act_internal_error, act_key_not_found, act_no_signature;
	bool signing_table_refile;
	const char *signing_table_path; /* into signing_table */
	char *milter_socket;		/* the form smfi_setconn takes */
	struct milter_nets *internal;
	char *authserv; /* authserv_id, or the host name */
	struct sqldb_params db_params; /* with sql_keys; borrows from db */
};

/*
 * milter_conf_apply - fill *cf from a parsed config and check it
 * (release with milter_conf_release). -1 with a message in err (nothing
 * to release then).
 */
int milter_conf_apply(const struct conf *c, struct milter_conf *cf,
		      struct sbuf *err);
/* milter_conf_load - read path, then milter_conf_apply; warns when the
 * file holds db_password and others may read it */
int milter_conf_load(const char *path, struct milter_conf *cf,
		     struct sbuf *err);
void milter_conf_release(struct milter_conf *cf);

/*
 * milter_conf_action - parse an On-* value: accept, reject, tempfail
 * (any case; OpenDKIM's one-letter forms a, r, t too). -1 if unknown.
 */
int milter_conf_action(const char *s, enum milter_action *act_r);
const char *milter_conf_action_name(enum milter_action a);

/*
 * milter_conf_is_sign_daemon - is name (borrowed) in
 * milterd_sign_daemon_names? Exact, case-sensitive, as OpenDKIM's MTA.
 */
bool milter_conf_is_sign_daemon(const struct milter_conf *cf,
				const char *name);

#endif
