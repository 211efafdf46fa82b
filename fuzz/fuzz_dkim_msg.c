/* fuzz_dkim_msg.c - the message splitter of "postwarden dkim sign|verify":
 * an accepted message re-joins to its input, within the limits */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cli_dkim_msg.h"
#include "dkim_hdrs.h"
#include "log.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* body_cb - collect the body */
static void body_cb(void *ctx, const void *p, size_t n)
{
	if (n == 0)
		log_panic("dkim_msg: an empty body piece");
	if (sbuf_append(ctx, p, n) < 0)
		log_panic("dkim_msg: the body does not fit");
}

/* line_end - the length of the line end at raw[pos] (LF or CRLF), or 0
 * at the end of the input */
static size_t line_end(const uint8_t *raw, size_t len, size_t pos)
{
	if (pos == len)
		return 0;
	if (raw[pos] == '\n')
		return 1;
	if (len - pos >= 2 && raw[pos] == '\r' && raw[pos + 1] == '\n')
		return 2;
	log_panic("dkim_msg: no line end at %zu", pos);
}

/* is_field - "name:" or "name WSP:", name printable US-ASCII but ':' */
static bool is_field(const char *f, size_t n)
{
	size_t i = 0;

	while (i < n && f[i] > ' ' && f[i] < 127 && f[i] != ':')
		i++;
	if (i == 0)
		return false;
	while (i < n && (f[i] == ' ' || f[i] == '\t'))
		i++;
	return i < n && f[i] == ':';
}

/* check_header - the fields, their folds made line ends again, are the
 * header of the input; returns where they end */
static size_t check_header(const struct cli_dkim_msg *m, const uint8_t *raw,
			   size_t len)
{
	size_t pos = 0, total = 0;

	for (size_t i = 0; i < cli_dkim_msg_count(m); i++) {
		size_t n, start = 0;
		const char *f = cli_dkim_msg_field(m, i, &n);

		if (!is_field(f, n))
			log_panic("dkim_msg: field %zu is no field", i);
		total += n;
		/* an LF in a field only comes from a fold: CR LF SP|HTAB */
		for (;;) {
			const char *lf = memchr(f + start, '\n', n - start);
			size_t end = lf != NULL ? (size_t)(lf - f) - 1 : n;

			if (lf != NULL && (lf == f + start || lf[-1] != '\r' ||
					   lf + 1 == f + n ||
					   (lf[1] != ' ' && lf[1] != '\t')))
				log_panic("dkim_msg: field %zu: bad fold", i);
			if (end - start > len - pos ||
			    memcmp(raw + pos, f + start, end - start) != 0)
				log_panic("dkim_msg: field %zu differs", i);
			pos += end - start;
			/* a CR before an LF belongs to the line end */
			if (end > start && f[end - 1] == '\r' &&
			    line_end(raw, len, pos) == 1)
				log_panic("dkim_msg: field %zu kept a CR", i);
			if (lf != NULL && line_end(raw, len, pos) == 0)
				log_panic("dkim_msg: field %zu: fold at end",
					  i);
			pos += line_end(raw, len, pos);
			if (lf == NULL)
				break;
			start = end + 2;
		}
	}
	if (cli_dkim_msg_count(m) > DKIM_HDRS_MAX_FIELDS ||
	    total > DKIM_HDRS_MAX_BYTES)
		log_panic("dkim_msg: over the limits");
	return pos;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf *err = sbuf_new(0), *body, *want;
	struct cli_dkim_msg *m = NULL;
	const unsigned char *raw;
	const uint8_t *first_lf;
	size_t len, pos, hlen;

	if (cli_dkim_msg_parse(data, size, &m, err) < 0) {
		if (m != NULL || sbuf_is_empty(err))
			log_panic("dkim_msg: an error without a reason");
		sbuf_free(&err);
		return 0;
	}
	raw = cli_dkim_msg_raw(m, &len);
	if (len != size || (size > 0 && memcmp(raw, data, size) != 0))
		log_panic("dkim_msg: the input was changed");
	pos = check_header(m, data, size);
	/* then the empty line, unless the input ended in the header */
	hlen = cli_dkim_msg_header_len(m);
	if (hlen != pos && hlen != pos + line_end(data, size, pos))
		log_panic("dkim_msg: the body starts at %zu, not %zu", hlen,
			  pos);
	if (hlen == pos && pos != size)
		log_panic("dkim_msg: no empty line before the body");
	first_lf = size > 0 ? memchr(data, '\n', size) : NULL;
	if (cli_dkim_msg_is_crlf(m) !=
	    (first_lf != NULL && first_lf > data && first_lf[-1] == '\r'))
		log_panic("dkim_msg: the first line end is wrong");
	/* the body: every LF after a byte other than CR gets its CR */
	body = sbuf_new(0);
	want = sbuf_new(0);
	cli_dkim_msg_body(m, body_cb, body);
	for (size_t i = hlen; i < size; i++) {
		if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
			sbuf_putc(want, '\r');
		sbuf_putc(want, data[i]);
	}
	if (sbuf_len(body) != sbuf_len(want) ||
	    memcmp(sbuf_data(body), sbuf_data(want), sbuf_len(want)) != 0)
		log_panic("dkim_msg: the body differs");
	cli_dkim_msg_free(&m);
	sbuf_free(&body);
	sbuf_free(&want);
	sbuf_free(&err);
	return 0;
}
