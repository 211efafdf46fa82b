/*
 * workq.h - a small worker pool behind a bounded queue, glued to libevent.
 *
 * CPU-bound or blocking work (password hashing, SQL queries) runs in
 * worker threads, never in the event loop. Each job has a work function
 * that runs in a worker and a done function that runs afterwards in the
 * event loop thread, so connection state is only touched by the loop.
 * Each worker owns a context made by thread_init (e.g. its own SQL
 * connection) and passed to every work function it runs.
 *
 * Ownership: the caller keeps arg alive until done runs; workq_free waits
 * for running jobs and drops queued ones (their done runs with
 * cancelled = true). Thread-safety: workq_submit and workq_free are called
 * from the event loop thread only.
 */
#ifndef PW_WORKQ_H
#define PW_WORKQ_H

#include <stdbool.h>

struct event_base;
struct workq;

typedef void *workq_thread_init_fn(void *init_arg);  /* returns thread ctx */
typedef void workq_thread_done_fn(void *thread_ctx);
typedef void workq_work_fn(void *thread_ctx, void *arg); /* in a worker */
typedef void workq_done_fn(void *arg, bool cancelled);  /* in the loop */

/*
 * workq_new - start threads workers (0: one per online CPU) that take at
 * most max_queued waiting jobs. init/fini may be NULL.
 */
struct workq *workq_new(struct event_base *base, unsigned int threads,
			unsigned int max_queued, workq_thread_init_fn *init,
			workq_thread_done_fn *fini, void *init_arg);
/* workq_submit - queue a job; -1 when the queue is full (shed load) */
int workq_submit(struct workq *q, workq_work_fn *work, workq_done_fn *done,
		 void *arg);
/* workq_pending - jobs queued or running */
unsigned int workq_pending(const struct workq *q);
void workq_free(struct workq **qp);

#endif
