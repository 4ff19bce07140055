/*
 * config_endpoint: reading the endpoints of a certificate definition (see
 * config_endpoint.h). Each one is checked here, at load time, so a typo
 * in an address is reported with its line instead of as an unreachable
 * server after the next renewal.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_endpoint.h"
#include "esc.h"
#include "names.h"
#include "str.h"

/* A member of an endpoint that must be a string, or NULL when absent. */
static int
config_endpoint_string(const char *path, const config_setting_t *g, const char *name,
    const char **out, struct err *err)
{
	const config_setting_t *m = config_setting_get_member(g, name);

	*out = NULL;
	if (m == NULL)
		return 0;
	if (config_setting_type(m) != CONFIG_TYPE_STRING)
		return config_setting_fail(path, m, err, "endpoint '%s' must be a string "
		    "(in double quotes)", name);
	*out = config_setting_get_string(m);
	return 0;
}

/* The sni given: a DNS name, checked and normalised like a
 * certificate's names, into `out`. */
static int
config_endpoint_sni(const char *path, const config_setting_t *g, const char *sni,
    char out[256], struct err *err)
{
	const config_setting_t *m = config_setting_get_member(g, "sni");
	struct names_id id;

	out[0] = '\0';
	if (*sni == '\0')
		return 0;
	if (names_parse(sni, &id, err) != 0)
		return err_prefix(err, "%s:%u: endpoint 'sni'", path,
		    config_setting_source_line(m));
	if (id.wildcard || id.kind != NAMES_DNS)
		return config_setting_fail(path, m, err, "endpoint 'sni' must be a DNS "
		    "name (not a wildcard or an address)");
	snprintf(out, 256, "%s", id.value);
	return 0;
}

static int
config_endpoint_one(const char *path, const config_setting_t *g, struct endpoint *ep,
    struct err *err)
{
	char host[ENDPOINT_HOST_MAX + 1], name[256] = "";
	const char *address, *sni;
	int i, n = config_setting_length(g);

	for (i = 0; i < n; i++) {
		const char *m = config_setting_name(config_setting_get_elem(g, i));

		if (strcmp(m, "address") != 0 && strcmp(m, "sni") != 0)
			return config_setting_fail(path, config_setting_get_elem(g, i), err,
			    "unknown endpoint setting '%s' (address, sni)", m);
	}
	if (config_endpoint_string(path, g, "address", &address, err) != 0 ||
	    config_endpoint_string(path, g, "sni", &sni, err) != 0)
		return -1;
	if (address == NULL)
		return config_setting_fail(path, g, err, "this endpoint needs 'address' "
		    "(\"HOST:PORT\")");
	if (endpoint_parse_address(address, host, &ep->port, err) != 0)
		return err_prefix(err, "%s:%u: endpoint 'address'", path,
		    config_setting_source_line(config_setting_get_member(g, "address")));
	if (sni != NULL && config_endpoint_sni(path, g, sni, name, err) != 0)
		return -1;
	ep->line = config_setting_source_line(g);
	if (str_set(&ep->address, address, err) != 0 || str_set(&ep->host, host, err) != 0 ||
	    str_set(&ep->sni, name, err) != 0)
		return -1;
	return 0;
}

int
config_endpoints_load(const char *path, const config_setting_t *s, struct config_cert *t,
    struct err *err)
{
	int i, n = config_setting_length(s);

	if (n > CONFIG_ENDPOINTS_MAX)
		return config_setting_fail(path, s, err, "'endpoints' holds more than %d "
		    "entries", CONFIG_ENDPOINTS_MAX);
	endpoint_free(t->endpoints, t->n_endpoints);
	t->endpoints = NULL;
	t->n_endpoints = 0;
	if (n > 0 && (t->endpoints = calloc(n, sizeof *t->endpoints)) == NULL)
		return err_nomem(err, "endpoints");
	for (i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, i);

		if (!config_setting_is_group(g))
			return config_setting_fail(path, g, err, "each entry of 'endpoints' "
			    "must be a group { address = \"HOST:PORT\"; }");
		t->n_endpoints++;
		if (config_endpoint_one(path, g, &t->endpoints[i], err) != 0)
			return -1;
	}
	return 0;
}

int
config_endpoints_finish(const char *path, struct config_cert *t, struct err *err)
{
	const char *sni;
	size_t i;

	for (i = 0; i < t->n_endpoints; i++) {
		if (*t->endpoints[i].sni != '\0')
			continue;
		sni = endpoint_default_sni(t->n_domains ? t->domains[0] : NULL);
		if (sni == NULL)
			return err_set(err, ERR_CONFIG, "%s:%d: endpoint %s of certificate "
			    "'%s' needs an sni: the first name %s is a wildcard", path,
			    t->endpoints[i].line, t->endpoints[i].address, t->name,
			    t->domains[0]);
		if (str_set(&t->endpoints[i].sni, sni, err) != 0)
			return -1;
	}
	return 0;
}
