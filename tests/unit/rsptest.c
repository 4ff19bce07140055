/*
 * rsptest: non-blocking loopback clients in the same poll() as the
 * responder under test, so every wait is on a condition with a deadline.
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

/* Connects without blocking to addr:port and queues `req` to be sent. */
int
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
void
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

int
open_clients(struct responder *r)
{
	struct pollfd fds[1 + RESPONDER_MAX_CLIENTS];

	return responder_pollfds(r, fds, 1 + RESPONDER_MAX_CLIENTS) - 1;
}

/* Runs the responder and the clients in one poll() loop until `until`
 * holds; fails the test past DRIVE_MS. */
void
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

int
all_done(struct responder *r, struct tclient *tc, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!tc[i].done)
			return 0;
	return 1;
}

int
server_idle(struct responder *r, struct tclient *tc, int n)
{
	return open_clients(r) == 0;
}

void
tc_close_all(struct tclient *tc, int n)
{
	int i;

	for (i = 0; i < n; i++)
		close(tc[i].fd);
}

/* Sends one raw request to the responder and waits for the whole answer
 * and for the server side to be closed; returns the client. */
void
exchange(struct responder *r, const char *req, struct tclient *c)
{
	assert_int_equal(tc_open(c, "127.0.0.1", responder_port(r), req,
	    strlen(req)), 0);
	drive(r, c, 1, all_done);
	tc_close_all(c, 1);
	drive(r, NULL, 0, server_idle);
}

/* GETs `path` and returns the response in `c`. */
void
get(struct responder *r, const char *path, struct tclient *c)
{
	char req[2048];

	snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: example.org\r\n"
	    "User-Agent: test\r\nAccept: */*\r\n\r\n", path);
	exchange(r, req, c);
}

int
status_of(const struct tclient *c)
{
	int code = 0;

	if (sscanf(c->resp, "HTTP/1.1 %d ", &code) != 1)
		return -1;
	return code;
}

/* GETs `path` and fails the test unless the answer has `status`. */
void
expect(struct responder *r, const char *path, int status)
{
	struct tclient c;

	get(r, path, &c);
	if (status_of(&c) != status)
		fail_msg("%s: want %d, got \"%.40s\"", path, status, c.resp);
}

int
rsptest_setup(void **state)
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
struct rlimit saved_nofile;
int nofile_lowered;

int
rsptest_teardown(void **state)
{
	if (nofile_lowered)
		setrlimit(RLIMIT_NOFILE, &saved_nofile);
	nofile_lowered = 0;
	responder_free(*state);
	return 0;
}
