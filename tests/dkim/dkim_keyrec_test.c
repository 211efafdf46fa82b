/* dkim_keyrec_test.c - unit tests for dkim/dkim_keyrec */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "dkim_keyrec.h"
#include "sbuf.h"

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

static struct dkim_keyrec *parse(const char *s, struct sbuf *err)
{
	struct dkim_keyrec *r = NULL;

	if (dkim_keyrec_parse(s, strlen(s), &r, err) < 0)
		cr_assert_null(r);
	return r;
}

Test(dkim_keyrec, defaults)
{
	struct sbuf *err = sbuf_new(0);
	struct dkim_keyrec *r = parse("p=AQAB", err);

	cr_assert_not_null(r, "%s", sbuf_cstr(err));
	cr_expect_eq(r->k, DKIM_KEY_RSA);
	cr_expect(!r->revoked && !r->testing && !r->strict_i);
	cr_expect(r->email);
	cr_expect(dkim_keyrec_allows_hash(r, DKIM_HASH_SHA1));
	cr_expect(dkim_keyrec_allows_hash(r, DKIM_HASH_SHA256));
	cr_expect_eq(sbuf_len(r->p), 3);
	dkim_keyrec_free(&r);
	cr_expect_null(r);
	sbuf_free(&err);
}

static const struct {
	const char *in;
	enum dkim_keytype k;
	bool revoked, testing, strict_i, sha1, sha256, email;
} good[] = {
    {"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
     DKIM_KEY_ED25519, false, false, false, true, true, true},
    {"v=DKIM1; k=rsa; p=", DKIM_KEY_RSA, true, false, false, true, true, true},
    {"k=rsa; t=y; p=AQAB", DKIM_KEY_RSA, false, true, false, true, true, true},
    {"k=rsa; t=s:y; p=AQAB", DKIM_KEY_RSA, false, true, true, true, true, true},
    {"k=rsa; t=s : x; p=AQAB", DKIM_KEY_RSA, false, false, true, true, true,
     true},
    {"h=sha1; p=AQAB", DKIM_KEY_RSA, false, false, false, true, false, true},
    {"h=sha256:foo; p=AQAB", DKIM_KEY_RSA, false, false, false, false, true,
     true},
    {"h=md5; p=AQAB", DKIM_KEY_RSA, false, false, false, false, false, true},
    {"s=email; p=AQAB", DKIM_KEY_RSA, false, false, false, true, true, true},
    {"s=email:*; p=AQAB", DKIM_KEY_RSA, false, false, false, true, true, true},
    {"s=*; p=AQAB", DKIM_KEY_RSA, false, false, false, true, true, true},
    {"s=tlsrpt; p=AQAB", DKIM_KEY_RSA, false, false, false, true, true, false},
    {"s=tlsrpt : email; p=AQAB", DKIM_KEY_RSA, false, false, false, true, true,
     true},
    {"v=DKIM1; g=*; n=notes here; x=unknown; p=A Q\r\n\tA B", DKIM_KEY_RSA,
     false, false, false, true, true, true},
};

Test(dkim_keyrec, parses_tags)
{
	size_t i;

	for (i = 0; i < NCASES(good); i++) {
		struct sbuf *err = sbuf_new(0);
		struct dkim_keyrec *r = parse(good[i].in, err);

		cr_assert_not_null(r, "case %zu: %s", i, sbuf_cstr(err));
		cr_expect_eq(r->k, good[i].k, "case %zu", i);
		cr_expect_eq(r->revoked, good[i].revoked, "case %zu", i);
		cr_expect_eq(r->testing, good[i].testing, "case %zu", i);
		cr_expect_eq(r->strict_i, good[i].strict_i, "case %zu", i);
		cr_expect_eq(r->hash_sha1, good[i].sha1, "case %zu", i);
		cr_expect_eq(r->hash_sha256, good[i].sha256, "case %zu", i);
		cr_expect_eq(r->email, good[i].email, "case %zu", i);
		dkim_keyrec_free(&r);
		sbuf_free(&err);
	}
}

static const char *const bad[] = {
    "v=DKIM1: g=*; k=rsa; p=AQAB", /* dkimpy badversion.txt */
    "v=DKIM2; p=AQAB",
    "k=rsa; v=DKIM1; p=AQAB", /* v= not first */
    "k=ed25519-sha256; p=AQAB",
    "k=dsa; p=AQAB",
    "v=DKIM1; k=rsa",	       /* no p= */
    "p=AQ*B",		       /* bad base64 */
    "p=AQAB; p=AQAB",	       /* duplicate */
    "v=DKIM1; k=rsa; p=A\001", /* control byte */
};

Test(dkim_keyrec, rejects_bad_records)
{
	size_t i;

	for (i = 0; i < NCASES(bad); i++) {
		struct sbuf *err = sbuf_new(0);

		cr_expect_null(parse(bad[i], err), "case %zu", i);
		cr_expect_gt(sbuf_len(err), 0, "case %zu", i);
		sbuf_free(&err);
	}
}

Test(dkim_keyrec, limits_p_size)
{
	struct sbuf *in = sbuf_new(0), *err = sbuf_new(0);
	struct dkim_keyrec *r;
	size_t i;

	sbuf_append_str(in, "p=");
	for (i = 0; i < DKIM_KEYREC_MAX_P / 3 * 4; i++)
		sbuf_putc(in, 'A');
	r = parse(sbuf_cstr(in), err);
	cr_assert_not_null(r, "%s", sbuf_cstr(err));
	dkim_keyrec_free(&r);
	sbuf_append_str(in, "AAAA");
	cr_expect_null(parse(sbuf_cstr(in), err));
	sbuf_free(&in);
	sbuf_free(&err);
}
