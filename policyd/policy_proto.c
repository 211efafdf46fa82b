/*
 * policy_proto.c - Postfix policy requests and replies.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "policy_proto.h"
#include "sbuf.h"
#include "xalloc.h"

#define POLICY_PROTO_REQUEST_NAME "smtpd_access_policy"

enum req_state {
	REQ_OPEN,
	REQ_DONE,
	REQ_FAILED,
};

/* offsets into the request's text; each string ends in a NUL there */
struct policy_attr {
	size_t name;
	size_t name_len;
	size_t value;
};

/*
 * One request is a few hundred bytes in a dozen attributes, and a busy
 * server parses tens of thousands a second: the names and values go
 * into one growing buffer rather than two allocations each.
 */
struct policy_request {
	struct policy_attr attrs[POLICY_PROTO_MAX_ATTRS];
	struct sbuf *text; /* names and values */
	size_t n;	   /* distinct names stored */
	size_t lines; /* attribute lines taken (repeats count) */
	size_t bytes; /* line bytes with their LFs */
	enum req_state state;
};

/* policy_request_new - empty (attrs[] is filled before it is read) */
struct policy_request *policy_request_new(void)
{
	struct policy_request *r = xmalloc(sizeof(*r));

	r->text = sbuf_new(512);
	r->n = 0;
	r->lines = 0;
	r->bytes = 0;
	r->state = REQ_OPEN;
	return r;
}

/* policy_request_free - the text, then the struct */
void policy_request_free(struct policy_request **rp)
{
	struct policy_request *r = *rp;

	if (r == NULL)
		return;
	sbuf_free(&r->text);
	free(r);
	*rp = NULL;
}

/* text_at - the string at offset off of the request's text */
static const char *text_at(const struct policy_request *r, size_t off)
{
	return sbuf_cstr(r->text) + off;
}

/* text_add - n bytes and a NUL at the end of the text; their offset.
 * Never over its limit: the request's own byte limit bounds it. */
static size_t text_add(struct policy_request *r, const char *p, size_t n)
{
	size_t off = sbuf_len(r->text);

	sbuf_append(r->text, p, n);
	sbuf_putc(r->text, '\0');
	return off;
}

/* fail - the request is broken for good */
static enum policy_line_result fail(struct policy_request *r, struct sbuf *err,
				    const char *why)
{
	r->state = REQ_FAILED;
	sbuf_append_str(err, why);
	return POLICY_LINE_ERROR;
}

/* find - the stored attribute called name (len bytes), or NULL */
static struct policy_attr *find(const struct policy_request *r,
				const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->attrs[i].name_len == len &&
		    memcmp(text_at(r, r->attrs[i].name), name, len) == 0)
			return (struct policy_attr *)&r->attrs[i];
	return NULL;
}

/* finish - the empty line: check what every request must carry */
static enum policy_line_result finish(struct policy_request *r,
				      struct sbuf *err)
{
	const char *req = policy_request_get(r, "request");

	if (req == NULL)
		return fail(r, err, "request without a \"request\" attribute");
	if (strcmp(req, POLICY_PROTO_REQUEST_NAME) != 0)
		return fail(
		    r, err,
		    "request is not request=" POLICY_PROTO_REQUEST_NAME);
	r->state = REQ_DONE;
	return POLICY_LINE_END;
}

/* policy_request_add_line - one attribute, or the end */
enum policy_line_result policy_request_add_line(struct policy_request *r,
						const void *line, size_t n,
						struct sbuf *err)
{
	const char *s = line, *eq;
	struct policy_attr *a;

	if (r->state == REQ_DONE)
		return fail(r, err, "line after the end of the request");
	if (r->state == REQ_FAILED)
		return fail(r, err, "line after a protocol error");
	if (n > POLICY_PROTO_MAX_LINE)
		return fail(r, err, "line too long");
	if (r->bytes + n + 1 > POLICY_PROTO_MAX_REQUEST)
		return fail(r, err, "request too large");
	r->bytes += n + 1;
	if (n == 0)
		return finish(r, err);
	if (memchr(s, '\0', n) != NULL)
		return fail(r, err, "NUL byte in a request line");
	if (memchr(s, '\n', n) != NULL)
		return fail(r, err, "LF inside a request line");
	eq = memchr(s, '=', n);
	if (eq == NULL)
		return fail(r, err, "request line without \"=\"");
	if (eq == s)
		return fail(r, err, "request line with an empty name");
	if (++r->lines > POLICY_PROTO_MAX_ATTRS)
		return fail(r, err, "too many attributes in a request");
	a = find(r, s, (size_t)(eq - s));
	if (a == NULL) {
		a = &r->attrs[r->n++];
		a->name_len = (size_t)(eq - s);
		a->name = text_add(r, s, a->name_len);
	}
	/* a repeated name keeps its last value (the old one stays unused
	 * in the text, within the request's byte limit) */
	a->value = text_add(r, eq + 1, n - (size_t)(eq - s) - 1);
	return POLICY_LINE_MORE;
}

/* policy_request_parse - split data into lines and add them */
enum policy_line_result policy_request_parse(const void *data, size_t n,
					     struct policy_request **req_r,
					     size_t *used_r, struct sbuf *err)
{
	const char *p = data, *end = p + n, *lf;
	struct policy_request *r = policy_request_new();
	enum policy_line_result res = POLICY_LINE_MORE;

	*req_r = NULL;
	*used_r = 0;
	while (p < end) {
		lf = memchr(p, '\n', (size_t)(end - p));
		if (lf == NULL) {
			/* an unfinished line already too long is an error
			 * now, as the server's line reader says */
			if ((size_t)(end - p) > POLICY_PROTO_MAX_LINE)
				res = fail(r, err, "line too long");
			break;
		}
		res = policy_request_add_line(r, p, (size_t)(lf - p), err);
		p = lf + 1;
		if (res != POLICY_LINE_MORE)
			break;
	}
	if (res == POLICY_LINE_END) {
		*req_r = r;
		*used_r = (size_t)(p - (const char *)data);
		return res;
	}
	policy_request_free(&r);
	return res == POLICY_LINE_ERROR ? POLICY_LINE_ERROR : POLICY_LINE_MORE;
}

/* policy_request_get - value or NULL */
const char *policy_request_get(const struct policy_request *r, const char *name)
{
	const struct policy_attr *a = find(r, name, strlen(name));

	return a != NULL ? text_at(r, a->value) : NULL;
}

/* policy_request_count - distinct names */
size_t policy_request_count(const struct policy_request *r) { return r->n; }

/* utf8_seq_len - length of the valid UTF-8 sequence at s, or 0
 * (RFC 3629 section 4: no overlongs, no surrogates, at most U+10FFFF) */
static size_t utf8_seq_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		unsigned char lo = s[0] == 0xe0 ? 0xa0 : 0x80;
		unsigned char hi = s[0] == 0xed ? 0x9f : 0xbf;

		if (s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80)
			return 0;
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		unsigned char lo = s[0] == 0xf0 ? 0x90 : 0x80;
		unsigned char hi = s[0] == 0xf4 ? 0x8f : 0xbf;

		if (s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		return 4;
	}
	return 0;
}

/* policy_action_is_valid - printable UTF-8, bounded */
bool policy_action_is_valid(const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t len = strlen(text), k;

	if (len == 0 || len > POLICY_PROTO_MAX_ACTION)
		return false;
	while (*s != '\0') {
		if (*s < 0x20 || *s == 0x7f)
			return false;
		/* the NUL at the end stops every continuation check */
		k = utf8_seq_len(s);
		if (k == 0)
			return false;
		s += k;
	}
	return true;
}

/* policy_reply_format - "action=...\n\n" */
int policy_reply_format(struct sbuf *out, const char *action)
{
	size_t len = sbuf_len(out);

	if (!policy_action_is_valid(action))
		return -1;
	if (sbuf_printf(out, "action=%s\n\n", action) < 0) {
		sbuf_truncate(out, len);
		return -1;
	}
	return 0;
}
