/* base64.c - RFC 4648 base64 (standard alphabet) */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>

#include "base64.h"
#include "sbuf.h"

static const char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Encoded or decoded bytes are collected here, then appended in one go. */
#define BASE64_CHUNK 256

/* base64_encode - append the encoding of n bytes to out (-1 past max) */
int base64_encode(const void *p, size_t n, struct sbuf *out)
{
	const unsigned char *in = p;
	size_t start = sbuf_len(out);
	char chunk[BASE64_CHUNK];
	size_t i, k = 0;
	unsigned long v;

	for (i = 0; i < n; i += 3) {
		v = (unsigned long)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned long)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		chunk[k++] = base64_alphabet[(v >> 18) & 0x3f];
		chunk[k++] = base64_alphabet[(v >> 12) & 0x3f];
		chunk[k++] = i + 1 < n ? base64_alphabet[(v >> 6) & 0x3f] : '=';
		chunk[k++] = i + 2 < n ? base64_alphabet[v & 0x3f] : '=';
		if (k + 4 > sizeof(chunk)) {
			if (sbuf_append(out, chunk, k) < 0)
				goto fail;
			k = 0;
		}
	}
	if (sbuf_append(out, chunk, k) < 0)
		goto fail;
	return 0;
fail:
	sbuf_truncate(out, start);
	return -1;
}

/* base64_value - the 6-bit value of an alphabet character, or -1 */
static int base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* base64_is_space - the white space BASE64_SKIP_SPACE ignores */
static bool base64_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * base64_decode - append decoded bytes to out; -1 on bad input
 *
 * Rules (RFC 4648 3.3 and 4): only alphabet characters, then at most two
 * '=' that complete the last 4-character quantum, then nothing else. A
 * final quantum of one character is always an error. Without
 * BASE64_NO_PAD a short final quantum must be padded; with it, padding is
 * optional but must still be right when present. Non-zero bits left over
 * in the last character ("QR==") are accepted and dropped, as most
 * decoders do (RFC 4648 3.5 allows either). On error out is unchanged.
 */
int base64_decode(const char *s, size_t n, int flags, struct sbuf *out)
{
	const unsigned char *in = (const unsigned char *)s;
	size_t start = sbuf_len(out);
	unsigned char chunk[BASE64_CHUNK];
	size_t i, k = 0, quantum = 0, pad = 0;
	unsigned long v = 0;
	int d;

	for (i = 0; i < n; i++) {
		if ((flags & BASE64_SKIP_SPACE) && base64_is_space(in[i]))
			continue;
		if (in[i] == '=') {
			pad++;
			continue;
		}
		d = base64_value(in[i]);
		if (d < 0 || pad > 0)
			goto fail;
		v = (v << 6) | (unsigned long)d;
		if (++quantum == 4) {
			chunk[k++] = (unsigned char)(v >> 16);
			chunk[k++] = (unsigned char)(v >> 8);
			chunk[k++] = (unsigned char)v;
			quantum = 0;
			v = 0;
			if (k + 3 > sizeof(chunk)) {
				if (sbuf_append(out, chunk, k) < 0)
					goto fail;
				k = 0;
			}
		}
	}

	/* quantum is what the final group holds: 0, 2 or 3 are valid. */
	switch (quantum) {
	case 0:
		if (pad != 0)
			goto fail;
		break;
	case 2:
		if (pad != 2 && !(pad == 0 && (flags & BASE64_NO_PAD)))
			goto fail;
		chunk[k++] = (unsigned char)(v >> 4);
		break;
	case 3:
		if (pad != 1 && !(pad == 0 && (flags & BASE64_NO_PAD)))
			goto fail;
		chunk[k++] = (unsigned char)(v >> 10);
		chunk[k++] = (unsigned char)(v >> 2);
		break;
	default:
		goto fail;
	}
	if (sbuf_append(out, chunk, k) < 0)
		goto fail;
	return 0;
fail:
	sbuf_truncate(out, start);
	return -1;
}
