/*
 * cli_dkim_check.c - "postwarden dkim check": is the key record in DNS
 * the public half of a private key? The usual rotation mistake is to
 * sign with a new key before its record is published.
 *
 *   postwarden dkim check -d DOMAIN -s SELECTOR -k KEYFILE
 *                         [--server ADDR[@PORT]] [--timeout SECONDS]
 *
 * The record (RFC 6376 3.6.1) is parsed as a verifier parses it, and
 * the private key signs a test string that the record's p= must verify:
 * that compares the keys whatever form p= takes (SubjectPublicKeyInfo
 * or a bare RSAPublicKey). One line on stdout says "match" or
 * "mismatch" and why; notes about the record (t=y, several TXT
 * records) go to stderr.
 *
 * Exit: 0 match; 1 mismatch, no record, or a record a verifier cannot
 * use; 75 the lookup failed (try again later); 64 bad command line;
 * 65 bad domain, selector or key; 66 key file unreadable.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_dkim.h"
#include "dkim_crypto.h"
#include "dkim_keyrec.h"
#include "dns.h"
#include "dns_sync.h"
#include "log.h"
#include "sbuf.h"

/* signed and verified; any bytes would do */
static const char cli_dkim_check_data[] = "postwarden dkim check\r\n";

/* cli_dkim_check_usage - the synopsis */
static int cli_dkim_check_usage(FILE *fp, int status)
{
	fprintf(fp, "usage: postwarden dkim check -d DOMAIN -s SELECTOR "
		    "-k KEYFILE [--server ADDR[@PORT]]\n"
		    "                             [--timeout SECONDS]\n");
	return status;
}

/*
 * cli_dkim_check_record - compare the record txt (n bytes, untrusted)
 * with key; prints the verdict line for name and returns the status
 */
static int cli_dkim_check_record(const char *name, const char *txt, size_t n,
				 const struct dkim_crypto_key *key)
{
	enum dkim_keytype type = dkim_crypto_key_type(key);
	enum dkim_alg alg = type == DKIM_KEY_ED25519 ? DKIM_ALG_ED25519_SHA256
						     : DKIM_ALG_RSA_SHA256;
	struct sbuf *err = sbuf_new(64), *sig = sbuf_new(512);
	struct dkim_crypto_key *pub = NULL;
	struct dkim_keyrec *rec = NULL;
	int status = CLI_EXIT_MISMATCH;

	if (dkim_keyrec_parse(txt, n, &rec, err) < 0) {
		struct sbuf *q = sbuf_new(64);

		printf("mismatch: %s: the record is not usable: %s\n", name,
		       log_quote(q, sbuf_data(err), sbuf_len(err)));
		sbuf_free(&q);
		goto out;
	}
	if (rec->revoked) {
		printf("mismatch: %s: the key is revoked (empty p=)\n", name);
		goto out;
	}
	if (rec->k != type) {
		printf("mismatch: %s: the record has k=%s, the key is %s\n",
		       name, rec->k == DKIM_KEY_ED25519 ? "ed25519" : "rsa",
		       type == DKIM_KEY_ED25519 ? "Ed25519" : "RSA");
		goto out;
	}
	if (!dkim_keyrec_allows_hash(rec, DKIM_HASH_SHA256)) {
		printf("mismatch: %s: h= does not allow sha256\n", name);
		goto out;
	}
	if (dkim_crypto_key_public(rec->k, sbuf_data(rec->p), sbuf_len(rec->p),
				   &pub, err) < 0) {
		printf("mismatch: %s: %s\n", name, sbuf_cstr(err));
		goto out;
	}
	if (dkim_crypto_sign(key, alg, cli_dkim_check_data,
			     sizeof(cli_dkim_check_data) - 1, sig, err) < 0) {
		cli_dkim_error("cannot sign with the key: %s", sbuf_cstr(err));
		status = CLI_EXIT_SOFTWARE;
		goto out;
	}
	if (!dkim_crypto_verify(pub, alg, cli_dkim_check_data,
				sizeof(cli_dkim_check_data) - 1, sbuf_data(sig),
				sbuf_len(sig))) {
		printf("mismatch: %s: p= is another key\n", name);
		goto out;
	}
	if (rec->testing)
		cli_dkim_error("note: %s has t=y (testing): verifiers may "
			       "treat signed mail as unsigned",
			       name);
	printf("match: %s publishes this key (%s, %u bits)\n", name,
	       type == DKIM_KEY_ED25519 ? "Ed25519" : "RSA",
	       dkim_crypto_key_bits(key));
	status = CLI_EXIT_OK;
out:
	dkim_crypto_key_free(&pub);
	dkim_keyrec_free(&rec);
	sbuf_free(&err);
	sbuf_free(&sig);
	return status;
}

/* cli_dkim_check_lookup - look the record up and compare */
static int cli_dkim_check_lookup(struct dns_sync *dns, const char *name,
				 const struct dkim_crypto_key *key)
{
	struct dns_answer *a = dns_sync_resolve(dns, name, DNS_T_TXT);
	int status = CLI_EXIT_MISMATCH;

	if (a->status == DNS_TEMPFAIL) {
		cli_dkim_error("%s: the lookup failed (timeout, SERVFAIL or "
			       "a bad answer): try again later",
			       name);
		status = CLI_EXIT_TEMPFAIL;
	} else if (a->status == DNS_NXDOMAIN || a->n == 0) {
		printf("mismatch: %s: no record (%s): publish it before "
		       "signing with the key\n",
		       name,
		       a->status == DNS_NXDOMAIN ? "no such name"
						 : "no TXT record");
	} else {
		/* RFC 6376 3.6.2.2: verifiers may use any one of them */
		if (a->n > 1)
			cli_dkim_error("note: %s has %zu TXT records; the "
				       "first one is checked",
				       name, a->n);
		status = cli_dkim_check_record(
		    name, (const char *)a->rr[0].data, a->rr[0].len, key);
	}
	dns_answer_free(&a);
	return status;
}

int cli_dkim_check_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"domain", required_argument, NULL, 'd'},
	    {"selector", required_argument, NULL, 's'},
	    {"key", required_argument, NULL, 'k'},
	    {"server", required_argument, NULL, 'S'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *domain = NULL, *selector = NULL, *keyfile = NULL;
	const char *server = NULL;
	unsigned int timeout = CLI_DKIM_TIMEOUT;
	struct sbuf *dom = sbuf_new(64), *name = sbuf_new(128);
	struct dkim_crypto_key *key = NULL;
	struct dns_sync *dns = NULL;
	int ch, status;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:s:k:h", opts, NULL)) != -1) {
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
			status = cli_dkim_check_usage(stdout, CLI_EXIT_OK);
			goto out;
		default:
			status = cli_dkim_check_usage(stderr, CLI_EXIT_USAGE);
			goto out;
		}
	}
	if (optind != argc || keyfile == NULL) {
		status = cli_dkim_check_usage(stderr, CLI_EXIT_USAGE);
		goto out;
	}
	if ((status = cli_dkim_names(domain, selector, dom)) != CLI_EXIT_OK ||
	    (status = cli_dkim_load_key(keyfile, &key)) != CLI_EXIT_OK ||
	    (status = cli_dkim_resolver(server, timeout, &dns)) != CLI_EXIT_OK)
		goto out;
	sbuf_printf(name, "%s._domainkey.%s", selector, sbuf_cstr(dom));
	status = cli_dkim_check_lookup(dns, sbuf_cstr(name), key);
out:
	dkim_crypto_key_free(&key);
	dns_sync_free(&dns);
	sbuf_free(&dom);
	sbuf_free(&name);
	return status;
}
