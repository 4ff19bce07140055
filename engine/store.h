/*
 * store: the state directory on the local file system.
 *
 * Layout (STATE is store_path()):
 *
 *   STATE/lock                                 advisory lock (flock); holds
 *                                              "pid PID" of the holder
 *   STATE/accounts/CA_ID/ACCOUNT/key.pem       0600, written once, never
 *                                              replaced
 *   STATE/accounts/CA_ID/ACCOUNT/account.json  account record; replaceable
 *   STATE/archive/NAME/N/{cert,chain,fullchain,privkey}.pem
 *                                              version N (1, 2, ...): all
 *                                              four written before it
 *                                              appears; never deleted
 *   STATE/live/NAME -> ../archive/NAME/N       symlink switched atomically,
 *                                              so live/NAME/ is always one
 *                                              matching set
 *   STATE/certs/NAME.json                      per-certificate state record;
 *                                              replaceable
 *   STATE/orders/NAME.json                     order in flight; removed when
 *                                              done
 *   STATE/orders/NAME.key                      new key of an order in
 *                                              flight, 0600; removed only
 *                                              once saved in an archive
 *                                              version
 *
 * Files are 0600 and folders 0700 whatever the umask. Every write goes
 * through fsutil: a temporary name, fsync, rename, fsync of the folder, so
 * a crash leaves the old file or the new one, never a torn one. Nothing
 * under accounts/ (but the *.json records) or archive/ is ever replaced or
 * deleted. Paths are walked from the root descriptor with O_NOFOLLOW: a
 * symlink planted in the state folder is refused; the only symlinks read
 * are the live/ entries the store made itself. Every name used as a path
 * component passes fsutil_name_ok().
 *
 * Writes are meant to be made under store_lock(): taking the lock (and
 * opening an idle store) removes the temporary names a killed run left.
 */
#ifndef CERTDECK_STORE_H
#define CERTDECK_STORE_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* Largest file store_cert_load() reads. */
#define STORE_PEM_MAX (1024 * 1024)

struct store;

/* PEM texts of one certificate version; each owned by the struct. */
struct store_cert_files {
	char *cert;
	char *chain;
	char *fullchain;
	char *privkey;
};

/* Opens the state directory `dir`, creating it and its missing parents
 * with 0700; returns a store to close with store_close(), or NULL. */
struct store *store_open(const char *dir, struct err *err);

/* Releases the lock if held and frees the store; NULL is allowed. */
void store_close(struct store *s);

/* The directory the store was opened on; owned by the store. */
const char *store_path(const struct store *s);

/* The default state directory: /var/lib/certdeck for uid 0, else
 * $XDG_STATE_HOME/certdeck or ~/.local/state/certdeck. Returns a string
 * the caller frees, or NULL. */
char *store_default_dir(struct err *err);

/* Takes the exclusive lock on STATE/lock. With `wait`, calls `waiting(arg,
 * holder_pid)` once (may be NULL) and blocks until it is free; without,
 * fails with ERR_BUSY "state directory DIR is locked by pid N". Held until
 * store_unlock(), store_close() or the death of the process; taking it
 * again through the same store does nothing. Returns 0 or -1. */
int store_lock(struct store *s, int wait,
    void (*waiting)(void *arg, long holder_pid), void *arg, struct err *err);

/* Releases the lock taken by store_lock(), if any. */
void store_unlock(struct store *s);

/* Frees the four texts of `f` (not `f` itself) and sets them to NULL. */
void store_cert_files_free(struct store_cert_files *f);

/* Writes all four files of `f` as version N = highest + 1 under
 * archive/NAME/N, then switches live/NAME to it; returns 0 with N in
 * `*version` (may be NULL), or -1 with nothing current changed. */
int store_cert_save(struct store *s, const char *name,
    const struct store_cert_files *f, int *version, struct err *err);

/* Loads version `version` of NAME (0: the current one, what live/NAME
 * points to) into `out`, which the caller frees with
 * store_cert_files_free(). Returns 0 or -1 (errno ENOENT: no such
 * version). */
int store_cert_load(struct store *s, const char *name, int version,
    struct store_cert_files *out, struct err *err);

/* Sets `*version` to the version live/NAME points to, 0 when none.
 * Returns 0 or -1. */
int store_cert_current_version(struct store *s, const char *name,
    int *version, struct err *err);

/* Lists the archived versions of NAME in ascending order; returns 0 with an
 * array the caller frees with free() (NULL when none), or -1. */
int store_cert_versions(struct store *s, const char *name, int **versions,
    size_t *n, struct err *err);

/* Lists the certificate names that have a live/ entry or a certs/NAME.json,
 * sorted and without repeats; returns 0 with a list to free with
 * store_names_free(), or -1. */
int store_cert_list(struct store *s, char ***names, size_t *n,
    struct err *err);

/* Frees a list of names from the store. */
void store_names_free(char **names, size_t n);

/* Writes a document (mode 0600) at `relpath`, made of at least two checked
 * components ("certs/NAME.json", "orders/NAME.key",
 * "accounts/CA/ACC/account.json"), creating its folders; with !replace, or
 * for a file under accounts/ other than *.json, an existing file is an
 * error. Nothing may be written under archive/ or live/ this way. Returns
 * 0 or -1. */
int store_doc_write(struct store *s, const char *relpath, const void *data,
    size_t len, int replace, struct err *err);

/* Reads the document at `relpath` (at most `max` bytes) into `out`.
 * Returns 0, or -1 with errno ENOENT when it does not exist. */
int store_doc_read(struct store *s, const char *relpath, size_t max,
    struct buf *out, struct err *err);

/* True when `relpath` is a valid path to an existing regular file. */
int store_doc_exists(struct store *s, const char *relpath);

/* Removes the document at `relpath` (nothing there is not an error);
 * refuses anything under accounts/, archive/ or live/ and anything but a
 * regular file. Returns 0 or -1. */
int store_doc_remove(struct store *s, const char *relpath, struct err *err);

/* Lists the entries of the store folder `relpath` ("" for the top),
 * sorted, without dot-names; a missing folder gives none. Returns 0 with a
 * list to free with store_names_free(), or -1. */
int store_dir_list(struct store *s, const char *relpath, char ***names,
    size_t *n, struct err *err);

#endif
