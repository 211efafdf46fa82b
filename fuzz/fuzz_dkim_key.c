/* fuzz_dkim_key.c - public keys from untrusted key record p= bytes */
#include "config.h"

#include <stdint.h>

#include "dkim_crypto.h"
#include "log.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum dkim_keytype types[] = {DKIM_KEY_RSA,
						  DKIM_KEY_ED25519};
	struct sbuf *err = sbuf_new(0);
	struct dkim_crypto_key *key = NULL;
	size_t i;

	for (i = 0; i < 2; i++) {
		if (dkim_crypto_key_public(types[i], data, size, &key, err) ==
		    0) {
			if (dkim_crypto_key_type(key) != types[i])
				log_panic("dkim_crypto: key of wrong type");
			/* a random signature must not verify */
			if (dkim_crypto_verify(key,
					       types[i] == DKIM_KEY_RSA
						   ? DKIM_ALG_RSA_SHA256
						   : DKIM_ALG_ED25519_SHA256,
					       data, size, data, size))
				log_panic("dkim_crypto: input verifies itself");
			dkim_crypto_key_free(&key);
		} else if (key != NULL)
			log_panic("dkim_crypto: key left after error");
	}
	sbuf_free(&err);
	return 0;
}
