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

/* The schedule in a few words, as the screens' header shows it. */
struct schedule_view {
	enum schedule_kind kind;
	char text[48];		/* "systemd, next Sun 12:00", "cron, twice a
				 * day"; "" when nothing is installed */
	int warn;		/* installed but not running (systemd) */
};

/* Reads what certdeck installed under `root` (NULL: the running system,
 * whose systemd is asked when it runs, waiting at most `timeout_ms`) into
 * `v`; 0, or -1 with `err` (`v` then says none). */
int schedule_view_read(const char *root, int timeout_ms,
    struct schedule_view *v, struct err *err);

/* Installs the schedule as `certdeck schedule install` does, under
 * --root when given, printing nothing (for the screens); 0 with what was
 * done in `done`, or -1 with `err`. */
int schedule_install_quiet(const struct cli *c, char *done, size_t size,
    struct err *err);

/* Runs `certdeck schedule install|remove|status` from the parsed command
 * line; returns the exit code (status: 3 when nothing is installed). */
int schedule_command(const struct cli *c);

#endif
