/*
 * ari: renewal information identifiers, windows and picks (see ari.h).
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "ari.h"
#include "b64url.h"
#include "json.h"

/* A window a CA may reasonably suggest: no more than a few years wide. */
#define ARI_MAX_WINDOW (5L * 365 * 86400)

char *
ari_cert_id(const unsigned char *aki, size_t aki_len, const unsigned char *serial,
    size_t serial_len, struct err *err)
{
	char *a, *s, *id = NULL;

	if (aki_len == 0) {
		err_set(err, ERR_CRYPTO, "certificate has no authority key identifier");
		return NULL;
	}
	if ((a = b64url_encode(aki, aki_len, err)) == NULL)
		return NULL;
	if ((s = b64url_encode(serial, serial_len, err)) != NULL &&
	    asprintf(&id, "%s.%s", a, s) < 0) {
		id = NULL;
		err_nomem(err, "certificate identifier");
	}
	free(a);
	free(s);
	return id;
}

static int
ari_digits(const char *p, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

int
ari_time_parse(const char *text, time_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, s, oh, om;
	const char *p;
	long offset = 0;

	if (strlen(text) < 20 || ari_digits(text, 4, &y) || text[4] != '-' ||
	    ari_digits(text + 5, 2, &mo) || text[7] != '-' || ari_digits(text + 8, 2, &d) ||
	    (text[10] != 'T' && text[10] != 't') || ari_digits(text + 11, 2, &h) ||
	    text[13] != ':' || ari_digits(text + 14, 2, &mi) || text[16] != ':' ||
	    ari_digits(text + 17, 2, &s))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return -1;
	p = text + 19;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p == 'Z' || *p == 'z')
		p++;
	else if ((*p == '+' || *p == '-') && ari_digits(p + 1, 2, &oh) == 0 &&
	    p[3] == ':' && ari_digits(p + 4, 2, &om) == 0) {
		offset = (oh * 3600L + om * 60L) * (*p == '+' ? 1 : -1);
		p += 6;
	} else
		return -1;
	if (*p != '\0')
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	*out = timegm(&tm) - offset;
	return 0;
}

int
ari_window_parse(const char *json, size_t len, const char *url,
    struct ari_window *out, struct err *err)
{
	json_t *root, *win;
	const char *start, *end, *expl;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if ((root = json_parse_untrusted(json, len, url, err)) == NULL)
		return -1;
	if ((win = json_obj(root, "suggestedWindow")) == NULL ||
	    (start = json_str(win, "start")) == NULL || (end = json_str(win, "end")) == NULL) {
		err_set(err, ERR_PROTO, "%s: no suggestedWindow with start and end", url);
		goto out;
	}
	if (ari_time_parse(start, &out->start) != 0 || ari_time_parse(end, &out->end) != 0) {
		err_set(err, ERR_PROTO, "%s: suggestedWindow times are not RFC 3339", url);
		goto out;
	}
	if (out->end <= out->start || out->end - out->start > ARI_MAX_WINDOW) {
		err_set(err, ERR_PROTO, "%s: suggestedWindow ends before it starts or "
		    "spans years", url);
		goto out;
	}
	if ((expl = json_str(root, "explanationURL")) != NULL &&
	    (out->explanation = strdup(expl)) == NULL) {
		err_nomem(err, "explanation URL");
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

void
ari_window_free(struct ari_window *w)
{
	free(w->explanation);
	w->explanation = NULL;
}

time_t
ari_pick(const struct ari_window *w)
{
	unsigned long long r = 0;
	time_t span = w->end - w->start;

	if (span <= 0)
		return w->start;
	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		r = (unsigned long long)time(NULL) * 2654435761u;
	return w->start + (time_t)(r % (unsigned long long)span);
}

long
ari_recheck_after(long retry_after)
{
	if (retry_after < 0)
		return ARI_RECHECK_DEFAULT;
	if (retry_after < ARI_RECHECK_MIN)
		return ARI_RECHECK_MIN;
	return retry_after > ARI_RECHECK_MAX ? ARI_RECHECK_MAX : retry_after;
}

int
ari_incident(const struct ari_window *prev, const struct ari_window *w)
{
	return w->explanation != NULL && prev != NULL && prev->end > prev->start &&
	    w->start < prev->start;
}

time_t
ari_repick(const struct ari_window *prev, time_t prev_pick,
    const struct ari_window *w, int incident, time_t now)
{
	if (incident)
		return now;
	/* A pick before the start can only be an incident's: it stays. */
	if (prev != NULL && prev->start == w->start && prev->end == w->end &&
	    prev_pick > 0 && prev_pick < w->end)
		return prev_pick;
	return ari_pick(w);
}
