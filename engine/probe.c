/*
 * probe: the certificate a live endpoint serves (see probe.h).
 *
 * A GnuTLS client session on a non-blocking socket, stepped whenever
 * poll() reports the direction GnuTLS last waited for. The session reads
 * and writes through our own transport functions rather than the socket
 * directly, so every byte the server sends is counted and a server that
 * sends without end is cut off at PROBE_READ_MAX. The session has
 * certificate credentials without any trust: nothing is verified, which
 * is what a probe wants, and the leaf arrives whatever it is.
 */
#include "autoconfig.h"

#include <sys/socket.h>
#include <netdb.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "crypto.h"
#include "job.h"
#include "probe.h"

#define PROBE_HOST_MAX		253
#define PROBE_WHERE_MAX		(PROBE_HOST_MAX * 2 + 64)

enum probe_state { PROBE_CONNECTING, PROBE_SHAKING, PROBE_DONE };

struct probe {
	enum probe_state		 state;
	int				 fd;
	char				 host[PROBE_HOST_MAX + 1];
	char				 where[PROBE_WHERE_MAX];
	struct addrinfo			*ai;
	struct addrinfo			*cur;	/* the address being tried */
	struct addrinfo			*next;	/* the one after it */
	int				 tried;
	int				 timeout_ms;
	long long			 deadline_ms;	/* -1 until started */
	gnutls_session_t		 session;
	gnutls_certificate_credentials_t cred;
	size_t				 nread;
	int				 over;		/* PROBE_READ_MAX reached */
	int				 io_errno;	/* the socket's reason */
	enum probe_outcome		 outcome;
	char				 sha256_hex[65];
	struct err			 err;
};

static int
probe_fail(struct probe *p, enum probe_outcome outcome, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Finishes the probe with `outcome` and a message naming the endpoint;
 * returns 1 (finished). */
static int
probe_fail(struct probe *p, enum probe_outcome outcome, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(&p->err, ERR_NET, fmt, ap);
	va_end(ap);
	err_prefix(&p->err, "%s", p->where);
	p->outcome = outcome;
	p->state = PROBE_DONE;
	if (p->fd != -1)
		close(p->fd);
	p->fd = -1;
	return 1;
}

static ssize_t
probe_pull(gnutls_transport_ptr_t ptr, void *data, size_t len)
{
	struct probe *p = ptr;
	ssize_t k;

	if (p->nread >= PROBE_READ_MAX) {
		p->over = 1;
		gnutls_transport_set_errno(p->session, EMSGSIZE);
		return -1;
	}
	if (len > PROBE_READ_MAX - p->nread)
		len = PROBE_READ_MAX - p->nread;
	if ((k = recv(p->fd, data, len, 0)) == -1) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			p->io_errno = errno;
		gnutls_transport_set_errno(p->session, errno);
		return -1;
	}
	p->nread += (size_t)k;
	return k;
}

static ssize_t
probe_push(gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
	struct probe *p = ptr;
	ssize_t k;

	if ((k = send(p->fd, data, len, MSG_NOSIGNAL)) == -1) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			p->io_errno = errno;
		gnutls_transport_set_errno(p->session, errno);
	}
	return k;
}

/* GnuTLS asks this only to wait for data; a probe never waits inside
 * GnuTLS, so it only looks. */
static int
probe_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	struct probe *p = ptr;
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };

	(void)ms;
	return poll(&pfd, 1, 0);
}

/* Writes "probe HOST:PORT" and the SNI name, if any, into p->where. */
static void
probe_where(struct probe *p, int port, const char *sni)
{
	int v6 = strchr(p->host, ':') != NULL;

	snprintf(p->where, sizeof p->where, "probe %s%s%s:%d%s%s%s",
	    v6 ? "[" : "", p->host, v6 ? "]" : "", port,
	    sni != NULL ? " (SNI " : "", sni != NULL ? sni : "",
	    sni != NULL ? ")" : "");
}

/* Checks the arguments and keeps the host, brackets around an IPv6
 * address dropped. */
static int
probe_args(struct probe *p, const char *host, int port, const char *sni,
    int timeout_ms, struct err *err)
{
	size_t len = host == NULL ? 0 : strlen(host), i;

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len == 0 || len > PROBE_HOST_MAX)
		return err_set(err, ERR_CONFIG, "probe: host is empty or "
		    "longer than %d characters", PROBE_HOST_MAX);
	memcpy(p->host, host, len);
	p->host[len] = '\0';
	if (port < 1 || port > 65535)
		return err_set(err, ERR_CONFIG, "probe %s: port %d out of "
		    "range", p->host, port);
	if (timeout_ms < 1 || timeout_ms > PROBE_TIMEOUT_MAX)
		return err_set(err, ERR_CONFIG, "probe %s: timeout %d ms out "
		    "of range", p->host, timeout_ms);
	len = sni == NULL ? 0 : strlen(sni);
	if (len > PROBE_HOST_MAX)
		return err_set(err, ERR_CONFIG, "probe %s: SNI name longer "
		    "than %d characters", p->host, PROBE_HOST_MAX);
	/* Explicit ASCII ranges: the name goes on the wire as it is. */
	for (i = 0; i < len; i++)
		if (sni[i] <= ' ' || sni[i] > '~')
			return err_set(err, ERR_CONFIG, "probe %s: SNI name "
			    "has a character outside printable ASCII",
			    p->host);
	p->timeout_ms = timeout_ms;
	probe_where(p, port, len > 0 ? sni : NULL);
	return 0;
}

/* Makes the client session: default priorities with TLS 1.0 and 1.1
 * added back where the system's policy allows them, so an old server
 * still shows its certificate; credentials with no trust at all. */
static int
probe_session(struct probe *p, const char *sni, struct err *err)
{
	const char *pos;
	int rc;

	if ((rc = gnutls_certificate_allocate_credentials(&p->cred)) < 0 ||
	    (rc = gnutls_init(&p->session, GNUTLS_CLIENT | GNUTLS_NONBLOCK |
	    GNUTLS_NO_SIGNAL)) < 0)
		return crypto_gnutls_err(err, p->where, rc);
	if (gnutls_set_default_priority_append(p->session,
	    "+VERS-TLS1.1:+VERS-TLS1.0", &pos, 0) < 0 &&
	    (rc = gnutls_set_default_priority(p->session)) < 0)
		return crypto_gnutls_err(err, p->where, rc);
	if ((rc = gnutls_credentials_set(p->session, GNUTLS_CRD_CERTIFICATE,
	    p->cred)) < 0 || (sni != NULL && *sni != '\0' &&
	    (rc = gnutls_server_name_set(p->session, GNUTLS_NAME_DNS, sni,
	    strlen(sni))) < 0))
		return crypto_gnutls_err(err, p->where, rc);
	/* Deadlines are the loop's clock, never GnuTLS's. */
	gnutls_handshake_set_timeout(p->session, 0);
	gnutls_transport_set_ptr(p->session, p);
	gnutls_transport_set_pull_function(p->session, probe_pull);
	gnutls_transport_set_pull_timeout_function(p->session,
	    probe_pull_timeout);
	gnutls_transport_set_push_function(p->session, probe_push);
	return 0;
}

/* Names the address last tried in `buf` when the host is a name, else
 * leaves "". */
static void
probe_addr(const struct probe *p, char *buf, size_t size)
{
	buf[0] = '\0';
	if (p->cur == NULL || getnameinfo(p->cur->ai_addr,
	    p->cur->ai_addrlen, buf, (socklen_t)size, NULL, 0,
	    NI_NUMERICHOST) != 0 ||
	    strcmp(buf, p->host) == 0)
		buf[0] = '\0';
}

/* Starts connecting to the next address; after the last one, finishes
 * unreachable with the reason `why` (an errno) the last one failed. */
static int
probe_connect_next(struct probe *p, int why)
{
	char addr[NI_MAXHOST];

	while (p->next != NULL && p->tried < PROBE_ADDR_MAX) {
		p->cur = p->next;
		p->next = p->cur->ai_next;
		p->tried++;
		p->fd = socket(p->cur->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (p->fd == -1) {
			why = errno;
			continue;
		}
		if (connect(p->fd, p->cur->ai_addr, p->cur->ai_addrlen) == 0 ||
		    errno == EINPROGRESS) {
			p->state = PROBE_CONNECTING;
			return 0;
		}
		why = errno;
		close(p->fd);
		p->fd = -1;
	}
	probe_addr(p, addr, sizeof addr);
	return probe_fail(p, PROBE_UNREACHABLE, "connect%s%s: %s",
	    addr[0] != '\0' ? " to " : "", addr, strerror(why));
}

/* Resolves the host (numeric addresses without asking anyone) and starts
 * the first connection; a failure finishes the probe unreachable. */
static void
probe_resolve(struct probe *p, int port)
{
	struct addrinfo hints;
	char service[8];
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(service, sizeof service, "%d", port);
	rc = getaddrinfo(p->host, service, &hints, &p->ai);
	if (rc != 0) {
		p->ai = NULL;
		probe_fail(p, PROBE_UNREACHABLE, "resolve %s: %s", p->host,
		    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return;
	}
	p->next = p->ai;
	probe_connect_next(p, ENOENT);
}

struct probe *
probe_start(const char *host, int port, const char *sni, int timeout_ms,
    struct err *err)
{
	struct probe *p;

	if ((p = calloc(1, sizeof *p)) == NULL) {
		err_nomem(err, "probe");
		return NULL;
	}
	p->fd = -1;
	p->deadline_ms = -1;
	if (probe_args(p, host, port, sni, timeout_ms, err) == -1 ||
	    probe_session(p, sni, err) == -1) {
		probe_free(p);
		return NULL;
	}
	probe_resolve(p, port);
	return p;
}

/* Takes the leaf the server presented; returns 1 (finished). */
static int
probe_served(struct probe *p)
{
	static const char hex[] = "0123456789abcdef";
	const gnutls_datum_t *certs;
	struct err err;
	unsigned char md[32];
	unsigned int n = 0;
	size_t i;

	certs = gnutls_certificate_get_peers(p->session, &n);
	if (certs == NULL || n == 0)
		return probe_fail(p, PROBE_TLS_ERROR, "TLS handshake: the "
		    "server presented no certificate");
	if (crypto_sha256(certs[0].data, certs[0].size, md, &err) == -1)
		return probe_fail(p, PROBE_TLS_ERROR, "%s", err.msg);
	for (i = 0; i < sizeof md; i++) {
		p->sha256_hex[2 * i] = hex[md[i] >> 4];
		p->sha256_hex[2 * i + 1] = hex[md[i] & 0xf];
	}
	p->sha256_hex[64] = '\0';
	/* Best-effort on a non-blocking socket: never waited for. */
	gnutls_bye(p->session, GNUTLS_SHUT_WR);
	close(p->fd);
	p->fd = -1;
	p->outcome = PROBE_SERVED_CERT;
	p->state = PROBE_DONE;
	return 1;
}

/* Finishes the probe with GnuTLS's reason for `rc`, and the alert's or
 * the socket's where there is one. */
static int
probe_tls_fail(struct probe *p, int rc)
{
	if (p->over)
		return probe_fail(p, PROBE_TLS_ERROR, "TLS handshake: the "
		    "server sent more than %d bytes", PROBE_READ_MAX);
	if (rc == GNUTLS_E_FATAL_ALERT_RECEIVED)
		return probe_fail(p, PROBE_TLS_ERROR, "TLS handshake: %s: %s",
		    gnutls_strerror(rc),
		    gnutls_alert_get_name(gnutls_alert_get(p->session)));
	if ((rc == GNUTLS_E_PULL_ERROR || rc == GNUTLS_E_PUSH_ERROR) &&
	    p->io_errno != 0)
		return probe_fail(p, PROBE_TLS_ERROR, "TLS handshake: %s: %s",
		    gnutls_strerror(rc), strerror(p->io_errno));
	return probe_fail(p, PROBE_TLS_ERROR, "TLS handshake: %s",
	    gnutls_strerror(rc));
}

/* Steps the handshake as far as the socket allows. Warning alerts (an
 * unrecognized_name, say) are not fatal and the handshake goes on; each
 * one is a record read, so PROBE_READ_MAX ends a flood of them, and
 * GnuTLS has its own bound too. Never returns to the loop after one:
 * what follows may already sit in GnuTLS's buffer, where poll() cannot
 * see it. */
static int
probe_shake(struct probe *p)
{
	int rc;

	for (;;) {
		rc = gnutls_handshake(p->session);
		if (rc == 0)
			return probe_served(p);
		if (rc == GNUTLS_E_AGAIN)
			return 0;
		if (gnutls_error_is_fatal(rc))
			return probe_tls_fail(p, rc);
	}
}

/* The connection attempt ended: go on with TLS, or with the next
 * address. */
static int
probe_connected(struct probe *p)
{
	socklen_t len = sizeof(int);
	int soerr = 0;

	if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		soerr = errno;
	if (soerr == EINPROGRESS)
		return 0;
	if (soerr != 0) {
		close(p->fd);
		p->fd = -1;
		return probe_connect_next(p, soerr);
	}
	p->state = PROBE_SHAKING;
	return probe_shake(p);
}

int
probe_pollfd(struct probe *p, struct pollfd *fd)
{
	if (p->state == PROBE_DONE || p->fd == -1)
		return 0;
	fd->fd = p->fd;
	fd->events = POLLOUT;
	if (p->state == PROBE_SHAKING &&
	    gnutls_record_get_direction(p->session) == 0)
		fd->events = POLLIN;
	fd->revents = 0;
	return 1;
}

int
probe_handle(struct probe *p, const struct pollfd *fd, long long now_ms)
{
	if (p->state == PROBE_DONE)
		return 1;
	if (p->deadline_ms == -1)
		p->deadline_ms = now_ms + p->timeout_ms;
	/* Reading and writing are non-blocking, so the handshake is simply
	 * tried; only a connect in progress needs poll()'s word. */
	if (p->state == PROBE_CONNECTING && fd != NULL && fd->fd == p->fd &&
	    (fd->revents & (POLLOUT | POLLERR | POLLHUP)))
		probe_connected(p);
	else if (p->state == PROBE_SHAKING)
		probe_shake(p);
	if (p->state == PROBE_DONE)
		return 1;
	if (now_ms < p->deadline_ms)
		return 0;
	if (p->state == PROBE_CONNECTING)
		return probe_fail(p, PROBE_UNREACHABLE, "connect: no answer "
		    "within %d ms", p->timeout_ms);
	return probe_fail(p, PROBE_TLS_ERROR, "TLS handshake: not finished "
	    "within %d ms (%zu bytes received)", p->timeout_ms, p->nread);
}

int
probe_timeout_ms(const struct probe *p, long long now_ms)
{
	if (p->state == PROBE_DONE || p->deadline_ms == -1 ||
	    p->deadline_ms <= now_ms)
		return 0;
	return (int)(p->deadline_ms - now_ms);
}

enum probe_outcome
probe_result(const struct probe *p, char sha256_hex[65], struct err *err)
{
	if (sha256_hex != NULL)
		sha256_hex[0] = '\0';
	if (p->state != PROBE_DONE) {
		err_set(err, ERR_FAIL, "%s: not finished", p->where);
		return 0;
	}
	if (p->outcome != PROBE_SERVED_CERT)
		err_copy(err, &p->err);
	else if (sha256_hex != NULL)
		memcpy(sha256_hex, p->sha256_hex, 65);
	return p->outcome;
}

void
probe_free(struct probe *p)
{
	if (p == NULL)
		return;
	if (p->fd != -1)
		close(p->fd);
	if (p->session != NULL)
		gnutls_deinit(p->session);
	if (p->cred != NULL)
		gnutls_certificate_free_credentials(p->cred);
	if (p->ai != NULL)
		freeaddrinfo(p->ai);
	free(p);
}

enum probe_outcome
probe_run(const char *host, int port, const char *sni, int timeout_ms,
    char sha256_hex[65], struct err *err)
{
	enum probe_outcome outcome;
	struct pollfd pfd;
	struct probe *p;
	int n = 0;

	if (sha256_hex != NULL)
		sha256_hex[0] = '\0';
	if ((p = probe_start(host, port, sni, timeout_ms, err)) == NULL)
		return 0;
	while (!probe_handle(p, n > 0 ? &pfd : NULL, job_now_ms())) {
		n = probe_pollfd(p, &pfd);
		if (poll(&pfd, (nfds_t)n, probe_timeout_ms(p, job_now_ms())) ==
		    -1 && errno != EINTR) {
			probe_fail(p, PROBE_TLS_ERROR, "poll: %s",
			    strerror(errno));
			break;
		}
	}
	outcome = probe_result(p, sha256_hex, err);
	probe_free(p);
	return outcome;
}
