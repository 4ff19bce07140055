/*
 * wizard_edit: editing a certificate's definition (e) with the wizard's
 * own steps and checks, prefilled from the configuration file, or from
 * the certificate's record when it was issued from the command line and
 * has no definition yet. Only Enter on Review writes, replacing the
 * definition in place (settings the wizard does not ask about are kept);
 * leaving at any step leaves the file as it was. Changed names take
 * effect at the next issuance, so Review offers to renew at once.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libconfig.h>

#include "certrec.h"
#include "cli.h"
#include "config_edit.h"
#include "engine.h"
#include "screen.h"
#include "store.h"
#include "wizard.h"

/* Joins `v` with `sep` into a form field. */
static void
wiz_edit_join(struct form_text *t, const char *const *v, size_t n,
    const char *sep)
{
	char text[FORM_TEXT_MAX];
	size_t i, len = 0;

	text[0] = '\0';
	for (i = 0; i < n && len < sizeof text; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "%s%s",
		    i ? sep : "", v[i]);
	form_text_set(t, text);
}

/* The method from a definition's or a record's words. */
static void
wiz_edit_method(struct wizard *w, const char *challenge, const char *webroot)
{
	char port[16];

	w->method = WM_HTTP;
	if (webroot != NULL && *webroot != '\0') {
		w->method = WM_WEBROOT;
		form_text_set(&w->text[WF_WEBROOT], webroot);
	} else if (challenge != NULL && strcmp(challenge, "tls-alpn-01") == 0)
		w->method = WM_ALPN;
	else if (challenge != NULL && strncmp(challenge, "dns-", 4) == 0)
		w->method = WM_DNS;
	if (w->method == WM_ALPN) {
		snprintf(port, sizeof port, "%d", w->default_port[1]);
		form_text_set(&w->text[WF_PORT], port);
	}
}

static void
wiz_edit_key(struct wizard *w, const char *key_type)
{
	size_t i;

	for (i = 0; key_type != NULL && i < wiz_n_key_types; i++)
		if (strcmp(wiz_key_types[i], key_type) == 0)
			w->key = i;
}

/* A setting's strings (an array or one string) into a vector of
 * pointers into `g`; returns how many (at most `max`). */
static size_t
wiz_edit_strings(config_setting_t *g, const char *key, const char **v, size_t max)
{
	config_setting_t *s = config_setting_get_member(g, key);
	const char *one;
	size_t n = 0;

	if (s == NULL)
		return 0;
	if ((one = config_setting_get_string(s)) != NULL) {
		v[0] = one;
		return 1;
	}
	while (n < max && (one = config_setting_get_string_elem(s, (int)n)) != NULL)
		v[n++] = one;
	return n;
}

/* Fills the form from a definition; returns how many names it has. */
static size_t
wiz_edit_from_group(struct wizard *w, config_setting_t *g)
{
	static const struct {
		const char *key;
		enum wiz_field f;
	} deploy[] = { { "deploy_fullchain", WF_FULLCHAIN },
		{ "deploy_key", WF_KEYCOPY }, { "deploy_owner", WF_OWNER },
		{ "deploy_group", WF_GROUP }, { "deploy_mode", WF_MODE } };
	const char *v[WIZ_NAMES_MAX * 2], *s = NULL, *webroot = NULL;
	size_t n, names, i;

	names = n = wiz_edit_strings(g, "domains", v, sizeof v / sizeof v[0]);
	wiz_edit_join(&w->text[WF_NAMES], v, n, ", ");
	(void)config_setting_lookup_string(g, "challenge", &s);
	(void)config_setting_lookup_string(g, "webroot", &webroot);
	wiz_edit_method(w, s, webroot);
	s = NULL;
	(void)config_setting_lookup_string(g, "key_type", &s);
	wiz_edit_key(w, s);
	for (i = 0; i < sizeof deploy / sizeof deploy[0]; i++)
		if (config_setting_lookup_string(g, deploy[i].key, &s) == CONFIG_TRUE)
			form_text_set(&w->text[deploy[i].f], s);
	n = wiz_edit_strings(g, "reload", v, sizeof v / sizeof v[0]);
	wiz_edit_join(&w->text[WF_RELOAD], v, n, " ");
	/* The field splits the command at spaces: an argument holding one,
	 * or an empty one, would not come back the same. */
	while (n-- > 0)
		if (*v[n] == '\0' || strchr(v[n], ' ') != NULL)
			w->edit_lossy = 1;
	return names;
}

/* From the definition in the file, `*names` of them; 1 found, 0 none,
 * -1 unreadable. */
static int
wiz_edit_from_config(struct ui *ui, struct wizard *w, const char *name,
    size_t *names)
{
	config_setting_t *g;
	char *owned = NULL;
	const char *path;
	struct err err;
	config_t cfg;
	int rc = 0;

	/* No file yet: nothing defined (the record fills the form). */
	if ((path = wiz_config_path(ui, &owned, &err)) == NULL ||
	    access(path, F_OK) != 0) {
		free(owned);
		return 0;
	}
	config_init(&cfg);
	if (config_read_file(&cfg, path) != CONFIG_TRUE) {
		ui_message(ui, ROLE_LOG_ERROR, "%s:%d: %s", path,
		    config_error_line(&cfg), config_error_text(&cfg));
		rc = -1;
	} else if ((g = config_edit_cert(&cfg, name, NULL)) != NULL) {
		*names = wiz_edit_from_group(w, g);
		rc = 1;
	}
	config_destroy(&cfg);
	free(owned);
	return rc;
}

int
wiz_edit_open(struct ui *ui, struct wizard *w, const char *name)
{
	struct certrec rec;
	struct err err;
	size_t names = 0;
	int found, defined;

	memset(&rec, 0, sizeof rec);
	if ((found = certrec_load(ui->store, name, &rec, &err)) < 0) {
		ui_message(ui, ROLE_LOG_ERROR, "%s", err.msg);
		return -1;
	}
	snprintf(w->edit, sizeof w->edit, "%s", name);
	w->edit_unmanaged = found == 1 && rec.unmanaged;
	if ((defined = wiz_edit_from_config(ui, w, name, &names)) < 0) {
		certrec_free(&rec);
		return -1;
	}
	if (!defined && found == 1) {
		wiz_edit_join(&w->text[WF_NAMES], (const char *const *)rec.domains,
		    rec.n_domains, ", ");
		wiz_edit_method(w, rec.challenge, rec.webroot);
		wiz_edit_key(w, rec.key_type);
		names = rec.n_domains;
	}
	certrec_free(&rec);
	w->certname_typed = 1;
	form_text_set(&w->text[WF_CERTNAME], name);
	wiz_names_check(w);
	/* Saving what the form holds would drop what it cannot hold. */
	if (names != w->n_names) {
		ui_message(ui, ROLE_LOG_ERROR, "%s has %zu names; the screens edit up "
		    "to %d: change its definition in the config file", name, names,
		    WIZ_NAMES_MAX);
		return -1;
	}
	if (w->edit_lossy) {
		ui_message(ui, ROLE_LOG_ERROR, "%s: its reload command has an argument "
		    "with a space (or an empty one), which the screens cannot show: "
		    "change its definition in the config file", name);
		return -1;
	}
	snprintf(w->edit_names, sizeof w->edit_names, "%s", w->text[WF_NAMES].text);
	return 0;
}

void
wiz_edit_review(struct wizard *w)
{
	w->renew_now = strcmp(w->edit_names, w->text[WF_NAMES].text) != 0;
}

int
wiz_edit_draw_after(struct ui *ui, struct wizard *w, int y, int x, int width)
{
	char text[128];

	snprintf(text, sizeof text, "< %s >", w->renew_now ? "save and renew now" :
	    "save only");
	ui_put(ui, y, x, 22, w->focus == WF_AFTER ? ROLE_TITLE : ROLE_LABEL,
	    "Then:");
	ui_put(ui, y, x + 22, width - 22, w->focus == WF_AFTER ? ROLE_SELECTED :
	    ROLE_DIALOG, text);
	if (w->focus == WF_AFTER) {
		ui->cursor_y = y;
		ui->cursor_x = x + 24;
	}
	y++;
	ui_put(ui, y++, x, width, ROLE_DIM, w->renew_now ? "A new certificate "
	    "is issued now with these settings; the current one stays archived." :
	    "The next renewal uses these settings. Left/Right changes this.");
	ui_put(ui, y++, x, width, ROLE_TITLE, "Enter saves the definition in the "
	    "config file; Esc goes back and writes nothing.");
	return y;
}

/* Saving a definition manages a removed certificate again. */
static void
wiz_edit_manage(struct ui *ui, struct wizard *w)
{
	struct engine_cmd *cmd;

	if (!w->edit_unmanaged)
		return;
	if ((cmd = engine_cmd_new(ENGINE_CMD_MANAGE, w->edit)) != NULL)
		cmd->managed = 1;
	if (ui_submit(ui, cmd, "Managing it again") != 0)
		w->edit_unmanaged = 0;
}

int
wiz_edit_save(struct ui *ui, struct wizard *w)
{
	char *owned = NULL;
	const char *path;
	struct err err;

	if ((path = wiz_config_path(ui, &owned, &err)) == NULL ||
	    wiz_save(path, w, &err) != 0) {
		snprintf(w->note, sizeof w->note, "Not saved: %.200s", err.msg);
		free(owned);
		return -1;
	}
	snprintf(w->saved, sizeof w->saved, "Its definition was saved in %.250s.",
	    path);
	free(owned);
	wiz_config_reload(ui);
	wiz_edit_manage(ui, w);
	ui_message(ui, ROLE_STATUSLINE, "%s: %s", w->edit, w->saved);
	return w->renew_now ? 1 : 0;
}
