/* fuzz_auth_proto.c - auth client lines, tab-escaping round trips */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "auth_proto.h"
#include "log.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf *err = sbuf_new(0), *out = sbuf_new(0);
	struct sbuf *esc = sbuf_new(0), *back = sbuf_new(0);
	struct auth_cmd *c = NULL;

	if (auth_cmd_parse(data, size, &c, err) == 0) {
		if (c == NULL)
			log_panic("auth_proto: success without a command");
		if (c->type == AUTH_CMD_AUTH) {
			(void)auth_proto_initial_response(c, 0, out);
			(void)auth_proto_initial_response(c, 2, out);
			if (c->id == 0 || c->mech == NULL)
				log_panic("auth_proto: AUTH without id/mech");
		}
		if (c->type == AUTH_CMD_CONT)
			(void)auth_proto_decode_cont(c->data, out);
		auth_cmd_free(&c);
	} else if (c != NULL || sbuf_len(err) == 0) {
		log_panic("auth_proto: error without a reason");
	}
	/* escaping then unescaping gives the bytes back, with no raw TAB
	 * or LF in between */
	auth_proto_escape((const char *)data, size, esc);
	if (memchr(sbuf_data(esc), '\t', sbuf_len(esc)) != NULL ||
	    memchr(sbuf_data(esc), '\n', sbuf_len(esc)) != NULL)
		log_panic("auth_proto: escaped text holds TAB or LF");
	auth_proto_unescape(sbuf_cstr(esc), sbuf_len(esc), back);
	if (sbuf_len(back) != size ||
	    (size > 0 && memcmp(sbuf_data(back), data, size) != 0))
		log_panic("auth_proto: escaping does not round trip");
	sbuf_free(&err);
	sbuf_free(&out);
	sbuf_free(&esc);
	sbuf_free(&back);
	return 0;
}
