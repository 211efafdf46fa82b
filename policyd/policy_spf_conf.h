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
 *	policyd_spf_no_mail		No_Mail
 *	policyd_spf_helo_pass_restriction HELO_pass_restriction
 *	policyd_spf_mail_from_pass_restriction Mail_From_pass_restriction
 *	policyd_spf_prospective		Prospective
 *	policyd_spf_per_user		Per_User ("text,<file>")
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
/* a pass restriction is sent as the action: leave room below its limit */
#define POLICY_SPF_CONF_MAX_RESTRICTION 256
#define POLICY_SPF_CONF_MAX_USERS 1000		 /* Per_User entries */
#define POLICY_SPF_CONF_MAX_USER_FILE (1u << 20) /* Per_User file bytes */

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

struct policy_spf_user;

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
	bool no_mail; /* reject only for a "v=spf1 -all" record (No_Mail) */
	char *helo_pass_restriction;	  /* action for a HELO pass; "": none */
	char *mail_from_pass_restriction; /* action for a MAIL FROM pass */
	char *prospective; /* check as if from this address; "": client */
	char *per_user;	   /* "text,<file>": per-recipient settings */

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
	size_t n_users;
	struct policy_spf_user *users; /* Per_User entries, owned */
};

/* One Per_User entry: a recipient and its whole set of settings. */
struct policy_spf_user {
	char *recipient;	    /* lower case, owned */
	struct policy_spf_conf *cf; /* owned; no Per_User of its own */
};

/*
 * policy_spf_conf_load - fill cf from c (NULL: all defaults) and check
 * the values: the reject policies and header type are known words (any
 * case), the address lists parse, Reason_Message holds only the known
 * {rejectdefer} {spf} {url} fields, a pass restriction is printable
 * ASCII of at most POLICY_SPF_CONF_MAX_RESTRICTION bytes, Prospective is
 * an IPv4 or IPv6 address. With Per_User ("text,<file>") the file is
 * read (at most POLICY_SPF_CONF_MAX_USER_FILE bytes and
 * POLICY_SPF_CONF_MAX_USERS entries): each entry is c's settings with
 * its own on top, checked the same way. Returns 0, or -1 with a message
 * in err (cf then holds nothing to release).
 */
int policy_spf_conf_load(const struct conf *c, struct policy_spf_conf *cf,
			 struct sbuf *err);
void policy_spf_conf_release(struct policy_spf_conf *cf);

/*
 * policy_spf_conf_for - the settings for a recipient (lower case): its
 * Per_User entry (*per_user_r true), or cf itself. Borrowed from cf.
 */
const struct policy_spf_conf *
policy_spf_conf_for(const struct policy_spf_conf *cf, const char *recipient,
		    bool *per_user_r);

/*
 * policy_spf_user_parse - one line of a Per_User file, as policyd-spf
 * 3.0.4 reads it: "recipient, Name=value|Name=value" ('#' starts a
 * comment). On success *recipient_r and the pairs (caller frees all
 * with free) are set; an empty line gives 0 with *recipient_r NULL.
 * Names are policyd-spf's (HELO_reject, Whitelist, ...), written as our
 * "policyd_spf_name = value" lines appended to conf_text; values are
 * converted
 * as policyd-spf reads them (PermError_reject "True" = yes). -1 with a
 * message in err for a control character (but tab), a line without a
 * comma or recipient, a pair
 * without exactly one '=', or an unknown name. A name given twice: the
 * last value (a Python dict). The file is local configuration, but it
 * still has limits.
 */
int policy_spf_user_parse(const char *line, char **recipient_r,
			  struct sbuf *conf_text, struct sbuf *err);

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
