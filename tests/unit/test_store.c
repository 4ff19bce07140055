/*
 * Unit tests for the store on the real file system, in a fresh folder
 * under $TMPDIR: versions and the live switch, names, documents, symlink
 * traps, a save cut short by RLIMIT_FSIZE (the lock between processes:
 * test_store_lock.c).
 */
#include "autoconfig.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <poll.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "certrec.h"
#include "due.h"
#include "fstest.h"
#include "store.h"

static int temps_seen;

static int
count_temp(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (strncmp(path + ftw->base, ".certdeck-tmp-", 14) == 0)
		temps_seen++;
	return 0;
}

/* Number of temporary names anywhere under `dir`. */
static int
temps_under(const char *dir)
{
	temps_seen = 0;
	assert_int_equal(nftw(dir, count_temp, 16, FTW_PHYS), 0);
	return temps_seen;
}

/* Reads the file `rel` under the state directory by plain path, following
 * symlinks the way a web server reading live/ would. */
static char *
slurp(struct store_fixture *fx, const char *rel)
{
	char path[PATH_MAX * 2], *text;
	struct stat st;
	int fd;

	snprintf(path, sizeof path, "%s/%s", fx->dir, rel);
	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	assert_int_equal(fstat(fd, &st), 0);
	text = calloc(1, (size_t)st.st_size + 1);
	assert_non_null(text);
	assert_int_equal(read(fd, text, (size_t)st.st_size), st.st_size);
	close(fd);
	return text;
}

static void
assert_file(struct store_fixture *fx, const char *rel, const char *text)
{
	char *got = slurp(fx, rel);

	assert_non_null(got);
	assert_string_equal(got, text);
	free(got);
}

static mode_t
mode_of(struct store_fixture *fx, const char *rel)
{
	char path[PATH_MAX * 2];
	struct stat st;

	snprintf(path, sizeof path, "%s/%s", fx->dir, rel);
	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

/* Four distinct PEM-like texts for version `v`, padded to `pad` bytes. */
static void
make_files(struct store_cert_files *f, int v, size_t pad)
{
	char **fields[] = { &f->cert, &f->chain, &f->fullchain, &f->privkey };
	static const char *kinds[] = { "CERT", "CHAIN", "FULLCHAIN", "KEY" };
	size_t i, len;

	for (i = 0; i < 4; i++) {
		len = pad > 64 ? pad : 64;
		*fields[i] = calloc(1, len + 1);
		assert_non_null(*fields[i]);
		memset(*fields[i], 'x', len);
		memcpy(*fields[i], kinds[i], strlen(kinds[i]));
		(*fields[i])[strlen(kinds[i])] = (char)('0' + v);
		(*fields[i])[len - 1] = '\n';
	}
}

static void
assert_same_files(const struct store_cert_files *a,
    const struct store_cert_files *b)
{
	assert_string_equal(a->cert, b->cert);
	assert_string_equal(a->chain, b->chain);
	assert_string_equal(a->fullchain, b->fullchain);
	assert_string_equal(a->privkey, b->privkey);
}

static void
test_open_creates_private_folders(void **state)
{
	struct store_fixture *fx = *state;
	char dir[PATH_MAX * 2];
	struct store *s;
	struct err err;
	mode_t old;

	old = umask(0);
	snprintf(dir, sizeof dir, "%s/x/y/state/", fx->top);
	s = store_open(dir, &err);
	umask(old);
	assert_non_null(s);
	dir[strlen(dir) - 1] = '\0';
	assert_string_equal(store_path(s), dir);
	assert_int_equal(mode_of(fx, "../x"), 0700);
	assert_int_equal(mode_of(fx, "../x/y/state"), 0700);
	store_close(s);
	assert_int_equal(mode_of(fx, "."), 0700);
	assert_null(store_open("", &err));
}

static void
test_versions_and_live(void **state)
{
	struct store_fixture *fx = *state;
	struct store_cert_files v1, v2, got;
	struct err err;
	int *versions, cur, n;
	size_t count;

	make_files(&v1, 1, 0);
	make_files(&v2, 2, 0);
	assert_int_equal(store_cert_current_version(fx->s, "ex.com", &cur, &err),
	    0);
	assert_int_equal(cur, 0);
	assert_int_equal(store_cert_save(fx->s, "ex.com", &v1, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_file(fx, "live/ex.com/fullchain.pem", v1.fullchain);
	assert_int_equal(store_cert_save(fx->s, "ex.com", &v2, &n, &err), 0);
	assert_int_equal(n, 2);

	assert_int_equal(store_cert_versions(fx->s, "ex.com", &versions, &count,
	    &err), 0);
	assert_int_equal(count, 2);
	assert_int_equal(versions[0], 1);
	assert_int_equal(versions[1], 2);
	free(versions);
	assert_int_equal(store_cert_current_version(fx->s, "ex.com", &cur, &err),
	    0);
	assert_int_equal(cur, 2);

	/* The old version is still there, byte for byte. */
	assert_file(fx, "archive/ex.com/1/cert.pem", v1.cert);
	assert_file(fx, "archive/ex.com/1/chain.pem", v1.chain);
	assert_file(fx, "archive/ex.com/1/fullchain.pem", v1.fullchain);
	assert_file(fx, "archive/ex.com/1/privkey.pem", v1.privkey);
	assert_file(fx, "live/ex.com/fullchain.pem", v2.fullchain);
	assert_file(fx, "live/ex.com/privkey.pem", v2.privkey);
	assert_int_equal(mode_of(fx, "archive/ex.com/2/privkey.pem"), 0600);
	assert_int_equal(mode_of(fx, "archive/ex.com/2"), 0700);
	assert_int_equal(mode_of(fx, "live"), 0700);

	assert_int_equal(store_cert_load(fx->s, "ex.com", 0, &got, &err), 0);
	assert_same_files(&got, &v2);
	store_cert_files_free(&got);
	assert_int_equal(store_cert_load(fx->s, "ex.com", 1, &got, &err), 0);
	assert_same_files(&got, &v1);
	store_cert_files_free(&got);
	assert_int_equal(store_cert_load(fx->s, "ex.com", 3, &got, &err), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err.msg, "archive/ex.com/3"));
	assert_null(got.cert);
	assert_int_equal(store_cert_load(fx->s, "other.com", 0, &got, &err), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(temps_under(fx->dir), 0);
	store_cert_files_free(&v1);
	store_cert_files_free(&v2);
}

static void
test_list_names(void **state)
{
	struct store_fixture *fx = *state;
	struct store_cert_files f;
	struct err err;
	char **names;
	size_t n;

	assert_int_equal(store_cert_list(fx->s, &names, &n, &err), 0);
	assert_int_equal(n, 0);
	make_files(&f, 1, 0);
	assert_int_equal(store_cert_save(fx->s, "b.example", &f, NULL, &err), 0);
	assert_int_equal(store_cert_save(fx->s, "a.example", &f, NULL, &err), 0);
	assert_int_equal(store_doc_write(fx->s, "certs/c.example.json", "{}", 2,
	    1, &err), 0);
	assert_int_equal(store_doc_write(fx->s, "certs/a.example.json", "{}", 2,
	    1, &err), 0);
	assert_int_equal(store_doc_write(fx->s, "certs/notes.txt", "x", 1, 1,
	    &err), 0);
	assert_int_equal(store_cert_list(fx->s, &names, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "a.example");
	assert_string_equal(names[1], "b.example");
	assert_string_equal(names[2], "c.example");
	store_names_free(names, n);
	store_cert_files_free(&f);
}

static void
test_bad_names_refused(void **state)
{
	static const char *bad[] = {
		"../x", ".hidden", "a/b", "",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	struct store_fixture *fx = *state;
	struct store_cert_files f, got;
	char quoted[100], **names;
	struct err err;
	int *versions, v;
	size_t i, n;

	make_files(&f, 1, 0);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(quoted, sizeof quoted, "\"%s\"", bad[i]);
		assert_int_equal(store_cert_save(fx->s, bad[i], &f, &v, &err), -1);
		assert_int_equal(err.code, ERR_CONFIG);
		assert_non_null(strstr(err.msg, quoted));
		assert_int_equal(store_cert_versions(fx->s, bad[i], &versions, &n,
		    &err), -1);
		assert_non_null(strstr(err.msg, quoted));
		assert_int_equal(store_cert_load(fx->s, bad[i], 1, &got, &err),
		    -1);
	}
	assert_int_equal(store_doc_write(fx->s, "certs/../x.json", "{}", 2, 1,
	    &err), -1);
	assert_non_null(strstr(err.msg, "\"..\""));
	assert_int_equal(store_doc_write(fx->s, "x.json", "{}", 2, 1, &err), -1);
	assert_int_equal(store_doc_write(fx->s, "/etc/x", "{}", 2, 1, &err), -1);
	assert_int_equal(store_dir_list(fx->s, "..", &names, &n, &err), -1);
	assert_null(slurp(fx, "x.json"));
	assert_int_equal(store_dir_list(fx->s, "", &names, &n, &err), 0);
	for (i = 0; i < n; i++)
		assert_string_not_equal(names[i], "archive");
	store_names_free(names, n);
	store_cert_files_free(&f);
}

static void
test_documents(void **state)
{
	struct store_fixture *fx = *state;
	struct err err;
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(store_doc_write(fx->s, "orders/x.json", "one", 3, 0,
	    &err), 0);
	assert_int_equal(mode_of(fx, "orders/x.json"), 0600);
	assert_int_equal(mode_of(fx, "orders"), 0700);
	assert_int_equal(store_doc_write(fx->s, "orders/x.json", "two", 3, 0,
	    &err), -1);
	assert_int_equal(store_doc_write(fx->s, "orders/x.json", "three", 5, 1,
	    &err), 0);
	assert_true(store_doc_exists(fx->s, "orders/x.json"));
	assert_int_equal(store_doc_read(fx->s, "orders/x.json", 100, &b, &err), 0);
	assert_string_equal(b.data, "three");
	assert_int_equal(store_doc_read(fx->s, "orders/x.json", 4, &b, &err), -1);
	assert_int_equal(store_doc_remove(fx->s, "orders/x.json", &err), 0);
	assert_false(store_doc_exists(fx->s, "orders/x.json"));
	assert_int_equal(store_doc_remove(fx->s, "orders/x.json", &err), 0);
	assert_int_equal(store_doc_read(fx->s, "orders/x.json", 100, &b, &err),
	    -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err.msg, fx->dir));
	assert_int_equal(store_doc_read(fx->s, "nothere/x.json", 100, &b, &err),
	    -1);
	assert_int_equal(errno, ENOENT);

	/* Account keys are written once; account records are replaceable. */
	assert_int_equal(store_doc_write(fx->s, "accounts/ca/acc/key.pem", "K1",
	    2, 0, &err), 0);
	assert_int_equal(store_doc_write(fx->s, "accounts/ca/acc/key.pem", "K2",
	    2, 1, &err), -1);
	assert_non_null(strstr(err.msg, "never replaced"));
	assert_file(fx, "accounts/ca/acc/key.pem", "K1");
	assert_int_equal(store_doc_write(fx->s, "accounts/ca/acc/account.json",
	    "{1}", 3, 0, &err), 0);
	assert_int_equal(store_doc_write(fx->s, "accounts/ca/acc/account.json",
	    "{2}", 3, 1, &err), 0);
	assert_file(fx, "accounts/ca/acc/account.json", "{2}");
	assert_int_equal(store_doc_remove(fx->s, "accounts/ca/acc/key.pem",
	    &err), -1);
	assert_file(fx, "accounts/ca/acc/key.pem", "K1");
	assert_int_equal(store_doc_write(fx->s, "archive/x/1/cert.pem", "C", 1,
	    0, &err), -1);
	assert_int_equal(store_doc_write(fx->s, "live/x", "C", 1, 0, &err), -1);
	assert_int_equal(temps_under(fx->dir), 0);
	buf_free(&b);
}

/* A record from before "managed" existed is managed; the mark survives a
 * save and a load, is written only while set, and stops the forecast. */
static void
test_certrec_managed(void **state)
{
	static const char old[] = "{ \"name\": \"www\", \"domains\": "
	    "[ \"www.example.test\" ], \"status\": \"valid\", \"version\": 1,"
	    " \"not_before\": 1000000, \"not_after\": 9000000 }";
	struct store_fixture *fx = *state;
	struct certrec rec;
	struct err err;
	char why[256];
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(store_doc_write(fx->s, "certs/www.json", old,
	    strlen(old), 1, &err), 0);
	assert_int_equal(certrec_load(fx->s, "www", &rec, &err), 1);
	assert_int_equal(rec.unmanaged, 0);
	assert_true(due_forecast(&rec, 1.0 / 3, 0, 0, why, sizeof why) > 0);
	rec.unmanaged = 1;
	assert_int_equal(certrec_save(fx->s, &rec, &err), 0);
	certrec_free(&rec);
	assert_int_equal(store_doc_read(fx->s, "certs/www.json", 65536, &b, &err), 0);
	assert_non_null(strstr(b.data, "\"managed\": false"));
	assert_int_equal(certrec_load(fx->s, "www", &rec, &err), 1);
	assert_int_equal(rec.unmanaged, 1);
	assert_int_equal(due_forecast(&rec, 1.0 / 3, 0, 0, why, sizeof why), 0);
	assert_non_null(strstr(why, "no longer managed"));
	rec.unmanaged = 0;
	assert_int_equal(certrec_save(fx->s, &rec, &err), 0);
	certrec_free(&rec);
	assert_int_equal(store_doc_read(fx->s, "certs/www.json", 65536, &b, &err), 0);
	assert_null(strstr(b.data, "managed"));
	buf_free(&b);
}

/* Renewal information is kept with the serial it is about: it survives
 * a save and a load while that certificate is current, and a record
 * whose certificate was replaced loads without it. */
static void
test_certrec_ari(void **state)
{
	struct store_fixture *fx = *state;
	struct certrec rec;
	struct err err;
	char why[256];

	memset(&rec, 0, sizeof rec);
	rec.revoked_reason = -1;
	assert_int_equal(str_set(&rec.name, "ari", &err), 0);
	assert_int_equal(str_set(&rec.serial, "0a1b", &err), 0);
	assert_int_equal(str_set(&rec.ari_serial, "0a1b", &err), 0);
	assert_int_equal(str_set(&rec.ari_explanation, "https://ca/why", &err), 0);
	rec.version = 1;
	rec.not_before = 1000000;
	rec.not_after = 9000000;
	rec.ari_start = 5000000;
	rec.ari_end = 5086400;
	rec.ari_pick = 4000000;		/* before the start: an incident's */
	rec.ari_checked = 3000000;
	rec.ari_next = 3021600;
	assert_int_equal(certrec_save(fx->s, &rec, &err), 0);
	certrec_free(&rec);
	assert_int_equal(certrec_load(fx->s, "ari", &rec, &err), 1);
	assert_string_equal(rec.ari_serial, "0a1b");
	assert_int_equal(rec.ari_next, 3021600);
	assert_int_equal(rec.ari_pick, 4000000);
	assert_int_equal(due_forecast(&rec, 1.0 / 3, 0, 0, why, sizeof why), 4000000);
	assert_non_null(strstr(why, "moved its renewal window earlier"));
	/* A new certificate: what the CA said about the old one is gone. */
	assert_int_equal(str_set(&rec.serial, "0c0d", &err), 0);
	assert_int_equal(certrec_save(fx->s, &rec, &err), 0);
	certrec_free(&rec);
	assert_int_equal(certrec_load(fx->s, "ari", &rec, &err), 1);
	assert_null(rec.ari_serial);
	assert_null(rec.ari_explanation);
	assert_int_equal(rec.ari_pick, 0);
	assert_int_equal(rec.ari_next, 0);
	assert_true(due_forecast(&rec, 1.0 / 3, 0, 0, why, sizeof why) > 0);
	assert_null(strstr(why, "ARI"));
	certrec_free(&rec);
}

static void
test_remove_refuses_archive(void **state)
{
	struct store_fixture *fx = *state;
	struct store_cert_files f;
	struct err err;

	make_files(&f, 1, 0);
	assert_int_equal(store_cert_save(fx->s, "ex.com", &f, NULL, &err), 0);
	assert_int_equal(store_doc_remove(fx->s, "archive/ex.com/1/cert.pem",
	    &err), -1);
	assert_non_null(strstr(err.msg, "archive/ex.com/1/cert.pem"));
	assert_file(fx, "archive/ex.com/1/cert.pem", f.cert);
	assert_int_equal(store_doc_remove(fx->s, "live/ex.com", &err), -1);
	assert_file(fx, "live/ex.com/cert.pem", f.cert);
	store_cert_files_free(&f);
}

static void
test_symlinks_in_state_refused(void **state)
{
	struct store_fixture *fx = *state;
	char outside[PATH_MAX * 2], link[PATH_MAX * 2];
	struct store_cert_files f;
	struct err err;
	struct buf b;
	int cur;

	buf_init(&b, 0);
	snprintf(outside, sizeof outside, "%s/outside", fx->top);
	assert_int_equal(mkdir(outside, 0700), 0);
	snprintf(link, sizeof link, "%s/certs", fx->dir);
	assert_int_equal(symlink(outside, link), 0);
	assert_int_equal(store_doc_write(fx->s, "certs/x.json", "{}", 2, 1,
	    &err), -1);
	assert_non_null(strstr(err.msg, "certs: is a symbolic link"));
	snprintf(link, sizeof link, "%s/outside/x.json", fx->top);
	assert_int_equal(access(link, F_OK), -1);

	/* A planted symlink where a document goes: not read through. */
	assert_int_equal(store_doc_write(fx->s, "orders/y.json", "{}", 2, 1,
	    &err), 0);
	snprintf(link, sizeof link, "%s/orders/z.json", fx->dir);
	assert_int_equal(symlink("y.json", link), 0);
	assert_int_equal(store_doc_read(fx->s, "orders/z.json", 100, &b, &err),
	    -1);
	assert_false(store_doc_exists(fx->s, "orders/z.json"));
	assert_int_equal(store_doc_remove(fx->s, "orders/z.json", &err), -1);

	/* A live entry that is not ours, or points elsewhere. */
	make_files(&f, 1, 0);
	assert_int_equal(store_cert_save(fx->s, "ex.com", &f, NULL, &err), 0);
	snprintf(link, sizeof link, "%s/live/planted", fx->dir);
	assert_int_equal(symlink("/etc", link), 0);
	assert_int_equal(store_cert_current_version(fx->s, "planted", &cur,
	    &err), -1);
	snprintf(link, sizeof link, "%s/live/dir.com", fx->dir);
	assert_int_equal(mkdir(link, 0700), 0);
	assert_int_equal(store_cert_save(fx->s, "dir.com", &f, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "not a symbolic link"));
	store_cert_files_free(&f);
	buf_free(&b);
}

/* Runs store_cert_save with the file size limit at `limit` bytes, so a
 * write stops short with a real EFBIG; the limit is back before return. */
static int
save_limited(struct store *s, const char *name,
    const struct store_cert_files *f, rlim_t limit, struct err *err)
{
	struct rlimit saved;
	int rc, v = -1;

	assert_int_equal(fstest_limit_fsize(limit, &saved), 0);
	rc = store_cert_save(s, name, f, &v, err);
	fstest_restore_fsize(&saved);
	return rc;
}

static void
test_failed_save_keeps_current(void **state)
{
	struct store_fixture *fx = *state;
	struct store_cert_files v1, big, got;
	struct err err;
	int *versions, cur, n;
	size_t count;

	make_files(&v1, 1, 0);
	make_files(&big, 2, 8192);
	assert_int_equal(store_cert_save(fx->s, "ex.com", &v1, NULL, &err), 0);
	assert_int_equal(save_limited(fx->s, "ex.com", &big, 1024, &err), -1);
	assert_non_null(strstr(err.msg, strerror(EFBIG)));
	assert_non_null(strstr(err.msg, "archive/ex.com/2/cert.pem"));
	assert_int_equal(store_cert_current_version(fx->s, "ex.com", &cur, &err),
	    0);
	assert_int_equal(cur, 1);
	assert_int_equal(store_cert_versions(fx->s, "ex.com", &versions, &count,
	    &err), 0);
	assert_int_equal(count, 1);
	free(versions);
	assert_int_equal(store_cert_load(fx->s, "ex.com", 0, &got, &err), 0);
	assert_same_files(&got, &v1);
	store_cert_files_free(&got);
	assert_file(fx, "live/ex.com/privkey.pem", v1.privkey);
	assert_int_equal(temps_under(fx->dir), 0);
	/* The next run succeeds. */
	assert_int_equal(store_cert_save(fx->s, "ex.com", &big, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_file(fx, "live/ex.com/cert.pem", big.cert);
	store_cert_files_free(&v1);
	store_cert_files_free(&big);
}

static void
test_stale_temps_swept_under_lock(void **state)
{
	static const char *tmp = ".certdeck-tmp-00112233445566ff";
	struct store_fixture *fx = *state;
	char path[PATH_MAX * 2];
	struct err err;
	int fd;

	assert_int_equal(store_doc_write(fx->s, "certs/a.json", "{}", 2, 1,
	    &err), 0);
	snprintf(path, sizeof path, "%s/archive/ex.com/%s", fx->dir, tmp);
	assert_int_equal(mkdir(path, 0700), -1);	/* no archive/ yet */
	snprintf(path, sizeof path, "%s/archive", fx->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/archive/ex.com", fx->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/archive/ex.com/%s", fx->dir, tmp);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/archive/ex.com/%s/cert.pem", fx->dir, tmp);
	assert_true((fd = creat(path, 0600)) != -1);
	close(fd);
	snprintf(path, sizeof path, "%s/certs/%s", fx->dir, tmp);
	assert_true((fd = creat(path, 0600)) != -1);
	close(fd);
	snprintf(path, sizeof path, "%s/certs/.other", fx->dir);
	assert_true((fd = creat(path, 0600)) != -1);
	close(fd);
	assert_int_equal(temps_under(fx->dir), 2);
	assert_int_equal(store_lock(fx->s, 0, NULL, NULL, &err), 0);
	assert_int_equal(temps_under(fx->dir), 0);
	assert_int_equal(access(path, F_OK), 0);
	assert_file(fx, "certs/a.json", "{}");
	store_unlock(fx->s);
}

static void
test_dir_list(void **state)
{
	struct store_fixture *fx = *state;
	struct err err;
	char **names;
	size_t n;

	assert_int_equal(store_dir_list(fx->s, "orders", &names, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_doc_write(fx->s, "orders/b.json", "", 0, 1, &err),
	    0);
	assert_int_equal(store_doc_write(fx->s, "orders/a.key", "", 0, 1, &err),
	    0);
	assert_int_equal(store_doc_write(fx->s, "orders/a.json", "", 0, 1, &err),
	    0);
	assert_int_equal(store_dir_list(fx->s, "orders", &names, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "a.json");
	assert_string_equal(names[1], "a.key");
	assert_string_equal(names[2], "b.json");
	store_names_free(names, n);
	assert_int_equal(store_dir_list(fx->s, NULL, &names, &n, &err), 0);
	assert_int_equal(n, 1);		/* orders (the lock file comes with a lock) */
	assert_string_equal(names[0], "orders");
	store_names_free(names, n);
}

static void
test_default_dir(void **state)
{
	struct err err;
	char *dir;

	(void)state;
	assert_non_null(dir = store_default_dir(&err));
	if (geteuid() == 0)
		assert_string_equal(dir, "/var/lib/certdeck");
	else
		assert_non_null(strstr(dir, "/certdeck"));
	free(dir);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fstest_store_setup, fstest_store_teardown)
	const struct CMUnitTest tests[] = {
		T(test_open_creates_private_folders),
		T(test_versions_and_live),
		T(test_list_names),
		T(test_bad_names_refused),
		T(test_documents),
		T(test_certrec_managed),
		T(test_certrec_ari),
		T(test_remove_refuses_archive),
		T(test_symlinks_in_state_refused),
		T(test_failed_save_keeps_current),
		T(test_stale_temps_swept_under_lock),
		T(test_dir_list),
		cmocka_unit_test(test_default_dir),
	};
#undef T

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
