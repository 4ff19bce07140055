/*
 * job_ari: asking an ARI CA (RFC 9773) whether a certificate that is not
 * yet due by its lifetime should be renewed now: the CA's suggested window,
 * a moment picked at random inside it (kept, so repeated checks do not
 * pull the renewal earlier), and at once when the window has passed.
 * A CA that does not answer leaves the lifetime rule in charge.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ari.h"
#include "certrec.h"
#include "job_issue.h"
#include "store.h"

int
issue_cert_id(struct job *job)
{
	struct issue *is = issue_of(job);
	struct crypto_cert_info info;

	if (issue_current_cert(job, &info) != 0)
		return -1;
	is->cert_id = ari_cert_id(info.aki, info.aki_len, info.serial, info.serial_len,
	    &job->fail);
	crypto_cert_info_free(&info);
	return is->cert_id != NULL ? 0 : -1;
}

enum job_next
issue_ari_fetch(struct job *job)
{
	struct issue *is = issue_of(job);
	const char *base = job->ca->dir.renewal_info;
	enum job_next next;
	char *url;

	if (is->cert_id == NULL && issue_cert_id(job) != 0) {
		job_warn(job, "renewal information: %s", job->fail.msg);
		err_clear(&job->fail);
		return JOB_DONE;	/* the lifetime rule's answer stands */
	}
	if (asprintf(&url, "%s%s%s", base, base[strlen(base) - 1] == '/' ? "" : "/",
	    is->cert_id) < 0)
		return job_failf(job, ERR_NOMEM, "out of memory");
	next = job_get(job, "GET", url, IS_ARI_REPLY);
	free(url);
	return next;
}

static void
ari_when(time_t t, char *out, size_t outsz)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outsz, "%Y-%m-%d %H:%M UTC", &tm);
}

/* Keeps the window and the moment picked in it beside the certificate. */
static time_t
ari_record(struct job *job, const struct ari_window *w)
{
	struct certrec rec;
	time_t pick;

	if (certrec_load(job->ctx->store, job->cmd->name, &rec, NULL) != 1)
		return ari_pick(w);
	if (rec.ari_start == w->start && rec.ari_end == w->end && rec.ari_pick >= w->start &&
	    rec.ari_pick < w->end)
		pick = rec.ari_pick;
	else
		pick = ari_pick(w);
	rec.ari_start = w->start;
	rec.ari_end = w->end;
	rec.ari_pick = pick;
	rec.ari_checked = time(NULL);
	if (str_set(&rec.ari_explanation, w->explanation, NULL) == 0 &&
	    certrec_save(job->ctx->store, &rec, NULL) == 0)
		job_emit_changed(job, OBJECT_CERT, job->cmd->name);
	certrec_free(&rec);
	return pick;
}

enum job_next
issue_ari_reply(struct job *job)
{
	struct http_response *r;
	struct ari_window w;
	char a[32], b[32], at[32];
	time_t pick;

	if ((r = job_reply_usable(job, "renewal information", "application/json")) == NULL ||
	    ari_window_parse(r->body.data, r->body.len, r->url, &w, &job->fail) != 0) {
		job_warn(job, "%s; deciding by lifetime", job->fail.msg);
		err_clear(&job->fail);
		return JOB_DONE;
	}
	pick = ari_record(job, &w);
	ari_when(w.start, a, sizeof a);
	ari_when(w.end, b, sizeof b);
	ari_when(pick, at, sizeof at);
	if (time(NULL) >= pick) {
		job_emit(job, EVENT_STEP, STEP_ORDER_CREATED, 12, "the CA's renewal window "
		    "(%s to %s) says renew now%s%s", a, b, w.explanation ? ": see " : "",
		    w.explanation ? w.explanation : "");
		ari_window_free(&w);
		issue_of(job)->decided = 1;
		job->state = IS_CHECK;
		return JOB_AGAIN;
	}
	snprintf(job->result, sizeof job->result, "%s is not due: renewal planned for %s, "
	    "inside the CA's window %s to %s", job->cmd->name, at, a, b);
	ari_window_free(&w);
	return JOB_DONE;
}
