/* fuzz_dkim_keyrec.c - DKIM key records (DNS TXT) from untrusted input */
#include "config.h"

#include <stdint.h>

#include "dkim_keyrec.h"
#include "log.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf *err = sbuf_new(0);
	struct dkim_keyrec *rec = NULL;

	if (dkim_keyrec_parse((const char *)data, size, &rec, err) == 0) {
		if (rec->revoked != (sbuf_len(rec->p) == 0) ||
		    sbuf_len(rec->p) > DKIM_KEYREC_MAX_P)
			log_panic("dkim_keyrec: inconsistent record");
	} else if (rec != NULL || sbuf_is_empty(err))
		log_panic("dkim_keyrec: error without reason");
	dkim_keyrec_free(&rec);
	sbuf_free(&err);
	return 0;
}
