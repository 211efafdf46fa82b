/*
 * casefold.h - case folding for caseless comparison of keys.
 *
 * What Postfix's casefold() does with SMTPUTF8 on (its default): an
 * all-ASCII string is lower-cased; anything else goes through Unicode
 * full case folding (ICU, root rules: "Straße" and "STRASSE" both fold to
 * "strasse"). The caller checks that the input is valid UTF-8 first.
 * Pure and thread-safe.
 */
#ifndef PW_CASEFOLD_H
#define PW_CASEFOLD_H

#include <stddef.h>

struct sbuf;

/*
 * casefold_utf8 - replace the contents of out with the folded form of the
 * n bytes at s (borrowed). Returns 0, or -1 when ICU fails or out would
 * pass its maximum.
 */
int casefold_utf8(const char *s, size_t n, struct sbuf *out);

#endif
