/*
 * engine: the thread, its loop, the command queue and the job scheduler
 * (see engine.h for the contract with front ends, job.h for jobs).
 *
 * The loop is one wait over the curl multi handle's sockets, the command
 * pipe and the responder's sockets, with the nearest job timer as its
 * timeout. After each wake it reads commands, lets the responder and curl
 * progress, then steps every job that can move. Nothing here blocks except
 * that one wait.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "esc.h"
#include "job.h"
#include "alpn.h"
#include "deploy.h"
#include "probe_set.h"
#include "proc.h"
#include "responder.h"
#include "store.h"

#define ENGINE_POLL_FDS 256
#define ENGINE_IDLE_WAIT_MS 60000
#define ENGINE_STEP_PASSES 1000

enum job_wait { WAIT_NONE = 0, WAIT_HTTP, WAIT_TIMER, WAIT_CA };

struct engine {
	struct engine_ctx ctx;
	pthread_t thread;
	int thread_started;
	int cmd_pipe[2];
	int ev_pipe[2];
	struct job *running;
	struct job *queue_head, *queue_tail;
	size_t n_running;
	int stopping;
	int busy;			/* work since the last IDLE event */
	int locked;			/* holds the store lock */
	int lock_said;			/* told the front end we wait for it */
	long long lock_retry_ms;	/* next try while someone else holds it */
	char *strings[16];		/* copies of option strings */
	struct engine_notify_cert *notify_certs;	/* the options' copy */
};

/* Job ids are unique in the process, not only in one engine: the screens
 * start a new engine when the old one is idle (new answers from the
 * wizard), and a job must never take the id of one shown before. */
static atomic_uint engine_next_id = 1;

/* ---------------------------------------------------------------- jobs */

static const struct job_ops *
engine_ops_for(enum engine_cmd_kind kind)
{
	switch (kind) {
	case ENGINE_CMD_ISSUE:
	case ENGINE_CMD_RENEW:
		return &job_issue_ops;
	case ENGINE_CMD_REVOKE:
		return &job_revoke_ops;
	case ENGINE_CMD_REGISTER:
		return &job_register_ops;
	case ENGINE_CMD_ACCOUNT_UPDATE:
		return &job_account_update_ops;
	case ENGINE_CMD_KEY_ROLLOVER:
		return &job_rollover_ops;
	case ENGINE_CMD_DEACTIVATE:
		return &job_deactivate_ops;
	case ENGINE_CMD_NOTIFY:
		return &job_notify_ops;
	case ENGINE_CMD_MANAGE:
		return &job_manage_ops;
	case ENGINE_CMD_PROBE:
		return &job_probe_ops;
	case ENGINE_CMD_DIRECTORY:
	case ENGINE_CMD_PREFLIGHT:
		return &job_query_ops;
	case ENGINE_CMD_CANCEL:
		break;
	}
	return NULL;
}

static void
engine_job_free(struct job *job)
{
	if (job->http_id != 0)
		http_cancel(job->ctx->http, job->http_id);
	if (job->started && job->ops->cleanup != NULL)
		job->ops->cleanup(job);
	if (job->started && job->ops->free != NULL)
		job->ops->free(job);
	job_reply_drop(job);
	free(job->post.url);
	free(job->post.payload);
	engine_cmd_free(job->cmd);
	free(job);
}

static void engine_enqueue(struct engine *e, struct engine_cmd *cmd);

/* A failed issuance or renewal is told to whoever is configured to hear
 * it, as a job of its own, so the run waits for the telling. */
static void
engine_notify_failure(struct engine *e, const struct job *job)
{
	struct engine_notify_cert to;
	struct engine_cmd *cmd;

	if (job_notify_channels(&e->ctx.opt, job->cmd->name, &to) == 0 ||
	    job->ops != &job_issue_ops ||
	    job->fail.code == ERR_CANCELLED ||
	    (cmd = engine_cmd_new(ENGINE_CMD_NOTIFY, job->cmd->name)) == NULL)
		return;
	if (str_set(&cmd->notify_event, job_days_left(job) < 7 ? "expiring" : "failure",
	    NULL) != 0 || str_set(&cmd->message, job->fail.msg, NULL) != 0) {
		engine_cmd_free(cmd);
		return;
	}
	cmd->id = atomic_fetch_add(&engine_next_id, 1);
	engine_enqueue(e, cmd);
}

/* Ends a job: cleanup first (challenge tokens down), then the event. */
static void
engine_job_finish(struct engine *e, struct job *job, enum job_next how)
{
	struct engine_cmd *then;

	if (how == JOB_FAILED && job->started)
		engine_notify_failure(e, job);
	/* What the job asks to run after it (a probe after a deploy, a
	 * notification of a stale endpoint) joins the same run. */
	if (job->started && job->ops->then != NULL && !e->stopping &&
	    (then = job->ops->then(job, how)) != NULL) {
		then->id = atomic_fetch_add(&engine_next_id, 1);
		engine_enqueue(e, then);
	}
	if (how == JOB_FAILED) {
		/* A job that never started (no lock) has nothing to record or
		 * clean, and may not write the store. */
		if (job->started && job->ops->on_fail != NULL)
			job->ops->on_fail(job);
		if (job->started && job->ops->cleanup != NULL)
			job->ops->cleanup(job);
		job_emit(job, EVENT_FAILED, STEP_NONE, 100, "%s", job->fail.msg);
	} else {
		if (job->started && job->ops->cleanup != NULL)
			job->ops->cleanup(job);
		job_emit(job, EVENT_DONE, STEP_NONE, 100, "%s",
		    job->result[0] ? job->result : "done");
	}
	(void)e;
	engine_job_free(job);
}

/* The CA a command talks to: its own when it names one, else the
 * engine's. NULL with `err` set when that CA cannot be set up; the job
 * then fails at its first step. */
static struct ca *
engine_ca_for(struct engine *e, const struct engine_cmd *cmd, struct err *err)
{
	struct engine_ca opt = {
		.directory_url = cmd->ca_url,
		.ca_bundle = cmd->ca_bundle,
		.email = cmd->ca_email,
		.eab_kid = cmd->ca_eab_kid,
		.eab_hmac_key = cmd->ca_eab_hmac_key,
	};

	if (cmd->ca_url == NULL || *cmd->ca_url == '\0')
		return e->ctx.cas;
	return ca_find_or_add(e->ctx.cas, &opt, err);
}

static void
engine_enqueue(struct engine *e, struct engine_cmd *cmd)
{
	struct job *job = calloc(1, sizeof *job);

	if (job == NULL) {
		engine_cmd_free(cmd);
		return;
	}
	job->id = cmd->id;
	job->ctx = &e->ctx;
	job->cmd = cmd;
	job->ops = engine_ops_for(cmd->kind);
	job->ca = engine_ca_for(e, cmd, &job->fail);
	if (e->queue_tail != NULL)
		e->queue_tail->next = job;
	else
		e->queue_head = job;
	e->queue_tail = job;
	e->busy = 1;
	job_emit(job, EVENT_STEP, STEP_QUEUED, 0, "%s queued", job->ops->name);
}

static struct job *
engine_find(struct job *list, uint32_t id)
{
	for (; list != NULL; list = list->next)
		if (list->id == id)
			return list;
	return NULL;
}

static void
engine_cancel(struct engine *e, uint32_t id)
{
	struct job *job = engine_find(e->running, id);

	if (job == NULL)
		job = engine_find(e->queue_head, id);
	if (job == NULL)
		return;
	job->cancelled = 1;
	job->ready = 1;
	if (job->http_id != 0) {
		http_cancel(e->ctx.http, job->http_id);
		job->http_id = 0;
	}
}

static void
engine_command(struct engine *e, struct engine_cmd *cmd)
{
	if (cmd == NULL) {
		e->stopping = 1;
		return;
	}
	if (cmd->kind == ENGINE_CMD_CANCEL) {
		engine_cancel(e, cmd->target);
		engine_cmd_free(cmd);
		return;
	}
	engine_enqueue(e, cmd);
}

static void
engine_read_commands(struct engine *e)
{
	struct engine_cmd *cmd;
	ssize_t n;

	for (;;) {
		n = read(e->cmd_pipe[0], &cmd, sizeof cmd);
		if (n == (ssize_t)sizeof cmd)
			engine_command(e, cmd);
		else if (n < 0 && errno == EINTR)
			continue;
		else if (n == 0) {
			e->stopping = 1;	/* every front end has gone */
			return;
		} else
			return;
	}
}

static void
engine_log(struct engine *e, enum event_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
engine_log(struct engine *e, enum event_level level, const char *fmt, ...)
{
	struct event ev;
	va_list ap;

	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_LOG;
	ev.level = (uint8_t)level;
	ev.time_ms = job_wall_ms();
	va_start(ap, fmt);
	vsnprintf(ev.msg, sizeof ev.msg, fmt, ap);
	va_end(ap);
	(void)event_write(e->ctx.event_fd, &ev, NULL);
}

/* The store lock is held only while jobs run, so a front end left open
 * never keeps a timer's renewal (or another front end) waiting. */
static int
engine_lock(struct engine *e)
{
	struct err err;
	struct job *job;

	if (e->locked)
		return 1;
	if (job_now_ms() < e->lock_retry_ms)
		return 0;
	if (store_lock(e->ctx.store, 0, NULL, NULL, &err) == 0) {
		e->locked = 1;
		e->lock_said = 0;
		return 1;
	}
	if (err.code == ERR_BUSY && e->ctx.opt.lock_wait) {
		if (!e->lock_said)
			engine_log(e, EVENT_WARN, "waiting: %s", err.msg);
		e->lock_said = 1;
		e->lock_retry_ms = job_now_ms() + 250;
		return 0;
	}
	/* Not waiting: every queued job fails with the reason. */
	for (job = e->queue_head; job != NULL; job = job->next) {
		err_copy(&job->fail, &err);
		job->state = -1;
		job->cancelled = 0;
	}
	return -1;
}

/* Moves queued jobs to running while there is room. */
static void
engine_schedule(struct engine *e)
{
	struct job *job;
	int locked;

	if (e->queue_head == NULL || (locked = engine_lock(e)) == 0)
		return;
	while (e->queue_head != NULL && (e->n_running < (size_t)e->ctx.opt.max_jobs ||
	    e->queue_head->cancelled)) {
		job = e->queue_head;
		e->queue_head = job->next;
		if (e->queue_head == NULL)
			e->queue_tail = NULL;
		job->next = e->running;
		e->running = job;
		e->n_running++;
		job->ready = 1;
		if (locked < 0)
			continue;	/* fails at its first step with the lock error */
		if (job->ca == NULL) {
			job->state = -1;	/* its CA: job->fail says why */
			continue;
		}
		job->state = JS_START;
		job->started = 1;
		if (job->ops->init != NULL && job->ops->init(job) != 0) {
			job->cancelled = 0;
			job->state = -1;	/* fails at its first step */
		}
	}
}

static enum job_next
engine_job_step(struct job *job)
{
	int next;

	if (job->cancelled)
		return job_failf(job, ERR_CANCELLED, "%s %s: cancelled", job->ops->name,
		    job->cmd->name);
	if (job->state < 0)
		return JOB_FAILED;
	next = job_step_common(job);
	if (next == -1)
		next = job->ops->step(job);
	return (enum job_next)next;
}

static void
engine_unlink(struct engine *e, struct job *job)
{
	struct job **pp;

	for (pp = &e->running; *pp != NULL; pp = &(*pp)->next)
		if (*pp == job) {
			*pp = job->next;
			e->n_running--;
			return;
		}
}

/* Steps every runnable job: a reply arrived, its timer is due, or it
 * waits on the CA (wake_at_ms == -1) and the CA moved. Returns 1 when
 * something moved. */
static int
engine_step_pass(struct engine *e, long long now)
{
	struct job *job, *next;
	enum job_next how;
	int moved = 0;

	for (job = e->running; job != NULL; job = next) {
		next = job->next;
		if (!job->ready && !(job->wake_at_ms > 0 && now >= job->wake_at_ms) &&
		    !(job->wake_at_ms == -1 && job->ca != NULL &&
		    job->ca_seen != ca_progress(job->ca)))
			continue;
		job->ready = 0;
		job->wake_at_ms = 0;
		moved = 1;
		do
			how = engine_job_step(job);
		while (how == JOB_AGAIN && !job->cancelled);
		if (how == JOB_AGAIN)
			how = engine_job_step(job);
		switch (how) {
		case JOB_WAIT_CA:
			job->wake_at_ms = -1;
			job->ca_seen = ca_progress(job->ca);
			break;
		case JOB_DONE:
		case JOB_FAILED:
			engine_unlink(e, job);
			engine_job_finish(e, job, how);
			break;
		default:
			break;
		}
	}
	return moved;
}

static void
engine_step_all(struct engine *e)
{
	int pass, moved = 1;

	/* A step can unblock others (the directory or the account arrived):
	 * go round until nothing moves, with a bound against a bug spinning. */
	for (pass = 0; moved && pass < ENGINE_STEP_PASSES; pass++) {
		engine_schedule(e);
		moved = engine_step_pass(e, job_now_ms());
	}
}

static int
engine_timeout(const struct engine *e, long long now)
{
	long long best = ENGINE_IDLE_WAIT_MS;
	const struct job *job;
	int rt;

	for (job = e->running; job != NULL; job = job->next) {
		if (job->ready)
			return 0;
		if (job->wake_at_ms > 0 && job->wake_at_ms - now < best)
			best = job->wake_at_ms - now;
	}
	if ((rt = proc_timeout_ms(e->ctx.procs, now)) >= 0 && rt < best)
		best = rt;
	if ((rt = probe_set_timeout_ms(e->ctx.probes, now)) >= 0 && rt < best)
		best = rt;
	if (e->queue_head != NULL && !e->locked && e->lock_retry_ms - now < best)
		best = e->lock_retry_ms - now;
	if (e->ctx.responder != NULL &&
	    (rt = responder_timeout_ms(e->ctx.responder, now)) >= 0 && rt < best)
		best = rt;
	if (e->ctx.alpn != NULL && (rt = alpn_timeout_ms(e->ctx.alpn, now)) >= 0 && rt < best)
		best = rt;
	return best < 0 ? 0 : (int)best;
}

static void
engine_idle_check(struct engine *e)
{
	struct event ev;

	if (e->running != NULL || e->queue_head != NULL)
		return;
	/* The port is given back as soon as no job needs it. */
	if (e->ctx.responder != NULL) {
		responder_free(e->ctx.responder);
		e->ctx.responder = NULL;
	}
	if (e->ctx.alpn != NULL) {
		alpn_free(e->ctx.alpn);
		e->ctx.alpn = NULL;
	}
	if (e->locked) {
		store_unlock(e->ctx.store);
		e->locked = 0;
	}
	if (!e->busy)
		return;
	e->busy = 0;
	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_IDLE;
	ev.time_ms = job_wall_ms();
	snprintf(ev.msg, sizeof ev.msg, "idle");
	(void)event_write(e->ctx.event_fd, &ev, NULL);
}

static void
engine_cancel_all(struct engine *e)
{
	struct job *job;

	for (job = e->running; job != NULL; job = job->next)
		engine_cancel(e, job->id);
	for (job = e->queue_head; job != NULL; job = job->next)
		job->cancelled = 1;
}

static void *
engine_main(void *arg)
{
	struct engine *e = arg;
	struct pollfd fds[ENGINE_POLL_FDS];
	struct err err;
	int n, n_resp, n_alpn, n_proc;

	for (;;) {
		n = 0;
		fds[n].fd = e->cmd_pipe[0];
		fds[n].events = POLLIN;
		fds[n++].revents = 0;
		if (e->ctx.responder != NULL)
			n += responder_pollfds(e->ctx.responder, fds + n, ENGINE_POLL_FDS - n);
		n_resp = n;
		if (e->ctx.alpn != NULL)
			n += alpn_pollfds(e->ctx.alpn, fds + n, ENGINE_POLL_FDS - n);
		n_alpn = n;
		n += proc_pollfds(e->ctx.procs, fds + n, ENGINE_POLL_FDS - n);
		n_proc = n;
		n += probe_set_pollfds(e->ctx.probes, fds + n, ENGINE_POLL_FDS - n);
		if (http_wait(e->ctx.http, fds, (unsigned)n,
		    engine_timeout(e, job_now_ms()), &err) != 0)
			engine_log(e, EVENT_ERROR, "engine: %s", err.msg);
		if (fds[0].revents != 0)
			engine_read_commands(e);
		if (e->stopping)
			engine_cancel_all(e);
		if (e->ctx.responder != NULL)
			responder_handle(e->ctx.responder, fds + 1, n_resp - 1, job_now_ms());
		if (e->ctx.alpn != NULL)
			alpn_handle(e->ctx.alpn, fds + n_resp, n_alpn - n_resp, job_now_ms());
		proc_handle(e->ctx.procs, fds + n_alpn, n_proc - n_alpn, job_now_ms());
		probe_set_handle(e->ctx.probes, fds + n_proc, n - n_proc, job_now_ms());
		if (http_run(e->ctx.http, &err) != 0)
			engine_log(e, EVENT_ERROR, "engine: %s", err.msg);
		engine_step_all(e);
		engine_idle_check(e);
		/* Clean-up hooks (a DNS record's removal) finish before the
		 * thread does; each is bounded by its own timeout. */
		if (e->stopping && e->running == NULL && e->queue_head == NULL &&
		    proc_running(e->ctx.procs) == 0)
			break;
	}
	return NULL;
}

/* ---------------------------------------------------------------- life */

static const char *
engine_keep(struct engine *e, int slot, const char *s)
{
	if (s == NULL)
		return NULL;
	e->strings[slot] = strdup(s);
	return e->strings[slot];
}

static int
engine_options_copy(struct engine *e, const struct engine_options *opt, struct err *err)
{
	struct engine_options *o = &e->ctx.opt;

	*o = *opt;
	o->state_dir = engine_keep(e, 0, opt->state_dir);
	o->directory_url = engine_keep(e, 1, opt->directory_url);
	o->ca_bundle = engine_keep(e, 2, opt->ca_bundle);
	o->email = engine_keep(e, 3, opt->email);
	o->account_name = engine_keep(e, 4, opt->account_name ? opt->account_name : "default");
	o->http_bind = engine_keep(e, 5, opt->http_bind);
	o->eab_kid = engine_keep(e, 6, opt->eab_kid);
	o->eab_hmac_key = engine_keep(e, 7, opt->eab_hmac_key);
	o->dns_hook = engine_keep(e, 8, opt->dns_hook);
	o->dns_resolver = engine_keep(e, 9, opt->dns_resolver);
	o->notify_webhook = engine_keep(e, 10, opt->notify_webhook);
	o->notify_program = engine_keep(e, 11, opt->notify_program);
	o->notify_mail = engine_keep(e, 12, opt->notify_mail);
	if (job_notify_certs_dup(opt->notify_certs, opt->n_notify_certs,
	    &e->notify_certs, err) != 0)
		return -1;
	o->notify_certs = e->notify_certs;
	if ((o->eab_kid == NULL) != (o->eab_hmac_key == NULL))
		return err_set(err, ERR_CONFIG, "external account binding needs both "
		    "--eab-kid and --eab-hmac-key");
	if (o->state_dir == NULL || o->directory_url == NULL || o->account_name == NULL)
		return err_set(err, ERR_CONFIG, "engine: a state folder and a CA directory "
		    "URL are required");
	if (o->account_key_type == 0)
		o->account_key_type = CRYPTO_KEY_EC256;
	if (o->cert_key_type == 0)
		o->cert_key_type = CRYPTO_KEY_EC256;
	if (o->http_port == 0)
		o->http_port = 80;
	if (o->tls_port == 0)
		o->tls_port = 443;
	if (o->max_jobs <= 0)
		o->max_jobs = 8;
	if (o->step_timeout_s <= 0)
		o->step_timeout_s = 90;
	if (o->renew_fraction <= 0 || o->renew_fraction >= 1)
		o->renew_fraction = 1.0 / 3;
	return 0;
}

static int
engine_pipes(struct engine *e, struct err *err)
{
	if (pipe2(e->cmd_pipe, O_CLOEXEC) != 0 || pipe2(e->ev_pipe, O_CLOEXEC) != 0)
		return err_errno(err, "engine: pipe");
	if (fcntl(e->cmd_pipe[0], F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(e->ev_pipe[0], F_SETFL, O_NONBLOCK) != 0)
		return err_errno(err, "engine: fcntl");
	e->ctx.event_fd = e->ev_pipe[1];
	return 0;
}

static void
engine_free(struct engine *e)
{
	size_t i;

	if (e->ctx.responder != NULL)
		responder_free(e->ctx.responder);
	if (e->ctx.alpn != NULL)
		alpn_free(e->ctx.alpn);
	if (e->ctx.http != NULL)
		http_client_free(e->ctx.http);
	proc_set_free(e->ctx.procs);
	probe_set_free(e->ctx.probes);
	if (e->ctx.store != NULL)
		store_close(e->ctx.store);
	ca_free_all(e->ctx.cas);
	for (i = 0; i < 2; i++) {
		if (e->cmd_pipe[i] >= 0)
			close(e->cmd_pipe[i]);
		if (e->ev_pipe[i] >= 0)
			close(e->ev_pipe[i]);
	}
	for (i = 0; i < sizeof e->strings / sizeof e->strings[0]; i++)
		free(e->strings[i]);
	free(e->notify_certs);
	free(e);
}

static int
engine_open(struct engine *e, struct err *err)
{
	const struct engine_options *o = &e->ctx.opt;
	struct http_options hopt = {
		.ca_bundle = o->ca_bundle,
		.user_agent = PACKAGE_NAME "/" PACKAGE_VERSION,
	};
	struct engine_ca own = {
		.directory_url = o->directory_url,
		.ca_bundle = o->ca_bundle,
		.email = o->email,
		.eab_kid = o->eab_kid,
		.eab_hmac_key = o->eab_hmac_key,
	};

	if ((e->ctx.store = store_open(o->state_dir, err)) == NULL)
		return -1;
	if ((e->ctx.http = http_client_new(&hopt, err)) == NULL ||
	    (e->ctx.procs = proc_set_new(err)) == NULL ||
	    (e->ctx.probes = probe_set_new(err)) == NULL)
		return -1;
	if ((e->ctx.cas = ca_new(&own, err)) == NULL)
		return -1;
	return engine_pipes(e, err);
}

struct engine *
engine_start(const struct engine_options *opt, struct err *err)
{
	struct engine *e = calloc(1, sizeof *e);
	sigset_t all, old;
	int rc;

	if (e == NULL) {
		err_nomem(err, "engine");
		return NULL;
	}
	e->cmd_pipe[0] = e->cmd_pipe[1] = e->ev_pipe[0] = e->ev_pipe[1] = -1;
	if (engine_options_copy(e, opt, err) != 0 || engine_open(e, err) != 0) {
		engine_free(e);
		return NULL;
	}
	/* Signals belong to the front end; a vanished event reader must give
	 * EPIPE here, not kill the process. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&e->thread, NULL, engine_main, e);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		err_set(err, ERR_FAIL, "engine: cannot start thread: %s", strerror(rc));
		engine_free(e);
		return NULL;
	}
	e->thread_started = 1;
	return e;
}

int
engine_event_fd(const struct engine *e)
{
	return e->ev_pipe[0];
}

uint32_t
engine_submit(struct engine *e, struct engine_cmd *cmd, struct err *err)
{
	uint32_t id = atomic_fetch_add(&engine_next_id, 1);
	ssize_t n;

	/* Once written, the command is the engine thread's: it may have run,
	 * finished and freed it before write() returns here. */
	cmd->id = id;
	do
		n = write(e->cmd_pipe[1], &cmd, sizeof cmd);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof cmd) {
		engine_cmd_free(cmd);
		err_errno(err, "engine: command pipe");
		return 0;
	}
	return id;
}

void
engine_stop(struct engine *e)
{
	struct engine_cmd *stop = NULL;
	ssize_t n;

	if (e == NULL)
		return;
	if (e->thread_started) {
		do
			n = write(e->cmd_pipe[1], &stop, sizeof stop);
		while (n < 0 && errno == EINTR);
		/* Nobody reads events any more: let the thread's writes fail. */
		close(e->ev_pipe[0]);
		e->ev_pipe[0] = -1;
		pthread_join(e->thread, NULL);
	}
	while (e->queue_head != NULL) {
		struct job *job = e->queue_head;

		e->queue_head = job->next;
		engine_job_free(job);
	}
	engine_free(e);
}
