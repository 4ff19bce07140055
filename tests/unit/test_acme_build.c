/*
 * Unit tests for the ACME payload builders (newAccount, newOrder,
 * finalize, revokeCert) read back with jansson, the revocation reasons
 * and the status names.
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
		cmocka_unit_test(test_build_new_account),
		cmocka_unit_test(test_build_new_order),
		cmocka_unit_test(test_build_finalize_and_revoke),
		cmocka_unit_test(test_revoke_reasons),
		cmocka_unit_test(test_status_names),
	};

	return cmocka_run_group_tests_name("acme_build", tests, NULL, NULL);
}
