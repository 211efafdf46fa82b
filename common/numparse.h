/*
 * numparse.h - whole-string, range-checked number parsing.
 *
 * Every function rejects empty strings, signs, leading or trailing junk
 * and out-of-range values, returning -1 with *val_r untouched. Pure.
 */
#ifndef PW_NUMPARSE_H
#define PW_NUMPARSE_H

#include <stdbool.h>
#include <sys/types.h>

int numparse_uint(const char *s, unsigned int max, unsigned int *val_r);
int numparse_ulong(const char *s, unsigned long max, unsigned long *val_r);
/* numparse_bool - Postfix booleans: "yes" or "no", any case */
int numparse_bool(const char *s, bool *val_r);
/* numparse_time - seconds, with an optional s/m/h/d/w unit (Postfix) */
int numparse_time(const char *s, unsigned long max, unsigned long *val_r);
/* numparse_mode - an octal file mode such as 0660, at most 07777 */
int numparse_mode(const char *s, mode_t *val_r);

#endif
