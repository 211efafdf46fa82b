/* cli_action.c - admin actions: dispatch, options, generic row actions */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_action.h"
#include "cli_admin.h"
#include "numparse.h"
#include "sbuf.h"
#include "sqldb.h"

enum {
	CLI_OPT_BACKUPMX = 256,
	CLI_OPT_PASSWORD_STDIN,
	CLI_OPT_MYSQL,
	CLI_OPT_SQLITE,
};

static const struct option cli_action_long_opts[] = {
	{"config", required_argument, NULL, 'c'},
	{"help", no_argument, NULL, 'h'},
	{"description", required_argument, NULL, 'd'},
	{"transport", required_argument, NULL, 't'},
	{"name", required_argument, NULL, 'n'},
	{"scheme", required_argument, NULL, 's'},
	{"force", no_argument, NULL, 'f'},
	{"backupmx", no_argument, NULL, CLI_OPT_BACKUPMX},
	{"password-stdin", no_argument, NULL, CLI_OPT_PASSWORD_STDIN},
	{"mysql", no_argument, NULL, CLI_OPT_MYSQL},
	{"sqlite", no_argument, NULL, CLI_OPT_SQLITE},
	{NULL, 0, NULL, 0},
};

/* cli_action_list_usage - the actions of a command, on fp */
static int cli_action_list_usage(FILE *fp, const char *cmd,
				 const struct cli_action *acts, int status)
{
	fprintf(fp, "usage: postwarden %s ACTION [-c FILE] [OPTIONS] [ARGS]"
		    "\n\nactions:\n", cmd);
	for (; acts->name != NULL; acts++) {
		fprintf(fp, "  %s %s\n", cmd, acts->usage);
		if (acts->help != NULL)
			fprintf(fp, "      %s\n", acts->help);
	}
	fprintf(fp, "\n-c FILE: config file (default $%s, else %s)\n",
		CLI_ADMIN_CONF_ENV, CLI_ADMIN_DEFAULT_CONF);
	return status;
}

/* cli_action_usage - the usage line of one action */
int cli_action_usage(const struct cli_action_run *run, int status)
{
	fprintf(status == CLI_EXIT_OK ? stdout : stderr,
		"usage: postwarden %s %s\n", run->cmd, run->act->usage);
	return status;
}

/* cli_action_opt_allowed - is the option with this value in allowed? */
static bool cli_action_opt_allowed(int val, const char *allowed)
{
	const struct option *o;
	size_t n;
	const char *p;

	if (val == 'c' || val == 'h')
		return true;
	if (allowed == NULL)
		return false;
	for (o = cli_action_long_opts; o->name != NULL; o++)
		if (o->val == val)
			break;
	if (o->name == NULL)
		return false;
	n = strlen(o->name);
	for (p = allowed; (p = strstr(p, o->name)) != NULL; p += n)
		if ((p == allowed || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

/* cli_action_nargs_ok - does the operand count fit the action? */
static bool cli_action_nargs_ok(const struct cli_action *act, int nargs)
{
	switch (act->operand) {
	case CLI_ACTION_NONE:
		return nargs == 0;
	case CLI_ACTION_DOMAIN_OPT:
		return nargs <= 1;
	case CLI_ACTION_DOMAIN:
	case CLI_ACTION_ADDRESS:
	case CLI_ACTION_ALIAS:
		break;
	}
	return act->more_operands ? nargs >= 2 : nargs == 1;
}

/*
 * cli_action_getopt - options and operands of the action (argv[0] is its
 * name); conf is the -c given before it. Returns true to go on; false
 * after printing usage (-h, a bad option or operand count), *status_r
 * set.
 */
static bool cli_action_getopt(struct cli_action_run *run, const char *conf,
			      int argc, char **argv, int *status_r)
{
	struct cli_action_opts *o = &run->o;
	int c;

	o->conf = conf;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":c:hd:t:n:s:f",
				cli_action_long_opts, NULL)) != -1) {
		if (c == '?' || c == ':' ||
		    !cli_action_opt_allowed(c, run->act->options)) {
			cli_admin_error("%s %s: %s option %s", run->cmd,
					argv[0],
					c == ':' ? "missing value for"
						 : "unknown",
					argv[optind - 1]);
			*status_r = cli_action_usage(run, CLI_EXIT_USAGE);
			return false;
		}
		switch (c) {
		case 'c':
			o->conf = optarg;
			break;
		case 'h':
			*status_r = cli_action_usage(run, CLI_EXIT_OK);
			return false;
		case 'd':
			o->description = optarg;
			break;
		case 't':
			o->transport = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 's':
			o->scheme = optarg;
			break;
		case 'f':
			o->force = true;
			break;
		case CLI_OPT_BACKUPMX:
			o->backupmx = true;
			break;
		case CLI_OPT_PASSWORD_STDIN:
			o->password_stdin = true;
			break;
		case CLI_OPT_MYSQL:
			o->mysql = true;
			break;
		case CLI_OPT_SQLITE:
			o->sqlite = true;
			break;
		}
	}
	o->nargs = argc - optind;
	o->args = argv + optind;
	if (!cli_action_nargs_ok(run->act, o->nargs)) {
		*status_r = cli_action_usage(run, CLI_EXIT_USAGE);
		return false;
	}
	return true;
}

/* cli_action_check_operand - check the first operand into run->key */
static int cli_action_check_operand(struct cli_action_run *run)
{
	const char *s = run->o.nargs > 0 ? run->o.args[0] : NULL;
	int r = 0;

	switch (run->act->operand) {
	case CLI_ACTION_NONE:
		break;
	case CLI_ACTION_DOMAIN_OPT:
	case CLI_ACTION_DOMAIN:
		if (s != NULL)
			r = cli_admin_check_domain(s, run->key);
		break;
	case CLI_ACTION_ADDRESS:
	case CLI_ACTION_ALIAS:
		r = cli_admin_check_address(
			s, run->act->operand == CLI_ACTION_ALIAS, run->key,
			run->local, run->domain);
		break;
	}
	return r < 0 ? CLI_EXIT_DATAERR : CLI_EXIT_OK;
}

/* cli_action_run - parse, check, run one action, release what it left */
static int cli_action_run(const char *cmd, const struct cli_action *act,
			  const char *conf, int argc, char **argv)
{
	struct cli_action_run run;
	int status;

	memset(&run, 0, sizeof(run));
	run.cmd = cmd;
	run.act = act;
	run.key = sbuf_new(64);
	run.local = sbuf_new(64);
	run.domain = sbuf_new(64);
	run.err = sbuf_new(128);
	if (cli_action_getopt(&run, conf, argc, argv, &status) &&
	    (status = cli_action_check_operand(&run)) == CLI_EXIT_OK)
		status = act->fn(&run);
	if (run.in_txn)
		sqldb_rollback(run.db);
	sqldb_close(&run.db);
	sbuf_free(&run.key);
	sbuf_free(&run.local);
	sbuf_free(&run.domain);
	sbuf_free(&run.err);
	return status;
}

/* cli_action_dispatch - find the action, let it parse its own options */
int cli_action_dispatch(int argc, char **argv, const struct cli_action *acts)
{
	const struct cli_action *a;
	const char *cmd = argv[0], *conf = NULL;
	int i = 1;

	/* "-c FILE" may also come before the action */
	while (i + 1 < argc && strcmp(argv[i], "-c") == 0) {
		conf = argv[i + 1];
		i += 2;
	}
	if (i >= argc)
		return cli_action_list_usage(stderr, cmd, acts, CLI_EXIT_USAGE);
	if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0 ||
	    strcmp(argv[i], "help") == 0)
		return cli_action_list_usage(stdout, cmd, acts, CLI_EXIT_OK);
	for (a = acts; a->name != NULL; a++)
		if (strcmp(argv[i], a->name) == 0)
			break;
	if (a->name == NULL) {
		cli_admin_error("%s: unknown action \"%.64s\"", cmd, argv[i]);
		return cli_action_list_usage(stderr, cmd, acts, CLI_EXIT_USAGE);
	}
	return cli_action_run(cmd, a, conf, argc - i, argv + i);
}

/* cli_action_open - the connection, schema checked, opened once */
int cli_action_open(struct cli_action_run *run)
{
	if (run->db != NULL)
		return CLI_EXIT_OK;
	return cli_admin_open(run->o.conf, false, true, &run->db);
}

/* cli_action_begin - start a transaction the dispatcher may roll back */
enum sqldb_result cli_action_begin(struct cli_action_run *run)
{
	enum sqldb_result r = sqldb_begin(run->db, run->err);

	if (r == SQLDB_OK)
		run->in_txn = true;
	return r;
}

/* cli_action_commit - end it; on failure it stays open for rollback */
enum sqldb_result cli_action_commit(struct cli_action_run *run)
{
	enum sqldb_result r = sqldb_commit(run->db, run->err);

	if (r == SQLDB_OK)
		run->in_txn = false;
	return r;
}

/* cli_action_count - one COUNT(*) */
int cli_action_count(struct cli_action_run *run, const char *sql,
		     const char *arg, const char *what, unsigned long *n_r)
{
	struct sqldb_rows *rows = NULL;
	enum sqldb_result r;
	const char *v;

	*n_r = 0;
	r = sqldb_exec(run->db, sql, &arg, 1, &rows, run->err);
	if (r == SQLDB_OK && sqldb_rows_count(rows) > 0 &&
	    (v = sqldb_rows_get(rows, 0, 0)) != NULL &&
	    numparse_ulong(v, ULONG_MAX, n_r) < 0) {
		sbuf_printf(run->err, "not a count: \"%.20s\"", v);
		r = SQLDB_ERROR;
	}
	sqldb_rows_free(&rows);
	return r == SQLDB_OK ? CLI_EXIT_OK
			     : cli_admin_db_error(r, what, run->err);
}

/* cli_action_not_found - "no domain example.com" */
int cli_action_not_found(const struct cli_action_run *run)
{
	cli_admin_error("no %s %s", run->cmd, sbuf_cstr(run->key));
	return CLI_EXIT_NOTFOUND;
}

/* cli_action_need_domain - mailboxes and aliases need their domain */
int cli_action_need_domain(struct cli_action_run *run, const char *what)
{
	unsigned long n = 0;
	int status;

	status = cli_action_count(run, "SELECT COUNT(*) FROM domain"
				       " WHERE domain = ? AND domain != 'ALL'",
				  sbuf_cstr(run->domain), what, &n);
	if (status == CLI_EXIT_OK && n == 0) {
		cli_admin_error("no domain %s: add it first with \"postwarden "
				"domain add\"", sbuf_cstr(run->domain));
		status = CLI_EXIT_DATAERR;
	}
	return status;
}

/* cli_action_list - every row, or those of one domain */
int cli_action_list(struct cli_action_run *run)
{
	const struct cli_action *a = run->act;
	struct sqldb_rows *rows = NULL;
	const char *arg = sbuf_cstr(run->key);
	bool one = run->o.nargs == 1;
	enum sqldb_result r;
	int status;

	status = cli_action_open(run);
	if (status != CLI_EXIT_OK)
		return status;
	r = sqldb_exec(run->db, one ? a->sql_domain : a->sql, &arg,
		       one ? 1 : 0, &rows, run->err);
	if (r != SQLDB_OK)
		status = cli_admin_db_error(r, a->what, run->err);
	else
		cli_admin_print_rows(a->header, rows);
	sqldb_rows_free(&rows);
	return status;
}

/* cli_action_fetch - the row of the key */
int cli_action_fetch(struct cli_action_run *run, struct sqldb_rows **rows_r)
{
	const char *arg = sbuf_cstr(run->key);
	enum sqldb_result r;
	int status;

	*rows_r = NULL;
	status = cli_action_open(run);
	if (status != CLI_EXIT_OK)
		return status;
	r = sqldb_exec(run->db, run->act->sql, &arg, 1, rows_r, run->err);
	if (r != SQLDB_OK)
		return cli_admin_db_error(r, run->act->what, run->err);
	if (sqldb_rows_count(*rows_r) == 0)
		return cli_action_not_found(run);
	return CLI_EXIT_OK;
}

/* cli_action_show - one row, "name: value" lines */
int cli_action_show(struct cli_action_run *run)
{
	struct sqldb_rows *rows = NULL;
	int status;

	status = cli_action_fetch(run, &rows);
	if (status == CLI_EXIT_OK)
		cli_admin_print_record(run->act->names, rows);
	sqldb_rows_free(&rows);
	return status;
}

/* cli_action_change - enable, disable or remove the key's row(s) */
int cli_action_change(struct cli_action_run *run)
{
	const struct cli_action *a = run->act;
	char now[SQLDB_TIMESTAMP_SIZE];
	const char *args[3];
	enum sqldb_result r;
	size_t nargs = 0;
	int status;

	status = cli_action_open(run);
	if (status != CLI_EXIT_OK)
		return status;
	sqldb_timestamp(now);
	if (a->active != NULL) {
		args[nargs++] = a->active;
		args[nargs++] = now;
	}
	args[nargs++] = sbuf_cstr(run->key);
	/* one statement needs no transaction of its own */
	if (a->sql_then != NULL && (r = cli_action_begin(run)) != SQLDB_OK)
		goto db_error;
	r = sqldb_exec(run->db, a->sql, args, nargs, NULL, run->err);
	if (r != SQLDB_OK)
		goto db_error;
	if (sqldb_changes(run->db) == 0)
		return cli_action_not_found(run);
	if (a->sql_then != NULL &&
	    ((r = sqldb_exec(run->db, a->sql_then, args, nargs, NULL,
			     run->err)) != SQLDB_OK ||
	     (r = cli_action_commit(run)) != SQLDB_OK))
		goto db_error;
	return CLI_EXIT_OK;
db_error:
	return cli_admin_db_error(r, a->what, run->err);
}
