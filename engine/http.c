/*
 * http: asynchronous HTTPS on one libcurl multi handle (see http.h).
 *
 * Each request is an easy handle plus a `struct xfer` kept on the
 * client's list until its callback has run. Finished transfers are first
 * marked, then their callbacks are called one at a time, rescanning the
 * list each time, so a callback may cancel or submit requests freely.
 */
#include "autoconfig.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "certinfo.h"
#include "http.h"
#include "http_response.h"

#define HTTP_CONNECT_TIMEOUT_MS	10000L
#define HTTP_TOTAL_TIMEOUT_MS	60000L
/* A transfer slower than HTTP_LOW_SPEED_LIMIT for HTTP_LOW_SPEED_TIME_S is
 * cut. The window also runs while the CA thinks before its first byte (a
 * synchronous finalize at a busy CA takes seconds), so it stays at 30 s;
 * the rate is what bounds a trickle: every ACME answer is a few kB, and a
 * server that sends under 100 bytes a second is stuck or hostile, cut at
 * 30 s rather than at the 60 s total timeout. */
#define HTTP_LOW_SPEED_LIMIT	100L
#define HTTP_LOW_SPEED_TIME_S	30L
#define HTTP_MAX_BODY		(1024 * 1024)
#define HTTP_MAX_HEADER_BYTES	(64 * 1024)

struct xfer {
	struct http_client *c;
	CURL *easy;
	unsigned long id;
	http_done_fn done;
	void *arg;
	struct curl_slist *headers;
	struct curl_slist *connect_to;
	char *ca_bundle;	/* this request's trust, or NULL: the client's */
	struct http_response *resp;
	size_t max_body;
	int plain;		/* http_request.plain: only status and body kept */
	size_t header_bytes;
	int over_body;		/* the write callback stopped the transfer */
	int over_headers;	/* the header callback stopped the transfer */
	int finished;		/* curl is done; the callback is due */
	CURLcode result;
	char errbuf[CURL_ERROR_SIZE];
	char tls_reason[ERR_MSG_MAX];	/* GnuTLS's own reason a peer was refused */
	struct xfer *next;
};

struct http_client {
	CURLM *multi;
	struct http_options opt;	/* strings below are owned copies */
	char *ca_bundle;
	char *user_agent;
	struct xfer *xfers;
	unsigned long next_id;
	long connections;
};

static pthread_once_t http_once = PTHREAD_ONCE_INIT;
static CURLcode http_global_rc = CURLE_OK;

static void
http_global_once(void)
{
	http_global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int
http_global_init(struct err *err)
{
	pthread_once(&http_once, http_global_once);
	if (http_global_rc != CURLE_OK)
		return err_set(err, ERR_NET, "curl_global_init: %s",
		    curl_easy_strerror(http_global_rc));
	return 0;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * nmemb;

	/* Returning short makes curl stop with CURLE_WRITE_ERROR: the only
	 * way to stop a body of unknown length at the cap. */
	if (buf_append(&x->resp->body, data, len, NULL) != 0) {
		x->over_body = 1;
		return 0;
	}
	return len;
}

static size_t
on_header(char *line, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * nmemb, nlen, vlen;
	const char *name, *value;
	char *v;

	x->header_bytes += len;
	if (x->header_bytes > x->c->opt.max_header_bytes) {
		x->over_headers = 1;
		return 0;
	}
	if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
		http_response_reset_headers(x->resp);
		return len;
	}
	if (x->plain)
		return len;
	if (httphdr_split(line, len, &name, &nlen, &value, &vlen) != 0)
		return len;
	/* A value that cannot be copied is left out like a malformed one. */
	if ((v = strndup(value, vlen)) != NULL) {
		http_response_header(x->resp, name, nlen, v);
		free(v);
	}
	return len;
}

static void
opts_defaults(struct http_options *o)
{
	if (o->connect_timeout_ms <= 0)
		o->connect_timeout_ms = HTTP_CONNECT_TIMEOUT_MS;
	if (o->total_timeout_ms <= 0)
		o->total_timeout_ms = HTTP_TOTAL_TIMEOUT_MS;
	if (o->low_speed_limit <= 0)
		o->low_speed_limit = HTTP_LOW_SPEED_LIMIT;
	if (o->low_speed_time_s <= 0)
		o->low_speed_time_s = HTTP_LOW_SPEED_TIME_S;
	if (o->max_body == 0)
		o->max_body = HTTP_MAX_BODY;
	if (o->max_header_bytes == 0)
		o->max_header_bytes = HTTP_MAX_HEADER_BYTES;
}

struct http_client *
http_client_new(const struct http_options *opt, struct err *err)
{
	struct http_client *c;

	if (http_global_init(err) != 0)
		return NULL;
	if ((c = calloc(1, sizeof *c)) == NULL) {
		err_nomem(err, "HTTP client");
		return NULL;
	}
	if (opt != NULL)
		c->opt = *opt;
	opts_defaults(&c->opt);
	c->next_id = 1;
	if (c->opt.ca_bundle != NULL &&
	    (c->ca_bundle = strdup(c->opt.ca_bundle)) == NULL)
		goto nomem;
	if (c->opt.user_agent != NULL &&
	    (c->user_agent = strdup(c->opt.user_agent)) == NULL)
		goto nomem;
	c->opt.ca_bundle = c->ca_bundle;
	c->opt.user_agent = c->user_agent;
	if ((c->multi = curl_multi_init()) == NULL)
		goto nomem;
	curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	return c;
nomem:
	http_client_free(c);
	err_nomem(err, "HTTP client");
	return NULL;
}

static void
xfer_free(struct xfer *x)
{
	if (x->easy != NULL) {
		curl_multi_remove_handle(x->c->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	curl_slist_free_all(x->headers);
	curl_slist_free_all(x->connect_to);
	http_response_free(x->resp);
	free(x->ca_bundle);
	free(x);
}

/* Takes `x` off the client's list (it must be on it). */
static void
xfer_unlink(struct http_client *c, struct xfer *x)
{
	struct xfer **pp;

	for (pp = &c->xfers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == x) {
			*pp = x->next;
			x->next = NULL;
			return;
		}
	}
}

void
http_client_free(struct http_client *c)
{
	struct xfer *x;

	if (c == NULL)
		return;
	while ((x = c->xfers) != NULL) {
		c->xfers = x->next;
		xfer_free(x);
	}
	if (c->multi != NULL)
		curl_multi_cleanup(c->multi);
	free(c->ca_bundle);
	free(c->user_agent);
	free(c);
}

/* Refuses anything but an absolute https URL before curl sees it; a
 * plain request takes http:// alone, without spaces or controls. */
static int
check_url(const char *url, int plain, struct err *err)
{
	const unsigned char *p;
	char *abs;

	if (url == NULL)
		return err_set(err, ERR_CONFIG, "no URL given");
	if (plain) {
		for (p = (const unsigned char *)url; *p > ' ' && *p < 0x7f; p++)
			;
		if (strncmp(url, "http://", 7) != 0 || *p != '\0')
			return err_set(err, ERR_CONFIG, "not a valid http URL");
		return 0;
	}
	if ((abs = httphdr_resolve_https(NULL, url)) == NULL)
		return err_set(err, ERR_CONFIG,
		    "%s: not a valid https URL (only https is allowed)", url);
	free(abs);
	return 0;
}

#define SETOPT(opt, val) do {						\
	if ((rc = curl_easy_setopt(e, (opt), (val))) != CURLE_OK)		\
		goto fail;						\
} while (0)

/* Sets the method and body of the request on the easy handle. */
static int
xfer_set_method(struct xfer *x, const struct http_request *req, struct err *err)
{
	CURL *e = x->easy;
	struct curl_slist *l;
	char hdr[256];
	CURLcode rc;

	if (req->method == NULL || strcmp(req->method, "GET") == 0) {
		SETOPT(CURLOPT_HTTPGET, 1L);
		return 0;
	}
	if (strcmp(req->method, "HEAD") == 0) {
		SETOPT(CURLOPT_NOBODY, 1L);
		return 0;
	}
	if (strcmp(req->method, "POST") != 0)
		return err_set(err, ERR_CONFIG, "%s: unsupported method %s",
		    req->url, req->method);
	SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	SETOPT(CURLOPT_COPYPOSTFIELDS, req->body != NULL ? req->body : "");
	/* No "Expect: 100-continue" round trip for our small bodies. */
	if ((l = curl_slist_append(NULL, "Expect:")) == NULL)
		return err_nomem(err, "request headers");
	x->headers = l;
	if (req->content_type != NULL) {
		if (strlen(req->content_type) > sizeof hdr - 16 ||
		    strpbrk(req->content_type, "\r\n") != NULL)
			return err_set(err, ERR_CONFIG, "%s: bad content type",
			    req->url);
		snprintf(hdr, sizeof hdr, "Content-Type: %s", req->content_type);
		if ((l = curl_slist_append(x->headers, hdr)) == NULL)
			return err_nomem(err, "request headers");
		x->headers = l;
	}
	SETOPT(CURLOPT_HTTPHEADER, x->headers);
	return 0;
fail:
	return err_set(err, ERR_NET, "%s: curl_easy_setopt: %s", req->url,
	    curl_easy_strerror(rc));
}

/* A plain request: http, HTTP/1.1, its own connection, its own bounds,
 * and connected where the caller resolved the name. */
static int
xfer_set_plain(struct xfer *x, const struct http_request *req, struct err *err)
{
	long total = x->c->opt.total_timeout_ms;
	CURL *e = x->easy;
	CURLcode rc;

	if (req->timeout_ms > 0 && req->timeout_ms < total)
		total = req->timeout_ms;
	SETOPT(CURLOPT_PROTOCOLS_STR, "http");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http");
	SETOPT(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	/* A stranger's server: no connection of the CA's is used for it and
	 * none of its own is kept. */
	SETOPT(CURLOPT_FRESH_CONNECT, 1L);
	SETOPT(CURLOPT_FORBID_REUSE, 1L);
	SETOPT(CURLOPT_TIMEOUT_MS, total);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, total);
	/* The body is cut at the cap rather than refused (on_body): a 404
	 * page is longer than the file looked for, and its status is the
	 * answer. */
	SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)0);
	if (req->connect_to != NULL) {
		if ((x->connect_to = curl_slist_append(NULL, req->connect_to)) == NULL)
			return err_nomem(err, "request");
		SETOPT(CURLOPT_CONNECT_TO, x->connect_to);
	}
	return 0;
fail:
	return err_set(err, ERR_NET, "%s: curl_easy_setopt: %s", req->url,
	    curl_easy_strerror(rc));
}

/* The CA file a request trusts: its own, else the client's; NULL for
 * the system's. */
static const char *
xfer_trust(const struct xfer *x)
{
	if (x->ca_bundle != NULL)
		return *x->ca_bundle != '\0' ? x->ca_bundle : NULL;
	return x->c->opt.ca_bundle;
}

/* Applies the client-wide policy: https only, verification, timeouts. */
static int
xfer_set_policy(struct xfer *x, const char *url, struct err *err)
{
	const struct http_options *o = &x->c->opt;
	CURL *e = x->easy;
	CURLcode rc;

	SETOPT(CURLOPT_URL, url);
	SETOPT(CURLOPT_PRIVATE, x);
	SETOPT(CURLOPT_ERRORBUFFER, x->errbuf);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_PROTOCOLS_STR, "https");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	/* libcurl keeps the peer's certificates even when it refuses them,
	 * so a refusal can be explained (tls_reason_find). */
	SETOPT(CURLOPT_CERTINFO, 1L);
	if (xfer_trust(x) != NULL)
		SETOPT(CURLOPT_CAINFO, xfer_trust(x));
	/* Debian's libcurl also walks /etc/ssl/certs (CAPATH) on top of the
	 * bundle file, parsing every certificate there again on the first
	 * connection: half of an issuance's CPU. The bundle file holds the
	 * same roots. */
	SETOPT(CURLOPT_CAPATH, NULL);
	SETOPT(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	/* Wait for a connection being set up rather than open a second one,
	 * so concurrent requests multiplex over it. */
	SETOPT(CURLOPT_PIPEWAIT, 1L);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	SETOPT(CURLOPT_TIMEOUT_MS, o->total_timeout_ms);
	SETOPT(CURLOPT_LOW_SPEED_LIMIT, o->low_speed_limit);
	SETOPT(CURLOPT_LOW_SPEED_TIME, o->low_speed_time_s);
	SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_body);
	if (o->user_agent != NULL)
		SETOPT(CURLOPT_USERAGENT, o->user_agent);
	SETOPT(CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(CURLOPT_WRITEDATA, x);
	SETOPT(CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(CURLOPT_HEADERDATA, x);
	return 0;
fail:
	return err_set(err, ERR_NET, "%s: curl_easy_setopt: %s", url,
	    curl_easy_strerror(rc));
}

#undef SETOPT

unsigned long
http_submit(struct http_client *c, const struct http_request *req,
    http_done_fn done, void *arg, struct err *err)
{
	struct xfer *x;
	CURLMcode mrc;

	if (check_url(req->url, req->plain, err) != 0)
		return 0;
	if ((x = calloc(1, sizeof *x)) == NULL) {
		err_nomem(err, "HTTP request");
		return 0;
	}
	x->c = c;
	x->done = done;
	x->arg = arg;
	x->plain = req->plain;
	x->max_body = req->max_body > 0 && req->max_body < c->opt.max_body ?
	    req->max_body : c->opt.max_body;
	if ((x->resp = http_response_new(req->url, x->max_body)) == NULL ||
	    (req->ca_bundle != NULL && (x->ca_bundle = strdup(req->ca_bundle)) == NULL) ||
	    (x->easy = curl_easy_init()) == NULL) {
		err_nomem(err, "HTTP request");
		goto fail;
	}
	if (xfer_set_policy(x, req->url, err) != 0 ||
	    (req->plain && xfer_set_plain(x, req, err) != 0) ||
	    xfer_set_method(x, req, err) != 0)
		goto fail;
	if ((mrc = curl_multi_add_handle(c->multi, x->easy)) != CURLM_OK) {
		err_set(err, ERR_NET, "%s: curl_multi_add_handle: %s", req->url,
		    curl_multi_strerror(mrc));
		goto fail;
	}
	x->id = c->next_id++;
	x->next = c->xfers;
	c->xfers = x;
	return x->id;
fail:
	curl_easy_cleanup(x->easy);
	x->easy = NULL;
	xfer_free(x);
	return 0;
}

void
http_cancel(struct http_client *c, unsigned long id)
{
	struct xfer *x;

	for (x = c->xfers; x != NULL; x = x->next) {
		if (x->id == id) {
			xfer_unlink(c, x);
			xfer_free(x);
			return;
		}
	}
}

size_t
http_in_flight(const struct http_client *c)
{
	const struct xfer *x;
	size_t n = 0;

	for (x = c->xfers; x != NULL; x = x->next)
		n++;
	return n;
}

long
http_connections_opened(const struct http_client *c)
{
	return c->connections;
}

/* poll(2) events and their curl_waitfd twins. */
static const struct {
	short poll;
	short curl;
} event_map[] = {
	{ POLLIN, CURL_WAIT_POLLIN },
	{ POLLPRI, CURL_WAIT_POLLPRI },
	{ POLLOUT, CURL_WAIT_POLLOUT },
};

/* Translates event bits from poll(2) to curl (`to_curl`) or back. */
static short
map_events(short ev, int to_curl)
{
	short out = 0;
	size_t i;

	for (i = 0; i < sizeof event_map / sizeof event_map[0]; i++) {
		if (ev & (to_curl ? event_map[i].poll : event_map[i].curl))
			out |= to_curl ? event_map[i].curl : event_map[i].poll;
	}
	return out;
}

int
http_wait(struct http_client *c, struct pollfd *extra, unsigned n_extra,
    int timeout_ms, struct err *err)
{
	struct curl_waitfd *w = NULL;
	CURLMcode mrc;
	unsigned i;
	int numfds;

	if (n_extra > 0 && (w = calloc(n_extra, sizeof *w)) == NULL)
		return err_nomem(err, "poll set");
	for (i = 0; i < n_extra; i++) {
		w[i].fd = extra[i].fd;
		w[i].events = map_events(extra[i].events, 1);
	}
	mrc = curl_multi_poll(c->multi, w, n_extra, timeout_ms, &numfds);
	for (i = 0; i < n_extra; i++)
		extra[i].revents = map_events(w[i].revents, 0);
	free(w);
	if (mrc != CURLM_OK)
		return err_set(err, ERR_NET, "curl_multi_poll: %s",
		    curl_multi_strerror(mrc));
	return 0;
}

void
http_wakeup(struct http_client *c)
{
	curl_multi_wakeup(c->multi);
}

/* Turns a failed transfer into "URL: what: curl's reason". */
static void
xfer_error(const struct xfer *x, struct err *err)
{
	const char *url = x->resp->url;

	if (x->over_body || x->result == CURLE_FILESIZE_EXCEEDED)
		err_set(err, ERR_PROTO, "%s: response body exceeds %zu bytes",
		    url, x->max_body);
	else if (x->over_headers)
		err_set(err, ERR_PROTO, "%s: response headers exceed %zu bytes",
		    url, x->c->opt.max_header_bytes);
	else if (x->result == CURLE_OUT_OF_MEMORY)
		/* libcurl says so of a single header line past its own 100 kB
		 * limit, before our header cap can see it. */
		err_set(err, ERR_PROTO, "%s: a response header line past libcurl's "
		    "limit (%s)", url, curl_easy_strerror(x->result));
	else if (x->errbuf[0] != '\0' && x->tls_reason[0] != '\0')
		err_set(err, ERR_NET, "%s: %s: %s: %s", url,
		    curl_easy_strerror(x->result), x->errbuf, x->tls_reason);
	else if (x->errbuf[0] != '\0')
		err_set(err, ERR_NET, "%s: %s: %s", url,
		    curl_easy_strerror(x->result), x->errbuf);
	else
		err_set(err, ERR_NET, "%s: %s", url,
		    curl_easy_strerror(x->result));
}

/* The host of `url` without IPv6 brackets, into `out`; "" if none. */
static void
url_host(const char *url, char *out, size_t size)
{
	CURLU *u;
	char *h = NULL;
	size_t n;

	out[0] = '\0';
	if ((u = curl_url()) == NULL)
		return;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK) {
		n = strlen(h);
		if (n >= 2 && h[0] == '[' && h[n - 1] == ']')
			snprintf(out, size, "%.*s", (int)(n - 2), h + 1);
		else
			snprintf(out, size, "%s", h);
	}
	curl_free(h);
	curl_url_cleanup(u);
}

/* libcurl says only "server certificate verification failed": verifies
 * the certificates the peer sent again with GnuTLS, against the same
 * trust, to learn why (unknown issuer, expired, another host). Read while
 * the handle still holds them, before it is reused or freed. */
static void
tls_reason_find(struct xfer *x)
{
	const char *pem[CRYPTO_CHAIN_MAX];
	struct curl_certinfo *ci = NULL;
	struct curl_slist *l;
	struct err err;
	char host[256];
	size_t n = 0;
	int i;

	if (curl_easy_getinfo(x->easy, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
	    ci == NULL)
		return;
	for (i = 0; i < ci->num_of_certs && n < CRYPTO_CHAIN_MAX; i++)
		for (l = ci->certinfo[i]; l != NULL; l = l->next)
			if (strncmp(l->data, "Cert:", 5) == 0)
				pem[n++] = l->data + 5;
	url_host(x->resp->url, host, sizeof host);
	err_clear(&err);
	if (n > 0 && crypto_peer_verify(pem, n, xfer_trust(x),
	    host[0] != '\0' ? host : NULL, &err) != 0)
		snprintf(x->tls_reason, sizeof x->tls_reason, "%s", err.msg);
}

/* Marks the transfers curl reports as done and fills in their status. */
static void
collect_finished(struct http_client *c)
{
	struct xfer *x;
	CURLMsg *msg;
	long v;
	int left;

	while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		x = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x == NULL)
			continue;
		x->finished = 1;
		x->result = msg->data.result;
		if (x->result == CURLE_PEER_FAILED_VERIFICATION)
			tls_reason_find(x);
		if (curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &v) == CURLE_OK)
			c->connections += v;
		if (curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &v) == CURLE_OK)
			x->resp->status = v;
		if (curl_easy_getinfo(x->easy, CURLINFO_HTTP_VERSION, &v) == CURLE_OK)
			x->resp->http_version = v == CURL_HTTP_VERSION_3 ? 3 :
			    v == CURL_HTTP_VERSION_2_0 ? 2 : 1;
	}
}

/* Calls the callback of one finished transfer, if any; returns 1 when it
 * did, 0 when none was due. */
static int
dispatch_one(struct http_client *c)
{
	struct http_response *resp = NULL;
	struct err err;
	struct xfer *x;
	http_done_fn done;
	void *arg;
	int ok;

	for (x = c->xfers; x != NULL && !x->finished; x = x->next)
		;
	if (x == NULL)
		return 0;
	xfer_unlink(c, x);
	done = x->done;
	arg = x->arg;
	ok = (x->result == CURLE_OK && !x->over_body && !x->over_headers) ||
	    (x->plain && x->over_body);
	if (ok && x->over_body)
		x->resp->truncated = 1;
	if (ok) {
		resp = x->resp;
		x->resp = NULL;
	} else
		xfer_error(x, &err);
	/* Freed first, so the callback sees a client without this request. */
	xfer_free(x);
	if (done == NULL)
		http_response_free(resp);
	else
		done(arg, resp, ok ? NULL : &err);
	return 1;
}

int
http_run(struct http_client *c, struct err *err)
{
	CURLMcode mrc;
	int running;

	mrc = curl_multi_perform(c->multi, &running);
	collect_finished(c);
	while (dispatch_one(c))
		;
	if (mrc != CURLM_OK)
		return err_set(err, ERR_NET, "curl_multi_perform: %s",
		    curl_multi_strerror(mrc));
	return 0;
}

struct fetch_state {
	int done;
	struct http_response *resp;
	struct err err;
};

static void
fetch_done(void *arg, struct http_response *resp, const struct err *err)
{
	struct fetch_state *st = arg;

	st->done = 1;
	st->resp = resp;
	if (err != NULL)
		st->err = *err;
}

int
http_fetch(struct http_client *c, const struct http_request *req,
    struct http_response **out, struct err *err)
{
	struct fetch_state st;
	unsigned long id;

	memset(&st, 0, sizeof st);
	*out = NULL;
	if ((id = http_submit(c, req, fetch_done, &st, err)) == 0)
		return -1;
	while (!st.done) {
		if (http_run(c, err) != 0 ||
		    (!st.done && http_wait(c, NULL, 0, 1000, err) != 0)) {
			/* `st` is about to go away: no callback may reach it. */
			if (!st.done)
				http_cancel(c, id);
			http_response_free(st.resp);
			return -1;
		}
	}
	if (st.resp == NULL)
		return err_copy(err, &st.err);
	*out = st.resp;
	return 0;
}
