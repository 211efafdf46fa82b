/*
 * fuzz_auth_mech.c - mechanism decoders on untrusted payloads. The first
 * byte picks the mechanism; the rest is split at 0xff into the payloads
 * of successive steps (the initial response first).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "auth_mech.h"
#include "log.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct auth_mech_env env = {"fuzz", 1, 42};
	struct sbuf *ch = sbuf_new(0);
	struct auth_mech_state *s;
	const struct auth_mech_creds *cr;
	enum auth_mech_status st = AUTH_MECH_CHALLENGE;
	unsigned int steps = 0;

	if (size == 0)
		goto out;
	s = auth_mech_begin(auth_mech_at(data[0] % auth_mech_count()), &env);
	data++;
	size--;
	while (st == AUTH_MECH_CHALLENGE && steps++ < 8) {
		const uint8_t *end = memchr(data, 0xff, size);
		size_t n = end != NULL ? (size_t)(end - data) : size;

		st = auth_mech_step(s, steps > 1 || size > 0, data, n, ch);
		if (end == NULL) {
			size = 0;
		} else {
			data += n + 1;
			size -= n + 1;
		}
	}
	cr = auth_mech_creds(s);
	if (st == AUTH_MECH_DONE) {
		if (cr->authcid == NULL || cr->authcid[0] == '\0')
			log_panic("auth_mech: done without a login");
		if (auth_mech_kind_of(s) == AUTH_MECH_CRAM_MD5)
			(void)auth_mech_cram_md5_verify(cr->cram_challenge,
							cr->cram_response,
							"{PLAIN}pw", NULL);
		else if (cr->password == NULL)
			log_panic("auth_mech: done without a password");
	}
	auth_mech_free(&s);
out:
	sbuf_free(&ch);
	return 0;
}
