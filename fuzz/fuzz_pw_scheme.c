/*
 * fuzz_pw_scheme.c - pw_scheme_verify on an untrusted stored value (an
 * SQL row or a passwd-file line). The input is "stored\npassword".
 * Costly hashes are cut out of the way so one input stays fast: crypt
 * strings with a cost, Argon2, and PBKDF2/SCRAM with a count of 5 digits
 * or more (the cost limits themselves are unit-tested).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "pw_scheme.h"
#include "sbuf.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* has_word - s contains w, ignoring case */
static bool has_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (; *s != '\0'; s++)
		if (strncasecmp(s, w, n) == 0)
			return true;
	return false;
}

/* has_digit_run - s has at least n digits in a row */
static bool has_digit_run(const char *s, size_t n)
{
	size_t run = 0;

	for (; *s != '\0'; s++)
		if ((run = *s >= '0' && *s <= '9' ? run + 1 : 0) >= n)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size > 4096 ? 4096 : size);
	char *password = strchr(text, '\n');
	struct sbuf *err = sbuf_new(0), *err2 = sbuf_new(0);
	char *other;
	enum pw_result r;
	size_t i;

	if (password != NULL)
		*password++ = '\0';
	else
		password = "secret";
	/* Costly hashes are not what we look for here: keep runs short. */
	if (strstr(text, "$2") != NULL || strstr(text, "rounds=") != NULL ||
	    has_word(text, "$argon2") ||
	    ((has_word(text, "PBKDF2") || has_word(text, "SCRAM")) &&
	     has_digit_run(text, 5)))
		goto out;
	r = pw_scheme_verify(text, password, "user@example.com", "PLAIN-MD5",
			     err);
	if (r != PW_MATCH && r != PW_MISMATCH && r != PW_UNKNOWN_SCHEME &&
	    r != PW_INVALID)
		log_panic("pw_scheme: result %d out of range", (int)r);
	/*
	 * Errors must never quote the password: the same stored value with
	 * another password of the same length must give the same text.
	 */
	other = xstrdup(password);
	for (i = 0; other[i] != '\0'; i++)
		other[i] = other[i] == 'x' ? 'y' : 'x';
	pw_scheme_verify(text, other, "user@example.com", "PLAIN-MD5", err2);
	if (strcmp(sbuf_cstr(err), sbuf_cstr(err2)) != 0)
		log_panic("pw_scheme: the password changes the error text");
	free(other);
out:
	sbuf_free(&err);
	sbuf_free(&err2);
	free(text);
	return 0;
}
