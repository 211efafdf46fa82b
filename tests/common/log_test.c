/* log_test.c - unit tests for common/log */
#include "config.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "log.h"
#include "sbuf.h"

/* What the sink saw: the last message and how many there were. */
struct capture {
	enum log_level level;
	struct sbuf *msg;
	int count;
};

static struct capture cap;

/* capture_sink - remember every line the logger sends */
static void capture_sink(enum log_level level, const char *msg, void *ctx)
{
	struct capture *c = ctx;

	c->level = level;
	sbuf_set(c->msg, msg);
	c->count++;
}

/* capture_setup - quiet stderr and capture instead */
static void capture_setup(void)
{
	cap.msg = sbuf_new(0);
	cap.count = 0;
	log_init("log_test", 0);
	log_set_sink(capture_sink, &cap);
}

/* capture_teardown - release the capture */
static void capture_teardown(void)
{
	log_set_sink(NULL, NULL);
	sbuf_free(&cap.msg);
}

TestSuite(log, .init = capture_setup, .fini = capture_teardown);

Test(log, warn_reaches_sink_without_prefix)
{
	log_warn("disk %s is %d%% full", "sda", 93);
	cr_assert_eq(cap.count, 1);
	cr_assert_eq(cap.level, LOG_LEVEL_WARN);
	cr_assert_str_eq(sbuf_cstr(cap.msg), "disk sda is 93% full");
}

Test(log, info_reaches_sink)
{
	log_info("started");
	cr_assert_eq(cap.count, 1);
	cr_assert_eq(cap.level, LOG_LEVEL_INFO);
	cr_assert_str_eq(sbuf_cstr(cap.msg), "started");
}

Test(log, debug_dropped_unless_verbose)
{
	cr_assert_not(log_is_verbose());
	log_debug("hidden");
	cr_assert_eq(cap.count, 0);
	log_set_verbose(true);
	cr_assert(log_is_verbose());
	log_debug("shown %d", 1);
	cr_assert_eq(cap.count, 1);
	cr_assert_eq(cap.level, LOG_LEVEL_DEBUG);
	cr_assert_str_eq(sbuf_cstr(cap.msg), "shown 1");
	log_set_verbose(false);
	log_debug("hidden again");
	cr_assert_eq(cap.count, 1);
}

Test(log, sink_can_be_removed)
{
	log_set_sink(NULL, NULL);
	log_warn("nobody listens");
	cr_assert_eq(cap.count, 0);
}

Test(log, long_message_is_truncated_not_overrun)
{
	struct sbuf *big = sbuf_new(0);
	int i;

	for (i = 0; i < 5000; i++)
		sbuf_putc(big, 'x');
	log_warn("%s", sbuf_cstr(big));
	cr_assert_eq(cap.count, 1);
	cr_assert_gt(sbuf_len(cap.msg), 1000);
	cr_assert_lt(sbuf_len(cap.msg), 5000);
	sbuf_free(&big);
}

Test(log, fatal_exits_with_status, .exit_code = 75)
{
	log_set_fatal_status(75);
	log_fatal("config %s is broken", "x.cf");
}

Test(log, fatal_default_status_is_one, .exit_code = 1) { log_fatal("broken"); }

Test(log, panic_aborts, .signal = SIGABRT) { log_panic("invariant broken"); }

/* Table: bytes in, quoted text out. */
struct quote_case {
	const char *in;
	size_t n;
	const char *out;
};

static const struct quote_case quote_cases[] = {
    {"", 0, ""},
    {"plain text", 10, "plain text"},
    {"say \"hi\"", 8, "say \\\"hi\\\""},
    {"back\\slash", 10, "back\\\\slash"},
    {"a\nb\r\tc", 6, "a\\x0ab\\x0d\\x09c"},
    {"nul\0byte", 8, "nul\\x00byte"},
    {"\x7f\x80\xff", 3, "\\x7f\\x80\\xff"},
    {"~ !", 3, "~ !"},
    {"\x1f", 1, "\\x1f"},
};

Test(log, quote_escapes)
{
	size_t i;

	for (i = 0; i < sizeof(quote_cases) / sizeof(quote_cases[0]); i++) {
		struct sbuf *out = sbuf_new(0);
		const char *r;

		r = log_quote(out, quote_cases[i].in, quote_cases[i].n);
		cr_expect_str_eq(r, quote_cases[i].out, "case %zu", i);
		cr_expect_eq(r, sbuf_cstr(out), "case %zu: not out", i);
		sbuf_free(&out);
	}
}

Test(log, quote_appends_to_existing)
{
	struct sbuf *out = sbuf_new(0);

	sbuf_append_str(out, "user=");
	cr_assert_str_eq(log_quote(out, "a\"b", 3), "user=a\\\"b");
	sbuf_free(&out);
}

Test(log, quote_keeps_exactly_max_bytes)
{
	struct sbuf *out = sbuf_new(0);
	char in[LOG_QUOTE_MAX];

	memset(in, 'q', sizeof(in));
	log_quote(out, in, sizeof(in));
	cr_assert_eq(sbuf_len(out), LOG_QUOTE_MAX);
	cr_assert_eq(strchr(sbuf_cstr(out), '.'), NULL);
	sbuf_free(&out);
}

Test(log, quote_truncates_past_max)
{
	struct sbuf *out = sbuf_new(0);
	char in[LOG_QUOTE_MAX + 1];
	size_t len;

	memset(in, 'q', sizeof(in));
	log_quote(out, in, sizeof(in));
	len = sbuf_len(out);
	cr_assert_eq(len, LOG_QUOTE_MAX + 3);
	cr_assert_str_eq(sbuf_cstr(out) + LOG_QUOTE_MAX, "...");
	cr_assert_eq(sbuf_cstr(out)[LOG_QUOTE_MAX - 1], 'q');
	sbuf_free(&out);
}

Test(log, quote_truncates_by_input_bytes_not_output)
{
	struct sbuf *out = sbuf_new(0);
	char in[LOG_QUOTE_MAX * 2];

	memset(in, '\n', sizeof(in));
	log_quote(out, in, sizeof(in));
	/* Each kept byte becomes 4 characters, then "..." */
	cr_assert_eq(sbuf_len(out), LOG_QUOTE_MAX * 4 + 3);
	sbuf_free(&out);
}

Test(log, quoted_text_in_warning)
{
	struct sbuf *q = sbuf_new(0);

	log_warn("bad name \"%s\"", log_quote(q, "x\"\n", 3));
	cr_assert_str_eq(sbuf_cstr(cap.msg), "bad name \"x\\\"\\x0a\"");
	sbuf_free(&q);
}
