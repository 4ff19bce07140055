/*
 * chain: what a CA sends as a certificate chain, split strictly into the
 * leaf and its ordered intermediates, and verified up to a root (see
 * certinfo.h).
 */
#include "autoconfig.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "buf.h"
#include "crypto.h"

#define PEM_BEGIN "-----BEGIN "
#define PEM_CERT_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_CERT_END "-----END CERTIFICATE-----"

/* A certificate of a chain: parsed, with the DER it came from. */
struct chain_cert {
	gnutls_x509_crt_t crt;
	gnutls_datum_t der;	/* gnutls-allocated */
};

struct chain {
	struct chain_cert c[CRYPTO_CHAIN_MAX];
	size_t n;
};

/* The subject of a certificate for an error message. */
static const char *
chain_subject(gnutls_x509_crt_t crt, char *out, size_t size)
{
	gnutls_datum_t dn;

	out[0] = '\0';
	if (gnutls_x509_crt_get_dn3(crt, &dn, 0) == 0) {
		crypto_ascii_text((char *)dn.data, dn.size, out, size);
		gnutls_free(dn.data);
	}
	return out;
}

static void
chain_free(struct chain *ch)
{
	size_t i;

	for (i = 0; i < ch->n; i++) {
		gnutls_x509_crt_deinit(ch->c[i].crt);
		gnutls_free(ch->c[i].der.data);
	}
	ch->n = 0;
}

static int
chain_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
chain_has_prefix(const char *p, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(end - p) >= n && memcmp(p, prefix, n) == 0;
}

/* Finds the end of the PEM block starting at `p` (a "-----BEGIN " line):
 * the label must be CERTIFICATE, and the first "-----" after the BEGIN
 * line must open its END line. Returns the end, or NULL with `err` set. */
static const char *
chain_block_end(const char *p, const char *end, struct err *err)
{
	const char *label = p + strlen(PEM_BEGIN), *q, *eol;
	char safe[48];

	eol = memchr(p, '\n', (size_t)(end - p));
	if (eol == NULL)
		eol = end;
	q = memmem(label, (size_t)(eol - label), "-----", 5);
	if (q == NULL) {
		err_set(err, ERR_CRYPTO, "malformed PEM BEGIN line");
		return NULL;
	}
	if (!chain_has_prefix(p, end, PEM_CERT_BEGIN)) {
		crypto_ascii_text(label, (size_t)(q - label), safe, sizeof safe);
		err_set(err, ERR_CRYPTO, "PEM block \"%s\" is not a certificate", safe);
		return NULL;
	}
	q = memmem(eol, (size_t)(end - eol), "-----", 5);
	if (q == NULL || !chain_has_prefix(q, end, PEM_CERT_END)) {
		err_set(err, ERR_CRYPTO, "certificate block without its END line");
		return NULL;
	}
	return q + strlen(PEM_CERT_END);
}

/* Adds the block [p, q) to the chain unless an identical certificate is
 * already there. */
static int
chain_add(struct chain *ch, const char *p, const char *q,
    struct err *err)
{
	struct chain_cert *c = &ch->c[ch->n];
	gnutls_datum_t in;
	size_t i;
	int rc;

	in.data = (unsigned char *)(uintptr_t)p;
	in.size = (unsigned int)(q - p);
	if ((rc = gnutls_pem_base64_decode2("CERTIFICATE", &in, &c->der)) < 0)
		return crypto_gnutls_err(err, "certificate PEM", rc);
	for (i = 0; i < ch->n; i++) {
		if (ch->c[i].der.size == c->der.size &&
		    memcmp(ch->c[i].der.data, c->der.data, c->der.size) == 0) {
			gnutls_free(c->der.data);
			return 0;
		}
	}
	if ((rc = gnutls_x509_crt_init(&c->crt)) < 0 ||
	    (rc = gnutls_x509_crt_import(c->crt, &c->der, GNUTLS_X509_FMT_DER)) < 0) {
		if (c->crt != NULL)
			gnutls_x509_crt_deinit(c->crt);
		c->crt = NULL;
		gnutls_free(c->der.data);
		return crypto_gnutls_err(err, "parse certificate", rc);
	}
	ch->n++;
	return 0;
}

/* Reads every block of a PEM chain, refusing the whole input on anything
 * but certificates separated by whitespace. */
static int
chain_scan(const char *pem, size_t len, struct chain *ch,
    struct err *err)
{
	const char *p = pem, *end = pem + len, *q;
	size_t blocks = 0;

	if (len > CRYPTO_PEM_MAX)
		return err_set(err, ERR_CRYPTO, "chain of %zu bytes exceeds %d",
		    len, CRYPTO_PEM_MAX);
	for (;;) {
		while (p < end && chain_is_space(*p))
			p++;
		if (p == end)
			break;
		if (!chain_has_prefix(p, end, PEM_BEGIN))
			return err_set(err, ERR_CRYPTO, "text outside PEM blocks "
			    "at offset %zu", (size_t)(p - pem));
		if (++blocks > CRYPTO_CHAIN_MAX)
			return err_set(err, ERR_CRYPTO, "more than %d certificates",
			    CRYPTO_CHAIN_MAX);
		if ((q = chain_block_end(p, end, err)) == NULL ||
		    chain_add(ch, p, q, err) == -1)
			return err_prefix(err, "certificate %zu", blocks);
		p = q;
	}
	if (blocks == 0)
		return err_set(err, ERR_CRYPTO, "no certificate");
	return 0;
}

/* Finds the one certificate holding `key`; several are ambiguous. */
static int
chain_find_leaf(struct chain *ch, const struct crypto_key *key,
    size_t *leaf, struct err *err)
{
	size_t i, found = 0;
	int match;

	for (i = 0; i < ch->n; i++) {
		if (crypto_cert_key_matches(ch->c[i].der.data, ch->c[i].der.size,
		    key, &match, NULL, err) == -1)
			return -1;
		if (match && found++ == 0)
			*leaf = i;
	}
	if (found == 0)
		return err_set(err, ERR_CRYPTO, "no certificate for our key "
		    "among %zu", ch->n);
	if (found > 1)
		return err_set(err, ERR_CRYPTO, "%zu different certificates for "
		    "our key", found);
	return 0;
}

/* Orders the chain from the leaf, each next certificate the issuer of
 * the one before; `order` gets the indices. Leftovers are refused. */
static int
chain_order(struct chain *ch, size_t leaf, size_t *order,
    struct err *err)
{
	int used[CRYPTO_CHAIN_MAX] = { 0 };
	char dn[128];
	size_t n = 1, i, cur = leaf;

	order[0] = leaf;
	used[leaf] = 1;
	while (!gnutls_x509_crt_check_issuer(ch->c[cur].crt, ch->c[cur].crt)) {
		for (i = 0; i < ch->n; i++)
			if (!used[i] &&
			    gnutls_x509_crt_check_issuer(ch->c[cur].crt, ch->c[i].crt))
				break;
		if (i == ch->n)
			break;
		order[n++] = cur = i;
		used[i] = 1;
	}
	for (i = 0; i < ch->n; i++) {
		if (!used[i])
			return err_set(err, ERR_CRYPTO, "certificate \"%s\" is not "
			    "on the path from the leaf",
			    chain_subject(ch->c[i].crt, dn, sizeof dn));
	}
	return 0;
}

static int
chain_append_pem(struct buf *b, const gnutls_datum_t *der, struct err *err)
{
	gnutls_datum_t out;
	int rc;

	if ((rc = gnutls_pem_base64_encode2("CERTIFICATE", der, &out)) < 0)
		return crypto_gnutls_err(err, "encode certificate", rc);
	rc = buf_append(b, out.data, out.size, err);
	gnutls_free(out.data);
	return rc;
}

int
crypto_chain_split(const char *pem, size_t len, const struct crypto_key *key,
    char **leaf_pem, char **chain_pem, struct err *err)
{
	struct chain ch = { .n = 0 };
	struct buf leaf, chain;
	size_t order[CRYPTO_CHAIN_MAX], leaf_i = 0, i;
	int rc = -1;

	*leaf_pem = *chain_pem = NULL;
	buf_init(&leaf, 0);
	buf_init(&chain, 0);
	if (chain_scan(pem, len, &ch, err) == -1 ||
	    chain_find_leaf(&ch, key, &leaf_i, err) == -1 ||
	    chain_order(&ch, leaf_i, order, err) == -1)
		goto out;
	if (chain_append_pem(&leaf, &ch.c[leaf_i].der, err) == -1)
		goto out;
	for (i = 1; i < ch.n; i++)
		if (chain_append_pem(&chain, &ch.c[order[i]].der, err) == -1)
			goto out;
	if ((*leaf_pem = buf_steal(&leaf)) == NULL ||
	    (*chain_pem = buf_steal(&chain)) == NULL) {
		free(*leaf_pem);
		*leaf_pem = NULL;
		err_nomem(err, "chain");
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		err_prefix(err, "certificate chain");
	buf_free(&leaf);
	buf_free(&chain);
	chain_free(&ch);
	return rc;
}

static int
chain_valid_at(gnutls_x509_crt_t crt, time_t now, struct err *err)
{
	time_t nb = gnutls_x509_crt_get_activation_time(crt);
	time_t na = gnutls_x509_crt_get_expiration_time(crt);
	char a[32], b[32], c[32], dn[128];

	if (nb <= now && now < na)
		return 0;
	return err_set(err, ERR_CRYPTO, "certificate \"%s\" is valid from %s to "
	    "%s, not at %s", chain_subject(crt, dn, sizeof dn), crypto_time_text(nb, a, sizeof a),
	    crypto_time_text(na, b, sizeof b), crypto_time_text(now, c, sizeof c));
}

/* GnuTLS verifies against the clock only, so it checks signatures and
 * constraints with time checks off and the dates are checked here
 * against `now`, the trust anchor's included. */
static int
chain_verify_list(gnutls_x509_trust_list_t tl, gnutls_x509_crt_t *list,
    unsigned int n, time_t now, struct err *err)
{
	unsigned int status = 0, i;
	gnutls_x509_crt_t anchor;
	gnutls_datum_t out;
	int rc;

	rc = gnutls_x509_trust_list_verify_crt2(tl, list, n, NULL, 0,
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
	    GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS, &status, NULL);
	if (rc < 0)
		return crypto_gnutls_err(err, "verify", rc);
	if (status != 0) {
		if (gnutls_certificate_verification_status_print(status,
		    GNUTLS_CRT_X509, &out, 0) < 0)
			return err_set(err, ERR_CRYPTO, "not trusted (status %#x)",
			    status);
		err_set(err, ERR_CRYPTO, "%s", (char *)out.data);
		gnutls_free(out.data);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (chain_valid_at(list[i], now, err) == -1)
			return -1;
	if (gnutls_x509_trust_list_get_issuer(tl, list[n - 1], &anchor, 0) == 0)
		return chain_valid_at(anchor, now, err);
	return 0;
}

int
crypto_chain_verify(const char *leaf_pem, const char *chain_pem,
    const char *root_pem, time_t now, struct err *err)
{
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_x509_crt_t *list = NULL;
	gnutls_datum_t d;
	unsigned int n = 0, i;
	struct buf all;
	int rc = -1;

	buf_init(&all, CRYPTO_PEM_MAX);
	if (buf_puts(&all, leaf_pem, err) == -1 || buf_puts(&all, "\n", err) == -1 ||
	    (chain_pem != NULL && buf_puts(&all, chain_pem, err) == -1))
		goto out;
	d.data = (unsigned char *)all.data;
	d.size = (unsigned int)all.len;
	if ((rc = gnutls_x509_crt_list_import2(&list, &n, &d,
	    GNUTLS_X509_FMT_PEM, 0)) < 0) {
		rc = crypto_gnutls_err(err, "certificates", rc);
		goto out;
	}
	d.data = (unsigned char *)(uintptr_t)root_pem;
	d.size = (unsigned int)strlen(root_pem);
	if ((rc = gnutls_x509_trust_list_init(&tl, 0)) < 0 ||
	    (rc = gnutls_x509_trust_list_add_trust_mem(tl, &d, NULL,
	    GNUTLS_X509_FMT_PEM, 0, 0)) <= 0) {
		rc = rc == 0 ? err_set(err, ERR_CRYPTO, "no root certificate") :
		    crypto_gnutls_err(err, "root certificate", rc);
		goto out;
	}
	rc = chain_verify_list(tl, list, n, now, err);
out:
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(list[i]);
	gnutls_free(list);
	buf_free(&all);
	return rc == 0 ? 0 : err_prefix(err, "verify chain");
}

/* Trusts `ca_file`, or the system store when it is NULL: the same trust
 * libcurl was given for the connection. */
static int
peer_trust(gnutls_x509_trust_list_t tl, const char *ca_file, struct err *err)
{
	int rc;

	if (ca_file != NULL)
		rc = gnutls_x509_trust_list_add_trust_file(tl, ca_file, NULL,
		    GNUTLS_X509_FMT_PEM, 0, 0);
	else
		rc = gnutls_x509_trust_list_add_system_trust(tl, 0, 0);
	if (rc < 0)
		return crypto_gnutls_err(err, ca_file != NULL ? ca_file :
		    "system trust", rc);
	return 0;
}

int
crypto_peer_verify(const char *const *pem, size_t n, const char *ca_file,
    const char *host, struct err *err)
{
	gnutls_typed_vdata_st vd[2] = {
		{ .type = GNUTLS_DT_DNS_HOSTNAME, .data = (unsigned char *)(uintptr_t)host },
		{ .type = GNUTLS_DT_KEY_PURPOSE_OID,
		  .data = (unsigned char *)(uintptr_t)GNUTLS_KP_TLS_WWW_SERVER },
	};
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_x509_crt_t list[CRYPTO_CHAIN_MAX];
	unsigned int status = 0;
	gnutls_datum_t d, out;
	size_t i, k = 0;
	int rc = -1;

	if (n == 0 || n > CRYPTO_CHAIN_MAX)
		return err_set(err, ERR_CRYPTO, "%zu certificates from the peer", n);
	for (k = 0; k < n; k++) {
		d.data = (unsigned char *)(uintptr_t)pem[k];
		d.size = (unsigned int)strlen(pem[k]);
		if ((rc = gnutls_x509_crt_init(&list[k])) < 0)
			goto gnutls_fail;
		if ((rc = gnutls_x509_crt_import(list[k], &d, GNUTLS_X509_FMT_PEM)) < 0) {
			k++;
			goto gnutls_fail;
		}
	}
	if ((rc = gnutls_x509_trust_list_init(&tl, 0)) < 0)
		goto gnutls_fail;
	if ((rc = peer_trust(tl, ca_file, err)) < 0)
		goto out;
	/* In the peer's order: TLS puts the peer's own certificate first. */
	if ((rc = gnutls_x509_trust_list_verify_crt2(tl, list, (unsigned int)n,
	    vd, host != NULL ? 2 : 0, 0, &status, NULL)) < 0)
		goto gnutls_fail;
	rc = 0;
	if (status == 0)
		goto out;
	rc = -1;
	if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509,
	    &out, 0) < 0) {
		err_set(err, ERR_CRYPTO, "not trusted (status %#x)", status);
		goto out;
	}
	/* GnuTLS ends each sentence with a space. */
	for (i = out.size; i > 0 && out.data[i - 1] == ' '; i--)
		;
	err_set(err, ERR_CRYPTO, "%.*s", (int)i, (char *)out.data);
	gnutls_free(out.data);
	goto out;
gnutls_fail:
	rc = crypto_gnutls_err(err, "verify peer", rc);
out:
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
	for (i = 0; i < k; i++)
		gnutls_x509_crt_deinit(list[i]);
	return rc;
}
