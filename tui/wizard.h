/*
 * wizard: the onboarding wizard's parts, shared by its files. The
 * screen and the Issue step are in wizard.c, each step's fields, checks
 * and page in wizard_steps.c, writing the certificate's definition into
 * the configuration file in wizard_save.c.
 */
#ifndef CERTDECK_WIZARD_H
#define CERTDECK_WIZARD_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "form.h"
#include "names.h"

struct ui;

enum wiz_step { WIZ_NAMES = 0, WIZ_ACCOUNT, WIZ_PROVE, WIZ_KEY, WIZ_DEPLOY,
	WIZ_REVIEW, WIZ_STEPS, WIZ_ISSUE = WIZ_STEPS };

/* The fields of every step, in the order Tab visits them. */
enum wiz_field { WF_NAMES = 0, WF_CERTNAME, WF_EMAIL, WF_AGREE, WF_METHOD,
	WF_PORT, WF_WEBROOT, WF_HOOK, WF_KEY, WF_FULLCHAIN, WF_KEYCOPY, WF_RELOAD,
	WF_COUNT };

/* How control of the names is proven. */
enum wiz_method { WM_HTTP = 0, WM_WEBROOT, WM_ALPN, WM_DNS, WM_COUNT };

#define WIZ_NAMES_MAX 16

struct wizard {
	enum wiz_step step;
	enum wiz_field focus;
	struct form_text text[WF_COUNT];	/* the typed fields */
	int certname_typed;		/* the user changed the suggestion */
	int agree;
	enum wiz_method method;
	int port_typed;
	int default_port[2];		/* http-01, tls-alpn-01 */
	size_t key;			/* in wiz_key_types */
	int account_exists;
	char account_contact[128];
	/* The names as typed, checked: one line each, ok or why not. */
	struct names_id ids[WIZ_NAMES_MAX];
	char name_errs[WIZ_NAMES_MAX][160];
	size_t n_names;
	int wildcard;
	char note[256];			/* why Enter did not go on */
	uint32_t job;
	int ended;			/* 1 done, -1 failed */
	char saved[320];		/* what happened to the config file */
};

/* wizard_steps.c */
extern const char *const wiz_method_names[WM_COUNT];
extern const char *const wiz_key_types[];
extern const size_t wiz_n_key_types;

/* The fields step `step` shows now, in Tab order, into `out`; returns
 * how many. */
size_t wiz_fields(const struct wizard *w, enum wiz_step step,
    enum wiz_field *out);

/* Checks the names as typed into w->ids / w->name_errs and suggests a
 * certificate name unless one was typed. */
void wiz_names_check(struct wizard *w);

/* Fills in what the steps start with: the account's state, the email,
 * the port from the command line. */
void wiz_defaults(struct ui *ui, struct wizard *w);

/* Checks step `step` before going on; 0, or -1 with w->note saying what
 * to fix. */
int wiz_check(struct ui *ui, struct wizard *w, enum wiz_step step);

/* Splits the reload command at spaces into a NULL-terminated argv in
 * `*argv` (caller frees with strv_free(*argv, n)); returns n, 0 for
 * none, or -1 when out of memory. */
int wiz_reload_argv(const struct wizard *w, char ***argv);

/* Changes a choice field (agree, method, key type) one way. */
void wiz_choose(struct wizard *w, int dir);

/* Draws step `step`'s page from row `y` in `rows` rows. */
void wiz_draw_step(struct ui *ui, struct wizard *w, int y, int x, int width,
    int rows);

/* wizard_save.c */
/* Adds certificate `w`'s definition to the configuration file at `path`
 * (created 0600 when missing), keeping every other setting: the file is
 * read with libconfig, written to a temporary file in the same folder
 * and renamed over it. 0, or -1 with `err` set and the file untouched. */
int wiz_save(const char *path, const struct wizard *w, struct err *err);

#endif
