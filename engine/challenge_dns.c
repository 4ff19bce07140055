/*
 * challenge_dns: dns-01 (RFC 8555 §8.4) through a program of the user's:
 * `HOOK add|del FQDN RECORD_NAME VALUE`, run with execve (argv and a
 * defined environment, never a shell), a timeout and its process group
 * killed after it. Once the hook added the record, certdeck waits until
 * it is visible: at a configured resolver when there is one, bounded by
 * the step's wait. The record is removed afterwards whatever happened.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "challenge.h"
#include "dnsq.h"
#include "esc.h"
#include "job.h"
#include "proc.h"

#define DNS_HOOK_TIMEOUT_MS 60000
#define DNS_HOOK_OUTPUT 4096
#define DNS_RECHECK_MS 250

/* A TXT record awaited at a resolver. */
struct txt_watch {
	char resolver[80];		/* where it is looked up */
	struct dnsq *query;
	long long next_query_ms;
	int looks;			/* answers so far */
	char answer[200];		/* the last one, escaped, for errors */
};

struct dns_solve {
	struct engine_ctx *ctx;
	const char *program;		/* the hook: the job's (job_dns_hook) */
	char fqdn[256];			/* the identifier, without "*." */
	char record[300];		/* _acme-challenge.FQDN */
	char *value;			/* base64url(SHA-256(key authorization)) */
	unsigned long hook;		/* running add hook, or 0 */
	int added;			/* the add hook was started: del is owed */
	int hook_done, hook_failed;
	char hook_error[512];
	struct txt_watch watch;
};

/* What a hook needs, and nothing a CA wrote that is not checked: the
 * identifier was checked against the order, the value is our base64url. */
static unsigned long
dns_hook_run(struct engine_ctx *ctx, const char *action, struct dns_solve *d,
    proc_done_fn done, void *arg, struct err *err)
{
	char e_action[64], e_domain[300], e_record[340], e_value[120];
	const char *argv[] = { d->program, action, d->fqdn, d->record, d->value, NULL };
	const char *env[] = { PROC_DEFAULT_PATH, e_action, e_domain, e_record, e_value, NULL };
	struct proc_spec spec = {
		.argv = argv, .env = env, .timeout_ms = DNS_HOOK_TIMEOUT_MS,
		.max_output = DNS_HOOK_OUTPUT,
	};

	snprintf(e_action, sizeof e_action, "CERTDECK_ACTION=%s", action);
	snprintf(e_domain, sizeof e_domain, "CERTDECK_DOMAIN=%s", d->fqdn);
	snprintf(e_record, sizeof e_record, "CERTDECK_RECORD=%s", d->record);
	snprintf(e_value, sizeof e_value, "CERTDECK_VALUE=%s", d->value);
	return proc_start(ctx->procs, &spec, done, arg, err);
}

/* Describes how a hook ended when it did not end well; 0 if it did. */
static int
dns_hook_outcome(const struct proc_result *r, char *out, size_t outsz)
{
	char shown[300];

	if (r->exited && r->status == 0)
		return 0;
	esc_buf(r->output, r->output_len < 200 ? r->output_len : 200, shown, sizeof shown);
	if (r->timed_out)
		snprintf(out, outsz, "timed out after %d s (killed): %s",
		    DNS_HOOK_TIMEOUT_MS / 1000, shown);
	else if (r->signaled)
		snprintf(out, outsz, "killed by signal %d: %s", r->signal, shown);
	else
		snprintf(out, outsz, "exited with status %d: %s", r->status, shown);
	return -1;
}

static void
dns_add_done(void *arg, const struct proc_result *r)
{
	struct dns_solve *d = arg;

	d->hook = 0;
	d->hook_done = 1;
	d->hook_failed = dns_hook_outcome(r, d->hook_error, sizeof d->hook_error) != 0;
}

/* The del hook outlives the job: it only reports. */
static void
dns_del_done(void *arg, const struct proc_result *r)
{
	(void)arg;
	(void)r;
}

static int
dns_value(const char *keyauth, char **out, struct err *err)
{
	unsigned char md[32];

	if (crypto_sha256(keyauth, strlen(keyauth), md, err) != 0)
		return -1;
	return (*out = b64url_encode(md, sizeof md, err)) != NULL ? 0 : -1;
}

static int
dns_present(struct job *job, struct solve *s, struct err *err)
{
	struct engine_ctx *ctx = job->ctx;
	const char *program = job_dns_hook(job);
	struct dns_solve *d;

	if (program == NULL)
		return err_set(err, ERR_CONFIG, "dns-01 needs a program that sets DNS "
		    "records: --dns-hook PROGRAM (or dns_hook in the config)");
	if (proc_check_program(program, err) != 0)
		return err_prefix(err, "dns-hook %s", program);
	if ((d = calloc(1, sizeof *d)) == NULL)
		return err_nomem(err, "dns-01");
	s->priv = d;
	d->ctx = ctx;
	d->program = program;
	snprintf(d->fqdn, sizeof d->fqdn, "%s", s->ident.value);
	snprintf(d->record, sizeof d->record, "_acme-challenge.%s", d->fqdn);
	if (dns_value(s->keyauth, &d->value, err) != 0)
		return -1;
	if ((d->hook = dns_hook_run(ctx, "add", d, dns_add_done, d, err)) == 0)
		return err_prefix(err, "dns-01 hook %s", program);
	d->added = 1;
	s->presented = 1;
	return 1;
}

/* What the resolver answered, for the error when the record never
 * shows: "no TXT record" or its strings, escaped (DNS data is not ours). */
static void
txt_answer(struct txt_watch *w, char **txts, size_t n)
{
	size_t i, len;

	snprintf(w->answer, sizeof w->answer, "%s", n ? "" : "no TXT record");
	for (i = 0; i < n && (len = strlen(w->answer)) + 8 < sizeof w->answer; i++) {
		snprintf(w->answer + len, sizeof w->answer - len, "%s\"", i ? ", " : "");
		len = strlen(w->answer);
		esc_buf(txts[i], strlen(txts[i]), w->answer + len, sizeof w->answer - len - 1);
		len = strlen(w->answer);
		snprintf(w->answer + len, sizeof w->answer - len, "\"");
	}
}

/* Looks `record` up at w->resolver; 0 when a TXT string equals `value`,
 * 1 not yet, -1 error. */
static int
txt_seen(struct txt_watch *w, const char *record, const char *value, struct err *err)
{
	long long now = job_now_ms();
	struct pollfd pfd = { .fd = -1 };
	char **txts;
	size_t n, i;
	int seen = 0;

	if (w->query == NULL) {
		if (now < w->next_query_ms)
			return 1;
		if ((w->query = dnsq_txt_start(w->resolver, record, err)) == NULL)
			return -1;
	}
	/* Polled from the job's short timer: a look at the socket that
	 * never blocks, as if poll() had said it was readable. */
	if (dnsq_pollfd(w->query, &pfd))
		pfd.revents = POLLIN;
	if (dnsq_handle(w->query, &pfd, now) == 0)
		return 1;
	if (dnsq_result(w->query, &txts, &n, err) != 0) {
		dnsq_free(w->query);
		w->query = NULL;
		return -1;
	}
	for (i = 0; i < n; i++)
		if (strcmp(txts[i], value) == 0)
			seen = 1;
	txt_answer(w, txts, n);
	w->looks++;
	dnsq_strings_free(txts);
	dnsq_free(w->query);
	w->query = NULL;
	w->next_query_ms = now + DNS_RECHECK_MS;
	return seen ? 0 : 1;
}

/* Past the step's bound: the record, the value awaited and what the
 * resolver said instead, so the person who owns the zone can tell. */
static int
txt_missing(struct job *job, const char *what, const struct txt_watch *w,
    const char *record, const char *value, const char *advice, struct err *err)
{
	return err_set(err, ERR_RETRY_LATER, "%s: %s TXT \"%s\" is not visible at "
	    "resolver %s after %d s (it answers: %s); %s", what, record, value,
	    w->resolver, job->ctx->opt.step_timeout_s, w->looks ? w->answer :
	    "nothing yet", advice);
}

static int
dns_ready(struct job *job, struct solve *s, struct err *err)
{
	struct dns_solve *d = s->priv;
	int rc;

	if (!d->hook_done)
		return 1;
	if (d->hook_failed)
		return err_set(err, ERR_FAIL, "dns-01 hook %s add %s: %s", d->program,
		    d->record, d->hook_error);
	if (job_dns_resolver(job) == NULL)
		return 0;	/* the hook's word that the record is in place */
	if (d->watch.resolver[0] == '\0')
		snprintf(d->watch.resolver, sizeof d->watch.resolver, "%s",
		    job_dns_resolver(job));
	if ((rc = txt_seen(&d->watch, d->record, d->value, err)) != 1)
		return rc;
	if (job_now_ms() >= job->deadline_ms)
		return txt_missing(job, "dns-01", &d->watch, d->record, d->value,
		    "the hook said it added it: check that it writes to the zone "
		    "that serves this name", err);
	return 1;
}

static void
dns_cleanup(struct job *job, struct solve *s)
{
	struct dns_solve *d = s->priv;
	struct err err;

	if (d == NULL)
		return;
	if (d->hook != 0)
		proc_cancel(job->ctx->procs, d->hook);
	if (d->added && dns_hook_run(job->ctx, "del", d, dns_del_done, NULL, &err) == 0)
		job_warn(job, "dns-01 hook del %s: %s", d->record, err.msg);
	dnsq_free(d->watch.query);
	free(d->value);
	free(d);
	s->priv = NULL;
}

const struct solver challenge_dns_solver = {
	.acme_type = "dns-01",
	.label = "dns-01 (hook)",
	.present = dns_present,
	.ready = dns_ready,
	.cleanup = dns_cleanup,
};

/* ---------------------------------------------------------------- persist */

/* dns-persist-01 (draft-ietf-acme-dns-persist): one TXT record, created
 * once by the domain's owner and left in place, names the CA and this
 * account; nothing is added or removed per order. Before the CA is told
 * to look, certdeck looks itself, at --dns-resolver or else the system's
 * resolver, and waits for the record within the step's bound: a record
 * that is missing is then said to be missing, with what to create. */
struct persist_solve {
	char record[300];
	char *value;
	struct txt_watch watch;
	int told;			/* "not there yet" was said */
};

static int
persist_present(struct job *job, struct solve *s, struct err *err)
{
	struct persist_solve *p;
	struct err e;

	if (s->issuer == NULL)
		return err_set(err, ERR_PROTO, "dns-persist-01 for %s: the CA names no "
		    "issuer domain", s->ident.value);
	if ((p = calloc(1, sizeof *p)) == NULL)
		return err_nomem(err, "dns-persist-01");
	s->priv = p;
	snprintf(p->record, sizeof p->record, "_validation-persist.%s", s->ident.value);
	if (asprintf(&p->value, "%s; accounturi=%s%s", s->issuer, job->ca->kid,
	    s->wildcard ? "; policy=wildcard" : "") < 0) {
		p->value = NULL;
		return err_nomem(err, "dns-persist-01");
	}
	job_emit(job, EVENT_STEP, STEP_CHALLENGE_SETUP, 30, "dns-persist-01: the record "
	    "to create once and keep: %s TXT \"%s\"", p->record, p->value);
	s->presented = 1;
	if (job_dns_resolver(job) != NULL)
		snprintf(p->watch.resolver, sizeof p->watch.resolver, "%s",
		    job_dns_resolver(job));
	else if (dnsq_system_resolver(DNSQ_RESOLV_CONF, p->watch.resolver,
	    sizeof p->watch.resolver, &e) != 0) {
		job_warn(job, "dns-persist-01: cannot check that %s is in place (%s; "
		    "--dns-resolver ADDR:PORT names one): the CA will look", p->record,
		    e.msg);
		return 0;
	}
	return 1;
}

static int
persist_ready(struct job *job, struct solve *s, struct err *err)
{
	struct persist_solve *p = s->priv;
	int rc;

	rc = txt_seen(&p->watch, p->record, p->value, err);
	if (rc == -1 && job_dns_resolver(job) == NULL) {
		/* The system's resolver is not the user's choice: when it
		 * cannot be asked, the CA's own look decides. */
		job_warn(job, "dns-persist-01: cannot check that %s is in place: %s; "
		    "the CA will look", p->record, err->msg);
		err_clear(err);
		return 0;
	}
	if (rc != 1)
		return rc;
	if (job_now_ms() >= job->deadline_ms)
		return txt_missing(job, "dns-persist-01", &p->watch, p->record, p->value,
		    "create it once in the zone of this name and keep it, then run "
		    "again", err);
	if (p->watch.looks > 0 && !p->told) {
		p->told = 1;
		job_emit(job, EVENT_STEP, STEP_CHALLENGE_SETUP, 30, "dns-persist-01: %s "
		    "is not at resolver %s yet (it answers: %s); waiting up to %d s for it",
		    p->record, p->watch.resolver, p->watch.answer,
		    job->ctx->opt.step_timeout_s);
	}
	return 1;
}

/* The record is the owner's to keep: only our own state goes. */
static void
persist_cleanup(struct job *job, struct solve *s)
{
	struct persist_solve *p = s->priv;

	(void)job;
	if (p == NULL)
		return;
	dnsq_free(p->watch.query);
	free(p->value);
	free(p);
	s->priv = NULL;
}

const struct solver challenge_persist_solver = {
	.acme_type = "dns-persist-01",
	.label = "dns-persist-01",
	.no_token = 1,
	.present = persist_present,
	.ready = persist_ready,
	.cleanup = persist_cleanup,
};
