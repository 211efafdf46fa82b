/*
 * milter_keys.h - the signing keys: KeyTable and SigningTable files
 * (milter_keytable.h) read at start-up, every private key in the
 * KeyTable loaded and checked then, so that a key that cannot be read
 * is a start-up error and never unsigned mail later. Also checks that
 * each keyname in the SigningTable (other than "%") is in the KeyTable.
 * Keys from the dkim_key table (milter_sqlkeys.h, loaded the same way)
 * may come in addition or instead: the SigningTable is consulted
 * first, and the SQL keys of the From: domain sign the mail of every
 * address it does not match.
 *
 * Runs as root before privileges are dropped (keys are root-only).
 * Loaded keys are read-only and shared by every libmilter thread; the
 * From: address given to milter_keys_select is untrusted.
 */
#ifndef PW_MILTER_KEYS_H
#define PW_MILTER_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "dkim_types.h"

struct sbuf;
struct dkim_crypto_key;
struct milter_keys;
struct milter_sqlkeys;

#define MILTER_KEYS_MAX_TABLE (4u << 20) /* bytes of a table file */
#define MILTER_KEYS_MAX_KEY (64u << 10)	 /* bytes of a key file */

/* one signature to make */
struct milter_sigspec {
	char *domain;	/* d= (caller frees via milter_keys_release) */
	char *selector; /* s= */
	char *auid;	/* i=, or NULL */
	enum dkim_alg alg;
	const struct dkim_crypto_key *key; /* borrowed from the keys */
	const char *keyname;		   /* borrowed, for logs */
};

/*
 * milter_keys_load - read both tables and every key; *k_r is new
 * (caller frees with milter_keys_free). -1 with "file: line N: reason"
 * in err.
 */
int milter_keys_load(const char *key_table, const char *signing_table,
		     bool refile, struct milter_keys **k_r, struct sbuf *err);
/* milter_keys_parse - the same from table texts and key data in files
 * (for tests: paths in the KeyTable are read) */
int milter_keys_parse(const char *kt_text, size_t kt_len,
		      const char *st_text, size_t st_len, bool refile,
		      struct milter_keys **k_r, struct sbuf *err);
/* milter_keys_new - no tables and no SQL keys yet (caller frees) */
struct milter_keys *milter_keys_new(void);
/*
 * milter_keys_set_sql - the keys of the dkim_key table, for From:
 * addresses the SigningTable does not match; takes ownership of *skp
 * (set to NULL), replacing earlier SQL keys
 */
void milter_keys_set_sql(struct milter_keys *k, struct milter_sqlkeys **skp);
void milter_keys_free(struct milter_keys **kp); /* NULL-safe */
/* milter_keys_count - KeyTable entries plus SQL keys */
size_t milter_keys_count(const struct milter_keys *k);

/*
 * milter_keys_select - the signatures for a From: address (borrowed;
 * the domain starts at domain_off, lower case): at most max specs, *n_r
 * of them (release with milter_keys_release). The SigningTable first;
 * when it matches nothing, every SQL key of the domain (exact, no
 * subdomains), RSA first, whatever multiple says. A table line whose
 * "%" keyname names no key is skipped with a note in err; returns 0, or
 * -1 (no specs) when nothing usable matched but something should have.
 */
int milter_keys_select(const struct milter_keys *k, const char *addr,
		       size_t domain_off, bool multiple,
		       struct milter_sigspec *specs, size_t max, size_t *n_r,
		       struct sbuf *err);
void milter_keys_release(struct milter_sigspec *specs, size_t n);

#endif
