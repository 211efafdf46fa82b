/*
 * base64.h - RFC 4648 base64 (standard alphabet).
 *
 * Decoding input is untrusted: anything outside the alphabet, bad
 * padding or a bad length is an error (-1), never a partial result.
 * Non-zero pad bits in the last character ("QR==") are accepted and
 * dropped, as most decoders do (RFC 4648 3.5 allows either), so a
 * decoded value may have more than one encoding. Pure; thread-safe.
 */
#ifndef PW_BASE64_H
#define PW_BASE64_H

#include <stddef.h>

struct sbuf;

enum base64_flags {
	BASE64_STRICT = 0,
	BASE64_SKIP_SPACE = 1 << 0, /* ignore SP, HTAB, CR, LF (DKIM p=, b=) */
	BASE64_NO_PAD = 1 << 1,     /* accept input without trailing '=' */
};

/*
 * base64_encode - append the encoding of n bytes (borrowed) to out;
 * -1 past the maximum of out, which is then unchanged
 */
int base64_encode(const void *p, size_t n, struct sbuf *out);
/*
 * base64_decode - append the bytes that s (n bytes, borrowed, need not be
 * NUL-terminated) decodes to; -1 on bad input or past the maximum of out,
 * which is then unchanged
 */
int base64_decode(const char *s, size_t n, int flags, struct sbuf *out);

#endif
