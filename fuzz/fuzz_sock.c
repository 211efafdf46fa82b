/* fuzz_sock.c - sock_spec_parse on untrusted text, and its round trip */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sbuf.h"
#include "sock.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct sbuf *err = sbuf_new(0), *canon = sbuf_new(0);
	struct sock_spec *spec, *again;

	if (sock_spec_parse(text, &spec, err) == 0) {
		/* the canonical form must parse to the same canonical form */
		sock_spec_format(spec, canon);
		if (sock_spec_parse(sbuf_cstr(canon), &again, err) != 0)
			log_panic("sock: canonical form \"%s\" rejected",
				  sbuf_cstr(canon));
		sbuf_reset(err);
		sock_spec_format(again, err);
		if (strcmp(sbuf_cstr(err), sbuf_cstr(canon)) != 0)
			log_panic("sock: canonical form not stable");
		sock_spec_free(&again);
		sock_spec_free(&spec);
	}
	sbuf_free(&err);
	sbuf_free(&canon);
	free(text);
	return 0;
}
