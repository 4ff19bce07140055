/*
 * job_issue: the issue/renew job, split by phase over job_issue.c (orders),
 * job_authz.c (authorizations and challenges), job_finalize.c (CSR,
 * download, checks, store) and job_prepare.c (what to issue, and whether
 * a renewal is due). Engine-internal.
 */
#ifndef CERTDECK_JOB_ISSUE_H
#define CERTDECK_JOB_ISSUE_H

#include "acme.h"
#include "challenge.h"
#include "job.h"

#define ISSUE_DOC_MAX (256 * 1024)
#define ISSUE_MAX_FINALIZE 2

enum issue_state {
	IS_CHECK = JS_KIND,
	IS_NEW_ORDER,
	IS_ORDER_CREATED,
	IS_ORDER_POLL,
	IS_ORDER_REPLY,
	IS_ORDER_DISPATCH,
	IS_AUTHZ_FETCH,
	IS_AUTHZ_REPLY,
	IS_SOLVE_WAIT,
	IS_CHALLENGE_REPLY,
	IS_AUTHZ_POLL,
	IS_AUTHZ_POLL_REPLY,
	IS_FINALIZE,
	IS_FINALIZE_REPLY,
	IS_DOWNLOAD,
	IS_DOWNLOAD_REPLY,
	IS_ALT_FETCH,
	IS_ALT_REPLY,
	IS_ARI_FETCH,
	IS_ARI_REPLY,
	IS_DEPLOY,
	IS_RELOAD_WAIT
};

struct issue {
	struct acme_identifier *ids;	/* what we ask for */
	size_t n_ids;
	enum crypto_key_type key_type;
	int renew;
	int version;			/* current version before this job, 0 = none */
	int decided;			/* due: names and method filled in */
	int ari_ask;			/* not due by lifetime: ask the CA (ARI) */
	int other_ca;			/* the current certificate is another CA's */
	char *cert_id;			/* ARI identifier of the current certificate */
	int deploy_only;		/* stored already: only the deploy is owed */
	unsigned long reload;		/* reload command running, or 0 */
	int reload_failed;
	int copies;			/* deploy copies written */
	int copied;			/* the copies were all made (the reload
					 * may still fail): worth a probe */
	int resumed;			/* the order came from an earlier run */
	int finalize_tries;
	char *order_url;
	struct acme_order order;
	char **first_authzs;		/* the order's authorizations as first read */
	size_t n_first_authzs;
	struct acme_authz *authzs;	/* one per order authorization */
	size_t n_authzs;
	size_t authz_i;
	const struct solver *solver;	/* how control is proved */
	struct solve *solves;		/* proofs in place until cleanup */
	size_t n_solves;
	struct crypto_key *key;		/* the certificate key */
	char **alts;			/* alternate chain URLs (--preferred-chain) */
	size_t n_alts, alt_i;
	char *default_chain, *default_url;
};

static inline struct issue *
issue_of(struct job *job)
{
	return job->kind_data;
}

/* job_issue.c */
enum job_next issue_step(struct job *job);
/* Forgets the order in flight (and its key when `with_key`) once it is
 * finished or dead. */
void issue_order_forget(struct job *job, int with_key);

/* job_prepare.c: decides whether work is due by what the store says
 * (*due = 0 ends the job as done, with job->result saying why, unless
 * is->ari_ask asks the CA's renewal information first); then fills the
 * names, key type and method from the command or the certificate's
 * record, and records what is being issued. */
int issue_decide(struct job *job, int *due);
int issue_fill(struct job *job);
/* Parses the certificate's current version into `info` (caller frees it
 * with crypto_cert_info_free); 0 or -1 with job->fail set. */
int issue_current_cert(struct job *job, struct crypto_cert_info *info);
void issue_free(struct job *job);

/* job_authz.c */
int issue_authz_alloc(struct job *job);
const struct acme_challenge *issue_challenge_of(const struct job *job,
    const struct acme_authz *a);
enum job_next issue_authz_fetch(struct job *job);
enum job_next issue_authz_reply(struct job *job);
enum job_next issue_challenge_reply(struct job *job);
enum job_next issue_authz_poll(struct job *job);
enum job_next issue_authz_poll_reply(struct job *job);
enum job_next issue_solve_wait(struct job *job);
void issue_solves_release(struct job *job);

/* job_finalize.c */
enum job_next issue_finalize(struct job *job);
enum job_next issue_finalize_reply(struct job *job);
enum job_next issue_download(struct job *job);
enum job_next issue_download_reply(struct job *job);
enum job_next issue_accept_chain(struct job *job, const char *pem, size_t len,
    const char *url);

/* job_ari.c */
enum job_next issue_ari_fetch(struct job *job);
enum job_next issue_ari_reply(struct job *job);
int issue_cert_id(struct job *job);

/* job_deploy.c */
enum job_next issue_deploy(struct job *job);
enum job_next issue_reload_wait(struct job *job);
void issue_deploy_cancel(struct job *job);

/* After the deploy steps made their copies, whether the reload worked or
 * not: a probe of the certificate's endpoints (NULL when it has none). */
struct engine_cmd *issue_then(struct job *job, enum job_next how);

/* job_chain.c */
enum job_next issue_chain_choose(struct job *job);
enum job_next issue_alt_fetch(struct job *job);
enum job_next issue_alt_reply(struct job *job);
void issue_chain_free(struct issue *is);

#endif
