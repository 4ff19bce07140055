/*
 * Unit tests for the http-01 responder, what it serves: the token's key
 * authorization exactly, 404s, other methods and garbage, tokens removed
 * and replaced, invalid tokens, the token limit. Real sockets on
 * loopback, driven from this one thread the way the engine drives it
 * (rsptest.c). Client limits and failures are in test_responder_limits.c.
 */
#include "autoconfig.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <netdb.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "responder.h"

#include "rsptest.h"


static void
test_serves_token_exactly(void **state)
{
	struct responder *r = *state;
	struct responder_stats st;
	struct tclient c;
	struct err err;
	char want[1024];
	int flags;
	struct pollfd pfd;

	assert_int_equal(responder_add(r, TOKEN, KEYAUTH, &err), 0);
	assert_int_equal(responder_count(r), 1);
	get(r, PREFIX TOKEN, &c);
	snprintf(want, sizeof want, "HTTP/1.1 200 OK\r\n"
	    "Content-Type: application/octet-stream\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: close\r\n\r\n%s", strlen(KEYAUTH), KEYAUTH);
	assert_string_equal(c.resp, want);
	assert_false(c.reset);
	responder_stats(r, &st);
	assert_int_equal(st.served, 1);
	assert_int_equal(st.not_found + st.dropped + st.refused, 0);

	/* The listener is non-blocking and not inherited by children. */
	assert_int_equal(responder_pollfds(r, &pfd, 1), 1);
	assert_int_equal(pfd.events, POLLIN);
	assert_true(fcntl(pfd.fd, F_GETFL) & O_NONBLOCK);
	flags = fcntl(pfd.fd, F_GETFD);
	assert_true(flags & FD_CLOEXEC);
	assert_int_equal(responder_timeout_ms(r, now_ms()), -1);
}

static void
test_not_found(void **state)
{
	static const char *paths[] = {
		PREFIX "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		PREFIX,
		"/.well-known/acme-challenge",
		"/",
		PREFIX TOKEN "/x",
		PREFIX TOKEN "?q",
		PREFIX TOKEN "#f",
		PREFIX TOKEN "x",
		PREFIX "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX",
		PREFIX "%2e%2e",
		PREFIX "%2e%2e/" TOKEN,
		PREFIX "../" TOKEN,
		"/x" PREFIX TOKEN,
		"/" PREFIX TOKEN,
		"http://example.org" PREFIX TOKEN,
		PREFIX "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX%30",
	};
	struct responder *r = *state;
	struct responder_stats st;
	struct err err;
	size_t i;

	assert_int_equal(responder_add(r, TOKEN, KEYAUTH, &err), 0);
	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		expect(r, paths[i], 404);
	}
	responder_stats(r, &st);
	assert_int_equal(st.not_found, sizeof paths / sizeof paths[0]);
	assert_int_equal(st.served, 0);
	expect(r, PREFIX TOKEN, 200);
}

static void
test_other_methods_and_garbage(void **state)
{
	static const struct {
		const char *req;
		int status;
	} cases[] = {
		{ "POST " PREFIX TOKEN " HTTP/1.1\r\nContent-Length: 5\r\n\r\n"
		    "hello", 405 },
		{ "HEAD " PREFIX TOKEN " HTTP/1.1\r\n\r\n", 405 },
		{ "get " PREFIX TOKEN " HTTP/1.1\r\n\r\n", 405 },
		{ "GETX " PREFIX TOKEN " HTTP/1.1\r\n\r\n", 405 },
		{ "GET " PREFIX TOKEN " HTTP/2.0\r\n\r\n", 400 },
		{ "GET " PREFIX TOKEN "\r\n\r\n", 400 },
		{ "GET " PREFIX TOKEN " HTTP/1.1 x\r\n\r\n", 400 },
		{ "\r\n\r\n", 400 },
		{ "\x16\x03\x01\x02\x01\x01\x01\xfc\n\n", 400 },
	};
	struct responder *r = *state;
	struct responder_stats st;
	struct tclient c;
	struct err err;
	size_t i;

	assert_int_equal(responder_add(r, TOKEN, KEYAUTH, &err), 0);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		exchange(r, cases[i].req, &c);
		if (status_of(&c) != cases[i].status)
			fail_msg("case %zu: got \"%.40s\"", i, c.resp);
		assert_null(strstr(c.resp, KEYAUTH));
	}
	exchange(r, cases[0].req, &c);
	assert_non_null(strstr(c.resp, "\r\nAllow: GET\r\n"));
	responder_stats(r, &st);
	assert_int_equal(st.refused, sizeof cases / sizeof cases[0] + 1);
	assert_int_equal(st.served + st.not_found + st.dropped, 0);
	/* Bare line feeds end a head too. */
	exchange(r, "GET " PREFIX TOKEN " HTTP/1.0\n\n", &c);
	assert_int_equal(status_of(&c), 200);
}

static void
test_remove_and_replace(void **state)
{
	struct responder *r = *state;
	struct tclient c;
	struct err err;

	assert_int_equal(responder_add(r, TOKEN, "first", &err), 0);
	assert_int_equal(responder_add(r, TOKEN, KEYAUTH, &err), 0);
	assert_int_equal(responder_count(r), 1);
	get(r, PREFIX TOKEN, &c);
	assert_int_equal(status_of(&c), 200);
	assert_non_null(strstr(c.resp, "\r\n\r\n" KEYAUTH));
	assert_null(strstr(c.resp, "first"));

	responder_remove(r, "unknown-token-xxxxxxxxxxxxxx");
	responder_remove(r, NULL);
	assert_int_equal(responder_count(r), 1);
	responder_remove(r, TOKEN);
	assert_int_equal(responder_count(r), 0);
	expect(r, PREFIX TOKEN, 404);
}

static void
test_invalid_tokens_refused(void **state)
{
	static const struct {
		const char *token;
		const char *shown;	/* in the message */
	} bad[] = {
		{ "../etc/passwd", "../etc/passwd" },
		{ "LoqXcYV8q5ONbJQxbmR7S", "LoqXcYV8q5ONbJQxbmR7S" },
		{ "LoqXcYV8q5ONbJQxbmR7SC=", "LoqXcYV8q5ONbJQxbmR7SC=" },
		{ "LoqXcYV8q5ONbJQx mR7SCTN", "LoqXcYV8q5ONbJQx mR7SCTN" },
		{ "LoqXcYV8q5ONbJQx\xc3\xa9mR7SCTN", "LoqXcYV8q5ONbJQx" },
		{ "LoqXcYV8q5ONbJQx\x1b[2JmR7SCTN", "LoqXcYV8q5ONbJQx\\e[2J" },
		{ "LoqXcYV8q5ONbJQx\xffmR7SCTN", "\\xff" },
		{ "LoqXcYV8q5ONbJQxbmR7SC/../x", "/../x" },
		{ "$(id)LoqXcYV8q5ONbJQxbmR7SC", "$(id)" },
		{ "", "\"\"" },
	};
	struct responder *r = *state;
	struct err err;
	char path[256];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&err);
		assert_int_equal(responder_add(r, bad[i].token, KEYAUTH, &err),
		    -1);
		assert_int_equal(err.code, ERR_PROTO);
		if (strstr(err.msg, bad[i].shown) == NULL ||
		    strchr(err.msg, '\x1b') != NULL)
			fail_msg("token %zu: message \"%s\"", i, err.msg);
		assert_int_equal(responder_count(r), 0);
	}
	err_clear(&err);
	assert_int_equal(responder_add(r, NULL, KEYAUTH, &err), -1);
	assert_int_equal(err.code, ERR_PROTO);
	assert_int_equal(responder_add(r, TOKEN, NULL, &err), -1);
	assert_int_equal(responder_count(r), 0);

	snprintf(path, sizeof path, PREFIX "%s", bad[0].token);
	expect(r, path, 404);
	snprintf(path, sizeof path, PREFIX "%s", bad[1].token);
	expect(r, path, 404);

	/* Exactly 22 characters, the whole alphabet: accepted. */
	assert_int_equal(responder_add(r, "azAZ09_-azAZ09_-azAZ09", "k",
	    &err), 0);
	expect(r, PREFIX "azAZ09_-azAZ09_-azAZ09", 200);
}

static void
test_token_limit(void **state)
{
	struct responder *r = *state;
	struct err err;
	char tok[40];
	int i;

	for (i = 0; i < RESPONDER_MAX_TOKENS; i++) {
		snprintf(tok, sizeof tok, "t%031d", i);
		assert_int_equal(responder_add(r, tok, tok, &err), 0);
	}
	assert_int_equal(responder_count(r), RESPONDER_MAX_TOKENS);
	err_clear(&err);
	assert_int_equal(responder_add(r, "one-too-many-xxxxxxxxxxxxxxx", "k",
	    &err), -1);
	assert_non_null(strstr(err.msg, "1024"));
	assert_int_equal(responder_count(r), RESPONDER_MAX_TOKENS);
	/* Replacing needs no new room. */
	assert_int_equal(responder_add(r, "t0000000000000000000000000000007",
	    "new", &err), 0);
	responder_remove(r, "t0000000000000000000000000000007");
	assert_int_equal(responder_add(r, "one-too-many-xxxxxxxxxxxxxxx", "k",
	    &err), 0);
}


int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, rsptest_setup, rsptest_teardown)
		T(test_serves_token_exactly),
		T(test_not_found),
		T(test_other_methods_and_garbage),
		T(test_remove_and_replace),
		T(test_invalid_tokens_refused),
		T(test_token_limit),
#undef T
	};

	return cmocka_run_group_tests_name("responder", tests, NULL, NULL);
}
