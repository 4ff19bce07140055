/*
 * acmetest: the refused/accepted checks of the ACME message unit tests.
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

#include "acmetest.h"

/* Expects `fn` to refuse `json` with an error naming URL and `fragment`. */
void
refused(parse_fn fn, const char *json, const char *fragment)
{
	struct err err;

	err_clear(&err);
	if (fn(json, &err) == 0)
		fail_msg("accepted: %.200s", json);
	assert_int_equal(err.code, ERR_PROTO);
	if (strncmp(err.msg, URL ": ", strlen(URL ": ")) != 0 ||
	    strstr(err.msg, fragment) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, fragment);
}

void
accepted(parse_fn fn, const char *json)
{
	struct err err;

	err_clear(&err);
	if (fn(json, &err) != 0)
		fail_msg("refused: %s", err.msg);
}

