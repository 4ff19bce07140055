/*
 * fsutil: symlink-safe walks and atomic writes (see fsutil.h).
 */
#include "autoconfig.h"

#include <sys/types.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"

#define FSUTIL_TEMP_PREFIX	".certdeck-tmp-"
#define FSUTIL_TEMP_HEX		16
#define FSUTIL_TEMP_TRIES	16
/* Components of paths inside a folder we were handed (a webroot, say) may
 * be longer than a store name; only the file system's limit applies. */
#define FSUTIL_COMPONENT_MAX	255

static int fsutil_fail(struct err *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets ERR_IO "WHAT: why" from the errno value `saved` and leaves errno set
 * to it, so callers can still branch on ENOENT. */
static int
fsutil_fail(struct err *err, int saved, const char *fmt, ...)
{
	char what[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	/* O_NOFOLLOW reports a symlink as ELOOP, "too many levels of
	 * symbolic links", which would mislead the reader. */
	if (saved == ELOOP)
		err_set(err, ERR_IO, "%s: is a symbolic link (refused)", what);
	else
		err_set(err, ERR_IO, "%s: %s", what, strerror(saved));
	errno = saved;
	return -1;
}

/* Copies `s` into `out` for a message: bytes outside printable ASCII as
 * \xNN, cut with "..." when too long. */
static void
fsutil_escape(const char *s, char *out, size_t size)
{
	size_t o = 0;

	for (; *s != '\0' && o + 8 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
	}
	if (*s != '\0')
		memcpy(out + o, "...", 4);
	else
		out[o] = '\0';
}

static int
fsutil_component_ok(const char *name, size_t max)
{
	size_t i;

	if (name == NULL || name[0] == '\0' || name[0] == '.')
		return 0;
	for (i = 0; name[i] != '\0'; i++) {
		unsigned char c = (unsigned char)name[i];

		if (i >= max)
			return 0;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static int
fsutil_component_check(const char *name, size_t max, struct err *err)
{
	char shown[160];

	if (fsutil_component_ok(name, max))
		return 0;
	fsutil_escape(name == NULL ? "" : name, shown, sizeof shown);
	err_set(err, ERR_CONFIG, "invalid name \"%s\": use 1-%zu of A-Z a-z 0-9 "
	    ". _ -, not starting with '.'", shown, max);
	errno = EINVAL;
	return -1;
}

int
fsutil_name_ok(const char *name)
{
	return fsutil_component_ok(name, FSUTIL_NAME_MAX);
}

int
fsutil_name_check(const char *name, struct err *err)
{
	return fsutil_component_check(name, FSUTIL_NAME_MAX, err);
}

int
fsutil_is_temp_name(const char *name)
{
	size_t i, plen = sizeof FSUTIL_TEMP_PREFIX - 1;

	if (strncmp(name, FSUTIL_TEMP_PREFIX, plen) != 0)
		return 0;
	for (i = 0; i < FSUTIL_TEMP_HEX; i++) {
		char c = name[plen + i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
	}
	return name[plen + FSUTIL_TEMP_HEX] == '\0';
}

static int
fsutil_temp_name(char *out, size_t size, struct err *err)
{
	unsigned char rnd[FSUTIL_TEMP_HEX / 2];
	size_t i, o;

	if (size < FSUTIL_TEMP_NAME_SIZE)
		return err_set(err, ERR_FAIL, "temporary name: buffer too small");
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return fsutil_fail(err, errno, "getrandom");
	o = (size_t)snprintf(out, size, "%s", FSUTIL_TEMP_PREFIX);
	for (i = 0; i < sizeof rnd; i++)
		o += (size_t)snprintf(out + o, size - o, "%02x", rnd[i]);
	return 0;
}

enum fsutil_temp_kind {
	FSUTIL_TEMP_FILE,
	FSUTIL_TEMP_DIR,
	FSUTIL_TEMP_LINK
};

/* Creates a file (0600, returned open for writing), folder (0700) or
 * symlink to `target` under a fresh temporary name in `dirfd`, never
 * replacing anything; the name goes to `name`. Returns the fd for a file,
 * 0 otherwise, or -1. */
static int
fsutil_create_temp(int dirfd, enum fsutil_temp_kind kind, const char *target,
    char *name, size_t size, struct err *err)
{
	int i, rc;

	for (i = 0; i < FSUTIL_TEMP_TRIES; i++) {
		if (fsutil_temp_name(name, size, err) != 0)
			return -1;
		/* 0600 and 0700 until the caller's chmod: never wider than
		 * asked, whatever the umask. */
		if (kind == FSUTIL_TEMP_FILE)
			rc = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, 0600);
		else if (kind == FSUTIL_TEMP_DIR)
			rc = mkdirat(dirfd, name, 0700);
		else
			rc = symlinkat(target, dirfd, name);
		if (rc != -1)
			return rc;
		if (errno != EEXIST)
			return fsutil_fail(err, errno, "create %s", name);
	}
	return fsutil_fail(err, EEXIST, "create %s", name);
}

int
fsutil_fsync_dir(int dirfd, const char *shown, struct err *err)
{
	if (fsync(dirfd) == -1)
		return fsutil_fail(err, errno, "%s: fsync of the folder", shown);
	return 0;
}

/* Refuses what must not be replaced at `name`: anything when !replace,
 * and a symlink, folder or device always. */
static int
fsutil_target_ok(int dirfd, const char *name, int replace, struct err *err)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			return 0;
		return fsutil_fail(err, errno, "%s", name);
	}
	if (S_ISLNK(st.st_mode))
		return fsutil_fail(err, ELOOP, "%s", name);
	if (!S_ISREG(st.st_mode)) {
		err_set(err, ERR_IO, "%s: not a regular file (refused)", name);
		errno = EEXIST;
		return -1;
	}
	if (!replace)
		return fsutil_fail(err, EEXIST, "%s", name);
	return 0;
}

/* Gives `fd` its mode, writes all of `data`, syncs and closes it (always
 * closed, even on failure). */
static int
fsutil_fill(int fd, const char *name, const void *data, size_t len,
    mode_t mode, struct err *err)
{
	const char *p = data;
	ssize_t w;
	int saved;

	if (fchmod(fd, mode) == -1) {
		saved = errno;
		close(fd);
		return fsutil_fail(err, saved, "%s: fchmod", name);
	}
	while (len > 0) {
		if ((w = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			saved = errno;
			close(fd);
			return fsutil_fail(err, saved, "%s: write", name);
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) == -1) {
		saved = errno;
		close(fd);
		return fsutil_fail(err, saved, "%s: fsync", name);
	}
	if (close(fd) == -1)
		return fsutil_fail(err, errno, "%s: close", name);
	return 0;
}

int
fsutil_rename_noreplace_at(int dirfd, const char *from, const char *to,
    struct err *err)
{
	struct stat st;

	if (renameat2(dirfd, from, dirfd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return fsutil_fail(err, errno, "%s: rename", to);
	/* File systems without RENAME_NOREPLACE: link() never replaces a
	 * file, and rename() never replaces a folder that holds anything. */
	if (fstatat(dirfd, from, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return fsutil_fail(err, errno, "%s", from);
	if (S_ISDIR(st.st_mode)) {
		if (fstatat(dirfd, to, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return fsutil_fail(err, EEXIST, "%s", to);
		if (renameat(dirfd, from, dirfd, to) == -1)
			return fsutil_fail(err, errno, "%s: rename", to);
		return 0;
	}
	if (linkat(dirfd, from, dirfd, to, 0) == -1)
		return fsutil_fail(err, errno, "%s: link", to);
	unlinkat(dirfd, from, 0);
	return 0;
}

int
fsutil_write_atomic_at(int dirfd, const char *name, const void *data,
    size_t len, mode_t mode, int replace, struct err *err)
{
	char tmp[FSUTIL_TEMP_NAME_SIZE];
	int fd, saved;

	if (fsutil_component_check(name, FSUTIL_COMPONENT_MAX, err) != 0 ||
	    fsutil_target_ok(dirfd, name, replace, err) != 0)
		return -1;
	fd = fsutil_create_temp(dirfd, FSUTIL_TEMP_FILE, NULL, tmp, sizeof tmp,
	    err);
	if (fd == -1)
		return err_prefix(err, "%s", name);
	if (fsutil_fill(fd, name, data, len, mode, err) != 0)
		goto fail;
	if (replace) {
		if (renameat(dirfd, tmp, dirfd, name) == -1) {
			fsutil_fail(err, errno, "%s: rename", name);
			goto fail;
		}
	} else if (fsutil_rename_noreplace_at(dirfd, tmp, name, err) != 0)
		goto fail;
	return fsutil_fsync_dir(dirfd, name, err);
fail:
	saved = errno;
	unlinkat(dirfd, tmp, 0);
	errno = saved;
	return -1;
}

int
fsutil_read_at(int dirfd, const char *name, size_t max, struct buf *out,
    struct err *err)
{
	char chunk[8192];
	struct stat st;
	ssize_t r;
	int fd, saved;

	if (fsutil_component_check(name, FSUTIL_COMPONENT_MAX, err) != 0)
		return -1;
	/* O_NONBLOCK: opening a planted FIFO must not hang us. */
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return fsutil_fail(err, errno, "%s", name);
	if (fstat(fd, &st) == -1) {
		saved = errno;
		close(fd);
		return fsutil_fail(err, saved, "%s: fstat", name);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		err_set(err, ERR_IO, "%s: not a regular file (refused)", name);
		errno = EINVAL;
		return -1;
	}
	buf_reset(out);
	for (;;) {
		if ((r = read(fd, chunk, sizeof chunk)) == -1) {
			if (errno == EINTR)
				continue;
			saved = errno;
			close(fd);
			return fsutil_fail(err, saved, "%s: read", name);
		}
		if (r == 0)
			break;
		/* Checked while reading too: the file may grow after fstat. */
		if (out->len + (size_t)r > max) {
			close(fd);
			buf_reset(out);
			err_set(err, ERR_IO, "%s: larger than the limit of %zu "
			    "bytes (refused)", name, max);
			errno = EFBIG;
			return -1;
		}
		if (buf_append(out, chunk, (size_t)r, err) != 0) {
			close(fd);
			errno = ENOMEM;
			return err_prefix(err, "%s", name);
		}
	}
	close(fd);
	return 0;
}

/* Opens the folder `name` in `dirfd`, never through a symlink; errno is
 * ELOOP for a symlink (O_DIRECTORY makes Linux say ENOTDIR instead). */
static int
fsutil_open_subdir(int dirfd, const char *name)
{
	struct stat st;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOTDIR &&
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		errno = ELOOP;
	return fd;
}

/* Opens (and with `create`, first makes) the folder `comp` in `dirfd`;
 * `shown` is the path so far for messages. Returns the fd or -1. */
static int
fsutil_step(int dirfd, const char *comp, const char *shown, int create,
    mode_t mode, struct err *err)
{
	int fd, made = 0, saved;

	if (create) {
		if (mkdirat(dirfd, comp, 0700) == 0)
			made = 1;
		else if (errno != EEXIST)
			return fsutil_fail(err, errno, "%s: mkdir", shown);
	}
	/* Before opening: under umask 0777 the new folder has mode 0 and
	 * only its owner's chmod makes it usable. */
	if (made && fchmodat(dirfd, comp, mode, AT_SYMLINK_NOFOLLOW) == -1)
		return fsutil_fail(err, errno, "%s: chmod", shown);
	if ((fd = fsutil_open_subdir(dirfd, comp)) == -1)
		return fsutil_fail(err, errno, "%s", shown);
	if (made && fsync(dirfd) == -1) {
		saved = errno;
		close(fd);
		return fsutil_fail(err, saved, "%s: fsync of the folder", shown);
	}
	return fd;
}

static int
fsutil_walk(int dirfd, const char *relpath, int create, mode_t mode,
    int *out_fd, struct err *err)
{
	char comp[FSUTIL_COMPONENT_MAX + 1], shown[PATH_MAX];
	const char *p = relpath, *slash;
	int fd = -1, next;
	size_t len;

	if (relpath == NULL || relpath[0] == '\0')
		return fsutil_component_check("", FSUTIL_COMPONENT_MAX, err);
	for (;;) {
		slash = strchr(p, '/');
		len = slash != NULL ? (size_t)(slash - p) : strlen(p);
		if (len > FSUTIL_COMPONENT_MAX) {
			err_set(err, ERR_CONFIG, "path component over %d bytes",
			    FSUTIL_COMPONENT_MAX);
			goto fail;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		if (fsutil_component_check(comp, FSUTIL_COMPONENT_MAX, err) != 0)
			goto fail;
		snprintf(shown, sizeof shown, "%.*s", (int)(p - relpath + len),
		    relpath);
		next = fsutil_step(fd == -1 ? dirfd : fd, comp, shown, create,
		    mode, err);
		if (fd != -1)
			close(fd);
		if ((fd = next) == -1)
			return -1;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	if (out_fd != NULL)
		*out_fd = fd;
	else
		close(fd);
	return 0;
fail:
	if (fd != -1)
		close(fd);
	errno = EINVAL;
	return -1;
}

int
fsutil_mkdirs_at(int dirfd, const char *relpath, mode_t mode, int *out_fd,
    struct err *err)
{
	return fsutil_walk(dirfd, relpath, 1, mode, out_fd, err);
}

int
fsutil_open_dir_at(int dirfd, const char *relpath, int *out_fd,
    struct err *err)
{
	return fsutil_walk(dirfd, relpath, 0, 0, out_fd, err);
}

int
fsutil_mkdtemp_at(int dirfd, mode_t mode, char *name, size_t size,
    struct err *err)
{
	int saved;

	if (fsutil_create_temp(dirfd, FSUTIL_TEMP_DIR, NULL, name, size,
	    err) == -1)
		return -1;
	if (fchmodat(dirfd, name, mode, AT_SYMLINK_NOFOLLOW) == -1) {
		saved = errno;
		unlinkat(dirfd, name, AT_REMOVEDIR);
		return fsutil_fail(err, saved, "%s: chmod", name);
	}
	return 0;
}

int
fsutil_symlink_atomic_at(int dirfd, const char *target, const char *name,
    struct err *err)
{
	char tmp[FSUTIL_TEMP_NAME_SIZE];
	struct stat st;
	int saved;

	if (fsutil_component_check(name, FSUTIL_COMPONENT_MAX, err) != 0)
		return -1;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISLNK(st.st_mode)) {
		err_set(err, ERR_IO, "%s: not a symbolic link (refused)", name);
		errno = EEXIST;
		return -1;
	}
	if (fsutil_create_temp(dirfd, FSUTIL_TEMP_LINK, target, tmp, sizeof tmp,
	    err) == -1)
		return err_prefix(err, "%s", name);
	if (renameat(dirfd, tmp, dirfd, name) == -1) {
		saved = errno;
		unlinkat(dirfd, tmp, 0);
		return fsutil_fail(err, saved, "%s: rename", name);
	}
	return fsutil_fsync_dir(dirfd, name, err);
}

static int
fsutil_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
fsutil_names_free(char **names, size_t n)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Reads the names in `dirfd`, with dot-names when `dots` (never "." and
 * ".."), unsorted. */
static int
fsutil_read_names(int dirfd, int dots, char ***names, size_t *n,
    struct err *err)
{
	char **list = NULL, **grown;
	size_t count = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int fd;

	*names = NULL;
	*n = 0;
	/* A fresh open file description: readdir must not move the offset
	 * of the caller's descriptor. */
	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return fsutil_fail(err, errno, "open folder");
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return fsutil_fail(err, errno, "fdopendir");
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    (!dots && de->d_name[0] == '.'))
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 16;
			if ((grown = realloc(list, cap * sizeof *list)) == NULL)
				goto nomem;
			list = grown;
		}
		if ((list[count] = strdup(de->d_name)) == NULL)
			goto nomem;
		count++;
	}
	if (errno != 0) {
		fsutil_fail(err, errno, "readdir");
		goto out;
	}
	closedir(d);
	*names = list;
	*n = count;
	return 0;
nomem:
	err_nomem(err, "folder listing");
	errno = ENOMEM;
out:
	closedir(d);
	fsutil_names_free(list, count);
	return -1;
}

int
fsutil_list_at(int dirfd, char ***names, size_t *n, struct err *err)
{
	if (fsutil_read_names(dirfd, 0, names, n, err) != 0)
		return -1;
	if (*n > 1)	/* qsort may not be given NULL, even for nothing */
		qsort(*names, *n, sizeof **names, fsutil_name_cmp);
	return 0;
}

/* Removes the temporary folder `name` and the files and symlinks in it. */
static int
fsutil_remove_temp_dir(int dirfd, const char *name, struct err *err)
{
	char **inner;
	size_t n, i;
	int fd, rc = 0;

	if ((fd = fsutil_open_subdir(dirfd, name)) == -1)
		return fsutil_fail(err, errno, "%s", name);
	if (fsutil_read_names(fd, 1, &inner, &n, err) != 0) {
		close(fd);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (unlinkat(fd, inner[i], 0) == -1 && rc == 0)
			rc = fsutil_fail(err, errno, "%s/%s: unlink", name, inner[i]);
	fsutil_names_free(inner, n);
	close(fd);
	if (rc == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) == -1)
		rc = fsutil_fail(err, errno, "%s: rmdir", name);
	return rc;
}

int
fsutil_remove_temp_at(int dirfd, const char *name, struct err *err)
{
	struct stat st;

	if (!fsutil_is_temp_name(name)) {
		err_set(err, ERR_FAIL, "%s: not a temporary name (refused)", name);
		errno = EINVAL;
		return -1;
	}
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 0 : fsutil_fail(err, errno, "%s", name);
	if (S_ISDIR(st.st_mode))
		return fsutil_remove_temp_dir(dirfd, name, err);
	if (unlinkat(dirfd, name, 0) == -1 && errno != ENOENT)
		return fsutil_fail(err, errno, "%s: unlink", name);
	return 0;
}

static int
fsutil_sweep_one(int dirfd, const char *name, int depth, struct err *err)
{
	struct stat st;
	int fd, rc;

	if (fsutil_is_temp_name(name))
		return fsutil_remove_temp_at(dirfd, name, err);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 0 : fsutil_fail(err, errno, "%s", name);
	if (depth <= 0 || !S_ISDIR(st.st_mode) || name[0] == '.')
		return 0;
	if ((fd = fsutil_open_subdir(dirfd, name)) == -1)
		return fsutil_fail(err, errno, "%s", name);
	rc = fsutil_sweep_temps_at(fd, depth - 1, err);
	close(fd);
	return rc == 0 ? 0 : err_prefix(err, "%s", name);
}

int
fsutil_sweep_temps_at(int dirfd, int depth, struct err *err)
{
	struct err first;
	char **names;
	size_t n, i;
	int rc = 0;

	if (fsutil_read_names(dirfd, 1, &names, &n, err) != 0)
		return -1;
	err_clear(&first);
	for (i = 0; i < n; i++)
		if (fsutil_sweep_one(dirfd, names[i], depth, &first) != 0 &&
		    rc == 0) {
			rc = -1;
			err_copy(err, &first);
		}
	fsutil_names_free(names, n);
	return rc;
}
