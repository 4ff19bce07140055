/*
 * wizard: the onboarding wizard's parts, shared by its files. The
 * screen and the Issue step are in wizard.c, each step's fields, checks
 * and page in wizard_steps.c, writing the certificate's definition into
 * the configuration file in wizard_save.c, editing an existing one (e)
 * in wizard_edit.c.
 */
#ifndef CERTDECK_WIZARD_H
#define CERTDECK_WIZARD_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "form.h"
#include "names.h"
#include "event.h"
#include "query.h"

struct ui;

enum wiz_step { WIZ_NAMES = 0, WIZ_ACCOUNT, WIZ_PROVE, WIZ_KEY, WIZ_DEPLOY,
	WIZ_PREFLIGHT, WIZ_REVIEW, WIZ_STEPS, WIZ_ISSUE = WIZ_STEPS };

/* The fields of every step, in the order Tab visits them. */
enum wiz_field { WF_NAMES = 0, WF_CERTNAME, WF_EMAIL, WF_AGREE, WF_METHOD,
	WF_PORT, WF_WEBROOT, WF_HOOK, WF_KEY, WF_FULLCHAIN, WF_KEYCOPY, WF_RELOAD,
	WF_AFTER, WF_CA, WF_URL, WF_EAB_KID, WF_EAB_HMAC, WF_PROFILE,
	WF_OWNER, WF_GROUP, WF_MODE, WF_COUNT };

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
	int first;			/* the store held no certificate: a
					 * schedule is offered once issued */
	char saved[320];		/* what happened to the config file */
	/* The CA (wizard_ca.c): 0 the configured one, then the presets,
	 * then a typed URL; the directory read for it and its answer. */
	size_t ca;
	char ca_url[FORM_TEXT_MAX];
	struct engine_reply *dir;	/* one reference, or NULL */
	uint32_t dir_job;		/* reading it; 0 once read */
	size_t profile;			/* 0 none, i + 1 the CA's profile i */
	struct engine_reply *pre;	/* the preflight's findings */
	uint32_t pre_job;
	int preflight_seen;		/* Enter was told about the ✗ lines */
	/* Editing (e): the certificate's name ("" for a new one), its names
	 * before, and what Enter on Review does after saving. */
	char edit[80];
	char edit_names[FORM_TEXT_MAX];
	int edit_unmanaged;		/* its record says "managed": false */
	int edit_lossy;			/* the form cannot hold its definition */
	int renew_now;			/* WF_AFTER: save and renew, or save */
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

/* Checks the copies' owner, group and mode with deploy's own checks, as
 * typed and on Enter; 0, or -1 with w->note saying what to fix. */
int wiz_check_access(struct wizard *w);

/* Splits the reload command at spaces into a NULL-terminated argv in
 * `*argv` (caller frees with strv_free(*argv, n)); returns n, 0 for
 * none, or -1 when out of memory. */
int wiz_reload_argv(const struct wizard *w, char ***argv);

/* Changes a choice field (agree, method, key type) one way. */
void wiz_choose(struct wizard *w, int dir);

/* Draws step `step`'s page from row `y` in `rows` rows. */
void wiz_draw_step(struct ui *ui, struct wizard *w, int y, int x, int width,
    int rows);

/* The configuration file the screens change, in `*owned` when it had to
 * be found (caller frees); NULL with `err` set when there is none. */
const char *wiz_config_path(struct ui *ui, char **owned, struct err *err);

/* Reads the configuration file again after the screens changed it, so
 * what they take from it (a renewal's definition, endpoints) is current;
 * on failure the old settings stay, said in the status line. */
void wiz_config_reload(struct ui *ui);

/* wizard_edit.c */
/* Prefills `w` to edit NAME: from its definition in the configuration
 * file, else (issued from the command line) from its record. 0, or -1
 * with a message given. */
int wiz_edit_open(struct ui *ui, struct wizard *w, const char *name);

/* On reaching Review: renewing now is offered first when the names
 * changed (the next certificate must carry them). */
void wiz_edit_review(struct wizard *w);

/* Review's last lines when editing: the save-and-renew choice. */
int wiz_edit_draw_after(struct ui *ui, struct wizard *w, int y, int x,
    int width);

/* Enter on Review when editing: replaces the definition in the config
 * file. -1 with w->note saying why (nothing written), 0 saved, 1 saved
 * and a renewal is wanted. */
int wiz_edit_save(struct ui *ui, struct wizard *w);

/* wizard_save.c */
/* Adds certificate `w`'s definition to the configuration file at `path`
 * (created 0600 when missing), or replaces the settings the wizard asks
 * about in the one there, keeping every other setting (config_edit).
 * 0, or -1 with `err` set and the file untouched. */
int wiz_save(const char *path, const struct wizard *w, struct err *err);

/* wizard_ca.c: the CA and account step, and Preflight. */
/* The directory URL chosen, and the preset it is (NULL for none). */
const char *wiz_ca_url(const struct ui *ui, const struct wizard *w);
const char *wiz_ca_preset(const struct wizard *w);
/* Reads the chosen CA's directory unless it was read already. */
void wiz_ca_fetch(struct ui *ui, struct wizard *w);
/* What the directory says, once read without error; else NULL. */
const struct query_dir *wiz_ca_dir(const struct wizard *w);
/* The profile chosen, or NULL. */
const char *wiz_ca_profile(const struct wizard *w);
size_t wiz_ca_fields(const struct wizard *w, enum wiz_field *out);
int wiz_ca_check(struct ui *ui, struct wizard *w);
void wiz_ca_choose(struct ui *ui, struct wizard *w, int dir);
int wiz_ca_draw(struct ui *ui, struct wizard *w, int y, int x, int width);
int wiz_ca_draw_profile(struct ui *ui, struct wizard *w, int y, int x,
    int width);
/* 1 when `ev` ended one of the wizard's questions (redraw). */
int wiz_ca_event(struct wizard *w, const struct event *ev);
/* Leaving the Issue page: an engine started for another CA than the
 * configured one is stopped once idle, so the next command (a renewal
 * from the list, say) gets the configured CA again. */
void wiz_ca_engine_back(struct ui *ui, const struct wizard *w);
/* Drops the replies the wizard holds. */
void wiz_ca_free(struct wizard *w);
/* Puts the CA chosen (a preset's name, or a cas entry made for a typed
 * URL) and the profile into definition `g` of the config whose root is
 * `root`, so renewals go where the certificate came from. */
struct config_setting_t;
int wiz_ca_save(struct config_setting_t *root, struct config_setting_t *g,
    const struct wizard *w, struct err *err);
void wiz_preflight_start(struct ui *ui, struct wizard *w);
int wiz_preflight_check(struct wizard *w);
int wiz_preflight_draw(struct ui *ui, struct wizard *w, int y, int x,
    int width, int rows);

/* wizard_steps.c: a choice drawn as "< value >" after its label, the
 * cursor on it when focused; returns the next row. */
int wiz_draw_choice(struct ui *ui, struct wizard *w, enum wiz_field f, int y,
    int x, int width, const char *label, const char *value);

/* wizard_steps.c: looks for the account the engine would use at the CA
 * whose directory is `url`, into w->account_exists and its contact. */
void wiz_find_account(struct ui *ui, struct wizard *w, const char *url);

#endif
