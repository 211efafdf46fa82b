/* conf_test.c - main.cf syntax, $name expansion and parameter tables */
#include "config.h"

#include <criterion/criterion.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "sbuf.h"

/* parse - parse text that must be valid */
static struct conf *parse(const char *text, struct sbuf *warnings)
{
	struct sbuf *err = sbuf_new(64);
	struct conf *c;

	cr_assert_eq(conf_parse(text, strlen(text), "t.cf", &c, warnings, err),
		     0, "parse failed: %s", sbuf_cstr(err));
	sbuf_free(&err);
	return c;
}

struct value_case {
	const char *text;
	const char *name;
	const char *value; /* NULL: the name must be absent */
};

static const struct value_case value_cases[] = {
	{"a = b\n", "a", "b"},
	{"a=b", "a", "b"},
	{"  a\t=\t b c  \n", "a", "b c"},
	{"a =\n", "a", ""},
	{"a = b # not a comment\n", "a", "b # not a comment"},
	{"# a = b\n", "a", NULL},
	{"   # comment\na = 1\n", "a", "1"},
	/* continuation keeps the leading white space, drops the newline */
	{"query = SELECT v FROM a\n   WHERE k='%s'\n", "query",
	 "SELECT v FROM a   WHERE k='%s'"},
	/* comment and blank lines inside a logical line are skipped */
	{"a = 1\n# c\n\n 2\n", "a", "1 2"},
	{"a = 1\r\n", "a", "1"},
	{"a = 1\nb = 2\na = 3\n", "a", "3"},
	{"a = $b\n", "a", "$b"}, /* no expansion while parsing */
	{"a==b\n", "a", "=b"},
	{"a = b", "b", NULL},
};

Test(conf, values)
{
	size_t i;

	for (i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]); i++) {
		const struct value_case *vc = &value_cases[i];
		struct conf *c = parse(vc->text, NULL);
		const char *got = conf_get(c, vc->name);

		if (vc->value == NULL)
			cr_expect_null(got, "case %zu: %s present", i,
				       vc->name);
		else
			cr_expect(got != NULL && strcmp(got, vc->value) == 0,
				  "case %zu: got \"%s\" want \"%s\"", i,
				  got ? got : "(null)", vc->value);
		conf_free(&c);
	}
}

static const char *const bad_cases[] = {
	"a b\n",      /* no '=' */
	"= b\n",      /* no name */
	"a\n",	      /* no '=' */
	"x = 1\nfoo\n",
};

Test(conf, syntax_errors_name_the_line)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct sbuf *err = sbuf_new(64);
		struct conf *c;

		cr_expect_eq(conf_parse(bad_cases[i], strlen(bad_cases[i]),
					"t.cf", &c, NULL, err),
			     -1, "case %zu accepted", i);
		cr_expect_null(c);
		cr_expect(strstr(sbuf_cstr(err), "t.cf, line") != NULL,
			  "case %zu: message \"%s\"", i, sbuf_cstr(err));
		sbuf_free(&err);
	}
}

Test(conf, override_warns_without_value)
{
	struct sbuf *w = sbuf_new(64);
	struct conf *c = parse("password = old\npassword = new\n", w);

	cr_expect_str_eq(conf_get(c, "password"), "new");
	cr_expect(strstr(sbuf_cstr(w), "line 2: overriding earlier entry: "
				       "password") != NULL,
		  "%s", sbuf_cstr(w));
	cr_expect_null(strstr(sbuf_cstr(w), "old"), "secret in warning");
	cr_expect_eq(conf_count(c), 1);
	cr_expect_eq(conf_line_of(c, "password"), 2);
	conf_free(&c);
	sbuf_free(&w);
}

Test(conf, leading_space_first_line_warns)
{
	struct sbuf *w = sbuf_new(64);
	struct conf *c = parse("  a = 1\n", w);

	cr_expect_str_eq(conf_get(c, "a"), "1");
	cr_expect(strstr(sbuf_cstr(w), "must not start with white space"));
	conf_free(&c);
	sbuf_free(&w);
}

Test(conf, limits)
{
	struct sbuf *err = sbuf_new(64);
	size_t n = CONF_MAX_LINE + 16;
	char *big = malloc(n + 1);
	struct conf *c;

	memset(big, 'x', n);
	memcpy(big, "a = ", 4);
	big[n] = '\0';
	cr_expect_eq(conf_parse(big, n, "t.cf", &c, NULL, err), -1);
	cr_expect(strstr(sbuf_cstr(err), "longer than"));
	sbuf_reset(err);
	cr_expect_eq(conf_parse("a = 1\0b = 2", 11, "t.cf", &c, NULL, err),
		     -1);
	cr_expect(strstr(sbuf_cstr(err), "NUL"));
	free(big);
	sbuf_free(&err);
}

Test(conf, order_is_file_order)
{
	struct conf *c = parse("z = 1\na = 2\nm = 3\n", NULL);

	cr_expect_str_eq(conf_name_at(c, 0), "z");
	cr_expect_str_eq(conf_name_at(c, 1), "a");
	cr_expect_str_eq(conf_name_at(c, 2), "m");
	cr_expect_null(conf_name_at(c, 3));
	conf_free(&c);
}

struct expand_case {
	const char *value;
	const char *want; /* NULL: error */
};

static const struct expand_case expand_cases[] = {
	{"plain", "plain"},
	{"$dir/x", "/var/lib/x"},
	{"${dir}x", "/var/libx"},
	{"$(dir)x", "/var/libx"},
	{"$nested", "/var/lib/db"},
	{"$$dir", "$dir"},
	{"$unknown.", "."},
	{"${dir?set}", "set"},
	{"${empty?set}", ""},
	{"${empty:unset}", "unset"},
	{"${dir:unset}", ""},
	{"${dir?$name}", "pw"},
	{"cost 5$", "cost 5$"},
	{"$loop", NULL},
	{"${dir", NULL},
	{"${}", NULL},
};

Test(conf, expand)
{
	struct conf *c = parse("dir = /var/lib\nnested = $dir/db\nempty =\n"
			       "name = pw\nloop = a$loop\n",
			       NULL);
	size_t i;

	for (i = 0; i < sizeof(expand_cases) / sizeof(expand_cases[0]); i++) {
		const struct expand_case *ec = &expand_cases[i];
		struct sbuf *out = sbuf_new(16), *err = sbuf_new(16);
		int r = conf_expand(c, ec->value, out, err);

		if (ec->want == NULL) {
			cr_expect_eq(r, -1, "case %zu (%s) accepted: %s", i,
				     ec->value, sbuf_cstr(out));
			cr_expect(!sbuf_is_empty(err));
		} else {
			cr_expect_eq(r, 0, "case %zu: %s", i, sbuf_cstr(err));
			cr_expect_str_eq(sbuf_cstr(out), ec->want,
					 "case %zu (%s)", i, ec->value);
		}
		sbuf_free(&out);
		sbuf_free(&err);
	}
	conf_free(&c);
}

struct settings {
	char *path;
	unsigned int workers;
	unsigned int timeout;
	bool verbose;
	mode_t mode;
};

static const struct conf_param params[] = {
	{"path", CONF_STR, "$base/db", 0, 0, offsetof(struct settings, path)},
	{"workers", CONF_UINT, "2", 1, 64, offsetof(struct settings, workers)},
	{"timeout", CONF_TIME, "10s", 1, 3600,
	 offsetof(struct settings, timeout)},
	{"verbose", CONF_BOOL, "no", 0, 0, offsetof(struct settings, verbose)},
	{"mode", CONF_MODE, "0660", 0, 0, offsetof(struct settings, mode)},
	{NULL, CONF_STR, NULL, 0, 0, 0},
};

Test(conf, apply_defaults_and_values)
{
	struct conf *c = parse("base = /srv\nx_workers = 8\nx_timeout = 2m\n"
			       "x_verbose = YES\nother_thing = ignored\n",
			       NULL);
	struct settings s = {0};
	struct sbuf *err = sbuf_new(16);

	cr_assert_eq(conf_apply(c, "x_", params, &s, err), 0, "%s",
		     sbuf_cstr(err));
	cr_expect_str_eq(s.path, "/srv/db");
	cr_expect_eq(s.workers, 8);
	cr_expect_eq(s.timeout, 120);
	cr_expect(s.verbose);
	cr_expect_eq(s.mode, 0660);
	conf_release(params, &s);
	cr_expect_null(s.path);
	conf_free(&c);
	sbuf_free(&err);
}

static const char *const apply_bad[] = {
	"x_unknown = 1\n",	/* unknown name with our prefix */
	"x_workers = 0\n",	/* below min */
	"x_workers = 65\n",	/* above max */
	"x_workers = 4x\n",	/* junk */
	"x_verbose = true\n",	/* Postfix booleans are yes/no */
	"x_timeout = 2 hours\n",
	"x_mode = 0999\n",
};

Test(conf, apply_rejects_bad_values)
{
	size_t i;

	for (i = 0; i < sizeof(apply_bad) / sizeof(apply_bad[0]); i++) {
		struct conf *c = parse(apply_bad[i], NULL);
		struct settings s = {0};
		struct sbuf *err = sbuf_new(16);

		cr_expect_eq(conf_apply(c, "x_", params, &s, err), -1,
			     "case %zu accepted", i);
		cr_expect(!sbuf_is_empty(err));
		conf_release(params, &s);
		conf_free(&c);
		sbuf_free(&err);
	}
}

Test(conf, load_file)
{
	char path[] = "/tmp/conf_testXXXXXX";
	int fd = mkstemp(path);
	struct sbuf *err = sbuf_new(16);
	struct conf *c;

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "a = 1\n", 6), 6);
	close(fd);
	cr_expect_eq(conf_load(path, &c, NULL, err), 0);
	cr_expect_str_eq(conf_get(c, "a"), "1");
	cr_expect_str_eq(conf_origin(c), path);
	conf_free(&c);
	unlink(path);
	cr_expect_eq(conf_load(path, &c, NULL, err), -1);
	cr_expect(strstr(sbuf_cstr(err), "No such file"));
	sbuf_free(&err);
}

Test(conf, expansion_blowup_is_bounded)
{
	struct sbuf *text = sbuf_new(1024), *out = sbuf_new(16),
		    *err = sbuf_new(16);
	struct conf *c;
	int i;

	/* each level doubles the work: 2^40 references unless bounded */
	for (i = 0; i < 40; i++)
		sbuf_printf(text, "v%d = $v%d$v%d\n", i, i + 1, i + 1);
	sbuf_printf(text, "v40 =\n");
	c = parse(sbuf_cstr(text), NULL);
	cr_expect_eq(conf_expand(c, "$v0", out, err), -1);
	cr_expect(strstr(sbuf_cstr(err), "references"), "%s", sbuf_cstr(err));
	conf_free(&c);
	sbuf_free(&text);
	sbuf_free(&out);
	sbuf_free(&err);
}
