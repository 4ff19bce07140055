/*
 * job_revoke: revokes a certificate's current version (RFC 8555 §7.6),
 * signed with the account key and carrying a reason code, then marks the
 * record revoked so it is no longer renewed. The files stay in the store.
 * Also the register job, which only makes sure the account exists.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certrec.h"
#include "job.h"
#include "store.h"

enum revoke_state {
	RV_START = JS_KIND,
	RV_REPLY
};

/* Revocation signed by the certificate's own key needs no account: for
 * a certificate whose account is lost, or a key known to be compromised. */
static int
revoke_init(struct job *job)
{
	struct certrec rec;
	int found, rc = 0;

	job->no_account = job->cmd->with_cert_key;
	/* Only the CA that issued a certificate can revoke it: asking
	 * another would fail with a puzzling "unknown certificate". */
	if ((found = certrec_load(job->ctx->store, job->cmd->name, &rec, &job->fail)) < 0)
		return -1;
	if (found && rec.directory != NULL && strcmp(rec.directory, job->ca->url) != 0)
		rc = err_set(&job->fail, ERR_CONFIG, "%s was issued through %s, not %s: "
		    "revoke it there (--server %s)", job->cmd->name, rec.directory,
		    job->ca->url, rec.directory);
	certrec_free(&rec);
	return rc;
}

static void
revoke_free(struct job *job)
{
	crypto_key_free(job->kind_data);
	job->kind_data = NULL;
}

static enum job_next
revoke_start(struct job *job)
{
	struct store_cert_files f;
	unsigned char *der = NULL;
	size_t len;
	char *payload = NULL;
	enum job_next next = JOB_FAILED;

	memset(&f, 0, sizeof f);
	if (store_cert_load(job->ctx->store, job->cmd->name, 0, &f, &job->fail) != 0)
		return JOB_FAILED;
	if (crypto_cert_pem_to_der(f.cert, strlen(f.cert), &der, &len, &job->fail) != 0 ||
	    (payload = acme_payload_revoke(der, len, job->cmd->reason, &job->fail)) == NULL)
		goto out;
	if (!job->cmd->with_cert_key) {
		next = job_post(job, job->ca->dir.revoke_cert, payload, 0, RV_REPLY);
		goto out;
	}
	if ((job->kind_data = crypto_key_load_pem(f.privkey, strlen(f.privkey),
	    &job->fail)) == NULL) {
		err_prefix(&job->fail, "private key of %s", job->cmd->name);
		goto out;
	}
	next = job_post_with_key(job, job->ca->dir.revoke_cert, payload,
	    job->kind_data, RV_REPLY);
out:
	free(payload);
	free(der);
	store_cert_files_free(&f);
	return next;
}

static enum job_next
revoke_reply(struct job *job)
{
	struct certrec rec;
	int found;

	if (job_reply_ok(job, "revoke", NULL) != 0)
		return JOB_FAILED;
	job_emit(job, EVENT_STEP, STEP_REVOKED, 90, "revoked (reason %s, signed by %s)",
	    acme_revoke_reason_name(job->cmd->reason),
	    job->cmd->with_cert_key ? "the certificate's key" : "the account key");
	if ((found = certrec_load(job->ctx->store, job->cmd->name, &rec, &job->fail)) < 0)
		return JOB_FAILED;
	if (found == 0 && str_set(&rec.name, job->cmd->name, &job->fail) != 0)
		return JOB_FAILED;
	rec.revoked_reason = job->cmd->reason;
	rec.updated = time(NULL);
	if (str_set(&rec.status, "revoked", &job->fail) != 0 ||
	    certrec_save(job->ctx->store, &rec, &job->fail) != 0) {
		certrec_free(&rec);
		return JOB_FAILED;
	}
	certrec_free(&rec);
	job_emit_changed(job, OBJECT_CERT, job->cmd->name);
	snprintf(job->result, sizeof job->result, "%s revoked (%s)", job->cmd->name,
	    acme_revoke_reason_name(job->cmd->reason));
	job->changed = 1;
	return JOB_DONE;
}

static enum job_next
revoke_step(struct job *job)
{
	switch (job->state) {
	case RV_START:
		return revoke_start(job);
	case RV_REPLY:
		return revoke_reply(job);
	}
	return job_failf(job, ERR_FAIL, "revoke: unknown state %d", job->state);
}

const struct job_ops job_revoke_ops = {
	.name = "revoke",
	.first_state = RV_START,
	.init = revoke_init,
	.step = revoke_step,
	.free = revoke_free,
};

static enum job_next
register_step(struct job *job)
{
	snprintf(job->result, sizeof job->result, "account %s", job->ca->kid);
	return JOB_DONE;
}

const struct job_ops job_register_ops = {
	.name = "register",
	.first_state = JS_KIND,
	.step = register_step,
};
