/*
 * auth_server.h - the auth socket: connections, requests, timers.
 *
 * Accepts connections on a listening socket, writes the handshake at
 * once (dovecot-auth.md section 2), then reads client lines through
 * linerd (limit AUTH_PROTO_MAX_LINE) from libevent bufferevents with
 * read limits. Several requests may be in flight per connection
 * (pipelining), each with a unique id on that connection; a reused id,
 * an unknown command or mechanism, or a line before the VERSION/CPID
 * handshake closes the connection, as Dovecot does.
 *
 * A request's flow: mechanism steps (CONT round trips) -> penalty wait
 * (a timer) -> lookup and verification in a worker (workq) -> OK, or the
 * failure delay (a timer that holds no worker) and FAIL. A temporary
 * failure never yields OK: by default the connection is closed (Postfix
 * then answers 454), or FAIL ... temp when configured.
 *
 * Every connection has an idle timeout and every request a deadline.
 * Client data is untrusted. Runs in the event loop thread only; workers
 * run auth_request_verify on copies of the credentials.
 */
#ifndef PW_AUTH_SERVER_H
#define PW_AUTH_SERVER_H

struct event_base;
struct workq;
struct auth_conf;
struct auth_verify_ctx;
struct auth_server;

typedef void auth_server_idle_fn(void *arg);

/*
 * auth_server_new - serve listen_fd (borrowed; the caller closes it
 * after auth_server_free). cf, wq and vctx are borrowed until
 * auth_server_free (cf until auth_server_set_conf replaces it). The
 * work functions submitted to wq get the worker's passdb handle as
 * their thread context. hostname (copied) goes into CRAM-MD5
 * challenges. idle_fn runs when draining and the last connection is
 * gone.
 */
struct auth_server *
auth_server_new(struct event_base *base, int listen_fd,
		const struct auth_conf *cf, struct workq *wq,
		const struct auth_verify_ctx *vctx, const char *hostname,
		auth_server_idle_fn *idle_fn, void *idle_arg);
/*
 * auth_server_free - close every connection; jobs still in workers are
 * detached (free the workq afterwards: their done functions then only
 * free them). NULL-safe.
 */
void auth_server_free(struct auth_server **sp);
/* auth_server_set_conf - use cf from now on (reload); borrowed */
void auth_server_set_conf(struct auth_server *s, const struct auth_conf *cf);
/*
 * auth_server_drain - stop accepting; close connections as they become
 * idle; idle_fn once none is left (maybe at once)
 */
void auth_server_drain(struct auth_server *s);
/* auth_server_connections - open connections */
unsigned int auth_server_connections(const struct auth_server *s);

#endif
