/* load_common.c - what the bench load clients share (load_common.h) */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "load_common.h"
#include "numparse.h"
#include "sbuf.h"
#include "sock.h"

/* load_common_opt_uint - a range-checked option number, or exit 2 */
unsigned int load_common_opt_uint(const char *prog, const char *s,
				  unsigned int min, unsigned int max,
				  const char *what)
{
	unsigned int v;

	if (numparse_uint(s, max, &v) < 0 || v < min) {
		fprintf(stderr, "%s: %s: %u..%u\n", prog, what, min, max);
		exit(2);
	}
	return v;
}

/* endpoint_unix - a unix socket address for path */
static int endpoint_unix(const char *path, struct load_common_endpoint *ep,
			 struct sbuf *err)
{
	struct sockaddr_un sun;
	size_t n = strlen(path);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (n >= sizeof(sun.sun_path)) {
		sbuf_append_str(err, "unix socket path too long");
		return -1;
	}
	memcpy(sun.sun_path, path, n + 1);
	memcpy(&ep->addr, &sun, sizeof(sun));
	ep->addrlen = sizeof(sun);
	return 0;
}

/* endpoint_inet - the first address host resolves to, with port */
static int endpoint_inet(const char *host, unsigned int port,
			 struct load_common_endpoint *ep, struct sbuf *err)
{
	struct addrinfo hints, *ai = NULL;
	char portstr[16];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof(portstr), "%u", port);
	rc = getaddrinfo(host, portstr, &hints, &ai);
	if (rc != 0) {
		sbuf_printf(err, "%s: %s", host, gai_strerror(rc));
		return -1;
	}
	if (ai->ai_addrlen > sizeof(ep->addr)) {
		freeaddrinfo(ai);
		sbuf_printf(err, "%s: unsupported address", host);
		return -1;
	}
	memcpy(&ep->addr, ai->ai_addr, ai->ai_addrlen);
	ep->addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* load_common_endpoint_parse - parse and resolve an endpoint once */
int load_common_endpoint_parse(const char *text,
			       struct load_common_endpoint *ep_r,
			       struct sbuf *err)
{
	struct sock_spec *spec = NULL;
	int rc;

	memset(ep_r, 0, sizeof(*ep_r));
	if (sock_spec_parse(text, &spec, err) < 0)
		return -1;
	if (spec->kind == SOCK_KIND_UNIX)
		rc = endpoint_unix(spec->path, ep_r, err);
	else /* a server under test on "any" is reached on loopback */
		rc =
		    endpoint_inet(spec->host != NULL ? spec->host : "127.0.0.1",
				  spec->port, ep_r, err);
	sock_spec_free(&spec);
	return rc;
}

/* load_common_connect - a connected stream socket to ep, or -1 */
int load_common_connect(const struct load_common_endpoint *ep)
{
	int fd, saved;

	fd = socket(ep->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&ep->addr, ep->addrlen) < 0) {
		saved = errno; /* the caller reports why */
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* load_common_write_all - the whole buffer, or -1 */
int load_common_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static volatile sig_atomic_t load_common_stop;

static void on_stop_signal(int sig)
{
	(void)sig;
	load_common_stop = 1;
}

/* load_common_stop_on_signals - SIGINT/SIGTERM end the run cleanly */
void load_common_stop_on_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* load_common_should_stop - whether SIGINT or SIGTERM came */
bool load_common_should_stop(void) { return load_common_stop != 0; }

/* load_common_request_stop - end the run as SIGTERM would */
void load_common_request_stop(void) { load_common_stop = 1; }

/* load_common_ts_diff - a - b in seconds */
double load_common_ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(a->tv_sec - b->tv_sec) +
	       (double)(a->tv_nsec - b->tv_nsec) / 1e9;
}

/* load_common_ts_passed - whether the monotonic clock has reached t */
bool load_common_ts_passed(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return load_common_ts_diff(&now, t) >= 0;
}

/* load_common_lat_us - seconds as whole microseconds, saturating */
uint32_t load_common_lat_us(double seconds)
{
	double us = seconds * 1e6;

	if (us <= 0)
		return 0;
	return us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* load_common_lat_sort - ascending, for load_common_lat_pct_ms */
void load_common_lat_sort(uint32_t *us, size_t n)
{
	if (n > 0)
		qsort(us, n, sizeof(*us), cmp_u32);
}

/* load_common_lat_pct_ms - p-quantile of sorted samples, nearest rank */
double load_common_lat_pct_ms(const uint32_t *sorted_us, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return sorted_us[i] / 1000.0;
}
