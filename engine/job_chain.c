/*
 * job_chain: choosing among the chains a CA offers for one certificate
 * (RFC 8555 §7.4.2: Link rel="alternate"), by the name of the issuer at
 * the top of the chain, as --preferred-chain asks. The default chain is
 * kept; when no alternate matches, it is used and a warning says so.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job_issue.h"

#define CHAIN_MAX_ALTERNATES 4

/* The issuer CN of the certificate nearest the root in `pem` (the last
 * one), compared with what the user asked for. */
static int
chain_top_matches(const char *pem, const char *want)
{
	const char *last = NULL, *p = pem;
	struct crypto_cert_info info;
	int match;

	while ((p = strstr(p, "-----BEGIN CERTIFICATE-----")) != NULL)
		last = p++;
	if (last == NULL || crypto_cert_parse_pem(last, strlen(last), &info, NULL) != 0)
		return 0;
	match = info.issuer_cn != NULL && strcmp(info.issuer_cn, want) == 0;
	crypto_cert_info_free(&info);
	return match;
}

static void
chain_alts_free(struct issue *is)
{
	size_t i;

	for (i = 0; i < is->n_alts; i++)
		free(is->alts[i]);
	free(is->alts);
	free(is->default_chain);
	free(is->default_url);
	is->alts = NULL;
	is->n_alts = 0;
	is->default_chain = is->default_url = NULL;
}

enum job_next
issue_chain_choose(struct job *job)
{
	struct issue *is = issue_of(job);
	struct http_response *r = job->resp;
	size_t i;

	if (chain_top_matches(r->body.data, job->cmd->preferred_chain))
		return issue_accept_chain(job, r->body.data, r->body.len, r->url);
	chain_alts_free(is);
	if ((is->default_chain = strdup(r->body.data)) == NULL ||
	    (is->default_url = strdup(r->url)) == NULL ||
	    (is->alts = calloc(CHAIN_MAX_ALTERNATES, sizeof *is->alts)) == NULL)
		return job_failf(job, ERR_NOMEM, "out of memory");
	for (i = 0; i < r->n_links && is->n_alts < CHAIN_MAX_ALTERNATES; i++)
		if (strcmp(r->links[i].rel, "alternate") == 0 &&
		    (is->alts[is->n_alts] = strdup(r->links[i].url)) != NULL)
			is->n_alts++;
	is->alt_i = 0;
	job->state = IS_ALT_FETCH;
	return JOB_AGAIN;
}

enum job_next
issue_alt_fetch(struct job *job)
{
	struct issue *is = issue_of(job);
	enum job_next next;

	if (is->alt_i < is->n_alts)
		return job_post(job, is->alts[is->alt_i], "", 0, IS_ALT_REPLY);
	job_warn(job, "no chain offered by the CA ends at \"%s\"; using the default one",
	    job->cmd->preferred_chain);
	next = issue_accept_chain(job, is->default_chain, strlen(is->default_chain),
	    is->default_url);
	chain_alts_free(is);
	return next;
}

enum job_next
issue_alt_reply(struct job *job)
{
	struct issue *is = issue_of(job);
	struct http_response *r;
	enum job_next next;

	if ((r = job_reply_usable(job, "alternate chain",
	    "application/pem-certificate-chain")) != NULL &&
	    chain_top_matches(r->body.data, job->cmd->preferred_chain)) {
		job_emit(job, EVENT_STEP, STEP_DOWNLOADED, 88, "chosen chain ends at \"%s\"",
		    job->cmd->preferred_chain);
		next = issue_accept_chain(job, r->body.data, r->body.len, r->url);
		chain_alts_free(is);
		return next;
	}
	err_clear(&job->fail);
	is->alt_i++;
	job->state = IS_ALT_FETCH;
	return JOB_AGAIN;
}

void
issue_chain_free(struct issue *is)
{
	chain_alts_free(is);
}
