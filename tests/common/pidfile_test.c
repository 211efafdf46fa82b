/* pidfile_test.c - locked pid files: exclusivity, takeover, removal */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "pidfile.h"
#include "sbuf.h"

struct fixture {
	char *dir;
	char *path;
};

/* str_printf - a formatted string; caller frees */
static char *str_printf(const char *fmt, ...) ATTR_PRINTF(1, 2);
static char *str_printf(const char *fmt, ...)
{
	struct sbuf *b = sbuf_new(64);
	va_list ap;
	char *s;

	va_start(ap, fmt);
	sbuf_vprintf(b, fmt, ap);
	va_end(ap);
	s = sbuf_steal(b);
	sbuf_free(&b);
	return s;
}

/* setup - a private directory and a pid file path inside it */
static struct fixture setup(void)
{
	const char *base = getenv("TMPDIR");
	struct fixture f;

	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	f.dir = str_printf("%s/pidfile_test.XXXXXX", base);
	cr_assert_not_null(mkdtemp(f.dir));
	f.path = str_printf("%s/test.pid", f.dir);
	return f;
}

/* teardown - remove what a test left */
static void teardown(struct fixture *f)
{
	unlink(f->path);
	rmdir(f->dir);
	free(f->path);
	free(f->dir);
}

/* read_file - the whole (small) file as a string; caller frees */
static char *read_file(const char *path)
{
	char buf[256];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	cr_assert(fd >= 0, "open %s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	cr_assert(n >= 0);
	buf[n] = '\0';
	close(fd);
	return str_printf("%s", buf);
}

/* write_file - replace path with text */
static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* assert_holds_pid - the file says pid */
static void assert_holds_pid(const char *path, pid_t pid)
{
	char *want = str_printf("%ld\n", (long)pid), *got = read_file(path);

	cr_assert_str_eq(got, want);
	free(want);
	free(got);
}

Test(pidfile, create_write_remove)
{
	struct fixture f = setup();
	struct sbuf *err = sbuf_new(0);
	struct pidfile *pf = NULL;
	struct stat st;

	cr_assert_eq(pidfile_open(f.path, &pf, NULL, err), PIDFILE_OK, "%s",
		     sbuf_cstr(err));
	cr_assert_not_null(pf);
	cr_assert_eq(lstat(f.path, &st), 0);
	cr_assert(S_ISREG(st.st_mode));
	assert_holds_pid(f.path, getpid());
	pidfile_remove(&pf);
	cr_assert_null(pf);
	cr_assert_eq(access(f.path, F_OK), -1, "pid file left behind");
	pidfile_remove(&pf); /* NULL-safe */
	teardown(&f);
	sbuf_free(&err);
}

Test(pidfile, second_open_fails_while_first_held)
{
	struct fixture f = setup();
	struct sbuf *err = sbuf_new(0);
	struct pidfile *pf = NULL, *pf2 = NULL;
	pid_t holder = 0;

	cr_assert_eq(pidfile_open(f.path, &pf, NULL, err), PIDFILE_OK);
	/* flock() locks belong to the open file: this process conflicts */
	cr_assert_eq(pidfile_open(f.path, &pf2, &holder, err),
		     PIDFILE_RUNNING);
	cr_assert_null(pf2);
	cr_assert_eq(holder, getpid());
	cr_assert(strstr(sbuf_cstr(err), "already running") != NULL, "%s",
		  sbuf_cstr(err));
	assert_holds_pid(f.path, getpid());
	pidfile_remove(&pf);
	/* free again: the next one gets it */
	sbuf_reset(err);
	cr_assert_eq(pidfile_open(f.path, &pf2, NULL, err), PIDFILE_OK, "%s",
		     sbuf_cstr(err));
	pidfile_remove(&pf2);
	teardown(&f);
	sbuf_free(&err);
}

Test(pidfile, other_process_is_refused)
{
	struct fixture f = setup();
	struct sbuf *err = sbuf_new(0);
	struct pidfile *pf = NULL;
	pid_t pid, holder = 0;
	int status;

	cr_assert_eq(pidfile_open(f.path, &pf, NULL, err), PIDFILE_OK);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		struct pidfile *mine = NULL;
		enum pidfile_result r;

		r = pidfile_open(f.path, &mine, &holder, err);
		_exit(r == PIDFILE_RUNNING && holder == getppid() ? 0 : 1);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	pidfile_remove(&pf);
	teardown(&f);
	sbuf_free(&err);
}

Test(pidfile, lock_survives_fork_and_write_updates_pid)
{
	struct fixture f = setup();
	struct sbuf *err = sbuf_new(0);
	struct pidfile *pf = NULL;
	pid_t pid;
	int status;

	cr_assert_eq(pidfile_open(f.path, &pf, NULL, err), PIDFILE_OK);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		struct pidfile *again = NULL;
		pid_t holder = 0;
		int ok;

		/* what a daemon does after detaching */
		ok = pidfile_write(pf, err) == 0 &&
		     pidfile_open(f.path, &again, &holder, err) ==
			     PIDFILE_RUNNING &&
		     holder == getpid();
		_exit(ok ? 0 : 1);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_holds_pid(f.path, pid);
	pidfile_remove(&pf);
	teardown(&f);
	sbuf_free(&err);
}

Test(pidfile, stale_file_is_taken_over)
{
	static const char *const stale[] = {
		"99999\n", "1\n", "", "not a pid\n",
		"123456789012345678901234567890123456789\n",
	};
	struct fixture f = setup();
	struct sbuf *err = sbuf_new(0);
	struct pidfile *pf = NULL;
	size_t i;

	for (i = 0; i < sizeof(stale) / sizeof(stale[0]); i++) {
		/* left by a dead process: the file is there, the lock not */
		write_file(f.path, stale[i]);
		cr_assert_eq(pidfile_open(f.path, &pf, NULL, err), PIDFILE_OK,
			     "%s", sbuf_cstr(err));
		assert_holds_pid(f.path, getpid());
		pidfile_remove(&pf);
	}
	teardown(&f);
	sbuf_free(&err);
}

Test(pidfile, unreadable_holder_pid_reads_as_0)
{
	struct fixture f = setup();
	struct sbuf *err = sbuf_new(0);
	struct pidfile *pf = NULL, *pf2 = NULL;
	pid_t holder = 42;

	cr_assert_eq(pidfile_open(f.path, &pf, NULL, err), PIDFILE_OK);
	write_file(f.path, "garbage\n");
	cr_assert_eq(pidfile_open(f.path, &pf2, &holder, err),
		     PIDFILE_RUNNING);
	cr_assert_eq(holder, 0);
	pidfile_remove(&pf);
	teardown(&f);
	sbuf_free(&err);
}

Test(pidfile, symlink_is_not_followed)
{
	struct fixture f = setup();
	struct sbuf *err = sbuf_new(0);
	struct pidfile *pf = NULL;
	char *target = str_printf("%s/target", f.dir), *text;

	write_file(target, "keep\n");
	cr_assert_eq(symlink(target, f.path), 0);
	cr_assert_eq(pidfile_open(f.path, &pf, NULL, err), PIDFILE_ERROR);
	cr_assert_null(pf);
	cr_assert(strstr(sbuf_cstr(err), f.path) != NULL);
	text = read_file(target);
	cr_assert_str_eq(text, "keep\n");
	unlink(target);
	free(target);
	free(text);
	teardown(&f);
	sbuf_free(&err);
}

Test(pidfile, missing_directory_is_an_error)
{
	struct fixture f = setup();
	struct sbuf *err = sbuf_new(0);
	struct pidfile *pf = NULL;
	char *path = str_printf("%s/no/such.pid", f.dir);

	cr_assert_eq(pidfile_open(path, &pf, NULL, err), PIDFILE_ERROR);
	cr_assert(strstr(sbuf_cstr(err), "No such file") != NULL, "%s",
		  sbuf_cstr(err));
	free(path);
	teardown(&f);
	sbuf_free(&err);
}

Test(pidfile, emptied_when_it_cannot_be_removed)
{
	struct fixture f = setup();
	struct sbuf *err = sbuf_new(0);
	struct passwd *pw = getpwnam("nobody");
	struct pidfile *pf = NULL;
	struct stat st;
	pid_t pid;
	int status;

	if (geteuid() != 0 || pw == NULL)
		cr_skip_test("needs root and user nobody");
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		/* as a daemon: take the file as root, then drop root */
		if (chmod(f.dir, 0755) < 0 ||
		    pidfile_open(f.path, &pf, NULL, err) != PIDFILE_OK ||
		    setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
			_exit(2);
		pidfile_remove(&pf);
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_eq(stat(f.path, &st), 0, "root's directory: still there");
	cr_assert_eq(st.st_size, 0, "but holds no pid");
	teardown(&f);
	sbuf_free(&err);
}
