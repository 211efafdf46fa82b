/*
 * cli_spf.c - "postwarden spf": one SPF check from the command line, as
 * spfquery, with the evaluator and resolver policyd uses.
 *
 *   postwarden spf --ip IP --sender ADDR --helo NAME [--receiver NAME]
 *                  [--server ADDR[@PORT]] [--timeout SECONDS]
 *
 * An empty --sender (the null sender) checks the HELO identity
 * (postmaster@NAME, RFC 7208 2.3). --receiver is the %{r} macro and
 * the receiver= field. --server sends queries to that resolver (a
 * comma or space separated list) instead of the ones in
 * /etc/resolv.conf.
 *
 * Output, one item per line: the result ("pass", "fail", ...); the
 * explanation of a fail, or the problem of a permerror/temperror
 * (empty line otherwise); the Received-SPF header field.
 *
 * Exit: 0 a result was reached (whatever it is); 64 bad command line
 * (an --ip that is no IPv4 or IPv6 address included);
 * 75 the resolver could not be set up.
 */
#include "config.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cli.h"
#include "dns.h"
#include "dns_unbound.h"
#include "numparse.h"
#include "sbuf.h"
#include "spf.h"
#include "spf_header.h"
#include "spf_run.h"

/* spf_usage - print the synopsis */
static int spf_usage(FILE *fp, int status)
{
	fprintf(fp, "usage: postwarden spf --ip IP --sender ADDR --helo NAME "
		    "[--receiver NAME]\n"
		    "                      [--server ADDR[@PORT]] "
		    "[--timeout SECONDS]\n");
	return status;
}

/* spf_done - the check has its result: stop the loop */
static void spf_done(void *arg, struct spf_check *c)
{
	struct event_base *base = arg;

	(void)c;
	event_base_loopbreak(base);
}

/* spf_print - the three lines of output */
static void spf_print(const struct spf_check *c, const char *ip,
		      const char *sender, const char *helo,
		      const char *receiver)
{
	enum spf_result r = spf_check_result(c);
	const char *why =
	    r == SPF_FAIL ? spf_check_explanation(c) : spf_check_problem(c);
	struct sbuf *hdr = sbuf_new(256), *comment = sbuf_new(64);
	struct spf_header_info h;

	/* spfquery's comment: who decided, and about which domain */
	sbuf_printf(comment, "postwarden: domain %s, %s", spf_check_domain(c),
		    *spf_check_mechanism(c) != '\0' ? spf_check_mechanism(c)
						    : "no record");
	h.result = r;
	h.scope = *sender != '\0' ? SPF_HEADER_MAILFROM : SPF_HEADER_HELO;
	h.comment = sbuf_cstr(comment);
	h.client_ip = ip;
	h.helo = helo;
	h.envelope_from = sender;
	h.receiver = receiver != NULL ? receiver : "unknown";
	spf_header_received_spf(hdr, &h);
	printf("%s\n%s\n%s\n", spf_result_name(r), why != NULL ? why : "",
	       sbuf_cstr(hdr));
	sbuf_free(&hdr);
	sbuf_free(&comment);
}

int cli_spf_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"ip", required_argument, NULL, 'i'},
	    {"sender", required_argument, NULL, 's'},
	    {"helo", required_argument, NULL, 'e'},
	    {"receiver", required_argument, NULL, 'r'},
	    {"server", required_argument, NULL, 'S'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *ip = NULL, *sender = NULL, *helo = NULL, *receiver = NULL;
	const char *server = NULL;
	unsigned int timeout = 20;
	struct dns_unbound_options o;
	struct spf_request rq;
	struct event_base *base = NULL;
	struct dns_resolver *r = NULL;
	struct spf_check *c = NULL;
	struct sbuf *err = sbuf_new(0);
	int ch, status = CLI_EXIT_OK;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			ip = optarg;
			break;
		case 's':
			sender = optarg;
			break;
		case 'e':
			helo = optarg;
			break;
		case 'r':
			receiver = optarg;
			break;
		case 'S':
			server = optarg;
			break;
		case 't':
			if (numparse_uint(optarg, 3600, &timeout) < 0 ||
			    timeout == 0) {
				fprintf(stderr,
					"postwarden spf: bad timeout "
					"'%s'\n",
					optarg);
				status = CLI_EXIT_USAGE;
				goto out;
			}
			break;
		case 'h':
			status = spf_usage(stdout, CLI_EXIT_OK);
			goto out;
		default:
			status = spf_usage(stderr, CLI_EXIT_USAGE);
			goto out;
		}
	}
	if (optind != argc || ip == NULL || sender == NULL || helo == NULL ||
	    (*sender == '\0' && *helo == '\0')) {
		status = spf_usage(stderr, CLI_EXIT_USAGE);
		goto out;
	}
	{
		unsigned char addr[16];

		if (inet_pton(AF_INET, ip, addr) != 1 &&
		    inet_pton(AF_INET6, ip, addr) != 1) {
			fprintf(stderr, "postwarden spf: bad --ip '%s'\n", ip);
			status = CLI_EXIT_USAGE;
			goto out;
		}
	}
	base = event_base_new();
	if (base == NULL) {
		fprintf(stderr, "postwarden spf: cannot make an event loop\n");
		status = CLI_EXIT_SOFTWARE;
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.servers = server;
	o.timeout_ms = timeout * 1000u;
	r = dns_unbound_new(base, &o, err);
	if (r == NULL) {
		fprintf(stderr, "postwarden spf: resolver: %s\n",
			sbuf_cstr(err));
		status = CLI_EXIT_TEMPFAIL;
		goto out;
	}
	memset(&rq, 0, sizeof(rq));
	rq.ip = ip;
	rq.sender = sender;
	rq.helo = helo;
	rq.identity = *sender != '\0' ? SPF_ID_MAILFROM : SPF_ID_HELO;
	rq.receiver = receiver;
	rq.now = time(NULL);
	c = spf_check_new(&rq);
	if (spf_run_start(base, r, c, timeout * 1000u, spf_done, base) ==
	    NULL) {
		fprintf(stderr, "postwarden spf: cannot start the check\n");
		status = CLI_EXIT_SOFTWARE;
		goto out;
	}
	event_base_dispatch(base);
	spf_print(c, ip, sender, helo, receiver);
out:
	spf_check_free(&c);
	dns_resolver_free(&r);
	if (base != NULL)
		event_base_free(base);
	sbuf_free(&err);
	return status;
}
