/*
 * cli_dkim_verify.c - "postwarden dkim verify": verify the DKIM
 * signatures of the message on standard input (dkim_verify.h, as
 * milterd does), the key records looked up through dns_sync.
 *
 *   postwarden dkim verify [--server ADDR[@PORT]] [--timeout SECONDS]
 *
 * Output: one line per DKIM-Signature field, top first:
 *   RESULT d=DOMAIN s=SELECTOR[ (REASON)][ testing]
 * RESULT as RFC 8601 names it (pass, fail, neutral, policy, temperror,
 * permerror); "-" for a tag that could not be read; "testing" when the
 * key record has t=y. A message without signatures prints "none".
 *
 * Exit: 0 at least one signature passes; 1 none passes; 75 none passes
 * and every one that did not is a temperror (try again later); 64 bad
 * command line; 65 a message over the limits; 74 read error.
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "cli_dkim.h"
#include "cli_dkim_msg.h"
#include "dkim_sig.h"
#include "dkim_verify.h"
#include "dns.h"
#include "dns_sync.h"
#include "log.h"
#include "sbuf.h"
#include "xalloc.h"

/* cli_dkim_verify_usage - the synopsis */
static int cli_dkim_verify_usage(FILE *fp, int status)
{
	fprintf(fp, "usage: postwarden dkim verify [--server ADDR[@PORT]] "
		    "[--timeout SECONDS] < message\n");
	return status;
}

/* cli_dkim_verify_feed - a piece of the body to the verifier */
static void cli_dkim_verify_feed(void *ctx, const void *p, size_t n)
{
	dkim_verify_body(ctx, p, n);
}

/* cli_dkim_verify_keys - look up every key record the signatures need,
 * each name once */
static void cli_dkim_verify_keys(struct dkim_verify *v, struct dns_sync *dns)
{
	size_t n = dkim_verify_count(v);
	bool *done = xcalloc(n + 1, sizeof(*done));

	for (size_t i = 0; i < n; i++) {
		const char *name = dkim_verify_key_name(v, i);
		enum dkim_verify_key ks = DKIM_VERIFY_KEY_NONE;
		struct dns_answer *a;
		char *copy;

		if (name == NULL || done[i])
			continue;
		a = dns_sync_resolve(dns, name, DNS_T_TXT);
		if (a->status == DNS_TEMPFAIL)
			ks = DKIM_VERIFY_KEY_TEMPFAIL;
		else if (a->status == DNS_OK && a->n > 0)
			ks = DKIM_VERIFY_KEY_FOUND;
		/* the name is borrowed from v, which feeding may change */
		copy = xstrdup(name);
		for (size_t j = i; j < n; j++) {
			const char *nj = dkim_verify_key_name(v, j);

			if (nj != NULL && strcasecmp(nj, copy) == 0)
				done[j] = true;
		}
		/* RFC 6376 3.6.2.2: one record; several: the first */
		(void)dkim_verify_key_by_name(
		    v, copy, ks,
		    ks == DKIM_VERIFY_KEY_FOUND ? (const char *)a->rr[0].data
						: NULL,
		    ks == DKIM_VERIFY_KEY_FOUND ? a->rr[0].len : 0);
		free(copy);
		dns_answer_free(&a);
	}
	free(done);
}

/* cli_dkim_verify_print - one line per signature; the exit status */
static int cli_dkim_verify_print(struct dkim_verify *v)
{
	size_t n = dkim_verify_count(v), npass = 0, ntemp = 0;
	struct sbuf *q = sbuf_new(64);

	if (n == 0)
		printf("none\n");
	for (size_t i = 0; i < n; i++) {
		const struct dkim_sig *sig = dkim_verify_sig(v, i);
		const char *reason = NULL;
		enum dkim_result r = dkim_verify_result(v, i, &reason);
		const char *d = sig != NULL && sig->d != NULL ? sig->d : "-";
		const char *s = sig != NULL && sig->s != NULL ? sig->s : "-";

		/* d= and s= are the message's: quoted */
		sbuf_reset(q);
		printf("%s d=%s", dkim_result_name(r),
		       log_quote(q, d, strlen(d)));
		sbuf_reset(q);
		printf(" s=%s", log_quote(q, s, strlen(s)));
		sbuf_reset(q);
		if (reason != NULL && *reason != '\0')
			printf(" (%s)", log_quote(q, reason, strlen(reason)));
		printf("%s\n", dkim_verify_is_testing(v, i) ? " testing" : "");
		if (r == DKIM_RES_PASS)
			npass++;
		else if (r == DKIM_RES_TEMPERROR)
			ntemp++;
	}
	sbuf_free(&q);
	if (npass > 0)
		return CLI_EXIT_OK;
	return n > 0 && ntemp == n ? CLI_EXIT_TEMPFAIL : CLI_EXIT_MISMATCH;
}

int cli_dkim_verify_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"server", required_argument, NULL, 'S'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *server = NULL;
	unsigned int timeout = CLI_DKIM_TIMEOUT;
	struct dkim_verify_opts o;
	struct dkim_verify *v = NULL;
	struct cli_dkim_msg *m = NULL;
	struct dns_sync *dns = NULL;
	struct sbuf *err = sbuf_new(64);
	int ch, status;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'S':
			server = optarg;
			break;
		case 't':
			if (cli_dkim_timeout(optarg, &timeout) < 0) {
				status = CLI_EXIT_USAGE;
				goto out;
			}
			break;
		case 'h':
			status = cli_dkim_verify_usage(stdout, CLI_EXIT_OK);
			goto out;
		default:
			status = cli_dkim_verify_usage(stderr, CLI_EXIT_USAGE);
			goto out;
		}
	}
	if (optind != argc) {
		status = cli_dkim_verify_usage(stderr, CLI_EXIT_USAGE);
		goto out;
	}
	if ((status = cli_dkim_msg_read(0, CLI_DKIM_MSG_MAX, &m, err)) !=
	    CLI_EXIT_OK) {
		cli_dkim_error("standard input: %s", sbuf_cstr(err));
		goto out;
	}
	dkim_verify_opts_init(&o);
	o.now = (unsigned long)time(NULL);
	v = dkim_verify_new(&o);
	for (size_t i = 0; i < cli_dkim_msg_count(m); i++) {
		size_t len;
		const char *f = cli_dkim_msg_field(m, i, &len);

		if (dkim_verify_header(v, f, len, err) < 0) {
			cli_dkim_error("header field %zu: %s", i + 1,
				       sbuf_cstr(err));
			status = CLI_EXIT_DATAERR;
			goto out;
		}
	}
	dkim_verify_eoh(v);
	if (dkim_verify_count(v) > 0) {
		if ((status = cli_dkim_resolver(server, timeout, &dns)) !=
		    CLI_EXIT_OK)
			goto out;
		cli_dkim_verify_keys(v, dns);
	}
	cli_dkim_msg_body(m, cli_dkim_verify_feed, v);
	dkim_verify_eom(v);
	status = cli_dkim_verify_print(v);
out:
	dkim_verify_free(&v);
	dns_sync_free(&dns);
	cli_dkim_msg_free(&m);
	sbuf_free(&err);
	return status;
}
