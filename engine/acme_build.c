/*
 * acme_build: the JSON payloads of RFC 8555 requests, and revocation
 * reason codes (see acme.h).
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "acme.h"
#include "b64url.h"
#include "json.h"

/* Consumes `obj`: serialises it and drops the reference. */
static char *
acme_build_finish(json_t *obj, struct err *err)
{
	char *s;

	if (obj == NULL) {
		err_nomem(err, "JSON payload");
		return NULL;
	}
	s = json_dump_compact(obj, err);
	json_decref(obj);
	return s;
}

/* jansson returns NULL for text that is not UTF-8, and its _new setters
 * then drop the member without a word; a payload that silently lacks a
 * name, contact or profile the caller asked for must be an error instead.
 * Consumes `value`; `i` numbers an array element, or is -1 for a member. */
static int
acme_build_put(json_t *target, const char *key, long i, json_t *value,
    struct err *err)
{
	int rc = i < 0 ? json_object_set_new(target, key, value) :
	    json_array_append_new(target, value);

	if (rc == 0)
		return 0;
	if (i < 0)
		return err_set(err, ERR_FAIL, "payload: \"%s\" is not UTF-8 text", key);
	return err_set(err, ERR_FAIL, "payload: \"%s\"[%ld] is not UTF-8 text", key, i);
}

char *
acme_payload_new_account(const char *const *contacts, size_t n_contacts,
    int agree_tos, int only_existing, const char *eab_json, struct err *err)
{
	json_t *obj = json_object(), *arr;
	size_t i;

	if (obj == NULL)
		return acme_build_finish(NULL, err);
	if (only_existing)
		json_object_set_new(obj, "onlyReturnExisting", json_true());
	else {
		if (n_contacts > 0) {
			arr = json_array();
			for (i = 0; i < n_contacts; i++) {
				char *mailto;

				if (asprintf(&mailto, "mailto:%s", contacts[i]) < 0) {
					json_decref(arr);
					json_decref(obj);
					return acme_build_finish(NULL, err);
				}
				if (acme_build_put(arr, "contact", (long)i,
				    json_string(mailto), err) != 0) {
					free(mailto);
					json_decref(arr);
					json_decref(obj);
					return NULL;
				}
				free(mailto);
			}
			json_object_set_new(obj, "contact", arr);
		}
		if (agree_tos)
			json_object_set_new(obj, "termsOfServiceAgreed", json_true());
		if (eab_json != NULL) {
			json_t *eab = json_loads(eab_json, 0, NULL);

			if (eab == NULL) {
				json_decref(obj);
				err_set(err, ERR_FAIL, "external account binding is not JSON");
				return NULL;
			}
			json_object_set_new(obj, "externalAccountBinding", eab);
		}
	}
	return acme_build_finish(obj, err);
}

char *
acme_payload_new_order(const struct acme_identifier *ids, size_t n,
    const char *profile, const char *replaces, struct err *err)
{
	json_t *obj = json_object(), *arr = json_array();
	size_t i;

	if (obj == NULL || arr == NULL) {
		json_decref(obj);
		json_decref(arr);
		return acme_build_finish(NULL, err);
	}
	for (i = 0; i < n; i++)
		if (acme_build_put(arr, "identifiers", (long)i, json_pack("{s:s, s:s}",
		    "type", ids[i].type, "value", ids[i].value), err) != 0) {
			json_decref(arr);
			json_decref(obj);
			return NULL;
		}
	if (acme_build_put(obj, "identifiers", -1, arr, err) != 0 ||
	    (profile != NULL &&
	    acme_build_put(obj, "profile", -1, json_string(profile), err) != 0) ||
	    (replaces != NULL &&
	    acme_build_put(obj, "replaces", -1, json_string(replaces), err) != 0)) {
		json_decref(obj);
		return NULL;
	}
	return acme_build_finish(obj, err);
}

/* {"NAME": base64url(der)} plus extra members. */
static json_t *
acme_build_b64_member(const char *name, const unsigned char *der, size_t len,
    struct err *err)
{
	json_t *obj;
	char *b64;

	if ((b64 = b64url_encode(der, len, err)) == NULL)
		return NULL;
	obj = json_pack("{s:s}", name, b64);
	free(b64);
	if (obj == NULL)
		err_nomem(err, "JSON payload");
	return obj;
}

char *
acme_payload_finalize(const unsigned char *csr_der, size_t len, struct err *err)
{
	json_t *obj = acme_build_b64_member("csr", csr_der, len, err);

	return obj != NULL ? acme_build_finish(obj, err) : NULL;
}

char *
acme_payload_revoke(const unsigned char *cert_der, size_t len, int reason,
    struct err *err)
{
	json_t *obj = acme_build_b64_member("certificate", cert_der, len, err);

	if (obj == NULL)
		return NULL;
	json_object_set_new(obj, "reason", json_integer(reason));
	return acme_build_finish(obj, err);
}

/* RFC 5280 §5.3.1 codes; the others are not a subscriber's to ask for. */
static const struct {
	const char *name;
	int code;
} acme_reasons[] = {
	{ "unspecified", 0 },
	{ "keyCompromise", 1 },
	{ "affiliationChanged", 3 },
	{ "superseded", 4 },
	{ "cessationOfOperation", 5 },
};

int
acme_revoke_reason_parse(const char *name, int *code, struct err *err)
{
	size_t i;

	for (i = 0; i < sizeof acme_reasons / sizeof acme_reasons[0]; i++)
		if (strcmp(name, acme_reasons[i].name) == 0) {
			*code = acme_reasons[i].code;
			return 0;
		}
	return err_set(err, ERR_CONFIG, "unknown revocation reason '%s' (one of: "
	    "unspecified, keyCompromise, superseded, cessationOfOperation, "
	    "affiliationChanged)", name);
}

const char *
acme_revoke_reason_name(int code)
{
	size_t i;

	for (i = 0; i < sizeof acme_reasons / sizeof acme_reasons[0]; i++)
		if (acme_reasons[i].code == code)
			return acme_reasons[i].name;
	return "unknown";
}
