/*
 * milter_ar.c - Authentication-Results (RFC 8601) for DKIM results
 * (milter_ar.h).
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "dkim_verify.h"
#include "milter_ar.h"
#include "sbuf.h"

/* is_tspecial - RFC 2045 5.1 */
static bool is_tspecial(unsigned char c)
{
	return strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

/* is_token_char - RFC 2045 token: no SP, CTLs or tspecials */
static bool is_token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !is_tspecial(c);
}

/* is_atext - RFC 5322 3.2.3 atext, for an unquoted local part */
static bool is_atext(unsigned char c)
{
	return isalnum(c) || strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* put_quoted - a quoted-string of s, escaping '"' and '\', dropping
 * control characters */
static int put_quoted(struct sbuf *out, const char *s)
{
	int rc = sbuf_putc(out, '"');

	for (; *s != '\0' && rc == 0; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			continue;
		if (c == '"' || c == '\\')
			rc = sbuf_putc(out, '\\');
		if (rc == 0)
			rc = sbuf_putc(out, (char)c);
	}
	return rc == 0 ? sbuf_putc(out, '"') : -1;
}

/* put_value - RFC 8601 pvalue: a token as is, else quoted */
static int put_value(struct sbuf *out, const char *s)
{
	for (const char *p = s; *p != '\0'; p++)
		if (!is_token_char((unsigned char)*p))
			return put_quoted(out, s);
	return *s == '\0' ? put_quoted(out, s) : sbuf_append_str(out, s);
}

/* put_auid - header.i: [local-part] "@" domain unquoted when the
 * local part is a dot-atom (RFC 8601 2.3), else quoted */
static int put_auid(struct sbuf *out, const char *s)
{
	const char *at = strrchr(s, '@');
	bool ok = at != NULL && at[1] != '\0';

	for (const char *p = s; ok && p < at; p++)
		ok = is_atext((unsigned char)*p) ||
		     (*p == '.' && p != s && p + 1 != at && p[1] != '.');
	for (const char *p = at != NULL ? at + 1 : s; ok && *p != '\0'; p++)
		ok = isalnum((unsigned char)*p) || *p == '.' || *p == '-' ||
		     *p == '_';
	return ok ? sbuf_append_str(out, s) : put_quoted(out, s);
}

/* put_comment - " (text)" with parentheses and '\' escaped */
static int put_comment(struct sbuf *out, const char *a, const char *b)
{
	size_t n = 0;
	int rc = sbuf_append_str(out, " (");
	const char *parts[2] = {a, b};

	for (int k = 0; k < 2; k++) {
		const char *s = parts[k];

		if (s == NULL || *s == '\0')
			continue;
		if (k == 1 && a != NULL && *a != '\0')
			rc |= sbuf_append_str(out, "; ");
		for (; *s != '\0' && rc == 0; s++) {
			unsigned char c = (unsigned char)*s;

			if (++n > MILTER_AR_MAX_REASON) {
				rc = sbuf_append_str(out, "...");
				break;
			}
			if (c < 0x20 || c >= 0x7f)
				c = '?';
			if (c == '(' || c == ')' || c == '\\')
				rc = sbuf_putc(out, '\\');
			if (rc == 0)
				rc = sbuf_putc(out, (char)c);
		}
	}
	return rc == 0 ? sbuf_putc(out, ')') : -1;
}

/* put_result - "dkim=pass (...) header.d=... header.i=..." */
static int put_result(struct sbuf *out, const struct milter_ar_result *r)
{
	int rc = sbuf_printf(out, "dkim=%s", dkim_result_name(r->res));

	if (rc == 0 && ((r->reason != NULL && r->reason[0] != '\0') ||
			r->testing))
		rc = put_comment(out, r->testing ? "test mode" : NULL,
				 r->reason);
	if (rc == 0 && r->d != NULL) {
		rc |= sbuf_append_str(out, " header.d=");
		rc |= put_value(out, r->d);
		rc |= sbuf_append_str(out, " header.i=");
		if (r->i != NULL) {
			rc |= put_auid(out, r->i);
		} else {
			rc |= sbuf_putc(out, '@');
			rc |= sbuf_append_str(out, r->d);
		}
	}
	if (rc == 0 && r->s != NULL) {
		rc |= sbuf_append_str(out, " header.s=");
		rc |= put_value(out, r->s);
	}
	if (rc == 0 && r->b != NULL && r->b[0] != '\0') {
		char b8[MILTER_AR_B_CHARS + 1];
		size_t bl = strnlen(r->b, MILTER_AR_B_CHARS);

		memcpy(b8, r->b, bl);
		b8[bl] = '\0';
		rc |= sbuf_append_str(out, " header.b=");
		rc |= put_quoted(out, b8);
	}
	return rc == 0 ? 0 : -1;
}

int milter_ar_format(const char *authserv_id,
		     const struct milter_ar_result *r, size_t n,
		     struct sbuf *out)
{
	int rc = sbuf_printf(out, " %s;", authserv_id);

	if (rc == 0 && n == 0)
		rc = sbuf_append_str(out, "\n\tdkim=none");
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (i > 0)
			rc = sbuf_putc(out, ';');
		if (rc == 0)
			rc = sbuf_append_str(out, "\n\t");
		if (rc == 0)
			rc = put_result(out, &r[i]);
	}
	return rc;
}

/* skip_cfws - past white space, line ends and comments; false on an
 * unclosed or too deeply nested comment */
static bool skip_cfws(const char *v, size_t n, size_t *pos)
{
	size_t p = *pos;
	unsigned int depth = 0;

	while (p < n) {
		unsigned char c = (unsigned char)v[p];

		if (depth > 0) {
			if (c == '\\')
				p++;
			else if (c == '(' && ++depth > MILTER_AR_MAX_DEPTH)
				return false;
			else if (c == ')')
				depth--;
			p++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			p++;
		} else if (c == '(') {
			depth = 1;
			p++;
		} else {
			break;
		}
	}
	*pos = p;
	return depth == 0;
}

bool milter_ar_is_ours(const char *value, size_t n, const char *authserv_id)
{
	size_t pos = 0, start, idlen = strlen(authserv_id);

	if (!skip_cfws(value, n, &pos) || pos >= n)
		return false;
	/* RFC 8601 2.2: authserv-id = value (token or quoted-string) */
	if (value[pos] == '"') {
		size_t q = pos + 1;

		while (q < n && value[q] != '"') {
			if (value[q] == '\\')
				return false; /* never our form */
			q++;
		}
		if (q >= n)
			return false;
		start = pos + 1;
		if (q - start != idlen ||
		    strncasecmp(value + start, authserv_id, idlen) != 0)
			return false;
		pos = q + 1;
	} else {
		start = pos;
		while (pos < n && is_token_char((unsigned char)value[pos]))
			pos++;
		if (pos - start != idlen ||
		    strncasecmp(value + start, authserv_id, idlen) != 0)
			return false;
	}
	if (!skip_cfws(value, n, &pos))
		return false;
	/* authres-version = 1*DIGIT [CFWS] */
	if (pos < n && isdigit((unsigned char)value[pos])) {
		while (pos < n && isdigit((unsigned char)value[pos]))
			pos++;
		if (!skip_cfws(value, n, &pos))
			return false;
	}
	return pos == n || value[pos] == ';';
}
