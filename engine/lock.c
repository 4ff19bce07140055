/*
 * lock: flock-based lock file with the holder's pid (see lock.h).
 */
#include "autoconfig.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lock.h"

/* The pid written by the holder, 0 when unknown (not written yet). */
static long
lock_holder(int fd)
{
	char text[32];
	ssize_t r;
	long pid;

	if ((r = pread(fd, text, sizeof text - 1, 0)) <= 0)
		return 0;
	text[r] = '\0';
	if (sscanf(text, "pid %ld", &pid) != 1 || pid <= 0)
		return 0;
	return pid;
}

static int
lock_busy(int fd, const char *shown, struct err *err)
{
	long pid = lock_holder(fd);

	if (pid > 0)
		return err_set(err, ERR_BUSY, "state directory %s is locked by "
		    "pid %ld", shown, pid);
	return err_set(err, ERR_BUSY, "state directory %s is locked by "
	    "another process", shown);
}

static int
lock_open(int dirfd, const char *name, const char *shown, struct err *err)
{
	struct stat st;
	int fd;

	fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		if (errno == ELOOP)
			err_set(err, ERR_IO, "%s/%s: is a symbolic link (refused)",
			    shown, name);
		else
			err_errno(err, "%s/%s", shown, name);
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		err_set(err, ERR_IO, "%s/%s: not a regular file (refused)",
		    shown, name);
		close(fd);
		return -1;
	}
	return fd;
}

int
lock_acquire(int dirfd, const char *name, const char *shown, int wait,
    lock_waiting_fn waiting, void *arg, int *out_fd, struct err *err)
{
	char text[32];
	int fd, n;

	if ((fd = lock_open(dirfd, name, shown, err)) == -1)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK) {
			err_errno(err, "%s/%s: flock", shown, name);
			close(fd);
			return -1;
		}
		if (!wait) {
			lock_busy(fd, shown, err);
			close(fd);
			return -1;
		}
		if (waiting != NULL)
			waiting(arg, lock_holder(fd));
		while (flock(fd, LOCK_EX) == -1) {
			if (errno != EINTR) {
				err_errno(err, "%s/%s: flock", shown, name);
				close(fd);
				return -1;
			}
		}
	}
	n = snprintf(text, sizeof text, "pid %ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, text, (size_t)n, 0) != n) {
		/* The pid is only for messages: a full disk must not stop
		 * us from holding the lock. */
	}
	*out_fd = fd;
	return 0;
}

void
lock_release(int fd)
{
	if (fd == -1)
		return;
	if (ftruncate(fd, 0) == -1) {
		/* Cleared while still held so nobody reads a stale pid; a
		 * failure only leaves an old pid for messages. */
	}
	flock(fd, LOCK_UN);
	close(fd);
}
