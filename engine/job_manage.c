/*
 * job_manage: marks a certificate's record managed or not. Removing a
 * definition from the screens (x) keeps the certificate, its keys and
 * versions in the store, so the record alone would still make it
 * renewable (renew --all lists the store): the mark is what stops
 * renewals, deploys and notices. Defining it again (e) clears the mark.
 * A job of its own because every store write is the engine's; it needs
 * neither the CA nor the network.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <time.h>

#include "certrec.h"
#include "job.h"

enum manage_state { MG_START = JS_KIND };

static enum job_next
manage_step(struct job *job)
{
	struct certrec rec;
	int found, rc;

	if (job->state != MG_START)
		return job_failf(job, ERR_FAIL, "manage: unknown state %d", job->state);
	if ((found = certrec_load(job->ctx->store, job->cmd->name, &rec,
	    &job->fail)) < 0)
		return JOB_FAILED;
	if (found == 0) {
		certrec_free(&rec);
		return job_failf(job, ERR_CONFIG, "no certificate named %s in the "
		    "store", job->cmd->name);
	}
	if (rec.unmanaged == !job->cmd->managed) {
		snprintf(job->result, sizeof job->result, "%s was already %s",
		    job->cmd->name, job->cmd->managed ? "managed" : "not managed");
		certrec_free(&rec);
		return JOB_DONE;
	}
	rec.unmanaged = !job->cmd->managed;
	rec.updated = time(NULL);
	rc = certrec_save(job->ctx->store, &rec, &job->fail);
	certrec_free(&rec);
	if (rc != 0)
		return JOB_FAILED;
	job->changed = 1;
	job_emit_changed(job, OBJECT_CERT, job->cmd->name);
	snprintf(job->result, sizeof job->result, job->cmd->managed ?
	    "%s is managed again" : "%s is no longer managed: kept in the store, "
	    "never renewed", job->cmd->name);
	return JOB_DONE;
}

static int
manage_init(struct job *job)
{
	job->no_ca = 1;
	return 0;
}

const struct job_ops job_manage_ops = {
	.name = "manage",
	.first_state = MG_START,
	.init = manage_init,
	.step = manage_step,
};
