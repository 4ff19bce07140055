/*
 * deploy: copies of a certificate where its server reads them (see
 * deploy.h). Each copy goes through a temporary file in the target's own
 * folder, renamed over the target once complete, so the server never
 * reads half a key; the owner is set before anyone could read it, and a
 * symlink planted at the target is refused rather than followed.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deploy.h"
#include "fsutil.h"
#include "str.h"

static const char *const deploy_what[DEPLOY_N] = {
	[DEPLOY_CERT] = "certificate",
	[DEPLOY_CHAIN] = "chain",
	[DEPLOY_FULLCHAIN] = "full chain",
	[DEPLOY_KEY] = "private key",
	[DEPLOY_COMBINED] = "key and full chain",
};

int
deploy_wanted(const struct engine_deploy *d)
{
	int i;

	for (i = 0; i < DEPLOY_N; i++)
		if (d->to[i] != NULL)
			return 1;
	return d->n_reload > 0;
}

/* A user or group number given for one the system has no name for (a
 * container's, say): digits only, below the "unchanged" -1. */
static int
deploy_id_number(const char *s, unsigned long *id)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*id = strtoul(s, &end, 10);
	return *end != '\0' || errno != 0 || *id >= (unsigned long)(uid_t)-1 ? -1 : 0;
}

/* The user and group named (or numbered), as the copies get them; -1
 * keeps ours (NULL or ""). */
static int
deploy_ids_of(const char *owner, const char *group, uid_t *uid, gid_t *gid,
    struct err *err)
{
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	char buf[4096];
	unsigned long id;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (owner != NULL && *owner != '\0') {
		if (getpwnam_r(owner, &pw, buf, sizeof buf, &pwp) == 0 && pwp != NULL)
			*uid = pwp->pw_uid;
		else if (deploy_id_number(owner, &id) == 0)
			*uid = (uid_t)id;
		else
			return err_set(err, ERR_CONFIG, "no user named '%.64s'",
			    owner);
	}
	if (group != NULL && *group != '\0') {
		if (getgrnam_r(group, &gr, buf, sizeof buf, &grp) == 0 && grp != NULL)
			*gid = grp->gr_gid;
		else if (deploy_id_number(group, &id) == 0)
			*gid = (gid_t)id;
		else
			return err_set(err, ERR_CONFIG, "no group named '%.64s'",
			    group);
	}
	return 0;
}

int
deploy_ids_check(const char *owner, const char *group, struct err *err)
{
	uid_t uid;
	gid_t gid;

	return deploy_ids_of(owner, group, &uid, &gid, err);
}

int
deploy_mode_parse(const char *v, int key, int *mode, struct err *err)
{
	char *end;
	long m;

	*mode = -1;
	if (v == NULL || *v == '\0')
		return 0;
	m = strtol(v, &end, 8);
	if (*end != '\0' || m < 0 || m > 0777)
		return err_set(err, ERR_CONFIG, "\"%.32s\" is not an octal mode such "
		    "as \"0640\"", v);
	/* One mode for every copy: with a key among them, any bit for other
	 * users would hand the key to every account on the machine. */
	if (key && (m & 07) != 0)
		return err_set(err, ERR_CONFIG, "%04lo would let every user of the "
		    "machine read or change the key copy; use 0600 or 0640", m);
	*mode = (int)m;
	return 0;
}

/* The user and group the copies get; -1 keeps ours. */
static int
deploy_ids(const struct engine_deploy *d, uid_t *uid, gid_t *gid, struct err *err)
{
	if (deploy_ids_of(d->owner, d->group, uid, gid, err) != 0)
		return err_prefix(err, "deploy");
	return 0;
}

static int
deploy_one(const char *path, const char *data, mode_t mode, uid_t uid, gid_t gid,
    struct err *err)
{
	char dir[4096], base[4096];
	int dirfd, rc = -1;

	snprintf(dir, sizeof dir, "%s", path);
	snprintf(base, sizeof base, "%s", path);
	/* The admin's folder may be reached through symlinks of theirs; the
	 * file itself is replaced, never written through a link. */
	if ((dirfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_errno(err, "deploy %s", path);
	if (fsutil_write_atomic_at(dirfd, basename(base), data, strlen(data), mode, 1,
	    err) != 0) {
		err_prefix(err, "deploy %s", path);
		goto out;
	}
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
	    fchownat(dirfd, basename(base), uid, gid, AT_SYMLINK_NOFOLLOW) != 0) {
		err_errno(err, "deploy %s: chown", path);
		goto out;
	}
	rc = 0;
out:
	close(dirfd);
	return rc;
}

int
deploy_copies(const struct engine_deploy *d, const struct store_cert_files *f,
    int *n, struct err *err)
{
	char *combined = NULL;
	const char *data[DEPLOY_N];
	uid_t uid;
	gid_t gid;
	int i, rc = 0;

	*n = 0;
	if (deploy_ids(d, &uid, &gid, err) != 0)
		return -1;
	if (d->to[DEPLOY_COMBINED] != NULL &&
	    asprintf(&combined, "%s%s", f->privkey, f->fullchain) < 0)
		return err_nomem(err, "combined key and chain");
	data[DEPLOY_CERT] = f->cert;
	data[DEPLOY_CHAIN] = f->chain;
	data[DEPLOY_FULLCHAIN] = f->fullchain;
	data[DEPLOY_KEY] = f->privkey;
	data[DEPLOY_COMBINED] = combined;
	for (i = 0; i < DEPLOY_N && rc == 0; i++) {
		int secret = i == DEPLOY_KEY || i == DEPLOY_COMBINED;
		mode_t mode = d->mode >= 0 ? (mode_t)d->mode : secret ? 0600 : 0644;

		if (d->to[i] == NULL)
			continue;
		if ((rc = deploy_one(d->to[i], data[i], mode, uid, gid, err)) == 0)
			(*n)++;
		else
			err_prefix(err, "%s", deploy_what[i]);
	}
	if (combined != NULL)
		explicit_bzero(combined, strlen(combined));
	free(combined);
	return rc;
}

int
deploy_dup(struct engine_deploy *dst, const struct engine_deploy *src, struct err *err)
{
	size_t i;

	deploy_free(dst);
	dst->mode = src->mode;
	for (i = 0; i < DEPLOY_N; i++)
		if (str_set(&dst->to[i], src->to[i], err) != 0)
			return -1;
	if (str_set(&dst->owner, src->owner, err) != 0 ||
	    str_set(&dst->group, src->group, err) != 0)
		return -1;
	if (src->n_reload > 0 &&
	    (dst->reload = calloc(src->n_reload + 1, sizeof *dst->reload)) == NULL)
		return err_nomem(err, "reload command");
	for (i = 0; i < src->n_reload; i++) {
		if ((dst->reload[i] = strdup(src->reload[i])) == NULL)
			return err_nomem(err, "reload command");
		dst->n_reload++;
	}
	return 0;
}

void
deploy_free(struct engine_deploy *d)
{
	int i;

	for (i = 0; i < DEPLOY_N; i++)
		free(d->to[i]);
	free(d->owner);
	free(d->group);
	strv_free(d->reload, d->n_reload);
	memset(d, 0, sizeof *d);
	d->mode = -1;
}
