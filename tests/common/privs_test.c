/* privs_test.c - dropping root, in forked children */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "privs.h"
#include "sbuf.h"

/*
 * run_child - run fn in a forked child, so the test process keeps root;
 * fn returns 0 when all is well, else the number of the failed check
 */
static int run_child(int (*fn)(void *), void *arg)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0)
		_exit(fn(arg));
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status), "child died");
	return WEXITSTATUS(status);
}

/* need_root - these tests switch users */
static struct passwd need_root(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (geteuid() != 0 || pw == NULL)
		cr_skip_test("needs root and user %s", user);
	return *pw;
}

/* error_is - did privs_drop fail, saying want? */
static bool error_is(const char *user, const char *group, const char *dir,
		     const char *want)
{
	struct sbuf *err = sbuf_new(0);
	bool ok = privs_drop(user, group, dir, err) == -1 &&
		  strstr(sbuf_cstr(err), want) != NULL;

	sbuf_free(&err);
	return ok;
}

Test(privs, nothing_to_do_without_a_user)
{
	struct sbuf *err = sbuf_new(0);
	uid_t uid = getuid();

	cr_assert_eq(privs_drop(NULL, NULL, NULL, err), 0);
	cr_assert_eq(privs_drop("", "", "", err), 0);
	cr_assert_eq(getuid(), uid);
	cr_assert(sbuf_is_empty(err));
	sbuf_free(&err);
}

Test(privs, bad_settings_are_errors)
{
	cr_assert(error_is(NULL, NULL, "/", "needs a user"));
	cr_assert(error_is(NULL, "mail", NULL, "needs a user"));
	cr_assert(error_is("no-such-user-pw", NULL, NULL, "unknown user"));
	cr_assert(error_is("root", NULL, NULL, "uid 0"));
	if (getpwnam("nobody") != NULL)
		cr_assert(error_is("nobody", "no-such-group-pw", NULL,
				   "unknown group"));
}

/* drop_to_nobody - the normal case, then try to get root back */
static int drop_to_nobody(void *arg)
{
	const struct passwd *pw = arg;
	struct sbuf *err = sbuf_new(0);
	gid_t groups[64];
	int i, n;

	if (privs_drop("nobody", NULL, NULL, err) != 0)
		return 1;
	if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid)
		return 2;
	if (getgid() != pw->pw_gid || getegid() != pw->pw_gid)
		return 3;
	if (setuid(0) != -1 || errno != EPERM)
		return 4;
	if (seteuid(0) != -1 || setgid(0) != -1)
		return 5;
	if (privs_is_root())
		return 6;
	/* none of root's supplementary groups survived */
	n = getgroups(64, groups);
	if (n < 0)
		return 7;
	for (i = 0; i < n; i++)
		if (groups[i] == 0)
			return 8;
	sbuf_free(&err);
	return 0;
}

Test(privs, drop_to_nobody_in_a_child)
{
	struct passwd pw = need_root("nobody");

	cr_assert_eq(run_child(drop_to_nobody, &pw), 0);
	cr_assert_eq(geteuid(), 0, "the parent stays root");
}

/* drop_with_group - an explicit group replaces all groups */
static int drop_with_group(void *arg)
{
	const struct group *gr = arg;
	struct sbuf *err = sbuf_new(0);
	gid_t groups[64];
	int n;

	if (privs_drop("nobody", gr->gr_name, NULL, err) != 0)
		return 1;
	if (getgid() != gr->gr_gid || getegid() != gr->gr_gid)
		return 2;
	n = getgroups(64, groups);
	if (n != 1 || groups[0] != gr->gr_gid)
		return 3;
	sbuf_free(&err);
	return 0;
}

Test(privs, drop_with_an_explicit_group)
{
	struct group *g = getgrnam("mail"), gr;

	need_root("nobody");
	if (g == NULL)
		cr_skip_test("needs group mail");
	gr = *g;
	gr.gr_name = strdup(g->gr_name);
	cr_assert_eq(run_child(drop_with_group, &gr), 0);
	free(gr.gr_name);
}

/* drop_into_chroot - "/" is the chroot afterwards */
static int drop_into_chroot(void *arg)
{
	const char *dir = arg;
	struct sbuf *err = sbuf_new(0);
	char cwd[64];

	if (privs_drop("nobody", NULL, dir, err) != 0)
		return 1;
	if (access("/marker", F_OK) != 0)
		return 2;
	if (getcwd(cwd, sizeof(cwd)) == NULL || strcmp(cwd, "/") != 0)
		return 3;
	if (chroot("/") != -1)
		return 4; /* no way out: not root any more */
	sbuf_free(&err);
	return 0;
}

Test(privs, drop_into_a_chroot)
{
	const char *base = getenv("TMPDIR");
	char dir[256], marker[300];
	int fd;

	need_root("nobody");
	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	snprintf(dir, sizeof(dir), "%s/privs_test.XXXXXX", base);
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(chmod(dir, 0755), 0); /* nobody must see inside */
	snprintf(marker, sizeof(marker), "%s/marker", dir);
	fd = open(marker, O_WRONLY | O_CREAT, 0644);
	cr_assert(fd >= 0);
	close(fd);
	cr_assert_eq(run_child(drop_into_chroot, dir), 0);
	unlink(marker);
	rmdir(dir);
}

/* drop_when_not_root - what a daemon started by an ordinary user sees */
static int drop_when_not_root(void *arg)
{
	const struct passwd *pw = arg;
	struct sbuf *err = sbuf_new(0);

	if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0)
		return 1;
	if (privs_drop(NULL, NULL, NULL, err) != 0)
		return 2;
	/* already that user: fine */
	if (privs_drop("nobody", NULL, NULL, err) != 0)
		return 3;
	/* anyone else, or a chroot: not without root */
	if (!error_is("daemon", NULL, NULL, "not running as root"))
		return 4;
	if (!error_is("nobody", NULL, "/", "not running as root"))
		return 5;
	sbuf_free(&err);
	return 0;
}

Test(privs, not_root_cannot_switch)
{
	struct passwd pw = need_root("nobody");

	if (getpwnam("daemon") == NULL)
		cr_skip_test("needs user daemon");
	cr_assert_eq(run_child(drop_when_not_root, &pw), 0);
}
