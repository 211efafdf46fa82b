/*
 * dns_sync.c - blocking lookups on one shared libunbound context for
 * many threads (dns_sync.h).
 *
 * Why not ub_resolve: it runs the whole resolution in the calling
 * thread with no deadline of its own, so a silent server would hold a
 * milter thread for as long as libunbound keeps retrying. Instead each
 * query goes to libunbound's background thread with ub_resolve_async,
 * and the caller waits on a condition variable until the answer is
 * there or its deadline passes; then it cancels the query (ub_cancel:
 * no callback later). Answers come back through ub_fd/ub_process,
 * which call the callbacks in the thread that calls ub_process: one
 * waiting thread at a time (the "reader") polls the fd, briefly and
 * never past its own deadline, and processes the answers of every
 * thread, then wakes them all. Every libunbound call is made under
 * the one mutex, so the context is never used by two threads at once.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unbound.h>

#include "dns.h"
#include "dns_rdata.h"
#include "dns_sync.h"
#include "dns_ubctx.h"
#include "log.h"
#include "sbuf.h"
#include "xalloc.h"

#define DNS_SYNC_TIMEOUT_MS 5000
#define DNS_SYNC_POLL_MS 50 /* longest a reader waits in one poll */
#define DNS_SYNC_CLASS_IN 1
#define DNS_SYNC_RCODE_NXDOMAIN 3

struct dns_sync {
	struct ub_ctx *ctx;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* an answer was processed, or the reader left */
	bool reading;	   /* a thread polls ub_fd now */
	unsigned int timeout_ms;
};

struct dns_sync_query {
	enum dns_type type;
	bool done;
	struct dns_answer *answer;
};

/* dns_sync_configure - the options of dns_unbound.h on a new context */
static int dns_sync_configure(struct ub_ctx *ctx,
			      const struct dns_unbound_options *o,
			      struct sbuf *err)
{
	int rc;

	if (dns_ubctx_configure(ctx, o, err) < 0)
		return -1;
	/* queries run in a thread of ours, not a forked process */
	if ((rc = ub_ctx_async(ctx, 1)) != 0) {
		sbuf_printf(err, "libunbound: %s", ub_strerror(rc));
		return -1;
	}
	return 0;
}

struct dns_sync *dns_sync_new(const struct dns_unbound_options *o,
			      struct sbuf *err)
{
	struct dns_sync *s;
	struct ub_ctx *ctx = ub_ctx_create();
	pthread_condattr_t ca;

	if (ctx == NULL) {
		sbuf_append_str(err, "libunbound: cannot create a context");
		return NULL;
	}
	if (dns_sync_configure(ctx, o, err) < 0) {
		ub_ctx_delete(ctx);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->ctx = ctx;
	s->timeout_ms = o->timeout_ms != 0 ? o->timeout_ms
					   : DNS_SYNC_TIMEOUT_MS;
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	return s;
}

void dns_sync_free(struct dns_sync **sp)
{
	struct dns_sync *s = *sp;

	if (s == NULL)
		return;
	ub_ctx_delete(s->ctx);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
	*sp = NULL;
}

/* dns_sync_decode - a libunbound result as a dns_answer */
static struct dns_answer *dns_sync_decode(enum dns_type type,
					  struct ub_result *res)
{
	struct dns_answer *a;
	struct sbuf *err;

	if (res->bogus)
		return dns_answer_new(DNS_TEMPFAIL, type);
	if (res->rcode == DNS_SYNC_RCODE_NXDOMAIN || res->nxdomain) {
		a = dns_answer_new(DNS_NXDOMAIN, type);
		a->ttl = res->ttl > 0 ? (unsigned int)res->ttl : 0;
		return a;
	}
	if (res->rcode != 0)
		return dns_answer_new(DNS_TEMPFAIL, type);
	a = dns_answer_new(DNS_OK, type);
	a->ttl = res->ttl > 0 ? (unsigned int)res->ttl : 0;
	err = sbuf_new(64);
	for (int i = 0; res->havedata && res->data[i] != NULL; i++) {
		if (res->len[i] < 0 ||
		    dns_rdata_add(a, type, (const unsigned char *)res->data[i],
				  (size_t)res->len[i], err) < 0) {
			log_debug("dns: %s: bad record: %s", dns_type_name(type),
				  sbuf_cstr(err));
			dns_answer_free(&a);
			a = dns_answer_new(DNS_TEMPFAIL, type);
			break;
		}
	}
	sbuf_free(&err);
	return a;
}

/* dns_sync_callback - from ub_process, with s->mu held by the reader */
static void dns_sync_callback(void *arg, int rc, struct ub_result *res)
{
	struct dns_sync_query *q = arg;

	if (rc != 0 || res == NULL)
		q->answer = dns_answer_new(DNS_TEMPFAIL, q->type);
	else
		q->answer = dns_sync_decode(q->type, res);
	if (res != NULL)
		ub_resolve_free(res);
	q->done = true;
}

/* dns_sync_ms_left - milliseconds until deadline, 0 if past */
static long dns_sync_ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 0;
}

/* dns_sync_name_ok - a name libunbound can encode (RFC 1035 limits) */
static bool dns_sync_name_ok(const char *name)
{
	size_t len = strnlen(name, DNS_MAX_NAME + 1);

	return len > 0 && len <= DNS_MAX_NAME && dns_ubctx_name_ok(name, len);
}

struct dns_answer *dns_sync_resolve(struct dns_sync *s, const char *name,
				    enum dns_type type)
{
	struct dns_sync_query q = {type, false, NULL};
	struct timespec deadline;
	int id = 0, rc;

	if (!dns_sync_name_ok(name))
		return dns_answer_new(DNS_TEMPFAIL, type);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += s->timeout_ms / 1000;
	deadline.tv_nsec += (long)(s->timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}

	pthread_mutex_lock(&s->mu);
	rc = ub_resolve_async(s->ctx, name, (int)type, DNS_SYNC_CLASS_IN, &q,
			      dns_sync_callback, &id);
	if (rc != 0) {
		pthread_mutex_unlock(&s->mu);
		log_info("dns: %s: %s", dns_type_name(type), ub_strerror(rc));
		return dns_answer_new(DNS_TEMPFAIL, type);
	}
	while (!q.done) {
		long left = dns_sync_ms_left(&deadline);
		struct pollfd pfd;

		if (left == 0) {
			/* no callback for q after this */
			(void)ub_cancel(s->ctx, id);
			break;
		}
		if (s->reading) {
			/* another thread reads; it wakes us per answer */
			int w = pthread_cond_timedwait(&s->cv, &s->mu,
						       &deadline);

			if (w != 0 && w != ETIMEDOUT && w != EINTR)
				log_panic("dns: pthread_cond_timedwait: %d", w);
			continue;
		}
		s->reading = true;
		pfd.fd = ub_fd(s->ctx);
		pfd.events = POLLIN;
		pfd.revents = 0;
		pthread_mutex_unlock(&s->mu);
		(void)poll(&pfd, 1,
			   (int)(left < DNS_SYNC_POLL_MS ? left
							 : DNS_SYNC_POLL_MS));
		pthread_mutex_lock(&s->mu);
		if (pfd.revents != 0)
			(void)ub_process(s->ctx);
		s->reading = false;
		/* answers for others, or someone else may read now */
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	if (!q.done) {
		log_debug("dns: %s: timed out", dns_type_name(type));
		return dns_answer_new(DNS_TEMPFAIL, type);
	}
	return q.answer;
}
