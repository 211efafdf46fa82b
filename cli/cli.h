/*
 * cli.h - the postwarden command: subcommands and exit statuses.
 *
 * Each subcommand is a main-like function that gets argv with argv[0]
 * set to its own name and returns an exit status from enum cli_exit.
 */
#ifndef PW_CLI_H
#define PW_CLI_H

/* postmap's statuses for found/not found, sysexits for the rest */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_NOTFOUND = 1,	/* postwarden query: key not found */
	CLI_EXIT_MISMATCH = 1,	/* postwarden pw -t: password does not match */
	CLI_EXIT_USAGE = 64,	/* EX_USAGE: bad command line */
	CLI_EXIT_DATAERR = 65,	/* EX_DATAERR: bad input data */
	CLI_EXIT_SOFTWARE = 70, /* EX_SOFTWARE: internal error */
	CLI_EXIT_TEMPFAIL = 75, /* EX_TEMPFAIL: database unreachable */
	CLI_EXIT_CONFIG = 78,	/* EX_CONFIG: bad or unreadable config */
};

int cli_query_main(int argc, char **argv);
int cli_db_main(int argc, char **argv);
int cli_domain_main(int argc, char **argv);
int cli_mailbox_main(int argc, char **argv);
int cli_alias_main(int argc, char **argv);
int cli_pw_main(int argc, char **argv);
int cli_auth_test_main(int argc, char **argv);
int cli_spf_main(int argc, char **argv);
int cli_dkim_main(int argc, char **argv);

#endif
