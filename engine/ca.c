/*
 * ca: the ACME servers an engine talks to.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca.h"
#include "str.h"

void
ca_id(const char *url, char *out, size_t outsz)
{
	const char *host = strstr(url, "://");
	uint32_t h = 2166136261u;
	size_t i, n = 0;
	const char *p;

	for (p = url; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	host = host != NULL ? host + 3 : url;
	for (i = 0; host[i] != '\0' && host[i] != '/' && host[i] != ':' && n + 12 < outsz &&
	    n < 48; i++) {
		char c = host[i];

		out[n++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ? c : '_';
	}
	if (n == 0 || out[0] == '.')
		out[n == 0 ? n++ : 0] = 'x';
	snprintf(out + n, outsz - n, "-%08x", h);
}

static void
ca_free(struct ca *ca)
{
	size_t i;

	acme_directory_free(&ca->dir);
	for (i = 0; i < ca->n_nonces; i++)
		free(ca->nonces[i]);
	crypto_key_free(ca->acct_key);
	crypto_key_free(ca->pending_key);
	free(ca->kid);
	free(ca->key_file);
	free(ca->pending_file);
	free(ca->url);
	free(ca->ca_bundle);
	free(ca->email);
	free(ca->eab_kid);
	free(ca->eab_hmac_key);
	free(ca);
}

void
ca_free_all(struct ca *list)
{
	struct ca *next;

	for (; list != NULL; list = next) {
		next = list->next;
		ca_free(list);
	}
}

/* Copies an optional setting: an empty string is no setting. */
static int
ca_keep(char **dst, const char *src, struct err *err)
{
	return str_set(dst, str_given(src), err);
}

struct ca *
ca_new(const struct engine_ca *opt, struct err *err)
{
	struct ca *ca;

	if (opt->directory_url == NULL || *opt->directory_url == '\0') {
		err_set(err, ERR_CONFIG, "a CA needs a directory URL");
		return NULL;
	}
	if ((str_given(opt->eab_kid) == NULL) != (str_given(opt->eab_hmac_key) == NULL)) {
		err_set(err, ERR_CONFIG, "%s: external account binding needs both a key "
		    "id and an HMAC key", opt->directory_url);
		return NULL;
	}
	if ((ca = calloc(1, sizeof *ca)) == NULL) {
		err_nomem(err, "CA context");
		return NULL;
	}
	if (str_set(&ca->url, opt->directory_url, err) != 0 ||
	    ca_keep(&ca->ca_bundle, opt->ca_bundle, err) != 0 ||
	    ca_keep(&ca->email, opt->email, err) != 0 ||
	    ca_keep(&ca->eab_kid, opt->eab_kid, err) != 0 ||
	    ca_keep(&ca->eab_hmac_key, opt->eab_hmac_key, err) != 0) {
		ca_free(ca);
		return NULL;
	}
	ca_id(ca->url, ca->id, sizeof ca->id);
	return ca;
}

struct ca *
ca_find_or_add(struct ca *list, const struct engine_ca *opt, struct err *err)
{
	struct ca *ca, *last = NULL;

	for (ca = list; ca != NULL; last = ca, ca = ca->next)
		if (opt->directory_url != NULL && strcmp(ca->url, opt->directory_url) == 0)
			return ca;
	if ((ca = ca_new(opt, err)) != NULL && last != NULL)
		last->next = ca;
	return ca;
}

int
ca_progress(const struct ca *ca)
{
	return (int)ca->dir_phase * 16 + (int)ca->acct_phase;
}

void
ca_nonce_keep(struct ca *ca, const char *nonce)
{
	char *copy;

	if (nonce == NULL || (copy = strdup(nonce)) == NULL)
		return;
	if (ca->n_nonces == CA_NONCE_POOL) {
		free(ca->nonces[0]);
		memmove(ca->nonces, ca->nonces + 1, (CA_NONCE_POOL - 1) * sizeof *ca->nonces);
		ca->n_nonces--;
	}
	ca->nonces[ca->n_nonces++] = copy;
}

char *
ca_nonce_take(struct ca *ca)
{
	if (ca->n_nonces == 0)
		return NULL;
	return ca->nonces[--ca->n_nonces];
}
