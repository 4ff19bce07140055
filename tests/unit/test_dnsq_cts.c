/*
 * dnsq against a real DNS server: pebble-challtestsrv, started for each
 * test on free loopback ports (skipped when it is not installed), asked
 * for TXT, A, AAAA and CAA records as the engine and the wizard's
 * preflight ask them. Every wait is on a condition with a deadline.
 */
#include "autoconfig.h"

#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dnsq.h"
#include "unittest.h"

#define NAME		"_acme-challenge.x.example.test"
#define DRIVE_MS	6000

/* Starts pebble-challtestsrv with its output in `out`; returns its pid. */
static pid_t
cts_start(const char *bin, int dns, int mgmt, int *out)
{
	char dnsarg[32], mgmtarg[32];
	const char *argv[] = { bin, "-dns01", dnsarg, "-management", mgmtarg,
	    "-http01", "", "-https01", "", "-tlsalpn01", "", NULL };
	posix_spawn_file_actions_t fa;
	int pfd[2];
	pid_t pid;

	snprintf(dnsarg, sizeof dnsarg, "127.0.0.1:%d", dns);
	snprintf(mgmtarg, sizeof mgmtarg, "127.0.0.1:%d", mgmt);
	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	assert_int_equal(posix_spawn(&pid, bin, &fa, NULL,
	    (char *const *)argv, NULL), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	*out = pfd[0];
	return pid;
}

/* Waits for the line saying the management server starts. */
static void
cts_wait_started(int fd)
{
	char log[8192] = "";
	size_t len = 0;
	long long end = now_ms() + 10000;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t k;

	while (strstr(log, "Starting management server") == NULL) {
		assert_true(now_ms() < end);
		assert_true(poll(&pfd, 1, (int)(end - now_ms())) >= 0);
		k = read(fd, log + len, sizeof log - 1 - len);
		assert_true(k > 0);
		len += (size_t)k;
		log[len] = '\0';
	}
}

/* POSTs set-txt and checks for 200, retrying the connection while the
 * listener just announced is not accepting yet. */
static void
cts_post(int mgmt, int logfd, const char *path, const char *body)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	char req[512], resp[512];
	struct pollfd pfd = { .fd = logfd, .events = POLLIN };
	long long end = now_ms() + 10000;
	ssize_t k;
	int fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)mgmt);
	for (;;) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0)
			break;
		close(fd);
		assert_true(now_ms() < end);
		poll(&pfd, 1, 10);
	}
	snprintf(req, sizeof req, "POST /%s HTTP/1.0\r\nHost: "
	    "127.0.0.1\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\n\r\n%s", path, strlen(body), body);
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	k = read(fd, resp, sizeof resp - 1);
	assert_true(k > 0);
	resp[k] = '\0';
	close(fd);
	assert_non_null(strstr(resp, " 200 "));
}

static void
cts_set_txt(int mgmt, int logfd, const char *host, const char *value)
{
	char body[256];

	snprintf(body, sizeof body, "{\"host\":\"%s\",\"value\":\"%s\"}",
	    host, value);
	cts_post(mgmt, logfd, "set-txt", body);
}

/* One query of `type` driven to its end; the records, their number in n. */
static char **
cts_query(const char *resolver, const char *name, unsigned type, size_t *n)
{
	struct pollfd pfd;
	struct dnsq *q = dnsq_start(resolver, name, type, NULL);
	struct err err;
	long long end = now_ms() + DRIVE_MS;
	char **recs;

	assert_non_null(q);
	while (dnsq_pollfd(q, &pfd) == 1 && now_ms() < end) {
		assert_true(poll(&pfd, 1, dnsq_timeout_ms(q, now_ms())) >= 0);
		if (dnsq_handle(q, &pfd, now_ms()))
			break;
	}
	if (dnsq_result(q, &recs, n, &err) == -1)
		fail_msg("%s", err.msg);
	dnsq_free(q);
	return recs;
}

/* Asks `type` about `name`: exactly one record, `want`, or none when
 * `want` is NULL. */
static void
cts_expect(const char *resolver, const char *name, unsigned type, const char *want)
{
	char **recs;
	size_t n;

	recs = cts_query(resolver, name, type, &n);
	assert_int_equal(n, want != NULL ? 1 : 0);
	if (want != NULL)
		assert_string_equal(recs[0], want);
	dnsq_strings_free(recs);
}

static int
free_port(int type)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof sin;
	int fd = socket(AF_INET, type, 0), port;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* A challtestsrv of our own for one test: its pid, management port and
 * log; "resolver" gets its DNS address. Skips the test when the program
 * is not installed. */
struct cts {
	pid_t pid;
	int mgmt, logfd;
	char resolver[32];
};

/* challtestsrv says it starts its servers before their sockets are
 * bound: asks an A question until one is answered, so a query a test
 * makes is never sent to a port nobody listens on yet. */
static void
cts_wait_dns(const char *resolver)
{
	long long end = now_ms() + 10000, until;
	struct pollfd pfd;
	struct dnsq *q;
	struct err err;
	char **recs;
	size_t n;
	int rc;

	for (;;) {
		assert_true(now_ms() < end);
		q = dnsq_start(resolver, "ready.example.test", DNSQ_A, NULL);
		assert_non_null(q);
		until = now_ms() + 200;
		while (dnsq_pollfd(q, &pfd) == 1 && now_ms() < until) {
			if (poll(&pfd, 1, 20) < 0)
				break;
			if (dnsq_handle(q, &pfd, now_ms()))
				break;
		}
		rc = dnsq_result(q, &recs, &n, &err);
		dnsq_free(q);
		if (rc == 0) {
			dnsq_strings_free(recs);
			return;
		}
	}
}

static void
cts_up(struct cts *c)
{
	const char *bin = getenv("CHALLTESTSRV");
	int dns;

	if (bin == NULL || *bin == '\0')
		bin = "/usr/bin/pebble-challtestsrv";
	if (access(bin, X_OK) != 0)
		skip();
	dns = free_port(SOCK_DGRAM);
	c->mgmt = free_port(SOCK_STREAM);
	c->pid = cts_start(bin, dns, c->mgmt, &c->logfd);
	cts_wait_started(c->logfd);
	snprintf(c->resolver, sizeof c->resolver, "127.0.0.1:%d", dns);
	cts_wait_dns(c->resolver);
}

static void
cts_down(struct cts *c)
{
	kill(c->pid, SIGTERM);
	assert_int_equal(waitpid(c->pid, NULL, 0), c->pid);
	close(c->logfd);
}

static void
test_challtestsrv(void **state)
{
	struct cts c;
	char **txts;
	size_t n;

	(void)state;
	cts_up(&c);
	cts_set_txt(c.mgmt, c.logfd, "_acme-challenge.x.example.test.", "abc");
	txts = cts_query(c.resolver, NAME ".", DNSQ_TXT, &n);
	cts_down(&c);
	assert_int_equal(n, 1);
	assert_string_equal(txts[0], "abc");
	dnsq_strings_free(txts);
}

/* A, AAAA and CAA from challtestsrv, the preflight's questions. */
static void
test_challtestsrv_caa(void **state)
{
	struct cts c;

	(void)state;
	cts_up(&c);
	cts_post(c.mgmt, c.logfd, "add-caa", "{\"host\":\"x.example.test.\","
	    "\"policies\":[{\"tag\":\"issue\",\"value\":\"ca.example\"}]}");
	cts_post(c.mgmt, c.logfd, "add-aaaa", "{\"host\":\"x.example.test.\","
	    "\"addresses\":[\"2001:db8::5\"]}");
	cts_expect(c.resolver, "x.example.test", DNSQ_CAA, "0 issue ca.example");
	cts_expect(c.resolver, "x.example.test", DNSQ_AAAA, "2001:db8::5");
	/* challtestsrv's default address answers every A question. */
	cts_expect(c.resolver, "y.example.test", DNSQ_A, "127.0.0.1");
	cts_expect(c.resolver, "y.example.test", DNSQ_CAA, NULL);
	cts_down(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_challtestsrv),
		cmocka_unit_test(test_challtestsrv_caa),
	};

	return unittest_run_tap("dnsq_cts", tests, sizeof tests / sizeof tests[0]);
}
