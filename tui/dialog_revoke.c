/*
 * dialog_revoke: revoking a certificate from the screens (D or Del). A
 * box lists the reasons a subscriber may give (RFC 5280 codes the CAs
 * accept) with what each means, offers to sign with the certificate's
 * own key when the key was compromised, and goes ahead only once the
 * certificate's name is typed: a stray Enter revokes nothing. Then it
 * shows the job's steps as they come and the certificate's new status.
 */
#include "autoconfig.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "certlist.h"
#include "engine.h"
#include "form.h"
#include "jobs.h"
#include "screen.h"

enum { REVOKE_NEXT = 1, REVOKE_PREV, REVOKE_UP, REVOKE_DOWN, REVOKE_TOGGLE,
	REVOKE_GO, REVOKE_CANCEL };

static const struct ui_key revoke_keys[] = {
	{ '\t', "Tab/S-Tab", "field", "next or previous field", REVOKE_NEXT },
	{ KEY_BTAB, "S-Tab", NULL, NULL, REVOKE_PREV },
	{ KEY_UP, "Up/Down", "reason", "choose the reason", REVOKE_UP },
	{ KEY_DOWN, "Down", NULL, NULL, REVOKE_DOWN },
	{ ' ', "Space", "key", "sign with the certificate's key (keyCompromise)",
	  REVOKE_TOGGLE },
	{ '\r', "Enter", "revoke", "revoke, once the certificate's name is typed",
	  REVOKE_GO },
	{ 27, "Esc", "cancel", "close; nothing is revoked", REVOKE_CANCEL },
};

/* The reasons a subscriber may give, RFC 5280 §5.3.1 codes. */
static const struct {
	int code;
	const char *name, *why;
} revoke_reasons[] = {
	{ 0, "unspecified", "no reason given: it simply stops being trusted" },
	{ 1, "keyCompromise", "the private key was lost, stolen or exposed" },
	{ 4, "superseded", "a new certificate replaces this one" },
	{ 5, "cessationOfOperation", "the sites it names are shut down" },
	{ 3, "affiliationChanged", "the names no longer belong to you" },
};
#define REVOKE_N_REASONS (sizeof revoke_reasons / sizeof revoke_reasons[0])
#define REVOKE_KEY_COMPROMISE 1

enum { FOCUS_REASON, FOCUS_KEY, FOCUS_NAME, FOCUS_N };

struct revoke {
	char name[FORM_NAME_MAX];	/* first: see form_named_new() */
	size_t reason;			/* in revoke_reasons */
	int with_key;
	int focus;
	struct form_text typed;
	char note[160];			/* why Enter did nothing */
	uint32_t job;
	int ended;			/* 1 done, -1 failed */
};

static void *
revoke_open(struct ui *ui, const char *arg)
{
	return form_named_new(ui, sizeof(struct revoke), arg);
}

/* The certificate's status word from the list, after the job. */
static const char *
revoke_status(struct ui *ui, const char *name)
{
	const struct cert_row *row = certlist_at(ui->certs,
	    certlist_find(ui->certs, name));

	return row != NULL ? status_name(row->status) : "unknown";
}

static void
revoke_draw_form(struct ui *ui, struct revoke *r, int y, int x, int w)
{
	char line[256];
	size_t i;
	int sel;

	ui_put(ui, y++, x, w, ROLE_DIALOG, "Why? (the CA publishes the reason)");
	for (i = 0; i < REVOKE_N_REASONS; i++) {
		sel = i == r->reason;
		snprintf(line, sizeof line, " (%s) %-21s %s", sel ? "*" : " ",
		    revoke_reasons[i].name, revoke_reasons[i].why);
		ui_put(ui, y, x, w, sel && r->focus == FOCUS_REASON ?
		    ROLE_SELECTED : ROLE_DIALOG, line);
		if (sel && r->focus == FOCUS_REASON) {
			ui->cursor_y = y;
			ui->cursor_x = x + 2;
		}
		y++;
	}
	y++;
	if (revoke_reasons[r->reason].code == REVOKE_KEY_COMPROMISE) {
		snprintf(line, sizeof line, "[%s] sign with the certificate's own key "
		    "(no account needed)", r->with_key ? "x" : " ");
		ui_put(ui, y, x, w, r->focus == FOCUS_KEY ? ROLE_SELECTED :
		    ROLE_DIALOG, line);
		if (r->focus == FOCUS_KEY) {
			ui->cursor_y = y;
			ui->cursor_x = x + 1;
		}
	} else
		ui_put(ui, y, x, w, ROLE_DIALOG, "");
	y += 2;
	form_confirm_draw(ui, y++, x, w, r->name, &r->typed, r->focus == FOCUS_NAME);
	ui_put(ui, y, x, w, ROLE_LOG_ERROR, r->note);
}

static void
revoke_draw_job(struct ui *ui, struct revoke *r, int y, int x, int w, int rows)
{
	char line[256];

	snprintf(line, sizeof line, "Job #%u: revoking %s (%s)%s", (unsigned)r->job,
	    r->name, revoke_reasons[r->reason].name, r->with_key ?
	    ", signed with the certificate's key" : "");
	ui_put(ui, y++, x, w, ROLE_DIALOG, line);
	y += form_job_draw(ui, r->job, y, x, w, rows - 4);
	if (r->ended != 0) {
		snprintf(line, sizeof line, "%s. Status now: %s. Enter or Esc closes.",
		    r->ended > 0 ? "Done" : "Failed", revoke_status(ui, r->name));
		ui_put(ui, y + 1, x, w, r->ended > 0 ? ROLE_REVOKED : ROLE_LOG_ERROR,
		    line);
	}
}

static void
revoke_draw(struct ui *ui, void *st)
{
	struct revoke *r = st;
	char title[128];
	int w = COLS - 4 < 80 ? COLS - 4 : 80, h = LINES - 6 < 18 ? LINES - 6 : 18;
	int x0 = (COLS - w) / 2, y0 = 2, i;

	snprintf(title, sizeof title, " Revoke %s ", r->name);
	ui_put(ui, y0, x0, w, ROLE_DIALOG_BUTTON, title);
	for (i = 1; i < h; i++)
		ui_put(ui, y0 + i, x0, w, ROLE_DIALOG, "");
	if (r->job == 0)
		revoke_draw_form(ui, r, y0 + 2, x0 + 2, w - 4);
	else
		revoke_draw_job(ui, r, y0 + 2, x0 + 2, w - 4, h - 2);
}

static void
revoke_go(struct ui *ui, struct revoke *r)
{
	struct engine_cmd *cmd;

	if (strcmp(r->typed.text, r->name) != 0) {
		snprintf(r->note, sizeof r->note, "Type the name %s exactly; nothing "
		    "is revoked until then.", r->name);
		r->focus = FOCUS_NAME;
		return;
	}
	if ((cmd = engine_cmd_new(ENGINE_CMD_REVOKE, r->name)) != NULL) {
		cmd->reason = revoke_reasons[r->reason].code;
		cmd->with_cert_key = r->with_key &&
		    cmd->reason == REVOKE_KEY_COMPROMISE;
	}
	r->job = ui_submit(ui, cmd, "Revocation");
}

static void
revoke_move_focus(struct revoke *r, int step)
{
	do
		r->focus = (r->focus + step + FOCUS_N) % FOCUS_N;
	while (r->focus == FOCUS_KEY &&
	    revoke_reasons[r->reason].code != REVOKE_KEY_COMPROMISE);
}

static int
revoke_key(struct ui *ui, void *st, int action, int key)
{
	struct revoke *r = st;

	if (r->job != 0)
		return action == REVOKE_GO || action == REVOKE_CANCEL || key == 'q' ?
		    UI_HANDLED | UI_CLOSE : UI_HANDLED;
	if (r->focus == FOCUS_NAME && action != REVOKE_GO && form_text_key(&r->typed, key)) {
		r->note[0] = '\0';
		return UI_HANDLED | UI_REDRAW;
	}
	switch (action) {
	case REVOKE_NEXT: revoke_move_focus(r, 1); break;
	case REVOKE_PREV: revoke_move_focus(r, -1); break;
	case REVOKE_UP:
	case REVOKE_DOWN:
		r->focus = FOCUS_REASON;
		r->reason = (r->reason + (action == REVOKE_UP ? REVOKE_N_REASONS - 1 :
		    1)) % REVOKE_N_REASONS;
		break;
	case REVOKE_TOGGLE:
		if (r->focus == FOCUS_KEY)
			r->with_key = !r->with_key;
		break;
	case REVOKE_GO:
		if (r->focus == FOCUS_NAME)
			revoke_go(ui, r);
		else
			revoke_move_focus(r, 1);
		break;
	case REVOKE_CANCEL:
		ui_message(ui, ROLE_STATUSLINE, "%s: not revoked", r->name);
		return UI_HANDLED | UI_CLOSE;
	default:
		return key == '?' ? 0 : UI_HANDLED;	/* the box is modal */
	}
	return UI_HANDLED | UI_REDRAW;
}

static int
revoke_event(struct ui *ui, void *st, const struct event *ev)
{
	struct revoke *r = st;

	(void)ui;
	if (r->job == 0 || ev->job != r->job)
		return 0;
	if (ev->kind == EVENT_DONE)
		r->ended = 1;
	else if (ev->kind == EVENT_FAILED)
		r->ended = -1;
	return UI_REDRAW;
}

const struct screen_ops screen_revoke_ops = {
	.name = "Revoke",
	.keys = revoke_keys,
	.n_keys = sizeof revoke_keys / sizeof revoke_keys[0],
	.open = revoke_open,
	.close = free,
	.draw = revoke_draw,
	.key = revoke_key,
	.event = revoke_event,
};
