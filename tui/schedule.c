/*
 * schedule: `certdeck schedule install|remove|status`, the files that make
 * `certdeck renew --all` run twice a day (see schedule.h).
 *
 * Where systemd runs, a oneshot service and a timer in /etc/systemd/system;
 * elsewhere one /etc/cron.d entry. Every file written carries a marker
 * line, and only files with it are ever replaced or removed, so a unit or
 * cron file someone wrote by hand survives us. Files are written atomically
 * (fsutil: temporary name, mode first, fsync, rename) with folders created
 * as needed. --root writes under another root and leaves the running
 * system alone, for packaging and tests; without it on a live systemd,
 * systemctl runs as argv through proc, never through a shell. The files'
 * text is schedule_text.c's, reading them back schedule_status.c's.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "schedule_int.h"

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
	if (!x->silent && x->c->verbosity != CLI_QUIET)
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
	if (owner == SCHEDULE_FOREIGN && !x->silent)
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
	else if (!x->silent && x->c->verbosity != CLI_QUIET)
		printf("removed %s/%s/%s\n", x->root, dir, name);
	close(fd);
	return rc;
}

static int
schedule_systemctl2(const char *verb, const char *arg1, const char *arg2,
    struct err *err)
{
	const char *args[] = { verb, arg1, arg2, NULL };

	return schedule_systemctl(args, SCHEDULE_SYSTEMCTL_MS, NULL, 0, err);
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
		if (!x->silent)
			printf("systemd is not running here: nothing enabled; where it "
			    "runs: systemctl enable --now " SCHEDULE_TIMER "\n");
		rc = 0;
	} else if (schedule_systemctl2("daemon-reload", NULL, NULL, err) == 0 &&
	    schedule_systemctl2("enable", "--now", SCHEDULE_TIMER, err) == 0) {
		if (!x->silent && x->c->verbosity != CLI_QUIET)
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

static int
schedule_usage(void)
{
	fprintf(stderr, "certdeck: usage: certdeck schedule install|remove|status "
	    "[--root DIR] [--systemd|--cron] [--force]\n");
	return CLI_USAGE;
}

/* Fills `x` for the root the command line names (--root, else the
 * running system); 0, or -1 with `err`. */
static int
schedule_ctx_open(const struct cli *c, struct schedule_ctx *x, struct err *err)
{
	memset(x, 0, sizeof *x);
	x->c = c;
	x->root = "";
	x->live = c->root == NULL;
	if (c->root != NULL && strcmp(c->root, "/") != 0)
		x->root = c->root;
	if ((x->rootfd = open(c->root ? c->root : "/",
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return err_errno(err, "%s", c->root ? c->root : "/");
	return 0;
}

/* --cron, --systemd, or what the machine runs. */
static enum schedule_kind
schedule_kind_wanted(const struct cli *c)
{
	return c->use_cron ? SCHEDULE_CRON : c->use_systemd ||
	    schedule_systemd_running() ? SCHEDULE_SYSTEMD : SCHEDULE_CRON;
}

int
schedule_install_quiet(const struct cli *c, char *done, size_t size,
    struct err *err)
{
	struct schedule_ctx x;
	enum schedule_kind kind = schedule_kind_wanted(c);
	int rc;

	if (schedule_ctx_open(c, &x, err) != 0)
		return -1;
	x.silent = 1;
	rc = schedule_install(&x, kind, err);
	close(x.rootfd);
	if (rc == 0 && kind == SCHEDULE_CRON)
		snprintf(done, size, "wrote %s/%s/%s", x.root, SCHEDULE_CRON_DIR,
		    SCHEDULE_CRON_FILE);
	else if (rc == 0)
		snprintf(done, size, "wrote %s/%s/%s%s", x.root, SCHEDULE_UNIT_DIR,
		    SCHEDULE_TIMER, !x.live ? "" : schedule_systemd_running() ?
		    ", enabled and started" : "; systemd is not running here: "
		    "nothing enabled");
	return rc;
}

int
schedule_command(const struct cli *c)
{
	struct schedule_ctx x;
	const char *verb = c->n_args == 1 ? c->args[0] : "";
	struct err err;
	int rc;

	err_clear(&err);
	if (c->use_systemd && c->use_cron)
		return schedule_usage();
	if (schedule_ctx_open(c, &x, &err) != 0) {
		fprintf(stderr, "certdeck: %s\n", err.msg);
		return CLI_FAILED;
	}
	if (strcmp(verb, "install") == 0)
		rc = schedule_install(&x, schedule_kind_wanted(c), &err) == 0 ?
		    CLI_OK : CLI_FAILED;
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
