/*
 * milter_keytable.h - OpenDKIM's KeyTable and SigningTable files, read
 * unchanged (opendkim.conf(5)).
 *
 * KeyTable lines:	keyname  domain:selector:key
 * where key is a file path (starting with "/", "./" or "../") or the
 * key itself inline, and a domain of "%" means the From: domain.
 * SigningTable lines:	pattern  keyname  [signer]
 * where a keyname of "%" means the From: domain and "%" in signer is
 * replaced by it. Blank lines and lines starting with "#" are skipped.
 *
 * Lookup of a From: address (milter_signtable_lookup):
 *   plain file	exact keys in OpenDKIM's order: user@host, host,
 *		user@.domain for each parent domain, .domain likewise,
 *		user@*, *; ignoring case
 *   refile	the patterns in file order, "*" matching any run of
 *		characters, ignoring case
 * The first match wins, together with every later line with the same
 * pattern: listing a pattern twice signs twice (an RSA and an Ed25519
 * key, dual signing). With multiple set (OpenDKIM's MultipleSignatures)
 * every matching line applies, in lookup order.
 *
 * Files are local but parsed with limits; the address looked up comes
 * from a message header and is untrusted. Parsers are pure. Parsed
 * tables are read-only and may be shared between threads.
 */
#ifndef PW_MILTER_KEYTABLE_H
#define PW_MILTER_KEYTABLE_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf;

#define MILTER_KEYTABLE_MAX_LINES 100000 /* entries per table */
#define MILTER_KEYTABLE_MAX_LINE 8192	 /* bytes per line */
#define MILTER_KEYTABLE_MAX_MATCHES 16	 /* signatures per message */

struct milter_keytable_key {
	char *name;
	char *domain;	/* "%": the From: domain */
	char *selector;
	char *key;	/* a path, or the key inline */
	bool is_path;
	unsigned int line;
};

struct milter_signtable_entry {
	char *pattern;
	char *keyname; /* "%": the From: domain */
	char *signer;  /* NULL when absent */
	unsigned int line;
};

struct milter_keytable;
struct milter_signtable;

/*
 * milter_keytable_parse - the n bytes at text (borrowed); *kt_r is new
 * (caller frees with milter_keytable_free). -1 with "line N: reason"
 * in err.
 */
int milter_keytable_parse(const char *text, size_t n,
			  struct milter_keytable **kt_r, struct sbuf *err);
void milter_keytable_free(struct milter_keytable **kp); /* NULL-safe */
size_t milter_keytable_count(const struct milter_keytable *kt);
/* milter_keytable_at - entry i (borrowed while kt lives) */
const struct milter_keytable_key *
milter_keytable_at(const struct milter_keytable *kt, size_t i);
/* milter_keytable_find - the entry named name (exact), or -1 */
long milter_keytable_find(const struct milter_keytable *kt, const char *name);

/*
 * milter_signtable_parse - as milter_keytable_parse; refile: the keys
 * are wildcard patterns
 */
int milter_signtable_parse(const char *text, size_t n, bool refile,
			   struct milter_signtable **st_r, struct sbuf *err);
void milter_signtable_free(struct milter_signtable **sp); /* NULL-safe */
size_t milter_signtable_count(const struct milter_signtable *st);
const struct milter_signtable_entry *
milter_signtable_at(const struct milter_signtable *st, size_t i);

/*
 * milter_signtable_lookup - the entries for addr ("user@host",
 * borrowed, untrusted): their indexes go to idx_r (room for max), in
 * order; returns how many (0: do not sign)
 */
size_t milter_signtable_lookup(const struct milter_signtable *st,
			       const char *addr, bool multiple, size_t *idx_r,
			       size_t max);

/*
 * milter_keytable_glob - does pattern ("*" = any run) match s, ignoring
 * ASCII case? Linear in practice: no exponential backtracking.
 */
bool milter_keytable_glob(const char *pattern, const char *s);

#endif
