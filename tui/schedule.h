/*
 * schedule: `certdeck schedule install|remove|status`, the timer that runs
 * `certdeck renew --all` with nobody at the keyboard: a systemd service
 * and timer where systemd runs, otherwise an /etc/cron.d entry.
 */
#ifndef CERTDECK_SCHEDULE_H
#define CERTDECK_SCHEDULE_H

#include "cli.h"
#include "err.h"

/* What runs the renewals under a root folder. */
enum schedule_kind {
	SCHEDULE_NONE = 0,
	SCHEDULE_SYSTEMD,	/* our certdeck-renew.timer */
	SCHEDULE_CRON		/* our /etc/cron.d/certdeck */
};

/* Fills `kind` with what certdeck installed under `root` (NULL: "/"),
 * files without certdeck's marker not counted; returns 0, or -1 with
 * `err`. */
int schedule_detect(const char *root, enum schedule_kind *kind,
    struct err *err);

/* Runs `certdeck schedule install|remove|status` from the parsed command
 * line; returns the exit code (status: 3 when nothing is installed). */
int schedule_command(const struct cli *c);

#endif
