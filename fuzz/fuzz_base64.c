/* fuzz_base64.c - base64_decode on untrusted input, and round trips */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "base64.h"
#include "log.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int flags[] = {
	    BASE64_STRICT,
	    BASE64_SKIP_SPACE,
	    BASE64_NO_PAD,
	    BASE64_SKIP_SPACE | BASE64_NO_PAD,
	};
	struct sbuf *dec = sbuf_new(0), *enc = sbuf_new(0);
	struct sbuf *again = sbuf_new(0);
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		sbuf_reset(dec);
		if (base64_decode((const char *)data, size, flags[i], dec) <
		    0) {
			if (sbuf_len(dec) != 0)
				log_panic("base64: output left after error");
			continue;
		}
		/* Decoded bytes must encode and decode back to themselves. */
		sbuf_reset(enc);
		sbuf_reset(again);
		if (base64_encode(sbuf_data(dec), sbuf_len(dec), enc) < 0 ||
		    base64_decode(sbuf_cstr(enc), sbuf_len(enc), BASE64_STRICT,
				  again) < 0)
			log_panic("base64: own encoding does not decode");
		if (sbuf_len(again) != sbuf_len(dec) ||
		    memcmp(sbuf_data(again), sbuf_data(dec), sbuf_len(dec)) !=
			0)
			log_panic("base64: round trip changed the bytes");
	}
	/* Encoding arbitrary bytes must decode back to them too. */
	sbuf_reset(enc);
	sbuf_reset(again);
	if (base64_encode(data, size, enc) < 0 ||
	    base64_decode(sbuf_cstr(enc), sbuf_len(enc), BASE64_STRICT, again) <
		0 ||
	    sbuf_len(again) != size ||
	    (size > 0 && memcmp(sbuf_data(again), data, size) != 0))
		log_panic("base64: encoding of input does not round trip");
	sbuf_free(&dec);
	sbuf_free(&enc);
	sbuf_free(&again);
	return 0;
}
