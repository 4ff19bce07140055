/*
 * Unit tests for base64url (RFC 4648 §5 test vectors, unpadded).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "b64url.h"

static const struct {
	const char *plain;
	const char *encoded;
} vectors[] = {
	{ "", "" },
	{ "f", "Zg" },
	{ "fo", "Zm8" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg" },
	{ "fooba", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy" },
};

static void
test_encode_rfc4648_vectors(void **state)
{
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		char *out = b64url_encode(vectors[i].plain, strlen(vectors[i].plain), &err);
		assert_non_null(out);
		assert_string_equal(out, vectors[i].encoded);
		assert_int_equal(strlen(out), b64url_encoded_len(strlen(vectors[i].plain)));
		free(out);
	}
}

static void
test_decode_rfc4648_vectors(void **state)
{
	struct err err;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		unsigned char *out = b64url_decode(vectors[i].encoded,
		    strlen(vectors[i].encoded), &n, &err);
		assert_non_null(out);
		assert_int_equal(n, strlen(vectors[i].plain));
		assert_memory_equal(out, vectors[i].plain, n);
		free(out);
	}
}

static void
test_url_alphabet(void **state)
{
	static const unsigned char bytes[] = { 0xfb, 0xff, 0xbf };
	struct err err;
	unsigned char *back;
	char *out;
	size_t n;

	(void)state;
	out = b64url_encode(bytes, sizeof bytes, &err);
	assert_non_null(out);
	assert_string_equal(out, "-_-_");
	back = b64url_decode(out, strlen(out), &n, &err);
	assert_non_null(back);
	assert_int_equal(n, 3);
	assert_memory_equal(back, bytes, 3);
	free(out);
	free(back);
}

static void
test_round_trip_all_lengths(void **state)
{
	unsigned char data[300];
	struct err err;
	size_t len, n;

	(void)state;
	for (len = 0; len < sizeof data; len++)
		data[len] = (unsigned char)(len * 37 + 11);
	for (len = 0; len <= sizeof data; len++) {
		char *enc = b64url_encode(data, len, &err);
		unsigned char *dec;

		assert_non_null(enc);
		assert_null(strchr(enc, '='));
		dec = b64url_decode(enc, strlen(enc), &n, &err);
		assert_non_null(dec);
		assert_int_equal(n, len);
		assert_memory_equal(dec, data, len);
		free(enc);
		free(dec);
	}
}

static void
test_decode_refuses_bad_input(void **state)
{
	static const char *bad[] = {
		"Zg==", "Zm9v+g", "Zm9v/g", "Z", "Zm9vY", "Zm 9v", "Zm9\xc3\xa9",
		"Zh",	/* non-zero trailing bits */
	};
	struct err err;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&err);
		assert_null(b64url_decode(bad[i], strlen(bad[i]), &n, &err));
		assert_int_equal(err.code, ERR_PROTO);
		assert_true(strstr(err.msg, "base64url") != NULL);
	}
}

static void
test_is_valid_token_alphabet(void **state)
{
	(void)state;
	assert_true(b64url_is_valid("LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"));
	assert_true(b64url_is_valid("a-b_c"));
	assert_false(b64url_is_valid(""));
	assert_false(b64url_is_valid(NULL));
	assert_false(b64url_is_valid("../etc/passwd"));
	assert_false(b64url_is_valid("abc="));
	assert_false(b64url_is_valid("a b"));
	assert_false(b64url_is_valid("$(id)"));
	assert_false(b64url_is_valid("\xc3\xa9t\xc3\xa9"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_rfc4648_vectors),
		cmocka_unit_test(test_decode_rfc4648_vectors),
		cmocka_unit_test(test_url_alphabet),
		cmocka_unit_test(test_round_trip_all_lengths),
		cmocka_unit_test(test_decode_refuses_bad_input),
		cmocka_unit_test(test_is_valid_token_alphabet),
	};

	return cmocka_run_group_tests_name("b64url", tests, NULL, NULL);
}
