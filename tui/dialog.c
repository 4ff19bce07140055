/*
 * dialog: a modal box over the screen, either a yes/no question or a
 * message to acknowledge. A destructive question starts with the focus
 * on No, so a stray Enter never does harm; the real cursor sits on the
 * focused button.
 */
#include "autoconfig.h"

#include <curses.h>
#include <string.h>

#include "screen.h"

#define DIALOG_LINES_MAX 14

void
dialog_confirm(struct ui *ui, const char *title, const char *text,
    int destructive, void (*on_yes)(struct ui *ui, const char *arg, int flag),
    const char *arg, int flag)
{
	struct ui_dialog *d = &ui->dialog;

	memset(d, 0, sizeof *d);
	d->active = 1;
	d->confirm = 1;
	d->yes = !destructive;
	snprintf(d->title, sizeof d->title, "%s", title);
	snprintf(d->text, sizeof d->text, "%s", text);
	snprintf(d->arg, sizeof d->arg, "%s", arg != NULL ? arg : "");
	d->on_yes = on_yes;
	d->flag = flag;
}

void
dialog_message(struct ui *ui, const char *title, const char *text)
{
	struct ui_dialog *d = &ui->dialog;

	memset(d, 0, sizeof *d);
	d->active = 1;
	snprintf(d->title, sizeof d->title, "%s", title);
	snprintf(d->text, sizeof d->text, "%s", text);
}

int
dialog_key(struct ui *ui, int key)
{
	struct ui_dialog *d = &ui->dialog;
	int yes = -1;

	if (!d->confirm) {
		if (key == '\n' || key == '\r' || key == KEY_ENTER || key == 27 ||
		    key == ' ' || key == 'q')
			d->active = 0;
		return UI_HANDLED | UI_REDRAW;
	}
	switch (key) {
	case 'y': case 'Y': yes = 1; break;
	case 'n': case 'N': case 27: case 'q': yes = 0; break;
	case '\n': case '\r': case KEY_ENTER: yes = d->yes; break;
	case KEY_LEFT: case KEY_RIGHT: case '\t': case 'h': case 'l':
		d->yes = !d->yes;
		break;
	}
	if (yes >= 0) {
		d->active = 0;
		if (yes && d->on_yes != NULL)
			d->on_yes(ui, d->arg, d->flag);
	}
	return UI_HANDLED | UI_REDRAW;
}

void
dialog_draw(struct ui *ui)
{
	struct ui_dialog *d = &ui->dialog;
	char lines[DIALOG_LINES_MAX][256], title[96];
	int w = COLS - 10 < 64 ? COLS - 10 : 64, n, h, y0, x0, i, bx;

	n = ui_wrap(d->text, w - 4, lines, DIALOG_LINES_MAX);
	h = n + 5;
	y0 = (LINES - h) / 2;
	x0 = (COLS - w) / 2;
	snprintf(title, sizeof title, " %s ", d->title);
	ui_put(ui, y0, x0, w, ROLE_DIALOG_BUTTON, title);
	ui_put(ui, y0 + 1, x0, w, ROLE_DIALOG, "");
	for (i = 0; i < n; i++) {
		ui_put(ui, y0 + 2 + i, x0, 2, ROLE_DIALOG, "");
		ui_put(ui, y0 + 2 + i, x0 + 2, w - 2, ROLE_DIALOG, lines[i]);
	}
	ui_put(ui, y0 + 2 + n, x0, w, ROLE_DIALOG, "");
	ui_put(ui, y0 + 3 + n, x0, w, ROLE_DIALOG, "");
	ui_put(ui, y0 + 4 + n, x0, w, ROLE_DIALOG, "");
	bx = x0 + w / 2 - 9;
	if (d->confirm) {
		ui_put(ui, y0 + 3 + n, bx, 7, d->yes ? ROLE_DIALOG_BUTTON : ROLE_DIALOG,
		    "[ Yes ]");
		ui_put(ui, y0 + 3 + n, bx + 11, 6, d->yes ? ROLE_DIALOG : ROLE_DIALOG_BUTTON,
		    "[ No ]");
		move(y0 + 3 + n, d->yes ? bx + 2 : bx + 13);
	} else {
		ui_put(ui, y0 + 3 + n, bx + 5, 6, ROLE_DIALOG_BUTTON, "[ OK ]");
		move(y0 + 3 + n, bx + 7);
	}
}
