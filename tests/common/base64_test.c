/* base64_test.c - unit tests for common/base64 */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "base64.h"
#include "sbuf.h"

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

/* RFC 4648 10: test vectors. */
static const struct {
	const char *raw;
	const char *enc;
} rfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

Test(base64, encode_rfc4648_vectors)
{
	size_t i;

	for (i = 0; i < NCASES(rfc4648); i++) {
		struct sbuf *out = sbuf_new(0);

		cr_expect_eq(
		    base64_encode(rfc4648[i].raw, strlen(rfc4648[i].raw), out),
		    0);
		cr_expect_str_eq(sbuf_cstr(out), rfc4648[i].enc, "case %zu", i);
		sbuf_free(&out);
	}
}

Test(base64, decode_rfc4648_vectors)
{
	size_t i;

	for (i = 0; i < NCASES(rfc4648); i++) {
		struct sbuf *out = sbuf_new(0);
		const char *enc = rfc4648[i].enc;

		cr_expect_eq(
		    base64_decode(enc, strlen(enc), BASE64_STRICT, out), 0,
		    "case %zu", i);
		cr_expect_eq(sbuf_len(out), strlen(rfc4648[i].raw));
		cr_expect_str_eq(sbuf_cstr(out), rfc4648[i].raw, "case %zu", i);
		sbuf_free(&out);
	}
}

Test(base64, encode_uses_whole_alphabet)
{
	static const unsigned char raw[] = {
	    0x00, 0x10, 0x83, 0x10, 0x51, 0x87, 0x20, 0x92, 0x8b, 0x30,
	    0xd3, 0x8f, 0x41, 0x14, 0x93, 0x51, 0x55, 0x97, 0x61, 0x96,
	    0x9b, 0x71, 0xd7, 0x9f, 0x82, 0x18, 0xa3, 0x92, 0x59, 0xa7,
	    0xa2, 0x9a, 0xab, 0xb2, 0xdb, 0xaf, 0xc3, 0x1c, 0xb3, 0xd3,
	    0x5d, 0xb7, 0xe3, 0x9e, 0xbb, 0xf3, 0xdf, 0xbf};
	struct sbuf *out = sbuf_new(0);

	cr_assert_eq(base64_encode(raw, sizeof(raw), out), 0);
	cr_assert_str_eq(sbuf_cstr(out), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"
					 "ghijklmnopqrstuvwxyz0123456789+/");
	sbuf_free(&out);
}

Test(base64, round_trips_every_length_and_byte)
{
	unsigned char raw[700];
	struct sbuf *enc = sbuf_new(0), *dec = sbuf_new(0);
	size_t n, i;

	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)(i * 7 + i / 256);
	for (n = 0; n <= sizeof(raw); n++) {
		sbuf_reset(enc);
		sbuf_reset(dec);
		cr_assert_eq(base64_encode(raw, n, enc), 0);
		cr_assert_eq(sbuf_len(enc), (n + 2) / 3 * 4);
		cr_assert_eq(base64_decode(sbuf_cstr(enc), sbuf_len(enc),
					   BASE64_STRICT, dec),
			     0, "length %zu", n);
		cr_assert_eq(sbuf_len(dec), n);
		cr_assert_eq(memcmp(sbuf_data(dec), raw, n), 0, "length %zu",
			     n);
	}
	sbuf_free(&enc);
	sbuf_free(&dec);
}

/* Table: input, flags, expected result and decoded bytes. */
struct decode_case {
	const char *in;
	int flags;
	int ret;
	const char *out;
};

#define SKIP BASE64_SKIP_SPACE
#define NOPAD BASE64_NO_PAD

static const struct decode_case decode_cases[] = {
    /* bad characters */
    {"Zm9v!", 0, -1, NULL},
    {"Zm-v", 0, -1, NULL}, /* base64url alphabet */
    {"Zm_v", 0, -1, NULL},
    {"Zm9\x80", 0, -1, NULL},
    {"Zm 9v", 0, -1, NULL}, /* space without SKIP_SPACE */
    {"Zm9v\n", 0, -1, NULL},
    {"Zm\x0b9v", SKIP, -1, NULL}, /* VT is not skipped */
    /* bad length */
    {"Z", 0, -1, NULL},
    {"Zm9", 0, -1, NULL},
    {"Zm9vY", 0, -1, NULL},
    {"Z===", 0, -1, NULL},
    {"Z", NOPAD, -1, NULL},
    {"Zm9vY", NOPAD, -1, NULL},
    /* bad padding */
    {"=", 0, -1, NULL},
    {"==", 0, -1, NULL},
    {"====", 0, -1, NULL},
    {"Zg=", 0, -1, NULL},
    {"Zg===", 0, -1, NULL},
    {"Zm8==", 0, -1, NULL},
    {"Zm9v=", 0, -1, NULL},
    {"Zm9v====", 0, -1, NULL},
    {"Zg==Zg==", 0, -1, NULL},
    {"Zg=a", 0, -1, NULL},
    {"Z=g=", 0, -1, NULL},
    {"Zg=", NOPAD, -1, NULL},
    {"Zm8==", NOPAD, -1, NULL},
    {"Zg==Zg", NOPAD, -1, NULL},
    /* padding required unless NO_PAD */
    {"Zg", 0, -1, NULL},
    {"Zm8", 0, -1, NULL},
    {"Zg", NOPAD, 0, "f"},
    {"Zm8", NOPAD, 0, "fo"},
    {"Zm9vYg", NOPAD, 0, "foob"},
    {"Zg==", NOPAD, 0, "f"},
    {"Zm8=", NOPAD, 0, "fo"},
    {"", NOPAD, 0, ""},
    /* white space */
    {" Zm9v YmFy ", SKIP, 0, "foobar"},
    {"Zm\r\n9v\tYg =\n=\r\n", SKIP, 0, "foob"},
    {"Z m 9 v Y m E =", SKIP, 0, "fooba"},
    {" \t\r\n", SKIP, 0, ""},
    {"Zm9vYg\n", SKIP | NOPAD, 0, "foob"},
    {"Zg= =", SKIP, 0, "f"},
    {"Zg== Zg==", SKIP, -1, NULL},
    /* non-zero pad bits: accepted, dropped */
    {"Zh==", 0, 0, "f"},
    {"Zm9=", 0, 0, "fo"},
    {"QR==", 0, 0, "A"},
    {"Zh", NOPAD, 0, "f"},
};

Test(base64, decode_table)
{
	size_t i;

	for (i = 0; i < NCASES(decode_cases); i++) {
		const struct decode_case *c = &decode_cases[i];
		struct sbuf *out = sbuf_new(0);
		int r = base64_decode(c->in, strlen(c->in), c->flags, out);

		cr_expect_eq(r, c->ret, "case %zu \"%s\": ret %d", i, c->in, r);
		if (c->ret == 0)
			cr_expect_str_eq(sbuf_cstr(out), c->out,
					 "case %zu \"%s\"", i, c->in);
		else
			cr_expect_eq(sbuf_len(out), 0,
				     "case %zu \"%s\": partial output", i,
				     c->in);
		sbuf_free(&out);
	}
}

Test(base64, decode_stops_at_n_not_nul)
{
	struct sbuf *out = sbuf_new(0);

	cr_assert_eq(base64_decode("Zm9vYmFy", 4, 0, out), 0);
	cr_assert_str_eq(sbuf_cstr(out), "foo");
	sbuf_free(&out);
}

Test(base64, decode_rejects_nul_inside)
{
	struct sbuf *out = sbuf_new(0);

	cr_assert_eq(base64_decode("Zm9v\0mFy", 8, 0, out), -1);
	cr_assert_eq(base64_decode("Zm9v\0mFy", 8, SKIP | NOPAD, out), -1);
	cr_assert_eq(sbuf_len(out), 0);
	sbuf_free(&out);
}

Test(base64, decode_binary_output)
{
	struct sbuf *out = sbuf_new(0);

	cr_assert_eq(base64_decode("AP8A", 4, 0, out), 0);
	cr_assert_eq(sbuf_len(out), 3);
	cr_assert_eq(memcmp(sbuf_data(out), "\x00\xff\x00", 3), 0);
	sbuf_free(&out);
}

Test(base64, decode_appends_and_error_keeps_old_contents)
{
	struct sbuf *out = sbuf_new(0);

	sbuf_append_str(out, "x:");
	cr_assert_eq(base64_decode("Zm9v", 4, 0, out), 0);
	cr_assert_str_eq(sbuf_cstr(out), "x:foo");
	cr_assert_eq(base64_decode("Zm9vYmFy!", 9, 0, out), -1);
	cr_assert_str_eq(sbuf_cstr(out), "x:foo");
	sbuf_free(&out);
}

Test(base64, decode_long_input_error_at_end_leaves_nothing)
{
	struct sbuf *in = sbuf_new(0), *out = sbuf_new(0);
	int i;

	/* Longer than the internal chunk, so output was appended already. */
	for (i = 0; i < 1000; i++)
		sbuf_append_str(in, "Zm9v");
	sbuf_append_str(in, "Z");
	cr_assert_eq(base64_decode(sbuf_cstr(in), sbuf_len(in), 0, out), -1);
	cr_assert_eq(sbuf_len(out), 0);
	sbuf_free(&in);
	sbuf_free(&out);
}

Test(base64, decode_past_max_fails_unchanged)
{
	struct sbuf *out = sbuf_new_max(0, 5);

	cr_assert_eq(base64_decode("Zm9vYmFy", 8, 0, out), -1);
	cr_assert_eq(sbuf_len(out), 0);
	cr_assert_eq(base64_decode("Zm9vYmE=", 8, 0, out), 0);
	cr_assert_str_eq(sbuf_cstr(out), "fooba");
	sbuf_free(&out);
}

Test(base64, encode_past_max_fails_unchanged)
{
	struct sbuf *out = sbuf_new_max(0, 10);
	char big[600];

	memset(big, 'a', sizeof(big));
	sbuf_append_str(out, "k=");
	cr_assert_eq(base64_encode("foobar", 6, out), 0);
	cr_assert_str_eq(sbuf_cstr(out), "k=Zm9vYmFy");
	cr_assert_eq(base64_encode("f", 1, out), -1);
	cr_assert_str_eq(sbuf_cstr(out), "k=Zm9vYmFy");
	sbuf_reset(out);
	cr_assert_eq(base64_encode(big, sizeof(big), out), -1);
	cr_assert_eq(sbuf_len(out), 0);
	sbuf_free(&out);
}

Test(base64, encode_appends)
{
	struct sbuf *out = sbuf_new(0);

	sbuf_append_str(out, "b=");
	cr_assert_eq(base64_encode("\xff\xfe", 2, out), 0);
	cr_assert_str_eq(sbuf_cstr(out), "b=//4=");
	sbuf_free(&out);
}
