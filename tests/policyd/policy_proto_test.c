/* policy_proto_test.c - Postfix policy requests: parsing, limits, replies */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_proto.h"
#include "sbuf.h"

/* A request as Postfix 3.7 sends it (postfix-policy.md section 3). */
static const char postfix37[] = "request=smtpd_access_policy\n"
				"protocol_state=RCPT\n"
				"protocol_name=ESMTP\n"
				"client_address=127.0.0.1\n"
				"client_name=localhost\n"
				"client_port=46140\n"
				"reverse_client_name=localhost\n"
				"server_address=127.0.0.1\n"
				"server_port=2525\n"
				"helo_name=helo.example\n"
				"sender=Sender@Example.ORG\n"
				"recipient=bob@example.net\n"
				"recipient_count=0\n"
				"queue_id=\n"
				"instance=264e.6b02062e.9be1b.0\n"
				"size=123\n"
				"etrn_domain=\n"
				"stress=\n"
				"sasl_method=\n"
				"sasl_username=\n"
				"sasl_sender=\n"
				"ccert_subject=\n"
				"ccert_issuer=\n"
				"ccert_fingerprint=\n"
				"ccert_pubkey_fingerprint=\n"
				"encryption_protocol=\n"
				"encryption_cipher=\n"
				"encryption_keysize=0\n"
				"policy_context=\n"
				"\n";

/* parse - the whole-buffer parser on a C string */
static enum policy_line_result parse(const char *text,
				     struct policy_request **r, size_t *used,
				     struct sbuf *err)
{
	return policy_request_parse(text, strlen(text), r, used, err);
}

Test(policy_proto, postfix_37_request)
{
	struct policy_request *r = NULL;
	struct sbuf *err = sbuf_new(0);
	size_t used = 0;

	cr_assert_eq(parse(postfix37, &r, &used, err), POLICY_LINE_END, "%s",
		     sbuf_cstr(err));
	cr_assert_eq(used, strlen(postfix37));
	cr_assert_eq(policy_request_count(r), 29);
	cr_assert_str_eq(policy_request_get(r, "sender"), "Sender@Example.ORG");
	cr_assert_str_eq(policy_request_get(r, "recipient"), "bob@example.net");
	cr_assert_str_eq(policy_request_get(r, "protocol_state"), "RCPT");
	cr_assert_str_eq(policy_request_get(r, "queue_id"), "");
	cr_assert_str_eq(policy_request_get(r, "encryption_keysize"), "0");
	cr_assert_null(policy_request_get(r, "compatibility_level"));
	cr_assert_null(policy_request_get(r, "Sender")); /* case matters */
	policy_request_free(&r);
	cr_assert_null(r);
	sbuf_free(&err);
}

struct vec {
	const char *name;
	const char *text;
	enum policy_line_result want;
	const char *err; /* substring of the error; NULL: none */
};

static const struct vec vecs[] = {
    {"minimal", "request=smtpd_access_policy\n\n", POLICY_LINE_END, NULL},
    {"no request attribute", "sender=a@b\n\n", POLICY_LINE_ERROR,
     "without a \"request\""},
    {"other request", "request=smtpd_other\n\n", POLICY_LINE_ERROR,
     "is not request=smtpd_access_policy"},
    {"request case", "request=SMTPD_ACCESS_POLICY\n\n", POLICY_LINE_ERROR,
     "is not"},
    {"empty request", "\n", POLICY_LINE_ERROR, "without"},
    {"no equals", "request=smtpd_access_policy\nfoo\n\n", POLICY_LINE_ERROR,
     "without \"=\""},
    {"empty name", "request=smtpd_access_policy\n=x\n\n", POLICY_LINE_ERROR,
     "empty name"},
    {"NUL in value", "request=smtpd_access_policy\nsender=a\0b\n\n",
     POLICY_LINE_ERROR, "NUL"},
    {"CR is data", "request=smtpd_access_policy\r\n\r\n", POLICY_LINE_ERROR,
     "without \"=\""},
    {"incomplete", "request=smtpd_access_policy\nsender=x", POLICY_LINE_MORE,
     NULL},
    {"no empty line yet", "request=smtpd_access_policy\n", POLICY_LINE_MORE,
     NULL},
    {"nothing", "", POLICY_LINE_MORE, NULL},
};

Test(policy_proto, vectors)
{
	size_t i;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		struct policy_request *r = NULL;
		struct sbuf *err = sbuf_new(0);
		size_t used = 99, len = strlen(v->text);

		/* the NUL vector: count through the embedded NUL */
		if (strstr(v->name, "NUL") != NULL)
			len =
			    sizeof("request=smtpd_access_policy\nsender=a\0b\n"
				   "\n") -
			    1;
		cr_expect_eq(policy_request_parse(v->text, len, &r, &used, err),
			     v->want, "%s: %s", v->name, sbuf_cstr(err));
		if (v->want != POLICY_LINE_END) {
			cr_expect_null(r, "%s", v->name);
			cr_expect_eq(used, 0, "%s", v->name);
		}
		if (v->err != NULL)
			cr_expect(strstr(sbuf_cstr(err), v->err) != NULL,
				  "%s: error \"%s\"", v->name, sbuf_cstr(err));
		else
			cr_expect_eq(sbuf_len(err), 0, "%s", v->name);
		policy_request_free(&r);
		sbuf_free(&err);
	}
}

Test(policy_proto, values_kept_as_sent)
{
	struct policy_request *r = NULL;
	struct sbuf *err = sbuf_new(0);
	size_t used;

	cr_assert_eq(parse("request=smtpd_access_policy\n"
			   "policy_context=a=b=c\n"
			   "helo_name=\n"
			   "sender=first@x\n"
			   "x-unknown= spaced \n"
			   "sender=last@x\n\n",
			   &r, &used, err),
		     POLICY_LINE_END);
	cr_assert_str_eq(policy_request_get(r, "policy_context"), "a=b=c");
	cr_assert_str_eq(policy_request_get(r, "helo_name"), "");
	cr_assert_str_eq(policy_request_get(r, "x-unknown"), " spaced ");
	cr_assert_str_eq(policy_request_get(r, "sender"), "last@x");
	cr_assert_eq(policy_request_count(r), 5);
	policy_request_free(&r);
	sbuf_free(&err);
}

Test(policy_proto, pipelined_requests_one_at_a_time)
{
	const char *two = "request=smtpd_access_policy\nrecipient=a@x\n\n"
			  "request=smtpd_access_policy\nrecipient=b@x\n\n"
			  "request=smtpd_acc";
	struct policy_request *r = NULL;
	struct sbuf *err = sbuf_new(0);
	size_t used, off = 0;

	cr_assert_eq(policy_request_parse(two, strlen(two), &r, &used, err),
		     POLICY_LINE_END);
	cr_assert_str_eq(policy_request_get(r, "recipient"), "a@x");
	policy_request_free(&r);
	off += used;
	cr_assert_eq(
	    policy_request_parse(two + off, strlen(two) - off, &r, &used, err),
	    POLICY_LINE_END);
	cr_assert_str_eq(policy_request_get(r, "recipient"), "b@x");
	policy_request_free(&r);
	off += used;
	cr_assert_eq(
	    policy_request_parse(two + off, strlen(two) - off, &r, &used, err),
	    POLICY_LINE_MORE);
	cr_assert_null(r);
	sbuf_free(&err);
}

/* line_of - "name=" plus value bytes up to a line of len bytes */
static void add_line_of(struct sbuf *b, const char *name, size_t len)
{
	size_t i;

	sbuf_printf(b, "%s=", name);
	for (i = strlen(name) + 1; i < len; i++)
		sbuf_putc(b, 'v');
	sbuf_putc(b, '\n');
}

Test(policy_proto, line_limit)
{
	struct policy_request *r = NULL;
	struct sbuf *b = sbuf_new(0), *err = sbuf_new(0);
	size_t used;

	sbuf_append_str(b, "request=smtpd_access_policy\n");
	add_line_of(b, "ccert_subject", POLICY_PROTO_MAX_LINE);
	sbuf_putc(b, '\n');
	cr_assert_eq(
	    policy_request_parse(sbuf_data(b), sbuf_len(b), &r, &used, err),
	    POLICY_LINE_END, "%s", sbuf_cstr(err));
	cr_assert_eq(strlen(policy_request_get(r, "ccert_subject")),
		     POLICY_PROTO_MAX_LINE - strlen("ccert_subject="));
	policy_request_free(&r);

	sbuf_reset(b);
	sbuf_append_str(b, "request=smtpd_access_policy\n");
	add_line_of(b, "ccert_subject", POLICY_PROTO_MAX_LINE + 1);
	sbuf_putc(b, '\n');
	cr_assert_eq(
	    policy_request_parse(sbuf_data(b), sbuf_len(b), &r, &used, err),
	    POLICY_LINE_ERROR);
	cr_assert(strstr(sbuf_cstr(err), "line too long") != NULL);

	/* an unfinished line already past the limit is an error at once */
	sbuf_reset(b);
	sbuf_reset(err);
	add_line_of(b, "x", POLICY_PROTO_MAX_LINE + 2);
	sbuf_truncate(b, sbuf_len(b) - 1); /* no LF */
	cr_assert_eq(
	    policy_request_parse(sbuf_data(b), sbuf_len(b), &r, &used, err),
	    POLICY_LINE_ERROR);
	sbuf_free(&b);
	sbuf_free(&err);
}

Test(policy_proto, attribute_limit)
{
	struct policy_request *r = NULL;
	struct sbuf *b = sbuf_new(0), *err = sbuf_new(0);
	size_t used, i;

	sbuf_append_str(b, "request=smtpd_access_policy\n");
	for (i = 1; i < POLICY_PROTO_MAX_ATTRS; i++)
		sbuf_printf(b, "a%zu=x\n", i);
	sbuf_putc(b, '\n');
	cr_assert_eq(
	    policy_request_parse(sbuf_data(b), sbuf_len(b), &r, &used, err),
	    POLICY_LINE_END, "%s", sbuf_cstr(err));
	cr_assert_eq(policy_request_count(r), POLICY_PROTO_MAX_ATTRS);
	policy_request_free(&r);

	/* one more; repeats count as lines too */
	sbuf_truncate(b, sbuf_len(b) - 1);
	sbuf_append_str(b, "a1=again\n\n");
	cr_assert_eq(
	    policy_request_parse(sbuf_data(b), sbuf_len(b), &r, &used, err),
	    POLICY_LINE_ERROR);
	cr_assert(strstr(sbuf_cstr(err), "too many attributes") != NULL);
	sbuf_free(&b);
	sbuf_free(&err);
}

Test(policy_proto, request_size_limit)
{
	struct policy_request *r = NULL;
	struct sbuf *b = sbuf_new(0), *err = sbuf_new(0);
	size_t used, i,
	    lines = POLICY_PROTO_MAX_REQUEST / POLICY_PROTO_MAX_LINE + 1;

	cr_assert_lt(lines, POLICY_PROTO_MAX_ATTRS);
	sbuf_append_str(b, "request=smtpd_access_policy\n");
	for (i = 0; i < lines; i++) {
		char name[16];

		snprintf(name, sizeof(name), "n%zu", i);
		add_line_of(b, name, POLICY_PROTO_MAX_LINE);
	}
	sbuf_putc(b, '\n');
	cr_assert_eq(
	    policy_request_parse(sbuf_data(b), sbuf_len(b), &r, &used, err),
	    POLICY_LINE_ERROR);
	cr_assert(strstr(sbuf_cstr(err), "request too large") != NULL);
	sbuf_free(&b);
	sbuf_free(&err);
}

Test(policy_proto, line_by_line_and_after_the_end)
{
	struct policy_request *r = policy_request_new();
	struct sbuf *err = sbuf_new(0);

	cr_assert_eq(
	    policy_request_add_line(r, "request=smtpd_access_policy", 27, err),
	    POLICY_LINE_MORE);
	cr_assert_eq(policy_request_add_line(r, "", 0, err), POLICY_LINE_END);
	cr_assert_eq(policy_request_add_line(r, "a=b", 3, err),
		     POLICY_LINE_ERROR);
	policy_request_free(&r);

	r = policy_request_new();
	cr_assert_eq(policy_request_add_line(r, "junk", 4, err),
		     POLICY_LINE_ERROR);
	cr_assert_eq(
	    policy_request_add_line(r, "request=smtpd_access_policy", 27, err),
	    POLICY_LINE_ERROR); /* stays broken */
	policy_request_free(&r);
	policy_request_free(&r); /* NULL-safe */
	sbuf_free(&err);
}

Test(policy_proto, reply_format)
{
	struct sbuf *out = sbuf_new(0);

	cr_assert_eq(policy_reply_format(out, "DUNNO"), 0);
	cr_assert_str_eq(sbuf_cstr(out), "action=DUNNO\n\n");
	sbuf_reset(out);
	cr_assert_eq(
	    policy_reply_format(
		out, "550 5.1.1 User unknown in virtual mailbox table"),
	    0);
	cr_assert_str_eq(sbuf_cstr(out), "action=550 5.1.1 User unknown in "
					 "virtual mailbox table\n\n");
	sbuf_reset(out);
	cr_assert_eq(policy_reply_format(out, "PREPEND X-Test: J\xc3\xbcrgen"),
		     0);
	cr_assert_str_eq(sbuf_cstr(out),
			 "action=PREPEND X-Test: J\xc3\xbcrgen\n\n");
	sbuf_reset(out);
	/* nothing goes out for a bad action */
	cr_assert_eq(policy_reply_format(out, "DUNNO\n\naction=OK"), -1);
	cr_assert_eq(policy_reply_format(out, ""), -1);
	cr_assert_eq(sbuf_len(out), 0);
	sbuf_free(&out);
}

Test(policy_proto, action_validity)
{
	static const struct {
		const char *text;
		bool ok;
	} v[] = {
	    {"OK", true},
	    {"REJECT go away", true},
	    {"PREPEND X: \xe2\x82\xac \xf0\x9f\x98\x80", true},
	    {"", false},
	    {"a\tb", false},
	    {"a\rb", false},
	    {"a\x7f", false},
	    {"bad \xff utf8", false},
	    {"overlong \xc0\xaf", false},
	    {"surrogate \xed\xa0\x80", false},
	    {"truncated \xe2\x82", false},
	    {"above U+10FFFF \xf4\x90\x80\x80", false},
	};
	char *longest = malloc(POLICY_PROTO_MAX_ACTION + 2);
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		cr_expect_eq(policy_action_is_valid(v[i].text), v[i].ok,
			     "vector %zu", i);
	memset(longest, 'a', POLICY_PROTO_MAX_ACTION);
	longest[POLICY_PROTO_MAX_ACTION] = '\0';
	cr_expect(policy_action_is_valid(longest));
	longest[POLICY_PROTO_MAX_ACTION] = 'a';
	longest[POLICY_PROTO_MAX_ACTION + 1] = '\0';
	cr_expect_not(policy_action_is_valid(longest));
	free(longest);
}
