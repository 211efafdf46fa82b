/* log.c - logging to syslog (facility mail) or stderr */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "sbuf.h"

static char log_ident[64] = "postwarden";
static int log_dest = LOG_DEST_STDERR;
static bool log_verbose;
static int log_fatal_status = 1;
static log_sink_fn *log_sink;
static void *log_sink_ctx;

/* log_init - set the program name and destinations */
void log_init(const char *ident, int dest_mask)
{
	snprintf(log_ident, sizeof(log_ident), "%s", ident);
	log_dest = dest_mask;
	if (dest_mask & LOG_DEST_SYSLOG)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

/* log_set_verbose - turn debug lines on or off */
void log_set_verbose(bool verbose)
{
	log_verbose = verbose;
}

/* log_is_verbose - are debug lines wanted? */
bool log_is_verbose(void)
{
	return log_verbose;
}

/* log_set_fatal_status - choose the exit status of log_fatal */
void log_set_fatal_status(int status)
{
	log_fatal_status = status;
}

/* log_set_sink - copy every message to a callback */
void log_set_sink(log_sink_fn *fn, void *ctx)
{
	log_sink = fn;
	log_sink_ctx = ctx;
}

static void log_emit(enum log_level level, const char *fmt, va_list ap)
	ATTR_PRINTF(2, 0);

/* log_emit - format once and send to every destination */
static void log_emit(enum log_level level, const char *fmt, va_list ap)
{
	static const char *const prefix[] = {
		[LOG_LEVEL_DEBUG] = "", [LOG_LEVEL_INFO] = "",
		[LOG_LEVEL_WARN] = "warning: ", [LOG_LEVEL_FATAL] = "fatal: ",
		[LOG_LEVEL_PANIC] = "panic: ",
	};
	static const int prio[] = {
		[LOG_LEVEL_DEBUG] = LOG_DEBUG, [LOG_LEVEL_INFO] = LOG_INFO,
		[LOG_LEVEL_WARN] = LOG_WARNING, [LOG_LEVEL_FATAL] = LOG_CRIT,
		[LOG_LEVEL_PANIC] = LOG_CRIT,
	};
	char msg[2048];	/* fixed: we format our own text; long lines truncate */

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_dest & LOG_DEST_STDERR)
		fprintf(stderr, "%s: %s%s\n", log_ident, prefix[level], msg);
	if (log_dest & LOG_DEST_SYSLOG)
		syslog(prio[level], "%s%s", prefix[level], msg);
	if (log_sink != NULL)
		log_sink(level, msg, log_sink_ctx);
}

#define LOG_BODY(level)                      \
	do {                                 \
		va_list ap;                  \
		va_start(ap, fmt);           \
		log_emit(level, fmt, ap);    \
		va_end(ap);                  \
	} while (0)

/* log_debug - verbose-only detail */
void log_debug(const char *fmt, ...)
{
	if (log_verbose)
		LOG_BODY(LOG_LEVEL_DEBUG);
}

/* log_info - normal operation */
void log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_INFO);
}

/* log_warn - an external problem; we carry on */
void log_warn(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_WARN);
}

/* log_fatal - bad configuration or environment: exit */
void log_fatal(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_FATAL);
	exit(log_fatal_status);
}

/* log_panic - our own bug: abort for a core */
void log_panic(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_PANIC);
	abort();
}

/* log_quote - printable, truncated form of untrusted bytes */
const char *log_quote(struct sbuf *out, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i, lim = n > LOG_QUOTE_MAX ? LOG_QUOTE_MAX : n;

	for (i = 0; i < lim; i++) {
		if (s[i] == '\\' || s[i] == '"')
			sbuf_printf(out, "\\%c", s[i]);
		else if (s[i] < 0x20 || s[i] >= 0x7f)
			sbuf_printf(out, "\\x%02x", s[i]);
		else
			sbuf_putc(out, s[i]);
	}
	if (lim < n)
		sbuf_append_str(out, "...");
	return sbuf_cstr(out);
}
