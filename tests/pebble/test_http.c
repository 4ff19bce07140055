/*
 * The HTTP client against a real Pebble: directory and nonce requests,
 * concurrent requests sharing one connection, TLS verification, the body
 * and header caps, plain statuses, https-only, cancel, wake-ups and
 * timeouts. Pebble's URLs and CA bundle come from the environment
 * (PEBBLE_DIR_URL, PEBBLE_CA_BUNDLE), set by tests/pebble/pebble.sh.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "b64url.h"
#include "http.h"

#define CONCURRENT 8

static const char *dir_url;
static const char *ca_bundle;

static struct http_client *
client_with(const char *bundle, size_t max_body, size_t max_headers)
{
	struct http_options opt = {
		.ca_bundle = bundle,
		.user_agent = "certdeck-test",
		.max_body = max_body,
		.max_header_bytes = max_headers,
	};
	struct http_client *c;
	struct err err;

	c = http_client_new(&opt, &err);
	if (c == NULL)
		fail_msg("http_client_new: %s", err.msg);
	return c;
}

static struct http_response *
get(struct http_client *c, const char *method, const char *url)
{
	struct http_request req = { .method = method, .url = url };
	struct http_response *resp = NULL;
	struct err err;

	if (http_fetch(c, &req, &resp, &err) != 0)
		fail_msg("%s %s: %s", method, url, err.msg);
	return resp;
}

/* Fetches `url` expecting a transport failure; returns its message. */
static struct err
get_fails(struct http_client *c, const char *url)
{
	struct http_request req = { .method = "GET", .url = url };
	struct http_response *resp = NULL;
	struct err err;

	err_clear(&err);
	assert_int_equal(http_fetch(c, &req, &resp, &err), -1);
	assert_null(resp);
	assert_true(strncmp(err.msg, url, strlen(url)) == 0);
	return err;
}

/* The directory's newNonce URL, in a string the caller frees. */
static char *
new_nonce_url(struct http_client *c)
{
	struct http_response *resp = get(c, "GET", dir_url);
	json_t *dir, *v;
	char *url;

	dir = json_loads(resp->body.data, 0, NULL);
	assert_non_null(dir);
	v = json_object_get(dir, "newNonce");
	assert_true(json_is_string(v));
	url = strdup(json_string_value(v));
	json_decref(dir);
	http_response_free(resp);
	return url;
}

static void
test_directory(void **state)
{
	struct http_client *c = client_with(ca_bundle, 0, 0);
	struct http_response *resp = get(c, "GET", dir_url);

	(void)state;
	assert_int_equal(resp->status, 200);
	assert_non_null(resp->content_type);
	assert_string_equal(resp->content_type, "application/json");
	assert_non_null(strstr(resp->body.data, "\"newNonce\""));
	assert_int_equal(strlen(resp->body.data), resp->body.len);
	assert_string_equal(resp->url, dir_url);
	assert_int_equal(resp->http_version, 2);
	http_response_free(resp);
	http_client_free(c);
}

static void
test_head_new_nonce(void **state)
{
	struct http_client *c = client_with(ca_bundle, 0, 0);
	struct http_response *resp;
	char *url = new_nonce_url(c);
	size_t i;
	int index = 0;

	(void)state;
	resp = get(c, "HEAD", url);
	assert_true(resp->status == 200 || resp->status == 204);
	assert_non_null(resp->replay_nonce);
	assert_true(b64url_is_valid(resp->replay_nonce));
	assert_int_equal(resp->body.len, 0);
	assert_string_equal(resp->body.data, "");
	assert_true(resp->date > time(NULL) - 3600 && resp->date < time(NULL) + 3600);
	/* RFC 8555 §7.1: every response links to the directory. */
	for (i = 0; i < resp->n_links; i++)
		if (strcmp(resp->links[i].rel, "index") == 0 &&
		    strcmp(resp->links[i].url, dir_url) == 0)
			index = 1;
	assert_true(index);
	http_response_free(resp);
	/* Both requests went over the one connection. */
	assert_int_equal(http_connections_opened(c), 1);
	free(url);
	http_client_free(c);
}

struct tally {
	int calls[CONCURRENT];
	long status[CONCURRENT];
	int nonces;
};

static struct tally tally;

static void
count_done(void *arg, struct http_response *resp, const struct err *err)
{
	size_t i = (size_t)(uintptr_t)arg;

	tally.calls[i]++;
	if (resp == NULL) {
		print_error("request %zu: %s\n", i, err->msg);
		return;
	}
	tally.status[i] = resp->status;
	if (resp->replay_nonce != NULL)
		tally.nonces++;
	http_response_free(resp);
}

/* Waits until nothing is in flight or the deadline passes. */
static void
drain(struct http_client *c, int seconds)
{
	time_t deadline = time(NULL) + seconds;
	struct err err;

	while (http_in_flight(c) > 0 && time(NULL) < deadline) {
		if (http_run(c, &err) != 0 || http_wait(c, NULL, 0, 500, &err) != 0)
			fail_msg("%s", err.msg);
	}
	assert_int_equal(http_in_flight(c), 0);
}

static void
test_concurrent_one_connection(void **state)
{
	struct http_client *c = client_with(ca_bundle, 0, 0);
	char *nonce = new_nonce_url(c);
	struct http_client *fresh = client_with(ca_bundle, 0, 0);
	struct http_request req;
	struct err err;
	size_t i;

	(void)state;
	memset(&tally, 0, sizeof tally);
	for (i = 0; i < CONCURRENT; i++) {
		req = (struct http_request){
			.method = i % 2 ? "HEAD" : "GET",
			.url = i % 2 ? nonce : dir_url,
		};
		if (http_submit(fresh, &req, count_done, (void *)(uintptr_t)i,
		    &err) == 0)
			fail_msg("http_submit: %s", err.msg);
	}
	assert_int_equal(http_in_flight(fresh), CONCURRENT);
	drain(fresh, 30);
	for (i = 0; i < CONCURRENT; i++) {
		assert_int_equal(tally.calls[i], 1);
		assert_true(tally.status[i] >= 200 && tally.status[i] < 300);
	}
	assert_int_equal(tally.nonces, CONCURRENT / 2);
	/* Submitted together, they multiplexed over one HTTP/2 connection. */
	assert_int_equal(http_connections_opened(fresh), 1);
	free(nonce);
	http_client_free(fresh);
	http_client_free(c);
}

static void
test_cancel_means_no_callback(void **state)
{
	struct http_client *c = client_with(ca_bundle, 0, 0);
	struct http_request req = { .method = "GET", .url = dir_url };
	unsigned long a, b;
	struct err err;

	(void)state;
	memset(&tally, 0, sizeof tally);
	a = http_submit(c, &req, count_done, (void *)(uintptr_t)0, &err);
	b = http_submit(c, &req, count_done, (void *)(uintptr_t)1, &err);
	assert_true(a > 0 && b > 0 && a != b);
	http_cancel(c, a);
	http_cancel(c, 12345);
	assert_int_equal(http_in_flight(c), 1);
	drain(c, 30);
	assert_int_equal(tally.calls[0], 0);
	assert_int_equal(tally.calls[1], 1);
	assert_int_equal(tally.status[1], 200);
	/* Freeing with requests in flight cancels them without callbacks. */
	assert_true(http_submit(c, &req, count_done, (void *)(uintptr_t)2,
	    &err) > 0);
	http_client_free(c);
	assert_int_equal(tally.calls[2], 0);
}

static void
test_untrusted_ca_refused(void **state)
{
	struct http_client *c = client_with(NULL, 0, 0);
	struct err err = get_fails(c, dir_url);

	(void)state;
	assert_int_equal(err.code, ERR_NET);
	/* GnuTLS's reason survives: the issuer is not trusted. */
	assert_non_null(strstr(err.msg, "certificate"));
	print_message("# %s\n", err.msg);
	http_client_free(c);
}

/* Fetches the directory under a body or header cap and expects `msg`. */
static void
assert_capped(size_t max_body, size_t max_headers, const char *msg)
{
	struct http_client *c = client_with(ca_bundle, max_body, max_headers);
	struct err err = get_fails(c, dir_url);

	assert_int_equal(err.code, ERR_PROTO);
	assert_non_null(strstr(err.msg, msg));
	http_client_free(c);
}

static void
test_body_cap(void **state)
{
	(void)state;
	assert_capped(1, 0, ": response body exceeds 1 bytes");
}

static void
test_header_cap(void **state)
{
	(void)state;
	assert_capped(0, 40, ": response headers exceed 40 bytes");
}

static void
test_404_is_a_response(void **state)
{
	struct http_client *c = client_with(ca_bundle, 0, 0);
	char url[1024];
	struct http_response *resp;

	(void)state;
	snprintf(url, sizeof url, "%s/no-such-thing", dir_url);
	resp = get(c, "GET", url);
	assert_int_equal(resp->status, 404);
	http_response_free(resp);
	http_client_free(c);
}

static void
test_post_problem_document(void **state)
{
	struct http_client *c = client_with(ca_bundle, 0, 0);
	struct http_response *dir = get(c, "GET", dir_url), *resp = NULL;
	struct http_request req = {
		.method = "POST",
		.content_type = "application/jose+json",
		.body = "{\"not\": \"a JWS\"}",
	};
	json_t *d;
	struct err err;

	(void)state;
	d = json_loads(dir->body.data, 0, NULL);
	assert_non_null(d);
	req.url = json_string_value(json_object_get(d, "newAccount"));
	assert_non_null(req.url);
	req.body_len = strlen(req.body);
	assert_int_equal(http_fetch(c, &req, &resp, &err), 0);
	assert_int_equal(resp->status, 400);
	assert_string_equal(resp->content_type, "application/problem+json");
	assert_non_null(strstr(resp->body.data, "urn:ietf:params:acme:error:"));
	http_response_free(resp);
	json_decref(d);
	http_response_free(dir);
	http_client_free(c);
}

static void
test_plain_http_refused(void **state)
{
	struct http_client *c = client_with(ca_bundle, 0, 0);
	struct http_request req = { .method = "GET" };
	struct http_response *resp = NULL;
	char url[1024];
	struct err err;

	(void)state;
	/* The same host and port, spoken to in the clear. */
	snprintf(url, sizeof url, "http://%s", dir_url + strlen("https://"));
	req.url = url;
	assert_int_equal(http_fetch(c, &req, &resp, &err), -1);
	assert_null(resp);
	assert_true(strncmp(err.msg, url, strlen(url)) == 0);
	assert_non_null(strstr(err.msg, "only https"));
	req.url = "ftp://127.0.0.1/x";
	assert_int_equal(http_submit(c, &req, count_done, NULL, &err), 0);
	assert_int_equal(http_in_flight(c), 0);
	http_client_free(c);
}

static void *
wake(void *arg)
{
	/* Whether this lands before or during the wait, the wait returns:
	 * curl keeps the wake-up pending until the next poll. */
	http_wakeup(arg);
	return NULL;
}

static void
test_wait_extra_fd_and_wakeup(void **state)
{
	struct http_client *c = client_with(ca_bundle, 0, 0);
	struct pollfd pfd;
	pthread_t th;
	struct err err;
	time_t start;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	assert_int_equal(http_wait(c, &pfd, 1, 30000, &err), 0);
	assert_true(pfd.revents & POLLIN);
	start = time(NULL);
	assert_int_equal(pthread_create(&th, NULL, wake, c), 0);
	assert_int_equal(http_wait(c, NULL, 0, 30000, &err), 0);
	assert_true(time(NULL) - start < 10);
	pthread_join(th, NULL);
	close(p[0]);
	close(p[1]);
	http_client_free(c);
}

static void
test_silent_server_times_out(void **state)
{
	struct http_options opt = { .ca_bundle = ca_bundle, .total_timeout_ms = 300 };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof sin;
	struct http_client *c;
	char url[64];
	struct err err;
	int s;

	(void)state;
	/* Listening but never answering: the kernel completes the TCP
	 * handshake and the TLS hello is never answered. */
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((s = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(s, 4), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sin, &len), 0);
	snprintf(url, sizeof url, "https://127.0.0.1:%d/dir", ntohs(sin.sin_port));
	assert_non_null(c = http_client_new(&opt, &err));
	err = get_fails(c, url);
	assert_int_equal(err.code, ERR_NET);
	assert_non_null(strstr(err.msg, "imeout"));
	http_client_free(c);
	close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_head_new_nonce),
		cmocka_unit_test(test_concurrent_one_connection),
		cmocka_unit_test(test_cancel_means_no_callback),
		cmocka_unit_test(test_untrusted_ca_refused),
		cmocka_unit_test(test_body_cap),
		cmocka_unit_test(test_header_cap),
		cmocka_unit_test(test_404_is_a_response),
		cmocka_unit_test(test_post_problem_document),
		cmocka_unit_test(test_plain_http_refused),
		cmocka_unit_test(test_wait_extra_fd_and_wakeup),
		cmocka_unit_test(test_silent_server_times_out),
	};
	struct err err;

	dir_url = getenv("PEBBLE_DIR_URL");
	ca_bundle = getenv("PEBBLE_CA_BUNDLE");
	if (dir_url == NULL || ca_bundle == NULL ||
	    strncmp(dir_url, "https://", 8) != 0) {
		fprintf(stderr, "PEBBLE_DIR_URL and PEBBLE_CA_BUNDLE must be set "
		    "(run through tests/pebble/http.sh)\n");
		return 1;
	}
	if (http_global_init(&err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
