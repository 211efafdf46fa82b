/*
 * spf_record.c - parse one SPF record (spf_record.h).
 *
 * RFC 7208 4.5/4.6/12: record = version terms *SP, terms = *( 1*SP
 * ( directive / modifier ) ). A term is a modifier when it starts with
 * a name (ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )) directly followed
 * by "="; anything else is a mechanism with an optional qualifier.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "attrs.h"
#include "log.h"
#include "sbuf.h"
#include "spf_macro.h"
#include "spf_record.h"
#include "xalloc.h"

#define SPF_RECORD_QUOTE_MAX 64 /* peer bytes quoted in a reason */
#define SPF_RECORD_VERSION "v=spf1"
#define SPF_RECORD_VERSION_LEN 6

static const struct {
	const char *name;
	enum spf_mech mech;
} spf_record_mechs[] = {
    {"all", SPF_M_ALL}, {"include", SPF_M_INCLUDE}, {"a", SPF_M_A},
    {"mx", SPF_M_MX},	{"ptr", SPF_M_PTR},	    {"ip4", SPF_M_IP4},
    {"ip6", SPF_M_IP6}, {"exists", SPF_M_EXISTS},
};

/* record_is_alpha - ASCII letter, whatever the locale */
static bool record_is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* record_is_digit - ASCII digit */
static bool record_is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* record_is_alnum - RFC 7208 7.1 alphanum */
static bool record_is_alnum(unsigned char c)
{
	return record_is_alpha(c) || record_is_digit(c);
}

/* record_err - replace err's contents with a reason; NULL-safe */
static void ATTR_PRINTF(2, 3) record_err(struct sbuf *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	sbuf_reset(err);
	va_start(ap, fmt);
	sbuf_vprintf(err, fmt, ap);
	va_end(ap);
}

/* record_quote - append peer text to err, quoted and cut */
static void record_quote(struct sbuf *err, const char *p, size_t n)
{
	if (err == NULL)
		return;
	sbuf_putc(err, '\'');
	log_quote(err, p, n > SPF_RECORD_QUOTE_MAX ? SPF_RECORD_QUOTE_MAX : n);
	if (n > SPF_RECORD_QUOTE_MAX)
		sbuf_append_str(err, "...");
	sbuf_putc(err, '\'');
}

/* record_err_term - "<what> in '<term>'" */
static void record_err_term(struct sbuf *err, const char *what,
			    const char *term)
{
	record_err(err, "%s in ", what);
	record_quote(err, term, strlen(term));
}

/* spf_record_is_spf - "v=spf1" followed by a space or the end */
bool spf_record_is_spf(const unsigned char *txt, size_t len)
{
	if (txt == NULL || len < SPF_RECORD_VERSION_LEN ||
	    strncasecmp((const char *)txt, SPF_RECORD_VERSION,
			SPF_RECORD_VERSION_LEN) != 0)
		return false;
	return len == SPF_RECORD_VERSION_LEN ||
	       txt[SPF_RECORD_VERSION_LEN] == ' ';
}

/* record_toplabel_ok - RFC 7208 7.1 toplabel */
static bool record_toplabel_ok(const char *s, size_t n)
{
	bool alpha = false, dash = false;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '-')
			dash = true;
		else if (record_is_alpha(c))
			alpha = true;
		else if (!record_is_digit(c))
			return false;
	}
	/* ( *alphanum ALPHA *alphanum ) */
	if (!dash)
		return alpha;
	/* ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
	return record_is_alnum((unsigned char)s[0]) &&
	       record_is_alnum((unsigned char)s[n - 1]);
}

/*
 * record_domain_end_ok - RFC 7208 7.1: domain-end = ( "." toplabel
 * [ "." ] ) / macro-expand, for a spec that is a valid macro-string.
 * A macro-expand is "%{...}" or one of "%%" "%_" "%-"; otherwise the
 * "." and the toplabel are literal text after the last of those.
 */
static bool record_domain_end_ok(const char *s)
{
	size_t i = 0, tail = 0, end, dot;
	bool last_expand = false;
	const char *close;

	while (s[i] != '\0') {
		if (s[i] != '%') {
			i++;
			last_expand = false;
			continue;
		}
		if (s[i + 1] == '{') {
			close = strchr(s + i, '}');
			if (close == NULL)
				return false;
			i = (size_t)(close - s) + 1;
		} else {
			i += s[i + 1] == '\0' ? 1 : 2;
		}
		last_expand = true;
		tail = i;
	}
	if (last_expand)
		return true;
	end = i;
	if (end > tail && s[end - 1] == '.')
		end--;
	for (dot = end; dot > tail && s[dot - 1] != '.'; dot--)
		;
	if (dot == tail)
		return false; /* no literal "." before the toplabel */
	return record_toplabel_ok(s + dot, end - dot);
}

/* record_looks_ip4 - digits and three dots: an address, not a name */
static bool record_looks_ip4(const char *s)
{
	unsigned int dots = 0;

	for (; *s != '\0'; s++) {
		if (*s == '.')
			dots++;
		else if (!record_is_digit((unsigned char)*s))
			return false;
	}
	return dots == 3;
}

/* record_domain_spec - check a domain-spec (RFC 7208 7.1) */
static int record_domain_spec(const char *spec, const char *term,
			      struct sbuf *err)
{
	struct sbuf *why;

	if (*spec == '\0') {
		record_err_term(err, "empty domain-spec", term);
		return -1;
	}
	why = sbuf_new(64);
	if (spf_macro_check(spec, SPF_MACRO_DOMAIN, why) < 0) {
		record_err_term(err, "bad macro-string", term);
		if (err != NULL)
			sbuf_printf(err, ": %s", sbuf_cstr(why));
		sbuf_free(&why);
		return -1;
	}
	sbuf_free(&why);
	if (!record_domain_end_ok(spec)) {
		record_err_term(err,
				record_looks_ip4(spec)
				    ? "IP address as domain-spec "
				      "(ip4: wanted?)"
				    : "domain-spec does not end in a "
				      "macro or a top-level label",
				term);
		return -1;
	}
	return 0;
}

/* record_cidr - "0" or a number without leading zeros, at most max */
static int record_cidr(const char *s, size_t n, int max, int *val_r)
{
	int v = 0;
	size_t i;

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (!record_is_digit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return -1;
	*val_r = v;
	return 0;
}

/*
 * record_dual_cidr - a trailing dual-cidr-length of s[0..len) (RFC 7208
 * 5.3/5.4): "/" ip4 and/or "//" ip6. Returns the length of what comes
 * before it, or -1 (cidr4/cidr6 -1 when absent).
 */
static long record_dual_cidr(const char *s, size_t len, struct spf_term *t)
{
	size_t end = len, i;

	t->cidr4 = t->cidr6 = -1;
	for (i = end; i > 0 && record_is_digit((unsigned char)s[i - 1]); i--)
		;
	if (i < end && i >= 2 && s[i - 1] == '/' && s[i - 2] == '/') {
		if (record_cidr(s + i, end - i, 128, &t->cidr6) < 0)
			return -1;
		end = i - 2;
	}
	for (i = end; i > 0 && record_is_digit((unsigned char)s[i - 1]); i--)
		;
	if (i < end && i >= 1 && s[i - 1] == '/') {
		if (record_cidr(s + i, end - i, 32, &t->cidr4) < 0)
			return -1;
		end = i - 1;
	}
	return (long)end;
}

/* record_ip4 - RFC 7208 5.6 ip4-network: four qnums, no leading zeros */
static int record_ip4(const char *s, size_t n, unsigned char *addr)
{
	size_t i = 0, k, start;
	unsigned int v;

	for (k = 0; k < 4; k++) {
		if (k > 0) {
			if (i >= n || s[i] != '.')
				return -1;
			i++;
		}
		start = i;
		for (v = 0; i < n && record_is_digit((unsigned char)s[i]) &&
			    i - start < 3;
		     i++)
			v = v * 10 + (unsigned int)(s[i] - '0');
		if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
			return -1;
		addr[k] = (unsigned char)v;
	}
	return i == n ? 0 : -1;
}

/* record_ip - "ip4:" / "ip6:" network [ "/" cidr ] (RFC 7208 5.6) */
static int record_ip(struct spf_term *t, const char *arg, const char *term,
		     struct sbuf *err)
{
	const char *slash = strchr(arg, '/');
	size_t alen = slash != NULL ? (size_t)(slash - arg) : strlen(arg);
	char buf[INET6_ADDRSTRLEN];
	int *cidr = t->mech == SPF_M_IP4 ? &t->cidr4 : &t->cidr6;

	if (t->mech == SPF_M_IP4) {
		if (record_ip4(arg, alen, t->addr) < 0) {
			record_err_term(err, "bad IPv4 address", term);
			return -1;
		}
	} else {
		if (alen == 0 || alen >= sizeof(buf)) {
			record_err_term(err, "bad IPv6 address", term);
			return -1;
		}
		memcpy(buf, arg, alen);
		buf[alen] = '\0';
		if (inet_pton(AF_INET6, buf, t->addr) != 1) {
			record_err_term(err, "bad IPv6 address", term);
			return -1;
		}
	}
	if (slash != NULL &&
	    record_cidr(slash + 1, strlen(slash + 1),
			t->mech == SPF_M_IP4 ? 32 : 128, cidr) < 0) {
		record_err_term(err, "bad CIDR length", term);
		return -1;
	}
	return 0;
}

/* record_mechanism - one directive: [ qualifier ] mechanism */
static int record_mechanism(struct spf_term *t, const char *term,
			    struct sbuf *err)
{
	const char *p = term, *rest;
	size_t n, i;
	long keep;

	t->qual = SPF_Q_PASS;
	switch (*p) {
	case '+':
		p++;
		break;
	case '-':
		t->qual = SPF_Q_FAIL;
		p++;
		break;
	case '~':
		t->qual = SPF_Q_SOFTFAIL;
		p++;
		break;
	case '?':
		t->qual = SPF_Q_NEUTRAL;
		p++;
		break;
	}
	n = strcspn(p, ":/");
	for (i = 0; i < sizeof(spf_record_mechs) / sizeof(spf_record_mechs[0]);
	     i++)
		if (strlen(spf_record_mechs[i].name) == n &&
		    strncasecmp(p, spf_record_mechs[i].name, n) == 0)
			break;
	if (i == sizeof(spf_record_mechs) / sizeof(spf_record_mechs[0])) {
		record_err_term(err, "unknown mechanism", term);
		return -1;
	}
	t->mech = spf_record_mechs[i].mech;
	t->cidr4 = t->cidr6 = -1;
	rest = p + n;
	switch (t->mech) {
	case SPF_M_ALL:
		if (*rest != '\0') {
			record_err_term(err, "'all' takes no argument", term);
			return -1;
		}
		return 0;
	case SPF_M_INCLUDE:
	case SPF_M_EXISTS:
	case SPF_M_PTR:
		if (*rest == '\0' && t->mech == SPF_M_PTR)
			return 0;
		if (*rest != ':') {
			record_err_term(err,
					*rest == '\0'
					    ? "mechanism needs a domain-spec"
					    : "mechanism takes no CIDR length",
					term);
			return -1;
		}
		if (record_domain_spec(rest + 1, term, err) < 0)
			return -1;
		t->domain_spec = xstrdup(rest + 1);
		return 0;
	case SPF_M_A:
	case SPF_M_MX:
		/* RFC 7208 5.3: [ ":" domain-spec ] [ dual-cidr-length ] */
		if (*rest == ':')
			rest++;
		keep = record_dual_cidr(rest, strlen(rest), t);
		if (keep < 0) {
			record_err_term(err, "bad CIDR length", term);
			return -1;
		}
		if (rest == p + n) {
			if (keep != 0) {
				record_err_term(err, "bad CIDR length", term);
				return -1;
			}
			return 0;
		}
		t->domain_spec = xstrndup(rest, (size_t)keep);
		return record_domain_spec(t->domain_spec, term, err);
	case SPF_M_IP4:
	case SPF_M_IP6:
		if (*rest != ':') {
			record_err_term(err, "mechanism needs an address",
					term);
			return -1;
		}
		return record_ip(t, rest + 1, term, err);
	}
	log_panic("spf_record: mechanism %d not handled", (int)t->mech);
}

/* record_modifier - name "=" value; name is n bytes of term */
static int record_modifier(struct spf_record *rec, const char *term, size_t n,
			   struct sbuf *err)
{
	const char *val = term + n + 1;
	struct sbuf *why;
	char **slot = NULL;

	if (n == 8 && strncasecmp(term, "redirect", n) == 0)
		slot = &rec->redirect;
	else if (n == 3 && strncasecmp(term, "exp", n) == 0)
		slot = &rec->exp;
	if (slot != NULL) {
		/* RFC 7208 6: each at most once */
		if (*slot != NULL) {
			record_err(err, "%s= twice",
				   n == 3 ? "exp" : "redirect");
			return -1;
		}
		if (record_domain_spec(val, term, err) < 0)
			return -1;
		*slot = xstrdup(val);
		return 0;
	}
	/*
	 * RFC 7208 6: unknown modifiers are ignored, but their value must
	 * be a macro-string (A/3), and c r t are for exp= text only (7.2).
	 */
	why = sbuf_new(64);
	if (spf_macro_check(val, SPF_MACRO_DOMAIN, why) < 0) {
		record_err_term(err, "bad macro-string", term);
		if (err != NULL)
			sbuf_printf(err, ": %s", sbuf_cstr(why));
		sbuf_free(&why);
		return -1;
	}
	sbuf_free(&why);
	return 0;
}

/* record_term - one term, a modifier or a directive */
static int record_term(struct spf_record *rec, const char *term,
		       struct sbuf *err)
{
	struct spf_term *t;
	size_t n = 0;

	if (record_is_alpha((unsigned char)term[0])) {
		for (n = 1; record_is_alnum((unsigned char)term[n]) ||
			    term[n] == '-' || term[n] == '_' || term[n] == '.';
		     n++)
			;
		if (term[n] == '=')
			return record_modifier(rec, term, n, err);
	}
	t = &rec->terms[rec->n];
	memset(t, 0, sizeof(*t));
	t->text = xstrdup(term);
	rec->n++; /* spf_record_free releases it on error too */
	return record_mechanism(t, term, err);
}

/* spf_record_parse - parse txt into a record */
int spf_record_parse(const unsigned char *txt, size_t len,
		     struct spf_record **rec_r, struct sbuf *err)
{
	struct spf_record *rec = NULL;
	size_t i, start, nterms = 0;
	char *term;
	int rc = -1;

	*rec_r = NULL;
	if (len > SPF_RECORD_MAX) {
		record_err(err, "record longer than %d bytes", SPF_RECORD_MAX);
		return -1;
	}
	if (!spf_record_is_spf(txt, len)) {
		record_err(err, "not an SPF record");
		return -1;
	}
	/* RFC 7208 3.1, 4.6.1: printable ASCII, terms split by SP only */
	for (i = 0; i < len; i++)
		if (txt[i] < 0x20 || txt[i] > 0x7e) {
			record_err(err, "invalid byte \\x%02x at offset %zu",
				   txt[i], i);
			return -1;
		}
	for (i = SPF_RECORD_VERSION_LEN; i < len; i++)
		if (txt[i] != ' ' && txt[i - 1] == ' ')
			nterms++;
	if (nterms > SPF_RECORD_MAX_TERMS) {
		record_err(err, "more than %d terms", SPF_RECORD_MAX_TERMS);
		return -1;
	}
	rec = xcalloc(1, sizeof(*rec));
	rec->terms = xcalloc(nterms > 0 ? nterms : 1, sizeof(*rec->terms));
	for (i = SPF_RECORD_VERSION_LEN; i < len;) {
		for (; i < len && txt[i] == ' '; i++)
			;
		for (start = i; i < len && txt[i] != ' '; i++)
			;
		if (i == start)
			break;
		term = xstrndup((const char *)txt + start, i - start);
		rc = record_term(rec, term, err);
		free(term);
		if (rc < 0) {
			spf_record_free(&rec);
			return -1;
		}
	}
	*rec_r = rec;
	return 0;
}

/* spf_record_free - release a record; NULL-safe */
void spf_record_free(struct spf_record **rp)
{
	struct spf_record *rec;
	size_t i;

	if (rp == NULL || (rec = *rp) == NULL)
		return;
	for (i = 0; i < rec->n; i++) {
		free(rec->terms[i].domain_spec);
		free(rec->terms[i].text);
	}
	free(rec->terms);
	free(rec->redirect);
	free(rec->exp);
	free(rec);
	*rp = NULL;
}
