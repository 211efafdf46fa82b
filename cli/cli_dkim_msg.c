/*
 * cli_dkim_msg.c - a message for "postwarden dkim sign" and "verify"
 * (cli_dkim_msg.h): read whole, the header split into fields through
 * linerd, the body handed on with CRLF line ends.
 *
 * Lines may end in LF or CRLF; the fields get CRLF folding either way,
 * as the DKIM library wants them (RFC 6376 3.4 works on CRLF). A last
 * line without LF keeps a CR at its end: only CR LF is a line end.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "cli_dkim_msg.h"
#include "dkim_hdrs.h"
#include "linerd.h"
#include "log.h"
#include "sbuf.h"
#include "xalloc.h"

#define CLI_DKIM_MSG_CHUNK (64u << 10) /* bytes per read, feed, callback */

struct cli_dkim_msg {
	struct sbuf *raw;    /* the input as read */
	size_t header_len;   /* the body starts here in raw */
	struct sbuf *fields; /* the fields, one after the other */
	size_t *field_end;   /* end offset of each field in fields */
	size_t nfields;
	bool crlf; /* the first line ended in CRLF */
};

/* cli_dkim_msg_new - an empty message of at most max bytes */
static struct cli_dkim_msg *cli_dkim_msg_new(size_t hint, size_t max)
{
	struct cli_dkim_msg *m = xcalloc(1, sizeof(*m));

	m->raw = sbuf_new_max(hint, max);
	m->fields = sbuf_new_max(4096, DKIM_HDRS_MAX_BYTES);
	m->field_end = xcalloc(DKIM_HDRS_MAX_FIELDS, sizeof(*m->field_end));
	return m;
}

/* cli_dkim_msg_free - release a message; NULL-safe */
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

/* cli_dkim_msg_is_ftext - a character of a field name (RFC 5322 3.6.8) */
static bool cli_dkim_msg_is_ftext(unsigned char c)
{
	return c >= 33 && c <= 126 && c != ':';
}

/* cli_dkim_msg_is_field - does the line start "name:" or "name WSP:"? */
static bool cli_dkim_msg_is_field(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && cli_dkim_msg_is_ftext((unsigned char)p[i]))
		i++;
	if (i == 0)
		return false;
	/* RFC 5322 4.5.3: obsolete blanks between name and colon */
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i < n && p[i] == ':';
}

/* cli_dkim_msg_line - header line lineno (n > 0 bytes, end gone) */
static int cli_dkim_msg_line(struct cli_dkim_msg *m, const char *p, size_t n,
			     size_t lineno, struct sbuf *err)
{
	if (p[0] == ' ' || p[0] == '\t') {
		/* RFC 5322 2.2.3: it continues the field before it */
		if (m->nfields == 0) {
			sbuf_append_str(err, "the header starts with a "
					     "continuation line");
			return -1;
		}
		if (sbuf_append(m->fields, "\r\n", 2) < 0 ||
		    sbuf_append(m->fields, p, n) < 0)
			goto too_big;
		m->field_end[m->nfields - 1] = sbuf_len(m->fields);
		return 0;
	}
	if (!cli_dkim_msg_is_field(p, n)) {
		sbuf_printf(err,
			    "header line %zu is not a header field "
			    "(no name and colon)",
			    lineno);
		return -1;
	}
	if (m->nfields == DKIM_HDRS_MAX_FIELDS) {
		sbuf_printf(err, "more than %u header fields",
			    (unsigned int)DKIM_HDRS_MAX_FIELDS);
		return -1;
	}
	if (sbuf_append(m->fields, p, n) < 0)
		goto too_big;
	m->field_end[m->nfields++] = sbuf_len(m->fields);
	return 0;
too_big:
	sbuf_printf(err, "the header is larger than %u KiB",
		    DKIM_HDRS_MAX_BYTES >> 10);
	return -1;
}

/* cli_dkim_msg_split - the fields of m->raw, and where its body starts */
static int cli_dkim_msg_split(struct cli_dkim_msg *m, struct sbuf *err)
{
	struct linerd *l = linerd_new(DKIM_HDRS_MAX_BYTES, 0);
	struct sbuf *line = sbuf_new_max(256, DKIM_HDRS_MAX_BYTES);
	const unsigned char *raw = sbuf_data(m->raw);
	size_t len = sbuf_len(m->raw), fed = 0, pos = 0, lineno = 0;
	int rc = -1;

	for (;;) {
		enum linerd_status st = linerd_next(l, line);
		size_t n;
		bool lf;

		if (st == LINERD_NEED_MORE) {
			n = len - fed < CLI_DKIM_MSG_CHUNK ? len - fed
							   : CLI_DKIM_MSG_CHUNK;
			if (n == 0)
				linerd_feed_eof(l);
			else
				linerd_feed(l, raw + fed, n);
			fed += n;
			continue;
		}
		if (st == LINERD_EOF) /* no empty line: all header */
			break;
		if (st != LINERD_LINE) {
			sbuf_printf(err,
				    "header line %zu is longer than %u KiB",
				    lineno + 1, DKIM_HDRS_MAX_BYTES >> 10);
			goto out;
		}
		lineno++;
		/* without LINERD_STRIP_CR a line keeps its CR, not its LF;
		 * only the last line of the input can lack the LF */
		n = sbuf_len(line);
		lf = n < len - pos;
		if (lf && raw[pos + n] != '\n')
			log_panic("cli_dkim_msg: line %zu lost its place",
				  lineno);
		if (lineno == 1)
			m->crlf = lf && n > 0 && raw[pos + n - 1] == '\r';
		pos += lf ? n + 1 : n;
		if (lf && n > 0 && raw[pos - 2] == '\r')
			n--;
		if (n == 0) /* the empty line that ends the header */
			break;
		if (cli_dkim_msg_line(m, sbuf_cstr(line), n, lineno, err) < 0)
			goto out;
	}
	m->header_len = pos;
	rc = 0;
out:
	linerd_free(&l);
	sbuf_free(&line);
	return rc;
}

/* cli_dkim_msg_slurp - read fd to its end into m->raw */
static int cli_dkim_msg_slurp(int fd, struct cli_dkim_msg *m, size_t max,
			      struct sbuf *err)
{
	char *buf = xmalloc(CLI_DKIM_MSG_CHUNK);
	int status = CLI_EXIT_OK;
	ssize_t n;

	for (;;) {
		n = read(fd, buf, CLI_DKIM_MSG_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sbuf_printf(err, "read: %s", strerror(errno));
			status = EX_IOERR;
			break;
		}
		if (n == 0)
			break;
		if (sbuf_append(m->raw, buf, (size_t)n) < 0) {
			if (max % (1u << 20) == 0)
				sbuf_printf(
				    err, "the message is larger than %zu MiB",
				    max >> 20);
			else
				sbuf_printf(err,
					    "the message is larger than %zu "
					    "bytes",
					    max);
			status = CLI_EXIT_DATAERR;
			break;
		}
	}
	free(buf);
	return status;
}

/* cli_dkim_msg_read - read a message from fd and split it */
int cli_dkim_msg_read(int fd, size_t max, struct cli_dkim_msg **m_r,
		      struct sbuf *err)
{
	struct cli_dkim_msg *m;
	int status;

	if (max > CLI_DKIM_MSG_MAX)
		max = CLI_DKIM_MSG_MAX;
	m = cli_dkim_msg_new(CLI_DKIM_MSG_CHUNK, max);
	if ((status = cli_dkim_msg_slurp(fd, m, max, err)) == CLI_EXIT_OK &&
	    cli_dkim_msg_split(m, err) < 0)
		status = CLI_EXIT_DATAERR;
	if (status != CLI_EXIT_OK)
		cli_dkim_msg_free(&m);
	*m_r = m;
	return status;
}

/* cli_dkim_msg_parse - split a message in memory */
int cli_dkim_msg_parse(const void *p, size_t n, struct cli_dkim_msg **m_r,
		       struct sbuf *err)
{
	struct cli_dkim_msg *m;

	*m_r = NULL;
	if (n > CLI_DKIM_MSG_MAX) {
		sbuf_printf(err, "the message is larger than %u MiB",
			    CLI_DKIM_MSG_MAX >> 20);
		return -1;
	}
	m = cli_dkim_msg_new(n, CLI_DKIM_MSG_MAX);
	if (sbuf_append(m->raw, p, n) < 0)
		log_panic("cli_dkim_msg: %zu bytes did not fit", n);
	if (cli_dkim_msg_split(m, err) < 0) {
		cli_dkim_msg_free(&m);
		return -1;
	}
	*m_r = m;
	return 0;
}

/* cli_dkim_msg_count - the number of fields */
size_t cli_dkim_msg_count(const struct cli_dkim_msg *m) { return m->nfields; }

/* cli_dkim_msg_field - one field's text */
const char *cli_dkim_msg_field(const struct cli_dkim_msg *m, size_t i,
			       size_t *len_r)
{
	size_t start = i == 0 ? 0 : m->field_end[i - 1];

	if (i >= m->nfields)
		log_panic("cli_dkim_msg_field: %zu of %zu", i, m->nfields);
	*len_r = m->field_end[i] - start;
	return sbuf_cstr(m->fields) + start;
}

/* cli_dkim_msg_is_crlf - the line end of the first line */
bool cli_dkim_msg_is_crlf(const struct cli_dkim_msg *m) { return m->crlf; }

/* cli_dkim_msg_raw - the input */
const unsigned char *cli_dkim_msg_raw(const struct cli_dkim_msg *m,
				      size_t *len_r)
{
	*len_r = sbuf_len(m->raw);
	return sbuf_data(m->raw);
}

/* cli_dkim_msg_header_len - where the body starts */
size_t cli_dkim_msg_header_len(const struct cli_dkim_msg *m)
{
	return m->header_len;
}

/* cli_dkim_msg_body - the body with CRLF line ends, piece by piece */
void cli_dkim_msg_body(const struct cli_dkim_msg *m, cli_dkim_body_fn *fn,
		       void *ctx)
{
	const unsigned char *raw = sbuf_data(m->raw);
	size_t len = sbuf_len(m->raw), i = m->header_len;

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
