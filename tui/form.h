/*
 * form: the pieces the dialogs and the onboarding wizard are built from:
 * a one-line text field that takes typed characters (UTF-8) and
 * Backspace, and a pane with a job's log lines as they come, so a
 * person sees each step of the job they started.
 */
#ifndef CERTDECK_FORM_H
#define CERTDECK_FORM_H

#include <stddef.h>
#include <stdint.h>

struct ui;

/* Long enough for several names, or one with a 300-character label. */
#define FORM_TEXT_MAX 1024

struct form_text {
	char text[FORM_TEXT_MAX];
};

/* Edits `t` for `key`: a printable character is appended, Backspace
 * drops the last character, Ctrl-U clears. Returns 1 when the key was
 * one of those, 0 for any other key. */
int form_text_key(struct form_text *t, int key);

/* Sets the text of `t` (cut to fit). */
void form_text_set(struct form_text *t, const char *text);

/* Draws `label` in `lw` columns then the field in the rest of `w`,
 * showing the end of a text too long to fit; a focused field gets the
 * real cursor. */
void form_text_draw(struct ui *ui, int y, int x, int w, int lw,
    const char *label, const struct form_text *t, int focused);

/* The state of a dialog about one certificate: `size` zeroed bytes that
 * start with a char[FORM_NAME_MAX] holding `name`. NULL on failure, with
 * a message given; freed with free(). */
#define FORM_NAME_MAX 80
void *form_named_new(struct ui *ui, size_t size, const char *name);

/* A destructive dialog's last field: "Type NAME to confirm: [...]". */
void form_confirm_draw(struct ui *ui, int y, int x, int w, const char *name,
    const struct form_text *typed, int focused);

/* Draws the last lines of job `job`'s log in `rows` rows from row `y`;
 * returns the rows used. */
int form_job_draw(struct ui *ui, uint32_t job, int y, int x, int w, int rows);

#endif
