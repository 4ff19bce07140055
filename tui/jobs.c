/*
 * jobs: job states and the event ring (see jobs.h).
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs.h"

struct jobs *
jobs_new(void)
{
	return calloc(1, sizeof(struct jobs));
}

void
jobs_free(struct jobs *j)
{
	size_t i;

	if (j == NULL)
		return;
	for (i = 0; i < JOBS_RING_LINES; i++)
		free(j->ring[i].text);
	free(j->list);
	free(j);
}

static void
jobs_push_line(struct jobs *j, int64_t time_ms, uint32_t job, uint8_t level,
    const char *text)
{
	size_t slot = (j->head + j->count) % JOBS_RING_LINES;
	char *copy = strdup(text);

	if (copy == NULL)
		return;		/* the line is lost, nothing else */
	if (j->count == JOBS_RING_LINES) {
		free(j->ring[j->head].text);
		j->head = (j->head + 1) % JOBS_RING_LINES;
		slot = (j->head + j->count - 1) % JOBS_RING_LINES;
	} else
		j->count++;
	j->ring[slot].time_ms = time_ms;
	j->ring[slot].job = job;
	j->ring[slot].level = level;
	j->ring[slot].text = copy;
	j->total++;
	snprintf(j->last, sizeof j->last, "%s", text);
	j->last_level = level;
}

void
jobs_note(struct jobs *j, enum event_level level, const char *text)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	jobs_push_line(j, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, 0,
	    (uint8_t)level, text);
}

const struct jobs_line *
jobs_line_at(const struct jobs *j, size_t i)
{
	return i < j->count ? &j->ring[(j->head + i) % JOBS_RING_LINES] : NULL;
}

struct jobs_job *
jobs_find(const struct jobs *j, uint32_t id)
{
	size_t i;

	for (i = j->n; i > 0; i--)
		if (j->list[i - 1].id == id)
			return &j->list[i - 1];
	return NULL;
}

struct jobs_job *
jobs_latest_for(const struct jobs *j, const char *name)
{
	size_t i;

	for (i = j->n; i > 0; i--)
		if (strcmp(j->list[i - 1].subject, name) == 0)
			return &j->list[i - 1];
	return NULL;
}

static struct jobs_job *
jobs_get(struct jobs *j, const struct event *ev)
{
	struct jobs_job *job = jobs_find(j, ev->job), *grown;

	if (job != NULL)
		return job;
	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 16;

		if ((grown = realloc(j->list, cap * sizeof *grown)) == NULL)
			return NULL;
		j->list = grown;
		j->cap = cap;
	}
	job = &j->list[j->n++];
	memset(job, 0, sizeof *job);
	job->id = ev->job;
	job->started = (time_t)(ev->time_ms / 1000);
	j->running++;
	return job;
}

/* What an authorization step says about its identifier. */
static const char *
jobs_ident_state(enum event_step step)
{
	switch (step) {
	case STEP_AUTHZ_FETCHED: return "pending";
	case STEP_CHALLENGE_SETUP: return "challenge set";
	case STEP_CHALLENGE_ANSWERED: return "processing";
	case STEP_POLL: return "processing";
	case STEP_VALIDATED: return "valid";
	default: return NULL;
	}
}

static void
jobs_track_ident(struct jobs_job *job, const struct event *ev)
{
	const char *state = jobs_ident_state((enum event_step)ev->step);
	size_t i;

	if (ev->ident[0] == '\0' || state == NULL)
		return;
	for (i = 0; i < job->n_idents; i++)
		if (strcmp(job->idents[i].name, ev->ident) == 0)
			break;
	if (i == job->n_idents) {
		if (i == JOBS_IDENTS_MAX)
			return;
		snprintf(job->idents[i].name, sizeof job->idents[i].name, "%s",
		    ev->ident);
		job->n_idents++;
	}
	job->idents[i].state = state;
}

static void
jobs_track(struct jobs *j, struct jobs_job *job, const struct event *ev)
{
	size_t i;

	if (ev->subject[0] != '\0' && job->subject[0] == '\0')
		snprintf(job->subject, sizeof job->subject, "%s", ev->subject);
	job->updated = (time_t)(ev->time_ms / 1000);
	if (ev->msg[0] != '\0')
		snprintf(job->msg, sizeof job->msg, "%s", ev->msg);
	if (ev->kind == EVENT_STEP) {
		job->step = (enum event_step)ev->step;
		job->progress = ev->progress;
		if (job->step >= STEP_ORDER_CREATED && job->step <= STEP_STORED)
			job->ordered = 1;
		jobs_track_ident(job, ev);
	}
	if ((ev->kind == EVENT_DONE || ev->kind == EVENT_FAILED) &&
	    job->state == JOBS_RUNNING) {
		job->state = ev->kind == EVENT_DONE ? JOBS_DONE : JOBS_FAILED;
		job->progress = 100;
		if (ev->problem[0] != '\0')
			snprintf(job->problem, sizeof job->problem, "%s", ev->problem);
		/* A valid order has every authorization valid; a failed one
		 * leaves those not yet valid as they end: invalid. */
		for (i = 0; i < job->n_idents; i++)
			if (job->state == JOBS_DONE)
				job->idents[i].state = "valid";
			else if (strcmp(job->idents[i].state, "valid") != 0)
				job->idents[i].state = "invalid";
		if (j->running > 0)
			j->running--;
	}
}

struct jobs_job *
jobs_add(struct jobs *j, const struct event *ev)
{
	struct jobs_job *job = NULL;
	char line[EVENT_MSG_MAX + 128];
	const char *kind;

	if (ev->kind == EVENT_IDLE)
		j->running = 0;
	if (ev->kind == EVENT_STATE_CHANGED || ev->kind == EVENT_IDLE)
		return NULL;	/* bookkeeping: nothing for a person to read */
	if (ev->job != 0 && (job = jobs_get(j, ev)) != NULL)
		jobs_track(j, job, ev);
	kind = ev->kind == EVENT_STEP ? event_step_name((enum event_step)ev->step) :
	    event_kind_name((enum event_kind)ev->kind);
	if (ev->job != 0)
		snprintf(line, sizeof line, "#%u %s: %s: %s", (unsigned)ev->job,
		    ev->subject[0] ? ev->subject : "-", kind, ev->msg);
	else
		snprintf(line, sizeof line, "%s: %s", kind, ev->msg);
	jobs_push_line(j, ev->time_ms, ev->job, ev->kind == EVENT_FAILED ?
	    EVENT_ERROR : ev->level, line);
	return job;
}

const char *
jobs_order_state(const struct jobs_job *job)
{
	if (job->state != JOBS_RUNNING && !job->ordered)
		return "no order";
	if (job->state == JOBS_DONE)
		return "valid";
	if (job->state == JOBS_FAILED)
		return "invalid";
	switch (job->step) {
	case STEP_NONE:
	case STEP_QUEUED:
	case STEP_DIRECTORY:
	case STEP_NONCE:
	case STEP_ACCOUNT:
		return "queued";
	case STEP_VALIDATED:
		return "ready";
	case STEP_FINALIZE:
	case STEP_DOWNLOADED:
	case STEP_STORED:
	case STEP_DEPLOYED:
		return "processing";
	default:
		return "pending";
	}
}
