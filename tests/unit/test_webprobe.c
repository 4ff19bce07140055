/*
 * Unit tests for the preflight's look at a web root (webprobe): the URL
 * the CA would read (port 80 left out, IPv6 in brackets, too long
 * refused), libcurl's connect-to entry, and the verdict on an answer.
 */
#include "autoconfig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "webprobe.h"

static void
test_url(void **state)
{
	char out[WEBPROBE_URL_MAX], small[40];

	(void)state;
	assert_int_equal(webprobe_url("www.example.test", 80, "f1", out,
	    sizeof out), 0);
	assert_string_equal(out,
	    "http://www.example.test/.well-known/acme-challenge/f1");
	assert_int_equal(webprobe_url("www.example.test", 5002, "f1", out,
	    sizeof out), 0);
	assert_string_equal(out,
	    "http://www.example.test:5002/.well-known/acme-challenge/f1");
	assert_int_equal(webprobe_url("::1", 8080, "f", out, sizeof out), 0);
	assert_string_equal(out, "http://[::1]:8080/.well-known/acme-challenge/f");
	assert_int_equal(webprobe_url("www.example.test", 80, "f1", small,
	    sizeof small), -1);
}

static void
test_connect_to(void **state)
{
	char out[WEBPROBE_URL_MAX], small[10];

	(void)state;
	assert_int_equal(webprobe_connect_to("a.example.test", 5002,
	    "127.0.0.1", out, sizeof out), 0);
	assert_string_equal(out, "a.example.test:5002:127.0.0.1:5002");
	assert_int_equal(webprobe_connect_to("a.example.test", 80, "2001:db8::1",
	    out, sizeof out), 0);
	assert_string_equal(out, "a.example.test:80:[2001:db8::1]:80");
	assert_int_equal(webprobe_connect_to("a.example.test", 80, "127.0.0.1",
	    small, sizeof small), -1);
}

static void
test_verdict(void **state)
{
	char why[200];

	(void)state;
	assert_int_equal(webprobe_verdict(200, "abc", 3, 0, "abc", why, sizeof why), 1);
	assert_int_equal(webprobe_verdict(404, "abc", 3, 0, "abc", why, sizeof why), 0);
	assert_string_equal(why, "got HTTP 404");
	assert_int_equal(webprobe_verdict(200, "abcd", 4, 0, "abc", why, sizeof why), 0);
	assert_non_null(strstr(why, "got other content (other bytes"));
	/* A prefix of the file is not the file, nor a body cut at a cap. */
	assert_int_equal(webprobe_verdict(200, "ab", 2, 0, "abc", why, sizeof why), 0);
	assert_non_null(strstr(why, "(fewer bytes"));
	assert_int_equal(webprobe_verdict(200, "abc", 3, 1, "abc", why, sizeof why), 0);
	assert_non_null(strstr(why, "(more bytes"));
	assert_int_equal(webprobe_verdict(200, "", 0, 0, "abc", why, sizeof why), 0);
	assert_non_null(strstr(why, "(no bytes"));
	assert_int_equal(webprobe_verdict(404, "abc", 3, 1, "abc", why, sizeof why), 0);
	assert_string_equal(why, "got HTTP 404");
	assert_int_equal(webprobe_verdict(301, "", 0, 0, "abc", why, sizeof why), 0);
	assert_string_equal(why, "got HTTP 301, a redirect (not followed)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_connect_to),
		cmocka_unit_test(test_verdict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
