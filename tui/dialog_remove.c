/*
 * dialog_remove: stop managing a certificate (x). The box says what
 * happens and what stays, and goes ahead only once the certificate's
 * name is typed. Then the engine marks its record not managed (so
 * renew --all and the timer, which list the store, pass it by) and,
 * once that is stored, its definition leaves the configuration file,
 * archived first under removed.d beside it so it can be put back by
 * hand. A job running for it blocks the removal: it would store a new
 * version of a certificate nobody manages.
 */
#include "autoconfig.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "config_edit.h"
#include "engine.h"
#include "form.h"
#include "jobs.h"
#include "screen.h"
#include "wizard.h"

enum { REMOVE_GO = 1, REMOVE_CANCEL };

static const struct ui_key remove_keys[] = {
	{ '\r', "Enter", "remove", "stop managing it, once its name is typed",
	  REMOVE_GO },
	{ 27, "Esc", "cancel", "close; nothing changes", REMOVE_CANCEL },
};

struct remove {
	char name[FORM_NAME_MAX];	/* first: see form_named_new() */
	struct form_text typed;
	char note[400];			/* why Enter did nothing, or the outcome */
	uint32_t job;
	int ended;			/* 1 done, -1 failed */
};

static void *
remove_open(struct ui *ui, const char *arg)
{
	return form_named_new(ui, sizeof(struct remove), arg);
}

static void
remove_draw(struct ui *ui, void *st)
{
	struct remove *r = st;
	char text[1024];
	int w = COLS - 4 < 80 ? COLS - 4 : 80, h = LINES - 6 < 18 ? LINES - 6 : 18;
	int x = (COLS - w) / 2 + 2, y = 4, i;

	snprintf(text, sizeof text, " Stop managing %s ", r->name);
	ui_put(ui, 2, x - 2, w, ROLE_DIALOG_BUTTON, text);
	for (i = 3; i < 2 + h; i++)
		ui_put(ui, i, x - 2, w, ROLE_DIALOG, "");
	snprintf(text, sizeof text, "Its definition leaves the config file and is "
	    "archived in %s beside it, to put back by hand. Its certificate, keys "
	    "and every version stay in the state folder. It will no longer be "
	    "renewed, deployed or notified about; e defines it again.",
	    CONFIG_EDIT_REMOVED_DIR "/");
	y += ui_put_wrapped(ui, y, x, w - 4, ROLE_DIALOG, text, 6) + 1;
	if (r->job == 0) {
		form_confirm_draw(ui, y++, x, w - 4, r->name, &r->typed, 1);
	} else if (r->ended == 0)
		ui_put(ui, y++, x, w - 4, ROLE_PENDING, "Marking its record…");
	ui_put_wrapped(ui, y + 1, x, w - 4, r->ended > 0 ? ROLE_OK : ROLE_LOG_ERROR,
	    r->note, 5);
}

/* A job for it still runs: say which, change nothing. */
static int
remove_busy(struct ui *ui, struct remove *r)
{
	const struct jobs_job *job = jobs_latest_for(ui->jobs, r->name);

	if (job == NULL || job->state != JOBS_RUNNING)
		return 0;
	snprintf(r->note, sizeof r->note, "Job #%u for %s is running (now at %s): "
	    "wait for it to end, or cancel it with c, then remove. Nothing was "
	    "changed.", (unsigned)job->id, r->name, event_step_name(job->step));
	return 1;
}

static void
remove_go(struct ui *ui, struct remove *r)
{
	struct engine_cmd *cmd;

	if (strcmp(r->typed.text, r->name) != 0) {
		snprintf(r->note, sizeof r->note, "Type the name %s exactly; nothing "
		    "changes until then.", r->name);
		return;
	}
	if (remove_busy(ui, r))
		return;
	if ((cmd = engine_cmd_new(ENGINE_CMD_MANAGE, r->name)) != NULL)
		cmd->managed = 0;
	r->note[0] = '\0';
	r->job = ui_submit(ui, cmd, "Removal");
}

/* The record is marked: now the definition leaves the file. */
static void
remove_definition(struct ui *ui, struct remove *r)
{
	char archived[600], *owned = NULL;
	const char *path;
	struct err err;
	int rc = -1;

	if ((path = wiz_config_path(ui, &owned, &err)) != NULL)
		rc = config_edit_remove_cert(path, r->name, archived, sizeof archived,
		    &err);
	r->ended = rc < 0 ? -1 : 1;
	if (rc > 0)
		wiz_config_reload(ui);
	if (rc < 0)
		snprintf(r->note, sizeof r->note, "Its record is marked not managed, "
		    "but the definition stays in the config: %.200s", err.msg);
	else if (rc == 0)
		snprintf(r->note, sizeof r->note, "%s is no longer managed (the "
		    "config file had no definition of it). Enter closes.", r->name);
	else
		snprintf(r->note, sizeof r->note, "%s is no longer managed. Its "
		    "definition was archived to %.250s. Enter closes.", r->name,
		    archived);
	free(owned);
	ui_message(ui, rc < 0 ? ROLE_LOG_ERROR : ROLE_STATUSLINE, "%s", r->note);
}

static int
remove_key(struct ui *ui, void *st, int action, int key)
{
	struct remove *r = st;

	if (r->job != 0)
		return r->ended != 0 && (action != 0 || key == 'q') ?
		    UI_HANDLED | UI_CLOSE : UI_HANDLED;
	if (action != REMOVE_GO && action != REMOVE_CANCEL &&
	    form_text_key(&r->typed, key)) {
		r->note[0] = '\0';
		return UI_HANDLED | UI_REDRAW;
	}
	if (action == REMOVE_GO) {
		remove_go(ui, r);
		return UI_HANDLED | UI_REDRAW;
	}
	if (action == REMOVE_CANCEL) {
		ui_message(ui, ROLE_STATUSLINE, "%s: still managed; nothing changed",
		    r->name);
		return UI_HANDLED | UI_CLOSE;
	}
	return key == '?' ? 0 : UI_HANDLED;	/* the box is modal */
}

static int
remove_event(struct ui *ui, void *st, const struct event *ev)
{
	struct remove *r = st;

	if (r->job == 0 || ev->job != r->job || r->ended != 0)
		return 0;
	if (ev->kind == EVENT_DONE)
		remove_definition(ui, r);
	else if (ev->kind == EVENT_FAILED) {
		r->ended = -1;
		snprintf(r->note, sizeof r->note, "Not removed: %.300s. Nothing "
		    "changed. Enter closes.", ev->msg);
	}
	return UI_REDRAW;
}

const struct screen_ops screen_remove_ops = {
	.name = "Stop managing",
	.keys = remove_keys,
	.n_keys = sizeof remove_keys / sizeof remove_keys[0],
	.open = remove_open,
	.close = free,
	.draw = remove_draw,
	.key = remove_key,
	.event = remove_event,
};
