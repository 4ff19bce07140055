/*
 * crypto: private keys, signatures and certificate signing requests, on
 * GnuTLS.
 *
 * A key is opaque; the rest of the engine generates, loads, saves and
 * signs with it through this narrow interface and never sees GnuTLS
 * types. Certificates (parsing, chains, checks) are in certinfo.h, which
 * this header includes so one include gives the whole crypto interface.
 */
#ifndef CERTDECK_CRYPTO_H
#define CERTDECK_CRYPTO_H

#include <stddef.h>

#include "err.h"

enum crypto_key_type {
	CRYPTO_KEY_EC256 = 1,
	CRYPTO_KEY_EC384,
	CRYPTO_KEY_RSA2048,
	CRYPTO_KEY_RSA3072,
	CRYPTO_KEY_RSA4096
};

/* An opaque private key with its public half. */
struct crypto_key;

/* The public numbers of a key, as a JWK carries them: for EC the curve
 * and the coordinates zero-padded to the curve size, for RSA the modulus
 * and exponent without leading zeros. */
struct crypto_pubraw {
	const char *kty;	/* "EC" or "RSA" (static) */
	const char *crv;	/* "P-256", "P-384", or NULL for RSA (static) */
	unsigned char *a;	/* EC x, or RSA n; owned */
	size_t a_len;
	unsigned char *b;	/* EC y, or RSA e; owned */
	size_t b_len;
};

/* Parses a key type name ("ec256", "ec384", "rsa2048", "rsa3072",
 * "rsa4096", or "p256", "p384", "ecdsa-p256", "ecdsa-p384", any case);
 * returns 0, or -1 with an error listing the valid names. */
int crypto_key_type_parse(const char *name, enum crypto_key_type *out,
    struct err *err);

/* Returns the canonical name of a key type ("ec256"...), or "unknown". */
const char *crypto_key_type_name(enum crypto_key_type t);

/* Sets ERR_CRYPTO with "WHERE: reason" from a GnuTLS error code `rc`;
 * returns -1. */
int crypto_gnutls_err(struct err *err, const char *where, int rc);

/* Generates a new key; returns it (free with crypto_key_free) or NULL. */
struct crypto_key *crypto_key_generate(enum crypto_key_type t, struct err *err);

/* Loads an unencrypted PEM key (PKCS#8, SEC1 or PKCS#1); curves and sizes
 * other than the key types above are refused. Returns the key (free with
 * crypto_key_free) or NULL. */
struct crypto_key *crypto_key_load_pem(const char *pem, size_t len,
    struct err *err);

/* Returns the key as unencrypted PKCS#8 PEM, NUL-terminated, its length in
 * `*len` (may be NULL); the caller frees it with free(). NULL on error. */
char *crypto_key_to_pem(const struct crypto_key *k, size_t *len,
    struct err *err);

/* SHA-256 of `len` bytes into `md`; 0, or -1 with `err` set. */
int crypto_sha256(const void *data, size_t len, unsigned char md[32], struct err *err);

/* Frees a key; NULL is allowed. */
void crypto_key_free(struct crypto_key *k);

/* Returns the type of a key. */
enum crypto_key_type crypto_key_get_type(const struct crypto_key *k);

/* Returns the DER SubjectPublicKeyInfo of the key in `*der` (caller frees
 * with free()) and its length; 0, or -1 with `err` set. */
int crypto_key_public_der(const struct crypto_key *k, unsigned char **der,
    size_t *der_len, struct err *err);

/* Fills `out` with the key's public numbers; 0, or -1 with `err` set.
 * Release with crypto_pubraw_free. */
int crypto_key_public_raw(const struct crypto_key *k, struct crypto_pubraw *out,
    struct err *err);

/* Frees what crypto_key_public_raw allocated; the struct itself is the
 * caller's. */
void crypto_pubraw_free(struct crypto_pubraw *raw);

/* Returns the size in bytes of an EC coordinate and of each half of an
 * ECDSA signature (32 or 48), or of the RSA modulus. */
size_t crypto_key_field_size(const struct crypto_key *k);

/* Writes the unsigned big-endian number `in` into exactly `width` bytes
 * at `out`, leading zeros dropped or added; 0, or -1 when it is wider. */
int crypto_pad_be(const unsigned char *in, size_t in_len, size_t width,
    unsigned char *out, struct err *err);

/* Signs data with the key's natural hash (SHA-256 for EC256 and RSA,
 * SHA-384 for EC384) in GnuTLS's native form (DER for ECDSA, PKCS#1 v1.5
 * for RSA); returns 0 with `*sig` (caller frees with free()) and its
 * length, or -1 with `err` set. */
int crypto_sign(const struct crypto_key *k, const void *data, size_t len,
    unsigned char **sig, size_t *sig_len, struct err *err);

/* Builds a PKCS#10 request signed by `k` for `names` (DNS names, or IPv4
 * and IPv6 literals which become iPAddress SANs): every name is a SAN and
 * the first DNS name is also the CN when it fits in 64 characters.
 * Returns the DER (caller frees with free()) and its length, or NULL. */
unsigned char *crypto_csr_der(const struct crypto_key *k,
    const char *const *names, size_t n_names, size_t *der_len,
    struct err *err);

#include "certinfo.h"

#endif
