/*
 * store: the state directory, its certificate versions, documents and lock
 * (layout and rules in store.h).
 */
#include "autoconfig.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "lock.h"
#include "store.h"

#define STORE_LOCK_NAME		"lock"
/* accounts/CA/ACCOUNT/file and archive/NAME/N/file: the deepest folders a
 * killed run can leave temporary names in. */
#define STORE_SWEEP_DEPTH	3

struct store {
	char	*path;
	int	 rootfd;
	int	 lockfd;
};

/* Where a document lives decides what may happen to it. */
enum store_area {
	STORE_AREA_PLAIN,
	STORE_AREA_ACCOUNTS,	/* keys written once, *.json replaceable */
	STORE_AREA_ARCHIVE,	/* written by store_cert_save() only, kept */
	STORE_AREA_LIVE		/* symlinks made by store_cert_save() only */
};

struct store_docpath {
	char		 dir[PATH_MAX];
	const char	*file;	/* points into dir's storage */
	enum store_area	 area;
};

static const char *const store_pem_names[] = {
	"cert.pem", "chain.pem", "fullchain.pem", "privkey.pem"
};
#define STORE_PEM_COUNT (sizeof store_pem_names / sizeof store_pem_names[0])

/* Puts "STATE/REL/" in front of a message that starts with a name relative
 * to the folder REL, so it reads as one path; keeps the code and errno. */
static int
store_err_at(const struct store *s, const char *rel, struct err *err)
{
	char old[ERR_MSG_MAX];
	int saved = errno;

	if (err != NULL) {
		memcpy(old, err->msg, sizeof old);
		err_set(err, err->code == ERR_OK ? ERR_FAIL : err->code,
		    "%s/%s%s%s", s->path, rel, rel[0] != '\0' ? "/" : "", old);
	}
	errno = saved;
	return -1;
}

/* Checks each '/'-separated component of `relpath` with the name rule. */
static int
store_relpath_check(const char *relpath, struct err *err)
{
	char comp[FSUTIL_NAME_MAX + 2];
	const char *p = relpath, *slash;
	size_t len;

	for (;;) {
		slash = strchr(p, '/');
		len = slash != NULL ? (size_t)(slash - p) : strlen(p);
		/* One byte past the limit is enough for the check to fail. */
		if (len > FSUTIL_NAME_MAX + 1)
			len = FSUTIL_NAME_MAX + 1;
		memcpy(comp, p, len);
		comp[len] = '\0';
		if (fsutil_name_check(comp, err) != 0)
			return -1;
		if (slash == NULL)
			return 0;
		p = slash + 1;
	}
}

static int
store_docpath_parse(const char *relpath, struct store_docpath *dp,
    struct err *err)
{
	char *slash;

	if (relpath == NULL || strlen(relpath) >= sizeof dp->dir)
		return err_set(err, ERR_CONFIG, "store path missing or too long");
	if (store_relpath_check(relpath, err) != 0)
		return -1;
	memcpy(dp->dir, relpath, strlen(relpath) + 1);
	if ((slash = strrchr(dp->dir, '/')) == NULL)
		return err_set(err, ERR_CONFIG, "store path \"%s\": a document "
		    "needs a folder", relpath);
	*slash = '\0';
	dp->file = slash + 1;
	dp->area = STORE_AREA_PLAIN;
	if (strncmp(relpath, "accounts/", 9) == 0)
		dp->area = STORE_AREA_ACCOUNTS;
	else if (strncmp(relpath, "archive/", 8) == 0)
		dp->area = STORE_AREA_ARCHIVE;
	else if (strncmp(relpath, "live/", 5) == 0)
		dp->area = STORE_AREA_LIVE;
	return 0;
}

/* Creates `path` and its missing parents with 0700, whatever the umask.
 * The folders above the state directory are the administrator's, so they
 * are walked by path like any other program would. */
static int
store_make_root(char *path, struct err *err)
{
	struct stat st;
	char *p = path;

	for (;;) {
		p = strchr(p + 1, '/');
		if (p != NULL)
			*p = '\0';
		if (stat(path, &st) == -1) {
			if (errno != ENOENT ||
			    (mkdir(path, 0700) == -1 && errno != EEXIST) ||
			    chmod(path, 0700) == -1) {
				err_errno(err, "%s: create", path);
				if (p != NULL)
					*p = '/';
				return -1;
			}
		}
		if (p == NULL)
			return 0;
		*p = '/';
	}
}

struct store *
store_open(const char *dir, struct err *err)
{
	struct store *s;
	size_t len;

	if (dir == NULL || dir[0] == '\0') {
		err_set(err, ERR_CONFIG, "state directory: empty path");
		return NULL;
	}
	if ((s = calloc(1, sizeof *s)) == NULL || (s->path = strdup(dir)) == NULL) {
		free(s);
		err_nomem(err, "store");
		return NULL;
	}
	s->rootfd = s->lockfd = -1;
	len = strlen(s->path);
	while (len > 1 && s->path[len - 1] == '/')
		s->path[--len] = '\0';
	if (store_make_root(s->path, err) != 0)
		goto fail;
	s->rootfd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd == -1) {
		err_errno(err, "%s", s->path);
		goto fail;
	}
	/* What a killed run left is swept by store_lock(): every writer takes
	 * it first, and a reader (the screens opening ten thousand records)
	 * should not pay for walking the whole tree. */
	return s;
fail:
	store_close(s);
	return NULL;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	store_unlock(s);
	if (s->rootfd != -1)
		close(s->rootfd);
	free(s->path);
	free(s);
}

const char *
store_path(const struct store *s)
{
	return s->path;
}

char *
store_default_dir(struct err *err)
{
	const char *base, *tail = "certdeck";
	struct passwd *pw;
	char *dir;

	if (geteuid() == 0)
		base = "/var/lib";
	else if ((base = getenv("XDG_STATE_HOME")) == NULL || base[0] != '/') {
		/* The XDG rule: a relative value is invalid and ignored. */
		tail = ".local/state/certdeck";
		if ((base = getenv("HOME")) == NULL || base[0] != '/') {
			pw = getpwuid(getuid());
			base = pw != NULL ? pw->pw_dir : NULL;
		}
		if (base == NULL || base[0] != '/') {
			err_set(err, ERR_CONFIG, "state directory: no home "
			    "directory (set HOME or XDG_STATE_HOME)");
			return NULL;
		}
	}
	if (asprintf(&dir, "%s/%s", base, tail) == -1) {
		err_nomem(err, "state directory path");
		return NULL;
	}
	return dir;
}

int
store_lock(struct store *s, int wait,
    void (*waiting)(void *arg, long holder_pid), void *arg, struct err *err)
{
	struct err ignored;

	if (s->lockfd != -1)
		return 0;
	if (lock_acquire(s->rootfd, STORE_LOCK_NAME, s->path, wait, waiting,
	    arg, &s->lockfd, err) != 0) {
		s->lockfd = -1;
		return -1;
	}
	/* Holding the lock, nobody else is writing: what temporary names
	 * remain were left by a killed run. Failing to remove them costs
	 * only space, so it does not fail the lock. */
	fsutil_sweep_temps_at(s->rootfd, STORE_SWEEP_DEPTH, &ignored);
	return 0;
}

void
store_unlock(struct store *s)
{
	lock_release(s->lockfd);
	s->lockfd = -1;
}

void
store_cert_files_free(struct store_cert_files *f)
{
	if (f == NULL)
		return;
	free(f->cert);
	free(f->chain);
	free(f->fullchain);
	free(f->privkey);
	f->cert = f->chain = f->fullchain = f->privkey = NULL;
}

/* Parses a version folder name: 1 to 9 digits without a leading zero. */
static int
store_version_parse(const char *text, int *version)
{
	size_t i;
	int v = 0;

	if (text[0] < '1' || text[0] > '9')
		return -1;
	for (i = 0; text[i] != '\0'; i++) {
		if (text[i] < '0' || text[i] > '9' || i >= 9)
			return -1;
		v = v * 10 + (text[i] - '0');
	}
	*version = v;
	return 0;
}

static int
store_int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Lists the names in the store folder `rel`; none when it is missing. */
static int
store_list_rel(struct store *s, const char *rel, char ***names, size_t *n,
    struct err *err)
{
	int fd, rc;

	*names = NULL;
	*n = 0;
	if (rel[0] == '\0')
		fd = s->rootfd;
	else if (fsutil_open_dir_at(s->rootfd, rel, &fd, err) != 0)
		return errno == ENOENT ? 0 : store_err_at(s, "", err);
	rc = fsutil_list_at(fd, names, n, err);
	if (fd != s->rootfd)
		close(fd);
	return rc == 0 ? 0 : store_err_at(s, rel, err);
}

int
store_cert_versions(struct store *s, const char *name, int **versions,
    size_t *n, struct err *err)
{
	char rel[PATH_MAX], **names;
	size_t count, i;
	int *v;

	*versions = NULL;
	*n = 0;
	if (fsutil_name_check(name, err) != 0)
		return -1;
	snprintf(rel, sizeof rel, "archive/%s", name);
	if (store_list_rel(s, rel, &names, &count, err) != 0)
		return -1;
	if (count == 0)
		return 0;
	if ((v = malloc(count * sizeof *v)) == NULL) {
		store_names_free(names, count);
		return err_nomem(err, "version list");
	}
	for (i = 0; i < count; i++)
		if (store_version_parse(names[i], &v[*n]) == 0)
			(*n)++;
	store_names_free(names, count);
	if (*n > 1)
		qsort(v, *n, sizeof *v, store_int_cmp);
	*versions = v;
	return 0;
}

int
store_cert_current_version(struct store *s, const char *name, int *version,
    struct err *err)
{
	char target[PATH_MAX], prefix[PATH_MAX];
	size_t plen;
	ssize_t r;
	int fd, saved;

	*version = 0;
	if (fsutil_name_check(name, err) != 0)
		return -1;
	if (fsutil_open_dir_at(s->rootfd, "live", &fd, err) != 0)
		return errno == ENOENT ? 0 : store_err_at(s, "", err);
	r = readlinkat(fd, name, target, sizeof target - 1);
	saved = errno;
	close(fd);
	if (r == -1 && saved == ENOENT)
		return 0;
	if (r == -1 && saved == EINVAL)
		return err_set(err, ERR_IO, "%s/live/%s: not a symbolic link "
		    "(refused)", s->path, name);
	if (r == -1) {
		errno = saved;
		return err_errno(err, "%s/live/%s: readlink", s->path, name);
	}
	target[r] = '\0';
	plen = (size_t)snprintf(prefix, sizeof prefix, "../archive/%s/", name);
	if (strncmp(target, prefix, plen) != 0 ||
	    store_version_parse(target + plen, version) != 0) {
		*version = 0;
		return err_set(err, ERR_IO, "%s/live/%s: does not point to a "
		    "version of %s (refused)", s->path, name, name);
	}
	return 0;
}

/* Writes the four files into a fresh temporary folder in `archfd` and
 * renames it to `num`, so a version appears whole or not at all. */
static int
store_version_write(int archfd, const char *const texts[], const char *num,
    struct err *err)
{
	char tmp[FSUTIL_TEMP_NAME_SIZE];
	struct err ignored;
	size_t i;
	int fd;

	if (fsutil_mkdtemp_at(archfd, 0700, tmp, sizeof tmp, err) != 0)
		return -1;
	fd = openat(archfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		err_errno(err, "%s", tmp);
		goto fail;
	}
	for (i = 0; i < STORE_PEM_COUNT; i++)
		if (fsutil_write_atomic_at(fd, store_pem_names[i], texts[i],
		    strlen(texts[i]), 0600, 0, err) != 0)
			goto fail;
	if (fsutil_fsync_dir(fd, num, err) != 0)
		goto fail;
	close(fd);
	fd = -1;
	if (fsutil_rename_noreplace_at(archfd, tmp, num, err) != 0)
		goto fail;
	return fsutil_fsync_dir(archfd, num, err);
fail:
	if (fd != -1)
		close(fd);
	fsutil_remove_temp_at(archfd, tmp, &ignored);
	return -1;
}

int
store_cert_save(struct store *s, const char *name,
    const struct store_cert_files *f, int *version, struct err *err)
{
	const char *const texts[STORE_PEM_COUNT] = {
		f->cert, f->chain, f->fullchain, f->privkey
	};
	char rel[PATH_MAX], num[16], target[PATH_MAX];
	int *versions, archfd, livefd, n, rc;
	size_t count, i;

	if (fsutil_name_check(name, err) != 0)
		return -1;
	for (i = 0; i < STORE_PEM_COUNT; i++)
		if (texts[i] == NULL)
			return err_set(err, ERR_FAIL, "certificate %s: no %s to "
			    "save", name, store_pem_names[i]);
	if (store_cert_versions(s, name, &versions, &count, err) != 0)
		return -1;
	n = count > 0 ? versions[count - 1] + 1 : 1;
	free(versions);
	snprintf(rel, sizeof rel, "archive/%s", name);
	snprintf(num, sizeof num, "%d", n);
	if (fsutil_mkdirs_at(s->rootfd, rel, 0700, &archfd, err) != 0)
		return store_err_at(s, "", err);
	rc = store_version_write(archfd, texts, num, err);
	close(archfd);
	if (rc != 0) {
		snprintf(rel, sizeof rel, "archive/%s/%s", name, num);
		return store_err_at(s, rel, err);
	}
	if (fsutil_mkdirs_at(s->rootfd, "live", 0700, &livefd, err) != 0)
		return store_err_at(s, "", err);
	snprintf(target, sizeof target, "../archive/%s/%s", name, num);
	rc = fsutil_symlink_atomic_at(livefd, target, name, err);
	close(livefd);
	if (rc != 0)
		return store_err_at(s, "live", err);
	if (version != NULL)
		*version = n;
	return 0;
}

int
store_cert_load(struct store *s, const char *name, int version,
    struct store_cert_files *out, struct err *err)
{
	char **fields[STORE_PEM_COUNT] = {
		&out->cert, &out->chain, &out->fullchain, &out->privkey
	};
	char rel[PATH_MAX];
	struct buf b;
	size_t i;
	int fd;

	memset(out, 0, sizeof *out);
	if (version == 0 &&
	    store_cert_current_version(s, name, &version, err) != 0)
		return -1;
	if (version <= 0) {
		err_set(err, ERR_IO, "certificate %s: no current version in "
		    "%s/live", name, s->path);
		errno = ENOENT;
		return -1;
	}
	if (fsutil_name_check(name, err) != 0)
		return -1;
	snprintf(rel, sizeof rel, "archive/%s/%d", name, version);
	if (fsutil_open_dir_at(s->rootfd, rel, &fd, err) != 0)
		return store_err_at(s, "", err);
	for (i = 0; i < STORE_PEM_COUNT; i++) {
		buf_init(&b, 0);
		if (fsutil_read_at(fd, store_pem_names[i], STORE_PEM_MAX, &b,
		    err) != 0) {
			buf_free(&b);
			close(fd);
			store_cert_files_free(out);
			return store_err_at(s, rel, err);
		}
		*fields[i] = buf_steal(&b);
		if (*fields[i] == NULL) {
			close(fd);
			store_cert_files_free(out);
			return err_nomem(err, "certificate text");
		}
	}
	close(fd);
	return 0;
}

static int
store_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Moves the valid certificate names of `from` (with `suffix` removed; only
 * names that have it) into `to`, which has room for them. */
static int
store_take_names(char **to, size_t *n, char **from, size_t count,
    const char *suffix, struct err *err)
{
	size_t i, len, slen = strlen(suffix);
	char *name;

	for (i = 0; i < count; i++) {
		len = strlen(from[i]);
		if (len <= slen || strcmp(from[i] + len - slen, suffix) != 0)
			continue;
		if ((name = strndup(from[i], len - slen)) == NULL)
			return err_nomem(err, "certificate list");
		if (fsutil_name_ok(name))
			to[(*n)++] = name;
		else
			free(name);
	}
	return 0;
}

int
store_cert_list(struct store *s, char ***names, size_t *n, struct err *err)
{
	char **live = NULL, **certs = NULL, **all = NULL;
	size_t nlive = 0, ncerts = 0, count = 0, i, k;
	int rc = -1;

	*names = NULL;
	*n = 0;
	if (store_list_rel(s, "live", &live, &nlive, err) != 0 ||
	    store_list_rel(s, "certs", &certs, &ncerts, err) != 0)
		goto out;
	if (nlive + ncerts == 0) {
		rc = 0;
		goto out;
	}
	if ((all = calloc(nlive + ncerts, sizeof *all)) == NULL) {
		err_nomem(err, "certificate list");
		goto out;
	}
	if (store_take_names(all, &count, live, nlive, "", err) != 0 ||
	    store_take_names(all, &count, certs, ncerts, ".json", err) != 0) {
		store_names_free(all, count);
		goto out;
	}
	if (count > 1)
		qsort(all, count, sizeof *all, store_name_cmp);
	for (i = k = 0; i < count; i++) {
		if (k > 0 && strcmp(all[k - 1], all[i]) == 0)
			free(all[i]);
		else
			all[k++] = all[i];
	}
	*names = all;
	*n = k;
	rc = 0;
out:
	store_names_free(live, nlive);
	store_names_free(certs, ncerts);
	return rc;
}

void
store_names_free(char **names, size_t n)
{
	fsutil_names_free(names, n);
}

int
store_doc_write(struct store *s, const char *relpath, const void *data,
    size_t len, int replace, struct err *err)
{
	struct store_docpath dp;
	int fd, rc, once;
	size_t flen;

	if (store_docpath_parse(relpath, &dp, err) != 0)
		return -1;
	if (dp.area == STORE_AREA_ARCHIVE || dp.area == STORE_AREA_LIVE)
		return err_set(err, ERR_FAIL, "%s/%s: written only when a "
		    "certificate is saved (refused)", s->path, relpath);
	/* An account key is never replaced: losing it loses the account. */
	flen = strlen(dp.file);
	once = dp.area == STORE_AREA_ACCOUNTS &&
	    !(flen > 5 && strcmp(dp.file + flen - 5, ".json") == 0);
	if (fsutil_mkdirs_at(s->rootfd, dp.dir, 0700, &fd, err) != 0)
		return store_err_at(s, "", err);
	rc = fsutil_write_atomic_at(fd, dp.file, data, len, 0600,
	    once ? 0 : replace, err);
	close(fd);
	if (rc != 0 && once && errno == EEXIST)
		return err_set(err, ERR_IO, "%s/%s: exists, and files under "
		    "accounts/ are never replaced", s->path, relpath);
	return rc == 0 ? 0 : store_err_at(s, dp.dir, err);
}

int
store_doc_read(struct store *s, const char *relpath, size_t max,
    struct buf *out, struct err *err)
{
	struct store_docpath dp;
	int fd, rc;

	if (store_docpath_parse(relpath, &dp, err) != 0)
		return -1;
	if (fsutil_open_dir_at(s->rootfd, dp.dir, &fd, err) != 0)
		return store_err_at(s, "", err);
	rc = fsutil_read_at(fd, dp.file, max, out, err);
	close(fd);
	return rc == 0 ? 0 : store_err_at(s, dp.dir, err);
}

int
store_doc_exists(struct store *s, const char *relpath)
{
	struct store_docpath dp;
	struct stat st;
	int fd, rc;

	if (store_docpath_parse(relpath, &dp, NULL) != 0 ||
	    fsutil_open_dir_at(s->rootfd, dp.dir, &fd, NULL) != 0)
		return 0;
	rc = fstatat(fd, dp.file, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode);
	close(fd);
	return rc;
}

int
store_doc_remove(struct store *s, const char *relpath, struct err *err)
{
	struct store_docpath dp;
	struct stat st;
	int fd, rc = 0;

	if (store_docpath_parse(relpath, &dp, err) != 0)
		return -1;
	if (dp.area != STORE_AREA_PLAIN)
		return err_set(err, ERR_FAIL, "%s/%s: nothing under accounts/, "
		    "archive/ or live/ is ever removed (refused)", s->path,
		    relpath);
	if (fsutil_open_dir_at(s->rootfd, dp.dir, &fd, err) != 0)
		return errno == ENOENT ? 0 : store_err_at(s, "", err);
	if (fstatat(fd, dp.file, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno != ENOENT)
			rc = err_errno(err, "%s/%s", s->path, relpath);
	} else if (!S_ISREG(st.st_mode))
		rc = err_set(err, ERR_IO, "%s/%s: not a regular file (refused)",
		    s->path, relpath);
	else if (unlinkat(fd, dp.file, 0) == -1)
		rc = err_errno(err, "%s/%s: unlink", s->path, relpath);
	else if (fsutil_fsync_dir(fd, dp.dir, err) != 0)
		rc = store_err_at(s, "", err);
	close(fd);
	return rc;
}

int
store_dir_list(struct store *s, const char *relpath, char ***names,
    size_t *n, struct err *err)
{
	*names = NULL;
	*n = 0;
	if (relpath == NULL)
		relpath = "";
	if (relpath[0] != '\0' && store_relpath_check(relpath, err) != 0)
		return -1;
	return store_list_rel(s, relpath, names, n, err);
}
