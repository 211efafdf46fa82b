/*
 * readfile.h - read a whole regular file into a bounded buffer.
 *
 * For configuration and data files (our config, Postfix .cf files,
 * passwd-files). The size limit is the maximum of the caller's sbuf, so
 * a huge file is an error, not memory exhaustion. The I/O buffer is wiped
 * because such files hold passwords. Thread-safe.
 */
#ifndef PW_READFILE_H
#define PW_READFILE_H

#include <sys/stat.h>

struct sbuf;

/*
 * readfile - append the contents of path to data; its stat goes to st_r
 * when not NULL. -1 with err for a missing, unreadable or special file,
 * or one larger than the room left in data.
 */
int readfile(const char *path, struct sbuf *data, struct stat *st_r,
	     struct sbuf *err);

#endif
