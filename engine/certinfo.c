/*
 * certinfo: certificate parsing, chain splitting and the checks before a
 * certificate goes live, on GnuTLS (see certinfo.h).
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <gnutls/x509-ext.h>

#include "buf.h"
#include "crypto.h"


static void
certinfo_hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

const char *
crypto_time_text(time_t t, char *out, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, size, "@%lld", (long long)t);
	return out;
}

const char *
crypto_ascii_text(const char *p, size_t n, char *out, size_t size)
{
	size_t i;

	for (i = 0; i < n && i + 1 < size; i++)
		out[i] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
	out[i] = '\0';
	return out;
}

static char *
certinfo_strndup(const void *p, size_t n, struct err *err)
{
	char *s;

	if ((s = malloc(n + 1)) == NULL) {
		err_nomem(err, "certificate field");
		return NULL;
	}
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* ---------------------------------------------------------------- parse */

static int
certinfo_dns(gnutls_x509_crt_t crt, struct crypto_cert_info *out,
    struct err *err)
{
	gnutls_datum_t d;
	int rc;

	/* An empty subject, with the names in a critical SAN, is valid
	 * (RFC 5280 §4.2.1.6): Let's Encrypt's short-lived profile issues
	 * exactly that. */
	rc = gnutls_x509_crt_get_dn3(crt, &d, 0);
	if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
		d.data = NULL;
		d.size = 0;
	} else if (rc < 0)
		return crypto_gnutls_err(err, "certificate subject", rc);
	out->subject = certinfo_strndup(d.data, d.size, err);
	gnutls_free(d.data);
	if (out->subject == NULL)
		return -1;
	if ((rc = gnutls_x509_crt_get_issuer_dn3(crt, &d, 0)) < 0)
		return crypto_gnutls_err(err, "certificate issuer", rc);
	out->issuer = certinfo_strndup(d.data, d.size, err);
	gnutls_free(d.data);
	return out->issuer == NULL ? -1 : 0;
}

static int
certinfo_issuer_cn(gnutls_x509_crt_t crt, struct crypto_cert_info *out,
    struct err *err)
{
	size_t size = 0;
	int rc;

	rc = gnutls_x509_crt_get_issuer_dn_by_oid(crt,
	    GNUTLS_OID_X520_COMMON_NAME, 0, 0, NULL, &size);
	if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return 0;
	if (rc != GNUTLS_E_SHORT_MEMORY_BUFFER && rc < 0)
		return crypto_gnutls_err(err, "certificate issuer CN", rc);
	if ((out->issuer_cn = calloc(1, size + 1)) == NULL)
		return err_nomem(err, "issuer CN");
	rc = gnutls_x509_crt_get_issuer_dn_by_oid(crt,
	    GNUTLS_OID_X520_COMMON_NAME, 0, 0, out->issuer_cn, &size);
	if (rc < 0)
		return crypto_gnutls_err(err, "certificate issuer CN", rc);
	return 0;
}

/* One SAN as text: a DNS name as it is (an embedded NUL refused), an IP
 * address in inet_ntop form; other SAN types are skipped. */
static int
certinfo_add_san(struct crypto_cert_info *out, unsigned int type,
    const gnutls_datum_t *d, struct err *err)
{
	char ip[INET6_ADDRSTRLEN], *s;
	char **names;

	if (type == GNUTLS_SAN_DNSNAME) {
		if (memchr(d->data, '\0', d->size) != NULL)
			return err_set(err, ERR_CRYPTO, "certificate: DNS name "
			    "with a NUL byte");
		s = certinfo_strndup(d->data, d->size, err);
	} else if (type == GNUTLS_SAN_IPADDRESS) {
		if (d->size != 4 && d->size != 16)
			return err_set(err, ERR_CRYPTO, "certificate: IP address "
			    "SAN of %u bytes", d->size);
		inet_ntop(d->size == 4 ? AF_INET : AF_INET6, d->data, ip, sizeof ip);
		s = certinfo_strndup(ip, strlen(ip), err);
	} else
		return 0;
	if (s == NULL)
		return -1;
	names = realloc(out->names, (out->n_names + 1) * sizeof *names);
	if (names == NULL) {
		free(s);
		return err_nomem(err, "certificate names");
	}
	out->names = names;
	out->names[out->n_names++] = s;
	return 0;
}

static int
certinfo_sans(gnutls_x509_crt_t crt, struct crypto_cert_info *out,
    struct err *err)
{
	gnutls_subject_alt_names_t sans = NULL;
	gnutls_datum_t ext = { NULL, 0 }, d;
	unsigned int i, critical, type;
	int rc, ret = -1;

	rc = gnutls_x509_crt_get_extension_by_oid2(crt, GNUTLS_X509EXT_OID_SAN,
	    0, &ext, &critical);
	if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return 0;
	if (rc < 0)
		return crypto_gnutls_err(err, "certificate SAN extension", rc);
	if ((rc = gnutls_subject_alt_names_init(&sans)) < 0 ||
	    (rc = gnutls_x509_ext_import_subject_alt_names(&ext, sans, 0)) < 0) {
		crypto_gnutls_err(err, "certificate SAN extension", rc);
		goto out;
	}
	for (i = 0;; i++) {
		rc = gnutls_subject_alt_names_get(sans, i, &type, &d, NULL);
		if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (rc < 0) {
			crypto_gnutls_err(err, "certificate SAN", rc);
			goto out;
		}
		if (certinfo_add_san(out, type, &d, err) == -1)
			goto out;
	}
	ret = 0;
out:
	if (sans != NULL)
		gnutls_subject_alt_names_deinit(sans);
	gnutls_free(ext.data);
	return ret;
}

static int
certinfo_ids(gnutls_x509_crt_t crt, struct crypto_cert_info *out,
    struct err *err)
{
	unsigned int critical;
	size_t size;
	int rc;

	size = sizeof out->serial;
	if ((rc = gnutls_x509_crt_get_serial(crt, out->serial, &size)) < 0)
		return crypto_gnutls_err(err, "certificate serial", rc);
	out->serial_len = size;
	certinfo_hex(out->serial, size, out->serial_hex);
	size = sizeof out->aki;
	rc = gnutls_x509_crt_get_authority_key_id(crt, out->aki, &size, &critical);
	if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		size = 0;
	else if (rc < 0)
		return crypto_gnutls_err(err, "certificate authority key id", rc);
	out->aki_len = size;
	return 0;
}

static int
certinfo_key_type(gnutls_x509_crt_t crt, struct crypto_cert_info *out,
    struct err *err)
{
	unsigned int bits = 0;
	int pk;

	if ((pk = gnutls_x509_crt_get_pk_algorithm(crt, &bits)) < 0)
		return crypto_gnutls_err(err, "certificate key", pk);
	if (pk == GNUTLS_PK_ECDSA)
		snprintf(out->key_type, sizeof out->key_type, "ECDSA P-%u", bits);
	else if (pk == GNUTLS_PK_RSA)
		snprintf(out->key_type, sizeof out->key_type, "RSA %u", bits);
	else
		snprintf(out->key_type, sizeof out->key_type, "%s",
		    gnutls_pk_get_name((gnutls_pk_algorithm_t)pk));
	return 0;
}

static int
certinfo_fill(gnutls_x509_crt_t crt, const gnutls_datum_t *der,
    struct crypto_cert_info *out, struct err *err)
{
	unsigned char md[32];
	size_t size = sizeof md;
	int rc;

	memset(out, 0, sizeof *out);
	if (certinfo_dns(crt, out, err) == -1 ||
	    certinfo_issuer_cn(crt, out, err) == -1 ||
	    certinfo_sans(crt, out, err) == -1 ||
	    certinfo_ids(crt, out, err) == -1 ||
	    certinfo_key_type(crt, out, err) == -1)
		goto fail;
	out->not_before = gnutls_x509_crt_get_activation_time(crt);
	out->not_after = gnutls_x509_crt_get_expiration_time(crt);
	if (out->not_before == (time_t)-1 || out->not_after == (time_t)-1) {
		err_set(err, ERR_CRYPTO, "certificate: unreadable validity dates");
		goto fail;
	}
	if ((rc = gnutls_fingerprint(GNUTLS_DIG_SHA256, der, md, &size)) < 0) {
		crypto_gnutls_err(err, "certificate fingerprint", rc);
		goto fail;
	}
	certinfo_hex(md, size, out->sha256_hex);
	return 0;
fail:
	crypto_cert_info_free(out);
	return -1;
}

static int
certinfo_import_der(gnutls_x509_crt_t *crt, const gnutls_datum_t *der,
    struct err *err)
{
	int rc;

	if ((rc = gnutls_x509_crt_init(crt)) < 0)
		return crypto_gnutls_err(err, "gnutls_x509_crt_init", rc);
	if ((rc = gnutls_x509_crt_import(*crt, der, GNUTLS_X509_FMT_DER)) < 0) {
		gnutls_x509_crt_deinit(*crt);
		*crt = NULL;
		return crypto_gnutls_err(err, "parse certificate", rc);
	}
	return 0;
}

/* Decodes the first CERTIFICATE block of `pem` into `der` (gnutls-allocated)
 * and parses it. */
static int
certinfo_import_pem(gnutls_x509_crt_t *crt, gnutls_datum_t *der,
    const char *pem, size_t len, struct err *err)
{
	gnutls_datum_t in;
	int rc;

	if (len > CRYPTO_PEM_MAX)
		return err_set(err, ERR_CRYPTO, "certificate PEM of %zu bytes "
		    "exceeds %d", len, CRYPTO_PEM_MAX);
	in.data = (unsigned char *)(uintptr_t)pem;
	in.size = (unsigned int)len;
	if ((rc = gnutls_pem_base64_decode2("CERTIFICATE", &in, der)) < 0)
		return crypto_gnutls_err(err, "certificate PEM", rc);
	if (certinfo_import_der(crt, der, err) == -1) {
		gnutls_free(der->data);
		der->data = NULL;
		return -1;
	}
	return 0;
}

int
crypto_cert_parse_der(const unsigned char *der, size_t len,
    struct crypto_cert_info *out, struct err *err)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t d;
	int rc;

	memset(out, 0, sizeof *out);
	if (len > CRYPTO_PEM_MAX)
		return err_set(err, ERR_CRYPTO, "certificate of %zu bytes is "
		    "too large", len);
	d.data = (unsigned char *)(uintptr_t)der;
	d.size = (unsigned int)len;
	if (certinfo_import_der(&crt, &d, err) == -1)
		return -1;
	rc = certinfo_fill(crt, &d, out, err);
	gnutls_x509_crt_deinit(crt);
	return rc;
}

int
crypto_cert_pem_to_der(const char *pem, size_t len, unsigned char **der,
    size_t *der_len, struct err *err)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t d;

	*der = NULL;
	if (certinfo_import_pem(&crt, &d, pem, len, err) == -1)
		return -1;
	gnutls_x509_crt_deinit(crt);
	if ((*der = malloc(d.size ? d.size : 1)) == NULL) {
		gnutls_free(d.data);
		return err_nomem(err, "certificate DER");
	}
	memcpy(*der, d.data, d.size);
	*der_len = d.size;
	gnutls_free(d.data);
	return 0;
}

int
crypto_cert_parse_pem(const char *pem, size_t len,
    struct crypto_cert_info *out, struct err *err)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t der;
	int rc;

	memset(out, 0, sizeof *out);
	if (certinfo_import_pem(&crt, &der, pem, len, err) == -1)
		return -1;
	rc = certinfo_fill(crt, &der, out, err);
	gnutls_x509_crt_deinit(crt);
	gnutls_free(der.data);
	return rc;
}

void
crypto_cert_info_free(struct crypto_cert_info *info)
{
	size_t i;

	if (info == NULL)
		return;
	free(info->subject);
	free(info->issuer);
	free(info->issuer_cn);
	for (i = 0; i < info->n_names; i++)
		free(info->names[i]);
	free(info->names);
	memset(info, 0, sizeof *info);
}

/* ---------------------------------------------------------------- keys */

static int
certinfo_spki(const unsigned char *der, size_t der_len, gnutls_datum_t *spki,
    struct err *err)
{
	gnutls_x509_crt_t crt;
	gnutls_pubkey_t pub;
	gnutls_datum_t d;
	int rc;

	d.data = (unsigned char *)(uintptr_t)der;
	d.size = (unsigned int)der_len;
	if (der_len > CRYPTO_PEM_MAX)
		return err_set(err, ERR_CRYPTO, "certificate too large");
	if (certinfo_import_der(&crt, &d, err) == -1)
		return -1;
	if ((rc = gnutls_pubkey_init(&pub)) < 0) {
		gnutls_x509_crt_deinit(crt);
		return crypto_gnutls_err(err, "gnutls_pubkey_init", rc);
	}
	if ((rc = gnutls_pubkey_import_x509(pub, crt, 0)) == 0)
		rc = gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, spki);
	gnutls_pubkey_deinit(pub);
	gnutls_x509_crt_deinit(crt);
	if (rc < 0)
		return crypto_gnutls_err(err, "certificate public key", rc);
	return 0;
}

int
crypto_cert_key_matches(const unsigned char *der, size_t der_len,
    const struct crypto_key *key, int *match, char hex[65], struct err *err)
{
	gnutls_datum_t have;
	unsigned char *want, md[32];
	size_t want_len;

	if (crypto_key_public_der(key, &want, &want_len, err) == -1)
		return -1;
	if (certinfo_spki(der, der_len, &have, err) == -1) {
		free(want);
		return -1;
	}
	*match = have.size == want_len && memcmp(have.data, want, want_len) == 0;
	if (hex != NULL && gnutls_hash_fast(GNUTLS_DIG_SHA256, have.data,
	    have.size, md) == 0)
		certinfo_hex(md, sizeof md, hex);
	gnutls_free(have.data);
	free(want);
	return 0;
}

/* ---------------------------------------------------------------- checks */

/* Ten years, and a day of clock skew allowed on not_before. */
#define CERTINFO_MAX_VALIDITY ((time_t)3653 * 86400)
#define CERTINFO_SKEW ((time_t)86400)

/* The form two names compare in: IP literals as inet_ntop prints them,
 * DNS names lower-cased (ASCII only, whatever the locale). Returns -1 for
 * a name too long to be one we asked for. */
static int
certinfo_canon(const char *name, char *out, size_t size)
{
	unsigned char ip[16];
	size_t i, n = strlen(name);

	if (inet_pton(AF_INET, name, ip) == 1)
		return inet_ntop(AF_INET, ip, out, (socklen_t)size) ? 0 : -1;
	if (inet_pton(AF_INET6, name, ip) == 1)
		return inet_ntop(AF_INET6, ip, out, (socklen_t)size) ? 0 : -1;
	if (n >= size)
		return -1;
	for (i = 0; i <= n; i++)
		out[i] = name[i] >= 'A' && name[i] <= 'Z' ?
		    (char)(name[i] - 'A' + 'a') : name[i];
	return 0;
}

/* True when `name` is in `set`, compared in canonical form. */
static int
certinfo_name_in(const char *name, const char *const *set, size_t n)
{
	char a[256], b[256];
	size_t i;

	if (certinfo_canon(name, a, sizeof a) == -1)
		return 0;
	for (i = 0; i < n; i++)
		if (certinfo_canon(set[i], b, sizeof b) == 0 && strcmp(a, b) == 0)
			return 1;
	return 0;
}

static const char *
certinfo_join(const char *const *names, size_t n, char *out, size_t size)
{
	size_t i, used = 0;
	char safe[256];
	int w;

	out[0] = '\0';
	for (i = 0; i < n && used < size; i++) {
		crypto_ascii_text(names[i], strlen(names[i]), safe, sizeof safe);
		w = snprintf(out + used, size - used, "%s%s", i ? ", " : "", safe);
		used += w < 0 ? size : (size_t)w;
	}
	return out;
}

static int
certinfo_check_names(const struct crypto_cert_info *info,
    const char *const *names, size_t n_names, struct err *err)
{
	const char *const *have = (const char *const *)info->names;
	char lh[400], lw[400], safe[256];
	const char *odd = NULL, *why = NULL;
	size_t i;

	for (i = 0; i < n_names && odd == NULL; i++)
		if (!certinfo_name_in(names[i], have, info->n_names)) {
			odd = names[i];
			why = "missing";
		}
	for (i = 0; i < info->n_names && odd == NULL; i++)
		if (!certinfo_name_in(have[i], names, n_names)) {
			odd = have[i];
			why = "unexpected";
		}
	if (odd == NULL)
		return 0;
	return err_set(err, ERR_CRYPTO, "names differ (%s %s): certificate has "
	    "[%s], requested [%s]", why,
	    crypto_ascii_text(odd, strlen(odd), safe, sizeof safe),
	    certinfo_join(have, info->n_names, lh, sizeof lh),
	    certinfo_join(names, n_names, lw, sizeof lw));
}

static int
certinfo_check_dates(const struct crypto_cert_info *info, time_t now,
    struct err *err)
{
	char a[32], b[32];

	crypto_time_text(info->not_before, a, sizeof a);
	crypto_time_text(info->not_after, b, sizeof b);
	if (info->not_after <= info->not_before)
		return err_set(err, ERR_CRYPTO, "not_after %s is not after "
		    "not_before %s", b, a);
	if (info->not_after - info->not_before >= CERTINFO_MAX_VALIDITY)
		return err_set(err, ERR_CRYPTO, "validity from %s to %s is ten "
		    "years or more", a, b);
	crypto_time_text(now, b, sizeof b);
	if (info->not_before > now + CERTINFO_SKEW)
		return err_set(err, ERR_CRYPTO, "not yet valid: not_before %s "
		    "is more than a day after now (%s)", a, b);
	crypto_time_text(info->not_after, a, sizeof a);
	if (info->not_after <= now)
		return err_set(err, ERR_CRYPTO, "expired: not_after %s is not "
		    "after now (%s)", a, b);
	return 0;
}

static int
certinfo_check_key(const gnutls_datum_t *der, const struct crypto_key *key,
    struct err *err)
{
	unsigned char *spki, md[32];
	char have[65] = "?", want[65] = "?";
	size_t spki_len;
	int match;

	if (crypto_cert_key_matches(der->data, der->size, key, &match, have,
	    err) == -1)
		return -1;
	if (match)
		return 0;
	if (crypto_key_public_der(key, &spki, &spki_len, err) == -1)
		return -1;
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, spki, spki_len, md) == 0)
		certinfo_hex(md, sizeof md, want);
	free(spki);
	return err_set(err, ERR_CRYPTO, "public key differs: certificate key "
	    "sha256 %s, our key sha256 %s", have, want);
}

int
crypto_cert_check(const char *leaf_pem, size_t len,
    const struct crypto_key *key, const char *const *names, size_t n_names,
    time_t now, struct err *err)
{
	struct crypto_cert_info info;
	gnutls_x509_crt_t crt;
	gnutls_datum_t der;
	int rc;

	if (certinfo_import_pem(&crt, &der, leaf_pem, len, err) == -1)
		return err_prefix(err, "check certificate");
	rc = certinfo_fill(crt, &der, &info, err);
	if (rc == 0) {
		rc = certinfo_check_key(&der, key, err);
		if (rc == 0)
			rc = certinfo_check_names(&info, names, n_names, err);
		if (rc == 0)
			rc = certinfo_check_dates(&info, now, err);
		crypto_cert_info_free(&info);
	}
	gnutls_x509_crt_deinit(crt);
	gnutls_free(der.data);
	return rc == 0 ? 0 : err_prefix(err, "check certificate");
}
