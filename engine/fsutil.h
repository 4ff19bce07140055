/*
 * fsutil: file-system primitives that never follow a planted symbolic link
 * and never leave a half-written file behind.
 *
 * Paths are walked one checked component at a time from a directory
 * descriptor with openat(O_NOFOLLOW), so a symlink placed in a folder we
 * write to is refused rather than followed. Files are written under a
 * temporary name in the same folder (".certdeck-tmp-" and 16 hex digits),
 * given their mode before any byte, synced, and renamed into place; the
 * folder is synced after. On any failure the temporary name is removed and
 * the previous file is untouched. A run killed half-way leaves only such
 * temporary names, which fsutil_sweep_temps_at() removes later.
 *
 * On failure every function leaves in errno the reason of the failing call,
 * so a caller can tell ENOENT (nothing there) from the rest.
 */
#ifndef CERTDECK_FSUTIL_H
#define CERTDECK_FSUTIL_H

#include <sys/types.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

/* Longest name fsutil_name_ok() accepts. */
#define FSUTIL_NAME_MAX 64

/* Room for a temporary name and its NUL. */
#define FSUTIL_TEMP_NAME_SIZE 32

/* True when `name` is 1-64 of [A-Za-z0-9._-] and does not start with '.',
 * so it can be used as one path component inside the state folder. */
int fsutil_name_ok(const char *name);

/* Returns 0 when fsutil_name_ok(name), else -1 with ERR_CONFIG naming the
 * bad name (escaped) and the rule. */
int fsutil_name_check(const char *name, struct err *err);

/* True when `name` has the form of our own temporary names. */
int fsutil_is_temp_name(const char *name);

/* Writes `len` bytes to `name` in `dirfd` atomically with `mode` (whatever
 * the umask); replace == 0 fails with EEXIST when `name` exists. A symlink
 * or anything but a regular file at `name` is refused. Returns 0 or -1. */
int fsutil_write_atomic_at(int dirfd, const char *name, const void *data,
    size_t len, mode_t mode, int replace, struct err *err);

/* Replaces the content of `out` with the regular file `name` in `dirfd`
 * (not followed if a symlink); refuses FIFOs, folders and files over `max`
 * bytes. Returns 0 or -1. */
int fsutil_read_at(int dirfd, const char *name, size_t max, struct buf *out,
    struct err *err);

/* Walks `relpath` ("a/b/c") from `dirfd`, creating each missing folder
 * with `mode` (whatever the umask) and refusing symlinks; returns 0 with
 * an fd of the last folder in `*out_fd` (caller closes; NULL: closed),
 * or -1. */
int fsutil_mkdirs_at(int dirfd, const char *relpath, mode_t mode,
    int *out_fd, struct err *err);

/* Like fsutil_mkdirs_at() without creating anything: errno is ENOENT when a
 * component is missing. */
int fsutil_open_dir_at(int dirfd, const char *relpath, int *out_fd,
    struct err *err);

/* Creates a new folder with a temporary name and `mode` in `dirfd`; the
 * name goes to `name` (FSUTIL_TEMP_NAME_SIZE bytes). Returns 0 or -1. */
int fsutil_mkdtemp_at(int dirfd, mode_t mode, char *name, size_t size,
    struct err *err);

/* Removes our temporary name `name` in `dirfd`: a file, a symlink, or a
 * temporary folder with the files in it; refuses any other name. Returns
 * 0 or -1. */
int fsutil_remove_temp_at(int dirfd, const char *name, struct err *err);

/* Renames `from` to `to` in `dirfd`, failing with EEXIST rather than
 * replacing anything at `to`. Returns 0 or -1. */
int fsutil_rename_noreplace_at(int dirfd, const char *from, const char *to,
    struct err *err);

/* Points the symlink `name` in `dirfd` at `target` atomically (a symlink at
 * a temporary name renamed over it), then syncs the folder; refuses when
 * `name` exists and is not a symlink. Returns 0 or -1. */
int fsutil_symlink_atomic_at(int dirfd, const char *target, const char *name,
    struct err *err);

/* Syncs the folder `dirfd` (`shown` names it in the message). Returns 0 or
 * -1. */
int fsutil_fsync_dir(int dirfd, const char *shown, struct err *err);

/* Lists the entries of `dirfd` except dot-names, sorted bytewise; returns 0
 * with an array the caller frees with fsutil_names_free(), or -1. */
int fsutil_list_at(int dirfd, char ***names, size_t *n, struct err *err);

/* Frees a list from fsutil_list_at(). */
void fsutil_names_free(char **names, size_t n);

/* Removes our temporary names (files, symlinks, and temporary folders with
 * what they hold) in `dirfd` and in its sub-folders down to `depth` levels,
 * never following symlinks and touching no other name. Goes on past a
 * failure and returns -1 with the first one, else 0. */
int fsutil_sweep_temps_at(int dirfd, int depth, struct err *err);

#endif
