/*
 * Unit tests for names: identifiers accepted and normalised, every refusal
 * of the local name rules, IDNs both ways, and certificate names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "names.h"

/* Parses `text` and checks kind, value, display and wildcard flag. */
static void
accept(const char *text, enum names_kind kind, const char *value,
    const char *display, int wildcard)
{
	struct names_id id;
	struct err err;

	err_clear(&err);
	if (names_parse(text, &id, &err) != 0)
		fail_msg("'%s' refused: %s", text, err.msg);
	assert_int_equal(id.kind, kind);
	assert_string_equal(id.value, value);
	assert_string_equal(id.display, display != NULL ? display : value);
	assert_int_equal(id.wildcard, wildcard);
}

/* Parses `text`, expects a refusal whose message holds `why`. */
static void
refuse(const char *text, const char *why)
{
	struct names_id id;
	struct err err;

	err_clear(&err);
	if (names_parse(text, &id, &err) == 0)
		fail_msg("'%s' accepted as '%s'", text, id.value);
	assert_int_equal(err.code, ERR_CONFIG);
	if (strstr(err.msg, why) == NULL)
		fail_msg("'%s': message '%s' lacks '%s'", text, err.msg, why);
}

static void
test_dns_names_accepted_and_normalised(void **state)
{
	(void)state;
	accept("example.com", NAMES_DNS, "example.com", NULL, 0);
	accept("EXAMPLE.com.", NAMES_DNS, "example.com", NULL, 0);
	accept("Www.Example.COM", NAMES_DNS, "www.example.com", NULL, 0);
	accept("*.example.com", NAMES_DNS, "*.example.com", NULL, 1);
	accept("*.EXAMPLE.com.", NAMES_DNS, "*.example.com", NULL, 1);
	accept("a-b.c0.example", NAMES_DNS, "a-b.c0.example", NULL, 0);
	accept("localhost.localdomain", NAMES_DNS, "localhost.localdomain",
	    NULL, 0);
}

static void
test_ip_literals_canonical(void **state)
{
	(void)state;
	accept("127.0.0.1", NAMES_IP, "127.0.0.1", NULL, 0);
	accept("::1", NAMES_IP, "::1", NULL, 0);
	accept("2001:db8::1", NAMES_IP, "2001:db8::1", NULL, 0);
	accept("2001:0DB8:0000:0000:0000:0000:0000:0001", NAMES_IP,
	    "2001:db8::1", NULL, 0);
	accept("::ffff:192.0.2.1", NAMES_IP, "::ffff:192.0.2.1", NULL, 0);
}

static void
test_idn_both_ways(void **state)
{
	(void)state;
	accept("b\xc3\xbc" "cher.example", NAMES_DNS, "xn--bcher-kva.example",
	    "b\xc3\xbc" "cher.example", 0);
	accept("B\xc3\x9c" "CHER.Example", NAMES_DNS, "xn--bcher-kva.example",
	    "b\xc3\xbc" "cher.example", 0);
	accept("xn--bcher-kva.example", NAMES_DNS, "xn--bcher-kva.example",
	    "b\xc3\xbc" "cher.example", 0);
	accept("*.b\xc3\xbc" "cher.example", NAMES_DNS,
	    "*.xn--bcher-kva.example", "*.b\xc3\xbc" "cher.example", 1);
	accept("\xe6\x97\xa5\xe6\x9c\xac.example", NAMES_DNS,
	    "xn--wgv71a.example", "\xe6\x97\xa5\xe6\x9c\xac.example", 0);
	refuse("xn--zz.example", "A-label");
	refuse("xn--a.example", "A-label");
	refuse("xn--abc.example", "A-label");
	refuse("xn--ls8h.example", "A-label");	/* IDNA2003 only */
}

static void
test_refusals_name_the_rule(void **state)
{
	char label64[100], long254[300];
	size_t i;

	(void)state;
	memset(label64, 'a', 64);
	memcpy(label64 + 64, ".example", sizeof ".example");
	/* 63 + 1 + 63 + 1 + 63 + 1 + 58 + ".com" = 254 */
	for (i = 0; i < 250; i++)
		long254[i] = (i % 64 == 63) ? '.' : 'a';
	memcpy(long254 + 250, ".com", sizeof ".com");
	assert_int_equal(strlen(long254), 254);

	refuse("", "empty name");
	refuse(NULL, "empty name");
	refuse("exa mple.com", "spaces are not allowed");
	refuse(label64, "label of 64 characters");
	refuse(long254, "254 characters (at most 253)");
	refuse("*.*.example.com", "wildcard is allowed only as the whole first");
	refuse("foo*.example.com", "wildcard is allowed only as the whole first");
	refuse("*", "wildcard is allowed only as the whole first");
	refuse("*.com", "single label");
	refuse("under_score.example", "underscores are not allowed");
	refuse("-lead.example", "starts with '-'");
	refuse("tail-.example", "ends with '-'");
	refuse("a..b", "empty label");
	refuse(".example.com", "empty label");
	refuse("example.com..", "empty label");
	refuse("com", "single label");
	refuse("com.", "single label");
	refuse("ab--cd.example", "reserved");
	refuse("1.2.3", "all digits");
	refuse("exa$mple.com", "character '$' is not allowed");
	refuse("fe80::1%eth0", "character ':' is not allowed");
}

static void
test_refusal_escapes_the_name(void **state)
{
	struct names_id id;
	struct err err;

	(void)state;
	assert_int_equal(names_parse("evil\x1b[2J.example", &id, &err), -1);
	assert_non_null(strstr(err.msg, "name 'evil\\e[2J.example'"));
	assert_null(strchr(err.msg, '\x1b'));
	assert_non_null(strstr(err.msg, "character '\\e' is not allowed"));
}

static void
test_list_duplicates_and_bounds(void **state)
{
	static const char *ok[] = { "example.com", "www.example.com",
	    "*.example.com", "192.0.2.1" };
	static const char *dup_case[] = { "www.example.com", "WWW.Example.com" };
	static const char *dup_idn[] = { "b\xc3\xbc" "cher.example",
	    "xn--bcher-kva.example" };
	static const char *dup_ip[] = { "2001:db8::1", "2001:db8:0::1" };
	static const char *bad[] = { "example.com", "a..b" };
	struct names_id ids[NAMES_MAX_PER_CERT + 1];
	const char *many[NAMES_MAX_PER_CERT + 1];
	char store[NAMES_MAX_PER_CERT + 1][32];
	struct err err;
	size_t i;

	(void)state;
	assert_int_equal(names_parse_list(ok, 4, ids, &err), 0);
	assert_string_equal(ids[2].value, "*.example.com");
	assert_int_equal(ids[3].kind, NAMES_IP);

	assert_int_equal(names_parse_list(dup_case, 2, ids, &err), -1);
	assert_non_null(strstr(err.msg, "'WWW.Example.com': the same name as "
	    "www.example.com"));
	assert_int_equal(names_parse_list(dup_idn, 2, ids, &err), -1);
	assert_non_null(strstr(err.msg, "the same name"));
	assert_int_equal(names_parse_list(dup_ip, 2, ids, &err), -1);
	assert_int_equal(names_parse_list(bad, 2, ids, &err), -1);
	assert_non_null(strstr(err.msg, "'a..b': empty label"));
	assert_int_equal(names_parse_list(ok, 0, ids, &err), -1);

	for (i = 0; i <= NAMES_MAX_PER_CERT; i++) {
		snprintf(store[i], sizeof store[i], "h%zu.example.com", i);
		many[i] = store[i];
	}
	assert_int_equal(names_parse_list(many, NAMES_MAX_PER_CERT, ids,
	    &err), 0);
	assert_int_equal(names_parse_list(many, NAMES_MAX_PER_CERT + 1, ids,
	    &err), -1);
	assert_non_null(strstr(err.msg, "at most 100"));
}

static void
test_cert_names(void **state)
{
	char n64[66];
	struct err err;

	(void)state;
	memset(n64, 'x', 64);
	n64[64] = '\0';
	assert_int_equal(names_cert_name_ok("example.com", &err), 0);
	assert_int_equal(names_cert_name_ok("My_Cert-2.rsa", &err), 0);
	assert_int_equal(names_cert_name_ok(n64, &err), 0);
	n64[64] = 'x';
	n64[65] = '\0';
	assert_int_equal(names_cert_name_ok(n64, &err), -1);
	assert_non_null(strstr(err.msg, "65 characters"));
	assert_int_equal(names_cert_name_ok("", &err), -1);
	assert_int_equal(names_cert_name_ok(NULL, &err), -1);
	assert_int_equal(names_cert_name_ok(".hidden", &err), -1);
	assert_non_null(strstr(err.msg, "starts with '.'"));
	assert_int_equal(names_cert_name_ok("../etc", &err), -1);
	assert_int_equal(names_cert_name_ok("a/b", &err), -1);
	assert_non_null(strstr(err.msg, "character '/'"));
	assert_int_equal(names_cert_name_ok("a b", &err), -1);
	assert_int_equal(names_cert_name_ok("caf\xc3\xa9", &err), -1);
	assert_non_null(strstr(err.msg, "character '\\xc3'"));
}

/* Suggests a name for `text` and checks it, and that it is a valid name. */
static void
suggest(const char *text, size_t outsz, const char *want)
{
	struct names_id id;
	struct err err;
	char out[128];

	assert_int_equal(names_parse(text, &id, &err), 0);
	names_suggest_cert_name(&id, out, outsz);
	assert_string_equal(out, want);
	assert_int_equal(names_cert_name_ok(out, &err), 0);
}

static void
test_suggested_cert_names(void **state)
{
	char out[16];

	(void)state;
	suggest("*.example.com", 128, "example.com");
	suggest("WWW.example.com", 128, "www.example.com");
	suggest("2001:db8::1", 128, "2001-db8--1");
	suggest("b\xc3\xbc" "cher.example", 128, "xn--bcher-kva.example");
	/* Cut to the buffer without a dangling '.' or '-'. */
	suggest("abcdef.example.com", 8, "abcdef");
	names_suggest_cert_name(NULL, out, sizeof out);
	assert_string_equal(out, "wildcard");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_names_accepted_and_normalised),
		cmocka_unit_test(test_ip_literals_canonical),
		cmocka_unit_test(test_idn_both_ways),
		cmocka_unit_test(test_refusals_name_the_rule),
		cmocka_unit_test(test_refusal_escapes_the_name),
		cmocka_unit_test(test_list_duplicates_and_bounds),
		cmocka_unit_test(test_cert_names),
		cmocka_unit_test(test_suggested_cert_names),
	};

	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
