/*
 * jsondoc: JSON records in the store (see jsondoc.h).
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "jsondoc.h"

int
jsondoc_load(struct store *s, const char *relpath, size_t max, json_t **doc,
    struct err *err)
{
	struct buf b;

	*doc = NULL;
	if (!store_doc_exists(s, relpath))
		return 0;
	buf_init(&b, 0);
	if (store_doc_read(s, relpath, max, &b, err) != 0) {
		buf_free(&b);
		return -1;
	}
	*doc = json_parse_untrusted(b.data, b.len, relpath, err);
	buf_free(&b);
	if (*doc == NULL)
		return err_prefix(err, "%s", store_path(s));
	return 1;
}

int
jsondoc_save(struct store *s, const char *relpath, json_t *doc,
    const char *what, struct err *err)
{
	char *text;
	int rc;

	if (doc == NULL)
		return err_nomem(err, what);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (text == NULL)
		return err_nomem(err, what);
	rc = store_doc_write(s, relpath, text, strlen(text), 1, err);
	free(text);
	return rc;
}

void
jsondoc_put_str(json_t *doc, const char *key, const char *value)
{
	if (value != NULL)
		json_object_set_new(doc, key, json_string(value));
}

int
jsondoc_put_strv(json_t *doc, const char *key, char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	/* A string jansson refuses (not UTF-8) is left out, as before. */
	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a == NULL || json_object_set_new(doc, key, a) != 0 ? -1 : 0;
}
