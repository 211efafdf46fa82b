/*
 * conf.h - Postfix main.cf syntax, for our own config and for .cf tables.
 *
 * Syntax (Postfix cfg_parser/main.cf): "name = value", white space around
 * "=" and at both ends trimmed; blank lines and lines whose first non-blank
 * character is "#" are skipped; a line that begins with white space
 * continues the previous logical line (appended as is, leading white
 * space included, no newline). A "#" inside a value is part of it. A
 * repeated name overrides the earlier one with a warning.
 *
 * conf_parse() is pure. $name expansion (our own config only; Postfix
 * does not expand in mysql_table files) is a separate step, conf_expand().
 * Files are untrusted-but-local: size and line limits still apply.
 */
#ifndef PW_CONF_H
#define PW_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sbuf;
struct conf;

#define CONF_MAX_FILE (4u << 20) /* bytes */
#define CONF_MAX_LINE (64u << 10) /* bytes per logical line */
#define CONF_MAX_DEPTH 100       /* nested $name expansions */
#define CONF_MAX_REFS 10000      /* $name references in one expansion */

/*
 * conf_parse - parse text. origin names it in messages ("file.cf").
 * Warnings (one per line, "origin, line N: ...") are appended to
 * warnings_r when not NULL. Returns 0, or -1 with a message in err.
 */
int conf_parse(const char *data, size_t len, const char *origin,
	       struct conf **conf_r, struct sbuf *warnings_r,
	       struct sbuf *err);
/* conf_load - read and parse a file; a missing file is an error */
int conf_load(const char *path, struct conf **conf_r,
	      struct sbuf *warnings_r, struct sbuf *err);
void conf_free(struct conf **cp);

/* conf_get - raw value of name, or NULL; borrowed until conf_free */
const char *conf_get(const struct conf *c, const char *name);
size_t conf_count(const struct conf *c);
/* conf_entry_at - i-th distinct name in file order; borrowed */
const char *conf_name_at(const struct conf *c, size_t i);
unsigned int conf_line_of(const struct conf *c, const char *name);
/* conf_origin - the origin given to conf_parse (file path) */
const char *conf_origin(const struct conf *c);

/*
 * conf_expand - append value to out with $name, ${name} and $(name)
 * replaced by their (recursively expanded) values; $$ is a literal $.
 * An unknown name expands to nothing, as in Postfix. Loops and more than
 * CONF_MAX_DEPTH levels or CONF_MAX_REFS references are errors.
 */
int conf_expand(const struct conf *c, const char *value, struct sbuf *out,
		struct sbuf *err);

/* Parameter tables: one per daemon, the only place defaults live. */
enum conf_type {
	CONF_STR,  /* char *, owned by the destination struct */
	CONF_UINT, /* unsigned int, min..max */
	CONF_BOOL, /* bool, yes/no */
	CONF_TIME, /* unsigned int seconds, s/m/h/d/w suffixes, min..max */
	CONF_MODE, /* mode_t, octal */
};

struct conf_param {
	const char *name; /* without the prefix */
	enum conf_type type;
	const char *def;  /* default, in config syntax ($name allowed) */
	unsigned long min, max;
	size_t offset;    /* offsetof() the destination in the struct */
};

/*
 * Tables end with an entry whose name is NULL.
 *
 * conf_apply - fill dest from every "prefix + name" in c (expanded), or
 * from the defaults. A name that starts with prefix but is not in the
 * table, or a value that does not parse or is out of range, is an error.
 * Names with other prefixes belong to other programs and are ignored.
 */
int conf_apply(const struct conf *c, const char *prefix,
	       const struct conf_param *table, void *dest, struct sbuf *err);
/*
 * conf_apply_except - conf_apply for a prefix whose namespace others
 * share: names that start with one of the longer prefixes in skip (full
 * names such as "policyd_spf_"; a NULL-terminated array, borrowed; NULL:
 * none) have a table of their own and are not unknown here.
 */
int conf_apply_except(const struct conf *c, const char *prefix,
		      const char *const *skip, const struct conf_param *table,
		      void *dest, struct sbuf *err);
/* conf_release - free the CONF_STR members conf_apply filled */
void conf_release(const struct conf_param *table, void *dest);

/*
 * conf_next_word - the next word of a list value ("a, b c"): words are
 * separated by commas, spaces and tabs. Returns its start (borrowed from
 * *sp, not NUL-terminated) with its length in *len_r and moves *sp past
 * it; NULL at the end of the list.
 */
const char *conf_next_word(const char **sp, size_t *len_r);

#endif
