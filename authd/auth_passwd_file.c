/* auth_passwd_file.c - Dovecot passwd-file parser and shared loader */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth_passwd_file.h"
#include "log.h"
#include "readfile.h"
#include "sbuf.h"
#include "xalloc.h"

struct tentry {
	struct passwd_file_entry e;
	char *owned; /* password rewritten with a scheme prefix, or NULL */
};

struct passwd_file_table {
	char *buf;	/* copy of the file, fields NUL-split in place */
	size_t buflen;
	struct tentry *ents;
	size_t n;
	struct tentry **sorted; /* by user, first of each duplicate kept */
	size_t nsorted;
};

/* with_scheme - "{scheme}" + the first n bytes of pw, in a new string */
static char *with_scheme(const char *scheme, const char *pw, size_t n)
{
	struct sbuf *b = sbuf_new(strlen(scheme) + n + 2);
	char *s;

	sbuf_printf(b, "{%s}", scheme);
	sbuf_append(b, pw, n);
	s = sbuf_steal(b);
	sbuf_free_secret(&b);
	return s;
}

/*
 * scheme_fix - Dovecot passwd_file_add() and password_get_scheme():
 * "[NN]" suffix (libpam-pwdfile) and a bare "$1$salt$hash" (MD5-CRYPT,
 * cut at a third "$"). NULL when the value stays as written.
 */
static char *scheme_fix(char *pw)
{
	size_t len = strlen(pw);
	const char *p;
	int num;

	if (len > 4 && pw[len - 4] == '[' && pw[len - 1] == ']') {
		/* 13 = DES and 34 = MD5 in libpam-pwdfile; Dovecot adds 56 */
		num = (pw[len - 3] - '0') * 10 + (pw[len - 2] - '0');
		return with_scheme(num == 34   ? "PLAIN-MD5"
				   : num == 56 ? "DIGEST-MD5"
					       : "CRYPT",
				   pw, len - 4);
	}
	if (strncmp(pw, "$1$", 3) == 0 && (p = strchr(pw + 3, '$')) != NULL) {
		p = strchr(p + 1, '$');
		return with_scheme("MD5-CRYPT", pw,
				   p != NULL ? (size_t)(p - pw) : len);
	}
	return NULL;
}

/* entry_cmp - order by user, then by line (the first duplicate wins) */
static int entry_cmp(const void *a, const void *b)
{
	const struct tentry *x = *(const struct tentry *const *)a;
	const struct tentry *y = *(const struct tentry *const *)b;
	int c = strcmp(x->e.user, y->e.user);

	if (c != 0)
		return c;
	return x->e.line < y->e.line ? -1 : x->e.line > y->e.line;
}

/* split_line - fill e from one line (NUL-terminated, in the buffer) */
static void split_line(char *line, unsigned int lineno, struct tentry *t)
{
	const char **fields[] = {&t->e.user,  &t->e.password, &t->e.uid,
				 &t->e.gid,   &t->e.gecos,    &t->e.home,
				 &t->e.shell, &t->e.extra};
	size_t nf = sizeof(fields) / sizeof(fields[0]), i;
	char *s = line, *colon;

	memset(t, 0, sizeof(*t));
	t->e.line = lineno;
	for (i = 0; i < nf && s != NULL; i++) {
		*fields[i] = s;
		if (i == nf - 1)
			break; /* extra fields keep their ":" */
		colon = strchr(s, ':');
		if (colon != NULL)
			*colon++ = '\0';
		s = colon;
	}
	if (t->e.extra != NULL && t->e.extra[0] == '\0')
		t->e.extra = NULL;
	if (t->e.password == NULL)
		t->e.password = "";
	else if ((t->owned = scheme_fix((char *)t->e.password)) != NULL)
		t->e.password = t->owned;
}

/* passwd_file_parse - parse a whole passwd-file */
int passwd_file_parse(const char *data, size_t len, const char *origin,
		      struct passwd_file_table **t_r, struct sbuf *warnings_r,
		      struct sbuf *err)
{
	struct passwd_file_table *t = NULL;
	size_t off, llen, cap = 0, i;
	unsigned int lineno = 0;
	char *line, *nl;

	*t_r = NULL;
	if (len > PASSWD_FILE_MAX_SIZE) {
		sbuf_printf(err, "%s: file larger than %u bytes", origin,
			    PASSWD_FILE_MAX_SIZE);
		return -1;
	}
	t = xcalloc(1, sizeof(*t));
	t->buf = xmalloc(len + 1);
	t->buflen = len + 1;
	memcpy(t->buf, data, len);
	t->buf[len] = '\0';
	for (off = 0; off < len; off += llen + 1) {
		line = t->buf + off;
		nl = memchr(line, '\n', len - off);
		llen = nl != NULL ? (size_t)(nl - line) : len - off;
		lineno++;
		if (llen > PASSWD_FILE_MAX_LINE) {
			sbuf_printf(err, "%s, line %u: line longer than %u "
					 "bytes",
				    origin, lineno, PASSWD_FILE_MAX_LINE);
			goto fail;
		}
		if (memchr(line, '\0', llen) != NULL) {
			sbuf_printf(err, "%s, line %u: NUL byte", origin,
				    lineno);
			goto fail;
		}
		line[llen] = '\0';
		if (llen > 0 && line[llen - 1] == '\r')
			line[llen - 1] = '\0';
		if (line[0] == '\0' || line[0] == '#' || line[0] == ':')
			continue;
		if (t->n == PASSWD_FILE_MAX_ENTRIES) {
			sbuf_printf(err, "%s: more than %u entries", origin,
				    PASSWD_FILE_MAX_ENTRIES);
			goto fail;
		}
		if (t->n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			t->ents = xrealloc(t->ents, cap * sizeof(*t->ents));
		}
		split_line(line, lineno, &t->ents[t->n++]);
	}
	t->sorted = xcalloc(t->n > 0 ? t->n : 1, sizeof(*t->sorted));
	for (i = 0; i < t->n; i++)
		t->sorted[i] = &t->ents[i];
	qsort(t->sorted, t->n, sizeof(*t->sorted), entry_cmp);
	for (i = 0; i < t->n; i++) {
		if (t->nsorted > 0 &&
		    strcmp(t->sorted[t->nsorted - 1]->e.user,
			   t->sorted[i]->e.user) == 0) {
			if (warnings_r != NULL) {
				struct sbuf *q = sbuf_new(64);
				const char *u = t->sorted[i]->e.user;

				sbuf_printf(warnings_r, "%s, line %u: user %s "
						    "exists more than once "
						    "(line %u is used)\n",
					    origin, t->sorted[i]->e.line,
					    log_quote(q, u, strlen(u)),
					    t->sorted[t->nsorted - 1]->e.line);
				sbuf_free(&q);
			}
			continue;
		}
		t->sorted[t->nsorted++] = t->sorted[i];
	}
	*t_r = t;
	return 0;
fail:
	passwd_file_table_free(&t);
	return -1;
}

/* passwd_file_table_lookup - binary search on the user name */
const struct passwd_file_entry *
passwd_file_table_lookup(const struct passwd_file_table *t, const char *user)
{
	size_t lo = 0, hi = t->nsorted, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(user, t->sorted[mid]->e.user);
		if (c == 0)
			return &t->sorted[mid]->e;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* passwd_file_table_count - distinct users */
size_t passwd_file_table_count(const struct passwd_file_table *t)
{
	return t->nsorted;
}

/* passwd_file_table_free - wipe the secrets and free; NULL-safe */
void passwd_file_table_free(struct passwd_file_table **tp)
{
	struct passwd_file_table *t = *tp;
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		if (t->ents[i].owned != NULL)
			xfree_secret(&t->ents[i].owned);
	wipe_bytes(t->buf, t->buflen);
	free(t->buf);
	free(t->ents);
	free(t->sorted);
	free(t);
	*tp = NULL;
}

/* passwd_file_extra_get - find key in "k1=v1 k2 k3=v3" */
const char *passwd_file_extra_get(const char *extra, const char *key,
				  size_t *len_r)
{
	size_t klen = strlen(key), n;
	const char *s = extra;

	if (s == NULL)
		return NULL;
	for (;;) {
		s += strspn(s, " \t");
		if (*s == '\0')
			return NULL;
		n = strcspn(s, " \t");
		if (n >= klen && strncmp(s, key, klen) == 0 &&
		    (n == klen || s[klen] == '=')) {
			*len_r = n == klen ? 0 : n - klen - 1;
			return n == klen ? s + n : s + klen + 1;
		}
		s += n;
	}
}

/* --- the loader: one shared table per path --- */

struct shared {
	char *path;
	unsigned int refs;	/* guarded by registry_lock */
	struct shared *next;	/* guarded by registry_lock */
	pthread_mutex_t lock;	/* guards the rest */
	struct passwd_file_table *table; /* NULL: file missing */
	bool broken;		/* last re-read failed: TEMPFAIL */
	time_t checked;		/* last stat(), seconds */
	struct stat st;		/* what the table was read from */
};

struct passwd_file {
	struct shared *sh;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shared *registry;

/* log_warnings - log each "\n"-terminated line */
static void log_warnings(const struct sbuf *w)
{
	const char *s = sbuf_cstr(w), *nl;

	while ((nl = strchr(s, '\n')) != NULL) {
		log_warn("passwd-file %.*s", (int)(nl - s), s);
		s = nl + 1;
	}
}

/* shared_load - (re-)read the file; sh->lock held. -1: err set */
static int shared_load(struct shared *sh, struct sbuf *err)
{
	struct sbuf *data = sbuf_new_max(4096, PASSWD_FILE_MAX_SIZE);
	struct sbuf *warn = sbuf_new(0);
	struct passwd_file_table *t = NULL;
	struct stat st;
	int ret = -1;

	if (readfile(sh->path, data, &st, err) < 0)
		goto out;
	if (passwd_file_parse(sbuf_cstr(data), sbuf_len(data), sh->path, &t,
			      warn, err) < 0)
		goto out;
	log_warnings(warn);
	passwd_file_table_free(&sh->table);
	sh->table = t;
	sh->st = st;
	ret = 0;
out:
	sbuf_free_secret(&data);
	sbuf_free(&warn);
	return ret;
}

/* is_changed - Dovecot compares mtime and size; we add the inode */
static bool is_changed(const struct stat *a, const struct stat *b)
{
	return a->st_mtim.tv_sec != b->st_mtim.tv_sec ||
	       a->st_mtim.tv_nsec != b->st_mtim.tv_nsec ||
	       a->st_size != b->st_size || a->st_ino != b->st_ino ||
	       a->st_dev != b->st_dev;
}

/* shared_refresh - stat at most once a second; sh->lock held */
static enum passwd_file_result shared_refresh(struct shared *sh,
					      struct sbuf *err)
{
	struct sbuf *e2;
	time_t now = time(NULL);
	struct stat st;

	if (now == sh->checked && !sh->broken)
		return sh->table != NULL ? PASSWD_FILE_FOUND
					 : PASSWD_FILE_NOUSER;
	sh->checked = now;
	if (stat(sh->path, &st) < 0) {
		if (errno == ENOENT) {
			/* Dovecot: a missing file means unknown users */
			if (sh->table != NULL)
				log_warn("passwd-file %s: removed: every "
					 "user is unknown now",
					 sh->path);
			passwd_file_table_free(&sh->table);
			sh->broken = false;
			return PASSWD_FILE_NOUSER;
		}
		sbuf_printf(err, "stat %s: %s", sh->path, strerror(errno));
		return PASSWD_FILE_TEMPFAIL;
	}
	if (sh->table != NULL && !sh->broken && !is_changed(&st, &sh->st))
		return PASSWD_FILE_FOUND;
	e2 = sbuf_new(128);
	if (shared_load(sh, e2) < 0) {
		/* no stale table: a removed user must not log in */
		passwd_file_table_free(&sh->table);
		sh->broken = true;
		sbuf_append(err, sbuf_data(e2), sbuf_len(e2));
		sbuf_free(&e2);
		return PASSWD_FILE_TEMPFAIL;
	}
	sbuf_free(&e2);
	sh->broken = false;
	return PASSWD_FILE_FOUND;
}

/* passwd_file_open - a handle on the shared table of path */
struct passwd_file *passwd_file_open(const char *path, struct sbuf *err)
{
	struct passwd_file *f = NULL;
	struct shared *sh;

	pthread_mutex_lock(&registry_lock);
	for (sh = registry; sh != NULL; sh = sh->next)
		if (strcmp(sh->path, path) == 0)
			break;
	if (sh == NULL) {
		sh = xcalloc(1, sizeof(*sh));
		sh->path = xstrdup(path);
		pthread_mutex_init(&sh->lock, NULL);
		/* the first open must find a valid file (catches typos) */
		if (shared_load(sh, err) < 0) {
			pthread_mutex_destroy(&sh->lock);
			free(sh->path);
			free(sh);
			goto out;
		}
		sh->checked = time(NULL);
		sh->next = registry;
		registry = sh;
	}
	sh->refs++;
	f = xmalloc(sizeof(*f));
	f->sh = sh;
out:
	pthread_mutex_unlock(&registry_lock);
	return f;
}

/* passwd_file_close - drop the handle; the last one frees the table */
void passwd_file_close(struct passwd_file **fp)
{
	struct shared *sh, **pp;

	if (*fp == NULL)
		return;
	sh = (*fp)->sh;
	pthread_mutex_lock(&registry_lock);
	if (--sh->refs == 0) {
		for (pp = &registry; *pp != NULL; pp = &(*pp)->next)
			if (*pp == sh) {
				*pp = sh->next;
				break;
			}
		passwd_file_table_free(&sh->table);
		pthread_mutex_destroy(&sh->lock);
		free(sh->path);
		free(sh);
	}
	pthread_mutex_unlock(&registry_lock);
	free(*fp);
	*fp = NULL;
}

/* passwd_file_lookup - refresh if needed, copy the entry out */
enum passwd_file_result passwd_file_lookup(struct passwd_file *f,
					   const char *user,
					   struct sbuf *password_r,
					   struct sbuf *extra_r,
					   struct sbuf *err)
{
	struct shared *sh = f->sh;
	const struct passwd_file_entry *e;
	enum passwd_file_result r;

	if (password_r != NULL)
		sbuf_wipe(password_r);
	if (extra_r != NULL)
		sbuf_reset(extra_r);
	pthread_mutex_lock(&sh->lock);
	r = shared_refresh(sh, err);
	if (r != PASSWD_FILE_FOUND)
		goto out;
	e = passwd_file_table_lookup(sh->table, user);
	if (e == NULL) {
		r = PASSWD_FILE_NOUSER;
		goto out;
	}
	if ((password_r != NULL &&
	     sbuf_append_str(password_r, e->password) < 0) ||
	    (extra_r != NULL && e->extra != NULL &&
	     sbuf_append_str(extra_r, e->extra) < 0)) {
		sbuf_printf(err, "passwd-file %s: entry too long", sh->path);
		r = PASSWD_FILE_TEMPFAIL;
	}
out:
	pthread_mutex_unlock(&sh->lock);
	return r;
}
