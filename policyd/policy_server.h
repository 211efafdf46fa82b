/*
 * policy_server.h - the policy socket: connections, requests, timers.
 *
 * Accepts connections on a listening socket (unix or loopback TCP) and
 * reads Postfix policy requests through linerd (POLICY_PROTO_MAX_LINE)
 * from libevent bufferevents with read limits. A connection carries any
 * number of requests; pipelined requests (up to policyd_max_pipeline in
 * flight) are decided at once and answered in order. Nothing is ever
 * written except one reply per request.
 *
 * Protocol violations (a line or request over its limit, a line without
 * "=", a request that is not request=smtpd_access_policy, a request that
 * does not arrive whole within policyd_request_timeout) are logged and
 * close the connection without a reply to the broken request (complete
 * requests before it are still answered): Postfix reconnects and
 * retries.
 * Internal trouble (the checks do not decide within
 * policyd_check_timeout) answers policyd_default_action instead.
 * Connections idle for policyd_idle_timeout are closed.
 *
 * Client data is untrusted. Event loop thread only.
 */
#ifndef PW_POLICY_SERVER_H
#define PW_POLICY_SERVER_H

struct event_base;
struct policy_conf;
struct policy_decide;
struct policy_server;

typedef void policy_server_idle_fn(void *arg);

/*
 * policy_server_new - serve listen_fd (borrowed; the caller closes it
 * after policy_server_free). cf and decide are borrowed until
 * policy_server_free (cf until policy_server_set_conf replaces it).
 * idle_fn runs when draining and the last connection is gone.
 */
struct policy_server *policy_server_new(struct event_base *base, int listen_fd,
					const struct policy_conf *cf,
					struct policy_decide *decide,
					policy_server_idle_fn *idle_fn,
					void *idle_arg);
/* policy_server_free - close every connection, cancel every decision */
void policy_server_free(struct policy_server **sp);
/* policy_server_set_conf - use cf from now on (reload); borrowed */
void policy_server_set_conf(struct policy_server *s,
			    const struct policy_conf *cf);
/*
 * policy_server_drain - stop accepting; answer what is in flight, then
 * close each connection; idle_fn once none is left (maybe at once)
 */
void policy_server_drain(struct policy_server *s);
/* policy_server_connections - open connections */
unsigned int policy_server_connections(const struct policy_server *s);

#endif
