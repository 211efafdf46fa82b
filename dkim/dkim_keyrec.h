/*
 * dkim_keyrec.h - a DKIM key record (RFC 6376 3.6.1, RFC 8463) as a
 * struct.
 *
 * Input is an untrusted DNS TXT answer, its character-strings already
 * joined. dkim_keyrec_parse is pure and fails (-1, reason in err) on a
 * syntax error, v= other than DKIM1 (or not first), an unknown k= or
 * bad base64 in p=. What the record allows (hash algorithms, service
 * types, testing, strict i=) is reported for the verifier to apply;
 * the key bytes in p= are decoded by dkim_crypto. Read-only once parsed.
 */
#ifndef PW_DKIM_KEYREC_H
#define PW_DKIM_KEYREC_H

#include <stdbool.h>
#include <stddef.h>

#include "dkim_types.h"

struct sbuf;

#define DKIM_KEYREC_MAX_P 2048 /* bytes of p= decoded (RSA 16384) */

struct dkim_keyrec {
	enum dkim_keytype k; /* DKIM_KEY_RSA when k= is absent */
	bool revoked;	     /* p= is empty */
	bool testing;	     /* t=y */
	bool strict_i;	     /* t=s: i= domain must equal d= */
	bool hash_sha1;	     /* allowed by h= (both when h= is absent) */
	bool hash_sha256;
	bool email;	/* s= is absent or names "*" or "email" */
	struct sbuf *p; /* decoded p=; empty when revoked */
};

/*
 * dkim_keyrec_parse - parse n bytes at s (borrowed); *rec_r is new
 * (caller frees with dkim_keyrec_free). -1 with a reason in err.
 */
int dkim_keyrec_parse(const char *s, size_t n, struct dkim_keyrec **rec_r,
		      struct sbuf *err);
void dkim_keyrec_free(struct dkim_keyrec **rp); /* NULL-safe */

/* dkim_keyrec_allows_hash - may a signature use hash h with this key? */
bool dkim_keyrec_allows_hash(const struct dkim_keyrec *rec, enum dkim_hash h);

#endif
