/*
 * endpoint: the live endpoints a certificate is served on, and the pure
 * part of checking them: reading "HOST:PORT" / "[V6]:PORT", the SNI name
 * used when none is given, and the verdict on what a probe saw (served,
 * stale, unreachable, TLS error). No I/O here, so all of it is
 * unit-tested; job_probe does the connecting and the recording.
 */
#ifndef CERTDECK_ENDPOINT_H
#define CERTDECK_ENDPOINT_H

#include <stddef.h>

#include "err.h"
#include "probe.h"

#define ENDPOINT_HOST_MAX 253
#define ENDPOINT_DETAIL_MAX 400

enum endpoint_state {
	ENDPOINT_UNKNOWN = 0,	/* never checked */
	ENDPOINT_SERVED,	/* the stored current version is served */
	ENDPOINT_STALE,		/* an older version, or another certificate */
	ENDPOINT_UNREACHABLE,	/* no name, refused, connect timed out */
	ENDPOINT_TLS_ERROR,	/* connected, but no certificate came */
	ENDPOINT_STATE_N
};

/* One endpoint to probe: `address` as written, `host` and `port` read
 * from it, `sni` ("" for none). */
struct endpoint {
	char *address, *host, *sni;
	int port;
	int line;			/* in the config file; 0 when not from one */
};

/* A certificate the store holds, to name what an endpoint serves. */
struct endpoint_known {
	const char *name;		/* certificate name */
	int version;			/* archive version */
	const char *sha256_hex;		/* of the leaf's DER, lowercase */
};

/* Reads "HOST:PORT", "[IPV6]:PORT" (brackets required for IPv6) into
 * `host` (without brackets) and `*port` (1-65535). Returns 0, or -1 with
 * `err` saying what is wrong (ERR_CONFIG). */
int endpoint_parse_address(const char *address, char host[ENDPOINT_HOST_MAX + 1],
    int *port, struct err *err);

/* The SNI name sent when the definition gives none: the certificate's
 * first name, except an IP address (SNI carries names only: "") and a
 * wildcard (NULL: the user must choose a name). */
const char *endpoint_default_sni(const char *first_name);

/* Short names: "served", "stale", "unreachable", "tls-error", "unknown";
 * and back (ENDPOINT_UNKNOWN for anything else). */
const char *endpoint_state_name(enum endpoint_state s);
enum endpoint_state endpoint_state_parse(const char *name);

/* The verdict on a finished probe of an endpoint of certificate `name`,
 * whose current version is `current`: `outcome` and `served_hex` as
 * probe_result() gave them, `why` its message when no certificate came.
 * `known` lists the certificates of the store (every version of `name`,
 * the others' too). `detail` gets one line saying what is served (which
 * version, which other certificate) or why nothing was. */
enum endpoint_state endpoint_verdict(enum probe_outcome outcome,
    const char *served_hex, const char *why, const char *name, int current,
    const struct endpoint_known *known, size_t n_known, char *detail,
    size_t detail_sz);

/* Copies `n` endpoints into a new array `*dst` (*n_dst = n); 0 or -1. */
int endpoint_dup(struct endpoint **dst, size_t *n_dst, const struct endpoint *src,
    size_t n, struct err *err);

/* Frees `n` endpoints and the array; NULL is allowed. */
void endpoint_free(struct endpoint *v, size_t n);

#endif
