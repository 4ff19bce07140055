/*
 * job_account: the account's own lifecycle (RFC 8555 §7.3): new contacts,
 * key rollover (§7.3.5) and deactivation (§7.3.6). Each runs once the
 * account is loaded, like any job, and records what the CA confirmed.
 * A rollover writes the new key before asking and switches the record
 * only when the CA agreed, so the old key is never lost.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "account.h"
#include "job.h"
#include "json.h"
#include "jws.h"
#include "store.h"

enum account_state {
	AC_START = JS_KIND,
	AC_REPLY
};

/* Applies `what` to the stored record: new contacts, key or status. */
static int
account_job_record(struct job *job, const struct acme_account *acct,
    const char *key_file)
{
	struct ca *ca = job->ca;
	const char *name = job->ctx->opt.account_name;
	struct account_rec rec;
	size_t i;
	int rc = -1;

	if (account_load(job->ctx->store, ca->id, name, &rec, &job->fail) < 0)
		return -1;
	if (acct != NULL) {
		strv_free(rec.contacts, rec.n_contacts);
		rec.contacts = NULL;
		rec.n_contacts = 0;
		if (acct->n_contacts > 0 &&
		    (rec.contacts = calloc(acct->n_contacts, sizeof *rec.contacts)) == NULL)
			goto out;
		for (i = 0; i < acct->n_contacts; i++)
			if ((rec.contacts[rec.n_contacts++] = strdup(acct->contacts[i])) == NULL)
				goto out;
		if (str_set(&rec.status, acme_status_name(acct->status),
		    &job->fail) != 0)
			goto out;
	}
	if (key_file != NULL && (str_set(&rec.key_file, key_file, &job->fail) != 0 ||
	    str_set(&rec.key_type, crypto_key_type_name(crypto_key_get_type(
	    ca->acct_key)), &job->fail) != 0 ||
	    str_set(&rec.pending_key, NULL, &job->fail) != 0))
		goto out;
	rc = account_save(job->ctx->store, ca->id, name, &rec, &job->fail);
	if (rc == 0) {
		job->changed = 1;
		job_emit_changed(job, OBJECT_ACCOUNT, name);
	}
out:
	account_rec_free(&rec);
	return rc;
}

static enum job_next
account_parse_reply(struct job *job, const char *what, struct acme_account *acct)
{
	struct http_response *r;

	if (job_reply_ok(job, what, "application/json") != 0)
		return JOB_FAILED;
	r = job->resp;
	if (acme_account_parse(r->body.data, r->body.len, r->url, acct, &job->fail) != 0)
		return JOB_FAILED;
	return JOB_DONE;
}

/* ---------------------------------------------------------------- contacts */

static enum job_next
update_step(struct job *job)
{
	struct acme_account acct;
	const char *email = job->ctx->opt.email;
	json_t *contacts, *doc;
	char *payload, *mailto;
	enum job_next next;

	if (job->state == AC_START) {
		contacts = json_array();
		if (email != NULL && asprintf(&mailto, "mailto:%s", email) >= 0) {
			json_array_append_new(contacts, json_string(mailto));
			free(mailto);
		}
		doc = json_pack("{s:o}", "contact", contacts);
		payload = doc != NULL ? json_dump_compact(doc, &job->fail) : NULL;
		json_decref(doc);
		if (payload == NULL)
			return job_failf(job, ERR_NOMEM, "out of memory");
		next = job_post(job, job->ca->kid, payload, 0, AC_REPLY);
		free(payload);
		return next;
	}
	if (account_parse_reply(job, "account update", &acct) != JOB_DONE)
		return JOB_FAILED;
	next = account_job_record(job, &acct, NULL) == 0 ? JOB_DONE : JOB_FAILED;
	snprintf(job->result, sizeof job->result, "account %s: contact %s",
	    job->ca->kid, acct.n_contacts ? acct.contacts[0] : "(none)");
	acme_account_free(&acct);
	return next;
}

/* ---------------------------------------------------------------- rollover */

/* The inner JWS of a key change: signed by the new key, no nonce. */
static char *
rollover_inner(struct job *job, const struct crypto_key *new_key)
{
	struct ca *ca = job->ca;
	json_t *old_jwk, *doc;
	char *payload, *inner = NULL;

	if ((old_jwk = jws_jwk(ca->acct_key, &job->fail)) == NULL)
		return NULL;
	doc = json_pack("{s:s, s:o}", "account", ca->kid, "oldKey", old_jwk);
	payload = doc != NULL ? json_dump_compact(doc, &job->fail) : NULL;
	json_decref(doc);
	if (payload != NULL)
		inner = jws_sign(new_key, NULL, NULL, ca->dir.key_change, payload, &job->fail);
	free(payload);
	return inner;
}

static enum job_next
rollover_start(struct job *job)
{
	struct ca *ca = job->ca;
	struct crypto_key *new_key;
	char *key_file = NULL, *inner;
	enum job_next next;

	if (ca->dir.key_change == NULL)
		return job_failf(job, ERR_ACME, "the CA at %s offers no key change", ca->url);
	new_key = crypto_key_generate(job->ctx->opt.account_key_type, &job->fail);
	if (new_key == NULL)
		return JOB_FAILED;
	/* Saved first, and named pending in the record: if the CA switches
	 * and its answer is lost (or we die), the next run asks the CA which
	 * of the two keys the account has (job_setup.c). */
	if (account_key_add(job->ctx->store, ca->id, job->ctx->opt.account_name, new_key,
	    &key_file, &job->fail) != 0 ||
	    account_set_keys(job->ctx->store, ca->id, job->ctx->opt.account_name, NULL,
	    NULL, key_file, &job->fail) != 0 ||
	    (inner = rollover_inner(job, new_key)) == NULL) {
		free(key_file);
		crypto_key_free(new_key);
		return JOB_FAILED;
	}
	job->kind_data = new_key;
	free(job->new_key_file);
	job->new_key_file = key_file;
	next = job_post(job, ca->dir.key_change, inner, 0, AC_REPLY);
	free(inner);
	return next;
}

/* A CA that answered with a refusal kept the old key: the pending key is
 * dropped from the record. Without an answer (the network, a server
 * error) the CA may have switched: the key stays pending, and the next
 * run asks the CA which key the account has. */
static enum job_next
rollover_refused(struct job *job)
{
	const struct http_response *r = job->resp;
	const char *name = job->ctx->opt.account_name;
	struct ca *ca = job->ca;
	struct err e;

	if (!job->net_failed && r != NULL && r->status >= 400 && r->status < 500) {
		if (account_set_keys(job->ctx->store, ca->id, name, NULL, NULL, NULL, &e) != 0)
			job_warn(job, "account %s: %s", name, e.msg);
		err_prefix(&job->fail, "key rollover refused; account %s keeps %s (the "
		    "new key stays unused as %s)", name, ca->key_file, job->new_key_file);
	} else
		err_prefix(&job->fail, "key rollover not confirmed; account %s keeps "
		    "%s for now, and the next run asks the CA whether it took %s",
		    name, ca->key_file, job->new_key_file);
	return JOB_FAILED;
}

static enum job_next
rollover_step(struct job *job)
{
	struct ca *ca = job->ca;

	if (job->state == AC_START)
		return rollover_start(job);
	if (job_reply_ok(job, "key change", NULL) != 0)
		return rollover_refused(job);
	crypto_key_free(ca->acct_key);
	ca->acct_key = job->kind_data;
	job->kind_data = NULL;
	free(ca->key_file);
	ca->key_file = strdup(job->new_key_file);
	if (account_job_record(job, NULL, job->new_key_file) != 0)
		return job_failf(job, job->fail.code, "the CA switched the account to the "
		    "new key %s, but recording it failed: %s", job->new_key_file, job->fail.msg);
	snprintf(job->result, sizeof job->result, "account %s now uses %s (the old key "
	    "is kept)", ca->kid, job->new_key_file);
	return JOB_DONE;
}

static void
rollover_free(struct job *job)
{
	crypto_key_free(job->kind_data);
	job->kind_data = NULL;
	free(job->new_key_file);
	job->new_key_file = NULL;
}

/* ---------------------------------------------------------------- deactivate */

static enum job_next
deactivate_step(struct job *job)
{
	struct ca *ca = job->ca;
	struct acme_account acct;
	enum job_next next;

	if (job->state == AC_START)
		return job_post(job, ca->kid, "{\"status\":\"deactivated\"}", 0, AC_REPLY);
	if (account_parse_reply(job, "deactivate", &acct) != JOB_DONE)
		return JOB_FAILED;
	if (acct.status != ACME_STATUS_DEACTIVATED) {
		acme_account_free(&acct);
		return job_failf(job, ERR_ACME, "deactivate: %s: the account is still %s",
		    ca->kid, acme_status_name(acct.status));
	}
	next = account_job_record(job, &acct, NULL) == 0 ? JOB_DONE : JOB_FAILED;
	acme_account_free(&acct);
	/* Nothing more may be signed with it in this run. */
	ca->acct_phase = CA_FAILED;
	err_set(&ca->acct_err, ERR_CONFIG, "account %s is deactivated", ca->kid);
	snprintf(job->result, sizeof job->result, "account %s deactivated", ca->kid);
	return next;
}

const struct job_ops job_account_update_ops = {
	.name = "account update",
	.first_state = AC_START,
	.step = update_step,
};

const struct job_ops job_rollover_ops = {
	.name = "key rollover",
	.first_state = AC_START,
	.step = rollover_step,
	.free = rollover_free,
};

const struct job_ops job_deactivate_ops = {
	.name = "deactivate",
	.first_state = AC_START,
	.step = deactivate_step,
};
