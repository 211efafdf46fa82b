/* cli_dkim_msg_test.c - the message splitter of "postwarden dkim" */
#include "config.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "cli_dkim_msg.h"
#include "dkim_hdrs.h"
#include "sbuf.h"

/* body_cb - collect the body pieces */
static void body_cb(void *ctx, const void *p, size_t n)
{
	cr_assert_gt(n, 0, "an empty body piece");
	cr_assert_eq(sbuf_append(ctx, p, n), 0);
}

/* body_of - the body the DKIM library gets */
static struct sbuf *body_of(const struct cli_dkim_msg *m)
{
	struct sbuf *b = sbuf_new(0);

	cli_dkim_msg_body(m, body_cb, b);
	return b;
}

/* split - parse n bytes that must be accepted */
static struct cli_dkim_msg *split(const void *p, size_t n)
{
	struct sbuf *err = sbuf_new(0);
	struct cli_dkim_msg *m = NULL;

	cr_assert_eq(cli_dkim_msg_parse(p, n, &m, err), 0, "rejected: %s",
		     sbuf_cstr(err));
	cr_assert_not_null(m);
	cr_assert(sbuf_is_empty(err));
	sbuf_free(&err);
	return m;
}

/* split_err - parse n bytes that must be refused; the reason */
static struct sbuf *split_err(const void *p, size_t n)
{
	struct sbuf *err = sbuf_new(0);
	struct cli_dkim_msg *m = NULL;

	cr_assert_eq(cli_dkim_msg_parse(p, n, &m, err), -1, "accepted");
	cr_assert_null(m);
	cr_assert(!sbuf_is_empty(err), "an error without a reason");
	return err;
}

/* expect_field - field i is the n bytes at want */
static void expect_field(const struct cli_dkim_msg *m, size_t i,
			 const char *want, size_t n)
{
	size_t len;
	const char *f = cli_dkim_msg_field(m, i, &len);

	cr_assert_eq(len, n, "field %zu: %zu bytes, not %zu", i, len, n);
	cr_assert(memcmp(f, want, n) == 0, "field %zu differs", i);
}

#define MAX_CASE_FIELDS 4

struct good_case {
	const char *name;
	const char *head; /* the input is head then tail */
	const char *tail;
	const char *fields[MAX_CASE_FIELDS + 1]; /* NULL-terminated */
	const char *body;			 /* what the library gets */
	bool crlf;
};

static const struct good_case good_cases[] = {
    {"LF", "From: a\nSubject: b\n\n", "Hi,\n\nbye\n",
     {"From: a", "Subject: b"}, "Hi,\r\n\r\nbye\r\n", false},
    {"CRLF", "From: a\r\nSubject: b\r\n\r\n", "Hi,\r\n\r\nbye\r\n",
     {"From: a", "Subject: b"}, "Hi,\r\n\r\nbye\r\n", true},
    {"folded LF", "Subject: one\n two\n\tthree\nFrom: a\n\n", "x\n",
     {"Subject: one\r\n two\r\n\tthree", "From: a"}, "x\r\n", false},
    {"folded CRLF", "Subject: one\r\n two\r\n\tthree\r\nFrom: a\r\n\r\n",
     "x\r\n", {"Subject: one\r\n two\r\n\tthree", "From: a"}, "x\r\n", true},
    {"a blank-only continuation", "A: b\n \nC: d\n\n", "",
     {"A: b\r\n ", "C: d"}, "", false},
    {"no body (no empty line)", "From: a\nTo: b\n", "", {"From: a", "To: b"},
     "", false},
    {"no body, no final LF", "From: a\r\nTo: b", "", {"From: a", "To: b"},
     "", true},
    {"an empty body", "From: a\n\n", "", {"From: a"}, "", false},
    {"a body without a final newline", "From: a\n\n", "one\ntwo",
     {"From: a"}, "one\r\ntwo", false},
    {"a CRLF body without a final newline", "From: a\r\n\r\n", "one\r\ntwo",
     {"From: a"}, "one\r\ntwo", true},
    {"empty lines only in the body", "From: a\n\n", "\n\n\n", {"From: a"},
     "\r\n\r\n\r\n", false},
    {"mixed line ends in the body", "From: a\r\n\r\n", "x\ny\r\nz\n",
     {"From: a"}, "x\r\ny\r\nz\r\n", true},
    {"a bare CR stays", "From: a\rb\n\n", "c\rd\n", {"From: a\rb"},
     "c\rd\r\n", false},
    {"CR CR LF keeps one CR", "From: a\r\r\n\r\n", "", {"From: a\r"}, "",
     true},
    {"a last line's CR is no line end", "From: a\r", "", {"From: a\r"}, "",
     false},
    {"blanks before the colon (obsolete)", "Subject \t: x\n\n", "",
     {"Subject \t: x"}, "", false},
    {"an empty value", "X-Empty:\n\n", "b", {"X-Empty:"}, "b", false},
    {"the header ends at the first empty line", "A: 1\n\n",
     "B: 2\n\nC: 3\n", {"A: 1"}, "B: 2\r\n\r\nC: 3\r\n", false},
    {"empty input", "", "", {NULL}, "", false},
    {"only the empty line", "\r\n", "body", {NULL}, "body", true},
    {"a body without a header", "\n", "body\n", {NULL}, "body\r\n", false},
};

Test(cli_dkim_msg, splits_the_good_cases)
{
	for (size_t i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]);
	     i++) {
		const struct good_case *c = &good_cases[i];
		struct sbuf *in = sbuf_new(0), *body;
		struct cli_dkim_msg *m;
		const unsigned char *raw;
		size_t n = 0, len;

		sbuf_append_str(in, c->head);
		sbuf_append_str(in, c->tail);
		m = split(sbuf_data(in), sbuf_len(in));
		while (n < MAX_CASE_FIELDS && c->fields[n] != NULL)
			n++;
		cr_assert_eq(cli_dkim_msg_count(m), n, "%s: %zu fields",
			     c->name, cli_dkim_msg_count(m));
		for (size_t f = 0; f < n; f++)
			expect_field(m, f, c->fields[f], strlen(c->fields[f]));
		cr_assert_eq(cli_dkim_msg_header_len(m), strlen(c->head),
			     "%s: the body starts at %zu", c->name,
			     cli_dkim_msg_header_len(m));
		cr_assert_eq(cli_dkim_msg_is_crlf(m), c->crlf, "%s", c->name);
		raw = cli_dkim_msg_raw(m, &len);
		cr_assert_eq(len, sbuf_len(in), "%s", c->name);
		cr_assert(memcmp(raw, sbuf_data(in), len) == 0, "%s", c->name);
		body = body_of(m);
		cr_assert_str_eq(sbuf_cstr(body), c->body, "%s", c->name);
		cli_dkim_msg_free(&m);
		cr_assert_null(m);
		sbuf_free(&body);
		sbuf_free(&in);
	}
}

Test(cli_dkim_msg, nul_and_8bit_bytes_are_kept)
{
	static const char in[] = "X-A: a\0b\xff\r\n\tc\xe9\r\n\r\n\0body\xe9\n";
	static const char field[] = "X-A: a\0b\xff\r\n\tc\xe9";
	static const char body[] = "\0body\xe9\r\n";
	struct cli_dkim_msg *m = split(in, sizeof(in) - 1);
	struct sbuf *b = body_of(m);

	cr_assert_eq(cli_dkim_msg_count(m), 1);
	expect_field(m, 0, field, sizeof(field) - 1);
	cr_assert_eq(sbuf_len(b), sizeof(body) - 1);
	cr_assert(memcmp(sbuf_data(b), body, sizeof(body) - 1) == 0);
	sbuf_free(&b);
	cli_dkim_msg_free(&m);
}

struct bad_case {
	const char *in;
	const char *error; /* a substring of the reason */
};

static const struct bad_case bad_cases[] = {
    {" starts folded\nFrom: a\n\nx\n", "starts with a continuation"},
    {"\tstarts folded\r\n\r\n", "starts with a continuation"},
    {"no colon here\nFrom: a\n\nx\n", "header line 1 is not a header field"},
    {"From: a\nno colon here\n\nx\n", "header line 2 is not a header field"},
    {"From: a\n  folded\nno colon\n", "header line 3 is not"},
    {": an empty name\n\n", "header line 1 is not"},
    {"Sub ject: a space in the name\n\n", "header line 1 is not"},
    {"From a@example.com Sun Nov 22 01:00:00 2026\nFrom: a\n\n",
     "header line 1 is not"},
    {"\xe9t\xe9: 8-bit name\n\n", "header line 1 is not"},
    {"From: a\n\r", "header line 2 is not"},
    {"From: a\nX\r\n", "header line 2 is not"},
};

Test(cli_dkim_msg, refuses_what_is_no_header)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct sbuf *err = split_err(c->in, strlen(c->in));

		cr_assert(strstr(sbuf_cstr(err), c->error) != NULL,
			  "%s: '%s', not '%s'", c->in, sbuf_cstr(err),
			  c->error);
		sbuf_free(&err);
	}
}

Test(cli_dkim_msg, a_nul_in_a_name_is_no_header)
{
	static const char in[] = "X\0Y: a\n\n";
	struct sbuf *err = split_err(in, sizeof(in) - 1);

	cr_assert(strstr(sbuf_cstr(err), "header line 1 is not") != NULL,
		  "%s", sbuf_cstr(err));
	sbuf_free(&err);
}

/* long_field - "X: " and filler up to n bytes in all */
static void long_field(struct sbuf *b, size_t n)
{
	size_t start = sbuf_len(b);

	sbuf_append_str(b, "X: ");
	while (sbuf_len(b) - start < n)
		sbuf_putc(b, 'a' + (int)(sbuf_len(b) % 26));
}

Test(cli_dkim_msg, header_line_limit)
{
	struct sbuf *in = sbuf_new(0), *err;
	struct cli_dkim_msg *m;

	/* a line of the limit, LF not counted, is a field of the limit */
	long_field(in, DKIM_HDRS_MAX_BYTES);
	sbuf_append_str(in, "\n\nbody\n");
	m = split(sbuf_data(in), sbuf_len(in));
	cr_assert_eq(cli_dkim_msg_count(m), 1);
	expect_field(m, 0, sbuf_cstr(in), DKIM_HDRS_MAX_BYTES);
	cli_dkim_msg_free(&m);
	/* one byte more, after a short first line */
	sbuf_reset(in);
	sbuf_append_str(in, "From: a\n");
	long_field(in, DKIM_HDRS_MAX_BYTES + 1);
	sbuf_append_str(in, "\n\nbody\n");
	err = split_err(sbuf_data(in), sbuf_len(in));
	cr_assert(strstr(sbuf_cstr(err), "header line 2 is longer than 1024 "
					 "KiB") != NULL,
		  "%s", sbuf_cstr(err));
	sbuf_free(&err);
	/* without a line end at all */
	sbuf_reset(in);
	long_field(in, DKIM_HDRS_MAX_BYTES + 1);
	err = split_err(sbuf_data(in), sbuf_len(in));
	cr_assert(strstr(sbuf_cstr(err), "header line 1 is longer") != NULL,
		  "%s", sbuf_cstr(err));
	sbuf_free(&err);
	sbuf_free(&in);
}

Test(cli_dkim_msg, header_size_limit)
{
	struct sbuf *in = sbuf_new(0), *err;

	/* one field folded over many lines, each under the line limit */
	sbuf_append_str(in, "Subject: x");
	while (sbuf_len(in) <= DKIM_HDRS_MAX_BYTES) {
		sbuf_append_str(in, "\n ");
		for (int i = 0; i < 1000; i++)
			sbuf_putc(in, 'y');
	}
	sbuf_append_str(in, "\n\n");
	err = split_err(sbuf_data(in), sbuf_len(in));
	cr_assert(strstr(sbuf_cstr(err), "the header is larger than 1024 "
					 "KiB") != NULL,
		  "%s", sbuf_cstr(err));
	sbuf_free(&err);
	/* many fields, fewer than the field limit */
	sbuf_reset(in);
	while (sbuf_len(in) <= DKIM_HDRS_MAX_BYTES) {
		long_field(in, 2000);
		sbuf_putc(in, '\n');
	}
	err = split_err(sbuf_data(in), sbuf_len(in));
	cr_assert(strstr(sbuf_cstr(err), "larger than 1024 KiB") != NULL, "%s",
		  sbuf_cstr(err));
	sbuf_free(&err);
	sbuf_free(&in);
}

Test(cli_dkim_msg, field_count_limit)
{
	struct sbuf *in = sbuf_new(0), *err;
	struct cli_dkim_msg *m;

	for (unsigned int i = 0; i < DKIM_HDRS_MAX_FIELDS; i++)
		sbuf_printf(in, "X-%u: %u\r\n", i, i);
	m = split(sbuf_data(in), sbuf_len(in));
	cr_assert_eq(cli_dkim_msg_count(m), DKIM_HDRS_MAX_FIELDS);
	expect_field(m, DKIM_HDRS_MAX_FIELDS - 1, "X-999: 999", 10);
	cli_dkim_msg_free(&m);
	sbuf_append_str(in, "X-1000: 1000\r\n\r\nbody\r\n");
	err = split_err(sbuf_data(in), sbuf_len(in));
	cr_assert(strstr(sbuf_cstr(err), "more than 1000 header fields") !=
		      NULL,
		  "%s", sbuf_cstr(err));
	sbuf_free(&err);
	sbuf_free(&in);
}

Test(cli_dkim_msg, long_body_lines_have_no_limit)
{
	struct sbuf *in = sbuf_new(0), *want = sbuf_new(0), *b;
	struct cli_dkim_msg *m;
	size_t i;

	sbuf_append_str(in, "From: a\r\n\r\n");
	/* lines longer than the header's limit, LF and CRLF, then none */
	for (i = 0; i < 3 * (DKIM_HDRS_MAX_BYTES / 2); i++)
		sbuf_putc(in, 'a' + (int)(i % 26));
	sbuf_append_str(in, "\n");
	for (i = 0; i < 70000; i++)
		sbuf_putc(in, 'b');
	sbuf_append_str(in, "\r\n");
	for (i = 0; i < 200000; i++)
		sbuf_putc(in, 'c');
	m = split(sbuf_data(in), sbuf_len(in));
	cr_assert_eq(cli_dkim_msg_header_len(m), 11);
	for (i = 0; i < 3 * (DKIM_HDRS_MAX_BYTES / 2); i++)
		sbuf_putc(want, 'a' + (int)(i % 26));
	sbuf_append_str(want, "\r\n");
	for (i = 0; i < 70000; i++)
		sbuf_putc(want, 'b');
	sbuf_append_str(want, "\r\n");
	for (i = 0; i < 200000; i++)
		sbuf_putc(want, 'c');
	b = body_of(m);
	cr_assert_eq(sbuf_len(b), sbuf_len(want));
	cr_assert(memcmp(sbuf_data(b), sbuf_data(want), sbuf_len(b)) == 0);
	sbuf_free(&b);
	sbuf_free(&want);
	sbuf_free(&in);
	cli_dkim_msg_free(&m);
}

Test(cli_dkim_msg, parse_refuses_input_over_the_size_limit)
{
	/* calloc: untouched pages cost nothing; the size alone is refused */
	unsigned char *big = calloc(1, (size_t)CLI_DKIM_MSG_MAX + 1);
	struct sbuf *err;

	cr_assert_not_null(big);
	err = split_err(big, (size_t)CLI_DKIM_MSG_MAX + 1);
	cr_assert(strstr(sbuf_cstr(err), "larger than 64 MiB") != NULL, "%s",
		  sbuf_cstr(err));
	sbuf_free(&err);
	free(big);
}

/* file_with - an unlinked temporary file holding n bytes, at offset 0 */
static int file_with(const void *p, size_t n)
{
	char path[] = "/tmp/cli_dkim_msg_test.XXXXXX";
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(write(fd, p, n), (ssize_t)n);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

Test(cli_dkim_msg, read_splits_what_it_reads)
{
	static const char msg[] = "From: a\nTo: b\n c\n\nbody\n";
	struct sbuf *err = sbuf_new(0), *b;
	struct cli_dkim_msg *m = NULL;
	int fd = file_with(msg, sizeof(msg) - 1);

	cr_assert_eq(cli_dkim_msg_read(fd, sizeof(msg) - 1, &m, err),
		     CLI_EXIT_OK, "%s", sbuf_cstr(err));
	cr_assert_eq(cli_dkim_msg_count(m), 2);
	expect_field(m, 1, "To: b\r\n c", 9);
	b = body_of(m);
	cr_assert_str_eq(sbuf_cstr(b), "body\r\n");
	sbuf_free(&b);
	cli_dkim_msg_free(&m);
	close(fd);
	sbuf_free(&err);
}

Test(cli_dkim_msg, read_refuses_input_over_the_size_limit)
{
	static const char msg[] = "From: a\n\nbody\n";
	struct sbuf *err = sbuf_new(0), *big = sbuf_new(0);
	struct cli_dkim_msg *m = NULL;
	int fd = file_with(msg, sizeof(msg) - 1);

	cr_assert_eq(cli_dkim_msg_read(fd, sizeof(msg) - 2, &m, err),
		     CLI_EXIT_DATAERR);
	cr_assert_null(m);
	cr_assert_str_eq(sbuf_cstr(err), "the message is larger than 13 bytes");
	close(fd);
	/* more than one read's worth, the limit in MiB */
	sbuf_reset(err);
	sbuf_append_str(big, "From: a\n\n");
	while (sbuf_len(big) <= (2u << 20))
		sbuf_append_str(big, "0123456789abcdef0123456789abcdef\n");
	fd = file_with(sbuf_data(big), sbuf_len(big));
	cr_assert_eq(cli_dkim_msg_read(fd, 2u << 20, &m, err),
		     CLI_EXIT_DATAERR);
	cr_assert_null(m);
	cr_assert_str_eq(sbuf_cstr(err), "the message is larger than 2 MiB");
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	sbuf_reset(err);
	cr_assert_eq(cli_dkim_msg_read(fd, 3u << 20, &m, err), CLI_EXIT_OK,
		     "%s", sbuf_cstr(err));
	cr_assert_eq(cli_dkim_msg_header_len(m), 9);
	cli_dkim_msg_free(&m);
	close(fd);
	sbuf_free(&big);
	sbuf_free(&err);
}

Test(cli_dkim_msg, read_errors_are_io_errors)
{
	struct sbuf *err = sbuf_new(0);
	struct cli_dkim_msg *m = NULL;
	int fd = open("/", O_RDONLY | O_DIRECTORY);

	cr_assert_geq(fd, 0);
	cr_assert_eq(cli_dkim_msg_read(fd, CLI_DKIM_MSG_MAX, &m, err),
		     EX_IOERR);
	cr_assert_null(m);
	cr_assert(strstr(sbuf_cstr(err), "read: ") == sbuf_cstr(err), "%s",
		  sbuf_cstr(err));
	close(fd);
	sbuf_free(&err);
}

Test(cli_dkim_msg, read_refuses_a_bad_header)
{
	static const char msg[] = "From: a\nnot a field\n\nbody\n";
	struct sbuf *err = sbuf_new(0);
	struct cli_dkim_msg *m = NULL;
	int fd = file_with(msg, sizeof(msg) - 1);

	cr_assert_eq(cli_dkim_msg_read(fd, CLI_DKIM_MSG_MAX, &m, err),
		     CLI_EXIT_DATAERR);
	cr_assert_null(m);
	cr_assert(strstr(sbuf_cstr(err), "header line 2") != NULL, "%s",
		  sbuf_cstr(err));
	close(fd);
	sbuf_free(&err);
}

Test(cli_dkim_msg, free_is_null_safe)
{
	struct cli_dkim_msg *m = NULL;

	cli_dkim_msg_free(&m);
	cr_assert_null(m);
}
