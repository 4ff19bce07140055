/*
 * Unit tests for json: the bounds put on untrusted documents (size, depth,
 * root type, duplicate keys, numbers, UTF-8, NUL) with real texts, error
 * messages that name the source and the position, and typed getters that
 * never hand back a member of the wrong type.
 */
#include "autoconfig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

#define WHAT "https://ca.test/acme/dir"

/* Parses `len` bytes, expecting a refusal whose message names WHAT and
 * holds `fragment`. */
static void
refused_len(const char *text, size_t len, const char *fragment)
{
	struct err err;
	json_t *root;

	err_clear(&err);
	root = json_parse_untrusted(text, len, WHAT, &err);
	if (root != NULL) {
		json_decref(root);
		fail_msg("accepted: %.80s", text);
	}
	assert_int_equal(err.code, ERR_PROTO);
	assert_true(strncmp(err.msg, WHAT ": ", strlen(WHAT ": ")) == 0);
	if (strstr(err.msg, fragment) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, fragment);
}

static void
refused(const char *text, const char *fragment)
{
	refused_len(text, strlen(text), fragment);
}

static json_t *
accepted_len(const char *text, size_t len)
{
	struct err err;
	json_t *root;

	err_clear(&err);
	root = json_parse_untrusted(text, len, WHAT, &err);
	if (root == NULL)
		fail_msg("refused: %s", err.msg);
	return root;
}

/* `{"a":` + nested `open`s down to an empty one + the closes: `depth`
 * levels in all, the root object counted. */
static char *
nested(size_t depth, char open, char close)
{
	size_t i, inner = depth - 2;
	char *s = malloc(8 + depth * 6), *p = s;

	assert_non_null(s);
	p += sprintf(p, "{\"a\":");
	for (i = 0; i < inner; i++)
		p += open == '{' ? sprintf(p, "{\"a\":") : sprintf(p, "[");
	*p++ = open;
	*p++ = close;
	for (i = 0; i < inner; i++)
		*p++ = close;
	*p++ = '}';
	*p = '\0';
	return s;
}

static void
test_valid_object_and_getters(void **state)
{
	static const char text[] =
	    "{\"s\":\"x\",\"n\":1,\"o\":{\"k\":\"v\"},\"l\":[1,\"two\"],\"t\":true,\"z\":null}";
	/* Which getter each member answers: every other type gives NULL. */
	static const struct {
		const char *key;
		int str, arr, obj;
	} members[] = {
		{ "s", 1, 0, 0 }, { "n", 0, 0, 0 }, { "o", 0, 0, 1 }, { "l", 0, 1, 0 },
		{ "t", 0, 0, 0 }, { "z", 0, 0, 0 }, { "missing", 0, 0, 0 },
	};
	json_t *root;
	char *back;
	struct err err;
	size_t i;

	(void)state;
	root = accepted_len(text, strlen(text));
	for (i = 0; i < sizeof members / sizeof members[0]; i++) {
		assert_int_equal(json_str(root, members[i].key) != NULL, members[i].str);
		assert_int_equal(json_arr(root, members[i].key) != NULL, members[i].arr);
		assert_int_equal(json_obj(root, members[i].key) != NULL, members[i].obj);
	}
	assert_string_equal(json_str(root, "s"), "x");
	assert_string_equal(json_str(json_obj(root, "o"), "k"), "v");
	assert_int_equal(json_array_size(json_arr(root, "l")), 2);
	/* A getter on something that is not an object is not a crash. */
	assert_null(json_str(json_arr(root, "l"), "s"));
	assert_null(json_str(NULL, "s"));
	back = json_dump_compact(root, &err);
	assert_non_null(back);
	assert_string_equal(back, text);
	free(back);
	json_decref(root);
}

static void
test_root_must_be_object(void **state)
{
	(void)state;
	refused("[1,2,3]", "not an object");
	refused("[]", "not an object");
	/* jansson refuses scalar roots itself, with a position. */
	refused("\"just a string\"", "line 1");
	refused("42", "line 1");
	refused("null", "line 1");
	refused("", "line");
	refused("   ", "line");
}

static void
test_truncated(void **state)
{
	(void)state;
	refused("{\"status\": \"val", "line 1 column");
	refused("{\"status\": ", "line 1 column");
	refused("{\"a\":[1,2", "invalid JSON");
	refused("{", "invalid JSON");
	/* A newline moves the position reported. */
	refused("{\"a\":1,\n\"b\":", "line 2 column");
}

static void
test_trailing_garbage(void **state)
{
	(void)state;
	refused("{} x", "line 1 column");
	refused("{}{}", "invalid JSON");
	refused("{\"a\":1}]", "invalid JSON");
	/* The length given is what is parsed: a NUL inside it is garbage. */
	refused_len("{}\0{}", 5, "invalid JSON");
}

static void
test_depth_100k(void **state)
{
	size_t n = 100000;
	char *s = malloc(n + 8);

	(void)state;
	assert_non_null(s);
	memset(s, '[', n);
	refused_len(s, n, "nested deeper than 32 levels");
	memcpy(s, "{\"a\":", 5);
	refused_len(s, n, "nested deeper than 32 levels");
	memset(s, '{', n);
	refused_len(s, n, "nested deeper than 32 levels");
	free(s);
}

static void
test_depth_exact_bound(void **state)
{
	static const char opens[] = "[{";
	static const char closes[] = "]}";
	size_t i;

	(void)state;
	assert_int_equal(JSON_MAX_DEPTH, 32);
	for (i = 0; i < 2; i++) {
		char *ok = nested(JSON_MAX_DEPTH, opens[i], closes[i]);
		char *deep = nested(JSON_MAX_DEPTH + 1, opens[i], closes[i]);
		json_t *root = accepted_len(ok, strlen(ok));

		json_decref(root);
		refused(deep, "nested deeper than 32 levels");
		free(ok);
		free(deep);
	}
}

static void
test_depth_ignores_strings(void **state)
{
	char text[512], *p = text;
	json_t *root;
	int i;

	(void)state;
	/* 100 brackets in a string, after an escaped quote and before an
	 * escaped backslash: none of them is nesting. */
	p += sprintf(p, "{\"a\":\"\\\"");
	for (i = 0; i < 50; i++)
		p += sprintf(p, "[{");
	sprintf(p, "\\\\\",\"b\":[[1]]}");
	root = accepted_len(text, strlen(text));
	assert_non_null(json_str(root, "a"));
	assert_int_equal(strlen(json_str(root, "a")), 102);
	json_decref(root);

	/* An escaped backslash ends the escape: the quote after it closes
	 * the string, so the brackets that follow do count. */
	p = text;
	p += sprintf(p, "{\"a\":\"\\\\\",\"b\":");
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		*p++ = '[';
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		*p++ = ']';
	strcpy(p, "}");
	refused(text, "nested deeper than 32 levels");
}

static void
test_duplicate_keys(void **state)
{
	(void)state;
	refused("{\"status\":\"pending\",\"status\":\"valid\"}", "duplicate");
	refused("{\"a\":{\"k\":1,\"k\":1}}", "duplicate");
	refused("{\"a\":[{\"k\":1,\"k\":2}]}", "duplicate");
}

static void
test_numbers_out_of_range(void **state)
{
	(void)state;
	refused("{\"a\":1e999}", "line 1 column");
	refused("{\"a\":-1e999}", "invalid JSON");
	refused("{\"a\":123456789012345678901234567890}", "invalid JSON");
}

static void
test_invalid_utf8(void **state)
{
	static const char *bad[] = {
		"{\"a\":\"\xff\"}",
		"{\"a\":\"\xc0\xaf\"}",		/* overlong "/" */
		"{\"a\":\"\xc0\x9b\"}",		/* overlong CSI */
		"{\"a\":\"\xed\xa0\x80\"}",	/* UTF-16 surrogate */
		"{\"a\":\"\xe2\x80\"}",		/* cut sequence */
		"{\"\xfe\":1}",			/* in a key */
		"{\"a\":\"\xf4\x90\x80\x80\"}",	/* past U+10FFFF */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused(bad[i], "invalid JSON");
}

static void
test_nul_escape(void **state)
{
	(void)state;
	refused("{\"a\":\"x\\u0000y\"}", "invalid JSON");
	refused("{\"a\\u0000b\":1}", "invalid JSON");
	refused("{\"a\":\"\\u0000\"}", "line 1");
}

static void
test_size_bound(void **state)
{
	size_t len = JSON_MAX_SIZE + 1;
	char *s = malloc(len);
	json_t *root;

	(void)state;
	assert_non_null(s);
	/* A valid document of exactly the bound is accepted... */
	memset(s, 'x', len);
	memcpy(s, "{\"a\":\"", 6);
	memcpy(s + JSON_MAX_SIZE - 2, "\"}", 2);
	root = accepted_len(s, JSON_MAX_SIZE);
	assert_int_equal(strlen(json_str(root, "a")), JSON_MAX_SIZE - 8);
	json_decref(root);
	/* ...and one byte more is refused before jansson reads it. */
	memcpy(s + JSON_MAX_SIZE - 2, "x\"}", 3);
	refused_len(s, len, "exceeds 1048576");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_object_and_getters),
		cmocka_unit_test(test_root_must_be_object),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_depth_100k),
		cmocka_unit_test(test_depth_exact_bound),
		cmocka_unit_test(test_depth_ignores_strings),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_numbers_out_of_range),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_nul_escape),
		cmocka_unit_test(test_size_bound),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
