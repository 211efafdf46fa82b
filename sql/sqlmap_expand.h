/*
 * sqlmap_expand.h - query and result_format templates (mysql_table(5)).
 *
 * The equivalent of Postfix db_common_parse/db_common_expand. A template
 * holds literal text and the escapes %% %s %u %d %S %U %D %1..%9; anything
 * else after "%" (including a "%" at the end) is an invalid template.
 *
 * One struct sqlmap_expand describes a map: both templates (query and
 * result_format) are parsed into it, and the flags collected from both
 * decide which keys are suppressed before any SQL is sent. Keys are split
 * at the last "@". In a query, %s %u %d (and %S %U %D, the same thing)
 * name the key and its parts, passed through the backend's quoting. In
 * result_format, %s %u %d name the value returned by the database and
 * %S %U %D %1..%9 the key; nothing is quoted.
 *
 * Pure functions: no I/O, no logging, no globals. Keys and values are
 * untrusted; output goes into caller-supplied sbufs (which should carry a
 * maximum). Thread-safe.
 */
#ifndef PW_SQLMAP_EXPAND_H
#define PW_SQLMAP_EXPAND_H

#include <stdbool.h>

struct sbuf;

enum sqlmap_expand_flag {
	SQLMAP_EXPAND_KEY_USER = 1 << 0,     /* %u in query, %U anywhere */
	SQLMAP_EXPAND_KEY_DOMAIN = 1 << 1,   /* %d in query, %D %1-9 anywhere */
	SQLMAP_EXPAND_VALUE_USER = 1 << 2,   /* %u in result_format */
	SQLMAP_EXPAND_VALUE_DOMAIN = 1 << 3, /* %d in result_format */
	SQLMAP_EXPAND_KEY_PARTIAL = 1 << 4,  /* map is a "pattern" map */
};

/* Collected from every template of one map; zero it before the first parse */
struct sqlmap_expand {
	unsigned int flags;  /* enum sqlmap_expand_flag */
	unsigned int nparts; /* highest %1..%9 used, 0 if none */
};

enum sqlmap_expand_kind {
	SQLMAP_EXPAND_QUERY,  /* the query template */
	SQLMAP_EXPAND_RESULT, /* the result_format template */
};

/*
 * sqlmap_expand_parse - check tmpl and add its flags to ctx. Returns 0, or
 * -1 with "invalid query template: ..." (or "result") in err.
 */
int sqlmap_expand_parse(struct sqlmap_expand *ctx, const char *tmpl,
			enum sqlmap_expand_kind kind, struct sbuf *err);

/* sqlmap_expand_is_pattern - do the templates use parts of the key? */
bool sqlmap_expand_is_pattern(const struct sqlmap_expand *ctx);

/*
 * Quoting callback: append s, escaped for the server, to out. Returns 0,
 * or -1 when out is full.
 */
typedef int sqlmap_quote_fn(const char *s, struct sbuf *out, void *arg);

/*
 * Sink for the values a backend reads from the database, in order: NULL
 * for an SQL NULL. Returns 0 to go on, or -1 to stop the lookup (the sink
 * has said why in its own state). Borrowed value: valid during the call.
 */
typedef int sqlmap_value_fn(const char *value, void *arg);

enum sqlmap_expand_result {
	SQLMAP_EXPAND_OK,      /* text appended */
	SQLMAP_EXPAND_SKIP,    /* suppressed by the rules; nothing appended */
	SQLMAP_EXPAND_TOOBIG,  /* out reached its maximum; out is unchanged */
};

/*
 * sqlmap_expand_query - expand a (parsed) query template for key into out
 * (appended), quoting every substitution with quote (NULL: copy as is).
 * SKIP: the key is empty, or lacks the parts the templates need (§3).
 */
enum sqlmap_expand_result
sqlmap_expand_query(const struct sqlmap_expand *ctx, const char *tmpl,
		    const char *key, sqlmap_quote_fn *quote, void *arg,
		    struct sbuf *out);

/*
 * sqlmap_expand_result - expand result_format for one database value and
 * append it to out, preceded by "," when out is not empty. SKIP: the value
 * is empty, or lacks the local part or domain the template uses.
 */
enum sqlmap_expand_result
sqlmap_expand_result(const struct sqlmap_expand *ctx, const char *tmpl,
		     const char *value, const char *key, struct sbuf *out);

#endif
