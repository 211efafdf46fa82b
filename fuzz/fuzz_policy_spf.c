/*
 * fuzz_policy_spf.c - the SPF check's decision and headers on untrusted
 * text: request values and explanations from the input, every result
 * pair and configuration. Every action must be a valid policy action
 * (printable, bounded, one line). Also the address-list parser.
 *
 * Input: fields separated by NUL bytes: ip, helo, sender, receiver,
 * reason; the first and the last two bytes pick the configuration (the
 * last one: No_Mail, the HELO and Mail From pass restrictions,
 * Prospective, and the rarer reject policies Null and No_Check; the one
 * before it: the header type). Each pair of results, and each MAIL FROM
 * result without a HELO check, is decided with and without the
 * "v=spf1 -all" mark of No_Mail.
 *
 * Beyond a valid action, the decision must keep what
 * policy_spf_decide promises: with No_Mail no reject unless the rejected
 * result is marked, a restriction is one of the configured ones, and
 * with Prospective (or no header type) never a header.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "log.h"
#include "policy_proto.h"
#include "policy_spf_conf.h"
#include "policy_spf_decide.h"
#include "sbuf.h"
#include "spf_header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NFIELDS 5

static const enum spf_result results[] = {
    SPF_NONE,	  SPF_NEUTRAL,	 SPF_PASS,     SPF_FAIL,
    SPF_SOFTFAIL, SPF_TEMPERROR, SPF_PERMERROR};
#define NRESULTS (sizeof(results) / sizeof(results[0]))

/* pass restrictions: none, and the forms policyd-spf's examples use */
static const char *const restrictions[] = {"", "spf_pass_restriction",
					   "REJECT not allowed to pass",
					   "PREPEND X-Spf-Pass: yes"};

static const char *const prospectives[] = {"", "198.18.0.1"};

static const enum policy_spf_header headers[] = {
    POLICY_SPF_HEADER_SPF, POLICY_SPF_HEADER_AR, POLICY_SPF_HEADER_NONE};

/*
 * check_action - a decided action must be a valid policy action, and
 * keep the settings' promises; marked: the rejected result (either one
 * that ran) has No_Mail's mark
 */
static void check_action(const struct policy_spf_conf *cf,
			 enum policy_spf_kind k, const struct sbuf *out,
			 bool need_mfrom, bool marked)
{
	if (need_mfrom) {
		if (!sbuf_is_empty(out))
			log_panic("policy_spf: output with need_mfrom");
		return;
	}
	if (!policy_action_is_valid(sbuf_cstr(out)))
		log_panic("policy_spf: invalid action '%.200s'",
			  sbuf_cstr(out));
	if (k == POLICY_SPF_REJECT && cf->no_mail && !marked)
		log_panic("policy_spf: No_Mail reject without the mark: "
			  "'%.200s'",
			  sbuf_cstr(out));
	if (k == POLICY_SPF_RESTRICTION &&
	    strcmp(sbuf_cstr(out), cf->helo_pass_restriction) != 0 &&
	    strcmp(sbuf_cstr(out), cf->mail_from_pass_restriction) != 0)
		log_panic("policy_spf: restriction '%.200s' not configured",
			  sbuf_cstr(out));
	if (k == POLICY_SPF_RESTRICTION && sbuf_is_empty(out))
		log_panic("policy_spf: empty restriction");
	if (k == POLICY_SPF_PREPEND &&
	    (*cf->prospective != '\0' ||
	     cf->header == POLICY_SPF_HEADER_NONE) &&
	    strcmp(sbuf_cstr(out), "DUNNO") != 0)
		log_panic("policy_spf: a header with Prospective or none: "
			  "'%.200s'",
			  sbuf_cstr(out));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const rejects[] = {
	    "Fail", "Softfail", "SPF_Not_Pass", "False", "Null", "No_Check"};
	struct sbuf *text = sbuf_new(size + 1), *out = sbuf_new(256),
		    *err = sbuf_new(0);
	const char *field[NFIELDS];
	struct policy_spf_conf cf;
	struct policy_spf_nets nets;
	struct policy_spf_input in;
	struct policy_spf_result h, m;
	unsigned char sel = size > 0 ? data[0] : 0;
	unsigned char sel2 = size > 1 ? data[size - 1] : 0;
	unsigned char sel3 = size > 2 ? data[size - 2] : 0;
	char *own_helo_r, *own_mfrom_r, *own_prosp;
	enum policy_spf_kind kind;
	size_t i, k, pos = 0;
	unsigned int hn, mn;
	bool need;

	/* the address-list parser on the raw input */
	if (size > 0 && memchr(data, '\0', size) == NULL) {
		sbuf_append(text, data, size);
		if (policy_spf_nets_parse(sbuf_cstr(text), &nets, err) == 0) {
			policy_spf_nets_match(&nets, "198.18.0.1");
			policy_spf_nets_match(&nets, "2001:2::1");
			policy_spf_nets_release(&nets);
		}
		sbuf_reset(text);
	}

	/* NFIELDS NUL-separated texts between the selector bytes */
	if (size > 3)
		sbuf_append(text, data + 1, size - 3);
	sbuf_putc(text, '\0');
	for (i = 0; i < NFIELDS; i++) {
		field[i] = sbuf_cstr(text) + pos;
		pos += strlen(field[i]);
		if (pos < sbuf_len(text))
			pos++;
	}

	if (policy_spf_conf_load(NULL, &cf, err) < 0)
		log_panic("policy_spf: defaults do not load: %s",
			  sbuf_cstr(err));
	/* 0..3, or 2..5 with the last byte's high bits: all six */
	policy_spf_reject_parse(rejects[sel % 4 + ((sel2 & 0x40) ? 2 : 0)],
				&cf.helo);
	policy_spf_reject_parse(
	    rejects[(sel >> 2) % 4 + ((sel2 & 0x80) ? 2 : 0)], &cf.mail_from);
	cf.permerror_reject = (sel & 0x10) != 0;
	cf.temperror_defer = (sel & 0x20) != 0;
	cf.header = headers[sel3 % 3];
	cf.enhanced_status_codes = (sel & 0x80) == 0;
	/* Reject_Not_Pass_Domains: the HELO name itself */
	cf.not_pass = (char **)&field[1];
	cf.n_not_pass = (sel & 2) != 0;
	/* the last byte: settings policy_spf_conf_load would have checked
	 * (borrowed here, the loaded defaults put back before release) */
	cf.no_mail = (sel2 & 1) != 0;
	own_helo_r = cf.helo_pass_restriction;
	own_mfrom_r = cf.mail_from_pass_restriction;
	own_prosp = cf.prospective;
	cf.helo_pass_restriction = (char *)restrictions[(sel2 >> 1) % 4];
	cf.mail_from_pass_restriction = (char *)restrictions[(sel2 >> 3) % 4];
	cf.prospective = (char *)prospectives[(sel2 >> 5) % 2];

	in.ip = field[0];
	in.helo = field[1];
	in.sender = field[2];
	in.receiver = field[3];
	in.helo_given = (sel & 1) != 0;
	for (hn = 0; hn < 2; hn++) {
		for (i = 0; i < NRESULTS; i++) {
			h.result = results[i];
			h.reason = field[4];
			h.no_mail = hn != 0;
			sbuf_reset(out);
			kind = policy_spf_decide(&cf, field[3], &in, &h, NULL,
						 &need, out);
			check_action(&cf, kind, out, need, h.no_mail);
			for (k = 0; k < NRESULTS * 2; k++) {
				mn = (unsigned int)(k & 1);
				m.result = results[k / 2];
				m.reason = field[4];
				m.no_mail = mn != 0;
				sbuf_reset(out);
				kind = policy_spf_decide(&cf, field[3], &in, &h,
							 &m, &need, out);
				check_action(&cf, kind, out, need,
					     h.no_mail || m.no_mail);
				if (hn != 0 || i != 0)
					continue;
				/* no HELO check: MAIL FROM alone */
				sbuf_reset(out);
				kind = policy_spf_decide(&cf, field[3], &in,
							 NULL, &m, &need, out);
				check_action(&cf, kind, out, need, m.no_mail);
			}
		}
	}
	cf.not_pass = NULL; /* borrowed above */
	cf.n_not_pass = 0;
	cf.helo_pass_restriction = own_helo_r;
	cf.mail_from_pass_restriction = own_mfrom_r;
	cf.prospective = own_prosp;
	policy_spf_conf_release(&cf);
	sbuf_free(&text);
	sbuf_free(&out);
	sbuf_free(&err);
	return 0;
}
