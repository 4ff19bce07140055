/*
 * due: renewal forecasts (see due.h).
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "certrec.h"
#include "due.h"

time_t
due_by_lifetime(time_t not_before, time_t not_after, double fraction, int days)
{
	if (days > 0)
		return not_after - (time_t)days * 86400;
	return not_after - (time_t)((double)(not_after - not_before) * fraction);
}

static void
due_when(time_t t, char *out, size_t outsz)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outsz, "%Y-%m-%d %H:%M UTC", &tm);
}

time_t
due_forecast(const struct certrec *rec, double fraction, int days, time_t now,
    char *why, size_t whysz)
{
	char a[32], b[32];
	time_t when;

	if (rec->status != NULL && strcmp(rec->status, "revoked") == 0) {
		snprintf(why, whysz, "revoked: not renewed");
		return 0;
	}
	if (rec->unmanaged) {
		snprintf(why, whysz, "no longer managed: not renewed");
		return 0;
	}
	if (rec->version == 0 || rec->not_after == 0) {
		snprintf(why, whysz, "not issued yet");
		return 0;
	}
	if (rec->ari_pick > 0 && rec->ari_end > rec->ari_start) {
		due_when(rec->ari_start, a, sizeof a);
		due_when(rec->ari_end, b, sizeof b);
		/* A pick before the window's start is an incident's: now. */
		if (rec->ari_pick < rec->ari_start)
			snprintf(why, whysz, "at once: the CA moved its renewal window "
			    "earlier, to %s to %s (ARI)", a, b);
		else
			snprintf(why, whysz, "a moment picked in the CA's renewal window, "
			    "%s to %s (ARI)", a, b);
		when = rec->ari_pick;
	} else {
		when = due_by_lifetime(rec->not_before, rec->not_after, fraction, days);
		if (days > 0)
			snprintf(why, whysz, "%d days before expiry", days);
		else
			snprintf(why, whysz, "when %.0f%% of its lifetime is left",
			    fraction * 100);
	}
	if (rec->retry_after > now && rec->retry_after > when) {
		due_when(rec->retry_after, a, sizeof a);
		snprintf(why + strlen(why), whysz - strlen(why), "; the CA asked not to "
		    "retry before %s", a);
		when = rec->retry_after;
	}
	return when;
}

void
due_describe(const struct certrec *rec, double fraction, int days, time_t now,
    char *out, size_t outsz)
{
	char why[384], day[16];
	struct tm tm;
	time_t next;

	if ((next = due_forecast(rec, fraction, days, now, why, sizeof why)) > 0) {
		gmtime_r(&next, &tm);
		strftime(day, sizeof day, "%Y-%m-%d", &tm);
		snprintf(out, outsz, "%s, %s", day, why);
	} else
		snprintf(out, outsz, "%s", why);
}
