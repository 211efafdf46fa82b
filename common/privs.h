/*
 * privs.h - drop root after the sockets are bound.
 *
 * Bind sockets and read secrets as root, then drop to the daemon's own
 * user (with an optional chroot) before reading from any peer. The user
 * and group names come from the local config. Changes the whole
 * process: call before threads start. Not thread-safe.
 */
#ifndef PW_PRIVS_H
#define PW_PRIVS_H

#include <stdbool.h>

struct sbuf;

/*
 * privs_drop - become user (and group, default the user's primary
 * group, with the user's supplementary groups; an explicit group
 * replaces them all), after chroot to chroot_dir when not NULL. Then
 * check that root cannot be regained. Names are borrowed; NULL or ""
 * means unset. All lookups happen before the chroot.
 *
 * No user: nothing to do (0); the caller warns if we are root. A user
 * set while we are neither root nor already that user, a chroot or a
 * group without a user, and a user with uid 0 are errors. Returns 0, or
 * -1 with a message in err.
 */
int privs_drop(const char *user, const char *group, const char *chroot_dir,
	       struct sbuf *err);

/* privs_is_root - is the effective user root? */
bool privs_is_root(void);

#endif
