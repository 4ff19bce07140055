/*
 * cli_jobs: the commands that run engine jobs (issue, renew, revoke,
 * account register), and the printing of engine events as log lines.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "acme.h"
#include "cli.h"
#include "names.h"
#include "store.h"

#define CLI_BATCH_LINE_MAX 8192
#define CLI_BATCH_MAX 10000

static int cli_signal_pipe[2] = { -1, -1 };

static void
cli_on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	(void)write(cli_signal_pipe[1], &b, 1);
	errno = saved;
}

/* The config file's key type, checked when the file was loaded. */
static enum crypto_key_type
cli_default_key_type(const struct cli *c)
{
	enum crypto_key_type t = CRYPTO_KEY_EC256;

	if (c->cfg.key_type != NULL)
		(void)crypto_key_type_parse(c->cfg.key_type, &t, NULL);
	return t;
}

/* The definitions that say where their certificate's notices go, as
 * pointers into the configuration (the engine copies them); caller frees
 * the array. 0, or -1 when out of memory. */
static int
cli_notify_certs(const struct cli *c, struct engine_notify_cert **out,
    size_t *n)
{
	const struct config_cert *cc;
	struct engine_notify_cert *v;
	size_t i;

	*out = NULL;
	*n = 0;
	if (c->cfg.n_certs == 0)
		return 0;
	if ((v = calloc(c->cfg.n_certs, sizeof *v)) == NULL)
		return -1;
	for (i = 0; i < c->cfg.n_certs; i++) {
		cc = &c->cfg.certs[i];
		if (cc->notify && str_given(cc->notify_webhook) == NULL &&
		    str_given(cc->notify_program) == NULL &&
		    str_given(cc->notify_mail) == NULL)
			continue;
		v[*n].name = cc->name;
		v[*n].off = !cc->notify;
		v[*n].webhook = str_given(cc->notify_webhook);
		v[*n].program = str_given(cc->notify_program);
		v[*n].mail = str_given(cc->notify_mail);
		(*n)++;
	}
	*out = v;
	return 0;
}

struct engine *
cli_engine_start(const struct cli *c)
{
	struct engine_options o = {
		.state_dir = c->state_dir,
		.directory_url = c->server,
		.ca_bundle = c->ca_bundle,
		.email = c->email,
		.account_name = c->account,
		.eab_kid = c->eab_kid,
		.eab_hmac_key = c->eab_hmac_key,
		.agree_tos = c->agree_tos,
		.account_key_type = c->account_key_type,
		.cert_key_type = c->key_type ? c->key_type : cli_default_key_type(c),
		.http_port = c->http_port,
		.tls_port = c->tls_port,
		.http_bind = c->http_bind,
		.dns_hook = c->dns_hook,
		.dns_resolver = c->dns_resolver,
		.notify_webhook = c->notify_webhook,
		.notify_program = c->notify_program,
		.notify_mail = c->notify_mail,
		.max_jobs = c->max_jobs,
		.step_timeout_s = c->step_timeout,
		.renew_fraction = c->renew_fraction,
		.renew_days = c->renew_days,
		.lock_wait = !c->no_wait,
	};
	struct engine_notify_cert *per;
	struct engine *e;
	struct err err;

	if (cli_notify_certs(c, &per, &o.n_notify_certs) != 0) {
		fprintf(stderr, "certdeck: out of memory\n");
		return NULL;
	}
	o.notify_certs = per;
	if ((e = engine_start(&o, &err)) == NULL)
		fprintf(stderr, "certdeck: %s\n", err.msg);
	free(per);
	return e;
}

static void
cli_print_event(const struct cli *c, const struct event *ev)
{
	char when[16];
	time_t t = (time_t)(ev->time_ms / 1000);
	struct tm tm;
	FILE *out = ev->kind == EVENT_FAILED || ev->level >= EVENT_WARN ? stderr : stdout;

	if (ev->kind == EVENT_STATE_CHANGED || ev->kind == EVENT_IDLE)
		return;
	if (c->verbosity == CLI_QUIET && ev->kind != EVENT_FAILED && ev->level < EVENT_WARN)
		return;
	if (c->verbosity < CLI_VERBOSE && ev->kind == EVENT_STEP &&
	    (ev->step == STEP_POLL || ev->step == STEP_QUEUED))
		return;
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%H:%M:%S", &tm);
	if (ev->kind == EVENT_STEP)
		fprintf(out, "%s %s: %s: %s\n", when, ev->subject, event_step_name(ev->step),
		    ev->msg);
	else if (ev->kind == EVENT_FAILED)
		fprintf(out, "%s %s: failed: %s\n", when, ev->subject, ev->msg);
	else if (ev->kind == EVENT_DONE)
		fprintf(out, "%s %s: %s\n", when, ev->subject, ev->msg);
	else
		fprintf(out, "%s %s%s%s: %s\n", when, ev->subject, *ev->subject ? ": " : "",
		    event_level_name(ev->level), ev->msg);
	fflush(out);
}

static void
cli_signals(int on)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on ? cli_on_signal : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	if (on && cli_signal_pipe[0] < 0 && pipe2(cli_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Cancels every job still open; their clean-up still reports. */
static void
cli_cancel_all(struct engine *e, const uint32_t *ids, const char *open, size_t n)
{
	struct engine_cmd *cmd;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!open[i] || (cmd = engine_cmd_new(ENGINE_CMD_CANCEL, "")) == NULL)
			continue;
		cmd->target = ids[i];
		(void)engine_submit(e, cmd, NULL);
	}
}

static int
cli_take_event(const struct cli *c, const struct event *ev, const uint32_t *ids,
    char *open, size_t n, size_t *left, size_t *changed)
{
	size_t i;
	int failed = 0;

	cli_print_event(c, ev);
	if (ev->kind != EVENT_DONE && ev->kind != EVENT_FAILED)
		return 0;
	for (i = 0; i < n; i++)
		if (ids[i] == ev->job && open[i]) {
			open[i] = 0;
			(*left)--;
			failed = ev->kind == EVENT_FAILED;
			*changed += ev->kind == EVENT_DONE && ev->changed;
		}
	return failed;
}

int
cli_wait(const struct cli *c, struct engine *e, const uint32_t *ids, size_t n,
    size_t *changed)
{
	struct pollfd fds[2];
	size_t changes = 0;
	int idle = n == 0;
	struct event ev;
	struct err err;
	char *open = malloc(n ? n : 1);
	size_t left = n;
	int failed = 0, rc, cancelled = 0;

	if (open == NULL)
		return (int)n;
	memset(open, 1, n);
	cli_signals(1);
	/* After its own jobs, the engine may still be telling someone of a
	 * failure (a notify job): the run ends when the engine is idle. */
	while (left > 0 || !idle) {
		fds[0] = (struct pollfd){ .fd = engine_event_fd(e), .events = POLLIN };
		fds[1] = (struct pollfd){ .fd = cli_signal_pipe[0], .events = POLLIN };
		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			break;
		if (fds[1].revents != 0) {
			unsigned char b;

			while (read(cli_signal_pipe[0], &b, 1) == 1)
				;
			if (!cancelled) {
				fprintf(stderr, "certdeck: interrupted; cancelling and cleaning up\n");
				cli_cancel_all(e, ids, open, n);
				cancelled = 1;
			}
		}
		while ((rc = event_read(engine_event_fd(e), &ev, &err)) == 1) {
			failed += cli_take_event(c, &ev, ids, open, n, &left, &changes);
			idle = ev.kind == EVENT_IDLE && left == 0;
		}
		if (rc == 0)
			break;	/* the engine stopped */
	}
	cli_signals(0);
	free(open);
	if (changed != NULL)
		*changed = changes;
	return failed + (int)left;
}

/* Submits commands and waits for all of them; prints a summary when
 * there are several. Takes ownership of every command. */
static int
cli_run_jobs(const struct cli *c, struct engine_cmd **cmds, size_t n)
{
	struct engine *e;
	uint32_t *ids;
	size_t i, submitted = 0, changed = 0;
	struct err err;
	int failed, renew_only = 1;

	if ((ids = calloc(n ? n : 1, sizeof *ids)) == NULL ||
	    (e = cli_engine_start(c)) == NULL) {
		for (i = 0; i < n; i++)
			engine_cmd_free(cmds[i]);
		free(ids);
		return CLI_FAILED;
	}
	for (i = 0; i < n; i++) {
		renew_only &= cmds[i]->kind == ENGINE_CMD_RENEW;
		if ((ids[submitted] = engine_submit(e, cmds[i], &err)) != 0)
			submitted++;
		else
			fprintf(stderr, "certdeck: %s\n", err.msg);
	}
	failed = cli_wait(c, e, ids, submitted, &changed) + (int)(n - submitted);
	engine_stop(e);
	free(ids);
	if (n > 1 && c->verbosity != CLI_QUIET)
		printf("%zu succeeded, %d failed\n", n - (size_t)failed, failed);
	if (failed)
		return CLI_FAILED;
	/* A renewal run that changed nothing says so, for scripts and timers
	 * ("certdeck renew --all && systemctl reload nginx"). */
	return renew_only && changed == 0 ? CLI_NOTHING : CLI_OK;
}

/* The deploy steps of a certificate's definition: its copies, owner,
 * mode and reload command. */
static int
cli_deploy_from_config(const struct config_cert *cc, struct engine_deploy *d,
    struct err *err)
{
	size_t i;

	for (i = 0; i < DEPLOY_N; i++)
		if (cc->deploy[i] != NULL && *cc->deploy[i] != '\0' &&
		    str_set(&d->to[i], cc->deploy[i], err) != 0)
			return -1;
	if (cc->deploy_owner != NULL && *cc->deploy_owner != '\0' &&
	    str_set(&d->owner, cc->deploy_owner, err) != 0)
		return -1;
	if (cc->deploy_group != NULL && *cc->deploy_group != '\0' &&
	    str_set(&d->group, cc->deploy_group, err) != 0)
		return -1;
	if (cc->deploy_mode != NULL && *cc->deploy_mode != '\0')
		d->mode = (int)strtol(cc->deploy_mode, NULL, 8);	/* checked on load */
	if (cc->reload.n > 0 && (d->reload = calloc(cc->reload.n + 1,
	    sizeof *d->reload)) == NULL)
		return err_nomem(err, "reload command");
	for (i = 0; i < cc->reload.n; i++) {
		if ((d->reload[i] = strdup(cc->reload.v[i])) == NULL)
			return err_nomem(err, "reload command");
		d->n_reload++;
	}
	return 0;
}

/* Whether the engine-wide `value` came from the command line rather than
 * from the file's `in_file`: the command line wins over a definition's
 * own setting, the file's global one does not. */
static int
cli_on_command_line(const char *value, const char *in_file)
{
	return value != NULL && (str_given(in_file) == NULL || strcmp(value, in_file) != 0);
}

/* A certificate defined with a CA of its own is issued and renewed
 * there, with that CA's trust, contact and binding, unless the command
 * line chose the CA. The engine's CA needs nothing. */
static int
cli_cmd_ca(const struct cli *c, const struct config_cert *cc, struct engine_cmd *cmd,
    struct err *err)
{
	struct engine_ca ca;

	if (c->ca_explicit || str_given(cc->ca) == NULL || cmd->ca_url != NULL)
		return 0;
	if (cli_ca_resolve(&c->cfg, cc->ca, &ca) != 0)
		return err_set(err, ERR_CONFIG, "%s:%d: certificate %s: unknown CA '%s'",
		    c->cfg.path ? c->cfg.path : "config", cc->line, cc->name, cc->ca);
	if (c->server != NULL && strcmp(ca.directory_url, c->server) == 0)
		return 0;
	if (str_set(&cmd->ca_url, ca.directory_url, err) != 0 ||
	    str_set(&cmd->ca_bundle, ca.ca_bundle, err) != 0 ||
	    str_set(&cmd->ca_email, ca.email ? ca.email : c->email, err) != 0 ||
	    str_set(&cmd->ca_eab_kid, ca.eab_kid, err) != 0 ||
	    str_set(&cmd->ca_eab_hmac_key, ca.eab_hmac_key, err) != 0)
		return -1;
	return 0;
}

int
cli_cmd_from_config(const struct cli *c, struct engine_cmd *cmd,
    struct err *err)
{
	const struct config_cert *cc = config_find_cert(&c->cfg, cmd->name);
	size_t i;

	if (cc == NULL)
		return 0;
	if (cli_cmd_ca(c, cc, cmd, err) != 0)
		return -1;
	if (cmd->kind == ENGINE_CMD_REVOKE)
		return 0;
	cmd->defined = 1;
	/* A definition's web root is how it answers http-01: an explicit
	 * --challenge http-01 does not turn it into the built-in responder. */
	if (str_given(cc->webroot) != NULL && (cmd->challenge == NULL ||
	    (strcmp(cmd->challenge, "http-01") == 0 && cmd->webroot == NULL)) &&
	    (str_set(&cmd->challenge, "webroot", err) != 0 ||
	    str_set(&cmd->webroot, cc->webroot, err) != 0))
		return -1;
	if (cc->challenge != NULL && strcmp(cc->challenge, "http-01") != 0 &&
	    cmd->challenge == NULL && str_set(&cmd->challenge, cc->challenge, err) != 0)
		return -1;
	if (cli_deploy_from_config(cc, &cmd->deploy, err) != 0 ||
	    (cmd->endpoints == NULL && endpoint_dup(&cmd->endpoints, &cmd->n_endpoints,
	    cc->endpoints, cc->n_endpoints, err) != 0))
		return -1;
	if (cc->profile != NULL && *cc->profile != '\0' && cmd->profile == NULL &&
	    str_set(&cmd->profile, cc->profile, err) != 0)
		return -1;
	if (cc->preferred_chain != NULL && *cc->preferred_chain != '\0' &&
	    cmd->preferred_chain == NULL &&
	    str_set(&cmd->preferred_chain, cc->preferred_chain, err) != 0)
		return -1;
	if (!cli_on_command_line(c->dns_hook, c->cfg.dns_hook) && cmd->dns_hook == NULL &&
	    str_set(&cmd->dns_hook, str_given(cc->dns_hook), err) != 0)
		return -1;
	if (!cli_on_command_line(c->dns_resolver, c->cfg.dns_resolver) &&
	    cmd->dns_resolver == NULL &&
	    str_set(&cmd->dns_resolver, str_given(cc->dns_resolver), err) != 0)
		return -1;
	if (cmd->n_domains == 0)
		for (i = 0; i < cc->n_domains; i++)
			if (engine_cmd_add_domain(cmd, cc->domains[i], err) != 0)
				return -1;
	if (cmd->key_type == 0 && cc->key_type != NULL &&
	    crypto_key_type_parse(cc->key_type, &cmd->key_type, err) != 0)
		return err_prefix(err, "%s:%d", c->cfg.path, cc->line);
	return 0;
}

/* A wildcard can only be proved through DNS: said before any CA is
 * asked. Returns 0, or -1 after printing why. */
static int
cli_wildcard_ok(const struct engine_cmd *cmd)
{
	size_t i;

	if (cmd->challenge != NULL && strncmp(cmd->challenge, "dns-", 4) == 0)
		return 0;
	for (i = 0; i < cmd->n_domains; i++)
		if (strncmp(cmd->domains[i], "*.", 2) == 0) {
			fprintf(stderr, "certdeck: %s: the wildcard %s can only be validated "
			    "with dns-01 (--challenge dns-01 --dns-hook PROGRAM)\n",
			    cmd->name, cmd->domains[i]);
			return -1;
		}
	return 0;
}

static struct engine_cmd *
cli_cmd(const struct cli *c, enum engine_cmd_kind kind, const char *name)
{
	struct engine_cmd *cmd;
	struct err err;

	if (names_cert_name_ok(name, &err) != 0) {
		fprintf(stderr, "certdeck: %s\n", err.msg);
		return NULL;
	}
	if ((cmd = engine_cmd_new(kind, name)) == NULL)
		return NULL;
	cmd->force = c->force;
	cmd->key_type = c->key_type;
	if (str_set(&cmd->challenge, c->challenge, &err) != 0 ||
	    str_set(&cmd->webroot, c->webroot, &err) != 0 ||
	    str_set(&cmd->preferred_chain, c->preferred_chain, &err) != 0 ||
	    str_set(&cmd->profile, c->profile, &err) != 0) {
		engine_cmd_free(cmd);
		return NULL;
	}
	if ((kind == ENGINE_CMD_RENEW || kind == ENGINE_CMD_REVOKE) &&
	    cli_cmd_from_config(c, cmd, &err) != 0) {
		fprintf(stderr, "certdeck: %s: %s\n", name, err.msg);
		engine_cmd_free(cmd);
		return NULL;
	}
	return cmd;
}

/* One batch line: NAME DOMAIN [DOMAIN…]; returns NULL with a message. */
static struct engine_cmd *
cli_batch_line(const struct cli *c, char *line, const char *file, int lineno)
{
	struct engine_cmd *cmd = NULL;
	struct names_id id;
	struct err err;
	char *save = NULL, *tok;

	tok = strtok_r(line, " \t\r\n", &save);
	if ((cmd = cli_cmd(c, ENGINE_CMD_ISSUE, tok)) == NULL) {
		fprintf(stderr, "certdeck: %s:%d: bad certificate name\n", file, lineno);
		return NULL;
	}
	while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
		if (names_parse(tok, &id, &err) != 0 ||
		    engine_cmd_add_domain(cmd, id.value, &err) != 0) {
			fprintf(stderr, "certdeck: %s:%d: %s\n", file, lineno, err.msg);
			engine_cmd_free(cmd);
			return NULL;
		}
	}
	if (cmd->n_domains == 0) {
		fprintf(stderr, "certdeck: %s:%d: %s has no domains\n", file, lineno, cmd->name);
		engine_cmd_free(cmd);
		return NULL;
	}
	return cmd;
}

/* Reads a batch file whole before anything starts: one bad line and
 * nothing is issued. */
static int
cli_batch(const struct cli *c)
{
	struct engine_cmd **cmds = NULL, **grown;
	char line[CLI_BATCH_LINE_MAX], *p;
	size_t n = 0, i;
	int lineno = 0, bad = 0;
	FILE *f = fopen(c->batch, "r");

	if (f == NULL) {
		fprintf(stderr, "certdeck: %s: %s\n", c->batch, strerror(errno));
		return CLI_FAILED;
	}
	while (fgets(line, sizeof line, f) != NULL && !bad) {
		lineno++;
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '#' || *p == '\n' || *p == '\0' || *p == '\r')
			continue;
		if (n >= CLI_BATCH_MAX || (grown = realloc(cmds, (n + 1) * sizeof *cmds)) == NULL) {
			fprintf(stderr, "certdeck: %s:%d: too many lines\n", c->batch, lineno);
			bad = 1;
			break;
		}
		cmds = grown;
		if ((cmds[n] = cli_batch_line(c, p, c->batch, lineno)) == NULL)
			bad = 1;
		else
			n++;
	}
	fclose(f);
	if (bad) {
		for (i = 0; i < n; i++)
			engine_cmd_free(cmds[i]);
		free(cmds);
		return CLI_FAILED;
	}
	i = (size_t)cli_run_jobs(c, cmds, n);
	free(cmds);
	return (int)i;
}

int
cli_issue(const struct cli *c)
{
	struct engine_cmd *cmd;
	struct err err;
	size_t i;

	if (c->batch != NULL) {
		if (c->n_args != 0 || c->n_domains != 0) {
			fprintf(stderr, "certdeck: issue --batch takes no NAME or -d\n");
			return CLI_USAGE;
		}
		return cli_batch(c);
	}
	if (c->n_args != 1 || (c->n_domains == 0 &&
	    config_find_cert(&c->cfg, c->args[0]) == NULL)) {
		fprintf(stderr, "certdeck: usage: certdeck issue NAME -d DOMAIN [-d DOMAIN...]"
		    " (or NAME defined in the config file)\n");
		return CLI_USAGE;
	}
	if ((cmd = cli_cmd(c, ENGINE_CMD_ISSUE, c->args[0])) == NULL)
		return CLI_USAGE;
	for (i = 0; i < c->n_domains; i++)
		if (engine_cmd_add_domain(cmd, c->domains[i], &err) != 0) {
			engine_cmd_free(cmd);
			return CLI_FAILED;
		}
	if (cli_cmd_from_config(c, cmd, &err) != 0) {
		fprintf(stderr, "certdeck: %s: %s\n", cmd->name, err.msg);
		engine_cmd_free(cmd);
		return CLI_USAGE;
	}
	if (cli_wildcard_ok(cmd) != 0) {
		engine_cmd_free(cmd);
		return CLI_FAILED;
	}
	return cli_run_jobs(c, &cmd, 1);
}

/* Every certificate renew --all considers: those in the store, and those
 * defined in the config file but not issued yet. */
static int
cli_renew_all_names(const struct cli *c, char ***names, size_t *n)
{
	struct store *s;
	struct err err;
	char **grown;
	size_t i, j;

	if ((s = store_open(c->state_dir, &err)) == NULL ||
	    store_cert_list(s, names, n, &err) != 0) {
		fprintf(stderr, "certdeck: %s\n", err.msg);
		store_close(s);
		return -1;
	}
	store_close(s);
	for (i = 0; i < c->cfg.n_certs; i++) {
		for (j = 0; j < *n && strcmp((*names)[j], c->cfg.certs[i].name) != 0; j++)
			;
		if (j < *n)
			continue;
		if ((grown = realloc(*names, (*n + 1) * sizeof *grown)) == NULL ||
		    (grown[*n] = strdup(c->cfg.certs[i].name)) == NULL) {
			if (grown != NULL)
				*names = grown;
			return -1;
		}
		*names = grown;
		(*n)++;
	}
	return 0;
}

/* A fleet's hosts all started by the same timer spread their requests:
 * a random wait of up to --jitter seconds, cut short by SIGINT/SIGTERM. */
static int
cli_jitter(const struct cli *c)
{
	unsigned int r = 0;
	struct pollfd fd;
	int ms;

	if (c->jitter <= 0)
		return 0;
	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		r = (unsigned int)getpid();
	ms = (int)(r % ((unsigned int)c->jitter * 1000u + 1));
	if (c->verbosity == CLI_VERBOSE)
		printf("waiting %d.%03d s (--jitter)\n", ms / 1000, ms % 1000);
	cli_signals(1);
	fd = (struct pollfd){ .fd = cli_signal_pipe[0], .events = POLLIN };
	while (poll(&fd, 1, ms) < 0 && errno == EINTR)
		;
	cli_signals(0);
	return fd.revents != 0 ? -1 : 0;
}

int
cli_renew(const struct cli *c)
{
	struct engine_cmd **cmds;
	char **names = NULL;
	size_t n = 0, i, made = 0;

	if ((c->n_args == 0) == !c->all) {
		fprintf(stderr, "certdeck: usage: certdeck renew NAME... | --all [--force]\n");
		return CLI_USAGE;
	}
	if (cli_jitter(c) != 0) {
		fprintf(stderr, "certdeck: interrupted before starting\n");
		return CLI_FAILED;
	}
	if (c->all && cli_renew_all_names(c, &names, &n) != 0) {
		store_names_free(names, n);
		return CLI_FAILED;
	}
	if (!c->all)
		n = (size_t)c->n_args;
	if (n == 0) {
		if (c->verbosity != CLI_QUIET)
			printf("no certificates to renew\n");
		return CLI_NOTHING;
	}
	if ((cmds = calloc(n, sizeof *cmds)) != NULL)
		for (i = 0; i < n; i++)
			if ((cmds[made] = cli_cmd(c, ENGINE_CMD_RENEW,
			    c->all ? names[i] : c->args[i])) != NULL)
				made++;
	if (c->all)
		store_names_free(names, n);
	if (cmds == NULL || made < n) {
		for (i = 0; i < made; i++)
			engine_cmd_free(cmds[i]);
		free(cmds);
		return cmds == NULL ? CLI_FAILED : CLI_USAGE;
	}
	i = (size_t)cli_run_jobs(c, cmds, n);
	free(cmds);
	return (int)i;
}

int
cli_revoke(const struct cli *c)
{
	struct engine_cmd *cmd;
	struct err err;
	int reason = 0;

	if (c->n_args != 1) {
		fprintf(stderr, "certdeck: usage: certdeck revoke NAME [--reason REASON]\n");
		return CLI_USAGE;
	}
	if (c->reason != NULL && acme_revoke_reason_parse(c->reason, &reason, &err) != 0) {
		fprintf(stderr, "certdeck: --reason: %s\n", err.msg);
		return CLI_USAGE;
	}
	if ((cmd = cli_cmd(c, ENGINE_CMD_REVOKE, c->args[0])) == NULL)
		return CLI_USAGE;
	cmd->reason = reason;
	cmd->with_cert_key = c->with_cert_key;
	return cli_run_jobs(c, &cmd, 1);
}

int
cli_account_register(const struct cli *c)
{
	return cli_account_change(c, ENGINE_CMD_REGISTER);
}

/* Deactivation cannot be undone: the user types the account's name, or
 * passes --yes when there is no terminal to ask on. */
static int
cli_confirm_deactivate(const struct cli *c, const char *name)
{
	char line[128];

	if (c->yes)
		return 1;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "certdeck: deactivating an account cannot be undone: "
		    "pass --yes to confirm\n");
		return 0;
	}
	printf("Deactivating account '%s' at %s cannot be undone.\n"
	    "Type the account name to confirm: ", name, c->server);
	fflush(stdout);
	if (fgets(line, sizeof line, stdin) == NULL)
		return 0;
	line[strcspn(line, "\r\n")] = '\0';
	if (strcmp(line, name) != 0) {
		fprintf(stderr, "certdeck: not confirmed; nothing changed\n");
		return 0;
	}
	return 1;
}

int
cli_account_change(const struct cli *c, enum engine_cmd_kind kind)
{
	const char *name = c->account ? c->account : "default";
	struct engine_cmd *cmd;

	if (kind == ENGINE_CMD_ACCOUNT_UPDATE && c->email == NULL) {
		fprintf(stderr, "certdeck: usage: certdeck account update --email ADDR\n");
		return CLI_USAGE;
	}
	if (kind == ENGINE_CMD_DEACTIVATE && !cli_confirm_deactivate(c, name))
		return CLI_FAILED;
	if ((cmd = engine_cmd_new(kind, name)) == NULL)
		return CLI_FAILED;
	return cli_run_jobs(c, &cmd, 1);
}

int
cli_notify(const struct cli *c)
{
	struct engine_cmd *cmd;
	char host[256] = "this host";

	if (!c->test || c->n_args != 0) {
		fprintf(stderr, "certdeck: usage: certdeck notify --test\n");
		return CLI_USAGE;
	}
	gethostname(host, sizeof host - 1);
	if ((cmd = engine_cmd_new(ENGINE_CMD_NOTIFY, "test")) == NULL)
		return CLI_FAILED;
	if (str_set(&cmd->notify_event, "test", NULL) != 0 ||
	    asprintf(&cmd->message, "a test message from certdeck on %s", host) < 0) {
		cmd->message = NULL;
		engine_cmd_free(cmd);
		return CLI_FAILED;
	}
	return cli_run_jobs(c, &cmd, 1);
}
