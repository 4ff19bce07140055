/*
 * Unit tests for proc: real programs started, driven from this thread's
 * own poll loop the way the engine drives them. Every wait is on a
 * condition with a deadline; programs whose PIDs must be checked print
 * them. Shell one-liners here are the hooks under test, not a way of
 * running hooks.
 */
#include "autoconfig.h"

#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fstest.h"
#include "proc.h"

#define DRIVE_MS	10000	/* a stuck child fails the test after this */
#define MAX_FDS		32

struct got {
	int		 calls;
	struct proc_result r;
	char		*output;
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
on_done(void *arg, const struct proc_result *r)
{
	struct got *g = arg;

	g->calls++;
	g->r = *r;
	free(g->output);
	g->output = malloc(r->output_len + 1);
	assert_non_null(g->output);
	memcpy(g->output, r->output, r->output_len + 1);
	g->r.output = g->output;
}

static void
got_free(struct got *g)
{
	free(g->output);
	memset(g, 0, sizeof *g);
}

/* Runs the loop until no child is left or DRIVE_MS has passed. */
static void
drive(struct proc_set *ps)
{
	struct pollfd fds[MAX_FDS];
	long long end = now_ms() + DRIVE_MS, now;
	int n, t;

	while (proc_running(ps) > 0 && (now = now_ms()) < end) {
		n = proc_pollfds(ps, fds, MAX_FDS);
		t = proc_timeout_ms(ps, now);
		if (t == -1 || t > end - now)
			t = (int)(end - now);
		assert_true(poll(fds, (nfds_t)n, t) >= 0 || errno == EINTR);
		proc_handle(ps, fds, n, now_ms());
	}
	assert_int_equal(proc_running(ps), 0);
}

/* Starts one child, runs it to its end and checks it reported once. */
static void
run(const char *const *argv, const char *const *env, int timeout_ms,
    size_t max_output, struct got *g)
{
	struct proc_spec spec = { .argv = argv, .env = env,
	    .timeout_ms = timeout_ms, .max_output = max_output };
	struct proc_set *ps;
	struct err err;

	memset(g, 0, sizeof *g);
	assert_non_null(ps = proc_set_new(&err));
	if (proc_start(ps, &spec, on_done, g, &err) == 0)
		fail_msg("proc_start: %s", err.msg);
	drive(ps);
	proc_set_free(ps);
	assert_int_equal(g->calls, 1);
}

/* Returns 1 when `pid` has ended: gone, or a zombie its new parent has
 * not reaped yet. */
static int
pid_ended(pid_t pid)
{
	char path[64], stat[512], *paren;
	ssize_t k;
	int fd;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY)) == -1)
		return errno == ENOENT;
	k = read(fd, stat, sizeof stat - 1);
	close(fd);
	if (k <= 0)
		return 1;
	stat[k] = '\0';
	paren = strrchr(stat, ')');
	return paren != NULL && (paren[2] == 'Z' || paren[2] == 'X');
}

/* Waits up to 3 s for `pid` (not our child) to end; returns 1 when it has.
 * A pidfd says so at once; where it is missing (valgrind), /proc is read
 * again every few milliseconds until the deadline. */
static int
pid_gone(pid_t pid)
{
	struct pollfd pfd;
	long long end = now_ms() + 3000;
	int fd, r;

	if ((fd = pidfd_open(pid, 0)) == -1 && errno == ESRCH)
		return 1;
	if (fd != -1) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		r = poll(&pfd, 1, 3000);
		close(fd);
		return r == 1;
	}
	while (!pid_ended(pid)) {
		if (now_ms() >= end)
			return 0;
		poll(NULL, 0, 5);
	}
	return 1;
}

static void
test_echo_output(void **state)
{
	const char *argv[] = { "/bin/echo", "hello", "world", NULL };
	struct got g;

	(void)state;
	run(argv, NULL, 5000, 4096, &g);
	assert_string_equal(g.output, "hello world\n");
	assert_int_equal(g.r.output_len, 12);
	assert_int_equal(g.r.output_dropped, 0);
	assert_true(g.r.exited);
	assert_int_equal(g.r.status, 0);
	assert_false(g.r.signaled);
	assert_false(g.r.timed_out);
	got_free(&g);
}

static void
test_exit_status_and_stderr(void **state)
{
	const char *argv[] = { "/bin/sh", "-c", "echo out; echo err >&2; "
	    "exit 7", NULL };
	const char *f[] = { "/bin/false", NULL };
	struct got g;

	(void)state;
	run(argv, NULL, 5000, 4096, &g);
	assert_true(g.r.exited);
	assert_int_equal(g.r.status, 7);
	assert_string_equal(g.output, "out\nerr\n");
	got_free(&g);
	run(f, NULL, 5000, 4096, &g);
	assert_true(g.r.exited);
	assert_int_equal(g.r.status, 1);
	got_free(&g);
}

static void
copy_file(const char *from, const char *to, mode_t mode)
{
	char b[65536];
	ssize_t k;
	int in, out;

	assert_true((in = open(from, O_RDONLY)) != -1);
	assert_true((out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1);
	while ((k = read(in, b, sizeof b)) > 0)
		assert_int_equal(write(out, b, (size_t)k), k);
	assert_int_equal(k, 0);
	assert_int_equal(fchmod(out, mode), 0);
	close(in);
	assert_int_equal(close(out), 0);
}

static void
expect_refused(const char *path, const char *why)
{
	const char *argv[] = { path, NULL };
	struct proc_spec spec = { .argv = argv, .timeout_ms = 1000 };
	struct proc_set *ps;
	struct err err;

	err_clear(&err);
	assert_int_equal(proc_check_program(path, &err), -1);
	if (strstr(err.msg, why) == NULL)
		fail_msg("%s: expected \"%s\" in \"%s\"", path, why, err.msg);
	/* proc_start refuses it the same way and starts nothing. */
	assert_non_null(ps = proc_set_new(&err));
	assert_int_equal(proc_start(ps, &spec, on_done, NULL, &err), 0);
	assert_non_null(strstr(err.msg, why));
	assert_int_equal(proc_running(ps), 0);
	proc_set_free(ps);
}

static void
test_check_program(void **state)
{
	char dir[512], prog[600], sub[600];
	struct err err;

	(void)state;
	assert_int_equal(fstest_mkdtemp(dir, sizeof dir, "proc"), 0);
	snprintf(prog, sizeof prog, "%s/hook", dir);
	expect_refused(prog, "No such file");
	expect_refused("bin/echo", "absolute path");
	expect_refused(dir, "not a regular file");
	copy_file("/bin/echo", prog, 0644);
	expect_refused(prog, "not executable");
	assert_int_equal(chmod(prog, 0755), 0);
	assert_int_equal(proc_check_program(prog, &err), 0);
	if (geteuid() == 0) {
		assert_int_equal(chmod(prog, 0775), 0);
		expect_refused(prog, "program is group-writable");
		assert_int_equal(chmod(prog, 0757), 0);
		expect_refused(prog, "program is world-writable");
		assert_int_equal(chmod(prog, 0755), 0);
		assert_int_equal(chmod(dir, 0770), 0);
		expect_refused(prog, "its folder is group-writable");
		assert_int_equal(chmod(dir, 0700), 0);
		/* A link is judged by what it points to. */
		snprintf(sub, sizeof sub, "%s/link", dir);
		assert_int_equal(symlink(prog, sub), 0);
		assert_int_equal(chmod(prog, 0777), 0);
		expect_refused(sub, "program is world-writable");
	}
	fstest_rmtree(dir);
}

/* Runs a hook that prints a PID and hangs until its timeout (`ms`), then
 * checks it was killed with `sig` within the time that signal allows and
 * that the printed process is gone. */
static void
run_killed(const char *script, int ms, int sig)
{
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	long long grace = sig == SIGKILL ? PROC_KILL_GRACE_MS : 0;
	struct got g;
	pid_t pid;

	run(argv, NULL, ms, 4096, &g);
	assert_true(g.r.timed_out);
	assert_true(g.r.signaled);
	assert_int_equal(g.r.signal, sig);
	assert_true(g.r.elapsed_ms >= ms + grace);
	/* The signal reached the whole group at once, not the leader alone. */
	assert_true(g.r.elapsed_ms < ms + grace + PROC_KILL_GRACE_MS);
	pid = (pid_t)atol(g.output);
	assert_true(pid > 1);
	assert_true(pid_gone(pid));
	got_free(&g);
}

static void
test_timeout_kills(void **state)
{
	(void)state;
	run_killed("echo $$; exec sleep 100", 300, SIGTERM);
}

static void
test_timeout_kills_grandchild(void **state)
{
	(void)state;
	run_killed("sleep 100 & echo $!; wait", 300, SIGTERM);
}

static void
test_term_ignored_then_killed(void **state)
{
	(void)state;
	run_killed("trap '' TERM; sleep 100 & echo $!; wait", 200, SIGKILL);
}

static void
test_closed_output_still_running(void **state)
{
	const char *hang[] = { "/bin/sh", "-c", "exec >&- 2>&-; "
	    "exec sleep 100", NULL };
	const char *quit[] = { "/bin/sh", "-c", "exec >&- 2>&-; "
	    "exit 4", NULL };
	struct got g;

	(void)state;
	run(hang, NULL, 300, 4096, &g);
	assert_true(g.r.timed_out);
	assert_int_equal(g.r.signal, SIGTERM);
	got_free(&g);
	run(quit, NULL, 5000, 4096, &g);
	assert_false(g.r.timed_out);
	assert_true(g.r.exited);
	assert_int_equal(g.r.status, 4);
	assert_int_equal(g.r.output_len, 0);
	got_free(&g);
}

static void
test_output_flood_capped(void **state)
{
	const char *argv[] = { "/usr/bin/yes", NULL };
	struct got g;
	size_t i;

	(void)state;
	run(argv, NULL, 500, 1000, &g);
	assert_true(g.r.timed_out);
	assert_int_equal(g.r.output_len, 1000);
	assert_int_equal(strlen(g.output), 1000);
	for (i = 0; i < 1000; i++)
		assert_int_equal(g.output[i], i % 2 == 0 ? 'y' : '\n');
	/* Drained, not blocked: yes kept writing until it was killed. */
	assert_true(g.r.output_dropped > 100000);
	got_free(&g);
}

static void
test_environment_exact(void **state)
{
	const char *argv[] = { "/usr/bin/env", NULL };
	const char *env[] = { "A=1", "B=two words", "C=$(id);x", "D=", NULL };
	const char *withpath[] = { "PATH=/nowhere", "E=e", NULL };
	struct got g;

	(void)state;
	run(argv, env, 5000, 4096, &g);
	assert_string_equal(g.output, "A=1\nB=two words\nC=$(id);x\nD=\n"
	    PROC_DEFAULT_PATH "\n");
	got_free(&g);
	run(argv, withpath, 5000, 4096, &g);
	assert_string_equal(g.output, "PATH=/nowhere\nE=e\n");
	got_free(&g);
	run(argv, NULL, 5000, 4096, &g);
	assert_string_equal(g.output, PROC_DEFAULT_PATH "\n");
	got_free(&g);
}

static void
test_environment_refused(void **state)
{
	const char *argv[] = { "/usr/bin/env", NULL };
	const char *noeq[] = { "A=1", "NOVALUE", NULL };
	const char *noname[] = { "=x", NULL };
	const char *newline[] = { "A\nB=1", NULL };
	const char *const *bad[] = { noeq, noname, newline };
	const char *why[] = { "entry 2: not NAME=VALUE",
	    "entry 1: not NAME=VALUE", "newline in the name" };
	struct proc_spec spec = { .argv = argv, .timeout_ms = 1000 };
	struct proc_set *ps;
	struct err err;
	size_t i;

	(void)state;
	assert_non_null(ps = proc_set_new(&err));
	for (i = 0; i < 3; i++) {
		spec.env = bad[i];
		assert_int_equal(proc_start(ps, &spec, on_done, NULL, &err), 0);
		if (strstr(err.msg, why[i]) == NULL)
			fail_msg("expected \"%s\" in \"%s\"", why[i], err.msg);
		assert_int_equal(proc_running(ps), 0);
	}
	spec.timeout_ms = 0;
	spec.env = NULL;
	assert_int_equal(proc_start(ps, &spec, on_done, NULL, &err), 0);
	assert_non_null(strstr(err.msg, "timeout is required"));
	proc_set_free(ps);
}

static void
test_arguments_literal(void **state)
{
	const char *argv[] = { "/usr/bin/printf", "[%s]\\n", "a b", "'q'",
	    "\"dq\"", "$(id)", "x;y", "`id`", "*", "$HOME", "a|b>c", "",
	    NULL };
	struct got g;

	(void)state;
	run(argv, NULL, 5000, 4096, &g);
	assert_string_equal(g.output, "[a b]\n['q']\n[\"dq\"]\n[$(id)]\n"
	    "[x;y]\n[`id`]\n[*]\n[$HOME]\n[a|b>c]\n[]\n");
	got_free(&g);
}

static void
test_working_folder(void **state)
{
	const char *argv[] = { "/bin/pwd", NULL };
	struct proc_spec spec = { .argv = argv, .timeout_ms = 5000,
	    .max_output = 4096 };
	struct proc_set *ps;
	struct got g = { 0 };
	struct err err;
	char dir[512], want[600];

	(void)state;
	assert_int_equal(fstest_mkdtemp(dir, sizeof dir, "proc cwd"), 0);
	spec.cwd = dir;
	assert_non_null(ps = proc_set_new(&err));
	assert_true(proc_start(ps, &spec, on_done, &g, &err) > 0);
	drive(ps);
	snprintf(want, sizeof want, "%s\n", dir);
	assert_string_equal(g.output, want);
	got_free(&g);
	fstest_rmtree(dir);
	assert_int_equal(proc_start(ps, &spec, on_done, &g, &err), 0);
	assert_non_null(strstr(err.msg, "working folder"));
	proc_set_free(ps);
}

static void
test_cancel(void **state)
{
	const char *argv[] = { "/bin/sleep", "100", NULL };
	struct proc_spec spec = { .argv = argv, .timeout_ms = 60000 };
	struct proc_set *ps;
	struct got g = { 0 };
	struct err err;
	unsigned long id;

	(void)state;
	assert_non_null(ps = proc_set_new(&err));
	assert_true((id = proc_start(ps, &spec, on_done, &g, &err)) > 0);
	assert_int_equal(proc_running(ps), 1);
	/* Due at once, to start its clock; then its timeout is far off. */
	assert_int_equal(proc_timeout_ms(ps, now_ms()), 0);
	proc_handle(ps, NULL, 0, now_ms());
	assert_int_equal(proc_running(ps), 1);
	assert_true(proc_timeout_ms(ps, now_ms()) > 50000);
	proc_cancel(ps, id);
	proc_cancel(ps, id);
	proc_cancel(ps, 9999);
	assert_int_equal(proc_running(ps), 0);
	assert_int_equal(proc_timeout_ms(ps, now_ms()), -1);
	/* Killed and reaped: this process has no child left. */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	proc_handle(ps, NULL, 0, now_ms());
	assert_int_equal(g.calls, 0);
	/* The set frees what is still running the same way. */
	assert_true(proc_start(ps, &spec, on_done, &g, &err) > 0);
	proc_set_free(ps);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(g.calls, 0);
}

static void
test_several_at_once(void **state)
{
	static const char *scripts[] = {
		"echo one; exit 1",
		"read x </dev/null; echo two; exit 2",
		"echo three >&2; exit 3",
		"exec sleep 100",
		"i=0; while [ $i -lt 200 ]; do echo five; i=$((i+1)); done; "
		    "exit 5",
	};
	const char *argv[5][4];
	struct proc_spec spec = { .timeout_ms = 1000, .max_output = 20 };
	struct proc_set *ps;
	struct got g[5];
	struct err err;
	int i;

	(void)state;
	memset(g, 0, sizeof g);
	assert_non_null(ps = proc_set_new(&err));
	for (i = 0; i < 5; i++) {
		argv[i][0] = "/bin/sh";
		argv[i][1] = "-c";
		argv[i][2] = scripts[i];
		argv[i][3] = NULL;
		spec.argv = argv[i];
		assert_true(proc_start(ps, &spec, on_done, &g[i], &err) > 0);
	}
	assert_int_equal(proc_running(ps), 5);
	drive(ps);
	proc_set_free(ps);
	assert_string_equal(g[0].output, "one\n");
	assert_string_equal(g[1].output, "two\n");
	assert_string_equal(g[2].output, "three\n");
	assert_true(g[3].r.timed_out);
	assert_int_equal(g[4].r.output_len, 20);
	assert_int_equal(g[4].r.output_dropped, 200 * 5 - 20);
	for (i = 0; i < 5; i++) {
		assert_int_equal(g[i].calls, 1);
		if (i != 3) {
			assert_false(g[i].r.timed_out);
			assert_int_equal(g[i].r.status, i + 1);
		}
		got_free(&g[i]);
	}
}

struct chain {
	struct proc_set	*ps;
	struct got	 second;
	int		 first_calls;
};

static void
on_first(void *arg, const struct proc_result *r)
{
	const char *argv[] = { "/bin/echo", "second", NULL };
	struct proc_spec spec = { .argv = argv, .timeout_ms = 5000,
	    .max_output = 100 };
	struct chain *c = arg;
	struct err err;

	(void)r;
	c->first_calls++;
	assert_true(proc_start(c->ps, &spec, on_done, &c->second, &err) > 0);
}

static void
test_start_from_callback(void **state)
{
	const char *argv[] = { "/bin/echo", "first", NULL };
	struct proc_spec spec = { .argv = argv, .timeout_ms = 5000 };
	struct chain c = { 0 };
	struct err err;

	(void)state;
	assert_non_null(c.ps = proc_set_new(&err));
	assert_true(proc_start(c.ps, &spec, on_first, &c, &err) > 0);
	drive(c.ps);
	assert_int_equal(c.first_calls, 1);
	assert_int_equal(c.second.calls, 1);
	assert_string_equal(c.second.output, "second\n");
	got_free(&c.second);
	proc_set_free(c.ps);
	proc_set_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_output),
		cmocka_unit_test(test_exit_status_and_stderr),
		cmocka_unit_test(test_check_program),
		cmocka_unit_test(test_timeout_kills),
		cmocka_unit_test(test_timeout_kills_grandchild),
		cmocka_unit_test(test_term_ignored_then_killed),
		cmocka_unit_test(test_closed_output_still_running),
		cmocka_unit_test(test_output_flood_capped),
		cmocka_unit_test(test_environment_exact),
		cmocka_unit_test(test_environment_refused),
		cmocka_unit_test(test_arguments_literal),
		cmocka_unit_test(test_working_folder),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_several_at_once),
		cmocka_unit_test(test_start_from_callback),
	};

	return cmocka_run_group_tests_name("proc", tests, NULL, NULL);
}
