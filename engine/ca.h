/*
 * ca: the ACME servers an engine talks to (engine-internal).
 *
 * One context per directory URL, shared by every job that uses that CA:
 * its directory, a pool of nonces, and the account the engine holds
 * there. The engine's own CA (engine_options) is the first; a command
 * that names another CA (a certificate defined with `ca = "..."`) adds
 * one on first use, with that CA's trust, contact and external account
 * binding. Contexts live as long as the engine.
 */
#ifndef CERTDECK_CA_H
#define CERTDECK_CA_H

#include "acme.h"
#include "crypto.h"
#include "engine.h"
#include "err.h"

enum ca_phase { CA_NONE = 0, CA_BUSY, CA_READY, CA_FAILED };

#define CA_NONCE_POOL 8

struct ca {
	char *url;			/* directory URL */
	char id[128];			/* store folder name derived from url */
	/* This CA's settings (owned; NULL when not set). */
	char *ca_bundle;		/* extra trust for its HTTPS */
	char *email;			/* account contact */
	char *eab_kid, *eab_hmac_key;	/* external account binding */
	enum ca_phase dir_phase;
	struct acme_directory dir;
	char *nonces[CA_NONCE_POOL];
	size_t n_nonces;
	enum ca_phase acct_phase;
	struct crypto_key *acct_key;
	char *kid;			/* account URL */
	char *key_file;			/* the account key's file in the store */
	struct crypto_key *pending_key;	/* a key change's key whose answer was */
	char *pending_file;		/* lost, until the CA says (job_setup.c) */
	struct err acct_err;		/* why the account failed, for waiters */
	struct err dir_err;
	long long skew_warned;
	struct ca *next;
};

/* A context for the CA `opt` describes (opt->directory_url required);
 * NULL with `err` set. */
struct ca *ca_new(const struct engine_ca *opt, struct err *err);

/* Frees a whole list of contexts. */
void ca_free_all(struct ca *list);

/* The context for `opt`'s directory in `list`, added at its end when
 * there is none yet (the first one's settings are kept); NULL with `err`
 * set when it cannot be made. */
struct ca *ca_find_or_add(struct ca *list, const struct engine_ca *opt,
    struct err *err);

/* The CA's progress (directory and account phases) as one number: jobs
 * waiting on the CA run again when it differs from what they saw. */
int ca_progress(const struct ca *ca);

/* A store folder name for a directory URL: its host and a hash of the
 * whole URL, so two directories on one host stay apart and the name is
 * always safe as a path element. */
void ca_id(const char *url, char *out, size_t outsz);

/* Keeps a nonce from a reply (the oldest goes when the pool is full);
 * takes one back, or NULL (the caller frees it). */
void ca_nonce_keep(struct ca *ca, const char *nonce);
char *ca_nonce_take(struct ca *ca);

#endif
