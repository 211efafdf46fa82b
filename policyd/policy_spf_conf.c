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
#include "readfile.h"
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
    {"no_mail", CONF_BOOL, "no", 0, 0, OFF(no_mail)},
    {"helo_pass_restriction", CONF_STR, "", 0, 0, OFF(helo_pass_restriction)},
    {"mail_from_pass_restriction", CONF_STR, "", 0, 0,
     OFF(mail_from_pass_restriction)},
    {"prospective", CONF_STR, "", 0, 0, OFF(prospective)},
    {"per_user", CONF_STR, "", 0, 0, OFF(per_user)},
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

/*
 * restriction_ok - a pass restriction goes out as the action itself
 * (access(5): a restriction class or a list of restrictions): printable
 * ASCII, not blank, within the limit
 */
static bool restriction_ok(const char *r)
{
	size_t n = strlen(r), i;

	if (n > POLICY_SPF_CONF_MAX_RESTRICTION || r[0] == ' ')
		return false;
	for (i = 0; i < n; i++)
		if (r[i] < 0x20 || r[i] >= 0x7f)
			return false;
	return true;
}

/* is_address - an IPv4 or IPv6 address, nothing more */
static bool is_address(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
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
	if (!restriction_ok(cf->helo_pass_restriction) ||
	    !restriction_ok(cf->mail_from_pass_restriction)) {
		sbuf_printf(err,
			    "%s%s_pass_restriction: not printable ASCII of at "
			    "most %u bytes",
			    POLICY_SPF_CONF_PREFIX,
			    restriction_ok(cf->helo_pass_restriction)
				? "mail_from"
				: "helo",
			    POLICY_SPF_CONF_MAX_RESTRICTION);
		return -1;
	}
	if (*cf->prospective != '\0' && !is_address(cf->prospective)) {
		sbuf_printf(err, "%sprospective: not an IP address '%.64s'",
			    POLICY_SPF_CONF_PREFIX, cf->prospective);
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

/* load_one - apply the table, then check; no Per_User file yet */
static int load_one(const struct conf *c, struct policy_spf_conf *cf,
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

/*
 * Per_User settings: policyd-spf's names (policydspfuser.py), ours, and
 * how policyd-spf reads the value. Names it accepts there without any
 * effect (the per-user TestOnly is never read; Hide_Receiver does not
 * apply with Per_User; "Authserv-Id" is not the name it uses) are
 * accepted and ignored.
 */
enum user_value {
	USER_AS_IS,
	USER_TRUE_IS_YES, /* "True": yes; anything else: no */
	USER_NO_IS_NO,	  /* "No": no; anything else: yes */
	USER_IGNORED,
};

static const struct {
	const char *peer, *ours;
	enum user_value v;
} user_names[] = {
    {"HELO_reject", "helo_reject", USER_AS_IS},
    {"Mail_From_reject", "mail_from_reject", USER_AS_IS},
    {"PermError_reject", "permerror_reject", USER_TRUE_IS_YES},
    {"TempError_Defer", "temperror_defer", USER_TRUE_IS_YES},
    {"Mail_From_pass_restriction", "mail_from_pass_restriction", USER_AS_IS},
    {"HELO_pass_restriction", "helo_pass_restriction", USER_AS_IS},
    {"Prospective", "prospective", USER_AS_IS},
    {"Whitelist", "whitelist", USER_AS_IS},
    {"skip_addresses", "skip_addresses", USER_AS_IS},
    {"Domain_Whitelist", "domain_whitelist", USER_AS_IS},
    {"Domain_Whitelist_PTR", "domain_whitelist_ptr", USER_AS_IS},
    {"HELO_Whitelist", "helo_whitelist", USER_AS_IS},
    {"No_Mail", "no_mail", USER_TRUE_IS_YES},
    {"Reject_Not_Pass_Domains", "reject_not_pass_domains", USER_AS_IS},
    {"SPF_Enhanced_Status_Codes", "enhanced_status_codes", USER_NO_IS_NO},
    {"Header_Type", "header_type", USER_AS_IS},
    {"Lookup_Time", "lookup_time", USER_AS_IS},
    {"Whitelist_Lookup_Time", "whitelist_lookup_time", USER_AS_IS},
    {"Void_Limit", "void_limit", USER_AS_IS},
    {"Reason_Message", "reason_message", USER_AS_IS},
    {"debugLevel", NULL, USER_IGNORED},
    {"defaultSeedOnly", NULL, USER_IGNORED},
    {"Hide_Receiver", NULL, USER_IGNORED},
    {"Authserv-Id", NULL, USER_IGNORED},
};

/* put_value - a value for conf_parse: '$' doubled (no expansion) */
static void put_value(struct sbuf *out, const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i] == '$')
			sbuf_putc(out, '$');
		sbuf_putc(out, v[i]);
	}
}

/* trim - the bounds of s[0..n) without white space at either end */
static void trim(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* user_pair - one "Name=value" (not trimmed: policyd-spf does not) */
static int user_pair(const char *p, size_t n, struct sbuf *conf_text,
		     struct sbuf *err)
{
	const char *eq = memchr(p, '=', n);
	size_t i, klen;

	if (eq == NULL || memchr(eq + 1, '=', n - (size_t)(eq + 1 - p))) {
		sbuf_printf(err, "'%.*s' is not Name=value",
			    (int)(n > 64 ? 64 : n), p);
		return -1;
	}
	klen = (size_t)(eq - p);
	for (i = 0; i < sizeof(user_names) / sizeof(user_names[0]); i++)
		if (strlen(user_names[i].peer) == klen &&
		    memcmp(user_names[i].peer, p, klen) == 0)
			break;
	if (i == sizeof(user_names) / sizeof(user_names[0])) {
		sbuf_printf(err, "unknown setting '%.*s'",
			    (int)(klen > 64 ? 64 : klen), p);
		return -1;
	}
	if (user_names[i].v == USER_IGNORED)
		return 0;
	p = eq + 1;
	n -= klen + 1;
	sbuf_printf(conf_text, "%s%s = ", POLICY_SPF_CONF_PREFIX,
		    user_names[i].ours);
	if (user_names[i].v == USER_TRUE_IS_YES)
		sbuf_append_str(conf_text, n == 4 && memcmp(p, "True", 4) == 0
					       ? "yes"
					       : "no");
	else if (user_names[i].v == USER_NO_IS_NO)
		sbuf_append_str(conf_text, n == 2 && memcmp(p, "No", 2) == 0
					       ? "no"
					       : "yes");
	else
		put_value(conf_text, p, n);
	sbuf_putc(conf_text, '\n');
	return 0;
}

/* policy_spf_user_parse - "recipient, Name=value|Name=value" */
int policy_spf_user_parse(const char *line, char **recipient_r,
			  struct sbuf *conf_text, struct sbuf *err)
{
	const char *hash = strchr(line, '#'), *comma, *p, *bar, *user;
	size_t n = hash != NULL ? (size_t)(hash - line) : strlen(line);
	size_t ulen, i;

	*recipient_r = NULL;
	for (i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 && line[i] != '\t') {
			sbuf_printf(err, "control character in the line");
			return -1;
		}
	trim(&line, &n);
	if (n == 0)
		return 0;
	comma = memchr(line, ',', n);
	if (comma == NULL) {
		sbuf_printf(err, "no ',' after the recipient");
		return -1;
	}
	user = line;
	ulen = (size_t)(comma - line);
	trim(&user, &ulen);
	if (ulen == 0 || ulen > 320) {
		sbuf_printf(err, "no recipient, or one of more than 320 bytes");
		return -1;
	}
	p = comma + 1;
	n -= (size_t)(p - line);
	trim(&p, &n);
	while (1) {
		bar = memchr(p, '|', n);
		if (user_pair(p, bar != NULL ? (size_t)(bar - p) : n, conf_text,
			      err) < 0)
			return -1;
		if (bar == NULL)
			break;
		n -= (size_t)(bar + 1 - p);
		p = bar + 1;
	}
	*recipient_r = xstrndup(user, ulen);
	for (i = 0; i < ulen; i++)
		if ((*recipient_r)[i] >= 'A' && (*recipient_r)[i] <= 'Z')
			(*recipient_r)[i] =
			    (char)((*recipient_r)[i] - 'A' + 'a');
	return 0;
}

/*
 * base_text - every policyd_spf_ setting of c but per_user, expanded,
 * as conf_parse text: a Per_User entry starts from them
 */
static int base_text(const struct conf *c, struct sbuf *out, struct sbuf *err)
{
	struct sbuf *v = sbuf_new(64);
	size_t i;
	int rc = 0;

	for (i = 0; i < conf_count(c) && rc == 0; i++) {
		const char *name = conf_name_at(c, i);

		if (strncmp(name, POLICY_SPF_CONF_PREFIX,
			    strlen(POLICY_SPF_CONF_PREFIX)) != 0 ||
		    strcmp(name, POLICY_SPF_CONF_PREFIX "per_user") == 0)
			continue;
		sbuf_reset(v);
		rc = conf_expand(c, conf_get(c, name), v, err);
		sbuf_printf(out, "%s = ", name);
		put_value(out, sbuf_cstr(v), sbuf_len(v));
		sbuf_putc(out, '\n');
	}
	sbuf_free(&v);
	return rc;
}

/* user_find - the entry for recipient, or NULL */
static const struct policy_spf_user *user_find(const struct policy_spf_conf *cf,
					       const char *recipient)
{
	size_t i;

	for (i = 0; i < cf->n_users; i++)
		if (strcmp(cf->users[i].recipient, recipient) == 0)
			return &cf->users[i];
	return NULL;
}

/*
 * per_user_load - read the "text,<file>" Per_User file: each entry is
 * the settings of c with the entry's own on top; the first entry of a
 * recipient counts (policyd-spf stops at it)
 */
static int per_user_load(const struct conf *c, struct policy_spf_conf *cf,
			 struct sbuf *err)
{
	struct sbuf *file = sbuf_new_max(4096, POLICY_SPF_CONF_MAX_USER_FILE);
	struct sbuf *base = sbuf_new(1024), *text = sbuf_new(1024);
	struct sbuf *msg = sbuf_new(64);
	const char *path, *p, *nl;
	unsigned int lineno = 0;
	int rc = -1;

	if (strncmp(cf->per_user, "text,", 5) != 0 || cf->per_user[5] == '\0') {
		sbuf_printf(err, "%sper_user: not \"text,<file>\"",
			    POLICY_SPF_CONF_PREFIX);
		goto out;
	}
	path = cf->per_user + 5;
	if (readfile(path, file, NULL, msg) < 0 ||
	    memchr(sbuf_cstr(file), '\0', sbuf_len(file)) != NULL) {
		sbuf_printf(err, "%sper_user: %s", POLICY_SPF_CONF_PREFIX,
			    sbuf_is_empty(msg) ? "file holds a NUL byte"
					       : sbuf_cstr(msg));
		goto out;
	}
	if (base_text(c, base, err) < 0)
		goto out;
	for (p = sbuf_cstr(file); *p != '\0'; p = nl != NULL ? nl + 1 : "") {
		struct conf *uc = NULL;
		struct policy_spf_conf *ucf;
		char *line, *recipient;
		int r;

		nl = strchr(p, '\n');
		line = xstrndup(p, nl != NULL ? (size_t)(nl - p) : strlen(p));
		lineno++;
		sbuf_set(text, sbuf_cstr(base));
		r = policy_spf_user_parse(line, &recipient, text, msg);
		free(line);
		if (r < 0) {
			sbuf_printf(err, "%s, line %u: %s", path, lineno,
				    sbuf_cstr(msg));
			goto out;
		}
		if (recipient == NULL)
			continue;
		if (user_find(cf, recipient) != NULL) {
			free(recipient); /* policyd-spf reads the first only */
			continue;
		}
		if (cf->n_users == POLICY_SPF_CONF_MAX_USERS) {
			free(recipient);
			sbuf_printf(err, "%s: more than %u entries", path,
				    POLICY_SPF_CONF_MAX_USERS);
			goto out;
		}
		ucf = xcalloc(1, sizeof(*ucf));
		sbuf_reset(msg);
		if (conf_parse(sbuf_cstr(text), sbuf_len(text), path, &uc, NULL,
			       msg) < 0 ||
		    load_one(uc, ucf, msg) < 0) {
			sbuf_printf(err, "%s, line %u (%s): %s", path, lineno,
				    recipient, sbuf_cstr(msg));
			conf_free(&uc);
			free(ucf);
			free(recipient);
			goto out;
		}
		conf_free(&uc);
		cf->users =
		    xrealloc(cf->users, (cf->n_users + 1) * sizeof(*cf->users));
		cf->users[cf->n_users].recipient = recipient;
		cf->users[cf->n_users].cf = ucf;
		cf->n_users++;
	}
	rc = 0;
out:
	sbuf_free(&file);
	sbuf_free(&base);
	sbuf_free(&text);
	sbuf_free(&msg);
	return rc;
}

/* policy_spf_conf_load - the settings, then the Per_User entries */
int policy_spf_conf_load(const struct conf *c, struct policy_spf_conf *cf,
			 struct sbuf *err)
{
	if (load_one(c, cf, err) < 0)
		return -1;
	if (*cf->per_user != '\0' && per_user_load(c, cf, err) < 0) {
		policy_spf_conf_release(cf);
		return -1;
	}
	return 0;
}

/* policy_spf_conf_for - a recipient's Per_User entry, or cf */
const struct policy_spf_conf *
policy_spf_conf_for(const struct policy_spf_conf *cf, const char *recipient,
		    bool *per_user_r)
{
	const struct policy_spf_user *u =
	    recipient != NULL ? user_find(cf, recipient) : NULL;

	*per_user_r = u != NULL;
	return u != NULL ? u->cf : cf;
}

void policy_spf_conf_release(struct policy_spf_conf *cf)
{
	size_t i;

	for (i = 0; i < cf->n_users; i++) {
		free(cf->users[i].recipient);
		policy_spf_conf_release(cf->users[i].cf);
		free(cf->users[i].cf);
	}
	free(cf->users);
	cf->users = NULL;
	cf->n_users = 0;
	conf_release(policy_spf_conf_params, cf);
	policy_spf_nets_release(&cf->skip_nets);
	policy_spf_nets_release(&cf->whitelist_nets);
	names_free(&cf->domains, &cf->n_domains);
	names_free(&cf->not_pass, &cf->n_not_pass);
	names_free(&cf->helo_wl, &cf->n_helo_wl);
	names_free(&cf->ptr_wl, &cf->n_ptr_wl);
}
