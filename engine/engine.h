/*
 * engine: the background thread that runs ACME jobs.
 *
 * A front end starts one engine, submits commands, and reads events from
 * engine_event_fd() until it sees the replies it waits for. The engine
 * owns libcurl, the ACME state, the challenge responders and every write
 * to the store; nothing else in the process touches them. Commands travel
 * as pointers on a pipe (ownership passes to the engine), events as
 * fixed-size records on another (event.h).
 */
#ifndef CERTDECK_ENGINE_H
#define CERTDECK_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "endpoint.h"
#include "query.h"
#include "err.h"
#include "str.h"

#define ENGINE_NAME_MAX 64

struct engine_options {
	const char *state_dir;		/* store folder (required) */
	const char *directory_url;	/* the CA's ACME directory (required) */
	const char *ca_bundle;		/* extra trust for the CA's HTTPS, or NULL */
	const char *email;		/* account contact, or NULL */
	int agree_tos;			/* the user agreed to the CA's terms */
	const char *account_name;	/* NULL = "default" */
	const char *eab_kid;		/* external account binding (RFC 8555 */
	const char *eab_hmac_key;	/* §7.3.4): key id and base64url MAC key */
	enum crypto_key_type account_key_type;	/* 0 = ec256 */
	enum crypto_key_type cert_key_type;	/* 0 = ec256 */
	int http_port;			/* built-in http-01 responder; 0 = 80 */
	const char *http_bind;		/* NULL or "" = all addresses (both responders) */
	int tls_port;			/* built-in tls-alpn-01 responder; 0 = 443 */
	const char *dns_hook;		/* dns-01: program that adds/deletes TXT records */
	const char *dns_resolver;	/* dns-01: "ADDR:PORT" to check records at, or NULL */
	/* Where failures are reported (each optional): a JSON POST, a program
	 * run with argv and environment, mail through the local sendmail. */
	const char *notify_webhook, *notify_program, *notify_mail;
	/* Certificates whose own settings replace those three for their
	 * notices (engine_start copies them). */
	const struct engine_notify_cert *notify_certs;
	size_t n_notify_certs;
	int max_jobs;			/* concurrent jobs; 0 = 8 */
	int step_timeout_s;		/* bound on one order step; 0 = 90 */
	double renew_fraction;		/* due when less than this share of the
					 * lifetime is left; 0 = 1/3 */
	int renew_days;			/* > 0: due this many days before expiry */
	/* The store lock is taken when jobs start and given back when none
	 * is left. While someone else holds it, jobs wait (a warning event
	 * says who holds it) or, without lock_wait, fail with ERR_BUSY. */
	int lock_wait;
};

/* A CA by its ACME directory, with the settings that belong to it there:
 * trust, contact, external account binding (each NULL when not set). */
struct engine_ca {
	const char *directory_url;
	const char *ca_bundle;
	const char *email;
	const char *eab_kid;
	const char *eab_hmac_key;
};

/* Where one certificate's notices go instead of the global channels:
 * its own (NULL: that channel unused), or nowhere with `off`. */
struct engine_notify_cert {
	const char *name;
	int off;			/* notify = false */
	const char *webhook, *program, *mail;
};

enum engine_cmd_kind {
	ENGINE_CMD_ISSUE = 1,		/* new certificate NAME for domains */
	ENGINE_CMD_RENEW,		/* NAME, when due or forced */
	ENGINE_CMD_REVOKE,		/* NAME's current certificate */
	ENGINE_CMD_REGISTER,		/* make sure the account exists */
	ENGINE_CMD_CANCEL,		/* job `target` */
	ENGINE_CMD_ACCOUNT_UPDATE,	/* contacts := the engine's email */
	ENGINE_CMD_KEY_ROLLOVER,	/* new account key (RFC 8555 §7.3.5) */
	ENGINE_CMD_DEACTIVATE,		/* the account, for good (§7.3.6) */
	ENGINE_CMD_NOTIFY,		/* tell the people configured: `notify_event` */
	ENGINE_CMD_MANAGE,		/* NAME's record: managed := `managed` */
	ENGINE_CMD_PROBE,		/* which certificate NAME's `endpoints` serve */
	ENGINE_CMD_DIRECTORY = 64,	/* read the directory at `url` (query.h) */
	ENGINE_CMD_PREFLIGHT		/* check `domains` can be issued (query.h) */
};

/* Copies made after an issuance, and the command that reloads them. */
enum { DEPLOY_CERT, DEPLOY_CHAIN, DEPLOY_FULLCHAIN, DEPLOY_KEY, DEPLOY_COMBINED,
	DEPLOY_N };

struct engine_deploy {
	char *to[DEPLOY_N];		/* absolute paths; NULL: no copy */
	char *owner, *group;		/* names (or numbers); NULL: ours */
	int mode;			/* -1: 0600 for keys, 0644 for the rest */
	char **reload;			/* argv, NULL-terminated; no shell */
	size_t n_reload;
};

struct engine_cmd {
	enum engine_cmd_kind kind;
	uint32_t id;			/* set by engine_submit */
	char name[ENGINE_NAME_MAX + 1];
	char **domains;			/* owned; normalised names */
	size_t n_domains;
	int force;
	int reason;			/* RFC 5280 code for revoke */
	int with_cert_key;		/* revoke signed by the certificate's key */
	enum crypto_key_type key_type;	/* 0 = the engine's default */
	char *challenge;		/* "http-01", "webroot"; NULL = as before */
	char *webroot;			/* folder for the webroot challenge */
	char *preferred_chain;		/* issuer CN at the top of the chain */
	char *profile;			/* the CA's certificate profile, or NULL */
	/* Issue, renew, revoke at another CA than the engine's (the
	 * certificate's own `ca`); all owned, ca_url NULL = the engine's. */
	char *ca_url, *ca_bundle, *ca_email, *ca_eab_kid, *ca_eab_hmac_key;
	char *dns_hook;			/* dns-01: this certificate's hook and */
	char *dns_resolver;		/* resolver; NULL = the engine's */
	struct engine_deploy deploy;	/* copies and reload after issuance */
	struct endpoint *endpoints;	/* owned; probed after a deploy, and by */
	size_t n_endpoints;		/* a probe command */
	int after_deploy;		/* probe: right after a deploy (1), whose
					 * reload succeeded (2: the server may
					 * still be switching, so anything but
					 * served is probed again for a while) */
	char *notify_event;		/* notify: "failure", "expiring", "test" */
	char *message;			/* notify: what happened, one line */
	uint32_t target;		/* job to cancel */
	char *url;			/* directory, preflight: the CA's directory */
	int port;			/* preflight: the challenge's port */
	struct engine_reply *reply;	/* directory, preflight: the answer,
					 * one reference (query.h) */
	int managed;			/* manage: 0 stops managing NAME, 1 again */
	int defined;			/* renew: from a definition in the config,
					 * which manages NAME again if it was not */
};

struct engine;

/* Builds a command; NULL on allocation failure. */
struct engine_cmd *engine_cmd_new(enum engine_cmd_kind kind, const char *name);

/* Adds a domain to a command (copied). */
int engine_cmd_add_domain(struct engine_cmd *cmd, const char *domain,
    struct err *err);

void engine_cmd_free(struct engine_cmd *cmd);

/* Opens the store and the CA connection and starts the thread. Returns NULL with `err` set when any of it fails. */
struct engine *engine_start(const struct engine_options *opt, struct err *err);

/* The read end of the event pipe (non-blocking). */
int engine_event_fd(const struct engine *e);

/* Queues a command; ownership of `cmd` passes to the engine even on
 * failure. Returns the job id (> 0), or 0 with `err` set. */
uint32_t engine_submit(struct engine *e, struct engine_cmd *cmd, struct err *err);

/* Asks the thread to stop: running jobs are cancelled and clean up, then
 * the thread ends and the event pipe reaches end of file. Joins it and
 * frees everything. Events not yet read are lost. */
void engine_stop(struct engine *e);

#endif
