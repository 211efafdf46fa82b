/*
 * auth_rehash_test.c - rehash-on-login against real SQLite databases,
 * through the passdb backends and auth_request_verify
 */
#include "config.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_passdb.h"
#include "auth_rehash.h"
#include "auth_request.h"
#include "log.h"
#include "pw_scheme.h"
#include "sbuf.h"
#include "xalloc.h"

#define FMT(buf, ...) \
	cr_assert_lt(snprintf(buf, sizeof(buf), __VA_ARGS__), (int)sizeof(buf))

#define UPDATE "UPDATE mailbox SET password='%p' WHERE username='%u'"

static char dir[PATH_MAX];
static char dbpath[PATH_MAX + 32];
static char spec[PATH_MAX + 64];

static void exec_sql(const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK, "%s",
		     msg != NULL ? msg : "");
	sqlite3_close(db);
}

/* stored - the password column for user, into out */
static void stored(const char *user, char *out, size_t n)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db,
					"SELECT password FROM mailbox "
					"WHERE username = ?",
					-1, &st, NULL),
		     SQLITE_OK);
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void write_text(const char *name, const char *text, char *path_r,
		       size_t n)
{
	FILE *fp;

	cr_assert_lt(snprintf(path_r, n, "%s/%s", dir, name), (int)n);
	fp = fopen(path_r, "w");
	cr_assert_not_null(fp);
	fputs(text, fp);
	cr_assert_eq(fclose(fp), 0);
}

static void setup(void)
{
	char tmpl[] = "auth_rehash_test.XXXXXX";

	cr_assert_not_null(mkdtemp(tmpl));
	cr_assert_not_null(realpath(tmpl, dir));
	FMT(dbpath, "%s/pfa.db", dir);
	log_init("auth_rehash_test", 0);
	/* "secret" in weak schemes, and one strong hash */
	exec_sql("CREATE TABLE mailbox(username TEXT, password TEXT);"
		 "INSERT INTO mailbox VALUES"
		 "('alice@example.com', "
		 "'{PLAIN-MD5}5ebe2294ecd0e0f08eab7690d2a6ee69'),"
		 "('o''brien@example.com', '{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ='),"
		 "('md5@example.com', '$1$xfN3agNY$DwYTejT28qjNxifb1WvSK/'),"
		 "('strong@example.com', '{SHA512-CRYPT}$6$jBduDviYvysvTqsO$"
		 "3wUm') ;");
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	FMT(cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(rehash, .init = setup, .fini = teardown);

/* the passdb as authd wires it */
static enum passdb_result lookup(void *db, const char *login,
				 struct passdb_entry *e, struct sbuf *err)
{
	return passdb_lookup(db, login, e, err);
}

static int update(void *db, const char *query, const char *login,
		  const char *value, struct sbuf *err)
{
	return passdb_update(db, query, login, value, err);
}

static struct passdb *open_table(void)
{
	char cf[PATH_MAX + 32], text[PATH_MAX + 256];
	struct sbuf *err = sbuf_new(0);
	struct passdb *p;

	FMT(text, "dbpath = %s\nquery = SELECT password FROM mailbox "
		  "WHERE username='%%s'\n",
	    dbpath);
	write_text("pw.cf", text, cf, sizeof(cf));
	FMT(spec, "sqlite:%s", cf);
	p = passdb_open(spec, NULL, err);
	cr_assert_not_null(p, "%s", sbuf_cstr(err));
	sbuf_free(&err);
	return p;
}

static struct passdb *open_dovecot(void)
{
	char conf[PATH_MAX + 32], text[PATH_MAX + 512];
	struct sbuf *err = sbuf_new(0);
	struct passdb *p;

	FMT(text, "driver = sqlite\nconnect = %s\n"
		  "password_query = SELECT username AS user, password "
		  "FROM mailbox WHERE username = '%%u'\n",
	    dbpath);
	write_text("dovecot-sql.conf.ext", text, conf, sizeof(conf));
	FMT(spec, "dovecot-sql:%s", conf);
	p = passdb_open(spec, NULL, err);
	cr_assert_not_null(p, "%s", sbuf_cstr(err));
	sbuf_free(&err);
	return p;
}

/* login - one PLAIN verification; the rehash outcome in *rh_r */
static enum auth_verify_result login(const struct auth_verify_ctx *ctx,
				     struct passdb *p, const char *user,
				     const char *pw,
				     enum auth_rehash_result *rh_r,
				     struct sbuf *rh_err)
{
	struct auth_verify *v = auth_verify_new();
	enum auth_verify_result r;

	v->kind = AUTH_MECH_PLAIN;
	v->login = xstrdup(user);
	v->password = xstrdup(pw);
	auth_request_verify(ctx, p, v);
	r = v->result;
	*rh_r = v->rehash;
	if (rh_err != NULL)
		sbuf_set(rh_err, sbuf_cstr(v->rehash_err));
	auth_verify_free(&v);
	return r;
}

static const struct auth_verify_ctx on = {
    .lookup = lookup,
    .dummy_hash = "{PLAIN}dummy",
    .rehash = {update, UPDATE, "SHA512-CRYPT"},
};

/* check_rehash - the whole story for one user on passdb p */
static void check_rehash(struct passdb *p, const char *user)
{
	enum auth_rehash_result rh;
	char before[512], after[512];

	stored(user, before, sizeof(before));
	/* a wrong password changes nothing */
	cr_assert_eq(login(&on, p, user, "wrong", &rh, NULL),
		     AUTH_VERIFY_FAIL);
	cr_assert_eq(rh, AUTH_REHASH_NONE);
	stored(user, after, sizeof(after));
	cr_assert_str_eq(after, before);
	/* the right one: OK, and the row now holds {SHA512-CRYPT} */
	cr_assert_eq(login(&on, p, user, "secret", &rh, NULL),
		     AUTH_VERIFY_OK);
	cr_assert_eq(rh, AUTH_REHASH_DONE);
	stored(user, after, sizeof(after));
	cr_assert_eq(strncmp(after, "{SHA512-CRYPT}$6$", 17), 0, "%s", after);
	cr_assert_eq(pw_scheme_verify(after, "secret", NULL, NULL, NULL),
		     PW_MATCH);
	/* and logins still work, with nothing left to rehash */
	cr_assert_eq(login(&on, p, user, "secret", &rh, NULL),
		     AUTH_VERIFY_OK);
	cr_assert_eq(rh, AUTH_REHASH_NONE);
	cr_assert_eq(login(&on, p, user, "wrong", &rh, NULL),
		     AUTH_VERIFY_FAIL);
}

Test(rehash, sqlite_table_plain_md5_to_sha512_crypt)
{
	struct passdb *p = open_table();

	cr_assert(passdb_can_update(p));
	check_rehash(p, "alice@example.com");
	/* a quote in the login goes through the server's escaping */
	check_rehash(p, "o'brien@example.com");
	/* a bare $1$ read with the SQL default scheme MD5 */
	check_rehash(p, "md5@example.com");
	passdb_close(&p);
}

Test(rehash, dovecot_sql)
{
	struct passdb *p = open_dovecot();

	cr_assert(passdb_can_update(p));
	check_rehash(p, "alice@example.com");
	check_rehash(p, "o'brien@example.com");
	passdb_close(&p);
}

Test(rehash, strong_schemes_and_off)
{
	struct passdb *p = open_table();
	struct auth_verify_ctx off = on;
	enum auth_rehash_result rh;
	char after[512];

	cr_assert_not(auth_rehash_is_wanted("{SHA512-CRYPT}$6$x$y", NULL));
	cr_assert_not(auth_rehash_is_wanted("{PLAIN}x", NULL));
	cr_assert_not(auth_rehash_is_wanted("{NOSUCH}x", NULL));
	cr_assert(auth_rehash_is_wanted("{CRAM-MD5}cd3ba7deaad6e5ca23448ba42e"
					"379747a9e0f7f1fbc00c8a81bbaac395731b"
					"56",
					NULL));
	cr_assert(auth_rehash_is_wanted("$1$xfN3agNY$DwYTejT28qjNxifb1WvSK/",
					"MD5"));
	/* off: a weak hash stays as it is */
	off.rehash.update = NULL;
	cr_assert_eq(login(&off, p, "alice@example.com", "secret", &rh, NULL),
		     AUTH_VERIFY_OK);
	cr_assert_eq(rh, AUTH_REHASH_NONE);
	stored("alice@example.com", after, sizeof(after));
	cr_assert_str_eq(after, "{PLAIN-MD5}5ebe2294ecd0e0f08eab7690d2a6ee69");
	passdb_close(&p);
}

Test(rehash, failure_never_affects_the_login)
{
	struct passdb *p = open_table();
	struct auth_verify_ctx broken = on;
	struct sbuf *err = sbuf_new(0);
	enum auth_rehash_result rh;
	char after[512];

	broken.rehash.query = "UPDATE nosuchtable SET password='%p' "
			      "WHERE username='%u'";
	cr_assert_eq(
	    login(&broken, p, "alice@example.com", "secret", &rh, err),
	    AUTH_VERIFY_OK);
	cr_assert_eq(rh, AUTH_REHASH_FAILED);
	cr_assert_not(sbuf_is_empty(err));
	/* the reason names neither the password nor a hash */
	cr_assert_null(strstr(sbuf_cstr(err), "secret"));
	cr_assert_null(strstr(sbuf_cstr(err), "$6$"));
	cr_assert_null(strstr(sbuf_cstr(err), "5ebe2294"));
	/* an update that matches no row is a failure too */
	broken.rehash.query = "UPDATE mailbox SET password='%p' "
			      "WHERE username='nobody'";
	sbuf_reset(err);
	cr_assert_eq(
	    login(&broken, p, "alice@example.com", "secret", &rh, err),
	    AUTH_VERIFY_OK);
	cr_assert_eq(rh, AUTH_REHASH_FAILED);
	cr_assert_not_null(strstr(sbuf_cstr(err), "no row"), "%s",
			   sbuf_cstr(err));
	stored("alice@example.com", after, sizeof(after));
	cr_assert_str_eq(after, "{PLAIN-MD5}5ebe2294ecd0e0f08eab7690d2a6ee69");
	/* and the real query still works afterwards */
	check_rehash(p, "alice@example.com");
	sbuf_free(&err);
	passdb_close(&p);
}

Test(rehash, passwd_file_cannot_update)
{
	char path[PATH_MAX + 32];
	struct sbuf *err = sbuf_new(0);
	struct passdb *p;

	write_text("passwd", "alice@example.com:{PLAIN-MD5}"
			     "5ebe2294ecd0e0f08eab7690d2a6ee69\n",
		   path, sizeof(path));
	FMT(spec, "passwd-file:%s", path);
	p = passdb_open(spec, NULL, err);
	cr_assert_not_null(p, "%s", sbuf_cstr(err));
	cr_assert_not(passdb_can_update(p));
	cr_assert_eq(passdb_update(p, UPDATE, "alice@example.com", "{X}y", err),
		     -1);
	passdb_close(&p);
	sbuf_free(&err);
}

/* stand-in quoting that marks each value */
static int mark(const char *s, struct sbuf *out, void *arg)
{
	(void)arg;
	return sbuf_printf(out, "<%s>", s);
}

Test(rehash, update_template)
{
	struct sbuf *out = sbuf_new(0), *err = sbuf_new(0);

	cr_assert_eq(passdb_update_expand("U %u N %n D %d P %p %%", "a@b.c",
					  "{X}y", mark, NULL, out, err),
		     0);
	cr_assert_str_eq(sbuf_cstr(out), "U <a@b.c> N <a> D <b.c> P <{X}y> %");
	sbuf_reset(out);
	cr_assert_eq(passdb_update_expand("%n/%d", "nodomain", "v", mark, NULL,
					  out, err),
		     0);
	cr_assert_str_eq(sbuf_cstr(out), "<nodomain>/");
	cr_assert_eq(passdb_update_check(UPDATE, err), 0);
	cr_assert_eq(passdb_update_check("SET x='%w'", err), -1);
	cr_assert_eq(passdb_update_check("trailing %", err), -1);
	sbuf_free(&out);
	sbuf_free(&err);
}
