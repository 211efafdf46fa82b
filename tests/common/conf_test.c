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

/* Names under "x_sub_" belong to another table: not unknown for "x_". */
static const char *const skip_sub[] = {"x_sub_", "x_other_", NULL};

Test(conf, apply_except_leaves_listed_subprefixes)
{
	struct conf *c = parse("x_workers = 3\nx_sub_anything = 1\n"
			       "x_other_thing = $x_workers\n",
			       NULL);
	struct settings s = {0};
	struct sbuf *err = sbuf_new(16);

	cr_assert_eq(conf_apply_except(c, "x_", skip_sub, params, &s, err), 0,
		     "%s", sbuf_cstr(err));
	cr_expect_eq(s.workers, 3);
	conf_release(params, &s);
	/* without the list the same names are unknown */
	cr_expect_eq(conf_apply(c, "x_", params, &s, err), -1);
	cr_expect(strstr(sbuf_cstr(err), "t.cf, line 2: unknown parameter "
					 "x_sub_anything") != NULL,
		  "%s", sbuf_cstr(err));
	conf_release(params, &s);
	conf_free(&c);
	sbuf_free(&err);
}

Test(conf, apply_except_still_rejects_other_unknown_names)
{
	/* "x_su" and "x_subx" only look like the listed prefix */
	static const char *const texts[] = {"x_su = 1\n", "x_subx = 1\n",
					    "x_sub = 1\n"};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct conf *c = parse(texts[i], NULL);
		struct settings s = {0};
		struct sbuf *err = sbuf_new(16);

		cr_expect_eq(conf_apply_except(c, "x_", skip_sub, params, &s,
					       err),
			     -1, "case %zu accepted", i);
		cr_expect(strstr(sbuf_cstr(err), "unknown parameter") != NULL,
			  "case %zu: %s", i, sbuf_cstr(err));
		conf_release(params, &s);
		conf_free(&c);
		sbuf_free(&err);
	}
}

Test(conf, apply_except_null_list_is_conf_apply)
{
	struct conf *c = parse("x_workers = 5\n", NULL);
	struct settings s = {0};
	struct sbuf *err = sbuf_new(16);

	cr_assert_eq(conf_apply_except(c, "x_", NULL, params, &s, err), 0,
		     "%s", sbuf_cstr(err));
	cr_expect_eq(s.workers, 5);
	conf_release(params, &s);
	conf_free(&c);
	sbuf_free(&err);
}

struct words_case {
	const char *list;
	const char *words[4]; /* NULL-terminated */
};

static const struct words_case words_cases[] = {
	{"", {NULL}},
	{" ,\t, ", {NULL}},
	{"plain", {"plain", NULL}},
	{"plain login", {"plain", "login", NULL}},
	{"a,b", {"a", "b", NULL}},
	{" ,a ,\tb,, c, ", {"a", "b", "c", NULL}},
	/* only commas, spaces and tabs separate */
	{"a;b c:d", {"a;b", "c:d", NULL}},
};

Test(conf, next_word)
{
	size_t i, j, len;

	for (i = 0; i < sizeof(words_cases) / sizeof(words_cases[0]); i++) {
		const struct words_case *t = &words_cases[i];
		const char *s = t->list, *w;

		for (j = 0; (w = conf_next_word(&s, &len)) != NULL; j++) {
			cr_assert(j < 3 && t->words[j] != NULL,
				  "case %zu: extra word \"%.*s\"", i, (int)len,
				  w);
			cr_expect_eq(len, strlen(t->words[j]), "case %zu", i);
			cr_expect(strncmp(w, t->words[j], len) == 0,
				  "case %zu: \"%.*s\"", i, (int)len, w);
		}
		cr_expect_null(t->words[j], "case %zu: missing words", i);
		/* the end stays the end */
		cr_expect_null(conf_next_word(&s, &len), "case %zu", i);
	}
}
