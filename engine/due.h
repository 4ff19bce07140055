/*
 * due: when a certificate is next renewed, and why: inside the CA's
 * renewal window when it publishes one (RFC 9773), else a fixed number of
 * days before expiry when configured, else when a share of the lifetime
 * is left. The engine decides renewals with it and the front ends show
 * the same forecast.
 */
#ifndef CERTDECK_DUE_H
#define CERTDECK_DUE_H

#include <stddef.h>
#include <time.h>

struct certrec;

/* The lifetime rule alone: the moment a certificate valid from
 * `not_before` to `not_after` becomes due. */
time_t due_by_lifetime(time_t not_before, time_t not_after, double fraction,
    int days);

/* The forecast for a recorded certificate: 0 when it will not be renewed
 * (revoked, or nothing issued), else the moment, with the reason in
 * `why` ("inside the CA's window …", "a third of its lifetime left"). */
time_t due_forecast(const struct certrec *rec, double fraction, int days,
    time_t now, char *why, size_t whysz);

/* The forecast in one line, the day first ("2026-12-01, when 33% of its
 * lifetime is left"), or why there is none; `certdeck show` and the
 * detail view both say it so. */
void due_describe(const struct certrec *rec, double fraction, int days,
    time_t now, char *out, size_t outsz);

#endif
