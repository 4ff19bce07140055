/*
 * job: the engine's units of work and what they share (engine-internal).
 *
 * A job is an explicit state machine. The engine loop calls its step
 * function whenever it can make progress (a response arrived, a timer
 * fired, the CA context it waited on changed); the step sends at most one
 * request, sets a timer, or finishes, and says which through its return
 * value. Nothing in a step blocks.
 */
#ifndef CERTDECK_JOB_H
#define CERTDECK_JOB_H

#include <stdint.h>
#include <time.h>

#include "acme.h"
#include "ca.h"
#include "crypto.h"
#include "engine.h"
#include "event.h"
#include "http.h"

struct store;
struct responder;
struct alpn;
struct proc_set;
struct probe_set;

/* What a step asks the loop to do next. */
enum job_next {
	JOB_WAIT_HTTP,		/* a request is in flight: step again on reply */
	JOB_WAIT_TIMER,		/* step again at job->wake_at_ms */
	JOB_WAIT_CA,		/* step again when the CA context changes */
	JOB_AGAIN,		/* step again at once */
	JOB_DONE,		/* finished; job->result says how */
	JOB_FAILED		/* finished; job->fail says why */
};

/* badNonce retries of one request. A CA rejecting half of all nonces
 * (Pebble's harsh mode) then fails one request in two million; a CA that
 * rejects every nonce costs 20 quick requests and a clear error. */
#define JOB_BADNONCE_RETRIES 20

/* Shared state of the loop, visible to jobs. */
struct engine_ctx {
	struct engine_options opt;	/* strings owned by the engine */
	struct store *store;
	struct http_client *http;
	struct responder *responder;	/* created on first need */
	struct alpn *alpn;		/* tls-alpn-01 responder, on first need */
	struct proc_set *procs;		/* hooks running */
	struct probe_set *probes;	/* endpoint probes in flight */
	struct ca *cas;			/* the engine's CA first, then others */
	int event_fd;			/* write end */
};

struct job;

struct job_ops {
	const char *name;
	/* First step after the directory and account are ready. */
	int first_state;
	/* Allocates job->kind_data; 0 or -1 with job->fail set. */
	int (*init)(struct job *job);
	enum job_next (*step)(struct job *job);
	/* Records a failure in the store (may be NULL). */
	void (*on_fail)(struct job *job);
	/* Releases what the job holds in the outside world (tokens, files). */
	void (*cleanup)(struct job *job);
	void (*free)(struct job *job);
	/* The command to run once this job has ended `how` (a probe after a
	 * deploy), or NULL; may be NULL. */
	struct engine_cmd *(*then)(struct job *job, enum job_next how);
};

/* States shared by every job before its own; kind states start at 100. */
enum job_common_state {
	JS_START = 0,
	JS_DIRECTORY,
	JS_DIRECTORY_REPLY,
	JS_ACCOUNT,
	JS_ACCOUNT_REPLY,
	JS_PENDING_KEY_REPLY,		/* which key the CA has for the account */
	JS_POST_NONCE_REPLY,		/* fetching a nonce for job->post */
	JS_POST_REPLY,			/* job->post sent */
	JS_KIND = 100
};

/* A signed request in flight, with its bounded badNonce retries. */
struct job_post {
	char *url;
	char *payload;			/* "" for POST-as-GET */
	int use_jwk;			/* embed the key instead of kid */
	const struct crypto_key *key;	/* signs instead of the account key */
	int then;			/* state to go to with the reply */
	int retries;
};

struct job {
	uint32_t id;
	struct engine_ctx *ctx;
	const struct job_ops *ops;
	struct ca *ca;			/* the CA it talks to */
	struct engine_cmd *cmd;		/* owned */
	int state;
	int cancelled;
	int started;			/* init ran (the store lock was held) */
	int no_account;			/* needs no account (signs with its own key) */
	int no_ca;			/* needs neither directory nor account */
	int ready;			/* a reply arrived: step me */
	char problem[EVENT_PROBLEM_MAX];	/* CA problem type of the failure */
	unsigned long http_id;
	struct http_response *resp;	/* the reply being handled, owned */
	struct err net_err;		/* transport failure of the last request */
	int net_failed;
	long long wake_at_ms;		/* timer; -1 = waiting on the CA */
	int ca_seen;			/* CA progress when it began waiting */
	long long deadline_ms;		/* bound on the current wait */
	int poll_delay_ms;
	struct job_post post;
	struct err fail;
	char result[EVENT_MSG_MAX];	/* the DONE message */
	int changed;			/* it changed something (see event.h) */
	int progress;			/* last progress reported, 0-100 */
	time_t retry_at;		/* the CA asked not to come back before */
	char ident[EVENT_IDENT_MAX];	/* identifier the current step is about */
	void *kind_data;		/* owned by ops->free */
	char *new_key_file;		/* rollover: the new key's file, owned */
	struct job *next;
};

/* Monotonic and wall clocks in milliseconds. */
long long job_now_ms(void);
long long job_wall_ms(void);

/* Emits an event for `job` (printf-style message, escaped by the caller
 * when it holds CA text). */
void job_emit(struct job *job, enum event_kind kind, enum event_step step,
    int progress, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Emits a warning not tied to a step. */
void job_warn(struct job *job, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Emits STATE_CHANGED for `subject`. */
void job_emit_changed(struct job *job, enum event_object object, const char *subject);

/* Sends an unsigned request as given (a webhook's POST); the reply lands
 * in job->resp and the state becomes `then`. */
enum job_next job_request(struct job *job, const struct http_request *req, int then);

/* Sends an unsigned GET or HEAD; the reply lands in job->resp and the
 * job's state becomes `then`. */
enum job_next job_get(struct job *job, const char *method, const char *url, int then);

/* Sends a signed POST (payload "" = POST-as-GET), fetching a nonce first
 * when the pool is empty and retrying badNonce a bounded number of times.
 * The final reply lands in job->resp with the state set to `then`. */
enum job_next job_post(struct job *job, const char *url, const char *payload,
    int use_jwk, int then);

/* Like job_post, signed with `key` (embedded as a JWK) instead of the
 * account key: revocation by a certificate's own key (RFC 8555 §7.6). The
 * key must outlive the request. */
enum job_next job_post_with_key(struct job *job, const char *url,
    const char *payload, const struct crypto_key *key, int then);

/* Sends job->post again (a fresh nonce); for badNonce retries. */
enum job_next job_post_resend(struct job *job);

/* Handles the common states; returns how to go on, or -1 (as an int)
 * when the state is not a common one. */
int job_step_common(struct job *job);

/* Checks job->resp: transport failure, status in [200,300), a problem
 * document otherwise (turned into job->fail with the CA's words), and,
 * when `ctype` is not NULL, the Content-Type. Returns 0 when the reply is
 * usable, else -1 with job->fail set. */
int job_reply_ok(struct job *job, const char *what, const char *ctype);

/* job->resp when job_reply_ok() finds it usable, else NULL with job->fail
 * set: for a reply handler that reads the body. */
struct http_response *job_reply_usable(struct job *job, const char *what,
    const char *ctype);

/* Fails the job with a message; returns JOB_FAILED. */
enum job_next job_failf(struct job *job, enum err_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Arms the poll timer: Retry-After when the reply has one (capped to the
 * step deadline), else a back-off starting short. Returns JOB_WAIT_TIMER,
 * or JOB_FAILED once the step deadline has passed. */
enum job_next job_poll_later(struct job *job, const char *what);

/* Starts the bounded wait of one order step. */
void job_deadline_start(struct job *job);

/* Frees job->resp. */
void job_reply_drop(struct job *job);

extern const struct job_ops job_issue_ops;
extern const struct job_ops job_revoke_ops;
extern const struct job_ops job_register_ops;
extern const struct job_ops job_account_update_ops;
extern const struct job_ops job_rollover_ops;
extern const struct job_ops job_deactivate_ops;
extern const struct job_ops job_notify_ops;

/* job_notify.c */
/* Fills `to` with where certificate `name`'s notices go: its own
 * channels when its definition sets any (none with notify = false),
 * else the global ones. Returns how many channels that is. */
int job_notify_channels(const struct engine_options *o, const char *name,
    struct engine_notify_cert *to);

/* Copies `n` per-certificate settings into `*out` (one allocation, freed
 * with free()); 0, or -1 with `err`. */
int job_notify_certs_dup(const struct engine_notify_cert *in, size_t n,
    struct engine_notify_cert **out, struct err *err);
extern const struct job_ops job_probe_ops;
extern const struct job_ops job_query_ops;
extern const struct job_ops job_manage_ops;

/* dns-01's hook and resolver for this job: its certificate's own, else
 * the engine's (NULL when neither is set). */
const char *job_dns_hook(const struct job *job);
const char *job_dns_resolver(const struct job *job);

/* Whole days until the certificate of job->cmd->name expires (9999 when
 * it has none). */
int job_days_left(const struct job *job);

#endif
