/*
 * lock: one advisory lock file per folder, so the screens, the timer and a
 * manual run never write the state at once.
 *
 * flock() belongs to the open file description, so the kernel drops the
 * lock when its holder dies, even by SIGKILL, and a stale file never blocks
 * anyone. The file also holds "pid N" of the holder, only so that someone
 * waiting can say who it waits for.
 */
#ifndef CERTDECK_LOCK_H
#define CERTDECK_LOCK_H

#include "err.h"

/* Called once before blocking, with the holder's pid (0 when unknown). */
typedef void (*lock_waiting_fn)(void *arg, long holder_pid);

/* Takes the exclusive lock on the file `name` in `dirfd` (created 0600,
 * never through a symlink); `shown` names the folder in messages. With
 * `wait`, calls `waiting` (may be NULL) once and blocks until it is free;
 * without, fails with ERR_BUSY "... is locked by pid N". Returns 0 with the
 * locked fd in `*out_fd` (close-on-exec, released by lock_release()), or
 * -1. */
int lock_acquire(int dirfd, const char *name, const char *shown, int wait,
    lock_waiting_fn waiting, void *arg, int *out_fd, struct err *err);

/* Clears the pid and releases the lock taken by lock_acquire(); -1 is
 * ignored. */
void lock_release(int fd);

#endif
