/*
 * Unit tests for the ACME message layer: directories (Pebble's own and a
 * Let's Encrypt-like one), problem documents and their escaped one-line
 * form, orders, authorizations, accounts, the identifier-set check, and
 * the payload builders read back with jansson. Every refusal names what
 * was wrong; a failed parse leaves nothing behind (valgrind checks).
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

#include <jansson.h>

#include "acme.h"

#define URL "https://ca.test/acme/x"
#define URN ACME_ERR_PREFIX

static const char pebble_dir[] =
    "{\"keyChange\":\"https://127.0.0.1:14000/rollover-account-key\","
    "\"meta\":{\"externalAccountRequired\":false,"
    "\"termsOfService\":\"data:text/plain,Do%20what%20thou%20wilt\"},"
    "\"newAccount\":\"https://127.0.0.1:14000/sign-me-up\","
    "\"newNonce\":\"https://127.0.0.1:14000/nonce-plz\","
    "\"newOrder\":\"https://127.0.0.1:14000/order-plz\","
    "\"revokeCert\":\"https://127.0.0.1:14000/revoke-cert\"}";

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

PARSE_FN(parse_directory, struct acme_directory, acme_directory_parse,
    acme_directory_free)
PARSE_FN(parse_problem, struct acme_problem, acme_problem_parse, acme_problem_free)
PARSE_FN(parse_order, struct acme_order, acme_order_parse, acme_order_free)
PARSE_FN(parse_authz, struct acme_authz, acme_authz_parse, acme_authz_free)
PARSE_FN(parse_account, struct acme_account, acme_account_parse, acme_account_free)

/* Expects `fn` to refuse `json` with an error naming URL and `fragment`. */
static void
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

static void
accepted(parse_fn fn, const char *json)
{
	struct err err;

	err_clear(&err);
	if (fn(json, &err) != 0)
		fail_msg("refused: %s", err.msg);
}

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
static void
same_json(char *text, const char *want)
{
	json_error_t jerr;
	json_t *got, *exp;

	assert_non_null(text);
	assert_null(strchr(text, '\n'));
	if ((got = json_loads(text, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		fail_msg("%s: %s", text, jerr.text);
	exp = json_loads(want, 0, &jerr);
	assert_non_null(exp);
	if (!json_equal(got, exp))
		fail_msg("built %s, want %s", text, want);
	json_decref(got);
	json_decref(exp);
	free(text);
}

static void
test_build_new_account(void **state)
{
	static const char *const contacts[] = { "admin@example.org", "ops@example.org" };
	static const char *const bad_contacts[] = { "admin@example.org", "op\xc0\xafs@x" };
	struct err err;

	(void)state;
	same_json(acme_payload_new_account(contacts, 2, 1, 0, NULL, &err),
	    "{\"contact\":[\"mailto:admin@example.org\",\"mailto:ops@example.org\"],"
	    "\"termsOfServiceAgreed\":true}");
	same_json(acme_payload_new_account(NULL, 0, 0, 0, NULL, &err), "{}");
	/* A lookup sends nothing but onlyReturnExisting. */
	same_json(acme_payload_new_account(contacts, 2, 1, 1, "{\"protected\":\"x\"}", &err),
	    "{\"onlyReturnExisting\":true}");
	same_json(acme_payload_new_account(contacts, 1, 0, 0,
	    "{\"protected\":\"p\",\"payload\":\"q\",\"signature\":\"s\"}", &err),
	    "{\"contact\":[\"mailto:admin@example.org\"],\"externalAccountBinding\":"
	    "{\"protected\":\"p\",\"payload\":\"q\",\"signature\":\"s\"}}");

	err_clear(&err);
	assert_null(acme_payload_new_account(contacts, 1, 1, 0, "{not json", &err));
	assert_int_not_equal(err.code, ERR_OK);
	/* A contact jansson cannot hold is an error, never left out. */
	err_clear(&err);
	assert_null(acme_payload_new_account(bad_contacts, 2, 1, 0, NULL, &err));
	assert_non_null(strstr(err.msg, "\"contact\"[1]"));
}

static void
test_build_new_order(void **state)
{
	struct acme_identifier ids[2];
	struct err err;

	(void)state;
	acme_identifier_set(&ids[0], "example.org");
	acme_identifier_set(&ids[1], "2001:db8::1");
	same_json(acme_payload_new_order(ids, 2, "tlsserver",
	    "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", &err),
	    "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"example.org\"},"
	    "{\"type\":\"ip\",\"value\":\"2001:db8::1\"}],\"profile\":\"tlsserver\","
	    "\"replaces\":\"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE\"}");
	same_json(acme_payload_new_order(ids, 1, NULL, NULL, &err),
	    "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"example.org\"}]}");

	/* Text jansson cannot hold is an error, never a member left out. */
	snprintf(ids[1].value, sizeof ids[1].value, "bad\xff.example");
	err_clear(&err);
	assert_null(acme_payload_new_order(ids, 2, NULL, NULL, &err));
	assert_non_null(strstr(err.msg, "\"identifiers\"[1]"));
	err_clear(&err);
	assert_null(acme_payload_new_order(ids, 1, "bad\xff", NULL, &err));
	assert_non_null(strstr(err.msg, "\"profile\""));
	err_clear(&err);
	assert_null(acme_payload_new_order(ids, 1, NULL, "\xff", &err));
	assert_non_null(strstr(err.msg, "\"replaces\""));
}

static void
test_build_finalize_and_revoke(void **state)
{
	/* Bytes whose base64url needs both '-' and '_' and no padding. */
	static const unsigned char der[] = { 0x30, 0x82, 0x01, 0x0a, 0xfb, 0xff, 0xbf,
	    0x00, 0x3e, 0x3f };
	struct err err;

	(void)state;
	same_json(acme_payload_finalize(der, sizeof der, &err),
	    "{\"csr\":\"MIIBCvv_vwA-Pw\"}");
	same_json(acme_payload_revoke(der, sizeof der, 4, &err),
	    "{\"certificate\":\"MIIBCvv_vwA-Pw\",\"reason\":4}");
	same_json(acme_payload_revoke(der, 1, 0, &err),
	    "{\"certificate\":\"MA\",\"reason\":0}");
}

static void
test_revoke_reasons(void **state)
{
	static const struct {
		const char *name;
		int code;
	} good[] = {
		{ "unspecified", 0 }, { "keyCompromise", 1 }, { "affiliationChanged", 3 },
		{ "superseded", 4 }, { "cessationOfOperation", 5 },
	};
	/* Wrong case, CA-only reasons, and nothing. */
	static const char *bad[] = { "KeyCompromise", "cACompromise", "certificateHold",
	    "removeFromCRL", "privilegeWithdrawn", "aACompromise", "", "1", "superseded " };
	static const int bad_codes[] = { -1, 2, 6, 7, 8, 9, 10, 11 };
	struct err err;
	size_t i;
	int code;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		code = -1;
		assert_int_equal(acme_revoke_reason_parse(good[i].name, &code, &err), 0);
		assert_int_equal(code, good[i].code);
		assert_string_equal(acme_revoke_reason_name(good[i].code), good[i].name);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		code = -1;
		err_clear(&err);
		assert_int_equal(acme_revoke_reason_parse(bad[i], &code, &err), -1);
		assert_int_equal(code, -1);
		assert_int_equal(err.code, ERR_CONFIG);
		assert_non_null(strstr(err.msg, bad[i]));
		assert_non_null(strstr(err.msg, "keyCompromise"));
	}
	for (i = 0; i < sizeof bad_codes / sizeof bad_codes[0]; i++)
		assert_string_equal(acme_revoke_reason_name(bad_codes[i]), "unknown");
}

static void
test_status_names(void **state)
{
	(void)state;
	assert_string_equal(acme_status_name(ACME_STATUS_UNKNOWN), "unknown");
	assert_string_equal(acme_status_name(ACME_STATUS_PROCESSING), "processing");
	assert_string_equal(acme_status_name(ACME_STATUS_REVOKED), "revoked");
	assert_string_equal(acme_status_name((enum acme_status)99), "unknown");
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
		cmocka_unit_test(test_order_statuses),
		cmocka_unit_test(test_order_identifiers_and_urls),
		cmocka_unit_test(test_order_matches),
		cmocka_unit_test(test_authz_pebble),
		cmocka_unit_test(test_authz_challenge_error),
		cmocka_unit_test(test_authz_refusals),
		cmocka_unit_test(test_account),
		cmocka_unit_test(test_identifier_set),
		cmocka_unit_test(test_build_new_account),
		cmocka_unit_test(test_build_new_order),
		cmocka_unit_test(test_build_finalize_and_revoke),
		cmocka_unit_test(test_revoke_reasons),
		cmocka_unit_test(test_status_names),
	};

	return cmocka_run_group_tests_name("acme", tests, NULL, NULL);
}
