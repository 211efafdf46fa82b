/* auth_passwd_file_test.c - Dovecot passwd-file parser and loader */
#include "config.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_passwd_file.h"
#include "log.h"
#include "sbuf.h"

static struct passwd_file_table *parse_ok(const char *text,
					  struct sbuf *warnings)
{
	struct passwd_file_table *t = NULL;
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(passwd_file_parse(text, strlen(text), "t.passwd", &t,
				       warnings, err),
		     0, "%s", sbuf_cstr(err));
	sbuf_free(&err);
	return t;
}

struct pw_case {
	const char *line;
	const char *user;
	const char *password; /* NULL: user not found */
	const char *home;
	const char *extra;
};

Test(passwd_file, field_forms)
{
	static const struct pw_case cases[] = {
		{"bob@example.com:{PLAIN}secret::::::", "bob@example.com",
		 "{PLAIN}secret", "", NULL},
		{"a:{SHA512-CRYPT}$6$x$y:2000:2000::/var/vmail/a::"
		 "userdb_quota_rule=*:storage=1G",
		 "a", "{SHA512-CRYPT}$6$x$y", "/var/vmail/a",
		 "userdb_quota_rule=*:storage=1G"},
		{"bare:pw", "bare", "pw", NULL, NULL},
		{"onlyuser", "onlyuser", "", NULL, NULL},
		{"md5:$1$salt$hash", "md5", "{MD5-CRYPT}$1$salt$hash", NULL,
		 NULL},
		{"md5x:$1$salt$hash$junk", "md5x", "{MD5-CRYPT}$1$salt$hash",
		 NULL, NULL},
		{"md5short:$1$nosalt", "md5short", "$1$nosalt", NULL, NULL},
		{"pam34:5ebe2294ecd0e0f08eab7690d2a6ee69[34]", "pam34",
		 "{PLAIN-MD5}5ebe2294ecd0e0f08eab7690d2a6ee69", NULL, NULL},
		{"pam56:abc[56]", "pam56", "{DIGEST-MD5}abc", NULL, NULL},
		{"pam13:xyzxyzxyzxyzx[13]", "pam13", "{CRYPT}xyzxyzxyzxyzx",
		 NULL, NULL},
		{"crlf:pw\r", "crlf", "pw", NULL, NULL},
		{"Case@Example.com:pw", "Case@Example.com", "pw", NULL, NULL},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct passwd_file_table *t = parse_ok(cases[i].line, NULL);
		const struct passwd_file_entry *e =
			passwd_file_table_lookup(t, cases[i].user);

		cr_assert_not_null(e, "case %zu", i);
		cr_assert_str_eq(e->password, cases[i].password, "case %zu",
				 i);
		if (cases[i].home == NULL)
			cr_assert_null(e->home, "case %zu", i);
		else
			cr_assert_str_eq(e->home, cases[i].home);
		if (cases[i].extra == NULL)
			cr_assert_null(e->extra, "case %zu", i);
		else
			cr_assert_str_eq(e->extra, cases[i].extra);
		passwd_file_table_free(&t);
		cr_assert_null(t);
	}
}

Test(passwd_file, comments_blank_and_colon_lines_skipped)
{
	struct passwd_file_table *t =
		parse_ok("# comment\n\n:nouser:x\nalice:pw\n#bob:pw\n", NULL);

	cr_assert_eq(passwd_file_table_count(t), 1);
	cr_assert_not_null(passwd_file_table_lookup(t, "alice"));
	cr_assert_null(passwd_file_table_lookup(t, "#bob"));
	cr_assert_null(passwd_file_table_lookup(t, ""));
	passwd_file_table_free(&t);
}

Test(passwd_file, lookup_is_case_sensitive_and_exact)
{
	struct passwd_file_table *t =
		parse_ok("alice@example.com:pw\nBob@Example.com:pw2\n", NULL);

	cr_assert_not_null(passwd_file_table_lookup(t, "alice@example.com"));
	cr_assert_null(passwd_file_table_lookup(t, "Alice@example.com"));
	cr_assert_null(passwd_file_table_lookup(t, "alice"));
	cr_assert_null(passwd_file_table_lookup(t, "bob@example.com"));
	cr_assert_not_null(passwd_file_table_lookup(t, "Bob@Example.com"));
	passwd_file_table_free(&t);
}

Test(passwd_file, duplicate_keeps_first_and_warns)
{
	struct sbuf *w = sbuf_new(0);
	struct passwd_file_table *t =
		parse_ok("a:first\nb:x\na:second\n", w);

	cr_assert_str_eq(passwd_file_table_lookup(t, "a")->password, "first");
	cr_assert_eq(passwd_file_table_count(t), 2);
	cr_assert_not_null(strstr(sbuf_cstr(w), "line 3"), "%s",
			   sbuf_cstr(w));
	cr_assert_null(strstr(sbuf_cstr(w), "second"));
	passwd_file_table_free(&t);
	sbuf_free(&w);
}

Test(passwd_file, many_entries_sorted_lookup)
{
	struct sbuf *text = sbuf_new(0);
	struct passwd_file_table *t;
	char user[64];
	int i;

	for (i = 9999; i >= 0; i--)
		sbuf_printf(text, "user%d@example.com:{PLAIN}p%d\n", i, i);
	t = parse_ok(sbuf_cstr(text), NULL);
	cr_assert_eq(passwd_file_table_count(t), 10000);
	for (i = 0; i < 10000; i += 37) {
		snprintf(user, sizeof(user), "user%d@example.com", i);
		cr_assert_not_null(passwd_file_table_lookup(t, user));
	}
	cr_assert_null(passwd_file_table_lookup(t, "user10000@example.com"));
	passwd_file_table_free(&t);
	sbuf_free(&text);
}

Test(passwd_file, limits_and_bad_bytes)
{
	struct sbuf *text = sbuf_new(0), *err = sbuf_new(0);
	struct passwd_file_table *t = NULL;
	size_t i;

	sbuf_append_str(text, "a:");
	for (i = 0; i < PASSWD_FILE_MAX_LINE; i++)
		sbuf_putc(text, 'x');
	sbuf_append_str(text, "\nb:y\n");
	cr_assert_eq(passwd_file_parse(sbuf_cstr(text), sbuf_len(text), "t",
				       &t, NULL, err),
		     -1);
	cr_assert_null(t);
	cr_assert_not_null(strstr(sbuf_cstr(err), "line 1"));
	sbuf_reset(err);
	cr_assert_eq(passwd_file_parse("a:b\0c\n", 6, "t", &t, NULL, err),
		     -1);
	cr_assert_not_null(strstr(sbuf_cstr(err), "NUL"));
	sbuf_free(&text);
	sbuf_free(&err);
}

Test(passwd_file, extra_get)
{
	size_t len;
	const char *v;

	v = passwd_file_extra_get("nodelay userdb_quota=1G allow_nets=10/8",
				  "allow_nets", &len);
	cr_assert_not_null(v);
	cr_assert_eq(len, 4);
	cr_assert_eq(strncmp(v, "10/8", 4), 0);
	v = passwd_file_extra_get("nodelay fail", "nodelay", &len);
	cr_assert_not_null(v);
	cr_assert_eq(len, 0);
	cr_assert_null(passwd_file_extra_get("nodelayx fail=", "nodelay",
					     &len));
	cr_assert_null(passwd_file_extra_get(NULL, "fail", &len));
	cr_assert_not_null(passwd_file_extra_get("x fail=", "fail", &len));
}

/* the loader, on a real file */
static char dir[PATH_MAX];
static char path[PATH_MAX + 32];

static void write_file(const char *text)
{
	char tmp[PATH_MAX + 40];
	FILE *fp;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fp = fopen(tmp, "w");
	cr_assert_not_null(fp);
	fputs(text, fp);
	cr_assert_eq(fclose(fp), 0);
	cr_assert_eq(rename(tmp, path), 0);
}

static void loader_setup(void)
{
	char tmpl[] = "passwd_file_test.XXXXXX";

	cr_assert_not_null(mkdtemp(tmpl));
	cr_assert_not_null(realpath(tmpl, dir));
	snprintf(path, sizeof(path), "%s/passwd", dir);
	log_init("auth_passwd_file_test", 0);
}

static void loader_teardown(void)
{
	unlink(path);
	rmdir(dir);
}

Test(passwd_file_loader, reload_on_change_and_removal,
     .init = loader_setup, .fini = loader_teardown)
{
	struct sbuf *pw = sbuf_new(0), *err = sbuf_new(0);
	struct passwd_file *f, *g;

	write_file("alice:{PLAIN}one\n");
	f = passwd_file_open(path, err);
	cr_assert_not_null(f, "%s", sbuf_cstr(err));
	g = passwd_file_open(path, err); /* shares the table */
	cr_assert_not_null(g);
	cr_assert_eq(passwd_file_lookup(f, "alice", pw, NULL, err),
		     PASSWD_FILE_FOUND);
	cr_assert_str_eq(sbuf_cstr(pw), "{PLAIN}one");
	cr_assert_eq(passwd_file_lookup(g, "bob", pw, NULL, err),
		     PASSWD_FILE_NOUSER);
	cr_assert(sbuf_is_empty(pw));

	write_file("alice:{PLAIN}two-longer\nbob:{PLAIN}b\n");
	sleep(2); /* checked at most once a second */
	cr_assert_eq(passwd_file_lookup(g, "alice", pw, NULL, err),
		     PASSWD_FILE_FOUND);
	cr_assert_str_eq(sbuf_cstr(pw), "{PLAIN}two-longer");
	cr_assert_eq(passwd_file_lookup(f, "bob", pw, NULL, err),
		     PASSWD_FILE_FOUND);

	/* an invalid file: TEMPFAIL, not the old entries */
	{
		struct sbuf *big = sbuf_new(0);
		size_t i;

		sbuf_append_str(big, "alice:");
		for (i = 0; i <= PASSWD_FILE_MAX_LINE; i++)
			sbuf_putc(big, 'x');
		write_file(sbuf_cstr(big));
		sbuf_free(&big);
	}
	sleep(2);
	cr_assert_eq(passwd_file_lookup(f, "alice", pw, NULL, err),
		     PASSWD_FILE_TEMPFAIL);
	cr_assert(sbuf_is_empty(pw));

	/* removed: unknown users */
	unlink(path);
	sleep(2);
	cr_assert_eq(passwd_file_lookup(f, "alice", pw, NULL, err),
		     PASSWD_FILE_NOUSER);
	passwd_file_close(&f);
	passwd_file_close(&g);
	cr_assert_null(f);
	sbuf_free(&pw);
	sbuf_free(&err);
}

Test(passwd_file_loader, missing_file_at_open_is_an_error,
     .init = loader_setup, .fini = loader_teardown)
{
	struct sbuf *err = sbuf_new(0);

	cr_assert_null(passwd_file_open(path, err));
	cr_assert_not_null(strstr(sbuf_cstr(err), "passwd"));
	sbuf_free(&err);
}
