/*
 * load_common.h - what the bench load clients (auth_load, policy_load,
 * milter_load) share: option numbers, the server endpoint, the
 * monotonic clock and latency percentiles.
 *
 * Endpoints take the forms of sock.h (unix:/path, local:/path, /path,
 * inet:host:port, host:port, [::1]:port, inet:port@host); a missing or
 * "*" host means 127.0.0.1. The text comes from the command line and is
 * resolved once, at start-up, so that a typo ends the run before it
 * begins and no connection pays for a name lookup.
 *
 * Latencies are kept as microseconds in uint32_t (4 bytes a sample: a
 * run keeps up to ten million of them) and read as milliseconds.
 *
 * Everything here is thread-safe except load_common_stop_on_signals(),
 * which must be called before threads start.
 */
#ifndef PW_LOAD_COMMON_H
#define PW_LOAD_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

struct sbuf;

/*
 * load_common_opt_uint - the number in option text s, which must lie in
 * min..max; otherwise prints "PROG: WHAT: MIN..MAX" and exits 2.
 */
unsigned int load_common_opt_uint(const char *prog, const char *s,
				  unsigned int min, unsigned int max,
				  const char *what);

/* A server address, resolved. */
struct load_common_endpoint {
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

/*
 * load_common_endpoint_parse - parse and resolve text into *ep_r.
 * Returns 0, or -1 with a message appended to err.
 */
int load_common_endpoint_parse(const char *text,
			       struct load_common_endpoint *ep_r,
			       struct sbuf *err);

/*
 * load_common_connect - a connected, blocking, close-on-exec stream
 * socket to ep (caller closes), or -1 with errno set.
 */
int load_common_connect(const struct load_common_endpoint *ep);

/* load_common_write_all - all n bytes to a blocking fd; 0 or -1 */
int load_common_write_all(int fd, const void *p, size_t n);

/*
 * load_common_stop_on_signals - SIGINT and SIGTERM make
 * load_common_should_stop() true (a run ends and prints its line);
 * SIGPIPE is ignored (a server that closes is counted, not fatal).
 */
void load_common_stop_on_signals(void);
bool load_common_should_stop(void);

/* load_common_request_stop - as a signal would: end the run early */
void load_common_request_stop(void);

/* load_common_ts_diff - a - b in seconds */
double load_common_ts_diff(const struct timespec *a, const struct timespec *b);

/* load_common_ts_passed - whether CLOCK_MONOTONIC has reached t */
bool load_common_ts_passed(const struct timespec *t);

/* load_common_lat_us - a duration in seconds as a latency sample */
uint32_t load_common_lat_us(double seconds);

/* load_common_lat_sort - sort n samples, ascending, for ..._pct_ms */
void load_common_lat_sort(uint32_t *us, size_t n);

/*
 * load_common_lat_pct_ms - the p-quantile (0..1; 1 gives the maximum) of
 * n sorted samples in milliseconds, nearest rank; 0 when n is 0.
 */
double load_common_lat_pct_ms(const uint32_t *sorted_us, size_t n, double p);

#endif
