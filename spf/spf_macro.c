/*
 * spf_macro.c - the RFC 7208 section 7 macro language (spf_macro.h).
 *
 * A macro-string is read one token at a time: a run of literal
 * characters, one of the escapes "%%" "%_" "%-", or a macro-expand
 * "%{" letter [digits] ["r"] *delimiter "}". The same tokenizer serves
 * the syntax check and the expansion, so both accept the same language.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "attrs.h"
#include "log.h"
#include "sbuf.h"
#include "spf_macro.h"
#include "xalloc.h"

#define SPF_MACRO_QUOTE_MAX 64	     /* peer bytes quoted in a reason */
#define SPF_MACRO_KEEP_MAX 1000000UL /* digit transformers saturate */

/* RFC 7208 7.1: delimiter = "." / "-" / "+" / "," / "/" / "_" / "=" */
static const char spf_macro_delims[] = ".-+,/_=";

enum macro_tok_kind {
	MACRO_TOK_TEXT,	  /* literal bytes, or the text of an escape */
	MACRO_TOK_EXPAND, /* %{...} */
};

struct macro_tok {
	enum macro_tok_kind kind;
	size_t len;	  /* bytes of the spec taken */
	const char *text; /* TEXT: bytes to copy (into spec or static) */
	size_t text_len;
	char letter;	    /* EXPAND: lower case */
	bool escape;	    /* upper-case letter: URL-escape the result */
	bool reverse;	    /* "r" transformer */
	unsigned long keep; /* digit transformer; 0: every part */
	const char *delims; /* into the spec; ndelims == 0: "." */
	size_t ndelims;
};

/* macro_is_alpha - ASCII letter, whatever the locale */
static bool macro_is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* macro_is_digit - ASCII digit */
static bool macro_is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* macro_is_unreserved - RFC 3986 2.3 unreserved characters */
static bool macro_is_unreserved(unsigned char c)
{
	return macro_is_alpha(c) || macro_is_digit(c) || c == '-' || c == '.' ||
	       c == '_' || c == '~';
}

/* macro_err - replace err's contents with a reason; NULL-safe */
static void ATTR_PRINTF(2, 3) macro_err(struct sbuf *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	sbuf_reset(err);
	va_start(ap, fmt);
	sbuf_vprintf(err, fmt, ap);
	va_end(ap);
}

/* macro_quote - append peer bytes to err, quoted and cut */
static void macro_quote(struct sbuf *err, const char *p, size_t n)
{
	if (err == NULL)
		return;
	sbuf_putc(err, '\'');
	log_quote(err, p, n > SPF_MACRO_QUOTE_MAX ? SPF_MACRO_QUOTE_MAX : n);
	if (n > SPF_MACRO_QUOTE_MAX)
		sbuf_append_str(err, "...");
	sbuf_putc(err, '\'');
}

/* macro_is_literal - RFC 7208 7.1 macro-literal; SP too in exp= text */
static bool macro_is_literal(unsigned char c, enum spf_macro_mode mode)
{
	if (c == ' ')
		return mode == SPF_MACRO_EXP; /* explain-string */
	return c >= 0x21 && c <= 0x7e && c != '%';
}

/* macro_letter_ok - is c (lower case) a macro letter for mode? */
static int macro_letter_ok(char c, enum spf_macro_mode mode, struct sbuf *err)
{
	if (c == '\0' || strchr("slodiphcrtv", c) == NULL)
		return -1;
	/* RFC 7208 7.2: c, r and t only in exp= text */
	if (mode == SPF_MACRO_DOMAIN && strchr("crt", c) != NULL) {
		macro_err(err,
			  "macro letter '%c' is only allowed in exp= "
			  "text",
			  c);
		return -2;
	}
	return 0;
}

/* macro_parse_expand - read "%{...}" at p into t */
static int macro_parse_expand(const char *p, enum spf_macro_mode mode,
			      struct macro_tok *t, struct sbuf *err)
{
	const char *q = p + 2, *end = strchr(p, '}');
	unsigned char c = (unsigned char)*q;
	size_t ndigits = 0;
	int r;

	if (end == NULL) {
		macro_err(err, "unterminated macro ");
		macro_quote(err, p, strlen(p));
		return -1;
	}
	t->kind = MACRO_TOK_EXPAND;
	t->escape = c >= 'A' && c <= 'Z';
	t->letter = (char)(t->escape ? c - 'A' + 'a' : c);
	if ((r = macro_letter_ok(t->letter, mode, err)) < 0) {
		if (r == -1) {
			macro_err(err, "unknown macro letter in ");
			macro_quote(err, p, (size_t)(end - p) + 1);
		}
		return -1;
	}
	q++;
	t->keep = 0;
	for (; macro_is_digit((unsigned char)*q); q++, ndigits++) {
		t->keep = t->keep * 10 + (unsigned long)(*q - '0');
		if (t->keep > SPF_MACRO_KEEP_MAX)
			t->keep = SPF_MACRO_KEEP_MAX;
	}
	/* RFC 7208 7.3: a DIGIT transformer must be nonzero */
	if (ndigits > 0 && t->keep == 0) {
		macro_err(err, "zero parts kept in macro ");
		macro_quote(err, p, (size_t)(end - p) + 1);
		return -1;
	}
	t->reverse = *q == 'r' || *q == 'R';
	if (t->reverse)
		q++;
	t->delims = q;
	while (*q != '\0' && strchr(spf_macro_delims, *q) != NULL)
		q++;
	t->ndelims = (size_t)(q - t->delims);
	if (q != end) {
		macro_err(err, "bad transformer or delimiter in macro ");
		macro_quote(err, p, (size_t)(end - p) + 1);
		return -1;
	}
	t->len = (size_t)(end - p) + 1;
	return 0;
}

/* macro_next - read the token at p (not at the end of the spec) */
static int macro_next(const char *p, enum spf_macro_mode mode,
		      struct macro_tok *t, struct sbuf *err)
{
	size_t n;

	if (*p != '%') {
		for (n = 0; p[n] != '\0' &&
			    macro_is_literal((unsigned char)p[n], mode);
		     n++)
			;
		if (n == 0) {
			macro_err(err,
				  "invalid character \\x%02x in "
				  "macro-string",
				  (unsigned char)*p);
			return -1;
		}
		t->kind = MACRO_TOK_TEXT;
		t->text = p;
		t->text_len = n;
		t->len = n;
		return 0;
	}
	t->kind = MACRO_TOK_TEXT;
	t->len = 2;
	switch (p[1]) {
	case '%':
		t->text = "%";
		break;
	case '_':
		t->text = " ";
		break;
	case '-':
		t->text = "%20";
		break;
	case '{':
		return macro_parse_expand(p, mode, t, err);
	case '\0':
		macro_err(err, "lone '%%' at the end of the macro-string");
		return -1;
	default:
		/* RFC 7208 7.1: anything else after '%' is an error */
		macro_err(err,
			  "'%%' not followed by '{', '%%', '_' or '-' in ");
		macro_quote(err, p, 2);
		return -1;
	}
	t->text_len = strlen(t->text);
	return 0;
}

/* spf_macro_check - is spec a valid macro-string for mode? */
int spf_macro_check(const char *spec, enum spf_macro_mode mode,
		    struct sbuf *err)
{
	struct macro_tok t;
	const char *p;

	if (spec == NULL) {
		macro_err(err, "no macro-string");
		return -1;
	}
	for (p = spec; *p != '\0'; p += t.len)
		if (macro_next(p, mode, &t, err) < 0)
			return -1;
	return 0;
}

/* spf_macro_uses_p - does spec contain a %{p} / %{P} macro? */
bool spf_macro_uses_p(const char *spec)
{
	const char *p;

	if (spec == NULL)
		return false;
	for (p = spec; *p != '\0'; p++) {
		if (*p != '%')
			continue;
		if (p[1] == '{' && (p[2] == 'p' || p[2] == 'P'))
			return true;
		if (p[1] == '\0')
			break;
		p++; /* skip the escaped character */
	}
	return false;
}

/* macro_ip_nibbles - RFC 7208 7.3 dot-format of an IPv6 address */
static int macro_ip_nibbles(const unsigned char *ip, struct sbuf *val)
{
	/*
	 * Upper-case hex: RFC 7208 leaves the case open (RFC 4291 2.2 hex
	 * is case-insensitive, DNS names too) and the conformance suite
	 * (test v-macro-ip6) expects upper case in explanations.
	 */
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < 16; i++)
		if (sbuf_printf(val, "%s%c.%c", i == 0 ? "" : ".",
				hex[ip[i] >> 4], hex[ip[i] & 0x0f]) < 0)
			return -1;
	return 0;
}

/* macro_ip - the i or c value of the client address */
static int macro_ip(const struct spf_macro_vars *v, bool readable,
		    struct sbuf *val)
{
	char buf[INET6_ADDRSTRLEN];

	if (v->family == 4)
		return sbuf_printf(val, "%u.%u.%u.%u", v->ip[0], v->ip[1],
				   v->ip[2], v->ip[3]);
	if (!readable)
		return macro_ip_nibbles(v->ip, val);
	/* RFC 7208 7.3: c is a colon form; RFC 5952 via inet_ntop */
	if (inet_ntop(AF_INET6, v->ip, buf, sizeof(buf)) == NULL)
		return -1;
	return sbuf_append_str(val, buf);
}

/* macro_str - a string variable, "" when unset */
static const char *macro_str(const char *s) { return s == NULL ? "" : s; }

/* macro_value - the value of t's letter, before any transformer */
static int macro_value(const struct macro_tok *t,
		       const struct spf_macro_vars *v, struct sbuf *val,
		       struct sbuf *err)
{
	const char *s;

	if (strchr("icv", t->letter) != NULL &&
	    ((v->family != 4 && v->family != 6) || v->ip == NULL)) {
		macro_err(err, "macro %%{%c} needs the client address",
			  t->letter);
		return -1;
	}
	switch (t->letter) {
	case 's':
		/* RFC 7208 4.3: an empty local part is "postmaster" */
		s = macro_str(v->sender);
		if (*s != '\0' && *s != '@' &&
		    (v->local == NULL || *v->local != '\0'))
			return sbuf_append_str(val, s);
		return sbuf_printf(val, "postmaster@%s",
				   macro_str(v->sender_domain));
	case 'l':
		s = macro_str(v->local);
		return sbuf_append_str(val, *s == '\0' ? "postmaster" : s);
	case 'o':
		return sbuf_append_str(val, macro_str(v->sender_domain));
	case 'd':
		return sbuf_append_str(val, macro_str(v->domain));
	case 'i':
		return macro_ip(v, false, val);
	case 'c':
		return macro_ip(v, true, val);
	case 'v':
		return sbuf_append_str(val, v->family == 4 ? "in-addr" : "ip6");
	case 'p':
		if (v->ptr == NULL) {
			macro_err(err, "macro %%{p} used but the validated "
				       "name was not looked up");
			return -1;
		}
		return sbuf_append_str(val, v->ptr);
	case 'h':
		return sbuf_append_str(val, macro_str(v->helo));
	case 'r':
		/* RFC 7208 7.2: "unknown" without a receiver name */
		return sbuf_append_str(val, v->receiver == NULL ? "unknown"
								: v->receiver);
	case 't':
		return sbuf_printf(val, "%lld", (long long)v->now);
	}
	log_panic("spf_macro: letter '%c' passed the check", t->letter);
}

/* macro_is_delim - is c one of t's delimiters? */
static bool macro_is_delim(const struct macro_tok *t, char c)
{
	if (t->ndelims == 0)
		return c == '.';
	return memchr(t->delims, c, t->ndelims) != NULL;
}

/*
 * macro_transform - RFC 7208 7.3: split val on the delimiters, reverse
 * if asked, keep the right-hand t->keep parts, join them with ".".
 * Empty parts are kept ("no special treatment is given to leading,
 * trailing, or consecutive delimiters").
 */
static int macro_transform(const struct macro_tok *t, const char *val,
			   size_t len, struct sbuf *out)
{
	size_t *start, nparts = 1, i, j, first, k, idx, end;
	int rc = 0;

	if (t->keep == 0 && !t->reverse && t->ndelims == 0)
		return sbuf_append(out, val, len);
	for (i = 0; i < len; i++)
		if (macro_is_delim(t, val[i]))
			nparts++;
	/* start[k]: first byte of part k; start[nparts]: len + 1 */
	start = xcalloc(nparts + 1, sizeof(*start));
	for (i = 0, k = 1; i < len; i++)
		if (macro_is_delim(t, val[i]))
			start[k++] = i + 1;
	start[nparts] = len + 1;
	first = t->keep != 0 && t->keep < nparts ? nparts - t->keep : 0;
	for (j = first; j < nparts && rc == 0; j++) {
		idx = t->reverse ? nparts - 1 - j : j;
		end = start[idx + 1] - 1;
		if (j > first && sbuf_putc(out, '.') < 0)
			rc = -1;
		else if (sbuf_append(out, val + start[idx], end - start[idx]) <
			 0)
			rc = -1;
	}
	free(start);
	return rc;
}

/* macro_append_escaped - RFC 7208 7.3: URL-escape for upper-case letters */
static int macro_append_escaped(struct sbuf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (macro_is_unreserved(c) ? sbuf_putc(out, c) < 0
					   : sbuf_printf(out, "%%%02X", c) < 0)
			return -1;
	}
	return 0;
}

/*
 * macro_fit_domain - RFC 7208 7.3: drop the trailing dot of a domain,
 * then leading labels until it is at most SPF_DOMAIN_MAX bytes; returns
 * the offset of the kept part, or -1 when no label boundary fits.
 */
static long macro_fit_domain(struct sbuf *res)
{
	const char *s = sbuf_cstr(res), *dot;
	size_t len = sbuf_len(res), off = 0;

	if (len > 0 && s[len - 1] == '.')
		sbuf_truncate(res, --len);
	while (len - off > SPF_DOMAIN_MAX) {
		dot = memchr(s + off, '.', len - off);
		if (dot == NULL)
			return -1;
		off = (size_t)(dot - s) + 1;
	}
	return (long)off;
}

/* spf_macro_expand - append the expansion of spec to out */
int spf_macro_expand(const char *spec, enum spf_macro_mode mode,
		     const struct spf_macro_vars *v, struct sbuf *out,
		     struct sbuf *err)
{
	struct sbuf *res = sbuf_new_max(64, SPF_MACRO_MAX_OUT);
	struct sbuf *val = sbuf_new(64);
	struct sbuf *part = sbuf_new_max(64, SPF_MACRO_MAX_OUT);
	struct macro_tok t;
	const char *p;
	long off = 0;
	int rc = -1;

	if (spf_macro_check(spec, mode, err) < 0)
		goto out;
	for (p = spec; *p != '\0'; p += t.len) {
		if (macro_next(p, mode, &t, err) < 0)
			goto out;
		if (t.kind == MACRO_TOK_TEXT) {
			if (sbuf_append(res, t.text, t.text_len) < 0)
				goto toolong;
			continue;
		}
		sbuf_reset(val);
		sbuf_reset(part);
		if (macro_value(&t, v, val, err) < 0)
			goto out;
		if (macro_transform(&t, sbuf_cstr(val), sbuf_len(val), part) <
		    0)
			goto toolong;
		if (t.escape
			? macro_append_escaped(res, sbuf_cstr(part),
					       sbuf_len(part)) < 0
			: sbuf_append(res, sbuf_data(part), sbuf_len(part)) < 0)
			goto toolong;
	}
	if (mode == SPF_MACRO_DOMAIN && (off = macro_fit_domain(res)) < 0) {
		macro_err(err,
			  "expanded domain has a label longer than %d "
			  "bytes",
			  SPF_DOMAIN_MAX);
		goto out;
	}
	if (sbuf_append(out, sbuf_data(res) + off,
			sbuf_len(res) - (size_t)off) < 0) {
		macro_err(err, "no room for the expansion");
		goto out;
	}
	rc = 0;
	goto out;
toolong:
	macro_err(err, "expansion longer than %d bytes", SPF_MACRO_MAX_OUT);
out:
	sbuf_free(&part);
	sbuf_free(&val);
	sbuf_free(&res);
	return rc;
}
