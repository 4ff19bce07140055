/*
 * Unit tests for the ACME message layer, what the CA says first:
 * directories (Pebble's own and a Let's Encrypt-like one) and problem
 * documents with their escaped one-line form. Every refusal names what
 * was wrong; a failed parse leaves nothing behind (valgrind checks).
 * Orders, authorizations and accounts are in test_acme_order.c, the
 * payload builders in test_acme_build.c.
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

static const char pebble_dir[] =
    "{\"keyChange\":\"https://127.0.0.1:14000/rollover-account-key\","
    "\"meta\":{\"externalAccountRequired\":false,"
    "\"termsOfService\":\"data:text/plain,Do%20what%20thou%20wilt\"},"
    "\"newAccount\":\"https://127.0.0.1:14000/sign-me-up\","
    "\"newNonce\":\"https://127.0.0.1:14000/nonce-plz\","
    "\"newOrder\":\"https://127.0.0.1:14000/order-plz\","
    "\"revokeCert\":\"https://127.0.0.1:14000/revoke-cert\"}";

PARSE_FN(parse_directory, struct acme_directory, acme_directory_parse,
    acme_directory_free)
PARSE_FN(parse_problem, struct acme_problem, acme_problem_parse, acme_problem_free)

/* A directory from pebble_dir with `from` replaced by `to`. */
static void
dir_with(char *out, size_t outsz, const char *from, const char *to)
{
	const char *at = strstr(pebble_dir, from);

	assert_non_null(at);
	snprintf(out, outsz, "%.*s%s%s", (int)(at - pebble_dir), pebble_dir, to,
	    at + strlen(from));
}

static void
test_directory_pebble(void **state)
{
	struct acme_directory d;
	struct err err;

	(void)state;
	assert_int_equal(acme_directory_parse(pebble_dir, strlen(pebble_dir), URL,
	    &d, &err), 0);
	assert_string_equal(d.new_nonce, "https://127.0.0.1:14000/nonce-plz");
	assert_string_equal(d.new_account, "https://127.0.0.1:14000/sign-me-up");
	assert_string_equal(d.new_order, "https://127.0.0.1:14000/order-plz");
	assert_string_equal(d.revoke_cert, "https://127.0.0.1:14000/revoke-cert");
	assert_string_equal(d.key_change, "https://127.0.0.1:14000/rollover-account-key");
	/* A data: URL is only shown to the user, so it is kept as it is. */
	assert_string_equal(d.terms_of_service, "data:text/plain,Do%20what%20thou%20wilt");
	assert_null(d.renewal_info);
	assert_null(d.website);
	assert_int_equal(d.external_account_required, 0);
	assert_int_equal(d.n_profiles, 0);
	assert_int_equal(d.n_caa_identities, 0);
	acme_directory_free(&d);
	assert_null(d.new_nonce);
}

static void
test_directory_letsencrypt(void **state)
{
	static const char le[] =
	    "{\"keyChange\":\"https://acme.test/acme/key-change\","
	    "\"meta\":{\"caaIdentities\":[\"letsencrypt.org\",\"le.test\"],"
	    "\"profiles\":{\"classic\":\"https://le.test/docs/profiles#classic\","
	    "\"tlsserver\":\"https://le.test/docs/profiles#tlsserver\"},"
	    "\"termsOfService\":\"https://le.test/repository/LE-SA-v1.5.pdf\","
	    "\"website\":\"https://le.test\",\"externalAccountRequired\":true},"
	    "\"newAccount\":\"https://acme.test/acme/new-acct\","
	    "\"newNonce\":\"https://acme.test/acme/new-nonce\","
	    "\"newOrder\":\"https://acme.test/acme/new-order\","
	    "\"renewalInfo\":\"https://acme.test/draft-ietf-acme-ari-03/renewalInfo\","
	    "\"revokeCert\":\"https://acme.test/acme/revoke-cert\","
	    "\"Fq9hkB1rGMk\":\"https://community.test/t/adding-random-entries/33417\"}";
	struct acme_directory d;
	struct err err;
	int classic;

	(void)state;
	assert_int_equal(acme_directory_parse(le, strlen(le), URL, &d, &err), 0);
	assert_string_equal(d.renewal_info,
	    "https://acme.test/draft-ietf-acme-ari-03/renewalInfo");
	assert_string_equal(d.website, "https://le.test");
	assert_string_equal(d.terms_of_service, "https://le.test/repository/LE-SA-v1.5.pdf");
	assert_int_equal(d.external_account_required, 1);
	assert_int_equal(d.n_caa_identities, 2);
	assert_string_equal(d.caa_identities[0], "letsencrypt.org");
	assert_string_equal(d.caa_identities[1], "le.test");
	assert_int_equal(d.n_profiles, 2);
	classic = strcmp(d.profiles[0], "classic") == 0;
	assert_string_equal(d.profiles[classic ? 0 : 1], "classic");
	assert_string_equal(d.profiles[classic ? 1 : 0], "tlsserver");
	acme_directory_free(&d);
}

static void
test_directory_refusals(void **state)
{
	static const char *required[] = { "newNonce", "newAccount", "newOrder",
	    "revokeCert" };
	static const struct {
		const char *from, *to, *fragment;
	} cases[] = {
		{ "\"https://127.0.0.1:14000/order-plz\"", "\"http://127.0.0.1:14000/order-plz\"",
		    "\"newOrder\" is not an https URL" },
		{ "\"https://127.0.0.1:14000/nonce-plz\"", "\"https://\"",
		    "\"newNonce\" is not an https URL" },
		{ "\"https://127.0.0.1:14000/nonce-plz\"", "\"ftp://x/n\"",
		    "\"newNonce\" is not an https URL" },
		{ "\"https://127.0.0.1:14000/rollover-account-key\"", "\"http://x/k\"",
		    "\"keyChange\" is not an https URL" },
		{ "\"keyChange\"", "\"renewalInfo\":\"http://x/ri\",\"keyChange\"",
		    "\"renewalInfo\" is not an https URL" },
		{ "\"https://127.0.0.1:14000/nonce-plz\"", "42", "\"newNonce\" is not a string" },
		{ "\"https://127.0.0.1:14000/sign-me-up\"", "[\"https://x/a\"]",
		    "\"newAccount\" is not a string" },
		{ "\"https://127.0.0.1:14000/revoke-cert\"", "null",
		    "\"revokeCert\" is not a string" },
		{ "\"externalAccountRequired\"", "\"caaIdentities\":[\"a\",7],"
		    "\"externalAccountRequired\"", "\"caaIdentities\"[1] is not a string" },
	};
	char text[1024], from[64];
	size_t i;

	(void)state;
	/* Each required endpoint, renamed away, is named as missing. */
	for (i = 0; i < sizeof required / sizeof required[0]; i++) {
		char fragment[64];

		snprintf(from, sizeof from, "\"%s\"", required[i]);
		dir_with(text, sizeof text, from, "\"unrelated\"");
		snprintf(fragment, sizeof fragment, "\"%s\" is missing", required[i]);
		refused(parse_directory, text, fragment);
	}
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		dir_with(text, sizeof text, cases[i].from, cases[i].to);
		refused(parse_directory, text, cases[i].fragment);
	}
	refused(parse_directory, "[]", "not an object");
	refused(parse_directory, "{\"newNonce\":", "invalid JSON");
	/* Optional members of the wrong type are ignored, never taken. */
	dir_with(text, sizeof text, "\"termsOfService\":\"data:text/plain,Do%20what%20thou%20wilt\"",
	    "\"termsOfService\":1,\"website\":[],\"profiles\":[\"x\"]");
	accepted(parse_directory, text);
	dir_with(text, sizeof text, "false", "\"true\"");
	accepted(parse_directory, text);
}

static void
test_problem_bad_nonce_and_rate_limited(void **state)
{
	static const char bad_nonce[] = "{\"type\":\"" URN "badNonce\","
	    "\"detail\":\"JWS has an invalid anti-replay nonce: \\\"zzz\\\"\",\"status\":400}";
	static const char limited[] = "{\"type\":\"" URN "rateLimited\","
	    "\"detail\":\"too many certificates (5) already issued for this exact set of "
	    "identifiers in the last 168h0m0s, retry after 2025-01-01 00:00:00 UTC\","
	    "\"status\":429}";
	struct acme_problem p;
	struct err err;
	char out[512];

	(void)state;
	assert_int_equal(acme_problem_parse(bad_nonce, strlen(bad_nonce), URL, &p, &err), 0);
	assert_true(acme_problem_is(&p, "badNonce"));
	assert_false(acme_problem_is(&p, "badNonc"));
	assert_false(acme_problem_is(&p, "rateLimited"));
	assert_int_equal(p.status, 400);
	assert_int_equal(p.n_sub, 0);
	acme_problem_format(&p, out, sizeof out);
	assert_string_equal(out, "badNonce: JWS has an invalid anti-replay nonce: \"zzz\"");
	acme_problem_free(&p);

	assert_int_equal(acme_problem_parse(limited, strlen(limited), URL, &p, &err), 0);
	assert_true(acme_problem_is(&p, "rateLimited"));
	assert_int_equal(p.status, 429);
	acme_problem_format(&p, out, sizeof out);
	assert_true(strncmp(out, "rateLimited: too many certificates (5)", 38) == 0);
	assert_non_null(strstr(out, "retry after 2025-01-01 00:00:00 UTC"));
	acme_problem_free(&p);
	assert_false(acme_problem_is(NULL, "badNonce"));
}

static void
test_problem_subproblems(void **state)
{
	static const char text[] = "{\"type\":\"" URN "rejectedIdentifier\","
	    "\"detail\":\"Some identifiers were rejected\",\"status\":400,\"subproblems\":["
	    "{\"type\":\"" URN "malformed\",\"detail\":\"Invalid underscore in DNS name\","
	    "\"identifier\":{\"type\":\"dns\",\"value\":\"_example.org\"}},"
	    "{\"type\":\"" URN "rejectedIdentifier\",\"detail\":\"will not issue\","
	    "\"identifier\":{\"type\":\"ip\",\"value\":\"192.0.2.7\"}}]}";
	struct acme_problem p;
	struct err err;
	char out[512];

	(void)state;
	assert_int_equal(acme_problem_parse(text, strlen(text), URL, &p, &err), 0);
	assert_int_equal(p.n_sub, 2);
	assert_true(acme_problem_is(&p.sub[0], "malformed"));
	assert_string_equal(p.sub[0].identifier.type, "dns");
	assert_string_equal(p.sub[0].identifier.value, "_example.org");
	assert_string_equal(p.sub[1].identifier.type, "ip");
	assert_string_equal(p.sub[1].identifier.value, "192.0.2.7");
	acme_problem_format(&p, out, sizeof out);
	assert_string_equal(out, "rejectedIdentifier: Some identifiers were rejected "
	    "(_example.org: malformed: Invalid underscore in DNS name; "
	    "192.0.2.7: rejectedIdentifier: will not issue)");
	acme_problem_free(&p);

	refused(parse_problem, "{\"type\":\"" URN "x\",\"subproblems\":[\"oops\"]}",
	    "subproblem 0 is not an object");
	refused(parse_problem, "{\"subproblems\":[{\"identifier\":{\"type\":\"email\","
	    "\"value\":\"a@b\"}}]}", "identifier of unknown type");
}

static void
test_problem_many_subproblems_capped(void **state)
{
	char text[8192], *p = text;
	struct acme_problem prob;
	struct err err;
	int i;

	(void)state;
	p += sprintf(p, "{\"type\":\"" URN "rejectedIdentifier\",\"subproblems\":[");
	for (i = 0; i < 2 * ACME_MAX_SUBPROBLEMS; i++)
		p += sprintf(p, "%s{\"type\":\"" URN "malformed\"}", i ? "," : "");
	strcpy(p, "]}");
	assert_int_equal(acme_problem_parse(text, strlen(text), URL, &prob, &err), 0);
	assert_int_equal(prob.n_sub, ACME_MAX_SUBPROBLEMS);
	acme_problem_free(&prob);
}

static void
test_problem_without_type(void **state)
{
	static const char text[] = "{\"detail\":\"something broke\",\"status\":5000,"
	    "\"type\":17}";
	struct acme_problem p;
	struct err err;
	char out[128];

	(void)state;
	assert_int_equal(acme_problem_parse(text, strlen(text), URL, &p, &err), 0);
	assert_string_equal(p.type, "about:blank");
	assert_int_equal(p.status, 0);
	assert_false(acme_problem_is(&p, "about:blank"));
	acme_problem_format(&p, out, sizeof out);
	assert_string_equal(out, "about:blank: something broke");
	acme_problem_free(&p);

	/* A type outside the ACME namespace is shown whole. */
	assert_int_equal(acme_problem_parse("{\"type\":\"https://x.test/p\"}", 27, URL,
	    &p, &err), 0);
	assert_false(acme_problem_is(&p, "https://x.test/p"));
	acme_problem_format(&p, out, sizeof out);
	assert_string_equal(out, "https://x.test/p: ");
	acme_problem_free(&p);
}

/* Whether `s` is strict UTF-8 with no C0, DEL, C1 or bidi control left. */
static int
safe_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		unsigned int cp;
		size_t n, i;

		if (*p < 0x80) {
			if (*p < 0x20 || *p == 0x7f)
				return 0;
			p++;
			continue;
		}
		n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
		if (*p < 0xc2 || *p > 0xf4)
			return 0;
		cp = *p & (0x7f >> n);
		for (i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069) || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n;
	}
	return 1;
}

static void
test_problem_hostile_text_escaped(void **state)
{
	/* Clear screen, OSC 52 clipboard write, RTL override, CR, C1 CSI,
	 * in the detail, the type and a subproblem's identifier. */
	static const char text[] = "{\"type\":\"" URN "x\\u001b[31m\","
	    "\"detail\":\"\\u001b[2Jok\\u001b]52;c;ZXZpbA==\\u0007 \\u202egnp.exe\\r"
	    "fake\\u009b1m\\n\",\"subproblems\":[{\"detail\":\"\\u001b[H\","
	    "\"identifier\":{\"type\":\"dns\",\"value\":\"a\\u001b[8m.test\"}}]}";
	struct acme_problem p;
	struct err err;
	char out[512];

	(void)state;
	assert_int_equal(acme_problem_parse(text, strlen(text), URL, &p, &err), 0);
	assert_non_null(strchr(p.detail, 0x1b));
	acme_problem_format(&p, out, sizeof out);
	assert_null(strchr(out, 0x1b));
	assert_null(strchr(out, '\a'));
	assert_null(strchr(out, '\r'));
	assert_null(strstr(out, "\xe2\x80\xae"));
	assert_null(strstr(out, "\xc2\x9b"));
	assert_true(safe_text(out));
	/* The escapes stay readable. */
	assert_non_null(strstr(out, "\\e[2Jok\\e]52;c;ZXZpbA==\\x07 \\u{202E}gnp.exe\\rfake"));
	assert_non_null(strstr(out, "x\\e[31m: "));
	assert_non_null(strstr(out, "(a\\e[8m.test: about:blank: \\e[H)"));
	acme_problem_free(&p);
}

static void
test_problem_huge_detail_small_buffer(void **state)
{
	size_t n = 100000, sz;
	char *text = malloc(n + 64), *p;
	char out[300];
	struct acme_problem prob;
	struct err err;
	int i;

	(void)state;
	assert_non_null(text);
	p = text + sprintf(text, "{\"type\":\"" URN "serverInternal\",\"detail\":\"");
	/* é and an escaped ESC, so a cut can fall inside either. */
	for (i = 0; i < 20000; i++)
		p += sprintf(p, i % 2 ? "\xc3\xa9" : "\\u001b");
	strcpy(p, "\",\"subproblems\":[{\"detail\":\"sub\"}]}");
	assert_int_equal(acme_problem_parse(text, strlen(text), URL, &prob, &err), 0);
	for (sz = 1; sz < sizeof out - 1; sz++) {
		memset(out, 'Z', sizeof out);
		acme_problem_format(&prob, out, sz);
		assert_true(strlen(out) < sz);
		assert_int_equal(out[sz], 'Z');
		assert_null(strchr(out, 0x1b));
		if (!safe_text(out))
			fail_msg("size %zu: broken UTF-8 or a control in \"%s\"", sz, out);
	}
	memset(out, 'Z', sizeof out);
	acme_problem_format(&prob, out, 0);
	assert_int_equal(out[0], 'Z');
	acme_problem_free(&prob);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_directory_pebble),
		cmocka_unit_test(test_directory_letsencrypt),
		cmocka_unit_test(test_directory_refusals),
		cmocka_unit_test(test_problem_bad_nonce_and_rate_limited),
		cmocka_unit_test(test_problem_subproblems),
		cmocka_unit_test(test_problem_many_subproblems_capped),
		cmocka_unit_test(test_problem_without_type),
		cmocka_unit_test(test_problem_hostile_text_escaped),
		cmocka_unit_test(test_problem_huge_detail_small_buffer),
	};

	return cmocka_run_group_tests_name("acme", tests, NULL, NULL);
}
