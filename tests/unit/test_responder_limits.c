/*
 * Unit tests for the http-01 responder under load and failure: many
 * clients, the client limit, oversized heads, slow and vanished clients,
 * no descriptors left, the counters, addresses in use or invalid, and all
 * addresses. Time-outs are tested by handing the responder a clock that
 * has moved on (rsptest.c drives the clients).
 */
#include "autoconfig.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <netdb.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "responder.h"

#include "rsptest.h"

static void
test_many_clients_at_once(void **state)
{
	static struct tclient tc[50];
	static const char req[] = "GET " PREFIX TOKEN " HTTP/1.1\r\n"
	    "Host: 127.0.0.1\r\n\r\n";
	struct responder *r = *state;
	struct responder_stats st;
	struct err err;
	int i, n = (int)(sizeof tc / sizeof tc[0]);

	assert_int_equal(responder_add(r, TOKEN, KEYAUTH, &err), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(tc_open(&tc[i], "127.0.0.1",
		    responder_port(r), req, sizeof req - 1), 0);
	drive(r, tc, n, all_done);
	for (i = 0; i < n; i++) {
		assert_int_equal(status_of(&tc[i]), 200);
		assert_non_null(strstr(tc[i].resp, "\r\n\r\n" KEYAUTH));
	}
	tc_close_all(tc, n);
	drive(r, NULL, 0, server_idle);
	responder_stats(r, &st);
	assert_int_equal(st.served, n);
	assert_int_equal(st.dropped, 0);
}

static int
limit_reached(struct responder *r, struct tclient *tc, int n)
{
	struct responder_stats st;
	int i, closed = 0;

	for (i = 0; i < n; i++)
		closed += tc[i].done;
	responder_stats(r, &st);
	return open_clients(r) == RESPONDER_MAX_CLIENTS &&
	    st.dropped == (unsigned long)(n - RESPONDER_MAX_CLIENTS) &&
	    closed == n - RESPONDER_MAX_CLIENTS;
}

static void
test_client_limit(void **state)
{
	static struct tclient tc[RESPONDER_MAX_CLIENTS + 6];
	struct responder *r = *state;
	int i, n = (int)(sizeof tc / sizeof tc[0]);

	for (i = 0; i < n; i++)
		assert_int_equal(tc_open(&tc[i], "127.0.0.1",
		    responder_port(r), "", 0), 0);
	drive(r, tc, n, limit_reached);
	tc_close_all(tc, n);
	drive(r, NULL, 0, server_idle);
	expect(r, PREFIX TOKEN, 404);
}

/* Builds a GET for the token whose head is exactly `size` bytes. */
static char *
padded_request(size_t size)
{
	static const char line[] = "GET " PREFIX TOKEN " HTTP/1.1\r\n";
	char *req = malloc(size + 1);
	size_t at = sizeof line - 1;

	assert_non_null(req);
	memcpy(req, line, at);
	while (size - at > 200) {
		at += (size_t)snprintf(req + at, 200, "X-Pad: %0*d\r\n",
		    150, 0);
	}
	at += (size_t)snprintf(req + at, size + 1 - at, "X: %0*d\r\n\r\n",
	    (int)(size - at - 7), 0);
	assert_int_equal(at, size);
	assert_int_equal(strlen(req), size);
	return req;
}

static void
test_oversized_head_cut_off(void **state)
{
	struct responder *r = *state;
	struct responder_stats st;
	struct tclient c;
	struct err err;
	char *req;

	assert_int_equal(responder_add(r, TOKEN, KEYAUTH, &err), 0);
	req = padded_request(RESPONDER_HEAD_MAX);
	exchange(r, req, &c);
	assert_int_equal(status_of(&c), 200);
	free(req);

	req = padded_request(RESPONDER_HEAD_MAX + 1);
	exchange(r, req, &c);
	assert_int_equal(status_of(&c), 431);
	free(req);

	req = padded_request(16384);
	exchange(r, req, &c);
	assert_int_equal(status_of(&c), 431);
	assert_null(strstr(c.resp, KEYAUTH));
	free(req);

	responder_stats(r, &st);
	assert_int_equal(st.served, 1);
	assert_int_equal(st.refused, 2);
	assert_int_equal(st.dropped, 0);
}

static int
one_open(struct responder *r, struct tclient *tc, int n)
{
	return open_clients(r) == 1;
}

static void
test_slow_client_dropped(void **state)
{
	static const char partial[] = "GET " PREFIX TOKEN " HTTP/1.1\r\nHo";
	struct responder *r = *state;
	struct responder_stats st;
	struct tclient c;
	long long t;
	int left;

	assert_int_equal(tc_open(&c, "127.0.0.1", responder_port(r), partial,
	    sizeof partial - 1), 0);
	drive(r, &c, 1, one_open);
	t = now_ms();
	left = responder_timeout_ms(r, t);
	assert_true(left > 0 && left <= RESPONDER_CLIENT_MS);
	/* Still within its time: kept. */
	responder_handle(r, NULL, 0, t + RESPONDER_CLIENT_MS - 1000);
	assert_int_equal(open_clients(r), 1);
	assert_int_equal(responder_timeout_ms(r, t + RESPONDER_CLIENT_MS +
	    1000), 0);
	responder_handle(r, NULL, 0, t + RESPONDER_CLIENT_MS + 1000);
	assert_int_equal(open_clients(r), 0);
	assert_int_equal(responder_timeout_ms(r, t), -1);
	responder_stats(r, &st);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.served + st.not_found + st.refused, 0);
	/* The client sees the connection end without an answer. */
	drive(r, &c, 1, all_done);
	assert_int_equal(c.got, 0);
	tc_close_all(&c, 1);
}

static int
three_finished(struct responder *r, struct tclient *tc, int n)
{
	struct responder_stats st;

	responder_stats(r, &st);
	return st.served + st.dropped == 3 && open_clients(r) == 0;
}

static void
test_client_gone_before_reading(void **state)
{
	static const char req[] = "GET " PREFIX TOKEN " HTTP/1.1\r\n\r\n";
	struct linger hard = { .l_onoff = 1, .l_linger = 0 };
	struct responder *r = *state;
	struct responder_stats st;
	struct tclient tc[3];
	struct pollfd pfd;
	struct err err;
	int i;

	assert_int_equal(responder_add(r, TOKEN, KEYAUTH, &err), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(tc_open(&tc[i], "127.0.0.1",
		    responder_port(r), req, sizeof req - 1), 0);
		pfd.fd = tc[i].fd;
		pfd.events = POLLOUT;
		assert_int_equal(poll(&pfd, 1, DRIVE_MS), 1);
	}
	/* One sends and closes, one sends and resets (the answer then meets
	 * a dead socket: SIGPIPE would kill us), one says nothing. */
	assert_int_equal(send(tc[0].fd, req, sizeof req - 1, 0),
	    (ssize_t)(sizeof req - 1));
	assert_int_equal(send(tc[1].fd, req, sizeof req - 1, 0),
	    (ssize_t)(sizeof req - 1));
	assert_int_equal(setsockopt(tc[1].fd, SOL_SOCKET, SO_LINGER, &hard,
	    sizeof hard), 0);
	tc_close_all(tc, 3);
	drive(r, NULL, 0, three_finished);
	responder_stats(r, &st);
	assert_true(st.dropped >= 1);

	expect(r, PREFIX TOKEN, 200);
}

static int
accept_paused(struct responder *r, struct tclient *tc, int n)
{
	struct pollfd pfd;

	return responder_pollfds(r, &pfd, 1) == 1 && pfd.events == 0;
}

static void
test_out_of_descriptors(void **state)
{
	static const char req[] = "GET / HTTP/1.1\r\n\r\n";
	struct responder *r = *state;
	struct rlimit low;
	const char *preload;
	struct tclient c;
	int lowest, left;

	assert_int_equal(tc_open(&c, "127.0.0.1", responder_port(r), req,
	    sizeof req - 1), 0);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved_nofile), 0);
	lowest = dup(0);
	assert_true(lowest >= 0);
	close(lowest);
	/* Every descriptor below `lowest` is taken: accept() must fail. */
	low = saved_nofile;
	low.rlim_cur = (rlim_t)lowest;
	/* valgrind emulates the limit by closing what accept() returned,
	 * which is not the kernel's EMFILE this test is about. */
	preload = getenv("LD_PRELOAD");
	if (preload != NULL && strstr(preload, "vgpreload") != NULL) {
		close(c.fd);
		skip();
	}
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	nofile_lowered = 1;
	drive(r, &c, 1, accept_paused);
	left = responder_timeout_ms(r, now_ms());
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved_nofile), 0);
	nofile_lowered = 0;
	assert_true(left >= 0 && left <= 1000);
	drive(r, &c, 1, all_done);
	assert_int_equal(status_of(&c), 404);
	tc_close_all(&c, 1);
	drive(r, NULL, 0, server_idle);
}

static void
test_stats_count(void **state)
{
	struct responder *r = *state;
	struct responder_stats st;
	struct tclient c;
	struct err err;
	long long t;

	assert_int_equal(responder_add(r, TOKEN, KEYAUTH, &err), 0);
	get(r, PREFIX TOKEN, &c);
	get(r, PREFIX TOKEN, &c);
	get(r, PREFIX "nope", &c);
	get(r, "/", &c);
	get(r, PREFIX TOKEN "?x=1", &c);
	exchange(r, "DELETE / HTTP/1.1\r\n\r\n", &c);
	assert_int_equal(tc_open(&c, "127.0.0.1", responder_port(r), "", 0),
	    0);
	drive(r, &c, 1, one_open);
	t = now_ms();
	responder_handle(r, NULL, 0, t + RESPONDER_CLIENT_MS + 1);
	tc_close_all(&c, 1);
	responder_stats(r, &st);
	assert_int_equal(st.served, 2);
	assert_int_equal(st.not_found, 3);
	assert_int_equal(st.refused, 1);
	assert_int_equal(st.dropped, 1);
}

static void
test_address_in_use(void **state)
{
	struct responder *r = *state, *r2;
	struct err err;
	char want[64];

	err_clear(&err);
	r2 = responder_new("127.0.0.1", responder_port(r), &err);
	assert_null(r2);
	snprintf(want, sizeof want, "cannot listen on 127.0.0.1:%d: %s",
	    responder_port(r), strerror(EADDRINUSE));
	if (strcmp(err.msg, want) != 0)
		fail_msg("got \"%s\", want \"%s\"", err.msg, want);

	if ((r2 = responder_new("::1", 0, &err)) == NULL)
		return;		/* no IPv6 loopback here */
	assert_null(responder_new("[::1]", responder_port(r2), &err));
	snprintf(want, sizeof want, "cannot listen on [::1]:%d: ",
	    responder_port(r2));
	assert_non_null(strstr(err.msg, want));
	responder_free(r2);
}

static void
test_bad_addresses(void **state)
{
	static const char *bad[] = {
		"localhost", "300.1.1.1", "127.0.0.1:80", "[::1", "\x1b[2J",
	};
	size_t i;
	struct err err;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&err);
		assert_null(responder_new(bad[i], 0, &err));
		assert_int_equal(err.code, ERR_CONFIG);
		assert_non_null(strstr(err.msg, "cannot listen on "));
		assert_null(strchr(err.msg, '\x1b'));
	}
	assert_null(responder_new("127.0.0.1", 65536, &err));
	assert_non_null(strstr(err.msg, "65536"));
	assert_null(responder_new("127.0.0.1", -1, &err));
}

static void
test_all_addresses(void **state)
{
	static const char req[] = "GET " PREFIX TOKEN " HTTP/1.1\r\n\r\n";
	struct responder *r;
	struct tclient c;
	struct err err;

	r = responder_new(NULL, 0, &err);
	assert_non_null(r);
	assert_true(responder_port(r) > 0);
	assert_int_equal(responder_add(r, TOKEN, KEYAUTH, &err), 0);
	expect(r, PREFIX TOKEN, 200);
	if (tc_open(&c, "::1", responder_port(r), req, sizeof req - 1) == 0) {
		drive(r, &c, 1, all_done);
		tc_close_all(&c, 1);
		if (!c.reset || c.got > 0)
			assert_int_equal(status_of(&c), 200);
	}
	responder_free(r);

	r = responder_new("", 0, &err);
	assert_non_null(r);
	responder_free(r);
	responder_free(NULL);
}


int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, rsptest_setup, rsptest_teardown)
		T(test_many_clients_at_once),
		T(test_client_limit),
		T(test_oversized_head_cut_off),
		T(test_slow_client_dropped),
		T(test_client_gone_before_reading),
		T(test_out_of_descriptors),
		T(test_stats_count),
		T(test_address_in_use),
		T(test_bad_addresses),
		T(test_all_addresses),
#undef T
	};

	return cmocka_run_group_tests_name("responder_limits", tests, NULL, NULL);
}
