/*
 * Unit tests for fsutil on the real file system, in a fresh folder under
 * $TMPDIR: modes under any umask, no replacing, symlink traps, refused
 * reads, and a write cut short by RLIMIT_FSIZE (a real EFBIG, even as
 * root) that must leave the old file and no temporary name.
 */
#include "autoconfig.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fsutil.h"
#include "fstest.h"

struct fixture {
	char path[PATH_MAX];
	int fd;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);

	if (fx == NULL || fstest_mkdtemp(fx->path, sizeof fx->path, "fsutil") != 0)
		return -1;
	if ((fx->fd = open(fx->path, O_RDONLY | O_DIRECTORY)) == -1)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	close(fx->fd);
	fstest_rmtree(fx->path);
	free(fx);
	return 0;
}

static void
put_file(int dirfd, const char *name, const char *text)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd != -1);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void
assert_content(int dirfd, const char *name, const char *text)
{
	char got[256];
	ssize_t r;
	int fd = openat(dirfd, name, O_RDONLY);

	assert_true(fd != -1);
	r = read(fd, got, sizeof got - 1);
	close(fd);
	assert_true(r >= 0);
	got[r] = '\0';
	assert_string_equal(got, text);
}

static mode_t
mode_of(int dirfd, const char *name)
{
	struct stat st;

	assert_int_equal(fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	return st.st_mode & 07777;
}

/* Number of names in `dirfd` that start like our temporary names. */
static int
count_temps(int dirfd)
{
	struct dirent *de;
	int n = 0;
	DIR *d = fdopendir(openat(dirfd, ".", O_RDONLY | O_DIRECTORY));

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, ".certdeck-tmp-", 14) == 0)
			n++;
	closedir(d);
	return n;
}

static void
test_modes_whatever_the_umask(void **state)
{
	static const mode_t masks[] = { 0, 077, 0777 };
	struct fixture *fx = *state;
	struct err err;
	char name[32];
	size_t i;
	int dfd, rc1, rc2;
	mode_t old;

	for (i = 0; i < sizeof masks / sizeof masks[0]; i++) {
		old = umask(masks[i]);
		snprintf(name, sizeof name, "key%zu.pem", i);
		rc1 = fsutil_write_atomic_at(fx->fd, name, "k", 1, 0600, 0, &err);
		snprintf(name, sizeof name, "d%zu/inner", i);
		rc2 = fsutil_mkdirs_at(fx->fd, name, 0700, &dfd, &err);
		umask(old);
		assert_int_equal(rc1, 0);
		assert_int_equal(rc2, 0);
		snprintf(name, sizeof name, "key%zu.pem", i);
		assert_int_equal(mode_of(fx->fd, name), 0600);
		snprintf(name, sizeof name, "d%zu", i);
		assert_int_equal(mode_of(fx->fd, name), 0700);
		assert_int_equal(mode_of(dfd, "."), 0700);
		close(dfd);
	}
	assert_int_equal(fsutil_write_atomic_at(fx->fd, "pub", "p", 1, 0644, 0,
	    &err), 0);
	assert_int_equal(mode_of(fx->fd, "pub"), 0644);
}

static void
test_replace_or_not(void **state)
{
	struct fixture *fx = *state;
	struct err err;

	assert_int_equal(fsutil_write_atomic_at(fx->fd, "doc", "one", 3, 0600,
	    0, &err), 0);
	assert_int_equal(fsutil_write_atomic_at(fx->fd, "doc", "two", 3, 0600,
	    0, &err), -1);
	assert_int_equal(errno, EEXIST);
	assert_non_null(strstr(err.msg, "doc"));
	assert_non_null(strstr(err.msg, strerror(EEXIST)));
	assert_content(fx->fd, "doc", "one");
	assert_int_equal(fsutil_write_atomic_at(fx->fd, "doc", "three", 5,
	    0600, 1, &err), 0);
	assert_content(fx->fd, "doc", "three");
	assert_int_equal(fsutil_write_atomic_at(fx->fd, "empty", "", 0, 0600,
	    0, &err), 0);
	assert_content(fx->fd, "empty", "");
	assert_int_equal(count_temps(fx->fd), 0);
}

static void
test_symlink_at_target_refused(void **state)
{
	struct fixture *fx = *state;
	struct err err;
	struct stat st;

	put_file(fx->fd, "victim", "precious");
	assert_int_equal(symlinkat("victim", fx->fd, "link"), 0);
	assert_int_equal(symlinkat("nowhere", fx->fd, "dangling"), 0);
	assert_int_equal(fsutil_write_atomic_at(fx->fd, "link", "evil", 4,
	    0600, 1, &err), -1);
	assert_non_null(strstr(err.msg, "link: is a symbolic link"));
	assert_int_equal(fsutil_write_atomic_at(fx->fd, "dangling", "evil", 4,
	    0600, 1, &err), -1);
	assert_int_equal(fstatat(fx->fd, "nowhere", &st, 0), -1);
	assert_content(fx->fd, "victim", "precious");
	assert_int_equal(fstatat(fx->fd, "link", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(count_temps(fx->fd), 0);
}

static void
test_symlink_as_parent_refused(void **state)
{
	struct fixture *fx = *state;
	char longname[300];
	struct err err;
	struct stat st;
	int dfd = -1;

	assert_int_equal(mkdirat(fx->fd, "real", 0700), 0);
	assert_int_equal(symlinkat("real", fx->fd, "sub"), 0);
	assert_int_equal(fsutil_mkdirs_at(fx->fd, "sub/inner", 0700, &dfd,
	    &err), -1);
	assert_int_equal(dfd, -1);
	assert_non_null(strstr(err.msg, "sub: is a symbolic link"));
	assert_int_equal(fsutil_open_dir_at(fx->fd, "sub", &dfd, &err), -1);
	assert_int_equal(fstatat(fx->fd, "real/inner", &st, 0), -1);
	assert_int_equal(errno, ENOENT);
	/* A symlink deeper down is refused the same way. */
	assert_int_equal(fsutil_mkdirs_at(fx->fd, "a/b", 0700, NULL, &err), 0);
	assert_int_equal(symlinkat("../real", fx->fd, "a/b/c"), 0);
	assert_int_equal(fsutil_mkdirs_at(fx->fd, "a/b/c/d", 0700, NULL, &err),
	    -1);
	assert_non_null(strstr(err.msg, "a/b/c: is a symbolic link"));
	assert_int_equal(fstatat(fx->fd, "real/d", &st, 0), -1);
	/* Path tricks never reach the file system. */
	assert_int_equal(fsutil_mkdirs_at(fx->fd, "a/../x", 0700, NULL, &err),
	    -1);
	assert_non_null(strstr(err.msg, "\"..\""));
	assert_int_equal(fsutil_mkdirs_at(fx->fd, "/etc", 0700, NULL, &err), -1);
	assert_int_equal(fsutil_mkdirs_at(fx->fd, "a//b", 0700, NULL, &err), -1);
	memset(longname, 'n', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_int_equal(fsutil_mkdirs_at(fx->fd, longname, 0700, NULL, &err),
	    -1);
	assert_non_null(strstr(err.msg, "over 255 bytes"));
	assert_int_equal(fsutil_open_dir_at(fx->fd, "missing/x", &dfd, &err), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_read_refuses_odd_files(void **state)
{
	struct fixture *fx = *state;
	char big[100];
	struct buf b;
	struct err err;

	buf_init(&b, 0);
	memset(big, 'x', sizeof big);
	assert_int_equal(fsutil_write_atomic_at(fx->fd, "big", big, sizeof big,
	    0600, 0, &err), 0);
	assert_int_equal(fsutil_read_at(fx->fd, "big", sizeof big, &b, &err), 0);
	assert_int_equal(b.len, sizeof big);
	assert_memory_equal(b.data, big, sizeof big);
	assert_int_equal(fsutil_read_at(fx->fd, "big", sizeof big - 1, &b, &err),
	    -1);
	assert_non_null(strstr(err.msg, "big: larger than the limit of 99"));

	assert_int_equal(mkfifoat(fx->fd, "fifo", 0600), 0);
	assert_int_equal(fsutil_read_at(fx->fd, "fifo", 100, &b, &err), -1);
	assert_non_null(strstr(err.msg, "fifo: not a regular file"));
	assert_int_equal(mkdirat(fx->fd, "dir", 0700), 0);
	assert_int_equal(fsutil_read_at(fx->fd, "dir", 100, &b, &err), -1);
	assert_non_null(strstr(err.msg, "dir: not a regular file"));
	assert_int_equal(symlinkat("big", fx->fd, "link"), 0);
	assert_int_equal(fsutil_read_at(fx->fd, "link", 100, &b, &err), -1);
	assert_non_null(strstr(err.msg, "link: is a symbolic link"));
	assert_int_equal(fsutil_read_at(fx->fd, "absent", 100, &b, &err), -1);
	assert_int_equal(errno, ENOENT);
	buf_free(&b);
}

/* Writes `len` bytes to `name` with the file size limit at `limit`, so the
 * write stops short with EFBIG; the limit is restored before returning so
 * that cmocka can still report. */
static int
write_limited(int dirfd, const char *name, size_t len, rlim_t limit,
    int replace, struct err *err)
{
	struct rlimit saved;
	char *data = malloc(len);
	int rc;

	assert_non_null(data);
	memset(data, 'z', len);
	assert_int_equal(fstest_limit_fsize(limit, &saved), 0);
	rc = fsutil_write_atomic_at(dirfd, name, data, len, 0600, replace, err);
	fstest_restore_fsize(&saved);
	free(data);
	return rc;
}

static void
test_failed_write_leaves_old_file(void **state)
{
	struct fixture *fx = *state;
	struct err err;
	struct stat st;

	assert_int_equal(fsutil_write_atomic_at(fx->fd, "keep", "old", 3, 0600,
	    0, &err), 0);
	assert_int_equal(write_limited(fx->fd, "keep", 4096, 64, 1, &err), -1);
	assert_non_null(strstr(err.msg, "keep: write: "));
	assert_non_null(strstr(err.msg, strerror(EFBIG)));
	assert_content(fx->fd, "keep", "old");
	assert_int_equal(write_limited(fx->fd, "fresh", 4096, 64, 0, &err), -1);
	assert_int_equal(fstatat(fx->fd, "fresh", &st, 0), -1);
	assert_int_equal(count_temps(fx->fd), 0);
	/* The next run succeeds. */
	assert_int_equal(fsutil_write_atomic_at(fx->fd, "fresh", "new", 3, 0600,
	    0, &err), 0);
	assert_content(fx->fd, "fresh", "new");
}

static void
test_name_rule(void **state)
{
	static const char *good[] = {
		"a", "example.com", "www.example.com_ecdsa", "A-Z_0.9",
		"0123456789012345678901234567890123456789012345678901234567890123",
	};
	static const char *bad[] = {
		"", ".hidden", "..", ".", "../x", "a/b", "a b", "a\\b", "caf\xc3\xa9",
		"$(id)", "a;b", "a*", "~root",
		"01234567890123456789012345678901234567890123456789012345678901234",
	};
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		assert_true(fsutil_name_ok(good[i]));
		assert_int_equal(fsutil_name_check(good[i], &err), 0);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(fsutil_name_ok(bad[i]));
		assert_int_equal(fsutil_name_check(bad[i], &err), -1);
		assert_int_equal(err.code, ERR_CONFIG);
	}
	assert_false(fsutil_name_ok(NULL));
	fsutil_name_check("a\033[2Jb\n", &err);
	assert_non_null(strstr(err.msg, "\"a\\x1b[2Jb\\x0a\""));
	assert_null(strchr(err.msg, '\033'));
}

static void
test_sweep_only_our_temps(void **state)
{
	static const char *tmp = ".certdeck-tmp-0123456789abcdef";
	struct fixture *fx = *state;
	struct err err;
	struct stat st;
	char path[PATH_MAX];
	int root;

	assert_true(fsutil_is_temp_name(tmp));
	assert_false(fsutil_is_temp_name(".certdeck-tmp-0123456789abcde"));
	assert_false(fsutil_is_temp_name(".certdeck-tmp-0123456789abcdefa"));
	assert_false(fsutil_is_temp_name(".certdeck-tmp-0123456789ABCDEF"));
	assert_int_equal(fsutil_mkdirs_at(fx->fd, "root/a/b", 0700, NULL, &err),
	    0);
	assert_int_equal(fsutil_open_dir_at(fx->fd, "root", &root, &err), 0);
	put_file(root, tmp, "stale");
	put_file(root, ".certdeck-tmp-xyz", "not ours");
	put_file(root, ".keep", "dot file");
	snprintf(path, sizeof path, "a/b/%s", tmp);
	assert_int_equal(mkdirat(root, path, 0700), 0);
	snprintf(path, sizeof path, "a/b/%s/cert.pem", tmp);
	put_file(root, path, "half a version");
	snprintf(path, sizeof path, "a/%s", tmp);
	assert_int_equal(symlinkat("../../elsewhere", root, path), 0);
	/* Outside the swept folder, reached only through symlinks: never
	 * touched. */
	assert_int_equal(mkdirat(fx->fd, "elsewhere", 0700), 0);
	assert_int_equal(symlinkat("../elsewhere", root, "via"), 0);
	snprintf(path, sizeof path, "elsewhere/%s", tmp);
	put_file(fx->fd, path, "not reachable");

	assert_int_equal(fsutil_sweep_temps_at(root, 2, &err), 0);
	assert_int_equal(fstatat(root, tmp, &st, AT_SYMLINK_NOFOLLOW), -1);
	snprintf(path, sizeof path, "a/b/%s", tmp);
	assert_int_equal(fstatat(root, path, &st, AT_SYMLINK_NOFOLLOW), -1);
	snprintf(path, sizeof path, "a/%s", tmp);
	assert_int_equal(fstatat(root, path, &st, AT_SYMLINK_NOFOLLOW), -1);
	snprintf(path, sizeof path, "elsewhere/%s", tmp);
	assert_content(fx->fd, path, "not reachable");
	assert_content(root, ".certdeck-tmp-xyz", "not ours");
	assert_content(root, ".keep", "dot file");
	assert_int_equal(fsutil_remove_temp_at(root, ".keep", &err), -1);
	assert_content(root, ".keep", "dot file");
	close(root);
}

static void
test_symlink_switch_and_noreplace(void **state)
{
	struct fixture *fx = *state;
	char target[64], name[FSUTIL_TEMP_NAME_SIZE];
	struct err err;
	ssize_t r;

	assert_int_equal(fsutil_symlink_atomic_at(fx->fd, "v1", "cur", &err), 0);
	assert_int_equal(fsutil_symlink_atomic_at(fx->fd, "v2", "cur", &err), 0);
	r = readlinkat(fx->fd, "cur", target, sizeof target - 1);
	assert_int_equal(r, 2);
	target[r] = '\0';
	assert_string_equal(target, "v2");
	put_file(fx->fd, "plain", "file");
	assert_int_equal(fsutil_symlink_atomic_at(fx->fd, "v1", "plain", &err),
	    -1);
	assert_content(fx->fd, "plain", "file");

	assert_int_equal(fsutil_mkdtemp_at(fx->fd, 0700, name, sizeof name,
	    &err), 0);
	assert_true(fsutil_is_temp_name(name));
	assert_int_equal(mode_of(fx->fd, name), 0700);
	assert_int_equal(fsutil_rename_noreplace_at(fx->fd, name, "1", &err), 0);
	assert_int_equal(fsutil_mkdtemp_at(fx->fd, 0700, name, sizeof name,
	    &err), 0);
	put_file(fx->fd, "1/cert.pem", "first");
	assert_int_equal(fsutil_rename_noreplace_at(fx->fd, name, "1", &err), -1);
	assert_int_equal(errno, EEXIST);
	assert_content(fx->fd, "1/cert.pem", "first");
	assert_int_equal(count_temps(fx->fd), 1);
	assert_int_equal(fsutil_remove_temp_at(fx->fd, name, &err), 0);
	assert_int_equal(count_temps(fx->fd), 0);
}

static void
test_list_sorted_without_dot_names(void **state)
{
	struct fixture *fx = *state;
	struct err err;
	char **names;
	size_t n;

	put_file(fx->fd, "b", "");
	put_file(fx->fd, "a", "");
	put_file(fx->fd, ".hidden", "");
	assert_int_equal(mkdirat(fx->fd, "c", 0700), 0);
	assert_int_equal(fsutil_list_at(fx->fd, &names, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "b");
	assert_string_equal(names[2], "c");
	fsutil_names_free(names, n);
	/* The caller's descriptor keeps its own offset. */
	assert_int_equal(fsutil_list_at(fx->fd, &names, &n, &err), 0);
	assert_int_equal(n, 3);
	fsutil_names_free(names, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_modes_whatever_the_umask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_or_not, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_at_target_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_as_parent_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_refuses_odd_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_write_leaves_old_file, setup, teardown),
		cmocka_unit_test(test_name_rule),
		cmocka_unit_test_setup_teardown(test_sweep_only_our_temps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_switch_and_noreplace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_sorted_without_dot_names, setup, teardown),
	};

	return cmocka_run_group_tests_name("fsutil", tests, NULL, NULL);
}
