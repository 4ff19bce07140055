/*
 * Unit tests for certinfo and chain, on a small CA built here (root,
 * intermediate, leaves; cryptotest.c): certificate parsing, chain
 * splitting, leaf checks and verification up to a root.
 */
#include "autoconfig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "crypto.h"

#include "cryptotest.h"

/* ---------------------------------------------------------------- parse */

static void
assert_leaf_info(const struct crypto_cert_info *info, gnutls_x509_crt_t crt)
{
	unsigned char md[32], id[64];
	size_t size = sizeof md, i;
	char hex[65];

	assert_string_equal(info->subject, "CN=leaf.example");
	assert_string_equal(info->issuer, "CN=Test Intermediate");
	assert_string_equal(info->issuer_cn, "Test Intermediate");
	assert_int_equal(info->n_names, N_LEAF_NAMES);
	for (i = 0; i < N_LEAF_NAMES; i++)
		assert_string_equal(info->names[i], leaf_names[i]);
	assert_int_equal(info->not_before, fx.now - 3600);
	assert_int_equal(info->not_after, fx.now + 90 * DAY);
	assert_int_equal(info->serial_len, 5);
	assert_memory_equal(info->serial, "\x01\x23\xab\xcd", 4);
	assert_memory_equal(info->serial_hex, "0123abcd", 8);
	assert_int_equal(strlen(info->serial_hex), 10);
	size = sizeof id;
	assert_int_equal(gnutls_x509_crt_get_subject_key_id(fx.inter.crt, id,
	    &size, NULL), 0);
	assert_int_equal(info->aki_len, size);
	assert_memory_equal(info->aki, id, size);
	assert_string_equal(info->key_type, "ECDSA P-256");
	size = sizeof md;
	assert_int_equal(gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256,
	    md, &size), 0);
	for (i = 0; i < size; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	assert_string_equal(info->sha256_hex, hex);
}

static void
test_cert_parse_every_field(void **state)
{
	struct crypto_cert_info info;
	gnutls_datum_t der;
	struct err err;

	(void)state;
	assert_int_equal(crypto_cert_parse_pem(fx.leaf.pem, strlen(fx.leaf.pem),
	    &info, &err), 0);
	assert_leaf_info(&info, fx.leaf.crt);
	crypto_cert_info_free(&info);
	assert_null(info.names);

	assert_int_equal(gnutls_x509_crt_export2(fx.leaf.crt, GNUTLS_X509_FMT_DER,
	    &der), 0);
	assert_int_equal(crypto_cert_parse_der(der.data, der.size, &info, &err), 0);
	assert_leaf_info(&info, fx.leaf.crt);
	crypto_cert_info_free(&info);
	/* Cut short, the DER is refused. */
	assert_int_equal(crypto_cert_parse_der(der.data, der.size - 10, &info,
	    &err), -1);
	assert_int_equal(err.code, ERR_CRYPTO);
	gnutls_free(der.data);

	assert_int_equal(crypto_cert_parse_pem(fx.root.pem, strlen(fx.root.pem),
	    &info, &err), 0);
	assert_string_equal(info.subject, "CN=Test Root");
	assert_string_equal(info.issuer_cn, "Test Root");
	assert_int_equal(info.n_names, 0);
	assert_int_equal(info.aki_len, 0);
	crypto_cert_info_free(&info);

	assert_int_equal(crypto_cert_parse_pem(fx.rsa_leaf.pem,
	    strlen(fx.rsa_leaf.pem), &info, &err), 0);
	assert_string_equal(info.key_type, "RSA 2048");
	crypto_cert_info_free(&info);

	assert_int_equal(crypto_cert_parse_pem("nothing", 7, &info, &err), -1);
	assert_int_equal(err.code, ERR_CRYPTO);
}

/* ---------------------------------------------------------------- chains */

static void
assert_split(const char *input, const char *want_leaf, const char *want_chain)
{
	char *leaf, *chain;
	struct err err;

	err_clear(&err);
	if (crypto_chain_split(input, strlen(input), fx.keys[CRYPTO_KEY_EC256],
	    &leaf, &chain, &err) != 0)
		fail_msg("split failed: %s", err.msg);
	assert_string_equal(leaf, want_leaf);
	assert_string_equal(chain, want_chain);
	free(leaf);
	free(chain);
}

static void
test_chain_split_orders_and_dedups(void **state)
{
	char *in, *in2, *inter_root;

	(void)state;
	in = concat(fx.leaf.pem, fx.inter.pem, "");
	assert_split(in, fx.leaf.pem, fx.inter.pem);
	free(in);
	in = concat(fx.inter.pem, "\r\n\n", fx.leaf.pem);
	assert_split(in, fx.leaf.pem, fx.inter.pem);
	free(in);
	in = concat(fx.leaf.pem, fx.inter.pem, fx.inter.pem);
	in2 = concat(in, fx.leaf.pem, "");
	assert_split(in2, fx.leaf.pem, fx.inter.pem);
	free(in);
	free(in2);
	/* Root first, leaf last: ordered issuer by issuer from the leaf. */
	inter_root = concat(fx.inter.pem, fx.root.pem, "");
	in = concat(fx.root.pem, fx.inter.pem, fx.leaf.pem);
	assert_split(in, fx.leaf.pem, inter_root);
	free(in);
	free(inter_root);
	assert_split(fx.leaf.pem, fx.leaf.pem, "");
}

static void
assert_split_refused(const char *input, const struct crypto_key *key,
    const char *why)
{
	char *leaf = (char *)1, *chain = (char *)1;
	struct err err;

	err_clear(&err);
	assert_int_equal(crypto_chain_split(input, strlen(input), key, &leaf,
	    &chain, &err), -1);
	assert_null(leaf);
	assert_null(chain);
	assert_int_equal(err.code, ERR_CRYPTO);
	if (strstr(err.msg, why) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, why);
}

static void
test_chain_split_refuses(void **state)
{
	const struct crypto_key *k = fx.keys[CRYPTO_KEY_EC256];
	char *in, *in2, *key_pem, many[20000];
	struct err err;
	size_t len;
	int i;

	(void)state;
	in = concat(fx.leaf.pem, fx.inter.pem, fx.other_root.pem);
	assert_split_refused(in, k, "\"CN=Other Root\" is not on the path");
	free(in);

	key_pem = crypto_key_to_pem(fx.keys[CRYPTO_KEY_EC384], &len, &err);
	assert_non_null(key_pem);
	in = concat(fx.leaf.pem, key_pem, fx.inter.pem);
	assert_split_refused(in, k, "\"PRIVATE KEY\" is not a certificate");
	free(in);
	free(key_pem);

	in = concat(fx.leaf.pem, "Intermediate:\n", fx.inter.pem);
	assert_split_refused(in, k, "text outside PEM blocks");
	free(in);
	in = concat("junk", fx.leaf.pem, "");
	assert_split_refused(in, k, "text outside PEM blocks at offset 0");
	free(in);

	in = concat(fx.leaf.pem, fx.inter.pem, "");
	assert_split_refused(in, fx.keys[CRYPTO_KEY_EC384], "no certificate for our key");
	free(in);

	assert_split_refused("", k, "no certificate");
	assert_split_refused(" \n\t", k, "no certificate");

	/* A block cut before its END line, or with a broken body. */
	in = strdup(fx.leaf.pem);
	in[strlen(in) - 10] = '\0';
	in2 = concat(fx.inter.pem, in, "");
	assert_split_refused(in2, k, "without its END line");
	free(in2);
	in[30] = '*';
	in[31] = '\0';
	in2 = concat(in, "\n" "-----END CERTIFICATE-----\n", "");
	assert_split_refused(in2, k, "certificate 1");
	free(in2);
	free(in);

	many[0] = '\0';
	for (i = 0; i < CRYPTO_CHAIN_MAX + 1; i++)
		strcat(many, i == 0 ? fx.leaf.pem : fx.inter.pem);
	assert_split_refused(many, k, "more than 10 certificates");
	/* Ten, even as duplicates, is within the bound. */
	many[strlen(many) - strlen(fx.inter.pem)] = '\0';
	assert_split(many, fx.leaf.pem, fx.inter.pem);
}

/* ---------------------------------------------------------------- checks */

static void
assert_check(const char *pem, const struct crypto_key *k,
    const char *const *names, size_t n, time_t now, const char *why)
{
	struct err err;

	err_clear(&err);
	if (why == NULL) {
		if (crypto_cert_check(pem, strlen(pem), k, names, n, now, &err) != 0)
			fail_msg("check failed: %s", err.msg);
		return;
	}
	assert_int_equal(crypto_cert_check(pem, strlen(pem), k, names, n, now,
	    &err), -1);
	assert_int_equal(err.code, ERR_CRYPTO);
	if (strstr(err.msg, why) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, why);
}

static void
test_cert_check(void **state)
{
	static const char *reordered[] = {
		"2001:DB8:0::1", "WWW.Leaf.Example", "192.0.2.1", "leaf.example"
	};
	static const char *missing[] = { "leaf.example", "www.leaf.example",
		"192.0.2.1" };
	static const char *extra[] = { "leaf.example", "www.leaf.example",
		"192.0.2.1", "2001:db8::1", "new.leaf.example" };
	const struct crypto_key *k = fx.keys[CRYPTO_KEY_EC256];
	struct tcert t;

	(void)state;
	assert_check(fx.leaf.pem, k, leaf_names, N_LEAF_NAMES, fx.now, NULL);
	assert_check(fx.leaf.pem, k, reordered, 4, fx.now, NULL);
	assert_check(fx.leaf.pem, fx.keys[CRYPTO_KEY_EC384], leaf_names,
	    N_LEAF_NAMES, fx.now, "public key differs: certificate key sha256 ");
	assert_check(fx.leaf.pem, k, missing, 3, fx.now,
	    "names differ (unexpected 2001:db8::1): certificate has "
	    "[leaf.example, www.leaf.example, 192.0.2.1, 2001:db8::1], requested "
	    "[leaf.example, www.leaf.example, 192.0.2.1]");
	assert_check(fx.leaf.pem, k, extra, 5, fx.now,
	    "names differ (missing new.leaf.example)");
	assert_check(fx.leaf.pem, k, leaf_names, N_LEAF_NAMES, fx.now + 91 * DAY,
	    "expired: not_after ");
	assert_check("junk", k, leaf_names, N_LEAF_NAMES, fx.now, "check certificate");

	make_leaf(&t, k, leaf_names, N_LEAF_NAMES, fx.now + 2 * DAY,
	    fx.now + 30 * DAY);
	assert_check(t.pem, k, leaf_names, N_LEAF_NAMES, fx.now, "not yet valid");
	/* Within the day of allowed clock skew. */
	assert_check(t.pem, k, leaf_names, N_LEAF_NAMES, fx.now + DAY + 60, NULL);
	tcert_free(&t);
	make_leaf(&t, k, leaf_names, N_LEAF_NAMES, fx.now - DAY,
	    fx.now + 11 * 365 * DAY);
	assert_check(t.pem, k, leaf_names, N_LEAF_NAMES, fx.now, "ten years or more");
	tcert_free(&t);
}

static void
assert_verify(const char *leaf, const char *chain, const char *root,
    time_t now, const char *why)
{
	struct err err;

	err_clear(&err);
	if (why == NULL) {
		if (crypto_chain_verify(leaf, chain, root, now, &err) != 0)
			fail_msg("verify failed: %s", err.msg);
		return;
	}
	assert_int_equal(crypto_chain_verify(leaf, chain, root, now, &err), -1);
	if (strstr(err.msg, why) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, why);
}

static void
test_chain_verify(void **state)
{
	(void)state;
	assert_verify(fx.leaf.pem, fx.inter.pem, fx.root.pem, fx.now, NULL);
	assert_verify(fx.leaf.pem, fx.inter.pem, fx.other_root.pem, fx.now,
	    "verify chain");
	assert_verify(fx.leaf.pem, "", fx.root.pem, fx.now, "verify chain");
	assert_verify(fx.leaf.pem, NULL, fx.root.pem, fx.now, "verify chain");
	assert_verify(fx.leaf.pem, fx.inter.pem, fx.root.pem, fx.now + 100 * DAY,
	    "\"CN=leaf.example\" is valid from ");
	/* The CAs expire after a year, the root checked as well. */
	assert_verify(fx.leaf.pem, fx.inter.pem, fx.root.pem, fx.now - 2 * DAY,
	    "is valid from");
	assert_verify(fx.leaf.pem, fx.inter.pem, "no root here", fx.now,
	    "verify chain");
}

/* Expects crypto_peer_verify on `pems` against a file holding `root` for
 * `host` to pass (why NULL) or to fail saying `why`. */
static void
assert_peer(const char *const *pems, size_t n, const char *root,
    const char *host, const char *why)
{
	char path[] = "/tmp/certdeck-peer-XXXXXX";
	struct err err;
	FILE *f;
	int fd, rc;

	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	assert_true(fputs(root, f) >= 0);
	assert_int_equal(fclose(f), 0);
	err_clear(&err);
	rc = crypto_peer_verify(pems, n, path, host, &err);
	unlink(path);
	if (why == NULL && rc != 0)
		fail_msg("%s refused: %s", host ? host : "(no host)", err.msg);
	if (why != NULL && (rc != -1 || strstr(err.msg, why) == NULL))
		fail_msg("rc %d, error \"%s\" lacks \"%s\"", rc, err.msg, why);
}

/* What a TLS peer sent, verified again to learn why libcurl refused it. */
static void
test_peer_verify_reasons(void **state)
{
	const char *sent[] = { fx.leaf.pem, fx.inter.pem };

	(void)state;
	assert_peer(sent, 2, fx.root.pem, "leaf.example", NULL);
	assert_peer(sent, 2, fx.root.pem, "192.0.2.1", NULL);
	assert_peer(sent, 2, fx.root.pem, NULL, NULL);
	assert_peer(sent, 2, fx.root.pem, "WWW.Leaf.Example", NULL);
	assert_peer(sent, 2, fx.other_root.pem, "leaf.example",
	    "The certificate issuer is unknown.");
	assert_peer(sent, 1, fx.root.pem, "leaf.example",
	    "The certificate issuer is unknown.");
	assert_peer(sent, 2, fx.root.pem, "other.example",
	    "The name in the certificate does not match the expected.");
	assert_peer(sent, 2, fx.root.pem, "192.0.2.2",
	    "The name in the certificate does not match the expected.");
	assert_peer(sent, 0, fx.root.pem, "leaf.example", "0 certificates");
	assert_peer((const char *[]){ "not a certificate" }, 1, fx.root.pem,
	    "leaf.example", "verify peer: ");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cert_parse_every_field),
		cmocka_unit_test(test_chain_split_orders_and_dedups),
		cmocka_unit_test(test_chain_split_refuses),
		cmocka_unit_test(test_cert_check),
		cmocka_unit_test(test_chain_verify),
		cmocka_unit_test(test_peer_verify_reasons),
	};

	return cmocka_run_group_tests_name("crypto_cert", tests, cryptotest_setup,
	    cryptotest_teardown);
}
