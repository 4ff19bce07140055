/*
 * Unit tests for crypto, certinfo and chain: real GnuTLS keys, CSRs read
 * back with GnuTLS, and a small CA built here (root, intermediate, leaves)
 * to exercise parsing, chain splitting, leaf checks and verification.
 */
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

#define DAY ((time_t)86400)

/* A certificate made here, with its key when it may sign others. */
struct tcert {
	gnutls_x509_crt_t crt;
	gnutls_x509_privkey_t key;
	char *pem;
};

static struct {
	time_t now;
	struct crypto_key *keys[CRYPTO_KEY_RSA4096 + 1];
	struct tcert root, inter, leaf, other_root, rsa_leaf;
} fx;

static const char *leaf_names[] = {
	"leaf.example", "www.leaf.example", "192.0.2.1", "2001:db8::1"
};
#define N_LEAF_NAMES (sizeof leaf_names / sizeof leaf_names[0])

/* Moves a GnuTLS-allocated datum into a NUL-terminated malloc'd string. */
static char *
string_of(gnutls_datum_t *d)
{
	char *s = malloc(d->size + 1);

	assert_non_null(s);
	memcpy(s, d->data, d->size);
	s[d->size] = '\0';
	gnutls_free(d->data);
	return s;
}

static char *
pem_of(gnutls_x509_crt_t crt)
{
	gnutls_datum_t d;

	assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &d), 0);
	return string_of(&d);
}

static char *
concat(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
	char *s = malloc(n);

	assert_non_null(s);
	snprintf(s, n, "%s%s%s", a, b, c);
	return s;
}

static gnutls_x509_privkey_t
x509_key_of(const struct crypto_key *k)
{
	gnutls_x509_privkey_t x;
	gnutls_datum_t d;
	struct err err;
	size_t len;
	char *pem;

	pem = crypto_key_to_pem(k, &len, &err);
	assert_non_null(pem);
	d.data = (unsigned char *)pem;
	d.size = (unsigned int)len;
	assert_int_equal(gnutls_x509_privkey_init(&x), 0);
	assert_int_equal(gnutls_x509_privkey_import(x, &d, GNUTLS_X509_FMT_PEM), 0);
	free(pem);
	return x;
}

static gnutls_x509_privkey_t
new_ec_key(void)
{
	gnutls_x509_privkey_t x;

	assert_int_equal(gnutls_x509_privkey_init(&x), 0);
	assert_int_equal(gnutls_x509_privkey_generate(x, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), 0);
	return x;
}

static void
add_san(gnutls_x509_crt_t crt, const char *name)
{
	unsigned char ip[16];

	if (inet_pton(AF_INET, name, ip) == 1)
		assert_int_equal(gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_IPADDRESS, ip, 4, GNUTLS_FSAN_APPEND), 0);
	else if (inet_pton(AF_INET6, name, ip) == 1)
		assert_int_equal(gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_IPADDRESS, ip, 16, GNUTLS_FSAN_APPEND), 0);
	else
		assert_int_equal(gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_DNSNAME, name, (unsigned int)strlen(name),
		    GNUTLS_FSAN_APPEND), 0);
}

/* Issues a certificate for `key` (not owned) signed by `issuer` (NULL:
 * self-signed); a CA when `ca`. */
static gnutls_x509_crt_t
issue(const char *cn, gnutls_x509_privkey_t key, const struct tcert *issuer,
    const char *const *names, size_t n_names, time_t nb, time_t na, int ca)
{
	static unsigned char serial[] = { 0x01, 0x23, 0xab, 0xcd, 0x00 };
	unsigned char id[64];
	size_t id_len = sizeof id, i;
	gnutls_x509_crt_t crt;

	serial[4]++;
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_set_version(crt, 3), 0);
	assert_int_equal(gnutls_x509_crt_set_serial(crt, serial, sizeof serial), 0);
	assert_int_equal(gnutls_x509_crt_set_activation_time(crt, nb), 0);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(crt, na), 0);
	assert_int_equal(gnutls_x509_crt_set_dn_by_oid(crt,
	    GNUTLS_OID_X520_COMMON_NAME, 0, cn, (unsigned int)strlen(cn)), 0);
	assert_int_equal(gnutls_x509_crt_set_key(crt, key), 0);
	assert_int_equal(gnutls_x509_privkey_get_key_id(key, 0, id, &id_len), 0);
	assert_int_equal(gnutls_x509_crt_set_subject_key_id(crt, id, id_len), 0);
	assert_int_equal(gnutls_x509_crt_set_basic_constraints(crt, ca, -1), 0);
	assert_int_equal(gnutls_x509_crt_set_key_usage(crt, ca ?
	    GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN :
	    GNUTLS_KEY_DIGITAL_SIGNATURE), 0);
	for (i = 0; i < n_names; i++)
		add_san(crt, names[i]);
	if (issuer != NULL) {
		id_len = sizeof id;
		assert_int_equal(gnutls_x509_crt_get_subject_key_id(issuer->crt,
		    id, &id_len, NULL), 0);
		assert_int_equal(gnutls_x509_crt_set_authority_key_id(crt, id,
		    id_len), 0);
	}
	assert_int_equal(gnutls_x509_crt_sign2(crt,
	    issuer != NULL ? issuer->crt : crt,
	    issuer != NULL ? issuer->key : key, GNUTLS_DIG_SHA256, 0), 0);
	return crt;
}

static void
make_ca(struct tcert *t, const char *cn, const struct tcert *issuer)
{
	t->key = new_ec_key();
	t->crt = issue(cn, t->key, issuer, NULL, 0, fx.now - DAY,
	    fx.now + 365 * DAY, 1);
	t->pem = pem_of(t->crt);
}

/* A leaf for a crypto key, issued by the intermediate. */
static void
make_leaf(struct tcert *t, const struct crypto_key *k,
    const char *const *names, size_t n, time_t nb, time_t na)
{
	gnutls_x509_privkey_t x = x509_key_of(k);

	t->key = NULL;
	t->crt = issue("leaf.example", x, &fx.inter, names, n, nb, na, 0);
	t->pem = pem_of(t->crt);
	gnutls_x509_privkey_deinit(x);
}

static void
tcert_free(struct tcert *t)
{
	if (t->crt != NULL)
		gnutls_x509_crt_deinit(t->crt);
	if (t->key != NULL)
		gnutls_x509_privkey_deinit(t->key);
	free(t->pem);
	memset(t, 0, sizeof *t);
}

static int
setup(void **state)
{
	struct err err;
	int t;

	(void)state;
	fx.now = time(NULL);
	/* RSA 4096 takes seconds: every key is generated once for all tests. */
	for (t = CRYPTO_KEY_EC256; t <= CRYPTO_KEY_RSA4096; t++)
		if ((fx.keys[t] = crypto_key_generate(t, &err)) == NULL)
			return -1;
	make_ca(&fx.root, "Test Root", NULL);
	make_ca(&fx.inter, "Test Intermediate", &fx.root);
	make_ca(&fx.other_root, "Other Root", NULL);
	make_leaf(&fx.leaf, fx.keys[CRYPTO_KEY_EC256], leaf_names, N_LEAF_NAMES,
	    fx.now - 3600, fx.now + 90 * DAY);
	make_leaf(&fx.rsa_leaf, fx.keys[CRYPTO_KEY_RSA2048], leaf_names, 1,
	    fx.now - 3600, fx.now + 90 * DAY);
	return 0;
}

static int
teardown(void **state)
{
	int t;

	(void)state;
	for (t = CRYPTO_KEY_EC256; t <= CRYPTO_KEY_RSA4096; t++)
		crypto_key_free(fx.keys[t]);
	tcert_free(&fx.root);
	tcert_free(&fx.inter);
	tcert_free(&fx.other_root);
	tcert_free(&fx.leaf);
	tcert_free(&fx.rsa_leaf);
	return 0;
}

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
		cmocka_unit_test(test_cert_parse_every_field),
		cmocka_unit_test(test_chain_split_orders_and_dedups),
		cmocka_unit_test(test_chain_split_refuses),
		cmocka_unit_test(test_cert_check),
		cmocka_unit_test(test_chain_verify),
	};

	return cmocka_run_group_tests_name("crypto", tests, setup, teardown);
}
