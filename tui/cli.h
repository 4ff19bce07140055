/*
 * cli: the command-line front end (issue, renew, revoke, list, show,
 * account). It starts the same engine as the screens and prints its
 * events as log lines.
 */
#ifndef CERTDECK_CLI_H
#define CERTDECK_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "engine.h"
#include "event.h"

/* Exit codes, documented in --help. */
enum cli_exit {
	CLI_OK = 0,
	CLI_FAILED = 1,
	CLI_USAGE = 2,
	CLI_NOTHING = 3		/* renew: nothing was due, nothing changed */
};

enum cli_verbosity { CLI_QUIET = 0, CLI_NORMAL, CLI_VERBOSE };

/* Everything the options and the configuration decided. */
struct cli {
	const char *command;
	char **args;			/* operands after the command */
	int n_args;
	char *config_path;
	char *state_dir;
	char *server;
	char *ca_bundle;
	char *email;
	char *batch;
	char **domains;
	size_t n_domains;
	int agree_tos, force, all, json, no_wait, with_cert_key, yes;
	int demo;			/* --demo: main() runs demo_run() */
	char *account;			/* --account */
	int http_port, tls_port, max_jobs, step_timeout;
	char *http_bind;
	char *reason;
	char *challenge;		/* --challenge */
	char *dns_hook, *dns_resolver;	/* --dns-hook, --dns-resolver */
	char *metrics_file;		/* --metrics-file */
	char *notify_webhook, *notify_program, *notify_mail;	/* --notify-* */
	int test;			/* notify --test */
	int jitter;			/* --jitter: renew starts up to this many s late */
	char *preferred_chain;		/* --preferred-chain */
	char *profile;			/* --profile */
	char *ca_name;			/* --ca */
	int ca_explicit;		/* --server, --ca or CERTDECK_SERVER chose the
					 * CA: it wins over a certificate's own */
	char *eab_kid, *eab_hmac_key;	/* --eab-kid, --eab-hmac-key */
	char *webroot;			/* --webroot */
	char *theme;			/* --theme: the screens' colours */
	int no_color;			/* --no-color */
	char *root;			/* schedule --root: files under another root */
	int use_systemd, use_cron;	/* schedule --systemd, --cron */
	enum crypto_key_type key_type;
	/* --account-key-type, else the CA's cas entry, else the config's
	 * account_key_type: always set once cli_parse() has succeeded. */
	enum crypto_key_type account_key_type;
	double renew_fraction;
	int renew_days;
	enum cli_verbosity verbosity;
	struct config cfg;		/* the file's settings (defaults if none) */
};

/* Parses argv and the configuration; returns CLI_OK, or an exit code
 * after printing the reason. */
int cli_parse(struct cli *c, int argc, char **argv);
void cli_free(struct cli *c);

/* Runs the parsed command; returns the exit code. */
int cli_run(struct cli *c);

/* cli_jobs.c: starts an engine from the options. */
struct engine *cli_engine_start(const struct cli *c);

/* Waits until every job in `ids` has ended, printing events; returns how
 * many failed, and in `*changed` (may be NULL) how many changed something.
 * SIGINT/SIGTERM cancel the jobs and wait for their cleanup. */
int cli_wait(const struct cli *c, struct engine *e, const uint32_t *ids, size_t n,
    size_t *changed);

/* Fills `out` with the CA `name` names in `cfg` (a cas entry, else a
 * preset); strings borrowed from `cfg`. Returns 0, or -1 when unknown. */
int cli_ca_resolve(const struct config *cfg, const char *name, struct engine_ca *out);

/* cli_jobs.c: fills what `cmd` leaves open (CA, challenge, deploy steps,
 * endpoints, profile, chain, names, key type) from its certificate's
 * definition in the config file, if it has one; the command line and the
 * screens both renew through it, so a renewal deploys and probes however
 * it was started. Returns 0, or -1 with `err` naming FILE:LINE. */
int cli_cmd_from_config(const struct cli *c, struct engine_cmd *cmd,
    struct err *err);

/* cli_jobs.c: the commands that run jobs. */
int cli_issue(const struct cli *c);
int cli_renew(const struct cli *c);
int cli_revoke(const struct cli *c);
int cli_account_register(const struct cli *c);
int cli_account_change(const struct cli *c, enum engine_cmd_kind kind);
int cli_notify(const struct cli *c);

/* cli_probe.c: which certificate each endpoint serves. */
int cli_probe(const struct cli *c);

/* cli_show.c: list, show and account show (read-only, no engine). */
int cli_list(const struct cli *c);
int cli_show(const struct cli *c);
int cli_account_show(const struct cli *c);

/* cli_help.c */
void cli_usage(FILE *out);
int cli_command_help(const char *command, FILE *out);

#endif
