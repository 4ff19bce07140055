/*
 * job_ari: asking an ARI CA (RFC 9773) whether a certificate that is not
 * yet due by its lifetime should be renewed now: the CA's suggested window,
 * a moment picked at random inside it (kept, so repeated checks do not
 * pull the renewal earlier), and at once when the window has passed or
 * the CA signals an incident (an explanationURL with a window moved
 * earlier). The answer is kept in the certificate's record with the time
 * the CA's Retry-After allows the next fetch (bounded, §4.3); until then
 * the recorded window decides without a request. A CA that does not
 * answer leaves the recorded window, or else the lifetime rule, in charge.
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

/* Fills is->cert_id from the current certificate, and `serial` (caller
 * frees; NULL when not wanted) with its serial in hex. */
static int
ari_current(struct job *job, char **serial)
{
	struct issue *is = issue_of(job);
	struct crypto_cert_info info;
	int rc = 0;

	if (issue_current_cert(job, &info) != 0)
		return -1;
	if (is->cert_id == NULL && (is->cert_id = ari_cert_id(info.aki, info.aki_len,
	    info.serial, info.serial_len, &job->fail)) == NULL)
		rc = -1;
	if (rc == 0 && serial != NULL && (*serial = strdup(info.serial_hex)) == NULL)
		rc = err_nomem(&job->fail, "serial");
	crypto_cert_info_free(&info);
	return rc;
}

int
issue_cert_id(struct job *job)
{
	return ari_current(job, NULL);
}

static void
ari_when(time_t t, char *out, size_t outsz)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outsz, "%Y-%m-%d %H:%M UTC", &tm);
}

/* The record's window, when it is about the certificate with `serial`. */
static int
ari_recorded(const struct certrec *rec, const char *serial, struct ari_window *w)
{
	if (rec->ari_serial == NULL || strcmp(rec->ari_serial, serial) != 0 ||
	    rec->ari_end <= rec->ari_start)
		return 0;
	w->start = rec->ari_start;
	w->end = rec->ari_end;
	w->explanation = NULL;
	return 1;
}

/* Renews now when the recorded pick has come (or an incident made it
 * now), else ends the job saying when. */
static enum job_next
ari_decide(struct job *job, const struct certrec *rec, int incident)
{
	const char *why = rec->ari_explanation;
	char a[32], b[32], at[32], next[48] = "on the next run";

	ari_when(rec->ari_start, a, sizeof a);
	ari_when(rec->ari_end, b, sizeof b);
	ari_when(rec->ari_pick, at, sizeof at);
	if (rec->ari_next > time(NULL)) {
		snprintf(next, sizeof next, "after ");
		ari_when(rec->ari_next, next + 6, sizeof next - 6);
	}
	if (time(NULL) >= rec->ari_pick) {
		if (incident || rec->ari_pick < rec->ari_start)
			job_emit(job, EVENT_STEP, STEP_ORDER_CREATED, 12, "the CA moved its "
			    "renewal window earlier (now %s to %s) and explains why at %s: "
			    "renewing now", a, b, why ? why : "(no URL)");
		else
			job_emit(job, EVENT_STEP, STEP_ORDER_CREATED, 12, "the CA's renewal "
			    "window (%s to %s) says renew now%s%s", a, b, why ? ": see " : "",
			    why ? why : "");
		issue_of(job)->decided = 1;
		job->state = IS_CHECK;
		return JOB_AGAIN;
	}
	snprintf(job->result, sizeof job->result, "%s is not due: renewal planned for %s, "
	    "inside the CA's window %s to %s%s%s; renewal information asked again %s",
	    job->cmd->name, at, a, b, why ? " (the CA explains: " : "", why ? why : "",
	    next);
	if (why != NULL)
		snprintf(job->result + strlen(job->result), sizeof job->result -
		    strlen(job->result), ")");
	return JOB_DONE;
}

/* Without a window of the CA's for this certificate: the lifetime rule's
 * answer (already in job->result) stands. */
static enum job_next
ari_by_lifetime(struct job *job, time_t next)
{
	char when[32];

	ari_when(next, when, sizeof when);
	snprintf(job->result + strlen(job->result), sizeof job->result -
	    strlen(job->result), "; renewal information asked again after %s", when);
	return JOB_DONE;
}

/* Loads the record for an update of its renewal information about the
 * certificate with `serial`: `prev` is the window kept so far, when it
 * is about that certificate. 1 loaded, 0 not (nothing to keep). */
static int
ari_load(struct job *job, const char *serial, struct certrec *rec,
    struct ari_window *prev, int *have_prev)
{
	if (certrec_load(job->ctx->store, job->cmd->name, rec, NULL) != 1)
		return 0;
	*have_prev = ari_recorded(rec, serial, prev);
	if (rec->ari_serial == NULL || strcmp(rec->ari_serial, serial) != 0) {
		certrec_ari_clear(rec);
		if (str_set(&rec->ari_serial, serial, NULL) != 0) {
			certrec_free(rec);
			return 0;
		}
	}
	return 1;
}

static void
ari_save(struct job *job, struct certrec *rec)
{
	if (certrec_save(job->ctx->store, rec, NULL) == 0)
		job_emit_changed(job, OBJECT_CERT, job->cmd->name);
}

enum job_next
issue_ari_fetch(struct job *job)
{
	struct issue *is = issue_of(job);
	const char *base = job->ca->dir.renewal_info;
	struct ari_window w;
	struct certrec rec;
	enum job_next next;
	char *url, *serial = NULL;

	if (ari_current(job, &serial) != 0) {
		job_warn(job, "renewal information: %s", job->fail.msg);
		err_clear(&job->fail);
		return JOB_DONE;	/* the lifetime rule's answer stands */
	}
	/* The CA said when to ask again (§4.3.2): until then, what it said. */
	if (certrec_load(job->ctx->store, job->cmd->name, &rec, NULL) == 1 &&
	    rec.ari_serial != NULL && strcmp(rec.ari_serial, serial) == 0 &&
	    time(NULL) < rec.ari_next) {
		next = ari_recorded(&rec, serial, &w) ? ari_decide(job, &rec, 0) :
		    ari_by_lifetime(job, rec.ari_next);
		certrec_free(&rec);
		free(serial);
		return next;
	}
	certrec_free(&rec);
	free(serial);
	if (asprintf(&url, "%s%s%s", base, base[strlen(base) - 1] == '/' ? "" : "/",
	    is->cert_id) < 0)
		return job_failf(job, ERR_NOMEM, "out of memory");
	next = job_get(job, "GET", url, IS_ARI_REPLY);
	free(url);
	return next;
}

/* No usable answer (job->fail says why): a lasting error waits six
 * hours, or the CA's Retry-After (§4.3.3); a transient one (no answer,
 * 5xx without Retry-After) is asked again on the next run. Meanwhile the
 * window recorded for this certificate, if any, decides. */
static enum job_next
ari_failed(struct job *job, const char *serial)
{
	const struct http_response *r = job->net_failed ? NULL : job->resp;
	struct ari_window prev;
	struct certrec rec;
	enum job_next next = JOB_DONE;
	int have_prev = 0;

	if (ari_load(job, serial, &rec, &prev, &have_prev)) {
		if (r != NULL && (r->status < 500 || r->retry_after >= 0)) {
			rec.ari_next = time(NULL) + ari_recheck_after(r->retry_after);
			ari_save(job, &rec);
		}
	}
	job_warn(job, "%s; deciding by %s", job->fail.msg, have_prev ?
	    "the renewal window the CA gave before" : "lifetime");
	err_clear(&job->fail);
	if (have_prev)
		next = ari_decide(job, &rec, 0);
	certrec_free(&rec);
	return next;
}

enum job_next
issue_ari_reply(struct job *job)
{
	struct http_response *r;
	struct ari_window w, prev;
	struct certrec rec;
	enum job_next next;
	char *serial = NULL;
	int have_prev = 0, incident;
	time_t now = time(NULL);

	if (ari_current(job, &serial) != 0) {
		job_warn(job, "renewal information: %s", job->fail.msg);
		err_clear(&job->fail);
		return JOB_DONE;
	}
	if ((r = job_reply_usable(job, "renewal information", "application/json")) == NULL ||
	    ari_window_parse(r->body.data, r->body.len, r->url, &w, &job->fail) != 0) {
		next = ari_failed(job, serial);
		free(serial);
		return next;
	}
	if (!ari_load(job, serial, &rec, &prev, &have_prev)) {
		/* No record to keep it in: decide on this answer alone. */
		memset(&rec, 0, sizeof rec);
		rec.revoked_reason = -1;
	}
	incident = ari_incident(have_prev ? &prev : NULL, &w);
	rec.ari_pick = ari_repick(have_prev ? &prev : NULL, rec.ari_pick, &w, incident, now);
	rec.ari_start = w.start;
	rec.ari_end = w.end;
	rec.ari_checked = now;
	rec.ari_next = now + ari_recheck_after(r->retry_after);
	if (str_set(&rec.ari_explanation, w.explanation, NULL) == 0 && rec.name != NULL)
		ari_save(job, &rec);
	next = ari_decide(job, &rec, incident);
	ari_window_free(&w);
	certrec_free(&rec);
	free(serial);
	return next;
}
