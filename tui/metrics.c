/*
 * metrics: the Prometheus text exposition format (version 0.0.4), one
 * family per fact, each with HELP and TYPE lines, labelled by certificate
 * name (names are [A-Za-z0-9._-], nothing to escape). The file is written
 * beside its final name and renamed over it, so the collector never reads
 * half of it.
 */
#include "autoconfig.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "certrec.h"
#include "due.h"
#include "fsutil.h"
#include "metrics.h"
#include "store.h"

struct metrics_cert {
	char *name;
	struct certrec rec;
};

/* One family: its header, then a sample per certificate that has one. */
static int
metrics_family(struct buf *b, const char *name, const char *help,
    const struct metrics_cert *certs, size_t n, const struct cli *c, time_t now,
    int (*value)(const struct metrics_cert *m, const struct cli *c, time_t now,
    double *v), struct err *err)
{
	double v;
	size_t i;

	if (buf_printf(b, err, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (value(&certs[i], c, now, &v) &&
		    buf_printf(b, err, "%s{name=\"%s\"} %.0f\n", name, certs[i].name, v) != 0)
			return -1;
	return 0;
}

static int
m_expiry(const struct metrics_cert *m, const struct cli *c, time_t now, double *v)
{
	*v = (double)m->rec.not_after;
	return m->rec.not_after > 0;
}

static int
m_next(const struct metrics_cert *m, const struct cli *c, time_t now, double *v)
{
	char why[300];
	time_t t = due_forecast(&m->rec, c->renew_fraction > 0 ? c->renew_fraction : 1.0 / 3,
	    c->renew_days, now, why, sizeof why);

	*v = (double)t;
	return t > 0;
}

static int
m_attempt(const struct metrics_cert *m, const struct cli *c, time_t now, double *v)
{
	*v = (double)m->rec.updated;
	return m->rec.updated > 0;
}

static int
m_success(const struct metrics_cert *m, const struct cli *c, time_t now, double *v)
{
	*v = m->rec.last_error == NULL;
	return m->rec.updated > 0;
}

static int
m_revoked(const struct metrics_cert *m, const struct cli *c, time_t now, double *v)
{
	*v = m->rec.status != NULL && strcmp(m->rec.status, "revoked") == 0;
	return 1;
}

static int
m_deploy(const struct metrics_cert *m, const struct cli *c, time_t now, double *v)
{
	*v = m->rec.deploy_error != NULL;
	return m->rec.deployed_version > 0 || m->rec.deploy_error != NULL;
}

/* A label value as the format wants it: backslash, quote and newline
 * escaped (an endpoint's host is the user's text). */
static int
metrics_label(struct buf *b, const char *v, struct err *err)
{
	for (; v != NULL && *v != '\0'; v++) {
		const char *e = *v == '\\' ? "\\\\" : *v == '"' ? "\\\"" : *v == '\n' ? "\\n" : NULL;

		if (e != NULL ? buf_printf(b, err, "%s", e) : buf_printf(b, err, "%c", *v))
			return -1;
	}
	return 0;
}

/* One sample of an endpoint family: {name,endpoint,sni[,state]} value. */
static int
metrics_endpoint_sample(struct buf *b, const char *family, const char *name,
    const struct certrec_endpoint *ep, const char *state, long long v, struct err *err)
{
	if (buf_printf(b, err, "%s{name=\"%s\",endpoint=\"", family, name) ||
	    metrics_label(b, ep->address, err) || buf_printf(b, err, "\",sni=\"") ||
	    metrics_label(b, ep->sni, err))
		return -1;
	if (state != NULL && buf_printf(b, err, "\",state=\"%s", state))
		return -1;
	return buf_printf(b, err, "\"} %lld\n", v);
}

/* Per endpoint, as last probed: served or not, its state, when. */
static int
metrics_endpoints(struct buf *b, const struct metrics_cert *certs, size_t n,
    struct err *err)
{
	static const char *const fam[3][2] = {
		{ "certdeck_endpoint_served", "1 when the endpoint serves the current "
		  "certificate (last probe)." },
		{ "certdeck_endpoint_state", "The endpoint's state at the last probe: "
		  "served, stale, unreachable, tls-error (the sample of that state is 1)." },
		{ "certdeck_endpoint_checked_timestamp_seconds", "When the endpoint was "
		  "last probed." },
	};
	const struct certrec_endpoint *ep;
	size_t f, i, j;
	int s, rc;

	for (f = 0; f < 3; f++) {
		if (buf_printf(b, err, "# HELP %s %s\n# TYPE %s gauge\n", fam[f][0], fam[f][1],
		    fam[f][0]) != 0)
			return -1;
		for (i = 0; i < n; i++)
			for (j = 0; j < certs[i].rec.n_endpoints; j++) {
				ep = &certs[i].rec.endpoints[j];
				if (f == 0)
					rc = metrics_endpoint_sample(b, fam[f][0], certs[i].name, ep,
					    NULL, ep->state == ENDPOINT_SERVED, err);
				else if (f == 2)
					rc = metrics_endpoint_sample(b, fam[f][0], certs[i].name, ep,
					    NULL, (long long)ep->checked, err);
				else
					for (rc = 0, s = ENDPOINT_SERVED; rc == 0 && s < ENDPOINT_STATE_N; s++)
						rc = metrics_endpoint_sample(b, fam[f][0], certs[i].name,
						    ep, endpoint_state_name(s), (int)ep->state == s, err);
				if (rc != 0)
					return -1;
			}
	}
	return 0;
}

static int
metrics_text(const struct cli *c, const struct metrics_cert *certs, size_t n,
    int run_ok, struct buf *b, struct err *err)
{
	time_t now = time(NULL);

	if (metrics_family(b, "certdeck_certificate_expiry_timestamp_seconds",
	    "When the current certificate expires.", certs, n, c, now, m_expiry, err) ||
	    metrics_family(b, "certdeck_certificate_next_renewal_timestamp_seconds",
	    "When the certificate is next renewed.", certs, n, c, now, m_next, err) ||
	    metrics_family(b, "certdeck_certificate_last_attempt_timestamp_seconds",
	    "When certdeck last worked on the certificate.", certs, n, c, now,
	    m_attempt, err) ||
	    metrics_family(b, "certdeck_certificate_last_attempt_success",
	    "1 when the last attempt succeeded.", certs, n, c, now, m_success, err) ||
	    metrics_family(b, "certdeck_certificate_revoked",
	    "1 when the certificate is revoked.", certs, n, c, now, m_revoked, err) ||
	    metrics_family(b, "certdeck_certificate_deploy_failed",
	    "1 when the last deploy (copies, reload) failed.", certs, n, c, now,
	    m_deploy, err) || metrics_endpoints(b, certs, n, err))
		return -1;
	return buf_printf(b, err, "# HELP certdeck_certificates Certificates in the store.\n"
	    "# TYPE certdeck_certificates gauge\ncertdeck_certificates %zu\n"
	    "# HELP certdeck_last_run_timestamp_seconds When certdeck last ran.\n"
	    "# TYPE certdeck_last_run_timestamp_seconds gauge\n"
	    "certdeck_last_run_timestamp_seconds %lld\n"
	    "# HELP certdeck_last_run_success 1 when the last run succeeded.\n"
	    "# TYPE certdeck_last_run_success gauge\ncertdeck_last_run_success %d\n",
	    n, (long long)now, run_ok);
}

static int
metrics_save(const char *path, const struct buf *b, struct err *err)
{
	char dir[4096], base[4096];
	int dirfd, rc;

	snprintf(dir, sizeof dir, "%s", path);
	snprintf(base, sizeof base, "%s", path);
	if ((dirfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_errno(err, "metrics file %s", path);
	/* node_exporter runs as another user: the file is for reading. */
	rc = fsutil_write_atomic_at(dirfd, basename(base), b->data, b->len, 0644, 1, err);
	close(dirfd);
	return rc != 0 ? err_prefix(err, "metrics file %s", path) : 0;
}

int
metrics_write(const struct cli *c, const char *path, int run_ok, struct err *err)
{
	struct metrics_cert *certs = NULL;
	struct store *s;
	char **names = NULL;
	size_t n = 0, i;
	struct buf b;
	int rc = -1;

	buf_init(&b, 0);
	if ((s = store_open(c->state_dir, err)) == NULL ||
	    store_cert_list(s, &names, &n, err) != 0)
		goto out;
	if (n > 0 && (certs = calloc(n, sizeof *certs)) == NULL) {
		err_nomem(err, "metrics");
		goto out;
	}
	for (i = 0; i < n; i++) {
		certs[i].name = names[i];
		if (certrec_load(s, names[i], &certs[i].rec, NULL) < 0)
			memset(&certs[i].rec, 0, sizeof certs[i].rec);
	}
	if (metrics_text(c, certs, n, run_ok, &b, err) == 0)
		rc = metrics_save(path, &b, err);
out:
	for (i = 0; certs != NULL && i < n; i++)
		certrec_free(&certs[i].rec);
	free(certs);
	store_names_free(names, n);
	store_close(s);
	buf_free(&b);
	return rc;
}
