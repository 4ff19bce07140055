/*
 * fstest: what the file-system tests share: a fresh folder of their own
 * under $TMPDIR, its removal, and a file size limit that makes the next
 * write stop short with a real EFBIG (it works as root, where permissions
 * would not stop a write).
 */
#ifndef CERTDECK_FSTEST_H
#define CERTDECK_FSTEST_H

#include <sys/resource.h>
#include <limits.h>
#include <stddef.h>

struct store;

/* A store opened in a fresh folder, for cmocka's *state. */
struct store_fixture {
	char top[PATH_MAX];		/* the test's own folder */
	char dir[PATH_MAX + 16];	/* the state directory in it */
	struct store *s;
};

/* Creates $TMPDIR/certdeck-TAG-XXXXXX (or under /tmp) into `path`; returns
 * 0 or -1. */
int fstest_mkdtemp(char *path, size_t size, const char *tag);

/* Removes `path` and everything under it, never following symlinks. */
void fstest_rmtree(const char *path);

/* cmocka setup and teardown: a store_fixture in *state, its folder
 * removed afterwards. */
int fstest_store_setup(void **state);
int fstest_store_teardown(void **state);

/* Lowers the file size limit to `limit` bytes with SIGXFSZ ignored; the
 * old limit goes to `saved`. Returns 0 or -1. */
int fstest_limit_fsize(rlim_t limit, struct rlimit *saved);

/* Puts back the limit saved by fstest_limit_fsize(). */
void fstest_restore_fsize(const struct rlimit *saved);

#endif
