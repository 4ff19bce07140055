/*
 * Unit tests for crypto: real GnuTLS keys (generation, PEM round trips,
 * the forms a key may be loaded from, refusals, signatures) and CSRs read
 * back with GnuTLS. Certificates, chains and checks are in
 * test_crypto_cert.c; the shared fixture in cryptotest.c.
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

#include <cmocka.h>

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "crypto.h"

#include "cryptotest.h"

/* ---------------------------------------------------------------- keys */

static void
test_key_type_names(void **state)
{
	static const struct {
		const char *name;
		enum crypto_key_type type;
	} ok[] = {
		{ "ec256", CRYPTO_KEY_EC256 }, { "ec384", CRYPTO_KEY_EC384 },
		{ "rsa2048", CRYPTO_KEY_RSA2048 }, { "rsa3072", CRYPTO_KEY_RSA3072 },
		{ "rsa4096", CRYPTO_KEY_RSA4096 }, { "p256", CRYPTO_KEY_EC256 },
		{ "p384", CRYPTO_KEY_EC384 }, { "ecdsa-p256", CRYPTO_KEY_EC256 },
		{ "ECDSA-P384", CRYPTO_KEY_EC384 }, { "RSA2048", CRYPTO_KEY_RSA2048 },
	};
	static const char *bad[] = { "", "rsa1024", "ec521", "ed25519", "ec256 " };
	enum crypto_key_type t;
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_int_equal(crypto_key_type_parse(ok[i].name, &t, &err), 0);
		assert_int_equal(t, ok[i].type);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&err);
		assert_int_equal(crypto_key_type_parse(bad[i], &t, &err), -1);
		assert_int_equal(err.code, ERR_CONFIG);
		assert_non_null(strstr(err.msg, "ec256, ec384, rsa2048, rsa3072, rsa4096"));
	}
	assert_string_equal(crypto_key_type_name(CRYPTO_KEY_EC256), "ec256");
	assert_string_equal(crypto_key_type_name(CRYPTO_KEY_EC384), "ec384");
	assert_string_equal(crypto_key_type_name(CRYPTO_KEY_RSA3072), "rsa3072");
	assert_string_equal(crypto_key_type_name(CRYPTO_KEY_RSA4096), "rsa4096");
	assert_string_equal(crypto_key_type_name((enum crypto_key_type)99), "unknown");
}

static void
assert_same_public(const struct crypto_key *a, const struct crypto_key *b)
{
	unsigned char *da, *db;
	size_t la, lb;
	struct err err;

	assert_int_equal(crypto_key_public_der(a, &da, &la, &err), 0);
	assert_int_equal(crypto_key_public_der(b, &db, &lb, &err), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(da, db, la);
	free(da);
	free(db);
}

static void
test_key_generate_and_pem_round_trip(void **state)
{
	static const unsigned int bits[] = { 0, 256, 384, 2048, 3072, 4096 };
	struct crypto_key *back;
	gnutls_x509_privkey_t x;
	unsigned int got_bits;
	struct err err;
	size_t len;
	char *pem;
	int t;

	(void)state;
	for (t = CRYPTO_KEY_EC256; t <= CRYPTO_KEY_RSA4096; t++) {
		assert_non_null(fx.keys[t]);
		assert_int_equal(crypto_key_get_type(fx.keys[t]), t);
		pem = crypto_key_to_pem(fx.keys[t], &len, &err);
		assert_non_null(pem);
		assert_int_equal(strlen(pem), len);
		assert_memory_equal(pem, "-----BEGIN PRIVATE KEY-----\n", 28);
		back = crypto_key_load_pem(pem, len, &err);
		assert_non_null(back);
		assert_int_equal(crypto_key_get_type(back), t);
		assert_same_public(fx.keys[t], back);
		/* The size is what the type promises, checked by GnuTLS. */
		x = x509_key_of(back);
		gnutls_x509_privkey_get_pk_algorithm2(x, &got_bits);
		assert_int_equal(got_bits, bits[t]);
		gnutls_x509_privkey_deinit(x);
		crypto_key_free(back);
		free(pem);
	}
}

/* Exports a GnuTLS key in its traditional form (SEC1 or PKCS#1) or PKCS#8. */
static char *
export_key(gnutls_x509_privkey_t x, int pkcs8)
{
	gnutls_datum_t d;

	if (pkcs8)
		assert_int_equal(gnutls_x509_privkey_export2_pkcs8(x,
		    GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &d), 0);
	else
		assert_int_equal(gnutls_x509_privkey_export2(x,
		    GNUTLS_X509_FMT_PEM, &d), 0);
	return string_of(&d);
}

static void
test_key_load_traditional_forms(void **state)
{
	static const struct {
		int type;
		const char *header;
	} forms[] = {
		{ CRYPTO_KEY_EC256, "-----BEGIN EC PRIVATE KEY-----" },
		{ CRYPTO_KEY_EC384, "-----BEGIN EC PRIVATE KEY-----" },
		{ CRYPTO_KEY_RSA2048, "-----BEGIN RSA PRIVATE KEY-----" },
	};
	struct crypto_key *k;
	gnutls_x509_privkey_t x;
	struct err err;
	size_t i;
	char *pem;

	(void)state;
	for (i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		x = x509_key_of(fx.keys[forms[i].type]);
		pem = export_key(x, 0);
		assert_memory_equal(pem, forms[i].header, strlen(forms[i].header));
		k = crypto_key_load_pem(pem, strlen(pem), &err);
		assert_non_null(k);
		assert_int_equal(crypto_key_get_type(k), forms[i].type);
		assert_same_public(k, fx.keys[forms[i].type]);
		crypto_key_free(k);
		gnutls_x509_privkey_deinit(x);
		free(pem);
	}
}

static void
assert_load_refused(const char *pem, size_t len, const char *why)
{
	struct err err;

	err_clear(&err);
	assert_null(crypto_key_load_pem(pem, len, &err));
	assert_int_equal(err.code, ERR_CRYPTO);
	assert_non_null(strstr(err.msg, "load private key"));
	if (why != NULL && strstr(err.msg, why) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, why);
}

static void
test_key_load_refuses_bad_input(void **state)
{
	gnutls_x509_privkey_t x;
	struct err err;
	size_t len;
	char *pem;

	(void)state;
	assert_load_refused("", 0, NULL);
	assert_load_refused("garbage, not a key\n", 19, NULL);
	pem = crypto_key_to_pem(fx.keys[CRYPTO_KEY_EC256], &len, &err);
	assert_non_null(pem);
	assert_load_refused(pem, len / 2, NULL);
	pem[40] ^= 0x01;	/* inside the base64 body */
	assert_load_refused(pem, len, NULL);
	free(pem);
	assert_load_refused(fx.root.pem, strlen(fx.root.pem), NULL);

	/* Valid keys of a size or curve we do not use. */
	assert_int_equal(gnutls_x509_privkey_init(&x), 0);
	assert_int_equal(gnutls_x509_privkey_generate(x, GNUTLS_PK_RSA, 1024, 0), 0);
	pem = export_key(x, 1);
	assert_load_refused(pem, strlen(pem), "RSA with 1024 bits");
	free(pem);
	gnutls_x509_privkey_deinit(x);
	assert_int_equal(gnutls_x509_privkey_init(&x), 0);
	assert_int_equal(gnutls_x509_privkey_generate(x, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP521R1), 0), 0);
	pem = export_key(x, 1);
	assert_load_refused(pem, strlen(pem), "unsupported key");
	free(pem);
	gnutls_x509_privkey_deinit(x);
}

static void
test_sign_uses_natural_hash(void **state)
{
	static const gnutls_sign_algorithm_t algo[] = { 0,
		GNUTLS_SIGN_ECDSA_SHA256, GNUTLS_SIGN_ECDSA_SHA384,
		GNUTLS_SIGN_RSA_SHA256, GNUTLS_SIGN_RSA_SHA256, GNUTLS_SIGN_RSA_SHA256,
	};
	static const char msg[] = "sign me";
	gnutls_datum_t data = { (unsigned char *)msg, sizeof msg - 1 }, sig, spki;
	gnutls_pubkey_t pub;
	unsigned char *s, *der;
	size_t s_len, der_len;
	struct err err;
	int t;

	(void)state;
	for (t = CRYPTO_KEY_EC256; t <= CRYPTO_KEY_RSA4096; t++) {
		assert_int_equal(crypto_sign(fx.keys[t], msg, sizeof msg - 1, &s,
		    &s_len, &err), 0);
		assert_int_equal(crypto_key_public_der(fx.keys[t], &der, &der_len,
		    &err), 0);
		spki.data = der;
		spki.size = (unsigned int)der_len;
		assert_int_equal(gnutls_pubkey_init(&pub), 0);
		assert_int_equal(gnutls_pubkey_import(pub, &spki, GNUTLS_X509_FMT_DER), 0);
		sig.data = s;
		sig.size = (unsigned int)s_len;
		assert_true(gnutls_pubkey_verify_data2(pub, algo[t], 0, &data, &sig) >= 0);
		data.size--;
		assert_true(gnutls_pubkey_verify_data2(pub, algo[t], 0, &data, &sig) < 0);
		data.size++;
		gnutls_pubkey_deinit(pub);
		free(s);
		free(der);
	}
}

/* ---------------------------------------------------------------- CSR */

static gnutls_x509_crq_t
csr_import(const unsigned char *der, size_t len)
{
	gnutls_datum_t d = { (unsigned char *)(uintptr_t)der, (unsigned int)len };
	gnutls_x509_crq_t crq;

	assert_int_equal(gnutls_x509_crq_init(&crq), 0);
	assert_int_equal(gnutls_x509_crq_import(crq, &d, GNUTLS_X509_FMT_DER), 0);
	return crq;
}

/* Checks SAN number `i` of a CSR: its type and raw value (NULL: absent). */
static void
assert_csr_san(gnutls_x509_crq_t crq, unsigned int i, int type,
    const void *value, size_t len)
{
	unsigned int got_type, crit;
	char buf[300];
	size_t size = sizeof buf;
	int rc;

	rc = gnutls_x509_crq_get_subject_alt_name(crq, i, buf, &size, &got_type,
	    &crit);
	if (value == NULL) {
		assert_int_equal(rc, GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);
		return;
	}
	assert_int_equal(rc, type);
	assert_int_equal(size, len);
	assert_memory_equal(buf, value, len);
}

/* The CSR's CN into `buf`, or NULL when it has none. */
static const char *
csr_cn(gnutls_x509_crq_t crq, char *buf, size_t size)
{
	int rc;

	rc = gnutls_x509_crq_get_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME, 0,
	    0, buf, &size);
	if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return NULL;
	assert_int_equal(rc, 0);
	return buf;
}

static void
test_csr_names_and_signature(void **state)
{
	static const char *names[] = {
		"192.0.2.7", "Example.COM", "www.example.com", "2001:db8:0:0::42"
	};
	static const unsigned char v4[] = { 192, 0, 2, 7 };
	static const unsigned char v6[16] = { 0x20, 0x01, 0x0d, 0xb8,
		[15] = 0x42 };
	gnutls_x509_crq_t crq;
	unsigned char *der;
	size_t der_len;
	struct err err;
	char buf[128];
	int t;

	(void)state;
	for (t = CRYPTO_KEY_EC256; t <= CRYPTO_KEY_RSA2048; t++) {
		der = crypto_csr_der(fx.keys[t], names, 4, &der_len, &err);
		assert_non_null(der);
		crq = csr_import(der, der_len);
		assert_true(gnutls_x509_crq_verify(crq, 0) >= 0);
		assert_string_equal(csr_cn(crq, buf, sizeof buf), "Example.COM");
		assert_csr_san(crq, 0, GNUTLS_SAN_IPADDRESS, v4, 4);
		assert_csr_san(crq, 1, GNUTLS_SAN_DNSNAME, "Example.COM", 11);
		assert_csr_san(crq, 2, GNUTLS_SAN_DNSNAME, "www.example.com", 15);
		assert_csr_san(crq, 3, GNUTLS_SAN_IPADDRESS, v6, 16);
		assert_csr_san(crq, 4, 0, NULL, 0);
		gnutls_x509_crq_deinit(crq);
		free(der);
	}
}

static void
test_csr_long_first_name_and_bad_input(void **state)
{
	char long_name[80], buf[128];
	const char *names[2] = { long_name, "short.example" };
	const char *ip_only[] = { "192.0.2.9" };
	const char *empty[] = { "" };
	unsigned char *der;
	size_t der_len;
	gnutls_x509_crq_t crq;
	struct err err;

	(void)state;
	memset(long_name, 'a', 61);
	memcpy(long_name + 61, ".example", 9);	/* 69 characters */
	der = crypto_csr_der(fx.keys[CRYPTO_KEY_EC256], names, 2, &der_len, &err);
	assert_non_null(der);
	crq = csr_import(der, der_len);
	assert_true(gnutls_x509_crq_verify(crq, 0) >= 0);
	/* Too long for a CN, so no CN rather than the second name. */
	assert_null(csr_cn(crq, buf, sizeof buf));
	assert_csr_san(crq, 0, GNUTLS_SAN_DNSNAME, long_name, 69);
	gnutls_x509_crq_deinit(crq);
	free(der);

	der = crypto_csr_der(fx.keys[CRYPTO_KEY_EC256], ip_only, 1, &der_len, &err);
	assert_non_null(der);
	crq = csr_import(der, der_len);
	assert_null(csr_cn(crq, buf, sizeof buf));
	gnutls_x509_crq_deinit(crq);
	free(der);

	assert_null(crypto_csr_der(fx.keys[CRYPTO_KEY_EC256], empty, 1, &der_len, &err));
	assert_int_equal(err.code, ERR_CONFIG);
	assert_null(crypto_csr_der(fx.keys[CRYPTO_KEY_EC256], empty, 0, &der_len, &err));
	assert_int_equal(err.code, ERR_CONFIG);
}


int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_type_names),
		cmocka_unit_test(test_key_generate_and_pem_round_trip),
		cmocka_unit_test(test_key_load_traditional_forms),
		cmocka_unit_test(test_key_load_refuses_bad_input),
		cmocka_unit_test(test_sign_uses_natural_hash),
		cmocka_unit_test(test_csr_names_and_signature),
		cmocka_unit_test(test_csr_long_first_name_and_bad_input),
	};

	return cmocka_run_group_tests_name("crypto", tests, cryptotest_setup,
	    cryptotest_teardown);
}
