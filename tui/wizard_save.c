/*
 * wizard_save: the onboarding wizard's last act, once the certificate is
 * issued: its definition joins `certificates` in the configuration file;
 * after an edit (e) it replaces the one there. The file is changed with
 * config_edit (libconfig, a temporary file renamed over it), every other
 * setting kept.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config_edit.h"
#include "screen.h"
#include "str.h"
#include "wizard.h"

/* The copies, whose they are and their mode, and the command after
 * them; an emptied one leaves. */
static int
wiz_set_deploy(config_setting_t *g, const struct wizard *w)
{
	config_setting_t *r;
	char **argv;
	int n, i, rc = 0;

	if (config_edit_set_string(g, "deploy_fullchain",
	    w->text[WF_FULLCHAIN].text) != 0 ||
	    config_edit_set_string(g, "deploy_key", w->text[WF_KEYCOPY].text) != 0 ||
	    config_edit_set_string(g, "deploy_owner", w->text[WF_OWNER].text) != 0 ||
	    config_edit_set_string(g, "deploy_group", w->text[WF_GROUP].text) != 0 ||
	    config_edit_set_string(g, "deploy_mode", w->text[WF_MODE].text) != 0 ||
	    (n = wiz_reload_argv(w, &argv)) < 0)
		return -1;
	config_edit_unset(g, "reload");
	if (n > 0 && (r = config_setting_add(g, "reload", CONFIG_TYPE_ARRAY)) == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < n; i++)
		if (config_setting_set_string_elem(r, -1, argv[i]) == NULL)
			rc = -1;
	if (n > 0)
		strv_free(argv, (size_t)n);
	return rc;
}

/* The certificate's group: a new one, or the one being edited, whose
 * settings the wizard does not ask about (endpoints, notices…) stay. */
static config_setting_t *
wiz_group(config_t *cfg, const char *name, struct err *err)
{
	config_setting_t *certs, *g;

	if ((g = config_edit_cert(cfg, name, NULL)) != NULL)
		return g;
	certs = config_setting_get_member(config_root_setting(cfg), "certificates");
	if (certs == NULL)
		certs = config_setting_add(config_root_setting(cfg), "certificates",
		    CONFIG_TYPE_LIST);
	if (certs == NULL || !config_setting_is_list(certs)) {
		err_set(err, ERR_CONFIG, "certificates: not a list");
		return NULL;
	}
	if ((g = config_setting_add(certs, NULL, CONFIG_TYPE_GROUP)) == NULL ||
	    config_edit_set_string(g, "name", name) != 0) {
		err_nomem(err, "configuration");
		return NULL;
	}
	return g;
}

/* What the wizard asked, into the certificate's group. */
static int
wiz_set_group(config_t *cfg, const struct wizard *w, struct err *err)
{
	static const char *const challenge[WM_COUNT] = { "http-01", "http-01",
		"tls-alpn-01", "dns-01" };
	config_setting_t *g, *d;
	size_t i;

	if ((g = wiz_group(cfg, w->text[WF_CERTNAME].text, err)) == NULL)
		return -1;
	config_edit_unset(g, "domains");
	if ((d = config_setting_add(g, "domains", CONFIG_TYPE_ARRAY)) == NULL)
		return err_nomem(err, "configuration");
	for (i = 0; i < w->n_names; i++)
		if (config_setting_set_string_elem(d, -1, w->ids[i].value) == NULL)
			return err_nomem(err, "configuration");
	/* The hook is a global setting: renewals need it too. */
	if (w->method == WM_DNS && ((d = config_setting_get_member(
	    config_root_setting(cfg), "dns_hook")) == NULL ||
	    config_setting_get_string(d) == NULL ||
	    *config_setting_get_string(d) == '\0') &&
	    config_edit_set_string(config_root_setting(cfg), "dns_hook",
	    w->text[WF_HOOK].text) != 0)
		return err_nomem(err, "configuration");
	if (wiz_set_deploy(g, w) != 0 ||
	    config_edit_set_string(g, "challenge", challenge[w->method]) != 0 ||
	    config_edit_set_string(g, "key_type", wiz_key_types[w->key]) != 0 ||
	    config_edit_set_string(g, "webroot", w->method == WM_WEBROOT ?
	    w->text[WF_WEBROOT].text : NULL) != 0)
		return err_nomem(err, "configuration");
	return wiz_ca_save(config_root_setting(cfg), g, w, err);
}

const char *
wiz_config_path(struct ui *ui, char **owned, struct err *err)
{
	*owned = NULL;
	if (ui->cli->config_path != NULL)
		return ui->cli->config_path;
	return *owned = config_default_path(err);
}

void
wiz_config_reload(struct ui *ui)
{
	/* main's own options: only the screens' handlers change them, on
	 * the UI thread, and the engine holds copies of what it uses. */
	struct cli *c = (struct cli *)ui->cli;
	struct config fresh;
	char *owned = NULL;
	const char *path;
	struct err err;

	if (config_defaults(&fresh, &err) != 0 ||
	    ((path = wiz_config_path(ui, &owned, &err)) != NULL &&
	    access(path, F_OK) == 0 && config_load(&fresh, path, &err) != 0)) {
		ui_message(ui, ROLE_LOG_ERROR, "config not read again: %s", err.msg);
		config_free(&fresh);
		free(owned);
		return;
	}
	free(owned);
	config_free(&c->cfg);
	c->cfg = fresh;
}

int
wiz_save(const char *path, const struct wizard *w, struct err *err)
{
	config_t cfg;
	mode_t mode;
	int rc = -1;

	config_init(&cfg);
	if (config_edit_read(&cfg, path, &mode, err) == 0 &&
	    wiz_set_group(&cfg, w, err) == 0 &&
	    config_edit_write(&cfg, path, mode, err) == 0)
		rc = 0;
	config_destroy(&cfg);
	return rc;
}
