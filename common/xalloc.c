/* xalloc.c - allocation that logs and exits instead of returning NULL */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xalloc.h"

/* xmalloc - allocate zeroed memory or die */
void *xmalloc(size_t n)
{
	return xcalloc(1, n);
}

/* xcalloc - allocate a zeroed array or die */
void *xcalloc(size_t count, size_t size)
{
	void *p;

	if (count == 0 || size == 0)
		count = size = 1;
	/* Check here: sanitizers abort on calloc overflow instead of NULL. */
	if (count > SIZE_MAX / size)
		log_fatal("allocation of %zu x %zu bytes overflows", count,
			  size);
	p = calloc(count, size);
	if (p == NULL)
		log_fatal("out of memory allocating %zu x %zu bytes", count,
			  size);
	return p;
}

/* xrealloc - resize or die; the new tail is not zeroed */
void *xrealloc(void *p, size_t n)
{
	void *np = realloc(p, n ? n : 1);

	if (np == NULL)
		log_fatal("out of memory reallocating %zu bytes", n);
	return np;
}

/* xstrdup - copy a string or die */
char *xstrdup(const char *s)
{
	return xmemdup(s, strlen(s) + 1);
}

/* xstrndup - copy at most n bytes of a string and terminate it */
char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	return p;
}

/* xmemdup - copy bytes or die */
void *xmemdup(const void *src, size_t n)
{
	void *p = xmalloc(n);

	memcpy(p, src, n);
	return p;
}

/* wipe_bytes - erase a secret so the compiler cannot skip it */
void wipe_bytes(void *p, size_t n)
{
	if (p == NULL || n == 0)
		return;
#ifdef HAVE_EXPLICIT_BZERO
	explicit_bzero(p, n);
#else
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
#endif
}

/* xfree_secret - wipe a NUL-terminated secret and free it */
void xfree_secret(char **sp)
{
	if (*sp == NULL)
		return;
	wipe_bytes(*sp, strlen(*sp));
	free(*sp);
	*sp = NULL;
}
