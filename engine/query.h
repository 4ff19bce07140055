/*
 * query: questions a front end asks the engine without changing anything:
 * what a CA's directory says (ENGINE_CMD_DIRECTORY, for the wizard's CA
 * step) and whether a new certificate looks likely to be issued
 * (ENGINE_CMD_PREFLIGHT: names resolve, CAA allows the CA, the port is
 * free or the webroot writable).
 *
 * Answers are larger than an event record, so they travel in a reply
 * object that the command points to (cmd->reply). Ownership is shared
 * and counted: the front end makes the reply (one reference), gives the
 * command its own with engine_reply_ref(), and drops its own with
 * engine_reply_unref() when it no longer cares, even before the job ends;
 * the engine drops the command's when it frees the command. The engine
 * fills the reply before the job's DONE event, so a front end reads it
 * once it has read that event and never before. Every string in it is
 * escaped (esc.h) and bounded: it is CA or network text.
 */
#ifndef CERTDECK_QUERY_H
#define CERTDECK_QUERY_H

#include <stdatomic.h>
#include <stddef.h>

#include "err.h"

#define QUERY_LIST_MAX 16
#define QUERY_LINES_MAX 64

/* What a directory's meta says (RFC 8555 §7.1.1, and profiles). */
struct query_dir {
	char terms[512];		/* termsOfService, or "" */
	char website[256];
	int eab_required;		/* externalAccountRequired */
	char caa[QUERY_LIST_MAX][128];	/* caaIdentities */
	size_t n_caa;
	char profiles[QUERY_LIST_MAX][64];
	char profile_descs[QUERY_LIST_MAX][160];
	size_t n_profiles;
};

/* One preflight finding. */
enum query_mark { QUERY_OK = 0, QUERY_WARN, QUERY_FAIL };

struct query_line {
	enum query_mark mark;
	char text[256];
};

struct engine_reply {
	atomic_int refs;
	int failed;			/* the question could not be answered */
	struct err err;			/* why, when failed */
	struct query_dir dir;		/* DIRECTORY, and PREFLIGHT's CA */
	struct query_line lines[QUERY_LINES_MAX];	/* PREFLIGHT */
	size_t n_lines;
};

/* A new, empty reply holding one reference; NULL when out of memory. */
struct engine_reply *engine_reply_new(void);

/* Takes another reference; returns `r`. */
struct engine_reply *engine_reply_ref(struct engine_reply *r);

/* Drops a reference, freeing the reply with the last; NULL is allowed. */
void engine_reply_unref(struct engine_reply *r);

/* Adds a finding to a preflight reply (dropped past QUERY_LINES_MAX). */
void engine_reply_line(struct engine_reply *r, enum query_mark mark,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

struct acme_directory;

/* Copies what a parsed directory's meta says into `out`, escaped and
 * cut to fit. */
void query_dir_from(struct query_dir *out, const struct acme_directory *d);

#endif
