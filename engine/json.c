/*
 * json: bounded parsing of untrusted JSON and typed getters (see json.h).
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"

/* jansson's own depth limit is 2048 and compiled in; a CA never needs more
 * than a handful of levels, so the text is scanned first. Strings are
 * skipped so brackets inside them do not count. */
static int
json_depth_ok(const char *text, size_t len, size_t max_depth)
{
	size_t i, depth = 0;
	int in_string = 0;

	for (i = 0; i < len; i++) {
		char c = text[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0;
			continue;
		}
		if (c == '"')
			in_string = 1;
		else if (c == '{' || c == '[') {
			if (++depth > max_depth)
				return 0;
		} else if ((c == '}' || c == ']') && depth > 0)
			depth--;
	}
	return 1;
}

json_t *
json_parse_untrusted(const char *text, size_t len, const char *what, struct err *err)
{
	json_error_t jerr;
	json_t *root;

	if (len > JSON_MAX_SIZE) {
		err_set(err, ERR_PROTO, "%s: JSON document of %zu bytes exceeds %d",
		    what, len, JSON_MAX_SIZE);
		return NULL;
	}
	if (!json_depth_ok(text, len, JSON_MAX_DEPTH)) {
		err_set(err, ERR_PROTO, "%s: JSON nested deeper than %d levels",
		    what, JSON_MAX_DEPTH);
		return NULL;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		err_set(err, ERR_PROTO, "%s: invalid JSON at line %d column %d: %s",
		    what, jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		err_set(err, ERR_PROTO, "%s: JSON document is not an object", what);
		return NULL;
	}
	return root;
}

const char *
json_str(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

json_t *
json_arr(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_array(v) ? v : NULL;
}

json_t *
json_obj(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_object(v) ? v : NULL;
}

char *
json_dump_compact(const json_t *value, struct err *err)
{
	char *s = json_dumps(value, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (s == NULL)
		err_nomem(err, "JSON text");
	return s;
}
