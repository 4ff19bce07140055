/*
 * job_authz: the authorizations of an order (RFC 8555 §7.5): fetch each,
 * answer http-01 through the built-in responder, then poll until every
 * one is valid. The token is checked before it reaches the responder; the
 * responder serves only the exact tokens of jobs in flight.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "challenge.h"
#include "esc.h"
#include "job_issue.h"
#include "jws.h"
#include "responder.h"


int
issue_authz_alloc(struct job *job)
{
	struct issue *is = issue_of(job);
	size_t i, n = is->order.n_authorizations;

	issue_solves_release(job);
	for (i = 0; i < is->n_authzs; i++)
		acme_authz_free(&is->authzs[i]);
	free(is->authzs);
	is->authzs = NULL;
	is->n_authzs = 0;
	if (n == 0)
		return 0;
	if ((is->authzs = calloc(n, sizeof *is->authzs)) == NULL ||
	    (is->solves = calloc(n, sizeof *is->solves)) == NULL)
		return err_nomem(&job->fail, "authorizations");
	is->n_authzs = n;
	return 0;
}

const struct acme_challenge *
issue_challenge_of(const struct job *job, const struct acme_authz *a)
{
	const struct solver *solver = issue_of((struct job *)job)->solver;

	return a->challenges != NULL ? acme_authz_find(a, solver->acme_type) : NULL;
}

/* Names the identifier the next events are about (Orders screen rows). */
static void
issue_ident(struct job *job, const struct acme_authz *a)
{
	snprintf(job->ident, sizeof job->ident, "%s", a->identifier.value);
}

/* Checks job->resp and parses it as the authorization `a` (replacing what
 * `a` held); later events are about its identifier. */
static int
issue_take_authz(struct job *job, struct acme_authz *a)
{
	struct http_response *r = job->resp;

	if (job_reply_ok(job, "authorization", "application/json") != 0)
		return -1;
	acme_authz_free(a);
	if (acme_authz_parse(r->body.data, r->body.len, r->url, a, &job->fail) != 0)
		return -1;
	issue_ident(job, a);
	return 0;
}

/* Progress from 20 to 60 % across the authorizations. */
static int
issue_authz_progress(const struct issue *is, size_t i)
{
	return is->n_authzs ? 20 + (int)(40 * i / is->n_authzs) : 20;
}

enum job_next
issue_authz_fetch(struct job *job)
{
	struct issue *is = issue_of(job);

	if (is->authz_i >= is->n_authzs) {
		job_deadline_start(job);
		is->authz_i = 0;
		job->state = IS_AUTHZ_POLL;
		return JOB_AGAIN;
	}
	return job_post(job, is->order.authorizations[is->authz_i], "", 0, IS_AUTHZ_REPLY);
}

/* Puts the proof for `c` in place with the certificate's solver; the
 * solve is kept so cleanup takes it down again. Returns what present()
 * said: 0 ready, 1 pending. */
static int
issue_present(struct job *job, const struct acme_authz *a, const struct acme_challenge *c)
{
	struct issue *is = issue_of(job);
	struct solve *s = &is->solves[is->n_solves];
	char *keyauth;
	int rc;

	keyauth = is->solver->no_token ? NULL : jws_key_authorization(
	    job->ca->acct_key, c->token ? c->token : "", &job->fail);
	if (keyauth == NULL && job->fail.code == ERR_NOMEM)
		return -1;
	rc = challenge_solve_init(s, is->solver, &a->identifier, c->token,
	    keyauth ? keyauth : "", &job->fail);
	free(keyauth);
	if (rc != 0)
		return err_prefix(&job->fail, "%s: challenge %s", job->ca->url, c->url);
	s->wildcard = a->wildcard;
	s->issuer = c->n_issuer_domains > 0 ? c->issuer_domains[0] : NULL;
	is->n_solves++;
	return s->solver->present(job, s, &job->fail);
}

static enum job_next issue_answer(struct job *job);

static enum job_next
issue_authz_invalid(struct job *job, const struct acme_authz *a)
{
	const struct acme_challenge *c = issue_challenge_of(job, a);
	char text[700] = "no reason given";
	char ident[300];

	if (c != NULL && c->error != NULL)
		acme_problem_format(c->error, text, sizeof text);
	esc_buf(a->identifier.value, strlen(a->identifier.value), ident, sizeof ident);
	if (c != NULL && c->error != NULL && c->error->type != NULL)
		snprintf(job->problem, sizeof job->problem, "%s", c->error->type);
	issue_order_forget(job, 1);
	return job_failf(job, ERR_ACME, "authorization for %s is %s: %s", ident,
	    acme_status_name(a->status), text);
}

enum job_next
issue_authz_reply(struct job *job)
{
	struct issue *is = issue_of(job);
	struct acme_authz *a = &is->authzs[is->authz_i];
	const struct acme_challenge *c;
	struct http_response *r = job->resp;

	if (issue_take_authz(job, a) != 0)
		return JOB_FAILED;
	job_emit(job, EVENT_STEP, STEP_AUTHZ_FETCHED, issue_authz_progress(is, is->authz_i),
	    "authorization %s: %s", a->identifier.value, acme_status_name(a->status));
	if (a->status == ACME_STATUS_VALID) {
		is->authz_i++;
		job->state = IS_AUTHZ_FETCH;
		return JOB_AGAIN;
	}
	if (a->status != ACME_STATUS_PENDING)
		return issue_authz_invalid(job, a);
	if (a->wildcard && strncmp(is->solver->acme_type, "dns-", 4) != 0)
		return job_failf(job, ERR_CONFIG, "%s: a wildcard name can only be "
		    "validated with dns-01", a->identifier.value);
	if ((c = issue_challenge_of(job, a)) == NULL)
		return job_failf(job, ERR_ACME, "authorization %s: the CA offers no %s "
		    "challenge for %s", r->url, is->solver->acme_type, a->identifier.value);
	if (c->status == ACME_STATUS_PROCESSING || c->status == ACME_STATUS_VALID) {
		/* Already answered (a resumed order): just wait for it. */
		is->authz_i++;
		job->state = IS_AUTHZ_FETCH;
		return JOB_AGAIN;
	}
	switch (issue_present(job, a, c)) {
	case 0:
		break;
	case 1:
		job_deadline_start(job);
		job->state = IS_SOLVE_WAIT;
		return JOB_AGAIN;
	default:
		return JOB_FAILED;
	}
	return issue_answer(job);
}

/* The proof is in place: tell the CA to look. */
static enum job_next
issue_answer(struct job *job)
{
	struct issue *is = issue_of(job);
	struct acme_authz *a = &is->authzs[is->authz_i];
	const struct acme_challenge *c = issue_challenge_of(job, a);
	char where[64] = "";

	if (job->ctx->responder != NULL && is->solver == challenge_solver(CHALLENGE_HTTP))
		snprintf(where, sizeof where, " on port %d", responder_port(job->ctx->responder));
	job_emit(job, EVENT_STEP, STEP_CHALLENGE_SETUP, issue_authz_progress(is, is->authz_i),
	    "%s for %s%s", is->solver->label, a->identifier.value, where);
	return job_post(job, c->url, "{}", 0, IS_CHALLENGE_REPLY);
}

/* A proof that takes time to appear (a DNS record): ask until it is
 * there, within the step's bound. */
enum job_next
issue_solve_wait(struct job *job)
{
	struct issue *is = issue_of(job);
	struct solve *s = &is->solves[is->n_solves - 1];

	switch (s->solver->ready(job, s, &job->fail)) {
	case 0:
		return issue_answer(job);
	case 1:
		if (job_now_ms() >= job->deadline_ms)
			return job_failf(job, ERR_RETRY_LATER, "%s for %s: not visible after "
			    "%d s", s->solver->label, s->ident.value, job->ctx->opt.step_timeout_s);
		job->wake_at_ms = job_now_ms() + 250;
		return JOB_WAIT_TIMER;
	default:
		return JOB_FAILED;
	}
}

enum job_next
issue_challenge_reply(struct job *job)
{
	struct issue *is = issue_of(job);

	if (job_reply_ok(job, "challenge", "application/json") != 0)
		return JOB_FAILED;
	issue_ident(job, &is->authzs[is->authz_i]);
	job_emit(job, EVENT_STEP, STEP_CHALLENGE_ANSWERED, issue_authz_progress(is, is->authz_i),
	    "challenge answered for %s", is->authzs[is->authz_i].identifier.value);
	is->authz_i++;
	job->state = IS_AUTHZ_FETCH;
	return JOB_AGAIN;
}

enum job_next
issue_authz_poll(struct job *job)
{
	struct issue *is = issue_of(job);

	while (is->authz_i < is->n_authzs &&
	    is->authzs[is->authz_i].status == ACME_STATUS_VALID)
		is->authz_i++;
	if (is->authz_i == is->n_authzs) {
		job->ident[0] = '\0';
		issue_solves_release(job);
		job_deadline_start(job);
		job->state = IS_ORDER_POLL;
		return JOB_AGAIN;
	}
	return job_post(job, is->order.authorizations[is->authz_i], "", 0,
	    IS_AUTHZ_POLL_REPLY);
}

enum job_next
issue_authz_poll_reply(struct job *job)
{
	struct issue *is = issue_of(job);
	struct acme_authz *a = &is->authzs[is->authz_i];

	if (issue_take_authz(job, a) != 0)
		return JOB_FAILED;
	switch (a->status) {
	case ACME_STATUS_VALID:
		job_emit(job, EVENT_STEP, STEP_VALIDATED, 60, "%s validated",
		    a->identifier.value);
		job->state = IS_AUTHZ_POLL;
		return JOB_AGAIN;
	case ACME_STATUS_PENDING:
		job_emit(job, EVENT_STEP, STEP_POLL, issue_authz_progress(is, is->authz_i),
		    "%s: %s", a->identifier.value, acme_status_name(a->status));
		job->state = IS_AUTHZ_POLL;
		return job_poll_later(job, "authorization");
	default:
		return issue_authz_invalid(job, a);
	}
}

void
issue_solves_release(struct job *job)
{
	struct issue *is = issue_of(job);
	size_t i;

	if (is == NULL)
		return;
	for (i = 0; i < is->n_solves; i++)
		challenge_solve_release(job, &is->solves[i]);
	free(is->solves);
	is->solves = NULL;
	is->n_solves = 0;
}
