/*
 * Unit tests for the endpoint probe: real sockets on loopback and a real
 * GnuTLS server in a thread of its own, which serves self-signed
 * certificates made here, or accepts and stays silent, or answers like a
 * plain HTTP server, or hangs up. Every wait is poll() with a deadline;
 * the time-out test measures the probe's own bound.
 */
#include "autoconfig.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
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
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "crypto.h"
#include "job.h"
#include "probe.h"

#define SERVER_HOLD	8	/* silent connections kept open */
#define TLS_MS		5000	/* the server's own handshake bound */
#define PROBE_MS	5000
#define SHORT_MS	300
#define FILLERS		4	/* connections that fill an accept queue */
#define BIG_CHAIN	256	/* copies of one certificate: over 64 KiB */
#define HTTP_REPLY	"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n" \
			"Connection: close\r\n\r\n"

enum mode { SERVE_TLS, SERVE_SILENT, SERVE_HTTP, SERVE_HANGUP };

/* A self-signed certificate for one name, and its expected fingerprint. */
struct tcert {
	gnutls_x509_privkey_t	 key;
	gnutls_x509_crt_t	 crt;
	char			 sha256_hex[65];
};

struct tserver {
	enum mode		 mode;
	int			 lfd;
	int			 port;
	int			 stop[2];
	pthread_t		 thread;
	gnutls_certificate_credentials_t cred;
	int			 held[SERVER_HOLD];
	int			 nheld;
	int			 handshakes;	/* read after the join */
	char			 sni[256];
};

static struct tcert cert_a, cert_b;

static void
tcert_make(struct tcert *t, const char *name)
{
	static unsigned char serial[] = { 0x42, 0x00 };
	struct crypto_cert_info info;
	gnutls_datum_t pem;
	time_t now = time(NULL);
	struct err err;

	serial[1]++;
	assert_int_equal(gnutls_x509_privkey_init(&t->key), 0);
	assert_int_equal(gnutls_x509_privkey_generate(t->key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), 0);
	assert_int_equal(gnutls_x509_crt_init(&t->crt), 0);
	assert_int_equal(gnutls_x509_crt_set_version(t->crt, 3), 0);
	assert_int_equal(gnutls_x509_crt_set_serial(t->crt, serial,
	    sizeof serial), 0);
	assert_int_equal(gnutls_x509_crt_set_activation_time(t->crt,
	    now - 3600), 0);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(t->crt,
	    now + 86400), 0);
	assert_int_equal(gnutls_x509_crt_set_dn_by_oid(t->crt,
	    GNUTLS_OID_X520_COMMON_NAME, 0, name, (unsigned)strlen(name)), 0);
	assert_int_equal(gnutls_x509_crt_set_subject_alt_name(t->crt,
	    GNUTLS_SAN_DNSNAME, name, (unsigned)strlen(name),
	    GNUTLS_FSAN_SET), 0);
	assert_int_equal(gnutls_x509_crt_set_key(t->crt, t->key), 0);
	assert_int_equal(gnutls_x509_crt_sign2(t->crt, t->crt, t->key,
	    GNUTLS_DIG_SHA256, 0), 0);
	/* The fingerprint the store would hold, from the engine's parser. */
	assert_int_equal(gnutls_x509_crt_export2(t->crt, GNUTLS_X509_FMT_PEM,
	    &pem), 0);
	assert_int_equal(crypto_cert_parse_pem((const char *)pem.data,
	    pem.size, &info, &err), 0);
	memcpy(t->sha256_hex, info.sha256_hex, sizeof t->sha256_hex);
	crypto_cert_info_free(&info);
	gnutls_free(pem.data);
}

static void
tcert_free(struct tcert *t)
{
	gnutls_x509_crt_deinit(t->crt);
	gnutls_x509_privkey_deinit(t->key);
}

static int
setup_group(void **state)
{
	(void)state;
	tcert_make(&cert_a, "a.example");
	tcert_make(&cert_b, "b.example");
	return 0;
}

static int
teardown_group(void **state)
{
	(void)state;
	tcert_free(&cert_a);
	tcert_free(&cert_b);
	return 0;
}

/* Binds a TCP socket to `addr` port 0; returns it, or -1 when the
 * address cannot be bound here (no IPv6, say). */
static int
bind_any(const char *addr, int *port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd;

	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		len = sizeof *sin;
	} else {
		assert_int_equal(inet_pton(AF_INET6, addr, &sin6->sin6_addr),
		    1);
		sin6->sin6_family = AF_INET6;
		len = sizeof *sin6;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&ss, len) == -1) {
		close(fd);
		return -1;
	}
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	*port = ntohs(ss.ss_family == AF_INET ? sin->sin_port :
	    sin6->sin6_port);
	return fd;
}

/* Remembers the name the client asked for. */
static int
server_hello(gnutls_session_t s)
{
	struct tserver *ts = gnutls_session_get_ptr(s);
	size_t len = sizeof ts->sni;
	unsigned int type;

	if (gnutls_server_name_get(s, ts->sni, &len, &type, 0) < 0)
		ts->sni[0] = '\0';
	return 0;
}

static void
server_tls(struct tserver *ts, int fd)
{
	gnutls_session_t s;
	int rc;

	if (gnutls_init(&s, GNUTLS_SERVER | GNUTLS_NO_SIGNAL) < 0)
		return;
	gnutls_set_default_priority(s);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, ts->cred);
	gnutls_session_set_ptr(s, ts);
	gnutls_handshake_set_post_client_hello_function(s, server_hello);
	gnutls_handshake_set_timeout(s, TLS_MS);
	gnutls_transport_set_int(s, fd);
	do
		rc = gnutls_handshake(s);
	while (rc < 0 && !gnutls_error_is_fatal(rc));
	if (rc == 0) {
		ts->handshakes++;
		gnutls_bye(s, GNUTLS_SHUT_WR);
	}
	gnutls_deinit(s);
}

/* Reads what the client sends first, the ClientHello, so that closing
 * afterwards is an orderly end of stream rather than a reset; returns 1
 * when something was read. */
static int
server_read_hello(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[4096];

	return poll(&pfd, 1, TLS_MS) == 1 && read(fd, buf, sizeof buf) > 0;
}

static void
server_accept(struct tserver *ts)
{
	int fd;

	if ((fd = accept4(ts->lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		return;
	if (ts->mode == SERVE_SILENT && ts->nheld < SERVER_HOLD) {
		ts->held[ts->nheld++] = fd;
		return;
	}
	if (ts->mode == SERVE_TLS)
		server_tls(ts, fd);
	else if (server_read_hello(fd) && ts->mode == SERVE_HTTP)
		/* A web server that was not asked for TLS. */
		(void)!write(fd, HTTP_REPLY, sizeof HTTP_REPLY - 1);

	close(fd);
}

static void *
server_main(void *arg)
{
	struct tserver *ts = arg;
	struct pollfd pfd[2];

	for (;;) {
		pfd[0].fd = ts->lfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = ts->stop[0];
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) == -1 && errno != EINTR)
			break;
		if (pfd[1].revents != 0)
			break;
		if (pfd[0].revents & POLLIN)
			server_accept(ts);
	}
	return NULL;
}

/* Starts a server on `addr` serving `mode`; with TLS, certificate A is
 * the default and B is chosen by the SNI name b.example, and with `big`
 * A comes with a chain of BIG_CHAIN copies of itself. Returns 0, or -1
 * when the address cannot be bound here. */
static int
server_start_big(struct tserver *ts, const char *addr, enum mode mode,
    int big)
{
	gnutls_x509_crt_t chain[BIG_CHAIN];
	int i;

	memset(ts, 0, sizeof *ts);
	ts->mode = mode;
	if ((ts->lfd = bind_any(addr, &ts->port)) == -1)
		return -1;
	assert_int_equal(listen(ts->lfd, 16), 0);
	assert_int_equal(pipe(ts->stop), 0);
	assert_int_equal(gnutls_certificate_allocate_credentials(&ts->cred),
	    0);
	for (i = 0; i < BIG_CHAIN; i++)
		chain[i] = cert_a.crt;
	assert_int_equal(gnutls_certificate_set_x509_key(ts->cred, chain,
	    big ? BIG_CHAIN : 1, cert_a.key), 0);
	assert_int_equal(gnutls_certificate_set_x509_key(ts->cred,
	    &cert_b.crt, 1, cert_b.key), 0);
	assert_int_equal(pthread_create(&ts->thread, NULL, server_main, ts),
	    0);
	return 0;
}

static int
server_start(struct tserver *ts, const char *addr, enum mode mode)
{
	return server_start_big(ts, addr, mode, 0);
}

static void
server_stop(struct tserver *ts)
{
	int i;

	assert_int_equal(write(ts->stop[1], "x", 1), 1);
	assert_int_equal(pthread_join(ts->thread, NULL), 0);
	for (i = 0; i < ts->nheld; i++)
		close(ts->held[i]);
	close(ts->stop[0]);
	close(ts->stop[1]);
	close(ts->lfd);
	gnutls_certificate_free_credentials(ts->cred);
}

static void
assert_served(const char *host, int port, const char *sni,
    const struct tcert *want)
{
	char hex[65];
	struct err err;

	err_clear(&err);
	if (probe_run(host, port, sni, PROBE_MS, hex, &err) !=
	    PROBE_SERVED_CERT)
		fail_msg("%s", err.msg);
	assert_string_equal(hex, want->sha256_hex);
}

static void
assert_failed(const char *host, int port, int timeout_ms,
    enum probe_outcome want, const char *why)
{
	char hex[65] = "x";
	struct err err;

	err_clear(&err);
	assert_int_equal(probe_run(host, port, NULL, timeout_ms, hex, &err),
	    want);
	assert_string_equal(hex, "");
	assert_int_equal(err.code, ERR_NET);
	if (strstr(err.msg, why) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", err.msg, why);
}

/* Probes a server of `mode` (see server_start_big()) on loopback and
 * expects the probe to fail with `want` and a message holding `why`. */
static void
assert_server_fails(enum mode mode, int big, int timeout_ms,
    enum probe_outcome want, const char *why)
{
	struct tserver ts;

	assert_int_equal(server_start_big(&ts, "127.0.0.1", mode, big), 0);
	assert_failed("127.0.0.1", ts.port, timeout_ms, want, why);
	server_stop(&ts);
}

/* Fails unless a probe bounded by SHORT_MS took about that long. */
static void
assert_elapsed(long long elapsed)
{
	if (elapsed < SHORT_MS || elapsed > SHORT_MS + 1000)
		fail_msg("the probe took %lld ms for a %d ms bound", elapsed,
		    SHORT_MS);
}

/* ---------------------------------------------------------------- tests */

static void
test_served(void **state)
{
	struct tserver ts;

	(void)state;
	assert_int_equal(server_start(&ts, "127.0.0.1", SERVE_TLS), 0);
	assert_served("127.0.0.1", ts.port, NULL, &cert_a);
	server_stop(&ts);
	assert_int_equal(ts.handshakes, 1);
	assert_string_equal(ts.sni, "");
	assert_string_not_equal(cert_a.sha256_hex, cert_b.sha256_hex);
}

static void
test_sni_selects(void **state)
{
	struct tserver ts;

	(void)state;
	assert_int_equal(server_start(&ts, "127.0.0.1", SERVE_TLS), 0);
	assert_served("127.0.0.1", ts.port, "b.example", &cert_b);
	assert_served("127.0.0.1", ts.port, "a.example", &cert_a);
	server_stop(&ts);
	assert_string_equal(ts.sni, "a.example");
	assert_int_equal(ts.handshakes, 2);
}

static void
test_ipv6(void **state)
{
	struct tserver ts;

	(void)state;
	if (server_start(&ts, "::1", SERVE_TLS) == -1)
		skip();
	assert_served("::1", ts.port, "b.example", &cert_b);
	assert_served("[::1]", ts.port, NULL, &cert_a);
	server_stop(&ts);
	assert_int_equal(ts.handshakes, 2);
}

/* "localhost" comes from the hosts file: no resolver is asked. When it
 * names ::1 first, the refused IPv6 connection falls back to IPv4. */
static void
test_name_resolved(void **state)
{
	struct tserver ts;

	(void)state;
	assert_int_equal(server_start(&ts, "127.0.0.1", SERVE_TLS), 0);
	assert_served("localhost", ts.port, "b.example", &cert_b);
	server_stop(&ts);
}

static void
test_refused(void **state)
{
	int fd, port;

	(void)state;
	/* Bound but not listening: the port stays ours and refuses. */
	assert_true((fd = bind_any("127.0.0.1", &port)) != -1);
	assert_failed("127.0.0.1", port, PROBE_MS, PROBE_UNREACHABLE,
	    "connect: Connection refused");
	close(fd);
}

/* A listening socket whose accept queue is full drops new SYNs, so the
 * probe's connection never completes: a connect time-out without
 * leaving loopback. */
static void
test_connect_bounded(void **state)
{
	struct sockaddr_in sin;
	long long t0, elapsed;
	int lfd, port, fill[FILLERS], i;

	(void)state;
	assert_true((lfd = bind_any("127.0.0.1", &port)) != -1);
	assert_int_equal(listen(lfd, 0), 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < FILLERS; i++) {
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		assert_true(fill[i] != -1);
		assert_true(connect(fill[i], (struct sockaddr *)&sin,
		    sizeof sin) == 0 || errno == EINPROGRESS);
	}
	t0 = job_now_ms();
	assert_failed("127.0.0.1", port, SHORT_MS, PROBE_UNREACHABLE,
	    "connect: no answer within 300 ms");
	elapsed = job_now_ms() - t0;
	for (i = 0; i < FILLERS; i++)
		close(fill[i]);
	close(lfd);
	assert_elapsed(elapsed);
}

static void
test_silent_bounded(void **state)
{
	long long t0;

	(void)state;
	t0 = job_now_ms();
	assert_server_fails(SERVE_SILENT, 0, SHORT_MS, PROBE_TLS_ERROR,
	    "TLS handshake: not finished within 300 ms");
	assert_elapsed(job_now_ms() - t0);
}

static void
test_plain_http(void **state)
{
	(void)state;
	/* GnuTLS's reason: 'H' is no TLS record type. */
	assert_server_fails(SERVE_HTTP, 0, PROBE_MS, PROBE_TLS_ERROR,
	    gnutls_strerror(GNUTLS_E_UNEXPECTED_PACKET));
}

static void
test_hangup(void **state)
{
	(void)state;
	assert_server_fails(SERVE_HANGUP, 0, PROBE_MS, PROBE_TLS_ERROR,
	    gnutls_strerror(GNUTLS_E_PREMATURE_TERMINATION));
}

/* A chain GnuTLS would take, but over what a probe reads. */
static void
test_read_bounded(void **state)
{
	char why[64];

	(void)state;
	snprintf(why, sizeof why, "the server sent more than %d bytes",
	    PROBE_READ_MAX);
	assert_server_fails(SERVE_TLS, 1, PROBE_MS, PROBE_TLS_ERROR, why);
}

/* The step interface in a loop of the test's own: nothing is known
 * before the end, the descriptor goes away at the end, and the result
 * stays readable until the probe is freed. */
static void
test_steps(void **state)
{
	struct tserver ts;
	struct probe *p;
	struct pollfd pfd;
	struct err err;
	char hex[65];
	long long deadline;
	int n = 0, passes = 0;

	(void)state;
	assert_int_equal(server_start(&ts, "127.0.0.1", SERVE_TLS), 0);
	assert_non_null(p = probe_start("127.0.0.1", ts.port, "b.example",
	    PROBE_MS, &err));
	assert_int_equal(probe_timeout_ms(p, job_now_ms()), 0);
	assert_int_equal(probe_result(p, hex, &err), 0);
	assert_non_null(strstr(err.msg, "not finished"));
	deadline = job_now_ms() + PROBE_MS;
	while (!probe_handle(p, n > 0 ? &pfd : NULL, job_now_ms())) {
		assert_true(job_now_ms() < deadline);
		n = probe_pollfd(p, &pfd);
		assert_int_equal(n, 1);
		assert_true(probe_timeout_ms(p, job_now_ms()) <= PROBE_MS);
		assert_true(poll(&pfd, 1, probe_timeout_ms(p, job_now_ms()))
		    >= 0);
		passes++;
	}
	assert_true(passes > 0);
	assert_int_equal(probe_pollfd(p, &pfd), 0);
	assert_int_equal(probe_timeout_ms(p, job_now_ms()), 0);
	assert_int_equal(probe_handle(p, NULL, job_now_ms()), 1);
	assert_int_equal(probe_result(p, hex, &err), PROBE_SERVED_CERT);
	assert_string_equal(hex, cert_b.sha256_hex);
	assert_int_equal(probe_result(p, NULL, &err), PROBE_SERVED_CERT);
	probe_free(p);
	server_stop(&ts);
}

static void
assert_refused(const char *host, int port, const char *sni, int ms,
    const char *why)
{
	struct err err;

	err_clear(&err);
	assert_null(probe_start(host, port, sni, ms, &err));
	assert_int_equal(err.code, ERR_CONFIG);
	if (strstr(err.msg, why) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", err.msg, why);
}

static void
test_bad_arguments(void **state)
{
	char hex[65];
	struct err err;

	(void)state;
	assert_refused(NULL, 443, NULL, 100, "host is empty");
	assert_refused("", 443, NULL, 100, "host is empty");
	assert_refused("[]", 443, NULL, 100, "host is empty");
	assert_refused("127.0.0.1", 0, NULL, 100, "port 0 out of range");
	assert_refused("127.0.0.1", 65536, NULL, 100, "port 65536");
	assert_refused("127.0.0.1", 443, NULL, 0, "timeout 0 ms");
	assert_refused("127.0.0.1", 443, NULL, PROBE_TIMEOUT_MAX + 1,
	    "out of range");
	assert_refused("127.0.0.1", 443, "a b.example", 100, "printable");
	assert_refused("127.0.0.1", 443, "a\033.example", 100, "printable");
	assert_int_equal(probe_run("127.0.0.1", -1, NULL, 100, hex, &err), 0);
	assert_int_equal(err.code, ERR_CONFIG);
	probe_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_served),
		cmocka_unit_test(test_sni_selects),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_name_resolved),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_connect_bounded),
		cmocka_unit_test(test_silent_bounded),
		cmocka_unit_test(test_plain_http),
		cmocka_unit_test(test_hangup),
		cmocka_unit_test(test_read_bounded),
		cmocka_unit_test(test_steps),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
