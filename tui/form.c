/*
 * form: text fields and a job's live log for the dialogs and the
 * wizard (see form.h). Fields hold UTF-8 and are cut on character
 * boundaries only, so what is drawn is never half a character.
 */
#include "autoconfig.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "form.h"
#include "jobs.h"
#include "screen.h"

/* ui.c marks a character at or past KEY_MIN with this bit. */
#define FORM_WIDE 0x40000000

int
form_text_key(struct form_text *t, int key)
{
	size_t len = strlen(t->text);
	char mb[MB_LEN_MAX];
	int n;

	if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		while (len > 0 && (t->text[--len] & 0xc0) == 0x80)
			;
		t->text[len] = '\0';
		return 1;
	}
	if (key == 21) {	/* Ctrl-U, as in a shell */
		t->text[0] = '\0';
		return 1;
	}
	if (key < ' ' || key == 127 || (key >= KEY_MIN && !(key & FORM_WIDE)))
		return 0;
	if ((n = wctomb(mb, (wchar_t)(key & ~FORM_WIDE))) > 0 &&
	    len + (size_t)n < sizeof t->text) {
		memcpy(t->text + len, mb, (size_t)n);
		t->text[len + (size_t)n] = '\0';
	}
	return 1;
}

void
form_text_set(struct form_text *t, const char *text)
{
	size_t len = strlen(text);

	if (len >= sizeof t->text) {
		len = sizeof t->text - 1;
		while (len > 0 && (text[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(t->text, text, len);
	t->text[len] = '\0';
}

void
form_text_draw(struct ui *ui, int y, int x, int w, int lw, const char *label,
    const struct form_text *t, int focused)
{
	const char *shown = t->text;
	int fw = w - lw - 2, used;

	ui_put(ui, y, x, lw, focused ? ROLE_TITLE : ROLE_LABEL, label);
	/* Keep the end in view: that is where typing happens. */
	while (*shown != '\0' && ui_width(shown) > fw - 1)
		do
			shown++;
		while ((*shown & 0xc0) == 0x80);
	ui_put(ui, y, x + lw, 1, ROLE_DIALOG, "[");
	used = ui_put(ui, y, x + lw + 1, fw, focused ? ROLE_SELECTED : ROLE_DIALOG,
	    shown);
	ui_put(ui, y, x + lw + 1 + used, 1, ROLE_DIALOG, "]");
	if (focused) {
		ui->cursor_y = y;
		ui->cursor_x = x + lw + 1 + ui_width(shown);
	}
}

int
form_job_draw(struct ui *ui, uint32_t job, int y, int x, int w, int rows)
{
	static const enum theme_role roles[] = { ROLE_LOG_DEBUG, ROLE_LOG_INFO,
		ROLE_LOG_WARN, ROLE_LOG_ERROR };
	const struct jobs_line *l;
	size_t i, n = 0, first = 0;
	int drawn = 0;

	if (rows <= 0)
		return 0;
	for (i = 0; (l = jobs_line_at(ui->jobs, i)) != NULL; i++)
		if (l->job == job && ++n > (size_t)rows)
			first++;
	for (i = 0, n = 0; (l = jobs_line_at(ui->jobs, i)) != NULL; i++) {
		if (l->job != job || n++ < first)
			continue;
		ui_put(ui, y + drawn++, x, w, l->level < 4 ? roles[l->level] :
		    ROLE_NORMAL, l->text);
	}
	return drawn;
}

void *
form_named_new(struct ui *ui, size_t size, const char *name)
{
	char *st;

	if ((st = calloc(1, size)) == NULL) {
		ui_message(ui, ROLE_LOG_ERROR, "out of memory");
		return NULL;
	}
	snprintf(st, FORM_NAME_MAX, "%s", name != NULL ? name : "");
	return st;
}

void
form_confirm_draw(struct ui *ui, int y, int x, int w, const char *name,
    const struct form_text *typed, int focused)
{
	char label[FORM_NAME_MAX + 32];

	snprintf(label, sizeof label, "Type %s to confirm: ", name);
	form_text_draw(ui, y, x, w, ui_width(label), label, typed, focused);
}
