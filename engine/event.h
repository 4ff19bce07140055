/*
 * event: the records the engine thread sends to a front end.
 *
 * Each record has a fixed layout well under PIPE_BUF, so one write() puts
 * it on the pipe whole and a reader never sees half of one. End of file on
 * the pipe means the engine has stopped.
 */
#ifndef CERTDECK_EVENT_H
#define CERTDECK_EVENT_H

#include <stdint.h>

#include "err.h"

enum event_kind {
	EVENT_STEP = 1,		/* a protocol step of a job */
	EVENT_LOG,		/* a message not tied to a step */
	EVENT_DONE,		/* the job finished successfully */
	EVENT_FAILED,		/* the job failed; msg says why */
	EVENT_STATE_CHANGED,	/* stored state of `subject` changed */
	EVENT_IDLE		/* no job is running or queued */
};

enum event_step {
	STEP_NONE = 0,
	STEP_QUEUED,
	STEP_DIRECTORY,
	STEP_NONCE,
	STEP_ACCOUNT,
	STEP_ORDER_CREATED,
	STEP_AUTHZ_FETCHED,
	STEP_CHALLENGE_SETUP,
	STEP_CHALLENGE_ANSWERED,
	STEP_POLL,
	STEP_VALIDATED,
	STEP_FINALIZE,
	STEP_DOWNLOADED,
	STEP_STORED,
	STEP_DEPLOYED,
	STEP_REVOKED,
	STEP_RETRY,
	STEP_CLEANUP,
	STEP_PROBED,		/* an endpoint was looked at */
	STEP_COUNT
};

enum event_level { EVENT_DEBUG = 0, EVENT_INFO, EVENT_WARN, EVENT_ERROR };

/* What a STATE_CHANGED names. */
enum event_object { OBJECT_NONE = 0, OBJECT_CERT, OBJECT_ACCOUNT, OBJECT_ORDER };

#define EVENT_SUBJECT_MAX 72
#define EVENT_MSG_MAX 640
#define EVENT_IDENT_MAX 256
#define EVENT_PROBLEM_MAX 128

struct event {
	uint32_t job;			/* job id, 0 for the engine itself */
	uint16_t kind;			/* enum event_kind */
	uint16_t step;			/* enum event_step */
	uint8_t level;			/* enum event_level */
	uint8_t object;			/* enum event_object */
	uint8_t progress;		/* 0-100 */
	uint8_t err_code;		/* enum err_code for FAILED */
	uint8_t changed;		/* DONE: the job changed something (a new
					 * version, a revocation); 0: nothing to do */
	int64_t time_ms;		/* wall clock, ms since the epoch */
	char subject[EVENT_SUBJECT_MAX];	/* certificate or account name */
	char ident[EVENT_IDENT_MAX];	/* identifier an authorization step is about */
	char problem[EVENT_PROBLEM_MAX];	/* the CA's problem type, if any */
	char msg[EVENT_MSG_MAX];	/* one line, already escaped */
};

/* Short lowercase name of a step ("order", "challenge-set"). */
const char *event_step_name(enum event_step step);
const char *event_kind_name(enum event_kind kind);
const char *event_level_name(enum event_level level);

/* Writes one record whole; returns 0, or -1 with `err` set (the reader
 * has gone away: EPIPE). Retries on EINTR. */
int event_write(int fd, const struct event *ev, struct err *err);

/* Reads one record; returns 1, 0 at end of file (engine stopped), or -1
 * with `err` set; with a non-blocking fd and nothing to read, -1 and
 * ERR_RETRY_LATER. */
int event_read(int fd, struct event *ev, struct err *err);

#endif
