/*
 * screen_orders: the Orders screen. Orders of this session come from the
 * engine's events (job, certificate, step, and each identifier's
 * authorization state as it goes pending → processing → valid); orders
 * an earlier run left in flight come from STATE/orders/NAME.json. Rows
 * are rebuilt from both whenever an event arrives.
 */
#include "autoconfig.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jobs.h"
#include "json.h"
#include "screen.h"
#include "store.h"

#define ORDERS_DOC_MAX (64 * 1024)

struct order_row {
	const struct jobs_job *job;	/* NULL: from an earlier run */
	const struct jobs_ident *ident;	/* set on an identifier's row */
	char subject[80];
	char detail[300];		/* disk orders: names and URL */
};

struct orders {
	struct ui_list list;		/* first: see ui_screen_new() */
	struct order_row *rows;
	size_t n, cap;
	char **disk;			/* orders/ names with .json */
	size_t n_disk;
	char **disk_text;
};

static const struct ui_key orders_keys[] = {
	{ '\r', "Enter", "detail", "details of the order's certificate", 1 },
};

static struct order_row *
orders_row(struct orders *o)
{
	struct order_row *grown;

	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 32;

		if ((grown = realloc(o->rows, cap * sizeof *grown)) == NULL)
			return NULL;
		o->rows = grown;
		o->cap = cap;
	}
	memset(&o->rows[o->n], 0, sizeof o->rows[0]);
	return &o->rows[o->n++];
}

static void
orders_disk_free(struct orders *o)
{
	size_t i;

	for (i = 0; i < o->n_disk; i++) {
		free(o->disk[i]);
		free(o->disk_text[i]);
	}
	free(o->disk);
	free(o->disk_text);
	o->disk = o->disk_text = NULL;
	o->n_disk = 0;
}

/* One line about an order record: its names and URL. */
static char *
orders_disk_text(struct ui *ui, const char *file)
{
	struct buf b;
	json_t *doc, *names, *v;
	char path[300], text[300];
	size_t i, len = 0;

	snprintf(path, sizeof path, "orders/%s", file);
	buf_init(&b, ORDERS_DOC_MAX);
	text[0] = '\0';
	if (store_doc_read(ui->store, path, ORDERS_DOC_MAX, &b, NULL) == 0 &&
	    (doc = json_parse_untrusted((const char *)b.data, b.len, path, NULL)) != NULL) {
		names = json_arr(doc, "names");
		json_array_foreach(names, i, v)
			if (json_is_string(v) && len < sizeof text - 2)
				len += (size_t)snprintf(text + len, sizeof text - len, "%s%s",
				    i ? ", " : "", json_string_value(v));
		if (json_str(doc, "url") != NULL && len < sizeof text - 2)
			snprintf(text + len, sizeof text - len, "  %s", json_str(doc, "url"));
		json_decref(doc);
	}
	buf_free(&b);
	return strdup(text);
}

static void
orders_load_disk(struct ui *ui, struct orders *o)
{
	char **names = NULL;
	size_t n = 0, i, len;

	orders_disk_free(o);
	if (store_dir_list(ui->store, "orders", &names, &n, NULL) != 0)
		return;
	o->disk = calloc(n ? n : 1, sizeof *o->disk);
	o->disk_text = calloc(n ? n : 1, sizeof *o->disk_text);
	for (i = 0; o->disk != NULL && o->disk_text != NULL && i < n; i++) {
		len = strlen(names[i]);
		if (len <= 5 || strcmp(names[i] + len - 5, ".json") != 0)
			continue;
		o->disk_text[o->n_disk] = orders_disk_text(ui, names[i]);
		o->disk[o->n_disk++] = strndup(names[i], len - 5);
	}
	store_names_free(names, n);
}

static void
orders_rebuild(struct ui *ui, struct orders *o)
{
	const struct jobs *j = ui->jobs;
	struct order_row *r;
	size_t i, k;

	o->n = 0;
	for (i = j->n; i > 0; i--) {
		const struct jobs_job *job = &j->list[i - 1];

		if ((r = orders_row(o)) == NULL)
			break;
		r->job = job;
		snprintf(r->subject, sizeof r->subject, "%s", job->subject);
		for (k = 0; k < job->n_idents && (r = orders_row(o)) != NULL; k++) {
			r->job = job;
			r->ident = &job->idents[k];
			snprintf(r->subject, sizeof r->subject, "%s", job->subject);
		}
	}
	for (i = 0; i < o->n_disk; i++) {
		const struct jobs_job *job = jobs_latest_for(j, o->disk[i]);

		if (job != NULL && job->state == JOBS_RUNNING)
			continue;	/* shown above, live */
		if ((r = orders_row(o)) == NULL)
			break;
		snprintf(r->subject, sizeof r->subject, "%s", o->disk[i]);
		snprintf(r->detail, sizeof r->detail, "%s", o->disk_text[i] ?
		    o->disk_text[i] : "");
	}
	o->list.n = o->n;
}

static void *
orders_open(struct ui *ui, const char *arg)
{
	struct orders *o = ui_screen_new(ui, sizeof *o);

	(void)arg;
	if (o != NULL) {
		orders_load_disk(ui, o);
		orders_rebuild(ui, o);
	}
	return o;
}

static void
orders_close(void *st)
{
	struct orders *o = st;

	orders_disk_free(o);
	free(o->rows);
	free(o);
}

static enum theme_role
orders_state_role(const char *state)
{
	if (strcmp(state, "valid") == 0)
		return ROLE_OK;
	if (strcmp(state, "invalid") == 0)
		return ROLE_FAILED;
	if (strcmp(state, "no order") == 0)
		return ROLE_DIM;
	if (strcmp(state, "processing") == 0 || strcmp(state, "ready") == 0)
		return ROLE_PENDING;
	return ROLE_DUE;
}

static void
orders_draw_row(struct ui *ui, const struct order_row *r, int y, int sel)
{
	enum theme_role role = sel ? ROLE_SELECTED : ROLE_NORMAL;
	const char *state;
	char text[800];
	int x = 0;

	if (r->ident != NULL) {
		state = r->ident->state;
		snprintf(text, sizeof text, "      %s %s", ui->utf8 ? "└" : "`",
		    r->ident->name);
		x += ui_put(ui, y, x, 40, role, text);
		ui_put(ui, y, x, COLS - x, sel ? role : orders_state_role(state), state);
		return;
	}
	if (r->job == NULL) {
		snprintf(text, sizeof text, "%-6s%-20s", "-", r->subject);
		x += ui_put(ui, y, x, 26, role, text);
		x += ui_put(ui, y, x, 14, sel ? role : ROLE_DUE, "pending");
		snprintf(text, sizeof text, "in flight from an earlier run: %s", r->detail);
		ui_put(ui, y, x, COLS - x, role, text);
		return;
	}
	state = jobs_order_state(r->job);
	snprintf(text, sizeof text, "#%-5u%-20s", (unsigned)r->job->id, r->subject);
	x += ui_put(ui, y, x, 26, role, text);
	x += ui_put(ui, y, x, 14, sel ? role : orders_state_role(state), state);
	snprintf(text, sizeof text, "%-15s %3d%%  %s",
	    event_step_name(r->job->step), r->job->progress, r->job->msg);
	ui_put(ui, y, x, COLS - x, role, text);
}

static void
orders_draw(struct ui *ui, void *st)
{
	struct orders *o = st;
	int rows = LINES - 4, y;

	orders_rebuild(ui, o);
	ui_put(ui, 1, 0, COLS, ROLE_COLUMNS,
	    "JOB   CERTIFICATE         STATE         STEP            DONE  MESSAGE");
	ui_list_fit(&o->list, 2, rows);
	if (o->n == 0)
		ui_put(ui, 3, 2, COLS - 2, ROLE_DIM, "No orders: r on a certificate "
		    "renews it, and its order shows here.");
	for (y = 0; y < rows && o->list.top + (size_t)y < o->n; y++)
		orders_draw_row(ui, &o->rows[o->list.top + (size_t)y], 2 + y,
		    o->list.top + (size_t)y == o->list.sel);
}

static int
orders_key(struct ui *ui, void *st, int action, int key)
{
	struct orders *o = st;

	(void)key;
	if (action != 1 || o->list.sel >= o->n)
		return 0;
	(void)ui_push(ui, &screen_detail_ops, o->rows[o->list.sel].subject);
	return UI_HANDLED | UI_REDRAW;
}

static int
orders_event(struct ui *ui, void *st, const struct event *ev)
{
	struct orders *o = st;

	if (ev->kind == EVENT_STATE_CHANGED && ev->object == OBJECT_ORDER)
		orders_load_disk(ui, o);
	orders_rebuild(ui, o);
	return UI_REDRAW;
}

const struct screen_ops screen_orders_ops = {
	.name = "Orders",
	.keys = orders_keys,
	.n_keys = sizeof orders_keys / sizeof orders_keys[0],
	.open = orders_open,
	.close = orders_close,
	.draw = orders_draw,
	.key = orders_key,
	.event = orders_event,
	.list = ui_screen_list,
};
