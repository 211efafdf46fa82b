/* dns_packet_test.c - response packets to struct dns_answer */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "dns.h"
#include "dns_packet.h"
#include "sbuf.h"

/* A packet under construction. */
struct pk {
	unsigned char b[2048];
	size_t n;
};

static void put(struct pk *p, const void *bytes, size_t n)
{
	cr_assert(p->n + n <= sizeof(p->b));
	memcpy(p->b + p->n, bytes, n);
	p->n += n;
}

static void put16(struct pk *p, unsigned int v)
{
	unsigned char b[2] = {(unsigned char)(v >> 8), (unsigned char)v};

	put(p, b, 2);
}

/* QNAME example.org at offset 12 */
#define QNAME "\7example\3org\0"
#define QNAME_LEN 13
#define PTR_QNAME "\xc0\x0c"

/* header with rcode and counts, then the question for type */
static void header(struct pk *p, unsigned int rcode, unsigned int qd,
		   unsigned int an, enum dns_type type)
{
	p->n = 0;
	put16(p, 0x1234);
	put16(p, 0x8180 | rcode);
	put16(p, qd);
	put16(p, an);
	put16(p, 0);
	put16(p, 0);
	for (unsigned int i = 0; i < qd; i++) {
		put(p, QNAME, QNAME_LEN);
		put16(p, type);
		put16(p, 1);
	}
}

/* one record: owner bytes, type, class, TTL, then rdata */
static void rr(struct pk *p, const char *owner, size_t owner_len,
	       unsigned int type, unsigned int class, const void *rdata,
	       size_t rdlen)
{
	put(p, owner, owner_len);
	put16(p, type);
	put16(p, class);
	put16(p, 0);
	put16(p, 300);
	put16(p, (unsigned int)rdlen);
	put(p, rdata, rdlen);
}

static struct dns_answer *decode_ok(const struct pk *p, enum dns_type type)
{
	struct dns_answer *a = dns_answer_new(DNS_TEMPFAIL, type);
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(dns_packet_answer(a, p->b, p->n, err), 0, "%s",
		     sbuf_cstr(err));
	sbuf_free(&err);
	return a;
}

static void decode_err(const struct pk *p, enum dns_type type, const char *why)
{
	struct dns_answer *a = dns_answer_new(DNS_TEMPFAIL, type);
	struct sbuf *err = sbuf_new(0);

	cr_expect_eq(dns_packet_answer(a, p->b, p->n, err), -1,
		     "accepted (want \"%s\")", why);
	cr_expect(strstr(sbuf_cstr(err), why) != NULL, "error \"%s\", want %s",
		  sbuf_cstr(err), why);
	sbuf_free(&err);
	dns_answer_free(&a);
}

Test(dns_packet, a_records_in_order)
{
	struct pk p;
	struct dns_answer *a;

	header(&p, 0, 1, 3, DNS_T_A);
	rr(&p, PTR_QNAME, 2, DNS_T_A, 1, "\xc6\x12\0\2", 4);
	/* a signature and another class are skipped */
	rr(&p, PTR_QNAME, 2, 46, 1, "sig", 3);
	rr(&p, PTR_QNAME, 2, DNS_T_A, 1, "\xc6\x12\0\1", 4);
	a = decode_ok(&p, DNS_T_A);
	cr_expect_eq(a->status, DNS_OK);
	cr_assert_eq(a->n, 2);
	cr_expect(memcmp(a->rr[0].data, "\xc6\x12\0\2", 4) == 0);
	cr_expect(memcmp(a->rr[1].data, "\xc6\x12\0\1", 4) == 0);
	dns_answer_free(&a);

	header(&p, 0, 1, 1, DNS_T_A);
	rr(&p, PTR_QNAME, 2, DNS_T_A, 3, "\xc6\x12\0\2", 4);
	a = decode_ok(&p, DNS_T_A);
	cr_expect_eq(a->status, DNS_OK);
	cr_expect_eq(a->n, 0);
	dns_answer_free(&a);
}

Test(dns_packet, rcodes)
{
	static const struct {
		unsigned int rcode;
		enum dns_status want;
	} cases[] = {
	    {0, DNS_OK},       {3, DNS_NXDOMAIN}, {2, DNS_TEMPFAIL},
	    {5, DNS_TEMPFAIL}, {1, DNS_TEMPFAIL}, {4, DNS_TEMPFAIL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pk p;
		struct dns_answer *a;

		header(&p, cases[i].rcode, 1, 0, DNS_T_TXT);
		a = decode_ok(&p, DNS_T_TXT);
		cr_expect_eq(a->status, cases[i].want, "rcode %u",
			     cases[i].rcode);
		cr_expect_eq(a->n, 0);
		dns_answer_free(&a);
	}
}

Test(dns_packet, cname_chain_keeps_final_type)
{
	struct pk p;
	struct dns_answer *a;

	header(&p, 0, 1, 3, DNS_T_TXT);
	/* example.org CNAME www.example.org (www + pointer to QNAME) */
	rr(&p, PTR_QNAME, 2, DNS_T_CNAME, 1, "\3www\xc0\x0c", 6);
	/* owner: pointer to the name in that rdata (offset 12+13+4+12) */
	rr(&p, "\xc0\x29", 2, DNS_T_TXT, 1, "\3abc\2de", 7);
	rr(&p, "\xc0\x29", 2, DNS_T_TXT, 1, "\0", 1);
	a = decode_ok(&p, DNS_T_TXT);
	cr_assert_eq(a->n, 2);
	cr_expect_str_eq((char *)a->rr[0].data, "abcde");
	cr_expect_eq(a->rr[0].nstrings, 2);
	cr_expect_eq(a->rr[1].len, 0);
	dns_answer_free(&a);

	/* asked for the CNAME itself: its target, expanded */
	header(&p, 0, 1, 1, DNS_T_CNAME);
	rr(&p, PTR_QNAME, 2, DNS_T_CNAME, 1, "\3www\xc0\x0c", 6);
	a = decode_ok(&p, DNS_T_CNAME);
	cr_assert_eq(a->n, 1);
	cr_expect_str_eq((char *)a->rr[0].data, "www.example.org");
	dns_answer_free(&a);
}

Test(dns_packet, compressed_names_in_rdata)
{
	struct pk p;
	struct dns_answer *a;

	header(&p, 0, 1, 3, DNS_T_MX);
	rr(&p, PTR_QNAME, 2, DNS_T_MX, 1, "\0\12\2mx\xc0\x0c", 7);
	rr(&p, PTR_QNAME, 2, DNS_T_MX, 1, "\0\24\xc0\x0c", 4);
	rr(&p, PTR_QNAME, 2, DNS_T_MX, 1, "\0\5\3mx3\5other\0", 13);
	a = decode_ok(&p, DNS_T_MX);
	cr_assert_eq(a->n, 3);
	cr_expect_str_eq((char *)a->rr[0].data, "mx.example.org");
	cr_expect_eq(a->rr[0].pref, 10);
	cr_expect_str_eq((char *)a->rr[1].data, "example.org");
	cr_expect_eq(a->rr[1].pref, 20);
	cr_expect_str_eq((char *)a->rr[2].data, "mx3.other");
	dns_answer_free(&a);

	header(&p, 0, 1, 1, DNS_T_PTR);
	rr(&p, PTR_QNAME, 2, DNS_T_PTR, 1, "\3a.b\xc0\x0c", 6);
	a = decode_ok(&p, DNS_T_PTR);
	cr_assert_eq(a->n, 1);
	cr_expect_str_eq((char *)a->rr[0].data, "a\\.b.example.org");
	dns_answer_free(&a);
}

Test(dns_packet, malformed)
{
	struct pk p;

	p.n = 0;
	put(&p, "\x12\x34\x81\x80\0\1\0\0\0\0\0", 11);
	decode_err(&p, DNS_T_A, "header");

	header(&p, 0, 1, 0, DNS_T_A);
	p.n -= 3;
	decode_err(&p, DNS_T_A, "question truncated");

	header(&p, 0, 2, 0, DNS_T_A);
	p.n = 12 + 5;
	decode_err(&p, DNS_T_A, "truncated");

	header(&p, 0, 1, 1, DNS_T_A);
	put(&p, PTR_QNAME, 2);
	put16(&p, DNS_T_A);
	decode_err(&p, DNS_T_A, "record truncated");

	header(&p, 0, 1, 1, DNS_T_A);
	rr(&p, PTR_QNAME, 2, DNS_T_A, 1, "\1\2\3\4", 4);
	p.n -= 1;
	decode_err(&p, DNS_T_A, "rdata truncated");

	/* an answer the count promises but the packet lacks */
	header(&p, 0, 1, 2, DNS_T_A);
	rr(&p, PTR_QNAME, 2, DNS_T_A, 1, "\1\2\3\4", 4);
	decode_err(&p, DNS_T_A, "truncated");

	/* rdata the type does not allow */
	header(&p, 0, 1, 1, DNS_T_A);
	rr(&p, PTR_QNAME, 2, DNS_T_A, 1, "\1\2\3", 3);
	decode_err(&p, DNS_T_A, "not 4 bytes");
}

Test(dns_packet, bad_pointers)
{
	struct pk p;

	/* forward pointer (to itself) as an owner */
	header(&p, 0, 1, 1, DNS_T_A);
	put(&p, "\xc0\x1d", 2);
	decode_err(&p, DNS_T_A, "not backwards");

	/* pointer past the end */
	header(&p, 0, 1, 1, DNS_T_A);
	put(&p, "\xff\xff", 2);
	decode_err(&p, DNS_T_A, "not backwards");

	/* half a pointer */
	header(&p, 0, 1, 1, DNS_T_A);
	put(&p, "\xc0", 1);
	decode_err(&p, DNS_T_A, "truncated");

	/* a loop: label then a pointer back to that label */
	header(&p, 0, 1, 1, DNS_T_A);
	put(&p, "\3abc\xc0\x1d", 6);
	decode_err(&p, DNS_T_A, "255");

	/* pointer chain: each points at the one before, kept in the
	 * rdata of a skipped record (at 29 + 12), then an owner name that
	 * points at its last pointer */
	header(&p, 0, 1, 2, DNS_T_PTR);
	{
		unsigned char chain[2 * 80];
		size_t start = 29 + 12;

		chain[0] = 0xc0;
		chain[1] = 0x0c;
		for (size_t i = 1; i < 80; i++) {
			size_t prev = start + 2 * (i - 1);

			chain[2 * i] = (unsigned char)(0xc0 | prev >> 8);
			chain[2 * i + 1] = (unsigned char)prev;
		}
		rr(&p, PTR_QNAME, 2, 46, 1, chain, sizeof(chain));
		cr_assert_eq(p.n, start + sizeof(chain));
		put(&p, chain + sizeof(chain) - 2, 2);
		put16(&p, DNS_T_PTR);
	}
	decode_err(&p, DNS_T_PTR, "too many pointers");

	/* extended label types */
	header(&p, 0, 1, 1, DNS_T_A);
	put(&p, "\x41\0", 2);
	decode_err(&p, DNS_T_A, "label type");
}

Test(dns_packet, names_in_rdata)
{
	struct pk p;

	/* the name's labels run past RDLENGTH */
	header(&p, 0, 1, 1, DNS_T_PTR);
	rr(&p, PTR_QNAME, 2, DNS_T_PTR, 1, "\3www\xc0\x0c", 3);
	put(&p, "w\xc0\x0c", 3);
	decode_err(&p, DNS_T_PTR, "truncated");

	/* bytes after the name */
	header(&p, 0, 1, 1, DNS_T_PTR);
	rr(&p, PTR_QNAME, 2, DNS_T_PTR, 1, "\3www\xc0\x0c\0", 7);
	decode_err(&p, DNS_T_PTR, "trailing");

	/* MX without a name */
	header(&p, 0, 1, 1, DNS_T_MX);
	rr(&p, PTR_QNAME, 2, DNS_T_MX, 1, "\0\12", 2);
	decode_err(&p, DNS_T_MX, "too short");

	/* expanded over 255 bytes: 4 x 63-byte labels + the QNAME */
	header(&p, 0, 1, 1, DNS_T_PTR);
	{
		unsigned char rd[4 * 64 + 2];

		for (size_t i = 0; i < 4; i++) {
			rd[64 * i] = 63;
			memset(rd + 64 * i + 1, 'a', 63);
		}
		rd[256] = 0xc0;
		rd[257] = 0x0c;
		rr(&p, PTR_QNAME, 2, DNS_T_PTR, 1, rd, sizeof(rd));
	}
	decode_err(&p, DNS_T_PTR, "255");
}

Test(dns_packet, record_limit)
{
	struct pk p;
	struct dns_answer *a = dns_answer_new(DNS_TEMPFAIL, DNS_T_A);
	struct sbuf *err = sbuf_new(0);
	static unsigned char big[12 + 17 + 257 * 16];
	size_t n = 0;

	header(&p, 0, 1, 257, DNS_T_A);
	memcpy(big, p.b, p.n);
	n = p.n;
	for (unsigned int i = 0; i < 257; i++) {
		p.n = 0;
		rr(&p, PTR_QNAME, 2, DNS_T_A, 1, "\1\2\3\4", 4);
		memcpy(big + n, p.b, p.n);
		n += p.n;
	}
	cr_expect_eq(dns_packet_answer(a, big, n, err), -1);
	cr_expect(strstr(sbuf_cstr(err), "too many") != NULL, "%s",
		  sbuf_cstr(err));
	sbuf_free(&err);
	dns_answer_free(&a);
}
