/*
 * policy_spf_conf.c - the policyd_spf_ parameter table, its checks and
 * address lists (policy_spf_conf.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "conf.h"
#include "numparse.h"
#include "policy_spf_conf.h"
#include "sbuf.h"
#include "xalloc.h"

#define OFF(m) offsetof(struct policy_spf_conf, m)

/*
 * Defaults live here and in postwarden.conf(5) only; they are
 * postfix-policyd-spf-python's built-in defaults (policydspfsupp.py).
 */
static const struct conf_param policy_spf_conf_params[] = {
    {"helo_reject", CONF_STR, "Fail", 0, 0, OFF(helo_reject)},
    {"mail_from_reject", CONF_STR, "Fail", 0, 0, OFF(mail_from_reject)},
    {"permerror_reject", CONF_BOOL, "no", 0, 0, OFF(permerror_reject)},
    {"temperror_defer", CONF_BOOL, "no", 0, 0, OFF(temperror_defer)},
    {"skip_addresses", CONF_STR, "127.0.0.0/8,::ffff:127.0.0.0/104,::1", 0, 0,
     OFF(skip_addresses)},
    {"whitelist", CONF_STR, "", 0, 0, OFF(whitelist)},
    {"domain_whitelist", CONF_STR, "", 0, 0, OFF(domain_whitelist)},
    {"reject_not_pass_domains", CONF_STR, "", 0, 0,
     OFF(reject_not_pass_domains)},
    {"helo_whitelist", CONF_STR, "", 0, 0, OFF(helo_whitelist)},
    {"domain_whitelist_ptr", CONF_STR, "", 0, 0, OFF(domain_whitelist_ptr)},
    {"skip_sasl_authenticated", CONF_BOOL, "yes", 0, 0,
     OFF(skip_sasl_authenticated)},
    {"header_type", CONF_STR, "SPF", 0, 0, OFF(header_type)},
    {"hide_receiver", CONF_BOOL, "no", 0, 0, OFF(hide_receiver)},
    {"authserv_id", CONF_STR, "", 0, 0, OFF(authserv_id)},
    {"reason_message", CONF_STR,
     "Message {rejectdefer} due to: {spf}. Please see {url}", 0, 0,
     OFF(reason_message)},
    {"enhanced_status_codes", CONF_BOOL, "yes", 0, 0,
     OFF(enhanced_status_codes)},
    /* Postfix waits 100 s per policy request: stay well below */
    {"lookup_time", CONF_TIME, "20s", 1, 60, OFF(lookup_time)},
    {"whitelist_lookup_time", CONF_TIME, "10s", 1, 60,
     OFF(whitelist_lookup_time)},
    {"void_limit", CONF_UINT, "2", 0, 100, OFF(void_limit)},
    {"test_only", CONF_BOOL, "no", 0, 0, OFF(test_only)},
    {"cache_size", CONF_UINT, "4096", 16, 1000000, OFF(cache_size)},
    {"dns_servers", CONF_STR, "", 0, 0, OFF(dns_servers)},
    {NULL, 0, NULL, 0, 0, 0},
};

static const struct {
	const char *word;
	enum policy_spf_reject r;
} reject_words[] = {
    {"Fail", POLICY_SPF_REJECT_FAIL},
    {"Softfail", POLICY_SPF_REJECT_SOFTFAIL},
    {"SPF_Not_Pass", POLICY_SPF_REJECT_NOT_PASS},
    {"Null", POLICY_SPF_REJECT_NULL},
    {"False", POLICY_SPF_REJECT_FALSE},
    {"No_Check", POLICY_SPF_REJECT_NO_CHECK},
};

/* policy_spf_reject_parse - a HELO_reject / Mail_From_reject word */
int policy_spf_reject_parse(const char *s, enum policy_spf_reject *r)
{
	size_t i;

	for (i = 0; i < sizeof(reject_words) / sizeof(reject_words[0]); i++)
		if (strcasecmp(s, reject_words[i].word) == 0) {
			*r = reject_words[i].r;
			return 0;
		}
	return -1;
}

/* net_parse - one "addr[/bits]" entry (item is NUL-terminated) */
static int net_parse(char *item, struct policy_spf_net *net)
{
	char *slash, *end;
	unsigned int bits, max, i;

	if (item[0] == '[') {
		end = strchr(item, ']');
		if (end == NULL)
			return -1;
		memmove(end, end + 1, strlen(end + 1) + 1);
		memmove(item, item + 1, strlen(item + 1) + 1);
	}
	slash = strchr(item, '/');
	if (slash != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, item, net->addr) == 1) {
		net->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, item, net->addr) == 1) {
		net->family = AF_INET6;
		max = 128;
	} else {
		return -1;
	}
	bits = max;
	if (slash != NULL && numparse_uint(slash, max, &bits) < 0)
		return -1;
	net->bits = bits;
	/* host bits set below the prefix: refuse, as Python's ip_network */
	for (i = bits; i < max; i++)
		if (net->addr[i / 8] & (0x80u >> (i % 8)))
			return -1;
	return 0;
}

/* policy_spf_nets_parse - a comma or space separated network list */
int policy_spf_nets_parse(const char *list, struct policy_spf_nets *nets,
			  struct sbuf *err)
{
	const char *s = list, *item;
	size_t len;
	char buf[INET6_ADDRSTRLEN + 8];

	nets->n = 0;
	nets->net = NULL;
	while ((item = conf_next_word(&s, &len)) != NULL) {
		if (nets->n == POLICY_SPF_CONF_MAX_NETS) {
			sbuf_printf(err, "more than %u networks",
				    POLICY_SPF_CONF_MAX_NETS);
			goto fail;
		}
		nets->net =
		    xrealloc(nets->net, (nets->n + 1) * sizeof(*nets->net));
		memset(&nets->net[nets->n], 0, sizeof(*nets->net));
		if (len >= sizeof(buf)) {
			sbuf_printf(err, "bad network '%.*s...'", 40, item);
			goto fail;
		}
		memcpy(buf, item, len);
		buf[len] = '\0';
		if (net_parse(buf, &nets->net[nets->n]) < 0) {
			sbuf_printf(err, "bad network '%.*s'", (int)len, item);
			goto fail;
		}
		nets->n++;
	}
	return 0;
fail:
	policy_spf_nets_release(nets);
	return -1;
}

void policy_spf_nets_release(struct policy_spf_nets *nets)
{
	free(nets->net);
	nets->net = NULL;
	nets->n = 0;
}

/* prefix_equal - the first bits bits of a and b are the same */
static bool prefix_equal(const unsigned char *a, const unsigned char *b,
			 unsigned int bits)
{
	unsigned int full = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xffu << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

/* policy_spf_nets_match - ip in one of the networks of its family */
bool policy_spf_nets_match(const struct policy_spf_nets *nets, const char *ip)
{
	unsigned char addr[16];
	int family;
	size_t i;

	if (inet_pton(AF_INET, ip, addr) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, ip, addr) == 1)
		family = AF_INET6;
	else
		return false;
	for (i = 0; i < nets->n; i++)
		if (nets->net[i].family == family &&
		    prefix_equal(addr, nets->net[i].addr, nets->net[i].bits))
			return true;
	return false;
}

/* reason_message_ok - only {rejectdefer} {spf} {url} as fields */
static bool reason_message_ok(const char *m)
{
	static const char *const fields[] = {"{rejectdefer}", "{spf}", "{url}"};
	size_t i;

	while ((m = strchr(m, '{')) != NULL) {
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strncmp(m, fields[i], strlen(fields[i])) == 0)
				break;
		if (i == sizeof(fields) / sizeof(fields[0]))
			return false;
		m += strlen(fields[i]);
	}
	return true;
}

/* domains_parse - a list of domain names, lower-cased */
static int domains_parse(const char *list, const char *param, char ***v_r,
			 size_t *n_r, struct sbuf *err)
{
	const char *s = list, *item;
	size_t len, i;

	while ((item = conf_next_word(&s, &len)) != NULL) {
		if (*n_r == POLICY_SPF_CONF_MAX_DOMAINS) {
			sbuf_printf(err, "%s%s: more than %u domains",
				    POLICY_SPF_CONF_PREFIX, param,
				    POLICY_SPF_CONF_MAX_DOMAINS);
			return -1;
		}
		if (len > 253) {
			sbuf_printf(err, "%s%s: name too long",
				    POLICY_SPF_CONF_PREFIX, param);
			return -1;
		}
		*v_r = xrealloc(*v_r, (*n_r + 1) * sizeof(**v_r));
		(*v_r)[*n_r] = xstrndup(item, len);
		for (i = 0; i < len; i++) {
			char *c = &(*v_r)[*n_r][i];

			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		}
		(*n_r)++;
	}
	return 0;
}

/* derive - check the words and lists, fill the derived members */
static int derive(struct policy_spf_conf *cf, struct sbuf *err)
{
	if (policy_spf_reject_parse(cf->helo_reject, &cf->helo) < 0) {
		sbuf_printf(err,
			    "%shelo_reject: unknown value '%s' (Fail, "
			    "Softfail, SPF_Not_Pass, Null, False, No_Check)",
			    POLICY_SPF_CONF_PREFIX, cf->helo_reject);
		return -1;
	}
	if (policy_spf_reject_parse(cf->mail_from_reject, &cf->mail_from) < 0 ||
	    cf->mail_from == POLICY_SPF_REJECT_NULL) {
		sbuf_printf(err,
			    "%smail_from_reject: unknown value '%s' "
			    "(Fail, Softfail, SPF_Not_Pass, False, No_Check)",
			    POLICY_SPF_CONF_PREFIX, cf->mail_from_reject);
		return -1;
	}
	if (strcasecmp(cf->header_type, "SPF") == 0) {
		cf->header = POLICY_SPF_HEADER_SPF;
	} else if (strcasecmp(cf->header_type, "AR") == 0) {
		cf->header = POLICY_SPF_HEADER_AR;
	} else if (strcasecmp(cf->header_type, "None") == 0) {
		cf->header = POLICY_SPF_HEADER_NONE;
	} else {
		sbuf_printf(err,
			    "%sheader_type: unknown value '%s' (SPF, AR, "
			    "None)",
			    POLICY_SPF_CONF_PREFIX, cf->header_type);
		return -1;
	}
	/* a host name (RFC 8601 2.5): it must leave room in an action */
	if (strlen(cf->authserv_id) > 255 ||
	    strspn(cf->authserv_id,
		   "abcdefghijklmnopqrstuvwxyz"
		   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") !=
		strlen(cf->authserv_id)) {
		sbuf_printf(err,
			    "%sauthserv_id: not a host name of at most 255 "
			    "bytes",
			    POLICY_SPF_CONF_PREFIX);
		return -1;
	}
	if (!reason_message_ok(cf->reason_message)) {
		sbuf_printf(err,
			    "%sreason_message: only {rejectdefer}, {spf} "
			    "and {url} may stand in braces",
			    POLICY_SPF_CONF_PREFIX);
		return -1;
	}
	if (policy_spf_nets_parse(cf->skip_addresses, &cf->skip_nets, err) <
	    0) {
		sbuf_printf(err, " in %sskip_addresses",
			    POLICY_SPF_CONF_PREFIX);
		return -1;
	}
	if (policy_spf_nets_parse(cf->whitelist, &cf->whitelist_nets, err) <
	    0) {
		sbuf_printf(err, " in %swhitelist", POLICY_SPF_CONF_PREFIX);
		return -1;
	}
	if (domains_parse(cf->domain_whitelist, "domain_whitelist",
			  &cf->domains, &cf->n_domains, err) < 0)
		return -1;
	if (domains_parse(cf->reject_not_pass_domains,
			  "reject_not_pass_domains", &cf->not_pass,
			  &cf->n_not_pass, err) < 0)
		return -1;
	if (domains_parse(cf->helo_whitelist, "helo_whitelist", &cf->helo_wl,
			  &cf->n_helo_wl, err) < 0)
		return -1;
	return domains_parse(cf->domain_whitelist_ptr, "domain_whitelist_ptr",
			     &cf->ptr_wl, &cf->n_ptr_wl, err);
}

/* names_free - a list domains_parse made */
static void names_free(char ***v, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
}

/* policy_spf_conf_load - apply the table, then check */
int policy_spf_conf_load(const struct conf *c, struct policy_spf_conf *cf,
			 struct sbuf *err)
{
	memset(cf, 0, sizeof(*cf));
	if (conf_apply(c, POLICY_SPF_CONF_PREFIX, policy_spf_conf_params, cf,
		       err) < 0) {
		conf_release(policy_spf_conf_params, cf);
		return -1;
	}
	if (derive(cf, err) < 0) {
		policy_spf_conf_release(cf);
		return -1;
	}
	return 0;
}

void policy_spf_conf_release(struct policy_spf_conf *cf)
{
	conf_release(policy_spf_conf_params, cf);
	policy_spf_nets_release(&cf->skip_nets);
	policy_spf_nets_release(&cf->whitelist_nets);
	names_free(&cf->domains, &cf->n_domains);
	names_free(&cf->not_pass, &cf->n_not_pass);
	names_free(&cf->helo_wl, &cf->n_helo_wl);
	names_free(&cf->ptr_wl, &cf->n_ptr_wl);
}
