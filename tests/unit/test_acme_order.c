/*
 * Unit tests for the ACME message layer: orders (statuses, identifiers,
 * URLs, whether an order matches what was asked), authorizations and
 * their challenges, accounts, and the identifier-set check. Every refusal
 * names what was wrong; a failed parse leaves nothing behind (valgrind
 * checks).
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

PARSE_FN(parse_order, struct acme_order, acme_order_parse, acme_order_free)
PARSE_FN(parse_authz, struct acme_authz, acme_authz_parse, acme_authz_free)
PARSE_FN(parse_account, struct acme_account, acme_account_parse, acme_account_free)


#define ORDER_FMT "{%s\"identifiers\":%s,\"authorizations\":%s," \
	"\"finalize\":\"https://ca.test/finalize/1\"%s}"
#define IDS2 "[{\"type\":\"dns\",\"value\":\"example.org\"}," \
	"{\"type\":\"ip\",\"value\":\"192.0.2.1\"}]"
#define AUTHZ2 "[\"https://ca.test/authz/1\",\"https://ca.test/authz/2\"]"

static char order_text[16384];

static const char *
order_json(const char *status, const char *ids, const char *authz, const char *extra)
{
	snprintf(order_text, sizeof order_text, ORDER_FMT, status, ids, authz, extra);
	return order_text;
}

static void
test_order_statuses(void **state)
{
	static const char *fine[] = { "pending", "ready", "processing" };
	static const struct {
		const char *status, *extra, *fragment;
	} bad[] = {
		{ "\"status\":\"valid\",", "", "order is valid but has no certificate URL" },
		{ "", "", "no \"status\" string" },
		{ "\"status\":4,", "", "no \"status\" string" },
		{ "\"status\":null,", "", "no \"status\" string" },
		{ "\"status\":\"bogus\",", "", "unknown status \"bogus\"" },
		{ "\"status\":\"VALID\",", "", "unknown status \"VALID\"" },
		{ "\"status\":\"\\u001b[2J\",", "", "unknown status \"\\e[2J\"" },
		{ "\"status\":\"invalid\",", ",\"error\":{\"identifier\":{\"type\":1}}",
		    "identifier without type and value" },
	};
	struct acme_order o;
	struct err err;
	const char *t;
	char status[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof fine / sizeof fine[0]; i++) {
		snprintf(status, sizeof status, "\"status\":\"%s\",", fine[i]);
		t = order_json(status, IDS2, AUTHZ2, "");
		assert_int_equal(acme_order_parse(t, strlen(t), URL, &o, &err), 0);
		assert_string_equal(acme_status_name(o.status), fine[i]);
		assert_int_equal(o.n_identifiers, 2);
		assert_string_equal(o.identifiers[1].type, "ip");
		assert_int_equal(o.n_authorizations, 2);
		assert_string_equal(o.authorizations[1], "https://ca.test/authz/2");
		assert_string_equal(o.finalize, "https://ca.test/finalize/1");
		assert_null(o.certificate);
		assert_null(o.error);
		acme_order_free(&o);
	}
	t = order_json("\"status\":\"valid\",", IDS2, AUTHZ2,
	    ",\"certificate\":\"https://ca.test/cert/1\"");
	assert_int_equal(acme_order_parse(t, strlen(t), URL, &o, &err), 0);
	assert_int_equal(o.status, ACME_STATUS_VALID);
	assert_string_equal(o.certificate, "https://ca.test/cert/1");
	acme_order_free(&o);

	t = order_json("\"status\":\"invalid\",", IDS2, AUTHZ2, ",\"error\":{\"type\":\""
	    URN "unauthorized\",\"detail\":\"no TXT record\"}");
	assert_int_equal(acme_order_parse(t, strlen(t), URL, &o, &err), 0);
	assert_int_equal(o.status, ACME_STATUS_INVALID);
	assert_non_null(o.error);
	assert_true(acme_problem_is(o.error, "unauthorized"));
	assert_string_equal(o.error->detail, "no TXT record");
	acme_order_free(&o);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused(parse_order, order_json(bad[i].status, IDS2, AUTHZ2, bad[i].extra),
		    bad[i].fragment);
}

static void
test_order_identifiers_and_urls(void **state)
{
	static const struct {
		const char *ids, *authz, *extra, *fragment;
	} cases[] = {
		{ "[]", AUTHZ2, "", "order has no identifiers" },
		{ "{}", AUTHZ2, "", "order has no identifiers" },
		{ "\"example.org\"", AUTHZ2, "", "order has no identifiers" },
		{ "[\"example.org\"]", AUTHZ2, "", "identifier 0 is not an object" },
		{ "[{\"type\":\"dns\",\"value\":\"a.test\"},7]", AUTHZ2, "",
		    "identifier 1 is not an object" },
		{ "[{\"type\":\"dns\"}]", AUTHZ2, "", "identifier without type and value" },
		{ "[{\"type\":\"dns\",\"value\":1}]", AUTHZ2, "", "identifier without type and value" },
		{ "[{\"type\":\"email\",\"value\":\"a@b\"}]", AUTHZ2, "",
		    "identifier of unknown type" },
		{ IDS2, "[\"http://ca.test/authz/1\"]", "", "\"authorizations\"[0] is not an https URL" },
		{ IDS2, "[\"https://ca.test/a\",3]", "", "\"authorizations\"[1] is not an https URL" },
		{ IDS2, "\"https://ca.test/a\"", "", "order has no \"authorizations\" array" },
		{ IDS2, AUTHZ2, ",\"certificate\":\"http://ca.test/c\"",
		    "\"certificate\" is not an https URL" },
	};
	char ids[8192], *p;
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		refused(parse_order, order_json("\"status\":\"pending\",", cases[i].ids,
		    cases[i].authz, cases[i].extra), cases[i].fragment);
	refused(parse_order, "{\"status\":\"pending\",\"identifiers\":" IDS2 ","
	    "\"authorizations\":" AUTHZ2 "}", "\"finalize\" is missing");
	refused(parse_order, "{\"status\":\"pending\",\"identifiers\":" IDS2 ","
	    "\"authorizations\":" AUTHZ2 ",\"finalize\":\"http://ca.test/f\"}",
	    "\"finalize\" is not an https URL");
	/* An identifier that does not fit is refused, not cut. */
	p = ids + sprintf(ids, "[{\"type\":\"dns\",\"value\":\"");
	memset(p, 'a', 256);
	strcpy(p + 256, "\"}]");
	refused(parse_order, order_json("\"status\":\"pending\",", ids, AUTHZ2, ""),
	    "identifier longer than 255 bytes");
	/* 100 identifiers are allowed, 101 are not. */
	for (n = ACME_MAX_IDENTIFIERS; n <= ACME_MAX_IDENTIFIERS + 1; n++) {
		int k;

		p = ids;
		*p++ = '[';
		for (k = 0; k < n; k++)
			p += sprintf(p, "%s{\"type\":\"dns\",\"value\":\"n%d.test\"}", k ? "," : "", k);
		strcpy(p, "]");
		if (n == ACME_MAX_IDENTIFIERS)
			accepted(parse_order, order_json("\"status\":\"pending\",", ids, AUTHZ2, ""));
		else
			refused(parse_order, order_json("\"status\":\"pending\",", ids, AUTHZ2, ""),
			    "order has 101 identifiers");
	}
}

/* Parses an order for `ids` with `authz`, and checks it against `want`. */
static int
order_check(const char *ids, const char *authz, const char *const *want,
    size_t n_want, struct err *err)
{
	struct acme_identifier w[8];
	struct acme_order o;
	const char *t = order_json("\"status\":\"pending\",", ids, authz, "");
	size_t i;
	int rc;

	assert_true(n_want <= 8);
	for (i = 0; i < n_want; i++)
		acme_identifier_set(&w[i], want[i]);
	assert_int_equal(acme_order_parse(t, strlen(t), URL, &o, err), 0);
	err_clear(err);
	rc = acme_order_matches(&o, w, n_want, err);
	acme_order_free(&o);
	return rc;
}

static void
test_order_matches(void **state)
{
	static const char *const same[] = { "192.0.2.1", "EXAMPLE.org" };
	static const char *const one[] = { "example.org" };
	static const char *const three[] = { "example.org", "192.0.2.1", "www.example.org" };
	static const char *const as_dns[] = { "example.org", "192.0.2.1" };
	struct err err;

	(void)state;
	assert_int_equal(order_check(IDS2, AUTHZ2, same, 2, &err), 0);
	/* The CA added a name we did not ask for. */
	assert_int_equal(order_check(IDS2, AUTHZ2, one, 1, &err), -1);
	assert_int_equal(err.code, ERR_PROTO);
	assert_non_null(strstr(err.msg, "identifier 192.0.2.1 that was not asked for"));
	/* The CA dropped a name. */
	assert_int_equal(order_check(IDS2, AUTHZ2, three, 3, &err), -1);
	assert_non_null(strstr(err.msg, "lacks identifier www.example.org"));
	/* More authorizations than names. */
	assert_int_equal(order_check(IDS2, "[\"https://ca.test/a/1\",\"https://ca.test/a/2\","
	    "\"https://ca.test/a/3\"]", same, 2, &err), -1);
	assert_non_null(strstr(err.msg, "3 authorizations for 2 identifiers"));
	/* The same text under another type is another identifier. */
	assert_int_equal(order_check("[{\"type\":\"dns\",\"value\":\"example.org\"},"
	    "{\"type\":\"dns\",\"value\":\"192.0.2.1\"}]", AUTHZ2, as_dns, 2, &err), -1);
	assert_non_null(strstr(err.msg, "192.0.2.1"));
	/* A name twice is not two names. */
	assert_int_equal(order_check("[{\"type\":\"dns\",\"value\":\"example.org\"},"
	    "{\"type\":\"dns\",\"value\":\"Example.org\"}]", AUTHZ2, one, 1, &err), -1);
	assert_non_null(strstr(err.msg, "2 identifiers, 1 asked for"));
	/* A hostile extra name is escaped in the message. */
	assert_int_equal(order_check("[{\"type\":\"dns\",\"value\":\"example.org\"},"
	    "{\"type\":\"dns\",\"value\":\"x\\u001b[2J\"}]", AUTHZ2, one, 1, &err), -1);
	assert_null(strchr(err.msg, 0x1b));
	assert_non_null(strstr(err.msg, "x\\e[2J"));
}

#define CHAL(type, status, extra) "{\"type\":\"" type "\",\"url\":" \
	"\"https://127.0.0.1:14000/chalZ/" type "\",\"token\":" \
	"\"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0\",\"status\":\"" status "\"" extra "}"
#define AUTHZ_HEAD "{\"status\":\"pending\",\"expires\":\"2030-01-01T00:00:00Z\"," \
	"\"identifier\":{\"type\":\"dns\",\"value\":\"example.org\"},"

static void
test_authz_pebble(void **state)
{
	static const char text[] = AUTHZ_HEAD "\"challenges\":[" CHAL("http-01", "pending", "")
	    "," CHAL("dns-01", "pending", "") "," CHAL("tls-alpn-01", "pending", "") "]}";
	static const char wild[] = "{\"status\":\"valid\",\"wildcard\":true,"
	    "\"identifier\":{\"type\":\"dns\",\"value\":\"example.org\"},\"challenges\":["
	    CHAL("dns-01", "valid", ",\"validated\":\"2030-01-01T00:00:00Z\"") "]}";
	const struct acme_challenge *c;
	struct acme_authz a;
	struct err err;

	(void)state;
	assert_int_equal(acme_authz_parse(text, strlen(text), URL, &a, &err), 0);
	assert_string_equal(a.identifier.type, "dns");
	assert_string_equal(a.identifier.value, "example.org");
	assert_int_equal(a.status, ACME_STATUS_PENDING);
	assert_int_equal(a.wildcard, 0);
	assert_int_equal(a.n_challenges, 3);
	c = acme_authz_find(&a, "dns-01");
	assert_ptr_equal(c, &a.challenges[1]);
	assert_string_equal(c->url, "https://127.0.0.1:14000/chalZ/dns-01");
	assert_string_equal(c->token, "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0");
	assert_int_equal(c->status, ACME_STATUS_PENDING);
	assert_null(c->error);
	assert_ptr_equal(acme_authz_find(&a, "tls-alpn-01"), &a.challenges[2]);
	assert_ptr_equal(acme_authz_find(&a, "http-01"), &a.challenges[0]);
	assert_null(acme_authz_find(&a, "dns-account-01"));
	assert_null(acme_authz_find(&a, "HTTP-01"));
	acme_authz_free(&a);

	assert_int_equal(acme_authz_parse(wild, strlen(wild), URL, &a, &err), 0);
	assert_int_equal(a.wildcard, 1);
	assert_int_equal(a.status, ACME_STATUS_VALID);
	assert_null(acme_authz_find(&a, "http-01"));
	assert_non_null(acme_authz_find(&a, "dns-01"));
	acme_authz_free(&a);
}

static void
test_authz_challenge_error(void **state)
{
	static const char text[] = "{\"status\":\"invalid\",\"identifier\":{\"type\":\"ip\","
	    "\"value\":\"192.0.2.1\"},\"wildcard\":\"true\",\"challenges\":["
	    CHAL("http-01", "invalid", ",\"error\":{\"type\":\"" URN "connection\","
	    "\"detail\":\"192.0.2.1: Fetching http://192.0.2.1/: Connection refused\","
	    "\"status\":400}") "]}";
	const struct acme_challenge *c;
	struct acme_authz a;
	struct err err;
	char out[256];

	(void)state;
	assert_int_equal(acme_authz_parse(text, strlen(text), URL, &a, &err), 0);
	/* Only JSON true is true. */
	assert_int_equal(a.wildcard, 0);
	c = acme_authz_find(&a, "http-01");
	assert_non_null(c);
	assert_int_equal(c->status, ACME_STATUS_INVALID);
	assert_non_null(c->error);
	assert_true(acme_problem_is(c->error, "connection"));
	assert_int_equal(c->error->status, 400);
	acme_problem_format(c->error, out, sizeof out);
	assert_string_equal(out, "connection: 192.0.2.1: Fetching http://192.0.2.1/: "
	    "Connection refused");
	acme_authz_free(&a);
}

static void
test_authz_refusals(void **state)
{
	char text[8192], *p;
	int i, n;

	(void)state;
	refused(parse_authz, "{\"status\":\"pending\",\"challenges\":[]}",
	    "authorization has no identifier");
	refused(parse_authz, "{\"status\":\"pending\",\"identifier\":\"example.org\","
	    "\"challenges\":[]}", "authorization has no identifier");
	refused(parse_authz, AUTHZ_HEAD "\"challenges\":{}}", "no \"challenges\" array");
	refused(parse_authz, "{\"identifier\":{\"type\":\"dns\",\"value\":\"a.test\"},"
	    "\"challenges\":[]}", "no \"status\" string");
	refused(parse_authz, AUTHZ_HEAD "\"challenges\":[" CHAL("http-01", "pending", "")
	    ",\"dns-01\"]}", "challenge is not an object");
	refused(parse_authz, AUTHZ_HEAD "\"challenges\":[{\"url\":\"https://x/c\","
	    "\"status\":\"pending\"}]}", "challenge without a type");
	refused(parse_authz, AUTHZ_HEAD "\"challenges\":[{\"type\":\"http-01\","
	    "\"url\":\"http://x/c\",\"status\":\"pending\"}]}", "\"url\" is not an https URL");
	refused(parse_authz, AUTHZ_HEAD "\"challenges\":[" CHAL("http-01", "bogus", "")
	    "]}", "unknown status \"bogus\"");
	/* 16 challenges are allowed, 17 are not. */
	for (n = ACME_MAX_CHALLENGES; n <= ACME_MAX_CHALLENGES + 1; n++) {
		p = text + sprintf(text, AUTHZ_HEAD "\"challenges\":[");
		for (i = 0; i < n; i++)
			p += sprintf(p, "%s" CHAL("http-01", "pending", ""), i ? "," : "");
		strcpy(p, "]}");
		if (n == ACME_MAX_CHALLENGES)
			accepted(parse_authz, text);
		else
			refused(parse_authz, text, "17 challenges, more than 16");
	}
}

static void
test_account(void **state)
{
	static const char text[] = "{\"status\":\"valid\",\"contact\":"
	    "[\"mailto:admin@example.org\",\"mailto:ops@example.org\"],"
	    "\"orders\":\"https://ca.test/acct/1/orders\",\"key\":{\"kty\":\"EC\"}}";
	struct acme_account a;
	struct err err;

	(void)state;
	assert_int_equal(acme_account_parse(text, strlen(text), URL, &a, &err), 0);
	assert_int_equal(a.status, ACME_STATUS_VALID);
	assert_int_equal(a.n_contacts, 2);
	assert_string_equal(a.contacts[1], "mailto:ops@example.org");
	assert_string_equal(a.orders, "https://ca.test/acct/1/orders");
	acme_account_free(&a);

	assert_int_equal(acme_account_parse("{\"status\":\"deactivated\"}", 24, URL, &a,
	    &err), 0);
	assert_int_equal(a.status, ACME_STATUS_DEACTIVATED);
	assert_int_equal(a.n_contacts, 0);
	assert_null(a.orders);
	acme_account_free(&a);

	refused(parse_account, "{\"contact\":[]}", "no \"status\" string");
	refused(parse_account, "{\"status\":\"valid\",\"contact\":[\"mailto:a@b\",1]}",
	    "\"contact\"[1] is not a string");
	refused(parse_account, "{\"status\":\"valid\",\"orders\":\"http://ca.test/o\"}",
	    "\"orders\" is not an https URL");
}

static void
test_identifier_set(void **state)
{
	static const struct {
		const char *name, *type;
	} cases[] = {
		{ "192.0.2.1", "ip" }, { "2001:db8::1", "ip" }, { "::1", "ip" },
		{ "::ffff:192.0.2.1", "ip" }, { "example.org", "dns" },
		{ "*.example.org", "dns" }, { "xn--bcher-kva.example", "dns" },
		{ "1.2.3", "dns" }, { "192.0.2.1.example", "dns" }, { "[::1]", "dns" },
	};
	struct acme_identifier id;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		acme_identifier_set(&id, cases[i].name);
		assert_string_equal(id.type, cases[i].type);
		assert_string_equal(id.value, cases[i].name);
	}
}

/* Reads builder output back with jansson and compares it, member by
 * member and in any order, with `want`; frees `text`. */

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_statuses),
		cmocka_unit_test(test_order_identifiers_and_urls),
		cmocka_unit_test(test_order_matches),
		cmocka_unit_test(test_authz_pebble),
		cmocka_unit_test(test_authz_challenge_error),
		cmocka_unit_test(test_authz_refusals),
		cmocka_unit_test(test_account),
		cmocka_unit_test(test_identifier_set),
	};

	return cmocka_run_group_tests_name("acme_order", tests, NULL, NULL);
}
