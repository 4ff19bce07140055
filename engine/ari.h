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

/* Bounds on the wait before renewalInfo is fetched again (§4.3.2): a
 * Retry-After under a minute counts as a minute, over a day as a day;
 * one absent or unreadable, like any lasting error, as six hours
 * (§4.3.3). */
#define ARI_RECHECK_MIN		60L
#define ARI_RECHECK_MAX		86400L
#define ARI_RECHECK_DEFAULT	21600L

/* Seconds until the next fetch for a Retry-After of `retry_after`
 * seconds (-1: absent or unreadable), bounded as above. */
long ari_recheck_after(long retry_after);

/* Whether the window `w` just fetched signals an incident, such as a
 * revocation to come: it carries an explanationURL and starts earlier
 * than the window recorded before for the same certificate (`prev`,
 * NULL when none was). A window unchanged, later, or seen for the first
 * time is not one, explanation or not. */
int ari_incident(const struct ari_window *prev, const struct ari_window *w);

/* The moment to renew inside `w`: `now` for an incident; the moment
 * picked before (`prev_pick`, in `prev`) while the window is unchanged,
 * so repeated checks never pull the renewal earlier, and an incident's
 * pick stays; else a new pick. `prev` may be NULL. */
time_t ari_repick(const struct ari_window *prev, time_t prev_pick,
    const struct ari_window *w, int incident, time_t now);

#endif
