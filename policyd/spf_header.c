/*
 * spf_header.c - Received-SPF, Authentication-Results and X-Comment
 * header fields for the SPF check (spf_header.h).
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "sbuf.h"
#include "spf_header.h"

/* spf_header_result_word - result as policyd-spf capitalizes it */
const char *spf_header_result_word(enum spf_result r)
{
	switch (r) {
	case SPF_NONE:
		return "None";
	case SPF_NEUTRAL:
		return "Neutral";
	case SPF_PASS:
		return "Pass";
	case SPF_FAIL:
		return "Fail";
	case SPF_SOFTFAIL:
		return "Softfail";
	case SPF_TEMPERROR:
		return "Temperror";
	case SPF_PERMERROR:
		return "Permerror";
	}
	return "None";
}

/* spf_header_scope_word - the identity= keyword of a scope */
const char *spf_header_scope_word(enum spf_header_scope s)
{
	return s == SPF_HEADER_HELO ? "helo" : "mailfrom";
}

/*
 * is_token_byte - may c stand in an unquoted value? RFC 5322 atext and
 * '.', plus '@' (addresses), ':' (IPv6), '<' '>' (the null sender) and
 * '[' ']' (address literals), which policyd-spf writes bare too. Not
 * ';', space, '(', ')', '"', '\\' or ',': they would end the value.
 */
static bool is_token_byte(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~.@:<>[]", c) != NULL;
}

/* is_print - printable ASCII (a space included) */
static bool is_print(unsigned char c) { return c >= 0x20 && c < 0x7f; }

/* spf_header_put_value - a value, bare when it is a token */
int spf_header_put_value(struct sbuf *out, const char *v)
{
	size_t n = strnlen(v, SPF_HEADER_MAX_VALUE), i;
	bool bare = true;

	for (i = 0; i < n; i++)
		if (!is_token_byte((unsigned char)v[i])) {
			bare = false;
			break;
		}
	if (bare)
		return sbuf_append(out, v, n);
	/* RFC 5322 3.2.4 quoted-string; no byte outside printable ASCII */
	if (sbuf_putc(out, '"') < 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		/* parens as quoted-pairs too: values also sit in comments */
		if (c == '"' || c == '\\' || c == '(' || c == ')') {
			if (sbuf_putc(out, '\\') < 0 || sbuf_putc(out, c) < 0)
				return -1;
		} else if (sbuf_putc(out, is_print(c) ? c : '?') < 0) {
			return -1;
		}
	}
	return sbuf_putc(out, '"');
}

/* is_rfc2045_token_byte - RFC 2045 5.1 token: no tspecials, no space */
static bool is_rfc2045_token_byte(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`{|}~", c) != NULL;
}

/*
 * put_pvalue - an RFC 8601 2.2 pvalue: a token, or local@domain made of
 * token bytes (what the authres library writes bare), else a
 * quoted-string
 */
static int put_pvalue(struct sbuf *out, const char *v)
{
	size_t n = strnlen(v, SPF_HEADER_MAX_VALUE), i;

	for (i = 0; i < n; i++)
		if (!is_rfc2045_token_byte((unsigned char)v[i]) && v[i] != '@')
			break;
	if (n > 0 && i == n)
		return sbuf_append(out, v, n);
	if (sbuf_putc(out, '"') < 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '"' || c == '\\' || c == '(' || c == ')') {
			if (sbuf_putc(out, '\\') < 0 || sbuf_putc(out, c) < 0)
				return -1;
		} else if (sbuf_putc(out, is_print(c) ? c : '?') < 0) {
			return -1;
		}
	}
	return sbuf_putc(out, '"');
}

/* spf_header_put_comment - comment text: ctext plus quoted-pairs */
int spf_header_put_comment(struct sbuf *out, const char *text)
{
	size_t n = strnlen(text, SPF_HEADER_MAX_COMMENT), i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		/* RFC 5322 3.2.2: '(' ')' '\' only as quoted-pairs */
		if (c == '(' || c == ')' || c == '\\') {
			if (sbuf_putc(out, '\\') < 0 || sbuf_putc(out, c) < 0)
				return -1;
		} else if (sbuf_putc(out, is_print(c) ? c : '?') < 0) {
			return -1;
		}
	}
	return 0;
}

/* put_pair - "key=value" */
static int put_pair(struct sbuf *out, const char *key, const char *v)
{
	if (sbuf_append_str(out, key) < 0 || sbuf_putc(out, '=') < 0)
		return -1;
	return spf_header_put_value(out, v != NULL ? v : "");
}

/*
 * put_details - "client-ip=..; helo=..; envelope-from=..; receiver=.."
 * with the null sender written <> when null_as_brackets.
 */
static int put_details(struct sbuf *out, const struct spf_header_info *h,
		       bool null_as_brackets)
{
	const char *from = h->envelope_from != NULL ? h->envelope_from : "";

	if (null_as_brackets && *from == '\0')
		from = "<>";
	if (put_pair(out, "client-ip", h->client_ip) < 0 ||
	    sbuf_append_str(out, "; ") < 0 ||
	    put_pair(out, "helo", h->helo) < 0 ||
	    sbuf_append_str(out, "; ") < 0 ||
	    put_pair(out, "envelope-from", from) < 0 ||
	    sbuf_append_str(out, "; ") < 0)
		return -1;
	return put_pair(out, "receiver", h->receiver);
}

/* spf_header_received_spf - RFC 7208 9.1, policyd-spf's layout */
int spf_header_received_spf(struct sbuf *out, const struct spf_header_info *h)
{
	if (sbuf_append_str(out, "Received-SPF: ") < 0 ||
	    sbuf_append_str(out, spf_header_result_word(h->result)) < 0 ||
	    sbuf_putc(out, ' ') < 0)
		return -1;
	if (h->comment != NULL &&
	    (sbuf_putc(out, '(') < 0 ||
	     spf_header_put_comment(out, h->comment) < 0 ||
	     sbuf_append_str(out, ") ") < 0))
		return -1;
	if (sbuf_append_str(out, "identity=") < 0 ||
	    sbuf_append_str(out, spf_header_scope_word(h->scope)) < 0 ||
	    sbuf_append_str(out, "; ") < 0 || put_details(out, h, true) < 0)
		return -1;
	/* policyd-spf ends the field with a space; parsers expect it */
	return sbuf_putc(out, ' ');
}

/* lower_result - the RFC 8601 result keyword */
static const char *lower_result(enum spf_result r)
{
	return spf_result_name(r);
}

/* sender_domain - the part after the last '@', or the whole text */
static const char *sender_domain(const char *sender)
{
	const char *at = strrchr(sender, '@');

	return at != NULL ? at + 1 : sender;
}

/* spf_header_auth_results - RFC 8601 2.2 with one spf resinfo */
int spf_header_auth_results(struct sbuf *out, const char *authserv_id,
			    const struct spf_header_info *h)
{
	const char *from = h->envelope_from != NULL ? h->envelope_from : "";

	if (sbuf_append_str(out, "Authentication-Results: ") < 0 ||
	    spf_header_put_value(out, authserv_id) < 0 ||
	    sbuf_append_str(out, "; spf=") < 0 ||
	    sbuf_append_str(out, lower_result(h->result)) < 0)
		return -1;
	if (h->comment != NULL &&
	    (sbuf_append_str(out, " (") < 0 ||
	     spf_header_put_comment(out, h->comment) < 0 ||
	     sbuf_putc(out, ')') < 0))
		return -1;
	if (sbuf_putc(out, ' ') < 0 ||
	    sbuf_append_str(out, h->scope == SPF_HEADER_HELO
				     ? "smtp.helo="
				     : "smtp.mailfrom=") < 0 ||
	    put_pvalue(out, h->scope == SPF_HEADER_HELO
				? (h->helo != NULL ? h->helo : "")
				: sender_domain(from)) < 0)
		return -1;
	if (sbuf_append_str(out, " (") < 0 || put_details(out, h, true) < 0)
		return -1;
	return sbuf_putc(out, ')');
}

/* spf_header_skipped - X-Comment or "none" Authentication-Results */
int spf_header_skipped(struct sbuf *out, const char *authserv_id,
		       const char *reason, const struct spf_header_info *h)
{
	if (authserv_id != NULL) {
		/* "-  client-ip": policyd-spf writes two spaces here */
		if (sbuf_append_str(out, "Authentication-Results: ") < 0 ||
		    spf_header_put_value(out, authserv_id) < 0 ||
		    sbuf_append_str(out, "; none (") < 0 ||
		    spf_header_put_comment(out, reason) < 0 ||
		    sbuf_append_str(out, " -  ") < 0 ||
		    put_details(out, h, false) < 0)
			return -1;
		return sbuf_putc(out, ')');
	}
	if (sbuf_append_str(out, "X-Comment: ") < 0 ||
	    spf_header_put_comment(out, reason) < 0 ||
	    sbuf_append_str(out, " - ") < 0 || put_details(out, h, false) < 0)
		return -1;
	return sbuf_putc(out, ' ');
}
