/*
 * screen_accounts: the Accounts screen, one row per account in the store
 * (accounts/CA_ID/NAME/account.json): CA, name, status, key, created,
 * contact and URL; Enter opens the account's detail.
 */
#include "autoconfig.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "screen.h"
#include "store.h"

struct acct_row {
	char id[160];			/* CA_ID/NAME */
	struct account_rec rec;
	int found;
};

struct accounts {
	struct ui_list list;		/* first: see ui_screen_new() */
	struct acct_row *rows;
	size_t n;
};

static const struct ui_key accounts_keys[] = {
	{ '\r', "Enter", "detail", "details of the selected account", 1 },
};

static void
accounts_clear(struct accounts *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		account_rec_free(&a->rows[i].rec);
	free(a->rows);
	a->rows = NULL;
	a->n = 0;
}

static void
accounts_add(struct ui *ui, struct accounts *a, const char *ca, const char *name)
{
	struct acct_row *grown, *r;

	if ((grown = realloc(a->rows, (a->n + 1) * sizeof *grown)) == NULL)
		return;
	a->rows = grown;
	r = &a->rows[a->n++];
	memset(r, 0, sizeof *r);
	snprintf(r->id, sizeof r->id, "%s/%s", ca, name);
	r->found = account_load(ui->store, ca, name, &r->rec, NULL) == 1;
}

static void
accounts_load(struct ui *ui, struct accounts *a)
{
	char **cas = NULL, **names, path[256];
	size_t n = 0, m, i, j;

	accounts_clear(a);
	if (store_dir_list(ui->store, "accounts", &cas, &n, NULL) != 0)
		return;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "accounts/%s", cas[i]);
		if (store_dir_list(ui->store, path, &names, &m, NULL) != 0)
			continue;
		for (j = 0; j < m; j++)
			accounts_add(ui, a, cas[i], names[j]);
		store_names_free(names, m);
	}
	store_names_free(cas, n);
	a->list.n = a->n;
}

static void *
accounts_open(struct ui *ui, const char *arg)
{
	struct accounts *a = ui_screen_new(ui, sizeof *a);

	(void)arg;
	if (a != NULL)
		accounts_load(ui, a);
	return a;
}

static void
accounts_close(void *st)
{
	accounts_clear(st);
	free(st);
}

static void
accounts_draw(struct ui *ui, void *st)
{
	static const struct { const char *head; int w; } cols[] = {
		{ "CA", 20 }, { "ACCOUNT", 12 }, { "STATUS", 12 }, { "KEY", 7 },
		{ "CREATED", 21 }, { "CONTACT", 26 }, { "URL", 0 },
	};
	struct accounts *a = st;
	int rows = LINES - 4, x = 0, i, y;
	size_t k;

	for (i = 0; i < 7; i++)
		x += ui_put(ui, 1, x, cols[i].w ? cols[i].w : COLS - x, ROLE_COLUMNS,
		    cols[i].head);
	ui_list_fit(&a->list, 2, rows);
	if (a->n == 0)
		ui_put(ui, 3, 2, COLS - 2, ROLE_DIM, "No accounts yet: the first "
		    "renewal or 'certdeck account register' creates one.");
	for (y = 0; y < rows && a->list.top + (size_t)y < a->n; y++) {
		const struct acct_row *r = &a->rows[a->list.top + (size_t)y];
		int sel = a->list.top + (size_t)y == a->list.sel;
		enum theme_role role = sel ? ROLE_SELECTED : ROLE_NORMAL, st_role = role;
		const char *status = r->found && r->rec.status ? r->rec.status : "unregistered";
		char text[300];

		if (!sel)
			st_role = strcmp(status, "valid") == 0 ? ROLE_OK : ROLE_FAILED;
		x = 0;
		snprintf(text, sizeof text, "%.*s", (int)strcspn(r->id, "/"), r->id);
		x += ui_put(ui, 2 + y, x, cols[0].w, role, text);
		x += ui_put(ui, 2 + y, x, cols[1].w, role, strchr(r->id, '/') + 1);
		snprintf(text, sizeof text, "%s %s", strcmp(status, "valid") == 0 ?
		    (ui->utf8 ? "✓" : "+") : (ui->utf8 ? "✗" : "x"), status);
		x += ui_put(ui, 2 + y, x, cols[2].w, st_role, text);
		x += ui_put(ui, 2 + y, x, cols[3].w, role, r->rec.key_type ? r->rec.key_type : "-");
		x += ui_put(ui, 2 + y, x, cols[4].w, role, r->rec.created ? r->rec.created : "-");
		text[0] = '\0';
		for (k = 0; k < r->rec.n_contacts; k++)
			snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s",
			    k ? ", " : "", r->rec.contacts[k]);
		x += ui_put(ui, 2 + y, x, cols[5].w, role, text[0] ? text : "-");
		ui_put(ui, 2 + y, x, COLS - x, role, r->rec.url ? r->rec.url : "-");
	}
}

static int
accounts_key(struct ui *ui, void *st, int action, int key)
{
	struct accounts *a = st;

	(void)key;
	if (action != 1 || a->list.sel >= a->n)
		return 0;
	(void)ui_push(ui, &screen_account_detail_ops, a->rows[a->list.sel].id);
	return UI_HANDLED | UI_REDRAW;
}

static int
accounts_event(struct ui *ui, void *st, const struct event *ev)
{
	if (ev->kind != EVENT_STATE_CHANGED || ev->object != OBJECT_ACCOUNT)
		return 0;
	accounts_load(ui, st);
	return UI_REDRAW;
}

const struct screen_ops screen_accounts_ops = {
	.name = "Accounts",
	.keys = accounts_keys,
	.n_keys = sizeof accounts_keys / sizeof accounts_keys[0],
	.open = accounts_open,
	.close = accounts_close,
	.draw = accounts_draw,
	.key = accounts_key,
	.event = accounts_event,
	.list = ui_screen_list,
};
