/* dns_rdata_test.c - wire-format rdata and names to struct dns_rr */
#include "config.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "dns.h"
#include "dns_rdata.h"
#include "sbuf.h"

#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

struct name_case {
	const char *wire; /* wire bytes */
	size_t wire_len;
	const char *want; /* NULL: error */
	size_t used;	  /* expected wire length consumed */
	const char *why;  /* expected error substring */
};

static const struct name_case name_cases[] = {
    {"\0", 1, "", 1, NULL},
    {"\3www\7example\3com\0", 17, "www.example.com", 17, NULL},
    /* bytes after the root label are not part of the name */
    {"\1a\0\xff\xff", 5, "a", 3, NULL},
    /* case kept as sent */
    {"\3WwW\0", 5, "WwW", 5, NULL},
    /* "." and "\" inside a label, a space, non-ASCII, control bytes */
    {"\3a.b\0", 5, "a\\.b", 5, NULL},
    {"\3a\\b\0", 5, "a\\\\b", 5, NULL},
    {"\3a b\0", 5, "a\\032b", 5, NULL},
    {"\2\xc3\xa9\0", 4, "\\195\\169", 4, NULL},
    {"\3\x00\x7f\x1f\0", 5, "\\000\\127\\031", 5, NULL},
    {"\2_x\1-\0", 6, "_x.-", 6, NULL},
    /* errors */
    {"", 0, NULL, 0, "truncated"},
    {"\3www", 4, NULL, 0, "truncated"},
    {"\3ww", 3, NULL, 0, "truncated"},
    {"\3www\7example", 12, NULL, 0, "truncated"},
    {"\xc0\x0c", 2, NULL, 0, "compression pointer"},
    {"\3www\xc0\x0c", 6, NULL, 0, "compression pointer"},
    {"\x40\0", 2, NULL, 0, "label type"},
    {"\x80\0", 2, NULL, 0, "label type"},
};

Test(dns_rdata, names)
{
	for (size_t i = 0; i < NCASES(name_cases); i++) {
		const struct name_case *c = &name_cases[i];
		struct sbuf *out = sbuf_new(0);
		struct sbuf *err = sbuf_new(0);
		size_t used = 12345;
		int r;

		sbuf_set(out, "x:");
		r = dns_rdata_name((const unsigned char *)c->wire, c->wire_len,
				   out, &used, err);
		if (c->want == NULL) {
			cr_expect_eq(r, -1, "case %zu accepted", i);
			cr_expect_str_eq(sbuf_cstr(out),
					 "x:", "case %zu: partial output", i);
			cr_expect(strstr(sbuf_cstr(err), c->why) != NULL,
				  "case %zu: error \"%s\"", i, sbuf_cstr(err));
		} else {
			cr_expect_eq(r, 0, "case %zu: %s", i, sbuf_cstr(err));
			cr_expect_str_eq(sbuf_cstr(out) + 2, c->want,
					 "case %zu", i);
			cr_expect_eq(used, c->used, "case %zu: used %zu", i,
				     used);
		}
		sbuf_free(&out);
		sbuf_free(&err);
	}
}

/* build_name - a wire name of nlabels labels of lablen 'a's */
static size_t build_name(unsigned char *buf, size_t nlabels, size_t lablen)
{
	size_t pos = 0;

	for (size_t i = 0; i < nlabels; i++) {
		buf[pos++] = (unsigned char)lablen;
		memset(buf + pos, 'a', lablen);
		pos += lablen;
	}
	buf[pos++] = 0;
	return pos;
}

Test(dns_rdata, name_limits)
{
	unsigned char buf[600];
	struct sbuf *out = sbuf_new(0);
	size_t used, n;

	/* 63-byte labels are the maximum; 64 is a label type error */
	n = build_name(buf, 1, 63);
	cr_assert_eq(dns_rdata_name(buf, n, out, &used, NULL), 0);
	cr_expect_eq(sbuf_len(out), 63);
	buf[0] = 64;
	cr_expect_eq(dns_rdata_name(buf, n + 1, out, &used, NULL), -1);

	/* four 62-byte labels: 4 x (1 + 62) + root = 253 wire bytes */
	sbuf_reset(out);
	n = build_name(buf, 4, 62); /* 4 * 63 + 1 = 253 */
	cr_assert_eq(dns_rdata_name(buf, n, out, &used, NULL), 0);
	cr_expect_eq(used, 253);
	/* one more 1-byte label: 255 bytes exactly, still valid */
	memmove(buf + 2, buf, n);
	buf[0] = 1;
	buf[1] = 'b';
	sbuf_reset(out);
	cr_assert_eq(dns_rdata_name(buf, n + 2, out, &used, NULL), 0);
	cr_expect_eq(used, 255);
	cr_expect_eq(sbuf_len(out), 1 + 4 * 63);
	/* and one more: 257 bytes */
	memmove(buf + 2, buf, n + 2);
	buf[0] = 1;
	buf[1] = 'c';
	sbuf_reset(out);
	struct sbuf *err = sbuf_new(0);
	cr_expect_eq(dns_rdata_name(buf, n + 4, out, &used, err), -1);
	cr_expect(strstr(sbuf_cstr(err), "255") != NULL, "%s", sbuf_cstr(err));
	cr_expect_eq(sbuf_len(out), 0);

	/* 127 one-byte labels + root = 255: longest text form */
	n = build_name(buf, 127, 1);
	cr_assert_eq(n, 255);
	for (size_t i = 1; i < n; i += 2)
		buf[i] = 0xff;
	sbuf_reset(out);
	cr_assert_eq(dns_rdata_name(buf, n, out, &used, NULL), 0);
	cr_expect_eq(sbuf_len(out), 127 * 4 + 126);
	cr_expect(sbuf_len(out) < DNS_MAX_NAME);
	sbuf_free(&out);
	sbuf_free(&err);
}

Test(dns_rdata, name_output_limit)
{
	unsigned char buf[16];
	struct sbuf *out = sbuf_new_max(0, 4);
	size_t used, n = build_name(buf, 1, 6);

	cr_expect_eq(dns_rdata_name(buf, n, out, &used, NULL), -1);
	cr_expect_eq(sbuf_len(out), 0);
	sbuf_free(&out);
}

struct rdata_case {
	enum dns_type type;
	const char *rdata;
	size_t len;
	const char *want; /* NULL: error */
	size_t want_len;
	unsigned int pref;
	unsigned int nstrings;
	const char *why;
};

static const struct rdata_case rdata_cases[] = {
    {DNS_T_A, "\xc6\x12\0\1", 4, "\xc6\x12\0\1", 4, 0, 0, NULL},
    {DNS_T_A, "\xc6\x12\0", 3, NULL, 0, 0, 0, "A"},
    {DNS_T_A, "\xc6\x12\0\1\2", 5, NULL, 0, 0, 0, "A"},
    {DNS_T_A, "", 0, NULL, 0, 0, 0, "A"},
    {DNS_T_AAAA, "\x20\x01\0\2\0\0\0\0\0\0\0\0\0\0\0\1", 16,
     "\x20\x01\0\2\0\0\0\0\0\0\0\0\0\0\0\1", 16, 0, 0, NULL},
    {DNS_T_AAAA, "\x20\x01\0\2", 4, NULL, 0, 0, 0, "AAAA"},
    {DNS_T_AAAA, "\x20\x01\0\2\0\0\0\0\0\0\0\0\0\0\0\1\0", 17, NULL, 0, 0, 0,
     "AAAA"},
    /* TXT: strings joined with nothing between them */
    {DNS_T_TXT, "\6v=spf1", 7, "v=spf1", 6, 0, 1, NULL},
    {DNS_T_TXT, "\3abc\0\3def", 9, "abcdef", 6, 0, 3, NULL},
    {DNS_T_TXT, "\0", 1, "", 0, 0, 1, NULL},
    {DNS_T_TXT, "\3a\0c", 4, "a\0c", 3, 0, 1, NULL},
    {DNS_T_SPF, "\2ab\1c", 5, "abc", 3, 0, 2, NULL},
    {DNS_T_TXT, "", 0, NULL, 0, 0, 0, "no character-string"},
    {DNS_T_TXT, "\4abc", 4, NULL, 0, 0, 0, "truncated"},
    {DNS_T_TXT, "\3abc\1", 5, NULL, 0, 0, 0, "truncated"},
    /* MX: preference, then an uncompressed name */
    {DNS_T_MX, "\0\12\2mx\7example\0", 14, "mx.example", 10, 10, 0, NULL},
    {DNS_T_MX, "\xff\xff\0", 3, "", 0, 65535, 0, NULL},
    {DNS_T_MX, "\0\12", 2, NULL, 0, 0, 0, "MX"},
    {DNS_T_MX, "\0\12\2mx\xc0\x0c", 7, NULL, 0, 0, 0, "compression"},
    {DNS_T_MX, "\0\12\2mx\0\0", 7, NULL, 0, 0, 0, "trailing"},
    {DNS_T_PTR, "\4host\0", 6, "host", 4, 0, 0, NULL},
    {DNS_T_PTR, "\4host\0x", 7, NULL, 0, 0, 0, "trailing"},
    {DNS_T_PTR, "", 0, NULL, 0, 0, 0, "truncated"},
    {DNS_T_CNAME, "\1a\1b\0", 5, "a.b", 3, 0, 0, NULL},
    {DNS_T_CNAME, "\xc0\0", 2, NULL, 0, 0, 0, "compression"},
    {(enum dns_type)2, "\1a\0", 3, NULL, 0, 0, 0, "unsupported"},
};

Test(dns_rdata, records)
{
	for (size_t i = 0; i < NCASES(rdata_cases); i++) {
		const struct rdata_case *c = &rdata_cases[i];
		struct dns_answer *a = dns_answer_new(DNS_OK, c->type);
		struct sbuf *err = sbuf_new(0);
		int r = dns_rdata_add(
		    a, c->type, (const unsigned char *)c->rdata, c->len, err);

		if (c->want == NULL) {
			cr_expect_eq(r, -1, "case %zu accepted", i);
			cr_expect_eq(a->n, 0, "case %zu: record added", i);
			cr_expect(strstr(sbuf_cstr(err), c->why) != NULL,
				  "case %zu: error \"%s\"", i, sbuf_cstr(err));
		} else {
			cr_expect_eq(r, 0, "case %zu: %s", i, sbuf_cstr(err));
			cr_assert_eq(a->n, 1, "case %zu", i);
			cr_expect_eq(a->rr[0].len, c->want_len, "case %zu", i);
			cr_expect(memcmp(a->rr[0].data, c->want, c->want_len) ==
				      0,
				  "case %zu: data", i);
			cr_expect_eq(a->rr[0].data[c->want_len], '\0',
				     "case %zu: not terminated", i);
			cr_expect_eq(a->rr[0].pref, c->pref, "case %zu", i);
			cr_expect_eq(a->rr[0].nstrings, c->nstrings, "case %zu",
				     i);
		}
		sbuf_free(&err);
		dns_answer_free(&a);
	}
}

Test(dns_rdata, txt_long)
{
	/* 300 bytes of text in two strings (255 + 45): one record */
	unsigned char rdata[302];
	struct dns_answer *a = dns_answer_new(DNS_OK, DNS_T_TXT);

	rdata[0] = 255;
	memset(rdata + 1, 'x', 255);
	rdata[256] = 45;
	memset(rdata + 257, 'y', 45);
	cr_assert_eq(dns_rdata_add(a, DNS_T_TXT, rdata, sizeof(rdata), NULL),
		     0);
	cr_assert_eq(a->n, 1);
	cr_expect_eq(a->rr[0].len, 300);
	cr_expect_eq(a->rr[0].nstrings, 2);
	cr_expect_eq(a->rr[0].data[254], 'x');
	cr_expect_eq(a->rr[0].data[255], 'y');
	dns_answer_free(&a);
}

Test(dns_rdata, txt_max)
{
	/* 65535 empty strings: the most a 16-bit RDLENGTH can hold */
	static unsigned char rdata[65536];
	struct dns_answer *a = dns_answer_new(DNS_OK, DNS_T_TXT);
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(dns_rdata_add(a, DNS_T_TXT, rdata, 65535, err), 0);
	cr_expect_eq(a->rr[0].len, 0);
	cr_expect_eq(a->rr[0].nstrings, 65535);
	/* one byte more than RDLENGTH allows */
	cr_expect_eq(dns_rdata_add(a, DNS_T_TXT, rdata, 65536, err), -1);
	cr_expect_eq(a->n, 1);
	sbuf_free(&err);
	dns_answer_free(&a);
}

Test(dns_rdata, too_many_records)
{
	struct dns_answer *a = dns_answer_new(DNS_OK, DNS_T_A);
	struct sbuf *err = sbuf_new(0);

	for (unsigned int i = 0; i < DNS_MAX_RRS; i++)
		cr_assert_eq(dns_rdata_add(a, DNS_T_A,
					   (const unsigned char *)"\1\2\3\4", 4,
					   err),
			     0);
	cr_expect_eq(dns_rdata_add(a, DNS_T_A,
				   (const unsigned char *)"\1\2\3\4", 4, err),
		     -1);
	cr_expect(strstr(sbuf_cstr(err), "too many") != NULL);
	cr_expect_eq(a->n, DNS_MAX_RRS);
	sbuf_free(&err);
	dns_answer_free(&a);
}

Test(dns_rdata, several_records_in_order)
{
	struct dns_answer *a = dns_answer_new(DNS_OK, DNS_T_MX);

	cr_assert_eq(dns_rdata_add(a, DNS_T_MX,
				   (const unsigned char *)"\0\24\1b\0", 5,
				   NULL),
		     0);
	cr_assert_eq(dns_rdata_add(a, DNS_T_MX,
				   (const unsigned char *)"\0\12\1a\0", 5,
				   NULL),
		     0);
	cr_assert_eq(a->n, 2);
	cr_expect_str_eq((char *)a->rr[0].data, "b");
	cr_expect_eq(a->rr[0].pref, 20);
	cr_expect_str_eq((char *)a->rr[1].data, "a");
	cr_expect_eq(a->rr[1].pref, 10);
	dns_answer_free(&a);
}

Test(dns_rdata, type_mismatch_panics, .signal = SIGABRT)
{
	struct dns_answer *a = dns_answer_new(DNS_OK, DNS_T_A);

	(void)dns_rdata_add(a, DNS_T_TXT, (const unsigned char *)"\1a", 2,
			    NULL);
}
