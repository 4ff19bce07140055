/*
 * deploy: after an issuance, the copies a certificate's server reads
 * (written atomically, with the owner, group and mode asked for) and the
 * command that makes it reload them (the job runs it; the screens use
 * its checks of an owner, group and mode).
 */
#ifndef CERTDECK_DEPLOY_H
#define CERTDECK_DEPLOY_H

#include "engine.h"
#include "err.h"
#include "store.h"

/* Any copy or reload asked for. */
int deploy_wanted(const struct engine_deploy *d);

/* Writes every copy asked for from `f`, each atomically: a failure leaves
 * that target as it was. Returns how many were written in `*n`; 0, or -1
 * with `err` naming the target and the reason. */
int deploy_copies(const struct engine_deploy *d, const struct store_cert_files *f,
    int *n, struct err *err);

/* Checks that user `owner` and group `group` exist, as the copies would
 * get them (names, or numbers without one; NULL or "": certdeck's own).
 * 0, or -1 with `err`. */
int deploy_ids_check(const char *owner, const char *group, struct err *err);

/* A deploy_mode into `*mode`: "" (or NULL) gives -1, the defaults (0600
 * for keys, 0644 for certificates); else octal, 0 to 0777. The mode is
 * every copy's: with `key` (a key or combined copy among them) a mode
 * giving other users any access is refused. 0, or -1 with `err`. */
int deploy_mode_parse(const char *v, int key, int *mode, struct err *err);

/* Copies `src` into `dst` (replacing it). */
int deploy_dup(struct engine_deploy *dst, const struct engine_deploy *src,
    struct err *err);

void deploy_free(struct engine_deploy *d);

#endif
