/*
 * dkim_types.h - small enums shared by the DKIM modules (RFC 6376,
 * RFC 8463, RFC 8301). No functions; no ownership.
 */
#ifndef PW_DKIM_TYPES_H
#define PW_DKIM_TYPES_H

/* a= of a DKIM-Signature: signing algorithm (RFC 6376 3.3, RFC 8463) */
enum dkim_alg {
	DKIM_ALG_RSA_SHA256,
	DKIM_ALG_RSA_SHA1, /* RFC 8301: refused unless configured */
	DKIM_ALG_ED25519_SHA256,
};

/* the hash half of an algorithm, and the h= of key records */
enum dkim_hash {
	DKIM_HASH_SHA256,
	DKIM_HASH_SHA1,
};

/* k= of a key record (RFC 6376 3.6.1, RFC 8463 4) */
enum dkim_keytype {
	DKIM_KEY_RSA,
	DKIM_KEY_ED25519,
};

/* c= of a DKIM-Signature, one per part (RFC 6376 3.4) */
enum dkim_canon_alg {
	DKIM_CANON_SIMPLE,
	DKIM_CANON_RELAXED,
};

/*
 * results, named as RFC 8601 names them. dkim_verify gives each
 * signature PASS, FAIL (body hash or signature mismatch), PERMERROR
 * (cannot be evaluated: syntax, key record, forbidden algorithm or key
 * size, expired), TEMPERROR (key lookup failed or not done) or POLICY
 * (over the signature limit, not evaluated). NONE is the message-level
 * result without signatures; NEUTRAL is for callers' own use.
 */
enum dkim_result {
	DKIM_RES_NONE,
	DKIM_RES_PASS,
	DKIM_RES_FAIL,
	DKIM_RES_NEUTRAL,
	DKIM_RES_POLICY,
	DKIM_RES_TEMPERROR,
	DKIM_RES_PERMERROR,
};

#endif
