/*
 * workq.c - worker threads behind a bounded queue, glued to libevent.
 *
 * Design: one mutex guards two singly linked lists, the waiting jobs
 * (FIFO, at most max_queued) and the finished jobs not yet handed back.
 * Workers sleep on a condition variable, take the oldest waiting job,
 * run it without the lock, then append it to the finished list. When
 * that list goes from empty to non-empty the worker writes one byte to a
 * self-pipe; the loop thread watches the read end with a persistent
 * EV_READ event, drains the pipe, takes the whole finished list under the
 * lock and calls each done function in the order the jobs finished. A
 * byte is written only on the empty -> non-empty edge, so the pipe never
 * fills; a wake-up that finds the list empty is harmless.
 *
 * This needs nothing from libevent's thread support (no evthread, no
 * event_active from other threads): only the loop thread touches the
 * event base. Workers block every signal so that signals reach the loop
 * thread, where libevent handles them.
 *
 * workq_free sets stop, cancels the waiting jobs, wakes and joins the
 * workers (each finishes its running job and calls fini), then calls the
 * done function of every finished job (cancelled = false) and of every
 * cancelled one (cancelled = true). Calling workq_free from inside a done
 * function is a bug (log_panic): the dispatch loop still owns jobs.
 */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "workq.h"
#include "xalloc.h"

#define WORKQ_MAX_THREADS 256u /* more than this is a configuration bug */

struct workq_job {
	workq_work_fn *work;
	workq_done_fn *done;
	void *arg;
	struct workq_job *next;
};

/* A FIFO list of jobs */
struct workq_list {
	struct workq_job *head;
	struct workq_job *tail;
};

struct workq {
	struct event_base *base; /* borrowed */
	struct event *ev;	 /* EV_READ on pipefd[0], loop thread */
	int pipefd[2];

	pthread_mutex_t lock;	  /* guards everything down to "stop" */
	pthread_cond_t cond;	  /* a job was queued, or stop was set */
	struct workq_list waiting;
	unsigned int nwaiting;
	struct workq_list finished;
	bool stop;

	/* set before the threads start, read-only afterwards */
	unsigned int max_queued;
	workq_thread_init_fn *init;
	workq_thread_done_fn *fini;
	void *init_arg;
	pthread_t *threads;
	unsigned int nthreads;

	/* loop thread only */
	unsigned int pending;	  /* submitted, done not called yet */
	bool dispatching;	  /* inside a done function */
};

/* list_push - append a job to a FIFO list */
static void list_push(struct workq_list *l, struct workq_job *j)
{
	j->next = NULL;
	if (l->tail != NULL)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
}

/* list_take - detach the whole list and return its first job */
static struct workq_job *list_take(struct workq_list *l)
{
	struct workq_job *j = l->head;

	l->head = l->tail = NULL;
	return j;
}

/* xlock - pthread_mutex_lock that cannot fail silently */
static void xlock(pthread_mutex_t *m)
{
	int e = pthread_mutex_lock(m);

	if (e != 0)
		log_panic("workq: pthread_mutex_lock: %s", strerror(e));
}

/* xunlock - pthread_mutex_unlock that cannot fail silently */
static void xunlock(pthread_mutex_t *m)
{
	int e = pthread_mutex_unlock(m);

	if (e != 0)
		log_panic("workq: pthread_mutex_unlock: %s", strerror(e));
}

/* notify - wake the loop thread (one byte on the self-pipe) */
static void notify(struct workq *q)
{
	static const char one = 1;
	ssize_t n;

	do {
		n = write(q->pipefd[1], &one, 1);
	} while (n < 0 && errno == EINTR);
	/* EAGAIN: a byte is already waiting, which is all we need */
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
		log_panic("workq: write to the wake-up pipe: %s",
			  strerror(errno));
}

/* worker_main - run jobs until stop is set */
static void *worker_main(void *varg)
{
	struct workq *q = varg;
	struct workq_job *j;
	void *ctx = q->init != NULL ? q->init(q->init_arg) : NULL;
	bool wake;

	xlock(&q->lock);
	for (;;) {
		while (!q->stop && q->waiting.head == NULL)
			pthread_cond_wait(&q->cond, &q->lock);
		if (q->stop)
			break;
		j = q->waiting.head;
		q->waiting.head = j->next;
		if (q->waiting.head == NULL)
			q->waiting.tail = NULL;
		q->nwaiting--;
		xunlock(&q->lock);

		j->work(ctx, j->arg);

		xlock(&q->lock);
		wake = q->finished.head == NULL;
		list_push(&q->finished, j);
		if (wake)
			notify(q);
	}
	xunlock(&q->lock);
	if (q->fini != NULL)
		q->fini(ctx);
	return NULL;
}

/* deliver - call done for a detached list of jobs and free them */
static void deliver(struct workq *q, struct workq_job *j, bool cancelled)
{
	struct workq_job *next;

	for (; j != NULL; j = next) {
		next = j->next;
		q->pending--;
		j->done(j->arg, cancelled);
		free(j);
	}
}

/* on_wakeup - loop thread: hand finished jobs to their done functions */
static void on_wakeup(evutil_socket_t fd, short what, void *varg)
{
	struct workq *q = varg;
	struct workq_job *j;
	char buf[64]; /* fixed: wake-up bytes carry no data */
	ssize_t n;

	(void)what;
	do {
		n = read(fd, buf, sizeof(buf));
	} while (n > 0 || (n < 0 && errno == EINTR));
	xlock(&q->lock);
	j = list_take(&q->finished);
	xunlock(&q->lock);
	q->dispatching = true;
	deliver(q, j, false);
	q->dispatching = false;
}

/* set_nonblock_cloexec - flags for one end of the pipe */
static void set_nonblock_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		log_fatal("workq: fcntl: %s", strerror(errno));
}

/* workq_new - start the workers */
struct workq *workq_new(struct event_base *base, unsigned int threads,
			unsigned int max_queued, workq_thread_init_fn *init,
			workq_thread_done_fn *fini, void *init_arg)
{
	struct workq *q;
	sigset_t all, old;
	unsigned int i;
	long ncpu;
	int e;

	if (max_queued == 0)
		log_panic("workq_new: max_queued must be at least 1");
	if (threads == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		threads = ncpu < 1 ? 1 : (unsigned int)ncpu;
	}
	if (threads > WORKQ_MAX_THREADS)
		threads = WORKQ_MAX_THREADS;

	q = xcalloc(1, sizeof(*q));
	q->base = base;
	q->max_queued = max_queued;
	q->init = init;
	q->fini = fini;
	q->init_arg = init_arg;
	if (pipe(q->pipefd) < 0)
		log_fatal("workq: pipe: %s", strerror(errno));
	set_nonblock_cloexec(q->pipefd[0]);
	set_nonblock_cloexec(q->pipefd[1]);
	q->ev = event_new(base, q->pipefd[0], EV_READ | EV_PERSIST, on_wakeup,
			  q);
	if (q->ev == NULL || event_add(q->ev, NULL) < 0)
		log_fatal("workq: cannot add the wake-up event");
	if ((e = pthread_mutex_init(&q->lock, NULL)) != 0 ||
	    (e = pthread_cond_init(&q->cond, NULL)) != 0)
		log_fatal("workq: pthread init: %s", strerror(e));

	/* Workers inherit the mask: signals go to the loop thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	q->threads = xcalloc(threads, sizeof(*q->threads));
	for (i = 0; i < threads; i++) {
		e = pthread_create(&q->threads[i], NULL, worker_main, q);
		if (e != 0)
			log_fatal("workq: pthread_create: %s", strerror(e));
		q->nthreads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return q;
}

/* workq_submit - queue a job unless the queue is full */
int workq_submit(struct workq *q, workq_work_fn *work, workq_done_fn *done,
		 void *arg)
{
	struct workq_job *j;

	xlock(&q->lock);
	if (q->nwaiting >= q->max_queued) {
		xunlock(&q->lock);
		return -1;
	}
	xunlock(&q->lock);
	/* allocate outside the lock; only this thread adds jobs */
	j = xmalloc(sizeof(*j));
	j->work = work;
	j->done = done;
	j->arg = arg;
	xlock(&q->lock);
	list_push(&q->waiting, j);
	q->nwaiting++;
	pthread_cond_signal(&q->cond);
	xunlock(&q->lock);
	q->pending++;
	return 0;
}

/* workq_pending - jobs whose done function has not run yet */
unsigned int workq_pending(const struct workq *q)
{
	return q->pending;
}

/* workq_free - stop the workers; NULL-safe */
void workq_free(struct workq **qp)
{
	struct workq *q = *qp;
	struct workq_job *cancelled, *finished;
	unsigned int i;
	int e;

	if (q == NULL)
		return;
	if (q->dispatching)
		log_panic("workq_free called from a done function");
	xlock(&q->lock);
	q->stop = true;
	cancelled = list_take(&q->waiting);
	q->nwaiting = 0;
	pthread_cond_broadcast(&q->cond);
	xunlock(&q->lock);
	for (i = 0; i < q->nthreads; i++)
		if ((e = pthread_join(q->threads[i], NULL)) != 0)
			log_panic("workq: pthread_join: %s", strerror(e));
	/* no worker left: the lists are ours */
	finished = list_take(&q->finished);
	q->dispatching = true;
	deliver(q, finished, false);
	deliver(q, cancelled, true);
	q->dispatching = false;
	if (q->pending != 0)
		log_panic("workq_free: %u jobs unaccounted for", q->pending);
	event_free(q->ev);
	close(q->pipefd[0]);
	close(q->pipefd[1]);
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	free(q->threads);
	free(q);
	*qp = NULL;
}
