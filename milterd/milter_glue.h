/*
 * milter_glue.h - milterd on libmilter: the callbacks, per-connection
 * and per-message state, signing and verification at end of message.
 * The only file that includes libmilter (STYLE.md).
 *
 * libmilter calls back from one thread per SMTP connection. Everything
 * in milter_glue_env is read-only once milter_glue_register has run and
 * is shared by those threads; each connection's state hangs off
 * smfi_setpriv. Headers and body come from the MTA and are untrusted:
 * header fields are kept under the limits of dkim_hdrs.h, the body is
 * streamed to the signers and the verifier, never kept.
 */
#ifndef PW_MILTER_GLUE_H
#define PW_MILTER_GLUE_H

struct sbuf;
struct milter_conf;
struct milter_keys;
struct dns_sync;
struct milter_keycache;

struct milter_glue_env {
	const struct milter_conf *cf;
	const struct milter_keys *keys; /* NULL when not signing */
	struct dns_sync *dns;		/* NULL when not verifying */
	struct milter_keycache *keycache; /* NULL: ask dns every time */
};

/*
 * milter_glue_register - register the filter with libmilter and set its
 * socket (env borrowed until milter_glue_run returns). -1 with err.
 */
int milter_glue_register(const struct milter_glue_env *env,
			 struct sbuf *err);
/* milter_glue_open_socket - create the listening socket (as root) */
int milter_glue_open_socket(struct sbuf *err);
/*
 * milter_glue_run - libmilter's main loop (smfi_main) until SIGTERM,
 * SIGINT or SIGHUP; -1 if it failed
 */
int milter_glue_run(void);

#endif
