/*
 * listener: the TCP side shared by the built-in challenge responders.
 *
 * A listening socket inside the engine's one event loop, and the table of
 * clients it accepted: the loop asks for the descriptors to watch, polls
 * them with everything else and hands the readiness back. The listener
 * bounds the number of clients and the time each may take, pauses
 * accepting while descriptors run out, and, once the protocol has said
 * its last word, half-closes the socket and drains it until the client
 * closes, so that unread input does not turn the close into a reset that
 * would destroy the answer in flight. What is said on a connection is the
 * protocol's, given as a table of callbacks.
 */
#ifndef CERTDECK_LISTENER_H
#define CERTDECK_LISTENER_H

#include <sys/types.h>

#include <poll.h>
#include <stddef.h>

#include "err.h"

struct listener;

/* What a protocol's `ready` callback made of the client. */
enum listener_step {
	LISTENER_WAIT,		/* more to do: poll again */
	LISTENER_DONE,		/* answered: half-close, drain, close */
	LISTENER_DROP		/* gone or failed: close, counted as dropped */
};

/* A protocol spoken on the accepted connections. */
struct listener_ops {
	int	  max_clients;		/* more at once are closed at accept */
	int	  client_ms;		/* time a client has to be done */
	/* Returns the protocol's state for the new connection on `fd`
	 * (which stays the listener's to close), or NULL to refuse it. */
	void	 *(*open)(void *arg, int fd);
	/* Returns POLLIN or POLLOUT: the way the client waits now. */
	short	  (*events)(void *client);
	/* Moves the client on after poll() reported readiness. */
	enum listener_step (*ready)(void *client);
	/* Frees the client's state: after DONE or DROP, at its deadline or
	 * when the listener is freed. */
	void	  (*close)(void *client);
};

/* Listens (non-blocking, SO_REUSEADDR, close-on-exec) on bind_addr:port;
 * NULL or "" is every address (IPv6 with IPv4 mapped, or IPv4 alone where
 * IPv6 is missing), else a numeric address, bare or in brackets. `ops`
 * must outlive the listener; `arg` goes to ops->open. Returns a listener
 * the caller frees with listener_free(), or NULL with `err` naming
 * address, port and reason. */
struct listener *listener_new(const char *bind_addr, int port,
    const struct listener_ops *ops, void *arg, struct err *err);

/* Closes every client (through ops->close) and the listening socket, and
 * frees the listener; NULL is allowed. */
void listener_free(struct listener *l);

/* Returns the port actually bound (useful after asking for port 0). */
int listener_port(const struct listener *l);

/* Returns how many clients were closed without a whole answer: refused at
 * accept, dropped by the protocol, or past their deadline. */
unsigned long listener_dropped(const struct listener *l);

/* Fills up to `max` pollfds the loop must watch (the listening socket
 * first, then the clients); returns how many were filled. */
int listener_pollfds(struct listener *l, struct pollfd *fds, int max);

/* Handles the readiness poll() reported in `fds` (matched by descriptor,
 * other descriptors ignored) and every deadline passed at `now_ms` on a
 * monotonic clock; never blocks. `fds` may be NULL when `n` is 0. */
void listener_handle(struct listener *l, const struct pollfd *fds, int n,
    long long now_ms);

/* Returns the milliseconds until the next deadline, 0 when one has passed,
 * or -1 when there is none. */
int listener_timeout_ms(const struct listener *l, long long now_ms);

/* Sorts out what a non-blocking send() or recv() returned: 1 when bytes
 * moved, 0 to wait for readiness, -1 when the peer is gone. */
int listener_moved(ssize_t n);

#endif
