/*
 * config: the configuration file (libconfig syntax).
 *
 * One declarative table (config_table.c) lists every setting: name, type,
 * default, scope (global, a cas entry, a certificates entry) and help; it
 * drives defaults, type and range checks, unknown-setting warnings and the
 * printed reference. config_defaults() plays the part of an init function
 * because libconfig already exports config_init().
 */
#ifndef CERTDECK_CONFIG_H
#define CERTDECK_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "endpoint.h"
#include "err.h"

/* An entry of `cas`: where a CA lives and how to register with it. */
struct config_ca {
	char	*name;		/* a cas entry name or a preset name */
	char	*directory;	/* https URL; a preset's when left out */
	char	*ca_bundle;	/* extra trust for this CA only, or "" */
	char	*eab_kid;	/* external account binding, or "" */
	char	*eab_hmac_key;	/* base64url, or "" */
	char	*email;		/* contact; the global email when left out */
	char	*account_key_type;	/* new accounts' keys; the global one when left out */
	int	 agree_tos;	/* the global agree_tos when left out */
	int	 line;		/* where the entry starts in the file */
};

/* An entry of `certificates`. Left-out ca and key_type take the global
 * values, so every field is set after config_load(). */
/* A list of strings read as is (argv). */
struct config_strv {
	char	**v;
	size_t	  n;
};

struct config_cert {
	char	 *name;
	char	**domains;	/* normalised: lowercase A-labels, canonical IPs */
	size_t	  n_domains;
	char	 *ca, *challenge, *key_type;
	char	 *webroot;	/* "" for the built-in http-01 responder */
	char	 *profile, *preferred_chain;	/* "" when not set */
	char	 *dns_hook, *dns_resolver;	/* dns-01; "": the global ones */
	/* Copies made after each issuance: cert, chain, fullchain, key,
	 * combined (CONFIG_DEPLOY_*), "" when not wanted. */
	char	 *deploy[5];
	char	 *deploy_owner, *deploy_group, *deploy_mode;
	struct config_strv reload;	/* argv run after the copies */
	/* Where its notices go instead of the global notify_* ("": that
	 * channel unused; all "": the global ones), or nowhere when
	 * `notify` is 0. */
	char	 *notify_webhook, *notify_program, *notify_mail;
	int	  notify;
	/* Where it is served, checked after each deploy and on demand; the
	 * sni of each is filled (the first name) when the file gives none. */
	struct endpoint *endpoints;
	size_t	  n_endpoints;
	int	  line;
};

struct config {
	char	*path;		/* the file it came from, or NULL */
	char	*email, *key_type, *ca, *state_dir, *http_bind, *theme;
	char	*account_key_type;	/* the key type of new accounts */
	int	 agree_tos;		/* agree to a CA's terms when registering */
	char	*dns_hook, *dns_resolver, *metrics_file;
	char	*notify_webhook, *notify_program, *notify_mail;
	double	 renew_fraction;
	int	 renew_days, max_jobs, step_timeout, http_port, tls_port;
	struct config_ca *cas;
	size_t	 n_cas;
	struct config_cert *certs;
	size_t	 n_certs;
	char	**warnings;	/* "FILE:LINE: unknown setting 'x' ignored" */
	size_t	 n_warnings;
};

/* A well-known ACME directory a `ca` setting may name without a cas entry. */
struct config_preset {
	const char *name, *directory, *notes;
	int needs_eab;
};

/* Fills `c` with the defaults from the settings table (every pointer field
 * a malloc'd string or NULL, no CAs, no certificates); returns 0, or -1
 * with `err` set. Free with config_free(). */
int config_defaults(struct config *c, struct err *err);

/* Loads the file at `path` over fresh defaults and, on success, replaces
 * the contents of `c` (freeing the old ones); returns 0. On -1 `err` says
 * FILE:LINE and the problem and `c` is untouched. A missing file is an
 * error: a caller for whom a missing default path is fine checks for that
 * first. An empty file is a valid configuration holding the defaults. As
 * root, calls config_check_perms() first. */
int config_load(struct config *c, const char *path, struct err *err);

/* Frees everything `c` holds and zeroes it; safe on a zeroed struct. */
void config_free(struct config *c);

/* The cas entry named `name`, or NULL (presets are not entries). */
const struct config_ca *config_find_ca(const struct config *c,
    const char *name);

/* The certificate named `name`, or NULL. */
const struct config_cert *config_find_cert(const struct config *c,
    const char *name);

/* Writes the settings reference (name, type, default, help) to `out`. */
void config_print_reference(FILE *out);

/* The default config path: /etc/certdeck/certdeck.conf for root, else
 * $XDG_CONFIG_HOME/certdeck/certdeck.conf or ~/.config/certdeck/certdeck.conf.
 * Caller frees; NULL with `err` set when no home can be found. */
char *config_default_path(struct err *err);

/* Refuses (-1, `err` set) a file root should not trust: not a regular
 * file, not owned by root, group- or world-writable, or in a folder others
 * could replace it in; returns 0 when it is fine. */
int config_check_perms(const char *path, struct err *err);

/* The directory presets; *n gets their number. */
const struct config_preset *config_presets(size_t *n);

/* The preset called `name`, or NULL. */
const struct config_preset *config_find_preset(const char *name);

#endif
