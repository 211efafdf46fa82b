/* spf_memo_test.c - the DNS answers of one SPF check (spf/spf_memo.c) */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "dns.h"
#include "spf_memo.h"

/* answer - a TXT answer with one record */
static struct dns_answer *answer(const char *text)
{
	struct dns_answer *a = dns_answer_new(DNS_OK, DNS_T_TXT);

	dns_answer_add(a, text, strlen(text), 0, 1);
	return a;
}

Test(spf_memo, missing_then_found)
{
	struct spf_memo *m = spf_memo_new(10);
	const struct dns_answer *got = NULL;
	struct dns_answer *a = answer("v=spf1 -all");
	enum dns_type type;

	spf_memo_begin_pass(m);
	cr_assert_eq(spf_memo_get(m, "example.com", DNS_T_TXT, &got),
		     SPF_MEMO_MISSING);
	cr_assert_eq(spf_memo_get(m, "Example.COM", DNS_T_TXT, &got),
		     SPF_MEMO_MISSING);
	cr_assert_eq(spf_memo_get(m, "example.com", DNS_T_A, &got),
		     SPF_MEMO_MISSING);
	/* noted once per pass, in order */
	cr_assert_eq(spf_memo_missing_count(m), 2);
	cr_assert_str_eq(spf_memo_missing(m, 0, &type), "example.com");
	cr_assert_eq(type, DNS_T_TXT);
	cr_assert_str_eq(spf_memo_missing(m, 1, &type), "example.com");
	cr_assert_eq(type, DNS_T_A);
	cr_assert_null(spf_memo_missing(m, 2, &type));
	cr_assert_eq(spf_memo_used(m), 0);

	spf_memo_put(m, "EXAMPLE.com", DNS_T_TXT, a);
	spf_memo_begin_pass(m);
	cr_assert_eq(spf_memo_get(m, "example.com", DNS_T_TXT, &got),
		     SPF_MEMO_FOUND);
	cr_assert_eq(got->n, 1);
	cr_assert_str_eq((const char *)got->rr[0].data, "v=spf1 -all");
	cr_assert_neq(got, a, "not a copy");
	cr_assert_eq(spf_memo_missing_count(m), 0);
	cr_assert_eq(spf_memo_used(m), 1);
	dns_answer_free(&a);
	spf_memo_free(&m);
	cr_assert_null(m);
}

Test(spf_memo, first_answer_wins)
{
	struct spf_memo *m = spf_memo_new(10);
	const struct dns_answer *got = NULL;
	struct dns_answer *a = answer("first"), *b = answer("second");

	spf_memo_put(m, "x.example", DNS_T_TXT, a);
	spf_memo_put(m, "x.example", DNS_T_TXT, b);
	cr_assert_eq(spf_memo_get(m, "x.example", DNS_T_TXT, &got),
		     SPF_MEMO_FOUND);
	cr_assert_str_eq((const char *)got->rr[0].data, "first");
	dns_answer_free(&a);
	dns_answer_free(&b);
	spf_memo_free(&m);
}

Test(spf_memo, backstop_counts_distinct_queries)
{
	struct spf_memo *m = spf_memo_new(3);
	const struct dns_answer *got = NULL;
	struct dns_answer *a = answer("x");

	/* an answer given before it is asked for still counts when used */
	spf_memo_put(m, "pre.example", DNS_T_TXT, a);
	cr_assert_eq(spf_memo_get(m, "pre.example", DNS_T_TXT, &got),
		     SPF_MEMO_FOUND);
	cr_assert_eq(spf_memo_get(m, "a.example", DNS_T_A, &got),
		     SPF_MEMO_MISSING);
	cr_assert_eq(spf_memo_get(m, "b.example", DNS_T_A, &got),
		     SPF_MEMO_MISSING);
	/* asking again costs nothing */
	cr_assert_eq(spf_memo_get(m, "a.example", DNS_T_A, &got),
		     SPF_MEMO_MISSING);
	cr_assert_eq(spf_memo_get(m, "c.example", DNS_T_A, &got),
		     SPF_MEMO_FULL);
	cr_assert_eq(spf_memo_missing_count(m), 2);
	/* next pass: the same queries, the same outcome */
	spf_memo_begin_pass(m);
	cr_assert_eq(spf_memo_get(m, "pre.example", DNS_T_TXT, &got),
		     SPF_MEMO_FOUND);
	cr_assert_eq(spf_memo_get(m, "b.example", DNS_T_A, &got),
		     SPF_MEMO_MISSING);
	cr_assert_eq(spf_memo_get(m, "c.example", DNS_T_A, &got),
		     SPF_MEMO_FULL);
	cr_assert_eq(spf_memo_missing_count(m), 1);
	cr_assert_eq(spf_memo_used(m), 1);
	dns_answer_free(&a);
	spf_memo_free(&m);
}

Test(spf_memo, unasked_answers_are_bounded)
{
	struct spf_memo *m = spf_memo_new(2);
	const struct dns_answer *got = NULL;
	struct dns_answer *a = answer("x");
	char name[32];

	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "n%d.example", i);
		spf_memo_put(m, name, DNS_T_TXT, a);
	}
	/* the first ones were kept, the flood was dropped */
	cr_assert_eq(spf_memo_get(m, "n0.example", DNS_T_TXT, &got),
		     SPF_MEMO_FOUND);
	cr_assert_eq(spf_memo_get(m, "n999.example", DNS_T_TXT, &got),
		     SPF_MEMO_MISSING);
	dns_answer_free(&a);
	spf_memo_free(&m);
}
