/*
 * cli_dkim.h - "postwarden dkim": what its subcommands (keygen, sign,
 * verify, check; one file each) share: names, key files and the
 * resolver. The message read from standard input: cli_dkim_msg.h.
 *
 * Functions that can fail print one message on stderr ("postwarden
 * dkim: ...") and return an enum cli_exit status, 0 for success, unless
 * said otherwise. Command-line arguments, key files, messages and DNS
 * answers are untrusted: each has a hard limit below. Single-threaded.
 */
#ifndef PW_CLI_DKIM_H
#define PW_CLI_DKIM_H

#include <stdbool.h>
#include <stddef.h>

#include "attrs.h"
#include "dkim_types.h"

struct sbuf;
struct dns_sync;
struct dkim_crypto_key;

#define CLI_DKIM_MAX_KEYFILE (64u << 10) /* bytes of a private key file */
#define CLI_DKIM_MAX_SELECTOR 63	 /* our limit, for one label */
#define CLI_DKIM_TIMEOUT 10		 /* default seconds per DNS query */

/* the subcommands, argv[0] = "keygen" etc. */
int cli_dkim_keygen_main(int argc, char **argv);
int cli_dkim_sign_main(int argc, char **argv);
int cli_dkim_verify_main(int argc, char **argv);
int cli_dkim_check_main(int argc, char **argv);

/* cli_dkim_error - print "postwarden dkim: message" on stderr */
void cli_dkim_error(const char *fmt, ...) ATTR_PRINTF(1, 2);

/*
 * cli_dkim_names - check -d DOMAIN and -s SELECTOR (RFC 6376 3.1: dot
 * separated letter-digit-hyphen labels) and put the lower-case domain
 * into domain_r; the key record name "SELECTOR._domainkey.DOMAIN"
 * must fit in a DNS name. CLI_EXIT_USAGE when one is missing,
 * CLI_EXIT_DATAERR when one is bad.
 */
int cli_dkim_names(const char *domain, const char *selector,
		   struct sbuf *domain_r);

/*
 * cli_dkim_canon - parse -c "header[/body]" (simple or relaxed each; a
 * header part alone means body simple, RFC 6376 3.5 c=); -1 if bad
 */
int cli_dkim_canon(const char *s, enum dkim_canon_alg *h_r,
		   enum dkim_canon_alg *b_r);

/* cli_dkim_load_key - the private key in path (PEM or an Ed25519 seed
 * in base64); *key_r: dkim_crypto_key_free */
int cli_dkim_load_key(const char *path, struct dkim_crypto_key **key_r);

/*
 * cli_dkim_resolver - a blocking resolver (dns_sync) sending to server
 * ("addr[@port]" list; NULL: /etc/resolv.conf) with timeout_s seconds
 * per query; *s_r: dns_sync_free. CLI_EXIT_TEMPFAIL if it cannot start.
 */
int cli_dkim_resolver(const char *server, unsigned int timeout_s,
		      struct dns_sync **s_r);

/* cli_dkim_timeout - parse --timeout (1..3600 seconds); -1 if bad */
int cli_dkim_timeout(const char *s, unsigned int *timeout_r);

#endif
