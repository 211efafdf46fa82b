/*
 * cli_pw.c - "postwarden pw": make and check Dovecot password hashes as
 * "doveadm pw" (Dovecot 2.3) does, with authd's own scheme code.
 *
 *   postwarden pw [-s SCHEME] [-r ROUNDS] [-u USER] [-p PASSWORD] [-V]
 *   postwarden pw -t HASH [-u USER] [-p PASSWORD]
 *   postwarden pw -l
 *
 * The password comes from the terminal (echo off, asked twice), or one
 * line of standard input when that is not a terminal. -p puts it on the
 * command line, where other users can see it in ps(1): it is meant for
 * tests. Every scheme doveadm lists can be made here, weak ones too (a
 * migration may need them); "postwarden mailbox" refuses to store those.
 *
 * Exit: 0 made, or matched (-t); 1 does not match (-t); 64 bad command
 * line; 65 bad input (unknown scheme, malformed hash, no password);
 * 70 internal error. doveadm exits 75 for all failures alike.
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_admin.h"
#include "pw_scheme.h"
#include "sbuf.h"

/* pw_usage - print the synopsis */
static int pw_usage(FILE *fp, int status)
{
	fprintf(fp,
		"usage: postwarden pw [-V] [-s scheme] [-r rounds] [-u user] "
		"[-p password]\n"
		"       postwarden pw -t hash [-u user] [-p password]\n"
		"       postwarden pw -l\n"
		"\n"
		"  -s scheme    scheme to hash with (default %s)\n"
		"  -r rounds    cost: crypt rounds or bcrypt cost, PBKDF2 "
		"rounds,\n"
		"               SCRAM iterations, Argon2 passes, OTP "
		"sequence\n"
		"  -u user      login name (DIGEST-MD5 mixes it in)\n"
		"  -p password  password on the command line: for tests only "
		"(ps shows it)\n"
		"  -t hash      check the password against {SCHEME}hash\n"
		"  -V           check the new hash before printing it\n"
		"  -l           list the schemes\n"
		"\n"
		"The password is read from the terminal (twice), or a line of "
		"stdin.\n"
		"Exit: 0 ok or match, 1 mismatch, %d usage, %d bad input.\n",
		PW_SCHEME_DEFAULT, CLI_EXIT_USAGE, CLI_EXIT_DATAERR);
	return status;
}

/* pw_list - the scheme names on one line, as doveadm pw -l */
static int pw_list(void)
{
	size_t i;

	for (i = 0; i < pw_scheme_count(); i++)
		printf("%s ", pw_scheme_at(i)->name);
	printf("\n");
	return CLI_EXIT_OK;
}

/* pw_check - -t: 0 match, 1 mismatch, 65 malformed or unknown */
static int pw_check(const char *hash, const char *password, const char *user)
{
	struct sbuf *err = sbuf_new(64);
	int status;

	switch (pw_scheme_verify(hash, password, user, NULL, err)) {
	case PW_MATCH:
		printf("%s (verified)\n", hash);
		status = CLI_EXIT_OK;
		break;
	case PW_MISMATCH:
		cli_admin_error("password mismatch");
		status = CLI_EXIT_MISMATCH;
		break;
	case PW_UNKNOWN_SCHEME:
	case PW_INVALID:
	default:
		cli_admin_error("%s", sbuf_is_empty(err) ?
				"cannot check this hash" : sbuf_cstr(err));
		status = CLI_EXIT_DATAERR;
		break;
	}
	sbuf_free(&err);
	return status;
}

/* pw_make - hash password with scheme and print it */
static int pw_make(const char *scheme, const char *password,
		   const char *user, unsigned int rounds, bool verify)
{
	struct sbuf *out = sbuf_new(128), *err = sbuf_new(64);
	int status = CLI_EXIT_OK;

	if (pw_scheme_generate_any(scheme, password, user, rounds, out,
				   err) < 0) {
		cli_admin_error("%s", sbuf_cstr(err));
		status = CLI_EXIT_DATAERR;
		goto out;
	}
	if (verify && pw_scheme_verify(sbuf_cstr(out), password, user, NULL,
				       err) != PW_MATCH) {
		cli_admin_error("the new hash does not verify");
		status = CLI_EXIT_SOFTWARE;
		goto out;
	}
	printf("%s%s\n", sbuf_cstr(out), verify ? " (verified)" : "");
out:
	/* PLAIN and friends hold the password itself */
	sbuf_free_secret(&out);
	sbuf_free(&err);
	return status;
}

/* cli_pw_main - postwarden pw */
int cli_pw_main(int argc, char **argv)
{
	const char *scheme = PW_SCHEME_DEFAULT, *user = NULL, *hash = NULL;
	const char *arg_password = NULL;
	struct sbuf *pw = sbuf_new_max(64, PW_SCHEME_MAX_PASSWORD);
	unsigned long rounds = 0;
	bool list = false, verify = false;
	int c, status;
	char *end;

	opterr = 0;
	while ((c = getopt(argc, argv, "hlp:r:s:t:u:V")) != -1) {
		switch (c) {
		case 'l':
			list = true;
			break;
		case 'p':
			arg_password = optarg;
			break;
		case 'r':
			if (optarg[0] < '0' || optarg[0] > '9' ||
			    (rounds = strtoul(optarg, &end, 10),
			     *end != '\0') ||
			    rounds > 0xffffffffUL) {
				cli_admin_error("-r: not a number of rounds");
				status = CLI_EXIT_USAGE;
				goto out;
			}
			break;
		case 's':
			scheme = optarg;
			break;
		case 't':
			hash = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'V':
			verify = true;
			break;
		case 'h':
			status = pw_usage(stdout, CLI_EXIT_OK);
			goto out;
		default:
			status = pw_usage(stderr, CLI_EXIT_USAGE);
			goto out;
		}
	}
	if (optind != argc) {
		status = pw_usage(stderr, CLI_EXIT_USAGE);
		goto out;
	}
	if (list) {
		status = pw_list();
		goto out;
	}
	if (hash == NULL && !pw_scheme_can_generate_any(scheme)) {
		cli_admin_error("unknown password scheme: %.64s", scheme);
		status = CLI_EXIT_DATAERR;
		goto out;
	}
	if (arg_password != NULL) {
		if (sbuf_set(pw, arg_password) < 0) {
			cli_admin_error("password longer than %u bytes",
					PW_SCHEME_MAX_PASSWORD);
			status = CLI_EXIT_DATAERR;
			goto out;
		}
	} else {
		status = cli_admin_read_password(!isatty(STDIN_FILENO), pw);
		if (status != CLI_EXIT_OK)
			goto out;
	}
	if (hash != NULL)
		status = pw_check(hash, sbuf_cstr(pw), user);
	else
		status = pw_make(scheme, sbuf_cstr(pw), user,
				 (unsigned int)rounds, verify);
out:
	sbuf_free_secret(&pw);
	return status;
}
