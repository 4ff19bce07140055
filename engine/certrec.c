/*
 * certrec: per-certificate records in the store (see certrec.h).
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "certrec.h"
#include "json.h"
#include "jsondoc.h"
#include "store.h"

#define CERTREC_MAX (256 * 1024)

static void
certrec_path(const char *name, char *out, size_t outsz)
{
	snprintf(out, outsz, "certs/%s.json", name);
}

int
certrec_set_domains(struct certrec *rec, char *const *domains, size_t n,
    struct err *err)
{
	char **v = NULL;
	size_t i;

	if (n > 0 && (v = calloc(n, sizeof *v)) == NULL)
		return err_nomem(err, "domain list");
	for (i = 0; i < n; i++)
		if ((v[i] = strdup(domains[i])) == NULL) {
			while (i-- > 0)
				free(v[i]);
			free(v);
			return err_nomem(err, "domain");
		}
	strv_free(rec->domains, rec->n_domains);
	rec->domains = v;
	rec->n_domains = n;
	return 0;
}

void
certrec_endpoints_free(struct certrec_endpoint *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].address);
		free(v[i].sni);
		free(v[i].detail);
	}
	free(v);
}

enum endpoint_state
certrec_endpoints_worst(const struct certrec *rec)
{
	/* By how much a person needs to look: a stale endpoint is the
	 * failure this check exists for. */
	static const int rank[ENDPOINT_STATE_N] = {
		[ENDPOINT_UNKNOWN] = 0, [ENDPOINT_SERVED] = 1, [ENDPOINT_TLS_ERROR] = 2,
		[ENDPOINT_UNREACHABLE] = 3, [ENDPOINT_STALE] = 4
	};
	enum endpoint_state worst = ENDPOINT_UNKNOWN;
	size_t i;

	for (i = 0; i < rec->n_endpoints; i++)
		if ((unsigned)rec->endpoints[i].state < ENDPOINT_STATE_N &&
		    rank[rec->endpoints[i].state] > rank[worst])
			worst = rec->endpoints[i].state;
	return worst;
}

void
certrec_ari_clear(struct certrec *rec)
{
	free(rec->ari_serial);
	free(rec->ari_explanation);
	rec->ari_serial = rec->ari_explanation = NULL;
	rec->ari_start = rec->ari_end = rec->ari_pick = 0;
	rec->ari_checked = rec->ari_next = 0;
}

void
certrec_free(struct certrec *rec)
{
	certrec_endpoints_free(rec->endpoints, rec->n_endpoints);
	strv_free(rec->domains, rec->n_domains);
	free(rec->name);
	free(rec->directory);
	free(rec->account);
	free(rec->key_type);
	free(rec->challenge);
	free(rec->webroot);
	free(rec->preferred_chain);
	free(rec->profile);
	certrec_ari_clear(rec);
	free(rec->deploy_error);
	free(rec->status);
	free(rec->last_error);
	free(rec->issuer);
	free(rec->key_desc);
	free(rec->serial);
	memset(rec, 0, sizeof *rec);
	rec->revoked_reason = -1;
}

static time_t
certrec_time(const json_t *doc, const char *key)
{
	json_t *v = json_object_get(doc, key);

	return json_is_integer(v) ? (time_t)json_integer_value(v) : 0;
}

/* "endpoints": [ { address, sni, state, detail, checked } ]; entries
 * without an address are skipped, unknown states read as unknown. */
static int
certrec_endpoints_from_json(const json_t *doc, struct certrec *out, struct err *err)
{
	json_t *list = json_arr(doc, "endpoints"), *e;
	size_t i, n = list != NULL ? json_array_size(list) : 0;
	struct certrec_endpoint *ep;

	if (n == 0)
		return 0;
	if ((out->endpoints = calloc(n, sizeof *out->endpoints)) == NULL)
		return err_nomem(err, "endpoints");
	for (i = 0; i < n; i++) {
		e = json_array_get(list, i);
		if (!json_is_object(e) || json_str(e, "address") == NULL)
			continue;
		ep = &out->endpoints[out->n_endpoints++];
		ep->state = endpoint_state_parse(json_str(e, "state"));
		ep->checked = certrec_time(e, "checked");
		if (str_set(&ep->address, json_str(e, "address"), err) != 0 ||
		    str_set(&ep->sni, json_str(e, "sni"), err) != 0 ||
		    str_set(&ep->detail, json_str(e, "detail"), err) != 0)
			return -1;
	}
	return 0;
}

json_t *
certrec_endpoints_json(const struct certrec *rec)
{
	json_t *list = json_array(), *e;
	size_t i;

	for (i = 0; list != NULL && i < rec->n_endpoints; i++) {
		const struct certrec_endpoint *ep = &rec->endpoints[i];

		if ((e = json_object()) == NULL)
			break;
		json_object_set_new(e, "address", json_string(ep->address));
		if (ep->sni != NULL)
			json_object_set_new(e, "sni", json_string(ep->sni));
		json_object_set_new(e, "state", json_string(endpoint_state_name(ep->state)));
		if (ep->detail != NULL)
			json_object_set_new(e, "detail", json_string(ep->detail));
		json_object_set_new(e, "checked", json_integer(ep->checked));
		json_array_append_new(list, e);
	}
	return list;
}

static int
certrec_from_json(const json_t *doc, const char *name, struct certrec *out,
    struct err *err)
{
	static const struct {
		const char *key;
		size_t offset;
	} strings[] = {
		{ "directory", offsetof(struct certrec, directory) },
		{ "account", offsetof(struct certrec, account) },
		{ "key_type", offsetof(struct certrec, key_type) },
		{ "challenge", offsetof(struct certrec, challenge) },
		{ "webroot", offsetof(struct certrec, webroot) },
		{ "preferred_chain", offsetof(struct certrec, preferred_chain) },
		{ "profile", offsetof(struct certrec, profile) },
		{ "ari_explanation", offsetof(struct certrec, ari_explanation) },
		{ "ari_serial", offsetof(struct certrec, ari_serial) },
		{ "deploy_error", offsetof(struct certrec, deploy_error) },
		{ "status", offsetof(struct certrec, status) },
		{ "last_error", offsetof(struct certrec, last_error) },
		{ "issuer", offsetof(struct certrec, issuer) },
		{ "key_desc", offsetof(struct certrec, key_desc) },
		{ "serial", offsetof(struct certrec, serial) },
	};
	json_t *domains = json_arr(doc, "domains"), *v;
	size_t i;

	if (str_set(&out->name, name, err) != 0)
		return -1;
	for (i = 0; i < sizeof strings / sizeof strings[0]; i++)
		if (str_set((char **)((char *)out + strings[i].offset),
		    json_str(doc, strings[i].key), err) != 0)
			return -1;
	for (i = 0; domains != NULL && i < json_array_size(domains); i++) {
		char **grown;

		if (!json_is_string(v = json_array_get(domains, i)))
			return err_set(err, ERR_PROTO, "domains[%zu] is not a string", i);
		if ((grown = realloc(out->domains, (i + 1) * sizeof *grown)) == NULL)
			return err_nomem(err, "domains");
		out->domains = grown;
		if ((out->domains[i] = strdup(json_string_value(v))) == NULL)
			return err_nomem(err, "domain");
		out->n_domains = i + 1;
	}
	v = json_object_get(doc, "version");
	out->version = json_is_integer(v) ? (int)json_integer_value(v) : 0;
	v = json_object_get(doc, "deployed_version");
	out->deployed_version = json_is_integer(v) ? (int)json_integer_value(v) : 0;
	out->unmanaged = json_is_false(json_object_get(doc, "managed"));
	v = json_object_get(doc, "revoked_reason");
	out->revoked_reason = json_is_integer(v) ? (int)json_integer_value(v) : -1;
	out->updated = certrec_time(doc, "updated");
	out->not_before = certrec_time(doc, "not_before");
	out->not_after = certrec_time(doc, "not_after");
	out->retry_after = certrec_time(doc, "retry_after");
	out->ari_start = certrec_time(doc, "ari_start");
	out->ari_end = certrec_time(doc, "ari_end");
	out->ari_pick = certrec_time(doc, "ari_pick");
	out->ari_checked = certrec_time(doc, "ari_checked");
	out->ari_next = certrec_time(doc, "ari_next");
	/* Renewal information about a certificate since replaced says
	 * nothing about the current one. */
	if (out->ari_serial != NULL && out->serial != NULL &&
	    strcmp(out->ari_serial, out->serial) != 0)
		certrec_ari_clear(out);
	return certrec_endpoints_from_json(doc, out, err);
}

int
certrec_load(struct store *s, const char *name, struct certrec *out, struct err *err)
{
	char path[256];
	json_t *doc;
	int rc;

	memset(out, 0, sizeof *out);
	out->revoked_reason = -1;
	certrec_path(name, path, sizeof path);
	if ((rc = jsondoc_load(s, path, CERTREC_MAX, &doc, err)) != 1)
		return rc;
	rc = certrec_from_json(doc, name, out, err);
	json_decref(doc);
	if (rc != 0) {
		certrec_free(out);
		return err_prefix(err, "%s/%s", store_path(s), path);
	}
	return 1;
}

int
certrec_save(struct store *s, const struct certrec *rec, struct err *err)
{
	json_t *doc = json_object();
	char path[256];

	if (doc == NULL)
		return err_nomem(err, "certificate record");
	jsondoc_put_str(doc, "name", rec->name);
	if (jsondoc_put_strv(doc, "domains", rec->domains, rec->n_domains) != 0) {
		json_decref(doc);
		return err_nomem(err, "certificate record");
	}
	jsondoc_put_str(doc, "directory", rec->directory);
	jsondoc_put_str(doc, "account", rec->account);
	jsondoc_put_str(doc, "key_type", rec->key_type);
	jsondoc_put_str(doc, "challenge", rec->challenge);
	jsondoc_put_str(doc, "webroot", rec->webroot);
	jsondoc_put_str(doc, "preferred_chain", rec->preferred_chain);
	jsondoc_put_str(doc, "profile", rec->profile);
	if (rec->deployed_version > 0)
		json_object_set_new(doc, "deployed_version", json_integer(rec->deployed_version));
	jsondoc_put_str(doc, "deploy_error", rec->deploy_error);
	if (rec->ari_end > 0 || rec->ari_next > 0) {
		json_object_set_new(doc, "ari_start", json_integer(rec->ari_start));
		json_object_set_new(doc, "ari_end", json_integer(rec->ari_end));
		json_object_set_new(doc, "ari_pick", json_integer(rec->ari_pick));
		json_object_set_new(doc, "ari_checked", json_integer(rec->ari_checked));
		json_object_set_new(doc, "ari_next", json_integer(rec->ari_next));
		jsondoc_put_str(doc, "ari_serial", rec->ari_serial);
		jsondoc_put_str(doc, "ari_explanation", rec->ari_explanation);
	}
	jsondoc_put_str(doc, "status", rec->status);
	json_object_set_new(doc, "version", json_integer(rec->version));
	if (rec->revoked_reason >= 0)
		json_object_set_new(doc, "revoked_reason", json_integer(rec->revoked_reason));
	if (rec->unmanaged)
		json_object_set_new(doc, "managed", json_false());
	json_object_set_new(doc, "updated", json_integer(rec->updated));
	json_object_set_new(doc, "not_before", json_integer(rec->not_before));
	json_object_set_new(doc, "not_after", json_integer(rec->not_after));
	if (rec->retry_after > 0)
		json_object_set_new(doc, "retry_after", json_integer(rec->retry_after));
	jsondoc_put_str(doc, "last_error", rec->last_error);
	jsondoc_put_str(doc, "issuer", rec->issuer);
	jsondoc_put_str(doc, "key_desc", rec->key_desc);
	jsondoc_put_str(doc, "serial", rec->serial);
	if (rec->n_endpoints > 0)
		json_object_set_new(doc, "endpoints", certrec_endpoints_json(rec));
	certrec_path(rec->name, path, sizeof path);
	return jsondoc_save(s, path, doc, "certificate record", err);
}
