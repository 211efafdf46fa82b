/* fuzz_policy_proto.c - Postfix policy requests as a connection sends
 * them (pipelined, split anywhere) and the reply formatter */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "log.h"
#include "policy_proto.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_reply - a valid action formats to exactly one reply */
static void check_reply(const uint8_t *data, size_t size)
{
	struct sbuf *action = sbuf_new(size + 1), *out = sbuf_new(0);
	const char *s;

	sbuf_append(action, data, size);
	s = sbuf_cstr(action);
	/* the action is a C string: it ends at the first NUL */
	if (policy_reply_format(out, s) == 0) {
		if (!policy_action_is_valid(s))
			log_panic("policy_proto: formatted an invalid action");
		if (sbuf_len(out) != strlen(s) + strlen("action=\n\n") ||
		    memchr(sbuf_data(out), '\n', sbuf_len(out) - 2) != NULL)
			log_panic("policy_proto: reply is not one line");
	} else if (sbuf_len(out) != 0) {
		log_panic("policy_proto: output left after an error");
	}
	sbuf_free(&action);
	sbuf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf *err = sbuf_new(0);
	struct policy_request *r = NULL;
	size_t off = 0, used;
	enum policy_line_result res;

	/* every request in the buffer, as the server takes them */
	while (off < size) {
		sbuf_reset(err);
		res = policy_request_parse(data + off, size - off, &r, &used,
					   err);
		if (res == POLICY_LINE_END) {
			const char *v = policy_request_get(r, "request");

			if (r == NULL || used == 0 || used > size - off)
				log_panic("policy_proto: bad success");
			if (v == NULL || strcmp(v, "smtpd_access_policy") != 0)
				log_panic("policy_proto: request= not checked");
			if (policy_request_count(r) > POLICY_PROTO_MAX_ATTRS)
				log_panic("policy_proto: attribute limit");
			policy_request_free(&r);
			off += used;
			continue;
		}
		if (r != NULL || used != 0)
			log_panic("policy_proto: result left after failure");
		if (res == POLICY_LINE_ERROR && sbuf_len(err) == 0)
			log_panic("policy_proto: error without a reason");
		break;
	}
	check_reply(data, size);
	sbuf_free(&err);
	return 0;
}
