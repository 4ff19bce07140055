/*
 * schedule_text: the text of the files `certdeck schedule install`
 * writes: the renew command (this very binary, with the user's --config
 * and --state), quoted for a unit file or for /bin/sh, the systemd
 * service and timer, and the /etc/cron.d entry. Nothing here touches
 * the disk.
 */
#include "autoconfig.h"

#include <sys/random.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "schedule_int.h"
#include "store.h"

/* What Linux appends to /proc/self/exe once the file is replaced. */
#define SCHEDULE_DELETED " (deleted)"

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

void
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
int
schedule_cmd_build(const struct cli *c, struct schedule_cmd *cmd,
    struct err *err)
{
	char exe[PATH_MAX], *abs;
	ssize_t n;

	memset(cmd, 0, sizeof *cmd);
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) == -1)
		return err_errno(err, "/proc/self/exe");
	exe[n] = '\0';
	/* Replaced on disk since it started (an upgrade): the timer runs
	 * whatever is at that path now. */
	if ((size_t)n > sizeof SCHEDULE_DELETED - 1 &&
	    strcmp(exe + n - (sizeof SCHEDULE_DELETED - 1), SCHEDULE_DELETED) == 0)
		exe[n - (sizeof SCHEDULE_DELETED - 1)] = '\0';
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

int
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

int
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
int
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

