/*
 * Unit tests for the http-01 responder: real sockets on loopback, driven
 * from this one thread the way the engine drives it. The test's clients
 * are non-blocking sockets in the same poll() as the responder, so every
 * wait is on a condition with a deadline, and time-outs are tested by
 * handing the responder a clock that has moved on.
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

#define TOKEN		"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"
#define KEYAUTH		TOKEN ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"
#define PREFIX		"/.well-known/acme-challenge/"
#define MAX_TC		80
#define DRIVE_MS	5000	/* a stuck exchange fails the test after this */

struct tclient {
	int		 fd;
	const char	*req;
	size_t		 reqlen;
	size_t		 sent;
	int		 slot;
	int		 done;		/* end of file or reset seen */
	int		 reset;
	size_t		 got;
	char		 resp[8192];
};

typedef int (*until_fn)(struct responder *, struct tclient *, int);

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Connects without blocking to addr:port and queues `req` to be sent. */
static int
tc_open(struct tclient *c, const char *addr, int port, const char *req,
    size_t reqlen)
{
	struct addrinfo hints, *ai;
	char serv[16];

	memset(c, 0, sizeof *c);
	memset(&hints, 0, sizeof hints);
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(serv, sizeof serv, "%d", port);
	assert_int_equal(getaddrinfo(addr, serv, &hints, &ai), 0);
	c->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->fd != -1 && connect(c->fd, ai->ai_addr, ai->ai_addrlen) == -1 &&
	    errno != EINPROGRESS) {
		close(c->fd);
		c->fd = -1;
	}
	freeaddrinfo(ai);
	c->req = req;
	c->reqlen = reqlen;
	return c->fd == -1 ? -1 : 0;
}

/* Moves one client on: sends what is left of its request, then reads. */
static void
tc_step(struct tclient *c, short rev)
{
	char tmp[4096];
	ssize_t k;
	size_t room;

	if (c->sent < c->reqlen) {
		k = send(c->fd, c->req + c->sent, c->reqlen - c->sent,
		    MSG_NOSIGNAL);
		if (k > 0)
			c->sent += (size_t)k;
		else if (errno != EAGAIN && errno != EWOULDBLOCK)
			c->sent = c->reqlen;	/* cut off: go on reading */
		return;
	}
	k = recv(c->fd, tmp, sizeof tmp, 0);
	if (k > 0) {
		room = sizeof c->resp - 1 - c->got;
		if ((size_t)k < room)
			room = (size_t)k;
		memcpy(c->resp + c->got, tmp, room);
		c->got += room;
		c->resp[c->got] = '\0';
	} else if (k == 0)
		c->done = 1;
	else if (errno != EAGAIN && errno != EWOULDBLOCK) {
		c->done = 1;
		c->reset = 1;
	}
}

static int
open_clients(struct responder *r)
{
	struct pollfd fds[1 + RESPONDER_MAX_CLIENTS];

	return responder_pollfds(r, fds, 1 + RESPONDER_MAX_CLIENTS) - 1;
}

/* Runs the responder and the clients in one poll() loop until `until`
 * holds; fails the test past DRIVE_MS. */
static void
drive(struct responder *r, struct tclient *tc, int n, until_fn until)
{
	struct pollfd fds[1 + RESPONDER_MAX_CLIENTS + MAX_TC];
	long long deadline = now_ms() + DRIVE_MS, left;
	int i, nfds, wait, rt;

	while (!until(r, tc, n)) {
		left = deadline - now_ms();
		if (left <= 0)
			fail_msg("responder exchange did not finish in %d ms",
			    DRIVE_MS);
		nfds = responder_pollfds(r, fds, 1 + RESPONDER_MAX_CLIENTS);
		for (i = 0; i < n; i++) {
			tc[i].slot = -1;
			if (tc[i].done)
				continue;
			fds[nfds].fd = tc[i].fd;
			fds[nfds].events = tc[i].sent < tc[i].reqlen ?
			    POLLOUT : POLLIN;
			fds[nfds].revents = 0;
			tc[i].slot = nfds++;
		}
		wait = (int)left;
		rt = responder_timeout_ms(r, now_ms());
		if (rt >= 0 && rt < wait)
			wait = rt;
		assert_true(poll(fds, (nfds_t)nfds, wait) >= 0);
		/* The whole array, clients' descriptors too, as the engine
		 * passes its own alongside. */
		responder_handle(r, fds, nfds, now_ms());
		for (i = 0; i < n; i++)
			if (tc[i].slot >= 0 && fds[tc[i].slot].revents != 0)
				tc_step(&tc[i], fds[tc[i].slot].revents);
	}
}

static int
all_done(struct responder *r, struct tclient *tc, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!tc[i].done)
			return 0;
	return 1;
}

static int
server_idle(struct responder *r, struct tclient *tc, int n)
{
	return open_clients(r) == 0;
}

static void
tc_close_all(struct tclient *tc, int n)
{
	int i;

	for (i = 0; i < n; i++)
		close(tc[i].fd);
}

/* Sends one raw request to the responder and waits for the whole answer
 * and for the server side to be closed; returns the client. */
static void
exchange(struct responder *r, const char *req, struct tclient *c)
{
	assert_int_equal(tc_open(c, "127.0.0.1", responder_port(r), req,
	    strlen(req)), 0);
	drive(r, c, 1, all_done);
	tc_close_all(c, 1);
	drive(r, NULL, 0, server_idle);
}

/* GETs `path` and returns the response in `c`. */
static void
get(struct responder *r, const char *path, struct tclient *c)
{
	char req[2048];

	snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: example.org\r\n"
	    "User-Agent: test\r\nAccept: */*\r\n\r\n", path);
	exchange(r, req, c);
}

static int
status_of(const struct tclient *c)
{
	int code = 0;

	if (sscanf(c->resp, "HTTP/1.1 %d ", &code) != 1)
		return -1;
	return code;
}

/* GETs `path` and fails the test unless the answer has `status`. */
static void
expect(struct responder *r, const char *path, int status)
{
	struct tclient c;

	get(r, path, &c);
	if (status_of(&c) != status)
		fail_msg("%s: want %d, got \"%.40s\"", path, status, c.resp);
}

static int
setup(void **state)
{
	struct err err;
	struct responder *r;

	r = responder_new("127.0.0.1", 0, &err);
	if (r == NULL) {
		print_error("%s\n", err.msg);
		return -1;
	}
	*state = r;
	return 0;
}

/* A descriptor limit a failed test lowered, put back before the next. */
static struct rlimit saved_nofile;
static int nofile_lowered;

static int
teardown(void **state)
{
	if (nofile_lowered)
		setrlimit(RLIMIT_NOFILE, &saved_nofile);
	nofile_lowered = 0;
	responder_free(*state);
	return 0;
}

static void
test_serves_token_exactly(void **state)
{
	struct responder *r = *state;
	struct responder_stats st;
	struct tclient c;
	struct err err;
	char want[1024];
	int flags;
	struct pollfd pfd;

	assert_int_equal(responder_add(r, TOKEN, KEYAUTH, &err), 0);
	assert_int_equal(responder_count(r), 1);
	get(r, PREFIX TOKEN, &c);
	snprintf(want, sizeof want, "HTTP/1.1 200 OK\r\n"
	    "Content-Type: application/octet-stream\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: close\r\n\r\n%s", strlen(KEYAUTH), KEYAUTH);
	assert_string_equal(c.resp, want);
	assert_false(c.reset);
	responder_stats(r, &st);
	assert_int_equal(st.served, 1);
	assert_int_equal(st.not_found + st.dropped + st.refused, 0);

	/* The listener is non-blocking and not inherited by children. */
	assert_int_equal(responder_pollfds(r, &pfd, 1), 1);
	assert_int_equal(pfd.events, POLLIN);
	assert_true(fcntl(pfd.fd, F_GETFL) & O_NONBLOCK);
	flags = fcntl(pfd.fd, F_GETFD);
	assert_true(flags & FD_CLOEXEC);
	assert_int_equal(responder_timeout_ms(r, now_ms()), -1);
}

static void
test_not_found(void **state)
{
	static const char *paths[] = {
		PREFIX "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		PREFIX,
		"/.well-known/acme-challenge",
		"/",
		PREFIX TOKEN "/x",
		PREFIX TOKEN "?q",
		PREFIX TOKEN "#f",
		PREFIX TOKEN "x",
		PREFIX "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX",
		PREFIX "%2e%2e",
		PREFIX "%2e%2e/" TOKEN,
		PREFIX "../" TOKEN,
		"/x" PREFIX TOKEN,
		"/" PREFIX TOKEN,
		"http://example.org" PREFIX TOKEN,
		PREFIX "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX%30",
	};
	struct responder *r = *state;
	struct responder_stats st;
	struct err err;
	size_t i;

	assert_int_equal(responder_add(r, TOKEN, KEYAUTH, &err), 0);
	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		expect(r, paths[i], 404);
	}
	responder_stats(r, &st);
	assert_int_equal(st.not_found, sizeof paths / sizeof paths[0]);
	assert_int_equal(st.served, 0);
	expect(r, PREFIX TOKEN, 200);
}

static void
test_other_methods_and_garbage(void **state)
{
	static const struct {
		const char *req;
		int status;
	} cases[] = {
		{ "POST " PREFIX TOKEN " HTTP/1.1\r\nContent-Length: 5\r\n\r\n"
		    "hello", 405 },
		{ "HEAD " PREFIX TOKEN " HTTP/1.1\r\n\r\n", 405 },
		{ "get " PREFIX TOKEN " HTTP/1.1\r\n\r\n", 405 },
		{ "GETX " PREFIX TOKEN " HTTP/1.1\r\n\r\n", 405 },
		{ "GET " PREFIX TOKEN " HTTP/2.0\r\n\r\n", 400 },
		{ "GET " PREFIX TOKEN "\r\n\r\n", 400 },
		{ "GET " PREFIX TOKEN " HTTP/1.1 x\r\n\r\n", 400 },
		{ "\r\n\r\n", 400 },
		{ "\x16\x03\x01\x02\x01\x01\x01\xfc\n\n", 400 },
	};
	struct responder *r = *state;
	struct responder_stats st;
	struct tclient c;
	struct err err;
	size_t i;

	assert_int_equal(responder_add(r, TOKEN, KEYAUTH, &err), 0);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		exchange(r, cases[i].req, &c);
		if (status_of(&c) != cases[i].status)
			fail_msg("case %zu: got \"%.40s\"", i, c.resp);
		assert_null(strstr(c.resp, KEYAUTH));
	}
	exchange(r, cases[0].req, &c);
	assert_non_null(strstr(c.resp, "\r\nAllow: GET\r\n"));
	responder_stats(r, &st);
	assert_int_equal(st.refused, sizeof cases / sizeof cases[0] + 1);
	assert_int_equal(st.served + st.not_found + st.dropped, 0);
	/* Bare line feeds end a head too. */
	exchange(r, "GET " PREFIX TOKEN " HTTP/1.0\n\n", &c);
	assert_int_equal(status_of(&c), 200);
}

static void
test_remove_and_replace(void **state)
{
	struct responder *r = *state;
	struct tclient c;
	struct err err;

	assert_int_equal(responder_add(r, TOKEN, "first", &err), 0);
	assert_int_equal(responder_add(r, TOKEN, KEYAUTH, &err), 0);
	assert_int_equal(responder_count(r), 1);
	get(r, PREFIX TOKEN, &c);
	assert_int_equal(status_of(&c), 200);
	assert_non_null(strstr(c.resp, "\r\n\r\n" KEYAUTH));
	assert_null(strstr(c.resp, "first"));

	responder_remove(r, "unknown-token-xxxxxxxxxxxxxx");
	responder_remove(r, NULL);
	assert_int_equal(responder_count(r), 1);
	responder_remove(r, TOKEN);
	assert_int_equal(responder_count(r), 0);
	expect(r, PREFIX TOKEN, 404);
}

static void
test_invalid_tokens_refused(void **state)
{
	static const struct {
		const char *token;
		const char *shown;	/* in the message */
	} bad[] = {
		{ "../etc/passwd", "../etc/passwd" },
		{ "LoqXcYV8q5ONbJQxbmR7S", "LoqXcYV8q5ONbJQxbmR7S" },
		{ "LoqXcYV8q5ONbJQxbmR7SC=", "LoqXcYV8q5ONbJQxbmR7SC=" },
		{ "LoqXcYV8q5ONbJQx mR7SCTN", "LoqXcYV8q5ONbJQx mR7SCTN" },
		{ "LoqXcYV8q5ONbJQx\xc3\xa9mR7SCTN", "LoqXcYV8q5ONbJQx" },
		{ "LoqXcYV8q5ONbJQx\x1b[2JmR7SCTN", "LoqXcYV8q5ONbJQx\\e[2J" },
		{ "LoqXcYV8q5ONbJQx\xffmR7SCTN", "\\xff" },
		{ "LoqXcYV8q5ONbJQxbmR7SC/../x", "/../x" },
		{ "$(id)LoqXcYV8q5ONbJQxbmR7SC", "$(id)" },
		{ "", "\"\"" },
	};
	struct responder *r = *state;
	struct err err;
	char path[256];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&err);
		assert_int_equal(responder_add(r, bad[i].token, KEYAUTH, &err),
		    -1);
		assert_int_equal(err.code, ERR_PROTO);
		if (strstr(err.msg, bad[i].shown) == NULL ||
		    strchr(err.msg, '\x1b') != NULL)
			fail_msg("token %zu: message \"%s\"", i, err.msg);
		assert_int_equal(responder_count(r), 0);
	}
	err_clear(&err);
	assert_int_equal(responder_add(r, NULL, KEYAUTH, &err), -1);
	assert_int_equal(err.code, ERR_PROTO);
	assert_int_equal(responder_add(r, TOKEN, NULL, &err), -1);
	assert_int_equal(responder_count(r), 0);

	snprintf(path, sizeof path, PREFIX "%s", bad[0].token);
	expect(r, path, 404);
	snprintf(path, sizeof path, PREFIX "%s", bad[1].token);
	expect(r, path, 404);

	/* Exactly 22 characters, the whole alphabet: accepted. */
	assert_int_equal(responder_add(r, "azAZ09_-azAZ09_-azAZ09", "k",
	    &err), 0);
	expect(r, PREFIX "azAZ09_-azAZ09_-azAZ09", 200);
}

static void
test_token_limit(void **state)
{
	struct responder *r = *state;
	struct err err;
	char tok[40];
	int i;

	for (i = 0; i < RESPONDER_MAX_TOKENS; i++) {
		snprintf(tok, sizeof tok, "t%031d", i);
		assert_int_equal(responder_add(r, tok, tok, &err), 0);
	}
	assert_int_equal(responder_count(r), RESPONDER_MAX_TOKENS);
	err_clear(&err);
	assert_int_equal(responder_add(r, "one-too-many-xxxxxxxxxxxxxxx", "k",
	    &err), -1);
	assert_non_null(strstr(err.msg, "1024"));
	assert_int_equal(responder_count(r), RESPONDER_MAX_TOKENS);
	/* Replacing needs no new room. */
	assert_int_equal(responder_add(r, "t0000000000000000000000000000007",
	    "new", &err), 0);
	responder_remove(r, "t0000000000000000000000000000007");
	assert_int_equal(responder_add(r, "one-too-many-xxxxxxxxxxxxxxx", "k",
	    &err), 0);
}

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
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_serves_token_exactly),
		T(test_not_found),
		T(test_other_methods_and_garbage),
		T(test_remove_and_replace),
		T(test_invalid_tokens_refused),
		T(test_token_limit),
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

	return cmocka_run_group_tests_name("responder", tests, NULL, NULL);
}
