/*
 * certrec: the record kept beside each certificate (certs/NAME.json): what
 * it was issued for, where, with which key type, and what happened to it
 * last. The engine writes it; front ends read it to list and show.
 */
#ifndef CERTDECK_CERTREC_H
#define CERTDECK_CERTREC_H

#include <stddef.h>
#include <time.h>

#include "endpoint.h"
#include "err.h"
#include "str.h"

struct store;

/* What the last probe of one endpoint found. */
struct certrec_endpoint {
	char *address, *sni;		/* as probed */
	enum endpoint_state state;
	char *detail;			/* escaped: the version served, or why not */
	time_t checked;
};

struct certrec {
	char *name;
	char **domains;
	size_t n_domains;
	char *directory;		/* the CA's directory URL */
	char *account;			/* account name */
	char *key_type;
	char *challenge;		/* method name: "http-01", "webroot" */
	char *webroot;
	char *preferred_chain;
	char *profile;
	char *status;			/* "valid", "revoked", "failed", … */
	int version;			/* current archive version, 0 = none */
	int revoked_reason;		/* -1 when not revoked */
	time_t updated;
	time_t not_before, not_after;
	char *last_error;		/* escaped message of the last failure */
	/* Copied from the current certificate so a list of thousands needs
	 * no certificate parsing: */
	char *issuer;			/* issuer CN (or DN), escaped */
	char *key_desc;			/* "ECDSA P-256", "RSA 2048" */
	char *serial;			/* lowercase hex */
	time_t retry_after;		/* do not try before, 0 = any time */
	/* Its definition was removed (x in the screens): kept in the store
	 * but never renewed, deployed or notified about, until a definition
	 * names it again. Stored as "managed": false; older records lack the
	 * key and are managed. */
	int unmanaged;
	int deployed_version;		/* version the deploy steps last completed */
	char *deploy_error;		/* why the last deploy failed, or NULL */
	/* The CA's renewal window (RFC 9773) and the moment picked in it,
	 * for the certificate whose serial is ari_serial (a record whose
	 * current certificate is another loads without them): */
	time_t ari_start, ari_end, ari_pick, ari_checked;
	time_t ari_next;		/* renewalInfo not fetched again before */
	char *ari_serial;		/* lowercase hex, as `serial` */
	char *ari_explanation;
	/* The endpoints as last probed (none in records older than probes). */
	struct certrec_endpoint *endpoints;
	size_t n_endpoints;
};

/* Loads certs/NAME.json; returns 1 when found, 0 when absent, -1 on error. */
int certrec_load(struct store *s, const char *name, struct certrec *out,
    struct err *err);

/* Writes certs/NAME.json atomically. */
int certrec_save(struct store *s, const struct certrec *rec, struct err *err);

/* Replaces the domain list. */
int certrec_set_domains(struct certrec *rec, char *const *domains, size_t n,
    struct err *err);

void certrec_free(struct certrec *rec);

/* Forgets the renewal information (window, pick, next fetch). */
void certrec_ari_clear(struct certrec *rec);

/* The endpoint results as the record keeps them, a JSON array of
 * { address, sni, state, detail, checked } (a new reference, NULL when
 * out of memory), for `show --json` too. */
struct json_t *certrec_endpoints_json(const struct certrec *rec);

/* Frees `n` endpoint results and the array; NULL is allowed. */
void certrec_endpoints_free(struct certrec_endpoint *v, size_t n);

/* The worst state of the record's endpoints (stale before unreachable
 * before TLS error before served), ENDPOINT_UNKNOWN when it has none. */
enum endpoint_state certrec_endpoints_worst(const struct certrec *rec);

#endif
