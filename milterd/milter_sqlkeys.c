/*
 * milter_sqlkeys.c - signing keys from the dkim_key table
 * (milter_sqlkeys.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "dkim_crypto.h"
#include "dkim_sig.h"
#include "log.h"
#include "milter_keys.h"
#include "milter_sqlkeys.h"
#include "sbuf.h"
#include "sqldb.h"
#include "sqlschema.h"
#include "xalloc.h"

#define MILTER_SQLKEYS_INFIX "._domainkey."

/*
 * Every column bounded by the query itself, so that a huge value never
 * reaches memory: names cut one byte past their limit (then refused),
 * keys past their limit read as NULL (the columns are NOT NULL). Both
 * SQLite and MySQL take this SQL. LIMIT one more than allowed, to tell.
 */
static const char milter_sqlkeys_query[] =
    "SELECT substr(domain, 1, 254), substr(selector, 1, 254),"
    " substr(algorithm, 1, 16),"
    " CASE WHEN length(private_key) <= 65536 THEN private_key END,"
    " CASE WHEN length(public_key) <= 4096 THEN public_key END"
    " FROM dkim_key WHERE active = 1 LIMIT 10001";

_Static_assert(MILTER_KEYS_MAX_KEY == 65536, "the query's limit");
_Static_assert(MILTER_SQLKEYS_MAX_PUBLIC == 4096, "the query's limit");
_Static_assert(MILTER_SQLKEYS_MAX_ROWS + 1 == 10001, "the query's limit");
_Static_assert(MILTER_SQLKEYS_MAX_NAME + 1 == 254, "the query's limit");

/* signed and verified to compare the two halves; any bytes would do */
static const char milter_sqlkeys_probe[] = "postwarden-milterd key probe\r\n";

struct milter_sqlkeys {
	struct milter_sqlkeys_key *v;
	size_t n, cap;
};

struct milter_sqlkeys *milter_sqlkeys_new(void)
{
	return xcalloc(1, sizeof(struct milter_sqlkeys));
}

void milter_sqlkeys_free(struct milter_sqlkeys **skp)
{
	struct milter_sqlkeys *sk = *skp;

	if (sk == NULL)
		return;
	for (size_t i = 0; i < sk->n; i++) {
		free(sk->v[i].domain);
		free(sk->v[i].selector);
		free(sk->v[i].name);
		dkim_crypto_key_free(&sk->v[i].key);
	}
	free(sk->v);
	free(sk);
	*skp = NULL;
}

size_t milter_sqlkeys_count(const struct milter_sqlkeys *sk) { return sk->n; }

const struct milter_sqlkeys_key *
milter_sqlkeys_at(const struct milter_sqlkeys *sk, size_t i)
{
	return &sk->v[i];
}

/* lower - a lower-case copy of s (caller frees) */
static char *lower(const char *s)
{
	char *r = xstrdup(s);

	for (char *p = r; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return r;
}

/* milter_sqlkeys_names - are domain and selector usable d= and s=? */
static const char *milter_sqlkeys_names(const char *domain,
					const char *selector)
{
	size_t dl = strlen(domain), sl = strlen(selector);

	if (!dkim_sig_is_domain(domain, dl) || strchr(domain, '.') == NULL)
		return "the domain is not a domain name";
	if (!dkim_sig_is_domain(selector, sl))
		return "the selector is not a DNS name";
	if (dl + sl + sizeof(MILTER_SQLKEYS_INFIX) - 1 >
	    MILTER_SQLKEYS_MAX_NAME)
		return "selector._domainkey.domain is longer than 253 bytes";
	return NULL;
}

/*
 * milter_sqlkeys_pair - is pub (base64 of p=) the public half of key?
 * The private key signs a probe that the public key must verify: this
 * compares the keys whatever form p= takes.
 */
static int milter_sqlkeys_pair(const struct dkim_crypto_key *key,
			       const char *pub_b64, struct sbuf *err)
{
	enum dkim_keytype type = dkim_crypto_key_type(key);
	enum dkim_alg alg = type == DKIM_KEY_ED25519 ? DKIM_ALG_ED25519_SHA256
						     : DKIM_ALG_RSA_SHA256;
	struct sbuf *der = sbuf_new_max(512, MILTER_SQLKEYS_MAX_PUBLIC);
	struct sbuf *sig = sbuf_new(512), *why = sbuf_new(64);
	struct dkim_crypto_key *pub = NULL;
	int rc = -1;

	if (base64_decode(pub_b64, strlen(pub_b64), BASE64_SKIP_SPACE, der) <
	    0) {
		sbuf_append_str(err, "public_key is not base64");
		goto out;
	}
	if (dkim_crypto_key_public(type, (const unsigned char *)sbuf_data(der),
				   sbuf_len(der), &pub, why) < 0) {
		sbuf_printf(err, "public_key: %s", sbuf_cstr(why));
		goto out;
	}
	if (dkim_crypto_sign(key, alg, milter_sqlkeys_probe,
			     sizeof(milter_sqlkeys_probe) - 1, sig, why) < 0) {
		sbuf_printf(err, "private_key cannot sign: %s", sbuf_cstr(why));
		goto out;
	}
	if (!dkim_crypto_verify(pub, alg, milter_sqlkeys_probe,
				sizeof(milter_sqlkeys_probe) - 1,
				(const unsigned char *)sbuf_data(sig),
				sbuf_len(sig))) {
		sbuf_append_str(err, "public_key is not the public half of "
				     "private_key");
		goto out;
	}
	rc = 0;
out:
	dkim_crypto_key_free(&pub);
	sbuf_free(&der);
	sbuf_free(&sig);
	sbuf_free(&why);
	return rc;
}

int milter_sqlkeys_add(struct milter_sqlkeys *sk, const char *domain,
		       const char *selector, const char *algorithm,
		       const char *private_key, const char *public_key,
		       struct sbuf *err)
{
	struct sbuf *why = sbuf_new(64), *q = sbuf_new(64);
	struct dkim_crypto_key *key = NULL;
	struct milter_sqlkeys_key *e;
	enum dkim_keytype type;
	const char *bad;
	int rc = -1;

	if (sk->n == MILTER_SQLKEYS_MAX_ROWS) {
		sbuf_printf(err, "more than %u active keys",
			    MILTER_SQLKEYS_MAX_ROWS);
		goto out;
	}
	if (domain == NULL || selector == NULL || algorithm == NULL) {
		sbuf_append_str(err, "a row with a NULL domain, selector or "
				     "algorithm");
		goto out;
	}
	if ((bad = milter_sqlkeys_names(domain, selector)) != NULL) {
		sbuf_append_str(why, bad);
		goto fail;
	}
	if (strcmp(algorithm, "rsa") == 0) {
		type = DKIM_KEY_RSA;
	} else if (strcmp(algorithm, "ed25519") == 0) {
		type = DKIM_KEY_ED25519;
	} else {
		sbuf_append_str(why, "algorithm is neither rsa nor ed25519");
		goto fail;
	}
	if (private_key == NULL || public_key == NULL) {
		sbuf_printf(why, "%s is too long",
			    private_key == NULL ? "private_key" : "public_key");
		goto fail;
	}
	sbuf_append_str(why, "private_key: ");
	if (dkim_crypto_key_private(private_key, strlen(private_key), &key,
				    why) < 0)
		goto fail;
	sbuf_reset(why);
	if (dkim_crypto_key_type(key) != type) {
		sbuf_printf(why, "algorithm is %s, but private_key is %s",
			    algorithm,
			    dkim_crypto_key_type(key) == DKIM_KEY_RSA
				? "an RSA key"
				: "an Ed25519 key");
		goto fail;
	}
	if (milter_sqlkeys_pair(key, public_key, why) < 0)
		goto fail;
	if (sk->n == sk->cap) {
		sk->cap = sk->cap == 0 ? 16 : sk->cap * 2;
		sk->v = xrealloc(sk->v, sk->cap * sizeof(*sk->v));
	}
	e = &sk->v[sk->n++];
	memset(e, 0, sizeof(*e));
	e->domain = lower(domain);
	e->selector = xstrdup(selector);
	sbuf_printf(q, "%s/%s", e->domain, e->selector);
	e->name = sbuf_steal(q);
	e->type = type;
	e->key = key;
	key = NULL;
	rc = 0;
	goto out;
fail:
	sbuf_printf(err, "domain %s", log_quote(q, domain, strlen(domain)));
	sbuf_reset(q);
	sbuf_printf(err, " selector %s",
		    log_quote(q, selector, strlen(selector)));
	sbuf_reset(q);
	sbuf_printf(err, " (%s): %s",
		    log_quote(q, algorithm, strlen(algorithm)), sbuf_cstr(why));
out:
	dkim_crypto_key_free(&key);
	sbuf_free(&why);
	sbuf_free(&q);
	return rc;
}

/* milter_sqlkeys_cmp - by domain, RSA first, then by selector */
static int milter_sqlkeys_cmp(const void *a, const void *b)
{
	const struct milter_sqlkeys_key *x = a, *y = b;
	int c = strcmp(x->domain, y->domain);

	if (c != 0)
		return c;
	if (x->type != y->type)
		return x->type == DKIM_KEY_RSA ? -1 : 1;
	return strcasecmp(x->selector, y->selector);
}

int milter_sqlkeys_finish(struct milter_sqlkeys *sk, struct sbuf *err)
{
	size_t run = 0;

	if (sk->n > 1)
		qsort(sk->v, sk->n, sizeof(*sk->v), milter_sqlkeys_cmp);
	for (size_t i = 0; i < sk->n; i++) {
		const struct milter_sqlkeys_key *e = &sk->v[i];

		run = i > 0 && strcmp(e->domain, sk->v[i - 1].domain) == 0
			  ? run + 1
			  : 1;
		if (run > MILTER_SQLKEYS_MAX_PER_DOMAIN) {
			sbuf_printf(err,
				    "domain %s has more than %u active keys",
				    e->domain, MILTER_SQLKEYS_MAX_PER_DOMAIN);
			return -1;
		}
		/* rows differ in selector or algorithm (the table's
		 * UNIQUE key), but one selector is one key record */
		for (size_t j = i + 1 - run; j < i; j++)
			if (strcasecmp(sk->v[j].selector, e->selector) == 0) {
				sbuf_printf(err,
					    "domain %s selector %s has an rsa "
					    "and an ed25519 key: a selector "
					    "names one key record",
					    e->domain, e->selector);
				return -1;
			}
	}
	return 0;
}

int milter_sqlkeys_read(struct sqldb *db, struct milter_sqlkeys **sk_r,
			struct sbuf *err)
{
	struct milter_sqlkeys *sk = milter_sqlkeys_new();
	struct sqldb_rows *rows = NULL;
	size_t n;
	int rc = -1;

	if (sqldb_exec(db, milter_sqlkeys_query, NULL, 0, &rows, err) !=
	    SQLDB_OK)
		goto out;
	if (sqldb_rows_columns(rows) != 5) {
		sbuf_append_str(err, "dkim_key: unexpected result columns");
		goto out;
	}
	n = sqldb_rows_count(rows);
	if (n > MILTER_SQLKEYS_MAX_ROWS) {
		sbuf_printf(err, "dkim_key: more than %u active keys",
			    MILTER_SQLKEYS_MAX_ROWS);
		goto out;
	}
	for (size_t r = 0; r < n; r++) {
		if (milter_sqlkeys_add(sk, sqldb_rows_get(rows, r, 0),
				       sqldb_rows_get(rows, r, 1),
				       sqldb_rows_get(rows, r, 2),
				       sqldb_rows_get(rows, r, 3),
				       sqldb_rows_get(rows, r, 4), err) < 0)
			goto out;
	}
	if (milter_sqlkeys_finish(sk, err) < 0)
		goto out;
	*sk_r = sk;
	sk = NULL;
	rc = 0;
out:
	sqldb_rows_free(&rows);
	milter_sqlkeys_free(&sk);
	return rc;
}

int milter_sqlkeys_load(const struct sqldb_params *p,
			struct milter_sqlkeys **sk_r, struct sbuf *err)
{
	struct sqldb *db = NULL;
	int rc = -1;

	if (sqldb_open(p, &db, err) != SQLDB_OK ||
	    sqlschema_check(db, err) != SQLDB_OK)
		goto out;
	rc = milter_sqlkeys_read(db, sk_r, err);
out:
	sqldb_close(&db);
	return rc;
}

size_t milter_sqlkeys_find(const struct milter_sqlkeys *sk, const char *domain,
			   size_t *first_r)
{
	size_t lo = 0, hi = sk->n, n = 0;

	/* the first key whose domain is not below domain */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcasecmp(sk->v[mid].domain, domain) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first_r = lo;
	while (lo + n < sk->n && strcasecmp(sk->v[lo + n].domain, domain) == 0)
		n++;
	return n;
}
