/*
 * Unit tests for the HTTP header parsers: Link (RFC 8288), Retry-After,
 * Content-Type media types and raw header line splitting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "httphdr.h"

#define BASE "https://ca.example/acme/cert/123"

/* 2023-11-14 22:13:20 UTC: a fixed "now" for the date tests. */
#define NOW ((time_t)1700000000)

struct links {
	struct http_link l[HTTP_MAX_LINKS];
	size_t n;
	struct err err;
};

static int
parse(struct links *ls, const char *value, const char *base)
{
	return httphdr_parse_links(value, base, ls->l, HTTP_MAX_LINKS, &ls->n,
	    &ls->err);
}

static void
assert_link(const struct links *ls, size_t i, const char *rel, const char *url)
{
	assert_true(i < ls->n);
	assert_string_equal(ls->l[i].rel, rel);
	assert_string_equal(ls->l[i].url, url);
}

/* Parses `value` alone and checks the result against `want`: rel, url
 * pairs ending with NULL. */
static void
expect_links(const char *value, const char *base, const char *const *want)
{
	struct links ls = { .n = 0 };
	size_t i;

	print_message("# Link: %s\n", value);
	assert_int_equal(parse(&ls, value, base), 0);
	for (i = 0; want[2 * i] != NULL; i++)
		assert_link(&ls, i, want[2 * i], want[2 * i + 1]);
	assert_int_equal(ls.n, i);
	httphdr_links_free(ls.l, ls.n);
}

static void
test_links_quoted_and_unquoted_rel(void **state)
{
	(void)state;
	expect_links("<https://ca.example/dir>;rel=\"index\"", BASE,
	    (const char *[]){ "index", "https://ca.example/dir", NULL });
	expect_links("<https://ca.example/acct/1> ; REL=Up", BASE,
	    (const char *[]){ "up", "https://ca.example/acct/1", NULL });
}

static void
test_links_params_in_any_order(void **state)
{
	(void)state;
	/* The quoted title hides a ',' and a ';' that must not split. */
	expect_links("<https://ca.example/b>; title=\"x, y; \\\"z\\\"\"; "
	    "type=\"application/pem-certificate-chain\";rel=\"alternate\"", BASE,
	    (const char *[]){ "alternate", "https://ca.example/b", NULL });
}

static void
test_links_several_in_one_header(void **state)
{
	(void)state;
	expect_links("<https://ca.example/1>;rel=\"alternate\", "
	    "<https://ca.example/2>;rel=alternate,<https://ca.example/dir>;rel=\"index\","
	    " <https://ca.example/nolink>; title=\"no rel\"", BASE,
	    (const char *[]){ "alternate", "https://ca.example/1",
	    "alternate", "https://ca.example/2",
	    "index", "https://ca.example/dir", NULL });
	expect_links("<https://ca.example/x>; rel=\"up  index\"", BASE,
	    (const char *[]){ "up", "https://ca.example/x",
	    "index", "https://ca.example/x", NULL });
}

static void
test_links_appended_across_headers(void **state)
{
	struct links ls = { .n = 0 };

	(void)state;
	assert_int_equal(parse(&ls, "<https://ca.example/1>;rel=up", BASE), 0);
	assert_int_equal(parse(&ls, "<https://ca.example/2>;rel=index", BASE), 0);
	assert_int_equal(ls.n, 2);
	assert_link(&ls, 0, "up", "https://ca.example/1");
	assert_link(&ls, 1, "index", "https://ca.example/2");
	httphdr_links_free(ls.l, ls.n);
}

static void
test_links_relative_urls_resolved(void **state)
{
	(void)state;
	expect_links("</acme/cert/123/1>;rel=\"alternate\", "
	    "<alt?x=1>;rel=up, <../../dir>;rel=index, <//other.example/p>;rel=up",
	    BASE, (const char *[]){
	    "alternate", "https://ca.example/acme/cert/123/1",
	    "up", "https://ca.example/acme/cert/alt?x=1",
	    "index", "https://ca.example/dir",
	    "up", "https://other.example/p", NULL });
}

static void
test_links_non_https_dropped(void **state)
{
	static const char *const none[] = { NULL };

	(void)state;
	expect_links("<http://ca.example/x>;rel=\"up\", "
	    "<javascript:alert(1)>;rel=up, <file:///etc/passwd>;rel=up, "
	    "<ftp://ca.example/x>;rel=up, <https://ok.example/>;rel=up", BASE,
	    (const char *[]){ "up", "https://ok.example/", NULL });
	/* A relative URL on a plain-HTTP base is plain HTTP too. */
	expect_links("</x>;rel=up", "http://ca.example/a", none);
	/* Without a base, a relative URL cannot be resolved. */
	expect_links("</x>;rel=up", NULL, none);
	expect_links("", BASE, none);
	expect_links(" , ,", BASE, none);
}

static void
test_links_garbage_refused_whole(void **state)
{
	static const char *bad[] = {
		"garbage",
		"<https://ca.example/x",
		"<https://ca.example/x>; rel=\"up",
		"<https://ca.example/x> rel=up",
		"<https://ca.example/x>; =up",
		"<https://ca.example/x>; rel=",
		"<https://ca.example/x>; rel=\"a\x01\"",
		"<https://ca.example/ok>;rel=up, junk",
	};
	struct links ls = { .n = 0 };
	size_t i;

	(void)state;
	assert_int_equal(parse(&ls, "<https://ca.example/first>;rel=up", BASE), 0);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(parse(&ls, bad[i], BASE), -1);
		assert_int_equal(ls.err.code, ERR_PROTO);
		assert_true(strncmp(ls.err.msg, "Link: ", 6) == 0);
		/* Earlier headers stand; nothing of the bad one is kept. */
		assert_int_equal(ls.n, 1);
	}
	httphdr_links_free(ls.l, ls.n);
}

static void
test_links_overlong_url(void **state)
{
	struct links ls = { .n = 0 };
	size_t len = HTTPHDR_MAX_URL + 100;
	char *v = malloc(len + 32);

	(void)state;
	assert_non_null(v);
	strcpy(v, "<https://ca.example/");
	memset(v + 20, 'a', len);
	strcpy(v + 20 + len, ">;rel=up");
	assert_int_equal(parse(&ls, v, BASE), -1);
	assert_non_null(strstr(ls.err.msg, "longer than"));
	assert_int_equal(ls.n, 0);
	free(v);
}

static void
test_links_capped(void **state)
{
	struct links ls = { .n = 0 };
	char *v;
	size_t i, off = 0, count = 10000;

	(void)state;
	v = malloc(count * 40 + 1);
	assert_non_null(v);
	for (i = 0; i < count; i++)
		off += (size_t)sprintf(v + off, "<https://ca.example/%zu>;rel=up,", i);
	assert_int_equal(parse(&ls, v, BASE), 0);
	assert_int_equal(ls.n, HTTP_MAX_LINKS);
	assert_link(&ls, HTTP_MAX_LINKS - 1, "up", "https://ca.example/15");
	/* A full array takes nothing more, without an error. */
	assert_int_equal(parse(&ls, "<https://ca.example/more>;rel=up", BASE), 0);
	assert_int_equal(ls.n, HTTP_MAX_LINKS);
	httphdr_links_free(ls.l, ls.n);
	free(v);
}

static void
test_retry_after_seconds(void **state)
{
	(void)state;
	assert_int_equal(httphdr_parse_retry_after("120", NOW), 120);
	assert_int_equal(httphdr_parse_retry_after(" 7 \r\n", NOW), 7);
	assert_int_equal(httphdr_parse_retry_after("0", NOW), 0);
	assert_int_equal(httphdr_parse_retry_after("10000000", NOW), 10000000);
}

static void
test_retry_after_dates(void **state)
{
	(void)state;
	assert_int_equal(httphdr_parse_retry_after(
	    "Tue, 14 Nov 2023 22:15:20 GMT", NOW), 120);
	assert_int_equal(httphdr_parse_retry_after(
	    "Tue, 14 Nov 2023 22:13:20 GMT", NOW), 0);
	assert_int_equal(httphdr_parse_retry_after(
	    "Sun, 06 Nov 1994 08:49:37 GMT", NOW), 0);
	/* The obsolete RFC 850 form is still an HTTP-date. */
	assert_int_equal(httphdr_parse_retry_after(
	    "Tuesday, 14-Nov-23 22:14:20 GMT", NOW), 60);
}

static void
test_retry_after_garbage(void **state)
{
	static const char *bad[] = {
		"", " ", "soon", "-5", "12abc", "1.5", "0x10", "+3",
		"120 seconds", "\x01", "Tue, 99 Foo 2023",
	};
	size_t i;

	(void)state;
	assert_int_equal(httphdr_parse_retry_after(NULL, NOW), -1);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(httphdr_parse_retry_after(bad[i], NOW), -1);
}

static void
test_retry_after_huge_clamped(void **state)
{
	(void)state;
	assert_int_equal(httphdr_parse_retry_after("1000000000000", NOW),
	    HTTPHDR_RETRY_AFTER_MAX);
	assert_int_equal(httphdr_parse_retry_after(
	    "99999999999999999999999999999999999999", NOW),
	    HTTPHDR_RETRY_AFTER_MAX);
	assert_int_equal(httphdr_parse_retry_after(
	    "Fri, 31 Dec 2100 23:59:59 GMT", NOW), HTTPHDR_RETRY_AFTER_MAX);
}

static void
assert_media(const char *value, const char *want)
{
	char *got = httphdr_media_type(value);

	if (want == NULL) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_media_types(void **state)
{
	(void)state;
	assert_media("application/json; charset=utf-8", "application/json");
	assert_media("Application/Problem+JSON", "application/problem+json");
	assert_media("  application/jose+json  ", "application/jose+json");
	assert_media("text/html;charset=UTF-8", "text/html");
	assert_media("application/pem-certificate-chain\r\n",
	    "application/pem-certificate-chain");
}

static void
test_media_types_malformed(void **state)
{
	(void)state;
	assert_media(NULL, NULL);
	assert_media("", NULL);
	assert_media("json", NULL);
	assert_media("application/", NULL);
	assert_media("/json", NULL);
	assert_media("application/json garbage", NULL);
	assert_media("application json", NULL);
	assert_media("application/json/x", NULL);
	assert_media("appl\x01ication/json", NULL);
}

static void
assert_split(const char *line, const char *name, const char *value)
{
	const char *n, *v;
	size_t nlen, vlen;

	assert_int_equal(httphdr_split(line, strlen(line), &n, &nlen, &v, &vlen), 0);
	assert_int_equal(nlen, strlen(name));
	assert_memory_equal(n, name, nlen);
	assert_int_equal(vlen, strlen(value));
	assert_memory_equal(v, value, vlen);
}

static void
test_split_header_lines(void **state)
{
	static const char *bad[] = {
		"HTTP/2 200\r\n", "HTTP/1.1 404 Not Found\r\n", "\r\n", "",
		" folded: x\r\n", ": novalue\r\n", "Bad Name: x\r\n", "NoColon\r\n",
	};
	const char *n, *v;
	size_t nlen, vlen, i;

	(void)state;
	assert_split("Replay-Nonce: abc_DEF-1\r\n", "Replay-Nonce", "abc_DEF-1");
	assert_split("Link:<https://x/>;rel=up\r\n", "Link", "<https://x/>;rel=up");
	assert_split("Location: \t /acct/1 \t\r\n", "Location", "/acct/1");
	assert_split("X-Empty:\r\n", "X-Empty", "");
	assert_split("Retry-After: 30", "Retry-After", "30");
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(httphdr_split(bad[i], strlen(bad[i]), &n, &nlen,
		    &v, &vlen), -1);
	/* Only `len` bytes are read: a line cut before its colon is not one. */
	assert_int_equal(httphdr_split("Date: x", 4, &n, &nlen, &v, &vlen), -1);
}

static void
test_header_names_case_insensitive(void **state)
{
	(void)state;
	assert_true(httphdr_name_is("REPLAY-NONCE", 12, "replay-nonce"));
	assert_true(httphdr_name_is("retry-after", 11, "Retry-After"));
	assert_false(httphdr_name_is("replay-nonc", 11, "replay-nonce"));
	assert_false(httphdr_name_is("replay-nonces", 13, "replay-nonce"));
	assert_false(httphdr_name_is("link", 4, "lint"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_links_quoted_and_unquoted_rel),
		cmocka_unit_test(test_links_params_in_any_order),
		cmocka_unit_test(test_links_several_in_one_header),
		cmocka_unit_test(test_links_appended_across_headers),
		cmocka_unit_test(test_links_relative_urls_resolved),
		cmocka_unit_test(test_links_non_https_dropped),
		cmocka_unit_test(test_links_garbage_refused_whole),
		cmocka_unit_test(test_links_overlong_url),
		cmocka_unit_test(test_links_capped),
		cmocka_unit_test(test_retry_after_seconds),
		cmocka_unit_test(test_retry_after_dates),
		cmocka_unit_test(test_retry_after_garbage),
		cmocka_unit_test(test_retry_after_huge_clamped),
		cmocka_unit_test(test_media_types),
		cmocka_unit_test(test_media_types_malformed),
		cmocka_unit_test(test_split_header_lines),
		cmocka_unit_test(test_header_names_case_insensitive),
	};

	return cmocka_run_group_tests_name("httphdr", tests, NULL, NULL);
}
