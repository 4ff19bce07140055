/*
 * wizard_ca: the wizard's CA and account step and its Preflight step
 * (see wizard.h). The CA is the configured one, a preset or any
 * directory URL; whenever it changes the engine reads its directory
 * (ENGINE_CMD_DIRECTORY) and the step shows what it says: the terms of
 * service to agree to, EAB fields when the CA requires them, its
 * profiles for the Key step. Preflight asks the engine to check the
 * names, CAA and the port or webroot (ENGINE_CMD_PREFLIGHT); it advises
 * and never blocks without saying why. The screens never read the
 * network themselves.
 */
#include "autoconfig.h"

#include <curses.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "cli.h"
#include "config.h"
#include "config_edit.h"
#include "engine.h"
#include "jobs.h"
#include "screen.h"
#include "wizard.h"

#define WIZ_CA_LABEL 22

/* The CA choices: 0 the configured one, 1..n the presets, n+1 a URL. */
static size_t
wiz_ca_count(void)
{
	size_t n;

	(void)config_presets(&n);
	return n + 2;
}

const char *
wiz_ca_url(const struct ui *ui, const struct wizard *w)
{
	const struct config_preset *p;
	size_t n;

	p = config_presets(&n);
	if (w->ca == 0)
		return ui->cli->server ? ui->cli->server : "";
	if (w->ca <= n)
		return p[w->ca - 1].directory;
	return w->text[WF_URL].text;
}

/* The preset's name for the config, or NULL (the configured CA, a URL). */
const char *
wiz_ca_preset(const struct wizard *w)
{
	const struct config_preset *p;
	size_t n;

	p = config_presets(&n);
	return w->ca >= 1 && w->ca <= n ? p[w->ca - 1].name : NULL;
}

static void
wiz_reply_drop(struct engine_reply **r, uint32_t *job)
{
	engine_reply_unref(*r);
	*r = NULL;
	*job = 0;
}

void
wiz_ca_engine_back(struct ui *ui, const struct wizard *w)
{
	if (strcmp(w->ca_url, ui->cli->server ? ui->cli->server : "") != 0)
		(void)ui_engine_stop_idle(ui);
}

void
wiz_ca_free(struct wizard *w)
{
	wiz_reply_drop(&w->dir, &w->dir_job);
	wiz_reply_drop(&w->pre, &w->pre_job);
}

/* Submits a query whose answer lands in `*slot`. */
static uint32_t
wiz_query(struct ui *ui, struct engine_cmd *cmd, struct engine_reply **slot)
{
	uint32_t id;

	if (cmd == NULL || (*slot = engine_reply_new()) == NULL) {
		engine_cmd_free(cmd);
		return 0;
	}
	cmd->reply = engine_reply_ref(*slot);
	if ((id = ui_submit(ui, cmd, "Reading the CA's directory")) == 0)
		wiz_reply_drop(slot, &id);
	return id;
}

void
wiz_ca_fetch(struct ui *ui, struct wizard *w)
{
	const char *url = wiz_ca_url(ui, w);
	struct engine_cmd *cmd;

	/* Read once per URL; again only after a failure (Enter retries). */
	if (strcmp(url, w->ca_url) == 0 && w->dir != NULL &&
	    (w->dir_job != 0 || !w->dir->failed))
		return;
	wiz_reply_drop(&w->dir, &w->dir_job);
	snprintf(w->ca_url, sizeof w->ca_url, "%s", url);
	w->profile = 0;
	wiz_find_account(ui, w, url);
	if (strncmp(url, "https://", 8) != 0)
		return;
	if ((cmd = engine_cmd_new(ENGINE_CMD_DIRECTORY, "")) != NULL &&
	    (cmd->url = strdup(url)) == NULL) {
		engine_cmd_free(cmd);
		cmd = NULL;
	}
	w->dir_job = wiz_query(ui, cmd, &w->dir);
}

/* True once the directory was read without error. */
static int
wiz_dir_ready(const struct wizard *w)
{
	return w->dir != NULL && w->dir_job == 0 && !w->dir->failed;
}

/* A CA without terms of service has nothing to agree to (the engine
 * asks for the agreement only when there are terms). */
static int
wiz_no_terms(const struct wizard *w)
{
	return wiz_dir_ready(w) && w->dir->dir.terms[0] == '\0';
}

const struct query_dir *
wiz_ca_dir(const struct wizard *w)
{
	return wiz_dir_ready(w) ? &w->dir->dir : NULL;
}

size_t
wiz_ca_fields(const struct wizard *w, enum wiz_field *out)
{
	size_t n = 0;

	out[n++] = WF_CA;
	if (w->ca + 1 == wiz_ca_count())
		out[n++] = WF_URL;
	if (w->account_exists)
		return n;
	out[n++] = WF_EMAIL;
	if (wiz_dir_ready(w) && w->dir->dir.eab_required) {
		out[n++] = WF_EAB_KID;
		out[n++] = WF_EAB_HMAC;
	}
	if (!wiz_no_terms(w))
		out[n++] = WF_AGREE;
	return n;
}

int
wiz_ca_check(struct ui *ui, struct wizard *w)
{
	const char *hmac = w->text[WF_EAB_HMAC].text, *url = wiz_ca_url(ui, w);

	if (strncmp(url, "https://", 8) != 0)
		return snprintf(w->note, sizeof w->note, "Directory URL: an https:// "
		    "URL, such as https://acme.example/directory."), -1;
	if (w->dir_job != 0)
		return snprintf(w->note, sizeof w->note, "Still reading the "
		    "directory…"), -1;
	if (strcmp(url, w->ca_url) != 0 || w->dir == NULL || w->dir->failed) {
		wiz_ca_fetch(ui, w);
		return snprintf(w->note, sizeof w->note, "Reading the directory; "
		    "Enter again once it is shown."), -1;
	}
	if (ui->jobs->running > 0 && strcmp(url, ui->cli->server ?
	    ui->cli->server : "") != 0)
		return snprintf(w->note, sizeof w->note, "Jobs are running with "
		    "the configured CA; wait for them to end to use another."), -1;
	if (w->account_exists)
		return 0;
	if (w->text[WF_EMAIL].text[0] != '\0' &&
	    (strchr(w->text[WF_EMAIL].text, '@') == NULL ||
	    strchr(w->text[WF_EMAIL].text, ' ') != NULL))
		return snprintf(w->note, sizeof w->note, "E-mail: an address such "
		    "as you@example.com, or nothing."), -1;
	if (w->dir->dir.eab_required && (w->text[WF_EAB_KID].text[0] == '\0' ||
	    hmac[0] == '\0'))
		return snprintf(w->note, sizeof w->note, "This CA requires an "
		    "external account binding: give the key id and HMAC key it "
		    "gave you."), -1;
	if (w->dir->dir.eab_required && !b64url_is_valid(hmac))
		return snprintf(w->note, sizeof w->note, "EAB HMAC key: base64url "
		    "(A-Z a-z 0-9 - _, no padding), as the CA gave it."), -1;
	if (!w->agree && !wiz_no_terms(w))
		return snprintf(w->note, sizeof w->note, "The CA registers an "
		    "account only for those who agree to its terms."), -1;
	return 0;
}

void
wiz_ca_choose(struct ui *ui, struct wizard *w, int dir)
{
	size_t n = wiz_ca_count();

	if (w->focus == WF_CA) {
		w->ca = (w->ca + (dir > 0 ? 1 : n - 1)) % n;
		wiz_ca_fetch(ui, w);
	} else if (w->focus == WF_PROFILE && wiz_dir_ready(w)) {
		n = w->dir->dir.n_profiles + 1;
		w->profile = (w->profile + (dir > 0 ? 1 : n - 1)) % n;
	}
}

/* What the directory says, or that it is being read, or why not. */
static int
wiz_ca_draw_dir(struct ui *ui, struct wizard *w, int y, int x, int width)
{
	const struct query_dir *d;
	char line[800];
	size_t i;

	if (w->dir == NULL)
		return y;
	if (w->dir_job != 0) {
		ui_put(ui, y++, x, width, ROLE_PENDING, "reading the directory…");
		return y;
	}
	if (w->dir->failed)
		return y + ui_put_wrapped(ui, y, x, width, ROLE_LOG_ERROR,
		    w->dir->err.msg, 3);
	d = &w->dir->dir;
	snprintf(line, sizeof line, "Terms of service:  %s", d->terms[0] ?
	    d->terms : "none given");
	y += ui_put_wrapped(ui, y, x, width, ROLE_DIALOG, line, 2);
	line[0] = '\0';
	for (i = 0; i < d->n_profiles; i++)
		snprintf(line + strlen(line), sizeof line - strlen(line), "%s%s",
		    i ? ", " : "Profiles:  ", d->profiles[i]);
	if (d->website[0] != '\0' || d->eab_required || line[0] != '\0') {
		snprintf(line + strlen(line), sizeof line - strlen(line),
		    "%s%s%s", line[0] ? "   " : "", d->eab_required ?
		    "External account binding required.  " : "", d->website);
		y += ui_put_wrapped(ui, y, x, width, ROLE_DIM, line, 2);
	}
	return y;
}

int
wiz_ca_draw(struct ui *ui, struct wizard *w, int y, int x, int width)
{
	const struct config_preset *p;
	char value[600], line[300];
	size_t n;

	p = config_presets(&n);
	if (w->ca == 0)
		snprintf(value, sizeof value, "configured: %.500s", wiz_ca_url(ui, w));
	else if (w->ca <= n)
		snprintf(value, sizeof value, "%s: %s", p[w->ca - 1].name,
		    p[w->ca - 1].directory);
	else
		snprintf(value, sizeof value, "another directory URL");
	y = wiz_draw_choice(ui, w, WF_CA, y, x, width, "CA:", value);
	if (w->ca + 1 == wiz_ca_count()) {
		form_text_draw(ui, y++, x, width, WIZ_CA_LABEL, "Directory URL:",
		    &w->text[WF_URL], w->focus == WF_URL);
		if (strcmp(w->text[WF_URL].text, w->ca_url) != 0)
			ui_put(ui, y++, x + 2, width - 2, ROLE_DIM, "Enter reads "
			    "the directory at this URL");
	}
	y = wiz_ca_draw_dir(ui, w, y, x, width) + 1;
	if (w->account_exists) {
		snprintf(line, sizeof line, "Account:  registered at this CA (%s); "
		    "it is used as it is.", w->account_contact);
		ui_put(ui, y++, x, width, ROLE_OK, line);
		return y;
	}
	ui_put(ui, y++, x, width, ROLE_DIALOG, "Account:  none yet at this CA; "
	    "one is registered first.");
	form_text_draw(ui, y++, x, width, WIZ_CA_LABEL, "Contact e-mail:",
	    &w->text[WF_EMAIL], w->focus == WF_EMAIL);
	if (wiz_dir_ready(w) && w->dir->dir.eab_required) {
		form_text_draw(ui, y++, x, width, WIZ_CA_LABEL, "EAB key id:",
		    &w->text[WF_EAB_KID], w->focus == WF_EAB_KID);
		form_text_draw(ui, y++, x, width, WIZ_CA_LABEL, "EAB HMAC key:",
		    &w->text[WF_EAB_HMAC], w->focus == WF_EAB_HMAC);
	}
	if (wiz_no_terms(w)) {
		ui_put(ui, y, x, width, ROLE_DIM, "The CA publishes no terms of "
		    "service: there is nothing to agree to.");
		return y + 1;
	}
	snprintf(line, sizeof line, "[%s] I have read and agree to the CA's terms "
	    "of service%s", w->agree ? "x" : " ", wiz_dir_ready(w) ? " (above)" :
	    "");
	ui_put(ui, y, x, width, w->focus == WF_AGREE ? ROLE_SELECTED : ROLE_DIALOG,
	    line);
	if (w->focus == WF_AGREE) {
		ui->cursor_y = y;
		ui->cursor_x = x + 1;
	}
	return y + 1;
}

/* The Key step's profile line, when the CA lists profiles. */
int
wiz_ca_draw_profile(struct ui *ui, struct wizard *w, int y, int x, int width)
{
	const struct query_dir *d = wiz_ca_dir(w);
	char desc[300];

	if (d == NULL || d->n_profiles == 0)
		return y;
	y++;
	y = wiz_draw_choice(ui, w, WF_PROFILE, y, x, width, "Profile:", w->profile ?
	    d->profiles[w->profile - 1] : "the CA's default");
	snprintf(desc, sizeof desc, "%s", w->profile ?
	    d->profile_descs[w->profile - 1] : "no profile is asked for");
	ui_put(ui, y++, x + 2, width - 2, ROLE_DIM, desc);
	return y;
}

const char *
wiz_ca_profile(const struct wizard *w)
{
	const struct query_dir *d = wiz_ca_dir(w);

	return d != NULL && w->profile > 0 && w->profile <= d->n_profiles ?
	    d->profiles[w->profile - 1] : NULL;
}

/* The cas entry for a typed directory URL: the one with that directory,
 * else a new one named after its host ("acme.example", made unique). */
static const char *
wiz_ca_entry(config_setting_t *root, const char *url, char *name, size_t namesz)
{
	config_setting_t *cas, *e;
	const char *dir, *n, *host = url + strlen("https://");
	size_t len = strcspn(host, ":/"), i;
	int k;

	if ((cas = config_setting_get_member(root, "cas")) == NULL &&
	    (cas = config_setting_add(root, "cas", CONFIG_TYPE_LIST)) == NULL)
		return NULL;
	for (i = 0; (e = config_setting_get_elem(cas, (unsigned)i)) != NULL; i++)
		if (config_setting_lookup_string(e, "directory", &dir) &&
		    strcmp(dir, url) == 0 && config_setting_lookup_string(e, "name", &n))
			return snprintf(name, namesz, "%s", n), name;
	for (k = 1; k < 100; k++) {
		snprintf(name, namesz, k == 1 ? "%.*s" : "%.*s-%d", (int)len, host, k);
		for (i = 0; (e = config_setting_get_elem(cas, (unsigned)i)) != NULL;
		    i++)
			if (config_setting_lookup_string(e, "name", &n) &&
			    strcmp(n, name) == 0)
				break;
		if (e == NULL && config_find_preset(name) == NULL)
			break;
	}
	if ((e = config_setting_add(cas, NULL, CONFIG_TYPE_GROUP)) == NULL ||
	    config_edit_set_string(e, "name", name) != 0 ||
	    config_edit_set_string(e, "directory", url) != 0)
		return NULL;
	return name;
}

int
wiz_ca_save(config_setting_t *root, config_setting_t *g,
    const struct wizard *w, struct err *err)
{
	const char *ca = wiz_ca_preset(w);
	char name[128];

	/* The configured CA is the config's (or the command line's): kept. */
	if (w->ca > 0 && ca == NULL &&
	    (ca = wiz_ca_entry(root, w->ca_url, name, sizeof name)) == NULL)
		return err_nomem(err, "configuration: cas");
	if ((ca != NULL && config_edit_set_string(g, "ca", ca) != 0) ||
	    (wiz_ca_profile(w) != NULL &&
	    config_edit_set_string(g, "profile", wiz_ca_profile(w)) != 0))
		return err_nomem(err, "configuration");
	return 0;
}

/* ---------------------------------------------------------- preflight */

void
wiz_preflight_start(struct ui *ui, struct wizard *w)
{
	static const char *const challenge[WM_COUNT] = { "http-01", "webroot",
		"tls-alpn-01", "dns-01" };
	struct engine_cmd *cmd;
	struct err err;
	size_t i;

	wiz_reply_drop(&w->pre, &w->pre_job);
	w->preflight_seen = 0;
	/* Nameless: its lines are not the certificate's history. */
	if ((cmd = engine_cmd_new(ENGINE_CMD_PREFLIGHT, "")) == NULL)
		return;
	for (i = 0; i < w->n_names; i++)
		if (engine_cmd_add_domain(cmd, w->ids[i].value, &err) != 0)
			goto fail;
	cmd->port = atoi(w->text[WF_PORT].text);
	if ((cmd->url = strdup(w->ca_url)) == NULL ||
	    (cmd->challenge = strdup(challenge[w->method])) == NULL ||
	    (w->method == WM_WEBROOT &&
	    (cmd->webroot = strdup(w->text[WF_WEBROOT].text)) == NULL))
		goto fail;
	w->pre_job = wiz_query(ui, cmd, &w->pre);
	return;
fail:
	engine_cmd_free(cmd);
}

int
wiz_preflight_check(struct wizard *w)
{
	size_t i, bad = 0;

	if (w->pre_job != 0)
		return snprintf(w->note, sizeof w->note, "Still checking; Enter "
		    "again when it is done, or Esc to go back."), -1;
	for (i = 0; w->pre != NULL && i < w->pre->n_lines; i++)
		bad += w->pre->lines[i].mark == QUERY_FAIL;
	if (bad == 0 || w->preflight_seen)
		return 0;
	w->preflight_seen = 1;
	return snprintf(w->note, sizeof w->note, "%zu problem%s marked ✗: fix "
	    "%s (Esc goes back) or press Enter again to try anyway.", bad,
	    bad == 1 ? "" : "s", bad == 1 ? "it" : "them"), -1;
}

int
wiz_preflight_draw(struct ui *ui, struct wizard *w, int y, int x, int width,
    int rows)
{
	static const char *const mark[2][3] = { { "+", "!", "x" },
		{ "✓", "!", "✗" } };
	static const enum theme_role role[3] = { ROLE_OK, ROLE_DUE,
		ROLE_LOG_ERROR };
	char line[400];
	size_t i;
	int last = y + rows - 4;

	ui_put(ui, y++, x, width, ROLE_DIM, "Advice before the CA is asked: "
	    "names, CAA, the port or web root.");
	y++;
	if (w->pre == NULL)
		ui_put(ui, y++, x, width, ROLE_LOG_ERROR, "not checked: the engine "
		    "did not take the question");
	else if (w->pre_job != 0)
		ui_put(ui, y++, x, width, ROLE_PENDING, "checking…");
	for (i = 0; w->pre != NULL && w->pre_job == 0 && i < w->pre->n_lines &&
	    y < last; i++) {
		snprintf(line, sizeof line, "%s %s", mark[ui->utf8 != 0]
		    [w->pre->lines[i].mark], w->pre->lines[i].text);
		y += ui_put_wrapped(ui, y, x + 2, width - 2,
		    role[w->pre->lines[i].mark], line, 2);
	}
	if (w->pre != NULL && w->pre_job == 0 && w->pre->failed)
		y += ui_put_wrapped(ui, y, x + 2, width - 2, ROLE_DUE,
		    w->pre->err.msg, 2);
	return y;
}

/* The wizard's questions ended: their replies are filled. */
int
wiz_ca_event(struct wizard *w, const struct event *ev)
{
	if (ev->kind != EVENT_DONE && ev->kind != EVENT_FAILED)
		return 0;
	if (ev->job == w->dir_job && w->dir_job != 0) {
		w->dir_job = 0;
		if (ev->kind == EVENT_FAILED) {
			w->dir->failed = 1;
			snprintf(w->dir->err.msg, sizeof w->dir->err.msg, "%s", ev->msg);
		}
		return 1;
	}
	if (ev->job == w->pre_job && w->pre_job != 0) {
		w->pre_job = 0;
		if (ev->kind == EVENT_FAILED) {
			w->pre->failed = 1;
			snprintf(w->pre->err.msg, sizeof w->pre->err.msg, "%s", ev->msg);
		}
		return 1;
	}
	return 0;
}
