/* sqlmap_mysql.c - the MySQL/MariaDB backend of sqlmap (mysql_table(5)) */
#include "config.h"

#include <mysql.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "numparse.h"
#include "sbuf.h"
#include "sqlmap_cf.h"
#include "sqlmap_mysql.h"
#include "xalloc.h"

enum host_type { HOST_UNIX, HOST_INET };
enum host_stat { HOST_UNTRIED, HOST_ACTIVE, HOST_FAILED };

struct mysql_host {
	char *label;          /* the hosts entry as written, for messages */
	char *name;           /* socket path or host name; NULL = default */
	unsigned int port;    /* 0 = library default */
	enum host_type type;
	enum host_stat stat;
	MYSQL *conn;          /* open while HOST_ACTIVE */
	time_t down_until;    /* HOST_FAILED: skipped until after this */
	time_t last_used;     /* HOST_ACTIVE: for the idle close */
};

struct sqlmap_mysql {
	const struct sqlmap_cf *cf; /* borrowed */
	char *name;                 /* "mysql:/x.cf" */
	struct mysql_host *hosts;
	size_t nhosts;
	uint64_t rng;               /* xorshift state for the random choice */
};

static pthread_once_t mysql_once = PTHREAD_ONCE_INIT;

/* mysql_init_library - mysql_init() alone is not thread-safe */
static void mysql_init_library(void)
{
	if (mysql_library_init(0, NULL, NULL) != 0)
		log_fatal("cannot initialise the MySQL client library");
}

/* host_port - a port number or a tcp service name (find_inet_port) */
static int host_port(const char *s, unsigned int *port_r)
{
	struct servent se, *sp = NULL;
	char buf[1024]; /* fixed: getservbyname_r scratch space */

	if (numparse_uint(s, 65535, port_r) == 0)
		return *port_r == 0 ? -1 : 0;
	if (getservbyname_r(s, "tcp", &se, buf, sizeof(buf), &sp) != 0 ||
	    sp == NULL)
		return -1;
	*port_r = ntohs((uint16_t)sp->s_port);
	return 0;
}

/* host_parse - Postfix dict_mysql host_init */
static int host_parse(struct mysql_host *h, const char *entry,
		      struct sbuf *err)
{
	const char *d = entry;
	char *colon;
	unsigned int port;

	memset(h, 0, sizeof(*h));
	h->label = xstrdup(entry);
	if (strncmp(d, "unix:", 5) == 0) {
		d += 5;
		h->type = HOST_UNIX;
	} else {
		if (strncmp(d, "inet:", 5) == 0)
			d += 5;
		h->type = HOST_INET;
	}
	h->name = xstrdup(d);
	/* Postfix splits at the last ":" for every type */
	if ((colon = strrchr(h->name, ':')) != NULL) {
		*colon = '\0';
		if (host_port(colon + 1, &port) < 0) {
			sbuf_printf(err, "hosts: bad port in \"%s\"", entry);
			return -1;
		}
		h->port = port;
	}
	/* The MySQL way: "localhost" is the default unix socket */
	if (strcasecmp(h->name, "localhost") == 0) {
		free(h->name);
		h->name = NULL;
		h->type = HOST_UNIX;
	} else if (h->name[0] == '\0') {
		sbuf_printf(err, "hosts: empty host name in \"%s\"", entry);
		return -1;
	}
	h->stat = HOST_UNTRIED;
	return 0;
}

/* host_close - close a connection; the host may be tried again */
static void host_close(struct mysql_host *h)
{
	if (h->conn != NULL)
		mysql_close(h->conn);
	h->conn = NULL;
	h->stat = HOST_UNTRIED;
}

/* host_down - close a failed connection and stay away for a while */
static void host_down(struct mysql_host *h, time_t now)
{
	host_close(h);
	h->stat = HOST_FAILED;
	h->down_until = now + SQLMAP_MYSQL_RETRY_SECS;
}

/* sqlmap_mysql_open - parse the host list */
struct sqlmap_mysql *sqlmap_mysql_open(const struct sqlmap_cf *cf,
				       const char *name, struct sbuf *err)
{
	struct sqlmap_mysql *db = xcalloc(1, sizeof(*db));
	char *list = xstrdup(cf->hosts), *bp = list, *tok;
	struct timespec ts;

	pthread_once(&mysql_once, mysql_init_library);
	db->cf = cf;
	db->name = xstrdup(name);
	while ((tok = strsep(&bp, ", \t\r\n")) != NULL) {
		if (*tok == '\0')
			continue;
		if (db->nhosts >= SQLMAP_MYSQL_MAX_HOSTS) {
			sbuf_printf(err, "hosts: more than %u hosts",
				    SQLMAP_MYSQL_MAX_HOSTS);
			goto fail;
		}
		db->hosts = xrealloc(db->hosts,
				     (db->nhosts + 1) * sizeof(*db->hosts));
		if (host_parse(&db->hosts[db->nhosts++], tok, err) < 0)
			goto fail;
	}
	if (db->nhosts == 0) {
		db->hosts = xcalloc(1, sizeof(*db->hosts));
		if (host_parse(&db->hosts[db->nhosts++], "localhost", err) < 0)
			goto fail;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	db->rng = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
		  ((uint64_t)getpid() << 16) ^ (uint64_t)(uintptr_t)db;
	if (db->rng == 0)
		db->rng = 1;
	free(list);
	return db;
fail:
	free(list);
	sqlmap_mysql_close(&db);
	return NULL;
}

/* rng_below - a random number in [0, n) (only spreads load) */
static size_t rng_below(struct sqlmap_mysql *db, size_t n)
{
	db->rng ^= db->rng << 13;
	db->rng ^= db->rng >> 7;
	db->rng ^= db->rng << 17;
	return (size_t)(db->rng % n);
}

/* host_is_eligible - dict_mysql_check_stat */
static bool host_is_eligible(const struct mysql_host *h, bool want_active,
			     enum host_type type, time_t now)
{
	if (h->type != type)
		return false;
	if (want_active)
		return h->stat == HOST_ACTIVE;
	if (h->stat == HOST_UNTRIED)
		return true;
	return h->stat == HOST_FAILED && now > h->down_until;
}

/* host_pick - a random eligible host, or NULL */
static struct mysql_host *host_pick(struct sqlmap_mysql *db, bool want_active,
				    enum host_type type, time_t now)
{
	size_t i, count = 0, idx;

	for (i = 0; i < db->nhosts; i++)
		if (host_is_eligible(&db->hosts[i], want_active, type, now))
			count++;
	if (count == 0)
		return NULL;
	idx = count > 1 ? rng_below(db, count) : 0;
	for (i = 0; i < db->nhosts; i++)
		if (host_is_eligible(&db->hosts[i], want_active, type, now) &&
		    idx-- == 0)
			return &db->hosts[i];
	return NULL;
}

/* host_connect - plmysql_connect_single */
static bool host_connect(struct sqlmap_mysql *db, struct mysql_host *h,
			 time_t now, struct sbuf *last_err)
{
	const struct sqlmap_cf *cf = db->cf;
	unsigned int connect_to = SQLMAP_MYSQL_CONNECT_TIMEOUT;
	unsigned int rw_to = SQLMAP_MYSQL_RW_TIMEOUT;

	if ((h->conn = mysql_init(NULL)) == NULL)
		log_fatal("mysql_init: out of memory");
	/* set first: an option file may override them */
	mysql_options(h->conn, MYSQL_OPT_CONNECT_TIMEOUT, &connect_to);
	mysql_options(h->conn, MYSQL_OPT_READ_TIMEOUT, &rw_to);
	mysql_options(h->conn, MYSQL_OPT_WRITE_TIMEOUT, &rw_to);
	if (cf->option_file != NULL)
		mysql_options(h->conn, MYSQL_READ_DEFAULT_FILE,
			      cf->option_file);
	if (cf->option_group[0] != '\0')
		mysql_options(h->conn, MYSQL_READ_DEFAULT_GROUP,
			      cf->option_group);
	if (cf->tls_key_file != NULL || cf->tls_cert_file != NULL ||
	    cf->tls_CAfile != NULL || cf->tls_CApath != NULL ||
	    cf->tls_ciphers != NULL)
		mysql_ssl_set(h->conn, cf->tls_key_file, cf->tls_cert_file,
			      cf->tls_CAfile, cf->tls_CApath, cf->tls_ciphers);
	if (cf->tls_verify_cert != -1) {
		my_bool verify = cf->tls_verify_cert ? 1 : 0;

		mysql_options(h->conn, MYSQL_OPT_SSL_VERIFY_SERVER_CERT,
			      &verify);
	}
	if (mysql_real_connect(h->conn,
			       h->type == HOST_INET ? h->name : NULL,
			       cf->user, cf->password, cf->dbname, h->port,
			       h->type == HOST_UNIX ? h->name : NULL,
			       CLIENT_MULTI_RESULTS) == NULL) {
		sbuf_reset(last_err);
		sbuf_printf(last_err, "connect to mysql server %s: %s",
			    h->label, mysql_error(h->conn));
		log_warn("%s", sbuf_cstr(last_err));
		host_down(h, now);
		return false;
	}
	h->stat = HOST_ACTIVE;
	h->last_used = now;
	return true;
}

/* host_get_active - dict_mysql_get_active */
static struct mysql_host *host_get_active(struct sqlmap_mysql *db,
					  struct sbuf *last_err)
{
	struct mysql_host *h;
	time_t now = time(NULL);
	size_t i;
	int count = 100; /* Postfix RETRY_CONN_MAX: a safety net */

	/* Postfix closes a connection idle for 60 s (a timer there) */
	for (i = 0; i < db->nhosts; i++)
		if (db->hosts[i].stat == HOST_ACTIVE &&
		    now - db->hosts[i].last_used >= SQLMAP_MYSQL_IDLE_SECS)
			host_close(&db->hosts[i]);
	if ((h = host_pick(db, true, HOST_UNIX, now)) != NULL ||
	    (h = host_pick(db, true, HOST_INET, now)) != NULL)
		return h;
	while (--count > 0 &&
	       ((h = host_pick(db, false, HOST_UNIX, now)) != NULL ||
		(h = host_pick(db, false, HOST_INET, now)) != NULL)) {
		if (host_connect(db, h, now, last_err))
			return h;
	}
	return NULL;
}

/* mysql_quote - mysql_real_escape_string on the chosen connection */
static int mysql_quote(const char *s, struct sbuf *out, void *arg)
{
	MYSQL *conn = arg;
	size_t len = strlen(s);
	unsigned long n;
	char *buf;
	int rc;

	if (len > (SIZE_MAX - 1) / 2)
		return -1;
	buf = xmalloc(2 * len + 1);
	n = mysql_real_escape_string(conn, buf, s, (unsigned long)len);
	if (n == (unsigned long)-1) {
		free(buf);
		return -1;
	}
	rc = sbuf_append(out, buf, n);
	free(buf);
	return rc;
}

/* fetch_results - collect every result set; keep the one with data */
static int fetch_results(struct sqlmap_mysql *db, struct mysql_host *h,
			 MYSQL_RES **res_r, struct sbuf *last_err)
{
	MYSQL_RES *first = NULL, *tmp;
	int status, failed = 0;

	do {
		if ((tmp = mysql_store_result(h->conn)) != NULL) {
			if (first == NULL) {
				first = tmp;
			} else {
				mysql_free_result(tmp);
				if (!failed++)
					sbuf_append_str(last_err,
							"query failed: multiple "
							"result sets returning "
							"data are not supported");
			}
		} else if (mysql_field_count(h->conn) != 0) {
			if (!failed++)
				sbuf_printf(last_err,
					    "query failed "
					    "(mysql_store_result): %s",
					    mysql_error(h->conn));
		}
		if ((status = mysql_next_result(h->conn)) > 0 && !failed++)
			sbuf_printf(last_err,
				    "query failed (mysql_next_result): %s",
				    mysql_error(h->conn));
	} while (status == 0);
	if (first == NULL && db->cf->require_result_set && !failed++)
		sbuf_append_str(last_err,
				"query failed: query returned no result set "
				"(require_result_set = yes)");
	if (failed) {
		if (first != NULL)
			mysql_free_result(first);
		return -1;
	}
	*res_r = first;
	return 0;
}

/* sqlmap_mysql_lookup - query with failover, feed every column to fn */
enum sqlmap_result sqlmap_mysql_lookup(struct sqlmap_mysql *db,
				       const struct sqlmap_expand *ctx,
				       const char *tmpl, const char *key,
				       sqlmap_value_fn *fn, void *arg,
				       struct sbuf *err)
{
	struct sbuf *sql = sbuf_new_max(256, SQLMAP_MYSQL_MAX_QUERY);
	struct sbuf *last_err = sbuf_new(128);
	enum sqlmap_result ret = SQLMAP_TEMPFAIL;
	struct mysql_host *h;
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	unsigned int nfields, j;
	my_ulonglong nrows;

	sbuf_append_str(last_err, "all hosts down");
	while ((h = host_get_active(db, last_err)) != NULL) {
		sbuf_reset(sql);
		switch (sqlmap_expand_query(ctx, tmpl, key, mysql_quote,
					    h->conn, sql)) {
		case SQLMAP_EXPAND_OK:
			break;
		case SQLMAP_EXPAND_SKIP: /* the caller checked */
			sbuf_append_str(err, "query suppressed");
			goto out;
		case SQLMAP_EXPAND_TOOBIG:
			sbuf_printf(err, "expanded query longer than %u bytes",
				    SQLMAP_MYSQL_MAX_QUERY);
			goto out;
		}
		if (mysql_real_query(h->conn, sbuf_cstr(sql),
				     (unsigned long)sbuf_len(sql)) != 0) {
			sbuf_reset(last_err);
			sbuf_printf(last_err, "query failed: %s",
				    mysql_error(h->conn));
			log_warn("%s: %s", db->name, sbuf_cstr(last_err));
			host_down(h, time(NULL));
			continue;
		}
		sbuf_reset(last_err);
		if (fetch_results(db, h, &res, last_err) < 0) {
			log_warn("%s: %s", db->name, sbuf_cstr(last_err));
			host_down(h, time(NULL));
			continue;
		}
		h->last_used = time(NULL);
		break;
	}
	if (h == NULL) {
		sbuf_printf(err, "query error: %s", sbuf_cstr(last_err));
		goto out;
	}
	if (res == NULL) { /* require_result_set = no */
		ret = SQLMAP_FOUND;
		goto out;
	}
	nrows = mysql_num_rows(res);
	if (nrows > SQLMAP_MYSQL_MAX_ROWS) {
		sbuf_printf(err, "more than %u result rows",
			    SQLMAP_MYSQL_MAX_ROWS);
		goto out;
	}
	nfields = mysql_num_fields(res);
	while ((row = mysql_fetch_row(res)) != NULL) {
		for (j = 0; j < nfields; j++)
			if (fn(row[j], arg) < 0)
				goto out;
	}
	ret = SQLMAP_FOUND;
out:
	if (res != NULL)
		mysql_free_result(res);
	sbuf_free(&sql);
	sbuf_free(&last_err);
	return ret;
}

/* sqlmap_mysql_close - close every connection; NULL-safe */
void sqlmap_mysql_close(struct sqlmap_mysql **dbp)
{
	struct sqlmap_mysql *db = *dbp;
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->nhosts; i++) {
		host_close(&db->hosts[i]);
		free(db->hosts[i].label);
		free(db->hosts[i].name);
	}
	free(db->hosts);
	free(db->name);
	free(db);
	*dbp = NULL;
}
