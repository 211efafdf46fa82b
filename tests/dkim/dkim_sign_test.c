/* dkim_sign_test.c - unit tests for dkim/dkim_sign, through dkim_verify */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "dkim_crypto.h"
#include "dkim_sig.h"
#include "dkim_sign.h"
#include "dkim_testdata.h"
#include "dkim_verify.h"
#include "sbuf.h"

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

static const char msg[] =
    "Received: from a by b\r\n"
    "From: Alice <alice@example.com>\r\n"
    "To: Bob <bob@example.net>,\r\n\tCarol <carol@example.net>\r\n"
    "Subject:  two  spaces \r\n"
    "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
    "X-Unsigned: yes\r\n"
    "\r\n"
    "Hello  there \r\n\r\nbye\r\n\r\n";

struct keyset {
	const char *priv, *rec, *domain;
	enum dkim_alg alg;
};

static const struct keyset keys[] = {
    {"dkimpy/test.private", "dkimpy/test.txt", "example.com",
     DKIM_ALG_RSA_SHA256},
    {"dkimpy/ed25519test.key", "dkimpy/ed25519test.dns", "example.net",
     DKIM_ALG_ED25519_SHA256},
};

static struct dkim_crypto_key *load_key(const char *rel)
{
	struct sbuf *data, *err = sbuf_new(0);
	struct dkim_crypto_key *key = NULL;

	if (testdata_dir() == NULL)
		cr_skip_test("no PW_TESTDATA_DIR/dkim");
	data = testdata_read(rel, false);
	cr_assert_not_null(data);
	cr_assert_eq(
	    dkim_crypto_key_private(sbuf_cstr(data), sbuf_len(data), &key, err),
	    0, "%s", sbuf_cstr(err));
	sbuf_free_secret(&data);
	sbuf_free(&err);
	return key;
}

/* sign - sign text (a whole message); the new field goes to field */
static int sign(const struct dkim_sign_opts *o,
		const struct dkim_crypto_key *key, const char *text,
		struct sbuf *field, struct sbuf *err)
{
	struct testmsg *m =
	    testmsg_parse((const unsigned char *)text, strlen(text));
	struct dkim_sign *s = dkim_sign_new(o, key, err);
	size_t i;
	int r = -1;

	if (s == NULL)
		goto out;
	for (i = 0; i < m->nhdr; i++)
		cr_assert_eq(dkim_sign_header(s, sbuf_cstr(m->hdr[i]),
					      sbuf_len(m->hdr[i]), err),
			     0);
	/* byte by byte: the body hash must not care */
	for (i = 0; i < sbuf_len(m->body); i++)
		dkim_sign_body(s, sbuf_data(m->body) + i, 1);
	r = dkim_sign_eom(s, field, err);
out:
	dkim_sign_free(&s);
	testmsg_free(&m);
	return r;
}

/* verify - verify field + text with record rec; the top result */
static enum dkim_result verify(const char *field, const char *text,
			       const char *rec, const char **reason_r,
			       struct sbuf *keep)
{
	struct sbuf *all = sbuf_new(0), *data, *err = sbuf_new(0);
	struct dkim_verify_opts o;
	struct dkim_verify *v;
	struct testmsg *m;
	enum dkim_result r;
	const char *reason;
	size_t i;

	sbuf_printf(all, "%s\r\n%s", field, text);
	m = testmsg_parse(sbuf_data(all), sbuf_len(all));
	data = testdata_read(rec, true);
	cr_assert_not_null(data);
	dkim_verify_opts_init(&o);
	v = dkim_verify_new(&o);
	for (i = 0; i < m->nhdr; i++)
		cr_assert_eq(dkim_verify_header(v, sbuf_cstr(m->hdr[i]),
						sbuf_len(m->hdr[i]), err),
			     0);
	dkim_verify_eoh(v);
	cr_assert_geq(dkim_verify_count(v), 1);
	cr_assert_not_null(dkim_verify_key_name(v, 0));
	dkim_verify_key(v, 0, DKIM_VERIFY_KEY_FOUND, sbuf_cstr(data),
			sbuf_len(data));
	dkim_verify_body(v, sbuf_data(m->body), sbuf_len(m->body));
	dkim_verify_eom(v);
	r = dkim_verify_result(v, 0, &reason);
	sbuf_reset(keep);
	sbuf_append_str(keep, reason);
	*reason_r = sbuf_cstr(keep);
	dkim_verify_free(&v);
	testmsg_free(&m);
	sbuf_free(&all);
	sbuf_free(&data);
	sbuf_free(&err);
	return r;
}

Test(dkim_sign, round_trip_every_algorithm_and_canonicalization)
{
	static const enum dkim_canon_alg c[] = {DKIM_CANON_SIMPLE,
						DKIM_CANON_RELAXED};
	size_t k, h, b;

	for (k = 0; k < NCASES(keys); k++) {
		struct dkim_crypto_key *key = load_key(keys[k].priv);

		for (h = 0; h < 2; h++) {
			for (b = 0; b < 2; b++) {
				struct sbuf *f = sbuf_new(0),
					    *err = sbuf_new(0);
				struct sbuf *keep = sbuf_new(0);
				struct dkim_sign_opts o;
				const char *why;

				dkim_sign_opts_init(&o);
				o.alg = keys[k].alg;
				o.domain = keys[k].domain;
				o.selector = "test";
				o.hcanon = c[h];
				o.bcanon = c[b];
				o.timestamp = 1700000000;
				cr_assert_eq(sign(&o, key, msg, f, err), 0,
					     "%s", sbuf_cstr(err));
				cr_expect_eq(verify(sbuf_cstr(f), msg,
						    keys[k].rec, &why, keep),
					     DKIM_RES_PASS, "%zu %zu %zu: %s",
					     k, h, b, why);
				sbuf_free(&f);
				sbuf_free(&err);
				sbuf_free(&keep);
			}
		}
		dkim_crypto_key_free(&key);
	}
}

Test(dkim_sign, field_has_expected_tags)
{
	struct dkim_crypto_key *key = load_key("dkimpy/test.private");
	struct sbuf *f = sbuf_new(0), *err = sbuf_new(0);
	struct dkim_sig *sig = NULL;
	struct dkim_sign_opts o;
	const char *colon;
	size_t i;

	dkim_sign_opts_init(&o);
	o.domain = "example.com";
	o.selector = "sel-1";
	o.auid = "alice@mail.example.com";
	o.timestamp = 1700000000;
	o.expire = 3600;
	cr_assert_eq(sign(&o, key, msg, f, err), 0, "%s", sbuf_cstr(err));
	cr_expect(strncmp(sbuf_cstr(f), "DKIM-Signature: v=1;", 20) == 0);
	/* folded: no line longer than 78 characters */
	{
		const char *p = sbuf_cstr(f), *nl;

		while ((nl = strstr(p, "\r\n")) != NULL) {
			cr_expect_leq(nl - p, 78);
			p = nl + 2;
		}
		cr_expect_leq(strlen(p), 78);
	}
	colon = strchr(sbuf_cstr(f), ':');
	cr_assert_eq(dkim_sig_parse(colon + 1, strlen(colon + 1), &sig, err), 0,
		     "%s", sbuf_cstr(err));
	cr_expect_eq(sig->alg, DKIM_ALG_RSA_SHA256);
	cr_expect_eq(sig->hcanon, DKIM_CANON_RELAXED);
	cr_expect_eq(sig->bcanon, DKIM_CANON_RELAXED);
	cr_expect_str_eq(sig->s, "sel-1");
	cr_expect_str_eq(sig->i, "alice@mail.example.com");
	cr_expect(sig->has_t && sig->t == 1700000000);
	cr_expect(sig->has_x && sig->x == 1700003600);
	cr_expect(!sig->has_l);
	/* default list order, From once more, no unlisted field */
	static const char *const want[] = {"from", "from", "subject", "date",
					   "to"};
	struct sbuf *hl = sbuf_new(0);

	for (i = 0; i < sig->nh; i++)
		sbuf_printf(hl, "%s%s", i ? ":" : "", sig->h[i]);
	cr_expect_eq(sig->nh, NCASES(want), "h=%s", sbuf_cstr(hl));
	for (i = 0; i < sig->nh && i < NCASES(want); i++)
		cr_expect_str_eq(sig->h[i], want[i], "h=%s", sbuf_cstr(hl));
	sbuf_free(&hl);
	dkim_sig_free(&sig);
	dkim_crypto_key_free(&key);
	sbuf_free(&f);
	sbuf_free(&err);
}

Test(dkim_sign, oversigned_from_stops_added_from)
{
	struct dkim_crypto_key *key = load_key("dkimpy/test.private");
	struct sbuf *f = sbuf_new(0), *err = sbuf_new(0), *keep = sbuf_new(0);
	struct sbuf *changed = sbuf_new(0);
	struct dkim_sign_opts o;
	const char *why;

	dkim_sign_opts_init(&o);
	o.domain = "example.com";
	o.selector = "test";
	cr_assert_eq(sign(&o, key, msg, f, err), 0);
	/* a From added below the signed one is selected first (bottom-up) */
	sbuf_printf(changed, "%sFrom: Mallory <m@evil.example>\r\n", "");
	sbuf_append_str(changed, msg);
	cr_expect_eq(verify(sbuf_cstr(f), sbuf_cstr(changed), "dkimpy/test.txt",
			    &why, keep),
		     DKIM_RES_FAIL);
	/* an unsigned header added anywhere is fine */
	sbuf_reset(changed);
	sbuf_printf(changed, "X-Added: 1\r\n%s", msg);
	cr_expect_eq(verify(sbuf_cstr(f), sbuf_cstr(changed), "dkimpy/test.txt",
			    &why, keep),
		     DKIM_RES_PASS, "%s", why);
	/* a changed signed header or body fails */
	sbuf_reset(changed);
	sbuf_append_str(changed, msg);
	((char *)sbuf_cstr(changed))[strlen(msg) - 6] = 'B';
	cr_expect_eq(verify(sbuf_cstr(f), sbuf_cstr(changed), "dkimpy/test.txt",
			    &why, keep),
		     DKIM_RES_FAIL);
	cr_expect_str_eq(why, "body hash mismatch");
	dkim_crypto_key_free(&key);
	sbuf_free(&f);
	sbuf_free(&err);
	sbuf_free(&keep);
	sbuf_free(&changed);
}

Test(dkim_sign, refuses_bad_setups)
{
	struct dkim_crypto_key *rsa = load_key("dkimpy/test.private");
	struct dkim_crypto_key *ed = load_key("dkimpy/ed25519test.key");
	struct dkim_crypto_key *small =
	    load_key("records/canonical.com-512.private");
	static const char *const nofrom_list[] = {"subject", NULL};
	struct sbuf *err = sbuf_new(0), *f = sbuf_new(0);
	struct dkim_sign_opts o;

	dkim_sign_opts_init(&o);
	o.domain = "example.com";
	o.selector = "test";
	cr_expect_null(dkim_sign_new(&o, ed, err)); /* rsa-sha256, Ed key */
	cr_expect_null(dkim_sign_new(&o, small, err));
	o.alg = DKIM_ALG_RSA_SHA1;
	cr_expect_null(dkim_sign_new(&o, rsa, err));
	o.alg = DKIM_ALG_ED25519_SHA256;
	cr_expect_null(dkim_sign_new(&o, rsa, err));
	o.alg = DKIM_ALG_RSA_SHA256;
	o.domain = "bad domain";
	cr_expect_null(dkim_sign_new(&o, rsa, err));
	o.domain = "example.com";
	o.selector = NULL;
	cr_expect_null(dkim_sign_new(&o, rsa, err));
	o.selector = "test";
	o.headers = nofrom_list;
	cr_expect_null(dkim_sign_new(&o, rsa, err));
	o.headers = NULL;
	o.auid = "a@example.org"; /* i= outside d= */
	cr_expect_null(dkim_sign_new(&o, rsa, err));
	o.auid = "a@badexample.com";
	cr_expect_null(dkim_sign_new(&o, rsa, err));
	o.auid = "example.com";
	cr_expect_null(dkim_sign_new(&o, rsa, err));
	o.auid = "@Sub.Example.COM";
	struct dkim_sign *ok = dkim_sign_new(&o, rsa, err);
	cr_expect_not_null(ok, "%s", sbuf_cstr(err));
	dkim_sign_free(&ok);
	o.auid = NULL;
	o.rsa_min_bits = 512; /* configurable */
	struct dkim_sign *s = dkim_sign_new(&o, small, err);
	cr_expect_not_null(s, "%s", sbuf_cstr(err));
	dkim_sign_free(&s);
	/* no From: refused at the end */
	sbuf_reset(err);
	cr_expect_eq(sign(&o, rsa, "To: x@example.com\r\n\r\nbody\r\n", f, err),
		     -1);
	cr_expect(strstr(sbuf_cstr(err), "From") != NULL);
	cr_expect_eq(sbuf_len(f), 0);
	dkim_crypto_key_free(&rsa);
	dkim_crypto_key_free(&ed);
	dkim_crypto_key_free(&small);
	sbuf_free(&err);
	sbuf_free(&f);
}

/* The vectors' inputs for signing: each signs and verifies. */
Test(dkim_sign, signs_vector_messages)
{
	static const char *const files[] = {
	    "dkimpy/test.message",	 "dkimpy/rfc6376.msg",
	    "dkimpy/test_extra.message", "dkimpy/message.mbox",
	    "dkimpy/rfc6376.w1258.msg",	 "generated/unsigned.eml",
	};
	struct dkim_crypto_key *key = load_key("dkimpy/ed25519test.key");
	size_t i;

	for (i = 0; i < NCASES(files); i++) {
		struct sbuf *text = testdata_read(files[i], false);
		struct sbuf *f = sbuf_new(0), *err = sbuf_new(0);
		struct sbuf *keep = sbuf_new(0);
		struct dkim_sign_opts o;
		const char *why;

		cr_assert_not_null(text, "%s", files[i]);
		dkim_sign_opts_init(&o);
		o.alg = DKIM_ALG_ED25519_SHA256;
		o.domain = "example.net";
		o.selector = "test";
		o.hcanon = i % 2 ? DKIM_CANON_SIMPLE : DKIM_CANON_RELAXED;
		cr_assert_eq(sign(&o, key, sbuf_cstr(text), f, err), 0,
			     "%s: %s", files[i], sbuf_cstr(err));
		cr_expect_eq(verify(sbuf_cstr(f), sbuf_cstr(text),
				    "dkimpy/ed25519test.dns", &why, keep),
			     DKIM_RES_PASS, "%s: %s", files[i], why);
		sbuf_free(&text);
		sbuf_free(&f);
		sbuf_free(&err);
		sbuf_free(&keep);
	}
	/* dkimpy's message without From is refused */
	struct sbuf *text = testdata_read("dkimpy/test_nofrom.message", false);
	struct sbuf *f = sbuf_new(0), *err = sbuf_new(0);
	struct dkim_sign_opts o;

	dkim_sign_opts_init(&o);
	o.alg = DKIM_ALG_ED25519_SHA256;
	o.domain = "example.net";
	o.selector = "test";
	cr_expect_eq(sign(&o, key, sbuf_cstr(text), f, err), -1);
	sbuf_free(&text);
	sbuf_free(&f);
	sbuf_free(&err);
	dkim_crypto_key_free(&key);
}

/* Many signed fields: h= is folded between names, never inside one. */
Test(dkim_sign, long_h_list_folds_between_names)
{
	struct dkim_crypto_key *key = load_key("dkimpy/ed25519test.key");
	struct sbuf *text = sbuf_new(0), *f = sbuf_new(0), *err = sbuf_new(0);
	struct sbuf *keep = sbuf_new(0);
	struct dkim_sig *sig = NULL;
	struct dkim_sign_opts o;
	const char *why, *colon;
	int i;

	sbuf_append_str(text, "From: a@example.net\r\n");
	for (i = 0; i < 20; i++)
		sbuf_printf(text,
			    "Cc: c%d@example.net\r\nTo: t%d@example.net\r\n", i,
			    i);
	sbuf_append_str(text, "\r\nbody\r\n");
	dkim_sign_opts_init(&o);
	o.alg = DKIM_ALG_ED25519_SHA256;
	o.domain = "example.net";
	o.selector = "test";
	o.hcanon = DKIM_CANON_SIMPLE;
	cr_assert_eq(sign(&o, key, sbuf_cstr(text), f, err), 0);
	colon = strchr(sbuf_cstr(f), ':');
	cr_assert_eq(dkim_sig_parse(colon + 1, strlen(colon + 1), &sig, err), 0,
		     "%s", sbuf_cstr(err));
	cr_expect_eq(sig->nh, 42); /* from twice, 20 to, 20 cc */
	cr_expect_eq(verify(sbuf_cstr(f), sbuf_cstr(text),
			    "dkimpy/ed25519test.dns", &why, keep),
		     DKIM_RES_PASS, "%s", why);
	dkim_sig_free(&sig);
	dkim_crypto_key_free(&key);
	sbuf_free(&text);
	sbuf_free(&f);
	sbuf_free(&err);
	sbuf_free(&keep);
}
