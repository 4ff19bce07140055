/*
 * cli: options, configuration and dispatch of the command line (see
 * cli.h). Settings come from, strongest first: the command line, the
 * environment (CERTDECK_*), the configuration file, built-in defaults.
 */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "challenge.h"
#include "cli.h"
#include "metrics.h"
#include "config.h"
#include "names.h"
#include "schedule.h"
#include "store.h"
#include "str.h"
#include "ui.h"

#define CLI_LETSENCRYPT "https://acme-v02.api.letsencrypt.org/directory"
#define CLI_LETSENCRYPT_STAGING "https://acme-staging-v02.api.letsencrypt.org/directory"

enum cli_opt {
	OPT_CONFIG = 256, OPT_DEMO, OPT_STATE, OPT_SERVER, OPT_STAGING, OPT_CA_BUNDLE,
	OPT_EMAIL, OPT_AGREE_TOS, OPT_HTTP_PORT, OPT_HTTP_BIND, OPT_KEY_TYPE,
	OPT_BATCH, OPT_ALL, OPT_FORCE, OPT_REASON, OPT_JSON, OPT_NO_WAIT,
	OPT_MAX_JOBS, OPT_TIMEOUT, OPT_VERSION, OPT_CHALLENGE, OPT_WEBROOT,
	OPT_EAB_KID, OPT_EAB_HMAC, OPT_PREFERRED_CHAIN, OPT_WITH_CERT_KEY,
	OPT_ACCOUNT, OPT_YES, OPT_PROFILE, OPT_CA, OPT_DNS_HOOK, OPT_DNS_RESOLVER,
	OPT_THEME, OPT_NO_COLOR, OPT_TLS_PORT, OPT_METRICS_FILE, OPT_JITTER,
	OPT_NOTIFY_WEBHOOK, OPT_NOTIFY_PROGRAM, OPT_NOTIFY_MAIL, OPT_TEST, OPT_ROOT, OPT_SYSTEMD, OPT_CRON,
	OPT_ACCOUNT_KEY_TYPE
};

static const struct option cli_options[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "demo", no_argument, NULL, OPT_DEMO },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "server", required_argument, NULL, OPT_SERVER },
	{ "staging", no_argument, NULL, OPT_STAGING },
	{ "ca-bundle", required_argument, NULL, OPT_CA_BUNDLE },
	{ "email", required_argument, NULL, OPT_EMAIL },
	{ "agree-tos", no_argument, NULL, OPT_AGREE_TOS },
	{ "http-port", required_argument, NULL, OPT_HTTP_PORT },
	{ "http-bind", required_argument, NULL, OPT_HTTP_BIND },
	{ "key-type", required_argument, NULL, OPT_KEY_TYPE },
	{ "account-key-type", required_argument, NULL, OPT_ACCOUNT_KEY_TYPE },
	{ "domain", required_argument, NULL, 'd' },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "challenge", required_argument, NULL, OPT_CHALLENGE },
	{ "webroot", required_argument, NULL, OPT_WEBROOT },
	{ "eab-kid", required_argument, NULL, OPT_EAB_KID },
	{ "preferred-chain", required_argument, NULL, OPT_PREFERRED_CHAIN },
	{ "with-cert-key", no_argument, NULL, OPT_WITH_CERT_KEY },
	{ "account", required_argument, NULL, OPT_ACCOUNT },
	{ "yes", no_argument, NULL, OPT_YES },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "ca", required_argument, NULL, OPT_CA },
	{ "theme", required_argument, NULL, OPT_THEME },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "dns-hook", required_argument, NULL, OPT_DNS_HOOK },
	{ "tls-port", required_argument, NULL, OPT_TLS_PORT },
	{ "metrics-file", required_argument, NULL, OPT_METRICS_FILE },
	{ "jitter", required_argument, NULL, OPT_JITTER },
	{ "notify-webhook", required_argument, NULL, OPT_NOTIFY_WEBHOOK },
	{ "notify-program", required_argument, NULL, OPT_NOTIFY_PROGRAM },
	{ "notify-mail", required_argument, NULL, OPT_NOTIFY_MAIL },
	{ "test", no_argument, NULL, OPT_TEST },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "systemd", no_argument, NULL, OPT_SYSTEMD },
	{ "cron", no_argument, NULL, OPT_CRON },
	{ "dns-resolver", required_argument, NULL, OPT_DNS_RESOLVER },
	{ "eab-hmac-key", required_argument, NULL, OPT_EAB_HMAC },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "no-wait", no_argument, NULL, OPT_NO_WAIT },
	{ "max-jobs", required_argument, NULL, OPT_MAX_JOBS },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "certdeck: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'certdeck --help'.\n");
	return CLI_USAGE;
}

static int
cli_set(char **field, const char *value)
{
	char *copy = strdup(value);

	if (copy == NULL)
		return -1;
	free(*field);
	*field = copy;
	return 0;
}

static int
cli_int(const char *text, int min, int max, const char *what, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "certdeck: %s must be a number from %d to %d, not '%s'\n",
		    what, min, max, text);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int
cli_add_domain(struct cli *c, const char *text)
{
	struct names_id id;
	struct err err;
	char **grown;
	size_t i;

	if (names_parse(text, &id, &err) != 0) {
		fprintf(stderr, "certdeck: %s\n", err.msg);
		return -1;
	}
	/* Refused here, before any CA is asked, as the config file does
	 * (names_parse_list): values are normalised, so case does not hide
	 * a duplicate. */
	for (i = 0; i < c->n_domains; i++) {
		if (strcmp(c->domains[i], id.value) == 0) {
			fprintf(stderr, "certdeck: name '%s': the same name as "
			    "%s, given before it\n", text, c->domains[i]);
			return -1;
		}
	}
	if ((grown = realloc(c->domains, (c->n_domains + 1) * sizeof *grown)) == NULL)
		return -1;
	c->domains = grown;
	if ((c->domains[c->n_domains] = strdup(id.value)) == NULL)
		return -1;
	c->n_domains++;
	return 0;
}

/* --key-type and --account-key-type: `option` names which. */
static int
cli_key_type(const char *option, const char *text, enum crypto_key_type *out)
{
	struct err err;

	if (crypto_key_type_parse(text, out, &err) != 0) {
		fprintf(stderr, "certdeck: %s: %s\n", option, err.msg);
		return -1;
	}
	return 0;
}

static int
cli_challenge(struct cli *c, const char *name)
{
	enum challenge_method m;
	struct err err;

	if (challenge_method_parse(name, &m, &err) != 0) {
		fprintf(stderr, "certdeck: --challenge: %s\n", err.msg);
		return CLI_USAGE;
	}
	return cli_set(&c->challenge, name) ? CLI_FAILED : 0;
}

static int
cli_account_name(struct cli *c, const char *name)
{
	struct err err;

	if (names_cert_name_ok(name, &err) != 0) {
		fprintf(stderr, "certdeck: --account: %s\n", err.msg);
		return CLI_USAGE;
	}
	return cli_set(&c->account, name) ? CLI_FAILED : 0;
}

/* One option; returns 0, or an exit code. */
static int
cli_option(struct cli *c, int opt, const char *arg)
{
	switch (opt) {
	case OPT_CONFIG: return cli_set(&c->config_path, arg) ? CLI_FAILED : 0;
	case OPT_STATE: return cli_set(&c->state_dir, arg) ? CLI_FAILED : 0;
	case OPT_SERVER: return cli_set(&c->server, arg) ? CLI_FAILED : 0;
	case OPT_STAGING: return cli_set(&c->server, CLI_LETSENCRYPT_STAGING) ? CLI_FAILED : 0;
	case OPT_CA_BUNDLE: return cli_set(&c->ca_bundle, arg) ? CLI_FAILED : 0;
	case OPT_EMAIL: return cli_set(&c->email, arg) ? CLI_FAILED : 0;
	case OPT_HTTP_BIND: return cli_set(&c->http_bind, arg) ? CLI_FAILED : 0;
	case OPT_BATCH: return cli_set(&c->batch, arg) ? CLI_FAILED : 0;
	case OPT_REASON: return cli_set(&c->reason, arg) ? CLI_FAILED : 0;
	case OPT_CHALLENGE: return cli_challenge(c, arg);
	case OPT_EAB_KID: return cli_set(&c->eab_kid, arg) ? CLI_FAILED : 0;
	case OPT_PREFERRED_CHAIN:
		return cli_set(&c->preferred_chain, arg) ? CLI_FAILED : 0;
	case OPT_EAB_HMAC: return cli_set(&c->eab_hmac_key, arg) ? CLI_FAILED : 0;
	case OPT_WEBROOT: return cli_set(&c->webroot, arg) ? CLI_FAILED : 0;
	case OPT_AGREE_TOS: c->agree_tos = 1; return 0;
	case OPT_DEMO: c->demo = 1; return 0;
	case OPT_ALL: c->all = 1; return 0;
	case OPT_FORCE: c->force = 1; return 0;
	case OPT_JSON: c->json = 1; return 0;
	case OPT_NO_WAIT: c->no_wait = 1; return 0;
	case OPT_WITH_CERT_KEY: c->with_cert_key = 1; return 0;
	case OPT_YES: c->yes = 1; return 0;
	case OPT_PROFILE: return cli_set(&c->profile, arg) ? CLI_FAILED : 0;
	case OPT_CA: return cli_set(&c->ca_name, arg) ? CLI_FAILED : 0;
	case OPT_THEME: return cli_set(&c->theme, arg) ? CLI_FAILED : 0;
	case OPT_NO_COLOR: c->no_color = 1; return 0;
	case OPT_ROOT: return cli_set(&c->root, arg) ? CLI_FAILED : 0;
	case OPT_SYSTEMD: c->use_systemd = 1; return 0;
	case OPT_CRON: c->use_cron = 1; return 0;
	case OPT_DNS_HOOK: return cli_set(&c->dns_hook, arg) ? CLI_FAILED : 0;
	case OPT_METRICS_FILE: return cli_set(&c->metrics_file, arg) ? CLI_FAILED : 0;
	case OPT_NOTIFY_WEBHOOK: return cli_set(&c->notify_webhook, arg) ? CLI_FAILED : 0;
	case OPT_NOTIFY_PROGRAM: return cli_set(&c->notify_program, arg) ? CLI_FAILED : 0;
	case OPT_NOTIFY_MAIL: return cli_set(&c->notify_mail, arg) ? CLI_FAILED : 0;
	case OPT_TEST: c->test = 1; return 0;
	case OPT_DNS_RESOLVER: return cli_set(&c->dns_resolver, arg) ? CLI_FAILED : 0;
	case OPT_ACCOUNT: return cli_account_name(c, arg);
	case 'q': c->verbosity = CLI_QUIET; return 0;
	case 'v': c->verbosity = CLI_VERBOSE; return 0;
	case OPT_HTTP_PORT:
		return cli_int(arg, 1, 65535, "--http-port", &c->http_port) ? CLI_USAGE : 0;
	case OPT_JITTER:
		return cli_int(arg, 0, 86400, "--jitter", &c->jitter) ? CLI_USAGE : 0;
	case OPT_TLS_PORT:
		return cli_int(arg, 1, 65535, "--tls-port", &c->tls_port) ? CLI_USAGE : 0;
	case OPT_MAX_JOBS:
		return cli_int(arg, 1, 256, "--max-jobs", &c->max_jobs) ? CLI_USAGE : 0;
	case OPT_TIMEOUT:
		return cli_int(arg, 1, 86400, "--timeout", &c->step_timeout) ? CLI_USAGE : 0;
	case OPT_KEY_TYPE:
		return cli_key_type("--key-type", arg, &c->key_type) ? CLI_USAGE : 0;
	case OPT_ACCOUNT_KEY_TYPE:
		return cli_key_type("--account-key-type", arg,
		    &c->account_key_type) ? CLI_USAGE : 0;
	case 'd': return cli_add_domain(c, arg) ? CLI_USAGE : 0;
	}
	return CLI_USAGE;
}

/* --webroot PATH is http-01 answered through files, whatever the order
 * of the options: alone, with --challenge http-01 or with its older name
 * --challenge webroot. With any other challenge it is a usage error. */
static int
cli_webroot(struct cli *c)
{
	enum challenge_method m = CHALLENGE_HTTP;

	if (c->webroot == NULL)
		return CLI_OK;
	if (c->challenge != NULL)
		(void)challenge_method_parse(c->challenge, &m, NULL);	/* checked */
	if (m != CHALLENGE_HTTP && m != CHALLENGE_WEBROOT) {
		fprintf(stderr, "certdeck: --webroot answers http-01 through files; "
		    "it cannot go with --challenge %s\n", c->challenge);
		return CLI_USAGE;
	}
	return cli_set(&c->challenge, "webroot") ? CLI_FAILED : CLI_OK;
}

static void
cli_env(struct cli *c)
{
	static const struct {
		const char *name;
		size_t offset;
	} vars[] = {
		{ "CERTDECK_CONFIG", offsetof(struct cli, config_path) },
		{ "CERTDECK_STATE", offsetof(struct cli, state_dir) },
		{ "CERTDECK_SERVER", offsetof(struct cli, server) },
		{ "CERTDECK_CA_BUNDLE", offsetof(struct cli, ca_bundle) },
	};
	size_t i;

	for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		char **field = (char **)((char *)c + vars[i].offset);
		const char *v = getenv(vars[i].name);

		if (*field == NULL && v != NULL && *v != '\0')
			(void)cli_set(field, v);
	}
}

/* Fills `out` with the CA named `name`: an entry of the config's cas
 * (its directory, trust, contact and external account binding), else a
 * preset (its directory alone). The strings are the config's or the
 * preset table's. Returns 0, or -1 when the name is unknown. */
int
cli_ca_resolve(const struct config *cfg, const char *name, struct engine_ca *out)
{
	const struct config_preset *preset;
	const struct config_ca *ca;

	memset(out, 0, sizeof *out);
	if ((ca = config_find_ca(cfg, name)) != NULL) {
		out->directory_url = ca->directory;
		out->ca_bundle = str_given(ca->ca_bundle);
		out->email = str_given(ca->email);
		out->eab_kid = str_given(ca->eab_kid);
		out->eab_hmac_key = str_given(ca->eab_hmac_key);
		return 0;
	}
	if ((preset = config_find_preset(name)) != NULL) {
		out->directory_url = preset->directory;
		return 0;
	}
	return -1;
}

/* Takes a setting the command line and environment left open. */
static int
cli_fill(char **field, const char *value)
{
	return *field == NULL && value != NULL ? cli_set(field, value) : 0;
}

/* The CA: --server, else --ca NAME or the config's `ca` (an entry of the
 * config's cas, or a preset), else Let's Encrypt. A certificate defined
 * with a `ca` of its own is issued there unless the CA was chosen here
 * (ca_explicit: --server, --ca or CERTDECK_SERVER). */
static int
cli_fill_ca(struct cli *c, const struct config *cfg)
{
	const char *name = c->ca_name ? c->ca_name : cfg->ca;
	struct engine_ca ca;

	c->ca_explicit = c->server != NULL || c->ca_name != NULL;
	if (c->server != NULL || name == NULL || *name == '\0')
		return c->server == NULL ? cli_set(&c->server, CLI_LETSENCRYPT) : 0;
	if (cli_ca_resolve(cfg, name, &ca) != 0) {
		if (c->ca_name != NULL)
			fprintf(stderr, "certdeck: --ca: unknown CA '%s' (a name from the "
			    "config's cas, or a preset: see --help)\n", name);
		else
			fprintf(stderr, "certdeck: %s: unknown CA '%s'\n",
			    cfg->path ? cfg->path : "config", name);
		return -1;
	}
	if (cli_set(&c->server, ca.directory_url) != 0 ||
	    cli_fill(&c->ca_bundle, ca.ca_bundle) != 0 ||
	    cli_fill(&c->email, ca.email) != 0)
		return -1;
	if (c->eab_kid == NULL && ca.eab_kid != NULL &&
	    (cli_set(&c->eab_kid, ca.eab_kid) != 0 ||
	    cli_set(&c->eab_hmac_key, ca.eab_hmac_key) != 0))
		return -1;
	return 0;
}

/* What the account is registered with: agreement to the CA's terms and
 * the key type of a new account, from the command line, else the cas
 * entry of a CA chosen by name (not by --server or CERTDECK_SERVER), else
 * the top of the file. Returns 0, or -1 after printing why. */
static int
cli_fill_account(struct cli *c, const struct config *cfg, int by_name)
{
	const struct config_ca *ca = NULL;
	const char *kt = cfg->account_key_type;
	struct err err;

	if (by_name)
		ca = config_find_ca(cfg, c->ca_name ? c->ca_name : cfg->ca);
	if (ca != NULL && c->server != NULL && strcmp(ca->directory, c->server) == 0) {
		kt = ca->account_key_type;
		c->agree_tos |= ca->agree_tos;
	} else
		c->agree_tos |= cfg->agree_tos;
	if (c->account_key_type == 0 && kt != NULL && *kt != '\0' &&
	    crypto_key_type_parse(kt, &c->account_key_type, &err) != 0) {
		fprintf(stderr, "certdeck: %s: account_key_type: %s\n",
		    cfg->path ? cfg->path : "config", err.msg);
		return -1;
	}
	if (c->account_key_type == 0)
		c->account_key_type = CRYPTO_KEY_EC256;
	return 0;
}

/* Fills whatever the command line and environment left open from the
 * configuration file (when there is one) and the defaults. */
static int
cli_apply_config(struct cli *c)
{
	struct config cfg;
	struct err err;
	char *path = c->config_path;
	enum crypto_key_type kt;
	int rc = CLI_FAILED, by_name = c->server == NULL;
	size_t i;

	config_free(&c->cfg);
	if (config_defaults(&cfg, &err) != 0) {
		fprintf(stderr, "certdeck: %s\n", err.msg);
		return CLI_FAILED;
	}
	if (path == NULL && (path = config_default_path(&err)) != NULL &&
	    access(path, F_OK) != 0) {
		free(path);	/* no default file: built-in defaults */
		path = NULL;
	}
	if (path != NULL && config_load(&cfg, path, &err) != 0) {
		fprintf(stderr, "certdeck: %s\n", err.msg);
		goto out;
	}
	for (i = 0; i < cfg.n_warnings; i++)
		fprintf(stderr, "certdeck: warning: %s\n", cfg.warnings[i]);
	if (c->email == NULL && cfg.email != NULL && *cfg.email != '\0' &&
	    cli_set(&c->email, cfg.email) != 0)
		goto out;
	if (c->state_dir == NULL && cfg.state_dir != NULL && *cfg.state_dir != '\0' &&
	    cli_set(&c->state_dir, cfg.state_dir) != 0)
		goto out;
	if (c->state_dir == NULL && (c->state_dir = store_default_dir(&err)) == NULL) {
		fprintf(stderr, "certdeck: %s\n", err.msg);
		goto out;
	}
	if (c->http_bind == NULL && cfg.http_bind != NULL && *cfg.http_bind != '\0' &&
	    cli_set(&c->http_bind, cfg.http_bind) != 0)
		goto out;
	if (c->metrics_file == NULL && cfg.metrics_file != NULL && *cfg.metrics_file != '\0' &&
	    cli_set(&c->metrics_file, cfg.metrics_file) != 0)
		goto out;
	if ((c->notify_webhook == NULL && cfg.notify_webhook != NULL &&
	    *cfg.notify_webhook != '\0' && cli_set(&c->notify_webhook, cfg.notify_webhook) != 0) ||
	    (c->notify_program == NULL && cfg.notify_program != NULL &&
	    *cfg.notify_program != '\0' && cli_set(&c->notify_program, cfg.notify_program) != 0) ||
	    (c->notify_mail == NULL && cfg.notify_mail != NULL && *cfg.notify_mail != '\0' &&
	    cli_set(&c->notify_mail, cfg.notify_mail) != 0))
		goto out;
	if (c->dns_hook == NULL && cfg.dns_hook != NULL && *cfg.dns_hook != '\0' &&
	    cli_set(&c->dns_hook, cfg.dns_hook) != 0)
		goto out;
	if (c->dns_resolver == NULL && cfg.dns_resolver != NULL &&
	    *cfg.dns_resolver != '\0' && cli_set(&c->dns_resolver, cfg.dns_resolver) != 0)
		goto out;
	if (cfg.key_type != NULL && crypto_key_type_parse(cfg.key_type, &kt, &err) != 0) {
		fprintf(stderr, "certdeck: %s: key_type: %s\n", path, err.msg);
		goto out;
	}
	if (c->tls_port == 0)
		c->tls_port = cfg.tls_port;
	if (c->http_port == 0)
		c->http_port = cfg.http_port;
	if (c->max_jobs == 0)
		c->max_jobs = cfg.max_jobs;
	if (c->step_timeout == 0)
		c->step_timeout = cfg.step_timeout;
	c->renew_fraction = cfg.renew_fraction;
	c->renew_days = cfg.renew_days;
	if (cli_fill_ca(c, &cfg) != 0 || cli_fill_account(c, &cfg, by_name) != 0)
		goto out;
	rc = CLI_OK;
out:
	if (path != c->config_path)
		free(path);
	if (rc == CLI_OK)
		c->cfg = cfg;	/* kept: certificate definitions */
	else
		config_free(&cfg);
	return rc;
}

static int
cli_has_terminal(void)
{
	const char *term = getenv("TERM");

	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && term != NULL &&
	    *term != '\0' && strcmp(term, "dumb") != 0;
}

int
cli_parse(struct cli *c, int argc, char **argv)
{
	int opt, rc, help = 0;

	memset(c, 0, sizeof *c);
	c->verbosity = CLI_NORMAL;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "d:qvh", cli_options, NULL)) != -1) {
		/* Known once the command line is read: getopt moves the command
		 * ("certdeck issue --help") behind the options. */
		if (opt == 'h') {
			help = 1;
			continue;
		}
		if (opt == OPT_VERSION) {
			printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			return -1;
		}
		if (opt == '?')
			return cli_usage_error("unknown option or missing value: '%s'",
			    argv[optind - 1]);
		if ((rc = cli_option(c, opt, optarg)) != 0)
			return rc;
	}
	if (help) {
		if (optind < argc)
			return cli_command_help(argv[optind], stdout) ? CLI_USAGE : -1;
		cli_usage(stdout);
		return -1;
	}
	if (c->demo)	/* its own CA, state and configuration; no terminal needed */
		return optind < argc ? cli_usage_error("--demo takes no command") : CLI_OK;
	if (optind >= argc) {
		/* No command: the screens, but only on a real terminal. */
		if (!cli_has_terminal())
			return cli_usage_error("%s", "no command given (the screens "
			    "need a terminal on stdin and stdout, and TERM not dumb)");
		c->command = "";
	} else
		c->command = argv[optind];
	c->args = argv + optind + (optind < argc);
	c->n_args = argc > optind ? argc - optind - 1 : 0;
	if ((rc = cli_webroot(c)) != CLI_OK)
		return rc;
	cli_env(c);
	return cli_apply_config(c);
}

void
cli_free(struct cli *c)
{
	size_t i;

	for (i = 0; i < c->n_domains; i++)
		free(c->domains[i]);
	free(c->domains);
	free(c->config_path);
	free(c->state_dir);
	free(c->server);
	free(c->ca_bundle);
	free(c->email);
	free(c->batch);
	free(c->http_bind);
	free(c->reason);
	free(c->challenge);
	free(c->eab_kid);
	free(c->preferred_chain);
	free(c->account);
	free(c->profile);
	free(c->ca_name);
	free(c->dns_hook);
	free(c->dns_resolver);
	free(c->metrics_file);
	free(c->notify_webhook);
	free(c->notify_program);
	free(c->notify_mail);
	free(c->eab_hmac_key);
	free(c->webroot);
	free(c->theme);
	free(c->root);
	config_free(&c->cfg);
}

/* Runs a command that changes the store; then, when asked for, the
 * metrics file describes the store as it now is. */
static int
cli_run_changing(struct cli *c, int (*command)(const struct cli *c))
{
	struct err err;
	int rc = command(c);

	if (c->metrics_file != NULL &&
	    metrics_write(c, c->metrics_file, rc == CLI_OK || rc == CLI_NOTHING, &err) != 0)
		fprintf(stderr, "certdeck: warning: %s\n", err.msg);
	return rc;
}

int
cli_run(struct cli *c)
{
	if (*c->command == '\0')
		return ui_run(c);
	if (strcmp(c->command, "issue") == 0)
		return cli_run_changing(c, cli_issue);
	if (strcmp(c->command, "renew") == 0)
		return cli_run_changing(c, cli_renew);
	if (strcmp(c->command, "revoke") == 0)
		return cli_run_changing(c, cli_revoke);
	if (strcmp(c->command, "notify") == 0)
		return cli_notify(c);
	if (strcmp(c->command, "list") == 0)
		return cli_list(c);
	if (strcmp(c->command, "probe") == 0)
		return cli_run_changing(c, cli_probe);
	if (strcmp(c->command, "schedule") == 0)
		return schedule_command(c);
	if (strcmp(c->command, "show") == 0)
		return cli_show(c);
	if (strcmp(c->command, "account") == 0) {
		if (c->n_args == 0 || strcmp(c->args[0], "show") == 0)
			return cli_account_show(c);
		if (strcmp(c->args[0], "register") == 0)
			return cli_account_register(c);
		if (strcmp(c->args[0], "update") == 0)
			return cli_account_change(c, ENGINE_CMD_ACCOUNT_UPDATE);
		if (strcmp(c->args[0], "rollover") == 0)
			return cli_account_change(c, ENGINE_CMD_KEY_ROLLOVER);
		if (strcmp(c->args[0], "deactivate") == 0)
			return cli_account_change(c, ENGINE_CMD_DEACTIVATE);
		return cli_usage_error("unknown account command '%s' (show, register, "
		    "update, rollover, deactivate)", c->args[0]);
	}
	if (strcmp(c->command, "help") == 0) {
		if (c->n_args > 0)
			return cli_command_help(c->args[0], stdout) ? CLI_USAGE : CLI_OK;
		cli_usage(stdout);
		return CLI_OK;
	}
	return cli_usage_error("unknown command '%s'", c->command);
}
