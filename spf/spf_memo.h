/*
 * spf_memo.h - the DNS answers one SPF check has been given, and the
 * queries it still waits for.
 *
 * The evaluator re-runs from the start on every pass (spf.h), so it asks
 * the memo for each answer again and again: a pass begins with
 * spf_memo_begin_pass, each spf_memo_get either finds the answer or
 * notes the query as missing for this pass. Names match
 * case-insensitively (ASCII). The number of distinct queries a check
 * may use is capped (the backstop of spf.h); answers nobody asked for
 * are kept up to a second cap and then dropped. Not thread-safe.
 */
#ifndef PW_SPF_MEMO_H
#define PW_SPF_MEMO_H

#include <stddef.h>

#include "dns.h"

struct spf_memo;

enum spf_memo_status {
	SPF_MEMO_FOUND,	  /* *a_r holds the answer */
	SPF_MEMO_MISSING, /* noted as missing for this pass */
	SPF_MEMO_FULL,	  /* a new query past max_queries: not noted */
};

/* spf_memo_new - max_queries distinct queries; caller frees */
struct spf_memo *spf_memo_new(unsigned int max_queries);
void spf_memo_free(struct spf_memo **mp); /* NULL-safe */

/* spf_memo_begin_pass - forget the missing list of the last pass */
void spf_memo_begin_pass(struct spf_memo *m);

/*
 * spf_memo_get - the answer to (name, type), borrowed until
 * spf_memo_free. A query counts against max_queries the first time it
 * is asked for, whether or not its answer is already there.
 */
enum spf_memo_status spf_memo_get(struct spf_memo *m, const char *name,
				  enum dns_type type,
				  const struct dns_answer **a_r);

/* spf_memo_put - keep a copy of a as the answer to (name, type) */
void spf_memo_put(struct spf_memo *m, const char *name, enum dns_type type,
		  const struct dns_answer *a);

/* spf_memo_missing_count - queries noted missing in this pass */
size_t spf_memo_missing_count(const struct spf_memo *m);
/* spf_memo_missing - the i-th of them; name borrowed until spf_memo_free */
const char *spf_memo_missing(const struct spf_memo *m, size_t i,
			     enum dns_type *type_r);

/* spf_memo_used - distinct queries asked for that have their answer */
unsigned int spf_memo_used(const struct spf_memo *m);

#endif
