/* policy_rcpt_test.c - the recipient and sender checks against a SQLite
 * database with the PostfixAdmin schema (sqlschema) and PostfixAdmin's
 * own .cf queries */
#include "config.h"

#include <criterion/criterion.h>
#include <event2/event.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "policy_check.h"
#include "policy_conf.h"
#include "policy_decide.h"
#include "policy_proto.h"
#include "policy_rcpt.h"
#include "sbuf.h"
#include "sqldb.h"
#include "sqlschema.h"

static char tmpdir[PATH_MAX];
static char dbpath[PATH_MAX + 8];
static struct policy_conf cf;
static struct sbuf *logs;

static void capture(enum log_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (level >= LOG_LEVEL_WARN) {
		sbuf_append_str(logs, msg);
		sbuf_putc(logs, '\n');
	}
}

/* sql - run statements on the test database */
static void sql(const char *text)
{
	sqlite3 *db;
	char *msg = NULL;

	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, text, NULL, NULL, &msg), SQLITE_OK, "%s",
		     msg != NULL ? msg : "");
	sqlite3_close(db);
}

/* cf_file - write tmpdir/name.cf with dbpath and query; returns
 * "sqlite:<path>" (static buffer per call site is not needed: strdup) */
static char *cf_file(const char *name, const char *query)
{
	char path[PATH_MAX + 64], *spec;
	FILE *f;

	cr_assert_lt(snprintf(path, sizeof(path), "%s/%s.cf", tmpdir, name),
		     (int)sizeof(path));
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "dbpath = %s\nquery = %s\n", dbpath, query);
	fclose(f);
	cr_assert_gt(asprintf(&spec, "sqlite:%s", path), 0);
	return spec;
}

/* join - "a, b" (caller frees) */
static char *join(char *a, char *b)
{
	char *s;

	cr_assert_gt(asprintf(&s, "%s, %s", a, b), 0);
	free(a);
	free(b);
	return s;
}

static void setup(void)
{
	char tmpl[] = "policy_rcpt_test.XXXXXX";
	struct sqldb_params p = {.type = SQLDB_SQLITE, .create = true};
	struct sqldb *db = NULL;
	struct sbuf *err = sbuf_new(0);

	cr_assert_not_null(mkdtemp(tmpl));
	cr_assert_not_null(realpath(tmpl, tmpdir));
	snprintf(dbpath, sizeof(dbpath), "%s/pfa.db", tmpdir);
	p.path = dbpath;
	cr_assert_eq(sqldb_open(&p, &db, err), SQLDB_OK, "%s", sbuf_cstr(err));
	cr_assert_eq(sqlschema_migrate(db, NULL, NULL, err), SQLDB_OK, "%s",
		     sbuf_cstr(err));
	sqldb_close(&db);
	sbuf_free(&err);
	/* example.com: mailboxes, aliases, a forward; example.org: a
	 * catch-all; alias.example: an alias domain of example.com */
	sql("INSERT INTO domain (domain, description, transport) VALUES"
	    " ('example.com', '', 'virtual'), ('example.org', '', 'virtual'),"
	    " ('alias.example', '', 'virtual'),"
	    " ('off.example', '', 'virtual');"
	    "UPDATE domain SET active = 0 WHERE domain = 'off.example';"
	    "INSERT INTO mailbox (username, password, name, maildir,"
	    " local_part, domain) VALUES"
	    " ('alice@example.com', 'x', 'Alice', 'example.com/alice/',"
	    "  'alice', 'example.com'),"
	    " ('bob@example.com', 'x', 'Bob', 'example.com/bob/', 'bob',"
	    "  'example.com'),"
	    " ('gone@example.com', 'x', 'Gone', 'example.com/gone/', 'gone',"
	    "  'example.com');"
	    "UPDATE mailbox SET active = 0 WHERE username = 'gone@example.com';"
	    "INSERT INTO alias (address, goto, domain) VALUES"
	    " ('alice@example.com', 'alice@example.com', 'example.com'),"
	    " ('bob@example.com', 'bob@example.com', 'example.com'),"
	    " ('info@example.com', 'alice@example.com,bob@example.com',"
	    "  'example.com'),"
	    " ('@example.org', 'alice@example.com', 'example.org');"
	    "INSERT INTO alias_domain (alias_domain, target_domain) VALUES"
	    " ('alias.example', 'example.com');");

	memset(&cf, 0, sizeof(cf));
	cf.recipient_delimiter = strdup("+");
	cf.virtual_alias_domains = strdup("");
	cf.virtual_mailbox_domains = cf_file(
	    "domains", "SELECT domain FROM domain WHERE domain='%s' AND "
		       "active = '1'");
	cf.virtual_alias_maps = join(
	    cf_file("aliases", "SELECT goto FROM alias WHERE address='%s' AND "
			       "active = '1'"),
	    join(cf_file("alias_domain_aliases",
			 "SELECT goto FROM alias,alias_domain WHERE "
			 "alias_domain.alias_domain = '%d' and alias.address "
			 "= '%u' || '@' || alias_domain.target_domain AND "
			 "alias.active = 1 AND alias_domain.active='1'"),
		 cf_file("alias_domain_catchall",
			 "SELECT goto FROM alias,alias_domain WHERE "
			 "alias_domain.alias_domain = '%d' and alias.address "
			 "= '@' || alias_domain.target_domain AND "
			 "alias.active = 1 AND alias_domain.active='1'")));
	cf.virtual_mailbox_maps = join(
	    cf_file("mailboxes", "SELECT maildir FROM mailbox WHERE "
				 "username='%s' AND active = '1'"),
	    cf_file("alias_domain_mailboxes",
		    "SELECT maildir FROM mailbox,alias_domain WHERE "
		    "alias_domain.alias_domain = '%d' and mailbox.username = "
		    "'%u' || '@' || alias_domain.target_domain AND "
		    "mailbox.active = 1 AND alias_domain.active='1'"));
	cf.sender_login_maps = cf_file(
	    "login", "SELECT username FROM mailbox WHERE username='%s' AND "
		     "active = 1 UNION SELECT goto FROM alias WHERE "
		     "address='%s' AND active = '1'");
	cf.worker_queue = 16;
	logs = sbuf_new(0);
	log_init("policy_rcpt_test", 0);
	log_set_sink(capture, NULL);
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	log_set_sink(NULL, NULL);
	free(cf.recipient_delimiter);
	free(cf.virtual_alias_domains);
	free(cf.virtual_mailbox_domains);
	free(cf.virtual_alias_maps);
	free(cf.virtual_mailbox_maps);
	free(cf.sender_login_maps);
	sbuf_free(&logs);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(policy_rcpt, .init = setup, .fini = teardown);

/* check - one synchronous check; returns the action (static) */
static const char *check(enum policy_rcpt_mode mode, const char *rcpt,
			 const char *sender, const char *login)
{
	static char action[512];
	struct sbuf *err = sbuf_new(0), *out = sbuf_new(0);
	struct policy_rcpt_maps *m = policy_rcpt_maps_open(&cf, mode, err);
	struct policy_rcpt_query q = {rcpt, sender, login};

	cr_assert_not_null(m, "%s", sbuf_cstr(err));
	policy_rcpt_check(m, &q, out, err);
	snprintf(action, sizeof(action), "%s", sbuf_cstr(out));
	if (strcmp(action, POLICY_RCPT_TEMPFAIL) == 0)
		cr_assert_gt(sbuf_len(err), 0, "a tempfail says why");
	policy_rcpt_maps_close(&m);
	sbuf_free(&err);
	sbuf_free(&out);
	return action;
}

static const char *rcpt(const char *addr)
{
	return check(POLICY_RCPT_RECIPIENT, addr, "", "");
}

#define UNKNOWN_MAILBOX "550 5.1.1 User unknown in virtual mailbox table"
#define UNKNOWN_ALIAS "550 5.1.1 User unknown in virtual alias table"

Test(policy_rcpt, recipients)
{
	static const struct {
		const char *addr, *want;
	} v[] = {
	    {"alice@example.com", "DUNNO"},	  /* mailbox */
	    {"Alice@EXAMPLE.com", "DUNNO"},	  /* folded as Postfix */
	    {"alice+lists@example.com", "DUNNO"}, /* extension */
	    {"info@example.com", "DUNNO"},	  /* alias only */
	    {"info+x@example.com", "DUNNO"},
	    {"nobody@example.com", UNKNOWN_MAILBOX},
	    {"nobody+alice@example.com", UNKNOWN_MAILBOX},
	    {"gone@example.com", UNKNOWN_MAILBOX},   /* inactive mailbox */
	    {"+alice@example.com", UNKNOWN_MAILBOX}, /* no local part left */
	    {"anything@example.org", "DUNNO"},	     /* catch-all */
	    {"alice@alias.example", "DUNNO"},	     /* alias domain */
	    {"bob+x@alias.example", "DUNNO"},
	    {"nobody@alias.example", UNKNOWN_MAILBOX},
	    {"someone@elsewhere.net", "DUNNO"}, /* not ours */
	    {"x@off.example", "DUNNO"},		/* inactive domain */
	    {"postmaster", "DUNNO"},		/* no domain */
	    {"", "DUNNO"},
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		cr_expect_str_eq(rcpt(v[i].addr), v[i].want, "%s", v[i].addr);
}

Test(policy_rcpt, alias_domain_class_uses_alias_maps_only)
{
	/* alias.example as a virtual alias domain: Postfix looks in
	 * virtual_alias_maps only and says "virtual alias table" */
	free(cf.virtual_alias_domains);
	cf.virtual_alias_domains = strdup("alias.example");
	cr_expect_str_eq(rcpt("alice@alias.example"), "DUNNO");
	cr_expect_str_eq(rcpt("nobody@alias.example"), UNKNOWN_ALIAS);
	cr_expect_str_eq(rcpt("nobody@example.com"), UNKNOWN_MAILBOX);
}

Test(policy_rcpt, several_delimiters)
{
	free(cf.recipient_delimiter);
	cf.recipient_delimiter = strdup("-+");
	cr_expect_str_eq(rcpt("alice-x@example.com"), "DUNNO");
	cr_expect_str_eq(rcpt("alice+x-y@example.com"), "DUNNO");
	free(cf.recipient_delimiter);
	cf.recipient_delimiter = strdup("");
	cr_expect_str_eq(rcpt("alice+x@example.com"), UNKNOWN_MAILBOX);
}

Test(policy_rcpt, overlong_address)
{
	char addr[POLICY_RCPT_MAX_ADDR + 32];

	memset(addr, 'a', sizeof(addr));
	snprintf(addr + POLICY_RCPT_MAX_ADDR, 32, "@example.com");
	cr_expect_str_eq(rcpt(addr), "501 5.1.3 Bad recipient address syntax");
	cr_expect_str_eq(check(POLICY_RCPT_SENDER, "", addr, "alice"),
			 "501 5.1.7 Bad sender address syntax");
}

Test(policy_rcpt, senders)
{
	static const struct {
		const char *sender, *login, *want;
	} v[] = {
	    {"alice@example.com", "alice@example.com", "DUNNO"},
	    {"Alice@Example.com", "ALICE@example.com", "DUNNO"},
	    {"alice+tag@example.com", "alice@example.com", "DUNNO"},
	    /* info@ goes to alice and bob: both own it */
	    {"info@example.com", "bob@example.com", "DUNNO"},
	    {"alice@example.com", "bob@example.com",
	     "553 5.7.1 not owned by user bob@example.com"},
	    {"stranger@elsewhere.net", "bob@example.com",
	     "553 5.7.1 not owned by user bob@example.com"},
	    {"alice@example.com", "b\x01o\xc3\xa9", /* made printable */
	     "553 5.7.1 not owned by user b?o??"},
	    {"", "bob@example.com", "DUNNO"},	/* null sender */
	    {"alice@example.com", "", "DUNNO"}, /* no login, switch off */
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		cr_expect_str_eq(
		    check(POLICY_RCPT_SENDER, "x@y", v[i].sender, v[i].login),
		    v[i].want, "%s as %s", v[i].sender, v[i].login);
}

Test(policy_rcpt, unauthenticated_local_sender)
{
	cf.reject_unauth_local_sender = true;
	cr_expect_str_eq(check(POLICY_RCPT_SENDER, "", "alice@example.com", ""),
			 "553 5.7.1 not logged in");
	cr_expect_str_eq(check(POLICY_RCPT_SENDER, "", "x@alias.example", ""),
			 "553 5.7.1 not logged in");
	cr_expect_str_eq(check(POLICY_RCPT_SENDER, "", "x@elsewhere.net", ""),
			 "DUNNO");
	cr_expect_str_eq(check(POLICY_RCPT_SENDER, "", "", ""), "DUNNO");
	/* logged in: the login maps decide */
	cr_expect_str_eq(check(POLICY_RCPT_SENDER, "", "alice@example.com",
			       "alice@example.com"),
			 "DUNNO");
}

Test(policy_rcpt, outage_is_4xx_never_5xx_or_dunno)
{
	sql("ALTER TABLE mailbox RENAME TO mailbox_away");
	cr_expect_str_eq(rcpt("alice@example.com"), "DUNNO"); /* alias row */
	cr_expect_str_eq(rcpt("nobody@example.com"), POLICY_RCPT_TEMPFAIL);
	cr_expect_str_eq(check(POLICY_RCPT_SENDER, "", "alice@example.com",
			       "alice@example.com"),
			 POLICY_RCPT_TEMPFAIL);
	sql("ALTER TABLE mailbox_away RENAME TO mailbox;"
	    "ALTER TABLE domain RENAME TO domain_away");
	cr_expect_str_eq(rcpt("alice@example.com"), POLICY_RCPT_TEMPFAIL);
	cr_expect_str_eq(rcpt("x@elsewhere.net"), POLICY_RCPT_TEMPFAIL);
	cf.reject_unauth_local_sender = true;
	cr_expect_str_eq(check(POLICY_RCPT_SENDER, "", "alice@example.com", ""),
			 POLICY_RCPT_TEMPFAIL);
	sql("ALTER TABLE domain_away RENAME TO domain");
	cr_expect_str_eq(rcpt("nobody@example.com"), UNKNOWN_MAILBOX);
	/* the database file gone altogether */
	cr_assert_eq(unlink(dbpath), 0);
	cr_expect_str_eq(rcpt("alice@example.com"), POLICY_RCPT_TEMPFAIL);
}

Test(policy_rcpt, strip_ext)
{
	struct sbuf *out = sbuf_new(0);

	cr_assert(policy_rcpt_strip_ext("a+b@x", "+", out));
	cr_assert_str_eq(sbuf_cstr(out), "a@x");
	sbuf_reset(out);
	cr_assert(policy_rcpt_strip_ext("a+b+c@x", "+", out));
	cr_assert_str_eq(sbuf_cstr(out), "a@x");
	sbuf_reset(out);
	cr_assert(policy_rcpt_strip_ext("a-b+c@x", "+-", out));
	cr_assert_str_eq(sbuf_cstr(out), "a@x");
	sbuf_reset(out);
	cr_assert(policy_rcpt_strip_ext("user+ext", "+", out));
	cr_assert_str_eq(sbuf_cstr(out), "user");
	sbuf_reset(out);
	cr_assert_not(policy_rcpt_strip_ext("+a@x", "+", out));
	cr_assert_not(policy_rcpt_strip_ext("a@x+y", "+", out));
	cr_assert_not(policy_rcpt_strip_ext("a+b@x", "", out));
	cr_assert_not(policy_rcpt_strip_ext("@x", "+", out));
	cr_assert_eq(sbuf_len(out), 0);
	sbuf_free(&out);
}

/* ---- the asynchronous check: workers, answers, cancel ---- */

static int answers;
static char last[256];

static void on_answer(void *arg, const char *action)
{
	(void)arg;
	answers++;
	snprintf(last, sizeof(last), "%s", action);
}

/* request - a parsed RCPT request */
static struct policy_request *request(const char *state, const char *to,
				      const char *from, const char *login)
{
	struct policy_request *r = NULL;
	struct sbuf *b = sbuf_new(0), *err = sbuf_new(0);
	size_t used;

	sbuf_printf(b,
		    "request=smtpd_access_policy\nprotocol_state=%s\n"
		    "recipient=%s\nsender=%s\nsasl_username=%s\n\n",
		    state, to, from, login);
	cr_assert_eq(
	    policy_request_parse(sbuf_data(b), sbuf_len(b), &r, &used, err),
	    POLICY_LINE_END);
	sbuf_free(&b);
	sbuf_free(&err);
	return r;
}

/* start_check - open and start one check by table name */
static void *start_check(const char *name, struct event_base *base,
			 struct policy_check *chk)
{
	int i = policy_decide_find(name, strlen(name));
	struct policy_check_env env = {NULL, &cf, 2};
	struct sbuf *err = sbuf_new(0);
	void *ctx;

	cr_assert_geq(i, 0);
	ctx = policy_decide_checks[i].open(&env, err);
	cr_assert_not_null(ctx, "%s", sbuf_cstr(err));
	cr_assert_eq(policy_decide_checks[i].start(ctx, base, chk, err), 0);
	cr_assert_str_eq(chk->ops->name, name);
	sbuf_free(&err);
	return ctx;
}

/* ask - one request through a started check, answered on the loop */
static const char *ask(struct event_base *base, struct policy_check *chk,
		       struct policy_request *r)
{
	answers = 0;
	chk->ops->start(chk->ctx, r, on_answer, NULL);
	cr_assert_eq(answers, 0, "answered inside start");
	while (answers == 0)
		event_base_loop(base, EVLOOP_ONCE);
	cr_assert_eq(answers, 1);
	return last;
}

Test(policy_rcpt, async_through_workers)
{
	struct event_base *base = event_base_new();
	struct policy_check rc, sc;
	void *rctx = start_check("recipient", base, &rc);
	void *sctx = start_check("sender", base, &sc);
	struct policy_request *r;

	r = request("RCPT", "nobody@example.com", "alice@example.com",
		    "alice@example.com");
	cr_expect_str_eq(ask(base, &rc, r), UNKNOWN_MAILBOX);
	cr_expect_str_eq(ask(base, &sc, r), "DUNNO");
	policy_request_free(&r);
	r = request("RCPT", "bob@example.com", "alice@example.com",
		    "bob@example.com");
	cr_expect_str_eq(ask(base, &rc, r), "DUNNO");
	cr_expect_str_eq(ask(base, &sc, r),
			 "553 5.7.1 not owned by user bob@example.com");
	policy_request_free(&r);
	/* not applicable: answered DUNNO without a lookup */
	r = request("DATA", "nobody@example.com", "alice@example.com",
		    "bob@example.com");
	cr_expect_str_eq(ask(base, &rc, r), "DUNNO");
	cr_expect_str_eq(ask(base, &sc, r), "DUNNO");
	policy_request_free(&r);
	r = request("MAIL", "", "alice@example.com", "bob@example.com");
	cr_expect_str_eq(ask(base, &sc, r),
			 "553 5.7.1 not owned by user bob@example.com");
	policy_request_free(&r);

	/* cancelled at once, in a worker or waiting: never answered */
	r = request("RCPT", "nobody@example.com", "x@y", "");
	answers = 0;
	rc.ops->cancel(rc.ctx, rc.ops->start(rc.ctx, r, on_answer, NULL));
	policy_request_free(&r); /* the check keeps copies */
	r = request("DATA", "nobody@example.com", "x@y", "");
	rc.ops->cancel(rc.ctx, rc.ops->start(rc.ctx, r, on_answer, NULL));
	policy_request_free(&r);
	policy_rcpt_close(rctx); /* waits for the worker */
	policy_rcpt_close(sctx);
	while (event_base_loop(base, EVLOOP_NONBLOCK) == 0)
		;
	cr_expect_eq(answers, 0);
	cr_expect(strstr(sbuf_cstr(logs), "requests open") == NULL, "%s",
		  sbuf_cstr(logs));
	event_base_free(base);
}

Test(policy_rcpt, nothing_configured_answers_dunno)
{
	struct event_base *base = event_base_new();
	struct policy_check rc;
	void *ctx;
	struct policy_request *r;

	free(cf.virtual_mailbox_domains);
	cf.virtual_mailbox_domains = strdup("");
	ctx = start_check("recipient", base, &rc);
	r = request("RCPT", "nobody@example.com", "", "");
	cr_expect_str_eq(ask(base, &rc, r), "DUNNO");
	policy_request_free(&r);
	policy_rcpt_close(ctx);
	event_base_free(base);
}

Test(policy_rcpt, bad_table_is_an_open_error)
{
	struct sbuf *err = sbuf_new(0);

	free(cf.virtual_mailbox_maps);
	cf.virtual_mailbox_maps = strdup("hash:/etc/postfix/virtual");
	cr_assert_null(policy_rcpt_maps_open(&cf, POLICY_RCPT_RECIPIENT, err));
	cr_assert(strstr(sbuf_cstr(err), "virtual_mailbox_maps") != NULL, "%s",
		  sbuf_cstr(err));
	sbuf_free(&err);
}
