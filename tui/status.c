/*
 * status: the rules that turn a certificate record into the state shown
 * to a person (see status.h).
 */
#include "autoconfig.h"

#include <string.h>

#include "status.h"

static const char *const status_names[STATUS_COUNT] = {
	[STATUS_VALID] = "valid",
	[STATUS_DUE] = "due",
	[STATUS_EXPIRING] = "expiring",
	[STATUS_EXPIRED] = "expired",
	[STATUS_REVOKED] = "revoked",
	[STATUS_FAILED] = "failed",
	[STATUS_PENDING] = "pending",
	[STATUS_UNMANAGED] = "unmanaged",
};

const char *
status_name(enum status st)
{
	return st < STATUS_COUNT ? status_names[st] : "?";
}

long
status_days_left(time_t not_after, time_t now)
{
	time_t left = not_after - now;

	/* Round towards minus infinity so an expired one is never "0 days". */
	return left >= 0 ? (long)(left / 86400) : -(long)((-left + 86399) / 86400);
}

enum status
status_of(const struct status_input *in, time_t now)
{
	double fraction = in->renew_fraction > 0 ? in->renew_fraction : 1.0 / 3;
	time_t life, left;

	if (in->unmanaged)
		return STATUS_UNMANAGED;
	if (in->status != NULL && strcmp(in->status, "revoked") == 0)
		return STATUS_REVOKED;
	if (!in->have_cert)
		return in->status != NULL && strcmp(in->status, "pending") == 0 ?
		    STATUS_PENDING : STATUS_FAILED;
	if (now >= in->not_after)
		return STATUS_EXPIRED;
	life = in->not_after - in->not_before;
	left = in->not_after - now;
	if (left < STATUS_EXPIRING_DAYS * 86400)
		return STATUS_EXPIRING;
	if (in->renew_days > 0 ? left < (time_t)in->renew_days * 86400 :
	    (double)left < (double)life * fraction)
		return STATUS_DUE;
	if (in->last_error != NULL)
		return STATUS_FAILED;
	return STATUS_VALID;
}
