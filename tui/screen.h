/*
 * screen: what the screens share. A screen is a table of operations
 * (open, close, draw, key, event) and a table of keys, each key with the
 * action it triggers and its help text; the footer and the `?` overlay are
 * built from that one table. Handlers return UI_* flags and the loop
 * redraws once per pass. Generic list navigation (arrows, j/k, pages,
 * g/G, the mouse) works on any screen that hands out a struct ui_list.
 */
#ifndef CERTDECK_SCREEN_H
#define CERTDECK_SCREEN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "event.h"
#include "schedule.h"
#include "theme.h"

struct cli;
struct engine;
struct engine_cmd;
struct store;
struct certlist;
struct jobs;
struct ui;

/* What a handler did; the loop redraws when any handler asks. */
#define UI_HANDLED	0x01
#define UI_REDRAW	0x02
#define UI_CLOSE	0x04	/* pop this screen */
#define UI_QUIT		0x08

/* One key of a screen: what it does, shown by `?` and (with a label) in
 * the footer. */
struct ui_key {
	int key;		/* curses key code or character */
	const char *name;	/* how the key is written: "Enter", "r" */
	const char *label;	/* footer word, or NULL to leave it out */
	const char *help;	/* one line for the help overlay */
	int action;		/* the screen's own action number, > 0 */
};

/* A scrolling list: `n` rows, the selected one, the first one shown, and
 * where the screen drew them (for the mouse and the real cursor). */
struct ui_list {
	size_t n, sel, top;
	int y0, rows;		/* set by the screen's draw */
	int cursor;		/* draw the selection (0: a pager, no row) */
};

struct screen_ops {
	const char *name;		/* "Certificates" */
	const struct ui_key *keys;
	size_t n_keys;
	/* Builds the screen's state; `arg` is what the opener passes (a
	 * certificate name for a detail view). NULL on failure, with a
	 * message already given with ui_message(). */
	void *(*open)(struct ui *ui, const char *arg);
	void (*close)(void *st);
	void (*draw)(struct ui *ui, void *st);
	/* `action` from the key table, or 0 for any other key. */
	int (*key)(struct ui *ui, void *st, int action, int key);
	int (*event)(struct ui *ui, void *st, const struct event *ev);
	struct ui_list *(*list)(void *st);
};

extern const struct screen_ops screen_certs_ops;
extern const struct screen_ops screen_accounts_ops;
extern const struct screen_ops screen_orders_ops;
extern const struct screen_ops screen_activity_ops;
extern const struct screen_ops screen_detail_ops;
extern const struct screen_ops screen_account_detail_ops;
extern const struct screen_ops screen_revoke_ops;
extern const struct screen_ops screen_wizard_ops;	/* arg NAME: edit it */
extern const struct screen_ops screen_remove_ops;

#define UI_TOP_SCREENS	4
#define UI_STACK_MAX	6

struct ui_frame {
	const struct screen_ops *ops;
	void *st;
};

struct ui_dialog {
	int active;
	int confirm;		/* yes/no; else a message to acknowledge */
	int yes;		/* the button that has focus */
	char title[80];
	char text[1536];
	void (*on_yes)(struct ui *ui, const char *arg, int flag);
	char arg[80];
	int flag;
};

struct ui {
	const struct cli *cli;
	struct store *store;
	struct engine *engine;
	struct certlist *certs;
	struct jobs *jobs;
	struct theme theme;
	int theme_index;		/* in theme_builtin_names, or -1 */
	int colour;			/* colours may be used */
	int utf8;
	struct ui_frame top[UI_TOP_SCREENS];
	int top_i;
	struct ui_frame stack[UI_STACK_MAX];
	int depth;			/* pushed screens above the top one */
	struct ui_dialog dialog;
	int help;			/* the ? overlay is shown: 1 + lines
					 * scrolled */
	struct schedule_view schedule;	/* the renewal schedule, for the
					 * header: ui_schedule_read */
	char message[256];		/* a note for the status line */
	enum theme_role message_role;
	time_t now;
	int cursor_y, cursor_x;		/* set by a draw: where the real cursor
					 * goes (a field); -1: the list's row */
	int redraw;
	int quit;
};

/* ui.c */
/* The screen on top, the one keys go to. */
struct ui_frame *ui_current(struct ui *ui);

/* Opens `ops` with `arg` above the current screen; 0, or -1 (message
 * given). */
int ui_push(struct ui *ui, const struct screen_ops *ops, const char *arg);

/* Starts the engine if needed and submits a renewal of `name`; `force`
 * renews even when not due. Returns the job id or 0 (message given). */
uint32_t ui_renew(struct ui *ui, const char *name, int force);

/* Starts the engine if needed and submits `cmd` (owned by the call);
 * returns the job id, or 0 with a dialog saying why `what` ("Renewal")
 * did not start. */
uint32_t ui_submit(struct ui *ui, struct engine_cmd *cmd, const char *what);

/* Stops the engine when no job runs, so that the next command starts
 * one with other options; 0, or -1 while jobs still run. */
int ui_engine_stop_idle(struct ui *ui);

/* Asks the engine which certificate NAME's endpoints (from the config)
 * serve, saying in the status line what happened; returns the job id,
 * or 0 (no endpoints, the engine refused). */
uint32_t ui_probe(struct ui *ui, const char *name);

/* Reads the renewal schedule again for the header (the one under
 * --root when given), waiting a moment at most for systemd. */
void ui_schedule_read(struct ui *ui);

/* Shows `text` in the status line until the next one. */
void ui_message(struct ui *ui, enum theme_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ui_draw.c: drawing in roles, clipped to display columns. */
/* The curses attributes of `role` in the current theme. */
int ui_attr(const struct ui *ui, enum theme_role role);

/* Applies the theme to curses (colour pairs); call after changing it. */
void ui_theme_apply(struct ui *ui);

/* Writes `text` at (y, x) in `role`, cut or padded with spaces to exactly
 * `width` display columns (UTF-8 aware); returns the columns written. */
int ui_put(const struct ui *ui, int y, int x, int width, enum theme_role role,
    const char *text);

/* Like ui_put() but right-aligned within `width`. */
int ui_put_right(const struct ui *ui, int y, int x, int width,
    enum theme_role role, const char *text);

/* Splits `text` into at most `max` lines of at most `w` columns, at
 * spaces where it can, never inside a UTF-8 character; returns how many. */
int ui_wrap(const char *text, int w, char lines[][256], int max);

/* Writes `text` from (y, x) wrapped to `width` columns on up to
 * `max_rows` (at most 8) rows; returns the rows used (at least 1). */
int ui_put_wrapped(const struct ui *ui, int y, int x, int width,
    enum theme_role role, const char *text, int max_rows);

/* Display columns of a UTF-8 text. */
int ui_width(const char *text);

/* Moves the selection of `l` for a navigation key (arrows, j/k, pages,
 * g/G, Home/End, mouse); returns UI_* flags, 0 when it is not one. */
int ui_list_key(struct ui *ui, struct ui_list *l, int key);

/* Keeps the selection of `l` visible in `rows` rows from row `y0`. */
void ui_list_fit(struct ui_list *l, int y0, int rows);

/* Draws the frame: the top bar, the status line, the footer for `f`. */
void ui_draw_frame(struct ui *ui, const struct ui_frame *f);

/* Draws the help overlay for `f`. */
void ui_draw_help(struct ui *ui, const struct ui_frame *f);

/* Draws the "terminal too small" notice. */
void ui_draw_too_small(struct ui *ui);

/* True when the terminal is below the size the layout needs. */
int ui_too_small(void);

/* The keys every list screen and every screen understand, for `?`. */
extern const struct ui_key ui_nav_keys[];
extern const size_t ui_n_nav_keys;
extern const struct ui_key ui_global_keys[];
extern const size_t ui_n_global_keys;

/* Formats a time as "YYYY-MM-DD", with `clock` "YYYY-MM-DD HH:MM UTC",
 * into `out`; "-" for 0. */
void ui_time(time_t t, int clock, char *out, size_t outsz);

/* A screen's zeroed state of `size` bytes, which starts with a struct
 * ui_list (selection shown); NULL on failure, with a message given. */
void *ui_screen_new(struct ui *ui, size_t size);

/* The list at the start of a state made by ui_screen_new(). */
struct ui_list *ui_screen_list(void *st);

/* dialog.c */
/* Opens a yes/no dialog; `on_yes(ui, arg, flag)` runs on yes. With
 * `destructive` the focus starts on No. */
void dialog_confirm(struct ui *ui, const char *title, const char *text,
    int destructive, void (*on_yes)(struct ui *ui, const char *arg, int flag),
    const char *arg, int flag);

/* Opens a dialog that only shows `text` until a key is pressed. */
void dialog_message(struct ui *ui, const char *title, const char *text);

/* Handles a key while a dialog is open; returns UI_* flags. */
int dialog_key(struct ui *ui, int key);

/* Draws the open dialog over the screen. */
void dialog_draw(struct ui *ui);

#endif
