/* numparse.c - whole-string, range-checked number parsing */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <strings.h>

#include "numparse.h"

/*
 * numparse_digits - parse a run of digits in base 8 or 10 that must end
 * the string (or be followed by one unit letter when unit_r is not NULL).
 * Unlike strtoul() there is no white space, no sign and no base prefix.
 */
static int numparse_digits(const char *s, unsigned int base, unsigned long max,
			   unsigned long *val_r, char *unit_r)
{
	unsigned long v = 0;
	unsigned int d;
	const char *p;

	if (s == NULL || *s == '\0')
		return -1;
	for (p = s; *p >= '0' && *p < (char)('0' + base); p++) {
		d = (unsigned int)(*p - '0');
		if (d > max || v > (max - d) / base)
			return -1;
		v = v * base + d;
	}
	if (p == s)
		return -1;
	if (unit_r != NULL) {
		*unit_r = *p;
		if (*p != '\0')
			p++;
	}
	if (*p != '\0')
		return -1;
	*val_r = v;
	return 0;
}

/* numparse_uint - decimal unsigned int in 0..max */
int numparse_uint(const char *s, unsigned int max, unsigned int *val_r)
{
	unsigned long v;

	if (numparse_digits(s, 10, max, &v, NULL) < 0)
		return -1;
	*val_r = (unsigned int)v;
	return 0;
}

/* numparse_ulong - decimal unsigned long in 0..max */
int numparse_ulong(const char *s, unsigned long max, unsigned long *val_r)
{
	return numparse_digits(s, 10, max, val_r, NULL);
}

/* numparse_bool - Postfix booleans: "yes" or "no", any case */
int numparse_bool(const char *s, bool *val_r)
{
	if (s == NULL)
		return -1;
	if (strcasecmp(s, "yes") == 0) {
		*val_r = true;
		return 0;
	}
	if (strcasecmp(s, "no") == 0) {
		*val_r = false;
		return 0;
	}
	return -1;
}

/*
 * numparse_time - seconds with an optional unit letter, as Postfix
 * conv_time(): s, m, h, d or w, lower case only; "10m" is 600.
 */
int numparse_time(const char *s, unsigned long max, unsigned long *val_r)
{
	unsigned long v, mult;
	char unit;

	/* Parse with no upper bound first; the product is checked below. */
	if (numparse_digits(s, 10, (unsigned long)-1, &v, &unit) < 0)
		return -1;
	switch (unit) {
	case '\0':
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 60 * 60;
		break;
	case 'd':
		mult = 24 * 60 * 60;
		break;
	case 'w':
		mult = 7 * 24 * 60 * 60;
		break;
	default:
		return -1;
	}
	if (v > max / mult)
		return -1;
	*val_r = v * mult;
	return 0;
}

/* numparse_mode - an octal file mode such as 0660, at most 07777 */
int numparse_mode(const char *s, mode_t *val_r)
{
	unsigned long v;

	if (numparse_digits(s, 8, 07777, &v, NULL) < 0)
		return -1;
	*val_r = (mode_t)v;
	return 0;
}
