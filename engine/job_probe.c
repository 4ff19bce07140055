/*
 * job_probe: which certificate the endpoints of one certificate serve.
 *
 * Every endpoint is probed at once (probe.c, driven by the engine's poll
 * loop through probe_set), each bounded by PROBE_JOB_TIMEOUT_MS. The
 * leaf served is named from the store (this certificate's versions, the
 * others' current ones) and the verdict per endpoint (endpoint.c) goes
 * into the certificate's record, with a state-changed event so open
 * screens show it. Right after a deploy a server may still be reloading
 * in the background (nginx -s reload only signals it), so after a
 * reload that worked anything but "served" is probed again for a while
 * before it counts. A stale
 * endpoint, or one unreachable right after a deploy, is told to the
 * people configured through a notify job.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certinfo.h"
#include "certrec.h"
#include "esc.h"
#include "job.h"
#include "probe_set.h"
#include "store.h"

#define PROBE_JOB_TIMEOUT_MS	10000	/* one endpoint, connect to leaf */
#define PROBE_SETTLE_MS		10000	/* after a deploy: the reload's grace */
#define PROBE_RETRY_MS		500
#define PROBE_KNOWN_MAX		4096	/* stored leaves compared */

enum probe_job_state {
	PJ_START = JS_KIND,
	PJ_WAIT
};

struct probe_job;

struct probe_target {
	struct probe_job *pj;
	struct job *job;
	unsigned long id;		/* in ctx->probes while in flight */
	enum endpoint_state state;
	char detail[ENDPOINT_DETAIL_MAX];
	time_t checked;
};

struct probe_known {
	char *name;
	int version;
	char hex[65];
};

struct probe_job {
	struct probe_target *t;
	int pending;
	long long settle_until;		/* after a deploy: retry until then */
	int current;			/* the stored current version */
	struct probe_known *known;
	size_t n_known;
	struct endpoint_known *view;	/* points into known, for endpoint.c */
	int announced;			/* the first round was reported */
	int bad;			/* endpoints not served, in the end */
	char notice[EVENT_MSG_MAX];	/* what the notification says */
};

/* Adds version `version` of `name` to what can be recognised. */
static void
probe_learn(struct job *job, struct probe_job *pj, const char *name, int version)
{
	struct store_cert_files f;
	struct crypto_cert_info info;
	struct probe_known *k;

	if (pj->n_known >= PROBE_KNOWN_MAX)
		return;
	memset(&f, 0, sizeof f);
	memset(&info, 0, sizeof info);
	if (store_cert_load(job->ctx->store, name, version, &f, NULL) != 0 ||
	    f.cert == NULL || crypto_cert_parse_pem(f.cert, strlen(f.cert), &info, NULL) != 0) {
		store_cert_files_free(&f);
		return;
	}
	k = &pj->known[pj->n_known];
	if ((k->name = strdup(name)) != NULL) {
		k->version = version;
		memcpy(k->hex, info.sha256_hex, sizeof k->hex);
		pj->n_known++;
	}
	crypto_cert_info_free(&info);
	store_cert_files_free(&f);
}

/* Every version of this certificate, and the others' current ones: what
 * a served leaf may be recognised as. */
static int
probe_learn_store(struct job *job, struct probe_job *pj)
{
	char **names = NULL;
	int *versions = NULL, cur;
	size_t i, n = 0;

	if (store_cert_current_version(job->ctx->store, job->cmd->name, &pj->current,
	    &job->fail) != 0)
		return -1;
	if ((pj->known = calloc(PROBE_KNOWN_MAX, sizeof *pj->known)) == NULL)
		return err_nomem(&job->fail, "probe");
	if (store_cert_versions(job->ctx->store, job->cmd->name, &versions, &n, NULL) == 0)
		for (i = 0; i < n; i++)
			probe_learn(job, pj, job->cmd->name, versions[i]);
	free(versions);
	if (store_cert_list(job->ctx->store, &names, &n, NULL) == 0) {
		for (i = 0; i < n; i++)
			if (strcmp(names[i], job->cmd->name) != 0 &&
			    store_cert_current_version(job->ctx->store, names[i], &cur, NULL) == 0 &&
			    cur > 0)
				probe_learn(job, pj, names[i], cur);
		store_names_free(names, n);
	}
	if ((pj->view = calloc(pj->n_known ? pj->n_known : 1, sizeof *pj->view)) == NULL)
		return err_nomem(&job->fail, "probe");
	for (i = 0; i < pj->n_known; i++)
		pj->view[i] = (struct endpoint_known){ .name = pj->known[i].name,
		    .version = pj->known[i].version, .sha256_hex = pj->known[i].hex };
	return 0;
}

static void
probe_target_done(void *arg, struct probe *p)
{
	struct probe_target *t = arg;
	struct probe_job *pj = t->pj;
	char hex[65];
	struct err why;
	enum probe_outcome o;

	err_clear(&why);
	o = probe_result(p, hex, &why);
	t->id = 0;
	t->checked = time(NULL);
	t->state = endpoint_verdict(o, hex, why.msg, t->job->cmd->name, pj->current,
	    pj->view, pj->n_known, t->detail, sizeof t->detail);
	pj->pending--;
	t->job->ready = 1;
}

/* Probes every endpoint (again). */
static enum job_next
probe_start_all(struct job *job)
{
	struct probe_job *pj = job->kind_data;
	const struct endpoint *ep;
	struct probe *p;
	size_t i;

	if (!pj->announced++)
		job_emit(job, EVENT_STEP, STEP_PROBED, 10, "probing %zu %s",
		    job->cmd->n_endpoints, job->cmd->n_endpoints == 1 ? "endpoint" : "endpoints");
	for (i = 0; i < job->cmd->n_endpoints; i++) {
		ep = &job->cmd->endpoints[i];
		pj->t[i].state = ENDPOINT_UNKNOWN;
		p = probe_start(ep->host, ep->port, ep->sni, PROBE_JOB_TIMEOUT_MS, &job->fail);
		if (p == NULL || (pj->t[i].id = probe_set_add(job->ctx->probes, p,
		    probe_target_done, &pj->t[i], &job->fail)) == 0)
			return job_failf(job, job->fail.code, "probe %s: %s", ep->address,
			    job->fail.msg);
		pj->pending++;
	}
	job->state = PJ_WAIT;
	return JOB_WAIT_HTTP;	/* each probe's end marks the job ready */
}

/* Right after a deploy, anything but "served" may be the old server
 * still answering: probe again while the grace lasts. */
static int
probe_settling(const struct job *job, const struct probe_job *pj)
{
	size_t i;

	if (job->cmd->after_deploy != 2 || job_now_ms() + PROBE_RETRY_MS >= pj->settle_until)
		return 0;
	for (i = 0; i < job->cmd->n_endpoints; i++)
		if (pj->t[i].state != ENDPOINT_SERVED)
			return 1;
	return 0;
}

/* The endpoints' results replace the record's (an endpoint no longer
 * configured is no longer shown). */
static void
probe_record(struct job *job, struct probe_job *pj)
{
	struct certrec rec;
	struct certrec_endpoint *v;
	size_t i, n = job->cmd->n_endpoints;

	if (certrec_load(job->ctx->store, job->cmd->name, &rec, &job->fail) != 1) {
		job_warn(job, "probe: the results are not recorded: %s",
		    job->fail.msg[0] ? job->fail.msg : "no record of this certificate");
		err_clear(&job->fail);
		return;
	}
	if ((v = calloc(n, sizeof *v)) != NULL) {
		for (i = 0; i < n; i++) {
			v[i].state = pj->t[i].state;
			v[i].checked = pj->t[i].checked;
			v[i].address = strdup(job->cmd->endpoints[i].address);
			v[i].sni = strdup(job->cmd->endpoints[i].sni);
			v[i].detail = esc_text(pj->t[i].detail, strlen(pj->t[i].detail), 300);
		}
		certrec_endpoints_free(rec.endpoints, rec.n_endpoints);
		rec.endpoints = v;
		rec.n_endpoints = n;
		if (certrec_save(job->ctx->store, &rec, &job->fail) != 0) {
			job_warn(job, "probe: the results are not recorded: %s", job->fail.msg);
			err_clear(&job->fail);
		}
	}
	certrec_free(&rec);
	job_emit_changed(job, OBJECT_CERT, job->cmd->name);
}

static enum job_next
probe_finish(struct job *job)
{
	struct probe_job *pj = job->kind_data;
	const struct endpoint *ep;
	size_t i, served = 0, len;

	for (i = 0; i < job->cmd->n_endpoints; i++) {
		ep = &job->cmd->endpoints[i];
		if (pj->t[i].state == ENDPOINT_SERVED) {
			served++;
			job_emit(job, EVENT_STEP, STEP_PROBED, -1, "%s (%s): served: %s",
			    ep->address, ep->sni[0] ? ep->sni : "no SNI", pj->t[i].detail);
			continue;
		}
		job_warn(job, "%s (%s): %s: %s", ep->address, ep->sni[0] ? ep->sni : "no SNI",
		    endpoint_state_name(pj->t[i].state), pj->t[i].detail);
		/* Unreachable on demand is a server down, told by other
		 * means; right after a renewal it may be the reload. */
		if (pj->t[i].state == ENDPOINT_STALE || job->cmd->after_deploy) {
			len = strlen(pj->notice);
			snprintf(pj->notice + len, sizeof pj->notice - len, "%s%s (%s) %s: %s",
			    len ? "; " : "", ep->address, ep->sni, endpoint_state_name(pj->t[i].state),
			    pj->t[i].detail);
		}
	}
	pj->bad = (int)(job->cmd->n_endpoints - served);
	probe_record(job, pj);
	snprintf(job->result, sizeof job->result, "%zu of %zu endpoints serve version %d%s",
	    served, job->cmd->n_endpoints, pj->current, pj->bad ? "" : " (all)");
	return JOB_DONE;
}

static enum job_next
probe_step(struct job *job)
{
	struct probe_job *pj = job->kind_data;

	switch (job->state) {
	case PJ_START:
		if (pj->known == NULL && probe_learn_store(job, pj) != 0)
			return job_failf(job, job->fail.code, "probe %s: %s", job->cmd->name,
			    job->fail.msg);
		if (pj->current == 0)
			return job_failf(job, ERR_CONFIG, "probe %s: no certificate is stored "
			    "under this name yet", job->cmd->name);
		return probe_start_all(job);
	case PJ_WAIT:
		if (pj->pending > 0)
			return JOB_WAIT_HTTP;
		if (probe_settling(job, pj)) {
			job->state = PJ_START;
			job->wake_at_ms = job_now_ms() + PROBE_RETRY_MS;
			return JOB_WAIT_TIMER;
		}
		return probe_finish(job);
	}
	return job_failf(job, ERR_FAIL, "probe: unknown state %d", job->state);
}

static int
probe_init(struct job *job)
{
	struct probe_job *pj;
	size_t i;

	if (job->cmd->n_endpoints == 0)
		return err_set(&job->fail, ERR_CONFIG, "probe %s: no endpoints are "
		    "configured for this certificate", job->cmd->name);
	if ((pj = calloc(1, sizeof *pj)) == NULL ||
	    (pj->t = calloc(job->cmd->n_endpoints, sizeof *pj->t)) == NULL) {
		free(pj);
		return err_nomem(&job->fail, "probe");
	}
	for (i = 0; i < job->cmd->n_endpoints; i++) {
		pj->t[i].pj = pj;
		pj->t[i].job = job;
	}
	pj->settle_until = job_now_ms() + PROBE_SETTLE_MS;
	job->kind_data = pj;
	job->no_ca = 1;
	return 0;
}

/* A notification for the endpoints that do not serve what was stored. */
static struct engine_cmd *
probe_then(struct job *job, enum job_next how)
{
	struct probe_job *pj = job->kind_data;
	struct engine_notify_cert to;
	struct engine_cmd *cmd;

	if (how != JOB_DONE || pj == NULL || pj->notice[0] == '\0' ||
	    job_notify_channels(&job->ctx->opt, job->cmd->name, &to) == 0 ||
	    (cmd = engine_cmd_new(ENGINE_CMD_NOTIFY, job->cmd->name)) == NULL)
		return NULL;
	if (str_set(&cmd->notify_event, "endpoint", NULL) != 0 ||
	    str_set(&cmd->message, pj->notice, NULL) != 0) {
		engine_cmd_free(cmd);
		return NULL;
	}
	return cmd;
}

static void
probe_cleanup(struct job *job)
{
	struct probe_job *pj = job->kind_data;
	size_t i;

	for (i = 0; pj != NULL && i < job->cmd->n_endpoints; i++)
		if (pj->t[i].id != 0) {
			probe_set_cancel(job->ctx->probes, pj->t[i].id);
			pj->t[i].id = 0;
		}
}

static void
probe_free_job(struct job *job)
{
	struct probe_job *pj = job->kind_data;
	size_t i;

	if (pj == NULL)
		return;
	for (i = 0; i < pj->n_known; i++)
		free(pj->known[i].name);
	free(pj->known);
	free(pj->view);
	free(pj->t);
	free(pj);
	job->kind_data = NULL;
}

const struct job_ops job_probe_ops = {
	.name = "probe",
	.first_state = PJ_START,
	.init = probe_init,
	.step = probe_step,
	.cleanup = probe_cleanup,
	.free = probe_free_job,
	.then = probe_then,
};
