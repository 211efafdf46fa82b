/* auth_dovecot_sql.c - dovecot-sql.conf.ext reader and query expansion */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth_dovecot_sql.h"
#include "conf.h"
#include "readfile.h"
#include "sbuf.h"
#include "xalloc.h"

/* Dovecot's built-in default (db-sql.c) */
#define DEFAULT_PASSWORD_QUERY                                                \
	"SELECT username, domain, password FROM users "                       \
	"WHERE username = '%n' AND domain = '%d'"

static bool is_white(char c)
{
	return c == ' ' || c == '\t';
}

/* set_str - replace an owned string */
static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

/* unescape - Dovecot str_unescape(): "\x" becomes "x", in place */
static void unescape(char *s)
{
	char *d = s;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		*d++ = *s;
	}
	*d = '\0';
}

/* strip_comment - cut at a "#" outside quotes (lib-settings); warn if
 * the "#" sticks to a word, as Dovecot does */
static void strip_comment(char *line, const char *origin, unsigned int ln,
			  struct sbuf *warnings_r)
{
	char *p, q;

	for (p = line; *p != '\0'; p++) {
		if (*p == '\'' || *p == '"') {
			q = *p;
			for (p++; *p != q && *p != '\0'; p++)
				if (*p == '\\' && p[1] != '\0')
					p++;
			if (*p == '\0')
				break;
		} else if (*p == '#') {
			if (p > line && !is_white(p[-1]) && warnings_r != NULL)
				sbuf_printf(warnings_r,
					    "%s, line %u: ambiguous '#' "
					    "character in line, treating it "
					    "as comment\n",
					    origin, ln);
			*p = '\0';
			break;
		}
	}
}

/* parse_mysql_connect - Dovecot driver-mysql connect string */
static int parse_mysql_connect(struct dovecot_sql_conf *c, const char *s,
			       const char *origin, struct sbuf *warnings_r,
			       struct sbuf *err)
{
	struct sbuf *hosts = sbuf_new(64), *one = sbuf_new(64);
	const char *port = NULL, *eq;
	char *copy = xstrdup(s), *tok, *save = NULL, *name, *value;
	size_t i, n;
	int ret = -1;
	char **hostv = NULL;
	size_t nhosts = 0;

	for (tok = strtok_r(copy, " \t", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t", &save)) {
		eq = strchr(tok, '=');
		if (eq == NULL) {
			sbuf_printf(err, "%s: connect: missing value in "
					 "\"%s\"",
				    origin,
				    strncmp(tok, "password", 8) == 0 ? "password"
								     : tok);
			goto out;
		}
		name = tok;
		*(char *)eq = '\0';
		value = (char *)eq + 1;
		if (strcmp(name, "host") == 0) {
			hostv = xrealloc(hostv, (nhosts + 1) * sizeof(*hostv));
			hostv[nhosts++] = value;
		} else if (strcmp(name, "port") == 0) {
			port = value;
		} else if (strcmp(name, "user") == 0) {
			set_str(&c->user, value);
		} else if (strcmp(name, "password") == 0) {
			if (c->password != NULL)
				xfree_secret(&c->password);
			c->password = xstrdup(value);
		} else if (strcmp(name, "dbname") == 0) {
			set_str(&c->dbname, value);
		} else if (strcmp(name, "option_file") == 0) {
			set_str(&c->option_file, value);
		} else if (strcmp(name, "option_group") == 0) {
			set_str(&c->option_group, value);
		} else if (strcmp(name, "client_flags") == 0 ||
			   strcmp(name, "connect_timeout") == 0 ||
			   strcmp(name, "read_timeout") == 0 ||
			   strcmp(name, "write_timeout") == 0) {
			if (warnings_r != NULL)
				sbuf_printf(warnings_r,
					    "%s: connect: %s is ignored\n",
					    origin, name);
		} else if (strncmp(name, "ssl_", 4) == 0) {
			sbuf_printf(err, "%s: connect: %s: TLS to the SQL "
					 "server is not supported",
				    origin, name);
			goto out;
		} else {
			sbuf_printf(err, "%s: connect: unknown setting: %s",
				    origin, name);
			goto out;
		}
	}
	if (nhosts == 0 && c->option_file == NULL) {
		sbuf_printf(err, "%s: connect: no hosts given", origin);
		goto out;
	}
	for (i = 0; i < nhosts; i++) {
		sbuf_reset(one);
		if (hostv[i][0] == '/') {
			sbuf_printf(one, "unix:%s", hostv[i]);
		} else if (hostv[i][0] == '\0') {
			sbuf_printf(err, "%s: connect: empty host", origin);
			goto out;
		} else {
			n = strspn(hostv[i], "0123456789abcdefABCDEF:.");
			/* a bare IPv6 address needs brackets for the port */
			if (strchr(hostv[i], ':') != NULL &&
			    hostv[i][n] == '\0')
				sbuf_printf(one, "inet:[%s]", hostv[i]);
			else
				sbuf_printf(one, "inet:%s", hostv[i]);
			if (port != NULL)
				sbuf_printf(one, ":%s", port);
		}
		if (sbuf_len(hosts) > 0)
			sbuf_putc(hosts, ' ');
		sbuf_append(hosts, sbuf_data(one), sbuf_len(one));
	}
	set_str(&c->hosts, sbuf_cstr(hosts));
	ret = 0;
out:
	free(hostv);
	wipe_bytes(copy, strlen(s));
	free(copy);
	sbuf_free(&hosts);
	sbuf_free(&one);
	return ret;
}

/* struct raw - the settings as read, before they are checked */
struct raw {
	char *driver;
	char *connect;
	char *scheme;
	char *query;
};

/* set_key - one "key = value" */
static int set_key(struct raw *r, const char *key, const char *value,
		   const char *origin, unsigned int ln, struct sbuf *err)
{
	if (strcmp(key, "driver") == 0) {
		set_str(&r->driver, value);
	} else if (strcmp(key, "connect") == 0) {
		if (r->connect != NULL)
			xfree_secret(&r->connect);
		r->connect = xstrdup(value);
	} else if (strcmp(key, "default_pass_scheme") == 0) {
		set_str(&r->scheme, value);
	} else if (strcmp(key, "password_query") == 0) {
		set_str(&r->query, value);
	} else if (strcmp(key, "user_query") == 0 ||
		   strcmp(key, "iterate_query") == 0 ||
		   strcmp(key, "update_query") == 0 ||
		   strcmp(key, "userdb_warning_disable") == 0) {
		/* userdb settings: valid, not used by a passdb */
	} else {
		sbuf_printf(err, "%s, line %u: unknown setting: %s", origin, ln,
			    key);
		return -1;
	}
	return 0;
}

/* parse_line - one logical line (modified in place) */
static int parse_line(struct raw *r, char *line, const char *origin,
		      unsigned int ln, struct sbuf *err)
{
	char *key = line, *value;
	size_t len;

	while (*line != '\0' && !is_white(*line) && *line != '=')
		line++;
	if (is_white(*line)) {
		*line++ = '\0';
		while (is_white(*line))
			line++;
	}
	if (*line != '=') {
		sbuf_printf(err, "%s, line %u: %s", origin, ln,
			    key[0] == '!' ? "!include is not supported"
			    : strchr(line, '{') != NULL || key[0] == '}'
				    ? "sections are not supported"
				    : "expecting \"key = value\"");
		return -1;
	}
	*line++ = '\0';
	while (is_white(*line))
		line++;
	value = line;
	len = strlen(value);
	if (len >= 2 && ((value[0] == '"' && value[len - 1] == '"') ||
			 (value[0] == '\'' && value[len - 1] == '\''))) {
		value[len - 1] = '\0';
		value++;
		unescape(value);
	}
	if (key[0] == '\0') {
		sbuf_printf(err, "%s, line %u: missing key", origin, ln);
		return -1;
	}
	return set_key(r, key, value, origin, ln, err);
}

/* dovecot_sql_parse - read the settings, then check and convert them */
int dovecot_sql_parse(const char *data, size_t len, const char *origin,
		      struct dovecot_sql_conf **c_r, struct sbuf *warnings_r,
		      struct sbuf *err)
{
	struct sbuf *full = sbuf_new_max(256, DOVECOT_SQL_MAX_LINE);
	struct sbuf *phys = sbuf_new_max(256, DOVECOT_SQL_MAX_LINE);
	struct dovecot_sql_conf *c = NULL;
	struct raw r = {0};
	size_t off = 0, llen, n;
	unsigned int ln = 0;
	const char *nl;
	char *line;
	int ret = -1;

	*c_r = NULL;
	if (len > DOVECOT_SQL_MAX_FILE) {
		sbuf_printf(err, "%s: file larger than %u bytes", origin,
			    DOVECOT_SQL_MAX_FILE);
		goto out;
	}
	while (off < len) {
		nl = memchr(data + off, '\n', len - off);
		llen = nl != NULL ? (size_t)(nl - (data + off)) : len - off;
		ln++;
		sbuf_reset(phys);
		if (memchr(data + off, '\0', llen) != NULL) {
			sbuf_printf(err, "%s, line %u: NUL byte", origin, ln);
			goto out;
		}
		if (sbuf_append(phys, data + off, llen) < 0) {
			sbuf_printf(err, "%s, line %u: line too long", origin,
				    ln);
			goto out;
		}
		off += llen + 1;
		line = (char *)sbuf_cstr(phys); /* UNSAFE: edited in place */
		while (is_white(*line))
			line++;
		if (*line == '#' || *line == '\0' || *line == '\r')
			continue;
		strip_comment(line, origin, ln, warnings_r);
		n = strlen(line);
		while (n > 0 && (is_white(line[n - 1]) || line[n - 1] == '\r'))
			n--;
		line[n] = '\0';
		if (n > 0 && line[n - 1] == '\\') {
			n--;
			while (n > 0 && is_white(line[n - 1]))
				n--;
			if (sbuf_append(full, line, n) < 0 ||
			    sbuf_putc(full, ' ') < 0) {
				sbuf_printf(err, "%s, line %u: line too long",
					    origin, ln);
				goto out;
			}
			continue;
		}
		if (sbuf_len(full) > 0) {
			if (sbuf_append_str(full, line) < 0) {
				sbuf_printf(err, "%s, line %u: line too long",
					    origin, ln);
				goto out;
			}
			line = (char *)sbuf_cstr(full); /* UNSAFE: as above */
		}
		if (parse_line(&r, line, origin, ln, err) < 0)
			goto out;
		sbuf_wipe(full);
	}
	if (sbuf_len(full) > 0) {
		sbuf_printf(err, "%s: the last line ends in \"\\\"", origin);
		goto out;
	}

	c = xcalloc(1, sizeof(*c));
	if (r.driver == NULL || r.driver[0] == '\0') {
		sbuf_printf(err, "%s: driver not set", origin);
		goto out;
	}
	if (r.connect == NULL || r.connect[0] == '\0') {
		sbuf_printf(err, "%s: connect not set", origin);
		goto out;
	}
	if (strcmp(r.driver, "mysql") == 0) {
		c->driver = DOVECOT_SQL_MYSQL;
		if (parse_mysql_connect(c, r.connect, origin, warnings_r,
					err) < 0)
			goto out;
	} else if (strcmp(r.driver, "sqlite") == 0) {
		c->driver = DOVECOT_SQL_SQLITE;
		c->path = xstrdup(r.connect);
		c->hosts = xstrdup("");
	} else if (strcmp(r.driver, "pgsql") == 0) {
		sbuf_printf(err, "%s: driver pgsql: PostgreSQL is not "
				 "supported (use mysql or sqlite)",
			    origin);
		goto out;
	} else {
		sbuf_printf(err, "%s: unknown driver \"%s\" (use mysql or "
				 "sqlite)",
			    origin, r.driver);
		goto out;
	}
	c->default_pass_scheme =
		xstrdup(r.scheme != NULL && r.scheme[0] != '\0' ? r.scheme
							      : "MD5");
	c->password_query = xstrdup(r.query != NULL && r.query[0] != '\0'
					    ? r.query
					    : DEFAULT_PASSWORD_QUERY);
	if (dovecot_sql_check(c->password_query, err) < 0) {
		struct sbuf *tmp = sbuf_new(64);

		sbuf_printf(tmp, "%s: password_query: %s", origin,
			    sbuf_cstr(err));
		sbuf_set(err, sbuf_cstr(tmp));
		sbuf_free(&tmp);
		goto out;
	}
	*c_r = c;
	c = NULL;
	ret = 0;
out:
	dovecot_sql_free(&c);
	free(r.driver);
	if (r.connect != NULL)
		xfree_secret(&r.connect);
	free(r.scheme);
	free(r.query);
	sbuf_free_secret(&full);
	sbuf_free_secret(&phys);
	return ret;
}

/* dovecot_sql_load - read a file, then parse it */
int dovecot_sql_load(const char *path, struct dovecot_sql_conf **c_r,
		     struct sbuf *warnings_r, struct sbuf *err)
{
	/* a regular file of at most CONF_MAX_FILE bytes, like our config */
	struct sbuf *data = sbuf_new_max(4096, CONF_MAX_FILE);
	int ret = -1;

	*c_r = NULL;
	if (readfile(path, data, NULL, err) < 0)
		goto out;
	ret = dovecot_sql_parse(sbuf_cstr(data), sbuf_len(data), path, c_r,
				warnings_r, err);
out:
	sbuf_free_secret(&data);
	return ret;
}

/* dovecot_sql_free - wipe the password and free; NULL-safe */
void dovecot_sql_free(struct dovecot_sql_conf **cp)
{
	struct dovecot_sql_conf *c = *cp;

	if (c == NULL)
		return;
	free(c->default_pass_scheme);
	free(c->password_query);
	free(c->path);
	free(c->hosts);
	free(c->user);
	if (c->password != NULL)
		xfree_secret(&c->password);
	free(c->dbname);
	free(c->option_file);
	free(c->option_group);
	free(c);
	*cp = NULL;
}

/* --- %-variables --- */

enum var_id {
	V_USER, V_USERNAME, V_DOMAIN, V_DOMAIN_LAST, V_SERVICE, V_LIP, V_RIP,
	V_LPORT, V_RPORT, V_MECH, V_PID, V_SECURED,
};

static const struct {
	char c;
	const char *name;
	enum var_id id;
} vars[] = {
	{'u', "user", V_USER},	     {'n', "username", V_USERNAME},
	{'d', "domain", V_DOMAIN},   {0, "domain_first", V_DOMAIN},
	{0, "domain_last", V_DOMAIN_LAST},
	{'s', "service", V_SERVICE}, {'l', "lip", V_LIP},
	{'r', "rip", V_RIP},	     {'a', "lport", V_LPORT},
	{'b', "rport", V_RPORT},     {'m', "mech", V_MECH},
	{'p', "pid", V_PID},	     {'c', "secured", V_SECURED},
};

/* var_value - the value of one variable as (pointer, length) */
static const char *var_value(enum var_id id, const struct dovecot_sql_vars *v,
			     size_t *len_r)
{
	const char *u = v->user != NULL ? v->user : "", *at, *s;

	switch (id) {
	case V_USER:
		s = u;
		break;
	case V_USERNAME: /* before the first "@" */
		at = strchr(u, '@');
		*len_r = at != NULL ? (size_t)(at - u) : strlen(u);
		return u;
	case V_DOMAIN: /* after the first "@" */
		at = strchr(u, '@');
		s = at != NULL ? at + 1 : "";
		break;
	case V_DOMAIN_LAST:
		at = strrchr(u, '@');
		s = at != NULL ? at + 1 : "";
		break;
	case V_SERVICE:
		s = v->service;
		break;
	case V_LIP:
		s = v->lip;
		break;
	case V_RIP:
		s = v->rip;
		break;
	case V_LPORT:
		s = v->lport;
		break;
	case V_RPORT:
		s = v->rport;
		break;
	case V_MECH:
		s = v->mech;
		break;
	case V_PID:
		s = v->pid;
		break;
	case V_SECURED:
		s = v->secured;
		break;
	default:
		s = NULL;
		break;
	}
	if (s == NULL)
		s = "";
	*len_r = strlen(s);
	return s;
}

/* parse_int - a small decimal number at *sp; -1 if none or too big */
static long parse_int(const char **sp)
{
	const char *s = *sp;
	long n = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	while (isdigit((unsigned char)*s)) {
		n = n * 10 + (*s++ - '0');
		if (n > 100000)
			return -1;
	}
	*sp = s;
	return n;
}

/* expand - dovecot_sql_expand; out may be NULL to only check tmpl */
static int expand(const char *tmpl, const struct dovecot_sql_vars *v,
		  dovecot_sql_quote_fn *quote, void *arg, struct sbuf *out,
		  struct sbuf *err)
{
	static const struct dovecot_sql_vars none = {0};
	struct sbuf *val = sbuf_new(64);
	const char *s = tmpl, *start, *name, *value;
	long off, width;
	bool neg, lower, upper;
	size_t i, n, vlen, nvars = sizeof(vars) / sizeof(vars[0]);
	int ret = -1, found;
	enum var_id id = V_USER;

	if (v == NULL)
		v = &none;
	while (*s != '\0') {
		if (*s != '%') {
			n = strcspn(s, "%");
			if (out != NULL && sbuf_append(out, s, n) < 0)
				goto toobig;
			s += n;
			continue;
		}
		start = s++;
		if (*s == '%') {
			if (out != NULL && sbuf_putc(out, '%') < 0)
				goto toobig;
			s++;
			continue;
		}
		/* [-][offset.]width, then modifiers, then the variable */
		off = 0;
		width = -1;
		neg = lower = upper = false;
		if (*s == '-') {
			neg = true;
			s++;
		}
		if (isdigit((unsigned char)*s)) {
			if ((width = parse_int(&s)) < 0)
				goto bad;
			if (*s == '.') {
				s++;
				off = width;
				if ((width = parse_int(&s)) < 0)
					goto bad;
			} else if (neg) {
				goto bad;
			}
		} else if (neg) {
			goto bad;
		}
		for (;; s++) {
			if (*s == 'L')
				lower = true;
			else if (*s == 'U')
				upper = true;
			else
				break;
		}
		found = 0;
		if (*s == '{') {
			name = ++s;
			n = strcspn(s, "}");
			if (s[n] != '}')
				goto bad;
			for (i = 0; i < nvars; i++)
				if (strlen(vars[i].name) == n &&
				    strncmp(vars[i].name, name, n) == 0) {
					id = vars[i].id;
					found = 1;
					break;
				}
			s += n + 1;
		} else if (*s != '\0') {
			for (i = 0; i < nvars; i++)
				if (vars[i].c == *s) {
					id = vars[i].id;
					found = 1;
					break;
				}
			s++;
		}
		if (!found)
			goto bad;
		if (out == NULL)
			continue;
		value = var_value(id, v, &vlen);
		if (width >= 0 || off > 0) {
			size_t o = (size_t)off;

			if (neg) /* offset from the end */
				o = o > vlen ? 0 : vlen - o;
			if (o > vlen)
				o = vlen;
			value += o;
			vlen -= o;
			if (width >= 0 && (size_t)width < vlen)
				vlen = (size_t)width;
		}
		sbuf_reset(val);
		sbuf_append(val, value, vlen);
		if (lower || upper) {
			char *p = (char *)sbuf_cstr(val); /* UNSAFE: in place */

			for (i = 0; i < vlen; i++)
				if ((unsigned char)p[i] < 0x80)
					p[i] = (char)(lower ? tolower(
								  (unsigned char)p[i])
							    : toupper(
								  (unsigned char)p[i]));
		}
		if (quote != NULL ? quote(sbuf_cstr(val), out, arg) < 0
				  : sbuf_append(out, sbuf_data(val),
						sbuf_len(val)) < 0)
			goto toobig;
	}
	ret = 0;
	goto out;
bad:
	n = strlen(start);
	sbuf_printf(err, "unsupported variable at \"%.*s\"",
		    (int)(n > 24 ? 24 : n), start);
	goto out;
toobig:
	sbuf_append_str(err, "expanded query too long");
out:
	sbuf_free_secret(&val);
	return ret;
}

/* dovecot_sql_check - accept only what dovecot_sql_expand knows */
int dovecot_sql_check(const char *tmpl, struct sbuf *err)
{
	return expand(tmpl, NULL, NULL, NULL, NULL, err);
}

/* dovecot_sql_expand - substitute the variables, quoting each value */
int dovecot_sql_expand(const char *tmpl, const struct dovecot_sql_vars *v,
		       dovecot_sql_quote_fn *quote, void *arg,
		       struct sbuf *out, struct sbuf *err)
{
	return expand(tmpl, v, quote, arg, out, err);
}
