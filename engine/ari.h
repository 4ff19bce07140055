/*
 * ari: ACME Renewal Information (RFC 9773) without I/O: the certificate
 * identifier a CA knows a certificate by, the window it suggests for
 * renewing it, and the moment inside that window this client picks.
 */
#ifndef CERTDECK_ARI_H
#define CERTDECK_ARI_H

#include <stddef.h>
#include <time.h>

#include "err.h"

struct ari_window {
	time_t start, end;
	char *explanation;		/* explanationURL, or NULL */
};

/* base64url(AKI keyIdentifier) "." base64url(serial bytes) (§4.1); the
 * serial as the DER INTEGER's content octets. Caller frees. */
char *ari_cert_id(const unsigned char *aki, size_t aki_len,
    const unsigned char *serial, size_t serial_len, struct err *err);

/* Parses a renewalInfo response; the window must have start < end.
 * `url` names it in errors. */
int ari_window_parse(const char *json, size_t len, const char *url,
    struct ari_window *out, struct err *err);
void ari_window_free(struct ari_window *w);

/* Parses an RFC 3339 time ("2025-01-02T03:04:05Z", fractions and numeric
 * offsets allowed); 0 or -1. */
int ari_time_parse(const char *text, time_t *out);

/* A uniformly random moment in [start, end) (§4.2): the client renews
 * then, or at once when it has passed. */
time_t ari_pick(const struct ari_window *w);

#endif
