/* listener.c - accept connections up to a maximum, count them, drain */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "listener.h"
#include "log.h"
#include "xalloc.h"

/* One accept callback takes at most this many: other events get a turn. */
#define LISTENER_ACCEPT_BATCH 64

struct listener_entry {
	void *conn;
	struct listener_entry *prev, *next;
};

struct listener {
	struct event_base *base;
	const char *name, *max_param;
	unsigned int max_conns;
	struct event *accept_ev;
	bool paused, draining;
	listener_accept_fn *accept_fn;
	void *arg;
	listener_idle_fn *idle_fn;
	void *idle_arg;
	struct listener_entry *head; /* newest first */
	unsigned int count;
};

/* listener_pause - leave new connections in the backlog */
static void listener_pause(struct listener *l)
{
	event_del(l->accept_ev);
	l->paused = true;
}

/* listener_resume_if_room - accept again after a pause, unless draining */
static void listener_resume_if_room(struct listener *l)
{
	if (l->paused && !l->draining && l->count < l->max_conns) {
		l->paused = false;
		event_add(l->accept_ev, NULL);
	}
}

/* on_accept - new connections, up to the maximum */
static void on_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct listener *l = arg;
	int i, fd;

	(void)what;
	for (i = 0; i < LISTENER_ACCEPT_BATCH; i++) {
		if (l->count >= l->max_conns) {
			/* leave the rest in the backlog until one closes */
			log_warn("%s: %u connections: not accepting more (%s)",
				 l->name, l->count, l->max_param);
			listener_pause(l);
			return;
		}
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_warn("%s: accept: %s", l->name,
					 strerror(errno));
			return;
		}
		if (evutil_make_socket_nonblocking(fd) < 0 ||
		    evutil_make_socket_closeonexec(fd) < 0) {
			log_warn("%s: cannot set up an accepted socket",
				 l->name);
			close(fd);
			continue;
		}
		l->accept_fn(l->arg, fd);
	}
}

/* listener_new - start accepting */
struct listener *listener_new(struct event_base *base, int listen_fd,
			      const char *name, const char *max_param,
			      unsigned int max_conns,
			      listener_accept_fn *accept_fn, void *arg)
{
	struct listener *l = xcalloc(1, sizeof(*l));

	l->base = base;
	l->name = name;
	l->max_param = max_param;
	l->max_conns = max_conns;
	l->accept_fn = accept_fn;
	l->arg = arg;
	l->accept_ev =
	    event_new(base, listen_fd, EV_READ | EV_PERSIST, on_accept, l);
	if (l->accept_ev == NULL || event_add(l->accept_ev, NULL) < 0)
		log_panic("%s: cannot watch the listening socket", name);
	return l;
}

/* listener_each - fn on every connection; fn may remove the one it got */
static void listener_each(struct listener *l, listener_conn_fn *fn)
{
	struct listener_entry *e, *next;

	for (e = l->head; e != NULL; e = next) {
		next = e->next;
		fn(e->conn);
	}
}

/* listener_free - close what is left, stop accepting */
void listener_free(struct listener **lp, listener_conn_fn *close_fn)
{
	struct listener *l = *lp;

	if (l == NULL)
		return;
	l->idle_fn = NULL;
	l->draining = true; /* no accept resumes while closing */
	listener_each(l, close_fn);
	if (l->head != NULL)
		log_panic("%s: a connection outlived its listener", l->name);
	event_free(l->accept_ev);
	free(l);
	*lp = NULL;
}

/* listener_add - one more open connection */
struct listener_entry *listener_add(struct listener *l, void *conn)
{
	struct listener_entry *e = xcalloc(1, sizeof(*e));

	e->conn = conn;
	e->next = l->head;
	if (l->head != NULL)
		l->head->prev = e;
	l->head = e;
	l->count++;
	return e;
}

/* listener_remove - one connection fewer: resume, or report idle */
void listener_remove(struct listener *l, struct listener_entry **ep)
{
	struct listener_entry *e = *ep;

	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		l->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	free(e);
	*ep = NULL;
	l->count--;
	if (l->draining) {
		if (l->count == 0 && l->idle_fn != NULL)
			l->idle_fn(l->idle_arg);
	} else {
		listener_resume_if_room(l);
	}
}

/* listener_set_max - new maximum; accept again if now below it */
void listener_set_max(struct listener *l, unsigned int max_conns)
{
	l->max_conns = max_conns;
	listener_resume_if_room(l);
}

/* listener_drain - stop accepting, let the server close idle ones */
void listener_drain(struct listener *l, listener_conn_fn *drain_fn,
		    listener_idle_fn *idle_fn, void *idle_arg)
{
	l->draining = true;
	l->idle_fn = idle_fn;
	l->idle_arg = idle_arg;
	event_del(l->accept_ev);
	if (l->count == 0) {
		if (idle_fn != NULL)
			idle_fn(idle_arg);
		return;
	}
	listener_each(l, drain_fn); /* idle_fn after the last remove */
}

/* listener_is_draining - stopped accepting for good? */
bool listener_is_draining(const struct listener *l)
{
	return l->draining;
}

/* listener_connections - how many are open */
unsigned int listener_connections(const struct listener *l)
{
	return l->count;
}

/* listener_bufferevent - an accepted socket's bufferevent, limits set */
struct bufferevent *
listener_bufferevent(struct listener *l, int fd, size_t read_high,
		     unsigned int idle_timeout, unsigned int write_timeout,
		     bufferevent_data_cb read_cb, bufferevent_data_cb write_cb,
		     bufferevent_event_cb event_cb, void *arg)
{
	struct timeval idle = {(time_t)idle_timeout, 0};
	struct timeval wr = {(time_t)write_timeout, 0};
	struct bufferevent *bev;

	bev = bufferevent_socket_new(l->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		log_panic("%s: bufferevent_socket_new failed", l->name);
	bufferevent_setcb(bev, read_cb, write_cb, event_cb, arg);
	bufferevent_setwatermark(bev, EV_READ, 0, read_high);
	bufferevent_set_timeouts(bev, idle_timeout > 0 ? &idle : NULL, &wr);
	return bev;
}
