/*
 * Unit tests for the store's lock between real processes: fork, then
 * synchronised with pipes, never with sleeps. A second holder is told
 * who holds it, waits until it is free, or gets it once the holder dies.
 */
#include "autoconfig.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <poll.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fstest.h"
#include "store.h"

/* Reads one line (without its newline) from `fd` into `line`. */
static void
read_line(int fd, char *line, size_t size)
{
	size_t n = 0;
	char c;

	while (n + 1 < size && read(fd, &c, 1) == 1 && c != '\n')
		line[n++] = c;
	line[n] = '\0';
}

/* In a child: reports "waiting PID" on the pipe when store_lock() starts
 * to wait. */
static void
report_waiting(void *arg, long holder)
{
	dprintf(*(int *)arg, "waiting %ld\n", holder);
}

/* In a child: opens the store on its own (flock is per open file
 * description), takes the lock and reports "RC CODE MESSAGE" on `out`;
 * then holds it until a byte or end-of-file on `in`. */
static void
child_lock(const char *dir, int wait, int out, int in)
{
	struct store *s;
	struct err err;
	char c;
	int rc = -1;

	err_clear(&err);
	if ((s = store_open(dir, &err)) != NULL)
		rc = store_lock(s, wait, report_waiting, &out, &err);
	dprintf(out, "%d %d %s\n", rc, (int)err.code, err.msg);
	while (read(in, &c, 1) == -1 && errno == EINTR)
		continue;
	store_close(s);
	_exit(0);
}

static pid_t
spawn_locker(const char *dir, int wait, int up[2], int down[2])
{
	pid_t pid;

	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	if ((pid = fork()) == 0) {
		close(up[0]);
		close(down[1]);
		child_lock(dir, wait, up[1], down[0]);
	}
	assert_true(pid > 0);
	close(up[1]);
	close(down[0]);
	return pid;
}

static void
assert_busy_by(struct store *s, const char *dir, long pid)
{
	char want[PATH_MAX + 128];
	struct err err;

	assert_int_equal(store_lock(s, 0, NULL, NULL, &err), -1);
	assert_int_equal(err.code, ERR_BUSY);
	snprintf(want, sizeof want, "state directory %s is locked by pid %ld",
	    dir, pid);
	assert_string_equal(err.msg, want);
}

static void
finish_child(pid_t pid, int up, int down)
{
	int status;

	close(up);
	close(down);
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

static void
test_lock_busy_names_holder(void **state)
{
	struct store_fixture *fx = *state;
	char line[ERR_MSG_MAX + 32], want[PATH_MAX + 128];
	int up[2], down[2];
	struct err err;
	pid_t pid;

	assert_int_equal(store_lock(fx->s, 0, NULL, NULL, &err), 0);
	assert_int_equal(store_lock(fx->s, 0, NULL, NULL, &err), 0);
	pid = spawn_locker(fx->dir, 0, up, down);
	read_line(up[0], line, sizeof line);
	snprintf(want, sizeof want, "-1 %d state directory %s is locked by "
	    "pid %ld", ERR_BUSY, fx->dir, (long)getpid());
	assert_string_equal(line, want);
	finish_child(pid, up[0], down[1]);
	store_unlock(fx->s);
}

static void
test_lock_wait_gets_it_after_unlock(void **state)
{
	struct store_fixture *fx = *state;
	char line[ERR_MSG_MAX + 32], want[64];
	struct pollfd pfd;
	int up[2], down[2];
	struct err err;
	pid_t pid;

	assert_int_equal(store_lock(fx->s, 0, NULL, NULL, &err), 0);
	pid = spawn_locker(fx->dir, 1, up, down);
	read_line(up[0], line, sizeof line);
	snprintf(want, sizeof want, "waiting %ld", (long)getpid());
	assert_string_equal(line, want);
	/* Still ours: the child cannot have reported a lock. */
	pfd.fd = up[0];
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 0), 0);
	store_unlock(fx->s);
	read_line(up[0], line, sizeof line);
	assert_string_equal(line, "0 0 ");
	assert_busy_by(fx->s, fx->dir, (long)pid);
	assert_int_equal(write(down[1], "x", 1), 1);
	finish_child(pid, up[0], down[1]);
	assert_int_equal(store_lock(fx->s, 0, NULL, NULL, &err), 0);
}

static void
test_lock_dies_with_holder(void **state)
{
	struct store_fixture *fx = *state;
	char line[ERR_MSG_MAX + 32];
	int up[2], down[2];
	struct err err;
	pid_t pid;

	pid = spawn_locker(fx->dir, 0, up, down);
	read_line(up[0], line, sizeof line);
	assert_string_equal(line, "0 0 ");
	assert_busy_by(fx->s, fx->dir, (long)pid);
	assert_int_equal(kill(pid, SIGKILL), 0);
	finish_child(pid, up[0], down[1]);
	assert_int_equal(store_lock(fx->s, 0, NULL, NULL, &err), 0);
	store_close(fx->s);
	/* Closing the store released it: a second store takes it at once. */
	assert_non_null(fx->s = store_open(fx->dir, &err));
	assert_int_equal(store_lock(fx->s, 0, NULL, NULL, &err), 0);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fstest_store_setup, fstest_store_teardown)
	const struct CMUnitTest tests[] = {
		T(test_lock_busy_names_holder),
		T(test_lock_wait_gets_it_after_unlock),
		T(test_lock_dies_with_holder),
	};
#undef T

	return cmocka_run_group_tests_name("store_lock", tests, NULL, NULL);
}
