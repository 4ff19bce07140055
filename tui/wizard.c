/*
 * wizard: onboarding a new certificate from the screens (n). A few
 * steps, each a small form (Tab and Shift-Tab between fields, Enter on,
 * Esc back, "step k of n"), then Review and Issue: the job's steps live,
 * one line per name, ending on the new certificate's detail view. The
 * definition is written to the configuration file only once the
 * certificate is issued; leaving at any step, or cancelling the job,
 * writes nothing (the engine's cancel takes its challenge answers down).
 */
#include "autoconfig.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "certlist.h"
#include "cli.h"
#include "deploy.h"
#include "engine.h"
#include "jobs.h"
#include "screen.h"
#include "wizard.h"

enum { WZ_NEXT = 1, WZ_PREV, WZ_GO, WZ_BACK, WZ_LEFT, WZ_RIGHT, WZ_SPACE,
	WZ_CANCEL };

static const struct ui_key wiz_keys[] = {
	{ '\t', "Tab/S-Tab", "field", "next or previous field", WZ_NEXT },
	{ KEY_BTAB, "S-Tab", NULL, NULL, WZ_PREV },
	{ '\r', "Enter", "next", "check this step and go on; on Review, issue",
	  WZ_GO },
	{ 27, "Esc", "back", "the step before; from the first, leave writing "
	  "nothing; while issuing, cancel", WZ_BACK },
	{ KEY_LEFT, "Left/Right", "choose", "change a choice (Space too)",
	  WZ_LEFT },
	{ KEY_RIGHT, "Right", NULL, NULL, WZ_RIGHT },
	{ ' ', "Space", NULL, NULL, WZ_SPACE },
	{ 'c', "c", NULL, "while issuing: cancel the job; nothing is written",
	  WZ_CANCEL },
};

static const char *const wiz_titles[WIZ_STEPS + 1] = {
	"Names", "CA and account", "How to prove control", "Key", "Deploy",
	"Preflight", "Review", "Issue"
};

static void *
wiz_open(struct ui *ui, const char *arg)
{
	struct wizard *w;

	if ((w = calloc(1, sizeof *w)) == NULL) {
		ui_message(ui, ROLE_LOG_ERROR, "out of memory");
		return NULL;
	}
	wiz_defaults(ui, w);
	w->first = ui->certs->n == 0;
	/* With a certificate's name: edit its definition (e). */
	if (arg != NULL && wiz_edit_open(ui, w, arg) != 0) {
		free(w);
		return NULL;
	}
	return w;
}

static void
wiz_close(void *st)
{
	wiz_ca_free(st);
	free(st);
}

/* One line per name with its authorization's state, from the events. */
static int
wiz_draw_idents(struct ui *ui, const struct wizard *w, int y, int x, int width)
{
	const struct jobs_job *job = jobs_find(ui->jobs, w->job);
	char line[600];
	size_t i, j;
	const char *state;

	for (i = 0; i < w->n_names; i++) {
		state = "waiting";
		for (j = 0; job != NULL && j < job->n_idents; j++)
			if (strcmp(job->idents[j].name, w->ids[i].value) == 0)
				state = job->idents[j].state;
		snprintf(line, sizeof line, "%-40s %s", w->ids[i].display, state);
		ui_put(ui, y++, x + 2, width - 2, strcmp(state, "valid") == 0 ?
		    ROLE_OK : ROLE_PENDING, line);
	}
	return y;
}

static void
wiz_draw_issue(struct ui *ui, struct wizard *w, int y, int x, int width, int rows)
{
	const struct jobs_job *job = jobs_find(ui->jobs, w->job);
	char line[700];
	int top = y;

	snprintf(line, sizeof line, "Job #%u: %s %.64s%s%s", (unsigned)w->job,
	    w->edit[0] ? "renewing" : "issuing", w->text[WF_CERTNAME].text,
	    job != NULL ? ", now at " : "",
	    job != NULL ? event_step_name(job->step) : "");
	ui_put(ui, y++, x, width, ROLE_DIALOG, line);
	y = wiz_draw_idents(ui, w, y, x, width) + 1;
	y += form_job_draw(ui, w->job, y, x, width, rows - (y - top) - 4);
	if (w->ended > 0)
		snprintf(line, sizeof line, "Issued. %s Esc closes.", w->saved);
	else if (w->ended < 0)
		snprintf(line, sizeof line, w->edit[0] ? "Not renewed; the definition "
		    "is saved and the next renewal uses it. Esc goes back to Review." :
		    "Not issued; nothing was written to the config. Esc goes back to "
		    "Review.");
	else
		snprintf(line, sizeof line, "Esc or c cancels; nothing is written "
		    "until it is issued.");
	ui_put(ui, y + 1, x, width, w->ended < 0 ? ROLE_LOG_ERROR : w->ended > 0 ?
	    ROLE_OK : ROLE_DIM, line);
}

static void
wiz_draw(struct ui *ui, void *st)
{
	struct wizard *w = st;
	char title[128];
	int width = COLS - 4 < 96 ? COLS - 4 : 96, x = (COLS - width) / 2, i;
	int rows = LINES - 4;

	if (w->step < WIZ_STEPS)
		snprintf(title, sizeof title, " %s%.64s: step %d of %d, %s ",
		    w->edit[0] ? "Edit " : "New certificate", w->edit,
		    (int)w->step + 1, WIZ_STEPS, wiz_titles[w->step]);
	else
		snprintf(title, sizeof title, " %s%.64s: %s ", w->edit[0] ? "Edit " :
		    "New certificate", w->edit, w->edit[0] ? "Renew" :
		    wiz_titles[w->step]);
	ui_put(ui, 1, x, width, ROLE_DIALOG_BUTTON, title);
	for (i = 2; i < rows + 1; i++)
		ui_put(ui, i, x, width, ROLE_DIALOG, "");
	if (w->step == WIZ_ISSUE)
		wiz_draw_issue(ui, w, 3, x + 2, width - 4, rows - 2);
	else
		wiz_draw_step(ui, w, 3, x + 2, width - 4, rows - 2);
}

static void
wiz_focus_first(struct wizard *w)
{
	enum wiz_field f[WF_COUNT];

	w->focus = wiz_fields(w, w->step, f) > 0 ? f[0] : WF_COUNT;
}

static void
wiz_focus_move(struct wizard *w, int dir)
{
	enum wiz_field f[WF_COUNT];
	size_t n = wiz_fields(w, w->step, f), i;

	for (i = 0; i < n; i++)
		if (f[i] == w->focus)
			break;
	if (n > 0)
		w->focus = f[(i + n + (size_t)(dir > 0 ? 1 : n - 1)) % n];
}

/* Builds the issue command from the answers; when editing, a renewal
 * now with the new definition. */
static struct engine_cmd *
wiz_command(const struct wizard *w)
{
	static const char *const challenge[WM_COUNT] = { "http-01", "webroot",
		"tls-alpn-01", "dns-01" };
	struct engine_cmd *cmd;
	struct err err;
	size_t i;
	int n;

	if ((cmd = engine_cmd_new(w->edit[0] ? ENGINE_CMD_RENEW : ENGINE_CMD_ISSUE,
	    w->text[WF_CERTNAME].text)) == NULL)
		return NULL;
	cmd->force = cmd->defined = w->edit[0] != '\0';
	for (i = 0; i < w->n_names; i++)
		if (engine_cmd_add_domain(cmd, w->ids[i].value, &err) != 0)
			goto fail;
	if ((cmd->challenge = strdup(challenge[w->method])) == NULL ||
	    (w->method == WM_WEBROOT &&
	    (cmd->webroot = strdup(w->text[WF_WEBROOT].text)) == NULL) ||
	    crypto_key_type_parse(wiz_key_types[w->key], &cmd->key_type, &err) != 0)
		goto fail;
	if ((w->text[WF_FULLCHAIN].text[0] != '\0' &&
	    (cmd->deploy.to[DEPLOY_FULLCHAIN] = strdup(w->text[WF_FULLCHAIN].text)) ==
	    NULL) || (w->text[WF_KEYCOPY].text[0] != '\0' &&
	    (cmd->deploy.to[DEPLOY_KEY] = strdup(w->text[WF_KEYCOPY].text)) == NULL) ||
	    (n = wiz_reload_argv(w, &cmd->deploy.reload)) < 0)
		goto fail;
	cmd->deploy.n_reload = (size_t)n;
	/* Checked on the Deploy step; "" keeps deploy's defaults. */
	if ((w->text[WF_OWNER].text[0] != '\0' &&
	    (cmd->deploy.owner = strdup(w->text[WF_OWNER].text)) == NULL) ||
	    (w->text[WF_GROUP].text[0] != '\0' &&
	    (cmd->deploy.group = strdup(w->text[WF_GROUP].text)) == NULL) ||
	    deploy_mode_parse(w->text[WF_MODE].text, 0, &cmd->deploy.mode,
	    &err) != 0)
		goto fail;
	if (wiz_ca_profile(w) != NULL &&
	    (cmd->profile = strdup(wiz_ca_profile(w))) == NULL)
		goto fail;
	return cmd;
fail:
	engine_cmd_free(cmd);
	return NULL;
}

/* Submits the job. The engine takes the answers (contact, agreement,
 * port, hook) only when it starts: an idle one is started again. */
static void
wiz_issue(struct ui *ui, struct wizard *w)
{
	const struct cli *saved = ui->cli;
	struct cli answers;
	int port = atoi(w->text[WF_PORT].text);

	if (ui_engine_stop_idle(ui) == 0) {
		answers = *ui->cli;
		if (w->ca_url[0] != '\0')
			answers.server = w->ca_url;
		if (!w->account_exists) {
			answers.email = w->text[WF_EMAIL].text[0] ? w->text[WF_EMAIL].text :
			    NULL;
			answers.agree_tos = w->agree;
			if (wiz_ca_dir(w) != NULL && wiz_ca_dir(w)->eab_required) {
				answers.eab_kid = w->text[WF_EAB_KID].text;
				answers.eab_hmac_key = w->text[WF_EAB_HMAC].text;
			}
		}
		if (w->method == WM_HTTP)
			answers.http_port = port;
		else if (w->method == WM_ALPN)
			answers.tls_port = port;
		else if (w->method == WM_DNS)
			answers.dns_hook = w->text[WF_HOOK].text;
		ui->cli = &answers;
	}
	w->job = ui_submit(ui, wiz_command(w), "Issuance");
	ui->cli = saved;
	if (w->job != 0) {
		w->step = WIZ_ISSUE;
		w->ended = 0;
	}
}

static void
wiz_cancel_job(struct ui *ui, struct wizard *w)
{
	struct engine_cmd *cmd;

	if ((cmd = engine_cmd_new(ENGINE_CMD_CANCEL, w->text[WF_CERTNAME].text)) != NULL)
		cmd->target = w->job;
	if (ui_submit(ui, cmd, "Cancellation") != 0)
		ui_message(ui, ROLE_STATUSLINE, "cancelling job #%u…", (unsigned)w->job);
}

static int
wiz_issue_key(struct ui *ui, struct wizard *w, int action)
{
	if (w->ended == 0) {
		if (action == WZ_BACK || action == WZ_CANCEL)
			wiz_cancel_job(ui, w);
		return UI_HANDLED | UI_REDRAW;
	}
	if (action != WZ_BACK && action != WZ_GO)
		return UI_HANDLED;
	wiz_ca_engine_back(ui, w);
	if (w->ended > 0)
		return UI_HANDLED | UI_CLOSE;
	w->step = WIZ_REVIEW;
	w->job = 0;
	wiz_focus_first(w);
	return UI_HANDLED | UI_REDRAW;
}

static int
wiz_step_key(struct ui *ui, struct wizard *w, int action)
{
	int rc;

	switch (action) {
	case WZ_NEXT: wiz_focus_move(w, 1); break;
	case WZ_PREV: wiz_focus_move(w, -1); break;
	case WZ_LEFT: wiz_choose(w, -1); wiz_ca_choose(ui, w, -1); break;
	case WZ_RIGHT:
	case WZ_SPACE: wiz_choose(w, 1); wiz_ca_choose(ui, w, 1); break;
	case WZ_GO:
		if (wiz_check(ui, w, w->step) != 0)
			break;
		if (w->step == WIZ_REVIEW) {
			if (w->edit[0] && (rc = wiz_edit_save(ui, w)) <= 0)
				return UI_HANDLED | (rc < 0 ? UI_REDRAW : UI_CLOSE);
			wiz_issue(ui, w);
			break;
		}
		w->step++;
		if (w->step == WIZ_ACCOUNT)
			wiz_ca_fetch(ui, w);
		if (w->step == WIZ_PREFLIGHT)
			wiz_preflight_start(ui, w);
		if (w->step == WIZ_REVIEW && w->edit[0])
			wiz_edit_review(w);
		if (w->step == WIZ_PROVE && w->wildcard)
			w->method = WM_DNS;
		wiz_focus_first(w);
		break;
	case WZ_BACK:
		w->note[0] = '\0';
		if (w->step == WIZ_NAMES) {
			ui_message(ui, ROLE_STATUSLINE, "%s: left; nothing was "
			    "written", w->edit[0] ? w->edit : "new certificate");
			return UI_HANDLED | UI_CLOSE;
		}
		w->step--;
		wiz_focus_first(w);
		break;
	default:
		return UI_HANDLED;
	}
	return UI_HANDLED | UI_REDRAW;
}

static int
wiz_key(struct ui *ui, void *st, int action, int key)
{
	struct wizard *w = st;
	int typing;

	if (w->step == WIZ_ISSUE)
		return wiz_issue_key(ui, w, action);
	typing = w->focus != WF_AGREE && w->focus != WF_METHOD &&
	    w->focus != WF_KEY && w->focus != WF_AFTER && w->focus != WF_CA &&
	    w->focus != WF_PROFILE && w->focus != WF_COUNT;
	if (typing && action != WZ_GO && action != WZ_BACK && action != WZ_NEXT &&
	    action != WZ_PREV && form_text_key(&w->text[w->focus], key)) {
		w->note[0] = '\0';
		if (w->focus == WF_CERTNAME)
			w->certname_typed = w->text[WF_CERTNAME].text[0] != '\0';
		if (w->focus == WF_PORT)
			w->port_typed = 1;
		if (w->focus == WF_NAMES || w->focus == WF_CERTNAME)
			wiz_names_check(w);
		if (w->focus == WF_OWNER || w->focus == WF_GROUP ||
		    w->focus == WF_MODE)
			(void)wiz_check_access(w);
		return UI_HANDLED | UI_REDRAW;
	}
	if (action == 0 && key == '?')
		return 0;
	return wiz_step_key(ui, w, action);
}

static void
wiz_schedule_yes(struct ui *ui, const char *arg, int flag)
{
	char done[512];
	struct err err;

	(void)arg;
	(void)flag;
	if (schedule_install_quiet(ui->cli, done, sizeof done, &err) != 0)
		dialog_message(ui, "Renewal not scheduled", err.msg);
	else
		ui_message(ui, ROLE_STATUSLINE, "Renewal scheduled: %s", done);
	ui_schedule_read(ui);
}

/* A certificate nobody renews expires unnoticed: once the first one is
 * issued with no schedule installed, offer `certdeck schedule install`
 * (later, the top bar's warning says it). Not in the demo, whose store
 * is gone when it ends. */
static void
wiz_offer_schedule(struct ui *ui, const struct wizard *w)
{
	enum schedule_kind kind;
	struct err err;

	if (!w->first || ui->cli->demo || schedule_detect(ui->cli->root, &kind, &err) != 0 ||
	    kind != SCHEDULE_NONE)
		return;
	dialog_confirm(ui, "Renew automatically?", "No renewal schedule is "
	    "installed, so this certificate will not be renewed unless someone "
	    "runs certdeck. Install one now? Like 'certdeck schedule install': "
	    "a systemd timer (or a cron entry) runs 'certdeck renew --all' "
	    "twice a day.", 0, wiz_schedule_yes, NULL, 0);
}

static int
wiz_event(struct ui *ui, void *st, const struct event *ev)
{
	struct wizard *w = st;
	struct err err;
	char *path = NULL;
	const char *cfg;

	if (wiz_ca_event(w, ev))
		return UI_REDRAW;
	if (w->job == 0 || ev->job != w->job || w->ended != 0)
		return ev->job == w->job && w->job != 0 ? UI_REDRAW : 0;
	if (ev->kind == EVENT_FAILED)
		w->ended = -1;
	if (ev->kind != EVENT_DONE)
		return UI_REDRAW;
	w->ended = 1;
	if (w->edit[0])
		;	/* saved before the renewal: w->saved says where */
	else if ((cfg = wiz_config_path(ui, &path, &err)) == NULL ||
	    wiz_save(cfg, w, &err) != 0)
		snprintf(w->saved, sizeof w->saved, "Not added to the config: %.250s",
		    err.msg);
	else {
		snprintf(w->saved, sizeof w->saved, "Its definition was added to %.250s.",
		    cfg);
		wiz_config_reload(ui);
	}
	free(path);
	ui_message(ui, ROLE_STATUSLINE, "%s issued. %s", w->text[WF_CERTNAME].text,
	    w->saved);
	(void)ui_push(ui, &screen_detail_ops, w->text[WF_CERTNAME].text);
	wiz_offer_schedule(ui, w);
	return UI_REDRAW;
}

const struct screen_ops screen_wizard_ops = {
	.name = "New certificate",
	.keys = wiz_keys,
	.n_keys = sizeof wiz_keys / sizeof wiz_keys[0],
	.open = wiz_open,
	.close = wiz_close,
	.draw = wiz_draw,
	.key = wiz_key,
	.event = wiz_event,
};
