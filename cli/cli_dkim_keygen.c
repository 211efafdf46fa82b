/*
 * cli_dkim_keygen.c - "postwarden dkim keygen": a new DKIM key pair, the
 * private key into a file or the database, the key record on stdout.
 *
 *   postwarden dkim keygen -d DOMAIN -s SELECTOR
 *                          [--algorithm rsa|ed25519|both] [--bits N]
 *                          [-o DIR | --sql [-c FILE]]
 *
 * --algorithm rsa (the default, RFC 8301: every verifier knows it) or
 * ed25519 (RFC 8463) makes one key for SELECTOR; both makes two, one
 * per selector, since a selector names one record: SELECTOR-rsa and
 * SELECTOR-ed25519. --bits is the RSA size, 1024 to 8192, default 2048
 * (below 2048 a warning: RFC 8301 3.2 asks signers for 2048).
 *
 * Each private key is PKCS#8 PEM. Without --sql it goes to
 * DIR/SELECTOR.private (DIR: -o, default the current directory), mode
 * 0600, never over an existing file (as opendkim-genkey names them).
 * With --sql it goes into the dkim_key table of the database of the
 * config file (cli_admin.h: -c FILE, $POSTWARDEN_CONF or the default),
 * public_key holding the base64 of p=; all rows in one transaction.
 *
 * stdout gets only the key records, in zone-file form, to paste or
 * append to the zone of DOMAIN:
 *   SELECTOR._domainkey.DOMAIN. IN TXT ( "v=DKIM1; k=rsa; p=..."
 *           "..." )
 * each character-string at most 255 bytes (RFC 1035 3.3), the name
 * absolute so that it means the same under any $ORIGIN.
 *
 * Exit: 0 done; 64 bad command line; 65 bad domain or selector, a key
 * already in the database; 70 key generation failed; 73 a key file
 * exists or cannot be created; 74 a write failed; 75/78 database or
 * config trouble (cli_admin.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "base64.h"
#include "cli.h"
#include "cli_admin.h"
#include "cli_dkim.h"
#include "dkim_crypto.h"
#include "numparse.h"
#include "sbuf.h"
#include "sqldb.h"

#define CLI_DKIM_KEYGEN_BITS 2048  /* RFC 8301 3.2: signers use 2048+ */
#define CLI_DKIM_KEYGEN_WEAK 2048  /* below: a warning */
#define CLI_DKIM_KEYGEN_MAX 2	   /* keys per run (both) */
#define CLI_DKIM_KEYGEN_STRING 255 /* bytes per character-string */

/* one key being made */
struct cli_dkim_keygen_key {
	enum dkim_keytype type;
	struct sbuf *selector; /* as in the record name */
	struct sbuf *path;     /* the file, without --sql */
	struct sbuf *pem;      /* the private key: a secret */
	struct sbuf *p;	       /* base64 of p= */
	int fd;		       /* open on path, -1 if none */
	bool created;	       /* path was created by us */
};

/* cli_dkim_keygen_usage - the synopsis */
static int cli_dkim_keygen_usage(FILE *fp, int status)
{
	fprintf(fp, "usage: postwarden dkim keygen -d DOMAIN -s SELECTOR "
		    "[--algorithm rsa|ed25519|both]\n"
		    "                              [--bits N] "
		    "[-o DIR | --sql [-c FILE]]\n");
	return status;
}

/* cli_dkim_keygen_alg - "rsa", "ed25519" or "both": 1 or 2 keys */
static int cli_dkim_keygen_alg(const char *alg, const char *selector,
			       struct cli_dkim_keygen_key *keys, size_t *n_r)
{
	bool both = strcmp(alg, "both") == 0;

	*n_r = 0;
	if (both || strcmp(alg, "rsa") == 0) {
		keys[*n_r].type = DKIM_KEY_RSA;
		sbuf_printf(keys[(*n_r)++].selector, "%s%s", selector,
			    both ? "-rsa" : "");
	}
	if (both || strcmp(alg, "ed25519") == 0) {
		keys[*n_r].type = DKIM_KEY_ED25519;
		sbuf_printf(keys[(*n_r)++].selector, "%s%s", selector,
			    both ? "-ed25519" : "");
	}
	return *n_r > 0 ? 0 : -1;
}

/* cli_dkim_keygen_create - create every key file first, none replaced */
static int cli_dkim_keygen_create(const char *dir,
				  struct cli_dkim_keygen_key *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct cli_dkim_keygen_key *k = &keys[i];

		sbuf_printf(k->path, "%s/%s.private", dir,
			    sbuf_cstr(k->selector));
		k->fd = open(
		    sbuf_cstr(k->path),
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (k->fd < 0) {
			cli_dkim_error(
			    "%s: %s%s", sbuf_cstr(k->path), strerror(errno),
			    errno == EEXIST ? " (not replaced)" : "");
			return EX_CANTCREAT;
		}
		k->created = true;
		/* exactly 0600, whatever the umask took away */
		if (fchmod(k->fd, 0600) < 0) {
			cli_dkim_error("%s: chmod: %s", sbuf_cstr(k->path),
				       strerror(errno));
			return EX_CANTCREAT;
		}
	}
	return CLI_EXIT_OK;
}

/* cli_dkim_keygen_write - the PEM into the open file */
static int cli_dkim_keygen_write(struct cli_dkim_keygen_key *k)
{
	const unsigned char *p = sbuf_data(k->pem);
	size_t left = sbuf_len(k->pem);

	while (left > 0) {
		ssize_t w = write(k->fd, p, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		p += w;
		left -= (size_t)w;
	}
	if (fsync(k->fd) < 0)
		goto fail;
	if (close(k->fd) < 0) {
		k->fd = -1;
		goto fail;
	}
	k->fd = -1;
	return CLI_EXIT_OK;
fail:
	cli_dkim_error("%s: write: %s", sbuf_cstr(k->path), strerror(errno));
	return EX_IOERR;
}

/* cli_dkim_keygen_sql - one row per key, in one transaction */
static int cli_dkim_keygen_sql(const char *conf, const char *domain,
			       struct cli_dkim_keygen_key *keys, size_t n)
{
	char now[SQLDB_TIMESTAMP_SIZE];
	struct sqldb *db = NULL;
	struct sbuf *err = sbuf_new(64);
	enum sqldb_result r;
	const char *args[7];
	int status;

	if ((status = cli_admin_open(conf, false, true, &db)) != CLI_EXIT_OK)
		goto out;
	if ((r = sqldb_begin(db, err)) != SQLDB_OK)
		goto db_error;
	sqldb_timestamp(now);
	for (size_t i = 0; i < n; i++) {
		args[0] = domain;
		args[1] = sbuf_cstr(keys[i].selector);
		args[2] = keys[i].type == DKIM_KEY_ED25519 ? "ed25519" : "rsa";
		args[3] = sbuf_cstr(keys[i].pem);
		args[4] = sbuf_cstr(keys[i].p);
		args[5] = now;
		args[6] = now;
		r = sqldb_exec(db,
			       "INSERT INTO dkim_key (domain, selector,"
			       " algorithm, private_key, public_key, active,"
			       " created, modified)"
			       " VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
			       args, 7, NULL, err);
		if (r == SQLDB_CONSTRAINT) {
			cli_dkim_error("the database has a %s key for %s "
				       "selector %s already",
				       args[2], domain, args[1]);
			status = CLI_EXIT_DATAERR;
			goto out;
		}
		if (r != SQLDB_OK)
			goto db_error;
	}
	if ((r = sqldb_commit(db, err)) != SQLDB_OK)
		goto db_error;
	status = CLI_EXIT_OK;
	goto out;
db_error:
	status = cli_admin_db_error(r, "storing the key", err);
out:
	if (db != NULL && status != CLI_EXIT_OK)
		sqldb_rollback(db);
	sqldb_close(&db);
	sbuf_free(&err);
	return status;
}

/* cli_dkim_keygen_record - print the key record in zone-file form */
static void cli_dkim_keygen_record(const char *domain,
				   const struct cli_dkim_keygen_key *k)
{
	struct sbuf *txt = sbuf_new(512);
	size_t len, off;

	sbuf_printf(txt, "v=DKIM1; k=%s; p=%s",
		    k->type == DKIM_KEY_ED25519 ? "ed25519" : "rsa",
		    sbuf_cstr(k->p));
	len = sbuf_len(txt);
	/* base64 and the tags need no escaping inside quotes */
	printf("%s._domainkey.%s. IN TXT (", sbuf_cstr(k->selector), domain);
	for (off = 0; off < len; off += CLI_DKIM_KEYGEN_STRING) {
		size_t n = len - off < CLI_DKIM_KEYGEN_STRING
			       ? len - off
			       : CLI_DKIM_KEYGEN_STRING;

		printf("%s\"%.*s\"", off == 0 ? " " : "\n\t", (int)n,
		       sbuf_cstr(txt) + off);
	}
	printf(" )\n");
	sbuf_free(&txt);
}

/* cli_dkim_keygen_make - generate, store and print the keys */
static int cli_dkim_keygen_make(const char *domain, unsigned int bits,
				const char *dir, bool sql, const char *conf,
				struct cli_dkim_keygen_key *keys, size_t n)
{
	struct sbuf *der = sbuf_new(512), *err = sbuf_new(64);
	int status = CLI_EXIT_OK;

	if (!sql &&
	    (status = cli_dkim_keygen_create(dir, keys, n)) != CLI_EXIT_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		sbuf_reset(der);
		if (dkim_crypto_keygen(keys[i].type, bits, keys[i].pem, der,
				       err) < 0 ||
		    base64_encode(sbuf_data(der), sbuf_len(der), keys[i].p) <
			0) {
			cli_dkim_error("cannot make a key: %s", sbuf_cstr(err));
			status = CLI_EXIT_SOFTWARE;
			goto out;
		}
		if (!sql &&
		    (status = cli_dkim_keygen_write(&keys[i])) != CLI_EXIT_OK)
			goto out;
	}
	if (sql && (status = cli_dkim_keygen_sql(conf, domain, keys, n)) !=
		       CLI_EXIT_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		cli_dkim_keygen_record(domain, &keys[i]);
		if (keys[i].type == DKIM_KEY_RSA)
			fprintf(stderr, "postwarden dkim: %s: RSA, %u bits",
				sbuf_cstr(keys[i].selector), bits);
		else
			fprintf(stderr, "postwarden dkim: %s: Ed25519",
				sbuf_cstr(keys[i].selector));
		if (sql)
			fprintf(stderr, ", private key in the database\n");
		else
			fprintf(stderr, ", private key in %s\n",
				sbuf_cstr(keys[i].path));
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_dkim_error("cannot write the key records");
		status = EX_IOERR;
	}
out:
	sbuf_free(&der);
	sbuf_free(&err);
	return status;
}

int cli_dkim_keygen_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"domain", required_argument, NULL, 'd'},
	    {"selector", required_argument, NULL, 's'},
	    {"algorithm", required_argument, NULL, 'a'},
	    {"bits", required_argument, NULL, 'b'},
	    {"output", required_argument, NULL, 'o'},
	    {"sql", no_argument, NULL, 'Q'},
	    {"config", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *domain = NULL, *selector = NULL, *alg = "rsa";
	const char *dir = NULL, *conf = NULL;
	struct cli_dkim_keygen_key keys[CLI_DKIM_KEYGEN_MAX];
	unsigned int bits = CLI_DKIM_KEYGEN_BITS;
	struct sbuf *dom = sbuf_new(64);
	bool sql = false, have_bits = false;
	size_t n = 0;
	int ch, status;

	memset(keys, 0, sizeof(keys));
	for (size_t i = 0; i < CLI_DKIM_KEYGEN_MAX; i++) {
		keys[i].selector = sbuf_new(64);
		keys[i].path = sbuf_new(128);
		keys[i].pem = sbuf_new(4096);
		keys[i].p = sbuf_new(1024);
		keys[i].fd = -1;
	}
	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:s:a:b:o:c:h", opts, NULL)) !=
	       -1) {
		switch (ch) {
		case 'd':
			domain = optarg;
			break;
		case 's':
			selector = optarg;
			break;
		case 'a':
			alg = optarg;
			break;
		case 'b':
			if (numparse_uint(optarg, DKIM_CRYPTO_RSA_MAX_BITS,
					  &bits) < 0 ||
			    bits < DKIM_CRYPTO_RSA_MIN_BITS) {
				cli_dkim_error("bad --bits '%s' (%u to %u)",
					       optarg, DKIM_CRYPTO_RSA_MIN_BITS,
					       DKIM_CRYPTO_RSA_MAX_BITS);
				status = CLI_EXIT_USAGE;
				goto out;
			}
			have_bits = true;
			break;
		case 'o':
			dir = optarg;
			break;
		case 'Q':
			sql = true;
			break;
		case 'c':
			conf = optarg;
			break;
		case 'h':
			status = cli_dkim_keygen_usage(stdout, CLI_EXIT_OK);
			goto out;
		default:
			status = cli_dkim_keygen_usage(stderr, CLI_EXIT_USAGE);
			goto out;
		}
	}
	if (optind != argc || (sql && dir != NULL) || (!sql && conf != NULL)) {
		if (optind == argc)
			cli_dkim_error("-o goes with files, -c with --sql");
		status = cli_dkim_keygen_usage(stderr, CLI_EXIT_USAGE);
		goto out;
	}
	if ((status = cli_dkim_names(domain, selector, dom)) != CLI_EXIT_OK)
		goto out;
	if (cli_dkim_keygen_alg(alg, selector, keys, &n) < 0) {
		cli_dkim_error("bad --algorithm '%s' (rsa, ed25519, both)",
			       alg);
		status = CLI_EXIT_USAGE;
		goto out;
	}
	if (have_bits && strcmp(alg, "ed25519") == 0)
		cli_dkim_error("warning: --bits is for RSA keys: ignored");
	else if (keys[0].type == DKIM_KEY_RSA && bits < CLI_DKIM_KEYGEN_WEAK)
		cli_dkim_error("warning: %u-bit RSA keys are weak; RFC 8301 "
			       "asks signers for %u bits or more",
			       bits, CLI_DKIM_KEYGEN_WEAK);
	status = cli_dkim_keygen_make(
	    sbuf_cstr(dom), bits, dir != NULL ? dir : ".", sql, conf, keys, n);
out:
	for (size_t i = 0; i < CLI_DKIM_KEYGEN_MAX; i++) {
		if (keys[i].fd >= 0)
			(void)close(keys[i].fd);
		/* a failed run leaves no key file behind */
		if (status != CLI_EXIT_OK && keys[i].created)
			(void)unlink(sbuf_cstr(keys[i].path));
		sbuf_free(&keys[i].selector);
		sbuf_free(&keys[i].path);
		sbuf_free_secret(&keys[i].pem);
		sbuf_free(&keys[i].p);
	}
	sbuf_free(&dom);
	return status;
}
