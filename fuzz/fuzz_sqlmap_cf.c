/* fuzz_sqlmap_cf.c - mysql_table(5)/sqlite_table(5) .cf text from memory */
#include "config.h"

#include <stdint.h>

#include "sbuf.h"
#include "sqlmap_cf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf *warnings = sbuf_new(0), *err = sbuf_new(0);
	struct sqlmap_cf *cf = NULL;

	if (sqlmap_cf_parse((const char *)data, size, "fuzz.cf",
			    SQLMAP_CF_MYSQL, &cf, warnings, err) == 0)
		sqlmap_cf_free(&cf);
	sbuf_reset(warnings);
	sbuf_reset(err);
	if (sqlmap_cf_parse((const char *)data, size, "fuzz.cf",
			    SQLMAP_CF_SQLITE, &cf, warnings, err) == 0)
		sqlmap_cf_free(&cf);
	sbuf_free(&warnings);
	sbuf_free(&err);
	return 0;
}
