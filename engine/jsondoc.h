/*
 * jsondoc: the JSON records certdeck keeps in its store (an account's
 * account.json, a certificate's certs/NAME.json): read back through the
 * same bounded parser as anything from a CA (a record may have been
 * edited by hand or cut short), written whole and atomically.
 */
#ifndef CERTDECK_JSONDOC_H
#define CERTDECK_JSONDOC_H

#include <stddef.h>

#include <jansson.h>

#include "err.h"
#include "store.h"

/* Reads the record at `relpath` (at most `max` bytes) into `*doc`.
 * Returns 1 with a new reference in `*doc`, 0 when there is no record,
 * or -1 with `err` naming the store and the path. */
int jsondoc_load(struct store *s, const char *relpath, size_t max,
    json_t **doc, struct err *err);

/* Writes `doc` (indented, keys in insertion order; mode 0600, replacing
 * the old record atomically) at `relpath` and drops the reference, even
 * on failure. `what` names the record in an allocation error. Returns 0
 * or -1. */
int jsondoc_save(struct store *s, const char *relpath, json_t *doc,
    const char *what, struct err *err);

/* Sets the string member `key` of `doc` to `value`, or leaves it out when
 * `value` is NULL. */
void jsondoc_put_str(json_t *doc, const char *key, const char *value);

/* Sets the member `key` of `doc` to an array of the `n` strings of `v`
 * (one that is not UTF-8 left out); returns 0, or -1 when out of memory. */
int jsondoc_put_strv(json_t *doc, const char *key, char *const *v, size_t n);

#endif
