/* privs.c - drop root after the sockets are bound */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "privs.h"
#include "sbuf.h"

/* privs_is_unset - NULL and "" both mean "not configured" */
static bool privs_is_unset(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/* privs_is_root - is the effective user root? */
bool privs_is_root(void)
{
	return geteuid() == 0;
}

/* privs_lookup - user and group names to ids, before any chroot */
static int privs_lookup(const char *user, const char *group, uid_t *uid_r,
			gid_t *gid_r, struct sbuf *err)
{
	struct passwd *pw;
	struct group *gr;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		sbuf_printf(err, "user %s: %s", user,
			    errno != 0 ? strerror(errno) : "unknown user");
		return -1;
	}
	if (pw->pw_uid == 0) {
		sbuf_printf(err, "user %s has uid 0: refusing to run as root",
			    user);
		return -1;
	}
	*uid_r = pw->pw_uid;
	*gid_r = pw->pw_gid;
	if (privs_is_unset(group))
		return 0;
	errno = 0;
	if ((gr = getgrnam(group)) == NULL) {
		sbuf_printf(err, "group %s: %s", group,
			    errno != 0 ? strerror(errno) : "unknown group");
		return -1;
	}
	*gid_r = gr->gr_gid;
	return 0;
}

/* privs_verify - the drop stuck and root cannot come back */
static int privs_verify(uid_t uid, gid_t gid, struct sbuf *err)
{
	if (getuid() != uid || geteuid() != uid || getgid() != gid ||
	    getegid() != gid) {
		sbuf_append_str(err, "user or group ids did not change");
		return -1;
	}
	/* setuid() as root sets the saved id too; check that it did */
	if (setuid(0) == 0 || seteuid(0) == 0) {
		sbuf_append_str(err, "could regain root after dropping it");
		return -1;
	}
	if (setgid(0) == 0 && gid != 0) {
		sbuf_append_str(err, "could regain group 0 after dropping it");
		return -1;
	}
	return 0;
}

/* privs_drop - chroot and become the daemon's own user */
int privs_drop(const char *user, const char *group, const char *chroot_dir,
	       struct sbuf *err)
{
	uid_t uid;
	gid_t gid;

	if (privs_is_unset(user)) {
		if (!privs_is_unset(chroot_dir) || !privs_is_unset(group)) {
			sbuf_append_str(err, "a chroot or group needs a user "
					     "to run as");
			return -1;
		}
		return 0;
	}
	if (privs_lookup(user, group, &uid, &gid, err) < 0)
		return -1;
	if (!privs_is_root()) {
		if (getuid() == uid && geteuid() == uid && getgid() == gid &&
		    getegid() == gid && privs_is_unset(chroot_dir))
			return 0;
		sbuf_printf(err, "cannot %s user %s: not running as root",
			    privs_is_unset(chroot_dir) ? "switch to"
						       : "chroot and switch to",
			    user);
		return -1;
	}
	/* An explicit group replaces all; else /etc/group membership. */
	if (!privs_is_unset(group) ? setgroups(1, &gid) < 0
				   : initgroups(user, gid) < 0) {
		sbuf_printf(err, "set groups for %s: %s", user,
			    strerror(errno));
		return -1;
	}
	if (!privs_is_unset(chroot_dir) &&
	    (chdir(chroot_dir) < 0 || chroot(".") < 0 || chdir("/") < 0)) {
		sbuf_printf(err, "chroot %s: %s", chroot_dir, strerror(errno));
		return -1;
	}
	/* Group first: once the uid is gone we may not change it. */
	if (setgid(gid) < 0) {
		sbuf_printf(err, "setgid %u: %s", (unsigned int)gid,
			    strerror(errno));
		return -1;
	}
	if (setuid(uid) < 0) {
		sbuf_printf(err, "setuid %u: %s", (unsigned int)uid,
			    strerror(errno));
		return -1;
	}
	return privs_verify(uid, gid, err);
}
