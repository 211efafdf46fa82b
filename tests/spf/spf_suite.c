/*
 * spf_suite.c - run SPF conformance tests through the real evaluator and
 * the real driver: spf_run over a dns_zone resolver on a libevent loop.
 *
 * Reads the line format spf_suite.py writes (stdin, or the file named on
 * the command line): each scenario becomes a fresh zone, each test one
 * check of the MAIL FROM identity (the HELO identity when MAIL FROM is
 * empty) with the default explanation set to the literal "DEFAULT".
 * Prints every failure with its name, expected and got, then
 * "file: N tests, P passed, F failed, S skipped". Exits 1 when a test
 * failed or the input is broken, else 0.
 */
#include "config.h"

#include <event2/event.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "dns_zone.h"
#include "sbuf.h"
#include "spf.h"
#include "spf_run.h"

#define SUITE_MAX_FIELDS 8
#define SUITE_TIME_LIMIT_MS 20000 /* RFC 7208 4.6.4: at least 20 s */

struct suite {
	struct sbuf *file;
	struct dns_zone *zone;
	unsigned int tests, passed, failed, skipped;
	unsigned long lineno;
};

/* suite_unescape - %XX-decode s into out */
static int suite_unescape(const char *s, struct sbuf *out)
{
	sbuf_reset(out);
	for (; *s != '\0'; s++) {
		unsigned int v;

		if (*s != '%') {
			sbuf_putc(out, *s);
			continue;
		}
		if (sscanf(s + 1, "%2x", &v) != 1 || s[1] == '\0' ||
		    s[2] == '\0')
			return -1;
		sbuf_putc(out, (int)v);
		s += 2;
	}
	return 0;
}

/* suite_type - a zone record type by name */
static int suite_type(const char *name, enum dns_type *type_r)
{
	static const struct {
		const char *name;
		enum dns_type type;
	} types[] = {
	    {"A", DNS_T_A},	    {"AAAA", DNS_T_AAAA}, {"MX", DNS_T_MX},
	    {"TXT", DNS_T_TXT},	    {"SPF", DNS_T_SPF},	  {"PTR", DNS_T_PTR},
	    {"CNAME", DNS_T_CNAME},
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(types[i].name, name) == 0) {
			*type_r = types[i].type;
			return 0;
		}
	}
	return -1;
}

struct suite_done {
	bool done;
};

/* suite_on_done - the driver finished the check */
static void suite_on_done(void *arg, struct spf_check *c)
{
	struct suite_done *d = arg;

	(void)c;
	d->done = true;
}

/* suite_has_result - is got one of the comma-separated expected words? */
static bool suite_has_result(const char *expected, const char *got)
{
	size_t n = strlen(got);

	for (const char *p = expected; *p != '\0';) {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, got, n) == 0)
			return true;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return false;
}

/* suite_test - one test; f: name host helo mailfrom results has-exp exp */
static void suite_test(struct suite *s, struct sbuf **f)
{
	struct spf_request req;
	struct suite_done d = {false};
	struct event_base *base = event_base_new();
	struct dns_resolver *r = dns_zone_resolver(base, s->zone);
	struct spf_check *c;
	const char *got, *exp;
	bool ok;

	memset(&req, 0, sizeof(req));
	req.ip = sbuf_cstr(f[1]);
	req.helo = sbuf_cstr(f[2]);
	req.sender = sbuf_cstr(f[3]);
	req.identity = SPF_ID_MAILFROM;
	req.receiver = "receiver.example";
	req.now = 1700000000;
	req.default_exp = "DEFAULT";
	c = spf_check_new(&req);
	(void)spf_run_start(base, r, c, SUITE_TIME_LIMIT_MS, suite_on_done, &d);
	event_base_dispatch(base);
	s->tests++;
	got = d.done ? spf_result_name(spf_check_result(c)) : "(not done)";
	exp = spf_check_explanation(c);
	ok = d.done && suite_has_result(sbuf_cstr(f[4]), got);
	if (ok && strcmp(sbuf_cstr(f[5]), "1") == 0)
		ok = exp != NULL && strcmp(exp, sbuf_cstr(f[6])) == 0;
	if (ok) {
		s->passed++;
	} else {
		s->failed++;
		printf("FAIL %s: %s: expected %s", sbuf_cstr(s->file),
		       sbuf_cstr(f[0]), sbuf_cstr(f[4]));
		if (strcmp(sbuf_cstr(f[5]), "1") == 0)
			printf(" explanation \"%s\"", sbuf_cstr(f[6]));
		printf(", got %s", got);
		if (exp != NULL)
			printf(" explanation \"%s\"", exp);
		printf(" (mechanism \"%s\", problem \"%s\")\n",
		       spf_check_mechanism(c), spf_check_problem(c));
	}
	spf_check_free(&c);
	dns_resolver_free(&r);
	event_base_free(base);
}

/* suite_line - one input line, split into decoded fields */
static int suite_line(struct suite *s, char *line, struct sbuf **f)
{
	size_t n = 0;
	char *p = line, *tab;
	enum dns_type type;
	unsigned int pref, nstrings;

	line[strcspn(line, "\n")] = '\0';
	if (line[0] == '\0')
		return 0;
	for (;;) {
		if (n == SUITE_MAX_FIELDS)
			return -1;
		tab = strchr(p, '\t');
		if (tab != NULL)
			*tab = '\0';
		if (suite_unescape(p, f[n++]) < 0)
			return -1;
		if (tab == NULL)
			break;
		p = tab + 1;
	}
	switch (sbuf_cstr(f[0])[0]) {
	case 'F':
		if (n != 2)
			return -1;
		sbuf_set(s->file, sbuf_cstr(f[1]));
		return 0;
	case 'S':
		dns_zone_free(&s->zone);
		s->zone = dns_zone_new();
		return 0;
	case 'N':
		if (n != 2 || s->zone == NULL)
			return -1;
		dns_zone_add_name(s->zone, sbuf_cstr(f[1]));
		return 0;
	case 'O':
		if (n != 2 || s->zone == NULL)
			return -1;
		dns_zone_add_timeout(s->zone, sbuf_cstr(f[1]));
		return 0;
	case 'R':
		if (n != 6 || s->zone == NULL ||
		    suite_type(sbuf_cstr(f[2]), &type) < 0 ||
		    sscanf(sbuf_cstr(f[3]), "%u", &pref) != 1 ||
		    sscanf(sbuf_cstr(f[4]), "%u", &nstrings) != 1)
			return -1;
		return dns_zone_add(s->zone, sbuf_cstr(f[1]), type,
				    sbuf_data(f[5]), sbuf_len(f[5]),
				    (uint16_t)pref, (uint16_t)nstrings);
	case 'T':
		if (n != 8 || s->zone == NULL)
			return -1;
		suite_test(s, f + 1);
		return 0;
	case 'K':
		if (n != 3)
			return -1;
		s->skipped++;
		printf("skip %s: %s: %s\n", sbuf_cstr(s->file), sbuf_cstr(f[1]),
		       sbuf_cstr(f[2]));
		return 0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct suite s;
	struct sbuf *f[SUITE_MAX_FIELDS];
	FILE *in = stdin;
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	memset(&s, 0, sizeof(s));
	if (argc > 2) {
		fprintf(stderr, "usage: spf_suite [FILE]\n");
		return 2;
	}
	if (argc == 2 && (in = fopen(argv[1], "r")) == NULL) {
		perror(argv[1]);
		return 2;
	}
	s.file = sbuf_new(32);
	sbuf_set(s.file, "(stdin)");
	for (size_t i = 0; i < SUITE_MAX_FIELDS; i++)
		f[i] = sbuf_new(64);
	while (getline(&line, &cap, in) > 0) {
		s.lineno++;
		if (suite_line(&s, line, f) < 0) {
			fprintf(stderr, "spf_suite: bad input line %lu\n",
				s.lineno);
			rc = 1;
			break;
		}
	}
	printf("%s: %u tests, %u passed, %u failed, %u skipped\n",
	       sbuf_cstr(s.file), s.tests, s.passed, s.failed, s.skipped);
	if (s.failed > 0 || s.tests == 0)
		rc = 1;
	free(line);
	for (size_t i = 0; i < SUITE_MAX_FIELDS; i++)
		sbuf_free(&f[i]);
	sbuf_free(&s.file);
	dns_zone_free(&s.zone);
	if (in != stdin)
		fclose(in);
	return rc;
}
