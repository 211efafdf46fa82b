/*
 * xalloc.h - allocation that never returns NULL.
 *
 * Every function returns zeroed memory (xrealloc zeroes nothing) or logs
 * and exits: callers never check for NULL. Thread-safe.
 */
#ifndef PW_XALLOC_H
#define PW_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);                   /* caller frees with free() */
void *xcalloc(size_t count, size_t size);  /* overflow-checked */
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);              /* caller frees with free() */
char *xstrndup(const char *s, size_t n);   /* at most n bytes, NUL added */
void *xmemdup(const void *p, size_t n);

/* wipe_bytes - erase a secret so the compiler cannot skip it */
void wipe_bytes(void *p, size_t n);

/* xfree_secret - wipe a NUL-terminated secret, free it; *sp = NULL */
void xfree_secret(char **sp);

#endif
