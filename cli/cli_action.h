/*
 * cli_action.h - the actions of the admin subcommands (db, domain,
 * mailbox, alias): each subcommand is a table of them, and most rows are
 * served by the generic actions below.
 *
 * "postwarden CMD [-c FILE] ACTION [OPTIONS] OPERANDS": cli_action_dispatch
 * finds ACTION in CMD's table, parses the options the action takes,
 * checks its first operand and only then calls its fn with a struct
 * cli_action_run. The run owns the database connection and its buffers:
 * after fn returns, an open transaction is rolled back and the
 * connection closed, so fn returns its status from wherever it stops.
 *
 * Messages and exit statuses as in cli_admin.h. Operands and option
 * values are untrusted input, checked before they reach the database.
 * Single-threaded (getopt).
 */
#ifndef PW_CLI_ACTION_H
#define PW_CLI_ACTION_H

#include <stdbool.h>

#include "sqldb.h"

struct sbuf;
struct cli_action_run;

/* What an action's first operand is. It is checked (65 if bad) and its
 * normalized form put in run->key before fn runs. */
enum cli_action_operand {
	CLI_ACTION_NONE,       /* no operands */
	CLI_ACTION_DOMAIN_OPT, /* [DOMAIN]: list only that domain's rows */
	CLI_ACTION_DOMAIN,     /* DOMAIN */
	CLI_ACTION_ADDRESS,    /* ADDRESS: local@domain */
	CLI_ACTION_ALIAS,      /* ADDRESS|@DOMAIN: a catch-all is allowed */
};

/*
 * One row of a subcommand's table; tables end with a NULL name. The
 * fields after operand describe the action to the generic actions
 * (cli_action_list, _show, _change); a custom fn may use them too.
 */
struct cli_action {
	const char *name; /* "add" */
	int (*fn)(struct cli_action_run *run);
	const char *usage;   /* "add [-c FILE] DOMAIN [--backupmx]" */
	const char *help;    /* NULL, or a line under usage in the list */
	const char *options; /* long options taken: "name scheme"; NULL: none */
	enum cli_action_operand operand;
	bool more_operands; /* one or more operands follow the first */

	const char *what; /* a failed database call: "listing domains" */
	/* list: every row; show: the row whose key is the operand; change:
	 * the statement that must hit a row (each takes the key last) */
	const char *sql;
	const char *sql_domain; /* list: the rows of the DOMAIN given */
	const char *sql_then;	/* change: next, in the same transaction */
	/* change: "0" or "1" for "SET active = ?, modified = ?" before the
	 * key; NULL: the key is the only argument */
	const char *active;
	const char *header;	  /* list: the header line */
	const char *const *names; /* show: the column names, NULL-terminated */
};

/* Options of the admin actions; each action takes a subset. */
struct cli_action_opts {
	const char *conf;	 /* -c FILE */
	const char *description; /* --description TEXT */
	const char *transport;	 /* --transport TRANSPORT */
	const char *name;	 /* --name TEXT */
	const char *scheme;	 /* --scheme SCHEME */
	bool backupmx;		 /* --backupmx */
	bool force;		 /* --force */
	bool password_stdin;	 /* --password-stdin */
	bool mysql;		 /* --mysql */
	bool sqlite;		 /* --sqlite */
	int nargs;		 /* operands after the options */
	char **args;		 /* borrowed from argv */
};

/* One action being run. Everything is borrowed by fn and released by
 * cli_action_dispatch. */
struct cli_action_run {
	const char *cmd;	      /* "domain" */
	const struct cli_action *act; /* the table row */
	struct cli_action_opts o;
	struct sbuf *key;    /* the first operand, normalized ("" if none) */
	struct sbuf *local;  /* ADDRESS, ALIAS: the key's local part */
	struct sbuf *domain; /* ADDRESS, ALIAS: the key's domain */
	struct sbuf *err;    /* the error text of sqldb calls */
	struct sqldb *db;    /* NULL until opened */
	bool in_txn;	     /* rolled back after fn when still set */
};

/*
 * cli_action_dispatch - "postwarden CMD ..." with argv[0] = CMD: run the
 * action named in acts ("-c FILE" may come before it), or list the
 * actions (help, -h, --help). Returns the exit status.
 */
int cli_action_dispatch(int argc, char **argv, const struct cli_action *acts);

/* cli_action_usage - print "usage: postwarden CMD USAGE" (on stdout when
 * status is CLI_EXIT_OK, else on stderr) and return status */
int cli_action_usage(const struct cli_action_run *run, int status);

/* cli_action_open - connect and check the schema (once: later calls
 * return CLI_EXIT_OK); the connection is run->db */
int cli_action_open(struct cli_action_run *run);

/* Transactions on run->db: the dispatcher rolls back one still open. */
enum sqldb_result cli_action_begin(struct cli_action_run *run);
enum sqldb_result cli_action_commit(struct cli_action_run *run);

/* cli_action_count - run a query with one argument that returns one
 * number (COUNT(*)) into n_r; on failure report it as what */
int cli_action_count(struct cli_action_run *run, const char *sql,
		     const char *arg, const char *what, unsigned long *n_r);

/* cli_action_not_found - "no CMD KEY" (e.g. "no mailbox a@b.example")
 * and CLI_EXIT_NOTFOUND */
int cli_action_not_found(const struct cli_action_run *run);

/* cli_action_need_domain - the key's domain must be in the domain table
 * (else 65); a failed lookup is reported as what */
int cli_action_need_domain(struct cli_action_run *run, const char *what);

/*
 * Generic actions, described by their table row.
 * cli_action_list - print act->header and the rows of act->sql (or of
 * act->sql_domain with the DOMAIN operand), tab-separated.
 * cli_action_show - the row act->sql finds for the key, as "name: value"
 * lines (act->names); "no CMD KEY" and 1 if there is none.
 * cli_action_change - run act->sql on the key; it must change a row
 * ("no CMD KEY" and 1 if not). act->sql_then follows in one transaction.
 */
int cli_action_list(struct cli_action_run *run);
int cli_action_show(struct cli_action_run *run);
int cli_action_change(struct cli_action_run *run);

/* cli_action_fetch - cli_action_show without the printing: the row in
 * rows_r (caller frees with sqldb_rows_free, also after a failure) */
int cli_action_fetch(struct cli_action_run *run, struct sqldb_rows **rows_r);

#endif
