/*
 * pidfile.h - a locked pid file, so that two instances cannot run.
 *
 * The file is created (or taken over when stale) and held with an
 * exclusive flock() for the life of the process. flock() belongs to the
 * open file, so the lock survives the daemon's fork(); rewrite the pid
 * in the child with pidfile_write(). A file left by a dead process holds
 * no lock and is simply taken over. The path comes from the local
 * config; the file is opened without following a symlink. The contents
 * of someone else's file are only ever shown as a number.
 * Not thread-safe: one owner.
 */
#ifndef PW_PIDFILE_H
#define PW_PIDFILE_H

#include <sys/types.h>

struct sbuf;
struct pidfile;

enum pidfile_result {
	PIDFILE_OK,
	PIDFILE_RUNNING, /* another live process holds the lock */
	PIDFILE_ERROR,	 /* could not create, lock or write */
};

/*
 * pidfile_open - create or take over path, lock it and write our pid.
 * On PIDFILE_OK *pf_r is set (caller frees with pidfile_remove); on
 * other results a message is appended to err, and for PIDFILE_RUNNING
 * *holder_r is the pid in the file (0 if unreadable), when not NULL.
 */
enum pidfile_result pidfile_open(const char *path, struct pidfile **pf_r,
				 pid_t *holder_r, struct sbuf *err);

/* pidfile_write - replace the contents with getpid() (after fork) */
int pidfile_write(struct pidfile *pf, struct sbuf *err);

/*
 * pidfile_remove - remove the file, release the lock and free; NULL-
 * safe, *pfp = NULL after. If the file can no longer be removed (no
 * permission after dropping root) it is emptied instead.
 */
void pidfile_remove(struct pidfile **pfp);

/*
 * pidfile_forget - close our copy and free, leaving the file and the
 * lock to the process that still holds it (a forked worker calls this;
 * the supervisor removes the file). NULL-safe, *pfp = NULL after.
 */
void pidfile_forget(struct pidfile **pfp);

#endif
