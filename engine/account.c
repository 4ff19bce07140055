/*
 * account: account records and keys in the store (see account.h).
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "account.h"
#include "json.h"
#include "jsondoc.h"
#include "store.h"

#define ACCOUNT_DOC_MAX (64 * 1024)
#define ACCOUNT_KEY_MAX (64 * 1024)
#define ACCOUNT_MAX_KEYS 100

static void
account_path(const char *ca_id, const char *name, const char *file, char *out,
    size_t outsz)
{
	snprintf(out, outsz, "accounts/%s/%s/%s", ca_id, name, file);
}

void
account_rec_free(struct account_rec *rec)
{
	strv_free(rec->contacts, rec->n_contacts);
	free(rec->url);
	free(rec->directory);
	free(rec->status);
	free(rec->key_file);
	free(rec->pending_key);
	free(rec->key_type);
	free(rec->created);
	memset(rec, 0, sizeof *rec);
}

static int
account_from_json(const json_t *doc, struct account_rec *out, struct err *err)
{
	json_t *contacts = json_arr(doc, "contact"), *v;
	size_t i;

	if (str_set(&out->url, json_str(doc, "url"), err) != 0 ||
	    str_set(&out->directory, json_str(doc, "directory"), err) != 0 ||
	    str_set(&out->status, json_str(doc, "status"), err) != 0 ||
	    str_set(&out->key_file, json_str(doc, "key_file"), err) != 0 ||
	    str_set(&out->pending_key, json_str(doc, "pending_key"), err) != 0 ||
	    str_set(&out->key_type, json_str(doc, "key_type"), err) != 0 ||
	    str_set(&out->created, json_str(doc, "created"), err) != 0)
		return -1;
	if (contacts == NULL || json_array_size(contacts) == 0)
		return 0;
	if ((out->contacts = calloc(json_array_size(contacts), sizeof *out->contacts)) == NULL)
		return err_nomem(err, "contacts");
	json_array_foreach(contacts, i, v) {
		if (!json_is_string(v))
			continue;
		if ((out->contacts[out->n_contacts] = strdup(json_string_value(v))) == NULL)
			return err_nomem(err, "contact");
		out->n_contacts++;
	}
	return 0;
}

int
account_load(struct store *s, const char *ca_id, const char *name,
    struct account_rec *out, struct err *err)
{
	char path[512];
	json_t *doc;
	int rc;

	memset(out, 0, sizeof *out);
	account_path(ca_id, name, "account.json", path, sizeof path);
	if ((rc = jsondoc_load(s, path, ACCOUNT_DOC_MAX, &doc, err)) != 1)
		return rc;
	rc = account_from_json(doc, out, err);
	json_decref(doc);
	if (rc != 0) {
		account_rec_free(out);
		return -1;
	}
	return 1;
}

int
account_save(struct store *s, const char *ca_id, const char *name,
    const struct account_rec *rec, struct err *err)
{
	json_t *doc = json_object();
	char path[512];

	if (doc == NULL)
		return err_nomem(err, "account record");
	jsondoc_put_str(doc, "url", rec->url);
	jsondoc_put_str(doc, "directory", rec->directory);
	jsondoc_put_str(doc, "status", rec->status);
	if (jsondoc_put_strv(doc, "contact", rec->contacts, rec->n_contacts) != 0) {
		json_decref(doc);
		return err_nomem(err, "account record");
	}
	jsondoc_put_str(doc, "key_file", rec->key_file);
	jsondoc_put_str(doc, "pending_key", rec->pending_key);
	jsondoc_put_str(doc, "key_type", rec->key_type);
	jsondoc_put_str(doc, "created", rec->created);
	account_path(ca_id, name, "account.json", path, sizeof path);
	return jsondoc_save(s, path, doc, "account record", err);
}

int
account_set_keys(struct store *s, const char *ca_id, const char *name,
    const char *key_file, const char *key_type, const char *pending,
    struct err *err)
{
	struct account_rec rec;
	int rc = -1;

	if (account_load(s, ca_id, name, &rec, err) < 0)
		return -1;
	if ((key_file == NULL || (str_set(&rec.key_file, key_file, err) == 0 &&
	    str_set(&rec.key_type, key_type, err) == 0)) &&
	    str_set(&rec.pending_key, pending, err) == 0)
		rc = account_save(s, ca_id, name, &rec, err);
	account_rec_free(&rec);
	return rc;
}

/* Run as root, an account key others may write is refused: whoever can
 * replace it takes over the account (RELIABILITY.md case 30). The store
 * only reads regular files, so a path stat is enough here. */
static int
account_key_perms_ok(struct store *s, const char *path, struct err *err)
{
	char full[1024];
	struct stat st;
	unsigned mode;

	if (geteuid() != 0)
		return 0;
	snprintf(full, sizeof full, "%s/%s", store_path(s), path);
	if (lstat(full, &st) == -1)
		return err_errno(err, "%s", full);
	mode = st.st_mode & 07777;
	if ((mode & (S_IWGRP | S_IWOTH)) != 0)
		return err_set(err, ERR_IO, "%s: refusing it when running as "
		    "root: %s-writable (mode %04o; chmod go-w)", full,
		    (mode & S_IWOTH) != 0 ? "world" : "group", mode);
	return 0;
}

struct crypto_key *
account_key_load(struct store *s, const char *ca_id, const char *name,
    const char *key_file, int *absent, struct err *err)
{
	struct crypto_key *key = NULL;
	char path[512];
	struct buf b;

	if (absent != NULL)
		*absent = 0;
	account_path(ca_id, name, key_file ? key_file : "key.pem", path, sizeof path);
	buf_init(&b, 0);
	if (!store_doc_exists(s, path)) {
		/* Something that is not a regular file (a planted symlink, a
		 * folder) is refused with the read's own reason; only a key
		 * that is not there at all counts as absent. */
		if (store_doc_read(s, path, ACCOUNT_KEY_MAX, &b, err) != 0 &&
		    errno != ENOENT) {
			buf_free(&b);
			return NULL;
		}
		buf_free(&b);
		if (absent != NULL)
			*absent = 1;
		err_set(err, ERR_IO, "%s/%s: no such key", store_path(s), path);
		return NULL;
	}
	if (account_key_perms_ok(s, path, err) == 0 &&
	    store_doc_read(s, path, ACCOUNT_KEY_MAX, &b, err) == 0 &&
	    (key = crypto_key_load_pem(b.data, b.len, err)) == NULL)
		err_prefix(err, "%s/%s", store_path(s), path);
	buf_free(&b);
	return key;
}

int
account_key_add(struct store *s, const char *ca_id, const char *name,
    const struct crypto_key *key, char **key_file, struct err *err)
{
	char file[32], path[512], *pem;
	size_t len;
	int n, rc;

	*key_file = NULL;
	for (n = 1; n <= ACCOUNT_MAX_KEYS; n++) {
		if (n == 1)
			snprintf(file, sizeof file, "key.pem");
		else
			snprintf(file, sizeof file, "key-%d.pem", n);
		account_path(ca_id, name, file, path, sizeof path);
		if (!store_doc_exists(s, path))
			break;
	}
	if (n > ACCOUNT_MAX_KEYS)
		return err_set(err, ERR_IO, "account %s: more than %d keys", name,
		    ACCOUNT_MAX_KEYS);
	if ((pem = crypto_key_to_pem(key, &len, err)) == NULL)
		return -1;
	rc = store_doc_write(s, path, pem, len, 0, err);
	explicit_bzero(pem, len);
	free(pem);
	if (rc == 0 && (*key_file = strdup(file)) == NULL)
		return err_nomem(err, "key file name");
	return rc;
}
