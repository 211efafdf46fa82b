/*
 * policy_server.c - connections and requests of the policy socket.
 *
 * Ownership: the server owns its connections, a connection its queue of
 * requests (struct preq, oldest first), a request its parsed attributes
 * and its decision while that runs. The listener (common/listener.h)
 * accepts connections, counts them against policyd_max_connections and
 * reports when a drain is complete.
 *
 * Re-entrancy: a decision may end inside policy_decide_start (no check
 * configured) while conn_process runs; then only the action is stored
 * and conn_process writes it. From any other callback the reply is
 * written at once. A connection is closed only from a top-level
 * callback or from conn_process, whose callers return right after.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "linerd.h"
#include "listener.h"
#include "log.h"
#include "policy_conf.h"
#include "policy_decide.h"
#include "policy_proto.h"
#include "policy_server.h"
#include "sbuf.h"
#include "xalloc.h"

#define POLICY_SERVER_READ_HIGH (64u << 10) /* input buffered per conn */
#define POLICY_SERVER_OUT_MAX (64u << 10)   /* unread replies per conn */
#define POLICY_SERVER_READ_CHUNK 4096

struct preq {
	struct policy_conn *conn;
	struct policy_request *req;
	struct policy_decision *dec; /* while the checks run */
	char *action;		     /* decided, not written yet */
	struct event *timer;	     /* policyd_check_timeout */
	struct preq *next;
};

struct policy_conn {
	struct policy_server *srv;
	struct bufferevent *bev;
	struct linerd *lr;
	struct sbuf *line;
	unsigned long id;
	struct policy_request *cur; /* being received */
	struct event *req_timer;    /* policyd_request_timeout for cur */
	struct preq *head, *tail;
	unsigned int nq;
	bool in_process; /* conn_process is on the stack */
	bool eof;	 /* the client sent everything it will */
	bool broken;	 /* protocol error: answer what came before, close */
	bool closing;	 /* replies flush, then close */
	struct listener_entry *entry;
};

struct policy_server {
	struct event_base *base;
	const struct policy_conf *cf;
	struct policy_decide *decide;
	struct listener *listener; /* accepting, counting, draining */
	unsigned long next_id;
	policy_server_idle_fn *idle_fn;
	void *idle_arg;
	struct sbuf *out; /* scratch for replies */
	struct sbuf *log; /* scratch for log lines */
	struct sbuf *err; /* scratch for a line's protocol error */
};

static void conn_close(struct policy_conn *c);
static void conn_process(struct policy_conn *c);

/* tv_secs - a timeval of s seconds */
static struct timeval tv_secs(unsigned int s)
{
	struct timeval tv = {(time_t)s, 0};

	return tv;
}

/* preq_free - unlink the head request and free it */
static void preq_free_head(struct policy_conn *c)
{
	struct preq *p = c->head;

	c->head = p->next;
	if (c->head == NULL)
		c->tail = NULL;
	c->nq--;
	policy_decide_cancel(&p->dec, "connection closed");
	if (p->timer != NULL)
		event_free(p->timer);
	policy_request_free(&p->req);
	free(p->action);
	free(p);
}

/* conn_flush - write the answers at the head of the queue, in order */
static void conn_flush(struct policy_conn *c)
{
	struct sbuf *out = c->srv->out;

	while (c->head != NULL && c->head->action != NULL) {
		sbuf_reset(out);
		if (policy_reply_format(out, c->head->action) < 0 &&
		    policy_reply_format(out, c->srv->cf->default_action) < 0)
			log_panic("policyd: no valid action to send");
		if (bufferevent_write(c->bev, sbuf_data(out), sbuf_len(out)) <
		    0)
			log_warn("policy connection %lu: cannot queue a reply",
				 c->id);
		preq_free_head(c);
	}
}

/* conn_after_answer - a reply went out: close or read on (top level) */
static void conn_after_answer(struct policy_conn *c)
{
	conn_flush(c);
	conn_process(c);
}

/* on_decided - policy_decide_done_fn */
static void on_decided(void *arg, const char *action)
{
	struct preq *p = arg;
	struct policy_conn *c = p->conn;

	p->dec = NULL;
	p->action = xstrdup(action);
	if (p->timer != NULL) {
		event_free(p->timer);
		p->timer = NULL;
	}
	if (!c->in_process)
		conn_after_answer(c);
}

/* on_check_timeout - the checks took too long: the default action */
static void on_check_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct preq *p = arg;
	struct policy_conn *c = p->conn;
	struct policy_server *s = c->srv;

	(void)fd;
	(void)what;
	policy_decide_cancel(&p->dec, "policyd_check_timeout");
	sbuf_reset(s->log);
	policy_decide_log_line(p->req, s->cf->default_action,
			       "policyd_check_timeout", s->log);
	log_warn("%s", sbuf_cstr(s->log));
	event_free(p->timer);
	p->timer = NULL;
	p->action = xstrdup(s->cf->default_action);
	conn_after_answer(c);
}

/* conn_request - a complete request: queue it and start deciding */
static void conn_request(struct policy_conn *c)
{
	struct policy_server *s = c->srv;
	struct preq *p = xcalloc(1, sizeof(*p));
	struct timeval tv = tv_secs(s->cf->check_timeout);

	p->conn = c;
	p->req = c->cur;
	c->cur = NULL;
	evtimer_del(c->req_timer);
	if (c->tail != NULL)
		c->tail->next = p;
	else
		c->head = p;
	c->tail = p;
	c->nq++;
	p->timer = evtimer_new(s->base, on_check_timeout, p);
	if (p->timer == NULL || evtimer_add(p->timer, &tv) < 0)
		log_panic("policyd: cannot add the check timer");
	p->dec = policy_decide_start(s->decide, p->req, on_decided, p);
}

/* conn_line - one line; -1: protocol error (logged), close */
static int conn_line(struct policy_conn *c)
{
	struct policy_server *s = c->srv;
	struct sbuf *err = s->err;
	struct timeval tv = tv_secs(s->cf->request_timeout);
	int rc = 0;

	sbuf_reset(err);
	if (c->cur == NULL) {
		c->cur = policy_request_new();
		if (evtimer_add(c->req_timer, &tv) < 0)
			log_panic("policyd: cannot add the request timer");
	}
	switch (policy_request_add_line(c->cur, sbuf_data(c->line),
					sbuf_len(c->line), err)) {
	case POLICY_LINE_MORE:
		break;
	case POLICY_LINE_END:
		conn_request(c);
		break;
	case POLICY_LINE_ERROR:
		log_warn("policy connection %lu: protocol error: %s; closing",
			 c->id, sbuf_cstr(err));
		rc = -1;
		break;
	}
	return rc;
}

/* conn_shutdown - stop reading, drop what is in flight, flush, close */
static void conn_shutdown(struct policy_conn *c)
{
	while (c->head != NULL)
		preq_free_head(c);
	policy_request_free(&c->cur);
	evtimer_del(c->req_timer);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		conn_close(c);
		return;
	}
	c->closing = true;
	bufferevent_disable(c->bev, EV_READ);
}

/* conn_done_reading - nothing more will come: close once answered */
static bool conn_done_reading(struct policy_conn *c)
{
	if (c->nq > 0)
		return false;
	if (c->cur != NULL)
		log_info("policy connection %lu: closed inside a request",
			 c->id);
	conn_shutdown(c);
	return true;
}

/*
 * conn_broken - a protocol violation: read nothing more, answer the
 * complete requests before it, then close
 */
static void conn_broken(struct policy_conn *c)
{
	c->broken = true;
	policy_request_free(&c->cur);
	evtimer_del(c->req_timer);
	bufferevent_disable(c->bev, EV_READ);
	conn_flush(c);
	if (c->nq == 0)
		conn_shutdown(c);
}

/* conn_process - take lines while pipeline slots and output room last */
static void conn_process(struct policy_conn *c)
{
	struct policy_server *s = c->srv;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer *out = bufferevent_get_output(c->bev);
	char buf[POLICY_SERVER_READ_CHUNK];
	int n;

	if (c->closing || c->in_process)
		return;
	if (c->broken) {
		conn_flush(c);
		if (c->nq == 0)
			conn_shutdown(c);
		return;
	}
	c->in_process = true;
	for (;;) {
		conn_flush(c);
		/* full: resumed when a request ends or the output drains */
		if (c->nq >= s->cf->max_pipeline ||
		    evbuffer_get_length(out) > POLICY_SERVER_OUT_MAX)
			break;
		switch (linerd_next(c->lr, c->line)) {
		case LINERD_LINE:
			if (conn_line(c) < 0) {
				c->in_process = false;
				conn_broken(c);
				return;
			}
			continue;
		case LINERD_TOO_LONG:
			log_warn("policy connection %lu: protocol error: line "
				 "longer than %u bytes; closing",
				 c->id, POLICY_PROTO_MAX_LINE);
			c->in_process = false;
			conn_broken(c);
			return;
		case LINERD_NEED_MORE:
			break;
		default: /* EOF: every line taken */
			c->in_process = false;
			if (!conn_done_reading(c))
				bufferevent_disable(c->bev, EV_READ);
			return;
		}
		n = evbuffer_remove(in, buf, sizeof(buf));
		if (n > 0) {
			linerd_feed(c->lr, buf, (size_t)n);
			continue;
		}
		if (c->eof) {
			linerd_feed_eof(c->lr);
			c->eof = false; /* fed once */
			continue;
		}
		break;
	}
	c->in_process = false;
	if (listener_is_draining(s->listener) && c->nq == 0 && c->cur == NULL)
		conn_shutdown(c);
}

/* on_read - data arrived */
static void on_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_process(arg);
}

/* on_write - output drained: close if closing, else maybe read on */
static void on_write(struct bufferevent *bev, void *arg)
{
	struct policy_conn *c = arg;

	(void)bev;
	if (c->closing)
		conn_close(c);
	else
		conn_process(c);
}

/* on_req_timeout - a started request did not arrive whole */
static void on_req_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct policy_conn *c = arg;

	(void)fd;
	(void)what;
	log_warn("policy connection %lu: request not complete after %us; "
		 "closing",
		 c->id, c->srv->cf->request_timeout);
	conn_shutdown(c);
}

/* on_event - EOF, error or timeout */
static void on_event(struct bufferevent *bev, short what, void *arg)
{
	struct policy_conn *c = arg;

	if ((what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_READING) &&
	    (c->nq > 0 || c->cur != NULL)) {
		bufferevent_enable(bev, EV_READ); /* busy, not idle */
		return;
	}
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
	    !c->closing) {
		/* answer what is in flight, then close */
		c->eof = true;
		conn_process(c);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		log_info("policy connection %lu: %s timeout", c->id,
			 (what & BEV_EVENT_READING) ? "idle" : "write");
	else if (what & BEV_EVENT_ERROR)
		log_info("policy connection %lu: %s", c->id,
			 evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	conn_close(c);
}

/* conn_close - drop a connection and everything in flight on it */
static void conn_close(struct policy_conn *c)
{
	struct policy_server *s = c->srv;
	struct listener_entry *entry = c->entry;

	while (c->head != NULL)
		preq_free_head(c);
	policy_request_free(&c->cur);
	event_free(c->req_timer);
	bufferevent_free(c->bev);
	linerd_free(&c->lr);
	sbuf_free(&c->line);
	free(c);
	listener_remove(s->listener, &entry); /* last: may call idle_fn */
}

/* conn_close_any - listener_conn_fn for conn_close */
static void conn_close_any(void *conn)
{
	conn_close(conn);
}

/* conn_new - listener_accept_fn: set up a connection; nothing is
 * written until a request */
static void conn_new(void *arg, int fd)
{
	struct policy_server *s = arg;
	struct policy_conn *c = xcalloc(1, sizeof(*c));

	c->srv = s;
	c->id = s->next_id++;
	c->lr = linerd_new(POLICY_PROTO_MAX_LINE, 0);
	c->line = sbuf_new_max(256, POLICY_PROTO_MAX_LINE);
	c->bev = listener_bufferevent(s->listener, fd, POLICY_SERVER_READ_HIGH,
				      s->cf->idle_timeout,
				      s->cf->request_timeout, on_read,
				      on_write, on_event, c);
	c->req_timer = evtimer_new(s->base, on_req_timeout, c);
	if (c->req_timer == NULL)
		log_panic("policyd: cannot make the request timer");
	c->entry = listener_add(s->listener, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* policy_server_new - start accepting */
struct policy_server *policy_server_new(struct event_base *base, int listen_fd,
					const struct policy_conf *cf,
					struct policy_decide *decide,
					policy_server_idle_fn *idle_fn,
					void *idle_arg)
{
	struct policy_server *s = xcalloc(1, sizeof(*s));

	s->base = base;
	s->cf = cf;
	s->decide = decide;
	s->next_id = 1;
	s->idle_fn = idle_fn;
	s->idle_arg = idle_arg;
	s->out = sbuf_new(256);
	s->log = sbuf_new(512);
	s->err = sbuf_new(64);
	s->listener =
	    listener_new(base, listen_fd, "policyd", "policyd_max_connections",
			 cf->max_connections, conn_new, s);
	return s;
}

/* policy_server_set_conf - new settings; running timers keep theirs */
void policy_server_set_conf(struct policy_server *s,
			    const struct policy_conf *cf)
{
	s->cf = cf;
	listener_set_max(s->listener, cf->max_connections);
}

/* conn_drain - listener_conn_fn: close c now if nothing is in flight */
static void conn_drain(void *conn)
{
	struct policy_conn *c = conn;

	if (c->nq == 0 && c->cur == NULL && !c->closing)
		conn_shutdown(c); /* idle_fn after the last close */
}

/* policy_server_drain - stop accepting, close idle connections */
void policy_server_drain(struct policy_server *s)
{
	listener_drain(s->listener, conn_drain, s->idle_fn, s->idle_arg);
}

/* policy_server_connections - how many are open */
unsigned int policy_server_connections(const struct policy_server *s)
{
	return listener_connections(s->listener);
}

/* policy_server_free - close everything */
void policy_server_free(struct policy_server **sp)
{
	struct policy_server *s = *sp;

	if (s == NULL)
		return;
	listener_free(&s->listener, conn_close_any); /* no idle_fn */
	sbuf_free(&s->out);
	sbuf_free(&s->log);
	sbuf_free(&s->err);
	free(s);
	*sp = NULL;
}
