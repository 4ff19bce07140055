/*
 * config_edit: changing the configuration file (see config_edit.h).
 */
#include "autoconfig.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config_edit.h"
#include "fsutil.h"

/* The folder of `path`, opened, and its last component in `base`. */
static int
config_edit_dir(const char *path, char *base, size_t basesz, struct err *err)
{
	char dir[PATH_MAX], name[PATH_MAX];
	int fd;

	if ((size_t)snprintf(dir, sizeof dir, "%s", path) >= sizeof dir)
		return err_set(err, ERR_CONFIG, "%s: path too long", path);
	snprintf(name, sizeof name, "%s", path);
	snprintf(base, basesz, "%s", basename(name));
	if ((fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_errno(err, "%s", dir);
	return fd;
}

/* Renaming over a link would quietly cut it from its target: refused
 * before anything is changed. */
static int
config_edit_not_link(const char *path, struct err *err)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return err_set(err, ERR_CONFIG, "%s: a symbolic link; not replaced "
		    "(change the file it points to by hand)", path);
	return 0;
}

int
config_edit_read(config_t *cfg, const char *path, mode_t *mode, struct err *err)
{
	char dir[PATH_MAX];
	struct stat st;

	*mode = 0600;
	if (config_edit_not_link(path, err) != 0)
		return -1;
	if (stat(path, &st) == 0) {
		*mode = st.st_mode & 0777;
		if (config_read_file(cfg, path) != CONFIG_TRUE)
			return err_set(err, ERR_CONFIG, "%s:%d: %s", path,
			    config_error_line(cfg), config_error_text(cfg));
		return 0;
	}
	if (errno != ENOENT)
		return err_errno(err, "%s", path);
	/* The default file's folder may not exist yet on a fresh system. */
	snprintf(dir, sizeof dir, "%s", path);
	if (mkdir(dirname(dir), 0700) != 0 && errno != EEXIST)
		return err_errno(err, "%s: mkdir", dir);
	return 0;
}

/* `cfg` as libconfig writes it, in a string the caller frees. */
static char *
config_edit_text(config_t *cfg, size_t *len, struct err *err)
{
	char *text = NULL;
	FILE *f;
	int bad;

	if ((f = open_memstream(&text, len)) == NULL) {
		err_nomem(err, "configuration");
		return NULL;
	}
	config_write(cfg, f);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		free(text);
		err_nomem(err, "configuration");
		return NULL;
	}
	return text;
}

/* Writes `cfg` as `name` in the folder `dfd`; `replace` 0 refuses a
 * name that exists. */
static int
config_edit_write_at(config_t *cfg, int dfd, const char *name, mode_t mode,
    int replace, struct err *err)
{
	size_t len = 0;
	char *text;
	int rc;

	if ((text = config_edit_text(cfg, &len, err)) == NULL)
		return -1;
	rc = fsutil_write_atomic_at(dfd, name, text, len, mode, replace, err);
	free(text);
	return rc;
}

int
config_edit_write(config_t *cfg, const char *path, mode_t mode, struct err *err)
{
	char base[NAME_MAX + 1];
	int dfd, rc;

	if (config_edit_not_link(path, err) != 0 ||
	    (dfd = config_edit_dir(path, base, sizeof base, err)) < 0)
		return -1;
	rc = config_edit_write_at(cfg, dfd, base, mode, 1, err);
	close(dfd);
	return rc != 0 ? err_prefix(err, "%s", path) : 0;
}

config_setting_t *
config_edit_cert(config_t *cfg, const char *name, int *index)
{
	config_setting_t *certs, *g;
	const char *n;
	int i;

	certs = config_setting_get_member(config_root_setting(cfg), "certificates");
	for (i = 0; certs != NULL && (g = config_setting_get_elem(certs,
	    (unsigned)i)) != NULL; i++)
		if (config_setting_is_group(g) &&
		    config_setting_lookup_string(g, "name", &n) == CONFIG_TRUE &&
		    strcmp(n, name) == 0) {
			if (index != NULL)
				*index = i;
			return g;
		}
	return NULL;
}

void
config_edit_unset(config_setting_t *g, const char *key)
{
	if (config_setting_get_member(g, key) != NULL)
		(void)config_setting_remove(g, key);
}

int
config_edit_set_string(config_setting_t *g, const char *key, const char *value)
{
	config_setting_t *s;

	config_edit_unset(g, key);
	if (value == NULL || *value == '\0')
		return 0;
	return (s = config_setting_add(g, key, CONFIG_TYPE_STRING)) != NULL &&
	    config_setting_set_string(s, value) == CONFIG_TRUE ? 0 : -1;
}

/* Copies setting `src` (any type, its children too) into `parent`. */
static int
config_edit_copy(config_setting_t *parent, const config_setting_t *src)
{
	config_setting_t *d, *child;
	int type = config_setting_type(src), ok;
	unsigned int i;

	if ((d = config_setting_add(parent, config_setting_is_group(parent) ?
	    config_setting_name(src) : NULL, type)) == NULL)
		return -1;
	switch (type) {
	case CONFIG_TYPE_INT: ok = config_setting_set_int(d, config_setting_get_int(src)); break;
	case CONFIG_TYPE_INT64:
		ok = config_setting_set_int64(d, config_setting_get_int64(src));
		break;
	case CONFIG_TYPE_FLOAT:
		ok = config_setting_set_float(d, config_setting_get_float(src));
		break;
	case CONFIG_TYPE_BOOL: ok = config_setting_set_bool(d, config_setting_get_bool(src)); break;
	case CONFIG_TYPE_STRING:
		ok = config_setting_set_string(d, config_setting_get_string(src));
		break;
	default:
		for (i = 0; (child = config_setting_get_elem(src, i)) != NULL; i++)
			if (config_edit_copy(d, child) != 0)
				return -1;
		ok = CONFIG_TRUE;
	}
	return ok == CONFIG_TRUE ? 0 : -1;
}

/* Writes group `g` alone, as `certificates = ( g );`, to a new file in
 * removed.d beside `path` (made 0700), named after NAME and the time. */
static int
config_edit_archive(const char *path, const char *name,
    const config_setting_t *g, char *archived, size_t archivedsz, struct err *err)
{
	char base[NAME_MAX + 1], file[NAME_MAX + 1], stamp[32], dir[PATH_MAX];
	config_setting_t *list;
	config_t one;
	time_t now = time(NULL);
	struct tm tm;
	int dfd, rfd = -1, rc = -1, k;

	if ((dfd = config_edit_dir(path, base, sizeof base, err)) < 0)
		return -1;
	config_init(&one);
	if ((list = config_setting_add(config_root_setting(&one), "certificates",
	    CONFIG_TYPE_LIST)) == NULL || config_edit_copy(list, g) != 0) {
		err_nomem(err, "archived definition");
		goto out;
	}
	if (fsutil_mkdirs_at(dfd, CONFIG_EDIT_REMOVED_DIR, 0700, &rfd, err) != 0)
		goto out;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	/* Never over an earlier archive, even one from the same second. */
	for (k = 1; rc != 0 && k < 100; k++) {
		snprintf(file, sizeof file, k == 1 ? "%s-%s.conf" : "%s-%s-%d.conf",
		    name, stamp, k);
		err_clear(err);
		rc = config_edit_write_at(&one, rfd, file, 0600, 0, err);
		if (rc != 0 && errno != EEXIST)
			break;
	}
	snprintf(dir, sizeof dir, "%s", path);
	if (rc == 0)
		snprintf(archived, archivedsz, "%s/%s/%s", dirname(dir),
		    CONFIG_EDIT_REMOVED_DIR, file);
out:
	if (rfd >= 0)
		close(rfd);
	close(dfd);
	config_destroy(&one);
	return rc;
}

int
config_edit_remove_cert(const char *path, const char *name, char *archived,
    size_t archivedsz, struct err *err)
{
	config_setting_t *g;
	config_t cfg;
	mode_t mode;
	int index, rc = -1;

	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 0;
	config_init(&cfg);
	if (config_edit_read(&cfg, path, &mode, err) != 0)
		goto out;
	if ((g = config_edit_cert(&cfg, name, &index)) == NULL) {
		rc = 0;
		goto out;
	}
	if (config_edit_archive(path, name, g, archived, archivedsz, err) != 0)
		goto out;
	if (config_setting_remove_elem(config_setting_parent(g),
	    (unsigned)index) != CONFIG_TRUE) {
		err_set(err, ERR_CONFIG, "%s: cannot remove %s", path, name);
		goto out;
	}
	if (config_edit_write(&cfg, path, mode, err) == 0)
		rc = 1;
out:
	config_destroy(&cfg);
	return rc;
}
