/*
 * dkim_sign.h - signing one message with DKIM (RFC 6376 5, RFC 8463):
 * rsa-sha256 or ed25519-sha256, never rsa-sha1 (RFC 8301), and never l=.
 *
 *	dkim_sign_opts_init(&o); o.domain = ...; o.selector = ...;
 *	s = dkim_sign_new(&o, key, err);
 *	dkim_sign_header(s, field, n, err);	each field, top first
 *	dkim_sign_body(s, chunk, n);		any chunking
 *	dkim_sign_eom(s, out, err);		out: the new field
 *
 * The header fields signed are those in opts.headers (default: OpenDKIM's
 * list, RFC 6376 5.4.1) that the message has, every instance, plus one
 * more From when oversign_from is set, so no From can be added later. A
 * message without From is refused. Input is message data under hard
 * limits (dkim_hdrs.h); memory does not grow with the body. One owner
 * at a time.
 */
#ifndef PW_DKIM_SIGN_H
#define PW_DKIM_SIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "dkim_types.h"

struct sbuf;
struct dkim_crypto_key;

struct dkim_sign_opts {
	enum dkim_alg alg;		    /* default rsa-sha256 */
	enum dkim_canon_alg hcanon, bcanon; /* default relaxed/relaxed */
	const char *domain;		    /* d=, required (borrowed) */
	const char *selector;		    /* s=, required (borrowed) */
	const char *auid;		    /* i=, or NULL (borrowed) */
	const char *const *headers; /* NULL-terminated, or NULL: default */
	bool oversign_from;	    /* default true */
	unsigned long timestamp;    /* t=, 0 for none */
	unsigned long expire;	    /* x= is t= plus this; 0 for none */
	unsigned int rsa_min_bits;  /* smaller keys refused; default 1024 */
};

/* the default header list (NULL-terminated) */
extern const char *const dkim_sign_default_headers[];

/* dkim_sign_opts_init - defaults, no domain or selector */
void dkim_sign_opts_init(struct dkim_sign_opts *o);

struct dkim_sign;

/*
 * dkim_sign_new - a signer for one message (opts copied, its strings
 * and key borrowed until dkim_sign_free). NULL with a reason in err for
 * a bad domain or selector, an i= outside d=, a header list without
 * From, a key that does not fit alg, rsa-sha1, or an RSA key below
 * rsa_min_bits.
 */
struct dkim_sign *dkim_sign_new(const struct dkim_sign_opts *opts,
				const struct dkim_crypto_key *key,
				struct sbuf *err);
void dkim_sign_free(struct dkim_sign **sp); /* NULL-safe */

/* dkim_sign_header - one field as in dkim_verify_header */
int dkim_sign_header(struct dkim_sign *s, const char *field, size_t n,
		     struct sbuf *err);
/* dkim_sign_body - body bytes, CRLF line ends, any chunking */
void dkim_sign_body(struct dkim_sign *s, const void *p, size_t n);
/*
 * dkim_sign_eom - append the "DKIM-Signature: ..." field, folded with
 * CRLF TAB and without a final CRLF, to out. -1 with a reason in err
 * (no From, signing failed). Call once.
 */
int dkim_sign_eom(struct dkim_sign *s, struct sbuf *out, struct sbuf *err);

#endif
