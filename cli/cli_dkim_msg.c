/*
 * cli_dkim_msg.c - a message on standard input for "postwarden dkim sign"
 * and "verify" (cli_dkim.h): read whole, under a hard limit, because the
 * signature goes on top of what was read; the header split into fields
 * through linerd, the body handed on with CRLF line ends.
 *
 * RFC 5322 2.2.3: a line that starts with SP or HTAB continues the
 * field before it; the first empty line ends the header. Lines may end
 * in LF or CRLF; the fields get CRLF folding either way, as the DKIM
 * library wants them (RFC 6376 3.4 works on CRLF).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "cli_dkim.h"
#include "dkim_hdrs.h"
#include "linerd.h"
#include "sbuf.h"
#include "xalloc.h"

#define CLI_DKIM_MSG_CHUNK (64u << 10) /* bytes per read, feed, callback */

struct cli_dkim_msg {
	struct sbuf *raw;    /* the input as read */
	size_t body_off;     /* the body starts here in raw */
	struct sbuf *fields; /* the fields, one after the other */
	size_t *field_end;   /* end offset of each field in fields */
	size_t nfields;
	bool crlf; /* the first line ended in CRLF */
};

void cli_dkim_msg_free(struct cli_dkim_msg **mp)
{
	struct cli_dkim_msg *m = *mp;

	if (m == NULL)
		return;
	sbuf_free(&m->raw);
	sbuf_free(&m->fields);
	free(m->field_end);
	free(m);
	*mp = NULL;
}

/* cli_dkim_msg_slurp - read fd to its end into m->raw */
static int cli_dkim_msg_slurp(int fd, struct cli_dkim_msg *m)
{
	char *buf = xmalloc(CLI_DKIM_MSG_CHUNK);
	int status = CLI_EXIT_OK;
	ssize_t n;

	for (;;) {
		n = read(fd, buf, CLI_DKIM_MSG_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_dkim_error("standard input: %s", strerror(errno));
			status = EX_IOERR;
			break;
		}
		if (n == 0)
			break;
		if (sbuf_append(m->raw, buf, (size_t)n) < 0) {
			cli_dkim_error("the message is larger than %u MiB",
				       CLI_DKIM_MAX_MESSAGE >> 20);
			status = CLI_EXIT_DATAERR;
			break;
		}
	}
	free(buf);
	return status;
}

/* cli_dkim_msg_line - one header line, LF gone; *end_r: it was empty */
static int cli_dkim_msg_line(struct cli_dkim_msg *m, const char *p, size_t n,
			     bool *end_r)
{
	if (n > 0 && p[n - 1] == '\r')
		n--;
	*end_r = n == 0;
	if (n == 0)
		return CLI_EXIT_OK;
	if (p[0] == ' ' || p[0] == '\t') {
		if (m->nfields == 0) {
			cli_dkim_error("the header starts with a continuation "
				       "line");
			return CLI_EXIT_DATAERR;
		}
		if (sbuf_append(m->fields, "\r\n", 2) < 0 ||
		    sbuf_append(m->fields, p, n) < 0)
			goto too_big;
		m->field_end[m->nfields - 1] = sbuf_len(m->fields);
		return CLI_EXIT_OK;
	}
	if (m->nfields == DKIM_HDRS_MAX_FIELDS) {
		cli_dkim_error("more than %u header fields",
			       DKIM_HDRS_MAX_FIELDS);
		return CLI_EXIT_DATAERR;
	}
	if (sbuf_append(m->fields, p, n) < 0)
		goto too_big;
	m->field_end[m->nfields++] = sbuf_len(m->fields);
	return CLI_EXIT_OK;
too_big:
	cli_dkim_error("the header is larger than %u KiB",
		       DKIM_HDRS_MAX_BYTES >> 10);
	return CLI_EXIT_DATAERR;
}

/* cli_dkim_msg_split - the fields of m->raw, and where its body starts */
static int cli_dkim_msg_split(struct cli_dkim_msg *m)
{
	struct linerd *l = linerd_new(DKIM_HDRS_MAX_BYTES, 0);
	struct sbuf *line = sbuf_new_max(256, DKIM_HDRS_MAX_BYTES);
	const unsigned char *raw = sbuf_data(m->raw);
	size_t len = sbuf_len(m->raw), fed = 0, used = 0;
	int status = CLI_EXIT_OK;
	bool first = true, end = false;

	while (!end && status == CLI_EXIT_OK) {
		enum linerd_status st = linerd_next(l, line);

		if (st == LINERD_NEED_MORE) {
			size_t n = len - fed < CLI_DKIM_MSG_CHUNK
				       ? len - fed
				       : CLI_DKIM_MSG_CHUNK;

			if (n == 0)
				linerd_feed_eof(l);
			else
				linerd_feed(l, raw + fed, n);
			fed += n;
			continue;
		}
		if (st == LINERD_EOF)
			break;
		if (st != LINERD_LINE) {
			cli_dkim_error("a header line is longer than %u KiB",
				       DKIM_HDRS_MAX_BYTES >> 10);
			status = CLI_EXIT_DATAERR;
			break;
		}
		/* without LINERD_STRIP_CR a line keeps its CR, not its LF */
		used += sbuf_len(line) + 1;
		if (first)
			m->crlf = sbuf_len(line) > 0 &&
				  sbuf_cstr(line)[sbuf_len(line) - 1] == '\r';
		first = false;
		status =
		    cli_dkim_msg_line(m, sbuf_cstr(line), sbuf_len(line), &end);
	}
	/* a last line without LF counted one byte too many */
	m->body_off = used < len ? used : len;
	linerd_free(&l);
	sbuf_free(&line);
	return status;
}

int cli_dkim_msg_read(int fd, struct cli_dkim_msg **m_r)
{
	struct cli_dkim_msg *m = xcalloc(1, sizeof(*m));
	int status;

	m->raw = sbuf_new_max(CLI_DKIM_MSG_CHUNK, CLI_DKIM_MAX_MESSAGE);
	m->fields = sbuf_new_max(4096, DKIM_HDRS_MAX_BYTES);
	m->field_end = xcalloc(DKIM_HDRS_MAX_FIELDS, sizeof(*m->field_end));
	if ((status = cli_dkim_msg_slurp(fd, m)) == CLI_EXIT_OK)
		status = cli_dkim_msg_split(m);
	if (status != CLI_EXIT_OK)
		cli_dkim_msg_free(&m);
	*m_r = m;
	return status;
}

size_t cli_dkim_msg_count(const struct cli_dkim_msg *m) { return m->nfields; }

const char *cli_dkim_msg_field(const struct cli_dkim_msg *m, size_t i,
			       size_t *len_r)
{
	size_t start = i == 0 ? 0 : m->field_end[i - 1];

	*len_r = m->field_end[i] - start;
	return sbuf_cstr(m->fields) + start;
}

bool cli_dkim_msg_is_crlf(const struct cli_dkim_msg *m) { return m->crlf; }

const unsigned char *cli_dkim_msg_raw(const struct cli_dkim_msg *m,
				      size_t *len_r)
{
	*len_r = sbuf_len(m->raw);
	return sbuf_data(m->raw);
}

void cli_dkim_msg_body(const struct cli_dkim_msg *m, cli_dkim_body_fn *fn,
		       void *ctx)
{
	const unsigned char *raw = sbuf_data(m->raw);
	size_t len = sbuf_len(m->raw), i = m->body_off;

	while (i < len) {
		const unsigned char *lf = memchr(raw + i, '\n', len - i);
		size_t end = lf != NULL ? (size_t)(lf - raw) : len;

		if (end - i > CLI_DKIM_MSG_CHUNK) {
			fn(ctx, raw + i, CLI_DKIM_MSG_CHUNK);
			i += CLI_DKIM_MSG_CHUNK;
			continue;
		}
		if (lf == NULL) {
			fn(ctx, raw + i, len - i);
			break;
		}
		/* raw[end - 1] exists: the header left at least its LF */
		if (raw[end - 1] == '\r') {
			fn(ctx, raw + i, end + 1 - i);
		} else {
			if (end > i)
				fn(ctx, raw + i, end - i);
			fn(ctx, "\r\n", 2);
		}
		i = end + 1;
	}
}
