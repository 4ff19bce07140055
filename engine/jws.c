/*
 * jws: JWS signing, JWK, thumbprints, EAB and key authorizations (see
 * jws.h). Signatures come from crypto; this file turns them into what
 * JOSE expects.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "b64url.h"
#include "jws.h"

/* Sets a string member; jansson refuses text that is not UTF-8, which a
 * nonce or URL from the CA might be. */
static int
jws_set(json_t *obj, const char *key, const char *val, struct err *err)
{
	json_t *s;

	if ((s = json_string(val)) == NULL)
		return err_set(err, ERR_PROTO, "JWS: %s is not valid UTF-8 text", key);
	if (json_object_set_new(obj, key, s) == -1)
		return err_nomem(err, "JWS member");
	return 0;
}

static int
jws_set_b64(json_t *obj, const char *key, const void *data, size_t len,
    struct err *err)
{
	char *s;
	int rc;

	if ((s = b64url_encode(data, len, err)) == NULL)
		return -1;
	rc = jws_set(obj, key, s, err);
	free(s);
	return rc;
}

static char *
jws_dump(const json_t *obj, size_t flags, struct err *err)
{
	char *s;

	if ((s = json_dumps(obj, JSON_COMPACT | flags)) == NULL)
		err_nomem(err, "JSON text");
	return s;
}

json_t *
jws_jwk_raw(const struct crypto_pubraw *raw, struct err *err)
{
	json_t *jwk;
	int rc;

	if ((jwk = json_object()) == NULL) {
		err_nomem(err, "JWK");
		return NULL;
	}
	if (raw->crv != NULL)
		rc = jws_set(jwk, "crv", raw->crv, err) == -1 ||
		    jws_set(jwk, "kty", "EC", err) == -1 ||
		    jws_set_b64(jwk, "x", raw->a, raw->a_len, err) == -1 ||
		    jws_set_b64(jwk, "y", raw->b, raw->b_len, err) == -1;
	else
		rc = jws_set_b64(jwk, "e", raw->b, raw->b_len, err) == -1 ||
		    jws_set(jwk, "kty", "RSA", err) == -1 ||
		    jws_set_b64(jwk, "n", raw->a, raw->a_len, err) == -1;
	if (rc) {
		json_decref(jwk);
		return NULL;
	}
	return jwk;
}

json_t *
jws_jwk(const struct crypto_key *k, struct err *err)
{
	struct crypto_pubraw raw;
	json_t *jwk;

	if (crypto_key_public_raw(k, &raw, err) == -1)
		return NULL;
	jwk = jws_jwk_raw(&raw, err);
	crypto_pubraw_free(&raw);
	return jwk;
}

char *
jws_thumbprint_raw(const struct crypto_pubraw *raw, struct err *err)
{
	unsigned char md[32];
	json_t *jwk;
	char *text, *out = NULL;
	int rc;

	if ((jwk = jws_jwk_raw(raw, err)) == NULL)
		return NULL;
	/* RFC 7638 §3.3: members in lexicographic order, no whitespace; the
	 * values are base64url and fixed names, so nothing needs escaping. */
	text = jws_dump(jwk, JSON_SORT_KEYS, err);
	json_decref(jwk);
	if (text == NULL)
		return NULL;
	if ((rc = gnutls_hash_fast(GNUTLS_DIG_SHA256, text, strlen(text), md)) < 0)
		crypto_gnutls_err(err, "thumbprint", rc);
	else
		out = b64url_encode(md, sizeof md, err);
	free(text);
	return out;
}

char *
jws_thumbprint(const struct crypto_key *k, struct err *err)
{
	struct crypto_pubraw raw;
	char *out;

	if (crypto_key_public_raw(k, &raw, err) == -1)
		return NULL;
	out = jws_thumbprint_raw(&raw, err);
	crypto_pubraw_free(&raw);
	return out;
}

const char *
jws_alg(const struct crypto_key *k)
{
	switch (crypto_key_get_type(k)) {
	case CRYPTO_KEY_EC256:
		return "ES256";
	case CRYPTO_KEY_EC384:
		return "ES384";
	default:
		return "RS256";
	}
}

/* The encoded parts of a JWS: base64url of the protected header and the
 * payload, and the signing input "protected.payload". */
struct jws_parts {
	char *prot, *payload, *input;
};

static void
jws_parts_free(struct jws_parts *p)
{
	free(p->prot);
	free(p->payload);
	free(p->input);
}

static int
jws_parts_make(struct jws_parts *p, const json_t *header, const char *payload,
    struct err *err)
{
	char *text;
	size_t a, b;

	memset(p, 0, sizeof *p);
	if ((text = jws_dump(header, 0, err)) == NULL)
		return -1;
	p->prot = b64url_encode(text, strlen(text), err);
	free(text);
	if (p->prot == NULL ||
	    (p->payload = b64url_encode(payload, strlen(payload), err)) == NULL)
		goto fail;
	a = strlen(p->prot);
	b = strlen(p->payload);
	if ((p->input = malloc(a + b + 2)) == NULL) {
		err_nomem(err, "JWS signing input");
		goto fail;
	}
	memcpy(p->input, p->prot, a);
	p->input[a] = '.';
	memcpy(p->input + a + 1, p->payload, b + 1);
	return 0;
fail:
	jws_parts_free(p);
	return -1;
}

/* The flattened serialization object of signed parts. */
static json_t *
jws_flattened(const struct jws_parts *p, const unsigned char *sig,
    size_t sig_len, struct err *err)
{
	json_t *obj;

	if ((obj = json_object()) == NULL) {
		err_nomem(err, "JWS");
		return NULL;
	}
	if (jws_set(obj, "protected", p->prot, err) == -1 ||
	    jws_set(obj, "payload", p->payload, err) == -1 ||
	    jws_set_b64(obj, "signature", sig, sig_len, err) == -1) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* JWS ECDSA signatures (RFC 7518 §3.4) are R||S, each half zero-padded
 * to the curve size, where GnuTLS produces a DER SEQUENCE. */
static int
jws_ecdsa_rs(const struct crypto_key *k, unsigned char **sig, size_t *sig_len,
    struct err *err)
{
	gnutls_datum_t der, r = { NULL, 0 }, s = { NULL, 0 };
	size_t w = crypto_key_field_size(k);
	unsigned char *rs;
	int rc;

	der.data = *sig;
	der.size = (unsigned int)*sig_len;
	if ((rc = gnutls_decode_rs_value(&der, &r, &s)) < 0)
		return crypto_gnutls_err(err, "gnutls_decode_rs_value", rc);
	rc = -1;
	if ((rs = malloc(2 * w)) == NULL)
		err_nomem(err, "signature");
	else if (crypto_pad_be(r.data, r.size, w, rs, err) == 0 &&
	    crypto_pad_be(s.data, s.size, w, rs + w, err) == 0) {
		free(*sig);
		*sig = rs;
		*sig_len = 2 * w;
		rs = NULL;
		rc = 0;
	}
	free(rs);
	gnutls_free(r.data);
	gnutls_free(s.data);
	return rc;
}

static json_t *
jws_header(const struct crypto_key *k, const char *kid, const char *nonce,
    const char *url, struct err *err)
{
	json_t *h, *jwk;

	if ((h = json_object()) == NULL) {
		err_nomem(err, "JWS header");
		return NULL;
	}
	if (jws_set(h, "alg", jws_alg(k), err) == -1 ||
	    (nonce != NULL && jws_set(h, "nonce", nonce, err) == -1) ||
	    jws_set(h, "url", url, err) == -1 ||
	    (kid != NULL && jws_set(h, "kid", kid, err) == -1))
		goto fail;
	if (kid == NULL) {
		if ((jwk = jws_jwk(k, err)) == NULL)
			goto fail;
		if (json_object_set_new(h, "jwk", jwk) == -1) {
			err_nomem(err, "JWS header");
			goto fail;
		}
	}
	return h;
fail:
	json_decref(h);
	return NULL;
}

char *
jws_sign(const struct crypto_key *k, const char *kid, const char *nonce,
    const char *url, const char *payload, struct err *err)
{
	struct jws_parts p;
	unsigned char *sig = NULL;
	size_t sig_len;
	json_t *h, *obj = NULL;
	char *out = NULL;
	int rc;

	if ((h = jws_header(k, kid, nonce, url, err)) == NULL)
		return NULL;
	rc = jws_parts_make(&p, h, payload, err);
	json_decref(h);
	if (rc == -1)
		return NULL;
	if (crypto_sign(k, p.input, strlen(p.input), &sig, &sig_len, err) == 0 &&
	    (jws_alg(k)[0] != 'E' || jws_ecdsa_rs(k, &sig, &sig_len, err) == 0) &&
	    (obj = jws_flattened(&p, sig, sig_len, err)) != NULL)
		out = jws_dump(obj, 0, err);
	json_decref(obj);
	free(sig);
	jws_parts_free(&p);
	return out;
}

json_t *
jws_eab(const unsigned char *hmac_key, size_t hmac_len, const char *eab_kid,
    const char *url, const struct crypto_key *account_key, struct err *err)
{
	struct jws_parts p;
	unsigned char mac[32];
	json_t *h, *jwk, *obj = NULL;
	char *jwk_text;
	int rc;

	if (hmac_len == 0) {
		err_set(err, ERR_CONFIG, "EAB: empty HMAC key");
		return NULL;
	}
	if ((h = json_object()) == NULL) {
		err_nomem(err, "EAB header");
		return NULL;
	}
	if (jws_set(h, "alg", "HS256", err) == -1 ||
	    jws_set(h, "kid", eab_kid, err) == -1 ||
	    jws_set(h, "url", url, err) == -1 ||
	    (jwk = jws_jwk(account_key, err)) == NULL) {
		json_decref(h);
		return NULL;
	}
	jwk_text = jws_dump(jwk, 0, err);
	json_decref(jwk);
	rc = jwk_text == NULL ? -1 : jws_parts_make(&p, h, jwk_text, err);
	json_decref(h);
	free(jwk_text);
	if (rc == -1)
		return NULL;
	if ((rc = gnutls_hmac_fast(GNUTLS_MAC_SHA256, hmac_key, hmac_len,
	    p.input, strlen(p.input), mac)) < 0)
		crypto_gnutls_err(err, "EAB: HMAC", rc);
	else
		obj = jws_flattened(&p, mac, sizeof mac, err);
	jws_parts_free(&p);
	return obj;
}

char *
jws_key_authorization(const struct crypto_key *k, const char *token,
    struct err *err)
{
	char *thumb, *out;
	size_t a, b;

	if (!b64url_is_valid(token)) {
		err_set(err, ERR_PROTO, "key authorization: token is not base64url");
		return NULL;
	}
	if ((thumb = jws_thumbprint(k, err)) == NULL)
		return NULL;
	a = strlen(token);
	b = strlen(thumb);
	if ((out = malloc(a + b + 2)) == NULL)
		err_nomem(err, "key authorization");
	else {
		memcpy(out, token, a);
		out[a] = '.';
		memcpy(out + a + 1, thumb, b + 1);
	}
	free(thumb);
	return out;
}
