/*
 * cli_auth_test.c - "postwarden auth-test": ask the running authd, over
 * its socket, whether a login and password are accepted, as
 * "doveadm auth test" asks Dovecot's auth server.
 *
 *   postwarden auth-test [-c conf] [-s socket] [-m PLAIN|LOGIN] LOGIN
 *
 * The socket is -s, else authd_listen from the config (-c, else
 * $POSTWARDEN_CONF, else the default file), else authd's default. The
 * password comes from the terminal (echo off, asked once) or one line of
 * standard input when that is not a terminal; never from argv.
 *
 * This is the client side of the protocol in auth_proto.h, speaking as
 * Postfix does (VERSION 1 0, CPID, one AUTH with service=smtp and
 * nologin), so the answer is the one smtpd would get. Server lines are
 * untrusted: read through linerd with the protocol's line limit, split
 * on TAB, unescaped, and printed with control characters replaced.
 *
 * Exit: 0 accepted; 1 refused (FAIL); 64 bad command line; 65 no
 * password, or a server reply that breaks the protocol; 75 cannot
 * connect, the connection was lost (Postfix's 454) or FAIL ... temp;
 * 78 bad config.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "auth_proto.h"
#include "base64.h"
#include "cli.h"
#include "cli_admin.h"
#include "conf.h"
#include "linerd.h"
#include "pw_scheme.h"
#include "sbuf.h"
#include "sock.h"

/* authd's own default (auth_conf.c, postwarden-authd(8)) */
#define AUTH_TEST_DEFAULT_SOCKET "/var/spool/postfix/private/auth"
/* Postfix waits 10 s per read; authd keeps its delays under 8 s */
#define AUTH_TEST_TIMEOUT 15
/* Handshake lines accepted before DONE */
#define AUTH_TEST_MAX_HANDSHAKE 64

enum auth_test_mech {
	AUTH_TEST_PLAIN,
	AUTH_TEST_LOGIN,
};

/* One server line split into fields; each field unescaped. */

static int auth_test_usage(FILE *fp, int status)
{
	fprintf(fp,
		"usage: postwarden auth-test [-c conf] [-s socket] "
		"[-m PLAIN|LOGIN] login\n"
		"\n"
		"  -c conf    config file whose authd_listen names the socket\n"
		"  -s socket  authd socket: /path, unix:/path or "
		"inet:host:port\n"
		"  -m mech    mechanism (default PLAIN)\n"
		"\n"
		"The password is read from the terminal, or a line of stdin.\n"
		"Exit: 0 accepted, 1 refused, %d cannot ask (temporary "
		"failure).\n",
		CLI_EXIT_TEMPFAIL);
	return status;
}

/* auth_test_password - the password, once, from the terminal or stdin */
static int auth_test_password(struct sbuf *pw)
{
	int fd, r = -1;

	if (!isatty(STDIN_FILENO)) {
		r = cli_admin_read_line(STDIN_FILENO, pw);
	} else if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) >=
		   0) {
		r = cli_admin_prompt(fd, "Password: ", pw);
		close(fd);
	}
	if (r == 0 && strlen(sbuf_cstr(pw)) != sbuf_len(pw))
		r = -1; /* a NUL byte cannot travel in PLAIN */
	if (r < 0)
		sbuf_wipe(pw);
	return r;
}

/* auth_test_socket_spec - -s, else authd_listen from the config, else
 * authd's default; into spec (caller frees the text) */
static int auth_test_socket_spec(const char *conf_opt, const char *sock_opt,
				 char **spec_r)
{
	struct sbuf *err = sbuf_new(128), *val = sbuf_new(128);
	struct conf *c = NULL;
	const char *path, *raw;
	bool required;
	int status = CLI_EXIT_CONFIG;

	if (sock_opt != NULL) {
		sbuf_set(val, sock_opt);
		goto done;
	}
	path = cli_admin_config_path(conf_opt, &required);
	if (!required && access(path, F_OK) < 0) {
		sbuf_set(val, AUTH_TEST_DEFAULT_SOCKET);
		goto done;
	}
	if (conf_load(path, &c, NULL, err) < 0) {
		cli_admin_error("%s", sbuf_cstr(err));
		goto out;
	}
	raw = conf_get(c, "authd_listen");
	if (raw == NULL) {
		sbuf_set(val, AUTH_TEST_DEFAULT_SOCKET);
	} else if (conf_expand(c, raw, val, err) < 0) {
		cli_admin_error("%s: authd_listen: %s", path, sbuf_cstr(err));
		goto out;
	}
done:
	*spec_r = sbuf_steal(val);
	status = CLI_EXIT_OK;
out:
	conf_free(&c);
	sbuf_free(&val);
	sbuf_free(&err);
	return status;
}

/* auth_test_connect - a connected, blocking socket with timeouts */
static int auth_test_connect(const char *text, int *fd_r)
{
	struct sbuf *err = sbuf_new(128);
	struct sock_spec *spec = NULL;
	struct addrinfo hints, *res = NULL, *ai;
	struct sockaddr_un sun;
	struct timeval tv = {AUTH_TEST_TIMEOUT, 0};
	char port[16];
	int fd = -1, status = CLI_EXIT_CONFIG;

	if (sock_spec_parse(text, &spec, err) < 0) {
		cli_admin_error("socket %s: %s", text, sbuf_cstr(err));
		goto out;
	}
	status = CLI_EXIT_TEMPFAIL;
	if (spec->kind == SOCK_KIND_UNIX) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		/* sock_spec_parse checked that the path fits */
		memcpy(sun.sun_path, spec->path, strlen(spec->path));
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 ||
		    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
			cli_admin_error("connect %s: %s", spec->path,
					strerror(errno));
			goto out;
		}
	} else {
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		snprintf(port, sizeof(port), "%u", spec->port);
		if (getaddrinfo(spec->host != NULL ? spec->host : "127.0.0.1",
				port, &hints, &res) != 0) {
			cli_admin_error("socket %s: unknown host", text);
			goto out;
		}
		for (ai = res; ai != NULL; ai = ai->ai_next) {
			fd = socket(ai->ai_family,
				    ai->ai_socktype | SOCK_CLOEXEC,
				    ai->ai_protocol);
			if (fd >= 0 &&
			    connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
				break;
			if (fd >= 0)
				close(fd);
			fd = -1;
		}
		if (fd < 0) {
			cli_admin_error("connect %s: %s", text,
					strerror(errno));
			goto out;
		}
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	*fd_r = fd;
	fd = -1;
	status = CLI_EXIT_OK;
out:
	if (fd >= 0)
		close(fd);
	if (res != NULL)
		freeaddrinfo(res);
	sock_spec_free(&spec);
	sbuf_free(&err);
	return status;
}

/* auth_test_send - write all of b (MSG_NOSIGNAL: a closed peer is an
 * error, not a SIGPIPE) */
static int auth_test_send(int fd, const struct sbuf *b)
{
	const unsigned char *p = sbuf_data(b);
	size_t left = sbuf_len(b);
	ssize_t n;

	while (left > 0) {
		n = send(fd, p, left, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		left -= (size_t)n;
	}
	return 0;
}

/* auth_test_read - the next server line, split; a status for errors */
static int auth_test_read(struct linerd *lr, int fd, struct sbuf *line,
			  struct auth_proto_fields *r)
{
	switch (linerd_read_fd(lr, fd, line)) {
	case LINERD_LINE:
		break;
	case LINERD_TOO_LONG:
		cli_admin_error("authd sent a line over %u bytes",
				AUTH_PROTO_MAX_LINE);
		return CLI_EXIT_DATAERR;
	case LINERD_EOF:
		cli_admin_error("connection lost to authd (Postfix would "
				"answer 454)");
		return CLI_EXIT_TEMPFAIL;
	default:
		cli_admin_error("reading from authd: %s",
				errno == EAGAIN || errno == EWOULDBLOCK ?
					"timed out" : strerror(errno));
		return CLI_EXIT_TEMPFAIL;
	}
	if (auth_proto_split(sbuf_data(line), sbuf_len(line), r) < 0) {
		cli_admin_error("authd sent too many fields");
		return CLI_EXIT_DATAERR;
	}
	return CLI_EXIT_OK;
}

static bool auth_test_is(const struct auth_proto_fields *r, const char *cmd)
{
	return r->n > 0 && strcmp(sbuf_cstr(r->field[0]), cmd) == 0;
}

/* auth_test_print - a server value, control characters as '?' */
static void auth_test_print(const struct sbuf *v)
{
	const unsigned char *p = sbuf_data(v);
	size_t i;

	for (i = 0; i < sbuf_len(v); i++)
		putchar(p[i] < 0x20 || p[i] == 0x7f ? '?' : p[i]);
}

/* auth_test_handshake - read up to DONE; check VERSION and the mech */
static int auth_test_handshake(struct linerd *lr, int fd, struct sbuf *line,
			       struct auth_proto_fields *r, const char *mech)
{
	bool have_mech = false;
	int i, status;

	for (i = 0; i < AUTH_TEST_MAX_HANDSHAKE; i++) {
		status = auth_test_read(lr, fd, line, r);
		if (status != CLI_EXIT_OK)
			return status;
		if (auth_test_is(r, "DONE")) {
			if (!have_mech) {
				cli_admin_error("authd does not offer %s",
						mech);
				return CLI_EXIT_DATAERR;
			}
			return CLI_EXIT_OK;
		}
		if (auth_test_is(r, "VERSION") &&
		    (r->n < 3 || strcmp(sbuf_cstr(r->field[1]), "1") != 0)) {
			cli_admin_error("authd speaks another protocol "
					"version");
			return CLI_EXIT_DATAERR;
		}
		if (auth_test_is(r, "MECH") && r->n >= 2 &&
		    strcasecmp(sbuf_cstr(r->field[1]), mech) == 0)
			have_mech = true;
	}
	cli_admin_error("no DONE in authd's handshake");
	return CLI_EXIT_DATAERR;
}

/* auth_test_result - print OK/FAIL as doveadm auth test does */
static int auth_test_result(const struct auth_proto_fields *r, const char *login)
{
	bool ok = auth_test_is(r, "OK"), temp = false;
	size_t i;

	printf("passdb: %s auth %s\n", login, ok ? "succeeded" : "failed");
	if (r->n > 2)
		printf("extra fields:\n");
	for (i = 2; i < r->n; i++) {
		if (strcmp(sbuf_cstr(r->field[i]), "temp") == 0 ||
		    strcmp(sbuf_cstr(r->field[i]), "code=temp_fail") == 0)
			temp = true;
		printf("  ");
		auth_test_print(r->field[i]);
		printf("\n");
	}
	if (ok)
		return CLI_EXIT_OK;
	return temp ? CLI_EXIT_TEMPFAIL : CLI_EXIT_MISMATCH;
}

/* auth_test_run - handshake, one AUTH (and CONT rounds), the answer */
static int auth_test_run(int fd, enum auth_test_mech mech, const char *login,
			 const struct sbuf *pw)
{
	struct linerd *lr = linerd_new(AUTH_PROTO_MAX_LINE, 0);
	struct sbuf *out = sbuf_new_max(256, AUTH_PROTO_MAX_LINE);
	struct sbuf *payload = sbuf_new_max(256, AUTH_PROTO_MAX_PAYLOAD);
	struct sbuf *line = sbuf_new_max(256, AUTH_PROTO_MAX_LINE);
	struct auth_proto_fields r = {{NULL}, 0};
	const char *mech_name = mech == AUTH_TEST_PLAIN ? "PLAIN" : "LOGIN";
	int round, status;

	/* As Postfix: our half of the handshake before reading theirs. */
	sbuf_printf(out, "VERSION\t1\t0\nCPID\t%ld\n", (long)getpid());
	if (auth_test_send(fd, out) < 0) {
		cli_admin_error("writing to authd: %s", strerror(errno));
		status = CLI_EXIT_TEMPFAIL;
		goto out;
	}
	status = auth_test_handshake(lr, fd, line, &r, mech_name);
	if (status != CLI_EXIT_OK)
		goto out;

	sbuf_reset(out);
	sbuf_printf(out, "AUTH\t1\t%s\tservice=smtp\tnologin\tlip=\trip=",
		    mech_name);
	if (mech == AUTH_TEST_PLAIN) {
		/* authzid NUL authcid NUL password */
		if (sbuf_putc(payload, '\0') < 0 ||
		    sbuf_append_str(payload, login) < 0 ||
		    sbuf_putc(payload, '\0') < 0 ||
		    sbuf_append(payload, sbuf_data(pw), sbuf_len(pw)) < 0 ||
		    sbuf_append_str(out, "\tresp=") < 0 ||
		    base64_encode(sbuf_data(payload), sbuf_len(payload),
				  out) < 0) {
			cli_admin_error("login or password too long");
			status = CLI_EXIT_DATAERR;
			goto out;
		}
	}
	sbuf_putc(out, '\n');
	/* LOGIN: "Username:", then "Password:"; PLAIN: no CONT expected */
	for (round = 0;; round++) {
		if (auth_test_send(fd, out) < 0) {
			cli_admin_error("writing to authd: %s",
					strerror(errno));
			status = CLI_EXIT_TEMPFAIL;
			goto out;
		}
		sbuf_wipe(out);
		/* skip lines for other ids, as Postfix does */
		do {
			status = auth_test_read(lr, fd, line, &r);
			if (status != CLI_EXIT_OK)
				goto out;
		} while (r.n < 2 || strcmp(sbuf_cstr(r.field[1]), "1") != 0);
		if (auth_test_is(&r, "OK") || auth_test_is(&r, "FAIL")) {
			status = auth_test_result(&r, login);
			goto out;
		}
		if (!auth_test_is(&r, "CONT") || mech != AUTH_TEST_LOGIN ||
		    round >= 2) {
			cli_admin_error("unexpected reply from authd");
			status = CLI_EXIT_DATAERR;
			goto out;
		}
		sbuf_append_str(out, "CONT\t1\t");
		if ((round == 0 ?
			     base64_encode(login, strlen(login), out) :
			     base64_encode(sbuf_data(pw), sbuf_len(pw),
					   out)) < 0) {
			cli_admin_error("login or password too long");
			status = CLI_EXIT_DATAERR;
			goto out;
		}
		sbuf_putc(out, '\n');
	}
out:
	auth_proto_fields_clear(&r);
	linerd_free(&lr);
	sbuf_free_secret(&out);
	sbuf_free_secret(&payload);
	sbuf_free_secret(&line);
	return status;
}

/* cli_auth_test_main - postwarden auth-test */
int cli_auth_test_main(int argc, char **argv)
{
	const char *conf_opt = NULL, *sock_opt = NULL, *login;
	enum auth_test_mech mech = AUTH_TEST_PLAIN;
	struct sbuf *pw = sbuf_new_max(64, PW_SCHEME_MAX_PASSWORD);
	char *spec = NULL;
	int c, fd = -1, status;

	opterr = 0;
	while ((c = getopt(argc, argv, "c:hm:s:")) != -1) {
		switch (c) {
		case 'c':
			conf_opt = optarg;
			break;
		case 'm':
			if (strcasecmp(optarg, "plain") == 0) {
				mech = AUTH_TEST_PLAIN;
			} else if (strcasecmp(optarg, "login") == 0) {
				mech = AUTH_TEST_LOGIN;
			} else {
				cli_admin_error("-m: PLAIN or LOGIN");
				status = CLI_EXIT_USAGE;
				goto out;
			}
			break;
		case 's':
			sock_opt = optarg;
			break;
		case 'h':
			status = auth_test_usage(stdout, CLI_EXIT_OK);
			goto out;
		default:
			status = auth_test_usage(stderr, CLI_EXIT_USAGE);
			goto out;
		}
	}
	if (optind != argc - 1 || argv[optind][0] == '\0') {
		status = auth_test_usage(stderr, CLI_EXIT_USAGE);
		goto out;
	}
	login = argv[optind];
	if (strpbrk(login, "\t\n\r") != NULL) {
		cli_admin_error("the login contains a control character");
		status = CLI_EXIT_USAGE;
		goto out;
	}
	status = auth_test_socket_spec(conf_opt, sock_opt, &spec);
	if (status != CLI_EXIT_OK)
		goto out;
	if (auth_test_password(pw) < 0) {
		cli_admin_error("no password (from the terminal or one line "
				"of stdin, at most %u bytes)",
				PW_SCHEME_MAX_PASSWORD);
		status = CLI_EXIT_DATAERR;
		goto out;
	}
	status = auth_test_connect(spec, &fd);
	if (status != CLI_EXIT_OK)
		goto out;
	status = auth_test_run(fd, mech, login, pw);
out:
	if (fd >= 0)
		close(fd);
	free(spec);
	sbuf_free_secret(&pw);
	return status;
}
