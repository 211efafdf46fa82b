/* casefold.c - Unicode case folding of keys, as Postfix casefold() */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <unicode/ucasemap.h>

#include "casefold.h"
#include "sbuf.h"
#include "xalloc.h"

/* all_ascii - no byte above 0x7f? */
static bool all_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* casefold_ascii - the fast path: lower-case ASCII letters */
static int casefold_ascii(const char *s, size_t n, struct sbuf *out)
{
	size_t i;

	sbuf_reset(out);
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (sbuf_putc(out, c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) <
		    0)
			return -1;
	}
	return 0;
}

/* casefold_utf8 - fold a key for caseless comparison */
int casefold_utf8(const char *s, size_t n, struct sbuf *out)
{
	UErrorCode error = U_ZERO_ERROR;
	UCaseMap *csm;
	int32_t need, cap;
	char *buf;
	int r = -1;

	if (all_ascii(s, n))
		return casefold_ascii(s, n, out);
	if (n > INT32_MAX / 3)
		return -1;
	/* en_US with default folding, as Postfix opens it */
	csm = ucasemap_open("en_US", U_FOLD_CASE_DEFAULT, &error);
	if (U_FAILURE(error))
		return -1;
	/* Full folding grows a string by at most a factor of 3. */
	cap = (int32_t)n * 3 + 1;
	buf = xmalloc((size_t)cap);
	need = ucasemap_utf8FoldCase(csm, buf, cap, s, (int32_t)n, &error);
	if (U_SUCCESS(error) && need >= 0 && need < cap) {
		sbuf_reset(out);
		r = sbuf_append(out, buf, (size_t)need);
	}
	free(buf);
	ucasemap_close(csm);
	return r;
}
