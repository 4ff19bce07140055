/*
 * http: asynchronous HTTPS for the engine thread, on one libcurl multi
 * handle (GnuTLS underneath).
 *
 * All jobs share the multi handle, so they share its connection cache:
 * requests to the CA reuse one connection and multiplex over HTTP/2 where
 * the server offers it. HTTPS only (but for a plain look at a web
 * server, see http_request.plain), TLS verification always on, redirects
 * never followed (a 3xx is returned as a response), and every size and
 * time a server could stretch is bounded (body, headers, Link count,
 * connect, total and low-speed timeouts).
 *
 * Everything but http_wakeup() must be called from the thread that owns
 * the client. libcurl's global state is set up once, on first use.
 */
#ifndef CERTDECK_HTTP_H
#define CERTDECK_HTTP_H

#include <poll.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "httphdr.h"

struct http_options {
	const char *ca_bundle;	/* extra trust (PEM file) or NULL for the system store */
	const char *user_agent;	/* e.g. "certdeck/0.1.0" */
	long connect_timeout_ms;	/* default 10000 when 0 */
	long total_timeout_ms;	/* default 60000 when 0 */
	long low_speed_limit;	/* bytes/s, with low_speed_time_s (defaults 100 B/s over 30 s) */
	long low_speed_time_s;
	size_t max_body;	/* default 1 MiB when 0 */
	size_t max_header_bytes;	/* default 64 KiB when 0, all headers together */
};

struct http_response {
	long status;
	char *content_type;	/* media type only, lowercased, no parameters; NULL if absent */
	char *location;		/* absolute https URL or NULL */
	char *replay_nonce;	/* only when valid base64url, else NULL */
	long retry_after;	/* seconds from now (>= 0), or -1 when absent/unparsable */
	time_t date;		/* server's Date header, 0 if absent */
	struct http_link *links;	/* absolute https URLs, at most HTTP_MAX_LINKS */
	size_t n_links;
	struct buf body;	/* NUL-terminated */
	char *url;		/* the request URL */
	int http_version;	/* 1, 2 or 3: the protocol the answer came over */
	int truncated;		/* a plain request's body, cut at its cap */
};

struct http_request {
	const char *method;	/* "GET", "HEAD" or "POST" */
	const char *url;
	const char *content_type;	/* for POST, e.g. "application/jose+json" */
	const char *body;
	size_t body_len;
	/* A look at someone's own web server (the wizard's preflight), not a
	 * request to the CA: plain http:// only, HTTP/1.1 on a connection of
	 * its own, closed after; of the answer only the status and the body
	 * are kept, so nothing it says reaches the CA's state. */
	int plain;
	const char *connect_to;	/* "HOST:PORT:ADDR:PORT" (CURLOPT_CONNECT_TO), or NULL */
	const char *ca_bundle;	/* trust for this request instead of the client's
				 * (a CA of its own): a PEM file, "" for the
				 * system's, or NULL */
	long timeout_ms;	/* the whole request, when shorter than the client's; 0: the client's */
	size_t max_body;	/* when smaller than the client's cap; 0: the client's */
};

/* Called once per request, from http_run(): on success `resp` is set and
 * the callback owns it (free with http_response_free) and `err` is NULL;
 * on a transport failure `resp` is NULL and `err` says what, URL first.
 * A non-2xx status is a response, not a transport failure. The callback
 * may submit or cancel requests but must not free the client. */
typedef void (*http_done_fn)(void *arg, struct http_response *resp,
    const struct err *err);

struct http_client;

/* Sets up libcurl's global state; optional (http_client_new does it once
 * too), but a program with threads calls it from main before starting them. */
int http_global_init(struct err *err);

/* Frees a response and everything it holds; NULL is allowed. */
void http_response_free(struct http_response *resp);

/* Creates a client (options are copied); returns it, or NULL with `err`
 * set. Free with http_client_free(). */
struct http_client *http_client_new(const struct http_options *opt,
    struct err *err);

/* Cancels everything in flight without calling callbacks, then frees the
 * client. NULL is allowed. */
void http_client_free(struct http_client *c);

/* Starts a request (the body is copied); returns its id (> 0), or 0 with
 * `err` set, for instance for a URL that is not https (http, when
 * req->plain). */
unsigned long http_submit(struct http_client *c, const struct http_request *req,
    http_done_fn done, void *arg, struct err *err);

/* Stops a request; its callback is never called afterwards. Unknown ids
 * are ignored. */
void http_cancel(struct http_client *c, unsigned long id);

/* Number of requests whose callback has not run yet. */
size_t http_in_flight(const struct http_client *c);

/* Number of new connections opened by the requests finished so far;
 * lets callers and tests see that connections are reused. */
long http_connections_opened(const struct http_client *c);

/* Blocks until network activity, activity on one of `extra` (whose
 * revents are filled in), http_wakeup(), or `timeout_ms`; returns 0, or
 * -1 with `err` set. */
int http_wait(struct http_client *c, struct pollfd *extra, unsigned n_extra,
    int timeout_ms, struct err *err);

/* Drives the transfers and calls the callbacks of the finished requests;
 * returns 0, or -1 with `err` set when libcurl itself fails. */
int http_run(struct http_client *c, struct err *err);

/* Interrupts http_wait() from any thread. */
void http_wakeup(struct http_client *c);

/* Submits `req` and waits for it (running other requests' callbacks
 * meanwhile); returns 0 with `*out` set (the caller frees it with
 * http_response_free), or -1 with `err` set. */
int http_fetch(struct http_client *c, const struct http_request *req,
    struct http_response **out, struct err *err);

#endif
