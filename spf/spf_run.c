/*
 * spf_run.c - drive an spf_check over a dns_resolver (spf_run.h).
 *
 * Every run of the check lists the queries it misses; those not already
 * in flight are started at once, so independent lookups overlap. Each
 * answer goes into the check, which then runs again; answers may come
 * in any order. The run ends when the check is done or the time limit
 * fires (spf_check_expire), and frees itself before calling done.
 */
#include "config.h"

#include <event2/event.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "log.h"
#include "spf.h"
#include "spf_run.h"
#include "xalloc.h"

struct spf_run_query {
	struct spf_run *run;
	struct dns_query *q;
	char *name;
	enum dns_type type;
	struct spf_run_query *prev, *next;
};

struct spf_run {
	struct event_base *base;
	struct dns_resolver *r;
	struct spf_check *c;
	spf_run_done_fn *done;
	void *arg;
	struct event *limit_ev; /* the time limit, or NULL */
	struct event *done_ev;	/* done from the loop after a quick end */
	struct spf_run_query *inflight;
};

/* spf_run_unlink - take rq off the in-flight list */
static void spf_run_unlink(struct spf_run_query *rq)
{
	if (rq->prev != NULL)
		rq->prev->next = rq->next;
	else
		rq->run->inflight = rq->next;
	if (rq->next != NULL)
		rq->next->prev = rq->prev;
}

/* spf_run_query_free - forget one query (cancelled or answered) */
static void spf_run_query_free(struct spf_run_query *rq)
{
	spf_run_unlink(rq);
	dns_cancel(&rq->q);
	free(rq->name);
	free(rq);
}

/* spf_run_free - cancel what is in flight, free the run */
static void spf_run_free(struct spf_run *run)
{
	while (run->inflight != NULL)
		spf_run_query_free(run->inflight);
	if (run->limit_ev != NULL)
		event_free(run->limit_ev);
	if (run->done_ev != NULL)
		event_free(run->done_ev);
	free(run);
}

/* spf_run_finish - the check is done: free the run, then tell */
static void spf_run_finish(struct spf_run *run)
{
	spf_run_done_fn *done = run->done;
	struct spf_check *c = run->c;
	void *arg = run->arg;

	spf_run_free(run);
	done(arg, c);
}

/* spf_run_is_inflight - is (name, type) asked for already? */
static bool spf_run_is_inflight(const struct spf_run *run, const char *name,
				enum dns_type type)
{
	for (const struct spf_run_query *rq = run->inflight; rq != NULL;
	     rq = rq->next)
		if (rq->type == type && strcasecmp(rq->name, name) == 0)
			return true;
	return false;
}

static void spf_run_on_answer(void *arg, const struct dns_answer *a);

/*
 * spf_run_step - run the check; start the queries it misses. Returns
 * true when the check is done.
 */
static bool spf_run_step(struct spf_run *run)
{
	size_t n;

	if (spf_check_run(run->c) == SPF_STEP_DONE)
		return true;
	n = spf_check_query_count(run->c);
	for (size_t i = 0; i < n; i++) {
		struct spf_run_query *rq;
		enum dns_type type;
		const char *name = spf_check_query(run->c, i, &type);

		if (name == NULL || spf_run_is_inflight(run, name, type))
			continue;
		rq = xcalloc(1, sizeof(*rq));
		rq->run = run;
		rq->name = xstrdup(name);
		rq->type = type;
		rq->next = run->inflight;
		if (rq->next != NULL)
			rq->next->prev = rq;
		run->inflight = rq;
		rq->q =
		    dns_resolve(run->r, rq->name, type, spf_run_on_answer, rq);
	}
	if (run->inflight == NULL)
		log_panic("spf_run_step: the check waits for nothing");
	return false;
}

/* spf_run_on_answer - one answer: into the check, and run again */
static void spf_run_on_answer(void *arg, const struct dns_answer *a)
{
	struct spf_run_query *rq = arg;
	struct spf_run *run = rq->run;

	rq->q = NULL; /* the handle is invalid once done has run */
	spf_check_answer(run->c, rq->name, rq->type, a);
	spf_run_query_free(rq);
	if (spf_run_step(run))
		spf_run_finish(run);
}

/* spf_run_on_limit - the time limit: the check ends as temperror */
static void spf_run_on_limit(evutil_socket_t fd, short what, void *arg)
{
	struct spf_run *run = arg;

	(void)fd;
	(void)what;
	spf_check_expire(run->c);
	spf_run_finish(run);
}

/* spf_run_on_done - the check ended inside spf_run_start */
static void spf_run_on_done(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	spf_run_finish(arg);
}

/* spf_run_start - first run now, answers and done from the loop */
struct spf_run *spf_run_start(struct event_base *base, struct dns_resolver *r,
			      struct spf_check *c, unsigned int time_limit_ms,
			      spf_run_done_fn *done, void *arg)
{
	struct spf_run *run = xcalloc(1, sizeof(*run));
	static const struct timeval now = {0, 0};

	run->base = base;
	run->r = r;
	run->c = c;
	run->done = done;
	run->arg = arg;
	if (time_limit_ms > 0) {
		struct timeval tv = {time_limit_ms / 1000,
				     (time_limit_ms % 1000) * 1000};

		run->limit_ev = evtimer_new(base, spf_run_on_limit, run);
		if (run->limit_ev == NULL ||
		    evtimer_add(run->limit_ev, &tv) < 0)
			log_fatal("spf_run_start: cannot add a timer event");
	}
	if (spf_run_step(run)) {
		/* done never runs from inside spf_run_start */
		if (run->limit_ev != NULL)
			event_del(run->limit_ev);
		run->done_ev = evtimer_new(base, spf_run_on_done, run);
		if (run->done_ev == NULL || evtimer_add(run->done_ev, &now) < 0)
			log_fatal("spf_run_start: cannot add a timer event");
	}
	return run;
}

/* spf_run_cancel - stop without calling done */
void spf_run_cancel(struct spf_run **rp)
{
	struct spf_run *run = *rp;

	if (run == NULL)
		return;
	spf_run_free(run);
	*rp = NULL;
}
