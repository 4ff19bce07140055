/*
 * job_setup: the steps every job takes before its own work: the CA's
 * directory, then the account (loaded from the store, or registered), and
 * the reply handling of signed requests (badNonce retries). Jobs share one
 * directory and one account per CA; the first job that needs one fetches
 * it while the others wait on the CA context.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "b64url.h"
#include "esc.h"
#include "jws.h"
#include "job.h"
#include "json.h"
#include "store.h"

#define JOB_SKEW_WARN_S 300

static void
job_setup_check_skew(struct job *job)
{
	struct ca *ca = job->ca;
	long long skew;

	if (job->resp == NULL || job->resp->date == 0 || ca->skew_warned)
		return;
	skew = (long long)job->resp->date - (long long)time(NULL);
	if (skew > JOB_SKEW_WARN_S || skew < -JOB_SKEW_WARN_S) {
		ca->skew_warned = 1;
		job_warn(job, "this machine's clock is "
		    "%lld s %s the CA's; certificate dates may look wrong",
		    skew > 0 ? skew : -skew, skew > 0 ? "behind" : "ahead of");
	}
}

static enum job_next
job_setup_directory(struct job *job)
{
	struct ca *ca = job->ca;

	switch (ca->dir_phase) {
	case CA_READY:
		job->state = job->no_account ? job->ops->first_state : JS_ACCOUNT;
		return JOB_AGAIN;
	case CA_BUSY:
		return JOB_WAIT_CA;
	case CA_FAILED:
		err_copy(&job->fail, &ca->dir_err);
		return JOB_FAILED;
	case CA_NONE:
		break;
	}
	ca->dir_phase = CA_BUSY;
	return job_get(job, "GET", ca->url, JS_DIRECTORY_REPLY);
}

static enum job_next
job_setup_directory_reply(struct job *job)
{
	struct ca *ca = job->ca;
	struct http_response *r = job->resp;

	if (job_reply_ok(job, "directory", "application/json") != 0 ||
	    acme_directory_parse(r->body.data, r->body.len, ca->url, &ca->dir,
	    &job->fail) != 0) {
		/* Waiting jobs fail with the same reason; the next run retries. */
		ca->dir_phase = CA_FAILED;
		err_copy(&ca->dir_err, &job->fail);
		return JOB_FAILED;
	}
	job_setup_check_skew(job);
	ca->dir_phase = CA_READY;
	job_emit(job, EVENT_STEP, STEP_DIRECTORY, 5, "directory %s", ca->url);
	job->state = job->no_account ? job->ops->first_state : JS_ACCOUNT;
	return JOB_AGAIN;
}

/* The account is usable: every job waiting on it goes on. `how` follows
 * its URL in the event (" (registered)"). */
static enum job_next
job_setup_account_ready(struct job *job, const char *how)
{
	struct ca *ca = job->ca;

	ca->acct_phase = CA_READY;
	job_emit(job, EVENT_STEP, STEP_ACCOUNT, 10, "account %s%s", ca->kid, how);
	job->state = job->ops->first_state;
	return JOB_AGAIN;
}

/* The account cannot be had: every job waiting on it fails the same. */
static enum job_next
job_setup_account_failed(struct job *job)
{
	struct ca *ca = job->ca;

	ca->acct_phase = CA_FAILED;
	err_copy(&ca->acct_err, &job->fail);
	return JOB_FAILED;
}

/* A key change whose answer never came (job_account.c): loads the new
 * key so the CA can be asked which one the account has; returns 1 when
 * that question is owed, 0 when the key is gone (nothing to ask). */
static int
job_setup_pending_load(struct job *job, const struct account_rec *rec)
{
	struct ca *ca = job->ca;
	const char *name = job->ctx->opt.account_name;
	struct err e;

	ca->pending_key = account_key_load(job->ctx->store, ca->id, name, rec->pending_key,
	    NULL, &e);
	if (ca->pending_key == NULL) {
		job_warn(job, "account %s: the key of an unanswered key change, %s, "
		    "cannot be read (%s); going on with %s", name, rec->pending_key, e.msg,
		    ca->key_file);
		return 0;
	}
	if (str_set(&ca->pending_file, rec->pending_key, &job->fail) != 0)
		return -1;
	return 1;
}

/* Loads the account from the store; returns 1 when it is complete (key and
 * URL), 2 when it also holds a key change's key whose answer was lost, 0
 * when it must be registered (ca has at least a key then), -1 on error. A
 * key without a URL is a registration cut short: it is reused so the CA
 * returns the account it may already have created. */
static int
job_setup_account_load(struct job *job)
{
	struct ca *ca = job->ca;
	const char *name = job->ctx->opt.account_name;
	struct account_rec rec;
	int found, absent, rc = -1;

	if ((found = account_load(job->ctx->store, ca->id, name, &rec, &job->fail)) < 0)
		return -1;
	if (found && rec.url != NULL) {
		if (rec.status != NULL && strcmp(rec.status, "deactivated") == 0) {
			err_set(&job->fail, ERR_CONFIG, "account %s at %s (%s) is deactivated; "
			    "--account NAME registers another", name, ca->url, rec.url);
			goto out;
		}
		ca->acct_key = account_key_load(job->ctx->store, ca->id, name, rec.key_file,
		    NULL, &job->fail);
		if (ca->acct_key == NULL || str_set(&ca->kid, rec.url, &job->fail) != 0 ||
		    str_set(&ca->key_file, rec.key_file ? rec.key_file : "key.pem",
		    &job->fail) != 0)
			goto out;
		rc = 1;
		if (rec.pending_key != NULL && (rc = job_setup_pending_load(job, &rec)) >= 0)
			rc++;
		goto out;
	}
	ca->acct_key = account_key_load(job->ctx->store, ca->id, name, NULL, &absent,
	    &job->fail);
	if (ca->acct_key == NULL && !absent)
		goto out;
	if (ca->acct_key == NULL) {
		ca->acct_key = crypto_key_generate(job->ctx->opt.account_key_type, &job->fail);
		if (ca->acct_key == NULL || account_key_add(job->ctx->store, ca->id, name,
		    ca->acct_key, &ca->key_file, &job->fail) != 0)
			goto out;
	} else if (str_set(&ca->key_file, "key.pem", &job->fail) != 0)
		goto out;
	rc = 0;
out:
	account_rec_free(&rec);
	return rc;
}

static int
job_setup_account_save(struct job *job, const struct acme_account *acct)
{
	struct ca *ca = job->ca;
	struct account_rec rec;
	char created[32];
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	memset(&rec, 0, sizeof rec);
	gmtime_r(&now, &tm);
	strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* The record borrows these strings; nothing of it is freed here. */
	rec.url = ca->kid;
	rec.directory = ca->url;
	rec.status = (char *)acme_status_name(acct->status);
	rec.contacts = acct->contacts;
	rec.n_contacts = acct->n_contacts;
	rec.key_file = ca->key_file;
	rec.key_type = (char *)crypto_key_type_name(crypto_key_get_type(ca->acct_key));
	rec.created = created;
	rc = account_save(job->ctx->store, ca->id, job->ctx->opt.account_name, &rec,
	    &job->fail);
	if (rc == 0)
		job_emit_changed(job, OBJECT_ACCOUNT, job->ctx->opt.account_name);
	return rc;
}

/* The inner JWS binding the new account key to the CA's external
 * account; NULL in `*out` when none is configured. */
static int
job_setup_eab(struct job *job, char **out)
{
	const struct ca *ca = job->ca;
	unsigned char *mac;
	size_t len;
	json_t *eab;

	*out = NULL;
	if (ca->eab_kid == NULL)
		return 0;
	mac = b64url_decode(ca->eab_hmac_key, strlen(ca->eab_hmac_key), &len, &job->fail);
	if (mac == NULL)
		return err_prefix(&job->fail, "%s: the EAB HMAC key is not base64url", ca->url);
	eab = jws_eab(mac, len, ca->eab_kid, job->ca->dir.new_account,
	    job->ca->acct_key, &job->fail);
	explicit_bzero(mac, len);
	free(mac);
	if (eab == NULL)
		return -1;
	*out = json_dump_compact(eab, &job->fail);
	json_decref(eab);
	return *out != NULL ? 0 : -1;
}

/* Asks the CA for the account by the pending key alone
 * (onlyReturnExisting, RFC 8555 §7.3.1): the answer tells which key the
 * account has. */
static enum job_next
job_setup_pending_ask(struct job *job)
{
	struct ca *ca = job->ca;
	enum job_next next;
	char *payload;

	payload = acme_payload_new_account(NULL, 0, 0, 1, NULL, &job->fail);
	if (payload == NULL)
		return JOB_FAILED;
	next = job_post_with_key(job, ca->dir.new_account, payload, ca->pending_key,
	    JS_PENDING_KEY_REPLY);
	free(payload);
	return next;
}

static enum job_next
job_setup_account(struct job *job)
{
	const struct engine_options *o = &job->ctx->opt;
	struct ca *ca = job->ca;
	const char *contacts[1] = { ca->email };
	char *payload, *eab = NULL;
	enum job_next next;
	int loaded;

	switch (ca->acct_phase) {
	case CA_READY:
		job->state = job->ops->first_state;
		return JOB_AGAIN;
	case CA_BUSY:
		return JOB_WAIT_CA;
	case CA_FAILED:
		err_copy(&job->fail, &ca->acct_err);
		return JOB_FAILED;
	case CA_NONE:
		break;
	}
	ca->acct_phase = CA_BUSY;
	if ((loaded = job_setup_account_load(job)) < 0)
		goto failed;
	if (loaded == 2) {
		if ((next = job_setup_pending_ask(job)) == JOB_FAILED)
			goto failed;
		return next;
	}
	if (loaded == 1) {
		return job_setup_account_ready(job, "");
	}
	if (ca->dir.terms_of_service != NULL && !o->agree_tos) {
		job_failf(job, ERR_CONFIG, "the CA requires agreement to its terms of "
		    "service at %s: read them, then pass --agree-tos (or set "
		    "agree_tos = true)", ca->dir.terms_of_service);
		goto failed;
	}
	if (ca->dir.external_account_required && ca->eab_kid == NULL) {
		job_failf(job, ERR_CONFIG, "the CA at %s requires external account binding: "
		    "give the key id and MAC key it issued you with --eab-kid and "
		    "--eab-hmac-key", ca->url);
		goto failed;
	}
	if (job_setup_eab(job, &eab) != 0)
		goto failed;
	payload = acme_payload_new_account(contacts, ca->email != NULL ? 1 : 0,
	    o->agree_tos, 0, eab, &job->fail);
	free(eab);
	if (payload == NULL)
		goto failed;
	next = job_post(job, ca->dir.new_account, payload, 1, JS_ACCOUNT_REPLY);
	free(payload);
	if (next != JOB_FAILED)
		return next;
failed:
	return job_setup_account_failed(job);
}

static enum job_next
job_setup_account_reply(struct job *job)
{
	struct ca *ca = job->ca;
	struct http_response *r = job->resp;
	struct acme_account acct;

	if (job_reply_ok(job, "new account", "application/json") != 0)
		goto failed;
	if (r->location == NULL) {
		job_failf(job, ERR_PROTO, "new account: %s: no Location header", r->url);
		goto failed;
	}
	if (acme_account_parse(r->body.data, r->body.len, r->url, &acct, &job->fail) != 0)
		goto failed;
	if (acct.status != ACME_STATUS_VALID) {
		job_failf(job, ERR_ACME, "new account: %s: account is %s", r->location,
		    acme_status_name(acct.status));
		acme_account_free(&acct);
		goto failed;
	}
	if ((ca->kid = strdup(r->location)) == NULL || job_setup_account_save(job, &acct) != 0) {
		acme_account_free(&acct);
		goto failed;
	}
	acme_account_free(&acct);
	return job_setup_account_ready(job, r->status == 201 ? " (registered)" :
	    " (existing)");
failed:
	return job_setup_account_failed(job);
}

/* Which key the CA has: the pending one when it finds the account by it
 * (the key change was carried out), the old one when it knows no account
 * for it (the request never arrived). Either way the record says so from
 * now on. Anything else leaves the question open: the account fails. */
static enum job_next
job_setup_pending_reply(struct job *job)
{
	struct ca *ca = job->ca;
	const char *name = job->ctx->opt.account_name;
	const struct http_response *r = job->resp;
	struct acme_problem p;
	int unknown = 0, took;

	took = !job->net_failed && r != NULL && r->status == 200 && r->location != NULL &&
	    strcmp(r->location, ca->kid) == 0;
	if (!took && !job->net_failed && r != NULL && r->status == 400 &&
	    acme_problem_parse(r->body.data, r->body.len, r->url, &p, NULL) == 0) {
		unknown = acme_problem_is(&p, "accountDoesNotExist");
		acme_problem_free(&p);
	}
	if (!took && !unknown) {
		if (job_reply_ok(job, "account lookup", NULL) == 0)
			job_failf(job, ERR_PROTO, "%s: the key %s belongs to another "
			    "account (%s)", ca->url, ca->pending_file, r->location ?
			    r->location : "no Location");
		err_prefix(&job->fail, "account %s: cannot tell whether the CA took the "
		    "key change to %s", name, ca->pending_file);
		goto failed;
	}
	if (account_set_keys(job->ctx->store, ca->id, name, took ? ca->pending_file : NULL,
	    crypto_key_type_name(crypto_key_get_type(ca->pending_key)), NULL,
	    &job->fail) != 0)
		goto failed;
	job_warn(job, "account %s: the key change to %s %s", name, ca->pending_file,
	    took ? "was carried out before its answer was lost: it is the account's "
	    "key now" : "never reached the CA: the account keeps its key");
	if (took) {
		crypto_key_free(ca->acct_key);
		ca->acct_key = ca->pending_key;
		ca->pending_key = NULL;
		free(ca->key_file);
		ca->key_file = ca->pending_file;
		ca->pending_file = NULL;
		job_emit_changed(job, OBJECT_ACCOUNT, name);
	}
	return job_setup_account_ready(job, "");
failed:
	return job_setup_account_failed(job);
}

/* Sends job->post again after a badNonce, up to a bound. */
static enum job_next
job_setup_post_reply(struct job *job)
{
	struct http_response *r = job->resp;
	struct acme_problem p;

	if (!job->net_failed && r != NULL && r->status == 400 && r->content_type != NULL &&
	    strcmp(r->content_type, "application/problem+json") == 0 &&
	    acme_problem_parse(r->body.data, r->body.len, r->url, &p, NULL) == 0) {
		int bad = acme_problem_is(&p, "badNonce");

		acme_problem_free(&p);
		if (bad && job->post.retries < JOB_BADNONCE_RETRIES) {
			job->post.retries++;
			job_emit(job, EVENT_STEP, STEP_NONCE, -1, "nonce refused by the CA; "
			    "retry %d of %d", job->post.retries, JOB_BADNONCE_RETRIES);
			return job_post_resend(job);
		}
	}
	job->state = job->post.then;
	return JOB_AGAIN;
}

int
job_step_common(struct job *job)
{
	switch (job->state) {
	case JS_START:
		job->state = job->no_ca ? job->ops->first_state : JS_DIRECTORY;
		return JOB_AGAIN;
	case JS_DIRECTORY:
		return job_setup_directory(job);
	case JS_DIRECTORY_REPLY:
		return job_setup_directory_reply(job);
	case JS_ACCOUNT:
		return job_setup_account(job);
	case JS_ACCOUNT_REPLY:
		return job_setup_account_reply(job);
	case JS_PENDING_KEY_REPLY:
		return job_setup_pending_reply(job);
	case JS_POST_NONCE_REPLY:
		if (job->net_failed)
			return job_reply_ok(job, "new nonce", NULL), JOB_FAILED;
		/* Without one the CA would refuse the request anyway; a bound
		 * keeps a CA that never sends one from looping us. */
		if (job->resp == NULL || job->resp->replay_nonce == NULL) {
			if (++job->post.retries > JOB_BADNONCE_RETRIES)
				return job_failf(job, ERR_PROTO, "new nonce: %s: no valid "
				    "Replay-Nonce header in %d replies", job->ca->dir.new_nonce,
				    JOB_BADNONCE_RETRIES);
		} else
			job_emit(job, EVENT_STEP, STEP_NONCE, -1, "fresh nonce");
		return job_post_resend(job);
	case JS_POST_REPLY:
		return job_setup_post_reply(job);
	}
	return -1;
}
