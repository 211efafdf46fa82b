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
	unsigned int matched;	 /* labelled match, and matched */
	unsigned int mismatched; /* labelled mismatch, and did not match */
	unsigned int unknown;	 /* labelled unknown to doveadm, and so here */
	unsigned int skipped;	 /* scheme not in our table: must stay 0 */
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
	int c_scheme, c_hash, c_pw, c_user, c_expect, c_note;
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
	c_note = column_of(hdr, nh, "note");
	cr_assert(c_scheme >= 0 && c_hash >= 0 && c_pw >= 0 && c_user >= 0);
	cap = 0;
	while ((len = getline(&line, &cap, fp)) > 0) {
		struct sbuf *err = sbuf_new(64);
		const char *user, *note;
		bool want_match;
		enum pw_result r;
		char *wrong;

		lineno++;
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		nf = split_tabs(line, f, 8);
		cr_assert(nf >= nh - 1, "%s:%u: short row", file, lineno);
		note = c_note >= 0 && (size_t)c_note < nf ? f[c_note] : "";
		t->checked++;
		if (strstr(note, "unknown scheme") != NULL) {
			/* the {ARGON2} alias: Dovecot 2.3.19 does not know it */
			cr_expect_eq(pw_scheme_verify(f[c_hash], f[c_pw], NULL,
						      NULL, NULL),
				     PW_UNKNOWN_SCHEME, "%s:%u", file, lineno);
			t->unknown++;
			sbuf_free(&err);
			continue;
		}
		if (pw_scheme_find(f[c_scheme]) == NULL) {
			t->skipped++;
			sbuf_free(&err);
			continue;
		}
		user = *f[c_user] != '\0' ? f[c_user] : NULL;
		want_match = c_expect < 0 || strcmp(f[c_expect], "match") == 0;
		r = pw_scheme_verify(f[c_hash], f[c_pw], user, NULL, err);
		/* a row labelled as an error may not match; it is malformed */
		if (!want_match && r == PW_INVALID &&
		    strstr(note, "error") != NULL)
			r = PW_MISMATCH;
		cr_expect_eq(r, want_match ? PW_MATCH : PW_MISMATCH,
			     "%s:%u: %s: got %d (%s)", file, lineno, f[c_hash],
			     r, sbuf_cstr(err));
		if (r == PW_MATCH && want_match)
			t->matched++;
		else if (r == PW_MISMATCH && !want_match)
			t->mismatched++;
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
		sbuf_free(&err);
	}
	free(line);
	free(hdr_line);
	fclose(fp);
}

Test(pw_scheme, dovecot_vectors)
{
	const char *dir = testdata_dir();
	struct tally t = {0, 0, 0, 0, 0};
	size_t i;

	if (dir == NULL)
		cr_skip_test("no shared test vectors (PW_TESTDATA_DIR unset or "
			     "missing): skipped");
	for (i = 0; i < sizeof(vector_files) / sizeof(vector_files[0]); i++)
		check_file(dir, vector_files[i], &t);
	/* 132 + 21 + 38 rows (see the README of the vectors) */
	cr_expect_geq(t.checked, 191, "only %u rows checked", t.checked);
	cr_expect_eq(t.skipped, 0, "%u rows of unknown schemes", t.skipped);
	cr_expect_eq(t.matched + t.mismatched + t.unknown, t.checked,
		     "%u rows not as labelled",
		     t.checked - t.matched - t.mismatched - t.unknown);
	fprintf(stderr,
		"dovecot_vectors: %u rows checked: %u match, %u mismatch, "
		"%u unknown scheme, as labelled; %u skipped\n",
		t.checked, t.matched, t.mismatched, t.unknown, t.skipped);
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

struct vcase {
	const char *stored;
	const char *password;
	const char *user;
	enum pw_result want;
};

/* run_cases - each stored value against its password */
static void run_cases(const struct vcase *c, size_t n)
{
	struct sbuf *err = sbuf_new(64);
	size_t i;

	for (i = 0; i < n; i++) {
		sbuf_reset(err);
		cr_expect_eq(pw_scheme_verify(c[i].stored, c[i].password,
					      c[i].user, NULL, err),
			     c[i].want, "%s: want %d (%s)", c[i].stored,
			     c[i].want, sbuf_cstr(err));
		cr_expect_null(strstr(sbuf_cstr(err), "hunter2"));
	}
	sbuf_free(&err);
}

#define RUN(cases) run_cases(cases, sizeof(cases) / sizeof(cases[0]))

Test(pw_scheme, digests)
{
	static const struct vcase c[] = {
		/* RFC 1320 A.5 */
		{"{PLAIN-MD4}31d6cfe0d16ae931b73c59d7e0c089c0", "", NULL,
		 PW_MATCH},
		{"{PLAIN-MD4}d79e1c308aa5bbcdeea8ed63df412da9",
		 "abcdefghijklmnopqrstuvwxyz", NULL, PW_MATCH},
		{"{PLAIN-MD4}e33b4ddc9c38f2199c3e7b164fcc0536",
		 "1234567890123456789012345678901234567890123456789012345678"
		 "9012345678901234567890",
		 NULL, PW_MATCH},
		{"{SHA1}e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4", "secreT",
		 NULL, PW_MISMATCH},
		{"{SHA1.HEX}E5E9FA1BA31ECD1AE84F75CAAA474F3A663F05F4", "secret",
		 NULL, PW_MATCH},
		{"{LDAP-MD5.hex}5ebe2294ecd0e0f08eab7690d2a6ee69", "secret",
		 NULL, PW_MATCH},
		{"{MD5}5ebe2294ecd0e0f08eab7690d2a6ee69", "secret", NULL,
		 PW_MATCH},
		{"{MD5}Xr4ilOzQ4PCOq3aQ0qbuaQ==", "secret", NULL, PW_MATCH},
		/* malformed: bad base64, wrong length, bad hex */
		{"{SHA1}5en6G6MezRroT3XKqkdPOmY/BfQ", "hunter2", NULL,
		 PW_INVALID},
		{"{SHA1}5en6G6MezRroT3XKqkdPOmY/Bf==", "hunter2", NULL,
		 PW_INVALID},
		{"{SHA256}K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unol", "hunter2",
		 NULL, PW_INVALID},
		{"{SHA256.HEX}2bb80d537b1da3e38bd30361aa855686", "hunter2",
		 NULL, PW_INVALID},
		{"{PLAIN-MD5}5ebe2294ecd0e0f08eab7690d2a6ee6g", "hunter2", NULL,
		 PW_INVALID},
		{"{PLAIN-MD5}", "hunter2", NULL, PW_INVALID},
		{"{MD5}!!", "hunter2", NULL, PW_INVALID},
		{"{CRAM-MD5}cd3ba7deaad6e5ca23448ba42e379747", "hunter2", NULL,
		 PW_INVALID},
	};
	RUN(c);
}

Test(pw_scheme, salted)
{
	static const struct vcase c[] = {
		{"{SSHA}cAV0wGMBYGx73dMVUKcBPKNPQ2+0dwYM", "secret", NULL,
		 PW_MATCH},
		/* salt of 1 byte is still a salt; none is malformed */
		{"{SSHA}5en6G6MezRroT3XKqkdPOmY/BfQ=", "secret", NULL,
		 PW_INVALID},
		{"{SMD5}Xr4ilOzQ4PCOq3aQ0qbuaQ==", "secret", NULL, PW_INVALID},
		{"{SSHA512}AAAA", "hunter2", NULL, PW_INVALID},
		{"{SSHA}cAV0wGMBYGx73dMVUKcBPKNPQ2+0dwY*", "hunter2", NULL,
		 PW_INVALID},
	};
	RUN(c);
}

Test(pw_scheme, cram_and_digest_md5)
{
	static const struct vcase c[] = {
		{"{CRAM-MD5}cd3ba7deaad6e5ca23448ba42e379747a9e0f7f1fbc00c8a81bb"
		 "aac395731b56",
		 "secret", NULL, PW_MATCH},
		{"{HMAC-MD5}cd3ba7deaad6e5ca23448ba42e379747a9e0f7f1fbc00c8a81bb"
		 "aac395731b56",
		 "secreT", NULL, PW_MISMATCH},
		{"{DIGEST-MD5}30969131580e626606ce70ceaab77719", "secret",
		 "user@example.com", PW_MATCH},
		/* no user name: cannot be checked */
		{"{DIGEST-MD5}30969131580e626606ce70ceaab77719", "hunter2", NULL,
		 PW_INVALID},
	};
	struct sbuf *out = sbuf_new(64), *err = sbuf_new(64);
	char longpw[200];

	RUN(c);
	/* keys over one MD5 block are hashed first (RFC 2104) */
	memset(longpw, 'k', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = '\0';
	cr_assert_eq(pw_scheme_generate_any("CRAM-MD5", longpw, NULL, 0, out,
					    err),
		     0);
	cr_expect_eq(pw_scheme_verify(sbuf_cstr(out), longpw, NULL, NULL,
				      NULL),
		     PW_MATCH);
	/* user@domain@realm: the realm is after the last '@' */
	sbuf_reset(out);
	cr_assert_eq(pw_scheme_generate_any("DIGEST-MD5", "pw", "a@b@c", 0,
					    out, err),
		     0);
	cr_expect_eq(pw_scheme_verify(sbuf_cstr(out), "pw", "a@b@c", NULL,
				      NULL),
		     PW_MATCH);
	cr_expect_eq(pw_scheme_verify(sbuf_cstr(out), "pw", "a@b@d", NULL,
				      NULL),
		     PW_MISMATCH);
	cr_expect_eq(pw_scheme_generate_any("DIGEST-MD5", "pw", NULL, 0, out,
					    err),
		     -1);
	sbuf_free(&out);
	sbuf_free(&err);
}

Test(pw_scheme, pbkdf2)
{
	static const struct vcase c[] = {
		{"{PBKDF2}$1$bUnT4Pl7yFtYX0KU$5000$50a83cafdc517b9f46519415e53c6"
		 "a858908680a",
		 "test", NULL, PW_MATCH},
		{"{PBKDF2}$1$bUnT4Pl7yFtYX0KU$5000$50A83CAFDC517B9F46519415E53C6"
		 "A858908680A",
		 "test", NULL, PW_MATCH},
		{"{PBKDF2}$1$bUnT4Pl7yFtYX0KV$5000$50a83cafdc517b9f46519415e53c6"
		 "a858908680a",
		 "test", NULL, PW_MISMATCH},
		/* truncated, extra fields, bad numbers, bad hex */
		{"{PBKDF2}$1$bUnT4Pl7yFtYX0KU$5000$50a83cafdc517b9f46519415e53c6"
		 "a858908680",
		 "hunter2", NULL, PW_INVALID},
		{"{PBKDF2}$1$bUnT4Pl7yFtYX0KU$5000", "hunter2", NULL,
		 PW_INVALID},
		{"{PBKDF2}$1$bUnT4Pl7yFtYX0KU", "hunter2", NULL, PW_INVALID},
		{"{PBKDF2}$1$", "hunter2", NULL, PW_INVALID},
		{"{PBKDF2}$2$s$5000$50a83cafdc517b9f46519415e53c6a858908680a",
		 "hunter2", NULL, PW_INVALID},
		{"{PBKDF2}$1$s$5000$50a83cafdc517b9f46519415e53c6a858908680a$",
		 "hunter2", NULL, PW_INVALID},
		{"{PBKDF2}$1$s$0$50a83cafdc517b9f46519415e53c6a858908680a",
		 "hunter2", NULL, PW_INVALID},
		{"{PBKDF2}$1$s$-5$50a83cafdc517b9f46519415e53c6a858908680a",
		 "hunter2", NULL, PW_INVALID},
		{"{PBKDF2}$1$s$ 5000$50a83cafdc517b9f46519415e53c6a858908680a",
		 "hunter2", NULL, PW_INVALID},
		{"{PBKDF2}$1$s$5000$50a83cafdc517b9f46519415e53c6a85890868zz",
		 "hunter2", NULL, PW_INVALID},
		/* cost limit: refused before any work */
		{"{PBKDF2}$1$s$1000001$50a83cafdc517b9f46519415e53c6a858908680a",
		 "hunter2", NULL, PW_INVALID},
		{"{PBKDF2}$1$s$4294967295$50a83cafdc517b9f46519415e53c6a8589086"
		 "80a",
		 "hunter2", NULL, PW_INVALID},
		{"{PBKDF2}$1$s$99999999999$50a83cafdc517b9f46519415e53c6a858908"
		 "680a",
		 "hunter2", NULL, PW_INVALID},
	};
	RUN(c);
}

Test(pw_scheme, scram)
{
	static const struct vcase c[] = {
		{"{SCRAM-SHA-1}4096,GetyLXdBuHzf1FWf8SLz2Q==,NA/OqmF4hhrsrB9KR7p"
		 "o+dliTGM=,QBiURvQaE6H6qYTmeghDHLANBFQ=",
		 "test", NULL, PW_MATCH},
		{"{SCRAM-SHA-1}4096,GetyLXdBuHzf1FWf8SLz2Q==,NA/OqmF4hhrsrB9KR7p"
		 "o+dliTGM=,QBiURvQaE6H6qYTmeghDHLANBFQ=",
		 "tesT", NULL, PW_MISMATCH},
		/* truncated fields, bad base64, wrong key sizes */
		{"{SCRAM-SHA-1}4096,GetyLXdBuHzf1FWf8SLz2Q==,NA/OqmF4hhrsrB9KR7p"
		 "o+dliTGM=",
		 "hunter2", NULL, PW_INVALID},
		{"{SCRAM-SHA-1}4096,GetyLXdBuHzf1FWf8SLz2Q==", "hunter2", NULL,
		 PW_INVALID},
		{"{SCRAM-SHA-1}", "hunter2", NULL, PW_INVALID},
		{"{SCRAM-SHA-1}4096,,NA/OqmF4hhrsrB9KR7po+dliTGM=,QBiURvQaE6H6qY"
		 "TmeghDHLANBFQ=",
		 "hunter2", NULL, PW_INVALID},
		{"{SCRAM-SHA-1}4096,Gety*XdBuHzf1FWf8SLz2Q==,NA/OqmF4hhrsrB9KR7p"
		 "o+dliTGM=,QBiURvQaE6H6qYTmeghDHLANBFQ=",
		 "hunter2", NULL, PW_INVALID},
		{"{SCRAM-SHA-256}4096,GetyLXdBuHzf1FWf8SLz2Q==,NA/OqmF4hhrsrB9KR"
		 "7po+dliTGM=,QBiURvQaE6H6qYTmeghDHLANBFQ=",
		 "hunter2", NULL, PW_INVALID},
		{"{SCRAM-SHA-1}4096,GetyLXdBuHzf1FWf8SLz2Q==,NA/OqmF4hhrsrB9KR7p"
		 "o+dliTGM=,QBiURvQaE6H6qYTmeghDHLANBFQ=,x",
		 "hunter2", NULL, PW_INVALID},
		/* iterations: Dovecot's minimum 4096, our maximum */
		{"{SCRAM-SHA-1}4095,GetyLXdBuHzf1FWf8SLz2Q==,NA/OqmF4hhrsrB9KR7p"
		 "o+dliTGM=,QBiURvQaE6H6qYTmeghDHLANBFQ=",
		 "hunter2", NULL, PW_INVALID},
		{"{SCRAM-SHA-1}1000001,GetyLXdBuHzf1FWf8SLz2Q==,NA/OqmF4hhrsrB9K"
		 "R7po+dliTGM=,QBiURvQaE6H6qYTmeghDHLANBFQ=",
		 "hunter2", NULL, PW_INVALID},
		{"{SCRAM-SHA-1}2147483647,GetyLXdBuHzf1FWf8SLz2Q==,NA/OqmF4hhrsr"
		 "B9KR7po+dliTGM=,QBiURvQaE6H6qYTmeghDHLANBFQ=",
		 "hunter2", NULL, PW_INVALID},
	};
	RUN(c);
}

Test(pw_scheme, plain_trunc)
{
	static const struct vcase c[] = {
		{"{PLAIN-TRUNC}0-", "", NULL, PW_MATCH},
		{"{PLAIN-TRUNC}-password", "hunter2", NULL, PW_INVALID},
		{"{PLAIN-TRUNC}8", "hunter2", NULL, PW_INVALID},
		{"{PLAIN-TRUNC}99999999999999999999999-x", "hunter2", NULL,
		 PW_INVALID},
		{"{PLAIN-TRUNC.b64}OC1wYXNzd29yZA==", "passwordXYZ", NULL,
		 PW_MATCH},
	};
	RUN(c);
}

Test(pw_scheme, crypt_limits)
{
	static const struct vcase c[] = {
		/* costs over the limits are refused without running */
		{"{SHA512-CRYPT}$6$rounds=999999999$salt$x", "hunter2", NULL,
		 PW_INVALID},
		{"{CRYPT}$5$rounds=1000001$salt$x", "hunter2", NULL, PW_INVALID},
		{"{CRYPT}$5$rounds=$salt$x", "hunter2", NULL, PW_INVALID},
		{"{BLF-CRYPT}$2y$16$3wjLuK1XlCbNnaeV7CdBs.h9e/7bG2Febg1j24v41y"
		 "MLX7t1ekFjC",
		 "hunter2", NULL, PW_INVALID},
		{"{BLF-CRYPT}$2y$31$3wjLuK1XlCbNnaeV7CdBs.h9e/7bG2Febg1j24v41y"
		 "MLX7t1ekFjC",
		 "hunter2", NULL, PW_INVALID},
		{"{BLF-CRYPT}$2y$5$3wjLuK1XlCbNnaeV7CdBs.h9e/7bG2Febg1j24v41y"
		 "MLX7t1ekFjC",
		 "hunter2", NULL, PW_INVALID},
		/* {MD5-CRYPT} is Dovecot's own "$1$" code: nothing else */
		{"{MD5-CRYPT}mTXS6ggrqiRpM", "secret", NULL, PW_MISMATCH},
		{"{MD5-CRYPT}$1$bGCG3j3P$kVllZd8KJIHdYKHG3.Q1V0", "secret", NULL,
		 PW_MATCH},
		{"{CRYPT}$1$bGCG3j3P$kVllZd8KJIHdYKHG3.Q1V0", "secret", NULL,
		 PW_MATCH},
	};
	RUN(c);
}

Test(pw_scheme, argon2_limits)
{
	static const struct vcase c[] = {
		/* the variant inside the string decides, as libsodium */
		{"{ARGON2I}$argon2id$v=19$m=65536,t=3,p=1$vBb99oJ12p3WAdYlaMHz1"
		 "A$jtFOtbo/sYV9OSlTxDo/nVNq3uArHd5GJSEx0ty85Cc",
		 "test", NULL, PW_MATCH},
		{"{ARGON2ID}$argon2id$v=19$m=4194304,t=3,p=1$vBb99oJ12p3WAdYlaM"
		 "Hz1A$jtFOtbo/sYV9OSlTxDo/nVNq3uArHd5GJSEx0ty85Cc",
		 "hunter2", NULL, PW_INVALID},
		{"{ARGON2ID}$argon2id$v=19$m=65536,t=1000,p=1$vBb99oJ12p3WAdYla"
		 "MHz1A$jtFOtbo/sYV9OSlTxDo/nVNq3uArHd5GJSEx0ty85Cc",
		 "hunter2", NULL, PW_INVALID},
		{"{ARGON2ID}$argon2id$v=19$m=262144,t=16,p=1$vBb99oJ12p3WAdYlaM"
		 "Hz1A$jtFOtbo/sYV9OSlTxDo/nVNq3uArHd5GJSEx0ty85Cc",
		 "hunter2", NULL, PW_INVALID},
		{"{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=255$vBb99oJ12p3WAdYlaM"
		 "Hz1A$jtFOtbo/sYV9OSlTxDo/nVNq3uArHd5GJSEx0ty85Cc",
		 "hunter2", NULL, PW_INVALID},
		{"{ARGON2ID}$argon2d$v=19$m=65536,t=3,p=1$vBb99oJ12p3WAdYlaMHz1"
		 "A$jtFOtbo/sYV9OSlTxDo/nVNq3uArHd5GJSEx0ty85Cc",
		 "hunter2", NULL, PW_INVALID},
		{"{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$vBb99oJ12p3WAdYlaMHz1"
		 "A",
		 "hunter2", NULL, PW_INVALID},
		{"{ARGON2ID}$argon2id$v=19$m=65536", "hunter2", NULL,
		 PW_INVALID},
	};
	RUN(c);
}

Test(pw_scheme, otp)
{
	static const struct vcase c[] = {
		{"{OTP}sha1 1024 ae6b49aa481f7233 f69fc7f98b8fbf54", "test",
		 NULL, PW_MATCH},
		{"{OTP}SHA1 1024 AE6B49AA481F7233 F69FC7F98B8FBF54", "test",
		 NULL, PW_MATCH},
		{"{OTP}sha1 1023 ae6b49aa481f7233 f69fc7f98b8fbf54", "test",
		 NULL, PW_MISMATCH},
		{"{OTP}sha2 1024 ae6b49aa481f7233 f69fc7f98b8fbf54", "hunter2",
		 NULL, PW_INVALID},
		{"{OTP}sha1 99999 ae6b49aa481f7233 f69fc7f98b8fbf54", "hunter2",
		 NULL, PW_INVALID},
		{"{OTP}sha1 1024 ae6b49aa-81f7233 f69fc7f98b8fbf54", "hunter2",
		 NULL, PW_INVALID},
		{"{OTP}sha1 1024 ae6b49aa481f72330 f69fc7f98b8fbf54", "hunter2",
		 NULL, PW_INVALID},
		{"{OTP}sha1 1024 ae6b49aa481f7233 f69fc7f98b8fbf5", "hunter2",
		 NULL, PW_INVALID},
		{"{OTP}sha1 1024 ae6b49aa481f7233", "hunter2", NULL, PW_INVALID},
	};
	RUN(c);
}

/* Every scheme with a generator makes a hash that verifies. */
Test(pw_scheme, generate_every_scheme)
{
	struct sbuf *out = sbuf_new(128), *err = sbuf_new(64);
	const char *pws[] = {"correct horse", "", "p\xc3\xa4ss w\"rd\\"};
	size_t i, j;

	for (i = 0; i < pw_scheme_count(); i++) {
		const struct pw_scheme *s = pw_scheme_at(i);

		cr_assert_not_null(s->generate, "%s has no generator",
				   s->name);
		for (j = 0; j < sizeof(pws) / sizeof(pws[0]); j++) {
			sbuf_reset(out);
			cr_assert_eq(pw_scheme_generate_any(s->name, pws[j],
							    "u@example.com", 0,
							    out, err),
				     0, "%s: %s", s->name, sbuf_cstr(err));
			cr_expect_eq(pw_scheme_verify(sbuf_cstr(out), pws[j],
						      "u@example.com", NULL,
						      err),
				     PW_MATCH, "%s", sbuf_cstr(out));
			if (strcmp(s->name, "PLAIN-TRUNC") != 0 ||
			    *pws[j] != '\0')
				cr_expect_eq(pw_scheme_verify(sbuf_cstr(out),
							      "wrong",
							      "u@example.com",
							      NULL, err),
					     PW_MISMATCH, "%s",
					     sbuf_cstr(out));
		}
		/* weak ones are refused for storing */
		sbuf_reset(out);
		cr_expect_eq(pw_scheme_generate(s->name, "x", NULL, 0, out,
						err) == 0,
			     !s->weak, "%s", s->name);
		cr_expect_eq(pw_scheme_can_generate(s->name), !s->weak);
	}
	sbuf_free(&out);
	sbuf_free(&err);
}

Test(pw_scheme, generate_defaults_and_costs)
{
	roundtrip("ARGON2ID", 0, "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$");
	roundtrip("ARGON2I", 0, "{ARGON2I}$argon2i$v=19$m=32768,t=4,p=1$");
	roundtrip("ARGON2I", 5, "{ARGON2I}$argon2i$v=19$m=32768,t=5,p=1$");
	roundtrip("PBKDF2", 0, "{PBKDF2}$1$");
	roundtrip("PBKDF2", 6000, "{PBKDF2}$1$");
	roundtrip("SCRAM-SHA-256", 0, "{SCRAM-SHA-256}4096,");
	roundtrip("SCRAM-SHA-1", 5000, "{SCRAM-SHA-1}5000,");
	{
		struct sbuf *out = sbuf_new(64), *err = sbuf_new(64);

		/* over the verify limits: generation refuses too */
		cr_expect_eq(pw_scheme_generate("PBKDF2", "x", NULL,
						PW_SCHEME_MAX_PBKDF2_ROUNDS + 1,
						out, err),
			     -1);
		cr_expect_eq(pw_scheme_generate("SCRAM-SHA-1", "x", NULL, 100,
						out, err),
			     -1);
		cr_expect_eq(pw_scheme_generate("SHA512-CRYPT", "x", NULL,
						PW_SCHEME_MAX_CRYPT_ROUNDS + 1,
						out, err),
			     -1);
		cr_expect_eq(pw_scheme_generate("ARGON2ID", "x", NULL, 100,
						out, err),
			     -1);
		cr_expect_eq(pw_scheme_generate_any("SHA1", "x", NULL, 5, out,
						    err),
			     -1);
		cr_expect(sbuf_is_empty(out), "failed generation left %s",
			  sbuf_cstr(out));
		sbuf_free(&out);
		sbuf_free(&err);
	}
}

/* bcrypt reads 72 bytes; Dovecot's own bcrypt takes longer passwords */
Test(pw_scheme, long_passwords)
{
	struct sbuf *out = sbuf_new(64), *err = sbuf_new(64);
	char pw[1001];

	memset(pw, 'q', sizeof(pw) - 1);
	pw[sizeof(pw) - 1] = '\0';
	cr_assert_eq(pw_scheme_generate("BLF-CRYPT", pw, NULL, 0, out, err), 0,
		     "%s", sbuf_cstr(err));
	cr_expect_eq(pw_scheme_verify(sbuf_cstr(out), pw, NULL, NULL, NULL),
		     PW_MATCH);
	pw[72] = '\0';
	cr_expect_eq(pw_scheme_verify(sbuf_cstr(out), pw, NULL, NULL, NULL),
		     PW_MATCH);
	pw[71] = '\0';
	cr_expect_eq(pw_scheme_verify(sbuf_cstr(out), pw, NULL, NULL, NULL),
		     PW_MISMATCH);
	pw[71] = pw[72] = 'q';
	sbuf_reset(out);
	cr_assert_eq(pw_scheme_generate_any("MD5-CRYPT", pw, NULL, 0, out,
					    err),
		     0);
	cr_expect_eq(pw_scheme_verify(sbuf_cstr(out), pw, NULL, NULL, NULL),
		     PW_MATCH);
	/* crypt(3) itself stops at 511 bytes, in Dovecot too */
	sbuf_reset(out);
	cr_expect_eq(pw_scheme_generate("SHA512-CRYPT", pw, NULL, 0, out, err),
		     -1);
	sbuf_free(&out);
	sbuf_free(&err);
}
