/*
 * cryptotest: the fixture the crypto unit tests share: a small CA made
 * with GnuTLS (root, intermediate, another root, leaves) and one key of
 * each type, made once per program by cryptotest_setup().
 */
#ifndef CERTDECK_CRYPTOTEST_H
#define CERTDECK_CRYPTOTEST_H

#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "crypto.h"

#define DAY ((time_t)86400)
#define N_LEAF_NAMES 4

/* A certificate made here, with its key when it may sign others. */
struct tcert {
	gnutls_x509_crt_t crt;
	gnutls_x509_privkey_t key;
	char *pem;
};

struct cryptotest_fx {
	time_t now;
	struct crypto_key *keys[CRYPTO_KEY_RSA4096 + 1];
	struct tcert root, inter, leaf, other_root, rsa_leaf;
};

extern struct cryptotest_fx fx;

/* The leaf's names: two DNS names, an IPv4 and an IPv6 address. */
extern const char *const leaf_names[N_LEAF_NAMES];

/* Moves a GnuTLS-allocated datum into a NUL-terminated malloc'd string. */
char *string_of(gnutls_datum_t *d);

/* A certificate in PEM, malloc'd. */
char *pem_of(gnutls_x509_crt_t crt);

/* a, b and c (c may be NULL) one after the other, malloc'd. */
char *concat(const char *a, const char *b, const char *c);

/* The GnuTLS private key of a crypto key, for the caller to deinit. */
gnutls_x509_privkey_t x509_key_of(const struct crypto_key *k);

/* A CA certificate, self-signed when `issuer` is NULL. */
void make_ca(struct tcert *t, const char *cn, const struct tcert *issuer);

/* A leaf for a crypto key, issued by the intermediate. */
void make_leaf(struct tcert *t, const struct crypto_key *k,
    const char *const *names, size_t n, time_t nb, time_t na);

void tcert_free(struct tcert *t);

/* cmocka group setup and teardown: the keys and certificates above. */
int cryptotest_setup(void **state);
int cryptotest_teardown(void **state);

#endif
