/* dkim_verify_test.c - unit tests for dkim/dkim_verify (API and policy) */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "dkim_crypto.h"
#include "dkim_hdrs.h"
#include "dkim_sign.h"
#include "dkim_testdata.h"
#include "dkim_verify.h"
#include "sbuf.h"

/* a verifier that has seen the header of vector file rel */
static struct dkim_verify *
start(const char *rel, const struct dkim_verify_opts *o, struct testmsg **m_r)
{
	struct sbuf *data, *err = sbuf_new(0);
	struct dkim_verify *v = dkim_verify_new(o);
	size_t i;

	if (testdata_dir() == NULL)
		cr_skip_test("no PW_TESTDATA_DIR/dkim");
	data = testdata_read(rel, false);
	cr_assert_not_null(data, "%s", rel);
	*m_r = testmsg_parse(sbuf_data(data), sbuf_len(data));
	for (i = 0; i < (*m_r)->nhdr; i++)
		cr_assert_eq(dkim_verify_header(v, sbuf_cstr((*m_r)->hdr[i]),
						sbuf_len((*m_r)->hdr[i]), err),
			     0);
	dkim_verify_eoh(v);
	sbuf_free(&data);
	sbuf_free(&err);
	return v;
}

/* finish - body and eom */
static void finish(struct dkim_verify *v, struct testmsg **m)
{
	dkim_verify_body(v, sbuf_data((*m)->body), sbuf_len((*m)->body));
	dkim_verify_eom(v);
	testmsg_free(m);
}

/* feed - the record file rel as the key of signature i */
static void feed(struct dkim_verify *v, size_t i, const char *rel)
{
	struct sbuf *rec = testdata_read(rel, true);

	cr_assert_not_null(rec);
	dkim_verify_key(v, i, DKIM_VERIFY_KEY_FOUND, sbuf_cstr(rec),
			sbuf_len(rec));
	sbuf_free(&rec);
}

#define RR "generated/rsa1024-relaxed-relaxed.eml"

Test(dkim_verify, key_lookup_outcomes)
{
	struct dkim_verify_opts o;
	struct dkim_verify *v;
	struct testmsg *m;
	const char *why;

	dkim_verify_opts_init(&o);
	v = start(RR, &o, &m);
	cr_assert_eq(dkim_verify_count(v), 1);
	cr_expect_str_eq(dkim_verify_key_name(v, 0),
			 "test._domainkey.example.com");
	dkim_verify_key(v, 0, DKIM_VERIFY_KEY_TEMPFAIL, NULL, 0);
	finish(v, &m);
	cr_expect_eq(dkim_verify_result(v, 0, &why), DKIM_RES_TEMPERROR);
	dkim_verify_free(&v);
	cr_expect_null(v);

	v = start(RR, &o, &m); /* no key fed at all */
	finish(v, &m);
	cr_expect_eq(dkim_verify_result(v, 0, &why), DKIM_RES_TEMPERROR);
	cr_expect_str_eq(why, "no key was given");
	dkim_verify_free(&v);

	v = start(RR, &o, &m);
	cr_expect_eq(dkim_verify_key_by_name(v, "TEST._domainkey.Example.COM",
					     DKIM_VERIFY_KEY_NONE, NULL, 0),
		     1);
	cr_expect_eq(dkim_verify_key_by_name(v, "other._domainkey.example.com",
					     DKIM_VERIFY_KEY_NONE, NULL, 0),
		     0);
	finish(v, &m);
	cr_expect_eq(dkim_verify_result(v, 0, &why), DKIM_RES_PERMERROR);
	dkim_verify_free(&v);

	v = start(RR, &o, &m); /* the key last fed counts */
	dkim_verify_key(v, 0, DKIM_VERIFY_KEY_TEMPFAIL, NULL, 0);
	feed(v, 0, "dkimpy/test.txt");
	finish(v, &m);
	cr_expect_eq(dkim_verify_result(v, 0, &why), DKIM_RES_PASS, "%s", why);
	cr_expect_str_eq(why, "");
	cr_expect(!dkim_verify_is_testing(v, 0));
	cr_expect_not_null(dkim_verify_sig(v, 0));
	dkim_verify_free(&v);
}

Test(dkim_verify, unsigned_message_has_no_signatures)
{
	struct dkim_verify_opts o;
	struct dkim_verify *v;
	struct testmsg *m;

	dkim_verify_opts_init(&o);
	v = start("generated/unsigned.eml", &o, &m);
	finish(v, &m);
	cr_expect_eq(dkim_verify_count(v), 0);
	cr_expect_null(dkim_verify_key_name(v, 0));
	cr_expect_null(dkim_verify_sig(v, 0));
	dkim_verify_free(&v);
}

Test(dkim_verify, sha1_and_small_keys_are_configurable)
{
	struct dkim_verify_opts o;
	struct dkim_verify *v;
	struct testmsg *m;
	const char *why;

	dkim_verify_opts_init(&o);
	v = start("generated/rsa1024-sha1.eml", &o, &m);
	cr_expect_null(dkim_verify_key_name(v, 0)); /* no lookup needed */
	finish(v, &m);
	cr_expect_eq(dkim_verify_result(v, 0, &why), DKIM_RES_PERMERROR);
	cr_expect(strstr(why, "rsa-sha1") != NULL);
	dkim_verify_free(&v);
	o.allow_sha1 = true;
	v = start("generated/rsa1024-sha1.eml", &o, &m);
	feed(v, 0, "dkimpy/test.txt");
	finish(v, &m);
	cr_expect_eq(dkim_verify_result(v, 0, &why), DKIM_RES_PASS, "%s", why);
	dkim_verify_free(&v);

	dkim_verify_opts_init(&o);
	o.rsa_min_bits = 512;
	v = start("generated/rsa512-relaxed-relaxed.eml", &o, &m);
	feed(v, 0, "records/example._domainkey.canonical.com.txt");
	finish(v, &m);
	cr_expect_eq(dkim_verify_result(v, 0, &why), DKIM_RES_PASS, "%s", why);
	dkim_verify_free(&v);
}

Test(dkim_verify, signature_limit)
{
	struct dkim_verify_opts o;
	struct dkim_verify *v;
	struct testmsg *m;
	const char *why;

	dkim_verify_opts_init(&o);
	o.max_sigs = 1;
	v = start("generated/dual-ed25519-rsa.eml", &o, &m);
	cr_assert_eq(dkim_verify_count(v), 2);
	cr_expect_not_null(dkim_verify_key_name(v, 0));
	cr_expect_null(dkim_verify_key_name(v, 1));
	feed(v, 0, "dkimpy/ed25519test.dns");
	finish(v, &m);
	cr_expect_eq(dkim_verify_result(v, 0, &why), DKIM_RES_PASS, "%s", why);
	cr_expect_eq(dkim_verify_result(v, 1, &why), DKIM_RES_POLICY);
	cr_expect(strstr(why, "more than 1") != NULL);
	dkim_verify_free(&v);
}

Test(dkim_verify, expiry_uses_the_given_clock)
{
	struct dkim_crypto_key *key = NULL;
	struct sbuf *k = NULL, *err = sbuf_new(0), *f = sbuf_new(0);
	static const char body[] = "body\r\n";
	struct dkim_verify_opts vo;
	struct dkim_sign_opts so;
	struct dkim_sign *s;
	unsigned long now;

	if (testdata_dir() == NULL)
		cr_skip_test("no PW_TESTDATA_DIR/dkim");
	k = testdata_read("dkimpy/test.private", false);
	cr_assert_eq(
	    dkim_crypto_key_private(sbuf_cstr(k), sbuf_len(k), &key, err), 0);
	dkim_sign_opts_init(&so);
	so.domain = "example.com";
	so.selector = "test";
	so.timestamp = 1000;
	so.expire = 100;
	s = dkim_sign_new(&so, key, err);
	cr_assert_not_null(s);
	cr_assert_eq(dkim_sign_header(s, "From: a@example.com", 19, err), 0);
	dkim_sign_body(s, body, strlen(body));
	cr_assert_eq(dkim_sign_eom(s, f, err), 0);
	dkim_sign_free(&s);
	for (now = 1099; now <= 1101; now++) {
		struct dkim_verify *v;
		const char *why;

		dkim_verify_opts_init(&vo);
		vo.now = now;
		v = dkim_verify_new(&vo);
		cr_assert_eq(
		    dkim_verify_header(v, sbuf_cstr(f), sbuf_len(f), err), 0);
		cr_assert_eq(
		    dkim_verify_header(v, "From: a@example.com", 19, err), 0);
		dkim_verify_eoh(v);
		if (now <= 1100) {
			cr_expect_not_null(dkim_verify_key_name(v, 0));
			feed(v, 0, "dkimpy/test.txt");
		} else
			cr_expect_null(dkim_verify_key_name(v, 0));
		dkim_verify_body(v, body, strlen(body));
		dkim_verify_eom(v);
		cr_expect_eq(dkim_verify_result(v, 0, &why),
			     now <= 1100 ? DKIM_RES_PASS : DKIM_RES_PERMERROR,
			     "now=%lu: %s", now, why);
		dkim_verify_free(&v);
	}
	dkim_crypto_key_free(&key);
	sbuf_free_secret(&k);
	sbuf_free(&err);
	sbuf_free(&f);
}

Test(dkim_verify, key_record_restrictions)
{
	static const struct {
		const char *rec;
		enum dkim_result want;
	} cases[] = {
	    /* the test key with t=s: the signature's i= is @example.com */
	    {"v=DKIM1; t=s; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTz"
	     "WRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W9"
	     "1y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9Pzox"
	     "ZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB",
	     DKIM_RES_PASS},
	    /* Ed25519 record for an RSA signature */
	    {"v=DKIM1; k=ed25519; "
	     "p=yi50DjK5O9pqbFpNHklsv9lqaS0ArSYu02qp1S0DW1Y=",
	     DKIM_RES_PERMERROR},
	    /* an Ed25519 key labelled rsa */
	    {"v=DKIM1; k=rsa; p=yi50DjK5O9pqbFpNHklsv9lqaS0ArSYu02qp1S0DW1Y=",
	     DKIM_RES_PERMERROR},
	    {"v=DKIM1; s=email:tlsrpt; h=sha256; "
	     "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTz"
	     "WRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W9"
	     "1y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9Pzox"
	     "ZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB",
	     DKIM_RES_PASS},
	    {"garbage", DKIM_RES_PERMERROR},
	};
	struct dkim_verify_opts o;
	size_t i;

	dkim_verify_opts_init(&o);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct testmsg *m;
		struct dkim_verify *v = start(RR, &o, &m);
		const char *why;

		dkim_verify_key(v, 0, DKIM_VERIFY_KEY_FOUND, cases[i].rec,
				strlen(cases[i].rec));
		finish(v, &m);
		cr_expect_eq(dkim_verify_result(v, 0, &why), cases[i].want,
			     "case %zu: %s", i, why);
		dkim_verify_free(&v);
	}
}

Test(dkim_verify, l_longer_than_body_is_permerror)
{
	struct dkim_verify_opts o;
	struct dkim_verify *v;
	struct testmsg *m;
	const char *why;

	dkim_verify_opts_init(&o);
	v = start("generated/rsa1024-length-appended.eml", &o, &m);
	feed(v, 0, "dkimpy/test.txt");
	sbuf_truncate(m->body, 10);
	finish(v, &m);
	cr_expect_eq(dkim_verify_result(v, 0, &why), DKIM_RES_PERMERROR);
	cr_expect(strstr(why, "l=") != NULL, "%s", why);
	dkim_verify_free(&v);
}

Test(dkim_verify, header_limit_is_an_error)
{
	struct dkim_verify_opts o;
	struct dkim_verify *v;
	struct sbuf *err = sbuf_new(0);
	int i, r = 0;

	dkim_verify_opts_init(&o);
	v = dkim_verify_new(&o);
	for (i = 0; i <= DKIM_HDRS_MAX_FIELDS && r == 0; i++)
		r = dkim_verify_header(v, "X: y", 4, err);
	cr_expect_eq(r, -1);
	cr_expect_gt(sbuf_len(err), 0);
	dkim_verify_free(&v);
	sbuf_free(&err);
}

Test(dkim_verify, result_names)
{
	cr_expect_str_eq(dkim_result_name(DKIM_RES_PASS), "pass");
	cr_expect_str_eq(dkim_result_name(DKIM_RES_PERMERROR), "permerror");
	cr_expect_str_eq(dkim_result_name(DKIM_RES_TEMPERROR), "temperror");
	cr_expect_str_eq(dkim_result_name(DKIM_RES_POLICY), "policy");
	cr_expect_str_eq(dkim_result_name(DKIM_RES_NONE), "none");
	cr_expect_str_eq(dkim_result_name(DKIM_RES_FAIL), "fail");
	cr_expect_str_eq(dkim_result_name(DKIM_RES_NEUTRAL), "neutral");
}

/* t=s in the key record: i= must be d= itself, not a subdomain */
Test(dkim_verify, strict_i_flag)
{
	static const char *const auid[] = {"@example.com", "@mail.example.com"};
	struct dkim_crypto_key *key = NULL;
	struct sbuf *k, *rec, *strict = sbuf_new(0), *err = sbuf_new(0);
	size_t a;

	if (testdata_dir() == NULL)
		cr_skip_test("no PW_TESTDATA_DIR/dkim");
	k = testdata_read("dkimpy/test.private", false);
	rec = testdata_read("dkimpy/test.txt", true);
	cr_assert_eq(
	    dkim_crypto_key_private(sbuf_cstr(k), sbuf_len(k), &key, err), 0);
	sbuf_printf(strict, "t=s; %s", sbuf_cstr(rec) + strlen("v=DKIM1; "));
	cr_assert(strncmp(sbuf_cstr(rec), "v=DKIM1; ", 9) == 0);
	for (a = 0; a < 2; a++) {
		struct sbuf *f = sbuf_new(0);
		struct dkim_sign_opts so;
		struct dkim_verify_opts vo;
		struct dkim_sign *s;
		struct dkim_verify *v;
		const char *why;
		int plain;

		dkim_sign_opts_init(&so);
		so.domain = "example.com";
		so.selector = "test";
		so.auid = auid[a];
		s = dkim_sign_new(&so, key, err);
		cr_assert_not_null(s);
		cr_assert_eq(
		    dkim_sign_header(s, "From: a@example.com", 19, err), 0);
		cr_assert_eq(dkim_sign_eom(s, f, err), 0);
		dkim_sign_free(&s);
		for (plain = 0; plain < 2; plain++) {
			const struct sbuf *r = plain ? rec : strict;

			dkim_verify_opts_init(&vo);
			v = dkim_verify_new(&vo);
			dkim_verify_header(v, sbuf_cstr(f), sbuf_len(f), err);
			dkim_verify_header(v, "From: a@example.com", 19, err);
			dkim_verify_eoh(v);
			dkim_verify_key(v, 0, DKIM_VERIFY_KEY_FOUND,
					sbuf_cstr(r), sbuf_len(r));
			dkim_verify_eom(v);
			cr_expect_eq(dkim_verify_result(v, 0, &why),
				     plain || a == 0 ? DKIM_RES_PASS
						     : DKIM_RES_PERMERROR,
				     "%s %s: %s", auid[a],
				     plain ? "plain" : "t=s", why);
			dkim_verify_free(&v);
		}
		sbuf_free(&f);
	}
	dkim_crypto_key_free(&key);
	sbuf_free_secret(&k);
	sbuf_free(&rec);
	sbuf_free(&strict);
	sbuf_free(&err);
}
