/*
 * acme: RFC 8555 message parsing and building (see acme.h).
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acme.h"
#include "b64url.h"
#include "esc.h"
#include "json.h"
#include "str.h"

static const char *const acme_status_names[] = {
	[ACME_STATUS_UNKNOWN] = "unknown",
	[ACME_STATUS_PENDING] = "pending",
	[ACME_STATUS_READY] = "ready",
	[ACME_STATUS_PROCESSING] = "processing",
	[ACME_STATUS_VALID] = "valid",
	[ACME_STATUS_INVALID] = "invalid",
	[ACME_STATUS_DEACTIVATED] = "deactivated",
	[ACME_STATUS_EXPIRED] = "expired",
	[ACME_STATUS_REVOKED] = "revoked",
};

const char *
acme_status_name(enum acme_status s)
{
	if ((size_t)s >= sizeof acme_status_names / sizeof acme_status_names[0])
		return "unknown";
	return acme_status_names[s];
}

/* A missing or unrecognised status is an error, never "valid" by default. */
static int
acme_status_get(const json_t *obj, const char *url, enum acme_status *out,
    struct err *err)
{
	const char *s = json_str(obj, "status");
	char shown[80];
	size_t i;

	if (s == NULL)
		return err_set(err, ERR_PROTO, "%s: no \"status\" string", url);
	for (i = 1; i < sizeof acme_status_names / sizeof acme_status_names[0]; i++)
		if (strcmp(s, acme_status_names[i]) == 0) {
			*out = (enum acme_status)i;
			return 0;
		}
	esc_buf(s, strlen(s), shown, sizeof shown);
	return err_set(err, ERR_PROTO, "%s: unknown status \"%s\"", url, shown);
}

static int
acme_is_https(const char *u)
{
	return u != NULL && strncasecmp(u, "https://", 8) == 0 && u[8] != '\0';
}

/* Copies a required https URL member. */
static int
acme_url_dup(const json_t *obj, const char *key, const char *where, int required,
    char **out, struct err *err)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL) {
		if (required)
			return err_set(err, ERR_PROTO, "%s: \"%s\" is missing", where, key);
		return 0;
	}
	if (!json_is_string(v))
		return err_set(err, ERR_PROTO, "%s: \"%s\" is not a string", where, key);
	if (!acme_is_https(json_string_value(v)))
		return err_set(err, ERR_PROTO, "%s: \"%s\" is not an https URL", where, key);
	if ((*out = strdup(json_string_value(v))) == NULL)
		return err_nomem(err, key);
	return 0;
}

static int
acme_strdup_opt(const json_t *obj, const char *key, char **out, struct err *err)
{
	const char *s = json_str(obj, key);

	*out = NULL;
	if (s != NULL && (*out = strdup(s)) == NULL)
		return err_nomem(err, key);
	return 0;
}

/* Copies an array of strings, refusing other element types and more than
 * `max` elements; `https` requires each to be an https URL. */
static int
acme_strv_dup(const json_t *arr, const char *where, const char *key, size_t max,
    int https, char ***out, size_t *n, struct err *err)
{
	size_t i, count;

	*out = NULL;
	*n = 0;
	if (arr == NULL)
		return 0;
	count = json_array_size(arr);
	if (count > max)
		return err_set(err, ERR_PROTO, "%s: \"%s\" has %zu entries, more than %zu",
		    where, key, count, max);
	if (count == 0)
		return 0;
	if ((*out = calloc(count, sizeof **out)) == NULL)
		return err_nomem(err, key);
	for (i = 0; i < count; i++) {
		json_t *v = json_array_get(arr, i);

		if (!json_is_string(v) || (https && !acme_is_https(json_string_value(v)))) {
			strv_free(*out, i);
			*out = NULL;
			return err_set(err, ERR_PROTO, "%s: \"%s\"[%zu] is not %s", where,
			    key, i, https ? "an https URL" : "a string");
		}
		if (((*out)[i] = strdup(json_string_value(v))) == NULL) {
			strv_free(*out, i);
			*out = NULL;
			return err_nomem(err, key);
		}
	}
	*n = count;
	return 0;
}

static json_t *
acme_parse_root(const char *json, size_t len, const char *url, struct err *err)
{
	return json_parse_untrusted(json, len, url, err);
}

int
acme_directory_parse(const char *json, size_t len, const char *url,
    struct acme_directory *out, struct err *err)
{
	json_t *root, *meta, *profiles;
	const char *key;
	json_t *v;
	size_t i = 0;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if ((root = acme_parse_root(json, len, url, err)) == NULL)
		return -1;
	if (acme_url_dup(root, "newNonce", url, 1, &out->new_nonce, err) ||
	    acme_url_dup(root, "newAccount", url, 1, &out->new_account, err) ||
	    acme_url_dup(root, "newOrder", url, 1, &out->new_order, err) ||
	    acme_url_dup(root, "revokeCert", url, 1, &out->revoke_cert, err) ||
	    acme_url_dup(root, "keyChange", url, 0, &out->key_change, err) ||
	    acme_url_dup(root, "renewalInfo", url, 0, &out->renewal_info, err))
		goto out;
	if ((meta = json_obj(root, "meta")) != NULL) {
		/* Only ever shown to the user, so any scheme will do (Pebble
		 * gives a data: URL). */
		if (acme_strdup_opt(meta, "termsOfService", &out->terms_of_service, err) ||
		    acme_strdup_opt(meta, "website", &out->website, err) ||
		    acme_strv_dup(json_arr(meta, "caaIdentities"), url, "caaIdentities",
		    32, 0, &out->caa_identities, &out->n_caa_identities, err))
			goto out;
		out->external_account_required =
		    json_is_true(json_object_get(meta, "externalAccountRequired"));
		profiles = json_obj(meta, "profiles");
		if (profiles != NULL && json_object_size(profiles) > 0) {
			size_t n = json_object_size(profiles);

			if (n > 32) {
				err_set(err, ERR_PROTO, "%s: more than 32 profiles", url);
				goto out;
			}
			if ((out->profiles = calloc(n, sizeof *out->profiles)) == NULL ||
			    (out->profile_descs = calloc(n, sizeof *out->profile_descs)) ==
			    NULL) {
				err_nomem(err, "profiles");
				goto out;
			}
			json_object_foreach(profiles, key, v) {
				out->profiles[i] = strdup(key);
				out->profile_descs[i] = strdup(json_is_string(v) ?
				    json_string_value(v) : "");
				out->n_profiles = ++i;
				if (out->profiles[i - 1] == NULL ||
				    out->profile_descs[i - 1] == NULL) {
					err_nomem(err, "profile");
					goto out;
				}
			}
		}
	}
	rc = 0;
out:
	json_decref(root);
	if (rc != 0)
		acme_directory_free(out);
	return rc;
}

void
acme_directory_free(struct acme_directory *d)
{
	free(d->new_nonce);
	free(d->new_account);
	free(d->new_order);
	free(d->revoke_cert);
	free(d->key_change);
	free(d->renewal_info);
	free(d->terms_of_service);
	free(d->website);
	strv_free(d->caa_identities, d->n_caa_identities);
	strv_free(d->profiles, d->n_profiles);
	strv_free(d->profile_descs, d->n_profiles);
	memset(d, 0, sizeof *d);
}

static int
acme_identifier_get(const json_t *obj, const char *where,
    struct acme_identifier *out, struct err *err)
{
	const char *type = json_str(obj, "type"), *value = json_str(obj, "value");

	memset(out, 0, sizeof *out);
	if (type == NULL || value == NULL)
		return err_set(err, ERR_PROTO, "%s: identifier without type and value", where);
	if (strcmp(type, "dns") != 0 && strcmp(type, "ip") != 0)
		return err_set(err, ERR_PROTO, "%s: identifier of unknown type", where);
	if (strlen(value) >= sizeof out->value)
		return err_set(err, ERR_PROTO, "%s: identifier longer than %zu bytes",
		    where, sizeof out->value - 1);
	strcpy(out->type, type);
	strcpy(out->value, value);
	return 0;
}

static int acme_problem_from_json(const json_t *root, const char *url, int depth,
    struct acme_problem *out, struct err *err);

static int
acme_subproblems(const json_t *arr, const char *url, int depth,
    struct acme_problem *out, struct err *err)
{
	size_t i, n = json_array_size(arr);

	if (n == 0)
		return 0;
	if (n > ACME_MAX_SUBPROBLEMS)
		n = ACME_MAX_SUBPROBLEMS;
	if ((out->sub = calloc(n, sizeof *out->sub)) == NULL)
		return err_nomem(err, "subproblems");
	for (i = 0; i < n; i++) {
		json_t *v = json_array_get(arr, i);

		if (!json_is_object(v))
			return err_set(err, ERR_PROTO, "%s: subproblem %zu is not an object", url, i);
		out->n_sub = i + 1;
		if (acme_problem_from_json(v, url, depth + 1, &out->sub[i], err) != 0)
			return -1;
	}
	return 0;
}

static int
acme_problem_from_json(const json_t *root, const char *url, int depth,
    struct acme_problem *out, struct err *err)
{
	json_t *ident, *status;

	memset(out, 0, sizeof *out);
	if (acme_strdup_opt(root, "type", &out->type, err) ||
	    acme_strdup_opt(root, "detail", &out->detail, err) ||
	    acme_strdup_opt(root, "instance", &out->instance, err))
		return -1;
	if (out->type == NULL && (out->type = strdup("about:blank")) == NULL)
		return err_nomem(err, "problem type");
	status = json_object_get(root, "status");
	if (json_is_integer(status) && json_integer_value(status) > 0 &&
	    json_integer_value(status) < 1000)
		out->status = (int)json_integer_value(status);
	if ((ident = json_obj(root, "identifier")) != NULL &&
	    acme_identifier_get(ident, url, &out->identifier, err) != 0)
		return -1;
	/* Subproblems do not nest in RFC 8555; one level is all we read. */
	if (depth == 0 && json_arr(root, "subproblems") != NULL)
		return acme_subproblems(json_arr(root, "subproblems"), url, depth, out, err);
	return 0;
}

int
acme_problem_parse(const char *json, size_t len, const char *url,
    struct acme_problem *out, struct err *err)
{
	json_t *root;
	int rc;

	memset(out, 0, sizeof *out);
	if ((root = acme_parse_root(json, len, url, err)) == NULL)
		return -1;
	rc = acme_problem_from_json(root, url, 0, out, err);
	json_decref(root);
	if (rc != 0)
		acme_problem_free(out);
	return rc;
}

void
acme_problem_free(struct acme_problem *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_sub; i++)
		acme_problem_free(&p->sub[i]);
	free(p->sub);
	free(p->type);
	free(p->detail);
	free(p->instance);
	memset(p, 0, sizeof *p);
}

int
acme_problem_is(const struct acme_problem *p, const char *name)
{
	size_t n = strlen(ACME_ERR_PREFIX);

	return p != NULL && p->type != NULL &&
	    strncmp(p->type, ACME_ERR_PREFIX, n) == 0 && strcmp(p->type + n, name) == 0;
}

static const char *
acme_problem_short_type(const struct acme_problem *p)
{
	size_t n = strlen(ACME_ERR_PREFIX);

	if (p->type != NULL && strncmp(p->type, ACME_ERR_PREFIX, n) == 0)
		return p->type + n;
	return p->type != NULL ? p->type : "about:blank";
}

static void
acme_problem_append(char *out, size_t outsz, const struct acme_problem *p)
{
	char type[128], detail[512];
	size_t len = strlen(out);

	esc_buf(acme_problem_short_type(p), strlen(acme_problem_short_type(p)),
	    type, sizeof type);
	if (p->detail != NULL)
		esc_buf(p->detail, strlen(p->detail), detail, sizeof detail);
	else
		detail[0] = '\0';
	if (p->identifier.type[0] != '\0') {
		char ident[300];

		esc_buf(p->identifier.value, strlen(p->identifier.value), ident, sizeof ident);
		snprintf(out + len, outsz - len, "%s: %s: %s", ident, type, detail);
	} else
		snprintf(out + len, outsz - len, "%s: %s", type, detail);
}

/* snprintf cuts bytes, not characters: a small buffer could end in half
 * of an escaped detail's UTF-8 sequence (or of the "…" mark), so an
 * incomplete sequence at the end is dropped. */
static void
acme_utf8_trim(char *s)
{
	size_t len = strlen(s), i = len, need;
	unsigned char lead;

	while (i > 0 && len - i < 3 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0 || (lead = (unsigned char)s[i - 1]) < 0xc0)
		return;
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
	if (len - (i - 1) < need)
		s[i - 1] = '\0';
}

void
acme_problem_format(const struct acme_problem *p, char *out, size_t outsz)
{
	size_t i, len;

	if (outsz == 0)
		return;
	out[0] = '\0';
	acme_problem_append(out, outsz, p);
	for (i = 0; i < p->n_sub; i++) {
		len = strlen(out);
		if (len + 3 >= outsz)
			break;
		strcat(out, i == 0 ? " (" : "; ");
		acme_problem_append(out, outsz, &p->sub[i]);
	}
	len = strlen(out);
	if (p->n_sub > 0 && len + 1 < outsz)
		strcat(out, ")");
	/* userActionRequired names the page to visit (new terms, say). */
	if (p->instance != NULL) {
		char shown[300];

		esc_buf(p->instance, strlen(p->instance), shown, sizeof shown);
		len = strlen(out);
		snprintf(out + len, outsz - len, " (see %s)", shown);
	}
	acme_utf8_trim(out);
}

static int
acme_problem_dup_member(const json_t *obj, const char *url,
    struct acme_problem **out, struct err *err)
{
	json_t *v = json_obj(obj, "error");

	*out = NULL;
	if (v == NULL)
		return 0;
	if ((*out = calloc(1, sizeof **out)) == NULL)
		return err_nomem(err, "problem");
	return acme_problem_from_json(v, url, 0, *out, err);
}

static void
acme_problem_destroy(struct acme_problem *p)
{
	acme_problem_free(p);
	free(p);
}

int
acme_order_parse(const char *json, size_t len, const char *url,
    struct acme_order *out, struct err *err)
{
	json_t *root, *ids;
	size_t i, n;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if ((root = acme_parse_root(json, len, url, err)) == NULL)
		return -1;
	if (acme_status_get(root, url, &out->status, err) != 0)
		goto out;
	if ((ids = json_arr(root, "identifiers")) == NULL ||
	    (n = json_array_size(ids)) == 0) {
		err_set(err, ERR_PROTO, "%s: order has no identifiers", url);
		goto out;
	}
	if (n > ACME_MAX_IDENTIFIERS) {
		err_set(err, ERR_PROTO, "%s: order has %zu identifiers", url, n);
		goto out;
	}
	if ((out->identifiers = calloc(n, sizeof *out->identifiers)) == NULL) {
		err_nomem(err, "identifiers");
		goto out;
	}
	for (i = 0; i < n; i++) {
		json_t *v = json_array_get(ids, i);

		if (!json_is_object(v) ||
		    acme_identifier_get(v, url, &out->identifiers[i], err) != 0) {
			if (!json_is_object(v))
				err_set(err, ERR_PROTO, "%s: identifier %zu is not an object", url, i);
			goto out;
		}
		out->n_identifiers = i + 1;
	}
	if (json_arr(root, "authorizations") == NULL) {
		err_set(err, ERR_PROTO, "%s: order has no \"authorizations\" array", url);
		goto out;
	}
	if (acme_strv_dup(json_arr(root, "authorizations"), url, "authorizations",
	    ACME_MAX_IDENTIFIERS, 1, &out->authorizations, &out->n_authorizations, err) ||
	    acme_url_dup(root, "finalize", url, 1, &out->finalize, err) ||
	    acme_url_dup(root, "certificate", url, 0, &out->certificate, err) ||
	    acme_problem_dup_member(root, url, &out->error, err))
		goto out;
	if (out->status == ACME_STATUS_VALID && out->certificate == NULL) {
		err_set(err, ERR_PROTO, "%s: order is valid but has no certificate URL", url);
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	if (rc != 0)
		acme_order_free(out);
	return rc;
}

void
acme_order_free(struct acme_order *o)
{
	free(o->identifiers);
	strv_free(o->authorizations, o->n_authorizations);
	free(o->finalize);
	free(o->certificate);
	if (o->error != NULL)
		acme_problem_destroy(o->error);
	memset(o, 0, sizeof *o);
}

static int
acme_challenge_get(const json_t *v, const char *url, struct acme_challenge *c,
    struct err *err)
{
	if (!json_is_object(v))
		return err_set(err, ERR_PROTO, "%s: challenge is not an object", url);
	if (json_str(v, "type") == NULL)
		return err_set(err, ERR_PROTO, "%s: challenge without a type", url);
	if (acme_strdup_opt(v, "type", &c->type, err) ||
	    acme_url_dup(v, "url", url, 1, &c->url, err) ||
	    acme_strdup_opt(v, "token", &c->token, err) ||
	    acme_strv_dup(json_arr(v, "issuer-domain-names"), url, "issuer-domain-names",
	    8, 0, &c->issuer_domains, &c->n_issuer_domains, err) ||
	    acme_status_get(v, url, &c->status, err) ||
	    acme_problem_dup_member(v, url, &c->error, err))
		return -1;
	return 0;
}

int
acme_authz_parse(const char *json, size_t len, const char *url,
    struct acme_authz *out, struct err *err)
{
	json_t *root, *ident, *chals;
	size_t i, n;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if ((root = acme_parse_root(json, len, url, err)) == NULL)
		return -1;
	if ((ident = json_obj(root, "identifier")) == NULL) {
		err_set(err, ERR_PROTO, "%s: authorization has no identifier", url);
		goto out;
	}
	if (acme_identifier_get(ident, url, &out->identifier, err) != 0 ||
	    acme_status_get(root, url, &out->status, err) != 0)
		goto out;
	out->wildcard = json_is_true(json_object_get(root, "wildcard"));
	if ((chals = json_arr(root, "challenges")) == NULL) {
		err_set(err, ERR_PROTO, "%s: authorization has no \"challenges\" array", url);
		goto out;
	}
	n = json_array_size(chals);
	if (n > ACME_MAX_CHALLENGES) {
		err_set(err, ERR_PROTO, "%s: %zu challenges, more than %d", url, n,
		    ACME_MAX_CHALLENGES);
		goto out;
	}
	if (n > 0 && (out->challenges = calloc(n, sizeof *out->challenges)) == NULL) {
		err_nomem(err, "challenges");
		goto out;
	}
	for (i = 0; i < n; i++) {
		out->n_challenges = i + 1;
		if (acme_challenge_get(json_array_get(chals, i), url,
		    &out->challenges[i], err) != 0)
			goto out;
	}
	rc = 0;
out:
	json_decref(root);
	if (rc != 0)
		acme_authz_free(out);
	return rc;
}

void
acme_authz_free(struct acme_authz *a)
{
	size_t i;

	for (i = 0; i < a->n_challenges; i++) {
		free(a->challenges[i].type);
		free(a->challenges[i].url);
		free(a->challenges[i].token);
		strv_free(a->challenges[i].issuer_domains,
		    a->challenges[i].n_issuer_domains);
		if (a->challenges[i].error != NULL)
			acme_problem_destroy(a->challenges[i].error);
	}
	free(a->challenges);
	memset(a, 0, sizeof *a);
}

const struct acme_challenge *
acme_authz_find(const struct acme_authz *a, const char *type)
{
	size_t i;

	for (i = 0; i < a->n_challenges; i++)
		if (strcmp(a->challenges[i].type, type) == 0)
			return &a->challenges[i];
	return NULL;
}

int
acme_account_parse(const char *json, size_t len, const char *url,
    struct acme_account *out, struct err *err)
{
	json_t *root;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if ((root = acme_parse_root(json, len, url, err)) == NULL)
		return -1;
	if (acme_status_get(root, url, &out->status, err) != 0 ||
	    acme_strv_dup(json_arr(root, "contact"), url, "contact", 16, 0,
	    &out->contacts, &out->n_contacts, err) != 0 ||
	    acme_url_dup(root, "orders", url, 0, &out->orders, err) != 0)
		goto out;
	rc = 0;
out:
	json_decref(root);
	if (rc != 0)
		acme_account_free(out);
	return rc;
}

void
acme_account_free(struct acme_account *a)
{
	strv_free(a->contacts, a->n_contacts);
	free(a->orders);
	memset(a, 0, sizeof *a);
}

static int
acme_identifier_eq(const struct acme_identifier *a, const struct acme_identifier *b)
{
	return strcmp(a->type, b->type) == 0 && strcasecmp(a->value, b->value) == 0;
}

int
acme_order_matches(const struct acme_order *o, const struct acme_identifier *want,
    size_t n_want, struct err *err)
{
	char shown[300];
	size_t i, j;

	for (i = 0; i < o->n_identifiers; i++) {
		for (j = 0; j < n_want; j++)
			if (acme_identifier_eq(&o->identifiers[i], &want[j]))
				break;
		if (j == n_want) {
			esc_buf(o->identifiers[i].value, strlen(o->identifiers[i].value),
			    shown, sizeof shown);
			return err_set(err, ERR_PROTO,
			    "order holds identifier %s that was not asked for", shown);
		}
	}
	for (j = 0; j < n_want; j++) {
		for (i = 0; i < o->n_identifiers; i++)
			if (acme_identifier_eq(&o->identifiers[i], &want[j]))
				break;
		if (i == o->n_identifiers)
			return err_set(err, ERR_PROTO, "order lacks identifier %s",
			    want[j].value);
	}
	if (o->n_identifiers != n_want)
		return err_set(err, ERR_PROTO, "order holds %zu identifiers, %zu asked for",
		    o->n_identifiers, n_want);
	if (o->n_authorizations > o->n_identifiers)
		return err_set(err, ERR_PROTO, "order has %zu authorizations for %zu identifiers",
		    o->n_authorizations, o->n_identifiers);
	return 0;
}

void
acme_identifier_set(struct acme_identifier *id, const char *name)
{
	unsigned char addr[16];
	int ip = inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1;

	memset(id, 0, sizeof *id);
	strcpy(id->type, ip ? "ip" : "dns");
	snprintf(id->value, sizeof id->value, "%s", name);
}
