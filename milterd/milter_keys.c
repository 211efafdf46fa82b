/*
 * milter_keys.c - signing keys from OpenDKIM tables (milter_keys.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dkim_crypto.h"
#include "milter_keys.h"
#include "milter_keytable.h"
#include "milter_sqlkeys.h"
#include "readfile.h"
#include "sbuf.h"
#include "xalloc.h"

struct milter_keys {
	struct milter_keytable *kt;    /* NULL: no tables */
	struct milter_signtable *st;
	struct dkim_crypto_key **keys; /* one per KeyTable entry */
	struct milter_sqlkeys *sql;    /* NULL: no SQL keys */
};

struct milter_keys *milter_keys_new(void)
{
	return xcalloc(1, sizeof(struct milter_keys));
}

void milter_keys_set_sql(struct milter_keys *k, struct milter_sqlkeys **skp)
{
	milter_sqlkeys_free(&k->sql);
	k->sql = *skp;
	*skp = NULL;
}

void milter_keys_free(struct milter_keys **kp)
{
	struct milter_keys *k = *kp;

	if (k == NULL)
		return;
	if (k->kt != NULL)
		for (size_t i = 0; i < milter_keytable_count(k->kt); i++)
			dkim_crypto_key_free(&k->keys[i]);
	free(k->keys);
	milter_keytable_free(&k->kt);
	milter_signtable_free(&k->st);
	milter_sqlkeys_free(&k->sql);
	free(k);
	*kp = NULL;
}

size_t milter_keys_count(const struct milter_keys *k)
{
	return (k->kt != NULL ? milter_keytable_count(k->kt) : 0) +
	       (k->sql != NULL ? milter_sqlkeys_count(k->sql) : 0);
}

/* milter_keys_one - load the key of KeyTable entry e */
static int milter_keys_one(const struct milter_keytable_key *e,
			   struct dkim_crypto_key **key_r, struct sbuf *err)
{
	struct sbuf *data = sbuf_new_max(4096, MILTER_KEYS_MAX_KEY);
	struct sbuf *why = sbuf_new(64);
	int rc = -1;

	if (e->is_path) {
		if (readfile(e->key, data, NULL, why) < 0) {
			sbuf_printf(err, "line %u: key \"%s\": %s", e->line,
				    e->name, sbuf_cstr(why));
			goto out;
		}
	} else if (sbuf_append_str(data, e->key) < 0) {
		sbuf_printf(err, "line %u: key \"%s\": too long", e->line,
			    e->name);
		goto out;
	}
	if (dkim_crypto_key_private(sbuf_cstr(data), sbuf_len(data), key_r,
				    why) < 0) {
		sbuf_printf(err, "line %u: key \"%s\"%s%s: %s", e->line,
			    e->name, e->is_path ? " in " : "",
			    e->is_path ? e->key : "", sbuf_cstr(why));
		goto out;
	}
	rc = 0;
out:
	sbuf_free_secret(&data);
	sbuf_free(&why);
	return rc;
}

int milter_keys_parse(const char *kt_text, size_t kt_len,
		      const char *st_text, size_t st_len, bool refile,
		      struct milter_keys **k_r, struct sbuf *err)
{
	struct milter_keys *k = xcalloc(1, sizeof(*k));
	size_t n;

	if (milter_keytable_parse(kt_text, kt_len, &k->kt, err) < 0) {
		sbuf_append_str(err, " (KeyTable)");
		goto fail;
	}
	if (milter_signtable_parse(st_text, st_len, refile, &k->st, err) < 0) {
		sbuf_append_str(err, " (SigningTable)");
		goto fail;
	}
	n = milter_keytable_count(k->kt);
	k->keys = xcalloc(n + 1, sizeof(*k->keys));
	for (size_t i = 0; i < n; i++)
		if (milter_keys_one(milter_keytable_at(k->kt, i), &k->keys[i],
				    err) < 0) {
			sbuf_append_str(err, " (KeyTable)");
			goto fail;
		}
	for (size_t i = 0; i < milter_signtable_count(k->st); i++) {
		const struct milter_signtable_entry *e =
		    milter_signtable_at(k->st, i);

		if (strcmp(e->keyname, "%") != 0 &&
		    milter_keytable_find(k->kt, e->keyname) < 0) {
			sbuf_printf(err,
				    "line %u: key \"%s\" is not in the "
				    "KeyTable (SigningTable)",
				    e->line, e->keyname);
			goto fail;
		}
	}
	*k_r = k;
	return 0;
fail:
	milter_keys_free(&k);
	return -1;
}

int milter_keys_load(const char *key_table, const char *signing_table,
		     bool refile, struct milter_keys **k_r, struct sbuf *err)
{
	struct sbuf *kt = sbuf_new_max(4096, MILTER_KEYS_MAX_TABLE);
	struct sbuf *st = sbuf_new_max(4096, MILTER_KEYS_MAX_TABLE);
	struct sbuf *why = sbuf_new(64);
	int rc = -1;

	if (readfile(key_table, kt, NULL, err) < 0 ||
	    readfile(signing_table, st, NULL, err) < 0)
		goto out;
	if (milter_keys_parse(sbuf_cstr(kt), sbuf_len(kt), sbuf_cstr(st),
			      sbuf_len(st), refile, k_r, why) < 0) {
		sbuf_printf(err, "%s", sbuf_cstr(why));
		goto out;
	}
	rc = 0;
out:
	sbuf_free_secret(&kt); /* an inline key is a secret */
	sbuf_free(&st);
	sbuf_free(&why);
	return rc;
}

/* subst - s with each "%" replaced by domain (caller frees) */
static char *subst(const char *s, const char *domain)
{
	struct sbuf *b = sbuf_new(strlen(s) + strlen(domain));
	char *r;

	for (; *s != '\0'; s++) {
		if (*s == '%')
			sbuf_append_str(b, domain);
		else
			sbuf_putc(b, *s);
	}
	r = sbuf_steal(b);
	sbuf_free(&b);
	return r;
}

/* auid_fits - is the domain of i= d= or below it (RFC 6376 3.5)? */
static bool auid_fits(const char *auid, const char *d)
{
	const char *at = strrchr(auid, '@');
	size_t al, dl = strlen(d);

	if (at == NULL)
		return false;
	at++;
	al = strlen(at);
	if (al == dl)
		return strcasecmp(at, d) == 0;
	return al > dl && at[al - dl - 1] == '.' &&
	       strcasecmp(at + al - dl, d) == 0;
}

/* milter_keys_select_sql - the SQL keys of domain, in signing order */
static int milter_keys_select_sql(const struct milter_sqlkeys *sk,
				  const char *domain,
				  struct milter_sigspec *specs, size_t max,
				  size_t *n_r)
{
	size_t first, n = milter_sqlkeys_find(sk, domain, &first);

	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++) {
		const struct milter_sqlkeys_key *e =
		    milter_sqlkeys_at(sk, first + i);
		struct milter_sigspec *sp = &specs[i];

		memset(sp, 0, sizeof(*sp));
		sp->domain = xstrdup(e->domain);
		sp->selector = xstrdup(e->selector);
		sp->key = e->key;
		sp->keyname = e->name;
		sp->alg = e->type == DKIM_KEY_ED25519 ? DKIM_ALG_ED25519_SHA256
						      : DKIM_ALG_RSA_SHA256;
	}
	*n_r = n;
	return 0;
}

int milter_keys_select(const struct milter_keys *k, const char *addr,
		       size_t domain_off, bool multiple,
		       struct milter_sigspec *specs, size_t max, size_t *n_r,
		       struct sbuf *err)
{
	size_t idx[MILTER_KEYTABLE_MAX_MATCHES];
	const char *domain = addr + domain_off;
	size_t nm, n = 0;

	if (max > MILTER_KEYTABLE_MAX_MATCHES)
		max = MILTER_KEYTABLE_MAX_MATCHES;
	nm = k->st != NULL
		 ? milter_signtable_lookup(k->st, addr, multiple, idx, max)
		 : 0;
	if (nm == 0 && k->sql != NULL)
		return milter_keys_select_sql(k->sql, domain, specs, max, n_r);
	for (size_t i = 0; i < nm; i++) {
		const struct milter_signtable_entry *e =
		    milter_signtable_at(k->st, idx[i]);
		const struct milter_keytable_key *key;
		struct milter_sigspec *sp;
		long ki;

		ki = milter_keytable_find(
		    k->kt, strcmp(e->keyname, "%") == 0 ? domain : e->keyname);
		if (ki < 0) {
			sbuf_printf(err, "%sno key named \"%s\"",
				    sbuf_is_empty(err) ? "" : "; ", domain);
			continue;
		}
		key = milter_keytable_at(k->kt, (size_t)ki);
		sp = &specs[n++];
		memset(sp, 0, sizeof(*sp));
		sp->domain = strcmp(key->domain, "%") == 0
				 ? xstrdup(domain)
				 : xstrdup(key->domain);
		sp->selector = xstrdup(key->selector);
		sp->key = k->keys[ki];
		sp->keyname = key->name;
		sp->alg = dkim_crypto_key_type(sp->key) == DKIM_KEY_ED25519
			      ? DKIM_ALG_ED25519_SHA256
			      : DKIM_ALG_RSA_SHA256;
		if (e->signer != NULL) {
			sp->auid = subst(e->signer, domain);
			/* opendkim.conf(5): left out when it conflicts */
			if (!auid_fits(sp->auid, sp->domain)) {
				free(sp->auid);
				sp->auid = NULL;
			}
		}
	}
	*n_r = n;
	return nm > 0 && n == 0 ? -1 : 0;
}

void milter_keys_release(struct milter_sigspec *specs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(specs[i].domain);
		free(specs[i].selector);
		free(specs[i].auid);
		memset(&specs[i], 0, sizeof(specs[i]));
	}
}
