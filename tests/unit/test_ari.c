/*
 * Unit tests for ARI (RFC 9773): certificate identifiers, RFC 3339 times,
 * suggested windows and the pick inside them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ari.h"

static void
test_cert_id_rfc9773_example(void **state)
{
	/* RFC 9773 §4.1: AKI keyIdentifier and serial 0x0087654321. */
	static const unsigned char aki[] = {
		0x69, 0x88, 0x5b, 0x6b, 0x87, 0x46, 0x40, 0x41, 0xe1, 0xb3,
		0x7b, 0x84, 0x7b, 0xa0, 0xae, 0x2c, 0xde, 0x01, 0xc8, 0xd4,
	};
	static const unsigned char serial[] = { 0x00, 0x87, 0x65, 0x43, 0x21 };
	struct err err;
	char *id;

	(void)state;
	id = ari_cert_id(aki, sizeof aki, serial, sizeof serial, &err);
	assert_non_null(id);
	assert_string_equal(id, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
	free(id);
	assert_null(ari_cert_id(aki, 0, serial, sizeof serial, &err));
	assert_non_null(strstr(err.msg, "authority key identifier"));
}

static void
test_time_parse(void **state)
{
	time_t t;

	(void)state;
	assert_int_equal(ari_time_parse("2025-01-02T03:04:05Z", &t), 0);
	assert_int_equal(t, 1735787045);
	assert_int_equal(ari_time_parse("2025-01-02T03:04:05.123456Z", &t), 0);
	assert_int_equal(t, 1735787045);
	assert_int_equal(ari_time_parse("2025-01-02T05:04:05+02:00", &t), 0);
	assert_int_equal(t, 1735787045);
	assert_int_equal(ari_time_parse("2025-01-02T00:04:05-03:00", &t), 0);
	assert_int_equal(t, 1735787045);
	assert_int_equal(ari_time_parse("2025-01-02 03:04:05Z", &t), -1);
	assert_int_equal(ari_time_parse("2025-13-02T03:04:05Z", &t), -1);
	assert_int_equal(ari_time_parse("2025-01-02T03:04:05", &t), -1);
	assert_int_equal(ari_time_parse("2025-01-02T03:04:05Zjunk", &t), -1);
	assert_int_equal(ari_time_parse("yesterday", &t), -1);
	assert_int_equal(ari_time_parse("", &t), -1);
}

static void
test_window_parse(void **state)
{
	static const char good[] = "{\"suggestedWindow\":{\"start\":\"2025-01-02T00:00:00Z\","
	    "\"end\":\"2025-01-03T00:00:00Z\"},\"explanationURL\":\"https://ca.example/why\"}";
	static const char *const bad[] = {
		"{}",
		"{\"suggestedWindow\":{\"start\":\"2025-01-02T00:00:00Z\"}}",
		"{\"suggestedWindow\":{\"start\":\"2025-01-03T00:00:00Z\",\"end\":\"2025-01-02T00:00:00Z\"}}",
		"{\"suggestedWindow\":{\"start\":\"2025-01-02T00:00:00Z\",\"end\":\"2045-01-02T00:00:00Z\"}}",
		"{\"suggestedWindow\":{\"start\":1,\"end\":2}}",
		"[1]",
	};
	struct ari_window w;
	struct err err;
	size_t i;

	(void)state;
	assert_int_equal(ari_window_parse(good, strlen(good), "u", &w, &err), 0);
	assert_int_equal(w.end - w.start, 86400);
	assert_string_equal(w.explanation, "https://ca.example/why");
	ari_window_free(&w);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&err);
		assert_int_equal(ari_window_parse(bad[i], strlen(bad[i]), "https://ca/ri",
		    &w, &err), -1);
		assert_non_null(strstr(err.msg, "https://ca/ri"));
	}
}

static void
test_pick_inside_window(void **state)
{
	struct ari_window w = { .start = 1000000, .end = 1000000 + 86400 };
	time_t lo = w.end, hi = w.start, t;
	int i;

	(void)state;
	for (i = 0; i < 2000; i++) {
		t = ari_pick(&w);
		assert_true(t >= w.start && t < w.end);
		if (t < lo)
			lo = t;
		if (t > hi)
			hi = t;
	}
	/* Spread over the window, not stuck at one end. */
	assert_true(lo < w.start + 86400 / 10);
	assert_true(hi > w.end - 86400 / 10);
	w.end = w.start;
	assert_int_equal(ari_pick(&w), w.start);
}

static void
test_recheck_bounds(void **state)
{
	(void)state;
	/* §4.3.2: under a minute counts as a minute, over a day as a day;
	 * §4.3.3: absent or unreadable waits six hours. */
	assert_int_equal(ari_recheck_after(21600), 21600);
	assert_int_equal(ari_recheck_after(0), 60);
	assert_int_equal(ari_recheck_after(1), 60);
	assert_int_equal(ari_recheck_after(60), 60);
	assert_int_equal(ari_recheck_after(86400), 86400);
	assert_int_equal(ari_recheck_after(86401), 86400);
	assert_int_equal(ari_recheck_after(1000000000000L), 86400);
	assert_int_equal(ari_recheck_after(-1), 21600);
}

static void
test_incident(void **state)
{
	char url[] = "https://ca.example/incident";
	struct ari_window prev = { .start = 2000000, .end = 2086400 };
	struct ari_window earlier = { .start = 1000000, .end = 1086400, .explanation = url };
	struct ari_window same = { .start = 2000000, .end = 2086400, .explanation = url };
	struct ari_window later = { .start = 3000000, .end = 3086400, .explanation = url };
	struct ari_window quiet = { .start = 1000000, .end = 1086400 };
	struct ari_window none = { 0 };

	(void)state;
	assert_true(ari_incident(&prev, &earlier));
	assert_false(ari_incident(&prev, &same));
	assert_false(ari_incident(&prev, &later));
	assert_false(ari_incident(&prev, &quiet));	/* earlier, no explanation */
	assert_false(ari_incident(NULL, &earlier));	/* nothing to compare with */
	assert_false(ari_incident(&none, &earlier));
}

static void
test_repick(void **state)
{
	struct ari_window prev = { .start = 2000000, .end = 2086400 };
	struct ari_window moved = { .start = 1000000, .end = 1086400 };
	time_t now = 500000, t;

	(void)state;
	/* Unchanged window: the moment picked before stays. */
	assert_int_equal(ari_repick(&prev, 2000100, &prev, 0, now), 2000100);
	/* An incident renews now, and that pick survives a refetch of the
	 * same window. */
	assert_int_equal(ari_repick(&prev, 2000100, &moved, 1, now), now);
	assert_int_equal(ari_repick(&moved, now, &moved, 0, now + 60), now);
	/* A moved window gets a new pick inside it. */
	t = ari_repick(&prev, 2000100, &moved, 0, now);
	assert_true(t >= moved.start && t < moved.end);
	t = ari_repick(NULL, 0, &prev, 0, now);
	assert_true(t >= prev.start && t < prev.end);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cert_id_rfc9773_example),
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_window_parse),
		cmocka_unit_test(test_pick_inside_window),
		cmocka_unit_test(test_recheck_bounds),
		cmocka_unit_test(test_incident),
		cmocka_unit_test(test_repick),
	};

	return cmocka_run_group_tests_name("ari", tests, NULL, NULL);
}
