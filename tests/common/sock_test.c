/* sock_test.c - listen address specs and listening sockets */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "sbuf.h"
#include "sock.h"

struct good_case {
	const char *text;
	enum sock_kind kind;
	const char *path_or_host; /* NULL: any address */
	unsigned int port;
	const char *canonical;
};

static const struct good_case good_cases[] = {
	{"unix:/var/spool/postfix/private/auth", SOCK_KIND_UNIX,
	 "/var/spool/postfix/private/auth", 0,
	 "unix:/var/spool/postfix/private/auth"},
	{"local:/run/milterd/milterd.sock", SOCK_KIND_UNIX,
	 "/run/milterd/milterd.sock", 0, "unix:/run/milterd/milterd.sock"},
	{"/run/policyd.sock", SOCK_KIND_UNIX, "/run/policyd.sock", 0,
	 "unix:/run/policyd.sock"},
	{"/a b", SOCK_KIND_UNIX, "/a b", 0, "unix:/a b"},
	{"inet:127.0.0.1:10023", SOCK_KIND_INET, "127.0.0.1", 10023,
	 "inet:127.0.0.1:10023"},
	{"127.0.0.1:10023", SOCK_KIND_INET, "127.0.0.1", 10023,
	 "inet:127.0.0.1:10023"},
	{"localhost:12345", SOCK_KIND_INET, "localhost", 12345,
	 "inet:localhost:12345"},
	{"inet:mail-1.example.com:25", SOCK_KIND_INET, "mail-1.example.com",
	 25, "inet:mail-1.example.com:25"},
	{"[::1]:8891", SOCK_KIND_INET, "::1", 8891, "inet:[::1]:8891"},
	{"inet:[::1]:8891", SOCK_KIND_INET, "::1", 8891, "inet:[::1]:8891"},
	{"inet:[fe80::1%eth0]:8891", SOCK_KIND_INET, "fe80::1%eth0", 8891,
	 "inet:[fe80::1%eth0]:8891"},
	{"inet:8891@127.0.0.1", SOCK_KIND_INET, "127.0.0.1", 8891,
	 "inet:127.0.0.1:8891"},
	{"inet:8891@localhost", SOCK_KIND_INET, "localhost", 8891,
	 "inet:localhost:8891"},
	{"inet6:8891@::1", SOCK_KIND_INET, "::1", 8891, "inet:[::1]:8891"},
	{"inet6:8891@[::1]", SOCK_KIND_INET, "::1", 8891, "inet:[::1]:8891"},
	{"inet:8891", SOCK_KIND_INET, NULL, 8891, "inet:*:8891"},
	{"inet6:8891", SOCK_KIND_INET, NULL, 8891, "inet:*:8891"},
	{"inet:1", SOCK_KIND_INET, NULL, 1, "inet:*:1"},
	/* a single-label host that is no address type stays a host */
	{"mail:25", SOCK_KIND_INET, "mail", 25, "inet:mail:25"},
	{"tcpx:25", SOCK_KIND_INET, "tcpx", 25, "inet:tcpx:25"},
	{"*:10023", SOCK_KIND_INET, NULL, 10023, "inet:*:10023"},
	{"inet:*:10023", SOCK_KIND_INET, NULL, 10023, "inet:*:10023"},
	{"127.0.0.1:0", SOCK_KIND_INET, "127.0.0.1", 0, "inet:127.0.0.1:0"},
	{"127.0.0.1:65535", SOCK_KIND_INET, "127.0.0.1", 65535,
	 "inet:127.0.0.1:65535"},
};

struct bad_case {
	const char *text;
	const char *error; /* a substring of the message */
};

static const struct bad_case bad_cases[] = {
	{"", "empty"},
	{"unix:", "absolute"},
	{"unix:relative/path", "absolute"},
	{"local:sock", "absolute"},
	{"/var/run/", "directory"},
	{"/bad\nname", "control character"},
	{"/x/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	 "longer than"},
	{"localhost", "expected"},
	{"10023", "expected"},
	{"inet:", "bad port"},
	{"inet:host", "bad port"},
	{"127.0.0.1:", "bad port"},
	{"127.0.0.1:65536", "bad port"},
	{"127.0.0.1:100000", "bad port"},
	{"127.0.0.1:-1", "bad port"},
	{"127.0.0.1:+25", "bad port"},
	{"127.0.0.1:25x", "bad port"},
	{"127.0.0.1: 25", "bad port"},
	{"127.0.0.1:smtp", "bad port"},
	{":25", "missing host"},
	{"inet::25", "missing host"},
	{"::1:25", "brackets"},
	{"inet:::1:25", "brackets"},
	{"tcp:127.0.0.1:25", "unknown address type"},
	/* a port alone after a word that is an address type, not a host */
	{"tcp:1", "unknown address type 'tcp:' and no host"},
	{"tcp:10023", "no host"},
	{"TCP:10023", "unknown address type 'TCP:' and no host"},
	{"tcp6:8891", "no host"},
	{"udp:53", "no host"},
	{"ipv4:25", "no host"},
	{"ip6:25", "no host"},
	{"inet4:25", "no host"},
	{"tcp:", "no host"},
	{"tcp:x", "no host"},
	{"1", "expected"},
	{":1", "missing host"},
	{"[::1]", "[address]:port"},
	{"[::1]25", "[address]:port"},
	{"[::1:25", "[address]:port"},
	{"[]:25", "empty address"},
	{"inet:25@", "missing host"},
	{"inet:@127.0.0.1", "bad port"},
	{"inet:25@[]", "missing host"},
	{"host name:25", "bad character"},
	{"host\t:25", "bad character"},
	{"ho$t:25", "bad character"},
	{"inet:25@a@b", "bad character"},
	{"[::1%eth0/x]:25", "bad character"},
	{"[*]:25", "must be IPv6"},
	/* found by fuzz_sock: its canonical form did not parse */
	{"[.............%...A]:6", "must be IPv6"},
	{"inet:25@[host_x]", "must be IPv6"},
};

Test(sock, parse_good_specs)
{
	size_t i;

	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		const struct good_case *c = &good_cases[i];
		struct sbuf *err = sbuf_new(0), *fmt = sbuf_new(0);
		struct sock_spec *spec = NULL;

		cr_assert_eq(sock_spec_parse(c->text, &spec, err), 0,
			     "%s: %s", c->text, sbuf_cstr(err));
		cr_assert_eq(spec->kind, c->kind, "%s", c->text);
		if (c->kind == SOCK_KIND_UNIX) {
			cr_assert_str_eq(spec->path, c->path_or_host);
			cr_assert_null(spec->host);
		} else {
			cr_assert_null(spec->path);
			if (c->path_or_host == NULL)
				cr_assert_null(spec->host, "%s", c->text);
			else
				cr_assert_str_eq(spec->host, c->path_or_host);
			cr_assert_eq(spec->port, c->port, "%s", c->text);
		}
		sock_spec_format(spec, fmt);
		cr_assert_str_eq(sbuf_cstr(fmt), c->canonical);
		sock_spec_free(&spec);
		cr_assert_null(spec);
		sbuf_free(&err);
		sbuf_free(&fmt);
	}
}

Test(sock, inet6_is_recorded)
{
	static const struct {
		const char *text;
		bool inet6;
	} cases[] = {
	    {"inet6:8891", true},	    {"inet6:8891@localhost", true},
	    {"inet6:8891@::1", true},	    {"inet:8891@::1", true},
	    {"[::1]:8891", true},	    {"inet:8891", false},
	    {"inet:8891@127.0.0.1", false}, {"localhost:25", false},
	    {"unix:/run/m.sock", false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sbuf *err = sbuf_new(0);
		struct sock_spec *spec = NULL;

		cr_assert_eq(sock_spec_parse(cases[i].text, &spec, err), 0,
			     "%s: %s", cases[i].text, sbuf_cstr(err));
		cr_expect_eq(spec->inet6, cases[i].inet6, "%s", cases[i].text);
		sock_spec_free(&spec);
		sbuf_free(&err);
	}
}

Test(sock, parse_bad_specs)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct sbuf *err = sbuf_new(0);
		struct sock_spec *spec = NULL;

		cr_assert_eq(sock_spec_parse(c->text, &spec, err), -1,
			     "accepted: %s", c->text);
		cr_assert_null(spec, "%s", c->text);
		cr_assert(strstr(sbuf_cstr(err), c->error) != NULL,
			  "%s: got \"%s\", want \"%s\"", c->text,
			  sbuf_cstr(err), c->error);
		sbuf_free(&err);
	}
}

Test(sock, parse_longest_unix_path)
{
	struct sockaddr_un sun;
	struct sbuf *err = sbuf_new(0);
	struct sock_spec *spec = NULL;
	char text[sizeof(sun.sun_path) + 1];

	/* sun_path - 1 bytes fits with its NUL; one more does not */
	memset(text, 'x', sizeof(text));
	text[0] = '/';
	text[sizeof(sun.sun_path) - 1] = '\0';
	cr_assert_eq(sock_spec_parse(text, &spec, err), 0, "%s",
		     sbuf_cstr(err));
	sock_spec_free(&spec);
	text[sizeof(sun.sun_path) - 1] = 'x';
	text[sizeof(sun.sun_path)] = '\0';
	cr_assert_eq(sock_spec_parse(text, &spec, err), -1);
	sbuf_free(&err);
}

Test(sock, spec_free_is_null_safe)
{
	struct sock_spec *spec = NULL;

	sock_spec_free(&spec);
	cr_assert_null(spec);
}

/* str_printf - a formatted string; caller frees */
static char *str_printf(const char *fmt, ...) ATTR_PRINTF(1, 2);
static char *str_printf(const char *fmt, ...)
{
	struct sbuf *b = sbuf_new(64);
	va_list ap;
	char *s;

	va_start(ap, fmt);
	sbuf_vprintf(b, fmt, ap);
	va_end(ap);
	s = sbuf_steal(b);
	sbuf_free(&b);
	return s;
}

/* make_tmpdir - a fresh private directory; caller removes it */
static char *make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	dir = str_printf("%s/sock_test.XXXXXX", base);
	cr_assert_not_null(mkdtemp(dir));
	return dir;
}

/* listen_at - parse "dir/name" as a spec and listen on it */
static int listen_at(const char *dir, const char *name,
		     const struct sock_perm *perm, int *fd_r, struct sbuf *err)
{
	struct sock_spec *spec = NULL;
	char *text;
	int rc;

	text = str_printf("unix:%s/%s", dir, name);
	cr_assert_eq(sock_spec_parse(text, &spec, err), 0);
	rc = sock_listen(spec, perm, 16, fd_r, err);
	sock_spec_free(&spec);
	free(text);
	return rc;
}

/* path_in - dir/name; caller frees */
static char *path_in(const char *dir, const char *name)
{
	return str_printf("%s/%s", dir, name);
}

/* assert_nonblock_cloexec - the flags every listener must have */
static void assert_nonblock_cloexec(int fd)
{
	cr_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
	cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

Test(sock, unix_socket_gets_mode_owner_and_group)
{
	struct sock_perm perm = {"nobody", "mail", 0660};
	struct sbuf *err = sbuf_new(0);
	struct passwd *pw = getpwnam("nobody");
	struct group *gr = getgrnam("mail");
	char *dir = make_tmpdir(), *path = path_in(dir, "s");
	struct stat st;
	int fd;

	if (geteuid() != 0 || pw == NULL || gr == NULL)
		cr_skip_test("needs root, user nobody and group mail");
	cr_assert_eq(listen_at(dir, "s", &perm, &fd, err), 0, "%s",
		     sbuf_cstr(err));
	cr_assert_eq(lstat(path, &st), 0);
	cr_assert(S_ISSOCK(st.st_mode));
	cr_assert_eq(st.st_mode & 07777, 0660, "mode %o", st.st_mode);
	cr_assert_eq(st.st_uid, pw->pw_uid);
	cr_assert_eq(st.st_gid, gr->gr_gid);
	assert_nonblock_cloexec(fd);
	close(fd);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	sbuf_free(&err);
}

Test(sock, unix_socket_mode_ignores_umask)
{
	struct sock_perm open_perm = {NULL, NULL, 0666};
	struct sock_perm tight_perm = {NULL, NULL, 0600};
	struct sbuf *err = sbuf_new(0);
	char *dir = make_tmpdir(), *a = path_in(dir, "a"),
	     *b = path_in(dir, "b");
	struct stat st;
	mode_t old = umask(077);
	int fd1, fd2;

	cr_assert_eq(listen_at(dir, "a", &open_perm, &fd1, err), 0);
	cr_assert_eq(umask(0), 077, "umask not restored");
	cr_assert_eq(listen_at(dir, "b", &tight_perm, &fd2, err), 0);
	cr_assert_eq(umask(old), 0, "umask not restored");
	cr_assert_eq(lstat(a, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0666, "mode %o", st.st_mode);
	cr_assert_eq(lstat(b, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600, "mode %o", st.st_mode);
	close(fd1);
	close(fd2);
	unlink(a);
	unlink(b);
	rmdir(dir);
	free(a);
	free(b);
	free(dir);
	sbuf_free(&err);
}

Test(sock, unix_socket_default_perm_is_private)
{
	struct sbuf *err = sbuf_new(0);
	char *dir = make_tmpdir(), *path = path_in(dir, "s");
	struct stat st;
	int fd;

	cr_assert_eq(listen_at(dir, "s", NULL, &fd, err), 0);
	cr_assert_eq(lstat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600, "mode %o", st.st_mode);
	cr_assert_eq(st.st_uid, geteuid());
	close(fd);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	sbuf_free(&err);
}

Test(sock, unix_socket_rejects_odd_mode_and_unknown_names)
{
	struct sock_perm suid = {NULL, NULL, 04660};
	struct sock_perm no_user = {"no-such-user-pw", NULL, 0660};
	struct sock_perm no_group = {NULL, "no-such-group-pw", 0660};
	struct sbuf *err = sbuf_new(0);
	char *dir = make_tmpdir(), *path = path_in(dir, "s");
	int fd = -1;

	cr_assert_eq(listen_at(dir, "s", &suid, &fd, err), -1);
	cr_assert(strstr(sbuf_cstr(err), "0777") != NULL, "%s",
		  sbuf_cstr(err));
	sbuf_reset(err);
	cr_assert_eq(listen_at(dir, "s", &no_user, &fd, err), -1);
	cr_assert(strstr(sbuf_cstr(err), "unknown socket owner") != NULL);
	sbuf_reset(err);
	cr_assert_eq(listen_at(dir, "s", &no_group, &fd, err), -1);
	cr_assert(strstr(sbuf_cstr(err), "unknown socket group") != NULL);
	cr_assert_eq(access(path, F_OK), -1, "left a socket file behind");
	rmdir(dir);
	free(path);
	free(dir);
	sbuf_free(&err);
}

Test(sock, stale_unix_socket_is_replaced)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct sbuf *err = sbuf_new(0);
	char *dir = make_tmpdir(), *path = path_in(dir, "s");
	int fd, cfd;

	/* A socket file nobody listens on, as a crashed server leaves it */
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	cfd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(connect(cfd, (struct sockaddr *)&sun, sizeof(sun)), -1);
	cr_assert_eq(errno, ECONNREFUSED);
	close(cfd);
	cr_assert_eq(listen_at(dir, "s", NULL, &fd, err), 0, "%s",
		     sbuf_cstr(err));
	/* the new socket answers (the inode number may well be reused) */
	cfd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(connect(cfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(cfd);
	close(fd);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	sbuf_free(&err);
}

Test(sock, live_unix_socket_is_kept)
{
	struct sbuf *err = sbuf_new(0);
	char *dir = make_tmpdir(), *path = path_in(dir, "s");
	struct stat before, after;
	int fd1, fd2 = -1;

	cr_assert_eq(listen_at(dir, "s", NULL, &fd1, err), 0);
	cr_assert_eq(lstat(path, &before), 0);
	cr_assert_eq(listen_at(dir, "s", NULL, &fd2, err), -1);
	cr_assert(strstr(sbuf_cstr(err), "another server listens") != NULL,
		  "%s",
		  sbuf_cstr(err));
	cr_assert_eq(lstat(path, &after), 0);
	cr_assert_eq(before.st_ino, after.st_ino);
	close(fd1);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	sbuf_free(&err);
}

Test(sock, other_files_are_never_removed)
{
	struct sbuf *err = sbuf_new(0);
	char *dir = make_tmpdir(), *path = path_in(dir, "s");
	int fd = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	cr_assert(fd >= 0);
	close(fd);
	cr_assert_eq(listen_at(dir, "s", NULL, &fd, err), -1);
	cr_assert(strstr(sbuf_cstr(err), "not a socket") != NULL, "%s",
		  sbuf_cstr(err));
	cr_assert_eq(access(path, F_OK), 0, "regular file removed");
	unlink(path);
	/* nor a symlink pointing at something */
	cr_assert_eq(symlink(dir, path), 0);
	sbuf_reset(err);
	cr_assert_eq(listen_at(dir, "s", NULL, &fd, err), -1);
	cr_assert(strstr(sbuf_cstr(err), "not a socket") != NULL);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	sbuf_free(&err);
}

Test(sock, missing_parent_directory_is_reported)
{
	struct sbuf *err = sbuf_new(0);
	char *dir = make_tmpdir();
	int fd = -1;

	cr_assert_eq(listen_at(dir, "missing/s", NULL, &fd, err), -1);
	cr_assert(strstr(sbuf_cstr(err), "no parent directory") != NULL, "%s",
		  sbuf_cstr(err));
	rmdir(dir);
	free(dir);
	sbuf_free(&err);
}

/* listen_inet - parse and listen on an inet spec */
static int listen_inet(const char *text, int *fd_r, struct sbuf *err)
{
	struct sock_spec *spec = NULL;
	int rc;

	cr_assert_eq(sock_spec_parse(text, &spec, err), 0, "%s",
		     sbuf_cstr(err));
	rc = sock_listen(spec, NULL, 16, fd_r, err);
	sock_spec_free(&spec);
	return rc;
}

Test(sock, inet_listen_on_loopback_port_0)
{
	struct sbuf *err = sbuf_new(0);
	struct sockaddr_in sin = {.sin_family = AF_INET};
	unsigned int port = 0;
	int fd, cfd, on = 0;
	socklen_t len = sizeof(on);

	cr_assert_eq(listen_inet("inet:127.0.0.1:0", &fd, err), 0, "%s",
		     sbuf_cstr(err));
	assert_nonblock_cloexec(fd);
	cr_assert_eq(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, &len), 0);
	cr_assert(on);
	cr_assert_eq(sock_local_port(fd, &port), 0);
	cr_assert(port > 0 && port <= 65535);
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_eq(connect(cfd, (struct sockaddr *)&sin, sizeof(sin)), 0,
		     "connect: %s", strerror(errno));
	close(cfd);
	close(fd);
	sbuf_free(&err);
}

Test(sock, inet_port_in_use_is_an_error)
{
	struct sbuf *err = sbuf_new(0);
	unsigned int port = 0;
	char *text;
	int fd1, fd2 = -1;

	cr_assert_eq(listen_inet("127.0.0.1:0", &fd1, err), 0);
	cr_assert_eq(sock_local_port(fd1, &port), 0);
	text = str_printf("127.0.0.1:%u", port);
	cr_assert_eq(listen_inet(text, &fd2, err), -1);
	cr_assert(strstr(sbuf_cstr(err), "inet:127.0.0.1:") != NULL, "%s",
		  sbuf_cstr(err));
	close(fd1);
	free(text);
	sbuf_free(&err);
}

Test(sock, inet_listen_on_ipv6_loopback)
{
	struct sbuf *err = sbuf_new(0);
	unsigned int port = 0;
	int fd, probe;
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6,
				    .sin6_addr = IN6ADDR_LOOPBACK_INIT};

	probe = socket(AF_INET6, SOCK_STREAM, 0);
	if (probe < 0 ||
	    bind(probe, (struct sockaddr *)&sin6, sizeof(sin6)) < 0) {
		if (probe >= 0)
			close(probe);
		cr_skip_test("no IPv6 loopback here");
	}
	close(probe);
	cr_assert_eq(listen_inet("[::1]:0", &fd, err), 0, "%s",
		     sbuf_cstr(err));
	cr_assert_eq(sock_local_port(fd, &port), 0);
	cr_assert(port > 0);
	close(fd);
	sbuf_free(&err);
}

Test(sock, local_port_of_a_unix_socket_fails)
{
	unsigned int port = 7;
	int sv[2];

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cr_assert_eq(sock_local_port(sv[0], &port), -1);
	cr_assert_eq(port, 7);
	close(sv[0]);
	close(sv[1]);
}
