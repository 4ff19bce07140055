/*
 * probe: look at the certificate a live endpoint serves.
 *
 * A non-blocking TLS client inside the engine's one poll loop, shaped like
 * dnsq: start, then pollfd / handle / timeout until it has finished, then
 * the result. It connects to HOST:PORT (each address the name resolves to,
 * in order), sends the SNI name if one is given and runs a TLS handshake
 * with GnuTLS. The certificate is deliberately NOT verified: what matters
 * is which certificate is served, and the caller compares its SHA-256 with
 * the one it stored. Nothing but the handshake is exchanged: no
 * application data, and a close_notify sent once, best-effort.
 *
 * Everything is bounded: the whole probe by the timeout given, which
 * starts at the first probe_handle() on the loop's clock (milliseconds,
 * CLOCK_MONOTONIC), the bytes read from the server by PROBE_READ_MAX, the
 * addresses tried by PROBE_ADDR_MAX.
 */
#ifndef CERTDECK_PROBE_H
#define CERTDECK_PROBE_H

#include <poll.h>

#include "err.h"

/* Bytes read from the server, well above a real chain's few kilobytes and
 * below GnuTLS's own bound on one handshake message (128 KiB). */
#define PROBE_READ_MAX		(64 * 1024)
#define PROBE_ADDR_MAX		8		/* addresses of a name tried */
#define PROBE_TIMEOUT_MAX	(10 * 60 * 1000)

/* How a finished probe ended. A server that accepts the connection but
 * does not complete the handshake in time is a TLS error, not
 * unreachable. */
enum probe_outcome {
	PROBE_SERVED_CERT = 1,	/* a handshake completed; the leaf is known */
	PROBE_UNREACHABLE,	/* name not resolved, refused, connect timeout */
	PROBE_TLS_ERROR		/* connected, but no certificate was obtained */
};

/* One endpoint being looked at. */
struct probe;

/* Starts looking at `host` (a numeric IPv4 or IPv6 address, brackets
 * allowed, or a name resolved with getaddrinfo(), the one blocking call,
 * so names should be local ones) on `port`, sending `sni` as the server
 * name (NULL or "": none), finished within `timeout_ms` (1 to
 * PROBE_TIMEOUT_MAX). Returns the probe the caller frees with
 * probe_free(), already finished when the name does not resolve or no
 * address can be connected; NULL with `err` (ERR_CONFIG, ERR_NOMEM) only
 * for arguments out of range or no memory. */
struct probe *probe_start(const char *host, int port, const char *sni,
    int timeout_ms, struct err *err);

/* Fills `fd` with the descriptor to watch; returns 1, or 0 when there is
 * none (the probe has finished). */
int probe_pollfd(struct probe *p, struct pollfd *fd);

/* Drives the probe with the readiness in `fd` (may be NULL) at `now_ms`;
 * never blocks. Returns 1 when finished (see probe_result()), 0 while
 * still waiting. */
int probe_handle(struct probe *p, const struct pollfd *fd, long long now_ms);

/* Returns the milliseconds until probe_handle() must run without
 * readiness: 0 when due, finished, or before the first probe_handle(). */
int probe_timeout_ms(const struct probe *p, long long now_ms);

/* After the probe finished: returns its outcome; for PROBE_SERVED_CERT
 * `sha256_hex` (may be NULL) receives the SHA-256 of the leaf's DER in
 * lowercase hex (as crypto_cert_info's sha256_hex), otherwise "" and
 * `err` says why, starting "probe HOST:PORT" (the resolver's, the
 * socket's or GnuTLS's reason). Returns 0 with `err` when not finished. */
enum probe_outcome probe_result(const struct probe *p, char sha256_hex[65],
    struct err *err);

/* Closes the connection and frees the probe; NULL is allowed. */
void probe_free(struct probe *p);

/* Runs one probe to completion in a poll loop of its own, for tools and
 * tests (blocks for at most about `timeout_ms`): returns what
 * probe_result() would, or 0 with `err` when probe_start() refused. */
enum probe_outcome probe_run(const char *host, int port, const char *sni,
    int timeout_ms, char sha256_hex[65], struct err *err);

#endif
