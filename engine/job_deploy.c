/*
 * job_deploy: the last steps of an issuance or renewal: the copies the
 * server reads, then its reload command (argv, never a shell, bounded).
 * A failure here is reported and recorded, and the next `renew` tries
 * again; it never undoes the certificate that was stored.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certrec.h"
#include "deploy.h"
#include "esc.h"
#include "job_issue.h"
#include "proc.h"

#define DEPLOY_RELOAD_TIMEOUT_MS 60000
#define DEPLOY_RELOAD_OUTPUT 4096

/* Records how the deploy steps of `version` went. */
static void
deploy_record(struct job *job, int version, const char *error)
{
	struct certrec rec;

	if (certrec_load(job->ctx->store, job->cmd->name, &rec, NULL) != 1)
		return;
	if (error == NULL)
		rec.deployed_version = version;
	if (str_set(&rec.deploy_error, error, NULL) == 0 &&
	    certrec_save(job->ctx->store, &rec, NULL) == 0)
		job_emit_changed(job, OBJECT_CERT, job->cmd->name);
	certrec_free(&rec);
}

static enum job_next
deploy_fail(struct job *job)
{
	char text[EVENT_MSG_MAX];

	esc_buf(job->fail.msg, strlen(job->fail.msg), text, sizeof text);
	deploy_record(job, issue_of(job)->version, text);
	return job_failf(job, job->fail.code, "%s: version %d is stored, but deploying "
	    "it failed (the next renew tries again): %s", job->cmd->name,
	    issue_of(job)->version, text);
}

static void
deploy_reload_done(void *arg, const struct proc_result *r)
{
	struct job *job = arg;
	struct issue *is = issue_of(job);
	char shown[300];

	is->reload = 0;
	job->ready = 1;
	is->reload_failed = !(r->exited && r->status == 0);
	if (!is->reload_failed)
		return;
	esc_buf(r->output, r->output_len < 200 ? r->output_len : 200, shown, sizeof shown);
	if (r->timed_out)
		err_set(&job->fail, ERR_FAIL, "reload %s timed out after %d s (killed): %s",
		    job->cmd->deploy.reload[0], DEPLOY_RELOAD_TIMEOUT_MS / 1000, shown);
	else if (r->signaled)
		err_set(&job->fail, ERR_FAIL, "reload %s killed by signal %d: %s",
		    job->cmd->deploy.reload[0], r->signal, shown);
	else
		err_set(&job->fail, ERR_FAIL, "reload %s exited with status %d: %s",
		    job->cmd->deploy.reload[0], r->status, shown);
}

static enum job_next
deploy_reload_start(struct job *job)
{
	static const char *const env[] = { PROC_DEFAULT_PATH, NULL };
	struct issue *is = issue_of(job);
	struct proc_spec spec = {
		.argv = (const char *const *)job->cmd->deploy.reload,
		.env = env,
		.timeout_ms = DEPLOY_RELOAD_TIMEOUT_MS,
		.max_output = DEPLOY_RELOAD_OUTPUT,
	};

	is->reload = proc_start(job->ctx->procs, &spec, deploy_reload_done, job, &job->fail);
	if (is->reload == 0)
		return deploy_fail(job);
	job->state = IS_RELOAD_WAIT;
	return JOB_WAIT_HTTP;	/* the reload's end marks the job ready */
}

static enum job_next
deploy_finish(struct job *job, int copies)
{
	struct issue *is = issue_of(job);

	deploy_record(job, is->version, NULL);
	job_emit(job, EVENT_STEP, STEP_DEPLOYED, 100, "deployed version %d: %d %s%s",
	    is->version, copies, copies == 1 ? "copy" : "copies",
	    job->cmd->deploy.n_reload ? ", reloaded" : "");
	if (is->deploy_only)
		snprintf(job->result, sizeof job->result, "%s: version %d deployed",
		    job->cmd->name, is->version);
	job->changed = 1;
	return JOB_DONE;
}

enum job_next
issue_deploy(struct job *job)
{
	struct issue *is = issue_of(job);
	struct store_cert_files f;
	int rc;

	if (!deploy_wanted(&job->cmd->deploy))
		return JOB_DONE;
	memset(&f, 0, sizeof f);
	if (store_cert_load(job->ctx->store, job->cmd->name, 0, &f, &job->fail) != 0)
		return deploy_fail(job);
	rc = deploy_copies(&job->cmd->deploy, &f, &is->copies, &job->fail);
	store_cert_files_free(&f);
	if (rc != 0)
		return deploy_fail(job);
	is->copied = 1;
	if (job->cmd->deploy.n_reload > 0)
		return deploy_reload_start(job);
	return deploy_finish(job, is->copies);
}

enum job_next
issue_reload_wait(struct job *job)
{
	struct issue *is = issue_of(job);

	if (is->reload != 0)
		return JOB_WAIT_HTTP;
	if (is->reload_failed)
		return deploy_fail(job);
	return deploy_finish(job, is->copies);
}

void
issue_deploy_cancel(struct job *job)
{
	struct issue *is = issue_of(job);

	if (is != NULL && is->reload != 0) {
		proc_cancel(job->ctx->procs, is->reload);
		is->reload = 0;
	}
}

struct engine_cmd *
issue_then(struct job *job, enum job_next how)
{
	struct issue *is = issue_of(job);
	struct engine_cmd *cmd;

	(void)how;
	if (is == NULL || !is->copied || job->cmd->n_endpoints == 0 || job->cancelled ||
	    (cmd = engine_cmd_new(ENGINE_CMD_PROBE, job->cmd->name)) == NULL)
		return NULL;
	if (endpoint_dup(&cmd->endpoints, &cmd->n_endpoints, job->cmd->endpoints,
	    job->cmd->n_endpoints, NULL) != 0) {
		engine_cmd_free(cmd);
		return NULL;
	}
	cmd->after_deploy = is->reload_failed || job->cmd->deploy.n_reload == 0 ? 1 : 2;
	return cmd;
}
