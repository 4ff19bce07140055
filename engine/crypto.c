/*
 * crypto: key generation, loading and saving, signatures and CSRs on
 * GnuTLS (see crypto.h).
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "crypto.h"

struct crypto_key {
	enum crypto_key_type type;
	gnutls_x509_privkey_t x509;	/* kept for PKCS#8 export */
	gnutls_privkey_t priv;		/* refers to x509 */
	gnutls_pubkey_t pub;
};

static const struct {
	const char *name;
	enum crypto_key_type type;
} crypto_type_names[] = {
	{ "ec256", CRYPTO_KEY_EC256 },
	{ "ec384", CRYPTO_KEY_EC384 },
	{ "rsa2048", CRYPTO_KEY_RSA2048 },
	{ "rsa3072", CRYPTO_KEY_RSA3072 },
	{ "rsa4096", CRYPTO_KEY_RSA4096 },
	{ "p256", CRYPTO_KEY_EC256 },
	{ "p384", CRYPTO_KEY_EC384 },
	{ "ecdsa-p256", CRYPTO_KEY_EC256 },
	{ "ecdsa-p384", CRYPTO_KEY_EC384 },
};
#define CRYPTO_N_TYPE_NAMES (sizeof crypto_type_names / sizeof crypto_type_names[0])
/* The first five entries are the canonical names, in enum order. */
#define CRYPTO_N_TYPES 5

/* ASCII only: a key type name must not depend on the locale. */
static int
crypto_ascii_casecmp(const char *a, const char *b)
{
	unsigned char ca, cb;

	do {
		ca = (unsigned char)*a++;
		cb = (unsigned char)*b++;
		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
	} while (ca == cb && ca != '\0');
	return ca - cb;
}

int
crypto_key_type_parse(const char *name, enum crypto_key_type *out,
    struct err *err)
{
	size_t i;

	for (i = 0; name != NULL && i < CRYPTO_N_TYPE_NAMES; i++) {
		if (crypto_ascii_casecmp(name, crypto_type_names[i].name) == 0) {
			*out = crypto_type_names[i].type;
			return 0;
		}
	}
	return err_set(err, ERR_CONFIG, "unknown key type \"%s\": valid types "
	    "are ec256, ec384, rsa2048, rsa3072, rsa4096 (also p256, p384, "
	    "ecdsa-p256, ecdsa-p384)", name == NULL ? "" : name);
}

const char *
crypto_key_type_name(enum crypto_key_type t)
{
	if (t >= CRYPTO_KEY_EC256 && t <= CRYPTO_KEY_RSA4096)
		return crypto_type_names[t - CRYPTO_KEY_EC256].name;
	return "unknown";
}

int
crypto_gnutls_err(struct err *err, const char *where, int rc)
{
	return err_set(err, ERR_CRYPTO, "%s: %s", where, gnutls_strerror(rc));
}

/* Copies a GnuTLS datum into a malloc'd buffer with a NUL after it, so
 * callers free with free() and never meet gnutls_free(). */
static void *
crypto_datum_dup(const gnutls_datum_t *d, struct err *err)
{
	unsigned char *p;

	if ((p = malloc((size_t)d->size + 1)) == NULL) {
		err_nomem(err, "crypto buffer");
		return NULL;
	}
	memcpy(p, d->data, d->size);
	p[d->size] = '\0';
	return p;
}

int
crypto_sha256(const void *data, size_t len, unsigned char md[32], struct err *err)
{
	int rc = gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, md);

	return rc < 0 ? crypto_gnutls_err(err, "SHA-256", rc) : 0;
}

void
crypto_key_free(struct crypto_key *k)
{
	if (k == NULL)
		return;
	if (k->pub != NULL)
		gnutls_pubkey_deinit(k->pub);
	if (k->priv != NULL)
		gnutls_privkey_deinit(k->priv);
	if (k->x509 != NULL)
		gnutls_x509_privkey_deinit(k->x509);
	free(k);
}

/* Works out the type of a loaded key; unknown algorithms, curves and
 * sizes are refused so nothing downstream meets a key it cannot sign
 * with. */
static int
crypto_key_classify(gnutls_x509_privkey_t x, enum crypto_key_type *out,
    struct err *err)
{
	unsigned int bits = 0;
	int pk;

	pk = gnutls_x509_privkey_get_pk_algorithm2(x, &bits);
	if (pk == GNUTLS_PK_ECDSA && bits == 256)
		*out = CRYPTO_KEY_EC256;
	else if (pk == GNUTLS_PK_ECDSA && bits == 384)
		*out = CRYPTO_KEY_EC384;
	else if (pk == GNUTLS_PK_RSA && bits == 2048)
		*out = CRYPTO_KEY_RSA2048;
	else if (pk == GNUTLS_PK_RSA && bits == 3072)
		*out = CRYPTO_KEY_RSA3072;
	else if (pk == GNUTLS_PK_RSA && bits == 4096)
		*out = CRYPTO_KEY_RSA4096;
	else if (pk < 0)
		return crypto_gnutls_err(err, "key algorithm", pk);
	else
		return err_set(err, ERR_CRYPTO, "unsupported key: %s with %u bits "
		    "(supported: ECDSA P-256, P-384, RSA 2048, 3072, 4096)",
		    gnutls_pk_get_name((gnutls_pk_algorithm_t)pk), bits);
	return 0;
}

/* Takes ownership of `x` and wraps it with its abstract private and
 * public halves. */
static struct crypto_key *
crypto_key_wrap(gnutls_x509_privkey_t x, enum crypto_key_type t,
    struct err *err)
{
	struct crypto_key *k;
	int rc;

	if ((k = calloc(1, sizeof *k)) == NULL) {
		gnutls_x509_privkey_deinit(x);
		err_nomem(err, "key");
		return NULL;
	}
	k->type = t;
	k->x509 = x;
	if ((rc = gnutls_privkey_init(&k->priv)) < 0 ||
	    (rc = gnutls_privkey_import_x509(k->priv, x, 0)) < 0) {
		crypto_gnutls_err(err, "gnutls_privkey_import_x509", rc);
		goto fail;
	}
	if ((rc = gnutls_pubkey_init(&k->pub)) < 0 ||
	    (rc = gnutls_pubkey_import_privkey(k->pub, k->priv, 0, 0)) < 0) {
		crypto_gnutls_err(err, "gnutls_pubkey_import_privkey", rc);
		goto fail;
	}
	return k;
fail:
	crypto_key_free(k);
	return NULL;
}

struct crypto_key *
crypto_key_generate(enum crypto_key_type t, struct err *err)
{
	gnutls_x509_privkey_t x;
	gnutls_pk_algorithm_t pk = GNUTLS_PK_RSA;
	unsigned int bits;
	int rc;

	switch (t) {
	case CRYPTO_KEY_EC256:
		pk = GNUTLS_PK_ECDSA;
		bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1);
		break;
	case CRYPTO_KEY_EC384:
		pk = GNUTLS_PK_ECDSA;
		bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1);
		break;
	case CRYPTO_KEY_RSA2048:
		bits = 2048;
		break;
	case CRYPTO_KEY_RSA3072:
		bits = 3072;
		break;
	case CRYPTO_KEY_RSA4096:
		bits = 4096;
		break;
	default:
		err_set(err, ERR_CRYPTO, "generate key: unknown key type %d", (int)t);
		return NULL;
	}
	if ((rc = gnutls_x509_privkey_init(&x)) < 0) {
		crypto_gnutls_err(err, "gnutls_x509_privkey_init", rc);
		return NULL;
	}
	if ((rc = gnutls_x509_privkey_generate2(x, pk, bits, 0, NULL, 0)) < 0) {
		gnutls_x509_privkey_deinit(x);
		err_set(err, ERR_CRYPTO, "generate %s key: %s",
		    crypto_key_type_name(t), gnutls_strerror(rc));
		return NULL;
	}
	return crypto_key_wrap(x, t, err);
}

struct crypto_key *
crypto_key_load_pem(const char *pem, size_t len, struct err *err)
{
	gnutls_x509_privkey_t x;
	gnutls_datum_t d;
	enum crypto_key_type t = CRYPTO_KEY_EC256;
	int rc;

	if (len > CRYPTO_PEM_MAX) {
		err_set(err, ERR_CRYPTO, "load private key: %zu bytes is too "
		    "large", len);
		return NULL;
	}
	d.data = (unsigned char *)(uintptr_t)pem;
	d.size = (unsigned int)len;
	if ((rc = gnutls_x509_privkey_init(&x)) < 0) {
		crypto_gnutls_err(err, "gnutls_x509_privkey_init", rc);
		return NULL;
	}
	/* No password: an encrypted key is refused, never prompted for. */
	rc = gnutls_x509_privkey_import2(x, &d, GNUTLS_X509_FMT_PEM, NULL,
	    GNUTLS_PKCS_PLAIN);
	if (rc < 0) {
		crypto_gnutls_err(err, "load private key: no unencrypted PEM key", rc);
		goto fail;
	}
	if (crypto_key_classify(x, &t, err) == -1) {
		err_prefix(err, "load private key");
		goto fail;
	}
	if ((rc = gnutls_x509_privkey_verify_params(x)) < 0) {
		crypto_gnutls_err(err, "load private key: inconsistent key", rc);
		goto fail;
	}
	return crypto_key_wrap(x, t, err);
fail:
	gnutls_x509_privkey_deinit(x);
	return NULL;
}

char *
crypto_key_to_pem(const struct crypto_key *k, size_t *len, struct err *err)
{
	gnutls_datum_t out;
	char *pem;
	int rc;

	rc = gnutls_x509_privkey_export2_pkcs8(k->x509, GNUTLS_X509_FMT_PEM,
	    NULL, GNUTLS_PKCS_PLAIN, &out);
	if (rc < 0) {
		crypto_gnutls_err(err, "export private key", rc);
		return NULL;
	}
	pem = crypto_datum_dup(&out, err);
	if (pem != NULL && len != NULL)
		*len = out.size;
	gnutls_memset(out.data, 0, out.size);
	gnutls_free(out.data);
	return pem;
}

enum crypto_key_type
crypto_key_get_type(const struct crypto_key *k)
{
	return k->type;
}

int
crypto_key_public_der(const struct crypto_key *k, unsigned char **der,
    size_t *der_len, struct err *err)
{
	gnutls_datum_t out;
	int rc;

	if ((rc = gnutls_pubkey_export2(k->pub, GNUTLS_X509_FMT_DER, &out)) < 0)
		return crypto_gnutls_err(err, "export public key", rc);
	*der = crypto_datum_dup(&out, err);
	*der_len = out.size;
	gnutls_free(out.data);
	return *der == NULL ? -1 : 0;
}

int
crypto_pad_be(const unsigned char *in, size_t in_len, size_t width,
    unsigned char *out, struct err *err)
{
	while (in_len > 0 && *in == 0) {
		in++;
		in_len--;
	}
	if (in_len > width)
		return err_set(err, ERR_CRYPTO, "number of %zu bytes exceeds %zu",
		    in_len, width);
	memset(out, 0, width - in_len);
	memcpy(out + width - in_len, in, in_len);
	return 0;
}

size_t
crypto_key_field_size(const struct crypto_key *k)
{
	switch (k->type) {
	case CRYPTO_KEY_EC256:
		return 32;
	case CRYPTO_KEY_EC384:
		return 48;
	case CRYPTO_KEY_RSA2048:
		return 256;
	case CRYPTO_KEY_RSA3072:
		return 384;
	default:
		return 512;
	}
}

static int
crypto_raw_ec(const struct crypto_key *k, struct crypto_pubraw *out,
    struct err *err)
{
	gnutls_datum_t x = { NULL, 0 }, y = { NULL, 0 };
	gnutls_ecc_curve_t curve;
	size_t w = crypto_key_field_size(k);
	int rc;

	rc = gnutls_pubkey_export_ecc_raw2(k->pub, &curve, &x, &y, 0);
	if (rc < 0)
		return crypto_gnutls_err(err, "export EC public key", rc);
	out->kty = "EC";
	out->crv = k->type == CRYPTO_KEY_EC256 ? "P-256" : "P-384";
	out->a = malloc(w);
	out->b = malloc(w);
	out->a_len = out->b_len = w;
	rc = 0;
	if (out->a == NULL || out->b == NULL)
		rc = err_nomem(err, "EC coordinates");
	else if (crypto_pad_be(x.data, x.size, w, out->a, err) == -1 ||
	    crypto_pad_be(y.data, y.size, w, out->b, err) == -1)
		rc = err_prefix(err, "EC public key");
	gnutls_free(x.data);
	gnutls_free(y.data);
	return rc;
}

static int
crypto_raw_rsa(const struct crypto_key *k, struct crypto_pubraw *out,
    struct err *err)
{
	gnutls_datum_t n = { NULL, 0 }, e = { NULL, 0 };
	int rc;

	rc = gnutls_pubkey_export_rsa_raw2(k->pub, &n, &e, GNUTLS_EXPORT_FLAG_NO_LZ);
	if (rc < 0)
		return crypto_gnutls_err(err, "export RSA public key", rc);
	out->kty = "RSA";
	out->crv = NULL;
	out->a = crypto_datum_dup(&n, err);
	out->a_len = n.size;
	out->b = crypto_datum_dup(&e, err);
	out->b_len = e.size;
	gnutls_free(n.data);
	gnutls_free(e.data);
	return out->a == NULL || out->b == NULL ? -1 : 0;
}

int
crypto_key_public_raw(const struct crypto_key *k, struct crypto_pubraw *out,
    struct err *err)
{
	int rc;

	memset(out, 0, sizeof *out);
	if (k->type == CRYPTO_KEY_EC256 || k->type == CRYPTO_KEY_EC384)
		rc = crypto_raw_ec(k, out, err);
	else
		rc = crypto_raw_rsa(k, out, err);
	if (rc == -1)
		crypto_pubraw_free(out);
	return rc;
}

void
crypto_pubraw_free(struct crypto_pubraw *raw)
{
	if (raw == NULL)
		return;
	free(raw->a);
	free(raw->b);
	memset(raw, 0, sizeof *raw);
}

static gnutls_digest_algorithm_t
crypto_key_digest(const struct crypto_key *k)
{
	return k->type == CRYPTO_KEY_EC384 ? GNUTLS_DIG_SHA384 : GNUTLS_DIG_SHA256;
}

int
crypto_sign(const struct crypto_key *k, const void *data, size_t len,
    unsigned char **sig, size_t *sig_len, struct err *err)
{
	gnutls_sign_algorithm_t algo = GNUTLS_SIGN_RSA_SHA256;
	gnutls_datum_t in, out;
	int rc;

	if (k->type == CRYPTO_KEY_EC256)
		algo = GNUTLS_SIGN_ECDSA_SHA256;
	else if (k->type == CRYPTO_KEY_EC384)
		algo = GNUTLS_SIGN_ECDSA_SHA384;
	if (len > UINT32_MAX)
		return err_set(err, ERR_CRYPTO, "sign: %zu bytes is too much", len);
	in.data = (unsigned char *)(uintptr_t)data;
	in.size = (unsigned int)len;
	if ((rc = gnutls_privkey_sign_data2(k->priv, algo, 0, &in, &out)) < 0)
		return crypto_gnutls_err(err, "gnutls_privkey_sign_data2", rc);
	*sig = crypto_datum_dup(&out, err);
	*sig_len = out.size;
	gnutls_free(out.data);
	return *sig == NULL ? -1 : 0;
}

/* Adds one name as a SAN: an IP literal as iPAddress (raw 4 or 16
 * bytes), anything else as dNSName. Sets `*is_dns`. */
static int
crypto_csr_add_name(gnutls_x509_crq_t crq, const char *name, int *is_dns,
    struct err *err)
{
	unsigned char ip[16];
	size_t n = strlen(name);
	int rc;

	*is_dns = 0;
	if (n == 0 || n > 253)
		return err_set(err, ERR_CONFIG, "CSR: name \"%.64s\" has length "
		    "%zu (1 to 253 allowed)", name, n);
	if (inet_pton(AF_INET, name, ip) == 1)
		rc = gnutls_x509_crq_set_subject_alt_name(crq,
		    GNUTLS_SAN_IPADDRESS, ip, 4, GNUTLS_FSAN_APPEND);
	else if (inet_pton(AF_INET6, name, ip) == 1)
		rc = gnutls_x509_crq_set_subject_alt_name(crq,
		    GNUTLS_SAN_IPADDRESS, ip, 16, GNUTLS_FSAN_APPEND);
	else {
		*is_dns = 1;
		rc = gnutls_x509_crq_set_subject_alt_name(crq,
		    GNUTLS_SAN_DNSNAME, name, (unsigned int)n, GNUTLS_FSAN_APPEND);
	}
	if (rc < 0)
		return err_set(err, ERR_CRYPTO, "CSR: add name %s: %s", name,
		    gnutls_strerror(rc));
	return 0;
}

static int
crypto_csr_fill(gnutls_x509_crq_t crq, const struct crypto_key *k,
    const char *const *names, size_t n_names, struct err *err)
{
	const char *cn = NULL;
	size_t i;
	int rc, is_dns;

	if (n_names == 0)
		return err_set(err, ERR_CONFIG, "CSR: no names");
	if ((rc = gnutls_x509_crq_set_version(crq, 1)) < 0)
		return crypto_gnutls_err(err, "CSR: set version", rc);
	for (i = 0; i < n_names; i++) {
		if (crypto_csr_add_name(crq, names[i], &is_dns, err) == -1)
			return -1;
		if (is_dns && cn == NULL)
			cn = names[i];
	}
	/* The CN is limited to 64 characters (RFC 5280 ub-common-name);
	 * a longer first name stays a SAN only. */
	if (cn != NULL && strlen(cn) <= 64 &&
	    (rc = gnutls_x509_crq_set_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME,
	    0, cn, (unsigned int)strlen(cn))) < 0)
		return crypto_gnutls_err(err, "CSR: set common name", rc);
	if ((rc = gnutls_x509_crq_set_pubkey(crq, k->pub)) < 0)
		return crypto_gnutls_err(err, "CSR: set public key", rc);
	if ((rc = gnutls_x509_crq_privkey_sign(crq, k->priv,
	    crypto_key_digest(k), 0)) < 0)
		return crypto_gnutls_err(err, "CSR: sign", rc);
	return 0;
}

unsigned char *
crypto_csr_der(const struct crypto_key *k, const char *const *names,
    size_t n_names, size_t *der_len, struct err *err)
{
	gnutls_x509_crq_t crq;
	gnutls_datum_t out;
	unsigned char *der = NULL;
	int rc;

	if ((rc = gnutls_x509_crq_init(&crq)) < 0) {
		crypto_gnutls_err(err, "gnutls_x509_crq_init", rc);
		return NULL;
	}
	if (crypto_csr_fill(crq, k, names, n_names, err) == 0) {
		rc = gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, &out);
		if (rc < 0)
			crypto_gnutls_err(err, "CSR: export", rc);
		else {
			der = crypto_datum_dup(&out, err);
			*der_len = out.size;
			gnutls_free(out.data);
		}
	}
	gnutls_x509_crq_deinit(crq);
	return der;
}
