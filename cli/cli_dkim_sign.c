/*
 * cli_dkim_sign.c - "postwarden dkim sign": sign the message on standard
 * input with the calls milterd makes (dkim_sign.h) and write it out
 * with the DKIM-Signature field on top.
 *
 *   postwarden dkim sign -d DOMAIN -s SELECTOR -k KEYFILE [-c CANON]
 *
 * The algorithm follows the key: rsa-sha256 or ed25519-sha256 (RFC
 * 8463). CANON is header/body canonicalization, default relaxed/relaxed
 * as milterd's. The message goes out byte for byte as it came in; the
 * new field is folded with the line end of the input's first line (LF
 * or CRLF), so the output can go on to sendmail or to a file alike.
 *
 * Exit: 0 signed; 64 bad command line; 65 bad domain, selector, key or
 * message (no From:, over the limits); 66 key file unreadable; 74 read
 * or write error.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli.h"
#include "cli_dkim.h"
#include "cli_dkim_msg.h"
#include "dkim_crypto.h"
#include "dkim_sign.h"
#include "sbuf.h"

/* cli_dkim_sign_usage - the synopsis */
static int cli_dkim_sign_usage(FILE *fp, int status)
{
	fprintf(fp, "usage: postwarden dkim sign -d DOMAIN -s SELECTOR "
		    "-k KEYFILE [-c CANON] < message\n"
		    "  CANON: simple|relaxed[/simple|relaxed], default "
		    "relaxed/relaxed\n");
	return status;
}

/* cli_dkim_sign_feed - a piece of the body to the signer */
static void cli_dkim_sign_feed(void *ctx, const void *p, size_t n)
{
	dkim_sign_body(ctx, p, n);
}

/* cli_dkim_sign_write - the new field, then the message as read */
static int cli_dkim_sign_write(const struct cli_dkim_msg *m,
			       const struct sbuf *sig)
{
	bool crlf = cli_dkim_msg_is_crlf(m);
	const char *p = sbuf_cstr(sig);
	const unsigned char *raw;
	size_t len;

	for (; *p != '\0'; p++)
		if (*p != '\r' || crlf)
			putchar(*p);
	fputs(crlf ? "\r\n" : "\n", stdout);
	raw = cli_dkim_msg_raw(m, &len);
	if (fwrite(raw, 1, len, stdout) != len || fflush(stdout) != 0 ||
	    ferror(stdout)) {
		cli_dkim_error("cannot write the signed message");
		return EX_IOERR;
	}
	return CLI_EXIT_OK;
}

int cli_dkim_sign_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"domain", required_argument, NULL, 'd'},
	    {"selector", required_argument, NULL, 's'},
	    {"key", required_argument, NULL, 'k'},
	    {"canonicalization", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *domain = NULL, *selector = NULL, *keyfile = NULL;
	struct sbuf *dom = sbuf_new(64), *err = sbuf_new(64);
	struct sbuf *sig = sbuf_new(1024);
	struct dkim_crypto_key *key = NULL;
	struct cli_dkim_msg *m = NULL;
	struct dkim_sign *s = NULL;
	struct dkim_sign_opts o;
	int ch, status;

	dkim_sign_opts_init(&o);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:s:k:c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			domain = optarg;
			break;
		case 's':
			selector = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'c':
			if (cli_dkim_canon(optarg, &o.hcanon, &o.bcanon) < 0) {
				cli_dkim_error("bad canonicalization '%s'",
					       optarg);
				status =
				    cli_dkim_sign_usage(stderr, CLI_EXIT_USAGE);
				goto out;
			}
			break;
		case 'h':
			status = cli_dkim_sign_usage(stdout, CLI_EXIT_OK);
			goto out;
		default:
			status = cli_dkim_sign_usage(stderr, CLI_EXIT_USAGE);
			goto out;
		}
	}
	if (optind != argc || keyfile == NULL) {
		status = cli_dkim_sign_usage(stderr, CLI_EXIT_USAGE);
		goto out;
	}
	if ((status = cli_dkim_names(domain, selector, dom)) != CLI_EXIT_OK ||
	    (status = cli_dkim_load_key(keyfile, &key)) != CLI_EXIT_OK)
		goto out;
	o.alg = dkim_crypto_key_type(key) == DKIM_KEY_ED25519
		    ? DKIM_ALG_ED25519_SHA256
		    : DKIM_ALG_RSA_SHA256;
	o.domain = sbuf_cstr(dom);
	o.selector = selector;
	o.timestamp = (unsigned long)time(NULL);
	status = CLI_EXIT_DATAERR;
	if ((s = dkim_sign_new(&o, key, err)) == NULL) {
		cli_dkim_error("cannot sign: %s", sbuf_cstr(err));
		goto out;
	}
	if ((status = cli_dkim_msg_read(0, CLI_DKIM_MSG_MAX, &m, err)) !=
	    CLI_EXIT_OK) {
		cli_dkim_error("standard input: %s", sbuf_cstr(err));
		goto out;
	}
	status = CLI_EXIT_DATAERR;
	for (size_t i = 0; i < cli_dkim_msg_count(m); i++) {
		size_t len;
		const char *f = cli_dkim_msg_field(m, i, &len);

		if (dkim_sign_header(s, f, len, err) < 0) {
			cli_dkim_error("header field %zu: %s", i + 1,
				       sbuf_cstr(err));
			goto out;
		}
	}
	cli_dkim_msg_body(m, cli_dkim_sign_feed, s);
	if (dkim_sign_eom(s, sig, err) < 0) {
		cli_dkim_error("cannot sign: %s", sbuf_cstr(err));
		goto out;
	}
	status = cli_dkim_sign_write(m, sig);
out:
	dkim_sign_free(&s);
	dkim_crypto_key_free(&key);
	cli_dkim_msg_free(&m);
	sbuf_free(&dom);
	sbuf_free(&err);
	sbuf_free(&sig);
	return status;
}
