/*
 * jobs: what the screens know from the engine's events: every job seen
 * this session with its step and each identifier's authorization state
 * (the Orders screen), and the event stream itself as a ring of lines
 * (the Activity screen and the status line).
 */
#ifndef CERTDECK_JOBS_H
#define CERTDECK_JOBS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "event.h"

/* Lines the Activity screen keeps; older ones drop off. */
#define JOBS_RING_LINES 10000
#define JOBS_IDENTS_MAX 16

struct jobs_line {
	int64_t time_ms;
	uint32_t job;
	uint8_t level;		/* enum event_level */
	char *text;		/* "name: step: message", escaped */
};

enum jobs_state { JOBS_RUNNING = 0, JOBS_DONE, JOBS_FAILED };

struct jobs_ident {
	char name[EVENT_IDENT_MAX];
	const char *state;	/* "pending", "challenge set", "valid"… */
};

struct jobs_job {
	uint32_t id;
	char subject[EVENT_SUBJECT_MAX];
	enum jobs_state state;
	enum event_step step;
	int progress;
	int ordered;			/* an order was placed */
	time_t started, updated;
	char msg[EVENT_MSG_MAX];	/* the last message */
	char problem[EVENT_PROBLEM_MAX];
	struct jobs_ident idents[JOBS_IDENTS_MAX];
	size_t n_idents;
};

struct jobs {
	struct jobs_line ring[JOBS_RING_LINES];
	size_t head, count;		/* oldest line, lines held */
	uint64_t total;			/* lines ever added */
	struct jobs_job *list;		/* oldest first */
	size_t n, cap;
	size_t running;
	char last[EVENT_MSG_MAX + 128];	/* the last event, one line */
	uint8_t last_level;
};

/* A new, empty record; NULL on allocation failure. Free with
 * jobs_free(). */
struct jobs *jobs_new(void);
void jobs_free(struct jobs *j);

/* Takes in one event: a line in the ring, the job's state. Returns the
 * job it was about, or NULL (engine-wide events). */
struct jobs_job *jobs_add(struct jobs *j, const struct event *ev);

/* Adds a line of the front end's own (a theme error, an engine start
 * failure) to the ring. */
void jobs_note(struct jobs *j, enum event_level level, const char *text);

/* Line `i` of the ring, 0 the oldest held; NULL past the end. */
const struct jobs_line *jobs_line_at(const struct jobs *j, size_t i);

/* The job with id `id`, or NULL. */
struct jobs_job *jobs_find(const struct jobs *j, uint32_t id);

/* The latest job about certificate NAME, or NULL. */
struct jobs_job *jobs_latest_for(const struct jobs *j, const char *name);

/* The order's state in ACME words, from the job's step: "queued",
 * "pending", "ready", "processing", "valid" or "invalid"; "no order"
 * for a job that ended without placing one (not due, revoked). */
const char *jobs_order_state(const struct jobs_job *job);

#endif
