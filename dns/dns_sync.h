/*
 * dns_sync.h - a blocking resolver for threads that may wait: libmilter
 * calls milterd from one thread per SMTP connection, with no event loop
 * to plug dns.h's asynchronous resolvers into.
 *
 * One libunbound context (and so one cache) serves every thread. Its
 * queries run in libunbound's own thread (ub_ctx_async); a caller
 * waits for its own answer, and whichever waiting thread is free reads
 * the answers for all of them (leader/followers), so no thread polls
 * for long and each query ends by its own deadline, the per-query
 * timeout of the options, even when the server is silent.
 *
 * Answers come as dns.h's struct dns_answer, decoded by dns_rdata.h
 * with its limits: a bogus DNSSEC answer, SERVFAIL, REFUSED, a timeout
 * or anything malformed is DNS_TEMPFAIL, never "not found".
 * Thread-safe: dns_sync_resolve may be called from any thread at once;
 * dns_sync_new and dns_sync_free from one, with no query in flight.
 */
#ifndef PW_DNS_SYNC_H
#define PW_DNS_SYNC_H

#include "dns.h"
#include "dns_unbound.h"

struct sbuf;
struct dns_sync;

/*
 * dns_sync_new - a resolver with the options of dns_unbound.h (copied);
 * caller frees with dns_sync_free. NULL with a reason in err.
 */
struct dns_sync *dns_sync_new(const struct dns_unbound_options *o,
			      struct sbuf *err);
void dns_sync_free(struct dns_sync **sp); /* NULL-safe */

/*
 * dns_sync_resolve - look up name (borrowed, text form) and wait for
 * the answer or the timeout. Never NULL; caller frees with
 * dns_answer_free.
 */
struct dns_answer *dns_sync_resolve(struct dns_sync *s, const char *name,
				    enum dns_type type);

#endif
