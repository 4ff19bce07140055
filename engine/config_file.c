/*
 * config_file: where the configuration file is and whether it can be
 * trusted, and the directory presets (see config.h and config_file.h).
 *
 * The file is opened once and every check is made on that descriptor, so
 * what is checked is what is read.
 */
#include "autoconfig.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "config_file.h"

#define CONFIG_FILE_MAX (1024 * 1024)

static const struct config_preset config_preset_table[] = {
	{ "letsencrypt",
	  "https://acme-v02.api.letsencrypt.org/directory",
	  "Let's Encrypt", 0 },
	{ "letsencrypt-staging",
	  "https://acme-staging-v02.api.letsencrypt.org/directory",
	  "Let's Encrypt staging: untrusted certificates, high limits", 0 },
	{ "zerossl", "https://acme.zerossl.com/v2/DV90",
	  "ZeroSSL: needs external account binding (eab_kid, eab_hmac_key)",
	  1 },
	{ "google", "https://dv.acme-v02.api.pki.goog/directory",
	  "Google Trust Services: needs external account binding", 1 },
	{ "google-staging", "https://dv.acme-v02.test-api.pki.goog/directory",
	  "Google staging: needs external account binding (a staging key)", 1 },
	{ "sslcom", "https://acme.ssl.com/sslcom-dv-ecc",
	  "SSL.com (ECC): needs external account binding", 1 },
};

const struct config_preset *
config_presets(size_t *n)
{
	*n = sizeof config_preset_table / sizeof config_preset_table[0];
	return config_preset_table;
}

const struct config_preset *
config_find_preset(const char *name)
{
	size_t i, n;
	const struct config_preset *p = config_presets(&n);

	for (i = 0; name != NULL && i < n; i++) {
		if (strcmp(p[i].name, name) == 0)
			return &p[i];
	}
	return NULL;
}

/* The folder a file lives in must not let others replace it. */
static int
config_folder_ok(const char *path, struct err *err)
{
	char dir[4096];
	struct stat st;
	char *slash;

	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
		return err_set(err, ERR_CONFIG, "%s: path too long", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof dir, ".");
	else
		slash[slash == dir] = '\0';
	if (stat(dir, &st) == -1)
		return err_errno(err, "%s: folder %s", path, dir);
	if (st.st_uid != 0 || ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    (st.st_mode & S_ISVTX) == 0))
		return err_set(err, ERR_CONFIG, "%s: refusing it when running "
		    "as root: its folder %s (owner uid %u, mode %04o) lets "
		    "others replace it", path, dir, (unsigned)st.st_uid,
		    (unsigned)(st.st_mode & 07777));
	return 0;
}

/* The checks of config_check_perms() on an already open file. */
static int
config_perms_ok(const char *path, const struct stat *st, struct err *err)
{
	unsigned mode = st->st_mode & 07777;

	if (st->st_uid != 0)
		return err_set(err, ERR_CONFIG, "%s: refusing it when running "
		    "as root: owned by uid %u, not root", path,
		    (unsigned)st->st_uid);
	if ((mode & (S_IWGRP | S_IWOTH)) != 0)
		return err_set(err, ERR_CONFIG, "%s: refusing it when running "
		    "as root: %s-writable (mode %04o; chmod go-w)", path,
		    (mode & S_IWOTH) != 0 ? "world" : "group", mode);
	return config_folder_ok(path, err);
}

/* Refuses what is not a regular file, saying what it is. */
static int
config_regular(const char *path, const struct stat *st, struct err *err)
{
	if (S_ISDIR(st->st_mode))
		return err_set(err, ERR_CONFIG, "%s: is a directory, not a "
		    "configuration file", path);
	if (!S_ISREG(st->st_mode))
		return err_set(err, ERR_CONFIG, "%s: not a regular file",
		    path);
	return 0;
}

int
config_check_perms(const char *path, struct err *err)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return err_errno(err, "%s", path);
	if (config_regular(path, &st, err) != 0)
		return -1;
	return config_perms_ok(path, &st, err);
}

/* Reads all of `fd` into `b`, which caps the size. */
static int
config_read_all(int fd, const char *path, struct buf *b, struct err *err)
{
	char chunk[8192];
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return err_errno(err, "%s: read", path);
		if (n == 0)
			return 0;
		if (buf_append(b, chunk, n, err) != 0)
			return err_prefix(err, "%s: too large", path);
	}
}

/* Refuses binary bytes and @include (an included file would escape the
 * checks made on this one). */
static int
config_text_ok(const char *path, const char *text, size_t len,
    struct err *err)
{
	const char *p;
	size_t i;
	int line = 1, start = 1;

	for (i = 0; i < len; i++) {
		unsigned char c = text[i];

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' &&
		    c != '\f')
			return err_set(err, ERR_CONFIG, "%s: binary data (byte "
			    "0x%02x at offset %zu), not a configuration file",
			    path, c, i);
	}
	for (p = text; *p != '\0'; p++) {
		if (start && strncmp(p, "@include", 8) == 0)
			return err_set(err, ERR_CONFIG, "%s:%d: @include is "
			    "not supported: keep the configuration in one "
			    "file", path, line);
		if (*p == '\n')
			line++;
		start = *p == '\n' || (start && (*p == ' ' || *p == '\t'));
	}
	return 0;
}

char *
config_file_text(const char *path, struct err *err)
{
	struct stat st;
	struct buf b;
	int fd, rc = -1;

	/* O_NONBLOCK: a FIFO must not hang the open; fstat refuses it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		err_errno(err, "%s: cannot open", path);
		return NULL;
	}
	buf_init(&b, CONFIG_FILE_MAX);
	if (fstat(fd, &st) == -1)
		err_errno(err, "%s: fstat", path);
	else if (st.st_size > CONFIG_FILE_MAX)
		err_set(err, ERR_CONFIG, "%s: too large (%lld bytes, at most "
		    "%d)", path, (long long)st.st_size, CONFIG_FILE_MAX);
	else if (config_regular(path, &st, err) == 0 &&
	    (geteuid() != 0 || config_perms_ok(path, &st, err) == 0) &&
	    config_read_all(fd, path, &b, err) == 0 &&
	    config_text_ok(path, b.data != NULL ? b.data : "", b.len, err) == 0)
		rc = 0;
	close(fd);
	if (rc != 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

char *
config_default_path(struct err *err)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home;
	struct passwd *pw;
	char *path = NULL;
	int n = 0;

	if (geteuid() == 0)
		path = strdup("/etc/certdeck/certdeck.conf");
	else if (xdg != NULL && xdg[0] == '/')
		n = asprintf(&path, "%s/certdeck/certdeck.conf", xdg);
	else {
		/* The XDG spec says a relative XDG_CONFIG_HOME is ignored. */
		home = getenv("HOME");
		if ((home == NULL || home[0] != '/') &&
		    (pw = getpwuid(geteuid())) != NULL)
			home = pw->pw_dir;
		if (home == NULL || home[0] != '/') {
			err_set(err, ERR_CONFIG, "no configuration folder: "
			    "neither XDG_CONFIG_HOME nor HOME is an absolute "
			    "path, and the user has no home directory");
			return NULL;
		}
		n = asprintf(&path, "%s/.config/certdeck/certdeck.conf", home);
	}
	if (n == -1)
		path = NULL;
	if (path == NULL)
		err_nomem(err, "the configuration path");
	return path;
}
