/*
 * config_file: reading the configuration file safely, for config.c only.
 */
#ifndef CERTDECK_CONFIG_FILE_H
#define CERTDECK_CONFIG_FILE_H

#include "err.h"

/* Reads the whole file at `path` as text: a regular file of at most 1 MiB
 * with no binary bytes and no @include, trusted by config_check_perms()
 * when running as root. Returns a string the caller frees, or NULL with
 * `err` saying the path and why. */
char *config_file_text(const char *path, struct err *err);

#endif
