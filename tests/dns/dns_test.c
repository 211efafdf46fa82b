/* dns_test.c - answers and the resolver interface's dispatch (dns.c) */
#include "config.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "dns.h"
#include "dns_impl.h"

Test(dns, answer_new_is_empty)
{
	struct dns_answer *a = dns_answer_new(DNS_NXDOMAIN, DNS_T_MX);

	cr_expect_eq(a->status, DNS_NXDOMAIN);
	cr_expect_eq(a->type, DNS_T_MX);
	cr_expect_eq(a->n, 0);
	dns_answer_free(&a);
	cr_expect_null(a);
	dns_answer_free(&a); /* NULL-safe */
}

Test(dns, answer_add_copies_and_terminates)
{
	struct dns_answer *a = dns_answer_new(DNS_OK, DNS_T_TXT);
	char text[] = "v=spf1\0-all";

	cr_assert_eq(dns_answer_add(a, text, sizeof(text) - 1, 0, 2), 0);
	text[0] = 'X'; /* the answer holds its own copy */
	cr_assert_eq(a->n, 1);
	cr_expect_eq(a->rr[0].len, sizeof(text) - 1);
	cr_expect(memcmp(a->rr[0].data, "v=spf1\0-all", 11) == 0);
	cr_expect_eq(a->rr[0].data[11], '\0');
	cr_expect_eq(a->rr[0].nstrings, 2);
	/* empty data is a valid record too */
	cr_assert_eq(dns_answer_add(a, NULL, 0, 7, 0), 0);
	cr_expect_eq(a->rr[1].len, 0);
	cr_expect_eq(a->rr[1].data[0], '\0');
	cr_expect_eq(a->rr[1].pref, 7);
	dns_answer_free(&a);
}

Test(dns, answer_add_keeps_order_while_growing)
{
	struct dns_answer *a = dns_answer_new(DNS_OK, DNS_T_A);

	for (unsigned int i = 0; i < 100; i++) {
		unsigned char ip[4] = {198, 18, (unsigned char)(i >> 8),
				       (unsigned char)i};
		cr_assert_eq(dns_answer_add(a, ip, 4, 0, 0), 0);
	}
	cr_assert_eq(a->n, 100);
	for (unsigned int i = 0; i < 100; i++)
		cr_expect_eq(a->rr[i].data[3], (unsigned char)i, "rr %u", i);
	dns_answer_free(&a);
}

Test(dns, answer_limits)
{
	struct dns_answer *a = dns_answer_new(DNS_OK, DNS_T_TXT);
	static char big[DNS_MAX_TXT + 1];

	cr_expect_eq(dns_answer_add(a, big, DNS_MAX_TXT + 1, 0, 1), -1);
	cr_expect_eq(a->n, 0);
	cr_expect_eq(dns_answer_add(a, big, DNS_MAX_TXT, 0, 1), 0);
	for (unsigned int i = 1; i < DNS_MAX_RRS; i++)
		cr_assert_eq(dns_answer_add(a, "x", 1, 0, 1), 0);
	cr_expect_eq(a->n, DNS_MAX_RRS);
	cr_expect_eq(dns_answer_add(a, "x", 1, 0, 1), -1);
	cr_expect_eq(a->n, DNS_MAX_RRS);
	dns_answer_free(&a);
}

Test(dns, answer_dup)
{
	struct dns_answer *a = dns_answer_new(DNS_OK, DNS_T_MX);
	struct dns_answer *b;

	cr_assert_eq(dns_answer_add(a, "mx1.example", 11, 10, 0), 0);
	cr_assert_eq(dns_answer_add(a, "mx2.example", 11, 20, 0), 0);
	b = dns_answer_dup(a);
	dns_answer_free(&a);
	cr_expect_eq(b->status, DNS_OK);
	cr_expect_eq(b->type, DNS_T_MX);
	cr_assert_eq(b->n, 2);
	cr_expect_str_eq((char *)b->rr[0].data, "mx1.example");
	cr_expect_eq(b->rr[0].pref, 10);
	cr_expect_str_eq((char *)b->rr[1].data, "mx2.example");
	cr_expect_eq(b->rr[1].pref, 20);
	dns_answer_free(&b);

	a = dns_answer_new(DNS_TEMPFAIL, DNS_T_AAAA);
	b = dns_answer_dup(a);
	cr_expect_eq(b->status, DNS_TEMPFAIL);
	cr_expect_eq(b->type, DNS_T_AAAA);
	cr_expect_eq(b->n, 0);
	dns_answer_free(&a);
	dns_answer_free(&b);
}

Test(dns, names)
{
	cr_expect_str_eq(dns_type_name(DNS_T_A), "A");
	cr_expect_str_eq(dns_type_name(DNS_T_AAAA), "AAAA");
	cr_expect_str_eq(dns_type_name(DNS_T_TXT), "TXT");
	cr_expect_str_eq(dns_type_name(DNS_T_SPF), "SPF");
	cr_expect_str_eq(dns_type_name(DNS_T_MX), "MX");
	cr_expect_str_eq(dns_type_name(DNS_T_PTR), "PTR");
	cr_expect_str_eq(dns_type_name(DNS_T_CNAME), "CNAME");
	cr_expect_str_eq(dns_type_name((enum dns_type)2), "unknown");
	cr_expect_str_eq(dns_status_name(DNS_OK), "ok");
	cr_expect_str_eq(dns_status_name(DNS_NXDOMAIN), "nxdomain");
	cr_expect_str_eq(dns_status_name(DNS_TEMPFAIL), "tempfail");
	cr_expect_str_eq(dns_status_name((enum dns_status)9), "unknown");
}

/* A fake implementation: records what dns.c dispatches to it. */
struct fake_resolver {
	struct dns_resolver base;
	int resolves, cancels, frees;
	const char *last_name;
	enum dns_type last_type;
	struct dns_query query;
};

static struct fake_resolver *freed;

static struct dns_query *fake_resolve(struct dns_resolver *r, const char *name,
				      enum dns_type type, dns_done_fn *done,
				      void *arg)
{
	struct fake_resolver *f = (struct fake_resolver *)r;

	(void)done;
	(void)arg;
	f->resolves++;
	f->last_name = name;
	f->last_type = type;
	f->query.r = r;
	return &f->query;
}

static void fake_cancel(struct dns_query *q)
{
	((struct fake_resolver *)q->r)->cancels++;
}

static void fake_free(struct dns_resolver *r)
{
	freed = (struct fake_resolver *)r;
	freed->frees++;
}

static const struct dns_resolver_ops fake_ops = {
    .resolve = fake_resolve,
    .cancel = fake_cancel,
    .free = fake_free,
};

static void never_done(void *arg, const struct dns_answer *a)
{
	(void)arg;
	(void)a;
	cr_assert_fail("done called");
}

Test(dns, dispatch)
{
	struct fake_resolver f = {.base = {.ops = &fake_ops}};
	struct dns_resolver *r = &f.base;
	struct dns_query *q;

	q = dns_resolve(r, "example.org", DNS_T_TXT, never_done, NULL);
	cr_expect_eq(q, &f.query);
	cr_expect_eq(f.resolves, 1);
	cr_expect_str_eq(f.last_name, "example.org");
	cr_expect_eq(f.last_type, DNS_T_TXT);
	dns_cancel(&q);
	cr_expect_null(q);
	cr_expect_eq(f.cancels, 1);
	dns_cancel(&q); /* NULL-safe: no second cancel */
	cr_expect_eq(f.cancels, 1);
	dns_resolver_free(&r);
	cr_expect_null(r);
	cr_expect_eq(freed, &f);
	cr_expect_eq(f.frees, 1);
	dns_resolver_free(&r);
	cr_expect_eq(f.frees, 1);
}

static struct dns_query *null_resolve(struct dns_resolver *r, const char *name,
				      enum dns_type type, dns_done_fn *done,
				      void *arg)
{
	(void)r;
	(void)name;
	(void)type;
	(void)done;
	(void)arg;
	return NULL;
}

static const struct dns_resolver_ops null_ops = {
    .resolve = null_resolve,
    .cancel = fake_cancel,
    .free = fake_free,
};

/* an implementation that returns no query is a bug: panic */
Test(dns, dispatch_null_query_panics, .signal = SIGABRT)
{
	struct dns_resolver r = {.ops = &null_ops};

	(void)dns_resolve(&r, "example.org", DNS_T_A, never_done, NULL);
}
