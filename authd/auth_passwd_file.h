/*
 * auth_passwd_file.h - Dovecot passwd-file: parser and shared loader.
 *
 * Format (Dovecot 2.3 db-passwd-file.c):
 *   user:password:uid:gid:gecos:home:shell:extra_fields
 * Every field after the user name is optional ("user:password" and even
 * "user" alone are valid lines). Lines that are empty or start with "#"
 * or ":" are skipped; fields are split on every ":" (no escaping); fields
 * 8 onward are joined again with ":" and hold space-separated key=value
 * extra fields. A CR before the LF is dropped. A password ending in
 * "[NN]" (libpam-pwdfile) gets a scheme: [34] PLAIN-MD5, [56] DIGEST-MD5,
 * anything else CRYPT; a bare "$1$salt$hash" is MD5-CRYPT. Other values
 * are kept as written: the caller applies the default scheme (CRYPT).
 * User names are compared exactly (case-sensitive), as Dovecot does after
 * its global auth_username_format (%Lu) lower-cased the login: the caller
 * normalises the login. A duplicate user keeps the first entry and warns.
 *
 * Limits: PASSWD_FILE_MAX_LINE bytes per line (a longer line makes the
 * whole file invalid, never a truncated entry), PASSWD_FILE_MAX_SIZE bytes
 * per file, PASSWD_FILE_MAX_ENTRIES entries.
 *
 * passwd_file_parse is pure (no I/O, no logging, no globals); the table
 * it returns is immutable and may be read by several threads at once.
 *
 * The loader (passwd_file_open/lookup) keeps one table per path for the
 * whole process, shared by every handle opened on that path (one handle
 * per worker thread costs no extra copy). A lookup checks the file's
 * mtime and size at most once per second, as Dovecot does, and re-reads
 * it when they changed; lookups copy the entry out under a mutex, so
 * handles may be used from different threads at the same time. The file
 * is local configuration but its entries are secrets: tables are wiped
 * when freed and passwords never go into messages.
 */
#ifndef PW_AUTH_PASSWD_FILE_H
#define PW_AUTH_PASSWD_FILE_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf;
struct passwd_file_table;
struct passwd_file;

#define PASSWD_FILE_MAX_LINE 16384u
#define PASSWD_FILE_MAX_SIZE (256u << 20)
#define PASSWD_FILE_MAX_ENTRIES 4000000u

/* One entry; every string is owned by the table and borrowed by readers */
struct passwd_file_entry {
	const char *user;
	const char *password; /* "" when empty or absent; [NN] and bare $1$
				 already turned into "{SCHEME}..." */
	const char *uid;      /* fields 3-7: NULL when the line ends first */
	const char *gid;
	const char *gecos;
	const char *home;
	const char *shell;
	const char *extra;    /* fields 8..: NULL when absent or empty */
	unsigned int line;    /* 1-based line number, for messages */
};

/*
 * passwd_file_parse - parse a whole file from memory. origin names it in
 * messages. Warnings (duplicate users), one per line, go to warnings_r
 * when not NULL. Returns 0 and a table (passwd_file_table_free), or -1
 * with a message in err (over-long line, too many entries or bytes).
 */
int passwd_file_parse(const char *data, size_t len, const char *origin,
		      struct passwd_file_table **t_r, struct sbuf *warnings_r,
		      struct sbuf *err);
/* passwd_file_table_lookup - exact match on user; borrowed, or NULL */
const struct passwd_file_entry *
passwd_file_table_lookup(const struct passwd_file_table *t, const char *user);
size_t passwd_file_table_count(const struct passwd_file_table *t);
/* passwd_file_table_free - wipe and free; NULL-safe */
void passwd_file_table_free(struct passwd_file_table **tp);

/*
 * passwd_file_extra_get - the value of key in a space-separated list of
 * extra fields (key=value, or a bare key whose value is ""). Returns a
 * pointer into extra and the value's length in len_r, or NULL.
 */
const char *passwd_file_extra_get(const char *extra, const char *key,
				  size_t *len_r);

/*
 * passwd_file_open - a handle on path (copied), sharing the process-wide
 * table of that path. Reads the file now: NULL with err when it is
 * missing, unreadable or invalid (a start-up error).
 */
struct passwd_file *passwd_file_open(const char *path, struct sbuf *err);
void passwd_file_close(struct passwd_file **fp); /* NULL-safe */

enum passwd_file_result {
	PASSWD_FILE_FOUND,
	PASSWD_FILE_NOUSER,   /* no such user, or the file was removed */
	PASSWD_FILE_TEMPFAIL, /* unreadable or invalid after a change */
};

/*
 * passwd_file_lookup - re-read the file if it changed (checked at most
 * once a second), then copy user's password into password_r and its
 * extra fields into extra_r (either may be NULL; both are replaced).
 * Warnings from a re-read go through log_warn.
 */
enum passwd_file_result passwd_file_lookup(struct passwd_file *f,
					   const char *user,
					   struct sbuf *password_r,
					   struct sbuf *extra_r,
					   struct sbuf *err);

#endif
