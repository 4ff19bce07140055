/*
 * job_finalize: the end of an issuance: the certificate key (kept in the
 * store before the CSR leaves, so a killed run can still use what the CA
 * issues for it), finalize, download, and the checks that must all pass
 * before the new pair becomes current: a chain of certificates only, the
 * leaf ours by key, the names those of the order, sane dates.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certrec.h"
#include "esc.h"
#include "job_issue.h"
#include "store.h"

#define FINALIZE_KEY_MAX (64 * 1024)

/* The key of this order: from an earlier run of it, else a new one that is
 * saved before it is used. */
static int
finalize_key(struct job *job, int may_create)
{
	struct issue *is = issue_of(job);
	char path[256], *pem;
	struct buf b;
	size_t len;
	int rc;

	if (is->key != NULL)
		return 0;
	snprintf(path, sizeof path, "orders/%s.key", job->cmd->name);
	if (store_doc_exists(job->ctx->store, path)) {
		buf_init(&b, 0);
		rc = store_doc_read(job->ctx->store, path, FINALIZE_KEY_MAX, &b, &job->fail);
		if (rc == 0 && (is->key = crypto_key_load_pem(b.data, b.len, &job->fail)) == NULL)
			rc = -1;
		buf_free(&b);
		if (rc == 0 && crypto_key_get_type(is->key) == is->key_type)
			return 0;
		/* An unreadable or other-type key from a dead order is left in
		 * place (keys are never deleted) but not reused. */
		crypto_key_free(is->key);
		is->key = NULL;
		if (rc != 0)
			return err_prefix(&job->fail, "%s/%s", store_path(job->ctx->store), path);
	}
	if (!may_create)
		return err_set(&job->fail, ERR_FAIL, "order %s is valid but the key it "
		    "was finalized with is gone (%s/%s); 'certdeck renew %s --force' starts "
		    "a new order", is->order_url, store_path(job->ctx->store), path,
		    job->cmd->name);
	if ((is->key = crypto_key_generate(is->key_type, &job->fail)) == NULL ||
	    (pem = crypto_key_to_pem(is->key, &len, &job->fail)) == NULL)
		return -1;
	rc = store_doc_write(job->ctx->store, path, pem, len, 1, &job->fail);
	free(pem);
	return rc;
}

enum job_next
issue_finalize(struct job *job)
{
	struct issue *is = issue_of(job);
	const char **names;
	unsigned char *csr;
	char *payload;
	enum job_next next;
	size_t i, len;

	if (++is->finalize_tries > ISSUE_MAX_FINALIZE)
		return job_failf(job, ERR_PROTO, "order %s: still ready after %d finalize "
		    "requests", is->order_url, ISSUE_MAX_FINALIZE);
	if (finalize_key(job, 1) != 0)
		return JOB_FAILED;
	if ((names = calloc(is->n_ids, sizeof *names)) == NULL)
		return job_failf(job, ERR_NOMEM, "out of memory");
	for (i = 0; i < is->n_ids; i++)
		names[i] = is->ids[i].value;
	csr = crypto_csr_der(is->key, names, is->n_ids, &len, &job->fail);
	free(names);
	if (csr == NULL)
		return JOB_FAILED;
	payload = acme_payload_finalize(csr, len, &job->fail);
	free(csr);
	if (payload == NULL)
		return JOB_FAILED;
	job_emit(job, EVENT_STEP, STEP_FINALIZE, 70, "finalize with a %s key",
	    crypto_key_type_name(is->key_type));
	next = job_post(job, is->order.finalize, payload, 0, IS_FINALIZE_REPLY);
	free(payload);
	return next;
}

enum job_next
issue_finalize_reply(struct job *job)
{
	struct issue *is = issue_of(job);

	job_deadline_start(job);
	/* A finalize whose reply was lost may still have worked: read the
	 * order again rather than post a second time. */
	if (job->net_failed) {
		job_emit(job, EVENT_STEP, STEP_RETRY, 70, "finalize reply lost (%s); "
		    "reading the order again", job->net_err.msg);
		job->state = IS_ORDER_POLL;
		return JOB_AGAIN;
	}
	if (job_reply_ok(job, "finalize", "application/json") != 0)
		return JOB_FAILED;
	(void)is;
	job->state = IS_ORDER_REPLY;
	return JOB_AGAIN;
}

enum job_next
issue_download(struct job *job)
{
	struct issue *is = issue_of(job);

	if (finalize_key(job, 0) != 0)
		return JOB_FAILED;
	return job_post(job, is->order.certificate, "", 0, IS_DOWNLOAD_REPLY);
}

/* Writes the new version and points the record at it. */
static int
finalize_store(struct job *job, const char *leaf, const char *chain, int *version)
{
	struct issue *is = issue_of(job);
	struct store_cert_files f;
	struct crypto_cert_info info;
	struct certrec rec;
	size_t keylen;
	int rc = -1;

	memset(&f, 0, sizeof f);
	f.cert = (char *)leaf;
	f.chain = (char *)chain;
	if (asprintf(&f.fullchain, "%s%s", leaf, chain) < 0) {
		f.fullchain = NULL;
		return err_nomem(&job->fail, "full chain");
	}
	if ((f.privkey = crypto_key_to_pem(is->key, &keylen, &job->fail)) == NULL)
		goto out;
	if (store_cert_save(job->ctx->store, job->cmd->name, &f, version, &job->fail) != 0)
		goto out;
	if (certrec_load(job->ctx->store, job->cmd->name, &rec, &job->fail) < 0)
		goto out;
	if (crypto_cert_parse_pem(leaf, strlen(leaf), &info, &job->fail) == 0) {
		const char *issuer = info.issuer_cn ? info.issuer_cn : info.issuer;
		char shown[256];

		rec.not_before = info.not_before;
		rec.not_after = info.not_after;
		esc_buf(issuer, strlen(issuer), shown, sizeof shown);
		(void)str_set(&rec.issuer, shown, NULL);
		(void)str_set(&rec.key_desc, info.key_type, NULL);
		(void)str_set(&rec.serial, info.serial_hex, NULL);
		crypto_cert_info_free(&info);
	}
	rec.version = *version;
	rec.updated = time(NULL);
	rec.revoked_reason = -1;
	rec.retry_after = 0;
	rc = str_set(&rec.name, job->cmd->name, &job->fail) != 0 ||
	    str_set(&rec.status, "valid", &job->fail) != 0 ||
	    str_set(&rec.last_error, NULL, &job->fail) != 0 ||
	    certrec_save(job->ctx->store, &rec, &job->fail) != 0 ? -1 : 0;
	certrec_free(&rec);
out:
	free(f.fullchain);
	free(f.privkey);
	return rc;
}

/* Checks a chain the CA sent and makes it the current version: certificates
 * only, the leaf ours by key, the names those of the order, sane dates. */
enum job_next
issue_accept_chain(struct job *job, const char *pem, size_t len, const char *url)
{
	struct issue *is = issue_of(job);
	char *leaf = NULL, *chain = NULL, **names;
	enum job_next next = JOB_FAILED;
	int version;
	size_t i;

	if ((names = calloc(is->n_ids, sizeof *names)) == NULL)
		return job_failf(job, ERR_NOMEM, "out of memory");
	for (i = 0; i < is->n_ids; i++)
		names[i] = is->ids[i].value;
	if (crypto_chain_split(pem, len, is->key, &leaf, &chain, &job->fail) != 0 ||
	    crypto_cert_check(leaf, strlen(leaf), is->key, (const char *const *)names,
	    is->n_ids, time(NULL), &job->fail) != 0) {
		err_prefix(&job->fail, "certificate from %s refused", url);
		goto out;
	}
	if (finalize_store(job, leaf, chain, &version) != 0)
		goto out;
	issue_order_forget(job, 1);
	job_emit(job, EVENT_STEP, STEP_STORED, 95, "stored as version %d", version);
	job_emit_changed(job, OBJECT_CERT, job->cmd->name);
	snprintf(job->result, sizeof job->result, "%s %s: version %d stored",
	    job->cmd->name, version > 1 ? "renewed" : "issued", version);
	job->changed = 1;
	is->version = version;
	job->state = IS_DEPLOY;
	next = JOB_AGAIN;
out:
	free(names);
	free(leaf);
	free(chain);
	return next;
}

enum job_next
issue_download_reply(struct job *job)
{
	struct http_response *r;

	if (job_reply_ok(job, "certificate", "application/pem-certificate-chain") != 0)
		return JOB_FAILED;
	r = job->resp;
	job_emit(job, EVENT_STEP, STEP_DOWNLOADED, 85, "certificate downloaded (%zu bytes)",
	    r->body.len);
	if (job->cmd->preferred_chain != NULL)
		return issue_chain_choose(job);
	return issue_accept_chain(job, r->body.data, r->body.len, r->url);
}
