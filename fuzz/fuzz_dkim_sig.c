/* fuzz_dkim_sig.c - DKIM-Signature header values from untrusted input */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "dkim_sig.h"
#include "log.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf *err = sbuf_new(0), *name = sbuf_new(0);
	struct dkim_sig *sig = NULL;
	size_t i;

	if (dkim_sig_parse((const char *)data, size, &sig, err) == 0) {
		bool from = false;

		for (i = 0; i < sig->nh; i++)
			if (strcasecmp(sig->h[i], "from") == 0)
				from = true;
		if (!from || sbuf_len(sig->b) == 0 ||
		    !dkim_sig_is_domain(sig->d, strlen(sig->d)) ||
		    dkim_sig_key_name(sig, name) < 0)
			log_panic("dkim_sig: accepted an invalid signature");
	} else if (sig != NULL || sbuf_is_empty(err))
		log_panic("dkim_sig: error without reason");
	dkim_sig_free(&sig);
	sbuf_free(&err);
	sbuf_free(&name);
	return 0;
}
