/* postwarden.c - the front door for people: dispatch to subcommands */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"

struct subcommand {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{"query", cli_query_main, "look keys up in a mysql:/sqlite: table, as postmap -q"},
	{"db", cli_db_main, "create or upgrade the database (init, migrate, schema)"},
	{"domain", cli_domain_main, "add, list, show, disable, enable, remove domains"},
	{"mailbox", cli_mailbox_main, "add, list, show, disable, enable, remove mailboxes, set passwords"},
	{"alias", cli_alias_main, "add, list, show, disable, enable, remove aliases"},
	{"pw", cli_pw_main, "make or check a Dovecot password hash, as doveadm pw"},
	{"auth-test", cli_auth_test_main, "ask the running authd about a login, as doveadm auth test"},
	{"spf", cli_spf_main, "check a client and sender against SPF, as spfquery"},
	{"dkim", cli_dkim_main, "DKIM keys, signing and verifying (keygen, sign, verify, check)"},
};

/* usage - list the subcommands */
static int usage(FILE *fp, int status)
{
	size_t i;

	fprintf(fp, "usage: postwarden COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(fp, "  %-9s %s\n", subcommands[i].name,
			subcommands[i].summary);
	fprintf(fp, "\n'postwarden COMMAND -h' shows the options of one.\n");
	return status;
}

int main(int argc, char **argv)
{
	size_t i;

	log_init("postwarden", LOG_DEST_STDERR);
	/* A fatal error must never read as postmap's "not found" (1). */
	log_set_fatal_status(CLI_EXIT_SOFTWARE);
	if (argc < 2)
		return usage(stderr, CLI_EXIT_USAGE);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(stdout, CLI_EXIT_OK);
	if (strcmp(argv[1], "--version") == 0) {
		printf("postwarden %s\n", PACKAGE_VERSION);
		/* scripts and tests read which table types this build has */
#ifdef HAVE_MYSQL
		printf("backends: sqlite mysql\n");
#else
		printf("backends: sqlite\n");
#endif
		return CLI_EXIT_OK;
	}
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "postwarden: unknown command '%s'\n", argv[1]);
	return usage(stderr, CLI_EXIT_USAGE);
}
