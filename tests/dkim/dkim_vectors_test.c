/*
 * dkim_vectors_test.c - every case of the shared DKIM vectors
 * (dkim/vectors.tsv): messages verified with the key records the case
 * names, every other name NXDOMAIN. Pass versus not-pass must match for
 * every signature; a "fail" where the vectors say "permerror" (or the
 * reverse) is reported, not failed, since verifiers differ there.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "dkim_testdata.h"
#include "dkim_verify.h"
#include "sbuf.h"

#define MAX_COLS 8

/* split_tab - cut line (modified) at tabs; returns the column count */
static size_t split_tab(char *line, char **col, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		col[n++] = p;
		if ((p = strchr(p, '\t')) == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

/* feed_keys - answer every key lookup from the case's dns column */
static void feed_keys(struct dkim_verify *v, const char *dns)
{
	size_t i;

	for (i = 0; i < dkim_verify_count(v); i++) {
		const char *name = dkim_verify_key_name(v, i);
		struct sbuf *want, *rec = NULL;
		char *copy, *tok, *save = NULL, *eq;

		if (name == NULL)
			continue;
		want = sbuf_new(0);
		sbuf_printf(want, "%s", name);
		copy = strdup(dns);
		for (tok = strtok_r(copy, " ", &save); tok != NULL;
		     tok = strtok_r(NULL, " ", &save)) {
			if ((eq = strchr(tok, '=')) == NULL)
				continue;
			*eq = '\0';
			if (strcasecmp(tok, sbuf_cstr(want)) == 0) {
				rec = testdata_read(eq + 1, true);
				cr_assert_not_null(rec, "cannot read %s",
						   eq + 1);
				break;
			}
		}
		if (rec != NULL)
			dkim_verify_key(v, i, DKIM_VERIFY_KEY_FOUND,
					sbuf_cstr(rec), sbuf_len(rec));
		else
			dkim_verify_key(v, i, DKIM_VERIFY_KEY_NONE, NULL, 0);
		sbuf_free(&rec);
		sbuf_free(&want);
		free(copy);
	}
}

/* run_case - verify one message; the results, comma-separated, in out */
static void run_case(const char *msgfile, const char *dns, struct sbuf *out,
		     struct sbuf *why, bool *testing_r)
{
	struct sbuf *data = testdata_read(msgfile, false), *err = sbuf_new(0);
	struct dkim_verify_opts opts;
	struct dkim_verify *v;
	struct testmsg *m;
	const char *reason;
	size_t i, k;

	cr_assert_not_null(data, "cannot read %s", msgfile);
	m = testmsg_parse(sbuf_data(data), sbuf_len(data));
	dkim_verify_opts_init(&opts);
	v = dkim_verify_new(&opts);
	for (i = 0; i < m->nhdr; i++)
		cr_assert_eq(dkim_verify_header(v, sbuf_cstr(m->hdr[i]),
						sbuf_len(m->hdr[i]), err),
			     0, "%s: %s", msgfile, sbuf_cstr(err));
	dkim_verify_eoh(v);
	feed_keys(v, dns);
	/* odd chunks: lines and CRLFs split across calls */
	for (i = 0; i < sbuf_len(m->body); i += k) {
		k = sbuf_len(m->body) - i < 7 ? sbuf_len(m->body) - i : 7;
		dkim_verify_body(v, sbuf_data(m->body) + i, k);
	}
	dkim_verify_eom(v);
	*testing_r = false;
	if (dkim_verify_count(v) == 0)
		sbuf_append_str(out, "none");
	for (i = 0; i < dkim_verify_count(v); i++) {
		enum dkim_result r = dkim_verify_result(v, i, &reason);

		sbuf_printf(out, "%s%s", i > 0 ? "," : "", dkim_result_name(r));
		sbuf_printf(why, "%s[%s]", i > 0 ? " " : "", reason);
		if (dkim_verify_is_testing(v, i))
			*testing_r = true;
	}
	dkim_verify_free(&v);
	testmsg_free(&m);
	sbuf_free(&data);
	sbuf_free(&err);
}

/* pass_pattern - "pass,fail,none" to "P,N,N" */
static void pass_pattern(const char *s, struct sbuf *out)
{
	const char *p = s;

	while (*p != '\0') {
		sbuf_append_str(out, strncmp(p, "pass", 4) == 0 ? "P" : "N");
		p = strchr(p, ',');
		if (p == NULL)
			break;
		sbuf_putc(out, ',');
		p++;
	}
}

Test(dkim_vectors, every_case)
{
	struct sbuf *tsv;
	char *line, *save = NULL, *col[MAX_COLS];
	size_t rows = 0, exact = 0, passsame = 0, sigs = 0;

	if (testdata_dir() == NULL)
		cr_skip_test("no PW_TESTDATA_DIR/dkim");
	tsv = testdata_read("vectors.tsv", false);
	cr_assert_not_null(tsv);
	line = strtok_r((char *)sbuf_cstr(tsv), "\n", &save);
	cr_assert_not_null(line);
	cr_assert(strncmp(line, "id\tmessage\tdns\texpect", 21) == 0);
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		struct sbuf *got = sbuf_new(0), *why = sbuf_new(0);
		struct sbuf *pg = sbuf_new(0), *pe = sbuf_new(0);
		bool testing;
		const char *p;

		cr_assert_geq(split_tab(line, col, MAX_COLS), 4);
		run_case(col[1], col[2], got, why, &testing);
		rows++;
		for (p = col[3], sigs++; *p != '\0'; p++)
			sigs += *p == ',';
		pass_pattern(sbuf_cstr(got), pg);
		pass_pattern(col[3], pe);
		cr_expect_str_eq(sbuf_cstr(pg), sbuf_cstr(pe),
				 "%s: got %s %s, expected %s", col[0],
				 sbuf_cstr(got), sbuf_cstr(why), col[3]);
		if (strcmp(sbuf_cstr(pg), sbuf_cstr(pe)) == 0)
			passsame++;
		if (strcmp(sbuf_cstr(got), col[3]) == 0)
			exact++;
		else
			fprintf(stderr,
				"dkim_vectors: %s: got %s %s, vectors "
				"say %s\n",
				col[0], sbuf_cstr(got), sbuf_cstr(why), col[3]);
		if (strcmp(col[0], "key-testing-flag") == 0)
			cr_expect(testing, "t=y not reported");
		else
			cr_expect(!testing, "%s: t=y reported", col[0]);
		sbuf_free(&got);
		sbuf_free(&why);
		sbuf_free(&pg);
		sbuf_free(&pe);
	}
	fprintf(stderr,
		"dkim_vectors: %zu cases (%zu signature results): %zu match "
		"pass/not-pass, %zu match exactly\n",
		rows, sigs, passsame, exact);
	cr_expect_eq(rows, 39, "vectors.tsv changed: %zu cases", rows);
	sbuf_free(&tsv);
}
