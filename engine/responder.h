/*
 * responder: the built-in http-01 challenge responder (RFC 8555 §8.3).
 *
 * A small non-blocking HTTP/1.1 server that lives inside the engine's one
 * event loop: the loop asks for the descriptors to watch, polls them with
 * everything else and hands the readiness back. It never blocks and never
 * starts a thread. It answers GET /.well-known/acme-challenge/TOKEN with
 * the key authorization for the tokens registered, and 404 to anything
 * else. Every client is hostile until proven otherwise, so the number of
 * clients, the size of a request head and the time a client may take are
 * all bounded.
 */
#ifndef CERTDECK_RESPONDER_H
#define CERTDECK_RESPONDER_H

#include <poll.h>
#include <stddef.h>

#include "err.h"

#define RESPONDER_MAX_CLIENTS	64
#define RESPONDER_MAX_TOKENS	1024
#define RESPONDER_HEAD_MAX	8192	/* bytes of request line and headers */
#define RESPONDER_CLIENT_MS	10000	/* time a client has to be done */

struct responder;

/* Counters for tests and the activity log: responses 200 and 404 sent
 * whole, other refusals (400, 405, 431) sent, and clients closed without
 * a complete answer (timed out, over the client limit, reset, gone). */
struct responder_stats {
	unsigned long served;
	unsigned long not_found;
	unsigned long dropped;
	unsigned long refused;
};

/* Listens (non-blocking, SO_REUSEADDR, close-on-exec) on bind_addr:port;
 * NULL or "" is every address (IPv6 with IPv4 mapped, or IPv4 alone where
 * IPv6 is missing), else a numeric address. Returns a responder the caller
 * frees with responder_free(), or NULL with `err` naming address, port and
 * reason. */
struct responder *responder_new(const char *bind_addr, int port,
    struct err *err);

/* Closes every socket and frees the responder; NULL is allowed. */
void responder_free(struct responder *r);

/* Returns the port actually bound (useful after asking for port 0). */
int responder_port(const struct responder *r);

/* Serves a copy of `key_authorization` for `token` until removed; adding a
 * token again replaces its value. Returns 0, or -1 with ERR_PROTO (token
 * not [A-Za-z0-9_-]{22,}, shown escaped) or another error, adding nothing. */
int responder_add(struct responder *r, const char *token,
    const char *key_authorization, struct err *err);

/* Stops serving `token`; unknown tokens are ignored. */
void responder_remove(struct responder *r, const char *token);

/* Returns how many tokens are being served. */
size_t responder_count(const struct responder *r);

/* Fills up to `max` pollfds the loop must watch (the listening socket
 * first, then the clients); returns how many were filled. */
int responder_pollfds(struct responder *r, struct pollfd *fds, int max);

/* Handles the readiness poll() reported in `fds` (matched by descriptor,
 * other descriptors ignored) and every deadline passed at `now_ms` on a
 * monotonic clock; never blocks. `fds` may be NULL when `n` is 0. */
void responder_handle(struct responder *r, const struct pollfd *fds, int n,
    long long now_ms);

/* Returns the milliseconds until the next deadline, 0 when one has passed,
 * or -1 when there is none. */
int responder_timeout_ms(const struct responder *r, long long now_ms);

/* Copies the counters into `out`. */
void responder_stats(const struct responder *r, struct responder_stats *out);

#endif
