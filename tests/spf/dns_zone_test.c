/* dns_zone_test.c - the in-memory zone and its resolver (dns/dns_zone.c) */
#include "config.h"

#include <criterion/criterion.h>
#include <event2/event.h>
#include <stdbool.h>
#include <string.h>

#include "dns.h"
#include "dns_zone.h"

static const unsigned char a1[4] = {192, 0, 2, 1};
static const unsigned char a2[4] = {192, 0, 2, 2};

/* lookup - dns_zone_lookup, checking the answer's type */
static struct dns_answer *lookup(const struct dns_zone *z, const char *name,
				 enum dns_type type)
{
	struct dns_answer *a = dns_zone_lookup(z, name, type);

	cr_assert_not_null(a);
	cr_assert_eq(a->type, type);
	return a;
}

Test(dns_zone, unknown_name_is_nxdomain)
{
	struct dns_zone *z = dns_zone_new();
	struct dns_answer *a;

	dns_zone_add(z, "a.example", DNS_T_A, a1, 4, 0, 0);
	a = lookup(z, "b.example", DNS_T_A);
	cr_assert_eq(a->status, DNS_NXDOMAIN);
	cr_assert_eq(a->n, 0);
	dns_answer_free(&a);
	/* a parent of a name is not a name */
	a = lookup(z, "example", DNS_T_A);
	cr_assert_eq(a->status, DNS_NXDOMAIN);
	dns_answer_free(&a);
	dns_zone_free(&z);
	cr_assert_null(z);
}

Test(dns_zone, other_type_is_nodata)
{
	struct dns_zone *z = dns_zone_new();
	struct dns_answer *a;

	dns_zone_add(z, "a.example", DNS_T_A, a1, 4, 0, 0);
	dns_zone_add_name(z, "empty.example");
	a = lookup(z, "a.example", DNS_T_TXT);
	cr_assert_eq(a->status, DNS_OK);
	cr_assert_eq(a->n, 0);
	dns_answer_free(&a);
	a = lookup(z, "empty.example", DNS_T_A);
	cr_assert_eq(a->status, DNS_OK);
	cr_assert_eq(a->n, 0);
	dns_answer_free(&a);
	dns_zone_free(&z);
}

Test(dns_zone, records_in_order_with_case_and_final_dot)
{
	struct dns_zone *z = dns_zone_new();
	struct dns_answer *a;

	dns_zone_add(z, "Mail.Example.", DNS_T_A, a1, 4, 0, 0);
	dns_zone_add(z, "mail.example", DNS_T_A, a2, 4, 0, 0);
	dns_zone_add(z, "mail.example", DNS_T_MX, "mx.example", 10, 5, 0);
	a = lookup(z, "MAIL.EXAMPLE", DNS_T_A);
	cr_assert_eq(a->status, DNS_OK);
	cr_assert_eq(a->n, 2);
	cr_assert_eq(a->rr[0].len, 4);
	cr_assert_eq(memcmp(a->rr[0].data, a1, 4), 0);
	cr_assert_eq(memcmp(a->rr[1].data, a2, 4), 0);
	dns_answer_free(&a);
	a = lookup(z, "mail.example.", DNS_T_MX);
	cr_assert_eq(a->n, 1);
	cr_assert_eq(a->rr[0].pref, 5);
	cr_assert_str_eq((const char *)a->rr[0].data, "mx.example");
	dns_answer_free(&a);
	dns_zone_free(&z);
}

Test(dns_zone, txt_keeps_bytes_and_string_count)
{
	struct dns_zone *z = dns_zone_new();
	static const char txt[] = "v=spf1\0\x80 -all";
	struct dns_answer *a;

	dns_zone_add(z, "t.example", DNS_T_TXT, txt, sizeof(txt) - 1, 0, 3);
	dns_zone_add(z, "t.example", DNS_T_TXT, "", 0, 0, 0);
	a = lookup(z, "t.example", DNS_T_TXT);
	cr_assert_eq(a->n, 2);
	cr_assert_eq(a->rr[0].len, sizeof(txt) - 1);
	cr_assert_eq(memcmp(a->rr[0].data, txt, sizeof(txt) - 1), 0);
	cr_assert_eq(a->rr[0].nstrings, 3);
	cr_assert_eq(a->rr[1].len, 0);
	cr_assert_eq(a->rr[1].nstrings, 0);
	cr_assert_eq(a->rr[1].data[0], '\0');
	dns_answer_free(&a);
	dns_zone_free(&z);
}

Test(dns_zone, names_may_hold_any_byte)
{
	struct dns_zone *z = dns_zone_new();
	struct dns_answer *a;

	dns_zone_add(z, "macro%percent  space.example", DNS_T_A, a1, 4, 0, 0);
	dns_zone_add(z, "foo:bar/baz.example", DNS_T_A, a2, 4, 0, 0);
	a = lookup(z, "MACRO%percent  space.example", DNS_T_A);
	cr_assert_eq(a->n, 1);
	dns_answer_free(&a);
	a = lookup(z, "foo:bar/baz.example", DNS_T_A);
	cr_assert_eq(a->n, 1);
	dns_answer_free(&a);
	dns_zone_free(&z);
}

Test(dns_zone, timeout_only_for_types_after_the_mark)
{
	struct dns_zone *z = dns_zone_new();
	struct dns_answer *a;

	dns_zone_add(z, "t.example", DNS_T_TXT, "v=spf1 -all", 11, 0, 1);
	dns_zone_add_timeout(z, "t.example");
	dns_zone_add(z, "t.example", DNS_T_A, a1, 4, 0, 0);
	dns_zone_add_timeout(z, "all.example");
	a = lookup(z, "t.example", DNS_T_TXT);
	cr_assert_eq(a->status, DNS_OK);
	cr_assert_eq(a->n, 1);
	dns_answer_free(&a);
	a = lookup(z, "t.example", DNS_T_SPF);
	cr_assert_eq(a->status, DNS_TEMPFAIL);
	dns_answer_free(&a);
	/* added after the mark: still times out */
	a = lookup(z, "t.example", DNS_T_A);
	cr_assert_eq(a->status, DNS_TEMPFAIL);
	cr_assert_eq(a->n, 0);
	dns_answer_free(&a);
	a = lookup(z, "all.example", DNS_T_TXT);
	cr_assert_eq(a->status, DNS_TEMPFAIL);
	dns_answer_free(&a);
	dns_zone_free(&z);
}

Test(dns_zone, cname_is_followed)
{
	struct dns_zone *z = dns_zone_new();
	struct dns_answer *a;

	dns_zone_add(z, "alias.example", DNS_T_CNAME, "mid.example.", 12, 0, 0);
	dns_zone_add(z, "mid.example", DNS_T_CNAME, "Real.Example", 12, 0, 0);
	dns_zone_add(z, "real.example", DNS_T_A, a1, 4, 0, 0);
	dns_zone_add(z, "dangling.example", DNS_T_CNAME, "gone.example", 12, 0,
		     0);
	a = lookup(z, "alias.example", DNS_T_A);
	cr_assert_eq(a->status, DNS_OK);
	cr_assert_eq(a->n, 1);
	cr_assert_eq(memcmp(a->rr[0].data, a1, 4), 0);
	dns_answer_free(&a);
	a = lookup(z, "alias.example", DNS_T_TXT);
	cr_assert_eq(a->status, DNS_OK);
	cr_assert_eq(a->n, 0);
	dns_answer_free(&a);
	/* the CNAME itself answers a CNAME query */
	a = lookup(z, "alias.example", DNS_T_CNAME);
	cr_assert_eq(a->n, 1);
	cr_assert_str_eq((const char *)a->rr[0].data, "mid.example.");
	dns_answer_free(&a);
	a = lookup(z, "dangling.example", DNS_T_A);
	cr_assert_eq(a->status, DNS_NXDOMAIN);
	dns_answer_free(&a);
	dns_zone_free(&z);
}

Test(dns_zone, cname_loop_times_out)
{
	struct dns_zone *z = dns_zone_new();
	struct dns_answer *a;

	dns_zone_add(z, "loop.example", DNS_T_CNAME, "LOOP.example.", 13, 0, 0);
	dns_zone_add(z, "p.example", DNS_T_CNAME, "q.example", 9, 0, 0);
	dns_zone_add(z, "q.example", DNS_T_CNAME, "p.example", 9, 0, 0);
	a = lookup(z, "loop.example", DNS_T_A);
	cr_assert_eq(a->status, DNS_TEMPFAIL);
	dns_answer_free(&a);
	a = lookup(z, "p.example", DNS_T_TXT);
	cr_assert_eq(a->status, DNS_TEMPFAIL);
	dns_answer_free(&a);
	dns_zone_free(&z);
}

Test(dns_zone, rr_limit)
{
	struct dns_zone *z = dns_zone_new();
	struct dns_answer *a;

	for (int i = 0; i < DNS_MAX_RRS; i++)
		cr_assert_eq(
		    dns_zone_add(z, "big.example", DNS_T_A, a1, 4, 0, 0), 0);
	cr_assert_eq(dns_zone_add(z, "big.example", DNS_T_A, a2, 4, 0, 0), -1);
	/* another type at the same name has its own count */
	cr_assert_eq(dns_zone_add(z, "big.example", DNS_T_AAAA, a1, 4, 0, 0),
		     0);
	a = lookup(z, "big.example", DNS_T_A);
	cr_assert_eq(a->n, DNS_MAX_RRS);
	dns_answer_free(&a);
	dns_zone_free(&z);
}

struct got {
	int calls;
	enum dns_status status;
	size_t n;
};

/* on_answer - record what the resolver handed us */
static void on_answer(void *arg, const struct dns_answer *a)
{
	struct got *g = arg;

	g->calls++;
	g->status = a->status;
	g->n = a->n;
}

Test(dns_zone, resolver_answers_from_the_loop)
{
	struct event_base *base = event_base_new();
	struct dns_zone *z = dns_zone_new();
	struct dns_resolver *r;
	struct got g1 = {0}, g2 = {0};

	dns_zone_add(z, "a.example", DNS_T_A, a1, 4, 0, 0);
	r = dns_zone_resolver(base, z);
	dns_resolve(r, "a.example", DNS_T_A, on_answer, &g1);
	dns_resolve(r, "none.example", DNS_T_A, on_answer, &g2);
	cr_assert_eq(g1.calls, 0, "answered inside dns_resolve");
	cr_assert_geq(event_base_dispatch(base), 0);
	cr_assert_eq(g1.calls, 1);
	cr_assert_eq(g1.status, DNS_OK);
	cr_assert_eq(g1.n, 1);
	cr_assert_eq(g2.calls, 1);
	cr_assert_eq(g2.status, DNS_NXDOMAIN);
	dns_resolver_free(&r);
	cr_assert_null(r);
	dns_zone_free(&z);
	event_base_free(base);
}

Test(dns_zone, cancel_and_free_stop_answers)
{
	struct event_base *base = event_base_new();
	struct dns_zone *z = dns_zone_new();
	struct dns_resolver *r = dns_zone_resolver(base, z);
	struct got g1 = {0}, g2 = {0}, g3 = {0};
	struct dns_query *q;

	q = dns_resolve(r, "a.example", DNS_T_A, on_answer, &g1);
	dns_resolve(r, "b.example", DNS_T_A, on_answer, &g2);
	dns_cancel(&q);
	cr_assert_null(q);
	dns_cancel(&q); /* NULL-safe */
	cr_assert_geq(event_base_dispatch(base), 0);
	cr_assert_eq(g1.calls, 0);
	cr_assert_eq(g2.calls, 1);
	/* freeing the resolver cancels what is in flight */
	dns_resolve(r, "c.example", DNS_T_A, on_answer, &g3);
	dns_resolver_free(&r);
	cr_assert_geq(event_base_dispatch(base), 0); /* nothing left */
	cr_assert_eq(g3.calls, 0);
	dns_zone_free(&z);
	event_base_free(base);
}
