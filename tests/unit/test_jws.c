/*
 * Unit tests for jws: every signature is verified with GnuTLS against a
 * public key rebuilt from the JWK members alone, so a wrong signature
 * format or a wrong JWK fails here; plus the RFC 7638 thumbprint example,
 * external account binding and key authorizations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>

#include "b64url.h"
#include "jws.h"

static struct crypto_key *keys[CRYPTO_KEY_RSA2048 + 1];

static int
setup(void **state)
{
	struct err err;
	int t;

	(void)state;
	for (t = CRYPTO_KEY_EC256; t <= CRYPTO_KEY_RSA2048; t++)
		if ((keys[t] = crypto_key_generate(t, &err)) == NULL)
			return -1;
	return 0;
}

static int
teardown(void **state)
{
	int t;

	(void)state;
	for (t = CRYPTO_KEY_EC256; t <= CRYPTO_KEY_RSA2048; t++)
		crypto_key_free(keys[t]);
	return 0;
}

/* Decodes a base64url string member into a datum (gnutls-free not needed:
 * malloc'd, freed by the caller with free()). */
static gnutls_datum_t
member_b64(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	gnutls_datum_t d;
	struct err err;
	size_t n;

	assert_non_null(s);
	d.data = b64url_decode(s, strlen(s), &n, &err);
	assert_non_null(d.data);
	d.size = (unsigned int)n;
	return d;
}

static json_t *
member_json(const json_t *obj, const char *key)
{
	gnutls_datum_t d = member_b64(obj, key);
	json_error_t jerr;
	json_t *j;

	j = json_loadb((char *)d.data, d.size, 0, &jerr);
	if (j == NULL)
		fail_msg("%s is not JSON: %s", key, jerr.text);
	free(d.data);
	return j;
}

/* Rebuilds a public key from nothing but the JWK members. */
static gnutls_pubkey_t
pubkey_from_jwk(const json_t *jwk)
{
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	const char *crv = json_string_value(json_object_get(jwk, "crv"));
	gnutls_datum_t a, b;
	gnutls_pubkey_t pub;

	assert_non_null(kty);
	assert_int_equal(gnutls_pubkey_init(&pub), 0);
	if (strcmp(kty, "EC") == 0) {
		assert_int_equal(json_object_size(jwk), 4);
		a = member_b64(jwk, "x");
		b = member_b64(jwk, "y");
		assert_int_equal(a.size, strcmp(crv, "P-256") == 0 ? 32 : 48);
		assert_int_equal(b.size, a.size);
		assert_int_equal(gnutls_pubkey_import_ecc_raw(pub,
		    strcmp(crv, "P-256") == 0 ? GNUTLS_ECC_CURVE_SECP256R1 :
		    GNUTLS_ECC_CURVE_SECP384R1, &a, &b), 0);
	} else {
		assert_string_equal(kty, "RSA");
		assert_int_equal(json_object_size(jwk), 3);
		a = member_b64(jwk, "n");
		b = member_b64(jwk, "e");
		assert_int_not_equal(a.data[0], 0);
		assert_int_equal(gnutls_pubkey_import_rsa_raw(pub, &a, &b), 0);
	}
	free(a.data);
	free(b.data);
	return pub;
}

/* Verifies a JWS signature as a JOSE consumer would: R||S for ECDSA. */
static int
verify_sig(gnutls_pubkey_t pub, const char *alg, const char *input,
    const gnutls_datum_t *sig)
{
	gnutls_datum_t data = { (unsigned char *)(uintptr_t)input,
	    (unsigned int)strlen(input) }, r, s, der;
	gnutls_sign_algorithm_t algo;
	int rc;

	if (strcmp(alg, "RS256") == 0)
		return gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_RSA_SHA256, 0,
		    &data, sig);
	algo = strcmp(alg, "ES256") == 0 ? GNUTLS_SIGN_ECDSA_SHA256 :
	    GNUTLS_SIGN_ECDSA_SHA384;
	assert_int_equal(sig->size, strcmp(alg, "ES256") == 0 ? 64 : 96);
	r.data = sig->data;
	r.size = s.size = sig->size / 2;
	s.data = sig->data + r.size;
	assert_int_equal(gnutls_encode_rs_value(&der, &r, &s), 0);
	rc = gnutls_pubkey_verify_data2(pub, algo, 0, &data, &der);
	gnutls_free(der.data);
	return rc;
}

/* Checks a flattened JWS from jws_sign completely; returns nothing, fails
 * the test on any difference. */
static void
check_jws(const struct crypto_key *k, const char *text, const char *kid,
    const char *nonce, const char *url, const char *payload)
{
	json_t *jws, *prot, *jwk, *want_jwk;
	gnutls_datum_t pay, sig;
	gnutls_pubkey_t pub;
	json_error_t jerr;
	char *input;
	struct err err;
	size_t n;

	jws = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	assert_non_null(jws);
	assert_int_equal(json_object_size(jws), 3);
	prot = member_json(jws, "protected");
	assert_string_equal(json_string_value(json_object_get(prot, "alg")),
	    jws_alg(k));
	assert_string_equal(json_string_value(json_object_get(prot, "url")), url);
	if (nonce != NULL)
		assert_string_equal(json_string_value(json_object_get(prot,
		    "nonce")), nonce);
	else
		assert_null(json_object_get(prot, "nonce"));
	want_jwk = jws_jwk(k, &err);
	assert_non_null(want_jwk);
	if (kid != NULL) {
		assert_string_equal(json_string_value(json_object_get(prot,
		    "kid")), kid);
		assert_null(json_object_get(prot, "jwk"));
		jwk = want_jwk;
	} else {
		assert_null(json_object_get(prot, "kid"));
		jwk = json_object_get(prot, "jwk");
		assert_true(json_equal(jwk, want_jwk));
	}
	assert_int_equal(json_object_size(prot), nonce != NULL ? 4 : 3);
	pay = member_b64(jws, "payload");
	assert_int_equal(pay.size, strlen(payload));
	assert_memory_equal(pay.data, payload, pay.size);
	free(pay.data);

	n = strlen(json_string_value(json_object_get(jws, "protected")));
	input = malloc(n + strlen(json_string_value(json_object_get(jws,
	    "payload"))) + 2);
	assert_non_null(input);
	strcpy(input, json_string_value(json_object_get(jws, "protected")));
	strcat(input, ".");
	strcat(input, json_string_value(json_object_get(jws, "payload")));
	pub = pubkey_from_jwk(jwk);
	sig = member_b64(jws, "signature");
	assert_true(verify_sig(pub, jws_alg(k), input, &sig) >= 0);
	/* The same signature over other bytes must not verify. */
	input[0] ^= 1;
	assert_true(verify_sig(pub, jws_alg(k), input, &sig) < 0);
	free(sig.data);
	free(input);
	gnutls_pubkey_deinit(pub);
	json_decref(want_jwk);
	json_decref(prot);
	json_decref(jws);
}

static void
test_sign_all_algorithms(void **state)
{
	static const char *algs[] = { NULL, "ES256", "ES384", "RS256" };
	static const char *url = "https://ca.example/acme/new-order";
	static const char *payload =
	    "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.example\"}]}";
	struct err err;
	char *text;
	int t, i;

	(void)state;
	for (t = CRYPTO_KEY_EC256; t <= CRYPTO_KEY_RSA2048; t++) {
		assert_string_equal(jws_alg(keys[t]), algs[t]);
		/* ECDSA signatures vary in length as DER: sign a few times so a
		 * short R or S would show up as a bad pad. */
		for (i = 0; i < 8; i++) {
			text = jws_sign(keys[t], "https://ca.example/acct/1",
			    "nonce-abc_123", url, payload, &err);
			assert_non_null(text);
			check_jws(keys[t], text, "https://ca.example/acct/1",
			    "nonce-abc_123", url, payload);
			free(text);
		}
		text = jws_sign(keys[t], NULL, "n0nce", url, payload, &err);
		assert_non_null(text);
		check_jws(keys[t], text, NULL, "n0nce", url, payload);
		free(text);
	}
}

static void
test_post_as_get_and_no_nonce(void **state)
{
	const struct crypto_key *k = keys[CRYPTO_KEY_EC256];
	struct err err;
	json_t *jws;
	char *text;

	(void)state;
	text = jws_sign(k, "https://ca.example/acct/1", "n", "https://ca.example/o/1",
	    "", &err);
	assert_non_null(text);
	check_jws(k, text, "https://ca.example/acct/1", "n",
	    "https://ca.example/o/1", "");
	jws = json_loads(text, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(jws, "payload")), "");
	json_decref(jws);
	free(text);
	/* The inner JWS of a key change has no nonce. */
	text = jws_sign(k, NULL, NULL, "https://ca.example/key-change", "{}", &err);
	assert_non_null(text);
	check_jws(k, text, NULL, NULL, "https://ca.example/key-change", "{}");
	free(text);
	/* A nonce that is not UTF-8 cannot go into JSON. */
	err_clear(&err);
	assert_null(jws_sign(k, NULL, "\xff\xfe", "https://ca.example/x", "", &err));
	assert_int_equal(err.code, ERR_PROTO);
}

static void
test_thumbprint_rfc7638_example(void **state)
{
	static const char *n64 =
	    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
	struct crypto_pubraw raw = { .kty = "RSA", .crv = NULL };
	struct err err;
	char *thumb;

	(void)state;
	raw.a = b64url_decode(n64, strlen(n64), &raw.a_len, &err);
	raw.b = b64url_decode("AQAB", 4, &raw.b_len, &err);
	assert_non_null(raw.a);
	assert_non_null(raw.b);
	thumb = jws_thumbprint_raw(&raw, &err);
	assert_non_null(thumb);
	assert_string_equal(thumb, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	free(thumb);
	crypto_pubraw_free(&raw);
}

static void
test_thumbprint_of_keys(void **state)
{
	unsigned char md[32];
	struct err err;
	json_t *jwk;
	char *canon, *thumb, *want, prefix[64];
	int t;

	(void)state;
	for (t = CRYPTO_KEY_EC256; t <= CRYPTO_KEY_RSA2048; t++) {
		jwk = jws_jwk(keys[t], &err);
		assert_non_null(jwk);
		canon = json_dumps(jwk, JSON_COMPACT | JSON_SORT_KEYS);
		/* The canonical member order and form of RFC 7638 §3.2. */
		if (t == CRYPTO_KEY_RSA2048)
			strcpy(prefix, "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"");
		else
			snprintf(prefix, sizeof prefix, "{\"crv\":\"P-%s\",\"kty\":"
			    "\"EC\",\"x\":\"", t == CRYPTO_KEY_EC256 ? "256" : "384");
		assert_memory_equal(canon, prefix, strlen(prefix));
		assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, canon,
		    strlen(canon), md), 0);
		want = b64url_encode(md, sizeof md, &err);
		thumb = jws_thumbprint(keys[t], &err);
		assert_non_null(thumb);
		assert_string_equal(thumb, want);
		assert_int_equal(strlen(thumb), 43);
		free(thumb);
		free(want);
		free(canon);
		json_decref(jwk);
	}
}

static void
test_eab(void **state)
{
	static const unsigned char hmac_key[] = "a secret shared with the CA, 32b";
	const struct crypto_key *k = keys[CRYPTO_KEY_EC384];
	unsigned char mac[32];
	gnutls_datum_t sig;
	json_t *eab, *prot, *payload, *jwk;
	struct err err;
	char input[2048];

	(void)state;
	eab = jws_eab(hmac_key, 32, "kid-1", "https://ca.example/new-acct", k, &err);
	assert_non_null(eab);
	assert_int_equal(json_object_size(eab), 3);
	prot = member_json(eab, "protected");
	assert_int_equal(json_object_size(prot), 3);
	assert_string_equal(json_string_value(json_object_get(prot, "alg")), "HS256");
	assert_string_equal(json_string_value(json_object_get(prot, "kid")), "kid-1");
	assert_string_equal(json_string_value(json_object_get(prot, "url")),
	    "https://ca.example/new-acct");
	payload = member_json(eab, "payload");
	jwk = jws_jwk(k, &err);
	assert_true(json_equal(payload, jwk));
	snprintf(input, sizeof input, "%s.%s",
	    json_string_value(json_object_get(eab, "protected")),
	    json_string_value(json_object_get(eab, "payload")));
	assert_int_equal(gnutls_hmac_fast(GNUTLS_MAC_SHA256, hmac_key, 32, input,
	    strlen(input), mac), 0);
	sig = member_b64(eab, "signature");
	assert_int_equal(sig.size, 32);
	assert_memory_equal(sig.data, mac, 32);
	free(sig.data);
	json_decref(jwk);
	json_decref(payload);
	json_decref(prot);
	json_decref(eab);

	err_clear(&err);
	assert_null(jws_eab(hmac_key, 0, "kid-1", "https://ca.example/new-acct", k,
	    &err));
	assert_int_equal(err.code, ERR_CONFIG);
}

static void
test_key_authorization(void **state)
{
	static const char *token = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
	const struct crypto_key *k = keys[CRYPTO_KEY_EC256];
	char *ka, *thumb, want[128];
	struct err err;

	(void)state;
	thumb = jws_thumbprint(k, &err);
	assert_non_null(thumb);
	snprintf(want, sizeof want, "%s.%s", token, thumb);
	ka = jws_key_authorization(k, token, &err);
	assert_non_null(ka);
	assert_string_equal(ka, want);
	free(ka);
	free(thumb);
	err_clear(&err);
	assert_null(jws_key_authorization(k, "../../etc/passwd", &err));
	assert_int_equal(err.code, ERR_PROTO);
	assert_null(jws_key_authorization(k, "", &err));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_all_algorithms),
		cmocka_unit_test(test_post_as_get_and_no_nonce),
		cmocka_unit_test(test_thumbprint_rfc7638_example),
		cmocka_unit_test(test_thumbprint_of_keys),
		cmocka_unit_test(test_eab),
		cmocka_unit_test(test_key_authorization),
	};

	return cmocka_run_group_tests_name("jws", tests, setup, teardown);
}
