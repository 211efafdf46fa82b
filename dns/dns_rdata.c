/*
 * dns_rdata.c - decode record data from wire format (dns_rdata.h).
 *
 * Everything here reads untrusted bytes: every length is checked before
 * the bytes it covers are touched, and every output is bounded (names by
 * the 255-byte wire limit, TXT by the 16-bit RDLENGTH).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dns_rdata.h"
#include "log.h"
#include "sbuf.h"

/* RFC 1035 2.3.4 */
#define DNS_RDATA_LABEL_MAX 63
#define DNS_RDATA_WIRE_NAME_MAX 255
/* RDLENGTH is 16 bits (RFC 1035 3.2.1) */
#define DNS_RDATA_LEN_MAX 65535

/* dns_rdata_error - replace err with a reason; returns -1 */
static int dns_rdata_error(struct sbuf *err, const char *why)
{
	if (err != NULL)
		(void)sbuf_set(err, why);
	return -1;
}

/* dns_rdata_put_label_byte - one byte of a label in presentation form */
static int dns_rdata_put_label_byte(struct sbuf *out, unsigned char c)
{
	char esc[5];

	/* RFC 1035 5.1: "\." and "\\" quote; \DDD for the rest */
	if (c == '.' || c == '\\') {
		esc[0] = '\\';
		esc[1] = (char)c;
		return sbuf_append(out, esc, 2);
	}
	/* printable ASCII without the space, which would split a name in
	 * any text form (dig and ldns print it as \032 too) */
	if (c > 0x20 && c < 0x7f)
		return sbuf_putc(out, c);
	(void)snprintf(esc, sizeof(esc), "\\%03u", (unsigned int)c);
	return sbuf_append(out, esc, 4);
}

/* dns_rdata_name - wire name to presentation form, no final dot */
int dns_rdata_name(const unsigned char *p, size_t len, struct sbuf *out,
		   size_t *used_r, struct sbuf *err)
{
	size_t pos = 0;
	size_t start = sbuf_len(out);
	bool first = true;

	for (;;) {
		unsigned char n;

		if (pos >= len) {
			sbuf_truncate(out, start);
			return dns_rdata_error(err, "name: truncated");
		}
		n = p[pos];
		if ((n & 0xc0) == 0xc0) {
			sbuf_truncate(out, start);
			return dns_rdata_error(err,
					       "name: compression pointer");
		}
		if ((n & 0xc0) != 0) {
			/* 0x40 and 0x80: extended label types (RFC 6891) */
			sbuf_truncate(out, start);
			return dns_rdata_error(err, "name: bad label type");
		}
		/* label length byte plus label, and the final root byte
		 * still to come, all within 255 bytes */
		if (pos + 1 + n > DNS_RDATA_WIRE_NAME_MAX ||
		    (n > 0 && pos + 1 + n + 1 > DNS_RDATA_WIRE_NAME_MAX)) {
			sbuf_truncate(out, start);
			return dns_rdata_error(err, "name: over 255 bytes");
		}
		if (n == 0) {
			pos++;
			break;
		}
		/* n <= 63 here: the two top bits are clear */
		if (len - pos - 1 < n) {
			sbuf_truncate(out, start);
			return dns_rdata_error(err, "name: truncated label");
		}
		if (!first && sbuf_putc(out, '.') < 0)
			goto toolong;
		first = false;
		for (size_t i = 0; i < n; i++)
			if (dns_rdata_put_label_byte(out, p[pos + 1 + i]) < 0)
				goto toolong;
		pos += 1 + (size_t)n;
	}
	*used_r = pos;
	return 0;
toolong:
	sbuf_truncate(out, start);
	return dns_rdata_error(err, "name: output buffer full");
}

/* dns_rdata_txt - character-strings (RFC 1035 3.3.14) joined */
static int dns_rdata_txt(struct dns_answer *a, const unsigned char *rdata,
			 size_t len, struct sbuf *err)
{
	struct sbuf *text;
	size_t pos = 0;
	unsigned int nstrings = 0;
	int ret = -1;

	if (len == 0)
		return dns_rdata_error(err, "TXT: no character-string");
	text = sbuf_new_max(len, DNS_MAX_TXT);
	while (pos < len) {
		size_t n = rdata[pos];

		if (len - pos - 1 < n) {
			(void)dns_rdata_error(err, "TXT: truncated string");
			goto out;
		}
		/* len <= 65535 bounds both the text and nstrings */
		if (sbuf_append(text, rdata + pos + 1, n) < 0) {
			(void)dns_rdata_error(err, "TXT: too long");
			goto out;
		}
		nstrings++;
		pos += 1 + n;
	}
	if (dns_answer_add(a, sbuf_data(text), sbuf_len(text), 0,
			   (uint16_t)nstrings) < 0) {
		(void)dns_rdata_error(err, "too many records");
		goto out;
	}
	ret = 0;
out:
	sbuf_free(&text);
	return ret;
}

/* dns_rdata_target - a record that is one name after skip bytes */
static int dns_rdata_target(struct dns_answer *a, const unsigned char *rdata,
			    size_t len, size_t skip, uint16_t pref,
			    struct sbuf *err)
{
	struct sbuf *name = sbuf_new_max(64, DNS_MAX_NAME);
	size_t used;
	int ret = -1;

	if (dns_rdata_name(rdata + skip, len - skip, name, &used, err) < 0)
		goto out;
	if (used != len - skip) {
		(void)dns_rdata_error(err, "trailing bytes after name");
		goto out;
	}
	if (dns_answer_add(a, sbuf_data(name), sbuf_len(name), pref, 0) < 0) {
		(void)dns_rdata_error(err, "too many records");
		goto out;
	}
	ret = 0;
out:
	sbuf_free(&name);
	return ret;
}

/* dns_rdata_add - decode one record's rdata and append it to a */
int dns_rdata_add(struct dns_answer *a, enum dns_type type,
		  const unsigned char *rdata, size_t len, struct sbuf *err)
{
	if (a->type != type)
		log_panic("dns_rdata_add: %s record for a %s answer",
			  dns_type_name(type), dns_type_name(a->type));
	if (len > DNS_RDATA_LEN_MAX)
		return dns_rdata_error(err, "rdata over 65535 bytes");
	switch (type) {
	case DNS_T_A:
		if (len != 4)
			return dns_rdata_error(err, "A: not 4 bytes");
		break;
	case DNS_T_AAAA:
		if (len != 16)
			return dns_rdata_error(err, "AAAA: not 16 bytes");
		break;
	case DNS_T_TXT:
	case DNS_T_SPF:
		return dns_rdata_txt(a, rdata, len, err);
	case DNS_T_MX:
		/* RFC 1035 3.3.9: PREFERENCE, then EXCHANGE */
		if (len < 3)
			return dns_rdata_error(err, "MX: too short");
		return dns_rdata_target(a, rdata, len, 2,
					(uint16_t)(rdata[0] << 8 | rdata[1]),
					err);
	case DNS_T_PTR:
	case DNS_T_CNAME:
		return dns_rdata_target(a, rdata, len, 0, 0, err);
	default:
		return dns_rdata_error(err, "unsupported record type");
	}
	if (dns_answer_add(a, rdata, len, 0, 0) < 0)
		return dns_rdata_error(err, "too many records");
	return 0;
}
