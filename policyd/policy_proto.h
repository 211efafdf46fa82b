/*
 * policy_proto.h - the Postfix policy delegation protocol, server side.
 *
 * What Postfix's smtpd sends to check_policy_service (Postfix 3.7,
 * SMTPD_POLICY_README): "name=value" lines ending in LF, one empty line
 * ending the request; the reply is "action=<text>" LF, then one empty
 * line. Names hold no "=", values no LF; there is no escaping. Unknown
 * names are kept (and ignored by the checks); a repeated name keeps its
 * last value. A request must carry request=smtpd_access_policy.
 *
 * Limits (a request that passes one is a protocol error: the connection
 * closes): POLICY_PROTO_MAX_LINE bytes per line, POLICY_PROTO_MAX_ATTRS
 * lines per request, POLICY_PROTO_MAX_REQUEST bytes per request. A CR is
 * data, not a line end (Postfix sends bare LF); a NUL byte is an error.
 *
 * This module is pure: a line-by-line parser from untrusted bytes to a
 * struct policy_request, a whole-buffer parser on top of it, and the
 * reply formatter. No I/O, no logging, no globals; thread-safe (one
 * owner per request).
 */
#ifndef PW_POLICY_PROTO_H
#define PW_POLICY_PROTO_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf;
struct policy_request;

/* Postfix 3.7 sends 28 attributes; a long ccert_subject or sender still
 * fits one line. */
#define POLICY_PROTO_MAX_LINE 4096
#define POLICY_PROTO_MAX_ATTRS 64
#define POLICY_PROTO_MAX_REQUEST (32u << 10) /* line bytes, LFs included */
/* Longest action text we send (Postfix takes a line of up to 2048) */
#define POLICY_PROTO_MAX_ACTION 1024

enum policy_line_result {
	POLICY_LINE_MORE, /* an attribute: the request goes on */
	POLICY_LINE_END,  /* the empty line: the request is complete */
	POLICY_LINE_ERROR /* protocol error: err says why; close */
};

/* policy_request_new - an empty request (caller frees) */
struct policy_request *policy_request_new(void);
void policy_request_free(struct policy_request **rp); /* NULL-safe */

/*
 * policy_request_add_line - add one line (n bytes at line, without its
 * LF; borrowed). An empty line ends the request: then request= must be
 * smtpd_access_policy. After END or ERROR the request takes no more
 * lines (ERROR). err gets the reason of an ERROR.
 */
enum policy_line_result policy_request_add_line(struct policy_request *r,
						const void *line, size_t n,
						struct sbuf *err);

/*
 * policy_request_parse - parse one request from the start of data (n
 * bytes, borrowed). POLICY_LINE_END: *req_r is the request (caller frees)
 * and *used_r the bytes it took, through its empty line. POLICY_LINE_MORE:
 * no complete request yet (nothing stored). POLICY_LINE_ERROR: err says
 * why, nothing stored.
 */
enum policy_line_result policy_request_parse(const void *data, size_t n,
					     struct policy_request **req_r,
					     size_t *used_r, struct sbuf *err);

/*
 * policy_request_get - the value of attribute name (case-sensitive, as
 * Postfix sends it), or NULL when the attribute was not sent. Borrowed
 * until the request is freed or another line is added.
 */
const char *policy_request_get(const struct policy_request *r,
			       const char *name);
/* policy_request_count - attributes stored (repeated names once) */
size_t policy_request_count(const struct policy_request *r);

/*
 * policy_action_is_valid - may text go out as an action? Non-empty, at
 * most POLICY_PROTO_MAX_ACTION bytes, valid UTF-8 (smtputf8_enable =
 * yes rejects anything else), no control characters.
 */
bool policy_action_is_valid(const char *text);

/*
 * policy_reply_format - append "action=<text>\n\n" to out. Returns 0, or
 * -1 (out unchanged) when the text is not a valid action.
 */
int policy_reply_format(struct sbuf *out, const char *action);

#endif
