/*
 * theme: colour as semantic roles. Every piece of the screens is drawn in
 * a role (header, selected, ok, expired…); a theme file (libconfig, in
 * themes/) gives each role a foreground, a background and attributes.
 * Without colour (NO_COLOR, --no-color, a terminal that has none) the
 * mono theme's attributes alone carry the meaning, and a symbol beside
 * every status keeps it readable with no colour at all.
 */
#ifndef CERTDECK_THEME_H
#define CERTDECK_THEME_H

#include <stddef.h>

#include "err.h"

enum theme_role {
	ROLE_NORMAL = 0,
	ROLE_HEADER,		/* the top bar */
	ROLE_TAB,		/* a screen's name in the top bar */
	ROLE_TAB_ACTIVE,
	ROLE_COLUMNS,		/* column headings */
	ROLE_SELECTED,		/* the selected row */
	ROLE_STATUSLINE,	/* the last event, one line */
	ROLE_FOOTER,
	ROLE_FOOTER_KEY,
	ROLE_DIM,
	ROLE_LABEL,		/* "serial:" in the detail view */
	ROLE_TITLE,
	ROLE_OK,		/* valid */
	ROLE_DUE,
	ROLE_EXPIRING,
	ROLE_EXPIRED,
	ROLE_REVOKED,
	ROLE_FAILED,
	ROLE_PENDING,		/* pending, in progress */
	ROLE_BAR,		/* the days-left bar */
	ROLE_DIALOG,
	ROLE_DIALOG_BUTTON,
	ROLE_LOG_DEBUG,
	ROLE_LOG_INFO,
	ROLE_LOG_WARN,
	ROLE_LOG_ERROR,
	ROLE_COUNT
};

/* One role's look: colours are curses numbers, -1 the terminal's own. */
struct theme_style {
	short fg, bg;
	unsigned int attrs;	/* THEME_A_* */
};

#define THEME_A_BOLD		0x01
#define THEME_A_REVERSE		0x02
#define THEME_A_UNDERLINE	0x04
#define THEME_A_DIM		0x08
#define THEME_A_ITALIC		0x10
#define THEME_A_STANDOUT	0x20

struct theme {
	char name[64];
	char path[1024];	/* the file it came from */
	int mono;		/* attributes only */
	struct theme_style style[ROLE_COUNT];
};

/* The themes shipped in themes/, in the order `T` cycles through them. */
extern const char *const theme_builtin_names[];
extern const size_t theme_builtin_count;

/* Finds theme NAME (a name, or a path when it holds a '/') in, in turn:
 * the folders of CERTDECK_THEME_PATH (colon-separated), the installed
 * themes folder, a themes/ folder beside the running program (an
 * uninstalled build), and themes/ beside `config_file` (the configuration
 * in use; NULL: the default one), where a user keeps their own. Loads it
 * into `out`; 0, or -1 with `err` naming the file and line. */
int theme_load(const char *name, const char *config_file, struct theme *out,
    struct err *err);

/* An attributes-only theme for when no theme file can be read at all. */
void theme_fallback(struct theme *out);

/* The role a configuration or theme file spells `name`; -1 if none. */
int theme_role_parse(const char *name);

#endif
