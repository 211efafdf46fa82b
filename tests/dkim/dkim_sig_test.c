/* dkim_sig_test.c - unit tests for dkim/dkim_sig */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "dkim_sig.h"
#include "sbuf.h"

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

/* a valid base: the RFC 8463 A.3 RSA signature, relaxed/relaxed */
#define BH "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8="
#define B                                                                      \
	"b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\r\n"       \
	" DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\r\n"      \
	" dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8="
#define BASE                                                                   \
	"v=1; a=rsa-sha256; c=relaxed/relaxed; d=football.example.com; "       \
	"i=@football.example.com; q=dns/txt; s=test; t=1528637909; "           \
	"h=from : to : subject : date : message-id : from : subject : date; "

static struct dkim_sig *parse(const char *s, struct sbuf *err)
{
	struct dkim_sig *sig = NULL;

	if (dkim_sig_parse(s, strlen(s), &sig, err) < 0)
		cr_assert_null(sig);
	return sig;
}

Test(dkim_sig, parses_rfc8463_signature)
{
	struct sbuf *err = sbuf_new(0);
	struct dkim_sig *sig = parse(BASE BH "; " B, err);

	cr_assert_not_null(sig, "%s", sbuf_cstr(err));
	cr_expect_eq(sig->alg, DKIM_ALG_RSA_SHA256);
	cr_expect_eq(sig->hash, DKIM_HASH_SHA256);
	cr_expect_eq(sig->hcanon, DKIM_CANON_RELAXED);
	cr_expect_eq(sig->bcanon, DKIM_CANON_RELAXED);
	cr_expect_str_eq(sig->d, "football.example.com");
	cr_expect_str_eq(sig->s, "test");
	cr_expect_str_eq(sig->i, "@football.example.com");
	cr_expect_str_eq(sig->i_domain, "football.example.com");
	cr_expect_eq(sig->nh, 8);
	cr_expect_str_eq(sig->h[0], "from");
	cr_expect_str_eq(sig->h[7], "date");
	cr_expect(sig->has_t);
	cr_expect_eq(sig->t, 1528637909UL);
	cr_expect(!sig->has_x);
	cr_expect(!sig->has_l);
	cr_expect_eq(sbuf_len(sig->bh), 32);
	cr_expect_eq(sbuf_len(sig->b), 128); /* RSA 1024 */
	struct sbuf *kn = sbuf_new(0);
	cr_expect_eq(dkim_sig_key_name(sig, kn), 0);
	cr_expect_str_eq(sbuf_cstr(kn), "test._domainkey.football.example.com");
	sbuf_free(&kn);
	dkim_sig_free(&sig);
	cr_expect_null(sig);
	sbuf_free(&err);
}

static const struct {
	const char *tags;
	enum dkim_canon_alg hc, bc;
	enum dkim_alg alg;
} variants[] = {
    {"v=1; a=rsa-sha256; d=x.org; s=s; h=From; " BH "; b=AAAA",
     DKIM_CANON_SIMPLE, DKIM_CANON_SIMPLE, DKIM_ALG_RSA_SHA256},
    {"v=1; a=rsa-sha256; c=relaxed; d=x.org; s=s; h=From; " BH "; b=AAAA",
     DKIM_CANON_RELAXED, DKIM_CANON_SIMPLE, DKIM_ALG_RSA_SHA256},
    {"v=1; a=ed25519-sha256; c=simple/relaxed; d=x.org; s=s; h=from; " BH
     "; b=AAAA",
     DKIM_CANON_SIMPLE, DKIM_CANON_RELAXED, DKIM_ALG_ED25519_SHA256},
    {"v=1; a=rsa-sha1; d=x.org; s=s; h=from; "
     "bh=AAAAAAAAAAAAAAAAAAAAAAAAAAA=; b=AAAA",
     DKIM_CANON_SIMPLE, DKIM_CANON_SIMPLE, DKIM_ALG_RSA_SHA1},
};

Test(dkim_sig, canonicalization_and_algorithm_variants)
{
	size_t i;

	for (i = 0; i < NCASES(variants); i++) {
		struct sbuf *err = sbuf_new(0);
		struct dkim_sig *sig = parse(variants[i].tags, err);

		cr_assert_not_null(sig, "case %zu: %s", i, sbuf_cstr(err));
		cr_expect_eq(sig->hcanon, variants[i].hc, "case %zu", i);
		cr_expect_eq(sig->bcanon, variants[i].bc, "case %zu", i);
		cr_expect_eq(sig->alg, variants[i].alg, "case %zu", i);
		cr_expect_null(sig->i);
		cr_expect_str_eq(sig->i_domain, "x.org");
		dkim_sig_free(&sig);
		sbuf_free(&err);
	}
}

#define OK_TAIL "; " BH "; b=AAAA"
static const struct {
	const char *tags;
	const char *why; /* substring of the reason */
} bad[] = {
    {"a=rsa-sha256; d=x.org; s=s; h=from" OK_TAIL, "v="},
    {"v=2; a=rsa-sha256; d=x.org; s=s; h=from" OK_TAIL, "v="},
    {"v=1; d=x.org; s=s; h=from" OK_TAIL, "a="},
    {"v=1; a=rsa-md5; d=x.org; s=s; h=from" OK_TAIL, "algorithm"},
    {"v=1; a=rsa-sha256; s=s; h=from" OK_TAIL, "d="},
    {"v=1; a=rsa-sha256; d=x.org; h=from" OK_TAIL, "s="},
    {"v=1; a=rsa-sha256; d=x.org; s=s" OK_TAIL, "h="},
    {"v=1; a=rsa-sha256; d=x.org; s=s; h=to:subject" OK_TAIL, "From"},
    {"v=1; a=rsa-sha256; d=x.org; s=s; h=from::to" OK_TAIL, "empty"},
    {"v=1; a=rsa-sha256; d=legitimate.com(.attacker.com; s=s; h=from" OK_TAIL,
     "d="},
    {"v=1; a=rsa-sha256; d=-x.org; s=s; h=from" OK_TAIL, "d="},
    {"v=1; a=rsa-sha256; d=x..org; s=s; h=from" OK_TAIL, "d="},
    {"v=1; a=rsa-sha256; d=x.org; s=a/b; h=from" OK_TAIL, "s="},
    {"v=1; a=rsa-sha256; d=x.org; s=s; h=from; i=a@y.org" OK_TAIL, "i="},
    {"v=1; a=rsa-sha256; d=x.org; s=s; h=from; i=a@ax.org" OK_TAIL, "i="},
    {"v=1; a=rsa-sha256; d=x.org; s=s; h=from; i=ax.org" OK_TAIL, "i="},
    {"v=1; a=rsa-sha256; d=x.org; s=s; h=from; c=fancy" OK_TAIL, "c="},
    {"v=1; a=rsa-sha256; d=x.org; s=s; h=from; c=simple/" OK_TAIL, "c="},
    {"v=1; a=rsa-sha256; d=x.org; s=s; h=from; q=http" OK_TAIL, "q="},
    {"v=1; a=rsa-sha256; d=x.org; s=s; h=from; l=-1" OK_TAIL, "l="},
    {"v=1; a=rsa-sha256; d=x.org; s=s; h=from; "
     "l=99999999999999999999999" OK_TAIL,
     "l="},
    {"v=1; a=rsa-sha256; d=x.org; s=s; h=from; t=10; x=9" OK_TAIL, "x="},
    {"v=1; a=rsa-sha256; d=x.org; s=s; h=from; t=abc" OK_TAIL, "t="},
    {"v=1; a=rsa-sha256; d=x.org; s=s; h=from; bh=AAAA; b=AAAA", "bh="},
    {"v=1; a=rsa-sha1; d=x.org; s=s; h=from" OK_TAIL, "bh="},
    {"v=1; a=rsa-sha256; d=x.org; s=s; h=from; " BH "; b=A*AA", "b="},
    {"v=1; a=rsa-sha256; d=x.org; s=s; h=from; " BH "; b=", "b="},
    {"v=1; v=1; a=rsa-sha256; d=x.org; s=s; h=from" OK_TAIL, "twice"},
};

Test(dkim_sig, rejects_invalid_signatures)
{
	size_t i;

	for (i = 0; i < NCASES(bad); i++) {
		struct sbuf *err = sbuf_new(0);

		cr_expect_null(parse(bad[i].tags, err), "case %zu", i);
		cr_expect(strstr(sbuf_cstr(err), bad[i].why) != NULL,
			  "case %zu: reason '%s' lacks '%s'", i, sbuf_cstr(err),
			  bad[i].why);
		sbuf_free(&err);
	}
}

Test(dkim_sig, accepts_subdomain_i_and_valid_x)
{
	struct sbuf *err = sbuf_new(0);
	struct dkim_sig *sig =
	    parse("v=1; a=rsa-sha256; d=X.org; s=s; h=from; i=joe@mail.x.ORG; "
		  "t=10; x=10; l=0; q=foo/bar:dns/txt" OK_TAIL,
		  err);

	cr_assert_not_null(sig, "%s", sbuf_cstr(err));
	cr_expect_str_eq(sig->i_domain, "mail.x.ORG");
	cr_expect(sig->has_x && sig->x == 10);
	cr_expect(sig->has_l && sig->l == 0);
	dkim_sig_free(&sig);
	sbuf_free(&err);
}

Test(dkim_sig, domain_syntax)
{
	cr_expect(dkim_sig_is_domain("a.b-c.d", 7));
	cr_expect(dkim_sig_is_domain("_dmarc.x", 8));
	cr_expect(!dkim_sig_is_domain("", 0));
	cr_expect(!dkim_sig_is_domain("a.", 2));
	cr_expect(!dkim_sig_is_domain(".a", 2));
	cr_expect(!dkim_sig_is_domain("a-.b", 4));
	cr_expect(!dkim_sig_is_domain("a b", 3));
	cr_expect(!dkim_sig_is_domain(
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    64));
}

Test(dkim_sig, limits_h_count)
{
	struct sbuf *in = sbuf_new(0), *err = sbuf_new(0);
	int i;

	sbuf_append_str(in, "v=1; a=rsa-sha256; d=x.org; s=s; h=from");
	for (i = 1; i < DKIM_SIG_MAX_H; i++)
		sbuf_append_str(in, ":x");
	sbuf_append_str(in, OK_TAIL);
	struct dkim_sig *sig = parse(sbuf_cstr(in), err);
	cr_assert_not_null(sig, "%s", sbuf_cstr(err));
	cr_expect_eq(sig->nh, DKIM_SIG_MAX_H);
	dkim_sig_free(&sig);
	sbuf_reset(in);
	sbuf_append_str(in, "v=1; a=rsa-sha256; d=x.org; s=s; h=from");
	for (i = 0; i < DKIM_SIG_MAX_H; i++)
		sbuf_append_str(in, ":x");
	sbuf_append_str(in, OK_TAIL);
	cr_expect_null(parse(sbuf_cstr(in), err));
	sbuf_free(&in);
	sbuf_free(&err);
}
