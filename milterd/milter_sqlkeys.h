/*
 * milter_sqlkeys.h - signing keys from the dkim_key table of our own
 * database (sqlschema.c; "postwarden dkim keygen --sql" writes the
 * rows), read once at start-up: every active row is loaded and checked
 * then, and the database is closed again, so a database outage never
 * touches mail in flight and a bad row is a start-up error, never
 * unsigned mail later.
 *
 * A row (domain, selector, algorithm, private_key, public_key) is
 * checked by milter_sqlkeys_add: domain and selector are DNS names as
 * d= and s= take them (RFC 6376 3.5) and SELECTOR._domainkey.DOMAIN
 * fits in 253 bytes; the private key parses (PEM, at most
 * MILTER_KEYS_MAX_KEY bytes); its type is the algorithm column ("rsa"
 * or "ed25519"); and it is the private half of public_key (the base64
 * of the record's p=): a test string it signs must verify with
 * public_key, which catches the usual rotation mistake of a key
 * replaced in one column only. A selector names one key record, so one
 * selector of a domain with two keys is refused, and so is a domain with
 * more than MILTER_SQLKEYS_MAX_PER_DOMAIN keys.
 *
 * Rows are untrusted (admin data, still bounded): at most
 * MILTER_SQLKEYS_MAX_ROWS, each column bounded in the query. Loaded keys
 * are read-only and shared by every libmilter thread.
 */
#ifndef PW_MILTER_SQLKEYS_H
#define PW_MILTER_SQLKEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "dkim_types.h"

struct sbuf;
struct sqldb;
struct sqldb_params;
struct dkim_crypto_key;
struct milter_sqlkeys;

#define MILTER_SQLKEYS_MAX_ROWS 10000	/* active keys in the table */
#define MILTER_SQLKEYS_MAX_PER_DOMAIN 8 /* signatures one domain gets */
#define MILTER_SQLKEYS_MAX_PUBLIC 4096	/* bytes of public_key */
#define MILTER_SQLKEYS_MAX_NAME 253	/* bytes of a DNS name */

/* one key: signs mail whose From: domain is domain */
struct milter_sqlkeys_key {
	char *domain; /* lower case */
	char *selector;
	char *name; /* "domain/selector", for logs */
	enum dkim_keytype type;
	struct dkim_crypto_key *key;
};

/* milter_sqlkeys_new - an empty set (caller frees) */
struct milter_sqlkeys *milter_sqlkeys_new(void);
void milter_sqlkeys_free(struct milter_sqlkeys **skp); /* NULL-safe */

/*
 * milter_sqlkeys_add - check one row (strings borrowed, untrusted; a
 * NULL private_key or public_key means "longer than the limit") and add
 * its key. -1 with "domain D selector S (algorithm): reason" in err.
 */
int milter_sqlkeys_add(struct milter_sqlkeys *sk, const char *domain,
		       const char *selector, const char *algorithm,
		       const char *private_key, const char *public_key,
		       struct sbuf *err);
/*
 * milter_sqlkeys_finish - after the last row: sort the keys by domain,
 * RSA first, then by selector; -1 with a reason in err for a selector
 * used twice in a domain, or a domain with too many keys
 */
int milter_sqlkeys_finish(struct milter_sqlkeys *sk, struct sbuf *err);

/*
 * milter_sqlkeys_read - every active row of dkim_key on db (borrowed)
 * through milter_sqlkeys_add, then milter_sqlkeys_finish; *sk_r is new
 * (caller frees). -1 with a reason in err.
 */
int milter_sqlkeys_read(struct sqldb *db, struct milter_sqlkeys **sk_r,
			struct sbuf *err);
/*
 * milter_sqlkeys_load - connect with p (borrowed), check the schema
 * version, milter_sqlkeys_read, close. -1 with a reason in err: an
 * outage is an error here too.
 */
int milter_sqlkeys_load(const struct sqldb_params *p,
			struct milter_sqlkeys **sk_r, struct sbuf *err);

size_t milter_sqlkeys_count(const struct milter_sqlkeys *sk);
/* milter_sqlkeys_at - key i (borrowed while sk lives) */
const struct milter_sqlkeys_key *
milter_sqlkeys_at(const struct milter_sqlkeys *sk, size_t i);
/*
 * milter_sqlkeys_find - the keys of domain (borrowed, untrusted; exact,
 * ignoring ASCII case, no subdomains): their first index in *first_r;
 * returns how many (0: none), in signing order
 */
size_t milter_sqlkeys_find(const struct milter_sqlkeys *sk, const char *domain,
			   size_t *first_r);

#endif
