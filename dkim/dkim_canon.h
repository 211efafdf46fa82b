/*
 * dkim_canon.h - RFC 6376 3.4 canonicalization: header fields (simple,
 * relaxed) and a streamed body hasher (simple, relaxed, optional l=).
 *
 * The body hasher takes the body in chunks of any size, split anywhere
 * (inside a line or between CR and LF), and uses constant memory
 * whatever the body size: empty lines at the end are only counted until
 * more content proves they are not at the end. Lines end in CRLF; a bare
 * LF is taken as a line end too (message files with LF line ends hash
 * as their CRLF form), while a CR not followed by LF is content. Input
 * is untrusted message data. Not thread-safe per object.
 */
#ifndef PW_DKIM_CANON_H
#define PW_DKIM_CANON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dkim_crypto.h"
#include "dkim_types.h"

struct sbuf;

/*
 * dkim_canon_header - append the canonical form of one header field to
 * out. field is the n bytes of "Name:value" as in the message (folding
 * CRLFs inside, no final CRLF; borrowed). crlf adds the final CRLF
 * (every field but the DKIM-Signature being signed or verified). -1 when
 * field has no colon or out would pass its maximum.
 */
int dkim_canon_header(enum dkim_canon_alg c, const char *field, size_t n,
		      bool crlf, struct sbuf *out);

struct dkim_canon_body;

/*
 * dkim_canon_body_new - a body hasher (caller frees); with has_l only
 * the first l bytes of the canonical body are hashed (RFC 6376 3.5 l=)
 */
struct dkim_canon_body *dkim_canon_body_new(enum dkim_canon_alg c,
					    enum dkim_hash h, bool has_l,
					    uint64_t l);
/* dkim_canon_body_update - n more body bytes (borrowed) */
void dkim_canon_body_update(struct dkim_canon_body *b, const void *p, size_t n);
/*
 * dkim_canon_body_final - end of body: the hash into md, its length
 * returned. Call once; update may not follow.
 */
size_t dkim_canon_body_final(struct dkim_canon_body *b,
			     unsigned char md[DKIM_CRYPTO_MD_MAX]);
/* dkim_canon_body_length - bytes of the whole canonical body so far */
uint64_t dkim_canon_body_length(const struct dkim_canon_body *b);
void dkim_canon_body_free(struct dkim_canon_body **bp); /* NULL-safe */

#endif
