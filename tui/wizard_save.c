/*
 * wizard_save: the onboarding wizard's last act, once the certificate is
 * issued: its definition joins `certificates` in the configuration file.
 * The file is read with libconfig and written whole to a temporary file
 * in the same folder, then renamed over the old one, so a reader sees the
 * old file or the new, never half of one; every other setting is kept
 * (libconfig does not keep comments).
 */
#include "autoconfig.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "str.h"
#include "wizard.h"

static int
wiz_set_string(config_setting_t *g, const char *name, const char *value)
{
	config_setting_t *s;

	return (s = config_setting_add(g, name, CONFIG_TYPE_STRING)) != NULL &&
	    config_setting_set_string(s, value) == CONFIG_TRUE ? 0 : -1;
}

/* The copies and the command after them, when there are any. */
static int
wiz_add_deploy(config_setting_t *g, const struct wizard *w)
{
	config_setting_t *r;
	char **argv;
	int n, i, rc = 0;

	if ((w->text[WF_FULLCHAIN].text[0] != '\0' &&
	    wiz_set_string(g, "deploy_fullchain", w->text[WF_FULLCHAIN].text) != 0) ||
	    (w->text[WF_KEYCOPY].text[0] != '\0' &&
	    wiz_set_string(g, "deploy_key", w->text[WF_KEYCOPY].text) != 0) ||
	    (n = wiz_reload_argv(w, &argv)) < 0)
		return -1;
	if (n > 0 && (r = config_setting_add(g, "reload", CONFIG_TYPE_ARRAY)) == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < n; i++)
		if (config_setting_set_string_elem(r, -1, argv[i]) == NULL)
			rc = -1;
	if (n > 0)
		strv_free(argv, (size_t)n);
	return rc;
}

/* The certificate's group: what the wizard asked, nothing more. */
static int
wiz_add_group(config_t *cfg, const struct wizard *w, struct err *err)
{
	static const char *const challenge[WM_COUNT] = { "http-01", "http-01",
		"tls-alpn-01", "dns-01" };
	config_setting_t *certs, *g, *d;
	size_t i;

	certs = config_setting_get_member(config_root_setting(cfg), "certificates");
	if (certs == NULL)
		certs = config_setting_add(config_root_setting(cfg), "certificates",
		    CONFIG_TYPE_LIST);
	if (certs == NULL || !config_setting_is_list(certs))
		return err_set(err, ERR_CONFIG, "certificates: not a list");
	if ((g = config_setting_add(certs, NULL, CONFIG_TYPE_GROUP)) == NULL ||
	    wiz_set_string(g, "name", w->text[WF_CERTNAME].text) != 0 ||
	    (d = config_setting_add(g, "domains", CONFIG_TYPE_ARRAY)) == NULL)
		return err_nomem(err, "configuration");
	for (i = 0; i < w->n_names; i++)
		if (config_setting_set_string_elem(d, -1, w->ids[i].value) == NULL)
			return err_nomem(err, "configuration");
	/* The hook is a global setting: renewals need it too. */
	if (w->method == WM_DNS && ((d = config_setting_get_member(
	    config_root_setting(cfg), "dns_hook")) == NULL ||
	    config_setting_get_string(d) == NULL ||
	    *config_setting_get_string(d) == '\0')) {
		if (d != NULL && config_setting_remove(config_root_setting(cfg),
		    "dns_hook") != CONFIG_TRUE)
			return err_set(err, ERR_CONFIG, "dns_hook: cannot replace it");
		if (wiz_set_string(config_root_setting(cfg), "dns_hook",
		    w->text[WF_HOOK].text) != 0)
			return err_nomem(err, "configuration");
	}
	if (wiz_add_deploy(g, w) != 0)
		return err_nomem(err, "configuration");
	if (wiz_set_string(g, "challenge", challenge[w->method]) != 0 ||
	    wiz_set_string(g, "key_type", wiz_key_types[w->key]) != 0 ||
	    (w->method == WM_WEBROOT &&
	    wiz_set_string(g, "webroot", w->text[WF_WEBROOT].text) != 0))
		return err_nomem(err, "configuration");
	return wiz_ca_save(config_root_setting(cfg), g, w, err);
}

/* Writes `cfg` to a new file beside `path` with `mode` and renames it
 * over `path`. */
static int
wiz_write(config_t *cfg, const char *path, mode_t mode, struct err *err)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	FILE *f;
	int fd, dfd, bad;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= sizeof tmp)
		return err_set(err, ERR_CONFIG, "%s: path too long", path);
	if ((fd = mkstemp(tmp)) < 0)
		return err_errno(err, "%s: mkstemp", tmp);
	if (fchmod(fd, mode) != 0 || (f = fdopen(fd, "w")) == NULL) {
		err_errno(err, "%s", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	config_write(cfg, f);
	bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
	if (fclose(f) != 0 || bad) {
		err_errno(err, "%s: write", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		err_errno(err, "%s: rename", path);
		unlink(tmp);
		return -1;
	}
	snprintf(dir, sizeof dir, "%s", path);
	if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* The default file's folder may not exist yet on a fresh system. */
static int
wiz_mkdir_parent(const char *path, struct err *err)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof dir, "%s", path);
	if (mkdir(dirname(dir), 0700) != 0 && errno != EEXIST)
		return err_errno(err, "%s: mkdir", dir);
	return 0;
}

int
wiz_save(const char *path, const struct wizard *w, struct err *err)
{
	config_t cfg;
	struct stat st;
	mode_t mode = 0600;
	int rc = -1;

	config_init(&cfg);
	if (stat(path, &st) == 0) {
		mode = st.st_mode & 0777;
		if (config_read_file(&cfg, path) != CONFIG_TRUE) {
			err_set(err, ERR_CONFIG, "%s:%d: %s", path,
			    config_error_line(&cfg), config_error_text(&cfg));
			goto out;
		}
	} else if (errno != ENOENT) {
		err_errno(err, "%s", path);
		goto out;
	} else if (wiz_mkdir_parent(path, err) != 0)
		goto out;
	if (wiz_add_group(&cfg, w, err) == 0 && wiz_write(&cfg, path, mode, err) == 0)
		rc = 0;
out:
	config_destroy(&cfg);
	return rc;
}
