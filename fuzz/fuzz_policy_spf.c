/*
 * fuzz_policy_spf.c - the SPF check's decision and headers on untrusted
 * text: request values and explanations from the input, every result
 * pair and configuration. Every action must be a valid policy action
 * (printable, bounded, one line). Also the address-list parser.
 *
 * Input: fields separated by NUL bytes: ip, helo, sender, receiver,
 * reason; the first byte picks the configuration.
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

/* check_action - a decided action must be a valid policy action */
static void check_action(const struct sbuf *out, bool need_mfrom)
{
	if (need_mfrom) {
		if (!sbuf_is_empty(out))
			log_panic("policy_spf: output with need_mfrom");
		return;
	}
	if (!policy_action_is_valid(sbuf_cstr(out)))
		log_panic("policy_spf: invalid action '%.200s'",
			  sbuf_cstr(out));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const rejects[] = {"Fail", "Softfail",
					      "SPF_Not_Pass", "False"};
	struct sbuf *text = sbuf_new(size + 1), *out = sbuf_new(256),
		    *err = sbuf_new(0);
	const char *field[NFIELDS];
	struct policy_spf_conf cf;
	struct policy_spf_nets nets;
	struct policy_spf_input in;
	struct policy_spf_result h, m;
	unsigned char sel = size > 0 ? data[0] : 0;
	size_t i, k, pos = 0;
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

	/* NFIELDS NUL-separated texts after the selector byte */
	if (size > 1)
		sbuf_append(text, data + 1, size - 1);
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
	policy_spf_reject_parse(rejects[sel % 4], &cf.helo);
	policy_spf_reject_parse(rejects[(sel >> 2) % 4], &cf.mail_from);
	cf.permerror_reject = (sel & 0x10) != 0;
	cf.temperror_defer = (sel & 0x20) != 0;
	cf.header = (sel & 0x40) ? POLICY_SPF_HEADER_AR : POLICY_SPF_HEADER_SPF;
	cf.enhanced_status_codes = (sel & 0x80) == 0;
	/* Reject_Not_Pass_Domains: the HELO name itself */
	cf.not_pass = (char **)&field[1];
	cf.n_not_pass = (sel & 2) != 0;

	in.ip = field[0];
	in.helo = field[1];
	in.sender = field[2];
	in.receiver = field[3];
	in.helo_given = (sel & 1) != 0;
	for (i = 0; i < NRESULTS; i++) {
		h.result = results[i];
		h.reason = field[4];
		sbuf_reset(out);
		policy_spf_decide(&cf, field[3], &in, &h, NULL, &need, out);
		check_action(out, need);
		for (k = 0; k < NRESULTS; k++) {
			m.result = results[k];
			m.reason = field[4];
			sbuf_reset(out);
			policy_spf_decide(&cf, field[3], &in, &h, &m, &need,
					  out);
			check_action(out, need);
		}
	}
	cf.not_pass = NULL; /* borrowed above */
	cf.n_not_pass = 0;
	policy_spf_conf_release(&cf);
	sbuf_free(&text);
	sbuf_free(&out);
	sbuf_free(&err);
	return 0;
}
