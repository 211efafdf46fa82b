/*
 * milter_load.c - load client for milters (the MTA side of the milter
 * protocol, as Postfix 3.7 speaks it): postwarden-milterd, OpenDKIM.
 *
 *   milter_load -s ENDPOINT -f MESSAGE [-m sign|verify] [-c conns]
 *               [-n messages] [-t seconds] [-r per_conn] [-u user]
 *               [-d daemon_name] [-o FILE]
 *
 * -c threads each hold one milter connection and run whole message
 * transactions on it back to back, one at a time, as a cleanup or smtpd
 * process does: OPTNEG (protocol 6 with the actions and protocol steps
 * Postfix 3.7 offers), CONNECT with Postfix's connect macros, HELO, then
 * per message MAIL, RCPT, DATA, the header fields, EOH, the body in
 * chunks of at most 65535 bytes and EOM, each with its macros, reading
 * every reply the milter negotiated. Steps the milter turned off (NOHELO,
 * NODATA, ...) are not sent, and no reply is awaited where it asked for
 * none (NR_*). After -r messages (default 1, a new connection per
 * message as for one-message SMTP sessions; 0: never) the connection is
 * closed with QUIT and a new one made.
 *
 * -m sign sets {auth_type} and {auth_authen} (-u) at MAIL, so a DKIM
 * milter signs; -m verify sets neither. The client address is
 * 203.0.113.7 (TEST-NET-3): give the milter no internal hosts that
 * contain it. The correctness check: in sign mode every message must get
 * a DKIM-Signature field (inserted or added), in verify mode an
 * Authentication-Results field with dkim=pass; the final reply must be
 * accept or continue. -o FILE writes the first signed message (the
 * inserted DKIM-Signature fields on top of MESSAGE), the input for a
 * verify run.
 *
 * MESSAGE is a file in RFC 5322 form (CRLF or LF line ends). Stops after
 * -n messages or -t seconds, whichever comes first (messages in flight
 * then finish, each reply within 30 s). Prints one line of key=value
 * fields: conns, messages (transactions that got a final reply), ok,
 * bad (final reply without the expected field, or not accept/continue),
 * errors (protocol errors, timeouts, lost connections), seconds, mps,
 * p50_ms, p90_ms, p99_ms, max_ms, and client_cpu_us (this client's
 * own CPU time per message, user + system: on a machine where it shares
 * the cores with the milter, what it takes from it). Exit 1 when bad or
 * errors is not 0.
 *
 * Everything read from the milter is bounded: a packet longer than
 * LOAD_PKT_MAX is a protocol error, as is a reply not allowed at that
 * point.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "load_common.h"
#include "readfile.h"
#include "sbuf.h"
#include "xalloc.h"

#define PROG "milter_load"
#define LOAD_MAX_CONNS 256u
#define LOAD_MAX_MESSAGES 10000000u /* latency samples are kept */
#define LOAD_MAX_SECONDS 3600u
#define LOAD_MAX_FILE (16u << 20)
#define LOAD_MAX_HEADERS 10000u
#define LOAD_PKT_MAX (1u << 20) /* longest packet accepted from a milter */
#define LOAD_BODY_CHUNK 65535u	/* Postfix's largest BODY packet */
#define LOAD_TIMEOUT_S 30	/* Postfix's milter_command_timeout */

/* milter protocol 6: commands, replies, flags */
#define MILTER_VERSION 6u
#define SMFIF_ALL 0x1ffu    /* ADDHDRS .. SETSYMLIST, as Postfix offers */
#define SMFIP_ALL 0x1fffffu /* NOCONNECT .. HDR_LEADSPC */
#define SMFIP_NOCONNECT 0x1u
#define SMFIP_NOHELO 0x2u
#define SMFIP_NOMAIL 0x4u
#define SMFIP_NORCPT 0x8u
#define SMFIP_NOBODY 0x10u
#define SMFIP_NOHDRS 0x20u
#define SMFIP_NOEOH 0x40u
#define SMFIP_NR_HDR 0x80u
#define SMFIP_NODATA 0x200u
#define SMFIP_NR_CONN 0x1000u
#define SMFIP_NR_HELO 0x2000u
#define SMFIP_NR_MAIL 0x4000u
#define SMFIP_NR_RCPT 0x8000u
#define SMFIP_NR_DATA 0x10000u
#define SMFIP_NR_EOH 0x40000u
#define SMFIP_NR_BODY 0x80000u
#define SMFIP_HDR_LEADSPC 0x100000u

#define CLIENT_HOST "client.example"
#define CLIENT_ADDR "203.0.113.7"
#define MTA_NAME "mx.bench.example"
#define MAIL_FROM "alice@example.com"
#define RCPT_TO "bob@example.net"

struct header {
	char *name;
	char *value; /* as after the colon, folds as "\n" + WSP */
};

struct load {
	/* options */
	struct load_common_endpoint endpoint;
	const char *user, *daemon_name, *out_path;
	bool sign;
	unsigned int nconns, nmsg, seconds, per_conn;
	/* the message */
	struct header *hdrs;
	size_t nhdrs;
	struct sbuf *body;  /* CRLF line ends */
	struct sbuf *whole; /* the message with CRLF line ends, for -o */
	/* shared state */
	struct timespec start, deadline;
	atomic_ulong next; /* messages handed out */
	atomic_ulong done, ok, bad, errors, nlat;
	atomic_bool wrote_out;
	uint32_t *lat_us;
};

struct conn {
	int fd;
	uint32_t proto; /* protocol flags the milter chose */
	unsigned char *in;
	struct sbuf *out;
};

/* what one transaction brought */
struct result {
	unsigned int sigs;   /* DKIM-Signature fields added */
	unsigned int passes; /* Authentication-Results fields with dkim=pass */
	char final;	     /* final reply command, 0 if none */
	bool early;	     /* it came before EOM */
	struct sbuf *sig_fields; /* the DKIM-Signature fields, for -o */
};

static void usage(void)
{
	fprintf(stderr,
		"usage: milter_load -s ENDPOINT -f MESSAGE [-m sign|verify] "
		"[-c CONNS] [-n MESSAGES]\n"
		"                   [-t SECONDS] [-r PER-CONN] [-u USER] "
		"[-d DAEMON-NAME] [-o FILE]\n"
		"  ENDPOINT  unix:/path, local:/path, /path, "
		"inet:127.0.0.1:port or inet:port@127.0.0.1\n"
		"  -m        sign: {auth_authen} set; verify: not (sign)\n"
		"  -c        concurrent connections, one message each at a "
		"time (16)\n"
		"  -n        stop after this many messages (1000000)\n"
		"  -t        stop after this many seconds (30)\n"
		"  -r        messages per connection, 0: unlimited (1)\n"
		"  -u        {auth_authen} in sign mode (" MAIL_FROM ")\n"
		"  -d        {daemon_name} (" MTA_NAME ")\n"
		"  -o        write the first signed message to FILE\n");
	exit(2);
}

/* read_full - exactly n bytes, or -1 (EOF, error, receive timeout) */
static int read_full(int fd, unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* pkt_send - one packet: length, command, data */
static int pkt_send(struct conn *c, char cmd, const void *data, size_t len)
{
	unsigned char hdr[5];
	uint32_t n = htonl((uint32_t)len + 1);
	struct iovec iov[2];
	size_t left = sizeof(hdr) + len;

	memcpy(hdr, &n, 4);
	hdr[4] = (unsigned char)cmd;
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)data;
	iov[1].iov_len = len;
	while (left > 0) {
		ssize_t w = writev(c->fd, iov, 2);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		left -= (size_t)w;
		for (int i = 0; i < 2 && w > 0; i++) {
			size_t k = (size_t)w < iov[i].iov_len ? (size_t)w
							      : iov[i].iov_len;

			iov[i].iov_base = (char *)iov[i].iov_base + k;
			iov[i].iov_len -= k;
			w -= (ssize_t)k;
		}
	}
	return 0;
}

/*
 * pkt_read - one packet from the milter into c->in: its command in
 * *cmd, its data length in *len. -1 on EOF, timeout or a length outside
 * 1..LOAD_PKT_MAX.
 */
static int pkt_read(struct conn *c, char *cmd, size_t *len)
{
	unsigned char hdr[4];
	uint32_t n;

	if (read_full(c->fd, hdr, 4) < 0)
		return -1;
	memcpy(&n, hdr, 4);
	n = ntohl(n);
	if (n == 0 || n > LOAD_PKT_MAX)
		return -1;
	if (read_full(c->fd, c->in, n) < 0)
		return -1;
	*cmd = (char)c->in[0];
	*len = n - 1;
	memmove(c->in, c->in + 1, n - 1);
	c->in[n - 1] = '\0';
	return 0;
}

/* nv_add - "name\0value\0" to b */
static void nv_add(struct sbuf *b, const char *name, const char *value)
{
	sbuf_append(b, name, strlen(name) + 1);
	sbuf_append(b, value, strlen(value) + 1);
}

/*
 * cmd_reply - the reply to a command before EOM: 0 continue, 1 skip
 * (body only), 2 the milter ended the message (accept, reject, ...;
 * its command in *final), -1 protocol error
 */
static int cmd_reply(struct conn *c, char *final)
{
	char cmd;
	size_t len;

	for (;;) {
		if (pkt_read(c, &cmd, &len) < 0)
			return -1;
		switch (cmd) {
		case 'p': /* progress: keep waiting */
			continue;
		case 'c':
			return 0;
		case 's':
			return 1;
		case 'a':
		case 'r':
		case 't':
		case 'd':
		case 'y':
			*final = cmd;
			return 2;
		default:
			return -1;
		}
	}
}

/*
 * step - send a command and read its reply unless the milter asked for
 * none (nr). Returns as cmd_reply, 0 when no reply was due.
 */
static int step(struct conn *c, char cmd, const void *data, size_t len, bool nr,
		char *final)
{
	if (pkt_send(c, cmd, data, len) < 0)
		return -1;
	return nr ? 0 : cmd_reply(c, final);
}

static int send_macros(struct conn *c, char stage, const char *const *nv)
{
	sbuf_reset(c->out);
	sbuf_putc(c->out, stage);
	for (; nv[0] != NULL; nv += 2)
		nv_add(c->out, nv[0], nv[1]);
	return pkt_send(c, 'D', sbuf_data(c->out), sbuf_len(c->out));
}

/* conn_open - connect, OPTNEG, CONNECT and HELO; -1 on any failure */
static int conn_open(const struct load *L, struct conn *c)
{
	uint32_t neg[3] = {htonl(MILTER_VERSION), htonl(SMFIF_ALL),
			   htonl(SMFIP_ALL)};
	struct timeval tv = {LOAD_TIMEOUT_S, 0};
	unsigned char addr[2 + sizeof(CLIENT_ADDR)];
	/* name, value pairs */
	/* clang-format off */
	const char *cmac[] = {"j", MTA_NAME,
			      "{daemon_name}", L->daemon_name,
			      "{daemon_addr}", "127.0.0.1",
			      "v", "Postfix 3.7.11",
			      "_", CLIENT_HOST " [" CLIENT_ADDR "]",
			      NULL, NULL};
	/* clang-format on */
	char cmd, final = 0;
	size_t len;
	uint32_t v;

	c->fd = load_common_connect(&L->endpoint);
	if (c->fd < 0)
		return -1;
	(void)setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (pkt_send(c, 'O', neg, sizeof(neg)) < 0 ||
	    pkt_read(c, &cmd, &len) < 0 || cmd != 'O' || len < 12)
		return -1;
	memcpy(&v, c->in, 4);
	if (ntohl(v) < 2)
		return -1;
	/* the macro lists a SETSYMLIST milter may append are not used:
	   the macros below are sent at every stage */
	memcpy(&v, c->in + 8, 4);
	c->proto = ntohl(v) & SMFIP_ALL;

	if (send_macros(c, 'C', cmac) < 0)
		return -1;
	if (!(c->proto & SMFIP_NOCONNECT)) {
		uint16_t port = htons(48123);

		sbuf_reset(c->out);
		sbuf_append(c->out, CLIENT_HOST, sizeof(CLIENT_HOST));
		sbuf_putc(c->out, '4');
		memcpy(addr, &port, 2);
		memcpy(addr + 2, CLIENT_ADDR, sizeof(CLIENT_ADDR));
		sbuf_append(c->out, addr, sizeof(addr));
		if (step(c, 'C', sbuf_data(c->out), sbuf_len(c->out),
			 c->proto & SMFIP_NR_CONN, &final) != 0)
			return -1;
	}
	if (!(c->proto & SMFIP_NOHELO) &&
	    step(c, 'H', CLIENT_HOST, sizeof(CLIENT_HOST),
		 c->proto & SMFIP_NR_HELO, &final) != 0)
		return -1;
	return 0;
}

static void conn_close(struct conn *c)
{
	if (c->fd < 0)
		return;
	(void)pkt_send(c, 'Q', NULL, 0);
	close(c->fd);
	c->fd = -1;
}

/* has_dkim_pass - "dkim=pass" in an Authentication-Results value */
static bool has_dkim_pass(const char *v)
{
	const char *p;

	for (p = v; (p = strstr(p, "dkim=")) != NULL; p += 5)
		if (strncasecmp(p + 5, "pass", 4) == 0)
			return true;
	return false;
}

/*
 * eom_action - one header action at EOM ('h' name\0value\0,
 * 'i' index name\0value\0): count the fields we look for
 */
static int eom_action(struct conn *c, char cmd, size_t len, struct result *r)
{
	const char *name, *value;
	size_t off = cmd == 'i' ? 4 : 0, nl;

	if (len < off + 2)
		return -1;
	name = (const char *)c->in + off;
	nl = strnlen(name, len - off);
	if (off + nl + 1 >= len)
		return -1;
	value = name + nl + 1;
	if (strnlen(value, len - off - nl - 1) != len - off - nl - 2)
		return -1; /* value not NUL-terminated at the end */
	if (strcasecmp(name, "DKIM-Signature") == 0) {
		r->sigs++;
		sbuf_printf(r->sig_fields, "DKIM-Signature:%s%s\r\n",
			    c->proto & SMFIP_HDR_LEADSPC ? "" : " ", value);
	} else if (strcasecmp(name, "Authentication-Results") == 0 &&
		   has_dkim_pass(value)) {
		r->passes++;
	}
	return 0;
}

/* eom_replies - actions and the final reply after EOM */
static int eom_replies(struct conn *c, struct result *r)
{
	char cmd;
	size_t len;

	for (;;) {
		if (pkt_read(c, &cmd, &len) < 0)
			return -1;
		switch (cmd) {
		case 'h':
		case 'i':
			if (eom_action(c, cmd, len, r) < 0)
				return -1;
			continue;
		case 'm': /* chgheader, e.g. deleting an old A-R */
		case '+':
		case '-':
		case '2':
		case 'e':
		case 'b':
		case 'q':
		case 'p':
			continue;
		case 'a':
		case 'c':
		case 'r':
		case 't':
		case 'd':
		case 'y':
			r->final = cmd;
			return 0;
		default:
			return -1;
		}
	}
}

/* transaction - one message on an open connection; -1 on an error */
static int transaction(const struct load *L, struct conn *c, unsigned long id,
		       struct result *r)
{
	char qid[32], from[] = "<" MAIL_FROM ">", to[] = "<" RCPT_TO ">";
	/* name, value pairs */
	/* clang-format off */
	const char *mmac_sign[] = {"{auth_type}", "PLAIN",
				   "{auth_authen}", L->user,
				   "{mail_addr}", MAIL_FROM,
				   NULL, NULL};
	/* clang-format on */
	const char *mmac[] = {"{mail_addr}", MAIL_FROM, NULL, NULL};
	const char *rmac[] = {"{rcpt_addr}", RCPT_TO, NULL, NULL};
	const char *imac[] = {"i", qid, NULL, NULL};
	const unsigned char *body = sbuf_data(L->body);
	size_t i, blen = sbuf_len(L->body);
	int rc;

	snprintf(qid, sizeof(qid), "4B%010lX", id);
	if (send_macros(c, 'M', L->sign ? mmac_sign : mmac) < 0)
		return -1;
	if (!(c->proto & SMFIP_NOMAIL) &&
	    (rc = step(c, 'M', from, sizeof(from), c->proto & SMFIP_NR_MAIL,
		       &r->final)) != 0)
		return rc == 2 ? (r->early = true, 0) : -1;
	if (send_macros(c, 'R', rmac) < 0)
		return -1;
	if (!(c->proto & SMFIP_NORCPT) &&
	    (rc = step(c, 'R', to, sizeof(to), c->proto & SMFIP_NR_RCPT,
		       &r->final)) != 0)
		return rc == 2 ? (r->early = true, 0) : -1;
	if (send_macros(c, 'T', imac) < 0)
		return -1;
	if (!(c->proto & SMFIP_NODATA) &&
	    (rc = step(c, 'T', NULL, 0, c->proto & SMFIP_NR_DATA, &r->final)) !=
		0)
		return rc == 2 ? (r->early = true, 0) : -1;
	for (i = 0; i < L->nhdrs && !(c->proto & SMFIP_NOHDRS); i++) {
		const char *v = L->hdrs[i].value;

		/* without LEADSPC, Postfix drops exactly one leading space */
		if (!(c->proto & SMFIP_HDR_LEADSPC) && *v == ' ')
			v++;
		sbuf_reset(c->out);
		nv_add(c->out, L->hdrs[i].name, v);
		rc = step(c, 'L', sbuf_data(c->out), sbuf_len(c->out),
			  c->proto & SMFIP_NR_HDR, &r->final);
		if (rc != 0)
			return rc == 2 ? (r->early = true, 0) : -1;
	}
	if (send_macros(c, 'N', imac) < 0)
		return -1;
	if (!(c->proto & SMFIP_NOEOH) &&
	    (rc = step(c, 'N', NULL, 0, c->proto & SMFIP_NR_EOH, &r->final)) !=
		0)
		return rc == 2 ? (r->early = true, 0) : -1;
	for (i = 0; i < blen && !(c->proto & SMFIP_NOBODY);
	     i += LOAD_BODY_CHUNK) {
		size_t n =
		    blen - i < LOAD_BODY_CHUNK ? blen - i : LOAD_BODY_CHUNK;

		rc = step(c, 'B', body + i, n, c->proto & SMFIP_NR_BODY,
			  &r->final);
		if (rc == 1)
			break; /* SKIP: no more body wanted */
		if (rc != 0)
			return rc == 2 ? (r->early = true, 0) : -1;
	}
	if (send_macros(c, 'E', imac) < 0 || pkt_send(c, 'E', NULL, 0) < 0)
		return -1;
	return eom_replies(c, r);
}

static void write_signed(struct load *L, const struct result *r)
{
	FILE *f;
	bool expected = false;

	if (L->out_path == NULL ||
	    !atomic_compare_exchange_strong(&L->wrote_out, &expected, true))
		return;
	f = fopen(L->out_path, "wb");
	if (f == NULL) {
		perror(L->out_path);
		atomic_fetch_add(&L->errors, 1);
		return;
	}
	/* the milter's folds are LF + WSP: the file gets CRLF */
	for (const char *p = sbuf_cstr(r->sig_fields); *p != '\0'; p++) {
		if (*p == '\n' &&
		    (p == sbuf_cstr(r->sig_fields) || p[-1] != '\r'))
			fputc('\r', f);
		fputc(*p, f);
	}
	fwrite(sbuf_data(L->whole), 1, sbuf_len(L->whole), f);
	if (fclose(f) != 0) {
		perror(L->out_path);
		atomic_fetch_add(&L->errors, 1);
	}
}

static void *worker_main(void *arg)
{
	struct load *L = arg;
	struct conn c = {.fd = -1};
	struct result r;
	unsigned int on_conn = 0;

	c.in = xmalloc(LOAD_PKT_MAX + 1);
	c.out = sbuf_new(1024);
	r.sig_fields = sbuf_new(1024);
	while (!load_common_should_stop() &&
	       !load_common_ts_passed(&L->deadline)) {
		unsigned long id = atomic_fetch_add(&L->next, 1);
		struct timespec t0, t1;
		bool good;

		if (id >= L->nmsg)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (c.fd < 0) {
			on_conn = 0;
			if (conn_open(L, &c) < 0) {
				if (c.fd >= 0)
					close(c.fd);
				c.fd = -1;
				atomic_fetch_add(&L->errors, 1);
				(void)poll(NULL, 0, 10);
				continue;
			}
		}
		r.sigs = r.passes = 0;
		r.final = 0;
		r.early = false;
		sbuf_reset(r.sig_fields);
		if (transaction(L, &c, id, &r) < 0) {
			atomic_fetch_add(&L->errors, 1);
			close(c.fd);
			c.fd = -1;
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		{
			unsigned long k = atomic_fetch_add(&L->nlat, 1);

			if (k < L->nmsg)
				L->lat_us[k] = load_common_lat_us(
				    load_common_ts_diff(&t1, &t0));
		}
		atomic_fetch_add(&L->done, 1);
		good = (r.final == 'a' || r.final == 'c') &&
		       (L->sign ? r.sigs > 0 : r.passes > 0);
		atomic_fetch_add(good ? &L->ok : &L->bad, 1);
		if (good && L->sign)
			write_signed(L, &r);
		if (r.early) {
			/* the message ended before EOM: abort as Postfix does
			 */
			if (pkt_send(&c, 'A', NULL, 0) < 0) {
				close(c.fd);
				c.fd = -1;
				continue;
			}
		}
		if (L->per_conn > 0 && ++on_conn >= L->per_conn)
			conn_close(&c);
	}
	conn_close(&c);
	sbuf_free(&r.sig_fields);
	sbuf_free(&c.out);
	free(c.in);
	return NULL;
}

/*
 * message_load - read MESSAGE: header fields (name, value after the
 * colon with folds as LF + WSP), body with CRLF line ends
 */
static int message_load(struct load *L, const char *path)
{
	struct sbuf *raw = sbuf_new_max(4096, LOAD_MAX_FILE);
	struct sbuf *err = sbuf_new(0);
	const char *p, *end;
	bool in_body = false;
	size_t cap = 0;
	int rc = -1;

	L->body = sbuf_new(4096);
	L->whole = sbuf_new(4096);
	if (readfile(path, raw, NULL, err) < 0) {
		fprintf(stderr, "milter_load: %s\n", sbuf_cstr(err));
		goto out;
	}
	p = (const char *)sbuf_data(raw);
	end = p + sbuf_len(raw);
	while (p < end) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		const char *le = lf != NULL ? lf : end;
		size_t n;

		if (le > p && le[-1] == '\r' && lf != NULL)
			le--;
		n = (size_t)(le - p);
		sbuf_append(L->whole, p, n);
		if (lf != NULL)
			sbuf_append(L->whole, "\r\n", 2);
		if (in_body) {
			sbuf_append(L->body, p, n);
			if (lf != NULL)
				sbuf_append(L->body, "\r\n", 2);
		} else if (n == 0) {
			in_body = true;
		} else if (*p == ' ' || *p == '\t') {
			struct header *h;
			size_t vl;

			if (L->nhdrs == 0)
				goto bad;
			h = &L->hdrs[L->nhdrs - 1];
			vl = strlen(h->value);
			h->value = xrealloc(h->value, vl + n + 2);
			h->value[vl] = '\n';
			memcpy(h->value + vl + 1, p, n);
			h->value[vl + 1 + n] = '\0';
		} else {
			const char *colon = memchr(p, ':', n);

			if (colon == NULL || colon == p ||
			    memchr(p, '\0', n) != NULL)
				goto bad;
			if (L->nhdrs == LOAD_MAX_HEADERS) {
				fprintf(stderr,
					"milter_load: %s: more than "
					"%u header fields\n",
					path, LOAD_MAX_HEADERS);
				goto out;
			}
			if (L->nhdrs == cap) {
				cap = cap ? cap * 2 : 32;
				L->hdrs =
				    xrealloc(L->hdrs, cap * sizeof(*L->hdrs));
			}
			L->hdrs[L->nhdrs].name =
			    xstrndup(p, (size_t)(colon - p));
			L->hdrs[L->nhdrs].value =
			    xstrndup(colon + 1, (size_t)(le - colon - 1));
			L->nhdrs++;
		}
		p = lf != NULL ? lf + 1 : end;
	}
	if (L->nhdrs == 0)
		goto bad;
	rc = 0;
	goto out;
bad:
	fprintf(stderr,
		"milter_load: %s: not a message (header fields, an "
		"empty line, the body)\n",
		path);
out:
	sbuf_free(&raw);
	sbuf_free(&err);
	return rc;
}

static void message_free(struct load *L)
{
	size_t i;

	for (i = 0; i < L->nhdrs; i++) {
		free(L->hdrs[i].name);
		free(L->hdrs[i].value);
	}
	free(L->hdrs);
	L->hdrs = NULL;
	L->nhdrs = 0;
	sbuf_free(&L->body);
	sbuf_free(&L->whole);
}

int main(int argc, char **argv)
{
	struct load L;
	struct sbuf *err = sbuf_new(0);
	pthread_t *th;
	const char *file = NULL, *endpoint = NULL;
	unsigned long nlat;
	struct timespec end;
	struct rusage ru;
	double cpu_s = 0;
	unsigned int i, started = 0;
	double el;
	int ch;

	memset(&L, 0, sizeof(L));
	L.nconns = 16;
	L.nmsg = 1000000;
	L.seconds = 30;
	L.per_conn = 1;
	L.sign = true;
	L.user = MAIL_FROM;
	L.daemon_name = MTA_NAME;
	while ((ch = getopt(argc, argv, "s:f:m:c:n:t:r:u:d:o:")) != -1) {
		switch (ch) {
		case 's':
			endpoint = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "sign") == 0)
				L.sign = true;
			else if (strcmp(optarg, "verify") == 0)
				L.sign = false;
			else
				usage();
			break;
		case 'c':
			L.nconns = load_common_opt_uint(PROG, optarg, 1,
							LOAD_MAX_CONNS, "-c");
			break;
		case 'n':
			L.nmsg = load_common_opt_uint(PROG, optarg, 1,
						      LOAD_MAX_MESSAGES, "-n");
			break;
		case 't':
			L.seconds = load_common_opt_uint(
			    PROG, optarg, 1, LOAD_MAX_SECONDS, "-t");
			break;
		case 'r':
			L.per_conn = load_common_opt_uint(PROG, optarg, 0,
							  UINT32_MAX, "-r");
			break;
		case 'u':
			L.user = optarg;
			break;
		case 'd':
			L.daemon_name = optarg;
			break;
		case 'o':
			L.out_path = optarg;
			break;
		default:
			usage();
		}
	}
	if (endpoint == NULL || file == NULL || optind != argc)
		usage();
	if (load_common_endpoint_parse(endpoint, &L.endpoint, err) < 0) {
		fprintf(stderr, PROG ": %s: %s\n", endpoint, sbuf_cstr(err));
		sbuf_free(&err);
		return 2;
	}
	sbuf_free(&err);
	if (message_load(&L, file) < 0) {
		message_free(&L);
		return 2;
	}

	load_common_stop_on_signals();

	L.lat_us = xcalloc(L.nmsg, sizeof(*L.lat_us));
	th = xcalloc(L.nconns, sizeof(*th));
	clock_gettime(CLOCK_MONOTONIC, &L.start);
	L.deadline = L.start;
	L.deadline.tv_sec += L.seconds;
	for (i = 0; i < L.nconns; i++) {
		if (pthread_create(&th[i], NULL, worker_main, &L) != 0) {
			fprintf(stderr, "milter_load: cannot start thread\n");
			load_common_request_stop();
			break;
		}
		started++;
	}
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &end);
	el = load_common_ts_diff(&end, &L.start);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		cpu_s = (double)ru.ru_utime.tv_sec +
			(double)ru.ru_stime.tv_sec +
			((double)ru.ru_utime.tv_usec +
			 (double)ru.ru_stime.tv_usec) /
			    1e6;
	nlat = atomic_load(&L.nlat);
	if (nlat > L.nmsg)
		nlat = L.nmsg;
	load_common_lat_sort(L.lat_us, nlat);
	printf("conns=%u messages=%lu ok=%lu bad=%lu errors=%lu "
	       "seconds=%.3f mps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
	       "max_ms=%.3f client_cpu_us=%.0f\n",
	       L.nconns, atomic_load(&L.done), atomic_load(&L.ok),
	       atomic_load(&L.bad), atomic_load(&L.errors), el,
	       el > 0 ? (double)atomic_load(&L.done) / el : 0.0,
	       load_common_lat_pct_ms(L.lat_us, nlat, 0.50),
	       load_common_lat_pct_ms(L.lat_us, nlat, 0.90),
	       load_common_lat_pct_ms(L.lat_us, nlat, 0.99),
	       load_common_lat_pct_ms(L.lat_us, nlat, 1.0),
	       atomic_load(&L.done) > 0
		   ? cpu_s * 1e6 / (double)atomic_load(&L.done)
		   : 0.0);
	fflush(stdout);
	if (L.out_path != NULL && !atomic_load(&L.wrote_out)) {
		fprintf(stderr, "milter_load: no signed message for %s\n",
			L.out_path);
		L.errors++;
	}
	message_free(&L);
	free(th);
	free(L.lat_us);
	return atomic_load(&L.bad) > 0 || atomic_load(&L.errors) > 0 ? 1 : 0;
}
