/*
 * jws: JSON Web Signatures as ACME needs them (RFC 7515 flattened JSON
 * serialization, RFC 8555 §6.2), the public JWK of a key and its RFC 7638
 * thumbprint, external account binding and key authorizations.
 */
#ifndef CERTDECK_JWS_H
#define CERTDECK_JWS_H

#include <jansson.h>

#include "crypto.h"
#include "err.h"

/* Returns the public JWK of `k` with only the RFC 7638 members (EC: crv,
 * kty, x, y; RSA: e, kty, n), or NULL; the caller json_decref()s. */
json_t *jws_jwk(const struct crypto_key *k, struct err *err);

/* Same from public numbers alone (a key known only by them). */
json_t *jws_jwk_raw(const struct crypto_pubraw *raw, struct err *err);

/* Returns the RFC 7638 thumbprint of `k`: base64url(SHA-256(canonical
 * JWK)); the caller frees it. NULL on error. */
char *jws_thumbprint(const struct crypto_key *k, struct err *err);

/* Same from public numbers alone. */
char *jws_thumbprint_raw(const struct crypto_pubraw *raw, struct err *err);

/* Returns the JWS algorithm of `k`: "ES256", "ES384" or "RS256" (static). */
const char *jws_alg(const struct crypto_key *k);

/* Signs `payload` (a JSON text, or "" for POST-as-GET) for `url` with the
 * protected header {alg, nonce, url, kid} (jwk in place of kid when `kid`
 * is NULL; no nonce when `nonce` is NULL, as the inner JWS of a key change
 * needs). Returns the flattened JSON serialization as a string the caller
 * frees, or NULL. ECDSA signatures are R||S, not DER. */
char *jws_sign(const struct crypto_key *k, const char *kid, const char *nonce,
    const char *url, const char *payload, struct err *err);

/* Builds the external account binding (RFC 8555 §7.3.4): an HS256 JWS
 * with protected {alg, kid: eab_kid, url} over the account's public JWK,
 * keyed with the decoded `hmac_key`. Returns the object for
 * "externalAccountBinding" (caller json_decref()s), or NULL. */
json_t *jws_eab(const unsigned char *hmac_key, size_t hmac_len,
    const char *eab_kid, const char *url, const struct crypto_key *account_key,
    struct err *err);

/* Returns the key authorization "token.thumbprint" (RFC 8555 §8.1) for a
 * token of the base64url alphabet; the caller frees it. NULL on error. */
char *jws_key_authorization(const struct crypto_key *k, const char *token,
    struct err *err);

#endif
