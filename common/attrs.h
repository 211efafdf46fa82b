/*
 * attrs.h - compiler attributes used across the tree.
 */
#ifndef PW_ATTRS_H
#define PW_ATTRS_H

#define ATTR_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define ATTR_NORETURN __attribute__((noreturn))
#define ATTR_UNUSED __attribute__((unused))

#endif
