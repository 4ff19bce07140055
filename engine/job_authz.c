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
#include "esc.h"
#include "job_issue.h"
#include "jws.h"
#include "responder.h"

#define AUTHZ_TOKEN_MIN 22
#define AUTHZ_CHALLENGE "http-01"

int
issue_authz_alloc(struct job *job)
{
	struct issue *is = issue_of(job);
	size_t i, n = is->order.n_authorizations;

	for (i = 0; i < is->n_authzs; i++)
		acme_authz_free(&is->authzs[i]);
	free(is->authzs);
	is->authzs = NULL;
	is->n_authzs = 0;
	if (n == 0)
		return 0;
	if ((is->authzs = calloc(n, sizeof *is->authzs)) == NULL)
		return err_nomem(&job->fail, "authorizations");
	is->n_authzs = n;
	return 0;
}

const struct acme_challenge *
issue_challenge_of(const struct acme_authz *a)
{
	return a->challenges != NULL ? acme_authz_find(a, AUTHZ_CHALLENGE) : NULL;
}

/* Names the identifier the next events are about (Orders screen rows). */
static void
issue_ident(struct job *job, const struct acme_authz *a)
{
	snprintf(job->ident, sizeof job->ident, "%s", a->identifier.value);
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

static int
issue_token_ok(struct job *job, const struct acme_challenge *c)
{
	char shown[200];

	if (c->token != NULL && strlen(c->token) >= AUTHZ_TOKEN_MIN &&
	    b64url_is_valid(c->token))
		return 0;
	esc_buf(c->token ? c->token : "", c->token ? strlen(c->token) : 0, shown, sizeof shown);
	return err_set(&job->fail, ERR_PROTO, "%s: challenge %s: token \"%s\" is not "
	    "base64url of 22 characters or more; refused", job->ctx->ca->url, c->url, shown);
}

static int
issue_responder_ready(struct job *job)
{
	struct engine_ctx *ctx = job->ctx;

	if (ctx->responder != NULL)
		return 0;
	ctx->responder = responder_new(ctx->opt.http_bind, ctx->opt.http_port, &job->fail);
	if (ctx->responder == NULL)
		return err_prefix(&job->fail, "http-01 responder");
	return 0;
}

/* Puts the key authorization of `c` on the responder and remembers the
 * token so cleanup takes it down again. */
static int
issue_serve(struct job *job, const struct acme_challenge *c)
{
	struct issue *is = issue_of(job);
	char *keyauth, **grown;
	int rc;

	if (issue_token_ok(job, c) != 0 || issue_responder_ready(job) != 0)
		return -1;
	grown = realloc(is->tokens, (is->n_tokens + 1) * sizeof *is->tokens);
	if (grown == NULL)
		return err_nomem(&job->fail, "token list");
	is->tokens = grown;
	if ((is->tokens[is->n_tokens] = strdup(c->token)) == NULL)
		return err_nomem(&job->fail, "token");
	is->n_tokens++;
	if ((keyauth = jws_key_authorization(job->ctx->ca->acct_key, c->token, &job->fail)) == NULL)
		return -1;
	rc = responder_add(job->ctx->responder, c->token, keyauth, &job->fail);
	free(keyauth);
	return rc;
}

static enum job_next
issue_authz_invalid(struct job *job, const struct acme_authz *a)
{
	const struct acme_challenge *c = issue_challenge_of(a);
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
	struct http_response *r;

	if (job_reply_ok(job, "authorization", "application/json") != 0)
		return JOB_FAILED;
	r = job->resp;
	acme_authz_free(a);
	if (acme_authz_parse(r->body.data, r->body.len, r->url, a, &job->fail) != 0)
		return JOB_FAILED;
	issue_ident(job, a);
	job_emit(job, EVENT_STEP, STEP_AUTHZ_FETCHED, issue_authz_progress(is, is->authz_i),
	    "authorization %s: %s", a->identifier.value, acme_status_name(a->status));
	if (a->status == ACME_STATUS_VALID) {
		is->authz_i++;
		job->state = IS_AUTHZ_FETCH;
		return JOB_AGAIN;
	}
	if (a->status != ACME_STATUS_PENDING)
		return issue_authz_invalid(job, a);
	if (a->wildcard)
		return job_failf(job, ERR_CONFIG, "%s: a wildcard name can only be "
		    "validated with dns-01", a->identifier.value);
	if ((c = issue_challenge_of(a)) == NULL)
		return job_failf(job, ERR_ACME, "authorization %s: the CA offers no %s "
		    "challenge for %s", r->url, AUTHZ_CHALLENGE, a->identifier.value);
	if (c->status == ACME_STATUS_PROCESSING || c->status == ACME_STATUS_VALID) {
		/* Already answered (a resumed order): just wait for it. */
		is->authz_i++;
		job->state = IS_AUTHZ_FETCH;
		return JOB_AGAIN;
	}
	if (issue_serve(job, c) != 0)
		return JOB_FAILED;
	job_emit(job, EVENT_STEP, STEP_CHALLENGE_SETUP, issue_authz_progress(is, is->authz_i),
	    "%s for %s on port %d", AUTHZ_CHALLENGE, a->identifier.value,
	    responder_port(job->ctx->responder));
	return job_post(job, c->url, "{}", 0, IS_CHALLENGE_REPLY);
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
		issue_tokens_release(job);
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
	struct http_response *r;

	if (job_reply_ok(job, "authorization", "application/json") != 0)
		return JOB_FAILED;
	r = job->resp;
	acme_authz_free(a);
	if (acme_authz_parse(r->body.data, r->body.len, r->url, a, &job->fail) != 0)
		return JOB_FAILED;
	issue_ident(job, a);
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
issue_tokens_release(struct job *job)
{
	struct issue *is = issue_of(job);
	size_t i;

	if (is == NULL)
		return;
	for (i = 0; i < is->n_tokens; i++) {
		if (job->ctx->responder != NULL)
			responder_remove(job->ctx->responder, is->tokens[i]);
		free(is->tokens[i]);
	}
	free(is->tokens);
	is->tokens = NULL;
	is->n_tokens = 0;
}
