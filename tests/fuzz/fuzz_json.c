/*
 * fuzz_json: a CA's JSON through json_parse_untrusted() and every ACME
 * parser (directory, problem, order, authorization, account), then what
 * the engine does next with a parsed document: problems formatted into a
 * tiny and a roomy buffer, orders matched against the identifiers asked
 * for, challenges looked up.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acme.h"
#include "json.h"
#include "fuzz.h"

#define URL "https://ca.test/acme/x"

/* Formats into a buffer of exactly `outsz` bytes on the heap, so that the
 * address sanitizer sees a single byte written past it. */
static void
fuzz_format(const struct acme_problem *p, size_t outsz)
{
	char *out;

	if ((out = malloc(outsz)) == NULL)
		fuzz_fail("out of memory");
	acme_problem_format(p, out, outsz);
	fuzz_check_escaped(out, outsz, "acme_problem_format: unescaped or "
	    "unterminated");
	free(out);
}

static void
fuzz_problem(const struct acme_problem *p)
{
	if (p == NULL)
		return;
	fuzz_format(p, 1);
	fuzz_format(p, 24);
	fuzz_format(p, 4096);
	(void)acme_problem_is(p, "badNonce");
}

static void
fuzz_directory(const char *text, size_t len)
{
	struct acme_directory d;
	struct err err;

	memset(&d, 0, sizeof d);
	if (acme_directory_parse(text, len, URL, &d, &err) == 0) {
		FUZZ_CHECK(d.new_nonce && d.new_account && d.new_order &&
		    d.revoke_cert, "directory parsed without an endpoint");
		/* The scheme is case-insensitive (RFC 3986 §3.1). */
		FUZZ_CHECK(strncasecmp(d.new_order, "https://", 8) == 0,
		    "directory parsed with a non-https newOrder");
		acme_directory_free(&d);
	}
}

static void
fuzz_problem_doc(const char *text, size_t len)
{
	struct acme_problem p;
	struct err err;

	memset(&p, 0, sizeof p);
	if (acme_problem_parse(text, len, URL, &p, &err) == 0) {
		FUZZ_CHECK(p.n_sub <= ACME_MAX_SUBPROBLEMS,
		    "more subproblems than the bound");
		fuzz_problem(&p);
		acme_problem_free(&p);
	}
}

static void
fuzz_order(const char *text, size_t len)
{
	static const struct acme_identifier want[] = {
		{ "dns", "example.com" },
		{ "dns", "*.example.com" },
		{ "ip", "192.0.2.1" },
	};
	struct acme_order o;
	struct err err;
	size_t n;

	memset(&o, 0, sizeof o);
	if (acme_order_parse(text, len, URL, &o, &err) == -1)
		return;
	FUZZ_CHECK(o.status != ACME_STATUS_UNKNOWN,
	    "order parsed without a known status");
	(void)acme_status_name(o.status);
	fuzz_problem(o.error);
	for (n = 0; n <= 3; n++) {
		if (acme_order_matches(&o, want, n, &err) == 0)
			FUZZ_CHECK(o.n_identifiers == n,
			    "order matched with another identifier count");
	}
	acme_order_free(&o);
}

static void
fuzz_authz(const char *text, size_t len)
{
	struct acme_authz a;
	struct err err;
	size_t i;

	memset(&a, 0, sizeof a);
	if (acme_authz_parse(text, len, URL, &a, &err) == -1)
		return;
	FUZZ_CHECK(a.status != ACME_STATUS_UNKNOWN,
	    "authorization parsed without a known status");
	FUZZ_CHECK(a.n_challenges <= ACME_MAX_CHALLENGES,
	    "more challenges than the bound");
	for (i = 0; i < a.n_challenges; i++)
		fuzz_problem(a.challenges[i].error);
	(void)acme_authz_find(&a, "http-01");
	(void)acme_authz_find(&a, "dns-persist-01");
	acme_authz_free(&a);
}

static void
fuzz_account(const char *text, size_t len)
{
	struct acme_account a;
	struct err err;

	memset(&a, 0, sizeof a);
	if (acme_account_parse(text, len, URL, &a, &err) == 0)
		acme_account_free(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct err err;
	json_t *root;

	if ((root = json_parse_untrusted(text, size, URL, &err)) != NULL) {
		FUZZ_CHECK(json_is_object(root), "root is not an object");
		json_decref(root);
	} else
		FUZZ_CHECK(err.msg[0] != '\0', "failure without a message");
	fuzz_directory(text, size);
	fuzz_problem_doc(text, size);
	fuzz_order(text, size);
	fuzz_authz(text, size);
	fuzz_account(text, size);
	return 0;
}
