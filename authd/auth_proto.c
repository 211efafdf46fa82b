/*
 * auth_proto.c - Dovecot auth client protocol 1.x: parse client lines,
 * format server lines. Protocol notes: dovecot-auth.md (sections cited).
 */
#include "config.h"

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "auth_proto.h"
#include "base64.h"
#include "numparse.h"
#include "sbuf.h"
#include "xalloc.h"

#define AUTH_PROTO_ESC '\001'

/* auth_proto_unescape - Dovecot str_tabunescape (notes section 1) */
int auth_proto_unescape(const char *s, size_t n, struct sbuf *out)
{
	size_t i, start = 0;
	char c;

	for (i = 0; i < n; i++) {
		if (s[i] != AUTH_PROTO_ESC || i + 1 == n)
			continue;
		if (sbuf_append(out, s + start, i - start) < 0)
			return -1;
		switch (s[i + 1]) {
		case '0':
			c = '\0';
			break;
		case '1':
			c = AUTH_PROTO_ESC;
			break;
		case 't':
			c = '\t';
			break;
		case 'r':
			c = '\r';
			break;
		case 'n':
			c = '\n';
			break;
		default:
			c = s[i + 1];
			break;
		}
		if (sbuf_putc(out, c) < 0)
			return -1;
		i++;
		start = i + 1;
	}
	return sbuf_append(out, s + start, n - start);
}

void auth_proto_fields_clear(struct auth_proto_fields *f)
{
	for (size_t i = 0; i < f->n; i++)
		sbuf_free(&f->field[i]);
	f->n = 0;
}

int auth_proto_split(const void *line, size_t n, struct auth_proto_fields *f)
{
	const char *s = line, *end = s + n, *tab;

	auth_proto_fields_clear(f);
	if (n > AUTH_PROTO_MAX_LINE)
		return -1;
	for (;;) {
		if (f->n == AUTH_PROTO_MAX_FIELDS) {
			auth_proto_fields_clear(f);
			return -1;
		}
		tab = memchr(s, '\t', (size_t)(end - s));
		f->field[f->n] = sbuf_new_max(32, AUTH_PROTO_MAX_LINE);
		/* unescaping only shrinks: it cannot pass the maximum */
		(void)auth_proto_unescape(s, (size_t)((tab ? tab : end) - s),
					  f->field[f->n]);
		f->n++;
		if (tab == NULL)
			return 0;
		s = tab + 1;
	}
}

/* auth_proto_escape - Dovecot str_append_tabescaped */
int auth_proto_escape(const char *s, size_t n, struct sbuf *out)
{
	size_t i, start = 0;
	char c;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case AUTH_PROTO_ESC:
			c = '1';
			break;
		case '\t':
			c = 't';
			break;
		case '\r':
			c = 'r';
			break;
		case '\n':
			c = 'n';
			break;
		default:
			continue;
		}
		if (sbuf_append(out, s + start, i - start) < 0 ||
		    sbuf_putc(out, AUTH_PROTO_ESC) < 0 || sbuf_putc(out, c) < 0)
			return -1;
		start = i + 1;
	}
	return sbuf_append(out, s + start, n - start);
}

/* auth_cmd_free - free a parsed command; the payload is wiped */
void auth_cmd_free(struct auth_cmd **cp)
{
	struct auth_cmd *c = *cp;

	if (c == NULL)
		return;
	free(c->mech);
	free(c->service);
	free(c->lip);
	free(c->rip);
	xfree_secret(&c->data);
	free(c);
	*cp = NULL;
}

/* parse_id - a request id: 1..UINT_MAX */
static int parse_id(const char *s, unsigned int *id_r, struct sbuf *err)
{
	unsigned int id;

	if (numparse_uint(s, UINT_MAX, &id) < 0 || id == 0) {
		sbuf_append_str(err, "bad request id");
		return -1;
	}
	*id_r = id;
	return 0;
}

/* is_mech_name - RFC 4422 3.1 characters, 1..20 of them */
static bool is_mech_name(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > AUTH_PROTO_MAX_MECH)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* canonical_ip - address text in canonical form, or "" if unparsable */
static char *canonical_ip(const char *s)
{
	char text[INET6_ADDRSTRLEN];
	unsigned char addr[sizeof(struct in6_addr)];

	if (inet_pton(AF_INET, s, addr) == 1 &&
	    inet_ntop(AF_INET, addr, text, sizeof(text)) != NULL)
		return xstrdup(text);
	if (inet_pton(AF_INET6, s, addr) == 1 &&
	    inet_ntop(AF_INET6, addr, text, sizeof(text)) != NULL)
		return xstrdup(text);
	return xstrdup("");
}

/* set_str - replace a string member (a repeated parameter: last wins) */
static void set_str(char **dst, char *val)
{
	free(*dst);
	*dst = val;
}

/* parse_auth_params - AUTH parameters from field 3 on (section 4) */
static int parse_auth_params(struct auth_cmd *c, char **f, size_t nf,
			     struct sbuf *err)
{
	size_t i;

	for (i = 0; i < nf; i++) {
		char *eq = strchr(f[i], '=');
		const char *val = eq != NULL ? eq + 1 : NULL;
		size_t nlen = eq != NULL ? (size_t)(eq - f[i]) : strlen(f[i]);
		unsigned int port;

#define PARAM_IS(s) (nlen == sizeof(s) - 1 && memcmp(f[i], s, nlen) == 0)
		if (PARAM_IS("resp")) {
			/* "this must be the last parameter" (Dovecot) */
			if (i + 1 != nf) {
				sbuf_append_str(err, "parameter after resp=");
				return -1;
			}
			c->has_resp = true;
			c->data = xstrdup(val != NULL ? val : "");
		} else if (PARAM_IS("service")) {
			set_str(&c->service, xstrdup(val != NULL ? val : ""));
		} else if (PARAM_IS("lip")) {
			set_str(&c->lip, canonical_ip(val != NULL ? val : ""));
		} else if (PARAM_IS("rip")) {
			set_str(&c->rip, canonical_ip(val != NULL ? val : ""));
		} else if (PARAM_IS("lport")) {
			if (val != NULL &&
			    numparse_uint(val, 65535, &port) == 0)
				c->lport = port;
		} else if (PARAM_IS("rport")) {
			if (val != NULL &&
			    numparse_uint(val, 65535, &port) == 0)
				c->rport = port;
		} else if (PARAM_IS("secured")) {
			c->secured =
			    true; /* also "secured=tls" (Dovecot 2.3) */
		} else if (PARAM_IS("nologin")) {
			c->nologin = true;
		} else if (PARAM_IS("valid-client-cert")) {
			c->valid_client_cert = true;
		}
		/* anything else: an optional parameter we do not use */
#undef PARAM_IS
	}
	return 0;
}

/* auth_cmd_parse - one client line into a command */
int auth_cmd_parse(const void *line, size_t n, struct auth_cmd **cmd_r,
		   struct sbuf *err)
{
	const char *s = line, *tab;
	char *f[AUTH_PROTO_MAX_FIELDS];
	size_t nf = 0, i, flen;
	struct auth_cmd *c = NULL;
	struct sbuf *fb = NULL;
	int rc = -1;

	*cmd_r = NULL;
	if (n > AUTH_PROTO_MAX_LINE) {
		sbuf_append_str(err, "line too long");
		return -1;
	}
	/* Split at TAB, unescape each field; no field may hold a NUL. */
	fb = sbuf_new_max(64, AUTH_PROTO_MAX_LINE);
	for (;;) {
		tab = memchr(s, '\t', n);
		flen = tab != NULL ? (size_t)(tab - s) : n;
		if (nf == AUTH_PROTO_MAX_FIELDS) {
			sbuf_append_str(err, "too many fields");
			goto out;
		}
		sbuf_reset(fb);
		if (auth_proto_unescape(s, flen, fb) < 0 ||
		    memchr(sbuf_data(fb), '\0', sbuf_len(fb)) != NULL) {
			sbuf_append_str(err, "NUL byte in a field");
			goto out;
		}
		f[nf++] = xstrdup(sbuf_cstr(fb));
		if (tab == NULL)
			break;
		n -= flen + 1;
		s = tab + 1;
	}

	c = xcalloc(1, sizeof(*c));
	if (strcmp(f[0], "VERSION") == 0) {
		c->type = AUTH_CMD_VERSION;
		if (nf < 3 || numparse_uint(f[1], UINT_MAX, &c->major) < 0 ||
		    numparse_uint(f[2], UINT_MAX, &c->minor) < 0) {
			sbuf_append_str(err, "bad VERSION");
			goto out;
		}
		if (c->major != 1) {
			sbuf_append_str(err, "protocol version mismatch");
			goto out;
		}
	} else if (strcmp(f[0], "CPID") == 0) {
		c->type = AUTH_CMD_CPID;
		if (nf != 2 || numparse_ulong(f[1], ULONG_MAX, &c->cpid) < 0 ||
		    c->cpid == 0) {
			sbuf_append_str(err, "bad CPID");
			goto out;
		}
	} else if (strcmp(f[0], "AUTH") == 0) {
		c->type = AUTH_CMD_AUTH;
		if (nf < 3) {
			sbuf_append_str(err, "AUTH without id or mechanism");
			goto out;
		}
		if (parse_id(f[1], &c->id, err) < 0)
			goto out;
		if (!is_mech_name(f[2])) {
			sbuf_append_str(err, "bad mechanism name");
			goto out;
		}
		c->mech = xstrdup(f[2]);
		if (parse_auth_params(c, f + 3, nf - 3, err) < 0)
			goto out;
	} else if (strcmp(f[0], "CONT") == 0) {
		c->type = AUTH_CMD_CONT;
		if (nf != 3) {
			sbuf_append_str(err, "CONT needs an id and data");
			goto out;
		}
		if (parse_id(f[1], &c->id, err) < 0)
			goto out;
		c->data = xstrdup(f[2]);
	} else if (strcmp(f[0], "CANCEL") == 0) {
		c->type = AUTH_CMD_CANCEL;
		if (nf != 2) {
			sbuf_append_str(err, "CANCEL needs an id");
			goto out;
		}
		if (parse_id(f[1], &c->id, err) < 0)
			goto out;
	} else {
		sbuf_append_str(err, "unknown command");
		goto out;
	}
	*cmd_r = c;
	c = NULL;
	rc = 0;
out:
	/* Fields may hold credentials (resp=, CONT data). */
	for (i = 0; i < nf; i++)
		xfree_secret(&f[i]);
	if (fb != NULL)
		sbuf_free_secret(&fb);
	auth_cmd_free(&c);
	return rc;
}

/* auth_proto_decode_cont - a CONT payload; "" and "=" are empty */
int auth_proto_decode_cont(const char *b64, struct sbuf *out)
{
	size_t n = strlen(b64);

	sbuf_wipe(out);
	if (n == 0 || (n == 1 && b64[0] == '='))
		return 0;
	if (n > AUTH_PROTO_MAX_LINE ||
	    base64_decode(b64, n, BASE64_STRICT, out) < 0) {
		sbuf_wipe(out);
		return -1;
	}
	return 0;
}

/* auth_proto_initial_response - resp= by Dovecot's rules (section 4) */
enum auth_resp_result auth_proto_initial_response(const struct auth_cmd *c,
						  unsigned int client_minor,
						  struct sbuf *out)
{
	sbuf_wipe(out);
	if (c->type != AUTH_CMD_AUTH || !c->has_resp)
		return AUTH_RESP_NONE;
	if (c->data[0] == '\0' && client_minor < 2)
		return AUTH_RESP_NONE;
	if (auth_proto_decode_cont(c->data, out) < 0)
		return AUTH_RESP_BAD_BASE64;
	return AUTH_RESP_DATA;
}

/* auth_proto_handshake - the server handshake, Dovecot 2.3 order (s. 2) */
int auth_proto_handshake(struct sbuf *out, const struct auth_proto_mech *mechs,
			 size_t n_mechs, unsigned long spid, unsigned long cuid,
			 const unsigned char cookie[16])
{
	static const char *const flag_names[] = {
	    "private", "anonymous",	  "plaintext",	 "dictionary",
	    "active",  "forward-secrecy", "mutual-auth",
	};
	size_t i, j;
	int rc = 0;

	rc |= sbuf_append_str(out, "VERSION\t1\t2\n");
	for (i = 0; i < n_mechs; i++) {
		if (mechs[i].flags & AUTH_MECH_FLAG_PRIVATE)
			continue;
		rc |= sbuf_printf(out, "MECH\t%s", mechs[i].name);
		for (j = 0; j < sizeof(flag_names) / sizeof(flag_names[0]); j++)
			if (mechs[i].flags & (1u << j))
				rc |= sbuf_printf(out, "\t%s", flag_names[j]);
		rc |= sbuf_putc(out, '\n');
	}
	rc |= sbuf_printf(out, "SPID\t%lu\nCUID\t%lu\nCOOKIE\t", spid, cuid);
	for (i = 0; i < 16; i++)
		rc |= sbuf_printf(out, "%02x", cookie[i]);
	rc |= sbuf_append_str(out, "\nDONE\n");
	return rc < 0 ? -1 : 0;
}

/* append_field - "\tname=value", the value tab-escaped */
static int append_field(struct sbuf *out, const char *name, const char *val)
{
	if (val == NULL || *val == '\0')
		return 0;
	if (sbuf_printf(out, "\t%s=", name) < 0)
		return -1;
	return auth_proto_escape(val, strlen(val), out);
}

/* auth_proto_ok - "OK id user=NAME" (section 5: user= is required) */
int auth_proto_ok(struct sbuf *out, unsigned int id, const char *user)
{
	if (sbuf_printf(out, "OK\t%u\tuser=", id) < 0 ||
	    auth_proto_escape(user, strlen(user), out) < 0)
		return -1;
	return sbuf_putc(out, '\n');
}

/* auth_proto_cont - "CONT id base64" */
int auth_proto_cont(struct sbuf *out, unsigned int id, const void *data,
		    size_t n)
{
	if (sbuf_printf(out, "CONT\t%u\t", id) < 0 ||
	    base64_encode(data, n, out) < 0)
		return -1;
	return sbuf_putc(out, '\n');
}

/* auth_proto_fail - "FAIL id [user=] [code=] [reason=] [temp]" */
int auth_proto_fail(struct sbuf *out, unsigned int id, const char *user,
		    const char *code, const char *reason, bool temp)
{
	if (temp && (code == NULL || *code == '\0'))
		code = "temp_fail";
	if (sbuf_printf(out, "FAIL\t%u", id) < 0 ||
	    append_field(out, "user", user) < 0 ||
	    append_field(out, "code", code) < 0 ||
	    append_field(out, "reason", reason) < 0 ||
	    (temp && sbuf_append_str(out, "\ttemp") < 0))
		return -1;
	return sbuf_putc(out, '\n');
}
