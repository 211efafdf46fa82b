/* sock.c - listen addresses: parse specs, create listening sockets */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "numparse.h"
#include "sbuf.h"
#include "sock.h"
#include "xalloc.h"

#define SOCK_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

/* sock_skip_prefix - the text after prefix, or NULL if s lacks it */
static const char *sock_skip_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

/* sock_is_host_char - letters, digits, '.', '-'; ':' '%' in IPv6 */
static bool sock_is_host_char(int c, bool ipv6)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '-')
		return true;
	/* RFC 4007 11.2: a scope zone id (fe80::1%eth0) may use '_' too */
	return ipv6 && (c == ':' || c == '%' || c == '_');
}

/* sock_parse_unix - the path of a unix-domain socket */
static int sock_parse_unix(const char *path, struct sock_spec *spec,
			   struct sbuf *err)
{
	size_t i, len = strlen(path);

	if (path[0] != '/') {
		sbuf_append_str(err, "unix socket path must be absolute");
		return -1;
	}
	if (len > SOCK_PATH_MAX) {
		sbuf_printf(err, "unix socket path longer than %zu bytes",
			    (size_t)SOCK_PATH_MAX);
		return -1;
	}
	if (path[len - 1] == '/') {
		sbuf_append_str(err, "unix socket path names a directory");
		return -1;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f) {
			sbuf_append_str(err, "control character in socket "
					     "path");
			return -1;
		}
	}
	spec->kind = SOCK_KIND_UNIX;
	spec->path = xstrdup(path);
	return 0;
}

/* sock_parse_port - a decimal port of at most five digits */
static int sock_parse_port(const char *p, size_t n, unsigned int *port_r,
			   struct sbuf *err)
{
	char buf[6]; /* fixed: five digits and a NUL */

	if (n == 0 || n >= sizeof(buf)) {
		sbuf_append_str(err, "bad port: expected 0..65535");
		return -1;
	}
	memcpy(buf, p, n);
	buf[n] = '\0';
	if (numparse_uint(buf, 65535, port_r) < 0) {
		sbuf_append_str(err, "bad port: expected 0..65535");
		return -1;
	}
	return 0;
}

/* sock_set_host - store a validated host; "*" means any address */
static int sock_set_host(const char *h, size_t n, bool ipv6,
			 struct sock_spec *spec, struct sbuf *err)
{
	size_t i;

	if (!ipv6 && n == 1 && h[0] == '*')
		return 0;
	if (n == 0) {
		sbuf_append_str(err, "missing host (use * for any address)");
		return -1;
	}
	if (n > SOCK_HOST_MAX) {
		sbuf_printf(err, "host longer than %d bytes", SOCK_HOST_MAX);
		return -1;
	}
	/* brackets are for IPv6: "[host%x]" must not smuggle in '%' or '_' */
	if (ipv6 && memchr(h, ':', n) == NULL) {
		sbuf_append_str(err, "an address in brackets must be IPv6");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!sock_is_host_char((unsigned char)h[i], ipv6)) {
			sbuf_append_str(err, "bad character in host");
			return -1;
		}
	}
	spec->host = xstrndup(h, n);
	return 0;
}

/*
 * sock_is_type_word - does "word:port" name an address type rather than
 * a host? "tcp:10023" means a port with no host, not a host called tcp.
 */
static bool sock_is_type_word(const char *s, size_t n)
{
	static const char *const words[] = {
	    "tcp", "tcp4", "tcp6", "udp",  "udp4",  "udp6", "ip",
	    "ip4", "ip6",  "ipv4", "ipv6", "inet4", "sctp",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == n && strncasecmp(s, words[i], n) == 0)
			return true;
	return false;
}

/*
 * sock_parse_inet - host:port, [v6]:port, port@host; port alone when
 * the "inet:" prefix made the meaning plain (OpenDKIM: any address);
 * prefix6: the "inet6:" prefix asked for IPv6
 */
static int sock_parse_inet(const char *s, bool port_alone_ok, bool prefix6,
			   struct sock_spec *spec, struct sbuf *err)
{
	const char *at = strchr(s, '@'), *close, *colon;
	const char *host = NULL, *port;
	size_t hlen = 0, plen;
	bool ipv6 = false; /* the host is an IPv6 literal */

	spec->kind = SOCK_KIND_INET;
	if (at != NULL) {
		/* OpenDKIM: port@host; a bare IPv6 address is unambiguous */
		port = s;
		plen = (size_t)(at - s);
		host = at + 1;
		hlen = strlen(host);
		if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
			host++;
			hlen -= 2;
			ipv6 = true;
		} else if (memchr(host, ':', hlen) != NULL) {
			ipv6 = true;
		}
		if (hlen == 0) {
			sbuf_append_str(err, "missing host after '@'");
			return -1;
		}
	} else if (s[0] == '[') {
		close = strchr(s, ']');
		if (close == NULL || close[1] != ':') {
			sbuf_append_str(err, "expected [address]:port");
			return -1;
		}
		host = s + 1;
		hlen = (size_t)(close - host);
		port = close + 2;
		plen = strlen(port);
		ipv6 = true;
		if (hlen == 0) {
			sbuf_append_str(err, "empty address in brackets");
			return -1;
		}
	} else if ((colon = strrchr(s, ':')) != NULL) {
		host = s;
		hlen = (size_t)(colon - s);
		port = colon + 1;
		plen = strlen(port);
		if (memchr(host, ':', hlen) != NULL) {
			sbuf_append_str(err, "unknown address type, or an IPv6 "
					     "address without [brackets]");
			return -1;
		}
		if (!port_alone_ok && sock_is_type_word(host, hlen)) {
			sbuf_printf(err,
				    "unknown address type '%.*s:' and no host "
				    "(write inet:host:port or inet:port@host)",
				    (int)hlen, host);
			return -1;
		}
	} else if (port_alone_ok) {
		port = s;
		plen = strlen(s);
	} else {
		sbuf_append_str(err, "expected unix:/path, /path, host:port "
				     "or inet:port@host");
		return -1;
	}
	if (sock_parse_port(port, plen, &spec->port, err) < 0)
		return -1;
	spec->inet6 = ipv6 || prefix6;
	if (host != NULL && sock_set_host(host, hlen, ipv6, spec, err) < 0)
		return -1;
	return 0;
}

/* sock_spec_parse - parse a listen address spec */
int sock_spec_parse(const char *text, struct sock_spec **spec_r,
		    struct sbuf *err)
{
	struct sock_spec *spec = xcalloc(1, sizeof(*spec));
	const char *rest;
	int rc;

	if (text[0] == '\0') {
		sbuf_append_str(err, "empty socket address");
		rc = -1;
	} else if ((rest = sock_skip_prefix(text, "unix:")) != NULL ||
		   (rest = sock_skip_prefix(text, "local:")) != NULL) {
		rc = sock_parse_unix(rest, spec, err);
	} else if (text[0] == '/') {
		rc = sock_parse_unix(text, spec, err);
	} else if ((rest = sock_skip_prefix(text, "inet:")) != NULL) {
		rc = sock_parse_inet(rest, true, false, spec, err);
	} else if ((rest = sock_skip_prefix(text, "inet6:")) != NULL) {
		rc = sock_parse_inet(rest, true, true, spec, err);
	} else {
		rc = sock_parse_inet(text, false, false, spec, err);
	}
	if (rc < 0) {
		sock_spec_free(&spec);
		return -1;
	}
	*spec_r = spec;
	return 0;
}

/* sock_spec_free - release a parsed spec; NULL-safe */
void sock_spec_free(struct sock_spec **sp)
{
	if (*sp == NULL)
		return;
	free((*sp)->path);
	free((*sp)->host);
	free(*sp);
	*sp = NULL;
}

/* sock_spec_format - canonical text of a spec, for logs */
void sock_spec_format(const struct sock_spec *spec, struct sbuf *out)
{
	if (spec->kind == SOCK_KIND_UNIX)
		sbuf_printf(out, "unix:%s", spec->path);
	else if (spec->host == NULL)
		sbuf_printf(out, "inet:*:%u", spec->port);
	else if (strchr(spec->host, ':') != NULL)
		sbuf_printf(out, "inet:[%s]:%u", spec->host, spec->port);
	else
		sbuf_printf(out, "inet:%s:%u", spec->host, spec->port);
}

/* sock_lookup_ids - user and group names to ids; -1 leaves one alone */
static int sock_lookup_ids(const struct sock_perm *perm, uid_t *uid_r,
			   gid_t *gid_r, struct sbuf *err)
{
	struct passwd *pw;
	struct group *gr;

	*uid_r = (uid_t)-1;
	*gid_r = (gid_t)-1;
	if (perm->owner != NULL) {
		errno = 0;
		if ((pw = getpwnam(perm->owner)) == NULL) {
			sbuf_printf(err, "unknown socket owner: %s",
				    perm->owner);
			return -1;
		}
		*uid_r = pw->pw_uid;
	}
	if (perm->group != NULL) {
		errno = 0;
		if ((gr = getgrnam(perm->group)) == NULL) {
			sbuf_printf(err, "unknown socket group: %s",
				    perm->group);
			return -1;
		}
		*gid_r = gr->gr_gid;
	}
	return 0;
}

/*
 * sock_remove_stale - remove a socket file nobody listens on any more.
 * Anything that is not a socket stays: a typo in the config must not
 * delete a file. A socket a server still answers on stays too.
 */
static int sock_remove_stale(const char *path, struct sbuf *err)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, rc, saved;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		sbuf_printf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		sbuf_printf(err, "%s: not a socket; leaving it alone", path);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path)); /* length checked: parse */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		sbuf_printf(err, "socket: %s", strerror(errno));
		return -1;
	}
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	saved = errno;
	close(fd);
	if (rc == 0 || saved == EAGAIN || saved == EINPROGRESS) {
		sbuf_printf(err, "%s: another server listens on it", path);
		return -1;
	}
	if (saved != ECONNREFUSED && saved != ENOENT) {
		sbuf_printf(err, "%s: %s", path, strerror(saved));
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		sbuf_printf(err, "remove stale %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* sock_listen_unix - bind a unix socket born with its final mode */
static int sock_listen_unix(const struct sock_spec *spec,
			    const struct sock_perm *perm, int backlog,
			    int *fd_r, struct sbuf *err)
{
	static const struct sock_perm default_perm = {NULL, NULL, 0600};
	struct sockaddr_un sun;
	size_t len = strlen(spec->path);
	bool bound = false;
	mode_t old_mask;
	uid_t uid;
	gid_t gid;
	int fd = -1, rc, saved;

	if (perm == NULL)
		perm = &default_perm;
	if (len > SOCK_PATH_MAX || spec->path[0] != '/') {
		sbuf_append_str(err, "bad unix socket path");
		goto fail;
	}
	if ((perm->mode & ~(mode_t)0777) != 0) {
		sbuf_printf(err, "%s: socket mode %04o has bits besides 0777",
			    spec->path, (unsigned int)perm->mode);
		goto fail;
	}
	if (sock_lookup_ids(perm, &uid, &gid, err) < 0)
		goto fail;
	if (sock_remove_stale(spec->path, err) < 0)
		goto fail;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, spec->path, len);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		sbuf_printf(err, "socket: %s", strerror(errno));
		goto fail;
	}
	/*
	 * The umask makes bind() create the file with exactly perm->mode,
	 * whatever umask we inherited, so it is never more open than asked
	 * for, not even for a moment (Postfix does the same).
	 */
	old_mask = umask(~perm->mode & 0777);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	saved = errno;
	umask(old_mask);
	if (rc < 0) {
		if (saved == ENOENT)
			sbuf_printf(err, "bind %s: no parent directory",
				    spec->path);
		else
			sbuf_printf(err, "bind %s: %s", spec->path,
				    strerror(saved));
		goto fail;
	}
	bound = true;
	/* lchown: never follow a link someone put in our place */
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
	    lchown(spec->path, uid, gid) < 0) {
		sbuf_printf(err, "chown %s: %s", spec->path, strerror(errno));
		goto fail;
	}
	if (listen(fd, backlog) < 0) {
		sbuf_printf(err, "listen %s: %s", spec->path, strerror(errno));
		goto fail;
	}
	*fd_r = fd;
	return 0;

fail:
	if (fd >= 0)
		close(fd);
	if (bound)
		unlink(spec->path);
	return -1;
}

/* sock_bind_ai - one attempt: socket, options, bind, listen */
static int sock_bind_ai(const struct addrinfo *ai, int backlog, int *fd_r)
{
	int fd, on = 1, off = 0, saved;

	fd = socket(ai->ai_family,
		    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0)
		goto fail;
	/* "::" also takes IPv4, whatever net.ipv6.bindv6only says */
	if (ai->ai_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(
		    &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr) &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0)
		goto fail;
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		goto fail;
	if (listen(fd, backlog) < 0)
		goto fail;
	*fd_r = fd;
	return 0;

fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* sock_listen_inet - bind the first address of host that works */
static int sock_listen_inet(const struct sock_spec *spec, int backlog,
			    int *fd_r, struct sbuf *err)
{
	/* Any address: IPv6 first (it takes IPv4 too), then IPv4 alone. */
	static const int any_families[] = {AF_INET6, AF_INET};
	struct addrinfo hints, *res = NULL, *ai;
	struct sbuf *name = sbuf_new(64);
	char port[8]; /* fixed: "65535" */
	size_t i, tries = spec->host == NULL ? 2 : 1;
	int rc = -1, gai, last_errno = EADDRNOTAVAIL;

	snprintf(port, sizeof(port), "%u", spec->port);
	sock_spec_format(spec, name);
	for (i = 0; i < tries && rc < 0; i++) {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = spec->host == NULL ? any_families[i]
						     : AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
		gai = getaddrinfo(spec->host, port, &hints, &res);
		if (gai != 0) {
			if (spec->host != NULL) {
				sbuf_printf(err, "%s: %s", sbuf_cstr(name),
					    gai_strerror(gai));
				goto out;
			}
			continue;
		}
		for (ai = res; ai != NULL && rc < 0; ai = ai->ai_next) {
			if (sock_bind_ai(ai, backlog, fd_r) == 0)
				rc = 0;
			else
				last_errno = errno;
		}
		freeaddrinfo(res);
		res = NULL;
	}
	if (rc < 0)
		sbuf_printf(err, "bind %s: %s", sbuf_cstr(name),
			    strerror(last_errno));
out:
	sbuf_free(&name);
	return rc;
}

/* sock_listen - create a listening socket for spec */
int sock_listen(const struct sock_spec *spec, const struct sock_perm *perm,
		int backlog, int *fd_r, struct sbuf *err)
{
	if (spec->kind == SOCK_KIND_UNIX)
		return sock_listen_unix(spec, perm, backlog, fd_r, err);
	return sock_listen_inet(spec, backlog, fd_r, err);
}

/* sock_local_port - the port an inet socket is bound to */
int sock_local_port(int fd, unsigned int *port_r)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		*port_r = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		*port_r = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		return -1;
	return 0;
}
