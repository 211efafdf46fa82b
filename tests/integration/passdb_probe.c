/*
 * passdb_probe.c - test helper for passdb_mysql.sh: open one passdb and
 * look up each login read from stdin (one per line), printing
 * "FOUND <stored> <user>", "NOUSER" or "TEMPFAIL <reason>" per line.
 * The handle stays open between lines, so a script can stop and restart
 * the SQL server between lookups. Test data only: it prints the stored
 * value, which authd itself never does.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_passdb.h"
#include "log.h"
#include "sbuf.h"

int main(int argc, char **argv)
{
	struct sbuf *err = sbuf_new(0);
	struct passdb_entry e;
	struct passdb *p;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: passdb_probe SPEC <logins\n");
		return 2;
	}
	log_init("passdb_probe", LOG_DEST_STDERR);
	if ((p = passdb_open(argv[1], NULL, err)) == NULL) {
		fprintf(stderr, "passdb_probe: %s\n", sbuf_cstr(err));
		return 1;
	}
	passdb_entry_init(&e);
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		sbuf_reset(err);
		switch (passdb_lookup(p, line, &e, err)) {
		case PASSDB_FOUND:
			printf("FOUND %s %s\n", sbuf_cstr(e.password),
			       sbuf_cstr(e.user));
			break;
		case PASSDB_NOUSER:
			printf("NOUSER\n");
			break;
		case PASSDB_TEMPFAIL:
			printf("TEMPFAIL %s\n", sbuf_cstr(err));
			break;
		}
		fflush(stdout);
	}
	free(line);
	passdb_entry_free(&e);
	passdb_close(&p);
	sbuf_free(&err);
	return 0;
}
