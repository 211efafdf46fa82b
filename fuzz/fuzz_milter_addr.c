/* fuzz_milter_addr.c - the address of a From: header value, and the
 * address lists of milterd_internal_hosts */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "milter_addr.h"
#include "milter_nets.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf *out = sbuf_new(0), *err = sbuf_new(0), *s = sbuf_new(0);
	struct milter_nets *n = NULL;
	size_t off = 0;

	if (milter_addr_from((const char *)data, size, out, &off, err) == 0) {
		if (off == 0 || off >= sbuf_len(out) ||
		    sbuf_cstr(out)[off - 1] != '@' ||
		    sbuf_len(out) > MILTER_ADDR_MAX)
			log_panic("milter_addr: bad address");
	} else if (sbuf_is_empty(err)) {
		log_panic("milter_addr: error without reason");
	}
	sbuf_append(s, data, size);
	sbuf_reset(err);
	if (milter_nets_parse(sbuf_cstr(s), &n, err) == 0) {
		unsigned char a[16];

		memset(a, size & 0xff, sizeof(a));
		(void)milter_nets_match(n, AF_INET, a);
		(void)milter_nets_match(n, AF_INET6, a);
		milter_nets_free(&n);
	} else if (n != NULL || sbuf_is_empty(err)) {
		log_panic("milter_nets: error without reason");
	}
	sbuf_free(&out);
	sbuf_free(&err);
	sbuf_free(&s);
	return 0;
}
