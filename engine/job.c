/*
 * job: what every job shares: requests (signed or not) with nonce
 * handling, reply checks that turn problem documents into readable errors,
 * polling timers, events, and the steps that get a directory and an
 * account before the job's own work starts (see job.h).
 */
#include "autoconfig.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "esc.h"
#include "job.h"
#include "jws.h"
#include "store.h"

/* A CA often validates within milliseconds: look soon, then back off. */
#define JOB_POLL_FIRST_MS 10
#define JOB_POLL_MAX_MS 2000
#define JOB_RETRY_MIN_S 60

long long
job_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long
job_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Testing aid: CERTDECK_TEST_STOP_AT=STEP stops the whole process right
 * after that step's event is out, so a test can kill -9 it at a known
 * point of an issuance. Unset, it costs one getenv per event. */
static void
job_test_stop_at(enum event_step step)
{
	const char *want = getenv("CERTDECK_TEST_STOP_AT");

	if (want != NULL && step != STEP_NONE && strcmp(want, event_step_name(step)) == 0)
		raise(SIGSTOP);
}

static void
job_emit_v(struct job *job, enum event_kind kind, enum event_step step,
    int progress, enum event_level level, const char *fmt, va_list ap)
{
	struct event ev;
	const char *subject = job->cmd != NULL ? job->cmd->name : "";
	char raw[EVENT_MSG_MAX];

	memset(&ev, 0, sizeof ev);
	ev.job = job->id;
	ev.kind = (uint16_t)kind;
	ev.step = (uint16_t)step;
	ev.level = (uint8_t)level;
	/* -1: no progress of its own (a retry, a nonce): the job's last. */
	if (progress >= 0)
		job->progress = progress > 100 ? 100 : progress;
	ev.progress = (uint8_t)job->progress;
	ev.time_ms = job_wall_ms();
	snprintf(ev.subject, sizeof ev.subject, "%s", subject);
	snprintf(ev.ident, sizeof ev.ident, "%s", job->ident);
	/* Messages carry CA text (URLs, details): escaped once more here so
	 * nothing a CA sends reaches a terminal raw. */
	vsnprintf(raw, sizeof raw, fmt, ap);
	esc_buf(raw, strlen(raw), ev.msg, sizeof ev.msg);
	if (kind == EVENT_DONE)
		ev.changed = (uint8_t)(job->changed != 0);
	if (kind == EVENT_FAILED) {
		ev.err_code = (uint8_t)job->fail.code;
		snprintf(ev.problem, sizeof ev.problem, "%s", job->problem);
	}
	/* A front end that went away must not stop the work: ignore. */
	(void)event_write(job->ctx->event_fd, &ev, NULL);
	job_test_stop_at(step);
}

void
job_emit(struct job *job, enum event_kind kind, enum event_step step,
    int progress, const char *fmt, ...)
{
	enum event_level level = kind == EVENT_FAILED ? EVENT_ERROR : EVENT_INFO;
	va_list ap;

	va_start(ap, fmt);
	job_emit_v(job, kind, step, progress, level, fmt, ap);
	va_end(ap);
}

void
job_warn(struct job *job, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	job_emit_v(job, EVENT_LOG, STEP_NONE, 0, EVENT_WARN, fmt, ap);
	va_end(ap);
}

void
job_emit_changed(struct job *job, enum event_object object, const char *subject)
{
	struct event ev;

	memset(&ev, 0, sizeof ev);
	ev.job = job->id;
	ev.kind = EVENT_STATE_CHANGED;
	ev.object = (uint8_t)object;
	ev.time_ms = job_wall_ms();
	snprintf(ev.subject, sizeof ev.subject, "%s", subject);
	(void)event_write(job->ctx->event_fd, &ev, NULL);
}

enum job_next
job_failf(struct job *job, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(&job->fail, code, fmt, ap);
	va_end(ap);
	return JOB_FAILED;
}

void
job_reply_drop(struct job *job)
{
	http_response_free(job->resp);
	job->resp = NULL;
}

static void
job_http_done(void *arg, struct http_response *resp, const struct err *err)
{
	struct job *job = arg;

	job->http_id = 0;
	job->ready = 1;
	job_reply_drop(job);
	if (resp == NULL) {
		job->net_failed = 1;
		err_copy(&job->net_err, err);
		return;
	}
	job->net_failed = 0;
	ca_nonce_keep(job->ca, resp->replay_nonce);
	job->resp = resp;
}

static enum job_next
job_send(struct job *job, const struct http_request *req, int then)
{
	struct http_request own = *req;
	struct err err;

	/* The client trusts what the engine's own CA needs; another CA is
	 * reached with its own trust, or the system's. */
	if (!job->no_ca && job->ca != NULL && job->ca != job->ctx->cas &&
	    own.ca_bundle == NULL && !own.plain)
		own.ca_bundle = job->ca->ca_bundle != NULL ? job->ca->ca_bundle : "";
	job_reply_drop(job);
	job->net_failed = 0;
	job->ready = 0;
	job->http_id = http_submit(job->ctx->http, &own, job_http_done, job, &err);
	if (job->http_id == 0) {
		err_copy(&job->fail, &err);
		return JOB_FAILED;
	}
	job->state = then;
	return JOB_WAIT_HTTP;
}

enum job_next
job_request(struct job *job, const struct http_request *req, int then)
{
	return job_send(job, req, then);
}

enum job_next
job_get(struct job *job, const char *method, const char *url, int then)
{
	struct http_request req = { .method = method, .url = url };

	return job_send(job, &req, then);
}

static void
job_post_clear(struct job_post *p)
{
	free(p->url);
	free(p->payload);
	memset(p, 0, sizeof *p);
}

/* Signs job->post with a pooled nonce, or fetches one first. */
static enum job_next
job_post_send(struct job *job)
{
	struct ca *ca = job->ca;
	struct http_request req = { .method = "POST",
	    .content_type = "application/jose+json" };
	enum job_next next;
	char *nonce, *jws;

	if ((nonce = ca_nonce_take(ca)) == NULL)
		return job_get(job, "HEAD", ca->dir.new_nonce, JS_POST_NONCE_REPLY);
	jws = jws_sign(job->post.key ? job->post.key : ca->acct_key,
	    job->post.use_jwk || job->post.key ? NULL : ca->kid, nonce,
	    job->post.url, job->post.payload, &job->fail);
	free(nonce);
	if (jws == NULL)
		return JOB_FAILED;
	req.url = job->post.url;
	req.body = jws;
	req.body_len = strlen(jws);
	next = job_send(job, &req, JS_POST_REPLY);
	free(jws);
	return next;
}

enum job_next
job_post_resend(struct job *job)
{
	return job_post_send(job);
}

static enum job_next
job_post_as(struct job *job, const char *url, const char *payload, int use_jwk,
    const struct crypto_key *key, int then)
{
	job_post_clear(&job->post);
	job->post.url = strdup(url);
	job->post.payload = strdup(payload);
	if (job->post.url == NULL || job->post.payload == NULL)
		return job_failf(job, ERR_NOMEM, "out of memory");
	job->post.use_jwk = use_jwk;
	job->post.key = key;
	job->post.then = then;
	return job_post_send(job);
}

enum job_next
job_post(struct job *job, const char *url, const char *payload, int use_jwk, int then)
{
	return job_post_as(job, url, payload, use_jwk, NULL, then);
}

enum job_next
job_post_with_key(struct job *job, const char *url, const char *payload,
    const struct crypto_key *key, int then)
{
	return job_post_as(job, url, payload, 1, key, then);
}

/* The CA asked to come back later: when, from its Retry-After, at least a
 * minute away (a missing, unreadable or past value must not make the next
 * run knock again at once), kept in job->retry_at for the record. */
static void
job_retry_at(struct job *job, char *when, size_t whensz)
{
	long secs = job->resp->retry_after;
	struct tm tm;

	if (secs < JOB_RETRY_MIN_S)
		secs = JOB_RETRY_MIN_S;
	job->retry_at = time(NULL) + secs;
	gmtime_r(&job->retry_at, &tm);
	strftime(when, whensz, "; try again after %Y-%m-%d %H:%M:%S UTC", &tm);
}

/* Parses job->resp as a problem document when it is one. */
static int
job_reply_problem(struct job *job, struct acme_problem *p)
{
	struct http_response *r = job->resp;

	if (r->content_type == NULL || strcmp(r->content_type, "application/problem+json") != 0)
		return -1;
	return acme_problem_parse(r->body.data, r->body.len, r->url, p, NULL);
}

static void
job_body_excerpt(const struct http_response *r, char *out, size_t outsz)
{
	size_t n = r->body.len < 80 ? r->body.len : 80;

	esc_buf(r->body.data != NULL ? r->body.data : "", n, out, outsz);
}

static int
job_reply_fail_problem(struct job *job, const char *what, struct acme_problem *p)
{
	struct http_response *r = job->resp;
	char text[700], when[64] = "";
	enum err_code code = ERR_ACME;

	acme_problem_format(p, text, sizeof text);
	snprintf(job->problem, sizeof job->problem, "%s", p->type);
	if (acme_problem_is(p, "rateLimited") || r->status == 429 || r->status == 503) {
		code = ERR_RETRY_LATER;
		job_retry_at(job, when, sizeof when);
	} else if (acme_problem_is(p, "badNonce"))
		/* Only the bound of job_setup_post_reply lets a badNonce
		 * through: say how hard we tried. */
		snprintf(when, sizeof when, "; gave up after %d tries (%d retries)",
		    job->post.retries + 1, job->post.retries);
	err_set(&job->fail, code, "%s: %s (HTTP %ld): %s%s", what, r->url, r->status,
	    text, when);
	acme_problem_free(p);
	return -1;
}

int
job_reply_ok(struct job *job, const char *what, const char *ctype)
{
	struct http_response *r = job->resp;
	struct acme_problem p;
	char excerpt[256], when[64];

	if (job->net_failed || r == NULL) {
		err_copy(&job->fail, &job->net_err);
		return err_prefix(&job->fail, "%s", what);
	}
	if (r->status < 200 || r->status > 299) {
		if (job_reply_problem(job, &p) == 0)
			return job_reply_fail_problem(job, what, &p);
		job_body_excerpt(r, excerpt, sizeof excerpt);
		when[0] = '\0';
		if (r->status == 429 || r->status == 503)
			job_retry_at(job, when, sizeof when);
		return err_set(&job->fail, r->status == 429 || r->status == 503 ?
		    ERR_RETRY_LATER : ERR_PROTO, "%s: %s: HTTP %ld (%s): \"%s\"%s", what,
		    r->url, r->status, r->content_type ? r->content_type : "no content type",
		    excerpt, when);
	}
	if (ctype != NULL && (r->content_type == NULL || strcmp(r->content_type, ctype) != 0)) {
		job_body_excerpt(r, excerpt, sizeof excerpt);
		return err_set(&job->fail, ERR_PROTO,
		    "%s: %s: expected %s, got %s: \"%s\"", what, r->url, ctype,
		    r->content_type ? r->content_type : "no content type", excerpt);
	}
	return 0;
}

struct http_response *
job_reply_usable(struct job *job, const char *what, const char *ctype)
{
	return job_reply_ok(job, what, ctype) == 0 ? job->resp : NULL;
}

void
job_deadline_start(struct job *job)
{
	job->deadline_ms = job_now_ms() + (long long)job->ctx->opt.step_timeout_s * 1000;
	job->poll_delay_ms = JOB_POLL_FIRST_MS;
}

enum job_next
job_poll_later(struct job *job, const char *what)
{
	long long now = job_now_ms(), delay;

	if (job->resp != NULL && job->resp->retry_after >= 0)
		delay = (long long)job->resp->retry_after * 1000;
	else {
		delay = job->poll_delay_ms;
		job->poll_delay_ms = job->poll_delay_ms * 2 > JOB_POLL_MAX_MS ?
		    JOB_POLL_MAX_MS : job->poll_delay_ms * 2;
	}
	if (now >= job->deadline_ms)
		return job_failf(job, ERR_RETRY_LATER, "%s: still not done after %d s; "
		    "the order is kept and the next run resumes it", what,
		    job->ctx->opt.step_timeout_s);
	/* A Retry-After past the deadline is honoured up to the deadline only:
	 * one last look, then the bound above ends the wait. */
	if (now + delay > job->deadline_ms)
		delay = job->deadline_ms - now;
	job->wake_at_ms = now + delay;
	return JOB_WAIT_TIMER;
}

const char *
job_dns_hook(const struct job *job)
{
	return job->cmd->dns_hook != NULL ? job->cmd->dns_hook : job->ctx->opt.dns_hook;
}

const char *
job_dns_resolver(const struct job *job)
{
	return job->cmd->dns_resolver != NULL ? job->cmd->dns_resolver :
	    job->ctx->opt.dns_resolver;
}
