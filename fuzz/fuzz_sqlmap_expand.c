/* fuzz_sqlmap_expand.c - query/result_format templates against fuzzed keys */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "sqlmap_expand.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_quote - double "'" as sqlite3_mprintf("%q") would */
static int fuzz_quote(const char *s, struct sbuf *out, void *arg)
{
	(void)arg;
	for (; *s != '\0'; s++)
		if ((*s == '\'' && sbuf_putc(out, '\'') < 0) ||
		    sbuf_putc(out, *s) < 0)
			return -1;
	return 0;
}

/*
 * Input: "query\nresult_format\nkey\nvalue", each part NUL-free (a NUL
 * ends the part early, as in a C string).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	char *part[4] = {"", "%s", "", ""}, *bp = text, *nl;
	struct sqlmap_expand ctx = {0};
	struct sbuf *err = sbuf_new(0);
	struct sbuf *out = sbuf_new_max(0, 1u << 16);
	size_t i;

	for (i = 0; i < 4 && bp != NULL; i++) {
		part[i] = bp;
		if ((nl = strchr(bp, '\n')) != NULL)
			*nl++ = '\0';
		bp = nl;
	}
	if (sqlmap_expand_parse(&ctx, part[0], SQLMAP_EXPAND_QUERY, err) < 0 ||
	    sqlmap_expand_parse(&ctx, part[1], SQLMAP_EXPAND_RESULT, err) < 0)
		goto out;
	(void)sqlmap_expand_is_pattern(&ctx);
	(void)sqlmap_expand_query(&ctx, part[0], part[2], fuzz_quote, NULL,
				  out);
	sbuf_reset(out);
	(void)sqlmap_expand_query(&ctx, part[0], part[2], NULL, NULL, out);
	sbuf_reset(out);
	(void)sqlmap_expand_result(&ctx, part[1], part[3], part[2], out);
	(void)sqlmap_expand_result(&ctx, part[1], part[2], part[3], out);
out:
	sbuf_free(&out);
	sbuf_free(&err);
	free(text);
	return 0;
}
