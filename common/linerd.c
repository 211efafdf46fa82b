/* linerd.c - line reader with hard limits */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linerd.h"
#include "log.h"
#include "sbuf.h"
#include "xalloc.h"

/*
 * The buffer holds buf[start, tail): complete lines, each ending in LF,
 * not yet taken; and buf[tail, end): the line still being received. The
 * partial line never holds more than max_line bytes (one more with
 * LINERD_STRIP_CR, for the CR); feeding more marks the reader too_long
 * and drops it. So when the owner takes the lines out after each chunk,
 * the buffer stays below max_line + 1 + the chunk size.
 */
struct linerd {
	unsigned char *buf;
	size_t cap;
	size_t start; /* first byte not taken yet */
	size_t tail;  /* first byte after the last LF */
	size_t end;   /* first free byte */
	size_t max_line;
	int flags;
	bool eof;
	bool too_long;	     /* report after the complete lines are taken */
	unsigned char *rbuf; /* linerd_read_fd: LINERD_READ_CHUNK bytes */
};

/* linerd_read_fd reads this much at a time. */
#define LINERD_READ_CHUNK 4096

/* linerd_new - reader for lines of at most max_line bytes (without LF) */
struct linerd *linerd_new(size_t max_line, int flags)
{
	struct linerd *l = xmalloc(sizeof(*l));

	/* Keep max_line + 2 + LINERD_READ_CHUNK far from SIZE_MAX. */
	if (max_line > SIZE_MAX / 4)
		max_line = SIZE_MAX / 4;
	l->max_line = max_line;
	l->flags = flags;
	return l;
}

/* linerd_free - release a reader; NULL-safe */
void linerd_free(struct linerd **lp)
{
	if (*lp == NULL)
		return;
	free((*lp)->buf);
	free((*lp)->rbuf);
	free(*lp);
	*lp = NULL;
}

/* linerd_allowance - most bytes a partial line may hold */
static size_t linerd_allowance(const struct linerd *l)
{
	return l->max_line + ((l->flags & LINERD_STRIP_CR) ? 1 : 0);
}

/* linerd_reserve - make room for n more bytes at the end */
static void linerd_reserve(struct linerd *l, size_t n)
{
	size_t used = l->end - l->start, need, ncap, limit;
	unsigned char *nb;

	if (n <= l->cap - l->end)
		return;
	if (l->start > 0) {
		/* UNSAFE: slide the unread bytes to the front; both ranges
		 * lie inside buf. */
		memmove(l->buf, l->buf + l->start, used);
		l->tail -= l->start;
		l->end = used;
		l->start = 0;
		if (n <= l->cap - l->end)
			return;
	}
	if (n > SIZE_MAX / 2 - used)
		log_panic("linerd: %zu + %zu bytes is too much", used, n);
	need = used + n;
	/* Double, but do not pass the steady-state bound unless we must. */
	limit = l->max_line + 2 + LINERD_READ_CHUNK;
	ncap = l->cap < 256 ? 256 : l->cap * 2;
	if (ncap > limit)
		ncap = limit;
	if (ncap < need)
		ncap = need;
	nb = xrealloc(l->buf, ncap);
	l->buf = nb;
	l->cap = ncap;
}

/* linerd_feed - buffer more input, checking line lengths as it comes */
void linerd_feed(struct linerd *l, const void *p, size_t n)
{
	const unsigned char *in = p, *lf;
	size_t take, seg, len;

	if (l->eof)
		log_panic("linerd_feed after linerd_feed_eof");
	while (n > 0 && !l->too_long) {
		lf = memchr(in, '\n', n);
		take = lf != NULL ? (size_t)(lf - in) + 1 : n;
		seg = lf != NULL ? take - 1 : take;
		len = l->end - l->tail;
		if (seg > linerd_allowance(l) - len) {
			/* Drop the partial line: it can never be delivered. */
			l->end = l->tail;
			l->too_long = true;
			return;
		}
		linerd_reserve(l, take);
		memcpy(l->buf + l->end, in, take);
		l->end += take;
		if (lf != NULL) {
			len += seg;
			if ((l->flags & LINERD_STRIP_CR) && len > 0 &&
			    l->buf[l->end - 2] == '\r')
				len--;
			if (len > l->max_line) {
				l->end = l->tail;
				l->too_long = true;
				return;
			}
			l->tail = l->end;
		}
		in += take;
		n -= take;
	}
}

/* linerd_feed_eof - no more input: a final unterminated line is a line */
void linerd_feed_eof(struct linerd *l) { l->eof = true; }

/* linerd_take - move buf[start, start + len) to line_r, consume skip */
static enum linerd_status linerd_take(struct linerd *l, size_t len, size_t skip,
				      struct sbuf *line_r)
{
	sbuf_reset(line_r);
	if (sbuf_append(line_r, l->buf + l->start, len) < 0) {
		/* line_r has a smaller maximum than max_line. */
		l->too_long = true;
		l->start = l->tail = l->end = 0;
		return LINERD_TOO_LONG;
	}
	l->start += skip;
	if (l->start == l->end)
		l->start = l->tail = l->end = 0;
	return LINERD_LINE;
}

/* linerd_next - take the next complete line (without its end) */
enum linerd_status linerd_next(struct linerd *l, struct sbuf *line_r)
{
	const unsigned char *lf;
	size_t len;

	if (l->start < l->tail) {
		lf = memchr(l->buf + l->start, '\n', l->tail - l->start);
		if (lf == NULL)
			log_panic("linerd: no LF before tail");
		len = (size_t)(lf - (l->buf + l->start));
		if ((l->flags & LINERD_STRIP_CR) && len > 0 && lf[-1] == '\r')
			return linerd_take(l, len - 1, len + 1, line_r);
		return linerd_take(l, len, len + 1, line_r);
	}
	if (l->too_long)
		return LINERD_TOO_LONG;
	if (!l->eof)
		return LINERD_NEED_MORE;
	if (l->start == l->end)
		return LINERD_EOF;
	/* A final line without LF keeps any CR: only CR LF is a line end. */
	len = l->end - l->start;
	if (len > l->max_line) {
		l->too_long = true;
		l->start = l->tail = l->end = 0;
		return LINERD_TOO_LONG;
	}
	return linerd_take(l, len, len, line_r);
}

/* linerd_read_fd - blocking helper: read from fd until a line or EOF */
enum linerd_status linerd_read_fd(struct linerd *l, int fd, struct sbuf *line_r)
{
	enum linerd_status st;
	ssize_t r;

	if (l->rbuf == NULL)
		l->rbuf = xmalloc(LINERD_READ_CHUNK);
	for (;;) {
		st = linerd_next(l, line_r);
		if (st != LINERD_NEED_MORE)
			return st;
		r = read(fd, l->rbuf, LINERD_READ_CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return LINERD_ERROR;
		if (r == 0)
			linerd_feed_eof(l);
		else
			linerd_feed(l, l->rbuf, (size_t)r);
	}
}
