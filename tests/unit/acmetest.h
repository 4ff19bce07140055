/*
 * acmetest: what the ACME message unit tests share: a URL to parse
 * against, a parser wrapper that checks a refusal leaves nothing
 * half-built, and the refused/accepted checks.
 */
#ifndef CERTDECK_ACMETEST_H
#define CERTDECK_ACMETEST_H

#include <string.h>

#include "acme.h"

#define URL "https://ca.test/acme/x"
#define URN ACME_ERR_PREFIX

/* One parser run on a text, its result freed: 0 or -1. */
typedef int (*parse_fn)(const char *json, struct err *err);

/* A parse_fn for `parse`; a failed parse must leave the struct all zero,
 * holding nothing half-built. */
#define PARSE_FN(name, type, parse, release)				\
static int								\
name(const char *json, struct err *err)					\
{									\
	static const type zero;						\
	type v;								\
	int rc = parse(json, strlen(json), URL, &v, err);		\
									\
	if (rc != 0)							\
		assert_memory_equal(&v, &zero, sizeof v);		\
	release(&v);							\
	return rc;							\
}


/* Expects `fn` to refuse `json` with an error naming URL and `fragment`. */
void refused(parse_fn fn, const char *json, const char *fragment);

/* Expects `fn` to accept `json`. */
void accepted(parse_fn fn, const char *json);

#endif
