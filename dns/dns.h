/*
 * dns.h - DNS answers as the mail checks consume them, and the resolver
 * interface they ask through.
 *
 * An answer holds only the records of the queried type, already decoded
 * from wire format (dns_rdata.h) and checked against hard limits, so SPF
 * and DKIM code never touches wire data. Every query has three outcomes
 * and a failure never looks like "no such record":
 *
 *	DNS_OK		the name exists; n records (n == 0 is NODATA)
 *	DNS_NXDOMAIN	the name does not exist
 *	DNS_TEMPFAIL	timeout, SERVFAIL, REFUSED, a malformed or
 *			over-limit answer: try again later
 *
 * Resolvers are asynchronous on a libevent loop (dns_resolver below).
 * Implementations: dns_unbound.h (libunbound, production) and
 * dns_zone.h (an in-memory zone for tests and conformance suites).
 */
#ifndef PW_DNS_H
#define PW_DNS_H

#include <stddef.h>
#include <stdint.h>

struct sbuf;

enum dns_type {
	DNS_T_A = 1,
	DNS_T_CNAME = 5,
	DNS_T_PTR = 12,
	DNS_T_MX = 15,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28,
	DNS_T_SPF = 99,
};

enum dns_status {
	DNS_OK,
	DNS_NXDOMAIN,
	DNS_TEMPFAIL,
};

/* Hard limits on what one answer may hold; past them: DNS_TEMPFAIL. */
#define DNS_MAX_RRS 256		 /* records of the queried type */
#define DNS_MAX_TXT (64u << 10)	 /* bytes of one TXT record, joined */
#define DNS_MAX_NAME 1024	 /* bytes of a name in text form */

/*
 * One record. data/len by type:
 *	A	4 bytes, network order
 *	AAAA	16 bytes, network order
 *	TXT/SPF	the character-strings joined with nothing between them
 *		(RFC 7208 3.3, RFC 6376 3.6.2.2); may hold any byte, NUL
 *		included; nstrings says how many there were (0 is legal
 *		in test zones)
 *	MX	exchange name as text, pref set
 *	PTR	target name as text
 *	CNAME	target name as text
 * Names are text without the final dot, in the case the server sent,
 * with bytes outside printable ASCII, "." inside a label and "\" written
 * as \DDD / \. / \\ (RFC 1035 5.1 presentation form). The root is "".
 * data is always NUL-terminated one past len.
 */
struct dns_rr {
	unsigned char *data;
	size_t len;
	uint16_t pref;	   /* MX only */
	uint16_t nstrings; /* TXT/SPF only */
};

struct dns_answer {
	enum dns_status status;
	enum dns_type type;
	unsigned int ttl; /* seconds it may be kept; 0: unknown (only
			   * dns_sync.h fills it) */
	size_t n;
	struct dns_rr *rr; /* n records, in answer order */
};

/* dns_answer_new - an empty answer with that status (caller frees) */
struct dns_answer *dns_answer_new(enum dns_status status, enum dns_type type);
/* dns_answer_add - append a copy of data/len; -1 past DNS_MAX_RRS */
int dns_answer_add(struct dns_answer *a, const void *data, size_t len,
		   uint16_t pref, uint16_t nstrings);
struct dns_answer *dns_answer_dup(const struct dns_answer *a);
void dns_answer_free(struct dns_answer **ap); /* NULL-safe */

const char *dns_type_name(enum dns_type t);	/* "TXT", "A", ... */
const char *dns_status_name(enum dns_status s); /* "ok", "nxdomain", ... */

/*
 * The resolver interface. dns_resolve starts a query and returns a
 * handle; done runs exactly once, later, from the event loop (never from
 * inside dns_resolve), unless the query is cancelled first. The answer is
 * borrowed for the duration of the call (dns_answer_dup to keep it). The
 * handle is invalid once done has run. Each resolver enforces its own
 * per-query timeout (an expired query answers DNS_TEMPFAIL).
 */
struct dns_resolver;
struct dns_query;
typedef void dns_done_fn(void *arg, const struct dns_answer *a);

struct dns_query *dns_resolve(struct dns_resolver *r, const char *name,
			      enum dns_type type, dns_done_fn *done,
			      void *arg);
/* dns_cancel - done will not run; NULL-safe; *qp = NULL after */
void dns_cancel(struct dns_query **qp);
/* dns_resolver_free - cancels what is in flight (no done calls) */
void dns_resolver_free(struct dns_resolver **rp);

#endif
