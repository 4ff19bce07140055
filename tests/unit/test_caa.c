/*
 * Unit tests for CAA (RFC 8659) as the wizard's preflight reads it: the
 * record data turned into text, refused when malformed, and the issue /
 * issuewild decision against a directory's caaIdentities; and the
 * directory meta a front end is shown (query_dir_from): escaped and
 * bounded, profiles with their descriptions.
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

#include "acme.h"
#include "caa.h"
#include "query.h"

static void
test_rdata_text(void **state)
{
	static const unsigned char issue[] = "\0\5issueca.example; account=1";
	static const unsigned char crit[] = "\x80\3tbsvalue\x1b[2J";
	char out[CAA_TEXT_MAX];
	const char *why = NULL;

	(void)state;
	assert_int_equal(caa_rdata_text(issue, sizeof issue - 1, out, sizeof out,
	    &why), 0);
	assert_string_equal(out, "0 issue ca.example; account=1");
	assert_int_equal(caa_rdata_text(crit, sizeof crit - 1, out, sizeof out,
	    &why), 0);
	/* The value is escaped: no escape sequence reaches a screen. */
	assert_string_equal(out, "128 tbs value\\e[2J");
}

static void
test_rdata_refusals(void **state)
{
	static const struct {
		const char *rd;
		size_t len;
	} bad[] = {
		{ "\0", 1 },			/* no tag length */
		{ "\0\0x", 3 },			/* empty tag */
		{ "\0\20issueissueissuei", 19 },	/* tag of 16 */
		{ "\0\7issue", 7 },		/* tag past the record */
		{ "\0\5is-ue", 7 },		/* not letters and digits */
		{ "\0\5iss\0e", 7 },
	};
	char out[CAA_TEXT_MAX];
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why = NULL;
		assert_int_equal(caa_rdata_text((const unsigned char *)bad[i].rd,
		    bad[i].len, out, sizeof out, &why), -1);
		assert_non_null(why);
	}
}

static void
test_allows(void **state)
{
	char *ids[] = { "pebble.test", "letsencrypt.org" };
	char *none[] = { NULL };
	char *other[] = { "0 issue otherca.example", "0 iodef mailto:x@y" };
	char *ours[] = { "0 issue otherca.example", "0 issue LetsEncrypt.org; x=1" };
	char *nobody[] = { "0 issue ;" };
	char *iodef[] = { "0 iodef mailto:x@y" };
	char *wild[] = { "0 issue pebble.test", "0 issuewild otherca.example" };
	char *crit[] = { "128 tbs x", "0 issue pebble.test" };
	char *junk[] = { "issue pebble.test", "0" };
	char why[400];

	(void)state;
	assert_int_equal(caa_allows(none, 0, 0, ids, 2, why, sizeof why), 1);
	assert_int_equal(caa_allows(other, 2, 0, ids, 2, why, sizeof why), 0);
	assert_non_null(strstr(why, "allows only otherca.example"));
	assert_non_null(strstr(why, "pebble.test"));
	assert_int_equal(caa_allows(ours, 2, 0, ids, 2, why, sizeof why), 1);
	assert_int_equal(caa_allows(nobody, 1, 0, ids, 2, why, sizeof why), 0);
	assert_non_null(strstr(why, "no CA"));
	assert_int_equal(caa_allows(iodef, 1, 0, ids, 2, why, sizeof why), 1);
	/* A wildcard goes by issuewild when there is one. */
	assert_int_equal(caa_allows(wild, 2, 0, ids, 2, why, sizeof why), 1);
	assert_int_equal(caa_allows(wild, 2, 1, ids, 2, why, sizeof why), 0);
	assert_non_null(strstr(why, "issuewild"));
	/* An unknown critical property forbids (RFC 8659 §4.1). */
	assert_int_equal(caa_allows(crit, 2, 0, ids, 2, why, sizeof why), 0);
	assert_non_null(strstr(why, "critical"));
	/* Without identities it cannot be told. */
	assert_int_equal(caa_allows(other, 2, 0, none, 0, why, sizeof why), -1);
	assert_non_null(strstr(why, "otherca.example"));
	/* Records not in the expected shape are not properties. */
	assert_int_equal(caa_allows(junk, 2, 0, ids, 2, why, sizeof why), 1);
}

static void
test_dir_meta(void **state)
{
	static const char dir[] =
	    "{\"newAccount\":\"https://a.test/acct\","
	    "\"newNonce\":\"https://a.test/nonce\","
	    "\"newOrder\":\"https://a.test/order\","
	    "\"revokeCert\":\"https://a.test/revoke\","
	    "\"meta\":{\"termsOfService\":\"https://a.test/tos\\u001b[2J\","
	    "\"externalAccountRequired\":true,"
	    "\"caaIdentities\":[\"a.test\"],"
	    "\"profiles\":{\"shortlived\":\"Six days\",\"odd\":42}}}";
	struct acme_directory d;
	struct query_dir q;
	struct err err;
	size_t i, sl;

	(void)state;
	assert_int_equal(acme_directory_parse(dir, strlen(dir), "https://a.test/dir",
	    &d, &err), 0);
	query_dir_from(&q, &d);
	assert_string_equal(q.terms, "https://a.test/tos\\e[2J");
	assert_int_equal(q.eab_required, 1);
	assert_int_equal(q.n_caa, 1);
	assert_string_equal(q.caa[0], "a.test");
	assert_int_equal(q.n_profiles, 2);
	sl = strcmp(q.profiles[0], "shortlived") == 0 ? 0 : 1;
	assert_string_equal(q.profiles[sl], "shortlived");
	assert_string_equal(q.profile_descs[sl], "Six days");
	/* A description that is not a string is shown as none. */
	assert_string_equal(q.profile_descs[1 - sl], "");
	for (i = 0; i < 2; i++)
		assert_string_equal(d.profiles[i], q.profiles[i]);
	acme_directory_free(&d);
}

static void
test_reply_lines(void **state)
{
	struct engine_reply *r = engine_reply_new();
	size_t i;

	(void)state;
	assert_non_null(r);
	engine_reply_ref(r);
	for (i = 0; i < QUERY_LINES_MAX + 5; i++)
		engine_reply_line(r, QUERY_WARN, "line %zu", i);
	assert_int_equal(r->n_lines, QUERY_LINES_MAX);
	assert_string_equal(r->lines[0].text, "line 0");
	engine_reply_unref(r);
	engine_reply_unref(r);		/* the last one frees (valgrind) */
	engine_reply_unref(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rdata_text),
		cmocka_unit_test(test_rdata_refusals),
		cmocka_unit_test(test_allows),
		cmocka_unit_test(test_dir_meta),
		cmocka_unit_test(test_reply_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
