/* fuzz_auth_proto.c - auth client lines, server lines as a client splits
 * them, tab-escaping round trips */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "auth_proto.h"
#include "log.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_split - fields escaped and joined with TABs split back to the
 * same fields */
static void check_split(const uint8_t *data, size_t size)
{
	struct auth_proto_fields f = {{NULL}, 0}, g = {{NULL}, 0};
	struct sbuf *joined = sbuf_new(size + 1);
	size_t i;

	if (auth_proto_split(data, size, &f) < 0) {
		if (f.n != 0)
			log_panic("auth_proto_split: fields left on error");
		sbuf_free(&joined);
		return;
	}
	if (f.n == 0 || f.n > AUTH_PROTO_MAX_FIELDS)
		log_panic("auth_proto_split: %zu fields", f.n);
	for (i = 0; i < f.n; i++) {
		if (i > 0)
			sbuf_putc(joined, '\t');
		auth_proto_escape(sbuf_cstr(f.field[i]), sbuf_len(f.field[i]),
				  joined);
	}
	if (auth_proto_split(sbuf_data(joined), sbuf_len(joined), &g) < 0 ||
	    g.n != f.n)
		log_panic("auth_proto_split: re-split differs");
	for (i = 0; i < f.n; i++)
		if (sbuf_len(f.field[i]) != sbuf_len(g.field[i]) ||
		    memcmp(sbuf_data(f.field[i]), sbuf_data(g.field[i]),
			   sbuf_len(f.field[i])) != 0)
			log_panic("auth_proto_split: field %zu differs", i);
	auth_proto_fields_clear(&f);
	auth_proto_fields_clear(&g);
	sbuf_free(&joined);
}

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
	check_split(data, size);
	sbuf_free(&err);
	sbuf_free(&out);
	sbuf_free(&esc);
	sbuf_free(&back);
	return 0;
}
