/*
 * sock.h - listen addresses as Postfix and OpenDKIM admins write them.
 *
 * Accepted forms (the spec text comes from a config file: local, but
 * still parsed with limits and never trusted blindly):
 *
 *	unix:/path  local:/path  /path		a unix-domain socket
 *	inet:host:port  host:port		IPv4, name or "*" (any)
 *	inet:[::1]:port  [::1]:port		IPv6 literals need brackets
 *	inet:port@host  inet6:port@::1		OpenDKIM style
 *	inet:port				OpenDKIM: any address
 *
 * A port needs a host or the "inet:" prefix: "10023" and ":10023" are
 * errors, and so is an unknown address type before a port alone
 * ("tcp:10023", "udp6:53"): a word like that is never taken as a host.
 *
 * Ports are numeric (0 lets the kernel choose, for tests); unix paths are
 * absolute and must fit in sun_path. sock_spec_parse() is pure.
 *
 * sock_listen() binds as root before privileges are dropped. For a unix
 * socket it removes a stale socket file (never any other kind of file,
 * never one a live server still answers on), binds under a restrictive
 * umask, then sets owner, group and mode. The parent directory must
 * exist (for example /var/spool/postfix/private/, inside Postfix's
 * chroot). umask is process-wide, so call it before threads start.
 * Listening sockets are non-blocking and close-on-exec.
 */
#ifndef PW_SOCK_H
#define PW_SOCK_H

#include <stdbool.h>
#include <sys/types.h>

struct sbuf;

enum sock_kind {
	SOCK_KIND_UNIX,
	SOCK_KIND_INET,
};

struct sock_spec {
	enum sock_kind kind;
	char *path;	   /* SOCK_KIND_UNIX: absolute path; else NULL */
	char *host;	   /* SOCK_KIND_INET: name or literal; NULL = any */
	unsigned int port; /* SOCK_KIND_INET: 0..65535 */
	bool inet6;	   /* SOCK_KIND_INET: an IPv6 literal or "inet6:" */
};

/* Longest host name or literal accepted (RFC 1035 2.3.4 plus a scope) */
#define SOCK_HOST_MAX 255

/*
 * sock_spec_parse - parse text into *spec_r (caller frees with
 * sock_spec_free). Returns 0, or -1 with a message appended to err.
 */
int sock_spec_parse(const char *text, struct sock_spec **spec_r,
		    struct sbuf *err);
void sock_spec_free(struct sock_spec **sp); /* NULL-safe; *sp = NULL */

/* sock_spec_format - append the canonical form ("inet:[::1]:25") to out */
void sock_spec_format(const struct sock_spec *spec, struct sbuf *out);

/* Who may connect to a unix socket. */
struct sock_perm {
	const char *owner; /* user name (borrowed); NULL: keep ours */
	const char *group; /* group name (borrowed); NULL: keep ours */
	mode_t mode;	   /* applied as given, e.g. 0660 */
};

/*
 * sock_listen - create a listening socket for spec and store its
 * descriptor in *fd_r (caller closes). perm applies to unix sockets
 * only; NULL means mode 0600 and our own owner. Returns 0, or -1 with a
 * message appended to err.
 */
int sock_listen(const struct sock_spec *spec, const struct sock_perm *perm,
		int backlog, int *fd_r, struct sbuf *err);

/* sock_local_port - the port an inet socket is bound to (after port 0) */
int sock_local_port(int fd, unsigned int *port_r);

#endif
