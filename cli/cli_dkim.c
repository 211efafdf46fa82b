/*
 * cli_dkim.c - "postwarden dkim": the dispatcher and what the
 * subcommands share (cli_dkim.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "cli_admin.h"
#include "cli_dkim.h"
#include "dkim_crypto.h"
#include "dns_sync.h"
#include "log.h"
#include "numparse.h"
#include "readfile.h"
#include "sbuf.h"

struct cli_dkim_cmd {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *usage;
};

static const struct cli_dkim_cmd cli_dkim_cmds[] = {
    {"keygen", cli_dkim_keygen_main,
     "keygen -d DOMAIN -s SELECTOR [--algorithm rsa|ed25519|both]\n"
     "                              [--bits N] [-o DIR | --sql [-c FILE]]"},
    {"sign", cli_dkim_sign_main,
     "sign -d DOMAIN -s SELECTOR -k KEYFILE [-c CANON] < message"},
    {"verify", cli_dkim_verify_main,
     "verify [--server ADDR[@PORT]] [--timeout SECONDS] < message"},
    {"check", cli_dkim_check_main,
     "check -d DOMAIN -s SELECTOR -k KEYFILE [--server ADDR[@PORT]]\n"
     "                             [--timeout SECONDS]"},
};

#define CLI_DKIM_NCMDS (sizeof(cli_dkim_cmds) / sizeof(cli_dkim_cmds[0]))

/* cli_dkim_usage - every synopsis */
static int cli_dkim_usage(FILE *fp, int status)
{
	for (size_t i = 0; i < CLI_DKIM_NCMDS; i++)
		fprintf(fp, "%s postwarden dkim %s\n",
			i == 0 ? "usage:" : "      ", cli_dkim_cmds[i].usage);
	return status;
}

/* cli_dkim_main - postwarden dkim SUBCOMMAND ... */
int cli_dkim_main(int argc, char **argv)
{
	if (argc < 2)
		return cli_dkim_usage(stderr, CLI_EXIT_USAGE);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return cli_dkim_usage(stdout, CLI_EXIT_OK);
	for (size_t i = 0; i < CLI_DKIM_NCMDS; i++)
		if (strcmp(argv[1], cli_dkim_cmds[i].name) == 0)
			return cli_dkim_cmds[i].main(argc - 1, argv + 1);
	cli_dkim_error("unknown subcommand '%s'", argv[1]);
	return cli_dkim_usage(stderr, CLI_EXIT_USAGE);
}

void cli_dkim_error(const char *fmt, ...)
{
	va_list ap;

	fputs("postwarden dkim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* cli_dkim_check_selector - RFC 6376 3.1 selector; NULL or the problem */
static const char *cli_dkim_check_selector(const char *s)
{
	size_t label = 0, len = strlen(s);

	if (len == 0 || len > CLI_DKIM_MAX_SELECTOR)
		return "empty or longer than 63 characters";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return "empty label, or a label ending in '-'";
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '-') {
			if (c == '-' && label == 0)
				return "a label starts with '-'";
			label++;
		} else {
			return "only letters, digits, '-' and '.'";
		}
	}
	if (label == 0 || s[len - 1] == '-')
		return "empty last label, or it ends in '-'";
	return NULL;
}

int cli_dkim_names(const char *domain, const char *selector,
		   struct sbuf *domain_r)
{
	static const char infix[] = "._domainkey.";
	struct sbuf *q = sbuf_new(64);
	const char *why;
	int status = CLI_EXIT_DATAERR;

	if (domain == NULL || selector == NULL) {
		cli_dkim_error("-d DOMAIN and -s SELECTOR are required");
		status = CLI_EXIT_USAGE;
		goto out;
	}
	if (cli_admin_check_domain(domain, domain_r) < 0)
		goto out;
	if ((why = cli_dkim_check_selector(selector)) != NULL) {
		cli_dkim_error("bad selector \"%s\": %s",
			       log_quote(q, selector, strlen(selector)), why);
		goto out;
	}
	/* leave room for a "-ed25519" suffix (keygen --algorithm both) */
	if (strlen(selector) + 8 + sizeof(infix) - 1 + sbuf_len(domain_r) >
	    CLI_ADMIN_MAX_DOMAIN) {
		cli_dkim_error("%s%s%s is too long for a DNS name", selector,
			       infix, sbuf_cstr(domain_r));
		goto out;
	}
	status = CLI_EXIT_OK;
out:
	sbuf_free(&q);
	return status;
}

int cli_dkim_canon(const char *s, enum dkim_canon_alg *h_r,
		   enum dkim_canon_alg *b_r)
{
	const char *slash = strchr(s, '/');
	size_t hlen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	const char *parts[2] = {s, slash != NULL ? slash + 1 : "simple"};
	size_t lens[2] = {hlen, strlen(parts[1])};
	enum dkim_canon_alg *out[2] = {h_r, b_r};

	for (size_t i = 0; i < 2; i++) {
		if (lens[i] == 6 && strncmp(parts[i], "simple", 6) == 0)
			*out[i] = DKIM_CANON_SIMPLE;
		else if (lens[i] == 7 && strncmp(parts[i], "relaxed", 7) == 0)
			*out[i] = DKIM_CANON_RELAXED;
		else
			return -1;
	}
	return 0;
}

int cli_dkim_load_key(const char *path, struct dkim_crypto_key **key_r)
{
	struct sbuf *data = sbuf_new_max(4096, CLI_DKIM_MAX_KEYFILE);
	struct sbuf *err = sbuf_new(64);
	int status = CLI_EXIT_DATAERR;

	*key_r = NULL;
	if (readfile(path, data, NULL, err) < 0) {
		cli_dkim_error("%s", sbuf_cstr(err));
		status = EX_NOINPUT;
		goto out;
	}
	if (dkim_crypto_key_private(sbuf_cstr(data), sbuf_len(data), key_r,
				    err) < 0) {
		cli_dkim_error("%s: %s", path, sbuf_cstr(err));
		goto out;
	}
	status = CLI_EXIT_OK;
out:
	sbuf_free_secret(&data);
	sbuf_free(&err);
	return status;
}

int cli_dkim_resolver(const char *server, unsigned int timeout_s,
		      struct dns_sync **s_r)
{
	struct dns_unbound_options o;
	struct sbuf *err = sbuf_new(64);
	int status = CLI_EXIT_OK;

	memset(&o, 0, sizeof(o));
	o.servers = server;
	o.timeout_ms = timeout_s * 1000u;
	if ((*s_r = dns_sync_new(&o, err)) == NULL) {
		cli_dkim_error("resolver: %s", sbuf_cstr(err));
		status = CLI_EXIT_TEMPFAIL;
	}
	sbuf_free(&err);
	return status;
}

int cli_dkim_timeout(const char *s, unsigned int *timeout_r)
{
	if (numparse_uint(s, 3600, timeout_r) < 0 || *timeout_r == 0) {
		cli_dkim_error("bad timeout '%s' (1 to 3600 seconds)", s);
		return -1;
	}
	return 0;
}
