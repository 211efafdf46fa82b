/* hex.c - lower-case hexadecimal encoding and strict decoding */
#include "config.h"

#include "hex.h"
#include "sbuf.h"

/* hex_digit_value - value of one hex digit, or -1 */
int hex_digit_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* hex_encode - append the lower-case hex form of n bytes */
int hex_encode(const void *p, size_t n, struct sbuf *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *b = p;
	size_t i, start = sbuf_len(out);

	for (i = 0; i < n; i++)
		if (sbuf_putc(out, digits[b[i] >> 4]) < 0 ||
		    sbuf_putc(out, digits[b[i] & 15]) < 0) {
			sbuf_truncate(out, start);
			return -1;
		}
	return 0;
}

/* hex_decode - append the bytes n hex digits stand for */
int hex_decode(const char *s, size_t n, struct sbuf *out)
{
	size_t i, start = sbuf_len(out);
	int hi, lo;

	if (n % 2 != 0)
		return -1;
	for (i = 0; i < n; i += 2) {
		hi = hex_digit_value((unsigned char)s[i]);
		lo = hex_digit_value((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0 || sbuf_putc(out, hi << 4 | lo) < 0) {
			sbuf_truncate(out, start);
			return -1;
		}
	}
	return 0;
}
