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
#include "log.h"
#include "sbuf.h"
#include "xalloc.h"

#define DNS_SYNC_TIMEOUT_MS 5000
#define DNS_SYNC_POLL_MS 50 /* longest a reader waits in one poll */
#define DNS_SYNC_CLASS_IN 1
#define DNS_SYNC_SERVER_MAX 128
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

/* dns_sync_setopt - ub_ctx_set_option or an error */
static int dns_sync_setopt(struct ub_ctx *ctx, const char *opt,
			   const char *val, struct sbuf *err)
{
	int rc = ub_ctx_set_option(ctx, opt, val);

	if (rc != 0) {
		sbuf_printf(err, "libunbound option %s %s: %s", opt, val,
			    ub_strerror(rc));
		return -1;
	}
	return 0;
}

/* dns_sync_servers - ub_ctx_set_fwd for each "addr[@port]" */
static int dns_sync_servers(struct ub_ctx *ctx, const char *list,
			    struct sbuf *err)
{
	static const char sep[] = " \t,";
	const char *p = list;
	int nservers = 0;

	for (;;) {
		size_t n;
		char *addr;
		int rc;

		p += strspn(p, sep);
		if (*p == '\0')
			break;
		n = strcspn(p, sep);
		if (n > DNS_SYNC_SERVER_MAX) {
			sbuf_append_str(err, "dns servers: address too long");
			return -1;
		}
		addr = xstrndup(p, n);
		rc = ub_ctx_set_fwd(ctx, addr);
		if (rc != 0)
			sbuf_printf(err, "dns servers: bad address \"%s\": %s",
				    addr, ub_strerror(rc));
		free(addr);
		if (rc != 0)
			return -1;
		nservers++;
		p += n;
	}
	if (nservers == 0) {
		sbuf_append_str(err, "dns servers: no address");
		return -1;
	}
	return 0;
}

/*
 * unbound's default local zones (services/localzone.c, as of 1.17), the
 * same list dns_unbound.c makes transparent: with
 * no_default_local_zones their queries go to the servers
 */
static const char *const dns_sync_default_zones[] = {
	"localhost.",
	"127.in-addr.arpa.",
	"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	"ip6.arpa.",
	"0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	"ip6.arpa.",
	"home.arpa.",
	"onion.",
	"test.",
	"invalid.",
	"10.in-addr.arpa.",
	"168.192.in-addr.arpa.",
	"0.in-addr.arpa.",
	"254.169.in-addr.arpa.",
	"2.0.192.in-addr.arpa.",
	"100.51.198.in-addr.arpa.",
	"113.0.203.in-addr.arpa.",
	"255.255.255.255.in-addr.arpa.",
	"d.f.ip6.arpa.",
	"8.e.f.ip6.arpa.",
	"9.e.f.ip6.arpa.",
	"a.e.f.ip6.arpa.",
	"b.e.f.ip6.arpa.",
	"8.b.d.0.1.0.0.2.ip6.arpa.",
};

/* dns_sync_transparent - every default local zone asks the servers */
static int dns_sync_transparent(struct ub_ctx *ctx, struct sbuf *err)
{
	size_t nzones =
	    sizeof(dns_sync_default_zones) / sizeof(dns_sync_default_zones[0]);
	struct sbuf *v = sbuf_new(64);
	int rc = 0;

	for (size_t i = 0; i < nzones && rc == 0; i++) {
		sbuf_reset(v);
		sbuf_printf(v, "%s transparent", dns_sync_default_zones[i]);
		rc = dns_sync_setopt(ctx, "local-zone:", sbuf_cstr(v), err);
	}
	/* RFC 1918 172.16/12 and RFC 6598 100.64/10 */
	for (unsigned int i = 16; i <= 31 && rc == 0; i++) {
		sbuf_reset(v);
		sbuf_printf(v, "%u.172.in-addr.arpa. transparent", i);
		rc = dns_sync_setopt(ctx, "local-zone:", sbuf_cstr(v), err);
	}
	for (unsigned int i = 64; i <= 127 && rc == 0; i++) {
		sbuf_reset(v);
		sbuf_printf(v, "%u.100.in-addr.arpa. transparent", i);
		rc = dns_sync_setopt(ctx, "local-zone:", sbuf_cstr(v), err);
	}
	sbuf_free(&v);
	return rc;
}

/* dns_sync_configure - the options of dns_unbound.h on a new context */
static int dns_sync_configure(struct ub_ctx *ctx,
			      const struct dns_unbound_options *o,
			      struct sbuf *err)
{
	int rc;

	if (dns_sync_setopt(ctx, "do-not-query-localhost:", "no", err) < 0)
		return -1;
	if (o->servers != NULL && o->servers[strspn(o->servers, " \t,")]) {
		if (dns_sync_servers(ctx, o->servers, err) < 0)
			return -1;
	} else if ((rc = ub_ctx_resolvconf(ctx, o->resolv_conf)) != 0) {
		sbuf_printf(err, "%s: %s",
			    o->resolv_conf != NULL ? o->resolv_conf
						   : "/etc/resolv.conf",
			    ub_strerror(rc));
		return -1;
	}
	if (o->no_default_local_zones && dns_sync_transparent(ctx, err) < 0)
		return -1;
	if (o->trust_anchor_file != NULL &&
	    (rc = ub_ctx_add_ta_file(ctx, o->trust_anchor_file)) != 0) {
		sbuf_printf(err, "%s: %s", o->trust_anchor_file,
			    ub_strerror(rc));
		return -1;
	}
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
	if (res->rcode == DNS_SYNC_RCODE_NXDOMAIN || res->nxdomain)
		return dns_answer_new(DNS_NXDOMAIN, type);
	if (res->rcode != 0)
		return dns_answer_new(DNS_TEMPFAIL, type);
	a = dns_answer_new(DNS_OK, type);
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
	size_t len = strnlen(name, DNS_MAX_NAME + 1), label = 0, wire = 1;

	if (len == 0 || len > DNS_MAX_NAME)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (label == 0 && !(i == 0 && len == 1))
				return false;
			wire += 1 + label;
			label = 0;
		} else if (name[i] == '\\' || ++label > 63) {
			return false; /* no escapes in the names we ask for */
		}
	}
	return wire + (label > 0 ? 1 + label : 0) <= 255;
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
