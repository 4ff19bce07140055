/*
 * fuzz_pem: a CA's certificate chain (application/pem-certificate-chain)
 * through crypto_chain_split() with our key, the first certificate of it
 * through crypto_cert_parse_pem() and crypto_cert_pem_to_der(), and a leaf
 * that splits through crypto_cert_check().
 *
 * The key is fixed rather than generated at start-up: the seed chain's
 * leaf holds it, so the fuzzer starts from inputs that get past the leaf
 * search into path building and the checks after it. It is a test key
 * and protects nothing.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "fuzz.h"

/* 2026-12-01T00:00:00Z, inside the seed leaf's validity. */
#define NOW ((time_t)1796083200)

static const char key_pem[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHgCAQEEIQDh3X8isLAUYx4m0ceDcxS1H1vC5f1hGRIKS6/tGt3AMqAKBggqhkjO\n"
    "PQMBB6FEA0IABLe0//IAG0CI7Uf7jAHiZ5uIUTLyx4pWDxn51vrpDNVY67iOYIrZ\n"
    "8bicWcUoOGZZBx9vjIj96aj9ApqdPqmtg04=\n"
    "-----END EC PRIVATE KEY-----\n"
    ;

static struct crypto_key *key;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct err err;

	if ((key = crypto_key_load_pem(key_pem, sizeof key_pem - 1,
	    &err)) == NULL)
		fuzz_fail(err.msg);
	return 0;
}

/* The first certificate through both parsers: the DER that
 * crypto_cert_pem_to_der() returns must parse exactly as the PEM did. */
static void
fuzz_first_cert(const char *pem, size_t len)
{
	struct crypto_cert_info info, again;
	unsigned char *der;
	size_t der_len, i;
	struct err err;
	int parsed;

	memset(&info, 0, sizeof info);
	parsed = crypto_cert_parse_pem(pem, len, &info, &err) == 0;
	if (parsed) {
		FUZZ_CHECK(info.subject != NULL && info.issuer != NULL,
		    "certificate parsed without subject or issuer");
		for (i = 0; i < info.n_names; i++)
			FUZZ_CHECK(info.names[i] != NULL, "NULL name");
		FUZZ_CHECK(strlen(info.sha256_hex) == 64,
		    "fingerprint not 64 hex digits");
	}
	if (crypto_cert_pem_to_der(pem, len, &der, &der_len, &err) == 0) {
		memset(&again, 0, sizeof again);
		FUZZ_CHECK((crypto_cert_parse_der(der, der_len, &again,
		    &err) == 0) == parsed, "PEM and its DER parse differently");
		FUZZ_CHECK(!parsed || strcmp(info.sha256_hex,
		    again.sha256_hex) == 0, "PEM and its DER differ");
		crypto_cert_info_free(&again);
		free(der);
	} else
		FUZZ_CHECK(!parsed, "PEM parsed but has no DER");
	crypto_cert_info_free(&info);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"example.com", "www.example.com", "192.0.2.1"
	};
	const char *pem = (const char *)data;
	char *leaf = NULL, *chain = NULL;
	struct err err;

	fuzz_first_cert(pem, size);
	if (crypto_chain_split(pem, size, key, &leaf, &chain, &err) == -1) {
		FUZZ_CHECK(leaf == NULL && chain == NULL,
		    "refused chain left output behind");
		return 0;
	}
	FUZZ_CHECK(strncmp(leaf, "-----BEGIN CERTIFICATE-----", 27) == 0,
	    "leaf is not a PEM certificate");
	(void)crypto_cert_check(leaf, strlen(leaf), key, names, 3, NOW, &err);
	free(leaf);
	free(chain);
	return 0;
}
