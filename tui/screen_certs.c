/*
 * screen_certs: the Certificates screen, the first one. One row per
 * certificate from the records alone: status with a symbol, name, first
 * domain and "+N", days left with a bar, expiry, issuer, key, CA and the
 * next renewal, as many of those as the width holds. Sorting by any
 * column, a filter over names, domains and issuers, renewals by hand, and
 * a job's progress live in its row.
 */
#include "autoconfig.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "certlist.h"
#include "engine.h"
#include "jobs.h"
#include "names.h"
#include "screen.h"

enum {
	CERTS_DETAIL = 1, CERTS_RENEW, CERTS_FORCE, CERTS_FILTER, CERTS_SORT,
	CERTS_SORT_PREV, CERTS_SORT_NEXT, CERTS_REVERSE, CERTS_CLEAR, CERTS_REVOKE,
	CERTS_RENEW_ALL, CERTS_CANCEL, CERTS_NEW, CERTS_EDIT, CERTS_REMOVE,
	CERTS_PROBE
};

static const struct ui_key certs_keys[] = {
	{ '\r', "Enter", "detail", "details of the selected certificate", CERTS_DETAIL },
	{ 'n', "n", "new", "set up a new certificate, step by step", CERTS_NEW },
	{ 'e', "e", "edit", "edit its definition with the set-up steps",
	  CERTS_EDIT },
	{ 'x', "x", NULL, "stop managing it: definition archived, files kept "
	  "(asks its name)", CERTS_REMOVE },
	{ 'r', "r", "renew", "renew the selected certificate if due (asks first)",
	  CERTS_RENEW },
	{ 'R', "R", NULL, "renew it now even if not due (asks first)", CERTS_FORCE },
	{ 'p', "p", "probe", "probe its endpoints: which certificate they serve",
	  CERTS_PROBE },
	{ 'D', "D/Del", "revoke", "revoke the selected certificate (asks a reason, "
	  "then its name)", CERTS_REVOKE },
	{ KEY_DC, "Del", NULL, NULL, CERTS_REVOKE },
	{ 'A', "A", "all due", "renew every certificate that is due (lists them "
	  "first)", CERTS_RENEW_ALL },
	{ 'c', "c", NULL, "cancel the selected certificate's running job (asks "
	  "first)", CERTS_CANCEL },
	{ '/', "/", "filter", "filter by name, domain or issuer (Enter keeps it)",
	  CERTS_FILTER },
	{ 27, "Esc", NULL, "clear the filter", CERTS_CLEAR },
	{ 's', "s", "sort", "sort by the next column", CERTS_SORT },
	{ '<', "<", NULL, "sort by the column to the left", CERTS_SORT_PREV },
	{ '>', ">", NULL, "sort by the column to the right", CERTS_SORT_NEXT },
	{ 'S', "S", NULL, "reverse the sort order", CERTS_REVERSE },
};

struct certs {
	struct ui_list list;		/* first: see ui_screen_new() */
	int typing;			/* the filter has the keyboard */
	char filter[128];
	char sel_name[80];		/* kept selected across reloads */
	int width[CERTLIST_NCOLS];	/* 0: not shown at this width */
};

/* Symbol, then role, for each status: never colour alone. */
static const struct {
	const char *utf8, *ascii;
	enum theme_role role;
} certs_look[STATUS_COUNT] = {
	[STATUS_VALID] = { "✓", "+", ROLE_OK },
	[STATUS_DUE] = { "↻", "~", ROLE_DUE },
	[STATUS_EXPIRING] = { "!", "!", ROLE_EXPIRING },
	[STATUS_EXPIRED] = { "✗", "x", ROLE_EXPIRED },
	[STATUS_REVOKED] = { "⊘", "-", ROLE_REVOKED },
	[STATUS_FAILED] = { "‼", "E", ROLE_FAILED },
	[STATUS_PENDING] = { "…", ".", ROLE_PENDING },
	[STATUS_UNMANAGED] = { "○", "o", ROLE_DIM },
};

static const char *const certs_words[STATUS_COUNT] = {
	[STATUS_VALID] = "valid",
	[STATUS_DUE] = "renewal due",
	[STATUS_EXPIRING] = "expiring",
	[STATUS_EXPIRED] = "expired",
	[STATUS_REVOKED] = "revoked",
	[STATUS_FAILED] = "failed",
	[STATUS_PENDING] = "pending",
	[STATUS_UNMANAGED] = "not managed",
};

static void *
certs_open(struct ui *ui, const char *arg)
{
	(void)arg;
	return ui_screen_new(ui, sizeof(struct certs));
}

static void
certs_close(void *st)
{
	free(st);
}

/* Whether any certificate read so far has probed endpoints: without
 * any, their column is left out and the rest keep their room. */
static int
certs_any_endpoints(const struct certlist *cl)
{
	size_t i;

	for (i = 0; i < cl->n; i++)
		if (cl->rows[i].loaded && cl->rows[i].rec.n_endpoints > 0)
			return 1;
	return 0;
}

/* Which columns fit: the first five always, then the endpoints' state
 * when there are endpoints, the rest while room is left; what is left
 * over widens the name and domains. At 80 columns the endpoints' column
 * takes the one column it lacks from the domains. */
static void
certs_layout(struct certs *c, int cols, int endpoints)
{
	static const int fixed[CERTLIST_NCOLS] = {
		[CERTLIST_STATUS] = 15, [CERTLIST_NAME] = 14, [CERTLIST_DOMAINS] = 18,
		[CERTLIST_DAYS] = 11, [CERTLIST_EXPIRES] = 10, [CERTLIST_ENDPOINT] = 7,
		[CERTLIST_ISSUER] = 16,
		[CERTLIST_KEY] = 11, [CERTLIST_CA] = 16, [CERTLIST_NEXT] = 10,
	};
	int used = 0, i, spare;

	for (i = 0; i < CERTLIST_NCOLS; i++) {
		c->width[i] = 0;
		if (i == CERTLIST_ENDPOINT && !endpoints)
			continue;
		if (i <= CERTLIST_ENDPOINT || used + fixed[i] + 1 <= cols) {
			c->width[i] = fixed[i];
			used += fixed[i] + 1;
		}
	}
	spare = cols - used;
	if (spare < 0 && spare > -fixed[CERTLIST_DOMAINS] / 2)
		c->width[CERTLIST_DOMAINS] += spare;
	if (spare > 0) {
		c->width[CERTLIST_NAME] += spare / 4;
		c->width[CERTLIST_DOMAINS] += spare - spare / 4;
	}
}

static void
certs_bar(const struct ui *ui, const struct cert_row *r, char *out, size_t outsz)
{
	long days = status_days_left(r->rec.not_after, ui->now);
	time_t life = r->rec.not_after - r->rec.not_before;
	double share = life > 0 ? (double)(r->rec.not_after - ui->now) / (double)life : 0;
	int filled = share <= 0 ? 0 : share >= 1 ? 6 : (int)(share * 6 + 0.5), i;
	size_t len;

	if (r->rec.not_after == 0) {
		snprintf(out, outsz, "%4s", "-");
		return;
	}
	len = (size_t)snprintf(out, outsz, "%4ld ", days);
	for (i = 0; i < 6 && len + 4 < outsz; i++)
		len += (size_t)snprintf(out + len, outsz - len, "%s", i < filled ?
		    (ui->utf8 ? "█" : "#") : (ui->utf8 ? "░" : "."));
}

/* The status cell: a running job's progress wins over the record. */
static enum theme_role
certs_status_cell(const struct ui *ui, const struct cert_row *r, char *out,
    size_t outsz)
{
	const struct jobs_job *job = jobs_latest_for(ui->jobs, r->name);

	if (job != NULL && job->state == JOBS_RUNNING) {
		/* A probe is a job too, but nothing is being renewed. */
		snprintf(out, outsz, "%s %3d%% %s", ui->utf8 ? "◌" : "*", job->progress,
		    job->step == STEP_PROBED || strncmp(job->msg, "probe queued", 12) == 0 ?
		    "probing" : "renewing");
		return ROLE_PENDING;
	}
	snprintf(out, outsz, "%s %s", ui->utf8 ? certs_look[r->status].utf8 :
	    certs_look[r->status].ascii, certs_words[r->status]);
	return certs_look[r->status].role;
}

/* The first domain, an IDN in Unicode, and how many more there are. */
static void
certs_domains(const struct cert_row *r, char *out, size_t outsz)
{
	const char *first = r->rec.n_domains ? r->rec.domains[0] : "-";
	struct names_id id;

	if (strstr(first, "xn--") != NULL && names_parse(first, &id, NULL) == 0)
		first = id.display;
	if (r->rec.n_domains > 1)
		snprintf(out, outsz, "%.256s +%zu more", first, r->rec.n_domains - 1);
	else
		snprintf(out, outsz, "%s", first);
}

/* The endpoints' worst state, short: a stale one is what matters. */
static enum theme_role
certs_endpoint_cell(const struct cert_row *r, char *out, size_t outsz)
{
	static const char *const word[ENDPOINT_STATE_N] = {
		[ENDPOINT_UNKNOWN] = "-", [ENDPOINT_SERVED] = "served",
		[ENDPOINT_STALE] = "stale", [ENDPOINT_UNREACHABLE] = "unreach",
		[ENDPOINT_TLS_ERROR] = "tls err",
	};
	enum endpoint_state s = certrec_endpoints_worst(&r->rec);

	snprintf(out, outsz, "%s", word[s]);
	return s == ENDPOINT_SERVED ? ROLE_OK : s == ENDPOINT_UNKNOWN ? ROLE_NORMAL :
	    ROLE_FAILED;
}

static void
certs_cell(const struct ui *ui, const struct cert_row *r, int col, char *out,
    size_t outsz)
{
	switch (col) {
	case CERTLIST_NAME:
		snprintf(out, outsz, "%s", r->name);
		break;
	case CERTLIST_DOMAINS:
		certs_domains(r, out, outsz);
		break;
	case CERTLIST_DAYS: certs_bar(ui, r, out, outsz); break;
	case CERTLIST_EXPIRES: ui_time(r->rec.not_after, 0, out, outsz); break;
	case CERTLIST_ISSUER:
		snprintf(out, outsz, "%s", r->rec.issuer ? r->rec.issuer : "-");
		break;
	case CERTLIST_KEY:
		snprintf(out, outsz, "%s", r->rec.key_desc ? r->rec.key_desc :
		    r->rec.key_type ? r->rec.key_type : "-");
		break;
	case CERTLIST_CA: snprintf(out, outsz, "%s", r->ca); break;
	case CERTLIST_NEXT: ui_time(r->next_renewal, 0, out, outsz); break;
	default: out[0] = '\0';
	}
}

static void
certs_draw_row(struct ui *ui, struct certs *c, const struct cert_row *r, int y,
    int selected)
{
	char text[512];
	enum theme_role st;
	int x = 0, i;

	st = certs_status_cell(ui, r, text, sizeof text);
	for (i = 0; i < CERTLIST_NCOLS; i++) {
		enum theme_role role = selected ? ROLE_SELECTED : ROLE_NORMAL;

		if (c->width[i] == 0)
			continue;
		if (i == CERTLIST_STATUS)
			role = selected ? ROLE_SELECTED : st;
		else {
			certs_cell(ui, r, i, text, sizeof text);
			if (i == CERTLIST_DAYS && !selected)
				role = st;
			if (i == CERTLIST_ENDPOINT && !selected)
				role = certs_endpoint_cell(r, text, sizeof text);
			else if (i == CERTLIST_ENDPOINT)
				(void)certs_endpoint_cell(r, text, sizeof text);
		}
		x += ui_put(ui, y, x, c->width[i], role, text);
		if (x < COLS)
			x += ui_put(ui, y, x, 1, selected ? ROLE_SELECTED : ROLE_NORMAL, "");
	}
}

static void
certs_draw_heads(struct ui *ui, struct certs *c)
{
	const struct certlist *cl = ui->certs;
	char text[64], info[256];
	int x = 0, i;

	snprintf(info, sizeof info, " %zu/%zu shown ", cl->n_view, cl->n);
	ui_put_right(ui, 0, COLS - 22, 22, ROLE_HEADER, info);
	snprintf(info, sizeof info, " sorted by %s %s%s", certlist_col_name(cl->sort),
	    cl->desc ? "(descending)" : "(ascending)",
	    cl->n_loaded < cl->n ? ", reading records…" : "");
	x = ui_put(ui, 1, 0, ui_width(info) + 2, ROLE_DIM, info);
	if (c->typing || c->filter[0] != '\0') {
		snprintf(info, sizeof info, "filter: %s%s", c->filter,
		    c->typing ? "" : "  (Esc clears)");
		ui_put(ui, 1, x, COLS - x, ROLE_TITLE, info);
	}
	x = 0;
	for (i = 0; i < CERTLIST_NCOLS; i++) {
		if (c->width[i] == 0)
			continue;
		snprintf(text, sizeof text, "%s%s", certlist_col_name(i),
		    (int)cl->sort == i ? (cl->desc ? (ui->utf8 ? " ▼" : " v") :
		    (ui->utf8 ? " ▲" : " ^")) : "");
		x += ui_put(ui, 2, x, c->width[i] + 1, ROLE_COLUMNS, text);
	}
	if (x < COLS)
		ui_put(ui, 2, x, COLS - x, ROLE_COLUMNS, "");
}

static void
certs_draw(struct ui *ui, void *st)
{
	struct certs *c = st;
	const struct cert_row *r;
	size_t i;
	int rows = LINES - 5;

	certs_layout(c, COLS, certs_any_endpoints(ui->certs));
	c->list.n = ui->certs->n_view;
	ui_list_fit(&c->list, 3, rows);
	certs_draw_heads(ui, c);
	if (c->list.n == 0)
		ui_put(ui, 4, 2, COLS - 2, ROLE_DIM, ui->certs->n == 0 ?
		    "No certificates yet. Press n to set up the first one, step "
		    "by step." :
		    "No certificate matches the filter.");
	for (i = 0; i < (size_t)rows && c->list.top + i < c->list.n; i++) {
		r = certlist_at(ui->certs, c->list.top + i);
		certs_draw_row(ui, c, r, 3 + (int)i, c->list.top + i == c->list.sel);
	}
	r = certlist_at(ui->certs, c->list.sel);
	snprintf(c->sel_name, sizeof c->sel_name, "%s", r != NULL ? r->name : "");
}

static void
certs_renew_yes(struct ui *ui, const char *name, int force)
{
	(void)ui_renew(ui, name, force);
}

static void
certs_ask_renew(struct ui *ui, struct certs *c, int force)
{
	const struct cert_row *r = certlist_at(ui->certs, c->list.sel);
	char title[128], text[512];

	if (r == NULL)
		return;
	snprintf(title, sizeof title, "%s %s", force ? "Force renewal of" : "Renew",
	    r->name);
	snprintf(text, sizeof text, force ?
	    "Renew %s (%s%s) now, even though it may not be due? The current "
	    "certificate stays in the archive." :
	    "Renew %s (%s%s) if it is due? The current certificate stays in the "
	    "archive.", r->name, r->rec.n_domains ? r->rec.domains[0] : "no domains",
	    r->rec.n_domains > 1 ? " and more" : "");
	dialog_confirm(ui, title, text, 0, certs_renew_yes, r->name, force);
}

/* Due by the list's own rules, which are the engine's: these are what
 * a renewal of everything would renew. */
static int
certs_is_due(const struct cert_row *r)
{
	return r->loaded && (r->status == STATUS_DUE ||
	    r->status == STATUS_EXPIRING || r->status == STATUS_EXPIRED);
}

static void
certs_renew_all_yes(struct ui *ui, const char *arg, int flag)
{
	size_t i, n = 0;

	(void)arg;
	(void)flag;
	for (i = 0; i < ui->certs->n; i++)
		if (certs_is_due(&ui->certs->rows[i]) &&
		    ui_renew(ui, ui->certs->rows[i].name, 0) != 0)
			n++;
	ui_message(ui, ROLE_STATUSLINE, "%zu renewal%s started", n, n == 1 ? "" : "s");
}

/* One line per certificate due, saying why, then how many more. */
static void
certs_ask_renew_all(struct ui *ui)
{
	const struct certlist *cl = ui->certs;
	char text[1400], day[32];
	size_t i, n = 0, len = 0;
	long left;

	text[0] = '\0';
	for (i = 0; i < cl->n; i++) {
		const struct cert_row *r = &cl->rows[i];

		if (!certs_is_due(r))
			continue;
		if (n++ >= 8 || len >= sizeof text - 160)
			continue;
		left = status_days_left(r->rec.not_after, ui->now);
		ui_time(r->rec.not_after, 0, day, sizeof day);
		len += (size_t)snprintf(text + len, sizeof text - len,
		    left < 0 ? "%.40s: expired on %s\n" : "%.40s: %s, %ld days left "
		    "(expires %s)\n", r->name, left < 0 ? day : certs_words[r->status],
		    left, day);
	}
	if (n == 0) {
		dialog_message(ui, "Nothing is due", cl->n_loaded < cl->n ?
		    "No certificate read so far is due for renewal; records are "
		    "still being read." : "No certificate is due for renewal.");
		return;
	}
	if (n > 8)
		snprintf(text + len, sizeof text - len, "and %zu more\n", n - 8);
	len = strlen(text);
	snprintf(text + len, sizeof text - len, "\nRenew these %zu? Current "
	    "certificates stay in the archive.", n);
	dialog_confirm(ui, "Renew all that are due", text, 0, certs_renew_all_yes,
	    NULL, 0);
}

static void
certs_cancel_yes(struct ui *ui, const char *name, int job)
{
	struct engine_cmd *cmd;

	if ((cmd = engine_cmd_new(ENGINE_CMD_CANCEL, name)) != NULL)
		cmd->target = (uint32_t)job;
	if (ui_submit(ui, cmd, "Cancellation") != 0)
		ui_message(ui, ROLE_STATUSLINE, "cancelling job #%d (%s)…", job, name);
}

static void
certs_ask_cancel(struct ui *ui, struct certs *c)
{
	const struct cert_row *r = certlist_at(ui->certs, c->list.sel);
	const struct jobs_job *job;
	char text[512];

	if (r == NULL)
		return;
	job = jobs_latest_for(ui->jobs, r->name);
	if (job == NULL || job->state != JOBS_RUNNING) {
		ui_message(ui, ROLE_STATUSLINE, "%s: no job running to cancel", r->name);
		return;
	}
	snprintf(text, sizeof text, "Cancel job #%u for %s (now at %s)? Its "
	    "challenge answers are withdrawn and nothing new is stored; the "
	    "current certificate stays as it is.", (unsigned)job->id, r->name,
	    event_step_name(job->step));
	dialog_confirm(ui, "Cancel job", text, 1, certs_cancel_yes, r->name,
	    (int)job->id);
}

/* Keys while the filter is being typed: text, Backspace, Enter, Esc. */
static int
certs_type(struct ui *ui, struct certs *c, int key)
{
	size_t len = strlen(c->filter);
	char mb[8];
	int n;

	if (key == '\r') {
		c->typing = 0;
	} else if (key == 27) {
		c->typing = 0;
		c->filter[0] = '\0';
	} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		while (len > 0 && (c->filter[--len] & 0xc0) == 0x80)
			;
		c->filter[len] = '\0';
	} else if (key >= ' ' && (key < KEY_MIN || key & 0x40000000)) {
		if ((n = wctomb(mb, (wchar_t)(key & ~0x40000000))) <= 0 ||
		    len + (size_t)n >= sizeof c->filter)
			return UI_HANDLED;
		memcpy(c->filter + len, mb, (size_t)n);
		c->filter[len + (size_t)n] = '\0';
	} else
		return 0;	/* arrows still move */
	certlist_set_filter(ui->certs, c->filter);
	c->list.sel = c->list.top = 0;
	return UI_HANDLED | UI_REDRAW;
}

static int
certs_key(struct ui *ui, void *st, int action, int key)
{
	struct certs *c = st;
	struct certlist *cl = ui->certs;

	if (c->typing)
		return certs_type(ui, c, key);
	switch (action) {
	case CERTS_DETAIL:
		if (certlist_at(cl, c->list.sel) != NULL)
			(void)ui_push(ui, &screen_detail_ops, certlist_at(cl, c->list.sel)->name);
		break;
	case CERTS_RENEW: certs_ask_renew(ui, c, 0); break;
	case CERTS_FORCE: certs_ask_renew(ui, c, 1); break;
	case CERTS_RENEW_ALL: certs_ask_renew_all(ui); break;
	case CERTS_NEW: (void)ui_push(ui, &screen_wizard_ops, NULL); break;
	case CERTS_CANCEL: certs_ask_cancel(ui, c); break;
	case CERTS_PROBE:
		if (certlist_at(cl, c->list.sel) != NULL)
			(void)ui_probe(ui, certlist_at(cl, c->list.sel)->name);
		break;
	case CERTS_EDIT:
	case CERTS_REMOVE:
		if (certlist_at(cl, c->list.sel) != NULL)
			(void)ui_push(ui, action == CERTS_EDIT ? &screen_wizard_ops :
			    &screen_remove_ops, certlist_at(cl, c->list.sel)->name);
		break;
	case CERTS_REVOKE:
		if (certlist_at(cl, c->list.sel) != NULL)
			(void)ui_push(ui, &screen_revoke_ops, certlist_at(cl, c->list.sel)->name);
		break;
	case CERTS_FILTER: c->typing = 1; break;
	case CERTS_CLEAR:
		if (c->filter[0] == '\0')
			return 0;
		c->filter[0] = '\0';
		certlist_set_filter(cl, "");
		break;
	case CERTS_SORT:
	case CERTS_SORT_NEXT:
		certlist_sort(cl, (cl->sort + 1) % CERTLIST_NCOLS, cl->desc);
		break;
	case CERTS_SORT_PREV:
		certlist_sort(cl, (cl->sort + CERTLIST_NCOLS - 1) % CERTLIST_NCOLS, cl->desc);
		break;
	case CERTS_REVERSE: certlist_sort(cl, cl->sort, !cl->desc); break;
	default: return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

static int
certs_event(struct ui *ui, void *st, const struct event *ev)
{
	struct certs *c = st;
	size_t i;

	if (ev->subject[0] == '\0')
		return 0;
	/* A reload may move rows: keep the same certificate selected. */
	if (c->sel_name[0] != '\0' &&
	    (i = certlist_find(ui->certs, c->sel_name)) != (size_t)-1)
		c->list.sel = i;
	return UI_REDRAW;
}

const struct screen_ops screen_certs_ops = {
	.name = "Certificates",
	.keys = certs_keys,
	.n_keys = sizeof certs_keys / sizeof certs_keys[0],
	.open = certs_open,
	.close = certs_close,
	.draw = certs_draw,
	.key = certs_key,
	.event = certs_event,
	.list = ui_screen_list,
};
