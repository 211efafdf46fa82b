/* fuzz_hex.c - hex_decode on untrusted input, and the round trip */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "hex.h"
#include "log.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf *dec = sbuf_new(0), *enc = sbuf_new(0);

	if (hex_decode((const char *)data, size, dec) == 0) {
		if (sbuf_len(dec) * 2 != size)
			log_panic("hex: %zu digits gave %zu bytes", size,
				  sbuf_len(dec));
		hex_encode(sbuf_data(dec), sbuf_len(dec), enc);
		if (strncasecmp(sbuf_cstr(enc), (const char *)data, size) != 0)
			log_panic("hex: round trip differs");
	} else if (!sbuf_is_empty(dec)) {
		log_panic("hex: output left after error");
	}
	sbuf_free(&dec);
	sbuf_free(&enc);
	return 0;
}
