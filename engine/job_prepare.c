/*
 * job_prepare: before an issue or renew job talks to the CA: which names,
 * which key type, and whether there is anything to do (a renewal that is
 * not due, or a revoked certificate, ends the job here without a request).
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certrec.h"
#include "deploy.h"
#include "due.h"
#include "job_issue.h"
#include "store.h"

#define PREPARE_PEM_MAX (256 * 1024)

int
issue_current_cert(struct job *job, struct crypto_cert_info *info)
{
	struct store_cert_files f;
	int rc;

	memset(&f, 0, sizeof f);
	if (store_cert_load(job->ctx->store, job->cmd->name, 0, &f, &job->fail) != 0)
		return -1;
	rc = crypto_cert_parse_pem(f.cert, strlen(f.cert), info, &job->fail);
	store_cert_files_free(&f);
	if (rc != 0)
		return err_prefix(&job->fail, "current certificate of %s", job->cmd->name);
	return 0;
}

/* When the current certificate of `name` is due: a share of its lifetime
 * before expiry, or a fixed number of days when configured. */
static int
prepare_due_at(struct job *job, time_t *due_at, time_t *not_after)
{
	const struct engine_options *o = &job->ctx->opt;
	struct crypto_cert_info info;

	if (issue_current_cert(job, &info) != 0)
		return -1;
	*not_after = info.not_after;
	*due_at = due_by_lifetime(info.not_before, info.not_after, o->renew_fraction,
	    o->renew_days);
	crypto_cert_info_free(&info);
	return 0;
}

static int
prepare_names(struct job *job, const struct certrec *rec)
{
	struct issue *is = issue_of(job);
	char *const *names = job->cmd->n_domains ? job->cmd->domains : rec->domains;
	size_t i, n = job->cmd->n_domains ? job->cmd->n_domains : rec->n_domains;

	if (n == 0)
		return err_set(&job->fail, ERR_CONFIG, "%s: no domains to issue for "
		    "(give -d DOMAIN)", job->cmd->name);
	if ((is->ids = calloc(n, sizeof *is->ids)) == NULL)
		return err_nomem(&job->fail, "identifiers");
	for (i = 0; i < n; i++)
		acme_identifier_set(&is->ids[i], names[i]);
	is->n_ids = n;
	return 0;
}

/* The method: the command's, else the record's, else http-01. A renewal
 * keeps the webroot it was issued with unless told otherwise. */
static int
prepare_challenge(struct job *job, struct certrec *rec)
{
	struct issue *is = issue_of(job);
	const char *name = job->cmd->challenge ? job->cmd->challenge : rec->challenge;
	enum challenge_method m = CHALLENGE_HTTP;
	size_t i;

	if (name != NULL && challenge_method_parse(name, &m, &job->fail) != 0)
		return -1;
	if (m == CHALLENGE_WEBROOT && job->cmd->webroot == NULL &&
	    str_set(&job->cmd->webroot, rec->webroot, &job->fail) != 0)
		return -1;
	if (m == CHALLENGE_WEBROOT && job->cmd->webroot == NULL)
		return err_set(&job->fail, ERR_CONFIG, "%s: the webroot challenge needs "
		    "a folder (--webroot PATH)", job->cmd->name);
	for (i = 0; i < is->n_ids; i++)
		if (strncmp(is->ids[i].value, "*.", 2) == 0 && m != CHALLENGE_DNS &&
		    m != CHALLENGE_DNS_PERSIST)
			return err_set(&job->fail, ERR_CONFIG, "%s: the wildcard %s can only "
			    "be validated with dns-01 (--challenge dns-01 --dns-hook PROGRAM)",
			    job->cmd->name, is->ids[i].value);
	is->solver = challenge_solver(m);
	/* The chain preference, like the method, outlives one run. */
	if (job->cmd->preferred_chain == NULL &&
	    str_set(&job->cmd->preferred_chain, rec->preferred_chain, &job->fail) != 0)
		return -1;
	if (str_set(&rec->preferred_chain, job->cmd->preferred_chain, &job->fail) != 0)
		return -1;
	if (job->cmd->profile == NULL &&
	    str_set(&job->cmd->profile, rec->profile, &job->fail) != 0)
		return -1;
	if (str_set(&rec->profile, job->cmd->profile, &job->fail) != 0)
		return -1;
	if (str_set(&rec->challenge, challenge_method_name(m), &job->fail) != 0 ||
	    str_set(&rec->webroot, m == CHALLENGE_WEBROOT ? job->cmd->webroot : NULL,
	    &job->fail) != 0)
		return -1;
	return 0;
}

static int
prepare_key_type(struct job *job, const struct certrec *rec)
{
	struct issue *is = issue_of(job);

	if (job->cmd->key_type != 0)
		is->key_type = job->cmd->key_type;
	else if (rec->key_type != NULL) {
		if (crypto_key_type_parse(rec->key_type, &is->key_type, &job->fail) != 0)
			return err_prefix(&job->fail, "record of %s", job->cmd->name);
	} else
		is->key_type = job->ctx->opt.cert_key_type;
	return 0;
}

/* Records what is being issued before the CA is asked, so a certificate
 * whose first issuance fails still shows up (as failed) in the list. */
static int
prepare_record(struct job *job, struct certrec *rec)
{
	struct issue *is = issue_of(job);
	char **names;
	size_t i;
	int rc;

	if ((names = calloc(is->n_ids, sizeof *names)) == NULL)
		return err_nomem(&job->fail, "names");
	for (i = 0; i < is->n_ids; i++)
		names[i] = is->ids[i].value;
	rc = certrec_set_domains(rec, names, is->n_ids, &job->fail);
	free(names);
	if (rc != 0 || str_set(&rec->name, job->cmd->name, &job->fail) != 0 ||
	    str_set(&rec->directory, job->ca->url, &job->fail) != 0 ||
	    str_set(&rec->account, job->ctx->opt.account_name, &job->fail) != 0 ||
	    str_set(&rec->key_type, crypto_key_type_name(is->key_type), &job->fail) != 0)
		return -1;
	if (rec->status == NULL && str_set(&rec->status, "pending", &job->fail) != 0)
		return -1;
	rec->updated = time(NULL);
	if (certrec_save(job->ctx->store, rec, &job->fail) != 0)
		return -1;
	job_emit_changed(job, OBJECT_CERT, job->cmd->name);
	return 0;
}

static int
prepare_order_in_flight(struct job *job)
{
	char path[256];

	snprintf(path, sizeof path, "orders/%s.json", job->cmd->name);
	return store_doc_exists(job->ctx->store, path);
}

/* Decides for a certificate that already has a current version. */
static int
prepare_existing(struct job *job, const struct certrec *rec, int *due)
{
	time_t due_at, not_after;
	char when[32];
	struct tm tm;

	if (job->cmd->kind == ENGINE_CMD_ISSUE && !job->cmd->force)
		return err_set(&job->fail, ERR_CONFIG, "certificate %s already exists; "
		    "'certdeck renew %s --force' gets a new one", job->cmd->name,
		    job->cmd->name);
	if (rec->status != NULL && strcmp(rec->status, "revoked") == 0 && !job->cmd->force) {
		*due = 0;
		snprintf(job->result, sizeof job->result, "%s is revoked; not renewed "
		    "(--force renews it anyway)", job->cmd->name);
		return 0;
	}
	if (job->cmd->force)
		return 0;
	if (prepare_due_at(job, &due_at, &not_after) != 0)
		return -1;
	if (time(NULL) < due_at) {
		*due = 0;
		/* Not due by its lifetime; the CA's renewal information, if it
		 * offers any, may still say otherwise. */
		issue_of(job)->ari_ask = 1;
		gmtime_r(&due_at, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
		snprintf(job->result, sizeof job->result, "%s is not due for renewal "
		    "until %s", job->cmd->name, when);
	}
	return 0;
}

/* Removed from the config, kept in the store: nothing is done for it
 * (even --force) until a definition names it again, which manages it
 * from then on, due or not. */
static int
prepare_unmanaged(struct job *job, struct certrec *rec, int *due)
{
	if (!job->cmd->defined) {
		*due = 0;
		snprintf(job->result, sizeof job->result, "%s is no longer managed "
		    "(its definition was removed); not renewed until the config "
		    "defines it again", job->cmd->name);
		return 0;
	}
	rec->unmanaged = 0;
	rec->updated = time(NULL);
	if (certrec_save(job->ctx->store, rec, &job->fail) != 0)
		return -1;
	job_emit_changed(job, OBJECT_CERT, job->cmd->name);
	return 0;
}

int
issue_decide(struct job *job, int *due)
{
	struct issue *is = issue_of(job);
	struct certrec rec;
	int version = 0, found, rc = -1;

	*due = 1;
	is->renew = job->cmd->kind == ENGINE_CMD_RENEW;
	if ((found = certrec_load(job->ctx->store, job->cmd->name, &rec, &job->fail)) < 0)
		return -1;
	if (store_cert_current_version(job->ctx->store, job->cmd->name, &version,
	    &job->fail) != 0)
		goto out;
	is->version = version;
	/* The current certificate came from another CA (the definition's CA
	 * changed, or --server): that CA's renewal information means nothing
	 * to this one. */
	is->other_ca = found && rec.directory != NULL &&
	    strcmp(rec.directory, job->ca->url) != 0;
	if (is->renew && found && rec.unmanaged && prepare_unmanaged(job, &rec,
	    due) != 0)
		goto out;
	if (!*due) {
		rc = 0;
		goto out;
	}
	/* A renewal of a certificate never issued is an issuance, when the
	 * command says for which names (a definition from the config). */
	if (is->renew && !found && version == 0 && job->cmd->n_domains == 0) {
		err_set(&job->fail, ERR_CONFIG, "no certificate named %s", job->cmd->name);
		goto out;
	}
	if (version > 0 && !prepare_order_in_flight(job) &&
	    prepare_existing(job, &rec, due) != 0)
		goto out;
	/* Not due, but the deploy of the current version never completed:
	 * that much is owed, without a new certificate. */
	if (!*due && version > 0 && rec.deployed_version != version &&
	    (rec.status == NULL || strcmp(rec.status, "revoked") != 0) &&
	    deploy_wanted(&job->cmd->deploy)) {
		*due = 1;
		is->deploy_only = 1;
		is->decided = 1;
	}
	rc = 0;
out:
	certrec_free(&rec);
	return rc;
}

int
issue_fill(struct job *job)
{
	struct certrec rec;
	int rc = -1;

	if (certrec_load(job->ctx->store, job->cmd->name, &rec, &job->fail) < 0)
		return -1;
	if (prepare_names(job, &rec) == 0 && prepare_key_type(job, &rec) == 0 &&
	    prepare_challenge(job, &rec) == 0 && prepare_record(job, &rec) == 0)
		rc = 0;
	certrec_free(&rec);
	return rc;
}

void
issue_free(struct job *job)
{
	struct issue *is = issue_of(job);
	size_t i;

	if (is == NULL)
		return;
	issue_solves_release(job);
	for (i = 0; i < is->n_authzs; i++)
		acme_authz_free(&is->authzs[i]);
	free(is->authzs);
	acme_order_free(&is->order);
	free(is->order_url);
	free(is->cert_id);
	strv_free(is->first_authzs, is->n_first_authzs);
	free(is->ids);
	issue_chain_free(is);
	crypto_key_free(is->key);
	free(is);
	job->kind_data = NULL;
}
