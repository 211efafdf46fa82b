/*
 * spf.h - RFC 7208 check_host(), as a pure function over DNS answers.
 *
 * The evaluator does no I/O. spf_check_run() evaluates the whole check
 * from the start against the answers it has been given so far; when it
 * needs one it does not have, it stops and lists every query it can
 * already tell it will need (SPF_STEP_NEED_DNS). The caller resolves
 * them, hands the answers in with spf_check_answer() and runs again.
 * Re-running from the start keeps the evaluator free of saved stacks and
 * callbacks: a check makes at most a few dozen queries, and each pass is
 * cheap next to one DNS round trip. spf_run.h drives a check over a
 * dns_resolver on the event loop with a time limit; tests drive it over
 * an in-memory zone with the same code.
 *
 * Counting follows RFC 7208 4.6.4 on every pass: at most lim.dns_terms
 * DNS-querying terms (include a mx ptr exists redirect) per check_host
 * tree, at most lim.void_lookups answers that are NXDOMAIN or empty,
 * at most lim.mx_names / lim.ptr_names names per mx / ptr term.
 *
 * All input is untrusted: records, names, macro results and the request
 * itself. Nothing here logs.
 */
#ifndef PW_SPF_H
#define PW_SPF_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "dns.h"

enum spf_result {
	SPF_NONE,
	SPF_NEUTRAL,
	SPF_PASS,
	SPF_FAIL,
	SPF_SOFTFAIL,
	SPF_TEMPERROR,
	SPF_PERMERROR,
};

/* spf_result_name - "none", "neutral", "pass", ... (RFC 7208 2.6) */
const char *spf_result_name(enum spf_result r);

enum spf_identity {
	SPF_ID_MAILFROM, /* check the domain of sender; helo if sender "" */
	SPF_ID_HELO,	 /* check helo as postmaster@helo (RFC 7208 2.3) */
};

struct spf_limits {
	unsigned int dns_terms;	   /* 10 */
	unsigned int void_lookups; /* 2 */
	unsigned int mx_names;	   /* 10 */
	unsigned int ptr_names;	   /* 10 */
	/* max_queries - distinct queries of one check, a backstop above
	 * what the limits allow (10 mx terms of 10 exchanges each, the
	 * record, exp= and a %{p} are about 125) */
	unsigned int max_queries;  /* 150 */
};
#define SPF_LIMITS_DEFAULT {10, 2, 10, 10, 150}

struct spf_request {
	const char *ip;	      /* client address, IPv4 or IPv6 text */
	const char *sender;   /* MAIL FROM without <>; "" = null sender */
	const char *helo;     /* HELO/EHLO argument, "" if none */
	enum spf_identity identity;
	const char *receiver; /* %{r}: our host name; NULL: "unknown" */
	time_t now;	      /* %{t} */
	/*
	 * default_exp - explanation for a fail without a usable exp=, as a
	 * macro-string (expanded like exp= text); NULL: SPF_DEFAULT_EXP.
	 * Conformance tests set the literal "DEFAULT".
	 */
	const char *default_exp;
	const struct spf_limits *limits; /* NULL: SPF_LIMITS_DEFAULT */
};

#define SPF_DEFAULT_EXP "See https://%{d}/why.html?s=%{S}&i=%{I}"

enum spf_step {
	SPF_STEP_DONE,	   /* the result is final */
	SPF_STEP_NEED_DNS, /* resolve spf_check_query(0..n-1), then run again */
};

struct spf_check;

/*
 * spf_check_new - a check for req (copied: the caller's strings may go).
 * An ip that does not parse ends the check as SPF_PERMERROR at the first
 * run, with no DNS query and the problem set.
 */
struct spf_check *spf_check_new(const struct spf_request *req);
void spf_check_free(struct spf_check **cp);

/* spf_check_run - evaluate as far as the answers allow */
enum spf_step spf_check_run(struct spf_check *c);

/* After SPF_STEP_NEED_DNS: the queries still missing (at least one). */
size_t spf_check_query_count(const struct spf_check *c);
/* spf_check_query - i-th missing query; name borrowed until the next run */
const char *spf_check_query(const struct spf_check *c, size_t i,
			    enum dns_type *type_r);

/*
 * spf_check_answer - give the answer to (name, type); copied. Names
 * match case-insensitively. An answer nobody asked for is kept and
 * harmless. Distinct queries asked count against lim.max_queries.
 */
void spf_check_answer(struct spf_check *c, const char *name,
		      enum dns_type type, const struct dns_answer *a);

/*
 * spf_check_expire - the caller's time limit passed: the check ends now
 * as SPF_TEMPERROR ("DNS time limit"), except when only the exp= text is
 * still missing: then it is the fail it is, with the default explanation
 * (RFC 7208 6.2).
 */
void spf_check_expire(struct spf_check *c);

/* After SPF_STEP_DONE (all borrowed until spf_check_free): */
enum spf_result spf_check_result(const struct spf_check *c);
/* spf_check_domain - the domain checked (<domain> of check_host), may be "" */
const char *spf_check_domain(const struct spf_check *c);
/* spf_check_sender - the sender checked, postmaster@ filled in */
const char *spf_check_sender(const struct spf_check *c);
/*
 * spf_check_explanation - for SPF_FAIL: the expanded exp= text, or the
 * expanded default; NULL for other results. Printable ASCII only.
 */
const char *spf_check_explanation(const struct spf_check *c);
/*
 * spf_check_mechanism - the term that matched, as written ("ip4:1.2.3.0/24",
 * "-all", "default" when none matched, "" when no record); for headers
 */
const char *spf_check_mechanism(const struct spf_check *c);
/*
 * spf_check_problem - for SPF_PERMERROR/SPF_TEMPERROR (and SPF_NONE): a
 * short reason ("2 SPF records", "unknown mechanism 'foo'", "DNS timeout
 * for example.com TXT", "no SPF record"); never peer text longer than
 * 200 bytes; printable ASCII only. "" otherwise.
 */
const char *spf_check_problem(const struct spf_check *c);
/* spf_check_queries_made - answers used (for logs and tests) */
unsigned int spf_check_queries_made(const struct spf_check *c);

#endif
