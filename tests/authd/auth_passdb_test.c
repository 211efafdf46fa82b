/* auth_passdb_test.c - passdb backends on real SQLite files and passwd-files */
#include "config.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_passdb.h"
#include "log.h"
#include "sbuf.h"

static char dir[PATH_MAX];
static char dbpath[PATH_MAX + 32];
static char spec[PATH_MAX + 64];

/* FMT - snprintf into an array; truncation is a test bug */
#define FMT(buf, ...) \
	cr_assert_lt(snprintf(buf, sizeof(buf), __VA_ARGS__), (int)sizeof(buf))

static void exec_sql(const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK, "%s",
		     msg != NULL ? msg : "");
	sqlite3_close(db);
}

static int count_rows(void)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int n;

	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM mailbox",
					-1, &st, NULL),
		     SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
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
	char tmpl[] = "auth_passdb_test.XXXXXX";

	cr_assert_not_null(mkdtemp(tmpl));
	cr_assert_not_null(realpath(tmpl, dir));
	FMT(dbpath, "%s/pfa.db", dir);
	log_init("auth_passdb_test", 0);
	exec_sql("CREATE TABLE mailbox(username TEXT, password TEXT, "
		 "active INT, fail TEXT);"
		 "INSERT INTO mailbox VALUES"
		 "('alice@example.com', '{PLAIN}alice-pw', 1, NULL),"
		 "('bob@example.com', '$1$salt$hash', 1, NULL),"
		 "('old@example.com', '{PLAIN}x', 0, NULL),"
		 "('o''brien@example.com', '{PLAIN}irish', 1, NULL),"
		 "('ünï@exämple.com', '{PLAIN}utf8', 1, NULL),"
		 "('back\\slash@example.com', '{PLAIN}bs', 1, NULL),"
		 "('pct%u@example.com', '{PLAIN}pct', 1, NULL),"
		 "('nopw@example.com', NULL, 1, NULL),"
		 "('failed@example.com', '{PLAIN}f', 1, 'yes');"
		 "CREATE TABLE dup(username TEXT, password TEXT);"
		 "INSERT INTO dup VALUES('d', 'a'), ('d', 'b');");
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	FMT(cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(passdb, .init = setup, .fini = teardown);

/* open_spec - passdb_open, asserting success */
static struct passdb *open_spec(const char *s)
{
	struct sbuf *err = sbuf_new(0);
	struct passdb *p = passdb_open(s, NULL, err);

	cr_assert_not_null(p, "%s: %s", s, sbuf_cstr(err));
	sbuf_free(&err);
	return p;
}

/* expect - one lookup and its outcome */
static void expect(struct passdb *p, const char *login,
		   enum passdb_result want, const char *password,
		   const char *user, const char *scheme)
{
	struct passdb_entry e;
	struct sbuf *err = sbuf_new(0);
	enum passdb_result r;

	passdb_entry_init(&e);
	r = passdb_lookup(p, login, &e, err);
	cr_assert_eq(r, want, "%s: got %d, want %d (%s)", login, r, want,
		     sbuf_cstr(err));
	if (password != NULL)
		cr_assert_str_eq(sbuf_cstr(e.password), password, "%s",
				 login);
	if (r != PASSDB_FOUND)
		cr_assert(sbuf_is_empty(e.password));
	if (user != NULL)
		cr_assert_str_eq(sbuf_cstr(e.user), user, "%s", login);
	if (scheme != NULL)
		cr_assert_str_eq(e.default_scheme, scheme);
	passdb_entry_free(&e);
	sbuf_free(&err);
}

static const char *const hostile[] = {
	"x' OR '1'='1",
	"x' OR 1=1 -- ",
	"'; DROP TABLE mailbox; --",
	"alice@example.com' --",
	"%",
	"%u",
	"%s",
	"\\",
	"\\' OR 1=1 #",
	"alice@example.com\\",
	"\xc3\xbc\xc3\xbc' OR ''='",
	"\xff\xfe'",
	"",
};

Test(passdb, sqlite_table_postfixadmin_query)
{
	char cf[PATH_MAX + 32], text[PATH_MAX + 256];
	struct passdb *p;
	size_t i;

	FMT(text, "dbpath = %s\nquery = SELECT password FROM mailbox "
		  "WHERE username='%%s' AND active='1'\n",
	    dbpath);
	write_text("pw.cf", text, cf, sizeof(cf));
	FMT(spec, "sqlite:%s", cf);
	p = open_spec(spec);
	expect(p, "alice@example.com", PASSDB_FOUND, "{PLAIN}alice-pw", "",
	       "MD5");
	expect(p, "bob@example.com", PASSDB_FOUND, "$1$salt$hash", NULL, "MD5");
	expect(p, "old@example.com", PASSDB_NOUSER, NULL, NULL, NULL);
	expect(p, "nobody@example.com", PASSDB_NOUSER, NULL, NULL, NULL);
	expect(p, "nopw@example.com", PASSDB_NOUSER, NULL, NULL, NULL);
	expect(p, "o'brien@example.com", PASSDB_FOUND, "{PLAIN}irish", NULL,
	       NULL);
	expect(p, "ünï@exämple.com", PASSDB_FOUND, "{PLAIN}utf8", NULL, NULL);
	expect(p, "back\\slash@example.com", PASSDB_FOUND, "{PLAIN}bs", NULL,
	       NULL);
	expect(p, "pct%u@example.com", PASSDB_FOUND, "{PLAIN}pct", NULL, NULL);
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		expect(p, hostile[i], PASSDB_NOUSER, NULL, NULL, NULL);
	cr_assert_eq(count_rows(), 9);
	passdb_close(&p);
	cr_assert_null(p);
}

Test(passdb, sqlite_table_override_scheme_and_outage)
{
	char cf[PATH_MAX + 32], text[PATH_MAX + 256];
	struct sbuf *err = sbuf_new(0);
	struct passdb *p;

	FMT(text, "dbpath = %s/missing.db\nquery = SELECT password FROM "
		  "mailbox WHERE username='%%s'\n",
	    dir);
	write_text("gone.cf", text, cf, sizeof(cf));
	FMT(spec, "sqlite:%s", cf);
	p = passdb_open(spec, "SHA512-CRYPT", err);
	cr_assert_not_null(p, "%s", sbuf_cstr(err));
	/* a missing database is an outage, never "no such user" */
	expect(p, "alice@example.com", PASSDB_TEMPFAIL, NULL, NULL,
	       "SHA512-CRYPT");
	passdb_close(&p);
	sbuf_free(&err);
}

static struct passdb *open_dovecot(const char *query)
{
	char conf[PATH_MAX + 32], text[PATH_MAX + 512];

	FMT(text, "driver = sqlite\nconnect = %s\n"
		  "default_pass_scheme = SHA256\n"
		  "password_query = %s\n",
	    dbpath, query);
	write_text("dovecot-sql.conf.ext", text, conf, sizeof(conf));
	FMT(spec, "dovecot-sql:%s", conf);
	return open_spec(spec);
}

Test(passdb, dovecot_sql_sqlite)
{
	struct passdb *p = open_dovecot(
		"SELECT username AS user, password, fail FROM mailbox \\\n"
		"  WHERE username = '%u' AND active = '1'");
	size_t i;

	expect(p, "alice@example.com", PASSDB_FOUND, "{PLAIN}alice-pw",
	       "alice@example.com", "SHA256");
	expect(p, "o'brien@example.com", PASSDB_FOUND, "{PLAIN}irish",
	       "o'brien@example.com", NULL);
	expect(p, "ünï@exämple.com", PASSDB_FOUND, "{PLAIN}utf8", NULL, NULL);
	expect(p, "back\\slash@example.com", PASSDB_FOUND, "{PLAIN}bs", NULL,
	       NULL);
	expect(p, "pct%u@example.com", PASSDB_FOUND, "{PLAIN}pct", NULL, NULL);
	expect(p, "old@example.com", PASSDB_NOUSER, NULL, NULL, NULL);
	expect(p, "nopw@example.com", PASSDB_NOUSER, NULL, NULL, NULL);
	/* "fail" set: refused whatever the password */
	expect(p, "failed@example.com", PASSDB_NOUSER, NULL, NULL, NULL);
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		expect(p, hostile[i], PASSDB_NOUSER, NULL, NULL, NULL);
	cr_assert_eq(count_rows(), 9);
	passdb_close(&p);
}

Test(passdb, dovecot_sql_lowercase_and_parts)
{
	struct passdb *p = open_dovecot(
		"SELECT password FROM mailbox WHERE username = '%Ln@%Ld'");

	expect(p, "ALICE@Example.COM", PASSDB_FOUND, "{PLAIN}alice-pw", "",
	       NULL);
	passdb_close(&p);
}

Test(passdb, dovecot_sql_username_domain_columns)
{
	struct passdb *p = open_dovecot(
		"SELECT 'Alice' AS username, password FROM mailbox "
		"WHERE username = '%u'");

	expect(p, "alice@example.com", PASSDB_FOUND, NULL,
	       "Alice@example.com", NULL);
	passdb_close(&p);
}

Test(passdb, dovecot_sql_noscheme)
{
	struct passdb *p = open_dovecot(
		"SELECT '{x}y' AS password_noscheme FROM mailbox "
		"WHERE username = '%u'");

	expect(p, "alice@example.com", PASSDB_FOUND, "{SHA256}{x}y", NULL,
	       NULL);
	passdb_close(&p);
}

Test(passdb, dovecot_sql_internal_errors_are_tempfail)
{
	struct passdb *p;

	p = open_dovecot("SELECT password FROM dup WHERE username = '%u'");
	expect(p, "d", PASSDB_TEMPFAIL, NULL, NULL, NULL);
	passdb_close(&p);
	p = open_dovecot("SELECT password AS pw FROM mailbox "
			 "WHERE username = '%u'");
	expect(p, "alice@example.com", PASSDB_TEMPFAIL, NULL, NULL, NULL);
	passdb_close(&p);
	p = open_dovecot("SELECT password FROM nosuchtable "
			 "WHERE username = '%u'");
	expect(p, "alice@example.com", PASSDB_TEMPFAIL, NULL, NULL, NULL);
	passdb_close(&p);
}

Test(passdb, passwd_file)
{
	char path[PATH_MAX + 32];
	struct passdb *p;

	write_text("passwd",
		   "# users\n"
		   "alice@example.com:{SHA512-CRYPT}$6$x$y:2000:2000::/h::\n"
		   "bare:$1$salt$hash\n"
		   "plain:secret\n"
		   "nopw\n"
		   "denied:{PLAIN}x::::::nodelay fail\n"
		   "nets:{PLAIN}x::::::allow_nets=127.0.0.1\n",
		   path, sizeof(path));
	FMT(spec, "passwd-file:%s", path);
	p = open_spec(spec);
	expect(p, "alice@example.com", PASSDB_FOUND,
	       "{SHA512-CRYPT}$6$x$y", "", "CRYPT");
	expect(p, "bare", PASSDB_FOUND, "{MD5-CRYPT}$1$salt$hash", NULL,
	       NULL);
	expect(p, "plain", PASSDB_FOUND, "secret", NULL, "CRYPT");
	expect(p, "nopw", PASSDB_NOUSER, NULL, NULL, NULL);
	expect(p, "denied", PASSDB_NOUSER, NULL, NULL, NULL);
	expect(p, "nets", PASSDB_NOUSER, NULL, NULL, NULL);
	expect(p, "Alice@example.com", PASSDB_NOUSER, NULL, NULL, NULL);
	expect(p, "alice", PASSDB_NOUSER, NULL, NULL, NULL);
	passdb_close(&p);
}

Test(passdb, bad_specs)
{
	static const char *const specs[] = {
		"ldap:/etc/x", "passwd-file:/nonexistent/passwd",
		"dovecot-sql:/nonexistent/dovecot-sql.conf.ext",
		"sqlite:/nonexistent/x.cf", "mysql:relative.cf", "",
	};
	size_t i;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct sbuf *err = sbuf_new(0);

		cr_assert_null(passdb_open(specs[i], NULL, err), "%s",
			       specs[i]);
		cr_assert_not(sbuf_is_empty(err));
		sbuf_free(&err);
	}
}

Test(passdb, only_passwd_file_never_blocks)
{
	char path[PATH_MAX + 32], cf[PATH_MAX + 32], text[PATH_MAX + 256];
	struct passdb *p;

	write_text("nb-passwd", "alice:{PLAIN}x\n", path, sizeof(path));
	FMT(text, "passwd-file:%s", path);
	p = open_spec(text);
	cr_expect(passdb_never_blocks(p));
	cr_expect(!passdb_can_update(p));
	passdb_close(&p);
	FMT(text, "dbpath = %s\nquery = SELECT password FROM mailbox "
		  "WHERE username='%%s'\n",
	    dbpath);
	write_text("nb.cf", text, cf, sizeof(cf));
	FMT(text, "sqlite:%s", cf);
	p = open_spec(text);
	cr_expect(!passdb_never_blocks(p));
	cr_expect(passdb_can_update(p));
	passdb_close(&p);
}
