/*
 * dns_packet.c - the answer section of a DNS response (dns_packet.h).
 *
 * Every offset is checked against the packet length before it is read.
 * Names are followed through compression pointers that must point
 * backwards, at most DNS_PACKET_MAX_HOPS of them, and expanded to at most
 * 255 bytes: a pointer loop ends on one of those limits.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>

#include "dns_packet.h"
#include "dns_rdata.h"
#include "sbuf.h"

#define DNS_PACKET_HEADER 12
#define DNS_PACKET_MAX_HOPS 64
#define DNS_PACKET_WIRE_NAME_MAX 255
#define DNS_PACKET_CLASS_IN 1
/* RFC 1035 4.1.1 */
#define DNS_PACKET_RCODE_NOERROR 0
#define DNS_PACKET_RCODE_NXDOMAIN 3

/* dns_packet_error - replace err with a reason; returns -1 */
static int dns_packet_error(struct sbuf *err, const char *why)
{
	if (err != NULL)
		(void)sbuf_set(err, why);
	return -1;
}

static uint16_t dns_packet_u16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * dns_packet_name - follow the name at off; append its uncompressed wire
 * form to out (if not NULL). Until its first pointer the name must end
 * before limit; *end_r gets the offset just after it in place.
 */
static int dns_packet_name(const unsigned char *pkt, size_t len, size_t off,
			   size_t limit, struct sbuf *out, size_t *end_r,
			   struct sbuf *err)
{
	size_t pos = off, end = 0, wire = 0;
	unsigned int hops = 0;
	bool jumped = false;

	for (;;) {
		size_t lim = jumped ? len : limit;
		unsigned char c;

		if (pos >= lim)
			return dns_packet_error(err, "name: truncated");
		c = pkt[pos];
		if ((c & 0xc0) == 0xc0) {
			size_t ptr;

			if (lim - pos < 2)
				return dns_packet_error(err, "name: truncated");
			ptr = (size_t)(c & 0x3f) << 8 | pkt[pos + 1];
			if (ptr >= pos)
				return dns_packet_error(
				    err, "name: pointer not backwards");
			if (++hops > DNS_PACKET_MAX_HOPS)
				return dns_packet_error(
				    err, "name: too many pointers");
			if (!jumped)
				end = pos + 2;
			jumped = true;
			pos = ptr;
			continue;
		}
		if ((c & 0xc0) != 0)
			return dns_packet_error(err, "name: bad label type");
		/* the label and, after a non-root one, the root still due */
		if (wire + 1 + c + (c > 0 ? 1 : 0) > DNS_PACKET_WIRE_NAME_MAX)
			return dns_packet_error(err, "name: over 255 bytes");
		if (lim - pos - 1 < c)
			return dns_packet_error(err, "name: truncated label");
		if (out != NULL &&
		    sbuf_append(out, pkt + pos, 1 + (size_t)c) < 0)
			return dns_packet_error(err, "name: too long");
		wire += 1 + (size_t)c;
		if (c == 0) {
			if (!jumped)
				end = pos + 1;
			break;
		}
		pos += 1 + (size_t)c;
	}
	*end_r = end;
	return 0;
}

/*
 * dns_packet_target - a record whose rdata is skip fixed bytes then one
 * name: expand the name and hand the whole rdata to dns_rdata_add
 */
static int dns_packet_target(struct dns_answer *a, const unsigned char *pkt,
			     size_t len, size_t rd, size_t rdlen, size_t skip,
			     struct sbuf *err)
{
	struct sbuf *buf;
	size_t end;
	int ret = -1;

	if (rdlen < skip + 1)
		return dns_packet_error(err, "rdata too short");
	buf = sbuf_new_max(64, skip + DNS_PACKET_WIRE_NAME_MAX);
	(void)sbuf_append(buf, pkt + rd, skip);
	if (dns_packet_name(pkt, len, rd + skip, rd + rdlen, buf, &end, err) <
	    0)
		goto out;
	if (end != rd + rdlen) {
		(void)dns_packet_error(err, "trailing bytes after name");
		goto out;
	}
	ret = dns_rdata_add(a, a->type, sbuf_data(buf), sbuf_len(buf), err);
out:
	sbuf_free(&buf);
	return ret;
}

/* dns_packet_record - decode one record of the answer's type */
static int dns_packet_record(struct dns_answer *a, const unsigned char *pkt,
			     size_t len, size_t rd, size_t rdlen,
			     struct sbuf *err)
{
	switch (a->type) {
	case DNS_T_MX:
		return dns_packet_target(a, pkt, len, rd, rdlen, 2, err);
	case DNS_T_PTR:
	case DNS_T_CNAME:
		return dns_packet_target(a, pkt, len, rd, rdlen, 0, err);
	default:
		/* no names inside: the rdata as it is */
		return dns_rdata_add(a, a->type, pkt + rd, rdlen, err);
	}
}

int dns_packet_answer(struct dns_answer *a, const unsigned char *pkt,
		      size_t len, struct sbuf *err)
{
	unsigned int qdcount, ancount;
	size_t pos = DNS_PACKET_HEADER;

	if (len < DNS_PACKET_HEADER)
		return dns_packet_error(err, "header truncated");
	switch (pkt[3] & 0x0f) {
	case DNS_PACKET_RCODE_NOERROR:
		break;
	case DNS_PACKET_RCODE_NXDOMAIN:
		a->status = DNS_NXDOMAIN;
		return 0;
	default:
		a->status = DNS_TEMPFAIL;
		return 0;
	}
	qdcount = dns_packet_u16(pkt + 4);
	ancount = dns_packet_u16(pkt + 6);
	for (unsigned int i = 0; i < qdcount; i++) {
		if (dns_packet_name(pkt, len, pos, len, NULL, &pos, err) < 0)
			return -1;
		if (len - pos < 4)
			return dns_packet_error(err, "question truncated");
		pos += 4;
	}
	for (unsigned int i = 0; i < ancount; i++) {
		size_t rd, rdlen;
		unsigned int type, class;

		if (dns_packet_name(pkt, len, pos, len, NULL, &pos, err) < 0)
			return -1;
		/* TYPE, CLASS, TTL, RDLENGTH (RFC 1035 4.1.3) */
		if (len - pos < 10)
			return dns_packet_error(err, "record truncated");
		type = dns_packet_u16(pkt + pos);
		class = dns_packet_u16(pkt + pos + 2);
		rdlen = dns_packet_u16(pkt + pos + 8);
		rd = pos + 10;
		if (len - rd < rdlen)
			return dns_packet_error(err, "rdata truncated");
		if (type == (unsigned int)a->type &&
		    class == DNS_PACKET_CLASS_IN &&
		    dns_packet_record(a, pkt, len, rd, rdlen, err) < 0)
			return -1;
		pos = rd + rdlen;
	}
	a->status = DNS_OK;
	return 0;
}
