/*
 * milter_addr.c - the From: address for signing-table lookups
 * (milter_addr.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "milter_addr.h"
#include "sbuf.h"

/* milter_addr_domain_ok - letters, digits, "-", "_", dots; no empty
 * label */
static bool milter_addr_domain_ok(const char *d, size_t n)
{
	size_t label = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (isalnum(c) || c == '-' || c == '_') {
			label++;
		} else {
			return false;
		}
	}
	return label > 0;
}

/* unquoted - the first c in s (len bytes) outside a quoted string */
static const char *unquoted(const char *s, size_t len, char c)
{
	bool q = false;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && q && i + 1 < len)
			i++;
		else if (s[i] == '"')
			q = !q;
		else if (!q && s[i] == c)
			return s + i;
	}
	return NULL;
}

int milter_addr_from(const char *value, size_t n, struct sbuf *out,
		     size_t *domain_off_r, struct sbuf *err)
{
	struct sbuf *plain = sbuf_new_max(64, MILTER_ADDR_MAX);
	const char *s, *lt = NULL, *gt = NULL, *at;
	unsigned int depth = 0;
	bool quoted = false, overflow = false;
	size_t len, i;
	int rc = -1;

	/* one pass: drop comments and folding, keep quoted text; remember
	 * the first "<" and the ">" after it outside quotes and comments */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c == '\\' && (quoted || depth > 0) && i + 1 < n) {
			i++;
			if (depth == 0 && (sbuf_putc(plain, '\\') < 0 ||
					   sbuf_putc(plain, value[i]) < 0))
				overflow = true;
			continue;
		}
		if (depth > 0) {
			if (c == '(' && ++depth > MILTER_ADDR_MAX_DEPTH) {
				sbuf_append_str(err, "comments nested too "
						     "deep");
				goto out;
			}
			if (c == ')')
				depth--;
			continue;
		}
		if (c == '"') {
			quoted = !quoted;
		} else if (!quoted && c == '(') {
			depth = 1;
			continue;
		} else if (!quoted && c == '<' && lt == NULL) {
			lt = value + i; /* only to record that there is one */
			sbuf_reset(plain);
			continue;
		} else if (!quoted && c == '>' && lt != NULL && gt == NULL) {
			gt = value + i;
			break;
		}
		if (c == '\r' || c == '\n' || c == '\t' || c == ' ') {
			if (!quoted && (lt != NULL || sbuf_len(plain) == 0))
				continue; /* no white space inside <> */
			if (!quoted)
				c = ' ';
		}
		if (c == '\0' || c >= 0x80) {
			sbuf_append_str(err, "NUL or 8-bit byte in From:");
			goto out;
		}
		if (sbuf_putc(plain, (char)c) < 0)
			overflow = true;
	}
	if (overflow) {
		sbuf_printf(err, "From: address longer than %u bytes",
			    MILTER_ADDR_MAX);
		goto out;
	}
	if (lt != NULL && gt == NULL) {
		sbuf_append_str(err, "From: has \"<\" without \">\"");
		goto out;
	}
	s = sbuf_cstr(plain);
	len = sbuf_len(plain);
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (lt == NULL && (unquoted(s, len, ' ') != NULL ||
			   unquoted(s, len, ',') != NULL)) {
		/* a bare addr-spec has no spaces; a list: the first one */
		const char *comma = unquoted(s, len, ',');

		if (comma == NULL) {
			sbuf_append_str(err, "From: is not an address");
			goto out;
		}
		len = (size_t)(comma - s);
		while (len > 0 && s[len - 1] == ' ')
			len--;
	}
	at = NULL;
	for (i = 0; i < len; i++)
		if (s[i] == '@')
			at = s + i;
	if (at == NULL || at == s || !milter_addr_domain_ok(at + 1,
		       len - (size_t)(at + 1 - s))) {
		sbuf_append_str(err, "From: has no address with a domain");
		goto out;
	}
	sbuf_reset(out);
	if (sbuf_append(out, s, len) < 0) {
		sbuf_append_str(err, "From: address too long");
		goto out;
	}
	{
		/* lower-case the domain in place through a copy */
		size_t off = (size_t)(at + 1 - s);
		struct sbuf *tmp = sbuf_new(len + 1);

		sbuf_append(tmp, s, off);
		for (i = off; i < len; i++)
			sbuf_putc(tmp, (char)tolower((unsigned char)s[i]));
		sbuf_reset(out);
		if (sbuf_append(out, sbuf_data(tmp), sbuf_len(tmp)) < 0) {
			sbuf_free(&tmp);
			sbuf_append_str(err, "From: address too long");
			goto out;
		}
		sbuf_free(&tmp);
		if (domain_off_r != NULL)
			*domain_off_r = off;
	}
	rc = 0;
out:
	sbuf_free(&plain);
	return rc;
}
