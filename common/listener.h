/*
 * listener.h - the accepting side of a daemon's socket, on libevent.
 *
 * Owns the accept event of a listening socket and the list of the
 * connections it handed out. At max_conns open connections it stops
 * accepting (the rest wait in the kernel's backlog) and starts again when
 * one closes. Draining stops accepting for good and reports once the last
 * connection is gone, so a daemon can exit after answering what is in
 * flight. The protocol state of a connection stays with the server: the
 * listener only knows it as an opaque pointer.
 *
 * Ownership: the listening socket is borrowed (the caller closes it after
 * listener_free); an accepted socket passes to the accept callback. A
 * struct listener_entry belongs to the listener and lives from
 * listener_add to listener_remove. Event loop thread only. Peer data never
 * passes through here.
 */
#ifndef PW_LISTENER_H
#define PW_LISTENER_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/bufferevent.h>

struct event_base;
struct listener;
struct listener_entry;

/* listener_accept_fn - a new connection on fd (takes ownership); the
 * callee sets it up and calls listener_add for it */
typedef void listener_accept_fn(void *arg, int fd);
/* listener_conn_fn - act on one connection (conn as given to
 * listener_add); it may call listener_remove for that connection only */
typedef void listener_conn_fn(void *conn);
/* listener_idle_fn - draining, and the last connection is gone */
typedef void listener_idle_fn(void *arg);

/*
 * listener_new - accept on listen_fd, at most max_conns at once. name
 * starts every log line ("auth", "policyd"); max_param names the setting
 * behind max_conns in the warning when it is reached. Both are borrowed
 * for the listener's life (string literals).
 */
struct listener *listener_new(struct event_base *base, int listen_fd,
			      const char *name, const char *max_param,
			      unsigned int max_conns,
			      listener_accept_fn *accept_fn, void *arg);
/*
 * listener_free - stop accepting and call close_fn on every connection
 * left, which must listener_remove it; no idle callback runs. NULL-safe.
 */
void listener_free(struct listener **lp, listener_conn_fn *close_fn);

/* listener_add - count conn (borrowed) as open; never NULL */
struct listener_entry *listener_add(struct listener *l, void *conn);
/*
 * listener_remove - conn of *ep is gone (*ep = NULL after): accept again
 * below the maximum, or, when draining and it was the last, call the
 * idle callback (which may free the caller's state: return after)
 */
void listener_remove(struct listener *l, struct listener_entry **ep);

/* listener_set_max - a new maximum (reload); resumes accepting below it */
void listener_set_max(struct listener *l, unsigned int max_conns);
/*
 * listener_drain - stop accepting for good and call drain_fn on each
 * open connection (to close those with nothing in flight); idle_fn runs
 * once none is left, at once when there are none
 */
void listener_drain(struct listener *l, listener_conn_fn *drain_fn,
		    listener_idle_fn *idle_fn, void *idle_arg);
/* listener_is_draining - has listener_drain been called? */
bool listener_is_draining(const struct listener *l);
/* listener_connections - connections added and not yet removed */
unsigned int listener_connections(const struct listener *l);

/*
 * listener_bufferevent - a bufferevent on an accepted fd (takes
 * ownership: closed when the bufferevent is freed) that buffers at most
 * read_high bytes of input, with an idle timeout (seconds, 0: none) and a
 * write timeout (seconds); not enabled yet. Never NULL.
 */
struct bufferevent *
listener_bufferevent(struct listener *l, int fd, size_t read_high,
		     unsigned int idle_timeout, unsigned int write_timeout,
		     bufferevent_data_cb read_cb, bufferevent_data_cb write_cb,
		     bufferevent_event_cb event_cb, void *arg);

#endif
