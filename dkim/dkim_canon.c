/* dkim_canon.c - RFC 6376 3.4 header and body canonicalization */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dkim_canon.h"
#include "sbuf.h"
#include "xalloc.h"

/* dkim_canon_is_wsp - WSP of RFC 5234: SP and HTAB */
static bool dkim_canon_is_wsp(unsigned char c) { return c == ' ' || c == '\t'; }

/* dkim_canon_lower - ASCII lower case */
static unsigned char dkim_canon_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/*
 * dkim_canon_relaxed - RFC 6376 3.4.2: lower-case the name, unfold,
 * reduce white space runs to one SP, drop white space at the ends of
 * the value and around the colon
 */
static int dkim_canon_relaxed(const unsigned char *f, size_t n, size_t colon,
			      struct sbuf *out)
{
	size_t i, end = colon;
	bool wsp = false, started = false;

	while (end > 0 && dkim_canon_is_wsp(f[end - 1]))
		end--;
	for (i = 0; i < end; i++)
		if (sbuf_putc(out, dkim_canon_lower(f[i])) < 0)
			return -1;
	if (sbuf_putc(out, ':') < 0)
		return -1;
	for (i = colon + 1; i < n; i++) {
		if (f[i] == '\r' || f[i] == '\n')
			continue; /* unfolding: the CRLF of a fold goes */
		if (dkim_canon_is_wsp(f[i])) {
			wsp = true;
			continue;
		}
		if (wsp && started && sbuf_putc(out, ' ') < 0)
			return -1;
		wsp = false;
		started = true;
		if (sbuf_putc(out, f[i]) < 0)
			return -1;
	}
	return 0;
}

/* dkim_canon_header - one header field in canonical form */
int dkim_canon_header(enum dkim_canon_alg c, const char *field, size_t n,
		      bool crlf, struct sbuf *out)
{
	const char *colon = memchr(field, ':', n);
	size_t before = sbuf_len(out);
	int r;

	if (colon == NULL)
		return -1;
	if (c == DKIM_CANON_SIMPLE)
		r = sbuf_append(out, field, n); /* RFC 6376 3.4.1 */
	else
		r = dkim_canon_relaxed((const unsigned char *)field, n,
				       (size_t)(colon - field), out);
	if (r == 0 && crlf)
		r = sbuf_append(out, "\r\n", 2);
	if (r < 0)
		sbuf_truncate(out, before);
	return r;
}

struct dkim_canon_body {
	enum dkim_canon_alg c;
	struct dkim_crypto_md *md;
	bool has_l;
	uint64_t l;
	uint64_t hashed; /* bytes passed to md */
	uint64_t total;	 /* bytes of canonical body, l= or not */
	uint64_t blank;	 /* empty lines seen but not yet emitted */
	bool cr;	 /* the last byte was a CR */
	bool wsp;	 /* relaxed: white space pending inside a line */
	bool line;	 /* the current line has emitted content */
	/* staging for md: a fixed batch size, never a whole line */
	unsigned char buf[4096];
	size_t nbuf;
};

/* dkim_canon_body_new - start a body hash */
struct dkim_canon_body *dkim_canon_body_new(enum dkim_canon_alg c,
					    enum dkim_hash h, bool has_l,
					    uint64_t l)
{
	struct dkim_canon_body *b = xcalloc(1, sizeof(*b));

	b->c = c;
	b->md = dkim_crypto_md_new(h);
	b->has_l = has_l;
	b->l = l;
	return b;
}

/* dkim_canon_emit - canonical output bytes; l= cuts what is hashed */
static void dkim_canon_emit(struct dkim_canon_body *b, const void *p, size_t n)
{
	const unsigned char *u = p;
	size_t take = n, k;

	b->total += n;
	if (b->has_l) {
		if (b->hashed >= b->l)
			return;
		if (b->l - b->hashed < take)
			take = (size_t)(b->l - b->hashed);
	}
	b->hashed += take;
	while (take > 0) {
		if (b->nbuf == sizeof(b->buf)) {
			dkim_crypto_md_update(b->md, b->buf, b->nbuf);
			b->nbuf = 0;
		}
		k = sizeof(b->buf) - b->nbuf;
		if (k > take)
			k = take;
		memcpy(b->buf + b->nbuf, u, k);
		b->nbuf += k;
		u += k;
		take -= k;
	}
}

/* dkim_canon_content - bytes that make the line non-empty (n > 0) */
static void dkim_canon_content(struct dkim_canon_body *b,
			       const unsigned char *p, size_t n)
{
	if (!b->line) {
		/* the empty lines before were not trailing after all */
		for (; b->blank > 0; b->blank--)
			dkim_canon_emit(b, "\r\n", 2);
		b->line = true;
	}
	if (b->wsp) {
		dkim_canon_emit(b, " ", 1);
		b->wsp = false;
	}
	dkim_canon_emit(b, p, n);
}

/* dkim_canon_plain - how many bytes from p on no rule touches: up to
 * the next CR or LF, or (relaxed) white space */
static size_t dkim_canon_plain(const struct dkim_canon_body *b,
			       const unsigned char *p, size_t n)
{
	size_t i = 0;

	if (b->c == DKIM_CANON_RELAXED) {
		while (i < n && p[i] != '\r' && p[i] != '\n' &&
		       !dkim_canon_is_wsp(p[i]))
			i++;
	} else {
		while (i < n && p[i] != '\r' && p[i] != '\n')
			i++;
	}
	return i;
}

/* dkim_canon_end_line - CRLF (or bare LF) seen */
static void dkim_canon_end_line(struct dkim_canon_body *b)
{
	b->wsp = false; /* relaxed: trailing white space goes */
	if (b->line) {
		dkim_canon_emit(b, "\r\n", 2);
		b->line = false;
	} else
		b->blank++;
}

/* dkim_canon_body_update - feed body bytes */
void dkim_canon_body_update(struct dkim_canon_body *b, const void *p, size_t n)
{
	const unsigned char *u = p;
	size_t i = 0, run;

	while (i < n) {
		unsigned char c = u[i];

		/* most bytes are plain text: take them a run at a time */
		if (!b->cr && (run = dkim_canon_plain(b, u + i, n - i)) > 0) {
			dkim_canon_content(b, u + i, run);
			i += run;
			continue;
		}
		i++;
		if (b->cr) {
			b->cr = false;
			if (c == '\n') {
				dkim_canon_end_line(b);
				continue;
			}
			dkim_canon_content(b, (const unsigned char *)"\r", 1);
		}
		if (c == '\r')
			b->cr = true;
		else if (c == '\n')
			dkim_canon_end_line(b);
		else if (b->c == DKIM_CANON_RELAXED && dkim_canon_is_wsp(c))
			b->wsp = true;
		else
			dkim_canon_content(b, &c, 1);
	}
}

/* dkim_canon_body_final - RFC 6376 3.4.3 and 3.4.4 end-of-body rules */
size_t dkim_canon_body_final(struct dkim_canon_body *b,
			     unsigned char md[DKIM_CRYPTO_MD_MAX])
{
	if (b->cr) {
		b->cr = false;
		dkim_canon_content(b, (const unsigned char *)"\r", 1);
	}
	/* a last line without CRLF gets one; trailing empty lines go */
	if (b->line)
		dkim_canon_end_line(b);
	b->blank = 0;
	/* simple: an empty body is one CRLF (RFC 6376 3.4.3) */
	if (b->c == DKIM_CANON_SIMPLE && b->total == 0)
		dkim_canon_emit(b, "\r\n", 2);
	dkim_crypto_md_update(b->md, b->buf, b->nbuf);
	b->nbuf = 0;
	return dkim_crypto_md_final(b->md, md);
}

/* dkim_canon_body_length - canonical body length so far */
uint64_t dkim_canon_body_length(const struct dkim_canon_body *b)
{
	return b->total;
}

/* dkim_canon_body_free - release a body hasher */
void dkim_canon_body_free(struct dkim_canon_body **bp)
{
	if (*bp == NULL)
		return;
	dkim_crypto_md_free(&(*bp)->md);
	free(*bp);
	*bp = NULL;
}
