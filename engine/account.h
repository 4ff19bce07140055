/*
 * account: ACME accounts in the store, one folder per account under its
 * CA: accounts/CA_ID/NAME/account.json (URL, status, contacts, which key)
 * and its keys. A key is written once and never replaced: a key rollover
 * adds key-2.pem, key-3.pem … and the record names the current one, so
 * the old key stays until the CA has confirmed the new.
 */
#ifndef CERTDECK_ACCOUNT_H
#define CERTDECK_ACCOUNT_H

#include <stddef.h>

#include "crypto.h"
#include "err.h"
#include "str.h"

struct store;

struct account_rec {
	char *url;			/* the account URL (kid) at the CA */
	char *directory;
	char *status;			/* "valid", "deactivated" … */
	char *key_file;			/* current key, e.g. "key.pem" */
	char *pending_key;		/* a key change was sent with this key
					 * and its answer never came: the CA
					 * may use it now (NULL: none) */
	char *key_type;
	char *created;
	char **contacts;		/* "mailto:…" */
	size_t n_contacts;
};

/* Loads the record of account NAME at CA_ID: 1 found, 0 absent, -1 error. */
int account_load(struct store *s, const char *ca_id, const char *name,
    struct account_rec *out, struct err *err);

/* Writes the record atomically. */
int account_save(struct store *s, const char *ca_id, const char *name,
    const struct account_rec *rec, struct err *err);

/* Rewrites the record of account NAME with `key_file` (and its
 * `key_type`) as its key when not NULL, and `pending` as its pending key
 * (NULL clears it). */
int account_set_keys(struct store *s, const char *ca_id, const char *name,
    const char *key_file, const char *key_type, const char *pending,
    struct err *err);

/* Loads key `key_file` of an account (NULL: "key.pem"). Returns the key or
 * NULL; `*absent` (may be NULL) is set when the file does not exist. */
struct crypto_key *account_key_load(struct store *s, const char *ca_id,
    const char *name, const char *key_file, int *absent, struct err *err);

/* Writes `key` as the account's next key file (key.pem, else key-N.pem
 * with the first free N); returns its name in `*key_file` (caller frees). */
int account_key_add(struct store *s, const char *ca_id, const char *name,
    const struct crypto_key *key, char **key_file, struct err *err);

void account_rec_free(struct account_rec *rec);

#endif
