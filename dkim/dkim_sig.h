/*
 * dkim_sig.h - the value of a DKIM-Signature header field (RFC 6376
 * 3.5) as a struct, validated.
 *
 * Input is untrusted message data. dkim_sig_parse is pure: it fails
 * (-1, reason in err) on any problem RFC 6376 6.1.1 calls PERMFAIL
 * before a key lookup: a missing required tag, v= other than 1, an
 * unknown a= or c=, q= without dns/txt, bad base64, a d= or s= that is
 * not a domain name, i= outside d=, h= without From, x= before t=, or a
 * number out of range. Whether rsa-sha1 or an expired x= is acceptable
 * is policy and left to the caller. A parsed struct is read-only and may
 * be shared between threads.
 */
#ifndef PW_DKIM_SIG_H
#define PW_DKIM_SIG_H

#include <stdbool.h>
#include <stddef.h>

#include "dkim_types.h"

struct sbuf;
struct dkim_tags;

#define DKIM_SIG_MAX_H 128	/* names in h= */
#define DKIM_SIG_MAX_B 1024	/* bytes of b= decoded (RSA 8192) */
#define DKIM_SIG_MAX_DOMAIN 253 /* bytes of d= and of s= */

struct dkim_sig {
	enum dkim_alg alg;
	enum dkim_hash hash; /* follows from alg */
	enum dkim_canon_alg hcanon, bcanon;
	struct sbuf *b;	      /* signature, decoded */
	struct sbuf *bh;      /* body hash, decoded; length checked */
	const char *d;	      /* signing domain as written */
	const char *s;	      /* selector as written */
	const char *i;	      /* AUID as written, NULL when absent ("@" d) */
	const char *i_domain; /* after the last '@' of i; d when absent */
	const char **h;	      /* nh header field names, as written */
	size_t nh;
	bool has_l;
	unsigned long l;
	bool has_t, has_x;
	unsigned long t, x;
	/* private: the storage the pointers above borrow from */
	struct dkim_tags *tags;
	char *store;
};

/*
 * dkim_sig_parse - parse the n bytes of a header value (what follows
 * "DKIM-Signature:", borrowed); *sig_r is new (caller frees with
 * dkim_sig_free). -1 with a reason appended to err.
 */
int dkim_sig_parse(const char *value, size_t n, struct dkim_sig **sig_r,
		   struct sbuf *err);
void dkim_sig_free(struct dkim_sig **sp); /* NULL-safe */

/* dkim_sig_is_domain - n bytes at s are a domain name d= and s= accept */
bool dkim_sig_is_domain(const char *s, size_t n);

/*
 * dkim_sig_key_name - append "<s>._domainkey.<d>", the name of the key
 * record (RFC 6376 3.6.2.1), to out; -1 when out is full
 */
int dkim_sig_key_name(const struct dkim_sig *sig, struct sbuf *out);

#endif
