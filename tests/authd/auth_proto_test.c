/* auth_proto_test.c - Dovecot auth protocol lines, parsed and formatted */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "auth_proto.h"
#include "sbuf.h"

/* parse - parse a C string (TABs as \t); NULL on error */
static struct auth_cmd *parse(const char *line)
{
	struct sbuf *err = sbuf_new(0);
	struct auth_cmd *c = NULL;

	if (auth_cmd_parse(line, strlen(line), &c, err) < 0)
		cr_assert_null(c);
	else
		cr_assert_not_null(c);
	sbuf_free(&err);
	return c;
}

struct good_case {
	const char *line;
	enum auth_cmd_type type;
	unsigned int id;
	const char *mech;
};

/* Lines Postfix 3.7 and Exim really send (dovecot-auth.md 4, 7, 9). */
static const struct good_case good[] = {
    {"VERSION\t1\t0", AUTH_CMD_VERSION, 0, NULL},
    {"VERSION\t1\t2\textra", AUTH_CMD_VERSION, 0, NULL},
    {"CPID\t4242", AUTH_CMD_CPID, 0, NULL},
    {"AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\t"
     "rip=192.0.2.10\tresp=AGFsaWNlQGV4YW1wbGUuY29tAHNlY3JldA==",
     AUTH_CMD_AUTH, 1, "PLAIN"},
    {"AUTH\t4294967295\tplain\tservice=smtp", AUTH_CMD_AUTH, 4294967295u,
     "plain"},
    {"AUTH\t3\tLOGIN\tservice=smtp\tnologin\tlip=\trip=", AUTH_CMD_AUTH, 3,
     "LOGIN"},
    {"AUTH\t1\tPLAIN\tservice=smtp\tsecured\tvalid-client-cert\t"
     "rip=::1\tlip=::1\tnologin\tresp=",
     AUTH_CMD_AUTH, 1, "PLAIN"},
    {"AUTH\t7\tCRAM-MD5\tservice=smtp\tsession=abc\tfuture-param\t"
     "lport=25\trport=40000",
     AUTH_CMD_AUTH, 7, "CRAM-MD5"},
    {"CONT\t3\tYWxpY2VAZXhhbXBsZS5jb20=", AUTH_CMD_CONT, 3, NULL},
    {"CONT\t3\t", AUTH_CMD_CONT, 3, NULL},
    {"CANCEL\t9", AUTH_CMD_CANCEL, 9, NULL},
};

Test(auth_proto, good_lines)
{
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct auth_cmd *c = parse(good[i].line);

		cr_assert_not_null(c, "case %zu: %s", i, good[i].line);
		cr_assert_eq(c->type, good[i].type, "case %zu", i);
		if (good[i].id != 0)
			cr_assert_eq(c->id, good[i].id, "case %zu", i);
		if (good[i].mech != NULL)
			cr_assert_str_eq(c->mech, good[i].mech);
		auth_cmd_free(&c);
		cr_assert_null(c);
	}
}

/* Protocol errors: the connection is closed (Dovecot does the same). */
static const char *const bad[] = {
    "",
    "VERSION", /* Postfix 3.7 itself crashes on this one */
    "VERSION\t1",
    "VERSION\t2\t0", /* major must be 1 */
    "VERSION\tx\t0",
    "CPID",
    "CPID\t0",
    "CPID\t-1",
    "CPID\t12\t13",
    "AUTH",
    "AUTH\t1",
    "AUTH\t0\tPLAIN", /* ids start at 1 */
    "AUTH\t-1\tPLAIN",
    "AUTH\t4294967296\tPLAIN",
    "AUTH\t01x\tPLAIN",
    "AUTH\t1\t",
    "AUTH\t1\tPL AIN",
    "AUTH\t1\tABCDEFGHIJKLMNOPQRSTU",	       /* 21 characters */
    "AUTH\t1\tPLAIN\tresp=AAAA\tservice=smtp", /* resp= must be last */
    "AUTH\t1\tPLAIN\tservice=sm\0010tp",       /* escaped NUL */
    "CONT\t1",
    "CONT\t1\tAAAA\textra",
    "CONT\tx\tAAAA",
    "CANCEL",
    "CANCEL\t1\t2",
    "auth\t1\tPLAIN", /* commands are case-sensitive */
    "REQUEST\t1\t2\t3",
    "AUTH 1 PLAIN", /* no TAB */
};

Test(auth_proto, bad_lines)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sbuf *err = sbuf_new(0);
		struct auth_cmd *c = NULL;

		cr_assert_eq(auth_cmd_parse(bad[i], strlen(bad[i]), &c, err),
			     -1, "case %zu: %s", i, bad[i]);
		cr_assert_null(c);
		cr_assert_gt(sbuf_len(err), 0, "case %zu has no reason", i);
		sbuf_free(&err);
	}
}

Test(auth_proto, raw_nul_rejected)
{
	static const char line[] = "AUTH\t1\tPLAIN\tservice=smtp\0x";
	struct sbuf *err = sbuf_new(0);
	struct auth_cmd *c = NULL;

	cr_assert_eq(auth_cmd_parse(line, sizeof(line) - 1, &c, err), -1);
	sbuf_free(&err);
}

Test(auth_proto, limits)
{
	struct sbuf *line = sbuf_new(0), *err = sbuf_new(0);
	struct auth_cmd *c = NULL;
	int i;

	/* AUTH_PROTO_MAX_FIELDS fields parse; one more does not */
	sbuf_append_str(line, "AUTH\t1\tPLAIN");
	for (i = 3; i < AUTH_PROTO_MAX_FIELDS; i++)
		sbuf_append_str(line, "\tx");
	cr_assert_eq(auth_cmd_parse(sbuf_data(line), sbuf_len(line), &c, err),
		     0);
	auth_cmd_free(&c);
	sbuf_append_str(line, "\tx");
	cr_assert_eq(auth_cmd_parse(sbuf_data(line), sbuf_len(line), &c, err),
		     -1);
	/* a line of AUTH_PROTO_MAX_LINE bytes is fine, one more is not */
	sbuf_set(line, "CONT\t1\t");
	while (sbuf_len(line) < AUTH_PROTO_MAX_LINE)
		sbuf_putc(line, 'A');
	cr_assert_eq(auth_cmd_parse(sbuf_data(line), sbuf_len(line), &c, err),
		     0);
	auth_cmd_free(&c);
	sbuf_putc(line, 'A');
	cr_assert_eq(auth_cmd_parse(sbuf_data(line), sbuf_len(line), &c, err),
		     -1);
	sbuf_free(&line);
	sbuf_free(&err);
}

Test(auth_proto, postfix_auth_params)
{
	struct auth_cmd *c =
	    parse("AUTH\t2\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\t"
		  "rip=2001:DB8:0:0::10\tsecured\tresp=AGFsaWNlAHdyb25n");

	cr_assert_not_null(c);
	cr_assert_str_eq(c->service, "smtp");
	cr_assert(c->nologin);
	cr_assert(c->secured);
	cr_assert_not(c->valid_client_cert);
	cr_assert_str_eq(c->lip, "127.0.0.1");
	cr_assert_str_eq(c->rip, "2001:db8::10"); /* canonical */
	cr_assert(c->has_resp);
	cr_assert_str_eq(c->data, "AGFsaWNlAHdyb25n");
	cr_assert_eq(c->lport, 0);
	auth_cmd_free(&c);

	c = parse("AUTH\t1\tLOGIN\tlip=\trip=not-an-ip\tlport=25\t"
		  "rport=99999\tvalid-client-cert");
	cr_assert_not_null(c);
	cr_assert_str_eq(c->lip, "");
	cr_assert_str_eq(c->rip, "");
	cr_assert_eq(c->lport, 25);
	cr_assert_eq(c->rport, 0);
	cr_assert_null(c->service);
	cr_assert_not(c->has_resp);
	cr_assert(c->valid_client_cert);
	auth_cmd_free(&c);
}

struct resp_case {
	const char *line;
	unsigned int minor;
	enum auth_resp_result res;
	const char *decoded;
	size_t len;
};

/* dovecot-auth.md section 4: resp= by client minor version */
static const struct resp_case resp_cases[] = {
    {"AUTH\t1\tPLAIN", 0, AUTH_RESP_NONE, NULL, 0},
    {"AUTH\t1\tPLAIN\tresp=", 0, AUTH_RESP_NONE, NULL, 0},
    {"AUTH\t1\tPLAIN\tresp=", 2, AUTH_RESP_DATA, "", 0},
    {"AUTH\t1\tPLAIN\tresp==", 0, AUTH_RESP_DATA, "", 0},
    {"AUTH\t1\tPLAIN\tresp=AGEAYg==", 0, AUTH_RESP_DATA, "\0a\0b", 4},
    {"AUTH\t1\tPLAIN\tresp=AGEAYg", 0, AUTH_RESP_BAD_BASE64, NULL, 0},
    {"AUTH\t1\tPLAIN\tresp=!!!!", 0, AUTH_RESP_BAD_BASE64, NULL, 0},
};

Test(auth_proto, initial_response)
{
	struct sbuf *out = sbuf_new(0);
	size_t i;

	for (i = 0; i < sizeof(resp_cases) / sizeof(resp_cases[0]); i++) {
		struct auth_cmd *c = parse(resp_cases[i].line);

		cr_assert_not_null(c);
		cr_assert_eq(
		    auth_proto_initial_response(c, resp_cases[i].minor, out),
		    resp_cases[i].res, "case %zu", i);
		if (resp_cases[i].decoded != NULL) {
			cr_assert_eq(sbuf_len(out), resp_cases[i].len);
			cr_assert(memcmp(sbuf_data(out), resp_cases[i].decoded,
					 resp_cases[i].len) == 0);
		}
		auth_cmd_free(&c);
	}
	cr_assert_eq(auth_proto_decode_cont("", out), 0);
	cr_assert_eq(sbuf_len(out), 0);
	cr_assert_eq(auth_proto_decode_cont("=", out), 0);
	cr_assert_eq(auth_proto_decode_cont("c2VjcmV0", out), 0);
	cr_assert_str_eq(sbuf_cstr(out), "secret");
	cr_assert_eq(auth_proto_decode_cont("c2VjcmV0=", out), -1);
	sbuf_free(&out);
}

struct esc_case {
	const char *raw;
	size_t raw_len;
	const char *esc;
};

static const struct esc_case esc_cases[] = {
    {"plain", 5, "plain"},
    {"a\tb", 3, "a\001tb"},
    {"a\nb\rc", 5, "a\001nb\001rc"},
    {"\001", 1, "\0011"},
    {"", 0, ""},
};

Test(auth_proto, tab_escaping)
{
	struct sbuf *out = sbuf_new(0);
	size_t i;

	for (i = 0; i < sizeof(esc_cases) / sizeof(esc_cases[0]); i++) {
		sbuf_reset(out);
		auth_proto_escape(esc_cases[i].raw, esc_cases[i].raw_len, out);
		cr_assert_str_eq(sbuf_cstr(out), esc_cases[i].esc);
		sbuf_reset(out);
		auth_proto_unescape(esc_cases[i].esc, strlen(esc_cases[i].esc),
				    out);
		cr_assert_eq(sbuf_len(out), esc_cases[i].raw_len);
		cr_assert(memcmp(sbuf_data(out), esc_cases[i].raw,
				 esc_cases[i].raw_len) == 0);
	}
	/* decode-only forms: \0010 is NUL, \001X is X, a lone \001 stays */
	sbuf_reset(out);
	auth_proto_unescape("a\0010b\001xc\001", 8, out);
	cr_assert_eq(sbuf_len(out), 6);
	cr_assert(memcmp(sbuf_data(out), "a\0bxc\001", 6) == 0);
	sbuf_free(&out);

	/* escaped values arrive unescaped */
	struct auth_cmd *c = parse("AUTH\t1\tPLAIN\tservice=s\001tm\0011p");

	cr_assert_not_null(c);
	cr_assert_str_eq(c->service, "s\tm\001p");
	auth_cmd_free(&c);
}

Test(auth_proto, handshake_golden)
{
	static const struct auth_proto_mech mechs[] = {
	    {"PLAIN", AUTH_MECH_FLAG_PLAINTEXT},
	    {"LOGIN", AUTH_MECH_FLAG_PLAINTEXT},
	    {"CRAM-MD5", AUTH_MECH_FLAG_ACTIVE | AUTH_MECH_FLAG_DICTIONARY},
	    {"APOP", AUTH_MECH_FLAG_PRIVATE},
	    {"EXTERNAL", 0},
	};
	static const unsigned char cookie[16] = {
	    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	    0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	};
	struct sbuf *out = sbuf_new(0);

	cr_assert_eq(auth_proto_handshake(out, mechs, 5, 1234, 1, cookie), 0);
	cr_assert_str_eq(sbuf_cstr(out),
			 "VERSION\t1\t2\n"
			 "MECH\tPLAIN\tplaintext\n"
			 "MECH\tLOGIN\tplaintext\n"
			 "MECH\tCRAM-MD5\tdictionary\tactive\n"
			 "MECH\tEXTERNAL\n"
			 "SPID\t1234\n"
			 "CUID\t1\n"
			 "COOKIE\t00112233445566778899aabbccddeeff\n"
			 "DONE\n");
	sbuf_free(&out);
}

Test(auth_proto, replies_golden)
{
	struct sbuf *out = sbuf_new(0);

	auth_proto_ok(out, 1, "alice@example.com");
	cr_assert_str_eq(sbuf_cstr(out), "OK\t1\tuser=alice@example.com\n");
	sbuf_reset(out);
	auth_proto_fail(out, 2, "alice@example.com", NULL, NULL, false);
	cr_assert_str_eq(sbuf_cstr(out), "FAIL\t2\tuser=alice@example.com\n");
	sbuf_reset(out);
	auth_proto_fail(out, 2, "bob", NULL, NULL, true);
	cr_assert_str_eq(sbuf_cstr(out),
			 "FAIL\t2\tuser=bob\tcode=temp_fail\ttemp\n");
	sbuf_reset(out);
	auth_proto_fail(out, 5, NULL, "invalid_base64",
			"Invalid base64 data in initial response", false);
	cr_assert_str_eq(sbuf_cstr(out),
			 "FAIL\t5\tcode=invalid_base64\treason=Invalid base64 "
			 "data in initial response\n");
	sbuf_reset(out);
	auth_proto_cont(out, 3, "Username:", 9);
	cr_assert_str_eq(sbuf_cstr(out), "CONT\t3\tVXNlcm5hbWU6\n");
	sbuf_reset(out);
	auth_proto_cont(out, 4, "", 0);
	cr_assert_str_eq(sbuf_cstr(out), "CONT\t4\t\n");
	sbuf_reset(out);
	/* a control character is escaped, never sent raw */
	auth_proto_ok(out, 6, "a\tb");
	cr_assert_str_eq(sbuf_cstr(out), "OK\t6\tuser=a\001tb\n");
	sbuf_free(&out);
}

/* split_fields - split s and compare with the expected fields */
static void split_fields(const char *s, size_t n, const char *const *want,
			 size_t nwant)
{
	struct auth_proto_fields f = {{NULL}, 0};

	cr_assert_eq(auth_proto_split(s, n, &f), 0);
	cr_assert_eq(f.n, nwant, "%zu fields, want %zu", f.n, nwant);
	for (size_t i = 0; i < nwant; i++)
		cr_assert_str_eq(sbuf_cstr(f.field[i]), want[i]);
	auth_proto_fields_clear(&f);
	cr_assert_eq(f.n, 0);
}

Test(auth_proto, split_server_lines)
{
	static const char *const ok[] = {"OK", "7", "user=a\tb"};
	static const char *const empty[] = {""};
	static const char *const trailing[] = {"FAIL", "1", ""};
	static const char *const nul[] = {"a", "x\ny"};
	const char line[] = "OK\t7\tuser=a\001tb";

	split_fields(line, sizeof(line) - 1, ok, 3);
	split_fields("", 0, empty, 1);
	split_fields("FAIL\t1\t", 7, trailing, 3);
	split_fields("a\tx\001ny", 7, nul, 2);
}

Test(auth_proto, split_limits)
{
	struct auth_proto_fields f = {{NULL}, 0};
	struct sbuf *b = sbuf_new(0);
	size_t i;

	/* exactly the maximum of fields splits; one more does not */
	for (i = 0; i + 1 < AUTH_PROTO_MAX_FIELDS; i++)
		sbuf_putc(b, '\t');
	cr_assert_eq(auth_proto_split(sbuf_data(b), sbuf_len(b), &f), 0);
	cr_assert_eq(f.n, AUTH_PROTO_MAX_FIELDS);
	sbuf_putc(b, '\t');
	cr_assert_eq(auth_proto_split(sbuf_data(b), sbuf_len(b), &f), -1);
	cr_assert_eq(f.n, 0, "fields left after an error");
	/* an over-long line is refused whole */
	sbuf_reset(b);
	for (i = 0; i <= AUTH_PROTO_MAX_LINE; i++)
		sbuf_putc(b, 'x');
	cr_assert_eq(auth_proto_split(sbuf_data(b), sbuf_len(b), &f), -1);
	cr_assert_eq(f.n, 0);
	sbuf_free(&b);
}
