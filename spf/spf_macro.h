/*
 * spf_macro.h - the RFC 7208 section 7 macro language.
 *
 * Letters s l o d i p h c r t v (c r t only in exp= text), the digit and
 * "r" transformers, delimiters . - + , / _ =, "%%" "%_" "%-", and
 * URL-escaping for upper-case letters. Pure: every value comes in
 * spf_macro_vars, including %{p}, which needs DNS, so the evaluator
 * computes it first when spf_macro_uses_p() says it must.
 */
#ifndef PW_SPF_MACRO_H
#define PW_SPF_MACRO_H

#include <stdbool.h>
#include <time.h>

struct sbuf;

#define SPF_MACRO_MAX_OUT 8192 /* bytes of one expansion (exp= text) */
#define SPF_DOMAIN_MAX 253     /* RFC 7208 7.3: domain-spec results */

enum spf_macro_mode {
	SPF_MACRO_DOMAIN, /* domain-spec: no c r t; result cut to 253 */
	SPF_MACRO_EXP,	  /* explanation text: every letter, no cut */
};

struct spf_macro_vars {
	const char *sender;	   /* s: local@domain */
	const char *local;	   /* l: local part of s */
	const char *sender_domain; /* o: domain of s */
	const char *domain;	   /* d: the current domain */
	const unsigned char *ip;   /* i c v: 4 or 16 bytes */
	int family;		   /* 4 or 6 */
	const char *helo;	   /* h */
	const char *receiver;	   /* r */
	const char *ptr;	   /* p: validated name or "unknown"; NULL:
				    * not computed (expanding %{p} fails) */
	time_t now;		   /* t */
};

/* spf_macro_check - is spec a valid macro-string for mode? */
int spf_macro_check(const char *spec, enum spf_macro_mode mode,
		    struct sbuf *err);

/* spf_macro_uses_p - does spec contain a %{p} / %{P} macro? */
bool spf_macro_uses_p(const char *spec);

/*
 * spf_macro_expand - append the expansion of spec to out. In
 * SPF_MACRO_DOMAIN mode one trailing dot is dropped ("a.example." is
 * "a.example"), then a result longer than SPF_DOMAIN_MAX loses leading
 * labels until it fits (RFC 7208 7.3). Split parts are re-joined with
 * "." whatever the delimiter; %{i} of an IPv6 client is 32 upper-case
 * nibbles joined by "." (as the conformance suite spells it); %{l} and
 * %{s} use "postmaster" for an empty local part; %{r} is "unknown" when
 * receiver is NULL. v is borrowed. Returns 0, or -1 with a reason in err
 * (syntax, %{p} not computed, no client address for i c v, result past
 * SPF_MACRO_MAX_OUT or out's own maximum); out is unchanged on error.
 * err may be NULL in every function here.
 */
int spf_macro_expand(const char *spec, enum spf_macro_mode mode,
		     const struct spf_macro_vars *v, struct sbuf *out,
		     struct sbuf *err);

#endif
