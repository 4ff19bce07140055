/*
 * Unit tests for event records on a real pipe: round trip, an empty
 * non-blocking pipe, end of file, a torn record, a reader gone away, and
 * four writer processes at once whose records must all arrive whole.
 */
#include "autoconfig.h"

#include <sys/wait.h>

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

#include "event.h"

#define WRITERS 4
#define PER_WRITER 500

static void
make_pipe(int fds[2])
{
	assert_int_equal(pipe(fds), 0);
}

/* A record whose every text byte depends on (writer, seq), so a record
 * spliced from two writes cannot pass check_record(). */
static void
fill_record(struct event *ev, uint32_t writer, uint32_t seq)
{
	memset(ev, 0, sizeof *ev);
	ev->job = writer;
	ev->kind = EVENT_STEP;
	ev->step = (uint16_t)(seq % STEP_COUNT);
	ev->level = EVENT_INFO;
	ev->progress = (uint8_t)(seq % 101);
	ev->time_ms = (int64_t)writer << 32 | seq;
	memset(ev->subject, 'a' + (int)writer, sizeof ev->subject - 1);
	memset(ev->ident, 'A' + (int)(seq % 26), sizeof ev->ident - 1);
	snprintf(ev->problem, sizeof ev->problem, "w%u-s%u", writer, seq);
	memset(ev->msg, '0' + (int)((writer + seq) % 10), sizeof ev->msg - 1);
}

static void
check_record(const struct event *ev, uint32_t writer, uint32_t seq)
{
	struct event want;

	fill_record(&want, writer, seq);
	assert_memory_equal(ev, &want, sizeof want);
}

static void
test_record_fits_pipe_buf(void **state)
{
	(void)state;
	assert_true(sizeof(struct event) <= PIPE_BUF);
	/* The layout has no implicit padding that would leak stack bytes. */
	assert_int_equal(sizeof(struct event), 16 + 8 + EVENT_SUBJECT_MAX +
	    EVENT_IDENT_MAX + EVENT_PROBLEM_MAX + EVENT_MSG_MAX);
}

static void
test_round_trip(void **state)
{
	struct event in, out;
	struct err err;
	int fds[2];

	(void)state;
	make_pipe(fds);
	fill_record(&in, 7, 42);
	in.kind = EVENT_FAILED;
	in.level = EVENT_ERROR;
	in.object = OBJECT_CERT;
	in.err_code = ERR_ACME;
	assert_int_equal(event_write(fds[1], &in, &err), 0);
	fill_record(&in, 7, 43);
	assert_int_equal(event_write(fds[1], &in, &err), 0);
	assert_int_equal(event_read(fds[0], &out, &err), 1);
	assert_int_equal(out.kind, EVENT_FAILED);
	assert_int_equal(out.level, EVENT_ERROR);
	assert_int_equal(out.object, OBJECT_CERT);
	assert_int_equal(out.err_code, ERR_ACME);
	assert_string_equal(out.problem, "w7-s42");
	assert_int_equal(event_read(fds[0], &out, &err), 1);
	check_record(&out, 7, 43);
	close(fds[0]);
	close(fds[1]);
}

static void
test_empty_nonblocking(void **state)
{
	struct event ev;
	struct err err;
	int fds[2];

	(void)state;
	make_pipe(fds);
	assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	err_clear(&err);
	assert_int_equal(event_read(fds[0], &ev, &err), -1);
	assert_int_equal(err.code, ERR_RETRY_LATER);
	/* Once a record is there it is read, then the pipe is empty again. */
	fill_record(&ev, 1, 1);
	assert_int_equal(event_write(fds[1], &ev, &err), 0);
	assert_int_equal(event_read(fds[0], &ev, &err), 1);
	check_record(&ev, 1, 1);
	err_clear(&err);
	assert_int_equal(event_read(fds[0], &ev, &err), -1);
	assert_int_equal(err.code, ERR_RETRY_LATER);
	close(fds[0]);
	close(fds[1]);
}

static void
test_eof(void **state)
{
	struct event ev;
	struct err err;
	int fds[2];

	(void)state;
	make_pipe(fds);
	fill_record(&ev, 2, 5);
	assert_int_equal(event_write(fds[1], &ev, &err), 0);
	close(fds[1]);
	/* What was written before the close is still delivered. */
	assert_int_equal(event_read(fds[0], &ev, &err), 1);
	check_record(&ev, 2, 5);
	assert_int_equal(event_read(fds[0], &ev, &err), 0);
	assert_int_equal(event_read(fds[0], &ev, &err), 0);
	close(fds[0]);
}

static void
test_torn_record(void **state)
{
	struct event ev;
	struct err err;
	int fds[2];

	(void)state;
	make_pipe(fds);
	fill_record(&ev, 3, 3);
	assert_int_equal(write(fds[1], &ev, sizeof ev / 2), (ssize_t)(sizeof ev / 2));
	close(fds[1]);
	err_clear(&err);
	assert_int_equal(event_read(fds[0], &ev, &err), -1);
	assert_int_equal(err.code, ERR_IO);
	assert_non_null(strstr(err.msg, "torn record"));
	close(fds[0]);
}

static void
test_reader_gone(void **state)
{
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	struct event ev;
	struct err err;
	int fds[2];

	(void)state;
	make_pipe(fds);
	close(fds[0]);
	fill_record(&ev, 4, 4);
	err_clear(&err);
	assert_int_equal(event_write(fds[1], &ev, &err), -1);
	assert_int_equal(err.code, ERR_IO);
	assert_non_null(strstr(err.msg, strerror(EPIPE)));
	close(fds[1]);
	signal(SIGPIPE, old);
}

/* Runs in a child: PER_WRITER records, then exits with 0 or 1. */
static void
writer_main(int fd, uint32_t writer)
{
	struct event ev;
	struct err err;
	uint32_t seq;

	for (seq = 0; seq < PER_WRITER; seq++) {
		fill_record(&ev, writer, seq);
		if (event_write(fd, &ev, &err) != 0)
			_exit(1);
	}
	_exit(0);
}

static void
test_many_writers(void **state)
{
	uint32_t next[WRITERS] = { 0 };
	pid_t pids[WRITERS];
	struct event ev;
	struct err err;
	int fds[2], i, rc, status, total = 0;

	(void)state;
	make_pipe(fds);
	for (i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			close(fds[0]);
			writer_main(fds[1], (uint32_t)i + 1);
		}
	}
	close(fds[1]);
	/* Reads run while the writers fill the pipe, so records interleave
	 * but each must be whole and each writer's stay in order. */
	while ((rc = event_read(fds[0], &ev, &err)) == 1) {
		assert_in_range(ev.job, 1, WRITERS);
		check_record(&ev, ev.job, next[ev.job - 1]);
		next[ev.job - 1]++;
		total++;
	}
	if (rc != 0)
		fail_msg("event_read: %s", err.msg);
	close(fds[0]);
	for (i = 0; i < WRITERS; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
		assert_int_equal(next[i], PER_WRITER);
	}
	assert_int_equal(total, WRITERS * PER_WRITER);
}

static void
test_names(void **state)
{
	int s, t;

	(void)state;
	assert_string_equal(event_step_name(STEP_NONE), "-");
	assert_string_equal(event_step_name(STEP_ORDER_CREATED), "order");
	assert_string_equal(event_step_name(STEP_CHALLENGE_ANSWERED), "challenge-answered");
	assert_string_equal(event_step_name(STEP_CLEANUP), "cleanup");
	/* Every step has its own name, lowercase, usable as one word. */
	for (s = 1; s < STEP_COUNT; s++) {
		const char *n = event_step_name((enum event_step)s);

		assert_string_not_equal(n, "?");
		assert_int_equal(strspn(n, "abcdefghijklmnopqrstuvwxyz-"), strlen(n));
		for (t = 0; t < s; t++)
			assert_string_not_equal(n, event_step_name((enum event_step)t));
	}
	assert_string_equal(event_step_name(STEP_COUNT), "?");
	assert_string_equal(event_step_name((enum event_step)-1), "?");

	assert_string_equal(event_kind_name(EVENT_STEP), "step");
	assert_string_equal(event_kind_name(EVENT_LOG), "log");
	assert_string_equal(event_kind_name(EVENT_DONE), "done");
	assert_string_equal(event_kind_name(EVENT_FAILED), "failed");
	assert_string_equal(event_kind_name(EVENT_STATE_CHANGED), "changed");
	assert_string_equal(event_kind_name(EVENT_IDLE), "idle");
	assert_string_equal(event_kind_name((enum event_kind)0), "?");
	assert_string_equal(event_kind_name((enum event_kind)99), "?");

	assert_string_equal(event_level_name(EVENT_DEBUG), "debug");
	assert_string_equal(event_level_name(EVENT_INFO), "info");
	assert_string_equal(event_level_name(EVENT_WARN), "warn");
	assert_string_equal(event_level_name(EVENT_ERROR), "error");
	assert_string_equal(event_level_name((enum event_level)4), "?");
	assert_string_equal(event_level_name((enum event_level)-1), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_fits_pipe_buf),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_empty_nonblocking),
		cmocka_unit_test(test_eof),
		cmocka_unit_test(test_torn_record),
		cmocka_unit_test(test_reader_gone),
		cmocka_unit_test(test_many_writers),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("event", tests, NULL, NULL);
}
