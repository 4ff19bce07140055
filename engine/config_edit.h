/*
 * config_edit: changing the configuration file from the front ends
 * (a definition added by the wizard, edited with e, removed with x).
 * The file is read with libconfig and written whole to a temporary file
 * in the same folder, then renamed over it, so a reader sees the old
 * file or the new, never half of one; every other setting is kept
 * (libconfig does not keep comments).
 */
#ifndef CERTDECK_CONFIG_EDIT_H
#define CERTDECK_CONFIG_EDIT_H

#include <sys/types.h>

#include <stddef.h>

#include <libconfig.h>

#include "err.h"

/* Where removed definitions are archived: a folder beside the file. */
#define CONFIG_EDIT_REMOVED_DIR "removed.d"

/* Reads the file at `path` into `cfg` (initialised by the caller) to
 * change it; a missing file gives an empty configuration and its folder
 * is made (0700); a symbolic link is refused (so is writing over one). `*mode` gets the file's permissions, 0600 for a new
 * one. 0, or -1 with `err` saying where and why. */
int config_edit_read(config_t *cfg, const char *path, mode_t *mode,
    struct err *err);

/* Writes `cfg` to a new file beside `path` with `mode`, synced, and
 * renames it over `path`. 0, or -1 with `err` set and `path` untouched. */
int config_edit_write(config_t *cfg, const char *path, mode_t mode,
    struct err *err);

/* The group of `certificates` named `name`, or NULL; `*index` (may be
 * NULL) gets its position in the list. */
config_setting_t *config_edit_cert(config_t *cfg, const char *name, int *index);

/* Sets string member `key` of group `g`, replacing any value it had;
 * NULL or "" leaves it out. 0, or -1 when out of memory. */
int config_edit_set_string(config_setting_t *g, const char *key,
    const char *value);

/* Removes member `key` of group `g` when it has one. */
void config_edit_unset(config_setting_t *g, const char *key);

/* Removes NAME's definition from the file at `path`, every other setting
 * kept. Its group is first written alone, as a file libconfig reads
 * (`certificates = ( { ... } );`, 0600), to removed.d/NAME-TIME.conf
 * beside `path`, whose path goes into `archived`; only then is the file
 * rewritten. Returns 1 when removed, 0 when the file defines no NAME
 * (nothing written), -1 with `err` set and the file untouched. */
int config_edit_remove_cert(const char *path, const char *name, char *archived,
    size_t archivedsz, struct err *err);

#endif
