/* sbuf.c - safe growable byte string */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "xalloc.h"

struct sbuf {
	char *data;
	size_t len;
	size_t cap;	/* allocated bytes, including the NUL */
	size_t max;	/* most data bytes allowed; SIZE_MAX / 2 if unbounded */
};

/* sbuf_new_max - new empty buffer that never holds more than max bytes */
struct sbuf *sbuf_new_max(size_t hint, size_t max)
{
	struct sbuf *b = xmalloc(sizeof(*b));

	if (max > SIZE_MAX / 2)
		max = SIZE_MAX / 2;
	if (hint > max)
		hint = max;
	b->cap = hint + 1;
	b->data = xmalloc(b->cap);
	b->max = max;
	return b;
}

/* sbuf_new - new empty unbounded buffer */
struct sbuf *sbuf_new(size_t hint)
{
	return sbuf_new_max(hint, SIZE_MAX);
}

/* sbuf_free - release a buffer; NULL-safe */
void sbuf_free(struct sbuf **bp)
{
	if (*bp == NULL)
		return;
	free((*bp)->data);
	free(*bp);
	*bp = NULL;
}

/* sbuf_free_secret - wipe every byte ever used, then release */
void sbuf_free_secret(struct sbuf **bp)
{
	if (*bp == NULL)
		return;
	wipe_bytes((*bp)->data, (*bp)->cap);
	sbuf_free(bp);
}

/* sbuf_reserve - make room for n more bytes plus the NUL */
static int sbuf_reserve(struct sbuf *b, size_t n)
{
	size_t need, ncap;
	char *nd;

	if (n > b->max - b->len)
		return -1;
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap < 64 ? 64 : b->cap;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	/* Copy instead of realloc so a secret never lingers in freed memory. */
	nd = xmalloc(ncap);
	memcpy(nd, b->data, b->len + 1);
	wipe_bytes(b->data, b->cap);
	free(b->data);
	b->data = nd;
	b->cap = ncap;
	return 0;
}

/* sbuf_append - append bytes, growing as needed */
int sbuf_append(struct sbuf *b, const void *p, size_t n)
{
	uintptr_t src = (uintptr_t)p, base = (uintptr_t)b->data;
	size_t cap = b->cap;

	if (sbuf_reserve(b, n) < 0)
		return -1;
	/* p may point into b itself; sbuf_reserve may have moved it. */
	if (src >= base && src < base + cap)
		p = b->data + (src - base);
	if (n > 0)
		memmove(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

/* sbuf_append_str - append a NUL-terminated string */
int sbuf_append_str(struct sbuf *b, const char *s)
{
	return sbuf_append(b, s, strlen(s));
}

/* sbuf_putc - append one byte */
int sbuf_putc(struct sbuf *b, int c)
{
	unsigned char ch = (unsigned char)c;

	return sbuf_append(b, &ch, 1);
}

/* sbuf_vprintf - append formatted text */
int sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || sbuf_reserve(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

/* sbuf_printf - append formatted text */
int sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = sbuf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

/* sbuf_set - replace the contents with a string */
int sbuf_set(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (n > b->max)
		return -1;
	b->len = 0; /* leave the bytes: s may point into them */
	return sbuf_append(b, s, n);
}

/* sbuf_reset - empty the buffer, keep the memory */
void sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	b->data[0] = '\0';
}

/* sbuf_truncate - shorten to n bytes */
void sbuf_truncate(struct sbuf *b, size_t n)
{
	if (n >= b->len)
		return;
	b->len = n;
	b->data[n] = '\0';
}

/* sbuf_wipe - erase the contents of a buffer that held a secret */
void sbuf_wipe(struct sbuf *b)
{
	wipe_bytes(b->data, b->cap);
	b->len = 0;
}

/* sbuf_cstr - the contents as a C string; borrowed */
const char *sbuf_cstr(const struct sbuf *b)
{
	return b->data;
}

/* sbuf_data - the contents as bytes; borrowed */
const unsigned char *sbuf_data(const struct sbuf *b)
{
	return (const unsigned char *)b->data;
}

/* sbuf_len - number of data bytes */
size_t sbuf_len(const struct sbuf *b)
{
	return b->len;
}

/* sbuf_is_empty - does the buffer hold no bytes? */
bool sbuf_is_empty(const struct sbuf *b)
{
	return b->len == 0;
}

/* sbuf_steal - give the string to the caller and start afresh */
char *sbuf_steal(struct sbuf *b)
{
	char *s = b->data;

	b->cap = 64;
	b->data = xmalloc(b->cap);
	b->len = 0;
	return s;
}
