/*
 * status: what state a certificate is in, for a person: valid, renewal
 * due, expiring soon, expired, revoked, failed or pending. The list
 * command and the screens use these same rules, so both always agree.
 */
#ifndef CERTDECK_STATUS_H
#define CERTDECK_STATUS_H

#include <time.h>

enum status {
	STATUS_VALID = 0,
	STATUS_DUE,
	STATUS_EXPIRING,
	STATUS_EXPIRED,
	STATUS_REVOKED,
	STATUS_FAILED,
	STATUS_PENDING,
	STATUS_UNMANAGED,		/* its definition was removed (x) */
	STATUS_COUNT
};

/* Expiring soon: fewer days than this are left. */
#define STATUS_EXPIRING_DAYS 7

/* What status_of() needs to know about one certificate. */
struct status_input {
	const char *status;		/* the record's "valid", "revoked"… or NULL */
	int unmanaged;			/* the record's "managed": false */
	const char *last_error;		/* the record's last failure or NULL */
	int have_cert;			/* a current certificate exists */
	time_t not_before, not_after;	/* its validity */
	double renew_fraction;		/* due below this share of the lifetime */
	int renew_days;			/* > 0: due this many days before expiry */
};

/* The status of a certificate at `now`: unmanaged, revoked and failed-
 * without-a-certificate first, then by dates, then a failed last
 * attempt. */
enum status status_of(const struct status_input *in, time_t now);

/* The lowercase word for a status ("valid", "due", "expiring"...); static. */
const char *status_name(enum status st);

/* Whole days left until `not_after` (negative once expired). */
long status_days_left(time_t not_after, time_t now);

#endif
