/*
 * listener: the listening socket and client table of the challenge
 * responders (see listener.h).
 *
 * A client slot is free while its descriptor is -1. A client belongs to
 * the protocol until its `ready` callback says DONE; from then on the
 * listener alone reads and discards what the client still sends, until
 * it closes, a cap is reached or the deadline passes. Every wait is
 * poll()'s, every deadline is the caller's clock.
 */
#include "autoconfig.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netdb.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esc.h"
#include "listener.h"

#define LST_DRAIN_MAX		65536	/* read after the answer, then close */
#define LST_ACCEPT_BURST	128	/* a flood of connects cannot hog the loop */
#define LST_ACCEPT_PAUSE_MS	100	/* after running out of descriptors */
#define LST_NAME_MAX		320	/* "[address%scope]:port", escaped */

struct lst_client {
	int		 fd;		/* -1: the slot is free */
	int		 draining;
	long long	 deadline;
	size_t		 drained;
	void		*data;		/* the protocol's; NULL once draining */
};

struct listener {
	int			 fd;
	int			 port;
	int			 accept_paused;
	long long		 accept_resume;
	unsigned long		 dropped;
	const struct listener_ops *ops;
	void			*arg;
	struct lst_client	*clients;
};

/* Binds and listens on the numeric `host` (brackets already taken off);
 * returns the socket, or -1 with `err` naming address and port and the
 * failing call's errno in `*why`. */
static int
lst_listen(const char *host, int port, int dual, int *bound, int *why,
    struct err *err)
{
	struct addrinfo hints, *res;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	char shown[LST_NAME_MAX / 2], name[LST_NAME_MAX], serv[16];
	int fd, gai, on = 1, off = 0;

	esc_buf(host, strlen(host), shown, sizeof shown);
	snprintf(name, sizeof name, strchr(shown, ':') != NULL ? "[%s]:%d" :
	    "%s:%d", shown, port);
	snprintf(serv, sizeof serv, "%d", port);
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	/* Numeric only: a resolver would block the loop. */
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	*why = 0;
	if ((gai = getaddrinfo(host, serv, &hints, &res)) != 0)
		return err_set(err, ERR_CONFIG, "cannot listen on %s: "
		    "not a numeric IP address: %s", name, gai_strerror(gai));
	if ((fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1 ||
	    (dual && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
	    sizeof off) == -1) ||
	    bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, SOMAXCONN) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1) {
		*why = errno;
		if (fd != -1)
			close(fd);
		freeaddrinfo(res);
		errno = *why;
		return err_errno(err, "cannot listen on %s", name);
	}
	freeaddrinfo(res);
	*bound = ntohs(ss.ss_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* Listens on `bind_addr` (brackets allowed), or on every address: IPv6
 * with IPv4 mapped, or IPv4 alone where the system has no IPv6. */
static int
lst_listen_on(const char *bind_addr, int port, int *bound, struct err *err)
{
	char host[INET6_ADDRSTRLEN + 64], shown[LST_NAME_MAX / 2];
	size_t len;
	int fd, why;

	if (bind_addr == NULL || *bind_addr == '\0') {
		fd = lst_listen("::", port, 1, bound, &why, err);
		if (fd != -1 || (why != EAFNOSUPPORT &&
		    why != EPROTONOSUPPORT && why != EADDRNOTAVAIL))
			return fd;
		return lst_listen("0.0.0.0", port, 0, bound, &why, err);
	}
	len = strlen(bind_addr);
	if (len >= 2 && bind_addr[0] == '[' && bind_addr[len - 1] == ']') {
		bind_addr++;
		len -= 2;
	}
	if (len >= sizeof host) {
		esc_buf(bind_addr, len, shown, sizeof shown);
		return err_set(err, ERR_CONFIG, "cannot listen on %s:%d: "
		    "address too long", shown, port);
	}
	memcpy(host, bind_addr, len);
	host[len] = '\0';
	return lst_listen(host, port, 0, bound, &why, err);
}

struct listener *
listener_new(const char *bind_addr, int port, const struct listener_ops *ops,
    void *arg, struct err *err)
{
	struct listener *l;
	int i;

	if (port < 0 || port > 65535) {
		err_set(err, ERR_CONFIG, "cannot listen on port %d: "
		    "not a port number", port);
		return NULL;
	}
	if ((l = calloc(1, sizeof *l)) == NULL ||
	    (l->clients = calloc((size_t)ops->max_clients,
	    sizeof *l->clients)) == NULL) {
		free(l);
		err_nomem(err, "listener");
		return NULL;
	}
	for (i = 0; i < ops->max_clients; i++)
		l->clients[i].fd = -1;
	l->ops = ops;
	l->arg = arg;
	if ((l->fd = lst_listen_on(bind_addr, port, &l->port, err)) == -1) {
		free(l->clients);
		free(l);
		return NULL;
	}
	return l;
}

/* Closes client `c`, counting it as dropped when it got no whole answer. */
static void
lst_close(struct listener *l, struct lst_client *c, int dropped)
{
	if (dropped)
		l->dropped++;
	if (c->data != NULL)
		l->ops->close(c->data);
	close(c->fd);
	memset(c, 0, sizeof *c);
	c->fd = -1;
}

void
listener_free(struct listener *l)
{
	int i;

	if (l == NULL)
		return;
	for (i = 0; i < l->ops->max_clients; i++)
		if (l->clients[i].fd != -1)
			lst_close(l, &l->clients[i], 1);
	free(l->clients);
	close(l->fd);
	free(l);
}

int
listener_port(const struct listener *l)
{
	return l->port;
}

unsigned long
listener_dropped(const struct listener *l)
{
	return l->dropped;
}

int
listener_moved(ssize_t n)
{
	if (n > 0)
		return 1;
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return 0;
	return -1;
}

int
listener_pollfds(struct listener *l, struct pollfd *fds, int max)
{
	struct lst_client *c;
	int i, n = 0;

	if (fds == NULL || max <= 0)
		return 0;
	/* While descriptors run out the listener stays listed but unwatched,
	 * so a pending connection cannot spin the loop. */
	fds[n].fd = l->fd;
	fds[n].events = l->accept_paused ? 0 : POLLIN;
	fds[n++].revents = 0;
	for (i = 0; i < l->ops->max_clients && n < max; i++) {
		c = &l->clients[i];
		if (c->fd == -1)
			continue;
		fds[n].fd = c->fd;
		fds[n].events = c->draining ? POLLIN : l->ops->events(c->data);
		fds[n++].revents = 0;
	}
	return n;
}

/* Hands client `c` over from the protocol to the drain. */
static void
lst_done(struct listener *l, struct lst_client *c)
{
	l->ops->close(c->data);
	c->data = NULL;
	shutdown(c->fd, SHUT_WR);
	c->draining = 1;
}

/* Discards what the client sends after its answer, until it closes. */
static void
lst_drain(struct listener *l, struct lst_client *c)
{
	char sink[4096];
	ssize_t n;
	int moved;

	n = recv(c->fd, sink, sizeof sink, MSG_DONTWAIT);
	if ((moved = listener_moved(n)) == -1 ||
	    (moved == 1 && (c->drained += (size_t)n) > LST_DRAIN_MAX))
		lst_close(l, c, 0);
}

/* Moves client `c` on, through the protocol or the drain. */
static void
lst_step(struct listener *l, struct lst_client *c)
{
	if (c->draining) {
		lst_drain(l, c);
		return;
	}
	switch (l->ops->ready(c->data)) {
	case LISTENER_WAIT:
		break;
	case LISTENER_DONE:
		lst_done(l, c);
		break;
	case LISTENER_DROP:
		lst_close(l, c, 1);
		break;
	}
}

/* Accepts waiting connections; past the client limit, or when the
 * protocol refuses one, each is closed at once. */
static void
lst_accept(struct listener *l, long long now_ms)
{
	struct lst_client *c;
	int burst, fd, slot;

	for (burst = 0; burst < LST_ACCEPT_BURST; burst++) {
		fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				l->accept_paused = 1;
				l->accept_resume = now_ms + LST_ACCEPT_PAUSE_MS;
				return;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			continue;	/* that connection failed, not us */
		}
		for (slot = 0; slot < l->ops->max_clients; slot++)
			if (l->clients[slot].fd == -1)
				break;
		if (slot == l->ops->max_clients ||
		    (l->clients[slot].data = l->ops->open(l->arg, fd)) ==
		    NULL) {
			close(fd);
			l->dropped++;
			continue;
		}
		c = &l->clients[slot];
		c->fd = fd;
		c->deadline = now_ms + l->ops->client_ms;
	}
}

/* Returns the revents poll() reported for `fd`, or 0. */
static short
lst_revents(const struct pollfd *fds, int n, int fd)
{
	int i;

	for (i = 0; i < n; i++)
		if (fds[i].fd == fd)
			return fds[i].revents;
	return 0;
}

void
listener_handle(struct listener *l, const struct pollfd *fds, int n,
    long long now_ms)
{
	struct lst_client *c;
	int i;

	if (fds == NULL)
		n = 0;
	for (i = 0; i < l->ops->max_clients; i++) {
		c = &l->clients[i];
		if (c->fd == -1)
			continue;
		if (now_ms >= c->deadline)
			lst_close(l, c, !c->draining);
		else if (lst_revents(fds, n, c->fd) != 0)
			lst_step(l, c);
	}
	/* Accepting last: a descriptor closed above and reused by accept()
	 * must not inherit the readiness reported for the old client. */
	if (l->accept_paused && now_ms >= l->accept_resume)
		l->accept_paused = 0;
	if (!l->accept_paused && (lst_revents(fds, n, l->fd) & POLLIN))
		lst_accept(l, now_ms);
}

int
listener_timeout_ms(const struct listener *l, long long now_ms)
{
	long long next = 0;
	int i, have = 0;

	for (i = 0; i < l->ops->max_clients; i++) {
		if (l->clients[i].fd == -1)
			continue;
		if (!have || l->clients[i].deadline < next)
			next = l->clients[i].deadline;
		have = 1;
	}
	if (l->accept_paused && (!have || l->accept_resume < next)) {
		next = l->accept_resume;
		have = 1;
	}
	if (!have)
		return -1;
	if (next <= now_ms)
		return 0;
	return next - now_ms > INT_MAX ? INT_MAX : (int)(next - now_ms);
}
