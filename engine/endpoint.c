/*
 * endpoint: addresses, SNI defaults and verdicts of live-endpoint checks
 * (see endpoint.h).
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "esc.h"
#include "str.h"

static const char *const endpoint_names[ENDPOINT_STATE_N] = {
	"unknown", "served", "stale", "unreachable", "tls-error"
};

const char *
endpoint_state_name(enum endpoint_state s)
{
	return (unsigned)s < ENDPOINT_STATE_N ? endpoint_names[s] : "unknown";
}

enum endpoint_state
endpoint_state_parse(const char *name)
{
	int i;

	for (i = 1; name != NULL && i < ENDPOINT_STATE_N; i++)
		if (strcmp(name, endpoint_names[i]) == 0)
			return (enum endpoint_state)i;
	return ENDPOINT_UNKNOWN;
}

/* The port after the host: digits only, 1-65535. */
static int
endpoint_port(const char *p, int *port)
{
	long v = 0;

	if (*p == '\0' || strlen(p) > 5)
		return -1;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

int
endpoint_parse_address(const char *address, char host[ENDPOINT_HOST_MAX + 1],
    int *port, struct err *err)
{
	const char *colon, *end = NULL;
	unsigned char addr[16];
	char shown[80];
	size_t len;
	int v6 = address[0] == '[';

	esc_buf(address, strlen(address), shown, sizeof shown);
	if (v6) {
		end = strchr(address, ']');
		if (end == NULL || end[1] != ':')
			return err_set(err, ERR_CONFIG, "\"%s\": an IPv6 address is "
			    "written \"[ADDRESS]:PORT\"", shown);
		colon = end + 1;
		address++;
	} else {
		colon = strrchr(address, ':');
		if (colon != NULL && strchr(address, ':') != colon)
			return err_set(err, ERR_CONFIG, "\"%s\": an IPv6 address needs "
			    "brackets: \"[ADDRESS]:PORT\"", shown);
		end = colon;
	}
	if (colon == NULL || endpoint_port(colon + 1, port) != 0)
		return err_set(err, ERR_CONFIG, "\"%s\" is not HOST:PORT (a port "
		    "from 1 to 65535)", shown);
	len = (size_t)(end - address);
	if (len == 0 || len > ENDPOINT_HOST_MAX)
		return err_set(err, ERR_CONFIG, "\"%s\": the host is empty or too long",
		    shown);
	memcpy(host, address, len);
	host[len] = '\0';
	if (v6 && inet_pton(AF_INET6, host, addr) != 1)
		return err_set(err, ERR_CONFIG, "\"%s\": not an IPv6 address between "
		    "the brackets", shown);
	for (address = host; *address != '\0'; address++)
		if ((unsigned char)*address <= ' ' || *address == 0x7f || *address == '/')
			return err_set(err, ERR_CONFIG, "\"%s\": the host holds a "
			    "character not allowed in a name", shown);
	return 0;
}

const char *
endpoint_default_sni(const char *first_name)
{
	unsigned char addr[16];

	if (first_name == NULL)
		return "";
	if (strncmp(first_name, "*.", 2) == 0)
		return NULL;
	if (inet_pton(AF_INET, first_name, addr) == 1 ||
	    inet_pton(AF_INET6, first_name, addr) == 1)
		return "";
	return first_name;
}

/* The stored certificate whose leaf is `hex`: this name's first, so a
 * leaf shared by two names is reported as ours. */
static const struct endpoint_known *
endpoint_find(const char *hex, const char *name, const struct endpoint_known *known,
    size_t n)
{
	const struct endpoint_known *other = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(known[i].sha256_hex, hex) != 0)
			continue;
		if (strcmp(known[i].name, name) == 0)
			return &known[i];
		if (other == NULL)
			other = &known[i];
	}
	return other;
}

enum endpoint_state
endpoint_verdict(enum probe_outcome outcome, const char *served_hex, const char *why,
    const char *name, int current, const struct endpoint_known *known,
    size_t n_known, char *detail, size_t detail_sz)
{
	const struct endpoint_known *k;

	if (outcome != PROBE_SERVED_CERT) {
		snprintf(detail, detail_sz, "%s", why != NULL && *why ? why : "no certificate");
		return outcome == PROBE_UNREACHABLE ? ENDPOINT_UNREACHABLE : ENDPOINT_TLS_ERROR;
	}
	k = endpoint_find(served_hex, name, known, n_known);
	if (k != NULL && strcmp(k->name, name) == 0 && k->version == current) {
		snprintf(detail, detail_sz, "version %d", current);
		return ENDPOINT_SERVED;
	}
	if (k != NULL && strcmp(k->name, name) == 0)
		snprintf(detail, detail_sz, "serves version %d, current is %d: renewed "
		    "but not deployed", k->version, current);
	else if (k != NULL)
		snprintf(detail, detail_sz, "serves certificate %s (version %d), not %s",
		    k->name, k->version, name);
	else
		snprintf(detail, detail_sz, "serves a certificate not in the store "
		    "(SHA-256 %.16s...)", served_hex);
	return ENDPOINT_STALE;
}

void
endpoint_free(struct endpoint *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].address);
		free(v[i].host);
		free(v[i].sni);
	}
	free(v);
}

int
endpoint_dup(struct endpoint **dst, size_t *n_dst, const struct endpoint *src,
    size_t n, struct err *err)
{
	struct endpoint *v;
	size_t i;

	*dst = NULL;
	*n_dst = 0;
	if (n == 0)
		return 0;
	if ((v = calloc(n, sizeof *v)) == NULL)
		return err_nomem(err, "endpoints");
	for (i = 0; i < n; i++) {
		v[i].port = src[i].port;
		v[i].line = src[i].line;
		if (str_set(&v[i].address, src[i].address, err) != 0 ||
		    str_set(&v[i].host, src[i].host, err) != 0 ||
		    str_set(&v[i].sni, src[i].sni ? src[i].sni : "", err) != 0) {
			endpoint_free(v, n);
			return -1;
		}
	}
	*dst = v;
	*n_dst = n;
	return 0;
}
