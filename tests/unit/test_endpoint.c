/*
 * Unit tests for live-endpoint checks' pure parts: reading addresses, the
 * SNI default, the verdict on what a probe saw, and the endpoints of a
 * certificate in a real configuration file (FILE:LINE errors), and the
 * probe results in a certificate's record (older records still load).
 */
#include "autoconfig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "certrec.h"
#include "config.h"
#include "endpoint.h"
#include "fstest.h"
#include "store.h"

static void
test_address_ok(void **state)
{
	char host[ENDPOINT_HOST_MAX + 1];
	int port = 0;

	(void)state;
	assert_int_equal(endpoint_parse_address("127.0.0.1:8443", host, &port, NULL), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 8443);
	assert_int_equal(endpoint_parse_address("[::1]:443", host, &port, NULL), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 443);
	assert_int_equal(endpoint_parse_address("www.example.test:1", host, &port, NULL), 0);
	assert_string_equal(host, "www.example.test");
	assert_int_equal(port, 1);
	assert_int_equal(endpoint_parse_address("h:65535", host, &port, NULL), 0);
}

static void
test_address_bad(void **state)
{
	static const struct {
		const char *in, *says;
	} bad[] = {
		{ "127.0.0.1", "is not HOST:PORT" },
		{ "127.0.0.1:", "is not HOST:PORT" },
		{ "127.0.0.1:0", "is not HOST:PORT" },
		{ "127.0.0.1:65536", "is not HOST:PORT" },
		{ "127.0.0.1:44x", "is not HOST:PORT" },
		{ "127.0.0.1:+44", "is not HOST:PORT" },
		{ ":443", "the host is empty" },
		{ "::1:443", "needs brackets" },
		{ "[::1]443", "is written \"[ADDRESS]:PORT\"" },
		{ "[::1", "is written \"[ADDRESS]:PORT\"" },
		{ "[example.test]:443", "not an IPv6 address" },
		{ "a b:443", "not allowed in a name" },
		{ "a/b:443", "not allowed in a name" },
	};
	char host[ENDPOINT_HOST_MAX + 1];
	struct err err;
	size_t i;
	int port;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&err);
		assert_int_equal(endpoint_parse_address(bad[i].in, host, &port, &err), -1);
		if (strstr(err.msg, bad[i].says) == NULL)
			fail_msg("%s: '%s' lacks '%s'", bad[i].in, err.msg, bad[i].says);
		assert_int_equal(err.code, ERR_CONFIG);
	}
}

static void
test_default_sni(void **state)
{
	(void)state;
	assert_string_equal(endpoint_default_sni("www.example.test"), "www.example.test");
	assert_string_equal(endpoint_default_sni("192.0.2.1"), "");
	assert_string_equal(endpoint_default_sni("2001:db8::1"), "");
	assert_null(endpoint_default_sni("*.example.test"));
}

static void
test_state_names(void **state)
{
	int s;

	(void)state;
	for (s = 0; s < ENDPOINT_STATE_N; s++)
		assert_int_equal(endpoint_state_parse(endpoint_state_name(s)), s);
	assert_string_equal(endpoint_state_name(ENDPOINT_TLS_ERROR), "tls-error");
	assert_int_equal(endpoint_state_parse("bogus"), ENDPOINT_UNKNOWN);
	assert_int_equal(endpoint_state_parse(NULL), ENDPOINT_UNKNOWN);
}

#define H(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

static const struct endpoint_known known[] = {
	{ .name = "www", .version = 1, .sha256_hex = H("1") },
	{ .name = "www", .version = 2, .sha256_hex = H("2") },
	{ .name = "other", .version = 4, .sha256_hex = H("4") },
	/* the same leaf stored under two names: ours wins */
	{ .name = "twin", .version = 1, .sha256_hex = H("5") },
	{ .name = "www", .version = 3, .sha256_hex = H("5") },
};

static enum endpoint_state
verdict(const char *hex, int current, char *detail)
{
	return endpoint_verdict(PROBE_SERVED_CERT, hex, "", "www", current, known,
	    sizeof known / sizeof known[0], detail, ENDPOINT_DETAIL_MAX);
}

static void
test_verdict(void **state)
{
	char d[ENDPOINT_DETAIL_MAX];

	(void)state;
	assert_int_equal(verdict(H("2"), 2, d), ENDPOINT_SERVED);
	assert_string_equal(d, "version 2");
	assert_int_equal(verdict(H("1"), 2, d), ENDPOINT_STALE);
	assert_string_equal(d, "serves version 1, current is 2: renewed but not deployed");
	assert_int_equal(verdict(H("4"), 2, d), ENDPOINT_STALE);
	assert_string_equal(d, "serves certificate other (version 4), not www");
	assert_int_equal(verdict(H("9"), 2, d), ENDPOINT_STALE);
	assert_string_equal(d, "serves a certificate not in the store (SHA-256 "
	    "9999999999999999...)");
	assert_int_equal(verdict(H("5"), 3, d), ENDPOINT_SERVED);
	/* a newer version served than the record's current one is not "served" */
	assert_int_equal(verdict(H("2"), 1, d), ENDPOINT_STALE);
	assert_int_equal(endpoint_verdict(PROBE_UNREACHABLE, "", "probe h:1: connect: "
	    "Connection refused", "www", 2, known, 5, d, sizeof d), ENDPOINT_UNREACHABLE);
	assert_string_equal(d, "probe h:1: connect: Connection refused");
	assert_int_equal(endpoint_verdict(PROBE_TLS_ERROR, "", "probe h:1: TLS handshake: "
	    "An unexpected TLS packet was received.", "www", 2, known, 5, d, sizeof d),
	    ENDPOINT_TLS_ERROR);
	assert_non_null(strstr(d, "unexpected TLS packet"));
	assert_int_equal(endpoint_verdict(PROBE_SERVED_CERT, H("1"), "", "www", 1, NULL, 0,
	    d, sizeof d), ENDPOINT_STALE);
}

/* Loads `text` as a configuration file; 0, or -1 with `err`. */
static int
load(const char *text, struct config *c, struct err *err)
{
	char path[] = "/tmp/certdeck-endpoint.XXXXXX";
	int fd = mkstemp(path), rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(config_defaults(c, err), 0);
	rc = config_load(c, path, err);
	unlink(path);
	return rc;
}

static void
test_config_endpoints(void **state)
{
	struct config c;
	struct err err;
	const struct config_cert *t;

	(void)state;
	assert_int_equal(load("certificates = ( { name = \"www\";\n"
	    "  domains = [ \"WWW.Example.test\", \"example.test\" ];\n"
	    "  endpoints = ( { address = \"127.0.0.1:8443\"; },\n"
	    "    { address = \"[::1]:443\"; sni = \"Other.Example.test\"; } ); },\n"
	    "  { name = \"ip\"; domains = [ \"192.0.2.1\" ];\n"
	    "    endpoints = ( { address = \"192.0.2.1:443\"; } ); },\n"
	    "  { name = \"none\"; domains = [ \"n.example.test\" ]; } );\n", &c, &err), 0);
	t = config_find_cert(&c, "www");
	assert_non_null(t);
	assert_int_equal(t->n_endpoints, 2);
	assert_string_equal(t->endpoints[0].address, "127.0.0.1:8443");
	assert_string_equal(t->endpoints[0].host, "127.0.0.1");
	assert_int_equal(t->endpoints[0].port, 8443);
	assert_string_equal(t->endpoints[0].sni, "www.example.test");
	assert_int_equal(t->endpoints[0].line, 3);
	assert_string_equal(t->endpoints[1].host, "::1");
	assert_string_equal(t->endpoints[1].sni, "other.example.test");
	assert_string_equal(config_find_cert(&c, "ip")->endpoints[0].sni, "");
	assert_int_equal(config_find_cert(&c, "none")->n_endpoints, 0);
	config_free(&c);
}

static void
test_config_endpoint_errors(void **state)
{
	static const struct {
		const char *text, *says;
	} bad[] = {
		{ "endpoints = ( { address = \"h\"; } ); } );", ":3: endpoint 'address': \"h\" is not HOST:PORT" },
		{ "endpoints = ( { sni = \"a.test\"; } ); } );", ":3: this endpoint needs 'address'" },
		{ "endpoints = ( { address = 443; } ); } );", ":3: endpoint 'address' must be a string" },
		{ "endpoints = ( { address = \"h:1\"; port = 2; } ); } );", ":3: unknown endpoint setting 'port'" },
		{ "endpoints = ( \"h:1\" ); } );", ":3: each entry of 'endpoints' must be a group" },
		{ "endpoints = ( { address = \"h:1\"; sni = \"*.a.test\"; } ); } );", ":3: endpoint 'sni' must be a DNS name" },
		{ "endpoints = ( { address = \"h:1\"; sni = \"192.0.2.1\"; } ); } );", ":3: endpoint 'sni' must be a DNS name" },
		{ "endpoints = ( { address = \"h:1\"; sni = \"a..b\"; } ); } );", ":3: endpoint 'sni'" },
	};
	char text[512];
	struct config c;
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, "certificates = ( { name = \"www\";\n"
		    "  domains = [ \"www.example.test\" ];\n  %s\n", bad[i].text);
		err_clear(&err);
		assert_int_equal(load(text, &c, &err), -1);
		if (strstr(err.msg, bad[i].says) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].says);
		config_free(&c);
	}
	assert_int_equal(load("certificates = ( { name = \"w\"; challenge = \"dns-01\";\n"
	    "  domains = [ \"*.example.test\" ];\n"
	    "  endpoints = ( { address = \"h:1\"; } ); } );\n", &c, &err), -1);
	assert_non_null(strstr(err.msg, ":3: endpoint h:1 of certificate 'w' needs an sni: "
	    "the first name *.example.test is a wildcard"));
	config_free(&c);
}

/* A record as written before probes existed loads with no endpoints; one
 * with results keeps them through a save and a load; a broken entry is
 * skipped and an unknown state reads as unknown. */
static void
test_certrec_endpoints(void **state)
{
	static const char old[] = "{ \"name\": \"www\", \"domains\": [ \"www.example.test\" ],"
	    " \"status\": \"valid\", \"version\": 2 }";
	static const char odd[] = "{ \"name\": \"www\", \"version\": 2, \"endpoints\": ["
	    " { \"sni\": \"no.address\" }, 7,"
	    " { \"address\": \"h:1\", \"state\": \"sideways\", \"checked\": 5 } ] }";
	char top[256], dir[300];
	struct certrec rec, back;
	struct store *s;
	struct err err;

	(void)state;
	assert_int_equal(fstest_mkdtemp(top, sizeof top, "certrec"), 0);
	snprintf(dir, sizeof dir, "%s/state", top);
	assert_non_null(s = store_open(dir, &err));
	assert_int_equal(store_doc_write(s, "certs/www.json", old, strlen(old), 1, &err), 0);
	assert_int_equal(certrec_load(s, "www", &rec, &err), 1);
	assert_int_equal(rec.n_endpoints, 0);
	assert_int_equal(certrec_endpoints_worst(&rec), ENDPOINT_UNKNOWN);
	assert_non_null(rec.endpoints = calloc(2, sizeof *rec.endpoints));
	rec.n_endpoints = 2;
	rec.endpoints[0] = (struct certrec_endpoint){ .address = strdup("127.0.0.1:443"),
	    .sni = strdup("www.example.test"), .state = ENDPOINT_SERVED,
	    .detail = strdup("version 2"), .checked = 1700000000 };
	rec.endpoints[1] = (struct certrec_endpoint){ .address = strdup("[::1]:443"),
	    .sni = strdup(""), .state = ENDPOINT_STALE,
	    .detail = strdup("serves version 1, current is 2"), .checked = 1700000001 };
	assert_int_equal(certrec_endpoints_worst(&rec), ENDPOINT_STALE);
	assert_int_equal(certrec_save(s, &rec, &err), 0);
	assert_int_equal(certrec_load(s, "www", &back, &err), 1);
	assert_int_equal(back.n_endpoints, 2);
	assert_string_equal(back.endpoints[1].address, "[::1]:443");
	assert_string_equal(back.endpoints[1].sni, "");
	assert_int_equal(back.endpoints[1].state, ENDPOINT_STALE);
	assert_string_equal(back.endpoints[1].detail, "serves version 1, current is 2");
	assert_int_equal(back.endpoints[0].checked, 1700000000);
	assert_int_equal(back.version, 2);
	certrec_free(&back);
	certrec_free(&rec);
	assert_int_equal(store_doc_write(s, "certs/www.json", odd, strlen(odd), 1, &err), 0);
	assert_int_equal(certrec_load(s, "www", &rec, &err), 1);
	assert_int_equal(rec.n_endpoints, 1);
	assert_string_equal(rec.endpoints[0].address, "h:1");
	assert_int_equal(rec.endpoints[0].state, ENDPOINT_UNKNOWN);
	assert_int_equal(rec.endpoints[0].checked, 5);
	certrec_free(&rec);
	store_close(s);
	fstest_rmtree(top);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address_ok),
		cmocka_unit_test(test_address_bad),
		cmocka_unit_test(test_default_sni),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_config_endpoints),
		cmocka_unit_test(test_config_endpoint_errors),
		cmocka_unit_test(test_certrec_endpoints),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
