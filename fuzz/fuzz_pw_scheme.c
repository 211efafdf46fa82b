/*
 * fuzz_pw_scheme.c - pw_scheme_verify on an untrusted stored value (an
 * SQL row or a passwd-file line). The input is "stored\npassword"; a
 * bcrypt cost above 5 is cut out of the way so one input stays fast.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pw_scheme.h"
#include "sbuf.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size > 4096 ? 4096 : size);
	char *password = strchr(text, '\n');
	struct sbuf *err = sbuf_new(0);
	enum pw_result r;

	if (password != NULL)
		*password++ = '\0';
	else
		password = "secret";
	/* Costly hashes are not what we look for here: keep runs short. */
	if (strstr(text, "$2") != NULL || strstr(text, "rounds=") != NULL ||
	    strstr(text, "$argon2") != NULL)
		goto out;
	r = pw_scheme_verify(text, password, "user@example.com", "PLAIN-MD5",
			     err);
	if (r != PW_MATCH && r != PW_MISMATCH && r != PW_UNKNOWN_SCHEME &&
	    r != PW_INVALID)
		log_panic("pw_scheme: result %d out of range", (int)r);
	/* errors must never quote the password (unless stored has it too) */
	if (strlen(password) > 3 && strstr(text, password) == NULL &&
	    strstr(sbuf_cstr(err), password) != NULL)
		log_panic("pw_scheme: password in error text");
out:
	sbuf_free(&err);
	free(text);
	return 0;
}
