/*
 * Unit tests for the tls-alpn-01 responder: real sockets on loopback and
 * real GnuTLS clients, all non-blocking in this one thread's poll() next
 * to the responder, the way the engine drives it. Every wait is on a
 * condition with a deadline; time-outs are tested by handing the
 * responder a clock that has moved on.
 */
#include "autoconfig.h"

#include <sys/socket.h>
#include <netdb.h>

#include <errno.h>
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
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "alpn.h"

#define KEYAUTH		"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0" \
			".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"
#define KEYAUTH2	"evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA" \
			".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"
#define OID_ACME_ID	"1.3.6.1.5.5.7.1.31"
#define TLS12_ONLY	"NORMAL:-VERS-TLS1.3"
#define MAX_TC		80
#define DRIVE_MS	10000	/* a stuck exchange fails the test after this */

/* One test client: TLS with the given SNI, ALPN list and priorities, or,
 * without `tls`, a plain socket that sends `raw` (or nothing) and waits. */
struct tclient {
	int			 fd;
	int			 tls;
	const char		*raw;
	int			 slot;
	int			 done;
	int			 shaken;	/* handshake finished */
	int			 rc;		/* its result */
	int			 alert;		/* alert received, or -1 */
	int			 bye;		/* close_notify received */
	gnutls_session_t	 s;
	gnutls_certificate_credentials_t cred;
	/* What the peer's certificate held. */
	int			 nsans;
	int			 san_type;
	unsigned char		 san[256];
	size_t			 san_len;
	unsigned char		 ext[64];
	size_t			 ext_len;
	unsigned int		 ext_critical;
	char			 proto[32];
};

typedef int (*until_fn)(struct alpn *, struct tclient *, int);
typedef void (*each_fn)(struct alpn *, struct tclient *, int);

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Connects without blocking to 127.0.0.1:port. */
static void
tc_connect(struct tclient *c, int port)
{
	struct addrinfo hints, *ai;
	char serv[16];

	memset(c, 0, sizeof *c);
	c->alert = -1;
	memset(&hints, 0, sizeof hints);
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(serv, sizeof serv, "%d", port);
	assert_int_equal(getaddrinfo("127.0.0.1", serv, &hints, &ai), 0);
	c->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(c->fd != -1);
	assert_true(connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
	    errno == EINPROGRESS);
	freeaddrinfo(ai);
}

/* Starts a TLS client; `alpn` is a comma-free list of up to two names
 * ("acme-tls/1", "http/1.1"), NULL offers none; `sni` NULL sends none. */
static void
tc_tls(struct tclient *c, int port, const char *sni, const char *alpn1,
    const char *alpn2, const char *prio)
{
	gnutls_datum_t protos[2];
	unsigned int np = 0;

	tc_connect(c, port);
	c->tls = 1;
	assert_int_equal(gnutls_certificate_allocate_credentials(&c->cred), 0);
	assert_int_equal(gnutls_init(&c->s, GNUTLS_CLIENT | GNUTLS_NONBLOCK |
	    GNUTLS_NO_SIGNAL), 0);
	if (prio == NULL)
		assert_int_equal(gnutls_set_default_priority(c->s), 0);
	else
		assert_int_equal(gnutls_priority_set_direct(c->s, prio, NULL),
		    0);
	assert_int_equal(gnutls_credentials_set(c->s, GNUTLS_CRD_CERTIFICATE,
	    c->cred), 0);
	if (sni != NULL)
		assert_int_equal(gnutls_server_name_set(c->s, GNUTLS_NAME_DNS,
		    sni, strlen(sni)), 0);
	if (alpn1 != NULL) {
		protos[np].data = (unsigned char *)alpn1;
		protos[np++].size = (unsigned int)strlen(alpn1);
	}
	if (alpn2 != NULL) {
		protos[np].data = (unsigned char *)alpn2;
		protos[np++].size = (unsigned int)strlen(alpn2);
	}
	if (np > 0)
		assert_int_equal(gnutls_alpn_set_protocols(c->s, protos, np,
		    0), 0);
	gnutls_handshake_set_timeout(c->s, 0);
	gnutls_transport_set_int(c->s, c->fd);
	/* Sends the ClientHello, or waits for the connection to be made. */
	assert_int_equal(gnutls_handshake(c->s), GNUTLS_E_AGAIN);
}

/* Records what the server's certificate carries. */
static void
tc_inspect(struct tclient *c)
{
	const gnutls_datum_t *peers;
	gnutls_datum_t d;
	gnutls_x509_crt_t crt;
	unsigned int n = 0;
	size_t len;
	int type;

	if (gnutls_alpn_get_selected_protocol(c->s, &d) == 0 &&
	    d.size < sizeof c->proto) {
		memcpy(c->proto, d.data, d.size);
		c->proto[d.size] = '\0';
	}
	peers = gnutls_certificate_get_peers(c->s, &n);
	assert_non_null(peers);
	assert_int_equal(n, 1);
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_import(crt, &peers[0],
	    GNUTLS_X509_FMT_DER), 0);
	for (;;) {
		len = sizeof c->san;
		type = gnutls_x509_crt_get_subject_alt_name(crt,
		    (unsigned int)c->nsans, c->san, &len, NULL);
		if (type < 0)
			break;
		c->san_type = type;
		c->san_len = len;
		c->nsans++;
	}
	c->ext_len = sizeof c->ext;
	if (gnutls_x509_crt_get_extension_by_oid(crt, OID_ACME_ID, 0, c->ext,
	    &c->ext_len, &c->ext_critical) < 0)
		c->ext_len = 0;
	gnutls_x509_crt_deinit(crt);
}

static void
tc_finish(struct tclient *c)
{
	c->done = 1;
	if (c->s != NULL) {
		gnutls_deinit(c->s);
		gnutls_certificate_free_credentials(c->cred);
		c->s = NULL;
	}
	close(c->fd);
}

/* Moves a TLS client on: the handshake, then reading until the server's
 * close_notify or the end. */
static void
tc_step_tls(struct tclient *c)
{
	char tmp[256];
	ssize_t k;

	if (!c->shaken) {
		c->rc = gnutls_handshake(c->s);
		if (c->rc == GNUTLS_E_AGAIN || c->rc == GNUTLS_E_INTERRUPTED)
			return;
		c->shaken = 1;
		if (c->rc == GNUTLS_E_FATAL_ALERT_RECEIVED)
			c->alert = (int)gnutls_alert_get(c->s);
		if (c->rc != 0) {
			tc_finish(c);
			return;
		}
		tc_inspect(c);
	}
	k = gnutls_record_recv(c->s, tmp, sizeof tmp);
	if (k == GNUTLS_E_AGAIN || k == GNUTLS_E_INTERRUPTED)
		return;
	c->bye = k == 0;
	tc_finish(c);
}

/* Moves a plain client on: sends its bytes, then reads until the end. */
static void
tc_step_raw(struct tclient *c)
{
	char tmp[4096];
	ssize_t k;

	if (c->raw != NULL && *c->raw != '\0') {
		k = send(c->fd, c->raw, strlen(c->raw), MSG_NOSIGNAL);
		if (k > 0)
			c->raw += k;
		return;
	}
	k = recv(c->fd, tmp, sizeof tmp, 0);
	if (k == 0 || (k == -1 && errno != EAGAIN && errno != EWOULDBLOCK))
		tc_finish(c);
}

static short
tc_events(const struct tclient *c)
{
	if (c->tls)
		return gnutls_record_get_direction(c->s) == 1 ? POLLOUT :
		    POLLIN;
	return c->raw != NULL && *c->raw != '\0' ? POLLOUT : POLLIN;
}

static int
open_clients(struct alpn *a)
{
	struct pollfd fds[1 + ALPN_MAX_CLIENTS];

	return alpn_pollfds(a, fds, 1 + ALPN_MAX_CLIENTS) - 1;
}

/* Runs the responder and the clients in one poll() loop until `until`
 * holds, calling `each` (if any) after every pass; fails the test past
 * DRIVE_MS. */
static void
drive_each(struct alpn *a, struct tclient *tc, int n, until_fn until,
    each_fn each)
{
	struct pollfd fds[1 + ALPN_MAX_CLIENTS + MAX_TC];
	long long deadline = now_ms() + DRIVE_MS, left;
	int i, nfds, wait, rt;

	while (!until(a, tc, n)) {
		if ((left = deadline - now_ms()) <= 0)
			fail_msg("exchange did not finish in %d ms", DRIVE_MS);
		nfds = alpn_pollfds(a, fds, 1 + ALPN_MAX_CLIENTS);
		for (i = 0; i < n; i++) {
			tc[i].slot = -1;
			if (tc[i].done)
				continue;
			fds[nfds].fd = tc[i].fd;
			fds[nfds].events = tc_events(&tc[i]);
			fds[nfds].revents = 0;
			tc[i].slot = nfds++;
		}
		wait = (int)left;
		rt = alpn_timeout_ms(a, now_ms());
		if (rt >= 0 && rt < wait)
			wait = rt;
		assert_true(poll(fds, (nfds_t)nfds, wait) >= 0);
		/* The whole array, clients' descriptors too, as the engine
		 * passes its own alongside. */
		alpn_handle(a, fds, nfds, now_ms());
		for (i = 0; i < n; i++) {
			if (tc[i].slot < 0 || fds[tc[i].slot].revents == 0)
				continue;
			if (tc[i].tls)
				tc_step_tls(&tc[i]);
			else
				tc_step_raw(&tc[i]);
		}
		if (each != NULL)
			each(a, tc, n);
	}
}

static int
all_done(struct alpn *a, struct tclient *tc, int n)
{
	int i;

	(void)a;
	for (i = 0; i < n; i++)
		if (!tc[i].done)
			return 0;
	return 1;
}

/* True once every client is done and the responder has let go of them. */
static int
all_over(struct alpn *a, struct tclient *tc, int n)
{
	return all_done(a, tc, n) && open_clients(a) == 0;
}

static void
drive(struct alpn *a, struct tclient *tc, int n)
{
	drive_each(a, tc, n, all_over, NULL);
}

/* Runs one TLS client to the end and returns it in `c`. */
static void
shake(struct alpn *a, struct tclient *c, const char *sni, const char *alpn1,
    const char *alpn2, const char *prio)
{
	tc_tls(c, alpn_port(a), sni, alpn1, alpn2, prio);
	drive(a, c, 1);
}

/* Fails unless `c` got a certificate whose one SAN is `san` of `type`,
 * with the critical extension for `keyauth`, over acme-tls/1, and then a
 * close_notify. */
static void
expect_cert(const struct tclient *c, int type, const void *san,
    size_t san_len, const char *keyauth)
{
	unsigned char want[34];

	if (c->rc != 0)
		fail_msg("handshake failed: %s", gnutls_strerror(c->rc));
	assert_string_equal(c->proto, ALPN_PROTOCOL);
	assert_int_equal(c->nsans, 1);
	assert_int_equal(c->san_type, type);
	assert_int_equal(c->san_len, san_len);
	assert_memory_equal(c->san, san, san_len);
	want[0] = 0x04;
	want[1] = 0x20;
	assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, keyauth,
	    strlen(keyauth), want + 2), 0);
	assert_int_equal(c->ext_len, sizeof want);
	assert_memory_equal(c->ext, want, sizeof want);
	assert_int_equal(c->ext_critical, 1);
	assert_true(c->bye);
}

/* Fails unless `c`'s handshake was refused with `alert`. */
static void
expect_refused(const struct tclient *c, int alert)
{
	assert_true(c->shaken);
	assert_int_equal(c->rc, GNUTLS_E_FATAL_ALERT_RECEIVED);
	assert_int_equal(c->alert, alert);
}

static void
expect_stats(struct alpn *a, unsigned long served, unsigned long refused,
    unsigned long dropped)
{
	struct alpn_stats st;

	alpn_stats(a, &st);
	assert_int_equal(st.served, served);
	assert_int_equal(st.refused, refused);
	assert_int_equal(st.dropped, dropped);
}

static int
setup(void **state)
{
	struct err err;
	struct alpn *a;

	if ((a = alpn_new("127.0.0.1", 0, &err)) == NULL) {
		print_error("%s\n", err.msg);
		return -1;
	}
	*state = a;
	return 0;
}

static int
teardown(void **state)
{
	alpn_free(*state);
	return 0;
}

static void
add_ok(struct alpn *a, const char *id, int is_ip, const char *keyauth)
{
	struct err err;

	if (alpn_add(a, id, is_ip, keyauth, &err) != 0)
		fail_msg("alpn_add %s: %s", id, err.msg);
}

static void
test_dns_served(void **state)
{
	struct alpn *a = *state;
	struct tclient c;

	add_ok(a, "Example.TEST", 0, KEYAUTH);
	assert_int_equal(alpn_count(a), 1);
	shake(a, &c, "example.test", ALPN_PROTOCOL, NULL, NULL);
	expect_cert(&c, GNUTLS_SAN_DNSNAME, "example.test", 12, KEYAUTH);
	/* Names match in any case; TLS 1.2 and a longer ALPN list work. */
	shake(a, &c, "EXAMPLE.test", "http/1.1", ALPN_PROTOCOL, TLS12_ONLY);
	expect_cert(&c, GNUTLS_SAN_DNSNAME, "example.test", 12, KEYAUTH);
	expect_stats(a, 2, 0, 0);
}

static void
test_ip_served(void **state)
{
	static const unsigned char v4[4] = { 127, 0, 0, 1 };
	static const unsigned char v4b[4] = { 10, 0, 0, 1 };
	static const unsigned char v6[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd
	};
	static const char v6rev[] = "d.c.b.a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0"
	    ".0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
	struct alpn *a = *state;
	struct tclient c;

	add_ok(a, "127.0.0.1", 1, KEYAUTH);
	/* The reverse name is the same identifier. */
	add_ok(a, "1.0.0.127.in-addr.arpa", 1, KEYAUTH2);
	add_ok(a, "1.0.0.10.in-addr.arpa", 1, KEYAUTH);
	add_ok(a, "2001:db8::abcd", 1, KEYAUTH);
	assert_int_equal(alpn_count(a), 3);
	shake(a, &c, "1.0.0.127.in-addr.arpa", ALPN_PROTOCOL, NULL, NULL);
	expect_cert(&c, GNUTLS_SAN_IPADDRESS, v4, 4, KEYAUTH2);
	shake(a, &c, "1.0.0.10.in-addr.arpa", ALPN_PROTOCOL, NULL, TLS12_ONLY);
	expect_cert(&c, GNUTLS_SAN_IPADDRESS, v4b, 4, KEYAUTH);
	shake(a, &c, v6rev, ALPN_PROTOCOL, NULL, NULL);
	expect_cert(&c, GNUTLS_SAN_IPADDRESS, v6, 16, KEYAUTH);
	/* The address itself is no SNI. */
	shake(a, &c, "127.0.0.1", ALPN_PROTOCOL, NULL, NULL);
	expect_refused(&c, GNUTLS_A_UNRECOGNIZED_NAME);
	/* An address added as a DNS name is found as one. */
	add_ok(a, "192.0.2.7", 0, KEYAUTH);
	assert_int_equal(alpn_count(a), 4);
	alpn_remove(a, "192.0.2.7");
	assert_int_equal(alpn_count(a), 3);
	alpn_remove(a, "2001:0db8:0::abcd");
	alpn_remove(a, "1.0.0.127.IN-ADDR.ARPA");
	assert_int_equal(alpn_count(a), 1);
	expect_stats(a, 3, 1, 0);
}

static void
test_refused(void **state)
{
	static const struct {
		const char	*sni, *alpn1, *alpn2, *prio;
		int		 alert;
	} cases[] = {
		{ "other.test", ALPN_PROTOCOL, NULL, NULL,
		    GNUTLS_A_UNRECOGNIZED_NAME },
		{ "example.test.other", ALPN_PROTOCOL, NULL, TLS12_ONLY,
		    GNUTLS_A_UNRECOGNIZED_NAME },
		{ NULL, ALPN_PROTOCOL, NULL, NULL, GNUTLS_A_UNRECOGNIZED_NAME },
		/* Ordinary TLS on that port: no ALPN, or others only. */
		{ "example.test", NULL, NULL, NULL,
		    GNUTLS_A_NO_APPLICATION_PROTOCOL },
		{ "example.test", NULL, NULL, TLS12_ONLY,
		    GNUTLS_A_NO_APPLICATION_PROTOCOL },
		{ "example.test", "http/1.1", NULL, NULL,
		    GNUTLS_A_NO_APPLICATION_PROTOCOL },
		{ "example.test", "acme-tls/2", "h2", TLS12_ONLY,
		    GNUTLS_A_NO_APPLICATION_PROTOCOL },
	};
	struct alpn *a = *state;
	struct tclient c;
	size_t i;

	add_ok(a, "example.test", 0, KEYAUTH);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		shake(a, &c, cases[i].sni, cases[i].alpn1, cases[i].alpn2,
		    cases[i].prio);
		expect_refused(&c, cases[i].alert);
	}
	expect_stats(a, 0, i, 0);
}

static void
test_not_tls(void **state)
{
	struct alpn *a = *state;
	struct tclient c;

	add_ok(a, "example.test", 0, KEYAUTH);
	tc_connect(&c, alpn_port(a));
	c.raw = "GET /.well-known/acme-challenge/x HTTP/1.1\r\n\r\n";
	drive(a, &c, 1);
	expect_stats(a, 0, 1, 0);
}

/* True once the responder holds every client and each has sent all. */
static int
all_held(struct alpn *a, struct tclient *tc, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (tc[i].raw != NULL && *tc[i].raw != '\0')
			return 0;
	return open_clients(a) == n;
}

/* An idle client, silent or stopped half-way through a ClientHello, is
 * kept until its deadline and dropped at it. */
static void
test_idle_dropped(void **state)
{
	struct alpn *a = *state;
	struct tclient c[2];
	long long t;
	int left;

	assert_int_equal(alpn_timeout_ms(a, now_ms()), -1);
	tc_connect(&c[0], alpn_port(a));
	tc_connect(&c[1], alpn_port(a));
	c[1].raw = "\x16\x03\x01";	/* the first bytes of a ClientHello */
	drive_each(a, c, 2, all_held, NULL);
	t = now_ms();
	left = alpn_timeout_ms(a, t);
	assert_true(left > 0 && left <= ALPN_CLIENT_MS);
	alpn_handle(a, NULL, 0, t + left - 1);
	assert_int_equal(open_clients(a), 2);
	expect_stats(a, 0, 0, 0);
	alpn_handle(a, NULL, 0, t + ALPN_CLIENT_MS);
	assert_int_equal(open_clients(a), 0);
	assert_int_equal(alpn_timeout_ms(a, t), -1);
	expect_stats(a, 0, 0, 2);
	/* The clients see the end. */
	c[1].raw = NULL;
	drive(a, c, 2);
}

/* Many clients at once, for several names, all served. */
static void
test_many(void **state)
{
	static const char *names[] = { "a.example.test", "b.example.test",
	    "c.example.test", "xn--bcher-kva.example.test" };
	struct alpn *a = *state;
	struct tclient *tc;
	int i, n = 48;

	for (i = 0; i < 4; i++)
		add_ok(a, names[i], 0, i % 2 ? KEYAUTH : KEYAUTH2);
	assert_non_null(tc = calloc((size_t)n, sizeof *tc));
	for (i = 0; i < n; i++)
		tc_tls(&tc[i], alpn_port(a), names[i % 4], ALPN_PROTOCOL, NULL,
		    i % 3 ? NULL : TLS12_ONLY);
	drive(a, tc, n);
	for (i = 0; i < n; i++)
		expect_cert(&tc[i], GNUTLS_SAN_DNSNAME, names[i % 4],
		    strlen(names[i % 4]), i % 4 % 2 ? KEYAUTH : KEYAUTH2);
	expect_stats(a, (unsigned long)n, 0, 0);
	free(tc);
}

/* Past the client limit a connection is closed at once. */
static void
test_client_limit(void **state)
{
	struct alpn *a = *state;
	struct tclient *tc;
	int i, n = ALPN_MAX_CLIENTS + 8;

	assert_non_null(tc = calloc((size_t)n, sizeof *tc));
	for (i = 0; i < ALPN_MAX_CLIENTS; i++)
		tc_connect(&tc[i], alpn_port(a));
	drive_each(a, tc, ALPN_MAX_CLIENTS, all_held, NULL);
	for (; i < n; i++)
		tc_connect(&tc[i], alpn_port(a));
	/* The ones over the limit are closed at once: they see the end. */
	drive_each(a, tc + ALPN_MAX_CLIENTS, 8, all_done, NULL);
	assert_int_equal(open_clients(a), ALPN_MAX_CLIENTS);
	expect_stats(a, 0, 0, 8);
	alpn_handle(a, NULL, 0, now_ms() + ALPN_CLIENT_MS);
	expect_stats(a, 0, 0, (unsigned long)n);
	drive(a, tc, n);
	free(tc);
}

/* A removed name is refused; adding again replaces the digest. */
static void
test_remove_replace(void **state)
{
	struct alpn *a = *state;
	struct tclient c;

	add_ok(a, "example.test", 0, KEYAUTH);
	add_ok(a, "example.test", 0, KEYAUTH2);
	assert_int_equal(alpn_count(a), 1);
	shake(a, &c, "example.test", ALPN_PROTOCOL, NULL, NULL);
	expect_cert(&c, GNUTLS_SAN_DNSNAME, "example.test", 12, KEYAUTH2);
	alpn_remove(a, "unknown.test");
	alpn_remove(a, "not a name");
	alpn_remove(a, NULL);
	assert_int_equal(alpn_count(a), 1);
	alpn_remove(a, "EXAMPLE.test");
	assert_int_equal(alpn_count(a), 0);
	shake(a, &c, "example.test", ALPN_PROTOCOL, NULL, NULL);
	expect_refused(&c, GNUTLS_A_UNRECOGNIZED_NAME);
	expect_stats(a, 1, 1, 0);
}

static const char *gone_name;

/* Removes `gone_name` as soon as the server's first flight, made with
 * its certificate, reaches the first client. */
static void
remove_when_answered(struct alpn *a, struct tclient *tc, int n)
{
	struct pollfd p = { tc[0].fd, POLLIN, 0 };

	(void)n;
	if (gone_name != NULL && !tc[0].done && poll(&p, 1, 0) == 1) {
		alpn_remove(a, gone_name);
		gone_name = NULL;
	}
}

/* A handshake under way keeps the certificate it chose; the next one is
 * refused. */
static void
test_remove_mid_handshake(void **state)
{
	struct alpn *a = *state;
	struct tclient c;
	int round;

	for (round = 0; round < 2; round++) {
		add_ok(a, "example.test", 0, KEYAUTH);
		gone_name = "example.test";
		tc_tls(&c, alpn_port(a), "example.test", ALPN_PROTOCOL, NULL,
		    round ? TLS12_ONLY : NULL);
		drive_each(a, &c, 1, all_over, remove_when_answered);
		assert_null(gone_name);
		assert_int_equal(alpn_count(a), 0);
		expect_cert(&c, GNUTLS_SAN_DNSNAME, "example.test", 12,
		    KEYAUTH);
	}
	shake(a, &c, "example.test", ALPN_PROTOCOL, NULL, NULL);
	expect_refused(&c, GNUTLS_A_UNRECOGNIZED_NAME);
	expect_stats(a, 2, 1, 0);
}

static void
test_listen_errors(void **state)
{
	struct alpn *a = *state;
	struct err err;
	char want[64];

	assert_null(alpn_new("127.0.0.1", alpn_port(a), &err));
	snprintf(want, sizeof want, "127.0.0.1:%d", alpn_port(a));
	assert_non_null(strstr(err.msg, want));
	assert_non_null(strstr(err.msg, strerror(EADDRINUSE)));
	assert_int_equal(err.code, ERR_IO);
	assert_null(alpn_new("localhost", 0, &err));
	assert_non_null(strstr(err.msg, "localhost:0"));
	assert_non_null(strstr(err.msg, "not a numeric IP address"));
	assert_int_equal(err.code, ERR_CONFIG);
	assert_null(alpn_new(NULL, 65536, &err));
	assert_non_null(strstr(err.msg, "65536"));
	assert_int_equal(err.code, ERR_CONFIG);
}

static void
test_bad_input(void **state)
{
	static const char *dns[] = { "", "*.example.test", "a..example.test",
	    ".example.test", "example.test.", "exa mple.test", "ex_ample.test",
	    "\x1b[2J.example.test", "caf\xc3\xa9.test",
	    /* one label of 64 */
	    ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    ".test") };
	static const char *ips[] = { "", "example.test", "256.0.0.1",
	    "127.0.0.01", "01.0.0.127.in-addr.arpa", "0.0.127.in-addr.arpa",
	    "1.0.0.0.127.in-addr.arpa", "1.0.0.127.in-addr.arpa.",
	    "x.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0"
	    ".ip6.arpa", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0"
	    ".0.0.0.0.0.ip6.arpa" };
	struct alpn *a = *state;
	struct err err;
	char longname[300];
	size_t i;

	for (i = 0; i < sizeof dns / sizeof dns[0]; i++) {
		if (alpn_add(a, dns[i], 0, KEYAUTH, &err) == 0)
			fail_msg("DNS name \"%s\" was taken", dns[i]);
		assert_int_equal(err.code, ERR_PROTO);
		assert_null(strchr(err.msg, '\x1b'));
	}
	for (i = 0; i < sizeof ips / sizeof ips[0]; i++) {
		if (alpn_add(a, ips[i], 1, KEYAUTH, &err) == 0)
			fail_msg("IP identifier \"%s\" was taken", ips[i]);
		assert_int_equal(err.code, ERR_PROTO);
	}
	/* 253 bytes pass, 254 do not. */
	memset(longname, 'a', sizeof longname);
	for (i = 63; i < 253; i += 64)
		longname[i] = '.';
	longname[253] = '\0';
	add_ok(a, longname, 0, KEYAUTH);
	longname[253] = 'a';
	longname[254] = '\0';
	assert_int_equal(alpn_add(a, longname, 0, KEYAUTH, &err), -1);
	assert_int_equal(alpn_add(a, NULL, 0, KEYAUTH, &err), -1);
	assert_int_equal(alpn_add(a, "example.test", 0, NULL, &err), -1);
	assert_int_equal(alpn_add(a, "example.test", 0, "", &err), -1);
	assert_int_equal(alpn_count(a), 1);
}

static void
test_name_limit(void **state)
{
	struct alpn *a = *state;
	struct err err;
	char name[64];
	int i;

	for (i = 0; i < ALPN_MAX_NAMES; i++) {
		snprintf(name, sizeof name, "n%d.example.test", i);
		add_ok(a, name, 0, KEYAUTH);
	}
	assert_int_equal(alpn_add(a, "more.example.test", 0, KEYAUTH, &err),
	    -1);
	assert_int_equal(err.code, ERR_FAIL);
	/* Replacing still works at the limit. */
	add_ok(a, "n7.example.test", 0, KEYAUTH2);
	assert_int_equal(alpn_count(a), ALPN_MAX_NAMES);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_dns_served),
		T(test_ip_served),
		T(test_refused),
		T(test_not_tls),
		T(test_idle_dropped),
		T(test_many),
		T(test_client_limit),
		T(test_remove_replace),
		T(test_remove_mid_handshake),
		T(test_listen_errors),
		T(test_bad_input),
		T(test_name_limit),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
