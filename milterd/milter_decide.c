/*
 * milter_decide.c - sign or verify (milter_decide.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "milter_conf.h"
#include "milter_decide.h"
#include "milter_nets.h"
#include "sbuf.h"

/* milter_decide_addr - the client address as text, or "unknown" */
static const char *milter_decide_addr(const struct milter_decide_in *in,
				      char *buf, size_t len)
{
	if ((in->family == AF_INET || in->family == AF_INET6) &&
	    inet_ntop(in->family, in->addr, buf, (socklen_t)len) != NULL)
		return buf;
	return "unknown";
}

enum milter_decision milter_decide(const struct milter_conf *cf,
				   const struct milter_decide_in *in,
				   struct sbuf *reason)
{
	char abuf[INET6_ADDRSTRLEN];
	struct sbuf *q = sbuf_new(64);
	enum milter_decision d;
	const char *why;
	struct sbuf *r = reason != NULL ? reason : sbuf_new(64);

	if (in->auth_authen != NULL && in->auth_authen[0] != '\0') {
		sbuf_printf(r, "authenticated as %s",
			    log_quote(q, in->auth_authen,
				      strlen(in->auth_authen)));
		d = MILTER_DECIDE_SIGN;
	} else if (cf->internal != NULL &&
		   (in->family == AF_INET || in->family == AF_INET6) &&
		   milter_nets_match(cf->internal, in->family, in->addr)) {
		sbuf_printf(r, "internal client %s",
			    milter_decide_addr(in, abuf, sizeof(abuf)));
		d = MILTER_DECIDE_SIGN;
	} else if (in->daemon_name != NULL &&
		   milter_conf_is_sign_daemon(cf, in->daemon_name)) {
		sbuf_printf(r, "daemon name %s",
			    log_quote(q, in->daemon_name,
				      strlen(in->daemon_name)));
		d = MILTER_DECIDE_SIGN;
	} else {
		sbuf_printf(r, "client %s not authenticated, not internal",
			    milter_decide_addr(in, abuf, sizeof(abuf)));
		d = MILTER_DECIDE_VERIFY;
	}
	why = NULL;
	if (d == MILTER_DECIDE_SIGN && !cf->do_sign) {
		why = "milterd_mode does not sign";
		d = cf->do_verify ? MILTER_DECIDE_VERIFY : MILTER_DECIDE_NONE;
	} else if (d == MILTER_DECIDE_VERIFY && !cf->do_verify) {
		why = "milterd_mode does not verify";
		d = MILTER_DECIDE_NONE;
	}
	if (why != NULL)
		sbuf_printf(r, "; %s", why);
	sbuf_free(&q);
	if (r != reason)
		sbuf_free(&r);
	return d;
}
