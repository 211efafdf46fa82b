/*
 * log.h - logging to syslog (facility mail) or stderr.
 *
 * Daemons log to syslog; in the foreground (and in the CLI) lines go to
 * stderr as "ident: warning: text", the shape Postfix tools use. Peer-
 * supplied text must pass through log_quote(). Never log a password, an
 * AUTH payload or a key. Thread-safe after log_init().
 */
#ifndef PW_LOG_H
#define PW_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "attrs.h"

struct sbuf;

enum log_level {
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARN,
	LOG_LEVEL_FATAL,
	LOG_LEVEL_PANIC,
};

enum log_dest {
	LOG_DEST_STDERR = 1 << 0,
	LOG_DEST_SYSLOG = 1 << 1,
};

/* log_init - set the program name (copied) and destinations */
void log_init(const char *ident, int dest_mask);
void log_set_verbose(bool verbose);
bool log_is_verbose(void);
/* log_set_fatal_status - exit status of log_fatal (default 1) */
void log_set_fatal_status(int status);

/*
 * log_set_sink - send every line to fn as well (tests capture warnings);
 * fn gets a borrowed message without the ident or level prefix.
 */
typedef void log_sink_fn(enum log_level level, const char *msg, void *ctx);
void log_set_sink(log_sink_fn *fn, void *ctx);

void log_debug(const char *fmt, ...) ATTR_PRINTF(1, 2);
void log_info(const char *fmt, ...) ATTR_PRINTF(1, 2);
void log_warn(const char *fmt, ...) ATTR_PRINTF(1, 2);
void log_fatal(const char *fmt, ...) ATTR_PRINTF(1, 2) ATTR_NORETURN;
void log_panic(const char *fmt, ...) ATTR_PRINTF(1, 2) ATTR_NORETURN;

#define LOG_QUOTE_MAX 256

/*
 * log_quote - append a printable, truncated form of untrusted bytes to out
 * and return sbuf_cstr(out) (borrowed). Non-printable bytes become \xNN,
 * quotes and backslashes are escaped, more than LOG_QUOTE_MAX input bytes
 * end in "...".
 */
const char *log_quote(struct sbuf *out, const void *p, size_t n);

#endif
