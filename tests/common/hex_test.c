/* hex_test.c - lower-case hex encoding, strict decoding */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "hex.h"
#include "sbuf.h"

Test(hex, encode)
{
	struct sbuf *out = sbuf_new(0);

	cr_assert_eq(hex_encode("\x00\x01\xab\xff", 4, out), 0);
	cr_expect_str_eq(sbuf_cstr(out), "0001abff");
	cr_assert_eq(hex_encode("", 0, out), 0);
	cr_expect_str_eq(sbuf_cstr(out), "0001abff");
	sbuf_free(&out);
}

struct decode_case {
	const char *in;
	const char *want; /* NULL: error */
	size_t want_len;
};

static const struct decode_case decode_cases[] = {
	{"", "", 0},
	{"00ff", "\x00\xff", 2},
	{"ABcd", "\xab\xcd", 2},
	{"5ebe2294ecd0e0f08eab7690d2a6ee69",
	 "\x5e\xbe\x22\x94\xec\xd0\xe0\xf0\x8e\xab\x76\x90\xd2\xa6\xee\x69", 16},
	{"0", NULL, 0},	   /* odd length */
	{"0g", NULL, 0},   /* not a digit */
	{"00 1", NULL, 0}, /* space */
	{"-1", NULL, 0},
};

Test(hex, decode)
{
	size_t i;

	for (i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
		const struct decode_case *dc = &decode_cases[i];
		struct sbuf *out = sbuf_new(0);

		sbuf_set(out, "x");
		if (dc->want == NULL) {
			cr_expect_eq(hex_decode(dc->in, strlen(dc->in), out), -1,
				     "case %zu accepted", i);
			cr_expect_str_eq(sbuf_cstr(out), "x",
					 "case %zu: partial output", i);
		} else {
			cr_expect_eq(hex_decode(dc->in, strlen(dc->in), out), 0,
				     "case %zu", i);
			cr_expect_eq(sbuf_len(out), dc->want_len + 1);
			cr_expect(memcmp(sbuf_data(out) + 1, dc->want,
					 dc->want_len) == 0,
				  "case %zu", i);
		}
		sbuf_free(&out);
	}
}

Test(hex, respects_buffer_maximum)
{
	struct sbuf *out = sbuf_new_max(0, 3);

	cr_expect_eq(hex_encode("ab", 2, out), -1);
	cr_expect(sbuf_is_empty(out));
	cr_expect_eq(hex_decode("01020304", 8, out), -1);
	cr_expect(sbuf_is_empty(out));
	sbuf_free(&out);
}
