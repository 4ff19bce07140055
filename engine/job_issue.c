/*
 * job_issue: issue or renew one certificate (RFC 8555 §7.4): new order (or
 * resume the one a killed run left), authorizations with http-01 answered
 * by the built-in responder, polling, finalize with a CSR, download, and
 * the checks that must pass before the new pair becomes current.
 *
 * Every state below is one step of that walk; each sends at most one
 * request. The order in flight and the new key are recorded in the store
 * before they matter, so a run killed at any step loses nothing and the
 * next run picks the order up again.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "b64url.h"
#include "certrec.h"
#include "esc.h"
#include "job.h"
#include "job_issue.h"
#include "jws.h"
#include "json.h"
#include "responder.h"
#include "store.h"



static void
issue_path(const struct job *job, const char *suffix, char *out, size_t outsz)
{
	snprintf(out, outsz, "orders/%s%s", job->cmd->name, suffix);
}

/* Writes orders/NAME.json: enough for a later run to resume the order. */
static int
issue_order_record(struct job *job)
{
	struct issue *is = issue_of(job);
	json_t *doc, *names = json_array();
	char path[256], *text;
	size_t i;
	int rc;

	for (i = 0; i < is->n_ids; i++)
		json_array_append_new(names, json_string(is->ids[i].value));
	doc = json_pack("{s:s, s:s, s:o}", "url", is->order_url, "directory",
	    job->ca->url, "names", names);
	if (doc == NULL || (text = json_dump_compact(doc, &job->fail)) == NULL) {
		json_decref(doc);
		return err_nomem(&job->fail, "order record");
	}
	json_decref(doc);
	issue_path(job, ".json", path, sizeof path);
	rc = store_doc_write(job->ctx->store, path, text, strlen(text), 1, &job->fail);
	free(text);
	if (rc == 0)
		job_emit_changed(job, OBJECT_ORDER, job->cmd->name);
	return rc;
}

void
issue_order_forget(struct job *job, int with_key)
{
	char path[256];

	issue_path(job, ".json", path, sizeof path);
	if (store_doc_exists(job->ctx->store, path))
		(void)store_doc_remove(job->ctx->store, path, NULL);
	issue_path(job, ".key", path, sizeof path);
	if (with_key && store_doc_exists(job->ctx->store, path))
		(void)store_doc_remove(job->ctx->store, path, NULL);
	job_emit_changed(job, OBJECT_ORDER, job->cmd->name);
}

/* The same set of names as the order record, in any order. */
static int
issue_names_equal(const struct issue *is, const json_t *names)
{
	size_t i, j;

	if (json_array_size(names) != is->n_ids)
		return 0;
	for (i = 0; i < is->n_ids; i++) {
		for (j = 0; j < is->n_ids; j++) {
			const char *v = json_string_value(json_array_get(names, j));

			if (v != NULL && strcmp(v, is->ids[i].value) == 0)
				break;
		}
		if (j == is->n_ids)
			return 0;
	}
	return 1;
}

/* Looks for an order a killed run left for this certificate at this CA. */
static int
issue_resume_url(struct job *job, char **url)
{
	struct issue *is = issue_of(job);
	char path[256];
	struct buf b;
	json_t *doc;

	*url = NULL;
	issue_path(job, ".json", path, sizeof path);
	if (!store_doc_exists(job->ctx->store, path))
		return 0;
	buf_init(&b, 0);
	if (store_doc_read(job->ctx->store, path, ISSUE_DOC_MAX, &b, &job->fail) != 0) {
		buf_free(&b);
		return -1;
	}
	doc = json_parse_untrusted(b.data, b.len, path, NULL);
	buf_free(&b);
	if (doc == NULL)
		return 0;
	if (json_str(doc, "url") != NULL && json_str(doc, "directory") != NULL &&
	    strcmp(json_str(doc, "directory"), job->ca->url) == 0 &&
	    json_arr(doc, "names") != NULL && issue_names_equal(is, json_arr(doc, "names")))
		*url = strdup(json_str(doc, "url"));
	json_decref(doc);
	return 0;
}

static enum job_next
issue_check(struct job *job)
{
	struct issue *is = issue_of(job);
	char *url;
	int due;

	if (!is->decided) {
		if (issue_decide(job, &due) != 0)
			return JOB_FAILED;
		if (is->deploy_only) {
			job->state = IS_DEPLOY;
			return JOB_AGAIN;
		}
		if (!due && is->ari_ask && !is->other_ca &&
		    job->ca->dir.renewal_info != NULL) {
			job->state = IS_ARI_FETCH;
			return JOB_AGAIN;
		}
		if (!due)
			return JOB_DONE;
		is->decided = 1;
	}
	if (is->ids == NULL && issue_fill(job) != 0)
		return JOB_FAILED;
	/* Only work that is due needs the account (registered if new). */
	if (job->no_account) {
		job->no_account = 0;
		job->state = JS_ACCOUNT;
		return JOB_AGAIN;
	}
	if (issue_resume_url(job, &url) != 0)
		return JOB_FAILED;
	if (url != NULL) {
		is->order_url = url;
		is->resumed = 1;
		job_emit(job, EVENT_STEP, STEP_ORDER_CREATED, 15, "resuming order %s", url);
		job_deadline_start(job);
		job->state = IS_ORDER_POLL;
		return JOB_AGAIN;
	}
	job->state = IS_NEW_ORDER;
	return JOB_AGAIN;
}

/* A profile must be one the CA lists (draft-ietf-acme-profiles). */
static int
issue_profile_check(struct job *job)
{
	const struct acme_directory *d = &job->ca->dir;
	char list[512] = "";
	size_t i;

	if (job->cmd->profile == NULL)
		return 0;
	for (i = 0; i < d->n_profiles; i++) {
		if (strcmp(d->profiles[i], job->cmd->profile) == 0)
			return 0;
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
		    i ? ", " : "", d->profiles[i]);
	}
	if (d->n_profiles == 0)
		return err_set(&job->fail, ERR_CONFIG, "profile '%s': the CA at %s offers "
		    "no profiles", job->cmd->profile, job->ca->url);
	return err_set(&job->fail, ERR_CONFIG, "profile '%s' is not offered by the CA at "
	    "%s; it offers: %s", job->cmd->profile, job->ca->url, list);
}

static enum job_next
issue_new_order(struct job *job)
{
	struct issue *is = issue_of(job);
	enum job_next next;
	char *payload;

	if (issue_profile_check(job) != 0)
		return JOB_FAILED;
	/* A renewal tells an ARI CA which certificate it replaces (§5). */
	if (is->renew && is->version > 0 && !is->other_ca &&
	    job->ca->dir.renewal_info != NULL && is->cert_id == NULL &&
	    issue_cert_id(job) != 0)
		job_warn(job, "renewal information: %s", job->fail.msg);
	payload = acme_payload_new_order(is->ids, is->n_ids, job->cmd->profile,
	    is->cert_id, &job->fail);
	if (payload == NULL)
		return JOB_FAILED;
	next = job_post(job, job->ca->dir.new_order, payload, 0, IS_ORDER_CREATED);
	free(payload);
	return next;
}

/* An order's authorizations must stay the ones first read: a CA that
 * swaps them between reads is not finalized. */
static int
issue_authzs_same(struct job *job)
{
	struct issue *is = issue_of(job);
	size_t i, j;

	if (is->first_authzs == NULL) {
		if (is->order.n_authorizations == 0)
			return 0;
		if ((is->first_authzs = calloc(is->order.n_authorizations,
		    sizeof *is->first_authzs)) == NULL)
			return err_nomem(&job->fail, "authorizations");
		for (i = 0; i < is->order.n_authorizations; i++)
			if ((is->first_authzs[i] = strdup(is->order.authorizations[i])) == NULL)
				return err_nomem(&job->fail, "authorizations");
		is->n_first_authzs = is->order.n_authorizations;
		return 0;
	}
	for (i = 0; i < is->order.n_authorizations; i++) {
		for (j = 0; j < is->n_first_authzs; j++)
			if (strcmp(is->order.authorizations[i], is->first_authzs[j]) == 0)
				break;
		if (j == is->n_first_authzs)
			break;
	}
	if (i < is->order.n_authorizations || is->order.n_authorizations != is->n_first_authzs)
		return err_set(&job->fail, ERR_PROTO, "its authorizations changed since it "
		    "was first read (%zu then, %zu now); refused, never finalized",
		    is->n_first_authzs, is->order.n_authorizations);
	return 0;
}

/* Parses job->resp as the order and checks it is the one we asked for. */
static int
issue_take_order(struct job *job)
{
	struct issue *is = issue_of(job);
	struct http_response *r = job->resp;

	acme_order_free(&is->order);
	if (acme_order_parse(r->body.data, r->body.len, r->url, &is->order, &job->fail) != 0 ||
	    acme_order_matches(&is->order, is->ids, is->n_ids, &job->fail) != 0 ||
	    issue_authzs_same(job) != 0)
		return err_prefix(&job->fail, "order %s", is->order_url ? is->order_url : r->url);
	return 0;
}

static enum job_next
issue_order_created(struct job *job)
{
	struct issue *is = issue_of(job);

	if (job_reply_ok(job, "new order", "application/json") != 0)
		return JOB_FAILED;
	if (job->resp->location == NULL)
		return job_failf(job, ERR_PROTO, "new order: %s: no Location header",
		    job->resp->url);
	free(is->order_url);	/* a resumed order's, when that one was dead */
	strv_free(is->first_authzs, is->n_first_authzs);
	is->first_authzs = NULL;
	is->n_first_authzs = 0;
	if ((is->order_url = strdup(job->resp->location)) == NULL)
		return job_failf(job, ERR_NOMEM, "out of memory");
	if (issue_take_order(job) != 0 || issue_order_record(job) != 0)
		return JOB_FAILED;
	job_emit(job, EVENT_STEP, STEP_ORDER_CREATED, 15, "order %s (%zu authorizations)",
	    is->order_url, is->order.n_authorizations);
	job_deadline_start(job);
	job->state = IS_ORDER_DISPATCH;
	return JOB_AGAIN;
}

static enum job_next
issue_order_poll(struct job *job)
{
	return job_post(job, issue_of(job)->order_url, "", 0, IS_ORDER_REPLY);
}

static enum job_next
issue_order_reply(struct job *job)
{
	struct issue *is = issue_of(job);

	if (job_reply_ok(job, "order", "application/json") != 0) {
		/* A resumed order the CA no longer knows: start a new one. */
		if (is->resumed && job->resp != NULL && job->resp->status == 404) {
			is->resumed = 0;
			issue_order_forget(job, 0);
			job->state = IS_NEW_ORDER;
			return JOB_AGAIN;
		}
		return JOB_FAILED;
	}
	if (issue_take_order(job) != 0)
		return JOB_FAILED;
	job->state = IS_ORDER_DISPATCH;
	return JOB_AGAIN;
}

static enum job_next
issue_order_invalid(struct job *job)
{
	struct issue *is = issue_of(job);
	char text[700] = "no reason given";
	size_t i;

	if (is->order.error != NULL)
		acme_problem_format(is->order.error, text, sizeof text);
	for (i = 0; i < is->n_authzs && is->order.error == NULL; i++) {
		const struct acme_challenge *c = issue_challenge_of(job, &is->authzs[i]);

		if (c != NULL && c->error != NULL) {
			acme_problem_format(c->error, text, sizeof text);
			break;
		}
	}
	issue_order_forget(job, 1);
	return job_failf(job, ERR_ACME, "order %s is invalid: %s", is->order_url, text);
}

static enum job_next
issue_order_dispatch(struct job *job)
{
	struct issue *is = issue_of(job);

	switch (is->order.status) {
	case ACME_STATUS_PENDING:
		if (issue_authz_alloc(job) != 0)
			return JOB_FAILED;
		is->authz_i = 0;
		job->state = IS_AUTHZ_FETCH;
		return JOB_AGAIN;
	case ACME_STATUS_READY:
		job->state = IS_FINALIZE;
		return JOB_AGAIN;
	case ACME_STATUS_PROCESSING:
		job_emit(job, EVENT_STEP, STEP_POLL, 75, "order processing");
		job->state = IS_ORDER_POLL;
		return job_poll_later(job, "order processing");
	case ACME_STATUS_VALID:
		job->state = IS_DOWNLOAD;
		return JOB_AGAIN;
	case ACME_STATUS_INVALID:
		/* A run killed mid-validation leaves an order that failed
		 * without it: that failure is not this run's, start afresh. */
		if (is->resumed) {
			is->resumed = 0;
			issue_order_forget(job, 0);
			job_emit(job, EVENT_STEP, STEP_RETRY, 15, "the order of an earlier "
			    "run is invalid; starting a new one");
			job->state = IS_NEW_ORDER;
			return JOB_AGAIN;
		}
		return issue_order_invalid(job);
	default:
		issue_order_forget(job, 0);
		return job_failf(job, ERR_PROTO, "order %s has status %s", is->order_url,
		    acme_status_name(is->order.status));
	}
}

enum job_next
issue_step(struct job *job)
{
	switch ((enum issue_state)job->state) {
	case IS_CHECK:
		return issue_check(job);
	case IS_NEW_ORDER:
		return issue_new_order(job);
	case IS_ORDER_CREATED:
		return issue_order_created(job);
	case IS_ORDER_POLL:
		return issue_order_poll(job);
	case IS_ORDER_REPLY:
		return issue_order_reply(job);
	case IS_ORDER_DISPATCH:
		return issue_order_dispatch(job);
	case IS_AUTHZ_FETCH:
		return issue_authz_fetch(job);
	case IS_AUTHZ_REPLY:
		return issue_authz_reply(job);
	case IS_SOLVE_WAIT:
		return issue_solve_wait(job);
	case IS_CHALLENGE_REPLY:
		return issue_challenge_reply(job);
	case IS_AUTHZ_POLL:
		return issue_authz_poll(job);
	case IS_AUTHZ_POLL_REPLY:
		return issue_authz_poll_reply(job);
	case IS_FINALIZE:
		return issue_finalize(job);
	case IS_FINALIZE_REPLY:
		return issue_finalize_reply(job);
	case IS_DOWNLOAD:
		return issue_download(job);
	case IS_DOWNLOAD_REPLY:
		return issue_download_reply(job);
	case IS_ALT_FETCH:
		return issue_alt_fetch(job);
	case IS_ALT_REPLY:
		return issue_alt_reply(job);
	case IS_ARI_FETCH:
		return issue_ari_fetch(job);
	case IS_ARI_REPLY:
		return issue_ari_reply(job);
	case IS_DEPLOY:
		return issue_deploy(job);
	case IS_RELOAD_WAIT:
		return issue_reload_wait(job);
	}
	return job_failf(job, ERR_FAIL, "issue: unknown state %d", job->state);
}

static int
issue_init(struct job *job)
{
	if ((job->kind_data = calloc(1, sizeof(struct issue))) == NULL)
		return err_nomem(&job->fail, "job");
	/* A renewal that turns out not to be due never needs the account. */
	job->no_account = job->cmd->kind == ENGINE_CMD_RENEW;
	return 0;
}

static void
issue_cleanup(struct job *job)
{
	issue_solves_release(job);
	issue_deploy_cancel(job);
}

/* Keeps the failure beside the certificate so the list can show it; a
 * certificate that has a current version stays usable, only marked. */
static void
issue_on_fail(struct job *job)
{
	struct certrec rec;
	char text[EVENT_MSG_MAX];

	if (certrec_load(job->ctx->store, job->cmd->name, &rec, NULL) != 1)
		return;
	esc_buf(job->fail.msg, strlen(job->fail.msg), text, sizeof text);
	if (str_set(&rec.last_error, text, NULL) == 0 &&
	    (rec.version > 0 || str_set(&rec.status, "failed", NULL) == 0)) {
		rec.updated = time(NULL);
		if (job->retry_at > 0)
			rec.retry_after = job->retry_at;
		if (certrec_save(job->ctx->store, &rec, NULL) == 0)
			job_emit_changed(job, OBJECT_CERT, job->cmd->name);
	}
	certrec_free(&rec);
}

const struct job_ops job_issue_ops = {
	.name = "issue",
	.first_state = IS_CHECK,
	.init = issue_init,
	.step = issue_step,
	.on_fail = issue_on_fail,
	.cleanup = issue_cleanup,
	.free = issue_free,
	.then = issue_then,
};
