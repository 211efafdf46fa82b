/*
 * policy_spf_decide.c - results in, action out (policy_spf_decide.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "policy_proto.h"
#include "policy_spf_conf.h"
#include "policy_spf_decide.h"
#include "sbuf.h"
#include "spf_record.h"
#include "xalloc.h"

/* pyspf's texts (spf.py EXPLANATIONS) and policyd-spf's own */
#define TEXT_PASS "sender SPF authorized"
#define TEXT_SOFTFAIL "domain owner discourages use of this host"
#define TEXT_NEUTRAL "access neither permitted nor denied"
#define TEXT_NONE "no SPF record"
/* the explanation URL policyd-spf puts in its reject text */
#define WHY_URL "http://www.openspf.net/Why"
/* values cut to this in a header that would not fit an action */
#define SHORT_VALUE 64

/* verdict - _get_resultcodes with policy p in force */
static enum policy_spf_kind verdict(const struct policy_spf_conf *cf,
				    enum policy_spf_reject p, enum spf_result r,
				    bool null_sender)
{
	switch (p) {
	case POLICY_SPF_REJECT_FALSE:
	case POLICY_SPF_REJECT_NO_CHECK:
		/* header only: PermError_reject, TempError_Defer unused */
		return POLICY_SPF_PREPEND;
	case POLICY_SPF_REJECT_NULL:
		/* HELO only: a non-null sender never acts on HELO */
		if (!null_sender)
			return POLICY_SPF_PREPEND;
		break;
	default:
		break;
	}
	switch (r) {
	case SPF_FAIL:
		return POLICY_SPF_REJECT;
	case SPF_SOFTFAIL:
		if (p == POLICY_SPF_REJECT_SOFTFAIL ||
		    p == POLICY_SPF_REJECT_NOT_PASS)
			return POLICY_SPF_REJECT;
		break;
	case SPF_NEUTRAL:
		if (p == POLICY_SPF_REJECT_NOT_PASS)
			return POLICY_SPF_REJECT;
		break;
	case SPF_TEMPERROR:
		if (cf->temperror_defer)
			return POLICY_SPF_DEFER;
		break;
	case SPF_PERMERROR:
		if (cf->permerror_reject)
			return POLICY_SPF_REJECT;
		break;
	default:
		break;
	}
	return POLICY_SPF_PREPEND;
}

/* policy_spf_verdict - policyd-spf's _get_resultcodes for one result */
enum policy_spf_kind policy_spf_verdict(const struct policy_spf_conf *cf,
					enum spf_header_scope scope,
					enum spf_result r, bool null_sender)
{
	return verdict(cf, scope == SPF_HEADER_HELO ? cf->helo : cf->mail_from,
		       r, null_sender);
}

/* policy_spf_no_mail_wanted - could r reject, so No_Mail matters? */
bool policy_spf_no_mail_wanted(const struct policy_spf_conf *cf,
			       enum spf_result r)
{
	return cf->no_mail && (r == SPF_FAIL || r == SPF_SOFTFAIL ||
			       r == SPF_NEUTRAL || r == SPF_PERMERROR);
}

/* policy_spf_no_mail_record - the one SPF record is "v=spf1 -all" */
bool policy_spf_no_mail_record(const struct dns_answer *a)
{
	static const char no_mail[] = "v=spf1 -all";
	const struct dns_rr *spf = NULL;
	size_t i;

	if (a == NULL || a->status != DNS_OK)
		return false;
	for (i = 0; i < a->n; i++) {
		if (!spf_record_is_spf(a->rr[i].data, a->rr[i].len))
			continue;
		if (spf != NULL) /* two records: a permerror, not "no mail" */
			return false;
		spf = &a->rr[i];
	}
	return spf != NULL && spf->len == sizeof(no_mail) - 1 &&
	       memcmp(spf->data, no_mail, spf->len) == 0;
}

/*
 * no_mail - No_Mail: a reject stands only for a "v=spf1 -all" record;
 * any other becomes the header (policyd-spf's "prepend")
 */
static enum policy_spf_kind no_mail(const struct policy_spf_conf *cf,
				    enum policy_spf_kind k,
				    const struct policy_spf_result *res)
{
	if (k == POLICY_SPF_REJECT && cf->no_mail && !res->no_mail)
		return POLICY_SPF_PREPEND;
	return k;
}

/* put_restriction - a pass restriction (checked at load) as the action */
static enum policy_spf_kind put_restriction(struct sbuf *out,
					    const char *restriction)
{
	sbuf_append_str(out, restriction);
	return POLICY_SPF_RESTRICTION;
}

/* policy_spf_not_pass_domain - name is, or is under, a listed domain */
bool policy_spf_not_pass_domain(const struct policy_spf_conf *cf,
				const char *name)
{
	size_t n = strlen(name), i, d;

	for (i = 0; i < cf->n_not_pass; i++) {
		d = strlen(cf->not_pass[i]);
		if (n == d && strcmp(name, cf->not_pass[i]) == 0)
			return true;
		if (n > d && name[n - d - 1] == '.' &&
		    strcmp(name + n - d, cf->not_pass[i]) == 0)
			return true;
	}
	return false;
}

/*
 * local_policy - for a Reject_Not_Pass_Domains match: the result with
 * policyd-spf's reason ("Receiver policy for SPF Fail"; "no SPF record"
 * for None) in *loc, text in buf; returns loc, or res unchanged
 */
static const struct policy_spf_result *
local_policy(const struct policy_spf_result *res, bool match,
	     struct policy_spf_result *loc, struct sbuf *buf)
{
	if (!match || res->result == SPF_NONE)
		return res;
	sbuf_reset(buf);
	sbuf_printf(buf, "Receiver policy for SPF %s",
		    spf_header_result_word(res->result));
	*loc = *res; /* a copy: no_mail may be unset (read with No_Mail) */
	loc->reason = sbuf_cstr(buf);
	return loc;
}

/* sender_domain - after the first '@' (Python's split('@', 1)), or "" */
static const char *sender_domain(const char *sender)
{
	const char *at = strchr(sender, '@');

	return at != NULL ? at + 1 : "";
}

/* policy_spf_reason - pyspf's text for a result */
void policy_spf_reason(struct sbuf *out, enum spf_result r,
		       const char *explanation, const char *problem)
{
	if (problem == NULL)
		problem = "";
	switch (r) {
	case SPF_PASS:
		sbuf_append_str(out, TEXT_PASS);
		break;
	case SPF_FAIL:
		sbuf_append_str(out, explanation != NULL && *explanation
					 ? explanation
					 : POLICY_SPF_TEXT_FAIL);
		break;
	case SPF_SOFTFAIL:
		sbuf_append_str(out, TEXT_SOFTFAIL);
		break;
	case SPF_NEUTRAL:
		sbuf_append_str(out, TEXT_NEUTRAL);
		break;
	case SPF_NONE:
		sbuf_append_str(out, TEXT_NONE);
		break;
	case SPF_PERMERROR:
		sbuf_printf(out, "SPF Permanent Error: %s", problem);
		break;
	case SPF_TEMPERROR:
		sbuf_printf(out, "SPF Temporary Error: %s", problem);
		break;
	}
}

/* policy_spf_receiver - policyd-spf's receiver= text */
void policy_spf_receiver(struct sbuf *out, const char *recipient, bool hide)
{
	const char *at, *end;

	if (hide) {
		sbuf_append_str(out, "<UNKNOWN>");
		return;
	}
	if (recipient == NULL || *recipient == '\0') {
		sbuf_append_str(out, "none");
		return;
	}
	/* Python's split('@')[1]: between the first and the second '@' */
	at = strchr(recipient, '@');
	if (at == NULL) {
		sbuf_append(out, recipient,
			    strnlen(recipient, SPF_HEADER_MAX_VALUE));
		return;
	}
	end = strchr(at + 1, '@');
	sbuf_append(out, at + 1,
		    end != NULL ? (size_t)(end - at - 1)
				: strnlen(at + 1, SPF_HEADER_MAX_VALUE));
}

/* put_printable - append s with bytes outside printable ASCII as '?' */
static void put_printable(struct sbuf *out, const char *s, size_t max)
{
	size_t n = strnlen(s, max), i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		sbuf_putc(out, c >= 0x20 && c < 0x7f ? c : '?');
	}
}

/*
 * put_reject - "550 5.7.23 <Reason_Message>" and friends: the fields of
 * Reason_Message filled in as policyd-spf's _rejectmessage
 */
static void put_reject(struct sbuf *out, const struct policy_spf_conf *cf,
		       enum policy_spf_kind kind, enum spf_header_scope scope,
		       const struct policy_spf_result *res,
		       const struct policy_spf_input *in)
{
	bool is_error =
	    res->result == SPF_PERMERROR || res->result == SPF_TEMPERROR;
	const char *m = cf->reason_message, *brace;
	size_t start;

	if (kind == POLICY_SPF_REJECT)
		sbuf_append_str(out, !cf->enhanced_status_codes ? "550"
				     : is_error			? "550 5.7.24"
								: "550 5.7.23");
	else
		sbuf_append_str(out, cf->enhanced_status_codes
					 ? "DEFER_IF_PERMIT 4.7.24"
					 : "DEFER_IF_PERMIT");
	sbuf_putc(out, ' ');
	start = sbuf_len(out);
	while ((brace = strchr(m, '{')) != NULL) {
		put_printable(out, m, (size_t)(brace - m));
		if (strncmp(brace, "{rejectdefer}", 13) == 0) {
			sbuf_append_str(out, kind == POLICY_SPF_REJECT
						 ? "rejected"
						 : "deferred");
			m = brace + 13;
		} else if (strncmp(brace, "{spf}", 5) == 0) {
			put_printable(out, res->reason, SPF_HEADER_MAX_COMMENT);
			m = brace + 5;
		} else if (strncmp(brace, "{url}", 5) == 0) {
			sbuf_append_str(out, WHY_URL "?s=");
			sbuf_append_str(
			    out, scope == SPF_HEADER_HELO ? "helo" : "mfrom");
			sbuf_append_str(out, ";id=");
			put_printable(out,
				      scope == SPF_HEADER_HELO ? in->helo
							       : in->sender,
				      SPF_HEADER_MAX_VALUE);
			sbuf_append_str(out, ";ip=");
			put_printable(out, in->ip, SPF_HEADER_MAX_VALUE);
			sbuf_append_str(out, ";r=");
			put_printable(out, in->receiver, SPF_HEADER_MAX_VALUE);
			m = brace + 5;
		} else {
			put_printable(out, brace, 1);
			m = brace + 1;
		}
	}
	put_printable(out, m, strlen(m));
	/* an action has a hard limit; the text is only a courtesy */
	if (sbuf_len(out) > POLICY_PROTO_MAX_ACTION)
		sbuf_truncate(out, POLICY_PROTO_MAX_ACTION);
	if (sbuf_len(out) == start) /* Postfix needs text after the code */
		sbuf_append_str(out, "SPF");
}

/* format_header - one header of cf's type; -1 past the action limit */
static int format_header(struct sbuf *out, const struct policy_spf_conf *cf,
			 const char *authserv_id,
			 const struct spf_header_info *h)
{
	size_t start = sbuf_len(out);
	int rc;

	sbuf_append_str(out, "PREPEND ");
	if (cf->header == POLICY_SPF_HEADER_AR)
		rc = spf_header_auth_results(out, authserv_id, h);
	else
		rc = spf_header_received_spf(out, h);
	if (rc < 0 || sbuf_len(out) > POLICY_PROTO_MAX_ACTION) {
		sbuf_truncate(out, start);
		return -1;
	}
	return 0;
}

/*
 * put_header - PREPEND the header (DUNNO for header type None). Values
 * that make it longer than an action may be are cut and the comment
 * left out: the header is informational, the limit is not. Should even
 * that not fit (it cannot with a valid authserv_id), no header: DUNNO.
 */
static void put_header(struct sbuf *out, const struct policy_spf_conf *cf,
		       const char *authserv_id, struct spf_header_info *h)
{
	char *ip, *helo, *from, *recv;
	int rc;

	/* Prospective: policyd-spf answers dunno for every header */
	if (cf->header == POLICY_SPF_HEADER_NONE || *cf->prospective != '\0') {
		sbuf_append_str(out, "DUNNO");
		return;
	}
	if (format_header(out, cf, authserv_id, h) == 0)
		return;
	ip = xstrndup(h->client_ip, SHORT_VALUE);
	helo = xstrndup(h->helo, SHORT_VALUE);
	from = xstrndup(h->envelope_from, SHORT_VALUE);
	recv = xstrndup(h->receiver, SHORT_VALUE);
	h->client_ip = ip;
	h->helo = helo;
	h->envelope_from = from;
	h->receiver = recv;
	h->comment = NULL;
	rc = format_header(out, cf, authserv_id, h);
	free(ip);
	free(helo);
	free(from);
	free(recv);
	if (rc < 0)
		sbuf_append_str(out, "DUNNO");
}

/* header_info - the fields of one scope's header */
static void header_info(struct spf_header_info *h,
			const struct policy_spf_conf *cf,
			const struct policy_spf_input *in,
			enum spf_header_scope scope,
			const struct policy_spf_result *res)
{
	h->result = res->result;
	h->scope = scope;
	/*
	 * policyd-spf's comment: the reason, except in a MAIL FROM
	 * Received-SPF, which has the scope word
	 */
	h->comment =
	    scope == SPF_HEADER_MAILFROM && cf->header == POLICY_SPF_HEADER_SPF
		? "mailfrom"
		: res->reason;
	h->client_ip = in->ip;
	h->helo = in->helo;
	h->envelope_from = in->sender;
	h->receiver = in->receiver;
}

/* policy_spf_decide - the action for the results so far */
enum policy_spf_kind policy_spf_decide(const struct policy_spf_conf *cf,
				       const char *authserv_id,
				       const struct policy_spf_input *in,
				       const struct policy_spf_result *helo,
				       const struct policy_spf_result *mfrom,
				       bool *need_mfrom_r, struct sbuf *out)
{
	bool null_sender = in->sender[0] == '\0', local, helo_pass = false;
	const char *mfrom_restriction = cf->mail_from_pass_restriction;
	enum policy_spf_kind k = POLICY_SPF_DUNNO;
	struct spf_header_info h;
	struct policy_spf_result hloc, mloc;
	struct sbuf *hbuf = sbuf_new(64), *mbuf = sbuf_new(64);

	*need_mfrom_r = false;
	/* the HELO result wins: its reject or defer ends the request */
	if (helo != NULL) {
		/* HELO_reject = Null with a sender: no action at all */
		/* policyd-spf matches the HELO name as sent */
		local = in->helo_given &&
			policy_spf_not_pass_domain(cf, in->helo) &&
			!(cf->helo == POLICY_SPF_REJECT_NULL && !null_sender);
		helo = local_policy(helo, local, &hloc, hbuf);
		k = verdict(cf, local ? POLICY_SPF_REJECT_NOT_PASS : cf->helo,
			    helo->result, null_sender);
		k = no_mail(cf, k, helo);
		if (k == POLICY_SPF_REJECT || k == POLICY_SPF_DEFER) {
			put_reject(out, cf, k, SPF_HEADER_HELO, helo, in);
			goto out;
		}
		helo_pass = helo->result == SPF_PASS &&
			    *cf->helo_pass_restriction != '\0';
	}
	if (!null_sender && cf->mail_from != POLICY_SPF_REJECT_NO_CHECK) {
		/* HELO_pass_restriction: MAIL FROM matters only for its own */
		if (helo_pass && *mfrom_restriction == '\0') {
			k = put_restriction(out, cf->helo_pass_restriction);
			goto out;
		}
		if (mfrom == NULL) {
			*need_mfrom_r = true;
			k = POLICY_SPF_DUNNO;
			goto out;
		}
		if (mfrom->result == SPF_PASS && *mfrom_restriction != '\0') {
			k = put_restriction(out, mfrom_restriction);
			goto out;
		}
		/* before a MAIL FROM reject, as policyd-spf (documented) */
		if (helo_pass) {
			k = put_restriction(out, cf->helo_pass_restriction);
			goto out;
		}
		local =
		    policy_spf_not_pass_domain(cf, sender_domain(in->sender));
		mfrom = local_policy(mfrom, local, &mloc, mbuf);
		k = verdict(cf,
			    local ? POLICY_SPF_REJECT_NOT_PASS : cf->mail_from,
			    mfrom->result, false);
		k = no_mail(cf, k, mfrom);
		if (k == POLICY_SPF_REJECT || k == POLICY_SPF_DEFER) {
			put_reject(out, cf, k, SPF_HEADER_MAILFROM, mfrom, in);
			goto out;
		}
		/* CVE-2019-20790: always the MAIL FROM result, even None */
		header_info(&h, cf, in, SPF_HEADER_MAILFROM, mfrom);
		put_header(out, cf, authserv_id, &h);
		k = POLICY_SPF_PREPEND;
		goto out;
	}
	if (helo == NULL) {
		sbuf_append_str(out, "DUNNO");
		k = POLICY_SPF_DUNNO;
		goto out;
	}
	if (helo_pass) {
		k = put_restriction(out, cf->helo_pass_restriction);
		goto out;
	}
	header_info(&h, cf, in, SPF_HEADER_HELO, helo);
	put_header(out, cf, authserv_id, &h);
	k = POLICY_SPF_PREPEND;
out:
	sbuf_free(&hbuf);
	sbuf_free(&mbuf);
	return k;
}
