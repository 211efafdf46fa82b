/*
 * dkim_verify.h - verifying the DKIM signatures of one message (RFC 6376
 * 6, RFC 8463, RFC 8301), without I/O.
 *
 * The caller streams the message in and answers the key lookups:
 *
 *	v = dkim_verify_new(&opts);
 *	dkim_verify_header(v, field, n, err);	 each field, top first
 *	dkim_verify_eoh(v);			 signatures parsed here
 *	for i < dkim_verify_count(v):
 *		name = dkim_verify_key_name(v, i) NULL: no lookup needed
 *		... look up TXT at name (dns.h), then
 *		dkim_verify_key(v, i, status, txt, len);
 *	dkim_verify_body(v, chunk, n);		 any chunking
 *	dkim_verify_eom(v);
 *	dkim_verify_result(v, i, &reason);
 *
 * Keys may be fed any time after eoh. Header fields, signatures, key
 * records and the body are untrusted; every limit is hard (dkim_hdrs.h,
 * opts.max_sigs). Memory does not grow with the body. One owner at a
 * time; separate objects may run in parallel threads.
 */
#ifndef PW_DKIM_VERIFY_H
#define PW_DKIM_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "dkim_types.h"

struct sbuf;
struct dkim_sig;

#define DKIM_VERIFY_MAX_SIGS 5	      /* default signatures evaluated */
#define DKIM_VERIFY_RSA_MIN_BITS 1024 /* RFC 8301 3.2 */

struct dkim_verify_opts {
	unsigned int max_sigs;	   /* evaluated; later ones: POLICY */
	unsigned int rsa_min_bits; /* smaller RSA keys: PERMERROR */
	bool allow_sha1;	   /* RFC 8301 3.1 forbids rsa-sha1 */
	unsigned long now;	   /* clock for x=; 0 skips the check */
};

/* dkim_verify_opts_init - the defaults above, now = 0 */
void dkim_verify_opts_init(struct dkim_verify_opts *o);

/* what the key lookup of a signature gave */
enum dkim_verify_key {
	DKIM_VERIFY_KEY_FOUND,	  /* txt holds the record */
	DKIM_VERIFY_KEY_NONE,	  /* NXDOMAIN or no TXT record */
	DKIM_VERIFY_KEY_TEMPFAIL, /* try again later */
};

struct dkim_verify;

/* dkim_verify_new - start a message (opts copied; caller frees) */
struct dkim_verify *dkim_verify_new(const struct dkim_verify_opts *opts);
void dkim_verify_free(struct dkim_verify **vp); /* NULL-safe */

/*
 * dkim_verify_header - one header field as sent: "Name:value", folding
 * CRLFs inside, no final CRLF (borrowed). -1 with a reason in err past
 * a limit: the message cannot be verified (temperror or reject).
 */
int dkim_verify_header(struct dkim_verify *v, const char *field, size_t n,
		       struct sbuf *err);
/* dkim_verify_eoh - end of header: find and parse the signatures */
void dkim_verify_eoh(struct dkim_verify *v);
/* dkim_verify_body - body bytes, CRLF line ends, any chunking */
void dkim_verify_body(struct dkim_verify *v, const void *p, size_t n);
/* dkim_verify_eom - end of message: body hashes are done */
void dkim_verify_eom(struct dkim_verify *v);

/* dkim_verify_count - DKIM-Signature fields found (after eoh) */
size_t dkim_verify_count(const struct dkim_verify *v);
/*
 * dkim_verify_key_name - the TXT name signature i needs
 * ("s._domainkey.d", borrowed while v lives), or NULL when its result is
 * known already and no lookup should be made
 */
const char *dkim_verify_key_name(const struct dkim_verify *v, size_t i);
/* dkim_verify_key - the lookup result for signature i (txt borrowed) */
void dkim_verify_key(struct dkim_verify *v, size_t i,
		     enum dkim_verify_key status, const char *txt, size_t n);
/*
 * dkim_verify_key_by_name - the same for every signature whose key name
 * is name (ignoring case); returns how many took it
 */
size_t dkim_verify_key_by_name(struct dkim_verify *v, const char *name,
			       enum dkim_verify_key status, const char *txt,
			       size_t n);

/*
 * dkim_verify_result - the result of signature i (after eom); a
 * signature without a fed key is TEMPERROR. reason_r (may be NULL) gets
 * a borrowed explanation, "" on pass.
 */
enum dkim_result dkim_verify_result(struct dkim_verify *v, size_t i,
				    const char **reason_r);
/* dkim_verify_sig - signature i parsed (borrowed), NULL if it did not */
const struct dkim_sig *dkim_verify_sig(const struct dkim_verify *v, size_t i);
/*
 * dkim_verify_is_testing - the key record of signature i has t=y:
 * RFC 6376 3.6.1 says to treat the message like unsigned mail
 */
bool dkim_verify_is_testing(const struct dkim_verify *v, size_t i);

/* dkim_result_name - "pass", "fail", ... as RFC 8601 writes them */
const char *dkim_result_name(enum dkim_result r);

#endif
