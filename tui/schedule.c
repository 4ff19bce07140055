/*
 * schedule: the files that make `certdeck renew --all` run twice a day
 * (see schedule.h).
 *
 * Where systemd runs, a oneshot service and a timer in /etc/systemd/system;
 * elsewhere one /etc/cron.d entry. Every file written carries a marker
 * line, and only files with it are ever replaced or removed, so a unit or
 * cron file someone wrote by hand survives us. Files are written atomically
 * (fsutil: temporary name, mode first, fsync, rename) with folders created
 * as needed. --root writes under another root and leaves the running
 * system alone, for packaging and tests; without it on a live systemd,
 * systemctl runs as argv through proc, never through a shell.
 */
#include "autoconfig.h"

#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "job.h"
#include "proc.h"
#include "schedule.h"
#include "store.h"

#define SCHEDULE_MARKER "# Written by 'certdeck schedule install'; " \
	"'certdeck schedule remove' deletes it."
#define SCHEDULE_UNIT_DIR	"etc/systemd/system"
#define SCHEDULE_CRON_DIR	"etc/cron.d"
#define SCHEDULE_SERVICE	"certdeck-renew.service"
#define SCHEDULE_TIMER		"certdeck-renew.timer"
#define SCHEDULE_CRON_FILE	"certdeck"
/* Twice a day; systemd spreads each run over the next 12 hours. */
#define SCHEDULE_CALENDAR	"*-*-* 00,12:00:00"
#define SCHEDULE_SPREAD		"12h"
#define SCHEDULE_EXIT_NONE	3	/* status: nothing installed */
#define SCHEDULE_FILE_MAX	65536
#define SCHEDULE_SYSTEMCTL_MS	60000
#define SCHEDULE_ARGS_MAX	8

enum schedule_owner { SCHEDULE_ABSENT, SCHEDULE_OURS, SCHEDULE_FOREIGN };

/* The renew command the schedule runs, argv[0] absolute. */
struct schedule_cmd {
	char *argv[SCHEDULE_ARGS_MAX + 1];
	int argc;
};

struct schedule_ctx {
	const struct cli *c;
	const char *root;	/* as shown; "" for "/" */
	int rootfd;
	int live;		/* no --root: the running system */
};

/* Characters that need no quoting, in a unit file or for /bin/sh. */
static int
schedule_plain(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("/._,:@+=-", *s) != NULL))
			return 0;
	return 1;
}

/* Control characters would end the line; cron reads '%' as a newline. */
static int
schedule_arg_check(const char *arg, struct err *err)
{
	const unsigned char *p;

	for (p = (const unsigned char *)arg; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '%')
			return err_set(err, ERR_CONFIG, "'%s': a control character "
			    "or '%%' cannot go into a schedule's command line", arg);
	return 0;
}

static int
schedule_abspath(const char *path, char **out, struct err *err)
{
	char cwd[PATH_MAX];

	if ((*out = realpath(path, NULL)) != NULL)
		return 0;
	if (path[0] == '/')
		*out = strdup(path);
	else if (getcwd(cwd, sizeof cwd) == NULL)
		return err_errno(err, "%s: current folder", path);
	else if (asprintf(out, "%s/%s", cwd, path) == -1)
		*out = NULL;
	return *out == NULL ? err_nomem(err, "a path") : 0;
}

static int
schedule_cmd_add(struct schedule_cmd *cmd, const char *arg, char *owned,
    struct err *err)
{
	if ((cmd->argv[cmd->argc] = owned ? owned : strdup(arg)) == NULL)
		return err_nomem(err, "the schedule's command");
	cmd->argc++;
	return schedule_arg_check(cmd->argv[cmd->argc - 1], err);
}

static void
schedule_cmd_free(struct schedule_cmd *cmd)
{
	while (cmd->argc > 0)
		free(cmd->argv[--cmd->argc]);
}

/* The state folder only when it is not what the timer would find itself:
 * the configuration's, or root's default. */
static int
schedule_state_given(const struct cli *c)
{
	char *dflt;
	int given;
	struct err err;

	if (c->cfg.state_dir != NULL && strcmp(c->cfg.state_dir, c->state_dir) == 0)
		return 0;
	if ((dflt = store_default_dir(&err)) == NULL)
		return 1;
	given = strcmp(dflt, c->state_dir) != 0;
	free(dflt);
	return given;
}

/* This very binary, with the --config and --state the user gave, so the
 * timer renews the same store. */
static int
schedule_cmd_build(const struct cli *c, struct schedule_cmd *cmd,
    struct err *err)
{
	char exe[PATH_MAX], *abs;
	ssize_t n;

	memset(cmd, 0, sizeof *cmd);
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) == -1)
		return err_errno(err, "/proc/self/exe");
	exe[n] = '\0';
	if (access(exe, X_OK) != 0)
		return err_errno(err, "%s: this program", exe);
	if (schedule_cmd_add(cmd, exe, NULL, err) != 0 ||
	    schedule_cmd_add(cmd, "renew", NULL, err) != 0 ||
	    schedule_cmd_add(cmd, "--all", NULL, err) != 0 ||
	    schedule_cmd_add(cmd, "--quiet", NULL, err) != 0)
		goto fail;
	if (c->config_path != NULL &&
	    (schedule_abspath(c->config_path, &abs, err) != 0 ||
	    schedule_cmd_add(cmd, "--config", NULL, err) != 0 ||
	    schedule_cmd_add(cmd, NULL, abs, err) != 0))
		goto fail;
	if (c->state_dir != NULL && schedule_state_given(c) &&
	    (schedule_abspath(c->state_dir, &abs, err) != 0 ||
	    schedule_cmd_add(cmd, "--state", NULL, err) != 0 ||
	    schedule_cmd_add(cmd, NULL, abs, err) != 0))
		goto fail;
	return 0;
fail:
	schedule_cmd_free(cmd);
	return -1;
}

/* One argument quoted for a unit file (double quotes with C escapes, '$'
 * doubled since systemd expands variables even inside quotes; '%' never
 * gets here) or for /bin/sh (single quotes, a quote itself as '\''). */
static int
schedule_quote(struct buf *b, const char *arg, int unit, struct err *err)
{
	const char *q = unit ? "\"" : "'", *p;
	int rc;

	if (schedule_plain(arg))
		return buf_puts(b, arg, err);
	rc = buf_puts(b, q, err);
	for (p = arg; *p != '\0' && rc == 0; p++) {
		if (!unit)
			rc = *p == '\'' ? buf_puts(b, "'\\''", err) :
			    buf_append(b, p, 1, err);
		else if (*p == '"' || *p == '\\')
			rc = buf_printf(b, err, "\\%c", *p);
		else
			rc = *p == '$' ? buf_puts(b, "$$", err) : buf_append(b, p, 1, err);
	}
	return rc != 0 ? -1 : buf_puts(b, q, err);
}

static int
schedule_cmd_line(struct buf *b, const struct schedule_cmd *cmd, int unit,
    struct err *err)
{
	int i;

	for (i = 0; i < cmd->argc; i++)
		if ((i > 0 && buf_puts(b, " ", err) != 0) ||
		    schedule_quote(b, cmd->argv[i], unit, err) != 0)
			return -1;
	return buf_puts(b, "\n", err);
}

static int
schedule_service_text(struct buf *b, const struct schedule_cmd *cmd,
    struct err *err)
{
	if (buf_puts(b, SCHEDULE_MARKER "\n"
	    "[Unit]\n"
	    "Description=certdeck: renew the ACME certificates that are due\n"
	    "Wants=network-online.target\n"
	    "After=network-online.target\n"
	    "\n"
	    "[Service]\n"
	    "Type=oneshot\n"
	    "# renew exits 3 when nothing was due.\n"
	    "SuccessExitStatus=3\n"
	    "# A renewal stuck on the network ends here rather than holding\n"
	    "# back the next run.\n"
	    "TimeoutStartSec=1h\n"
	    "# Modest hardening on purpose: deploy steps copy files anywhere\n"
	    "# (/etc, /srv, home folders) and reload services, so the file\n"
	    "# system stays writable and no mount namespace is asked for (it\n"
	    "# fails in many containers); only what no renewal needs is denied.\n"
	    "LockPersonality=yes\n"
	    "RestrictRealtime=yes\n"
	    "RestrictSUIDSGID=yes\n"
	    "ExecStart=", err) != 0)
		return -1;
	return schedule_cmd_line(b, cmd, 1, err);
}

static int
schedule_timer_text(struct buf *b, struct err *err)
{
	return buf_printf(b, err, SCHEDULE_MARKER "\n"
	    "[Unit]\n"
	    "Description=certdeck: renew the ACME certificates twice a day\n"
	    "\n"
	    "[Timer]\n"
	    "OnCalendar=%s\n"
	    "# Spread over the day, so hosts do not all ask the CA at once.\n"
	    "RandomizedDelaySec=%s\n"
	    "# A run missed while the machine was off happens at boot.\n"
	    "Persistent=true\n"
	    "\n"
	    "[Install]\n"
	    "WantedBy=timers.target\n", SCHEDULE_CALENDAR, SCHEDULE_SPREAD);
}

static unsigned int
schedule_random(void)
{
	unsigned int v;

	if (getrandom(&v, sizeof v, GRND_NONBLOCK) != (ssize_t)sizeof v)
		v = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	return v;
}

/* Twice a day at a minute and hour picked now, so hosts are spread. */
static int
schedule_cron_text(struct buf *b, const struct schedule_cmd *cmd,
    struct err *err)
{
	unsigned int r = schedule_random(), minute = r % 60, hour = r / 60 % 12;

	if (buf_printf(b, err, SCHEDULE_MARKER "\n"
	    "# Renews the ACME certificates that are due, twice a day; renew\n"
	    "# exits 3 when nothing was due.\n"
	    "SHELL=/bin/sh\n"
	    "PATH=%s\n"
	    "%u %u,%u * * * root ", PROC_DEFAULT_PATH + 5, minute, hour,
	    hour + 12) != 0)
		return -1;
	return schedule_cmd_line(b, cmd, 0, err);
}

/* Reads `dir`/`name` under the root into `text` (when not NULL) and
 * says whose it is. */
static int
schedule_owner(int rootfd, const char *dir, const char *name,
    struct buf *text, enum schedule_owner *owner, struct err *err)
{
	struct buf local;
	int fd, rc = 0;

	*owner = SCHEDULE_ABSENT;
	if (fsutil_open_dir_at(rootfd, dir, &fd, err) != 0)
		return errno == ENOENT ? 0 : -1;
	buf_init(&local, 0);
	if (text == NULL)
		text = &local;
	buf_reset(text);
	if (fsutil_read_at(fd, name, SCHEDULE_FILE_MAX, text, err) == 0)
		*owner = strstr(text->data, SCHEDULE_MARKER "\n") != NULL ?
		    SCHEDULE_OURS : SCHEDULE_FOREIGN;
	else if (errno != ENOENT)
		rc = -1;
	buf_free(&local);
	close(fd);
	return rc;
}

/* Refuses to go on when `name` is someone else's, unless --force. */
static int
schedule_may_write(const struct schedule_ctx *x, const char *dir,
    const char *name, struct err *err)
{
	enum schedule_owner owner;

	if (schedule_owner(x->rootfd, dir, name, NULL, &owner, err) != 0)
		return -1;
	if (owner == SCHEDULE_FOREIGN && !x->c->force)
		return err_set(err, ERR_CONFIG, "%s/%s/%s exists and certdeck did "
		    "not write it; left alone (--force replaces it)", x->root, dir,
		    name);
	return 0;
}

static int
schedule_write(const struct schedule_ctx *x, const char *dir, const char *name,
    const struct buf *text, struct err *err)
{
	int fd, rc;

	if (fsutil_mkdirs_at(x->rootfd, dir, 0755, &fd, err) != 0)
		return err_prefix(err, "%s/%s", x->root, dir);
	rc = fsutil_write_atomic_at(fd, name, text->data, text->len, 0644, 1, err);
	close(fd);
	if (rc != 0)
		return err_prefix(err, "%s/%s", x->root, dir);
	if (x->c->verbosity != CLI_QUIET)
		printf("wrote %s/%s/%s\n", x->root, dir, name);
	return 0;
}

/* Removes `name` only when it carries our marker. */
static int
schedule_unlink(const struct schedule_ctx *x, const char *dir,
    const char *name, struct err *err)
{
	enum schedule_owner owner;
	int fd, rc = 0;

	if (schedule_owner(x->rootfd, dir, name, NULL, &owner, err) != 0)
		return -1;
	if (owner == SCHEDULE_FOREIGN)
		fprintf(stderr, "certdeck: %s/%s/%s: not written by certdeck, "
		    "left alone\n", x->root, dir, name);
	if (owner != SCHEDULE_OURS)
		return 0;
	if (fsutil_open_dir_at(x->rootfd, dir, &fd, err) != 0)
		return err_prefix(err, "%s/%s", x->root, dir);
	if (unlinkat(fd, name, 0) != 0)
		rc = err_errno(err, "%s/%s/%s: remove", x->root, dir, name);
	else if (fsutil_fsync_dir(fd, dir, err) != 0)
		rc = -1;
	else if (x->c->verbosity != CLI_QUIET)
		printf("removed %s/%s/%s\n", x->root, dir, name);
	close(fd);
	return rc;
}

struct schedule_run {
	int done, ok;
	char out[512];
};

static void
schedule_run_done(void *arg, const struct proc_result *r)
{
	struct schedule_run *run = arg;
	size_t len = r->output_len;

	while (len > 0 && (r->output[len - 1] == '\n' || r->output[len - 1] == ' '))
		len--;
	run->done = 1;
	run->ok = r->exited && r->status == 0;
	if (run->ok)
		snprintf(run->out, sizeof run->out, "%.*s", (int)len, r->output);
	else if (r->timed_out)
		snprintf(run->out, sizeof run->out, "no answer in %d s",
		    SCHEDULE_SYSTEMCTL_MS / 1000);
	else
		snprintf(run->out, sizeof run->out, "%s %d%s%.*s",
		    r->exited ? "exit status" : "killed by signal",
		    r->exited ? r->status : r->signal, len > 0 ? ": " : "",
		    (int)len, r->output);
	/* Its lines on one, so the error stays one line. */
	for (len = 0; run->out[len] != '\0'; len++)
		if (run->out[len] == '\n')
			run->out[len] = ' ';
}

/* Runs systemctl ARGS... (argv, no shell) and waits; returns 0 with its
 * trimmed output in `out`, or -1 with `err` quoting what it said. */
static int
schedule_systemctl(const char *const *args, char *out, size_t size,
    struct err *err)
{
	static const char *const env[] = { PROC_DEFAULT_PATH, "LC_ALL=C", NULL };
	const char *argv[SCHEDULE_ARGS_MAX + 1], *prog = "/usr/bin/systemctl";
	struct proc_spec spec = { .argv = argv, .env = env,
	    .timeout_ms = SCHEDULE_SYSTEMCTL_MS, .max_output = 4096 };
	struct schedule_run run = { 0 };
	struct proc_set *ps;
	struct pollfd fds[4];
	char shown[128] = "systemctl";
	int i, n;

	if (access(prog, X_OK) != 0)
		prog = "/bin/systemctl";
	argv[0] = prog;
	for (i = 0; args[i] != NULL && i < SCHEDULE_ARGS_MAX - 1; i++) {
		argv[i + 1] = args[i];
		n = (int)strlen(shown);
		snprintf(shown + n, sizeof shown - (size_t)n, " %s", args[i]);
	}
	argv[i + 1] = NULL;
	if ((ps = proc_set_new(err)) == NULL)
		return -1;
	if (proc_start(ps, &spec, schedule_run_done, &run, err) == 0) {
		proc_set_free(ps);
		return err_prefix(err, "%s", shown);
	}
	while (!run.done) {
		n = proc_pollfds(ps, fds, 4);
		if (poll(fds, (nfds_t)n, proc_timeout_ms(ps, job_now_ms())) == -1 &&
		    errno != EINTR) {
			proc_set_free(ps);
			return err_errno(err, "%s: poll", shown);
		}
		proc_handle(ps, fds, n, job_now_ms());
	}
	proc_set_free(ps);
	if (!run.ok)
		return err_set(err, ERR_FAIL, "%s: %s", shown, run.out);
	if (out != NULL)
		snprintf(out, size, "%s", run.out);
	return 0;
}

static int
schedule_systemd_running(void)
{
	return access("/run/systemd/system", F_OK) == 0;
}

static int
schedule_systemctl2(const char *verb, const char *arg1, const char *arg2,
    struct err *err)
{
	const char *args[] = { verb, arg1, arg2, NULL };

	return schedule_systemctl(args, NULL, 0, err);
}

/* Removes what one kind of schedule wrote; on a live systemd the timer is
 * stopped and disabled first. */
static int
schedule_remove_kind(const struct schedule_ctx *x, enum schedule_kind kind,
    struct err *err)
{
	enum schedule_owner owner;
	struct err disable;
	int live;

	if (kind == SCHEDULE_CRON)
		return schedule_unlink(x, SCHEDULE_CRON_DIR, SCHEDULE_CRON_FILE, err);
	if (schedule_owner(x->rootfd, SCHEDULE_UNIT_DIR, SCHEDULE_TIMER, NULL,
	    &owner, err) != 0)
		return -1;
	live = owner == SCHEDULE_OURS && x->live && schedule_systemd_running();
	/* The files go even when systemd refuses: a unit it cannot find is
	 * best gone, and the failure is still reported. */
	err_clear(&disable);
	if (live)
		(void)schedule_systemctl2("disable", "--now", SCHEDULE_TIMER, &disable);
	if (schedule_unlink(x, SCHEDULE_UNIT_DIR, SCHEDULE_TIMER, err) != 0 ||
	    schedule_unlink(x, SCHEDULE_UNIT_DIR, SCHEDULE_SERVICE, err) != 0 ||
	    (live && schedule_systemctl2("daemon-reload", NULL, NULL, err) != 0))
		return -1;
	return disable.code != ERR_OK ? err_copy(err, &disable) : 0;
}

static int
schedule_install_systemd(const struct schedule_ctx *x,
    const struct schedule_cmd *cmd, struct err *err)
{
	struct buf service, timer;
	int rc = -1;

	buf_init(&service, SCHEDULE_FILE_MAX);
	buf_init(&timer, SCHEDULE_FILE_MAX);
	if (schedule_may_write(x, SCHEDULE_UNIT_DIR, SCHEDULE_SERVICE, err) != 0 ||
	    schedule_may_write(x, SCHEDULE_UNIT_DIR, SCHEDULE_TIMER, err) != 0 ||
	    schedule_service_text(&service, cmd, err) != 0 ||
	    schedule_timer_text(&timer, err) != 0 ||
	    schedule_write(x, SCHEDULE_UNIT_DIR, SCHEDULE_SERVICE, &service, err) != 0 ||
	    schedule_write(x, SCHEDULE_UNIT_DIR, SCHEDULE_TIMER, &timer, err) != 0)
		goto out;
	if (!x->live)
		rc = 0;
	else if (!schedule_systemd_running()) {
		printf("systemd is not running here: nothing enabled; where it "
		    "runs: systemctl enable --now " SCHEDULE_TIMER "\n");
		rc = 0;
	} else if (schedule_systemctl2("daemon-reload", NULL, NULL, err) == 0 &&
	    schedule_systemctl2("enable", "--now", SCHEDULE_TIMER, err) == 0) {
		if (x->c->verbosity != CLI_QUIET)
			printf("enabled and started " SCHEDULE_TIMER "\n");
		rc = 0;
	}
out:
	buf_free(&service);
	buf_free(&timer);
	return rc;
}

static int
schedule_install(const struct schedule_ctx *x, enum schedule_kind kind,
    struct err *err)
{
	struct schedule_cmd cmd;
	struct buf text;
	int rc;

	if (schedule_cmd_build(x->c, &cmd, err) != 0)
		return -1;
	if (kind == SCHEDULE_SYSTEMD)
		rc = schedule_install_systemd(x, &cmd, err);
	else {
		buf_init(&text, SCHEDULE_FILE_MAX);
		rc = schedule_may_write(x, SCHEDULE_CRON_DIR, SCHEDULE_CRON_FILE,
		    err) != 0 || schedule_cron_text(&text, &cmd, err) != 0 ? -1 :
		    schedule_write(x, SCHEDULE_CRON_DIR, SCHEDULE_CRON_FILE, &text, err);
		buf_free(&text);
	}
	schedule_cmd_free(&cmd);
	/* One schedule at a time: renewals must not run twice. */
	if (rc == 0)
		rc = schedule_remove_kind(x, kind == SCHEDULE_SYSTEMD ?
		    SCHEDULE_CRON : SCHEDULE_SYSTEMD, err);
	return rc;
}

/* Parses "N[,N...]" of numbers below `limit` into a bit mask. */
static int
schedule_parse_list(const char *s, size_t len, int limit, unsigned long long *mask)
{
	const char *end = s + len;
	int v;

	*mask = 0;
	while (s < end) {
		if (*s < '0' || *s > '9')
			return -1;
		for (v = 0; s < end && *s >= '0' && *s <= '9' && v < limit; s++)
			v = v * 10 + (*s - '0');
		if (v >= limit || (s < end && *s++ != ','))
			return -1;
		*mask |= 1ULL << v;
	}
	return *mask != 0 ? 0 : -1;
}

/* The first local time after `now` at one of the hours in `hours` and a
 * minute in `minutes`; 0 when there is none in the next two days. */
static time_t
schedule_next(unsigned long long hours, unsigned long long minutes,
    time_t now)
{
	struct tm day, t;
	time_t best = 0, when;
	int d, h, m;

	localtime_r(&now, &day);
	for (d = 0; d < 3 && best == 0; d++)
		for (h = 0; h < 24; h++)
			for (m = 0; m < 60; m++) {
				if (!(hours >> h & 1) || !(minutes >> m & 1))
					continue;
				t = day;
				t.tm_mday += d;
				t.tm_hour = h;
				t.tm_min = m;
				t.tm_sec = 0;
				t.tm_isdst = -1;
				when = mktime(&t);
				if (when > now && (best == 0 || when < best))
					best = when;
			}
	return best;
}

static void
schedule_print_next(const char *hours, size_t hlen, const char *minutes,
    size_t mlen, const char *extra)
{
	unsigned long long hmask, mmask;
	char when[64];
	struct tm tm;
	time_t next;

	if (schedule_parse_list(hours, hlen, 24, &hmask) != 0 ||
	    schedule_parse_list(minutes, mlen, 60, &mmask) != 0 ||
	    (next = schedule_next(hmask, mmask, time(NULL))) == 0) {
		printf("next run: unknown (a schedule certdeck does not read)\n");
		return;
	}
	localtime_r(&next, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M %Z", &tm);
	printf("next run: %s%s\n", when, extra);
}

/* Returns the line of `text` starting with `key`, value only, or NULL. */
static const char *
schedule_line(const char *text, const char *key, size_t *len)
{
	size_t klen = strlen(key);

	while (text != NULL && *text != '\0') {
		if (strncmp(text, key, klen) == 0) {
			*len = strcspn(text + klen, "\n");
			return text + klen;
		}
		if ((text = strchr(text, '\n')) != NULL)
			text++;
	}
	return NULL;
}

static void
schedule_status_systemd(const struct schedule_ctx *x)
{
	static const char *const show[] = { "show", "--value", "-p",
	    "NextElapseUSecRealtime", SCHEDULE_TIMER, NULL };
	enum schedule_owner owner;
	struct buf text;
	const char *v;
	char out[512];
	size_t len;
	struct err err;

	printf("systemd timer: %s/%s/%s\n", x->root, SCHEDULE_UNIT_DIR, SCHEDULE_TIMER);
	buf_init(&text, 0);
	if (schedule_owner(x->rootfd, SCHEDULE_UNIT_DIR, SCHEDULE_SERVICE, &text, &owner, &err) == 0 &&
	    owner == SCHEDULE_OURS &&
	    (v = schedule_line(text.data, "ExecStart=", &len)) != NULL)
		printf("runs: %.*s\n", (int)len, v);
	else
		printf("runs: nothing: %s/%s/%s is missing or not certdeck's\n",
		    x->root, SCHEDULE_UNIT_DIR, SCHEDULE_SERVICE);
	if (x->live && schedule_systemd_running()) {
		if (schedule_systemctl(show, out, sizeof out, &err) != 0)
			printf("next run: unknown: %s\n", err.msg);
		else
			printf("next run: %s\n", *out != '\0' ? out :
			    "none (the timer is not active)");
	} else if (schedule_owner(x->rootfd, SCHEDULE_UNIT_DIR, SCHEDULE_TIMER, &text, &owner, &err) == 0 &&
	    (v = schedule_line(text.data, "OnCalendar=*-*-* ", &len)) != NULL &&
	    strchr(v, ':') != NULL)
		schedule_print_next(v, strcspn(v, ":"), strchr(v, ':') + 1,
		    strcspn(strchr(v, ':') + 1, ":\n"), " plus a random delay "
		    "of up to " SCHEDULE_SPREAD " (once enabled)");
	buf_free(&text);
}

/* A cron line: minute, hour, three '*', user, then the command. */
static void
schedule_status_cron(const struct schedule_ctx *x)
{
	enum schedule_owner owner;
	const char *line = NULL, *f[7], *p;
	struct buf text;
	size_t len[7];
	struct err err;
	int i;

	printf("cron entry: %s/%s/%s\n", x->root, SCHEDULE_CRON_DIR, SCHEDULE_CRON_FILE);
	buf_init(&text, 0);
	if (schedule_owner(x->rootfd, SCHEDULE_CRON_DIR, SCHEDULE_CRON_FILE, &text, &owner, &err) == 0)
		for (p = text.data; p != NULL && line == NULL; p = strchr(p, '\n')) {
			p += *p == '\n';
			if (*p >= '0' && *p <= '9')
				line = p;
		}
	for (i = 0, p = line; p != NULL && i < 7; i++) {
		p += strspn(p, " \t");
		f[i] = p;
		len[i] = i < 6 ? strcspn(p, " \t\n") : strcspn(p, "\n");
		p += len[i];
	}
	if (line == NULL || len[6] == 0) {
		printf("runs: nothing (no schedule line)\n");
		buf_free(&text);
		return;
	}
	printf("runs: %.*s (as %.*s)\n", (int)len[6], f[6], (int)len[5], f[5]);
	if (len[2] == 1 && len[3] == 1 && len[4] == 1 && *f[2] == '*' &&
	    *f[3] == '*' && *f[4] == '*')
		schedule_print_next(f[1], len[1], f[0], len[0], "");
	else
		printf("next run: unknown (a schedule certdeck does not read)\n");
	buf_free(&text);
}

static int
schedule_detect_at(int rootfd, enum schedule_kind *kind, struct err *err)
{
	enum schedule_owner timer, cron;

	*kind = SCHEDULE_NONE;
	if (schedule_owner(rootfd, SCHEDULE_UNIT_DIR, SCHEDULE_TIMER, NULL, &timer,
	    err) != 0 || schedule_owner(rootfd, SCHEDULE_CRON_DIR,
	    SCHEDULE_CRON_FILE, NULL, &cron, err) != 0)
		return -1;
	if (timer == SCHEDULE_OURS)
		*kind = SCHEDULE_SYSTEMD;
	else if (cron == SCHEDULE_OURS)
		*kind = SCHEDULE_CRON;
	return 0;
}

int
schedule_detect(const char *root, enum schedule_kind *kind, struct err *err)
{
	int rootfd, rc;

	*kind = SCHEDULE_NONE;
	if ((rootfd = open(root ? root : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return err_errno(err, "%s", root ? root : "/");
	rc = schedule_detect_at(rootfd, kind, err);
	close(rootfd);
	return rc;
}

static int
schedule_status(const struct schedule_ctx *x, struct err *err)
{
	enum schedule_kind kind;

	if (schedule_detect_at(x->rootfd, &kind, err) != 0)
		return CLI_FAILED;
	if (kind == SCHEDULE_NONE) {
		printf("no renewal schedule installed (certdeck schedule install "
		    "adds one)\n");
		return SCHEDULE_EXIT_NONE;
	}
	if (kind == SCHEDULE_SYSTEMD)
		schedule_status_systemd(x);
	else
		schedule_status_cron(x);
	return CLI_OK;
}

static int
schedule_usage(void)
{
	fprintf(stderr, "certdeck: usage: certdeck schedule install|remove|status "
	    "[--root DIR] [--systemd|--cron] [--force]\n");
	return CLI_USAGE;
}

int
schedule_command(const struct cli *c)
{
	struct schedule_ctx x = { .c = c, .root = "", .rootfd = -1, .live = 1 };
	const char *verb = c->n_args == 1 ? c->args[0] : "";
	enum schedule_kind kind;
	struct err err;
	int rc;

	err_clear(&err);
	if (c->use_systemd && c->use_cron)
		return schedule_usage();
	if (c->root != NULL) {
		x.live = 0;
		x.root = strcmp(c->root, "/") == 0 ? "" : c->root;
	}
	if ((x.rootfd = open(c->root ? c->root : "/",
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "certdeck: %s: %s\n", c->root ? c->root : "/",
		    strerror(errno));
		return CLI_FAILED;
	}
	kind = c->use_cron ? SCHEDULE_CRON : c->use_systemd ||
	    schedule_systemd_running() ? SCHEDULE_SYSTEMD : SCHEDULE_CRON;
	if (strcmp(verb, "install") == 0)
		rc = schedule_install(&x, kind, &err) == 0 ? CLI_OK : CLI_FAILED;
	else if (strcmp(verb, "remove") == 0)
		rc = schedule_remove_kind(&x, SCHEDULE_SYSTEMD, &err) == 0 &&
		    schedule_remove_kind(&x, SCHEDULE_CRON, &err) == 0 ?
		    CLI_OK : CLI_FAILED;
	else if (strcmp(verb, "status") == 0)
		rc = schedule_status(&x, &err);
	else
		rc = schedule_usage();
	if (rc == CLI_FAILED)
		fprintf(stderr, "certdeck: schedule %s: %s\n", verb, err.msg);
	close(x.rootfd);
	return rc;
}
