/*
 * sbuf.h - safe growable byte string.
 *
 * Length-counted, binary-safe, always NUL-terminated. An optional hard
 * maximum makes appends fail (-1) instead of growing without bound, which
 * is how peer-controlled data is kept in check. The handle stays valid
 * while the data moves, so callers never reassign after an append.
 * Not thread-safe: one owner at a time.
 */
#ifndef PW_SBUF_H
#define PW_SBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "attrs.h"

struct sbuf;

struct sbuf *sbuf_new(size_t hint);                /* caller: sbuf_free */
struct sbuf *sbuf_new_max(size_t hint, size_t max); /* max bytes of data */
void sbuf_free(struct sbuf **bp);                   /* NULL-safe */
/* sbuf_free_secret - wipe the whole allocation, then free */
void sbuf_free_secret(struct sbuf **bp);

/* Appends return 0, or -1 (buffer unchanged) when max would be passed. */
int sbuf_append(struct sbuf *b, const void *p, size_t n);
int sbuf_append_str(struct sbuf *b, const char *s);
int sbuf_putc(struct sbuf *b, int c);
/* printf arguments must not point into b: it may move first */
int sbuf_printf(struct sbuf *b, const char *fmt, ...) ATTR_PRINTF(2, 3);
int sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap)
	ATTR_PRINTF(2, 0);
/* sbuf_set - replace the contents with a string */
int sbuf_set(struct sbuf *b, const char *s);

void sbuf_reset(struct sbuf *b);              /* length 0, keeps memory */
void sbuf_truncate(struct sbuf *b, size_t n); /* no-op if n >= len */
void sbuf_wipe(struct sbuf *b);               /* erase secret, length 0 */

const char *sbuf_cstr(const struct sbuf *b);  /* borrowed: until next write */
const unsigned char *sbuf_data(const struct sbuf *b); /* same, as bytes */
size_t sbuf_len(const struct sbuf *b);
bool sbuf_is_empty(const struct sbuf *b);
/* sbuf_steal - hand the string to the caller (free()); b becomes empty */
char *sbuf_steal(struct sbuf *b);

#endif
