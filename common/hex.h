/*
 * hex.h - lower-case hexadecimal, as doveadm and our logs print it.
 *
 * Decoding input may be untrusted: an odd length or a non-hex character
 * is an error (-1), never a partial result. Pure and thread-safe.
 */
#ifndef PW_HEX_H
#define PW_HEX_H

#include <stddef.h>

struct sbuf;

/* hex_digit_value - 0..15 for [0-9a-fA-F], else -1 */
int hex_digit_value(int c);
/* hex_encode - append 2n lower-case hex digits for n bytes (borrowed) */
int hex_encode(const void *p, size_t n, struct sbuf *out);
/* hex_decode - append the bytes of n hex digits; -1 on bad input */
int hex_decode(const char *s, size_t n, struct sbuf *out);

#endif
