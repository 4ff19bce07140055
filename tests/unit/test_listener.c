/*
 * Unit tests for the listener under a toy protocol that greets each client
 * with one line: what the responders' suites cannot reach through their
 * protocols, namely the drain after the answer (its cap and its deadline,
 * neither counted as a drop), a protocol refusing a connection or giving
 * up on it, and every client's state handed back exactly once. Real
 * sockets on loopback, one poll() loop, waits on conditions with a
 * deadline; time-outs by handing the listener a clock that has moved on.
 */
#include "autoconfig.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "job.h"
#include "listener.h"

#define GREETING	"hi\n"
#define MAX_CLIENTS	4
#define CLIENT_MS	10000
#define DRIVE_MS	5000	/* a stuck exchange fails the test after this */
#define DRAIN_CAP	65536	/* the listener's, as documented */

/* The toy protocol's state: how it treats the next client, and how many
 * client states it handed out and got back. */
struct toy {
	int		 refuse;	/* open() returns NULL */
	int		 give_up;	/* ready() returns LISTENER_DROP */
	int		 silent;	/* ready() waits for ever */
	int		 opened;
	int		 closed;
	struct listener	*l;
};

struct toy_client {
	struct toy	*toy;
	int		 fd;
};

static void *
toy_open(void *arg, int fd)
{
	struct toy *t = arg;
	struct toy_client *c;

	if (t->refuse || (c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	c->toy = t;
	c->fd = fd;
	t->opened++;
	return c;
}

static short
toy_events(void *client)
{
	struct toy_client *c = client;

	return c->toy->silent ? POLLIN : POLLOUT;
}

static enum listener_step
toy_ready(void *client)
{
	struct toy_client *c = client;

	if (c->toy->give_up)
		return LISTENER_DROP;
	if (c->toy->silent)
		return LISTENER_WAIT;
	if (send(c->fd, GREETING, strlen(GREETING), MSG_NOSIGNAL) !=
	    (ssize_t)strlen(GREETING))
		return LISTENER_DROP;
	return LISTENER_DONE;
}

static void
toy_close(void *client)
{
	struct toy_client *c = client;

	c->toy->closed++;
	free(c);
}

static const struct listener_ops toy_ops = {
	.max_clients = MAX_CLIENTS,
	.client_ms = CLIENT_MS,
	.open = toy_open,
	.events = toy_events,
	.ready = toy_ready,
	.close = toy_close,
};

typedef int (*until_fn)(struct toy *, int);

/* Returns how many clients the listener holds. */
static int
held(struct listener *l)
{
	struct pollfd fds[1 + MAX_CLIENTS];

	return listener_pollfds(l, fds, 1 + MAX_CLIENTS) - 1;
}

static int
holds(struct toy *t, int want)
{
	return held(t->l) == want;
}

static int
dropped(struct toy *t, int want)
{
	return listener_dropped(t->l) == (unsigned long)want;
}

/* True when the listener holds clients and poll() reports none of them
 * ready: whatever they sent has been read. */
static int
quiet(struct toy *t, int unused)
{
	struct pollfd fds[1 + MAX_CLIENTS];
	int i, n;

	(void)unused;
	if ((n = listener_pollfds(t->l, fds, 1 + MAX_CLIENTS)) < 2)
		return 0;
	assert_true(poll(fds, (nfds_t)n, 0) >= 0);
	for (i = 1; i < n; i++)
		if (fds[i].revents != 0)
			return 0;
	return 1;
}

/* Runs the listener until `until(t, arg)` holds; fails past DRIVE_MS. */
static void
drive(struct toy *t, until_fn until, int arg)
{
	struct pollfd fds[1 + MAX_CLIENTS];
	long long deadline = job_now_ms() + DRIVE_MS;
	int n;

	while (!until(t, arg)) {
		if (job_now_ms() >= deadline)
			fail_msg("listener did not settle in %d ms", DRIVE_MS);
		n = listener_pollfds(t->l, fds, 1 + MAX_CLIENTS);
		assert_true(poll(fds, (nfds_t)n, 50) >= 0);
		listener_handle(t->l, fds, n, job_now_ms());
	}
}

/* Connects a blocking client to the listener. */
static int
connect_to(struct listener *l)
{
	struct sockaddr_in sin;
	int fd;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)listener_port(l));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	return fd;
}

/* Reads until the end the server sent; returns what came before it. */
static size_t
read_to_end(int fd, char *out, size_t size)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t k;

	for (;;) {
		assert_int_equal(poll(&p, 1, DRIVE_MS), 1);
		if ((k = recv(fd, out + got, size - got, 0)) <= 0)
			return got;
		got += (size_t)k;
		assert_true(got < size);
	}
}

/* Sends `len` bytes of filler, all of them. */
static void
send_filler(int fd, size_t len)
{
	char chunk[4096];
	size_t n;

	memset(chunk, 'x', sizeof chunk);
	for (; len > 0; len -= n) {
		n = len < sizeof chunk ? len : sizeof chunk;
		assert_int_equal(send(fd, chunk, n, MSG_NOSIGNAL), (ssize_t)n);
	}
}

static int
setup(void **state)
{
	struct toy *t;
	struct err err;

	assert_non_null(t = calloc(1, sizeof *t));
	if ((t->l = listener_new("127.0.0.1", 0, &toy_ops, t, &err)) == NULL) {
		print_error("%s\n", err.msg);
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

/* Frees the listener and checks every client state came back once. */
static int
teardown(void **state)
{
	struct toy *t = *state;

	listener_free(t->l);
	assert_int_equal(t->closed, t->opened);
	free(t);
	return 0;
}

/* After the answer the listener reads and discards what the client sends,
 * up to the cap, then closes; neither counts as a drop. */
static void
test_drain_cap(void **state)
{
	struct toy *t = *state;
	char buf[64];
	int fd;

	fd = connect_to(t->l);
	drive(t, holds, 1);
	drive(t, quiet, 0);
	assert_int_equal(read_to_end(fd, buf, sizeof buf), strlen(GREETING));
	assert_int_equal(t->closed, 1);		/* handed back at the answer */
	send_filler(fd, DRAIN_CAP - 1000);
	drive(t, quiet, 0);
	assert_int_equal(held(t->l), 1);
	send_filler(fd, 2000);
	drive(t, holds, 0);
	assert_int_equal(listener_dropped(t->l), 0);
	close(fd);
}

/* A client that has its answer but never closes goes at its deadline,
 * not as a drop; the timeout points at that deadline. */
static void
test_drain_deadline(void **state)
{
	struct toy *t = *state;
	long long now;
	char buf[64];
	int fd, left;

	fd = connect_to(t->l);
	drive(t, holds, 1);
	drive(t, quiet, 0);
	assert_int_equal(read_to_end(fd, buf, sizeof buf), strlen(GREETING));
	now = job_now_ms();
	left = listener_timeout_ms(t->l, now);
	assert_true(left > 0 && left <= CLIENT_MS);
	listener_handle(t->l, NULL, 0, now + left - 1);
	assert_int_equal(held(t->l), 1);
	listener_handle(t->l, NULL, 0, now + left);
	assert_int_equal(held(t->l), 0);
	assert_int_equal(listener_timeout_ms(t->l, now), -1);
	assert_int_equal(listener_dropped(t->l), 0);
	close(fd);
}

/* Connects, and fails unless the listener closes the connection without
 * a word and counts it as drop number `n`. */
static void
connect_dropped(struct toy *t, int n)
{
	char buf[64];
	int fd;

	fd = connect_to(t->l);
	drive(t, dropped, n);
	assert_int_equal(held(t->l), 0);
	assert_int_equal(read_to_end(fd, buf, sizeof buf), 0);
	close(fd);
}

/* A connection the protocol refuses, or gives up on, is closed at once
 * without an answer and counted as dropped. */
static void
test_refused_and_given_up(void **state)
{
	struct toy *t = *state;

	t->refuse = 1;
	connect_dropped(t, 1);
	assert_int_equal(t->opened, 0);
	t->refuse = 0;
	t->give_up = 1;
	connect_dropped(t, 2);
	assert_int_equal(t->opened, 1);
	assert_int_equal(t->closed, 1);
}

/* Clients the protocol still holds when the listener is freed are handed
 * back too, each once. */
static void
test_free_with_clients(void **state)
{
	struct toy *t = *state;
	char buf[64];
	int fd[MAX_CLIENTS], i;

	t->silent = 1;
	for (i = 0; i < MAX_CLIENTS; i++)
		fd[i] = connect_to(t->l);
	drive(t, holds, MAX_CLIENTS);
	assert_int_equal(t->opened, MAX_CLIENTS);
	assert_int_equal(t->closed, 0);
	listener_free(t->l);
	t->l = NULL;
	assert_int_equal(t->closed, MAX_CLIENTS);
	for (i = 0; i < MAX_CLIENTS; i++) {
		assert_int_equal(read_to_end(fd[i], buf, sizeof buf), 0);
		close(fd[i]);
	}
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_drain_cap),
		T(test_drain_deadline),
		T(test_refused_and_given_up),
		T(test_free_with_clients),
	};
#undef T

	return cmocka_run_group_tests_name("listener", tests, NULL, NULL);
}
