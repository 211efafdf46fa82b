/* linerd_test.c - unit tests for common/linerd */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "linerd.h"
#include "log.h"
#include "sbuf.h"

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

static struct sbuf *line;

/* setup - one output buffer per test; quiet logging */
static void setup(void)
{
	log_init("linerd_test", 0);
	line = sbuf_new(0);
}

/* teardown - release the output buffer */
static void teardown(void) { sbuf_free(&line); }

TestSuite(linerd, .init = setup, .fini = teardown);

/* feed_str - feed a C string */
static void feed_str(struct linerd *l, const char *s)
{
	linerd_feed(l, s, strlen(s));
}

/* expect_line - the next result is a line equal to s */
static void expect_line(struct linerd *l, const char *s)
{
	cr_assert_eq(linerd_next(l, line), LINERD_LINE, "want line \"%s\"", s);
	cr_assert_str_eq(sbuf_cstr(line), s);
	cr_assert_eq(sbuf_len(line), strlen(s));
}

Test(linerd, one_line)
{
	struct linerd *l = linerd_new(100, 0);

	feed_str(l, "hello\n");
	expect_line(l, "hello");
	cr_assert_eq(linerd_next(l, line), LINERD_NEED_MORE);
	linerd_free(&l);
}

Test(linerd, several_lines_in_one_feed)
{
	struct linerd *l = linerd_new(100, 0);

	feed_str(l, "a\nbb\n\nccc\ndd");
	expect_line(l, "a");
	expect_line(l, "bb");
	expect_line(l, "");
	expect_line(l, "ccc");
	cr_assert_eq(linerd_next(l, line), LINERD_NEED_MORE);
	feed_str(l, "d\n");
	expect_line(l, "ddd");
	linerd_free(&l);
}

Test(linerd, partial_line_needs_more)
{
	struct linerd *l = linerd_new(100, 0);

	cr_assert_eq(linerd_next(l, line), LINERD_NEED_MORE);
	feed_str(l, "no end yet");
	cr_assert_eq(linerd_next(l, line), LINERD_NEED_MORE);
	linerd_free(&l);
}

/* Table: input, flags, the lines it gives (then NEED_MORE). */
static const struct {
	const char *in;
	int flags;
	const char *lines[3];
} crlf_cases[] = {
    {"a\r\nb\n", LINERD_STRIP_CR, {"a", "b", NULL}},
    {"a\r\nb\n", 0, {"a\r", "b", NULL}},
    {"\r\n", LINERD_STRIP_CR, {"", NULL}},
    {"\r\r\n", LINERD_STRIP_CR, {"\r", NULL}},
    {"a\rb\r\n", LINERD_STRIP_CR, {"a\rb", NULL}},
    {"\n\r\n", LINERD_STRIP_CR, {"", "", NULL}},
    {"x\r", LINERD_STRIP_CR, {NULL}},
};

Test(linerd, crlf_table)
{
	size_t i, j;

	for (i = 0; i < NCASES(crlf_cases); i++) {
		struct linerd *l = linerd_new(100, crlf_cases[i].flags);

		feed_str(l, crlf_cases[i].in);
		for (j = 0; crlf_cases[i].lines[j] != NULL; j++) {
			cr_expect_eq(linerd_next(l, line), LINERD_LINE,
				     "case %zu line %zu", i, j);
			cr_expect_str_eq(sbuf_cstr(line),
					 crlf_cases[i].lines[j],
					 "case %zu line %zu", i, j);
		}
		cr_expect_eq(linerd_next(l, line), LINERD_NEED_MORE,
			     "case %zu end", i);
		linerd_free(&l);
	}
}

Test(linerd, byte_by_byte_feed)
{
	const char *in = "first\r\nsecond\r\n\r\nthird\r\n";
	const char *want[] = {"first", "second", "", "third"};
	struct linerd *l = linerd_new(10, LINERD_STRIP_CR);
	size_t i, got = 0;

	for (i = 0; in[i] != '\0'; i++) {
		linerd_feed(l, in + i, 1);
		while (linerd_next(l, line) == LINERD_LINE) {
			cr_assert_lt(got, NCASES(want));
			cr_assert_str_eq(sbuf_cstr(line), want[got]);
			got++;
		}
	}
	cr_assert_eq(got, NCASES(want));
	linerd_free(&l);
}

Test(linerd, cr_and_lf_in_separate_feeds)
{
	struct linerd *l = linerd_new(3, LINERD_STRIP_CR);

	feed_str(l, "abc\r");
	cr_assert_eq(linerd_next(l, line), LINERD_NEED_MORE);
	feed_str(l, "\n");
	expect_line(l, "abc");
	linerd_free(&l);
}

Test(linerd, every_split_point_gives_same_lines)
{
	const char *in = "alpha\r\nbe\rta\n\ngamma\r\n";
	const char *want[] = {"alpha", "be\rta", "", "gamma"};
	size_t n = strlen(in), split, got;

	for (split = 0; split <= n; split++) {
		struct linerd *l = linerd_new(8, LINERD_STRIP_CR);

		linerd_feed(l, in, split);
		linerd_feed(l, in + split, n - split);
		for (got = 0; linerd_next(l, line) == LINERD_LINE; got++) {
			cr_assert_lt(got, NCASES(want), "split %zu", split);
			cr_assert_str_eq(sbuf_cstr(line), want[got],
					 "split %zu", split);
		}
		cr_assert_eq(got, NCASES(want), "split %zu", split);
		linerd_free(&l);
	}
}

Test(linerd, line_of_exactly_max_is_accepted)
{
	struct linerd *l = linerd_new(4, 0);

	feed_str(l, "abcd\n");
	expect_line(l, "abcd");
	linerd_free(&l);
}

Test(linerd, cr_does_not_count_against_max)
{
	struct linerd *l = linerd_new(4, LINERD_STRIP_CR);

	feed_str(l, "abcd\r\n");
	expect_line(l, "abcd");
	linerd_free(&l);
}

/* Table: max_line, flags, input: each is one line too many bytes. */
static const struct {
	size_t max;
	int flags;
	const char *in;
} too_long_cases[] = {
    {4, 0, "abcde\n"},
    {4, 0, "abcd\r\n"}, /* the CR counts without STRIP_CR */
    {4, LINERD_STRIP_CR, "abcde\r\n"},
    {4, LINERD_STRIP_CR, "abcde\n"}, /* kept in the allowance for CR */
    {0, 0, "a\n"},
    {4, 0, "abcde"}, /* no LF needed to know */
    {4, LINERD_STRIP_CR, "abcdef"},
};

Test(linerd, too_long_table)
{
	size_t i;

	for (i = 0; i < NCASES(too_long_cases); i++) {
		struct linerd *l =
		    linerd_new(too_long_cases[i].max, too_long_cases[i].flags);

		feed_str(l, too_long_cases[i].in);
		cr_expect_eq(linerd_next(l, line), LINERD_TOO_LONG, "case %zu",
			     i);
		linerd_free(&l);
	}
}

Test(linerd, empty_line_with_zero_max)
{
	struct linerd *l = linerd_new(0, LINERD_STRIP_CR);

	feed_str(l, "\n\r\n");
	expect_line(l, "");
	expect_line(l, "");
	linerd_free(&l);
}

Test(linerd, too_long_is_sticky)
{
	struct linerd *l = linerd_new(4, 0);

	feed_str(l, "abcdefgh");
	cr_assert_eq(linerd_next(l, line), LINERD_TOO_LONG);
	feed_str(l, "\nok\n");
	cr_assert_eq(linerd_next(l, line), LINERD_TOO_LONG);
	cr_assert_eq(linerd_next(l, line), LINERD_TOO_LONG);
	linerd_free(&l);
}

Test(linerd, lines_before_too_long_come_first)
{
	struct linerd *l = linerd_new(4, 0);

	feed_str(l, "ok\nfine\nmuch too long\nnever\n");
	expect_line(l, "ok");
	expect_line(l, "fine");
	cr_assert_eq(linerd_next(l, line), LINERD_TOO_LONG);
	linerd_free(&l);
}

Test(linerd, too_long_across_feeds_without_lf)
{
	struct linerd *l = linerd_new(10, 0);
	int i;

	for (i = 0; i < 10; i++) {
		feed_str(l, "x");
		cr_assert_eq(linerd_next(l, line), LINERD_NEED_MORE);
	}
	feed_str(l, "x");
	cr_assert_eq(linerd_next(l, line), LINERD_TOO_LONG);
	linerd_free(&l);
}

/* heap_in_use - bytes malloc has handed out (glibc; 0 under ASan) */
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks;
}

Test(linerd, endless_bytes_without_lf_do_not_grow_memory)
{
	struct linerd *l = linerd_new(1024, LINERD_STRIP_CR);
	static char chunk[65536];
	size_t before;
	int i;

	memset(chunk, 'A', sizeof(chunk));
	before = heap_in_use();
	for (i = 0; i < 256; i++) /* 16 MiB */
		linerd_feed(l, chunk, sizeof(chunk));
	cr_assert_lt(heap_in_use() - before, 4096 + sizeof(chunk) / 2);
	cr_assert_eq(linerd_next(l, line), LINERD_TOO_LONG);
	linerd_free(&l);
}

Test(linerd, draining_keeps_memory_bounded)
{
	struct linerd *l = linerd_new(100000, 0);
	static char chunk[4096];
	size_t before, peak = 0, now, i;
	int j;

	/* Short lines; some run across two chunks. */
	for (i = 0; i < sizeof(chunk); i++)
		chunk[i] = i % 37 == 36 ? '\n' : 'b';
	before = heap_in_use();
	for (j = 0; j < 4096; j++) { /* 16 MiB */
		linerd_feed(l, chunk, sizeof(chunk));
		while (linerd_next(l, line) == LINERD_LINE)
			cr_assert_leq(sbuf_len(line), 72);
		now = heap_in_use();
		if (now > before && now - before > peak)
			peak = now - before;
	}
	cr_assert_lt(peak, 100000 + 2 * sizeof(chunk) + 4096);
	linerd_free(&l);
}

Test(linerd, eof_delivers_partial_line)
{
	struct linerd *l = linerd_new(100, LINERD_STRIP_CR);

	feed_str(l, "one\r\ntwo");
	expect_line(l, "one");
	cr_assert_eq(linerd_next(l, line), LINERD_NEED_MORE);
	linerd_feed_eof(l);
	expect_line(l, "two");
	cr_assert_eq(linerd_next(l, line), LINERD_EOF);
	cr_assert_eq(linerd_next(l, line), LINERD_EOF);
	linerd_free(&l);
}

Test(linerd, eof_partial_line_keeps_cr)
{
	struct linerd *l = linerd_new(100, LINERD_STRIP_CR);

	feed_str(l, "two\r");
	linerd_feed_eof(l);
	expect_line(l, "two\r");
	cr_assert_eq(linerd_next(l, line), LINERD_EOF);
	linerd_free(&l);
}

Test(linerd, eof_partial_line_too_long)
{
	struct linerd *l = linerd_new(3, LINERD_STRIP_CR);

	feed_str(l, "abc\r"); /* allowed while a LF may follow */
	linerd_feed_eof(l);
	cr_assert_eq(linerd_next(l, line), LINERD_TOO_LONG);
	cr_assert_eq(linerd_next(l, line), LINERD_TOO_LONG);
	linerd_free(&l);
}

Test(linerd, eof_with_nothing_buffered)
{
	struct linerd *l = linerd_new(100, 0);

	linerd_feed_eof(l);
	cr_assert_eq(linerd_next(l, line), LINERD_EOF);
	linerd_free(&l);
}

Test(linerd, eof_after_complete_lines)
{
	struct linerd *l = linerd_new(100, 0);

	feed_str(l, "a\nb\n");
	linerd_feed_eof(l);
	expect_line(l, "a");
	expect_line(l, "b");
	cr_assert_eq(linerd_next(l, line), LINERD_EOF);
	linerd_free(&l);
}

Test(linerd, feed_after_eof_is_a_bug, .signal = SIGABRT)
{
	struct linerd *l = linerd_new(100, 0);

	linerd_feed_eof(l);
	feed_str(l, "late\n");
}

Test(linerd, binary_and_nul_bytes_pass_through)
{
	static const char in[] = "a\0b\xff\x01\n\0\n";
	struct linerd *l = linerd_new(5, 0);

	linerd_feed(l, in, sizeof(in) - 1);
	cr_assert_eq(linerd_next(l, line), LINERD_LINE);
	cr_assert_eq(sbuf_len(line), 5);
	cr_assert_eq(memcmp(sbuf_data(line), "a\0b\xff\x01", 5), 0);
	cr_assert_eq(linerd_next(l, line), LINERD_LINE);
	cr_assert_eq(sbuf_len(line), 1);
	cr_assert_eq(sbuf_data(line)[0], '\0');
	linerd_free(&l);
}

Test(linerd, next_replaces_line_contents)
{
	struct linerd *l = linerd_new(100, 0);

	sbuf_append_str(line, "stale");
	feed_str(l, "new\n");
	expect_line(l, "new");
	linerd_free(&l);
}

Test(linerd, small_line_buffer_counts_as_too_long)
{
	struct linerd *l = linerd_new(100, 0);
	struct sbuf *small = sbuf_new_max(0, 3);

	feed_str(l, "abc\nabcd\n");
	cr_assert_eq(linerd_next(l, small), LINERD_LINE);
	cr_assert_str_eq(sbuf_cstr(small), "abc");
	cr_assert_eq(linerd_next(l, small), LINERD_TOO_LONG);
	cr_assert_eq(linerd_next(l, line), LINERD_TOO_LONG);
	sbuf_free(&small);
	linerd_free(&l);
}

Test(linerd, free_sets_null_and_accepts_null)
{
	struct linerd *l = linerd_new(10, 0);

	linerd_free(&l);
	cr_assert_null(l);
	linerd_free(&l);
	cr_assert_null(l);
}

/* pipe_with - a pipe whose read end yields n bytes of s, then EOF */
static int pipe_with(const char *s, size_t n)
{
	int fds[2];

	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(write(fds[1], s, n), (ssize_t)n);
	close(fds[1]);
	return fds[0];
}

Test(linerd, read_fd_lines_then_eof)
{
	const char *in = "one\r\ntwo\nthree";
	struct linerd *l = linerd_new(10, LINERD_STRIP_CR);
	int fd = pipe_with(in, strlen(in));

	cr_assert_eq(linerd_read_fd(l, fd, line), LINERD_LINE);
	cr_assert_str_eq(sbuf_cstr(line), "one");
	cr_assert_eq(linerd_read_fd(l, fd, line), LINERD_LINE);
	cr_assert_str_eq(sbuf_cstr(line), "two");
	cr_assert_eq(linerd_read_fd(l, fd, line), LINERD_LINE);
	cr_assert_str_eq(sbuf_cstr(line), "three");
	cr_assert_eq(linerd_read_fd(l, fd, line), LINERD_EOF);
	close(fd);
	linerd_free(&l);
}

Test(linerd, read_fd_too_long)
{
	char in[5000];
	struct linerd *l = linerd_new(4096, 0);
	int fd;

	memset(in, 'z', sizeof(in));
	fd = pipe_with(in, sizeof(in));
	cr_assert_eq(linerd_read_fd(l, fd, line), LINERD_TOO_LONG);
	close(fd);
	linerd_free(&l);
}

Test(linerd, read_fd_error_sets_errno)
{
	struct linerd *l = linerd_new(10, 0);
	int fd = open("/dev/null", O_RDONLY);

	cr_assert_geq(fd, 0);
	close(fd); /* now a closed descriptor */
	errno = 0;
	cr_assert_eq(linerd_read_fd(l, fd, line), LINERD_ERROR);
	cr_assert_eq(errno, EBADF);
	linerd_free(&l);
}
