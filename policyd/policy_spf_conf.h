/*
 * policy_spf_conf.h - the SPF check's parameters (prefix "policyd_spf_")
 * and the address lists they name.
 *
 * Each parameter is the equivalent of a postfix-policyd-spf-python
 * 3.0.4 setting (policyd-spf.conf), same values and defaults; the
 * mapping table is in postwarden.conf(5), section POLICYD SPF:
 *
 *	policyd_spf_helo_reject		HELO_reject
 *	policyd_spf_mail_from_reject	Mail_From_reject
 *	policyd_spf_permerror_reject	PermError_reject
 *	policyd_spf_temperror_defer	TempError_Defer
 *	policyd_spf_skip_addresses	skip_addresses
 *	policyd_spf_whitelist		Whitelist
 *	policyd_spf_domain_whitelist	Domain_Whitelist
 *	policyd_spf_reject_not_pass_domains Reject_Not_Pass_Domains
 *	policyd_spf_helo_whitelist	HELO_Whitelist
 *	policyd_spf_domain_whitelist_ptr Domain_Whitelist_PTR
 *	policyd_spf_header_type		Header_Type
 *	policyd_spf_hide_receiver	Hide_Receiver
 *	policyd_spf_authserv_id		Authserv_Id
 *	policyd_spf_reason_message	Reason_Message
 *	policyd_spf_enhanced_status_codes SPF_Enhanced_Status_Codes
 *	policyd_spf_lookup_time		Lookup_Time
 *	policyd_spf_whitelist_lookup_time Whitelist_Lookup_Time
 *	policyd_spf_void_limit		Void_Limit
 *	policyd_spf_test_only		TestOnly (yes = TestOnly 0)
 *
 * plus our own: policyd_spf_skip_sasl_authenticated, policyd_spf_cache_size
 * and policyd_spf_dns_servers.
 * policyd's own parameter table must leave names with this prefix to
 * policy_spf_conf_load.
 *
 * The config file is local, not peer input, but the lists still have
 * hard limits. Loaded once, then read-only: shareable between threads.
 */
#ifndef PW_POLICY_SPF_CONF_H
#define PW_POLICY_SPF_CONF_H

#include <stdbool.h>
#include <stddef.h>

struct conf;
struct sbuf;

#define POLICY_SPF_CONF_PREFIX "policyd_spf_"
#define POLICY_SPF_CONF_MAX_NETS 1024  /* entries per address list */
#define POLICY_SPF_CONF_MAX_DOMAINS 64 /* entries of a domain list */

/* HELO_reject / Mail_From_reject: which results reject */
enum policy_spf_reject {
	POLICY_SPF_REJECT_FAIL,	    /* "Fail": Fail */
	POLICY_SPF_REJECT_SOFTFAIL, /* "Softfail": Fail, Softfail */
	POLICY_SPF_REJECT_NOT_PASS, /* "SPF_Not_Pass": + Neutral */
	POLICY_SPF_REJECT_NULL,	    /* "Null": Fail, null sender only */
	POLICY_SPF_REJECT_FALSE,    /* "False": header only */
	POLICY_SPF_REJECT_NO_CHECK, /* "No_Check": no check at all */
};

enum policy_spf_header {
	POLICY_SPF_HEADER_SPF,	/* Received-SPF */
	POLICY_SPF_HEADER_AR,	/* Authentication-Results */
	POLICY_SPF_HEADER_NONE, /* no header */
};

/* One network: family AF_INET or AF_INET6, address bytes, prefix. */
struct policy_spf_net {
	int family;
	unsigned char addr[16];
	unsigned int bits;
};

struct policy_spf_nets {
	size_t n;
	struct policy_spf_net *net; /* owned */
};

struct policy_spf_conf {
	/* as in the file (conf_apply fills them) */
	char *helo_reject;
	char *mail_from_reject;
	bool permerror_reject;
	bool temperror_defer;
	char *skip_addresses;
	char *whitelist;
	char *domain_whitelist;
	char *reject_not_pass_domains;
	char *helo_whitelist;
	char *domain_whitelist_ptr;
	bool skip_sasl_authenticated;
	char *header_type;
	bool hide_receiver;
	char *authserv_id; /* "": the host name */
	char *reason_message;
	bool enhanced_status_codes;
	unsigned int lookup_time;	    /* seconds per SPF check */
	unsigned int whitelist_lookup_time; /* seconds per Domain_Whitelist */
	unsigned int void_limit;
	bool test_only;		 /* never reject or defer (TestOnly = 0) */
	unsigned int cache_size; /* messages whose answer is remembered */
	char *dns_servers;	 /* "addr[@port]" list; "": /etc/resolv.conf */

	/* derived by policy_spf_conf_load */
	enum policy_spf_reject helo;
	enum policy_spf_reject mail_from;
	enum policy_spf_header header;
	struct policy_spf_nets skip_nets;
	struct policy_spf_nets whitelist_nets;
	size_t n_domains;
	char **domains; /* Domain_Whitelist names, lower case, owned */
	size_t n_not_pass;
	char **not_pass; /* Reject_Not_Pass_Domains, lower case, owned */
	size_t n_helo_wl;
	char **helo_wl; /* HELO_Whitelist, lower case, owned */
	size_t n_ptr_wl;
	char **ptr_wl; /* Domain_Whitelist_PTR, lower case, owned */
};

/*
 * policy_spf_conf_load - fill cf from c (NULL: all defaults) and check
 * the values: the reject policies and header type are known words (any
 * case), the address lists parse, Reason_Message holds only the known
 * {rejectdefer} {spf} {url} fields. Returns 0, or -1 with a message in
 * err (cf then holds nothing to release).
 */
int policy_spf_conf_load(const struct conf *c, struct policy_spf_conf *cf,
			 struct sbuf *err);
void policy_spf_conf_release(struct policy_spf_conf *cf);

/*
 * policy_spf_nets_parse - a list of networks separated by commas or
 * spaces: "192.0.2.0/24", "2001:db8::/32", a bare address (/32, /128),
 * optionally in [ ]. Host bits set below the prefix are an error (a
 * typo such as 10.1.2.3/8 would widen the list). 0, or -1 with a
 * message in err (nets then empty).
 */
int policy_spf_nets_parse(const char *list, struct policy_spf_nets *nets,
			  struct sbuf *err);
void policy_spf_nets_release(struct policy_spf_nets *nets);

/*
 * policy_spf_nets_match - is ip (text) in one of the networks? An IPv4
 * address matches only IPv4 networks and an IPv6 one only IPv6 networks
 * (::ffff:127.0.0.1 is not in 127.0.0.0/8), as policyd-spf. An ip that
 * does not parse matches nothing.
 */
bool policy_spf_nets_match(const struct policy_spf_nets *nets, const char *ip);

/* policy_spf_reject_parse - "Fail", "softfail", ...: 0 or -1 */
int policy_spf_reject_parse(const char *s, enum policy_spf_reject *r);

#endif
