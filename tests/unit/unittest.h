/*
 * unittest: what several unit test programs share.
 */
#ifndef CERTDECK_UNITTEST_H
#define CERTDECK_UNITTEST_H

#include <stddef.h>

struct CMUnitTest;

/* A monotonic clock in milliseconds. */
long long now_ms(void);

/* Runs `tests` as cmocka group `group` and prints their TAP. cmocka 1.1.5
 * reports a skipped test as "not ok N # SKIP", which automake's TAP
 * driver counts as a failure: the group runs in a child and its skips are
 * passed on as "ok N # SKIP". Returns the exit code. */
int unittest_run_tap(const char *group, const struct CMUnitTest *tests, size_t n);

#endif
