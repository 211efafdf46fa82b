/* workq_test.c - unit tests for common/workq */
#include "config.h"

#include <criterion/criterion.h>
#include <event2/event.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "workq.h"

#define NJOBS 64

struct job {
	unsigned int id;
	pthread_t loop;		/* the thread that must run done */
	atomic_bool ran;	/* work ran (in a worker) */
	bool done_called;
	bool cancelled;
	bool done_in_loop;
	void *ctx_seen;
};

struct state {
	struct event_base *base;
	unsigned int order[NJOBS * 16];
	unsigned int ndone;
	unsigned int expect; /* break the loop after this many done */
};

static struct state st;
static atomic_int ctx_made, ctx_freed;
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_open;
static atomic_int gate_waiting;

static void setup(void)
{
	st.base = event_base_new();
	cr_assert_not_null(st.base);
	st.ndone = 0;
	st.expect = 0;
	atomic_store(&ctx_made, 0);
	atomic_store(&ctx_freed, 0);
	gate_open = false;
	atomic_store(&gate_waiting, 0);
}

static void teardown(void)
{
	event_base_free(st.base);
}

static void work_plain(void *ctx, void *arg)
{
	struct job *j = arg;

	j->ctx_seen = ctx;
	atomic_store(&j->ran, true);
}

/* work_gated - block until the test opens the gate */
static void work_gated(void *ctx, void *arg)
{
	struct job *j = arg;

	j->ctx_seen = ctx;
	pthread_mutex_lock(&gate_lock);
	atomic_fetch_add(&gate_waiting, 1);
	while (!gate_open)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
	atomic_store(&j->ran, true);
}

static void open_gate(void)
{
	pthread_mutex_lock(&gate_lock);
	gate_open = true;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
}

/* open_gate_later - thread body: open the gate after 50 ms */
static void *open_gate_later(void *arg)
{
	(void)arg;
	usleep(50000);
	open_gate();
	return NULL;
}

/* wait_gated - until n workers sit in work_gated (bounded: 10 s) */
static void wait_gated(int n)
{
	int i;

	for (i = 0; i < 10000 && atomic_load(&gate_waiting) < n; i++)
		usleep(1000);
	cr_assert_eq(atomic_load(&gate_waiting), n);
}

static void on_done(void *arg, bool cancelled)
{
	struct job *j = arg;

	cr_assert_not(j->done_called, "done called twice for job %u", j->id);
	j->done_called = true;
	j->cancelled = cancelled;
	j->done_in_loop = pthread_equal(pthread_self(), j->loop);
	if (st.ndone < sizeof(st.order) / sizeof(st.order[0]))
		st.order[st.ndone] = j->id;
	st.ndone++;
	if (st.expect != 0 && st.ndone == st.expect)
		event_base_loopbreak(st.base);
}

/* run_until - dispatch until expect done calls (bounded by a timer) */
static void run_until(unsigned int expect)
{
	struct timeval tv = {10, 0};

	st.expect = expect;
	if (st.ndone >= expect)
		return;
	event_base_loopexit(st.base, &tv);
	event_base_dispatch(st.base);
	cr_assert_eq(st.ndone, expect, "only %u of %u jobs done", st.ndone,
		     expect);
}

static void job_init(struct job *j, unsigned int id)
{
	j->id = id;
	j->loop = pthread_self();
	atomic_store(&j->ran, false);
	j->done_called = false;
	j->cancelled = false;
	j->done_in_loop = false;
	j->ctx_seen = NULL;
}

TestSuite(workq, .init = setup, .fini = teardown, .timeout = 60);

Test(workq, done_runs_in_loop_thread_in_order_with_one_worker)
{
	struct workq *q = workq_new(st.base, 1, NJOBS, NULL, NULL, NULL);
	static struct job jobs[NJOBS];
	unsigned int i;

	for (i = 0; i < NJOBS; i++) {
		job_init(&jobs[i], i);
		cr_assert_eq(workq_submit(q, work_plain, on_done, &jobs[i]), 0);
	}
	cr_assert_eq(workq_pending(q), NJOBS);
	run_until(NJOBS);
	for (i = 0; i < NJOBS; i++) {
		cr_assert(atomic_load(&jobs[i].ran));
		cr_assert_not(jobs[i].cancelled);
		cr_assert(jobs[i].done_in_loop);
		cr_assert_eq(st.order[i], i, "job %u finished as %u", i,
			     st.order[i]);
	}
	cr_assert_eq(workq_pending(q), 0);
	workq_free(&q);
	cr_assert_null(q);
}

Test(workq, full_queue_refuses)
{
	struct workq *q = workq_new(st.base, 1, 2, NULL, NULL, NULL);
	static struct job jobs[4];
	unsigned int i;

	for (i = 0; i < 4; i++)
		job_init(&jobs[i], i);
	/* job 0 occupies the only worker, 1 and 2 fill the queue */
	cr_assert_eq(workq_submit(q, work_gated, on_done, &jobs[0]), 0);
	wait_gated(1);
	cr_assert_eq(workq_submit(q, work_gated, on_done, &jobs[1]), 0);
	cr_assert_eq(workq_submit(q, work_gated, on_done, &jobs[2]), 0);
	cr_assert_eq(workq_submit(q, work_gated, on_done, &jobs[3]), -1);
	cr_assert_eq(workq_pending(q), 3);
	open_gate();
	run_until(3);
	cr_assert_not(jobs[3].done_called);
	/* room again */
	cr_assert_eq(workq_submit(q, work_plain, on_done, &jobs[3]), 0);
	run_until(4);
	workq_free(&q);
}

static void *make_ctx(void *arg)
{
	int *n = malloc(sizeof(*n));

	cr_assert_not_null(n);
	*n = *(int *)arg;
	atomic_fetch_add(&ctx_made, 1);
	return n;
}

static void free_ctx(void *ctx)
{
	cr_assert_eq(*(int *)ctx, 42);
	atomic_fetch_add(&ctx_freed, 1);
	free(ctx);
}

Test(workq, per_thread_context)
{
	static int magic = 42;
	struct workq *q = workq_new(st.base, 3, NJOBS, make_ctx, free_ctx,
				    &magic);
	static struct job jobs[3];
	void *a, *b, *c;
	unsigned int i;

	/* three gated jobs: each sits in its own worker */
	for (i = 0; i < 3; i++) {
		job_init(&jobs[i], i);
		cr_assert_eq(workq_submit(q, work_gated, on_done, &jobs[i]), 0);
	}
	wait_gated(3);
	open_gate();
	run_until(3);
	a = jobs[0].ctx_seen;
	b = jobs[1].ctx_seen;
	c = jobs[2].ctx_seen;
	cr_assert(a != NULL && b != NULL && c != NULL);
	cr_assert(a != b && b != c && a != c, "contexts are per thread");
	cr_assert_eq(*(int *)a, 42);
	workq_free(&q);
	cr_assert_eq(atomic_load(&ctx_made), 3);
	cr_assert_eq(atomic_load(&ctx_freed), 3);
}

Test(workq, free_cancels_queued_and_waits_for_running)
{
	struct workq *q = workq_new(st.base, 1, 8, NULL, NULL, NULL);
	static struct job jobs[4];
	pthread_t opener;
	unsigned int i;

	for (i = 0; i < 4; i++)
		job_init(&jobs[i], i);
	cr_assert_eq(workq_submit(q, work_gated, on_done, &jobs[0]), 0);
	wait_gated(1);
	for (i = 1; i < 4; i++)
		cr_assert_eq(workq_submit(q, work_plain, on_done, &jobs[i]),
			     0);
	/* open the gate from another thread while workq_free waits */
	cr_assert_eq(pthread_create(&opener, NULL, open_gate_later, NULL), 0);
	workq_free(&q);
	pthread_join(opener, NULL);
	cr_assert(atomic_load(&jobs[0].ran));
	cr_assert(jobs[0].done_called);
	cr_assert_not(jobs[0].cancelled);
	for (i = 1; i < 4; i++) {
		cr_assert(jobs[i].done_called);
		cr_assert(jobs[i].cancelled);
		cr_assert_not(atomic_load(&jobs[i].ran));
		cr_assert(jobs[i].done_in_loop);
	}
	cr_assert_eq(st.ndone, 4);
}

Test(workq, free_idle_and_null)
{
	struct workq *q = workq_new(st.base, 0, 1, NULL, NULL, NULL);

	cr_assert_eq(workq_pending(q), 0);
	workq_free(&q);
	cr_assert_null(q);
	workq_free(&q);
}

Test(workq, many_jobs_bounded_queue)
{
	enum { TOTAL = 5000, MAXQ = 16 };
	struct workq *q = workq_new(st.base, 4, MAXQ, NULL, NULL, NULL);
	static struct job jobs[TOTAL];
	unsigned int submitted = 0, i;
	struct timeval tv = {0, 1000};

	/* submit as fast as possible; when refused, let the loop run */
	st.expect = 0;
	while (submitted < TOTAL) {
		job_init(&jobs[submitted], submitted);
		if (workq_submit(q, work_plain, on_done, &jobs[submitted]) ==
		    0) {
			submitted++;
			continue;
		}
		/* refused only when MAXQ jobs wait (4 more may run) */
		cr_assert_geq(workq_pending(q), MAXQ);
		event_base_loopexit(st.base, &tv);
		event_base_dispatch(st.base);
	}
	run_until(TOTAL);
	for (i = 0; i < TOTAL; i++) {
		cr_assert(jobs[i].done_called);
		cr_assert_not(jobs[i].cancelled);
	}
	cr_assert_eq(workq_pending(q), 0);
	workq_free(&q);
}
