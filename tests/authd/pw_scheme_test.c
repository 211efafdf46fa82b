/* pw_scheme_test.c - Dovecot password schemes against doveadm's vectors */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pw_scheme.h"
#include "sbuf.h"

/* The TSV files of shared/testdata/passwords (see its README). */
static const char *const vector_files[] = {
	"doveadm-pw-vectors.tsv",
	"dovecot-upstream-vectors.tsv",
	"edge-cases.tsv",
};

struct tally {
	unsigned int checked;
	unsigned int skipped;
};

/*
 * testdata_dir - the shared vectors, or NULL when they are not beside the
 * tree (a make distcheck tree): the test then says so and skips
 */
static const char *testdata_dir(void)
{
	const char *d = getenv("PW_TESTDATA_DIR");
	struct stat st;

	if (d == NULL || *d == '\0' || stat(d, &st) < 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return d;
}

/* split_tabs - cut line at tabs into at most max fields */
static size_t split_tabs(char *line, char **fields, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		fields[n++] = p;
		p = strchr(p, '\t');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

/* column_of - index of a header name, or -1 */
static int column_of(char **hdr, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(hdr[i], name) == 0)
			return (int)i;
	return -1;
}

/* check_file - verify every row whose scheme is in our table */
static void check_file(const char *dir, const char *file, struct tally *t)
{
	char path[4096], *line = NULL, *hdr_line = NULL, *hdr[8], *f[8];
	int c_scheme, c_hash, c_pw, c_user, c_expect;
	size_t cap = 0, nh, nf;
	unsigned int lineno = 1;
	ssize_t len;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/passwords/%s", dir, file);
	fp = fopen(path, "r");
	cr_assert_not_null(fp, "cannot open %s", path);
	cr_assert(getline(&hdr_line, &cap, fp) > 0);
	hdr_line[strcspn(hdr_line, "\n")] = '\0';
	nh = split_tabs(hdr_line, hdr, 8);
	c_scheme = column_of(hdr, nh, "scheme");
	c_hash = column_of(hdr, nh, "hash");
	c_pw = column_of(hdr, nh, "password");
	c_user = column_of(hdr, nh, "user");
	c_expect = column_of(hdr, nh, "expect");
	cr_assert(c_scheme >= 0 && c_hash >= 0 && c_pw >= 0 && c_user >= 0);
	cap = 0;
	while ((len = getline(&line, &cap, fp)) > 0) {
		struct sbuf *err = sbuf_new(64);
		const char *user;
		bool want_match;
		enum pw_result r;
		char *wrong;

		lineno++;
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		nf = split_tabs(line, f, 8);
		cr_assert(nf >= nh - 1, "%s:%u: short row", file, lineno);
		if (pw_scheme_find(f[c_scheme]) == NULL) {
			t->skipped++;
			sbuf_free(&err);
			continue;
		}
		user = *f[c_user] != '\0' ? f[c_user] : NULL;
		want_match = c_expect < 0 || strcmp(f[c_expect], "match") == 0;
		r = pw_scheme_verify(f[c_hash], f[c_pw], user, NULL, err);
		cr_expect_eq(r, want_match ? PW_MATCH : PW_MISMATCH,
			     "%s:%u: %s: got %d (%s)", file, lineno, f[c_hash],
			     r, sbuf_cstr(err));
		if (want_match) {
			/* any change in the first byte must not match */
			wrong = strdup(f[c_pw]);
			wrong[0] ^= 0x01;
			cr_expect_eq(pw_scheme_verify(f[c_hash], wrong, user,
						      NULL, NULL),
				     PW_MISMATCH, "%s:%u: wrong password "
				     "matched", file, lineno);
			free(wrong);
		}
		t->checked++;
		sbuf_free(&err);
	}
	free(line);
	free(hdr_line);
	fclose(fp);
}

Test(pw_scheme, dovecot_vectors)
{
	const char *dir = testdata_dir();
	struct tally t = {0, 0};
	size_t i;

	if (dir == NULL)
		cr_skip_test("no shared test vectors (PW_TESTDATA_DIR unset or "
			     "missing): skipped");
	for (i = 0; i < sizeof(vector_files) / sizeof(vector_files[0]); i++)
		check_file(dir, vector_files[i], &t);
	/* crypt family and plaintext rows: 4 or 6 per scheme and more */
	cr_expect_geq(t.checked, 60, "only %u rows checked", t.checked);
	cr_log_info("%u rows checked, %u rows of other schemes skipped",
		    t.checked, t.skipped);
}

/* roundtrip - generate, check the prefix, verify right and wrong */
static void roundtrip(const char *scheme, unsigned int rounds,
		      const char *want_prefix)
{
	struct sbuf *out = sbuf_new(128), *err = sbuf_new(64);

	cr_assert_eq(pw_scheme_generate(scheme, "correct horse", NULL, rounds,
					out, err),
		     0, "%s: %s", scheme, sbuf_cstr(err));
	cr_expect(strncmp(sbuf_cstr(out), want_prefix, strlen(want_prefix)) ==
			  0,
		  "%s: got %s", scheme, sbuf_cstr(out));
	cr_expect_eq(pw_scheme_verify(sbuf_cstr(out), "correct horse", NULL,
				      NULL, err),
		     PW_MATCH, "%s: %s", sbuf_cstr(out), sbuf_cstr(err));
	cr_expect_eq(pw_scheme_verify(sbuf_cstr(out), "correct horsE", NULL,
				      NULL, err),
		     PW_MISMATCH);
	sbuf_free(&out);
	sbuf_free(&err);
}

Test(pw_scheme, generate_sha512_crypt)
{
	roundtrip("SHA512-CRYPT", 0, "{SHA512-CRYPT}$6$");
	roundtrip(PW_SCHEME_DEFAULT, 0, "{SHA512-CRYPT}$6$");
}

Test(pw_scheme, generate_sha256_crypt)
{
	roundtrip("sha256-crypt", 0, "{SHA256-CRYPT}$5$");
}

Test(pw_scheme, generate_blf_crypt)
{
	roundtrip("BLF-CRYPT", 0, "{BLF-CRYPT}$2y$05$");
	roundtrip("BLF-CRYPT", 6, "{BLF-CRYPT}$2y$06$");
	roundtrip("CRYPT", 0, "{CRYPT}$2y$05$");
}

Test(pw_scheme, generate_rounds)
{
	roundtrip("SHA512-CRYPT", 10000, "{SHA512-CRYPT}$6$rounds=10000$");
}

Test(pw_scheme, generate_plain)
{
	roundtrip("PLAIN", 0, "{PLAIN}correct horse");
}

Test(pw_scheme, salts_differ)
{
	struct sbuf *a = sbuf_new(128), *b = sbuf_new(128), *err = sbuf_new(64);

	cr_assert_eq(pw_scheme_generate("SHA512-CRYPT", "x", NULL, 0, a, err),
		     0);
	cr_assert_eq(pw_scheme_generate("SHA512-CRYPT", "x", NULL, 0, b, err),
		     0);
	cr_expect_str_neq(sbuf_cstr(a), sbuf_cstr(b));
	sbuf_free(&a);
	sbuf_free(&b);
	sbuf_free(&err);
}

Test(pw_scheme, generate_refuses)
{
	struct sbuf *out = sbuf_new(128), *err = sbuf_new(64);

	cr_expect_eq(pw_scheme_generate("NOPE", "pw", NULL, 0, out, err), -1);
	cr_expect_eq(pw_scheme_generate("MD5-CRYPT", "pw", NULL, 0, out, err),
		     -1);
	cr_expect_eq(pw_scheme_generate("BLF-CRYPT", "pw", NULL, 99, out,
					err),
		     -1);
	cr_expect_null(strstr(sbuf_cstr(err), "pw "));
	cr_expect(!pw_scheme_can_generate("DES-CRYPT"));
	cr_expect(pw_scheme_can_generate("sha512-crypt"));
	sbuf_free(&out);
	sbuf_free(&err);
}

Test(pw_scheme, unknown_and_default_scheme)
{
	cr_expect_eq(pw_scheme_verify("{NOPE}x", "x", NULL, NULL, NULL),
		     PW_UNKNOWN_SCHEME);
	cr_expect_eq(pw_scheme_verify("{PLAIN.rot13}x", "x", NULL, NULL, NULL),
		     PW_UNKNOWN_SCHEME);
	cr_expect_eq(pw_scheme_verify("secret", "secret", NULL, NULL, NULL),
		     PW_UNKNOWN_SCHEME);
	cr_expect_eq(pw_scheme_verify("secret", "secret", NULL, "plain", NULL),
		     PW_MATCH);
	/* a plaintext that looks prefixed needs {PLAIN} in front */
	cr_expect_eq(pw_scheme_verify("{PLAIN}{abc}", "{abc}", NULL, NULL,
				      NULL),
		     PW_MATCH);
	cr_expect_eq(pw_scheme_verify("{PLAIN.HEX}736563726574", "secret",
				      NULL, NULL, NULL),
		     PW_MATCH);
}

Test(pw_scheme, malformed)
{
	struct sbuf *err = sbuf_new(64);

	cr_expect_eq(pw_scheme_verify("{SHA512-CRYPT}", "hunter2", NULL, NULL, err),
		     PW_INVALID);
	cr_expect_eq(pw_scheme_verify("{CRYPT}*", "hunter2", NULL, NULL, err),
		     PW_INVALID);
	cr_expect_eq(pw_scheme_verify("{BLF-CRYPT}$2y$99$abcdefghijklmnopqrstuu"
				      "abcdefghijklmnopqrstuvwxyz01234",
				      "hunter2", NULL, NULL, err),
		     PW_INVALID);
	cr_expect_eq(pw_scheme_verify("{PLAIN.HEX}73656", "hunter2", NULL, NULL, err),
		     PW_INVALID);
	/* the password never shows up in messages */
	cr_expect_null(strstr(sbuf_cstr(err), "hunter2"));
	sbuf_free(&err);
}

Test(pw_scheme, too_long_password)
{
	char *pw = malloc(PW_SCHEME_MAX_PASSWORD + 2);
	struct sbuf *out = sbuf_new(64), *err = sbuf_new(64);

	memset(pw, 'a', PW_SCHEME_MAX_PASSWORD + 1);
	pw[PW_SCHEME_MAX_PASSWORD + 1] = '\0';
	cr_expect_eq(pw_scheme_generate("PLAIN", pw, NULL, 0, out, err), -1);
	sbuf_reset(out);
	sbuf_append_str(out, "{PLAIN}");
	sbuf_append_str(out, pw);
	cr_expect_eq(pw_scheme_verify(sbuf_cstr(out), pw, NULL, NULL, NULL),
		     PW_MISMATCH);
	free(pw);
	sbuf_free(&out);
	sbuf_free(&err);
}
