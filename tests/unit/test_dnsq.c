/*
 * Unit tests for dnsq: a small fake DNS server on 127.0.0.1 (UDP and TCP
 * on one port) answers in the test's own poll loop, well or badly as each
 * test asks; one test queries pebble-challtestsrv when it is installed.
 * Every wait is on a condition with a deadline.
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dnsq.h"

#define NAME		"_acme-challenge.x.example.test"
#define DRIVE_MS	6000

enum mode {
	M_TWO_STRINGS, M_MULTI, M_NXDOMAIN, M_SERVFAIL, M_REFUSED, M_LOOP,
	M_SHORT, M_BAD_TXT, M_MANY, M_FORGED, M_SILENT, M_TC, M_CNAME
};

struct fake {
	enum mode	 mode;
	int		 udp;
	int		 listen;
	int		 conn;
	int		 other;		/* a socket at another port */
	int		 port;
	int		 udp_queries;
	int		 tcp_queries;
	unsigned char	 in[600];
	size_t		 inlen;
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
bound_socket(int type, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof sin;
	int fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	if ((fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    (type == SOCK_STREAM && listen(fd, 4) == -1) ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
setup(void **state)
{
	struct fake *f = calloc(1, sizeof *f);
	int i, fd;

	assert_non_null(f);
	/* UDP on port 0, then TCP on the same number; another try if that
	 * number is taken for TCP. */
	for (i = 0; i < 20; i++) {
		struct sockaddr_in sin;
		socklen_t len = sizeof sin;

		fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin),
		    0);
		assert_int_equal(getsockname(fd, (struct sockaddr *)&sin,
		    &len), 0);
		f->udp = fd;
		f->port = ntohs(sin.sin_port);
		if ((f->listen = bound_socket(SOCK_STREAM, f->port)) != -1)
			break;
		close(fd);
	}
	assert_true(f->listen != -1);
	f->other = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(f->other != -1);
	f->conn = -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fake *f = *state;

	close(f->udp);
	close(f->listen);
	close(f->other);
	if (f->conn != -1)
		close(f->conn);
	free(f);
	return 0;
}

static size_t
put16(unsigned char *p, size_t n, unsigned v)
{
	p[n] = v >> 8;
	p[n + 1] = v & 0xff;
	return n + 2;
}

/* Appends a record: owner (wire form), type, class IN, TTL 60, data. */
static size_t
add_rr(unsigned char *p, size_t n, const void *owner, size_t olen,
    unsigned type, const void *rd, size_t rdlen)
{
	memcpy(p + n, owner, olen);
	n += olen;
	n = put16(p, n, type);
	n = put16(p, n, 1);
	n = put16(p, n, 0);
	n = put16(p, n, 60);
	n = put16(p, n, (unsigned)rdlen);
	memcpy(p + n, rd, rdlen);
	return n + rdlen;
}

static const unsigned char QPTR[] = { 0xc0, 12 };	/* the question's name */

/* Builds the answer `mode` calls for to the query in `q`; returns its
 * length, 0 for no answer. */
static size_t
fake_answer(enum mode mode, int tcp, const unsigned char *q, size_t qlen,
    unsigned char *p)
{
	static const unsigned char two[] = "\3abc\3def";
	static const unsigned char target[] = "\6target\7example\4test";
	size_t n, an = 0;
	unsigned rcode = 0;

	memcpy(p, q, qlen);
	p[2] = 0x81;
	n = qlen;
	switch (mode) {
	case M_TWO_STRINGS:
	case M_SHORT:
		n = add_rr(p, n, QPTR, 2, 16, two, 8);
		an = 1;
		if (mode == M_SHORT)
			n -= 3;
		break;
	case M_MULTI:
		n = add_rr(p, n, QPTR, 2, 16, "\3one", 4);
		n = add_rr(p, n, QPTR, 2, 1, "\x7f\0\0\1", 4);
		n = add_rr(p, n, QPTR, 2, 16, "\3two", 4);
		n = add_rr(p, n, target, sizeof target, 16, "\5other", 6);
		n = add_rr(p, n, QPTR, 2, 16, "\5three\0", 7);
		n = add_rr(p, n, QPTR, 2, 16, "\2a\0", 3);	/* a NUL */
		an = 6;
		break;
	case M_CNAME:
		n = add_rr(p, n, QPTR, 2, 5, target, sizeof target);
		n = add_rr(p, n, QPTR, 2, 16, "\5wrong", 6);
		n = add_rr(p, n, target, sizeof target, 16, "\5right", 6);
		an = 3;
		break;
	case M_NXDOMAIN:
		rcode = 3;
		break;
	case M_SERVFAIL:
		rcode = 2;
		break;
	case M_REFUSED:
		rcode = 5;
		break;
	case M_LOOP: {
		/* The owner is "a" followed by a pointer to itself. */
		unsigned char self[4] = { 1, 'a', 0xc0, 0 };

		self[3] = (unsigned char)n;
		n = add_rr(p, n, self, 4, 16, "\1x", 2);
		an = 1;
		break;
	}
	case M_BAD_TXT:
		n = add_rr(p, n, QPTR, 2, 16, "\11abc", 4);
		an = 1;
		break;
	case M_MANY:
		an = DNSQ_MAX_ANSWERS + 1;
		for (size_t i = 0; i < an; i++)
			n = add_rr(p, n, QPTR, 2, 16, "\1x", 2);
		break;
	case M_TC:
		if (tcp)
			return fake_answer(M_TWO_STRINGS, tcp, q, qlen, p);
		p[2] |= 0x02;
		break;
	case M_FORGED:
	case M_SILENT:
		return 0;
	}
	p[3] = 0x80 | rcode;
	put16(p, 6, (unsigned)an);
	return n;
}

/* Sends the answers nobody may accept: a wrong ID, a different question,
 * the right answer from another port. */
static void
fake_forge(struct fake *f, const unsigned char *q, size_t qlen,
    const struct sockaddr_storage *to, socklen_t tolen)
{
	unsigned char p[600];
	size_t n;

	n = fake_answer(M_TWO_STRINGS, 0, q, qlen, p);
	p[0] ^= 0x55;
	sendto(f->udp, p, n, 0, (const void *)to, tolen);
	p[0] ^= 0x55;
	p[14] = 'b';		/* "_bcme-challenge" */
	sendto(f->udp, p, n, 0, (const void *)to, tolen);
	p[14] = 'a';
	sendto(f->other, p, n, 0, (const void *)to, tolen);
}

static void
fake_udp(struct fake *f)
{
	unsigned char q[600], p[8192];
	struct sockaddr_storage from;
	socklen_t fl = sizeof from;
	ssize_t k;
	size_t n;

	while ((k = recvfrom(f->udp, q, sizeof q, 0, (void *)&from,
	    &fl)) > 0) {
		f->udp_queries++;
		if (f->mode == M_FORGED)
			fake_forge(f, q, (size_t)k, &from, fl);
		if ((n = fake_answer(f->mode, 0, q, (size_t)k, p)) > 0)
			sendto(f->udp, p, n, 0, (void *)&from, fl);
		fl = sizeof from;
	}
}

static void
fake_tcp(struct fake *f)
{
	unsigned char p[8192 + 2];
	ssize_t k;
	size_t n;

	if (f->conn == -1) {
		f->conn = accept4(f->listen, NULL, NULL, SOCK_NONBLOCK |
		    SOCK_CLOEXEC);
		f->inlen = 0;
		if (f->conn == -1)
			return;
	}
	k = recv(f->conn, f->in + f->inlen, sizeof f->in - f->inlen, 0);
	if (k <= 0)
		return;
	f->inlen += (size_t)k;
	if (f->inlen < 2 || f->inlen < 2 + ((size_t)f->in[0] << 8 | f->in[1]))
		return;
	f->tcp_queries++;
	n = fake_answer(f->mode, 1, f->in + 2, f->inlen - 2, p + 2);
	put16(p, 0, (unsigned)n);
	assert_int_equal(send(f->conn, p, n + 2, MSG_NOSIGNAL), (ssize_t)n + 2);
}

/* Runs the query to its end with the fake server in the same loop. */
static void
drive(struct fake *f, struct dnsq *q)
{
	struct pollfd fds[4];
	long long end = now_ms() + DRIVE_MS;
	int n, t, done = 0;

	while (!done && now_ms() < end) {
		n = dnsq_pollfd(q, &fds[0]);
		assert_int_equal(n, 1);
		fds[1] = (struct pollfd){ .fd = f->udp, .events = POLLIN };
		fds[2] = (struct pollfd){ .fd = f->listen, .events = POLLIN };
		fds[3] = (struct pollfd){ .fd = f->conn, .events = POLLIN };
		t = dnsq_timeout_ms(q, now_ms());
		assert_true(poll(fds, 4, t) >= 0);
		if (fds[1].revents)
			fake_udp(f);
		if (fds[2].revents || fds[3].revents)
			fake_tcp(f);
		done = dnsq_handle(q, &fds[0], now_ms());
	}
	assert_true(done);
	assert_int_equal(dnsq_pollfd(q, &fds[0]), 0);
	assert_int_equal(dnsq_timeout_ms(q, now_ms()), 0);
}

static struct dnsq *
query(struct fake *f, enum mode mode, const char *name)
{
	char resolver[32];
	struct dnsq *q;
	struct err err;

	f->mode = mode;
	snprintf(resolver, sizeof resolver, "127.0.0.1:%d", f->port);
	if ((q = dnsq_txt_start(resolver, name, &err)) == NULL)
		fail_msg("dnsq_txt_start: %s", err.msg);
	drive(f, q);
	return q;
}

/* Queries and expects success with exactly the strings in `want`. */
static void
expect_txts(struct fake *f, enum mode mode, const char *const *want,
    size_t nwant)
{
	struct dnsq *q = query(f, mode, NAME);
	struct err err;
	char **txts;
	size_t n, i;

	if (dnsq_result(q, &txts, &n, &err) == -1)
		fail_msg("dnsq_result: %s", err.msg);
	assert_int_equal(n, nwant);
	for (i = 0; i < n; i++)
		assert_string_equal(txts[i], want[i]);
	assert_null(txts[n]);
	dnsq_strings_free(txts);
	dnsq_free(q);
}

/* Queries and expects an error containing `why` and the resolver. */
static void
expect_error(struct fake *f, enum mode mode, const char *why)
{
	struct dnsq *q = query(f, mode, NAME);
	char port[64], **txts;
	struct err err;
	size_t n;

	assert_int_equal(dnsq_result(q, &txts, &n, &err), -1);
	assert_null(txts);
	if (strstr(err.msg, why) == NULL)
		fail_msg("expected \"%s\" in \"%s\"", why, err.msg);
	snprintf(port, sizeof port, ":%d: " NAME " TXT", f->port);
	assert_non_null(strstr(err.msg, "127.0.0.1"));
	assert_non_null(strstr(err.msg, port));
	dnsq_free(q);
}

static void
test_two_strings_joined(void **state)
{
	const char *want[] = { "abcdef" };

	expect_txts(*state, M_TWO_STRINGS, want, 1);
}

static void
test_several_records(void **state)
{
	const char *want[] = { "one", "two", "three" };

	expect_txts(*state, M_MULTI, want, 3);
}

static void
test_cname_followed(void **state)
{
	const char *want[] = { "right" };

	expect_txts(*state, M_CNAME, want, 1);
}

static void
test_nxdomain_is_empty(void **state)
{
	expect_txts(*state, M_NXDOMAIN, NULL, 0);
}

static void
test_truncated_retried_over_tcp(void **state)
{
	struct fake *f = *state;
	const char *want[] = { "abcdef" };

	expect_txts(f, M_TC, want, 1);
	assert_int_equal(f->udp_queries, 1);
	assert_int_equal(f->tcp_queries, 1);
}

static void
test_server_errors(void **state)
{
	expect_error(*state, M_SERVFAIL, "SERVFAIL");
	expect_error(*state, M_REFUSED, "REFUSED");
}

static void
test_malformed_answers(void **state)
{
	expect_error(*state, M_LOOP, "compression pointer loop");
	expect_error(*state, M_SHORT, "runs past");
	expect_error(*state, M_BAD_TXT, "TXT string runs past its record");
	expect_error(*state, M_MANY, "too many answers");
}

static void
test_forged_answers_ignored(void **state)
{
	struct fake *f = *state;
	long long t0 = now_ms();

	expect_error(f, M_FORGED, "no answer within 3000 ms");
	assert_true(now_ms() - t0 >= DNSQ_TOTAL_MS);
	assert_int_equal(f->udp_queries, 1 + DNSQ_RETRIES);
}

static void
test_no_answer_retransmits(void **state)
{
	struct fake *f = *state;
	long long t0 = now_ms();

	expect_error(f, M_SILENT, "no answer within 3000 ms (4 queries sent)");
	assert_true(now_ms() - t0 >= DNSQ_TOTAL_MS);
	assert_true(now_ms() - t0 < DNSQ_TOTAL_MS + 1000);
	assert_int_equal(f->udp_queries, 1 + DNSQ_RETRIES);
}

static void
test_ipv6_resolver(void **state)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	socklen_t len = sizeof sin6;
	struct fake *f = *state;
	char resolver[64], **txts;
	struct dnsq *q;
	struct err err;
	size_t n;
	int fd, v4;

	sin6.sin6_addr = in6addr_loopback;
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sin6, sizeof sin6) == -1) {
		if (fd != -1)
			close(fd);
		skip();		/* no IPv6 loopback here */
	}
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin6, &len), 0);
	v4 = f->udp;
	f->udp = fd;
	f->mode = M_TWO_STRINGS;
	snprintf(resolver, sizeof resolver, "[::1]:%d",
	    ntohs(sin6.sin6_port));
	assert_non_null(q = dnsq_txt_start(resolver, NAME, &err));
	drive(f, q);
	f->udp = v4;
	close(fd);
	if (dnsq_result(q, &txts, &n, &err) == -1)
		fail_msg("%s", err.msg);
	assert_int_equal(n, 1);
	assert_string_equal(txts[0], "abcdef");
	dnsq_strings_free(txts);
	dnsq_free(q);
}

static void
test_bad_arguments(void **state)
{
	static const char *const names[] = { "", ".", "a..b", "a b.test",
	    "$(id).test", "a/b", NULL };
	static const char *const resolvers[] = { "", "localhost:53",
	    "127.0.0.1:x", "[::1", "[::1]x", NULL };
	char long_label[80], result_name[] = "example.test";
	struct err err;
	struct dnsq *q;
	char **txts;
	size_t i, n;

	(void)state;
	for (i = 0; names[i] != NULL; i++)
		assert_null(dnsq_txt_start("127.0.0.1:53", names[i], &err));
	memset(long_label, 'a', 64);
	strcpy(long_label + 64, ".test");
	assert_null(dnsq_txt_start("127.0.0.1:53", long_label, &err));
	assert_non_null(strstr(err.msg, "63"));
	for (i = 0; resolvers[i] != NULL; i++)
		assert_null(dnsq_txt_start(resolvers[i], "x.test", &err));
	/* IPv6 forms parse; a result before the end is refused. */
	q = dnsq_txt_start("[::1]:9", result_name, &err);
	if (q != NULL) {
		assert_int_equal(dnsq_result(q, &txts, &n, &err), -1);
		assert_non_null(strstr(err.msg, "not finished"));
		dnsq_free(q);
	}
	dnsq_free(NULL);
	dnsq_strings_free(NULL);
}

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
	char **recs;
	size_t n;

	(void)state;
	cts_up(&c);
	cts_post(c.mgmt, c.logfd, "add-caa", "{\"host\":\"x.example.test.\","
	    "\"policies\":[{\"tag\":\"issue\",\"value\":\"ca.example\"}]}");
	cts_post(c.mgmt, c.logfd, "add-aaaa", "{\"host\":\"x.example.test.\","
	    "\"addresses\":[\"2001:db8::5\"]}");
	recs = cts_query(c.resolver, "x.example.test", DNSQ_CAA, &n);
	assert_int_equal(n, 1);
	assert_string_equal(recs[0], "0 issue ca.example");
	dnsq_strings_free(recs);
	recs = cts_query(c.resolver, "x.example.test", DNSQ_AAAA, &n);
	assert_int_equal(n, 1);
	assert_string_equal(recs[0], "2001:db8::5");
	dnsq_strings_free(recs);
	/* challtestsrv's default address answers every A question. */
	recs = cts_query(c.resolver, "y.example.test", DNSQ_A, &n);
	assert_int_equal(n, 1);
	assert_string_equal(recs[0], "127.0.0.1");
	dnsq_strings_free(recs);
	recs = cts_query(c.resolver, "y.example.test", DNSQ_CAA, &n);
	assert_int_equal(n, 0);
	dnsq_strings_free(recs);
	cts_down(&c);
}

/* cmocka 1.1.5 reports a skipped test as "not ok N # SKIP", which
 * automake's TAP driver counts as a failure; the suite runs in a child
 * and its skips are passed on as "ok N # SKIP". Returns the exit code. */
static int
tap_skips_fixed(const struct CMUnitTest *tests, size_t n)
{
	char *line = NULL;
	size_t cap = 0;
	int pfd[2], status;
	FILE *in;
	pid_t pid;

	fflush(stdout);
	if (pipe(pfd) == -1 || (pid = fork()) == -1)
		return 99;
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		status = _cmocka_run_group_tests("dnsq", tests, n, NULL, NULL);
		fflush(stdout);
		_exit(status);
	}
	close(pfd[1]);
	if ((in = fdopen(pfd[0], "r")) == NULL)
		return 99;
	while (getline(&line, &cap, in) != -1) {
		if (strncmp(line, "not ok ", 7) == 0 &&
		    strstr(line, " # SKIP") != NULL)
			fputs(line + 4, stdout);
		else
			fputs(line, stdout);
	}
	free(line);
	fclose(in);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 99;
	return WEXITSTATUS(status);
}

/* The system's resolver: the first nameserver line of resolv.conf. */
static void
test_system_resolver(void **state)
{
	char path[] = "/tmp/test_dnsq_resolv.XXXXXX", out[80];
	struct err err;
	FILE *f;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fputs("# generated\nsearch example.test\n  nameserver 192.0.2.53\n"
	    "nameserver 192.0.2.54\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(dnsq_system_resolver(path, out, sizeof out, &err), 0);
	assert_string_equal(out, "192.0.2.53");
	assert_non_null(f = fopen(path, "w"));
	fputs("options ndots:2\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(dnsq_system_resolver(path, out, sizeof out, &err), -1);
	assert_non_null(strstr(err.msg, "names no nameserver"));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(dnsq_system_resolver(path, out, sizeof out, &err), -1);
	assert_non_null(strstr(err.msg, path));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_two_strings_joined),
		T(test_several_records),
		T(test_cname_followed),
		T(test_nxdomain_is_empty),
		T(test_truncated_retried_over_tcp),
		T(test_server_errors),
		T(test_malformed_answers),
		T(test_forged_answers_ignored),
		T(test_no_answer_retransmits),
		T(test_ipv6_resolver),
		T(test_bad_arguments),
		T(test_system_resolver),
		T(test_challtestsrv),
		T(test_challtestsrv_caa),
#undef T
	};

	return tap_skips_fixed(tests, sizeof tests / sizeof tests[0]);
}
