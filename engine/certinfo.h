/*
 * certinfo: X.509 certificates as a plain struct, and the checks a
 * certificate and its chain pass before they may go live.
 *
 * What a CA sends is untrusted: chains are split strictly (certificates
 * only, nothing between blocks), the leaf is found by our own key, and a
 * leaf is checked against the key, the names and sane dates.
 */
#ifndef CERTDECK_CERTINFO_H
#define CERTDECK_CERTINFO_H

#include <stddef.h>
#include <time.h>

#include "err.h"

struct crypto_key;

/* Most certificates a chain may hold, leaf included. */
#define CRYPTO_CHAIN_MAX 10

/* Longest certificate or chain input accepted, PEM or DER; ten
 * certificates are far below it. */
#define CRYPTO_PEM_MAX (1024 * 1024)

struct crypto_cert_info {
	char *subject, *issuer;		/* RFC 4514 DN strings */
	char *issuer_cn;		/* CN of the issuer or NULL */
	char **names;			/* dNSName and iPAddress SANs as text */
	size_t n_names;
	time_t not_before, not_after;
	char serial_hex[129];		/* lowercase hex, no separators */
	unsigned char serial[64];
	size_t serial_len;
	unsigned char aki[64];		/* authority key identifier, if any */
	size_t aki_len;
	char key_type[32];		/* "ECDSA P-256", "RSA 2048"... */
	char sha256_hex[65];		/* fingerprint of the DER */
};

/* Decodes the first certificate of a PEM text to DER (checked to parse);
 * `*der` is the caller's to free(). 0, or -1 with `err` set. */
int crypto_cert_pem_to_der(const char *pem, size_t len, unsigned char **der,
    size_t *der_len, struct err *err);

/* Parses the first certificate of a PEM text into `out`; 0, or -1 with
 * `err` set. Release `out` with crypto_cert_info_free. */
int crypto_cert_parse_pem(const char *pem, size_t len,
    struct crypto_cert_info *out, struct err *err);

/* Parses a DER certificate into `out`; 0, or -1 with `err` set. Release
 * `out` with crypto_cert_info_free. */
int crypto_cert_parse_der(const unsigned char *der, size_t len,
    struct crypto_cert_info *out, struct err *err);

/* Frees what the parse functions allocated and zeroes the struct; the
 * struct itself is the caller's. */
void crypto_cert_info_free(struct crypto_cert_info *info);

/* Splits an application/pem-certificate-chain into the leaf (the
 * certificate holding `key`'s public key) and the intermediates ordered
 * issuer by issuer from it, exact duplicates dropped. The whole input is
 * refused on any non-CERTIFICATE block, text outside blocks, a block that
 * does not parse, more than CRYPTO_CHAIN_MAX certificates or none, no leaf,
 * or a certificate outside the path. Returns 0 with `*leaf_pem` and
 * `*chain_pem` (possibly "") newly allocated for the caller to free, or
 * -1 with `err` set. */
int crypto_chain_split(const char *pem, size_t len,
    const struct crypto_key *key, char **leaf_pem, char **chain_pem,
    struct err *err);

/* Checks a leaf before it may become current: its public key is `key`'s,
 * its SAN set equals `names` (DNS names case-insensitive, order-free),
 * not_before <= now + 1 day, not_after > now, not_after > not_before and
 * a validity under 10 years. Returns 0, or -1 with an error naming the
 * failed check and both values. */
int crypto_cert_check(const char *leaf_pem, size_t len,
    const struct crypto_key *key, const char *const *names, size_t n_names,
    time_t now, struct err *err);

/* Verifies leaf + chain (chain may be NULL or "") up to a root in
 * `root_pem`, with every certificate on the path valid at `now`; 0, or -1
 * with GnuTLS's reason. */
int crypto_chain_verify(const char *leaf_pem, const char *chain_pem,
    const char *root_pem, time_t now, struct err *err);

/* Verifies the certificates a TLS peer sent (PEM each, in its order) the
 * way the connection did: against `ca_file`, or the system store when
 * NULL, for `host` (a DNS name or an IP address; NULL skips the name) as a
 * TLS server, at the current time. Returns 0 when GnuTLS finds nothing
 * wrong, or -1 with GnuTLS's reason ("The certificate is NOT trusted. The
 * certificate issuer is unknown."). */
int crypto_peer_verify(const char *const *pem, size_t n, const char *ca_file,
    const char *host, struct err *err);

/* Sets `*match` to whether the DER certificate holds `key`'s public key;
 * `hex` (may be NULL) receives the SHA-256 of the certificate's
 * SubjectPublicKeyInfo in hex. Returns 0, or -1 with `err` set. */
int crypto_cert_key_matches(const unsigned char *der, size_t der_len,
    const struct crypto_key *key, int *match, char hex[65], struct err *err);

/* Formats `t` as ISO 8601 UTC ("2025-01-31T12:00:00Z") into `out`;
 * returns `out`. */
const char *crypto_time_text(time_t t, char *out, size_t size);

/* Copies at most `size` - 1 bytes of untrusted text into `out` for an
 * error message, every byte outside printable ASCII shown as '?';
 * returns `out`. */
const char *crypto_ascii_text(const char *p, size_t n, char *out, size_t size);

#endif
