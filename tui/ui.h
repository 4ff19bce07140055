/*
 * ui: the screens. certdeck without a command, on a terminal, opens them;
 * so does the demo once its CA is up.
 */
#ifndef CERTDECK_UI_H
#define CERTDECK_UI_H

struct cli;

/* Runs the screens over the store and CA that `c` names until the user
 * quits or SIGTERM arrives, with the terminal restored on every way out.
 * Returns the process exit code (CLI_OK, or CLI_FAILED when the terminal
 * or the store cannot be used, after printing why). */
int ui_run(const struct cli *c);

#endif
