/*
 * cryptotest: the small CA the crypto unit tests share (root,
 * intermediate, leaves, every key type generated once), built with GnuTLS
 * directly so the code under test never checks itself.
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

struct cryptotest_fx fx;

const char *const leaf_names[N_LEAF_NAMES] = {
	"leaf.example", "www.leaf.example", "192.0.2.1", "2001:db8::1"
};

/* Moves a GnuTLS-allocated datum into a NUL-terminated malloc'd string. */
char *
string_of(gnutls_datum_t *d)
{
	char *s = malloc(d->size + 1);

	assert_non_null(s);
	memcpy(s, d->data, d->size);
	s[d->size] = '\0';
	gnutls_free(d->data);
	return s;
}

char *
pem_of(gnutls_x509_crt_t crt)
{
	gnutls_datum_t d;

	assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &d), 0);
	return string_of(&d);
}

char *
concat(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
	char *s = malloc(n);

	assert_non_null(s);
	snprintf(s, n, "%s%s%s", a, b, c);
	return s;
}

gnutls_x509_privkey_t
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

void
make_ca(struct tcert *t, const char *cn, const struct tcert *issuer)
{
	t->key = new_ec_key();
	t->crt = issue(cn, t->key, issuer, NULL, 0, fx.now - DAY,
	    fx.now + 365 * DAY, 1);
	t->pem = pem_of(t->crt);
}

/* A leaf for a crypto key, issued by the intermediate. */
void
make_leaf(struct tcert *t, const struct crypto_key *k,
    const char *const *names, size_t n, time_t nb, time_t na)
{
	gnutls_x509_privkey_t x = x509_key_of(k);

	t->key = NULL;
	t->crt = issue("leaf.example", x, &fx.inter, names, n, nb, na, 0);
	t->pem = pem_of(t->crt);
	gnutls_x509_privkey_deinit(x);
}

void
tcert_free(struct tcert *t)
{
	if (t->crt != NULL)
		gnutls_x509_crt_deinit(t->crt);
	if (t->key != NULL)
		gnutls_x509_privkey_deinit(t->key);
	free(t->pem);
	memset(t, 0, sizeof *t);
}

int
cryptotest_setup(void **state)
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

int
cryptotest_teardown(void **state)
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

