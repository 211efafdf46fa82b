/* pidfile.c - a locked pid file, so that two instances cannot run */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "numparse.h"
#include "pidfile.h"
#include "sbuf.h"
#include "xalloc.h"

/* Retries when the file we locked was removed under us: see below. */
#define PIDFILE_TRIES 10

struct pidfile {
	int fd;
	char *path;
};

/* pidfile_read_pid - the number in a pid file, or 0 */
static pid_t pidfile_read_pid(int fd)
{
	char buf[32]; /* fixed: a pid and a newline; more is not a pid */
	unsigned long val;
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	if (numparse_ulong(buf, 0x7fffffffUL, &val) < 0)
		return 0;
	return (pid_t)val;
}

/* pidfile_is_same - does path still name the file open on fd? */
static bool pidfile_is_same(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && lstat(path, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* pidfile_open - create or take over path, lock it, write our pid */
enum pidfile_result pidfile_open(const char *path, struct pidfile **pf_r,
				 pid_t *holder_r, struct sbuf *err)
{
	struct pidfile *pf;
	struct stat st;
	int fd = -1, i;

	for (i = 0; i < PIDFILE_TRIES; i++) {
		fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
			  0644);
		if (fd < 0) {
			sbuf_printf(err, "open %s: %s", path, strerror(errno));
			return PIDFILE_ERROR;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno == EWOULDBLOCK) {
				pid_t holder = pidfile_read_pid(fd);

				sbuf_printf(err,
					    "%s: already running (pid %ld)",
					    path, (long)holder);
				if (holder_r != NULL)
					*holder_r = holder;
				close(fd);
				return PIDFILE_RUNNING;
			}
			sbuf_printf(err, "lock %s: %s", path, strerror(errno));
			close(fd);
			return PIDFILE_ERROR;
		}
		/*
		 * The old holder unlinks the file while it still has the
		 * lock; if that happened between our open() and flock(), we
		 * hold a lock on a nameless file. Start again.
		 */
		if (pidfile_is_same(fd, path))
			break;
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		sbuf_printf(err, "%s: keeps changing under us", path);
		return PIDFILE_ERROR;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		sbuf_printf(err, "%s: not a regular file", path);
		close(fd);
		return PIDFILE_ERROR;
	}
	pf = xmalloc(sizeof(*pf));
	pf->fd = fd;
	pf->path = xstrdup(path);
	if (pidfile_write(pf, err) < 0) {
		/* The file is ours now, and it holds no pid: remove it. */
		pidfile_remove(&pf);
		return PIDFILE_ERROR;
	}
	*pf_r = pf;
	return PIDFILE_OK;
}

/* pidfile_write - replace the contents with our pid */
int pidfile_write(struct pidfile *pf, struct sbuf *err)
{
	char buf[32]; /* fixed: a pid and a newline */
	int n;

	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	errno = 0;
	if (ftruncate(pf->fd, 0) < 0 ||
	    pwrite(pf->fd, buf, (size_t)n, 0) != (ssize_t)n) {
		sbuf_printf(err, "write %s: %s", pf->path,
			    errno != 0 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

/* pidfile_remove - remove the file while still locked, then release */
void pidfile_remove(struct pidfile **pfp)
{
	struct pidfile *pf = *pfp;

	if (pf == NULL)
		return;
	/* After dropping root the directory may not let us: empty it. */
	if (unlink(pf->path) < 0 && errno != ENOENT &&
	    ftruncate(pf->fd, 0) < 0) {
		/* nothing more to do: the lock goes with close() */
	}
	pidfile_forget(pfp);
}

/* pidfile_forget - close our copy; the lock stays with the other one */
void pidfile_forget(struct pidfile **pfp)
{
	struct pidfile *pf = *pfp;

	if (pf == NULL)
		return;
	close(pf->fd);
	free(pf->path);
	free(pf);
	*pfp = NULL;
}
