/*
 * responder: the http-01 challenge responder (see responder.h).
 *
 * Each client is a small state machine: read the request head into a fixed
 * buffer, write one whole response, then half-close and read whatever the
 * client still sends until it closes, so that unread input does not turn
 * the close into a reset that would destroy the response in flight. One
 * request per connection; every wait is poll()'s, every deadline is the
 * caller's clock.
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

#include "b64url.h"
#include "buf.h"
#include "esc.h"
#include "responder.h"

#define RSP_PREFIX		"/.well-known/acme-challenge/"
#define RSP_TOKEN_MIN		22
#define RSP_TOKEN_MAX		1024
#define RSP_KEYAUTH_MAX		4096
#define RSP_DRAIN_MAX		65536	/* read after the response, then close */
#define RSP_ACCEPT_BURST	128	/* a flood of connects cannot hog the loop */
#define RSP_ACCEPT_PAUSE_MS	100	/* after running out of descriptors */
#define RSP_SHOWN_MAX		96	/* escaped bytes of a bad token in a message */
#define RSP_NAME_MAX		320	/* "[address%scope]:port", escaped */

enum rsp_state {
	RSP_READ,
	RSP_WRITE,
	RSP_DRAIN
};

/* What the response is; indexes rsp_answers. */
enum rsp_answer {
	RSP_OK,
	RSP_NOT_FOUND,
	RSP_BAD_REQUEST,
	RSP_BAD_METHOD,
	RSP_TOO_LARGE
};

static const struct {
	const char	*status;
	const char	*extra;		/* further header lines */
	const char	*body;		/* NULL: the key authorization */
} rsp_answers[] = {
	[RSP_OK] = { "200 OK", "", NULL },
	[RSP_NOT_FOUND] = { "404 Not Found", "", "not found\n" },
	[RSP_BAD_REQUEST] = { "400 Bad Request", "", "bad request\n" },
	[RSP_BAD_METHOD] = { "405 Method Not Allowed", "Allow: GET\r\n",
	    "method not allowed\n" },
	[RSP_TOO_LARGE] = { "431 Request Header Fields Too Large", "",
	    "request header too large\n" },
};

struct rsp_token {
	char	*token;
	char	*keyauth;
};

struct rsp_client {
	int		 fd;
	enum rsp_state	 state;
	enum rsp_answer	 answer;
	long long	 deadline;
	size_t		 inlen;
	size_t		 drained;
	char		*out;
	size_t		 outlen;
	size_t		 outoff;
	char		 in[RESPONDER_HEAD_MAX];
};

struct responder {
	int			 fd;
	int			 port;
	int			 accept_paused;
	long long		 accept_resume;
	struct rsp_token	*tokens;
	size_t			 ntokens;
	size_t			 tokcap;
	struct rsp_client	*clients[RESPONDER_MAX_CLIENTS];
	struct responder_stats	 stats;
};

/* Opens, binds and listens; returns the socket, or -1 with `err` set and
 * the failing call's errno in `*why`. */
static int
rsp_listen(const struct sockaddr *sa, socklen_t salen, int dual,
    const char *name, int *port, int *why, struct err *err)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	int fd, on = 1, off = 0;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1 ||
	    (dual && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
	    sizeof off) == -1) ||
	    bind(fd, sa, salen) == -1 ||
	    listen(fd, SOMAXCONN) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1) {
		*why = errno;
		if (fd != -1)
			close(fd);
		errno = *why;
		return err_errno(err, "cannot listen on %s", name);
	}
	if (ss.ss_family == AF_INET6)
		*port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* Listens on every address: IPv6 with IPv4 mapped, or IPv4 alone where the
 * system has no IPv6. */
static int
rsp_listen_any(int port, int *bound, struct err *err)
{
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;
	char name[RSP_NAME_MAX];
	int fd, why = 0;

	memset(&sin6, 0, sizeof sin6);
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons((unsigned short)port);
	sin6.sin6_addr = in6addr_any;
	snprintf(name, sizeof name, "[::]:%d", port);
	fd = rsp_listen((struct sockaddr *)&sin6, sizeof sin6, 1, name, bound,
	    &why, err);
	if (fd != -1 || (why != EAFNOSUPPORT && why != EPROTONOSUPPORT &&
	    why != EADDRNOTAVAIL))
		return fd;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	snprintf(name, sizeof name, "0.0.0.0:%d", port);
	return rsp_listen((struct sockaddr *)&sin, sizeof sin, 0, name, bound,
	    &why, err);
}

/* Listens on one numeric address, given bare or in brackets; names are
 * never looked up, since a resolver would block the loop. */
static int
rsp_listen_addr(const char *text, int port, int *bound, struct err *err)
{
	struct addrinfo hints, *res;
	char host[INET6_ADDRSTRLEN + 64], shown[RSP_NAME_MAX / 2];
	char name[RSP_NAME_MAX], serv[16];
	size_t len = strlen(text);
	int fd, gai, why;

	if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
		text++;
		len -= 2;
	}
	esc_buf(text, len, shown, sizeof shown);
	snprintf(name, sizeof name, strchr(shown, ':') != NULL ? "[%s]:%d" :
	    "%s:%d", shown, port);
	if (len >= sizeof host)
		return err_set(err, ERR_CONFIG, "cannot listen on %s: "
		    "address too long", name);
	memcpy(host, text, len);
	host[len] = '\0';
	snprintf(serv, sizeof serv, "%d", port);

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if ((gai = getaddrinfo(host, serv, &hints, &res)) != 0)
		return err_set(err, ERR_CONFIG, "cannot listen on %s: "
		    "not a numeric IP address: %s", name, gai_strerror(gai));
	fd = rsp_listen(res->ai_addr, res->ai_addrlen, 0, name, bound, &why,
	    err);
	freeaddrinfo(res);
	return fd;
}

struct responder *
responder_new(const char *bind_addr, int port, struct err *err)
{
	struct responder *r;

	if (port < 0 || port > 65535) {
		err_set(err, ERR_CONFIG, "cannot listen on port %d: "
		    "not a port number", port);
		return NULL;
	}
	if ((r = calloc(1, sizeof *r)) == NULL) {
		err_nomem(err, "http-01 responder");
		return NULL;
	}
	if (bind_addr == NULL || *bind_addr == '\0')
		r->fd = rsp_listen_any(port, &r->port, err);
	else
		r->fd = rsp_listen_addr(bind_addr, port, &r->port, err);
	if (r->fd == -1) {
		free(r);
		return NULL;
	}
	return r;
}

/* Closes client `i`, counting it as dropped when it got no whole answer. */
static void
rsp_close(struct responder *r, size_t i, int dropped)
{
	struct rsp_client *c = r->clients[i];

	if (dropped)
		r->stats.dropped++;
	close(c->fd);
	free(c->out);
	free(c);
	r->clients[i] = NULL;
}

void
responder_free(struct responder *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < RESPONDER_MAX_CLIENTS; i++)
		if (r->clients[i] != NULL)
			rsp_close(r, i, 1);
	for (i = 0; i < r->ntokens; i++) {
		free(r->tokens[i].token);
		free(r->tokens[i].keyauth);
	}
	free(r->tokens);
	close(r->fd);
	free(r);
}

int
responder_port(const struct responder *r)
{
	return r->port;
}

/* Returns the entry for the `len` bytes at `token`, or NULL. */
static struct rsp_token *
rsp_find(const struct responder *r, const char *token, size_t len)
{
	size_t i;

	for (i = 0; i < r->ntokens; i++)
		if (strlen(r->tokens[i].token) == len &&
		    memcmp(r->tokens[i].token, token, len) == 0)
			return &r->tokens[i];
	return NULL;
}

/* Refuses anything but [A-Za-z0-9_-]{22,}: the token came from the CA. */
static int
rsp_check_token(const char *token, struct err *err)
{
	char shown[RSP_SHOWN_MAX];
	size_t len;

	if (token == NULL)
		return err_set(err, ERR_PROTO, "http-01 responder: no token");
	len = strlen(token);
	if (len >= RSP_TOKEN_MIN && len <= RSP_TOKEN_MAX &&
	    b64url_is_valid(token))
		return 0;
	esc_buf(token, len, shown, sizeof shown);
	return err_set(err, ERR_PROTO, "http-01 responder: token \"%s\": "
	    "not %d to %d characters of [A-Za-z0-9_-]", shown, RSP_TOKEN_MIN,
	    RSP_TOKEN_MAX);
}

/* Makes room for one more token; returns 0 or -1 with `err` set. */
static int
rsp_grow_tokens(struct responder *r, struct err *err)
{
	struct rsp_token *t;
	size_t cap;

	if (r->ntokens >= RESPONDER_MAX_TOKENS)
		return err_set(err, ERR_FAIL, "http-01 responder: already "
		    "serving %d tokens", RESPONDER_MAX_TOKENS);
	if (r->ntokens < r->tokcap)
		return 0;
	cap = r->tokcap == 0 ? 8 : r->tokcap * 2;
	if (cap > RESPONDER_MAX_TOKENS)
		cap = RESPONDER_MAX_TOKENS;
	if ((t = realloc(r->tokens, cap * sizeof *t)) == NULL)
		return err_nomem(err, "http-01 token table");
	r->tokens = t;
	r->tokcap = cap;
	return 0;
}

int
responder_add(struct responder *r, const char *token,
    const char *key_authorization, struct err *err)
{
	struct rsp_token *t;
	char *tcopy, *kcopy;

	if (rsp_check_token(token, err) == -1)
		return -1;
	if (key_authorization == NULL ||
	    strlen(key_authorization) > RSP_KEYAUTH_MAX)
		return err_set(err, ERR_PROTO, "http-01 responder: token %s: "
		    "key authorization missing or over %d bytes", token,
		    RSP_KEYAUTH_MAX);
	if ((kcopy = strdup(key_authorization)) == NULL)
		return err_nomem(err, "key authorization");
	if ((t = rsp_find(r, token, strlen(token))) != NULL) {
		free(t->keyauth);
		t->keyauth = kcopy;
		return 0;
	}
	if (rsp_grow_tokens(r, err) == -1) {
		free(kcopy);
		return -1;
	}
	if ((tcopy = strdup(token)) == NULL) {
		free(kcopy);
		return err_nomem(err, "http-01 token");
	}
	r->tokens[r->ntokens].token = tcopy;
	r->tokens[r->ntokens].keyauth = kcopy;
	r->ntokens++;
	return 0;
}

void
responder_remove(struct responder *r, const char *token)
{
	struct rsp_token *t;

	if (token == NULL || (t = rsp_find(r, token, strlen(token))) == NULL)
		return;
	free(t->token);
	free(t->keyauth);
	*t = r->tokens[--r->ntokens];
}

size_t
responder_count(const struct responder *r)
{
	return r->ntokens;
}

int
responder_pollfds(struct responder *r, struct pollfd *fds, int max)
{
	struct rsp_client *c;
	size_t i;
	int n = 0;

	if (fds == NULL || max <= 0)
		return 0;
	/* While descriptors run out the listener stays listed but unwatched,
	 * so a pending connection cannot spin the loop. */
	fds[n].fd = r->fd;
	fds[n].events = r->accept_paused ? 0 : POLLIN;
	fds[n++].revents = 0;
	for (i = 0; i < RESPONDER_MAX_CLIENTS && n < max; i++) {
		if ((c = r->clients[i]) == NULL)
			continue;
		fds[n].fd = c->fd;
		fds[n].events = c->state == RSP_WRITE ? POLLOUT : POLLIN;
		fds[n++].revents = 0;
	}
	return n;
}

/* Returns the request-line field of `line` (up to `end`) after `from`, ending
 * at a space, in `*len`; NULL when there is no space. */
static const char *
rsp_field(const char *from, const char *end, size_t *len)
{
	const char *sp = memchr(from, ' ', (size_t)(end - from));

	if (sp == NULL)
		return NULL;
	*len = (size_t)(sp - from);
	return from;
}

/* Decides the answer to a complete request head; only the request line
 * matters, and the path must be the prefix plus a known token exactly. */
static enum rsp_answer
rsp_route(const struct responder *r, const struct rsp_client *c,
    const struct rsp_token **found)
{
	const char *end, *method, *target, *version;
	size_t mlen, tlen, plen = strlen(RSP_PREFIX);

	end = memchr(c->in, '\n', c->inlen);
	if (end > c->in && end[-1] == '\r')
		end--;
	if ((method = rsp_field(c->in, end, &mlen)) == NULL ||
	    (target = rsp_field(method + mlen + 1, end, &tlen)) == NULL)
		return RSP_BAD_REQUEST;
	version = target + tlen + 1;
	if (end - version != 8 || memcmp(version, "HTTP/1.", 7) != 0)
		return RSP_BAD_REQUEST;
	if (mlen != 3 || memcmp(method, "GET", 3) != 0)
		return RSP_BAD_METHOD;
	if (tlen <= plen || memcmp(target, RSP_PREFIX, plen) != 0 ||
	    (*found = rsp_find(r, target + plen, tlen - plen)) == NULL)
		return RSP_NOT_FOUND;
	return RSP_OK;
}

/* Queues the whole response for `answer`; returns 0 or -1. */
static int
rsp_prepare(struct rsp_client *c, enum rsp_answer answer,
    const struct rsp_token *t)
{
	struct buf b;
	const char *body = rsp_answers[answer].body;

	if (body == NULL)
		body = t->keyauth;
	buf_init(&b, 0);
	if (buf_printf(&b, NULL, "HTTP/1.1 %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "%sConnection: close\r\n\r\n%s", rsp_answers[answer].status,
	    answer == RSP_OK ? "application/octet-stream" : "text/plain",
	    strlen(body), rsp_answers[answer].extra, body) == -1) {
		buf_free(&b);
		return -1;
	}
	c->outlen = b.len;
	c->outoff = 0;
	c->answer = answer;
	c->state = RSP_WRITE;
	return (c->out = buf_steal(&b)) == NULL ? -1 : 0;
}

/* True when a blank line ends the head; `from` is where new bytes began. */
static int
rsp_head_done(const char *in, size_t len, size_t from)
{
	size_t i = from > 2 ? from - 2 : 0;

	for (; i + 1 < len; i++) {
		if (in[i] != '\n')
			continue;
		if (in[i + 1] == '\n' ||
		    (i + 2 < len && in[i + 1] == '\r' && in[i + 2] == '\n'))
			return 1;
	}
	return 0;
}

/* Sorts out what send() or recv() returned: 1 when bytes moved, 0 to wait
 * for readiness, -1 when the client is gone (closed here, counted as
 * dropped if `dropped`). */
static int
rsp_moved(struct responder *r, size_t i, ssize_t n, int dropped)
{
	if (n > 0)
		return 1;
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return 0;
	rsp_close(r, i, dropped);
	return -1;
}

/* Sends what is left of the response; once it is all out, counts it,
 * half-closes and goes on to drain. */
static void
rsp_write(struct responder *r, size_t i)
{
	struct rsp_client *c = r->clients[i];
	ssize_t n;

	while (c->outoff < c->outlen) {
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (rsp_moved(r, i, n, 1) <= 0)
			return;
		c->outoff += (size_t)n;
	}
	if (c->answer == RSP_OK)
		r->stats.served++;
	else if (c->answer == RSP_NOT_FOUND)
		r->stats.not_found++;
	else
		r->stats.refused++;
	free(c->out);
	c->out = NULL;
	shutdown(c->fd, SHUT_WR);
	c->state = RSP_DRAIN;
}

/* Reads the request head; answers once it is complete or too large. */
static void
rsp_read(struct responder *r, size_t i)
{
	struct rsp_client *c = r->clients[i];
	const struct rsp_token *t = NULL;
	enum rsp_answer answer;
	size_t before = c->inlen;
	ssize_t n;

	n = recv(c->fd, c->in + c->inlen, sizeof c->in - c->inlen,
	    MSG_DONTWAIT);
	if (rsp_moved(r, i, n, 1) <= 0)
		return;
	c->inlen += (size_t)n;
	if (rsp_head_done(c->in, c->inlen, before))
		answer = rsp_route(r, c, &t);
	else if (c->inlen == sizeof c->in)
		answer = RSP_TOO_LARGE;
	else
		return;
	if (rsp_prepare(c, answer, t) == -1) {
		rsp_close(r, i, 1);
		return;
	}
	rsp_write(r, i);
}

/* Discards what the client sends after its answer, until it closes. */
static void
rsp_drain(struct responder *r, size_t i)
{
	struct rsp_client *c = r->clients[i];
	ssize_t n;

	n = recv(c->fd, c->in, sizeof c->in, MSG_DONTWAIT);
	if (rsp_moved(r, i, n, 0) > 0 &&
	    (c->drained += (size_t)n) > RSP_DRAIN_MAX)
		rsp_close(r, i, 0);
}

/* Accepts waiting connections; past the client limit each is closed at
 * once. */
static void
rsp_accept(struct responder *r, long long now_ms)
{
	struct rsp_client *c;
	size_t slot;
	int burst, fd;

	for (burst = 0; burst < RSP_ACCEPT_BURST; burst++) {
		fd = accept4(r->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				r->accept_paused = 1;
				r->accept_resume = now_ms + RSP_ACCEPT_PAUSE_MS;
				return;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			continue;	/* that connection failed, not us */
		}
		for (slot = 0; slot < RESPONDER_MAX_CLIENTS; slot++)
			if (r->clients[slot] == NULL)
				break;
		if (slot == RESPONDER_MAX_CLIENTS ||
		    (c = calloc(1, sizeof *c)) == NULL) {
			close(fd);
			r->stats.dropped++;
			continue;
		}
		c->fd = fd;
		c->state = RSP_READ;
		c->deadline = now_ms + RESPONDER_CLIENT_MS;
		r->clients[slot] = c;
	}
}

/* Returns the revents poll() reported for `fd`, or 0. */
static short
rsp_revents(const struct pollfd *fds, int n, int fd)
{
	int i;

	for (i = 0; i < n; i++)
		if (fds[i].fd == fd)
			return fds[i].revents;
	return 0;
}

void
responder_handle(struct responder *r, const struct pollfd *fds, int n,
    long long now_ms)
{
	struct rsp_client *c;
	size_t i;

	if (fds == NULL)
		n = 0;
	for (i = 0; i < RESPONDER_MAX_CLIENTS; i++) {
		if ((c = r->clients[i]) == NULL)
			continue;
		if (now_ms >= c->deadline)
			rsp_close(r, i, c->state != RSP_DRAIN);
		else if (rsp_revents(fds, n, c->fd) == 0)
			continue;
		else if (c->state == RSP_READ)
			rsp_read(r, i);
		else if (c->state == RSP_WRITE)
			rsp_write(r, i);
		else
			rsp_drain(r, i);
	}
	/* Accepting last: a descriptor closed above and reused by accept()
	 * must not inherit the readiness reported for the old client. */
	if (r->accept_paused && now_ms >= r->accept_resume)
		r->accept_paused = 0;
	if (!r->accept_paused && (rsp_revents(fds, n, r->fd) & POLLIN))
		rsp_accept(r, now_ms);
}

int
responder_timeout_ms(const struct responder *r, long long now_ms)
{
	long long next = 0;
	int have = 0;
	size_t i;

	for (i = 0; i < RESPONDER_MAX_CLIENTS; i++) {
		if (r->clients[i] == NULL)
			continue;
		if (!have || r->clients[i]->deadline < next)
			next = r->clients[i]->deadline;
		have = 1;
	}
	if (r->accept_paused && (!have || r->accept_resume < next)) {
		next = r->accept_resume;
		have = 1;
	}
	if (!have)
		return -1;
	if (next <= now_ms)
		return 0;
	return next - now_ms > INT_MAX ? INT_MAX : (int)(next - now_ms);
}

void
responder_stats(const struct responder *r, struct responder_stats *out)
{
	*out = r->stats;
}
