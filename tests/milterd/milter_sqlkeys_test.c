/* milter_sqlkeys_test.c - signing keys from the dkim_key table */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "dkim_crypto.h"
#include "milter_keys.h"
#include "milter_sqlkeys.h"
#include "sbuf.h"
#include "sqldb.h"
#include "sqlschema.h"

/* a key pair as keygen --sql stores it: PKCS#8 PEM and base64 of p= */
struct pair {
	struct sbuf *pem;
	struct sbuf *pub;
};

static struct pair rsa1, rsa2, ed1, ed2;

/* make - a new pair of type t */
static void make(struct pair *p, enum dkim_keytype t)
{
	struct sbuf *der = sbuf_new(512), *err = sbuf_new(0);

	p->pem = sbuf_new(4096);
	p->pub = sbuf_new(1024);
	cr_assert_eq(dkim_crypto_keygen(t, 1024, p->pem, der, err), 0, "%s",
		     sbuf_cstr(err));
	cr_assert_eq(base64_encode(sbuf_data(der), sbuf_len(der), p->pub), 0);
	sbuf_free(&der);
	sbuf_free(&err);
}

static void unmake(struct pair *p)
{
	sbuf_free_secret(&p->pem);
	sbuf_free(&p->pub);
}

static void keys_setup(void)
{
	make(&rsa1, DKIM_KEY_RSA);
	make(&rsa2, DKIM_KEY_RSA);
	make(&ed1, DKIM_KEY_ED25519);
	make(&ed2, DKIM_KEY_ED25519);
}

static void keys_teardown(void)
{
	unmake(&rsa1);
	unmake(&rsa2);
	unmake(&ed1);
	unmake(&ed2);
}

TestSuite(milter_sqlkeys, .init = keys_setup, .fini = keys_teardown);

/* add - one row; the status, the reason in err */
static int add(struct milter_sqlkeys *sk, const char *d, const char *s,
	       const char *alg, const struct pair *priv, const struct pair *pub,
	       struct sbuf *err)
{
	sbuf_reset(err);
	return milter_sqlkeys_add(
	    sk, d, s, alg, priv != NULL ? sbuf_cstr(priv->pem) : NULL,
	    pub != NULL ? sbuf_cstr(pub->pub) : NULL, err);
}

Test(milter_sqlkeys, good_rows)
{
	struct milter_sqlkeys *sk = milter_sqlkeys_new();
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(add(sk, "Example.COM", "s1", "rsa", &rsa1, &rsa1, err), 0,
		     "%s", sbuf_cstr(err));
	cr_assert_eq(add(sk, "example.com", "e1", "ed25519", &ed1, &ed1, err),
		     0, "%s", sbuf_cstr(err));
	cr_assert_eq(milter_sqlkeys_finish(sk, err), 0, "%s", sbuf_cstr(err));
	cr_assert_eq(milter_sqlkeys_count(sk), 2);
	/* the domain is stored in lower case, the name is for logs */
	cr_assert_str_eq(milter_sqlkeys_at(sk, 0)->domain, "example.com");
	cr_assert_str_eq(milter_sqlkeys_at(sk, 0)->name, "example.com/s1");
	milter_sqlkeys_free(&sk);
	cr_assert_null(sk);
	sbuf_free(&err);
}

Test(milter_sqlkeys, bad_rows)
{
	static const struct {
		const char *domain, *selector, *alg;
		int priv, pub; /* 0 rsa1, 1 rsa2, 2 ed1, 3 ed2, -1 NULL */
		const char *want;
	} cases[] = {
	    /* the usual rotation mistake: a new private key, old p= */
	    {"example.com", "s1", "rsa", 0, 1, "not the public half"},
	    {"example.com", "e1", "ed25519", 2, 3, "not the public half"},
	    {"example.com", "s1", "rsa", 2, 2, "private_key is an Ed25519"},
	    {"example.com", "e1", "ed25519", 0, 0, "private_key is an RSA"},
	    {"example.com", "s1", "dsa", 0, 0, "neither rsa nor ed25519"},
	    {"example.com", "s1", "RSA", 0, 0, "neither rsa nor ed25519"},
	    {"example.com", "s1", "rsa", -1, 0, "private_key is too long"},
	    {"example.com", "s1", "rsa", 0, -1, "public_key is too long"},
	    {"localhost", "s1", "rsa", 0, 0, "not a domain name"},
	    {"exa mple.com", "s1", "rsa", 0, 0, "not a domain name"},
	    {"example.com.", "s1", "rsa", 0, 0, "not a domain name"},
	    {"", "s1", "rsa", 0, 0, "not a domain name"},
	    {"example.com", "-s1", "rsa", 0, 0, "not a DNS name"},
	    {"example.com", "s 1", "rsa", 0, 0, "not a DNS name"},
	    {"example.com", "", "rsa", 0, 0, "not a DNS name"},
	};
	const struct pair *pairs[] = {&rsa1, &rsa2, &ed1, &ed2};
	struct milter_sqlkeys *sk = milter_sqlkeys_new();
	struct sbuf *err = sbuf_new(0);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pair *priv =
		    cases[i].priv < 0 ? NULL : pairs[cases[i].priv];
		const struct pair *pub =
		    cases[i].pub < 0 ? NULL : pairs[cases[i].pub];

		cr_expect_eq(add(sk, cases[i].domain, cases[i].selector,
				 cases[i].alg, priv, pub, err),
			     -1, "case %zu accepted", i);
		cr_expect(strstr(sbuf_cstr(err), cases[i].want) != NULL,
			  "case %zu: \"%s\" lacks \"%s\"", i, sbuf_cstr(err),
			  cases[i].want);
		/* the message names the row */
		cr_expect(strstr(sbuf_cstr(err), "selector") != NULL,
			  "case %zu: %s", i, sbuf_cstr(err));
	}
	cr_assert_eq(milter_sqlkeys_count(sk), 0);
	milter_sqlkeys_free(&sk);
	sbuf_free(&err);
}

Test(milter_sqlkeys, bad_key_data)
{
	static const char *const bad[] = {
	    "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE "
	    "KEY-----\n",
	    "garbage",
	    "",
	};
	struct milter_sqlkeys *sk = milter_sqlkeys_new();
	struct sbuf *err = sbuf_new(0);
	struct sbuf *name = sbuf_new(0);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sbuf_reset(err);
		cr_expect_eq(milter_sqlkeys_add(sk, "example.com", "s1", "rsa",
						bad[i], sbuf_cstr(rsa1.pub),
						err),
			     -1);
		cr_expect(strstr(sbuf_cstr(err),
				 "domain example.com selector s1 (rsa): "
				 "private_key: ") != NULL,
			  "%s", sbuf_cstr(err));
	}
	sbuf_reset(err);
	cr_expect_eq(milter_sqlkeys_add(sk, "example.com", "s1", "rsa",
					sbuf_cstr(rsa1.pem), "p=!!", err),
		     -1);
	cr_expect(strstr(sbuf_cstr(err), "not base64") != NULL, "%s",
		  sbuf_cstr(err));
	/* a public key that is no key */
	sbuf_reset(err);
	cr_expect_eq(milter_sqlkeys_add(sk, "example.com", "s1", "rsa",
					sbuf_cstr(rsa1.pem), "AAAA", err),
		     -1);
	cr_expect(strstr(sbuf_cstr(err), "public_key: ") != NULL, "%s",
		  sbuf_cstr(err));
	/* selector._domainkey.domain over 253 bytes */
	for (size_t i = 0; i < 3; i++)
		sbuf_printf(name, "%062d.", 0);
	sbuf_append_str(name, "com"); /* 192 bytes, + 12 + 50 = 254 */
	sbuf_reset(err);
	cr_expect_eq(milter_sqlkeys_add(sk, sbuf_cstr(name),
					"ssssssssssssssssssssssssssssssssssss"
					"ssssssssssssss",
					"rsa", sbuf_cstr(rsa1.pem),
					sbuf_cstr(rsa1.pub), err),
		     -1);
	cr_expect(strstr(sbuf_cstr(err), "longer than 253") != NULL, "%s",
		  sbuf_cstr(err));
	cr_assert_eq(milter_sqlkeys_count(sk), 0);
	milter_sqlkeys_free(&sk);
	sbuf_free(&name);
	sbuf_free(&err);
}

Test(milter_sqlkeys, order_and_find)
{
	struct milter_sqlkeys *sk = milter_sqlkeys_new();
	struct sbuf *err = sbuf_new(0);
	size_t first = 99, n;

	/* added ed25519 first and out of domain order */
	cr_assert_eq(add(sk, "b.example", "e", "ed25519", &ed1, &ed1, err), 0);
	cr_assert_eq(add(sk, "c.example", "x", "rsa", &rsa2, &rsa2, err), 0);
	cr_assert_eq(add(sk, "b.example", "z", "rsa", &rsa1, &rsa1, err), 0);
	cr_assert_eq(add(sk, "a.example", "y", "ed25519", &ed2, &ed2, err), 0);
	cr_assert_eq(add(sk, "b.example", "a", "rsa", &rsa2, &rsa2, err), 0);
	cr_assert_eq(milter_sqlkeys_finish(sk, err), 0, "%s", sbuf_cstr(err));

	n = milter_sqlkeys_find(sk, "b.example", &first);
	cr_assert_eq(n, 3);
	/* RSA first, by selector, then Ed25519 */
	cr_assert_str_eq(milter_sqlkeys_at(sk, first)->selector, "a");
	cr_assert_str_eq(milter_sqlkeys_at(sk, first + 1)->selector, "z");
	cr_assert_str_eq(milter_sqlkeys_at(sk, first + 2)->selector, "e");
	cr_assert_eq(milter_sqlkeys_at(sk, first + 2)->type, DKIM_KEY_ED25519);
	/* case-insensitive, exact: no subdomains, no parents */
	cr_assert_eq(milter_sqlkeys_find(sk, "B.Example", &first), 3);
	cr_assert_eq(milter_sqlkeys_find(sk, "x.b.example", &first), 0);
	cr_assert_eq(milter_sqlkeys_find(sk, "example", &first), 0);
	cr_assert_eq(milter_sqlkeys_find(sk, "a.example", &first), 1);
	cr_assert_eq(milter_sqlkeys_find(sk, "c.example", &first), 1);
	cr_assert_eq(milter_sqlkeys_find(sk, "d.example", &first), 0);
	cr_assert_eq(milter_sqlkeys_find(sk, "", &first), 0);
	milter_sqlkeys_free(&sk);
	sbuf_free(&err);
}

Test(milter_sqlkeys, one_selector_one_key)
{
	struct milter_sqlkeys *sk = milter_sqlkeys_new();
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(add(sk, "example.com", "sel", "rsa", &rsa1, &rsa1, err),
		     0);
	cr_assert_eq(add(sk, "example.com", "SEL", "ed25519", &ed1, &ed1, err),
		     0);
	sbuf_reset(err);
	cr_assert_eq(milter_sqlkeys_finish(sk, err), -1);
	cr_assert(strstr(sbuf_cstr(err), "names one key record") != NULL, "%s",
		  sbuf_cstr(err));
	milter_sqlkeys_free(&sk);
	sbuf_free(&err);
}

Test(milter_sqlkeys, keys_per_domain_bounded)
{
	struct milter_sqlkeys *sk = milter_sqlkeys_new();
	struct sbuf *err = sbuf_new(0);
	char sel[16];

	for (unsigned int i = 0; i <= MILTER_SQLKEYS_MAX_PER_DOMAIN; i++) {
		snprintf(sel, sizeof(sel), "s%u", i);
		cr_assert_eq(
		    add(sk, "example.com", sel, "rsa", &rsa1, &rsa1, err), 0,
		    "%s", sbuf_cstr(err));
	}
	sbuf_reset(err);
	cr_assert_eq(milter_sqlkeys_finish(sk, err), -1);
	cr_assert(strstr(sbuf_cstr(err), "more than 8 active keys") != NULL,
		  "%s", sbuf_cstr(err));
	milter_sqlkeys_free(&sk);
	sbuf_free(&err);
}

/* --- from a SQLite database the test makes --- */

static char tmpdir[] = "/tmp/milter_sqlkeys_test.XXXXXX";
static char dbpath[sizeof(tmpdir) + 16];

/* newdb - a new database file; with schema: at the latest version */
static struct sqldb *newdb_schema(bool schema)
{
	struct sqldb_params p;
	struct sqldb *db = NULL;
	struct sbuf *err = sbuf_new(0);

	cr_assert_not_null(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof(dbpath), "%s/t.db", tmpdir);
	memset(&p, 0, sizeof(p));
	p.type = SQLDB_SQLITE;
	p.path = dbpath;
	p.create = true;
	cr_assert_eq(sqldb_open(&p, &db, err), SQLDB_OK, "%s", sbuf_cstr(err));
	if (schema)
		cr_assert_eq(sqlschema_migrate(db, NULL, NULL, err), SQLDB_OK,
			     "%s", sbuf_cstr(err));
	sbuf_free(&err);
	return db;
}

/* newdb - an empty database at the latest schema version */
static struct sqldb *newdb(void)
{
	return newdb_schema(true);
}

static void rmdb(void)
{
	unlink(dbpath);
	rmdir(tmpdir);
}

/* insert - a row as keygen --sql writes it */
static void insert(struct sqldb *db, const char *d, const char *s,
		   const char *alg, const char *pem, const char *pub,
		   const char *active)
{
	const char *args[] = {d, s, alg, pem, pub, active};
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(sqldb_exec(db,
				"INSERT INTO dkim_key (domain, selector, "
				"algorithm, private_key, public_key, active) "
				"VALUES (?, ?, ?, ?, ?, ?)",
				args, 6, NULL, err),
		     SQLDB_OK, "%s", sbuf_cstr(err));
	sbuf_free(&err);
}

/* load - milter_sqlkeys_load on the test database */
static int load(struct milter_sqlkeys **sk_r, struct sbuf *err)
{
	struct sqldb_params p;

	memset(&p, 0, sizeof(p));
	p.type = SQLDB_SQLITE;
	p.path = dbpath;
	return milter_sqlkeys_load(&p, sk_r, err);
}

Test(milter_sqlkeys, read_active_rows, .fini = rmdb)
{
	struct sqldb *db = newdb();
	struct milter_sqlkeys *sk = NULL;
	struct sbuf *err = sbuf_new(0);
	size_t first, n;

	insert(db, "example.com", "ed", "ed25519", sbuf_cstr(ed1.pem),
	       sbuf_cstr(ed1.pub), "1");
	insert(db, "example.com", "rs", "rsa", sbuf_cstr(rsa1.pem),
	       sbuf_cstr(rsa1.pub), "1");
	/* inactive rows are not read, even broken ones */
	insert(db, "example.com", "old", "rsa", "not a key",
	       sbuf_cstr(rsa2.pub), "0");
	insert(db, "example.org", "s", "rsa", sbuf_cstr(rsa2.pem),
	       sbuf_cstr(rsa2.pub), "1");
	sqldb_close(&db);

	cr_assert_eq(load(&sk, err), 0, "%s", sbuf_cstr(err));
	cr_assert_eq(milter_sqlkeys_count(sk), 3);
	n = milter_sqlkeys_find(sk, "example.com", &first);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(milter_sqlkeys_at(sk, first)->selector, "rs");
	cr_assert_str_eq(milter_sqlkeys_at(sk, first + 1)->selector, "ed");
	milter_sqlkeys_free(&sk);
	sbuf_free(&err);
}

Test(milter_sqlkeys, read_bad_row_is_an_error, .fini = rmdb)
{
	struct sqldb *db = newdb();
	struct milter_sqlkeys *sk = NULL;
	struct sbuf *err = sbuf_new(0);

	insert(db, "example.com", "rs", "rsa", sbuf_cstr(rsa1.pem),
	       sbuf_cstr(rsa1.pub), "1");
	insert(db, "example.net", "new", "rsa", sbuf_cstr(rsa2.pem),
	       sbuf_cstr(rsa1.pub), "1");
	sqldb_close(&db);

	cr_assert_eq(load(&sk, err), -1);
	cr_assert_null(sk);
	cr_assert(strstr(sbuf_cstr(err),
			 "domain example.net selector new (rsa)") != NULL,
		  "%s", sbuf_cstr(err));
	cr_assert(strstr(sbuf_cstr(err), "not the public half") != NULL, "%s",
		  sbuf_cstr(err));
	sbuf_free(&err);
}

Test(milter_sqlkeys, read_bounds_columns, .fini = rmdb)
{
	struct sqldb *db = newdb();
	struct milter_sqlkeys *sk = NULL;
	struct sbuf *err = sbuf_new(0), *big = sbuf_new(70000);

	/* a PEM over the limit is never read into memory whole */
	sbuf_append(big, sbuf_data(rsa1.pem), sbuf_len(rsa1.pem));
	while (sbuf_len(big) <= MILTER_KEYS_MAX_KEY)
		sbuf_append_str(big, "# padding padding padding\n");
	insert(db, "example.com", "rs", "rsa", sbuf_cstr(big),
	       sbuf_cstr(rsa1.pub), "1");
	sqldb_close(&db);

	cr_assert_eq(load(&sk, err), -1);
	cr_assert(strstr(sbuf_cstr(err), "private_key is too long") != NULL,
		  "%s", sbuf_cstr(err));
	sbuf_free(&big);
	sbuf_free(&err);
}

Test(milter_sqlkeys, read_bounds_rows, .fini = rmdb)
{
	struct sqldb *db = newdb();
	struct milter_sqlkeys *sk = NULL;
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(sqldb_exec(db,
				"INSERT INTO dkim_key (domain, selector, "
				"algorithm, private_key, public_key) "
				"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
				"SELECT x + 1 FROM c WHERE x < 10001) "
				"SELECT 'd' || x || '.example', 's', 'rsa', "
				"'k', 'p' FROM c",
				NULL, 0, NULL, err),
		     SQLDB_OK, "%s", sbuf_cstr(err));
	sqldb_close(&db);
	cr_assert_eq(load(&sk, err), -1);
	cr_assert(strstr(sbuf_cstr(err), "more than 10000 active keys") != NULL,
		  "%s", sbuf_cstr(err));
	sbuf_free(&err);
}

Test(milter_sqlkeys, missing_database)
{
	struct sqldb_params p;
	struct milter_sqlkeys *sk = NULL;
	struct sbuf *err = sbuf_new(0);

	memset(&p, 0, sizeof(p));
	p.type = SQLDB_SQLITE;
	p.path = "/nonexistent/postwarden.db";
	cr_assert_eq(milter_sqlkeys_load(&p, &sk, err), -1);
	cr_assert(!sbuf_is_empty(err));
	cr_assert_null(sk);
	sbuf_free(&err);
}

Test(milter_sqlkeys, database_without_schema, .fini = rmdb)
{
	struct sqldb *db = newdb_schema(false);
	struct milter_sqlkeys *sk = NULL;
	struct sbuf *err = sbuf_new(0);

	sqldb_close(&db);
	/* a clear error, not "no keys" */
	cr_assert_eq(load(&sk, err), -1);
	cr_assert_null(sk);
	cr_assert(strstr(sbuf_cstr(err), "postwarden db init") != NULL, "%s",
		  sbuf_cstr(err));
	sbuf_free(&err);
}

/* --- with milter_keys: the SigningTable first, then SQL --- */

Test(milter_sqlkeys, select_after_the_signing_table)
{
	struct milter_sqlkeys *sk = milter_sqlkeys_new();
	struct milter_keys *k = NULL;
	struct milter_sigspec specs[8];
	struct sbuf *err = sbuf_new(0), *kt = sbuf_new(0);
	char tmp[] = "/tmp/milter_sqlkeys_test.XXXXXX";
	size_t n = 0;
	FILE *fp;
	char keyfile[64];

	cr_assert_eq(
	    add(sk, "example.com", "sq-ed", "ed25519", &ed1, &ed1, err), 0);
	cr_assert_eq(add(sk, "example.com", "sq-rsa", "rsa", &rsa1, &rsa1, err),
		     0);
	cr_assert_eq(add(sk, "example.net", "n", "rsa", &rsa2, &rsa2, err), 0);
	cr_assert_eq(milter_sqlkeys_finish(sk, err), 0);

	/* SQL keys alone */
	k = milter_keys_new();
	cr_assert_eq(milter_keys_count(k), 0);
	milter_keys_set_sql(k, &sk);
	cr_assert_null(sk);
	cr_assert_eq(milter_keys_count(k), 3);
	cr_assert_eq(milter_keys_select(k, "bob@example.com", 4, false, specs,
					8, &n, err),
		     0);
	cr_assert_eq(n, 2, "dual signing whatever multiple says");
	cr_assert_str_eq(specs[0].selector, "sq-rsa");
	cr_assert_eq(specs[0].alg, DKIM_ALG_RSA_SHA256);
	cr_assert_str_eq(specs[0].domain, "example.com");
	cr_assert_str_eq(specs[0].keyname, "example.com/sq-rsa");
	cr_assert_null(specs[0].auid);
	cr_assert_str_eq(specs[1].selector, "sq-ed");
	cr_assert_eq(specs[1].alg, DKIM_ALG_ED25519_SHA256);
	milter_keys_release(specs, n);
	/* at most max */
	cr_assert_eq(milter_keys_select(k, "bob@example.com", 4, false, specs,
					1, &n, err),
		     0);
	cr_assert_eq(n, 1);
	milter_keys_release(specs, n);
	/* no subdomains */
	cr_assert_eq(milter_keys_select(k, "bob@sub.example.com", 4, false,
					specs, 8, &n, err),
		     0);
	cr_assert_eq(n, 0);

	/* tables too: the SigningTable wins for what it matches */
	cr_assert_not_null(mkdtemp(tmp));
	snprintf(keyfile, sizeof(keyfile), "%s/k.pem", tmp);
	fp = fopen(keyfile, "w");
	cr_assert_not_null(fp);
	fputs(sbuf_cstr(rsa2.pem), fp);
	fclose(fp);
	sbuf_printf(kt, "file example.com:filesel:%s\n", keyfile);
	milter_keys_free(&k);
	cr_assert_eq(milter_keys_parse(sbuf_cstr(kt), sbuf_len(kt),
				       "alice@example.com file\n", 23, true, &k,
				       err),
		     0, "%s", sbuf_cstr(err));
	cr_assert_eq(add(sk = milter_sqlkeys_new(), "example.com", "sq", "rsa",
			 &rsa1, &rsa1, err),
		     0);
	cr_assert_eq(milter_sqlkeys_finish(sk, err), 0);
	milter_keys_set_sql(k, &sk);
	cr_assert_eq(milter_keys_count(k), 2);
	cr_assert_eq(milter_keys_select(k, "alice@example.com", 6, false, specs,
					8, &n, err),
		     0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(specs[0].selector, "filesel");
	milter_keys_release(specs, n);
	cr_assert_eq(milter_keys_select(k, "bob@example.com", 4, false, specs,
					8, &n, err),
		     0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(specs[0].selector, "sq");
	milter_keys_release(specs, n);

	milter_keys_free(&k);
	unlink(keyfile);
	rmdir(tmp);
	sbuf_free(&kt);
	sbuf_free(&err);
}
