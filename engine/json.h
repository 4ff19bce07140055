/*
 * json: jansson with the bounds an untrusted server needs.
 *
 * Everything a CA sends goes through json_parse_untrusted(): size and depth
 * are bounded before jansson sees the text, duplicate keys are refused, and
 * the root must be an object. The getters return NULL/-1 on a missing
 * member or the wrong JSON type, so a hostile document can never be taken
 * for a valid one by accident.
 */
#ifndef CERTDECK_JSON_H
#define CERTDECK_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "err.h"

#define JSON_MAX_DEPTH 32
#define JSON_MAX_SIZE (1024 * 1024)

/* Parses a JSON object from `len` bytes; `what` names the source in errors
 * ("https://ca/dir"). Returns a new reference or NULL with `err` set. */
json_t *json_parse_untrusted(const char *text, size_t len, const char *what,
    struct err *err);

/* The string member `key` of `obj`, or NULL when absent or not a string. */
const char *json_str(const json_t *obj, const char *key);

/* The array member `key`, or NULL when absent or not an array. */
json_t *json_arr(const json_t *obj, const char *key);

/* The object member `key`, or NULL when absent or not an object. */
json_t *json_obj(const json_t *obj, const char *key);

/* Serialises compactly with keys in insertion order; caller frees. */
char *json_dump_compact(const json_t *value, struct err *err);

#endif
