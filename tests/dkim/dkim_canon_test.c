/* dkim_canon_test.c - unit tests for dkim/dkim_canon */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "dkim_canon.h"
#include "sbuf.h"

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

/* b64hash - base64 of the SHA-256 (or SHA-1) of n bytes: the reference */
static char *b64hash(enum dkim_hash h, const void *p, size_t n)
{
	struct dkim_crypto_md *md = dkim_crypto_md_new(h);
	unsigned char out[DKIM_CRYPTO_MD_MAX];
	struct sbuf *b = sbuf_new(0);
	size_t len;

	dkim_crypto_md_update(md, p, n);
	len = dkim_crypto_md_final(md, out);
	dkim_crypto_md_free(&md);
	base64_encode(out, len, b);
	return sbuf_steal(b);
}

/* body_hash - the base64 body hash of s fed in chunks of chunk bytes */
static char *body_hash(enum dkim_canon_alg c, const char *s, size_t n,
		       size_t chunk, bool has_l, uint64_t l)
{
	struct dkim_canon_body *b =
	    dkim_canon_body_new(c, DKIM_HASH_SHA256, has_l, l);
	unsigned char md[DKIM_CRYPTO_MD_MAX];
	struct sbuf *out = sbuf_new(0);
	size_t i, k, len;

	for (i = 0; i < n; i += k) {
		k = n - i < chunk ? n - i : chunk;
		dkim_canon_body_update(b, s + i, k);
	}
	len = dkim_canon_body_final(b, md);
	dkim_canon_body_free(&b);
	cr_assert_null(b);
	base64_encode(md, len, out);
	return sbuf_steal(out);
}

/* expect_body - canonical body of in is want, for every chunk size */
static void expect_body(enum dkim_canon_alg c, const char *in, const char *want,
			const char *what)
{
	char *ref = b64hash(DKIM_HASH_SHA256, want, strlen(want));
	size_t chunk;

	for (chunk = 1; chunk <= strlen(in) + 1; chunk++) {
		char *got = body_hash(c, in, strlen(in), chunk, false, 0);

		cr_expect_str_eq(got, ref, "%s, chunk %zu", what, chunk);
		free(got);
	}
	free(ref);
}

/* RFC 6376 3.4.5 example, headers */
Test(dkim_canon, rfc6376_3_4_5_headers)
{
	static const char *const f[] = {"A: X", "B : Y\t\r\n\tZ  "};
	struct sbuf *rel = sbuf_new(0), *sim = sbuf_new(0);
	size_t i;

	for (i = 0; i < NCASES(f); i++) {
		cr_assert_eq(dkim_canon_header(DKIM_CANON_RELAXED, f[i],
					       strlen(f[i]), true, rel),
			     0);
		cr_assert_eq(dkim_canon_header(DKIM_CANON_SIMPLE, f[i],
					       strlen(f[i]), true, sim),
			     0);
	}
	cr_expect_str_eq(sbuf_cstr(rel), "a:X\r\nb:Y Z\r\n");
	cr_expect_str_eq(sbuf_cstr(sim), "A: X\r\nB : Y\t\r\n\tZ  \r\n");
	sbuf_free(&rel);
	sbuf_free(&sim);
}

/* RFC 6376 3.4.5 example, body */
Test(dkim_canon, rfc6376_3_4_5_body)
{
	static const char body[] = " C \r\nD \t E\r\n\r\n\r\n";

	expect_body(DKIM_CANON_RELAXED, body, " C\r\nD E\r\n", "relaxed");
	expect_body(DKIM_CANON_SIMPLE, body, " C \r\nD \t E\r\n", "simple");
}

static const struct {
	enum dkim_canon_alg c;
	const char *in, *field;
	bool crlf;
} hdrs[] = {
    {DKIM_CANON_RELAXED, "Subject:  Canonicalization   test  \r\n \twith",
     "subject:Canonicalization test with", false},
    {DKIM_CANON_RELAXED, "SUBJECT:", "subject:", true},
    {DKIM_CANON_RELAXED, "X-A \t:\tv", "x-a:v", false},
    {DKIM_CANON_RELAXED,
     "DKIM-Signature: v=1;\r\n b=", "dkim-signature:v=1; b=", false},
    {DKIM_CANON_RELAXED, "To: a\n b", "to:a b", false}, /* bare LF fold */
    {DKIM_CANON_SIMPLE, "Subject:  two  ", "Subject:  two  ", false},
};

Test(dkim_canon, header_fields)
{
	size_t i;

	for (i = 0; i < NCASES(hdrs); i++) {
		struct sbuf *out = sbuf_new(0);
		struct sbuf *want = sbuf_new(0);

		sbuf_printf(want, "%s%s", hdrs[i].field,
			    hdrs[i].crlf ? "\r\n" : "");
		cr_expect_eq(dkim_canon_header(hdrs[i].c, hdrs[i].in,
					       strlen(hdrs[i].in), hdrs[i].crlf,
					       out),
			     0, "case %zu", i);
		cr_expect_str_eq(sbuf_cstr(out), sbuf_cstr(want), "case %zu",
				 i);
		sbuf_free(&out);
		sbuf_free(&want);
	}
}

Test(dkim_canon, header_without_colon_or_room_fails_cleanly)
{
	struct sbuf *out = sbuf_new_max(8, 8);

	cr_expect_eq(
	    dkim_canon_header(DKIM_CANON_RELAXED, "Subject", 7, true, out), -1);
	cr_expect_eq(sbuf_len(out), 0);
	cr_expect_eq(dkim_canon_header(DKIM_CANON_SIMPLE, "Subject: long", 13,
				       true, out),
		     -1);
	cr_expect_eq(sbuf_len(out), 0);
	sbuf_free(&out);
}

static const struct {
	enum dkim_canon_alg c;
	const char *in, *want;
} bodies[] = {
    /* empty bodies: RFC 6376 3.4.3 and 3.4.4 (errata 3192) */
    {DKIM_CANON_SIMPLE, "", "\r\n"},
    {DKIM_CANON_SIMPLE, "\r\n\r\n", "\r\n"},
    {DKIM_CANON_RELAXED, "", ""},
    {DKIM_CANON_RELAXED, "\r\n \r\n\t\r\n", ""},
    /* no final CRLF: one is added */
    {DKIM_CANON_SIMPLE, "a", "a\r\n"},
    {DKIM_CANON_RELAXED, "a  ", "a\r\n"},
    {DKIM_CANON_RELAXED, "a\r\n  ", "a\r\n"},
    {DKIM_CANON_SIMPLE, "a\r\n  ", "a\r\n  \r\n"},
    /* inner empty lines stay, trailing ones go */
    {DKIM_CANON_SIMPLE, "a\r\n\r\n\r\nb\r\n\r\n", "a\r\n\r\n\r\nb\r\n"},
    {DKIM_CANON_RELAXED, "a\r\n \r\n\r\nb\r\n\r\n", "a\r\n\r\n\r\nb\r\n"},
    /* relaxed keeps one leading SP, drops trailing, reduces runs */
    {DKIM_CANON_RELAXED, "\t a \t b\t\r\n", " a b\r\n"},
    /* bare LF ends a line; a lone CR is content */
    {DKIM_CANON_SIMPLE, "a\nb\n\n", "a\r\nb\r\n"},
    {DKIM_CANON_SIMPLE, "a\rb\r\n", "a\rb\r\n"},
    {DKIM_CANON_SIMPLE, "a\r", "a\r\r\n"},
    {DKIM_CANON_RELAXED, "a \r b\r\n", "a \r b\r\n"},
    {DKIM_CANON_SIMPLE, "\r\r\n", "\r\r\n"},
    /* 8-bit bytes pass unchanged */
    {DKIM_CANON_RELAXED, "caf\xc3\xa9  \xe1\r\n", "caf\xc3\xa9 \xe1\r\n"},
};

Test(dkim_canon, body_rules_every_chunk_size)
{
	size_t i;

	for (i = 0; i < NCASES(bodies); i++) {
		char what[32];

		snprintf(what, sizeof(what), "case %zu", i);
		expect_body(bodies[i].c, bodies[i].in, bodies[i].want, what);
	}
}

Test(dkim_canon, known_body_hashes)
{
	char *h;

	/* well-known empty-body hashes */
	h = body_hash(DKIM_CANON_SIMPLE, "", 0, 1, false, 0);
	cr_expect_str_eq(h, "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
	free(h);
	h = body_hash(DKIM_CANON_RELAXED, "", 0, 1, false, 0);
	cr_expect_str_eq(h, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
	free(h);
	/* RFC 6376 A.2: the simple body hash of the one-space A.1 body */
	static const char a1[] = "Hi.\r\n\r\nWe lost the game. Are you hungry "
				 "yet?\r\n\r\nJoe.\r\n";
	h = body_hash(DKIM_CANON_SIMPLE, a1, strlen(a1), 7, false, 0);
	cr_expect_str_eq(h, "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
	free(h);
}

Test(dkim_canon, length_limit)
{
	char *got, *ref;
	uint64_t l;
	static const char in[] = "ab  c\r\n\r\nd\r\n\r\n";
	static const char canon[] = "ab c\r\n\r\nd\r\n";

	for (l = 0; l <= sizeof(canon) + 2; l++) {
		size_t n = l < strlen(canon) ? (size_t)l : strlen(canon);

		ref = b64hash(DKIM_HASH_SHA256, canon, n);
		got = body_hash(DKIM_CANON_RELAXED, in, strlen(in), 3, true, l);
		cr_expect_str_eq(got, ref, "l=%lu", (unsigned long)l);
		free(got);
		free(ref);
	}
}

Test(dkim_canon, reports_canonical_length)
{
	struct dkim_canon_body *b =
	    dkim_canon_body_new(DKIM_CANON_RELAXED, DKIM_HASH_SHA256, true, 2);
	unsigned char md[DKIM_CRYPTO_MD_MAX];

	dkim_canon_body_update(b, "abc  \r\n\r\n", 9);
	cr_expect_eq(dkim_canon_body_length(b), 5); /* "abc\r\n" */
	cr_expect_eq(dkim_canon_body_final(b, md), 32);
	cr_expect_eq(dkim_canon_body_length(b), 5);
	dkim_canon_body_free(&b);
}

Test(dkim_canon, sha1_body_hash)
{
	struct dkim_canon_body *b =
	    dkim_canon_body_new(DKIM_CANON_SIMPLE, DKIM_HASH_SHA1, false, 0);
	unsigned char md[DKIM_CRYPTO_MD_MAX];
	struct sbuf *out = sbuf_new(0);

	cr_assert_eq(dkim_canon_body_final(b, md), 20);
	base64_encode(md, 20, out);
	/* SHA-1 of CRLF */
	cr_expect_str_eq(sbuf_cstr(out), "uoq1oCgLlTqpdDX/iUbLy7J1Wic=");
	dkim_canon_body_free(&b);
	sbuf_free(&out);
}

/* Many empty lines then content: counted, not stored, and all emitted. */
Test(dkim_canon, long_run_of_empty_lines)
{
	enum { LINES = 200000 };
	struct dkim_canon_body *b =
	    dkim_canon_body_new(DKIM_CANON_SIMPLE, DKIM_HASH_SHA256, false, 0);
	struct dkim_crypto_md *ref = dkim_crypto_md_new(DKIM_HASH_SHA256);
	unsigned char md[DKIM_CRYPTO_MD_MAX], rmd[DKIM_CRYPTO_MD_MAX];
	size_t i;

	dkim_canon_body_update(b, "x\r\n", 3);
	dkim_crypto_md_update(ref, "x\r\n", 3);
	for (i = 0; i < LINES; i++) {
		dkim_canon_body_update(b, "\r\n", 2);
		dkim_crypto_md_update(ref, "\r\n", 2);
	}
	dkim_canon_body_update(b, "y", 1);
	dkim_crypto_md_update(ref, "y\r\n", 3);
	cr_expect_eq(dkim_canon_body_length(b), 3 + 2 * (uint64_t)LINES + 1);
	cr_assert_eq(dkim_canon_body_final(b, md), 32);
	cr_assert_eq(dkim_crypto_md_final(ref, rmd), 32);
	cr_expect_eq(memcmp(md, rmd, 32), 0);
	dkim_canon_body_free(&b);
	dkim_crypto_md_free(&ref);
}
