/*
 * screen_activity: the Activity screen, the engine's event stream with
 * timestamps, coloured by level, from the ring that keeps the last
 * JOBS_RING_LINES lines. At the last line it follows new events.
 */
#include "autoconfig.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "jobs.h"
#include "screen.h"

struct activity {
	struct ui_list list;		/* first: see ui_screen_new() */
	int follow;			/* stay on the newest line */
	size_t last_n;			/* lines at the last draw */
};

static const struct ui_key activity_keys[] = {
	{ 'f', "f", "follow", "follow new events (End does too)", 1 },
};

static void *
activity_open(struct ui *ui, const char *arg)
{
	struct activity *a = ui_screen_new(ui, sizeof *a);

	(void)arg;
	if (a != NULL)
		a->follow = 1;
	return a;
}

static void
activity_close(void *st)
{
	free(st);
}

static void
activity_draw(struct ui *ui, void *st)
{
	static const enum theme_role roles[] = {
		ROLE_LOG_DEBUG, ROLE_LOG_INFO, ROLE_LOG_WARN, ROLE_LOG_ERROR
	};
	static const char *const levels[] = { "debug", "info", "warn", "error" };
	struct activity *a = st;
	int rows = LINES - 4, y;
	char head[96];

	/* On the newest line, or told to: follow; moved away: stay. */
	a->follow = a->follow || a->last_n == 0 || a->list.sel + 1 >= a->last_n;
	a->list.n = a->last_n = ui->jobs->count;
	if (a->follow && a->list.n > 0)
		a->list.sel = a->list.n - 1;
	a->follow = 0;
	snprintf(head, sizeof head, "TIME     LEVEL  EVENT (%zu lines kept, %llu seen)",
	    ui->jobs->count, (unsigned long long)ui->jobs->total);
	ui_put(ui, 1, 0, COLS, ROLE_COLUMNS, head);
	ui_list_fit(&a->list, 2, rows);
	if (a->list.n == 0)
		ui_put(ui, 3, 2, COLS - 2, ROLE_DIM, "No events yet: r on a certificate "
		    "starts a renewal.");
	for (y = 0; y < rows && a->list.top + (size_t)y < a->list.n; y++) {
		const struct jobs_line *l = jobs_line_at(ui->jobs, a->list.top + (size_t)y);
		int sel = a->list.top + (size_t)y == a->list.sel;
		time_t t = (time_t)(l->time_ms / 1000);
		struct tm tm;
		char line[1024], when[16];

		localtime_r(&t, &tm);
		strftime(when, sizeof when, "%H:%M:%S", &tm);
		snprintf(line, sizeof line, "%s %-6s %s", when,
		    l->level < 4 ? levels[l->level] : "?", l->text);
		ui_put(ui, 2 + y, 0, COLS, sel ? ROLE_SELECTED :
		    l->level < 4 ? roles[l->level] : ROLE_NORMAL, line);
	}
}

static int
activity_key(struct ui *ui, void *st, int action, int key)
{
	struct activity *a = st;

	(void)ui;
	(void)key;
	if (action != 1)
		return 0;
	a->follow = 1;
	return UI_HANDLED | UI_REDRAW;
}

static int
activity_event(struct ui *ui, void *st, const struct event *ev)
{
	(void)ui;
	(void)st;
	return ev->kind == EVENT_STATE_CHANGED ? 0 : UI_REDRAW;
}

const struct screen_ops screen_activity_ops = {
	.name = "Activity",
	.keys = activity_keys,
	.n_keys = sizeof activity_keys / sizeof activity_keys[0],
	.open = activity_open,
	.close = activity_close,
	.draw = activity_draw,
	.key = activity_key,
	.event = activity_event,
	.list = ui_screen_list,
};
