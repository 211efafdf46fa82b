/* readfile.c - read a whole regular file into a bounded buffer */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readfile.h"
#include "sbuf.h"
#include "xalloc.h"

/* readfile - append a whole regular file to data, bounded by its maximum */
int readfile(const char *path, struct sbuf *data, struct stat *st_r,
	     struct sbuf *err)
{
	struct stat st;
	char chunk[8192]; /* fixed: I/O buffer, not peer data */
	ssize_t n;
	int fd, ret = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		sbuf_printf(err, "open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		sbuf_printf(err, "stat %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		sbuf_printf(err, "%s: not a regular file", path);
		goto out;
	}
	if (st_r != NULL)
		*st_r = st;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sbuf_printf(err, "read %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (sbuf_append(data, chunk, (size_t)n) < 0) {
			sbuf_printf(err, "%s: file too large", path);
			goto out;
		}
	}
	ret = 0;
out:
	close(fd);
	wipe_bytes(chunk, sizeof(chunk)); /* it may have held a password */
	return ret;
}
