/*
 * spf_record.h - parse one SPF record (RFC 7208 4.5, 4.6, 5, 6, 12).
 *
 * A pure function from the record's bytes to a list of terms. The whole
 * record is checked before any of it is used (RFC 7208 4.6: a syntax
 * error anywhere is a permerror, even after a matching term): every
 * mechanism, CIDR length, address, macro-string (spf_macro_check), and
 * modifier name; redirect= or exp= twice is an error; unknown modifiers
 * are accepted and dropped (their value must still be a macro-string
 * without the exp-only letters c r t). Domain-specs must end in a macro
 * (%{...}, %%, %_ or %-) or in
 * "." toplabel [ "." ] (RFC 7208 7.1); domain-specs that only DNS would
 * refuse (empty or long labels) parse and are left to the evaluator.
 * Names and letters match case-insensitively.
 * Limits: SPF_RECORD_MAX bytes, SPF_RECORD_MAX_TERMS terms.
 */
#ifndef PW_SPF_RECORD_H
#define PW_SPF_RECORD_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf;

#define SPF_RECORD_MAX 4096	 /* bytes of one record (joined TXT strings) */
#define SPF_RECORD_MAX_TERMS 256 /* mechanisms and modifiers */

enum spf_qualifier {
	SPF_Q_PASS,	/* "+" or none */
	SPF_Q_FAIL,	/* "-" */
	SPF_Q_SOFTFAIL, /* "~" */
	SPF_Q_NEUTRAL,	/* "?" */
};

enum spf_mech {
	SPF_M_ALL,
	SPF_M_INCLUDE,
	SPF_M_A,
	SPF_M_MX,
	SPF_M_PTR,
	SPF_M_IP4,
	SPF_M_IP6,
	SPF_M_EXISTS,
};

struct spf_term {
	enum spf_mech mech;
	enum spf_qualifier qual;
	/* domain-spec as written (a macro-string), NULL when absent;
	 * always set for include and exists */
	char *domain_spec;
	unsigned char addr[16]; /* ip4: first 4 bytes; ip6: 16 */
	int cidr4;		/* ip4, a, mx: 0..32, or -1 when absent */
	int cidr6;		/* ip6, a, mx: 0..128, or -1 when absent */
	char *text;		/* the term as written, for headers and logs */
};

struct spf_record {
	size_t n;
	struct spf_term *terms; /* mechanisms in record order */
	char *redirect;		/* redirect= domain-spec, or NULL */
	char *exp;		/* exp= domain-spec, or NULL */
};

/*
 * spf_record_is_spf - does this TXT string select as an SPF record:
 * "v=spf1" (any case) followed by a space or the end (RFC 7208 4.5)?
 */
bool spf_record_is_spf(const unsigned char *txt, size_t len);

/*
 * spf_record_parse - parse txt (which spf_record_is_spf accepted).
 * Returns 0, or -1 with a short reason in err ("unknown mechanism
 * 'foo'", "bad CIDR length in 'a/33'", "redirect= twice"); peer text in
 * the reason is quoted and cut to 64 bytes, non-printable bytes as \xNN.
 * *rec_r: caller frees with spf_record_free(); NULL on error. Pure and
 * thread-safe; txt is untrusted (a DNS answer).
 */
int spf_record_parse(const unsigned char *txt, size_t len,
		     struct spf_record **rec_r, struct sbuf *err);
void spf_record_free(struct spf_record **rp);

#endif
