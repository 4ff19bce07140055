/*
 * responder: the http-01 challenge responder (see responder.h).
 *
 * Each client is a small state machine: read the request head into a fixed
 * buffer, then write one whole response. One request per connection. The
 * listener owns the sockets, the limits and the deadlines, and once the
 * response is out, half-closes and drains the connection.
 */
#include "autoconfig.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "buf.h"
#include "esc.h"
#include "listener.h"
#include "responder.h"

#define RSP_PREFIX		"/.well-known/acme-challenge/"
#define RSP_TOKEN_MIN		22
#define RSP_TOKEN_MAX		1024
#define RSP_KEYAUTH_MAX		4096
#define RSP_SHOWN_MAX		96	/* escaped bytes of a bad token in a message */

enum rsp_state {
	RSP_READ,
	RSP_WRITE
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
	int			 fd;	/* the listener's */
	struct responder	*owner;
	enum rsp_state		 state;
	enum rsp_answer		 answer;
	size_t			 inlen;
	char			*out;
	size_t			 outlen;
	size_t			 outoff;
	char			 in[RESPONDER_HEAD_MAX];
};

struct responder {
	struct listener		*l;
	struct rsp_token	*tokens;
	size_t			 ntokens;
	size_t			 tokcap;
	struct responder_stats	 stats;	/* but `dropped`, the listener's */
};

/* Frees a client's state; its socket is the listener's to close. */
static void
rsp_close(void *client)
{
	struct rsp_client *c = client;

	free(c->out);
	free(c);
}

/* Starts reading a request on the accepted socket `fd`. */
static void *
rsp_open(void *arg, int fd)
{
	struct rsp_client *c;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	c->owner = arg;
	c->fd = fd;
	c->state = RSP_READ;
	return c;
}

static short
rsp_events(void *client)
{
	struct rsp_client *c = client;

	return c->state == RSP_WRITE ? POLLOUT : POLLIN;
}

static enum listener_step rsp_ready(void *);

static const struct listener_ops rsp_listener_ops = {
	.max_clients = RESPONDER_MAX_CLIENTS,
	.client_ms = RESPONDER_CLIENT_MS,
	.open = rsp_open,
	.events = rsp_events,
	.ready = rsp_ready,
	.close = rsp_close,
};

struct responder *
responder_new(const char *bind_addr, int port, struct err *err)
{
	struct responder *r;

	if ((r = calloc(1, sizeof *r)) == NULL) {
		err_nomem(err, "http-01 responder");
		return NULL;
	}
	if ((r->l = listener_new(bind_addr, port, &rsp_listener_ops, r,
	    err)) == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

void
responder_free(struct responder *r)
{
	size_t i;

	if (r == NULL)
		return;
	listener_free(r->l);
	for (i = 0; i < r->ntokens; i++) {
		free(r->tokens[i].token);
		free(r->tokens[i].keyauth);
	}
	free(r->tokens);
	free(r);
}

int
responder_port(const struct responder *r)
{
	return listener_port(r->l);
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
	return listener_pollfds(r->l, fds, max);
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

/* Sends what is left of the response; once it is all out, counts it
 * and lets the listener close. */
static enum listener_step
rsp_write(struct rsp_client *c)
{
	struct responder *r = c->owner;
	ssize_t n;
	int moved;

	while (c->outoff < c->outlen) {
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if ((moved = listener_moved(n)) <= 0)
			return moved == 0 ? LISTENER_WAIT : LISTENER_DROP;
		c->outoff += (size_t)n;
	}
	if (c->answer == RSP_OK)
		r->stats.served++;
	else if (c->answer == RSP_NOT_FOUND)
		r->stats.not_found++;
	else
		r->stats.refused++;
	return LISTENER_DONE;
}

/* Reads the request head; answers once it is complete or too large. */
static enum listener_step
rsp_read(struct rsp_client *c)
{
	const struct rsp_token *t = NULL;
	enum rsp_answer answer;
	size_t before = c->inlen;
	ssize_t n;
	int moved;

	n = recv(c->fd, c->in + c->inlen, sizeof c->in - c->inlen,
	    MSG_DONTWAIT);
	if ((moved = listener_moved(n)) <= 0)
		return moved == 0 ? LISTENER_WAIT : LISTENER_DROP;
	c->inlen += (size_t)n;
	if (rsp_head_done(c->in, c->inlen, before))
		answer = rsp_route(c->owner, c, &t);
	else if (c->inlen == sizeof c->in)
		answer = RSP_TOO_LARGE;
	else
		return LISTENER_WAIT;
	if (rsp_prepare(c, answer, t) == -1)
		return LISTENER_DROP;
	return rsp_write(c);
}

static enum listener_step
rsp_ready(void *client)
{
	struct rsp_client *c = client;

	return c->state == RSP_READ ? rsp_read(c) : rsp_write(c);
}

void
responder_handle(struct responder *r, const struct pollfd *fds, int n,
    long long now_ms)
{
	listener_handle(r->l, fds, n, now_ms);
}

int
responder_timeout_ms(const struct responder *r, long long now_ms)
{
	return listener_timeout_ms(r->l, now_ms);
}

void
responder_stats(const struct responder *r, struct responder_stats *out)
{
	*out = r->stats;
	out->dropped = listener_dropped(r->l);
}
