/*
 * schedule_int: what the schedule's files share inside the front end:
 * schedule.c installs and removes, schedule_text.c writes the units' and
 * the cron entry's text, schedule_status.c reads back what is installed
 * and when it next runs. Not for other modules: schedule.h is.
 */
#ifndef CERTDECK_SCHEDULE_INT_H
#define CERTDECK_SCHEDULE_INT_H

#include <stddef.h>

#include "buf.h"
#include "cli.h"
#include "err.h"
#include "schedule.h"

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
	int silent;		/* the screens: nothing printed */
};

/* schedule_text.c */
/* Fills `cmd` with this binary's `renew --all` and the --config and
 * --state the user gave; 0, or -1 with `err` (nothing to free). */
int schedule_cmd_build(const struct cli *c, struct schedule_cmd *cmd,
    struct err *err);
void schedule_cmd_free(struct schedule_cmd *cmd);

/* The service unit, the timer unit and the cron entry, appended to `b`;
 * 0, or -1 with `err`. */
int schedule_service_text(struct buf *b, const struct schedule_cmd *cmd,
    struct err *err);
int schedule_timer_text(struct buf *b, struct err *err);
int schedule_cron_text(struct buf *b, const struct schedule_cmd *cmd,
    struct err *err);

/* schedule_status.c */
/* Reads `dir`/`name` under `rootfd` into `text` (when not NULL) and says
 * whose it is; 0, or -1 with `err` (a missing file is SCHEDULE_ABSENT). */
int schedule_owner(int rootfd, const char *dir, const char *name,
    struct buf *text, enum schedule_owner *owner, struct err *err);

/* Runs systemctl ARGS... (argv, no shell) and waits up to `timeout_ms`;
 * 0 with its trimmed output in `out` (when not NULL), or -1 with `err`
 * quoting what it said. */
int schedule_systemctl(const char *const *args, int timeout_ms, char *out,
    size_t size, struct err *err);

/* Whether systemd is the running init. */
int schedule_systemd_running(void);

/* What certdeck installed under `rootfd`; 0, or -1 with `err`. */
int schedule_detect_at(int rootfd, enum schedule_kind *kind, struct err *err);

/* `certdeck schedule status`: prints what is installed; returns the exit
 * code. */
int schedule_status(const struct schedule_ctx *x, struct err *err);

#endif
