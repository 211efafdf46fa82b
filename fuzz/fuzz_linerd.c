/*
 * fuzz_linerd.c - linerd on untrusted input.
 *
 * The first byte picks the line limit, the flags and how the rest is cut
 * into feeds; the lines read out must be the input's lines, in order,
 * none longer than the limit.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "linerd.h"
#include "log.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linerd *l;
	struct sbuf *line = sbuf_new(0);
	enum linerd_status st = LINERD_NEED_MORE;
	size_t max_line, step, off = 0, seen = 0, n;
	int flags;

	if (size < 1)
		goto out;
	max_line = data[0] & 0x1f; /* 0..31 */
	flags = (data[0] & 0x20) ? LINERD_STRIP_CR : 0;
	step = ((data[0] >> 6) & 0x3) * 3 + 1; /* 1, 4, 7 or 10 bytes */
	data++;
	size--;

	l = linerd_new(max_line, flags);
	while (off < size) {
		n = size - off < step ? size - off : step;
		linerd_feed(l, data + off, n);
		off += n;
		while ((st = linerd_next(l, line)) == LINERD_LINE) {
			if (sbuf_len(line) > max_line)
				log_panic("linerd: line over the limit");
			/* The line must be the next bytes of the input. */
			if (sbuf_len(line) > size - seen ||
			    memcmp(sbuf_data(line), data + seen,
				   sbuf_len(line)) != 0)
				log_panic("linerd: line differs from input");
			seen += sbuf_len(line);
			if (seen < size && data[seen] == '\r' &&
			    (flags & LINERD_STRIP_CR))
				seen++;
			if (seen >= size || data[seen] != '\n')
				log_panic("linerd: line does not end at LF");
			seen++;
		}
		if (st == LINERD_TOO_LONG)
			break;
	}
	if (st != LINERD_TOO_LONG) {
		/* At most one unterminated line is left: the input's tail. */
		linerd_feed_eof(l);
		st = linerd_next(l, line);
		if (st == LINERD_LINE) {
			if (sbuf_len(line) != size - seen ||
			    memcmp(sbuf_data(line), data + seen,
				   sbuf_len(line)) != 0)
				log_panic(
				    "linerd: last line differs from input");
			seen = size;
			st = linerd_next(l, line);
		}
		if (st == LINERD_EOF && seen != size)
			log_panic("linerd: EOF before the input was used");
		if (st != LINERD_EOF && st != LINERD_TOO_LONG)
			log_panic("linerd: unexpected status %d", (int)st);
	}
	linerd_free(&l);
out:
	sbuf_free(&line);
	return 0;
}
