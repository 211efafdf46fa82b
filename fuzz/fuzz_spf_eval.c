/*
 * fuzz_spf_eval.c - evaluate fuzzed SPF records over a small fixed zone.
 *
 * Input: the first byte picks the client address and the identity; the
 * rest up to the first newline is the TXT record of fuzz.example, the
 * part after it the TXT record of inc.example, which is also the text
 * at exp.example (so include:, redirect= and exp= see fuzzed data too).
 * The zone has addresses, MX and PTR records, a CNAME loop, a timeout
 * and names that point back at fuzz.example. The check must end within
 * a bounded number of passes, with a result, printable problem and
 * explanation text and no more queries than the backstop allows.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "dns.h"
#include "dns_zone.h"
#include "log.h"
#include "spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_PASSES 1000

static const char *const fuzz_ips[] = {
    "192.0.2.1",    "192.0.2.77",   "::ffff:192.0.2.1",	   "2001:db8::1",
    "2001:db8::99", "198.51.100.3", "2001:db8:ffff::abcd", "203.0.113.9",
};

/* fuzz_addr - an A or AAAA record */
static void fuzz_addr(struct dns_zone *z, const char *name, const char *ip)
{
	unsigned char b[16];

	if (inet_pton(AF_INET, ip, b) == 1)
		dns_zone_add(z, name, DNS_T_A, b, 4, 0, 0);
	else if (inet_pton(AF_INET6, ip, b) == 1)
		dns_zone_add(z, name, DNS_T_AAAA, b, 16, 0, 0);
}

/* fuzz_text - a record of type at name */
static void fuzz_text(struct dns_zone *z, const char *name, enum dns_type type,
		      const char *text, uint16_t pref)
{
	dns_zone_add(z, name, type, text, strlen(text), pref,
		     type == DNS_T_TXT ? 1 : 0);
}

/* fuzz_zone - the fixed part of the zone */
static void fuzz_zone(struct dns_zone *z)
{
	fuzz_addr(z, "fuzz.example", "192.0.2.1");
	fuzz_addr(z, "fuzz.example", "2001:db8::1");
	fuzz_text(z, "fuzz.example", DNS_T_MX, "mx1.fuzz.example", 10);
	fuzz_text(z, "fuzz.example", DNS_T_MX, "mx2.fuzz.example", 20);
	fuzz_text(z, "fuzz.example", DNS_T_MX, "", 0);
	fuzz_addr(z, "mx1.fuzz.example", "192.0.2.77");
	fuzz_addr(z, "mx2.fuzz.example", "2001:db8::99");
	fuzz_text(z, "1.2.0.192.in-addr.arpa", DNS_T_PTR, "fuzz.example", 0);
	fuzz_text(z, "1.2.0.192.in-addr.arpa", DNS_T_PTR, "loop.example", 0);
	fuzz_text(z, "77.2.0.192.in-addr.arpa", DNS_T_PTR, "mx1.fuzz.example",
		  0);
	fuzz_text(z,
		  "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0."
		  "0.2.ip6.arpa",
		  DNS_T_PTR, "fuzz.example", 0);
	fuzz_text(z, "loop.example", DNS_T_CNAME, "loop.example", 0);
	dns_zone_add_timeout(z, "slow.example");
	fuzz_text(z, "self.example", DNS_T_TXT,
		  "v=spf1 include:fuzz.example redirect=inc.example", 0);
	fuzz_text(z, "deny.example", DNS_T_TXT, "v=spf1 -all exp=exp.example",
		  0);
	fuzz_addr(z, "1.2.0.192.bl.example", "127.0.0.2");
	fuzz_addr(z, "fuzz.example.bl.example", "127.0.0.2");
	fuzz_text(z, "alias.example", DNS_T_CNAME, "fuzz.example", 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_zone *z;
	struct spf_request req;
	struct spf_check *c;
	const uint8_t *nl;
	const char *s;
	int passes = 0;

	if (size < 1)
		return 0;
	z = dns_zone_new();
	fuzz_zone(z);
	nl = memchr(data + 1, '\n', size - 1);
	if (nl == NULL) {
		dns_zone_add(z, "fuzz.example", DNS_T_TXT, data + 1, size - 1,
			     0, 1);
	} else {
		size_t len = (size_t)(nl - (data + 1));
		size_t rest = size - 1 - len - 1;

		dns_zone_add(z, "fuzz.example", DNS_T_TXT, data + 1, len, 0, 1);
		dns_zone_add(z, "inc.example", DNS_T_TXT, nl + 1, rest, 0, 1);
		dns_zone_add(z, "exp.example", DNS_T_TXT, nl + 1, rest, 0, 1);
	}
	memset(&req, 0, sizeof(req));
	req.ip = fuzz_ips[data[0] & 7];
	req.sender = (data[0] & 8) != 0 ? "" : "user@fuzz.example";
	req.helo = "fuzz.example";
	req.identity = (data[0] & 16) != 0 ? SPF_ID_HELO : SPF_ID_MAILFROM;
	req.receiver = "mx.receiver.example";
	req.now = 1700000000;
	c = spf_check_new(&req);
	while (spf_check_run(c) == SPF_STEP_NEED_DNS) {
		size_t n = spf_check_query_count(c);

		if (n == 0 || ++passes > FUZZ_MAX_PASSES)
			log_panic("spf_eval: %zu queries at pass %d", n,
				  passes);
		for (size_t i = 0; i < n; i++) {
			enum dns_type type;
			const char *name = spf_check_query(c, i, &type);
			struct dns_answer *a = dns_zone_lookup(z, name, type);

			spf_check_answer(c, name, type, a);
			dns_answer_free(&a);
		}
	}
	if (spf_check_queries_made(c) > 100)
		log_panic("spf_eval: %u queries", spf_check_queries_made(c));
	for (s = spf_check_problem(c); *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			log_panic("spf_eval: problem not printable");
	s = spf_check_explanation(c);
	if ((s != NULL) != (spf_check_result(c) == SPF_FAIL))
		log_panic("spf_eval: explanation without fail or fail "
			  "without one");
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			log_panic("spf_eval: explanation not printable");
	(void)spf_result_name(spf_check_result(c));
	spf_check_free(&c);
	dns_zone_free(&z);
	return 0;
}
