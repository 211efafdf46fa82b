/*
 * linerd.h - line reader with hard limits.
 *
 * Push-style: feed bytes as they arrive (from a socket, a bufferevent or
 * a file), then take complete lines out. A line longer than the limit is
 * an error (LINERD_TOO_LONG), never a silent truncation; after it the
 * reader stays in that state. Lines end in LF; a CR before the LF is
 * removed when LINERD_STRIP_CR is set (and does not count against the
 * limit). Lines may hold any byte, NUL included. The input is untrusted.
 *
 * Memory: the line being received is checked as it arrives, so the
 * buffer holds at most max_line (+1) bytes of it plus the complete lines
 * not taken yet. An owner that takes every line after each feed keeps the
 * buffer below max_line + 1 + its read size, however long the peer
 * sends without an LF. Not thread-safe: one owner at a time.
 */
#ifndef PW_LINERD_H
#define PW_LINERD_H

#include <stddef.h>

struct sbuf;
struct linerd;

enum linerd_flags {
	LINERD_STRIP_CR = 1 << 0,
};

enum linerd_status {
	LINERD_LINE,	  /* a complete line was stored in line_r */
	LINERD_NEED_MORE, /* no complete line buffered yet */
	LINERD_EOF,	  /* end of input and nothing left */
	LINERD_TOO_LONG,  /* a line passed max_line: protocol error */
	LINERD_ERROR,	  /* read error (linerd_read_fd only; errno set) */
};

/* linerd_new - reader for lines of at most max_line bytes (without LF) */
struct linerd *linerd_new(size_t max_line, int flags); /* linerd_free */
void linerd_free(struct linerd **lp);
/* linerd_feed - buffer n more bytes (borrowed); ignored once TOO_LONG */
void linerd_feed(struct linerd *l, const void *p, size_t n);
/*
 * linerd_feed_eof - no more input: a final unterminated line is a line
 * (kept as is: a CR without LF is not a line end). Feeding after this is
 * a bug (log_panic).
 */
void linerd_feed_eof(struct linerd *l);
/*
 * linerd_next - replace the contents of line_r with the next complete
 * line (without its end). Lines complete before an over-long one are
 * still returned first. A line_r whose maximum is below max_line counts
 * as TOO_LONG.
 */
enum linerd_status linerd_next(struct linerd *l, struct sbuf *line_r);
/* linerd_read_fd - blocking helper: read from fd until a line or EOF;
 * bytes after the line stay buffered for the next call */
enum linerd_status linerd_read_fd(struct linerd *l, int fd,
				  struct sbuf *line_r);

#endif
