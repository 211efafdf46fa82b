/*
 * spf_memo.c - DNS answers of one SPF check (spf_memo.h).
 *
 * A flat array searched linearly: a check makes at most max_queries
 * (100) distinct queries, and a pass costs nothing next to one DNS
 * round trip.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spf_memo.h"
#include "xalloc.h"

/* answers nobody asked for, kept beyond max_queries */
#define SPF_MEMO_SPARE 32

struct spf_memo_entry {
	char *name;
	enum dns_type type;
	struct dns_answer *a; /* NULL: not answered yet */
	bool asked;	      /* counted against max_queries */
	unsigned long pass;   /* last pass that noted it missing */
};

struct spf_memo {
	unsigned int max_queries;
	unsigned int asked;
	unsigned long pass;
	size_t n, cap;
	struct spf_memo_entry *e;
	size_t nmissing;
	size_t *missing; /* indexes into e, cap entries */
};

/* spf_memo_new - an empty memo */
struct spf_memo *spf_memo_new(unsigned int max_queries)
{
	struct spf_memo *m = xcalloc(1, sizeof(*m));

	m->max_queries = max_queries;
	m->pass = 1;
	return m;
}

/* spf_memo_free - free every answer */
void spf_memo_free(struct spf_memo **mp)
{
	struct spf_memo *m = *mp;

	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->e[i].name);
		dns_answer_free(&m->e[i].a);
	}
	free(m->e);
	free(m->missing);
	free(m);
	*mp = NULL;
}

/* spf_memo_begin_pass - a new pass notes its own missing queries */
void spf_memo_begin_pass(struct spf_memo *m)
{
	m->pass++;
	m->nmissing = 0;
}

/* spf_memo_find - index of (name, type), or -1 */
static long spf_memo_find(const struct spf_memo *m, const char *name,
			  enum dns_type type)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->e[i].type == type && strcasecmp(m->e[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* spf_memo_add - a new entry (the caller checked the caps) */
static size_t spf_memo_add(struct spf_memo *m, const char *name,
			   enum dns_type type)
{
	if (m->n == m->cap) {
		m->cap = m->cap == 0 ? 16 : m->cap * 2;
		m->e = xrealloc(m->e, m->cap * sizeof(*m->e));
		m->missing = xrealloc(m->missing, m->cap * sizeof(size_t));
	}
	memset(&m->e[m->n], 0, sizeof(m->e[m->n]));
	m->e[m->n].name = xstrdup(name);
	m->e[m->n].type = type;
	return m->n++;
}

/* spf_memo_get - look up, counting and noting what is missing */
enum spf_memo_status spf_memo_get(struct spf_memo *m, const char *name,
				  enum dns_type type,
				  const struct dns_answer **a_r)
{
	long found = spf_memo_find(m, name, type);
	struct spf_memo_entry *e;
	size_t i;

	if (found < 0 || !m->e[found].asked) {
		if (m->asked >= m->max_queries)
			return SPF_MEMO_FULL;
		i = found < 0 ? spf_memo_add(m, name, type) : (size_t)found;
		m->e[i].asked = true;
		m->asked++;
	} else {
		i = (size_t)found;
	}
	e = &m->e[i];
	if (e->a != NULL) {
		*a_r = e->a;
		return SPF_MEMO_FOUND;
	}
	if (e->pass != m->pass) {
		e->pass = m->pass;
		m->missing[m->nmissing++] = i;
	}
	return SPF_MEMO_MISSING;
}

/* spf_memo_put - keep the first answer to each query */
void spf_memo_put(struct spf_memo *m, const char *name, enum dns_type type,
		  const struct dns_answer *a)
{
	long found = spf_memo_find(m, name, type);
	size_t i;

	if (found >= 0) {
		i = (size_t)found;
		if (m->e[i].a != NULL)
			return;
	} else {
		if (m->n >= (size_t)m->max_queries + SPF_MEMO_SPARE)
			return;
		i = spf_memo_add(m, name, type);
	}
	m->e[i].a = dns_answer_dup(a);
}

/* spf_memo_missing_count - missing queries of this pass */
size_t spf_memo_missing_count(const struct spf_memo *m) { return m->nmissing; }

/* spf_memo_missing - one missing query */
const char *spf_memo_missing(const struct spf_memo *m, size_t i,
			     enum dns_type *type_r)
{
	const struct spf_memo_entry *e;

	if (i >= m->nmissing)
		return NULL;
	e = &m->e[m->missing[i]];
	if (type_r != NULL)
		*type_r = e->type;
	return e->name;
}

/* spf_memo_used - asked-for queries with their answer */
unsigned int spf_memo_used(const struct spf_memo *m)
{
	unsigned int n = 0;

	for (size_t i = 0; i < m->n; i++)
		if (m->e[i].asked && m->e[i].a != NULL)
			n++;
	return n;
}
