/*
 * theme: theme files (libconfig) turned into a look per role (theme.h).
 *
 * A file sets only the roles it cares about; the rest look like `normal`.
 * Colours are names ("red", "bright-blue", "default") or numbers 0-255.
 */
#include "autoconfig.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "theme.h"

const char *const theme_builtin_names[] = {
	"default", "light", "high-contrast", "mono"
};
const size_t theme_builtin_count =
    sizeof theme_builtin_names / sizeof theme_builtin_names[0];

static const char *const theme_role_names[ROLE_COUNT] = {
	[ROLE_NORMAL] = "normal",
	[ROLE_HEADER] = "header",
	[ROLE_TAB] = "tab",
	[ROLE_TAB_ACTIVE] = "tab_active",
	[ROLE_COLUMNS] = "columns",
	[ROLE_SELECTED] = "selected",
	[ROLE_STATUSLINE] = "statusline",
	[ROLE_FOOTER] = "footer",
	[ROLE_FOOTER_KEY] = "footer_key",
	[ROLE_DIM] = "dim",
	[ROLE_LABEL] = "label",
	[ROLE_TITLE] = "title",
	[ROLE_OK] = "ok",
	[ROLE_DUE] = "due",
	[ROLE_EXPIRING] = "expiring",
	[ROLE_EXPIRED] = "expired",
	[ROLE_REVOKED] = "revoked",
	[ROLE_FAILED] = "failed",
	[ROLE_PENDING] = "pending",
	[ROLE_BAR] = "bar",
	[ROLE_DIALOG] = "dialog",
	[ROLE_DIALOG_BUTTON] = "dialog_button",
	[ROLE_LOG_DEBUG] = "log_debug",
	[ROLE_LOG_INFO] = "log_info",
	[ROLE_LOG_WARN] = "log_warn",
	[ROLE_LOG_ERROR] = "log_error",
};

static const char *const theme_colour_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"
};

static const struct {
	const char *name;
	unsigned int bit;
} theme_attr_names[] = {
	{ "bold", THEME_A_BOLD },
	{ "reverse", THEME_A_REVERSE },
	{ "underline", THEME_A_UNDERLINE },
	{ "dim", THEME_A_DIM },
	{ "italic", THEME_A_ITALIC },
	{ "standout", THEME_A_STANDOUT },
};

int
theme_role_parse(const char *name)
{
	int i;

	for (i = 0; i < ROLE_COUNT; i++)
		if (strcmp(theme_role_names[i], name) == 0)
			return i;
	return -1;
}

void
theme_fallback(struct theme *out)
{
	int i;

	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "%s", "built-in");
	out->mono = 1;
	for (i = 0; i < ROLE_COUNT; i++) {
		out->style[i].fg = -1;
		out->style[i].bg = -1;
	}
	out->style[ROLE_HEADER].attrs = THEME_A_REVERSE;
	out->style[ROLE_TAB_ACTIVE].attrs = THEME_A_BOLD;
	out->style[ROLE_SELECTED].attrs = THEME_A_REVERSE;
	out->style[ROLE_FOOTER_KEY].attrs = THEME_A_BOLD;
	out->style[ROLE_EXPIRED].attrs = THEME_A_BOLD;
	out->style[ROLE_FAILED].attrs = THEME_A_BOLD;
}

/* A colour by name or number; 0, or -1 when it is neither. */
static int
theme_colour(const char *text, short *out)
{
	const char *base = text;
	char *end;
	long v;
	int bright = 0;
	size_t i;

	if (strcmp(text, "default") == 0) {
		*out = -1;
		return 0;
	}
	if (strncmp(text, "bright-", 7) == 0) {
		bright = 8;
		base = text + 7;
	}
	for (i = 0; i < sizeof theme_colour_names / sizeof theme_colour_names[0]; i++)
		if (strcmp(base, theme_colour_names[i]) == 0) {
			*out = (short)(i + (size_t)bright);
			return 0;
		}
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < 0 || v > 255)
		return -1;
	*out = (short)v;
	return 0;
}

static int
theme_where(struct err *err, const char *path, const config_setting_t *s,
    const char *fmt, const char *what)
{
	return err_set(err, ERR_CONFIG, "%s:%d: %s '%s'", path,
	    config_setting_source_line(s), fmt, what);
}

static int
theme_colour_field(const config_setting_t *role, const char *field,
    const char *path, short *out, struct err *err)
{
	config_setting_t *s = config_setting_get_member(role, field);
	const char *text;
	char num[16];

	if (s == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_INT) {
		snprintf(num, sizeof num, "%d", config_setting_get_int(s));
		text = num;
	} else if ((text = config_setting_get_string(s)) == NULL)
		return theme_where(err, path, s, "a colour must be a name or a number:",
		    field);
	if (theme_colour(text, out) != 0)
		return theme_where(err, path, s, "unknown colour", text);
	return 0;
}

static int
theme_attrs(const config_setting_t *role, const char *path, unsigned int *out,
    struct err *err)
{
	config_setting_t *list = config_setting_get_member(role, "attrs");
	const char *text;
	int i, n;
	size_t j;

	if (list == NULL)
		return 0;
	if (!config_setting_is_aggregate(list))
		return theme_where(err, path, list, "attrs must be a list such as",
		    "[ \"bold\" ]");
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		config_setting_t *a = config_setting_get_elem(list, (unsigned int)i);

		if ((text = config_setting_get_string(a)) == NULL)
			return theme_where(err, path, a, "an attribute must be a string:",
			    "attrs");
		for (j = 0; j < sizeof theme_attr_names / sizeof theme_attr_names[0]; j++)
			if (strcmp(text, theme_attr_names[j].name) == 0)
				break;
		if (j == sizeof theme_attr_names / sizeof theme_attr_names[0])
			return theme_where(err, path, a, "unknown attribute", text);
		*out |= theme_attr_names[j].bit;
	}
	return 0;
}

static int
theme_parse(config_t *cfg, const char *path, struct theme *out, struct err *err)
{
	config_setting_t *roles = config_lookup(cfg, "roles"), *r;
	int i, n, role, mono = 0;

	(void)config_lookup_bool(cfg, "mono", &mono);
	out->mono = mono;
	if (roles == NULL || !config_setting_is_group(roles))
		return err_set(err, ERR_CONFIG, "%s: no 'roles' group", path);
	n = config_setting_length(roles);
	for (i = 0; i < n; i++) {
		struct theme_style *st;

		r = config_setting_get_elem(roles, (unsigned int)i);
		if ((role = theme_role_parse(config_setting_name(r))) < 0)
			return theme_where(err, path, r, "unknown role",
			    config_setting_name(r));
		if (!config_setting_is_group(r))
			return theme_where(err, path, r, "a role must be a group such as",
			    "{ fg = \"red\"; }");
		st = &out->style[role];
		if (theme_colour_field(r, "fg", path, &st->fg, err) != 0 ||
		    theme_colour_field(r, "bg", path, &st->bg, err) != 0 ||
		    theme_attrs(r, path, &st->attrs, err) != 0)
			return -1;
	}
	/* A role the file leaves out looks like normal text. */
	for (i = 1; i < ROLE_COUNT; i++)
		if (config_setting_get_member(roles, theme_role_names[i]) == NULL)
			out->style[i] = out->style[ROLE_NORMAL];
	return 0;
}

static int
theme_load_file(const char *path, const char *name, struct theme *out,
    struct err *err)
{
	config_t cfg;
	int i, rc;

	memset(out, 0, sizeof *out);
	for (i = 0; i < ROLE_COUNT; i++) {
		out->style[i].fg = -1;
		out->style[i].bg = -1;
	}
	snprintf(out->name, sizeof out->name, "%s", name);
	snprintf(out->path, sizeof out->path, "%s", path);
	config_init(&cfg);
	if (config_read_file(&cfg, path) != CONFIG_TRUE) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			rc = err_set(err, ERR_IO, "%s: %s", path, strerror(errno));
		else
			rc = err_set(err, ERR_CONFIG, "%s:%d: %s", path,
			    config_error_line(&cfg), config_error_text(&cfg));
	} else
		rc = theme_parse(&cfg, path, out, err);
	config_destroy(&cfg);
	return rc;
}

/* The folder of the running program, for an uninstalled build. */
static int
theme_exe_dir(char *out, size_t outsz)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (n <= 0 || (size_t)n + 8 > outsz)
		return -1;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return -1;
	*slash = '\0';
	memcpy(out, exe, (size_t)(slash - exe));
	memcpy(out + (slash - exe), "/themes", 8);
	return 0;
}

static int
theme_user_dir(const char *config_file, char *out, size_t outsz)
{
	char *conf = config_file != NULL ? strdup(config_file) :
	    config_default_path(NULL), *slash;

	if (conf == NULL)
		return -1;
	if ((slash = strrchr(conf, '/')) != NULL)
		*slash = '\0';
	else
		snprintf(conf, strlen(conf) + 1, ".");
	snprintf(out, outsz, "%s/themes", conf);
	free(conf);
	return 0;
}

/* A theme name names a file in a folder, never a path elsewhere. */
static int
theme_name_ok(const char *name)
{
	const char *p;

	if (*name == '\0' || *name == '.' || strlen(name) > 48)
		return 0;
	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return 1;
}

/* Tries NAME.theme in `dir`: 1 loaded, 0 not there, -1 broken. */
static int
theme_try_dir(const char *dir, const char *name, struct theme *out,
    struct err *err)
{
	char path[1024];

	if (*dir == '\0')
		return 0;
	snprintf(path, sizeof path, "%s/%s.theme", dir, name);
	if (access(path, F_OK) != 0)
		return 0;
	return theme_load_file(path, name, out, err) == 0 ? 1 : -1;
}

int
theme_load(const char *name, const char *config_file, struct theme *out,
    struct err *err)
{
	const char *env = getenv("CERTDECK_THEME_PATH");
	char dir[1024];
	int rc;

	if (strchr(name, '/') != NULL)
		return theme_load_file(name, name, out, err);
	if (!theme_name_ok(name))
		return err_set(err, ERR_CONFIG, "theme name '%s' is not a plain name "
		    "(letters, digits, '-', '_', '.')", name);
	while (env != NULL && *env != '\0') {
		size_t len = strcspn(env, ":");

		snprintf(dir, sizeof dir, "%.*s", (int)len, env);
		if ((rc = theme_try_dir(dir, name, out, err)) != 0)
			return rc > 0 ? 0 : -1;
		env += len + (env[len] == ':');
	}
	if ((rc = theme_try_dir(CERTDECK_THEMEDIR, name, out, err)) != 0)
		return rc > 0 ? 0 : -1;
	if (theme_exe_dir(dir, sizeof dir) == 0 &&
	    (rc = theme_try_dir(dir, name, out, err)) != 0)
		return rc > 0 ? 0 : -1;
	if (theme_user_dir(config_file, dir, sizeof dir) == 0 &&
	    (rc = theme_try_dir(dir, name, out, err)) != 0)
		return rc > 0 ? 0 : -1;
	return err_set(err, ERR_CONFIG, "no theme named '%s' (looked for %s.theme "
	    "in CERTDECK_THEME_PATH, %s, beside the program and in themes/ "
	    "beside the config file)", name, name, CERTDECK_THEMEDIR);
}
