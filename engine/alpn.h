/*
 * alpn: the built-in tls-alpn-01 challenge responder (RFC 8737).
 *
 * A non-blocking TLS server inside the engine's one event loop, shaped
 * like the http-01 responder: the loop asks for the descriptors to watch,
 * polls them with everything else and hands the readiness back; every
 * deadline is the caller's clock and nothing blocks or starts a thread.
 * For each identifier registered it presents, to a client that asks for
 * that name (SNI) and offers the "acme-tls/1" protocol (ALPN), a
 * self-signed certificate carrying the key authorization's digest. Any
 * other client, ordinary TLS included, is refused during the handshake.
 * The handshake is all a validation needs, so the connection is closed
 * once it completes.
 */
#ifndef CERTDECK_ALPN_H
#define CERTDECK_ALPN_H

#include <poll.h>
#include <stddef.h>

#include "err.h"

#define ALPN_MAX_CLIENTS	64
#define ALPN_MAX_NAMES		1024
#define ALPN_CLIENT_MS		10000	/* time a client has to be done */
#define ALPN_PROTOCOL		"acme-tls/1"

struct alpn;

/* Counters for tests and the activity log: handshakes completed with a
 * challenge certificate, handshakes refused (unknown or missing name, no
 * acme-tls/1, not TLS at all), and clients closed without either (timed
 * out, over the client limit, reset, gone). */
struct alpn_stats {
	unsigned long served;
	unsigned long refused;
	unsigned long dropped;
};

/* Makes the responder's key and listens (non-blocking, SO_REUSEADDR,
 * close-on-exec) on bind_addr:port; NULL or "" is every address, else a
 * numeric address. Returns a responder the caller frees with alpn_free(),
 * or NULL with `err` naming address, port and reason. */
struct alpn *alpn_new(const char *bind_addr, int port, struct err *err);

/* Closes every connection and frees the responder; NULL is allowed. */
void alpn_free(struct alpn *a);

/* Returns the port actually bound (useful after asking for port 0). */
int alpn_port(const struct alpn *a);

/* Serves a new certificate for `identifier` until removed, replacing an
 * earlier one for the same identifier: for a DNS name, the name itself is
 * the SNI and the only SAN (dNSName); for an IP identifier (`is_ip`), the
 * address or its reverse-DNS name ("1.0.0.127.in-addr.arpa", RFC 8738 §6)
 * may be given, the reverse name is the SNI and the address the only SAN
 * (iPAddress). The certificate carries the critical acmeIdentifier
 * extension holding SHA-256(key_authorization). Returns 0, or -1 with
 * `err` set (ERR_PROTO for a name or key authorization refused, shown
 * escaped), adding nothing. */
int alpn_add(struct alpn *a, const char *identifier, int is_ip,
    const char *key_authorization, struct err *err);

/* Stops serving `identifier` (in any form alpn_add() takes); unknown ones
 * are ignored. A handshake already under way keeps its certificate. */
void alpn_remove(struct alpn *a, const char *identifier);

/* Returns how many identifiers are being served. */
size_t alpn_count(const struct alpn *a);

/* Fills up to `max` pollfds the loop must watch (the listening socket
 * first, then the clients); returns how many were filled. */
int alpn_pollfds(struct alpn *a, struct pollfd *fds, int max);

/* Handles the readiness poll() reported in `fds` (matched by descriptor,
 * other descriptors ignored) and every deadline passed at `now_ms` on a
 * monotonic clock; never blocks. `fds` may be NULL when `n` is 0. */
void alpn_handle(struct alpn *a, const struct pollfd *fds, int n,
    long long now_ms);

/* Returns the milliseconds until the next deadline, 0 when one has passed,
 * or -1 when there is none. */
int alpn_timeout_ms(const struct alpn *a, long long now_ms);

/* Copies the counters into `out`. */
void alpn_stats(const struct alpn *a, struct alpn_stats *out);

#endif
