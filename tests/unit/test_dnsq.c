/*
 * Unit tests for dnsq: a small fake DNS server on 127.0.0.1 (UDP and TCP
 * on one port) answers in the test's own poll loop, well or badly as each
 * test asks (pebble-challtestsrv, a real one: test_dnsq_cts.c).
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
#include "unittest.h"

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
#undef T
	};

	return unittest_run_tap("dnsq", tests, sizeof tests / sizeof tests[0]);
}
