/*
 * challenge: the solvers (see challenge.h): http-01 through the built-in
 * responder, and http-01 through files in a webroot for sites whose web
 * server already holds port 80.
 *
 * A webroot is the user's; under it only `.well-known/acme-challenge/` is
 * ever written, each folder opened without following symlinks, the token
 * checked to be base64url before it becomes a file name, and only the
 * files certdeck created are removed.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alpn.h"
#include "b64url.h"
#include "buf.h"
#include "challenge.h"
#include "esc.h"
#include "fsutil.h"
#include "job.h"
#include "responder.h"

#define CHALLENGE_TOKEN_MIN 22

static const char *const challenge_method_names[CHALLENGE_COUNT] = {
	[CHALLENGE_HTTP] = "http-01",
	[CHALLENGE_WEBROOT] = "webroot",
	[CHALLENGE_DNS] = "dns-01",
	[CHALLENGE_DNS_PERSIST] = "dns-persist-01",
	[CHALLENGE_ALPN] = "tls-alpn-01",
};

int
challenge_method_parse(const char *name, enum challenge_method *out, struct err *err)
{
	size_t i;

	if (name != NULL && strcmp(name, "http-01-webroot") == 0) {
		*out = CHALLENGE_WEBROOT;
		return 0;
	}
	for (i = 0; name != NULL && i < CHALLENGE_COUNT; i++)
		if (strcmp(name, challenge_method_names[i]) == 0) {
			*out = (enum challenge_method)i;
			return 0;
		}
	return err_set(err, ERR_CONFIG, "unknown challenge '%s' (http-01, webroot, tls-alpn-01, dns-01, dns-persist-01)",
	    name ? name : "");
}

const char *
challenge_method_name(enum challenge_method m)
{
	return (unsigned)m < CHALLENGE_COUNT ? challenge_method_names[m] : "?";
}

int
challenge_solve_init(struct solve *s, const struct solver *solver,
    const struct acme_identifier *ident, const char *token, const char *keyauth,
    struct err *err)
{
	char shown[200];

	memset(s, 0, sizeof *s);
	s->dirfd = -1;
	if (solver->no_token)
		token = "";
	else if (token == NULL || strlen(token) < CHALLENGE_TOKEN_MIN ||
	    !b64url_is_valid(token)) {
		esc_buf(token ? token : "", token ? strlen(token) : 0, shown, sizeof shown);
		return err_set(err, ERR_PROTO, "challenge token \"%s\" is not base64url of "
		    "%d characters or more; refused", shown, CHALLENGE_TOKEN_MIN);
	}
	s->solver = solver;
	s->ident = *ident;
	if ((s->token = strdup(token)) == NULL || (s->keyauth = strdup(keyauth)) == NULL) {
		free(s->token);
		s->token = NULL;
		return err_nomem(err, "challenge");
	}
	return 0;
}

void
challenge_solve_release(struct job *job, struct solve *s)
{
	if ((s->presented || s->priv != NULL) && s->solver != NULL &&
	    s->solver->cleanup != NULL)
		s->solver->cleanup(job, s);
	s->presented = 0;
	if (s->dirfd >= 0)
		close(s->dirfd);
	s->dirfd = -1;
	free(s->token);
	free(s->keyauth);
	s->token = s->keyauth = NULL;
}

/* ---------------------------------------------------------------- http-01 */

static int
http_present(struct job *job, struct solve *s, struct err *err)
{
	struct engine_ctx *ctx = job->ctx;

	if (ctx->responder == NULL &&
	    (ctx->responder = responder_new(ctx->opt.http_bind, ctx->opt.http_port,
	    err)) == NULL)
		return err_prefix(err, "http-01 responder");
	if (responder_add(ctx->responder, s->token, s->keyauth, err) != 0)
		return -1;
	s->presented = 1;
	return 0;
}

static void
http_cleanup(struct job *job, struct solve *s)
{
	if (job->ctx->responder != NULL)
		responder_remove(job->ctx->responder, s->token);
}

/* ---------------------------------------------------------------- webroot */

/* Opens (creating with 0755 when missing) `name` under `dirfd` without
 * following a symlink there. */
static int
webroot_subdir(int dirfd, const char *name, const char *root, struct err *err)
{
	int fd;

	if (mkdirat(dirfd, name, 0755) == 0)
		(void)fchmodat(dirfd, name, 0755, 0);	/* whatever the umask */
	else if (errno != EEXIST)
		return err_errno(err, "webroot %s: cannot create %s", root, name);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_errno(err, "webroot %s: %s (a symlink is refused)", root, name);
	return fd;
}

/* A run killed after writing its challenge file leaves it; the run that
 * resumes the order finds it in place. A regular file holding exactly
 * this challenge's key authorization can only be that file: it is taken
 * over (and removed after validation) instead of failing on O_EXCL. */
static int
webroot_ours_left(struct solve *s)
{
	struct buf b;
	int same;

	buf_init(&b, 0);
	same = fsutil_read_at(s->dirfd, s->token, strlen(s->keyauth) + 1, &b,
	    NULL) == 0 && b.len == strlen(s->keyauth) &&
	    memcmp(b.data, s->keyauth, b.len) == 0;
	buf_free(&b);
	return same;
}

static int
webroot_present(struct job *job, struct solve *s, struct err *err)
{
	const char *root = job->cmd->webroot;
	int rootfd, wkfd;

	if (root == NULL || *root == '\0')
		return err_set(err, ERR_CONFIG, "webroot challenge without a webroot folder");
	/* The webroot itself may be reached through the admin's symlinks;
	 * what certdeck creates under it never is. */
	if ((rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_errno(err, "webroot %s", root);
	wkfd = webroot_subdir(rootfd, ".well-known", root, err);
	close(rootfd);
	if (wkfd < 0)
		return -1;
	s->dirfd = webroot_subdir(wkfd, "acme-challenge", root, err);
	close(wkfd);
	if (s->dirfd < 0)
		return -1;
	if (!webroot_ours_left(s) && fsutil_write_atomic_at(s->dirfd, s->token,
	    s->keyauth, strlen(s->keyauth), 0644, 0, err) != 0)
		return err_prefix(err, "webroot %s/.well-known/acme-challenge", root);
	s->presented = 1;
	return 0;
}

static void
webroot_cleanup(struct job *job, struct solve *s)
{
	if (s->dirfd >= 0 && unlinkat(s->dirfd, s->token, 0) != 0 && errno != ENOENT)
		job_warn(job, "webroot: cannot remove challenge file %s: %s", s->token,
		    strerror(errno));
}

/* ---------------------------------------------------------------- tls-alpn-01 */

static int
alpn_present(struct job *job, struct solve *s, struct err *err)
{
	struct engine_ctx *ctx = job->ctx;

	if (ctx->alpn == NULL &&
	    (ctx->alpn = alpn_new(ctx->opt.http_bind, ctx->opt.tls_port, err)) == NULL)
		return err_prefix(err, "tls-alpn-01 responder");
	if (alpn_add(ctx->alpn, s->ident.value, strcmp(s->ident.type, "ip") == 0,
	    s->keyauth, err) != 0)
		return -1;
	s->presented = 1;
	return 0;
}

static void
alpn_cleanup(struct job *job, struct solve *s)
{
	if (job->ctx->alpn != NULL)
		alpn_remove(job->ctx->alpn, s->ident.value);
}

static const struct solver challenge_solvers[CHALLENGE_COUNT] = {
	[CHALLENGE_HTTP] = {
		.acme_type = "http-01",
		.label = "http-01 (built-in responder)",
		.present = http_present,
		.cleanup = http_cleanup,
	},
	[CHALLENGE_WEBROOT] = {
		.acme_type = "http-01",
		.label = "http-01 (webroot)",
		.present = webroot_present,
		.cleanup = webroot_cleanup,
	},
	[CHALLENGE_ALPN] = {
		.acme_type = "tls-alpn-01",
		.label = "tls-alpn-01 (built-in responder)",
		.present = alpn_present,
		.cleanup = alpn_cleanup,
	},
};

const struct solver *
challenge_solver(enum challenge_method m)
{
	if (m == CHALLENGE_DNS)
		return &challenge_dns_solver;
	if (m == CHALLENGE_DNS_PERSIST)
		return &challenge_persist_solver;
	return (unsigned)m < CHALLENGE_COUNT ? &challenge_solvers[m] : NULL;
}
