/*
 * ui_draw: drawing in theme roles, clipped to display columns, and the
 * parts every screen shares: the top bar, the status line, the footer
 * and the help overlay (both generated from the key tables), list
 * navigation and the notice for a terminal that is too small.
 */
#include "autoconfig.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "jobs.h"
#include "screen.h"

/* The smallest terminal the layout is made for. */
#define UI_MIN_COLS 80
#define UI_MIN_ROWS 24
/* Columns at the right of the top bar a screen may fill with a note. */
#define UI_HEADER_NOTE 24

const struct ui_key ui_nav_keys[] = {
	{ KEY_UP, "Up/k", NULL, "previous row", 0 },
	{ KEY_DOWN, "Down/j", NULL, "next row", 0 },
	{ KEY_PPAGE, "PgUp/PgDn", NULL, "a page up or down", 0 },
	{ KEY_HOME, "g/Home", NULL, "first row", 0 },
	{ KEY_END, "G/End", NULL, "last row", 0 },
	{ KEY_MOUSE, "wheel/click", NULL, "scroll, select a row", 0 },
};
const size_t ui_n_nav_keys = sizeof ui_nav_keys / sizeof ui_nav_keys[0];

static short
ui_colour(short c)
{
	/* A bright colour on an 8-colour terminal falls back to the base. */
	if (c >= COLORS)
		return c >= 8 && c < 16 ? (short)(c - 8) : -1;
	return c;
}

void
ui_theme_apply(struct ui *ui)
{
	int i;

	if (!ui->colour || ui->theme.mono)
		return;
	for (i = 0; i < ROLE_COUNT; i++)
		init_pair((short)(i + 1), ui_colour(ui->theme.style[i].fg),
		    ui_colour(ui->theme.style[i].bg));
}

int
ui_attr(const struct ui *ui, enum theme_role role)
{
	const struct theme_style *st = &ui->theme.style[role];
	int a = A_NORMAL;

	if (st->attrs & THEME_A_BOLD)
		a |= A_BOLD;
	if (st->attrs & THEME_A_REVERSE)
		a |= A_REVERSE;
	if (st->attrs & THEME_A_UNDERLINE)
		a |= A_UNDERLINE;
	if (st->attrs & THEME_A_DIM)
		a |= A_DIM;
	if (st->attrs & THEME_A_ITALIC)
		a |= A_ITALIC;
	if (st->attrs & THEME_A_STANDOUT)
		a |= A_STANDOUT;
	if (ui->colour && !ui->theme.mono)
		a |= COLOR_PAIR(role + 1);
	return a;
}

/* Bytes of `text` that fit in `width` columns; `*cols` gets their width. */
static size_t
ui_fit(const char *text, int width, int *cols)
{
	mbstate_t ps;
	size_t off = 0, len = strlen(text), n;
	wchar_t wc;
	int w, used = 0;

	memset(&ps, 0, sizeof ps);
	while (off < len) {
		n = mbrtowc(&wc, text + off, len - off, &ps);
		if (n == (size_t)-1 || n == (size_t)-2) {
			/* Not valid here: one byte, shown by curses as one cell. */
			memset(&ps, 0, sizeof ps);
			n = 1;
			w = 1;
		} else if ((w = wcwidth(wc)) < 0)
			w = 1;
		if (n == 0 || used + w > width)
			break;
		used += w;
		off += n;
	}
	*cols = used;
	return off;
}

int
ui_width(const char *text)
{
	int cols;

	(void)ui_fit(text, 1 << 20, &cols);
	return cols;
}

int
ui_put(const struct ui *ui, int y, int x, int width, enum theme_role role,
    const char *text)
{
	int cols;
	size_t n;

	if (width <= 0 || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + width > COLS)
		width = COLS - x;
	n = ui_fit(text, width, &cols);
	attrset(ui_attr(ui, role));
	mvaddnstr(y, x, text, (int)n);
	if (cols < width)
		mvhline(y, x + cols, ' ', width - cols);
	attrset(A_NORMAL);
	return width;
}

int
ui_wrap(const char *text, int w, char lines[][256], int max)
{
	int n = 0;

	while (*text != '\0' && n < max) {
		size_t len = strcspn(text, "\n"), cut, i;
		char *piece = lines[n++];

		cut = len < 255 ? len : 255;
		memcpy(piece, text, cut);
		piece[cut] = '\0';
		while (ui_width(piece) > w) {
			for (i = cut; i > 1 && piece[i - 1] != ' '; i--)
				;
			if (i > 1)
				cut = i - 1;
			else
				do
					cut--;
				while (cut > 0 && (piece[cut] & 0xc0) == 0x80);
			piece[cut] = '\0';
		}
		text += cut;
		if (*text == '\n')
			text++;
		else
			while (*text == ' ')
				text++;
	}
	return n;
}

int
ui_put_wrapped(const struct ui *ui, int y, int x, int width, enum theme_role role,
    const char *text, int max_rows)
{
	char lines[8][256];
	int n, i;

	n = ui_wrap(text, width, lines, max_rows < 8 ? max_rows : 8);
	for (i = 0; i < n; i++)
		ui_put(ui, y + i, x, width, role, lines[i]);
	return n > 0 ? n : 1;
}

int
ui_put_right(const struct ui *ui, int y, int x, int width, enum theme_role role,
    const char *text)
{
	int w = ui_width(text);

	if (w >= width)
		return ui_put(ui, y, x, width, role, text);
	ui_put(ui, y, x, width - w, role, "");
	ui_put(ui, y, x + width - w, w, role, text);
	return width;
}

void
ui_time(time_t t, int clock, char *out, size_t outsz)
{
	struct tm tm;

	if (t == 0) {
		snprintf(out, outsz, "-");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(out, outsz, clock ? "%Y-%m-%d %H:%M UTC" : "%Y-%m-%d", &tm);
}

void *
ui_screen_new(struct ui *ui, size_t size)
{
	struct ui_list *l = calloc(1, size);

	if (l == NULL)
		ui_message(ui, ROLE_LOG_ERROR, "out of memory");
	else
		l->cursor = 1;
	return l;
}

struct ui_list *
ui_screen_list(void *st)
{
	return st;
}

void
ui_list_fit(struct ui_list *l, int y0, int rows)
{
	size_t page = rows > 0 ? (size_t)rows : 1;

	l->y0 = y0;
	l->rows = rows;
	if (!l->cursor) {
		/* A pager: only the top line moves. */
		if (l->n <= page)
			l->top = 0;
		else if (l->top > l->n - page)
			l->top = l->n - page;
		l->sel = l->top;
		return;
	}
	if (l->n == 0) {
		l->sel = l->top = 0;
		return;
	}
	if (l->sel >= l->n)
		l->sel = l->n - 1;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + page)
		l->top = l->sel - page + 1;
	if (l->n > page && l->top > l->n - page)
		l->top = l->n - page;
}

static void
ui_list_move(struct ui_list *l, long delta)
{
	size_t *p = l->cursor ? &l->sel : &l->top;

	if (delta < 0)
		*p = (size_t)-delta > *p ? 0 : *p - (size_t)-delta;
	else
		*p = *p + (size_t)delta >= l->n ? (l->n ? l->n - 1 : 0) : *p + (size_t)delta;
}

static int
ui_list_mouse(struct ui_list *l)
{
	MEVENT me;

	if (getmouse(&me) != OK)
		return UI_HANDLED;
	if (me.bstate & BUTTON4_PRESSED)
		ui_list_move(l, -3);
	else if (me.bstate & BUTTON5_PRESSED)
		ui_list_move(l, 3);
	else if ((me.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) && l->cursor &&
	    me.y >= l->y0 && me.y < l->y0 + l->rows &&
	    l->top + (size_t)(me.y - l->y0) < l->n)
		l->sel = l->top + (size_t)(me.y - l->y0);
	else
		return UI_HANDLED;
	return UI_HANDLED | UI_REDRAW;
}

int
ui_list_key(struct ui *ui, struct ui_list *l, int key)
{
	long page = l->rows > 1 ? l->rows - 1 : 1;

	(void)ui;
	switch (key) {
	case KEY_UP: case 'k': ui_list_move(l, -1); break;
	case KEY_DOWN: case 'j': ui_list_move(l, 1); break;
	case KEY_PPAGE: ui_list_move(l, -page); break;
	case KEY_NPAGE: case ' ': ui_list_move(l, page); break;
	case KEY_HOME: case 'g': ui_list_move(l, -(long)l->n); break;
	case KEY_END: case 'G': ui_list_move(l, (long)l->n); break;
	case KEY_MOUSE: return ui_list_mouse(l);
	default: return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

/* The renewal schedule in the top bar, left of the columns screens keep
 * for a note of their own ("3/9 shown"); shorter when the tabs leave
 * little room, "!" beside the warning colour. */
static void
ui_draw_schedule(struct ui *ui, int x)
{
	const struct schedule_view *v = &ui->schedule;
	int none = v->kind == SCHEDULE_NONE, right = COLS - UI_HEADER_NOTE;
	int room = right - x - 1, w;
	const char *brief = none ? "! not scheduled" :
	    v->warn ? "! auto-renew" : "auto-renew";
	char full[64];
	const char *text;

	if (none)
		snprintf(full, sizeof full, "! renewal not scheduled");
	else
		snprintf(full, sizeof full, "%sauto-renew: %s", v->warn ? "! " : "",
		    v->text);
	text = ui_width(full) <= room ? full : brief;
	if ((w = ui_width(text)) > room)
		return;
	ui_put(ui, 0, right - w, w, none || v->warn ? ROLE_LOG_WARN : ROLE_HEADER,
	    text);
}

static void
ui_draw_header(struct ui *ui, const struct ui_frame *f)
{
	static const char *const tabs[UI_TOP_SCREENS] = {
		"1 Certificates", "2 Accounts", "3 Orders", "4 Activity"
	};
	int x = 0, i;

	ui_put(ui, 0, 0, COLS, ROLE_HEADER, "");
	x += ui_put(ui, 0, x, 10, ROLE_HEADER, " certdeck ");
	for (i = 0; i < UI_TOP_SCREENS; i++) {
		char tab[32];
		int active = i == ui->top_i;

		snprintf(tab, sizeof tab, " %s ", tabs[i]);
		x += ui_put(ui, 0, x, ui_width(tab), active ? ROLE_TAB_ACTIVE : ROLE_TAB,
		    tab);
	}
	if (ui->depth > 0)
		x += 1 + ui_put(ui, 0, x + 1, ui_width(f->ops->name) + 2, ROLE_HEADER,
		    f->ops->name);
	ui_draw_schedule(ui, x);
}

static void
ui_draw_statusline(struct ui *ui)
{
	static const enum theme_role level_roles[] = {
		ROLE_STATUSLINE, ROLE_STATUSLINE, ROLE_LOG_WARN, ROLE_LOG_ERROR
	};
	char right[48] = "";
	int w;

	if (ui->jobs->running > 0)
		snprintf(right, sizeof right, " %zu job%s running ", ui->jobs->running,
		    ui->jobs->running == 1 ? "" : "s");
	w = ui_width(right);
	if (ui->message[0] != '\0')
		ui_put(ui, LINES - 2, 0, COLS - w, ui->message_role, ui->message);
	else if (ui->jobs->last[0] != '\0') {
		char line[sizeof ui->jobs->last + 2];

		snprintf(line, sizeof line, " %s", ui->jobs->last);
		ui_put(ui, LINES - 2, 0, COLS - w, ui->jobs->last_level < 4 ?
		    level_roles[ui->jobs->last_level] : ROLE_STATUSLINE, line);
	} else
		ui_put(ui, LINES - 2, 0, COLS - w, ROLE_STATUSLINE, " no events yet");
	ui_put(ui, LINES - 2, COLS - w, w, ROLE_STATUSLINE, right);
}

static int
ui_footer_item(struct ui *ui, int x, const char *key, const char *label)
{
	int kw = ui_width(key), lw = ui_width(label);

	if (x + kw + lw + 2 > COLS)
		return x;
	x += ui_put(ui, LINES - 1, x, kw, ROLE_FOOTER_KEY, key);
	x += ui_put(ui, LINES - 1, x, lw + 2, ROLE_FOOTER, label);
	return x;
}

void
ui_draw_frame(struct ui *ui, const struct ui_frame *f)
{
	char label[64];
	int x = 0;
	size_t i;

	ui_draw_header(ui, f);
	ui_draw_statusline(ui);
	ui_put(ui, LINES - 1, 0, COLS, ROLE_FOOTER, "");
	for (i = 0; i < f->ops->n_keys; i++)
		if (f->ops->keys[i].label != NULL) {
			snprintf(label, sizeof label, " %s", f->ops->keys[i].label);
			x = ui_footer_item(ui, x, f->ops->keys[i].name, label);
		}
	x = ui_footer_item(ui, x, "?", " help");
	x = ui_footer_item(ui, x, "Tab", " screens");
	x = ui_footer_item(ui, x, "T", " theme");
	(void)ui_footer_item(ui, x, "q", ui->depth > 0 ? " back" : " quit");
}

static int
ui_help_section(struct ui *ui, int y, int x, int w, int *skip, const char *title,
    const struct ui_key *keys, size_t n)
{
	size_t i;

	if (y >= LINES - 3)
		return y;
	if ((*skip)-- <= 0)
		ui_put(ui, y++, x, w, ROLE_TITLE, title);
	for (i = 0; i < n && y < LINES - 3; i++) {
		char line[160];

		if (keys[i].help == NULL || (*skip)-- > 0)
			continue;
		snprintf(line, sizeof line, "  %-13s %s", keys[i].name, keys[i].help);
		ui_put(ui, y++, x, w, ROLE_DIALOG, line);
	}
	return y;
}

void
ui_draw_help(struct ui *ui, const struct ui_frame *f)
{
	int w = COLS - 8 < 72 ? COLS - 8 : 72, x = (COLS - w) / 2, y = 2, skip = ui->help - 1;
	char title[96];

	snprintf(title, sizeof title, " Keys: %s (Esc or ? closes; j/k scroll) ",
	    f->ops->name);
	ui_put(ui, 1, x, w, ROLE_DIALOG_BUTTON, title);
	y = ui_help_section(ui, y, x, w, &skip, " This screen", f->ops->keys,
	    f->ops->n_keys);
	if (f->ops->list != NULL)
		y = ui_help_section(ui, y, x, w, &skip, " Moving", ui_nav_keys,
		    ui_n_nav_keys);
	y = ui_help_section(ui, y, x, w, &skip, " Everywhere", ui_global_keys,
	    ui_n_global_keys);
	while (y < LINES - 3 && y < 2 + 30)
		ui_put(ui, y++, x, w, ROLE_DIALOG, "");
}

void
ui_draw_too_small(struct ui *ui)
{
	char line[96];
	int y = LINES / 2;

	erase();
	snprintf(line, sizeof line, "Terminal too small: %dx%d, certdeck needs %dx%d.",
	    COLS, LINES, UI_MIN_COLS, UI_MIN_ROWS);
	ui_put(ui, y > 0 ? y - 1 : 0, 0, COLS, ROLE_TITLE, line);
	ui_put(ui, y, 0, COLS, ROLE_NORMAL, "Make the window larger, or press q to quit.");
}

int
ui_too_small(void)
{
	return COLS < UI_MIN_COLS || LINES < UI_MIN_ROWS;
}
