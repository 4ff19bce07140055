/*
 * job_notify: telling people when something needs them (a renewal that
 * failed, a certificate in its last days, a test): a JSON POST to a
 * webhook, a program run with argv and environment, a mail through the
 * local sendmail. Each channel is optional; the job ends when all have
 * answered and fails when one of them did not take the message. A
 * certificate's definition may name channels of its own, which replace
 * the global ones for its notices, or turn them off (notify = false).
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "certrec.h"
#include "esc.h"
#include "job.h"
#include "json.h"
#include "proc.h"
#include "store.h"

#define NOTIFY_TIMEOUT_MS 30000
#define NOTIFY_OUTPUT 2048
#define NOTIFY_SENDMAIL "/usr/sbin/sendmail"

enum notify_state {
	NT_START = JS_KIND,
	NT_HOOK_REPLY,
	NT_WAIT
};

struct notify {
	unsigned long procs[2];		/* program and sendmail (ids of ended ones
					 * are ignored by proc_cancel) */
	int pending;			/* programs still running */
	int failed;
	char why[EVENT_MSG_MAX];	/* the first channel that failed */
	char mailfile[64];		/* the mail's text, for sendmail's stdin */
	struct engine_notify_cert to;	/* the channels, in the engine's options */
};

int
job_notify_channels(const struct engine_options *o, const char *name,
    struct engine_notify_cert *to)
{
	const struct engine_notify_cert *c;
	size_t i;

	memset(to, 0, sizeof *to);
	to->name = name;
	to->webhook = o->notify_webhook;
	to->program = o->notify_program;
	to->mail = o->notify_mail;
	for (i = 0; i < o->n_notify_certs; i++) {
		c = &o->notify_certs[i];
		if (strcmp(c->name, name) != 0)
			continue;
		if (c->off)
			to->webhook = to->program = to->mail = NULL;
		else if (c->webhook != NULL || c->program != NULL || c->mail != NULL) {
			to->webhook = c->webhook;
			to->program = c->program;
			to->mail = c->mail;
		}
		to->off = c->off;
		break;
	}
	return (to->webhook != NULL) + (to->program != NULL) + (to->mail != NULL);
}

/* Appends `s` (when set) to the block at `*at`; returns the copy. */
static const char *
notify_copy(const char *s, char **at)
{
	char *copy = *at;

	if (s == NULL)
		return NULL;
	*at = stpcpy(copy, s) + 1;
	return copy;
}

int
job_notify_certs_dup(const struct engine_notify_cert *in, size_t n,
    struct engine_notify_cert **out, struct err *err)
{
	size_t i, size = n * sizeof **out;
	char *at;

	*out = NULL;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		size += strlen(in[i].name) + 1 +
		    (in[i].webhook ? strlen(in[i].webhook) + 1 : 0) +
		    (in[i].program ? strlen(in[i].program) + 1 : 0) +
		    (in[i].mail ? strlen(in[i].mail) + 1 : 0);
	if ((*out = malloc(size)) == NULL)
		return err_nomem(err, "the certificates' notify settings");
	at = (char *)(*out + n);
	for (i = 0; i < n; i++) {
		(*out)[i].off = in[i].off;
		(*out)[i].name = notify_copy(in[i].name, &at);
		(*out)[i].webhook = notify_copy(in[i].webhook, &at);
		(*out)[i].program = notify_copy(in[i].program, &at);
		(*out)[i].mail = notify_copy(in[i].mail, &at);
	}
	return 0;
}

int
job_days_left(const struct job *job)
{
	struct certrec rec;
	int days = 9999;

	if (certrec_load(job->ctx->store, job->cmd->name, &rec, NULL) == 1 &&
	    rec.not_after > 0)
		days = (int)((rec.not_after - time(NULL)) / 86400);
	certrec_free(&rec);
	return days;
}

/* Keeps the first failure: "WHAT: WHY". */
static void
notify_failed(struct notify *n, const char *what, const char *why)
{
	if (!n->failed)
		snprintf(n->why, sizeof n->why, "%.200s%s%.400s", what, *why ? ": " : "", why);
	n->failed = 1;
}

static void
notify_proc_done(void *arg, const struct proc_result *r)
{
	struct job *job = arg;
	struct notify *n = job->kind_data;
	char shown[200];

	n->pending--;
	job->ready = 1;
	if (r->exited && r->status == 0)
		return;
	esc_buf(r->output, r->output_len < 150 ? r->output_len : 150, shown, sizeof shown);
	notify_failed(n, r->timed_out ? "a notifier timed out and did not take the message" :
	    "a notifier did not take the message", shown);
}

static int
notify_run(struct job *job, const char *const *argv, const char *stdin_path)
{
	char e_event[64], e_cert[128], e_msg[EVENT_MSG_MAX + 32];
	const char *env[] = { PROC_DEFAULT_PATH, e_event, e_cert, e_msg, NULL };
	struct notify *n = job->kind_data;
	struct proc_spec spec = {
		.argv = argv, .env = env, .timeout_ms = NOTIFY_TIMEOUT_MS,
		.max_output = NOTIFY_OUTPUT, .stdin_path = stdin_path,
	};
	struct err err;

	snprintf(e_event, sizeof e_event, "CERTDECK_EVENT=%s", job->cmd->notify_event);
	snprintf(e_cert, sizeof e_cert, "CERTDECK_CERT=%s", job->cmd->name);
	snprintf(e_msg, sizeof e_msg, "CERTDECK_MESSAGE=%.*s", EVENT_MSG_MAX, job->cmd->message);
	if ((n->procs[n->pending] = proc_start(job->ctx->procs, &spec, notify_proc_done,
	    job, &err)) == 0) {
		notify_failed(n, argv[0], err.msg);
		return -1;
	}
	n->pending++;
	return 0;
}

/* The mail's text in a private file sendmail reads as its stdin. */
static int
notify_mail(struct job *job)
{
	struct notify *n = job->kind_data;
	const char *argv[] = { NOTIFY_SENDMAIL, "-t", "-oi", NULL };
	char host[256] = "this host";
	FILE *f;
	int fd;

	gethostname(host, sizeof host - 1);
	snprintf(n->mailfile, sizeof n->mailfile, "/tmp/certdeck-mail.XXXXXX");
	if ((fd = mkstemp(n->mailfile)) < 0 || (f = fdopen(fd, "w")) == NULL) {
		notify_failed(n, "mail: cannot write the message", "");
		n->mailfile[0] = '\0';
		return -1;
	}
	fprintf(f, "To: %s\nSubject: certdeck on %s: %s for %s\n\n%s\n",
	    n->to.mail, host, job->cmd->notify_event, job->cmd->name,
	    job->cmd->message);
	if (fclose(f) != 0) {
		notify_failed(n, "mail: cannot write the message", "");
		return -1;
	}
	return notify_run(job, argv, n->mailfile);
}

static enum job_next
notify_webhook(struct job *job)
{
	json_t *doc = json_pack("{s:s, s:s, s:s, s:I}", "certificate", job->cmd->name,
	    "event", job->cmd->notify_event, "message", job->cmd->message,
	    "time", (json_int_t)time(NULL));
	struct notify *n = job->kind_data;
	struct http_request req = { .method = "POST", .content_type = "application/json",
	    .url = n->to.webhook };
	enum job_next next;
	char *body;

	if (doc == NULL || (body = json_dump_compact(doc, &job->fail)) == NULL) {
		json_decref(doc);
		return job_failf(job, ERR_NOMEM, "out of memory");
	}
	json_decref(doc);
	req.body = body;
	req.body_len = strlen(body);
	next = job_request(job, &req, NT_HOOK_REPLY);
	free(body);
	return next;
}

static enum job_next
notify_step(struct job *job)
{
	struct notify *n = job->kind_data;

	switch (job->state) {
	case NT_START:
		if (n->to.program != NULL) {
			const char *argv[] = { n->to.program, job->cmd->notify_event,
			    job->cmd->name, job->cmd->message, NULL };

			(void)notify_run(job, argv, NULL);
		}
		if (n->to.mail != NULL)
			(void)notify_mail(job);
		if (n->to.webhook != NULL)
			return notify_webhook(job);
		job->state = NT_WAIT;
		return JOB_AGAIN;
	case NT_HOOK_REPLY:
		/* A program's end wakes the job too; the webhook may still be
		 * on its way. */
		if (job->http_id != 0)
			return JOB_WAIT_HTTP;
		if (job_reply_ok(job, "webhook", NULL) != 0) {
			notify_failed(n, job->fail.msg, "");
			err_clear(&job->fail);
		}
		job->state = NT_WAIT;
		return JOB_AGAIN;
	case NT_WAIT:
		if (n->pending > 0)
			return JOB_WAIT_HTTP;	/* woken by the programs' ends */
		if (n->failed)
			return job_failf(job, ERR_FAIL, "notify %s: %.600s", job->cmd->notify_event,
			    n->why);
		snprintf(job->result, sizeof job->result, "notified: %s for %s",
		    job->cmd->notify_event, job->cmd->name);
		return JOB_DONE;
	}
	return job_failf(job, ERR_FAIL, "notify: unknown state %d", job->state);
}

static int
notify_init(struct job *job)
{
	struct engine_notify_cert to;

	if (job_notify_channels(&job->ctx->opt, job->cmd->name, &to) == 0)
		return err_set(&job->fail, ERR_CONFIG, to.off ? "notifications "
		    "are off for %s (notify = false)" : "nobody to notify: set "
		    "notify_webhook, notify_program or notify_mail", job->cmd->name);
	if ((job->kind_data = calloc(1, sizeof(struct notify))) == NULL)
		return err_nomem(&job->fail, "notify");
	((struct notify *)job->kind_data)->to = to;
	job->no_ca = 1;
	return 0;
}

/* A job cancelled while a program runs: no callback may reach it after. */
static void
notify_cleanup(struct job *job)
{
	struct notify *n = job->kind_data;
	int i;

	for (i = 0; n != NULL && i < 2; i++)
		if (n->procs[i] != 0)
			proc_cancel(job->ctx->procs, n->procs[i]);
}

static void
notify_free(struct job *job)
{
	struct notify *n = job->kind_data;

	if (n != NULL && n->mailfile[0] != '\0')
		unlink(n->mailfile);
	free(n);
	job->kind_data = NULL;
}

const struct job_ops job_notify_ops = {
	.name = "notify",
	.first_state = NT_START,
	.init = notify_init,
	.step = notify_step,
	.cleanup = notify_cleanup,
	.free = notify_free,
};
