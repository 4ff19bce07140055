/*
 * job_query: the front ends' questions (see query.h). DIRECTORY reads a
 * CA's directory, any URL, not only the engine's own CA. PREFLIGHT
 * reads it too, then checks what a new certificate needs before the CA
 * is asked: each name resolves, CAA lets this CA issue, the challenge's
 * port is free or its webroot writable, and then that the web root is
 * the one served for each name: a test file is put there as the webroot
 * challenge puts its files, fetched over http from the address the
 * preflight itself found, and removed whatever happens. Apart from that
 * file both only read; each ends DONE
 * with its findings in the reply, even when the CA could not be reached,
 * since that is an answer the front end shows in place.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "caa.h"
#include "challenge.h"
#include "dnsq.h"
#include "esc.h"
#include "job.h"
#include "listener.h"
#include "query.h"
#include "webprobe.h"

#define QUERY_POLL_MS 20		/* a look at the DNS socket this often */
#define QUERY_WEB_TIMEOUT_MS 5000	/* per name: a web server answers at once */
#define QUERY_WEB_BODY_MAX 256		/* the test file is 16 bytes */
#define QUERY_ADDR_MAX 64

enum query_state {
	QS_GET = JS_KIND,
	QS_DIR_REPLY,
	QS_LOCAL,			/* preflight: port or webroot */
	QS_NAME,			/* preflight: next name's queries */
	QS_DNS,				/* preflight: a query in flight */
	QS_WEB_FILE,			/* preflight: the test file in the web root */
	QS_WEB,				/* preflight: next name's fetch */
	QS_WEB_REPLY
};

enum query_phase { QP_A = 0, QP_AAAA, QP_CAA };

struct query {
	struct acme_directory dir;
	int have_dir;
	char resolver[80];
	size_t name;			/* in cmd->domains */
	enum query_phase phase;
	char caa_at[256];		/* where the CAA climb is */
	struct dnsq *q;
	char addr[QUERY_ADDR_MAX];	/* first address found */
	char (*addrs)[QUERY_ADDR_MAX];	/* each name's first address, for the fetch */
	struct solve probe;		/* the test file in the web root */
	int probe_init;			/* probe holds something to release */
	size_t web;			/* in cmd->domains: the name fetched */
	char url[WEBPROBE_URL_MAX];	/* and the URL it is fetched at */
};

/* GET the directory at cmd->url; the reply lands in QS_DIR_REPLY. */
static enum job_next
query_get(struct job *job)
{
	job_emit(job, EVENT_STEP, STEP_DIRECTORY, 10, "reading %s", job->cmd->url);
	return job_get(job, "GET", job->cmd->url, QS_DIR_REPLY);
}

static enum job_next
query_dir_reply(struct job *job)
{
	struct query *qd = job->kind_data;
	struct engine_reply *r = job->cmd->reply;
	struct http_response *resp = job->resp;

	if (job_reply_ok(job, "directory", "application/json") != 0 ||
	    acme_directory_parse(resp->body.data, resp->body.len, job->cmd->url,
	    &qd->dir, &job->fail) != 0) {
		r->failed = 1;
		err_copy(&r->err, &job->fail);
		err_clear(&job->fail);
	} else {
		qd->have_dir = 1;
		query_dir_from(&r->dir, &qd->dir);
	}
	if (job->cmd->kind == ENGINE_CMD_PREFLIGHT) {
		job->state = QS_LOCAL;
		return JOB_AGAIN;
	}
	snprintf(job->result, sizeof job->result, "directory %.200s: %.400s",
	    job->cmd->url, r->failed ? r->err.msg : "read");
	return JOB_DONE;
}

static const struct listener_ops query_no_clients;

/* The port is free when we can listen on it now; ours counts as free. */
static void
query_port(struct job *job)
{
	const struct engine_options *o = &job->ctx->opt;
	struct engine_reply *r = job->cmd->reply;
	struct listener *l;
	struct err err;
	int alpn = strcmp(job->cmd->challenge, "tls-alpn-01") == 0;

	if ((alpn ? job->ctx->alpn != NULL : job->ctx->responder != NULL) &&
	    (alpn ? o->tls_port : o->http_port) == job->cmd->port) {
		engine_reply_line(r, QUERY_OK, "port %d: certdeck's own responder "
		    "listens there", job->cmd->port);
		return;
	}
	if ((l = listener_new(o->http_bind, job->cmd->port, &query_no_clients,
	    NULL, &err)) == NULL) {
		if (strstr(err.msg, strerror(EACCES)) != NULL)
			engine_reply_line(r, QUERY_WARN, "port %d needs root or "
			    "CAP_NET_BIND_SERVICE (%.150s)", job->cmd->port, err.msg);
		else
			engine_reply_line(r, QUERY_WARN, "port %d is not free "
			    "(%.150s): stop what listens there, or prove control "
			    "another way", job->cmd->port, err.msg);
		return;
	}
	listener_free(l);
	engine_reply_line(r, QUERY_OK, "port %d is free", job->cmd->port);
}

static void
query_local(struct job *job)
{
	struct engine_reply *r = job->cmd->reply;
	const char *c = job->cmd->challenge;

	if (strcmp(c, "http-01") == 0 || strcmp(c, "tls-alpn-01") == 0)
		query_port(job);
	else if (strcmp(c, "webroot") == 0) {
		if (job->cmd->webroot == NULL ||
		    access(job->cmd->webroot, W_OK | X_OK) != 0)
			engine_reply_line(r, QUERY_FAIL, "web root %.150s is not "
			    "writable here: choose a folder this user can write",
			    job->cmd->webroot ? job->cmd->webroot : "-");
		else
			engine_reply_line(r, QUERY_OK, "web root %.150s is writable",
			    job->cmd->webroot);
	}
}

/* The resolver: the configured one, else the system's first. */
static void
query_resolver(struct job *job, char *out, size_t outsz)
{
	if (job->ctx->opt.dns_resolver != NULL)
		snprintf(out, outsz, "%s", job->ctx->opt.dns_resolver);
	else if (dnsq_system_resolver(DNSQ_RESOLV_CONF, out, outsz, NULL) != 0)
		out[0] = '\0';
}

static const char *
query_name(const struct job *job)
{
	const char *n = job->cmd->domains[((struct query *)job->kind_data)->name];

	return strncmp(n, "*.", 2) == 0 ? n + 2 : n;
}

static int
query_is_ip(const char *name)
{
	unsigned char addr[16];

	return inet_pton(AF_INET, name, addr) == 1 ||
	    inet_pton(AF_INET6, name, addr) == 1;
}

/* Starts the query of the current phase; JOB_AGAIN to look at it. */
static enum job_next
query_dns_start(struct job *job)
{
	struct query *qd = job->kind_data;
	static const unsigned types[] = { DNSQ_A, DNSQ_AAAA, DNSQ_CAA };
	struct err err;

	qd->q = dnsq_start(qd->resolver, qd->phase == QP_CAA ? qd->caa_at :
	    query_name(job), types[qd->phase], &err);
	if (qd->q == NULL) {
		engine_reply_line(job->cmd->reply, QUERY_WARN, "%s: not checked: "
		    "%.200s", query_name(job), err.msg);
		qd->name++;
		job->state = QS_NAME;
		return JOB_AGAIN;
	}
	job->state = QS_DNS;
	return JOB_AGAIN;
}

/* After the addresses: a line for the name, then the CAA climb. */
static void
query_addr_line(struct job *job)
{
	struct query *qd = job->kind_data;
	int dns01 = strcmp(job->cmd->challenge, "dns-01") == 0;

	if (qd->addr[0] != '\0')
		engine_reply_line(job->cmd->reply, QUERY_OK, "%s resolves to %s",
		    query_name(job), qd->addr);
	else
		engine_reply_line(job->cmd->reply, dns01 ? QUERY_WARN : QUERY_FAIL,
		    "%s does not resolve (no A or AAAA record at %s)%s",
		    query_name(job), qd->resolver, dns01 ? "; dns-01 does not "
		    "need one" : ": add a record pointing at this server");
	snprintf(qd->caa_at, sizeof qd->caa_at, "%s", query_name(job));
}

/* The CAA set found at qd->caa_at (n records), or none up to the TLD. */
static void
query_caa_line(struct job *job, char **recs, size_t n)
{
	struct query *qd = job->kind_data;
	char *ids[QUERY_LIST_MAX], why[400];
	size_t i;
	int rc;

	for (i = 0; i < qd->dir.n_caa_identities && i < QUERY_LIST_MAX; i++)
		ids[i] = qd->dir.caa_identities[i];
	rc = caa_allows(recs, n, strncmp(job->cmd->domains[qd->name], "*.", 2) == 0,
	    ids, i, why, sizeof why);
	if (n == 0)
		engine_reply_line(job->cmd->reply, QUERY_OK, "%s: no CAA record: "
		    "any CA may issue", query_name(job));
	else
		engine_reply_line(job->cmd->reply, rc > 0 ? QUERY_OK : rc == 0 ?
		    QUERY_FAIL : QUERY_WARN, "%s: %s (at %s)%s", query_name(job),
		    why, qd->caa_at, rc == 0 ? ": add an issue record for this CA" :
		    "");
}

/* Takes a finished query's answer; moves to the next phase or name. */
static void
query_dns_done(struct job *job)
{
	struct query *qd = job->kind_data;
	char **recs = NULL, *dot;
	struct err err;
	size_t n = 0;

	if (dnsq_result(qd->q, &recs, &n, &err) != 0) {
		engine_reply_line(job->cmd->reply, QUERY_WARN, "%s: %.200s",
		    query_name(job), err.msg);
		qd->phase = QP_CAA;
		qd->caa_at[0] = '\0';	/* the name is done */
	} else if (qd->phase != QP_CAA) {
		if (n > 0 && qd->addr[0] == '\0') {
			snprintf(qd->addr, sizeof qd->addr, "%s", recs[0]);
			memcpy(qd->addrs[qd->name], qd->addr, sizeof qd->addr);
		}
		if (qd->phase++ == QP_AAAA)
			query_addr_line(job);
	} else if (n > 0 || (dot = strchr(qd->caa_at, '.')) == NULL ||
	    strchr(dot + 1, '.') == NULL) {
		/* RFC 8659 §3: the closest set counts; none up to the TLD. */
		query_caa_line(job, recs, n);
		qd->caa_at[0] = '\0';
	} else
		memmove(qd->caa_at, dot + 1, strlen(dot + 1) + 1);
	dnsq_strings_free(recs);
	dnsq_free(qd->q);
	qd->q = NULL;
	if (qd->phase == QP_CAA && qd->caa_at[0] == '\0') {
		qd->name++;
		qd->phase = QP_A;
		qd->addr[0] = '\0';
	}
}

static enum job_next
query_dns(struct job *job)
{
	struct query *qd = job->kind_data;
	struct pollfd pfd = { .fd = -1 };
	long long now = job_now_ms();
	int wait;

	if (dnsq_pollfd(qd->q, &pfd))
		pfd.revents = POLLIN | POLLOUT;
	if (dnsq_handle(qd->q, &pfd, now) == 0) {
		wait = dnsq_timeout_ms(qd->q, now);
		job->wake_at_ms = now + (wait < QUERY_POLL_MS ? wait : QUERY_POLL_MS);
		return JOB_WAIT_TIMER;
	}
	query_dns_done(job);
	job->state = QS_NAME;
	return JOB_AGAIN;
}

static enum job_next
query_finish(struct job *job)
{
	struct engine_reply *r = job->cmd->reply;
	size_t i, marks[3] = { 0, 0, 0 };

	for (i = 0; i < r->n_lines; i++)
		marks[r->lines[i].mark]++;
	snprintf(job->result, sizeof job->result, "preflight: %zu fine, %zu "
	    "warnings, %zu problems", marks[QUERY_OK], marks[QUERY_WARN],
	    marks[QUERY_FAIL]);
	return JOB_DONE;
}

/* The webroot method's last check, once the names are resolved: the
 * web root must be writable (else query_local said so). */
static int
query_web_wanted(const struct job *job)
{
	return strcmp(job->cmd->challenge, "webroot") == 0 &&
	    job->cmd->webroot != NULL && access(job->cmd->webroot, W_OK | X_OK) == 0;
}

/* Puts the test file in the web root through the webroot solver, so it
 * lands where and as the challenge's files do (0644, written atomically,
 * no symlink followed), and is withdrawn the same way. */
static enum job_next
query_web_file(struct job *job)
{
	struct query *qd = job->kind_data;
	struct acme_identifier ident = { .type = "dns" };
	const struct solver *solver = challenge_solver(CHALLENGE_WEBROOT);
	unsigned char rnd[8];
	char hex[2 * sizeof rnd + 1], token[64];
	struct err err;
	size_t i;

	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		engine_reply_line(job->cmd->reply, QUERY_WARN, "web root not "
		    "fetched: getrandom: %s", strerror(errno));
		return query_finish(job);
	}
	for (i = 0; i < sizeof rnd; i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	snprintf(token, sizeof token, WEBPROBE_PREFIX "%s", hex);
	snprintf(ident.value, sizeof ident.value, "%s", job->cmd->domains[0]);
	if (challenge_solve_init(&qd->probe, solver, &ident, token, hex, &err) != 0 ||
	    (qd->probe_init = 1, solver->present(job, &qd->probe, &err)) != 0) {
		engine_reply_line(job->cmd->reply, QUERY_WARN, "web root not "
		    "fetched: %.200s", err.msg);
		return query_finish(job);
	}
	qd->web = 0;
	job->state = QS_WEB;
	return JOB_AGAIN;
}

/* Fetches the test file for the next name with an address, from that
 * address; the file goes once every name has been asked. */
static enum job_next
query_web(struct job *job)
{
	struct query *qd = job->kind_data;
	const char *name, *addr;
	char to[WEBPROBE_URL_MAX];
	int port = job->ctx->opt.http_port > 0 ? job->ctx->opt.http_port : 80;
	struct http_request req = { .method = "GET", .url = qd->url, .plain = 1,
	    .timeout_ms = QUERY_WEB_TIMEOUT_MS, .max_body = QUERY_WEB_BODY_MAX };

	for (; qd->web < job->cmd->n_domains; qd->web++) {
		name = job->cmd->domains[qd->web];
		addr = query_is_ip(name) ? name : qd->addrs[qd->web];
		/* A wildcard has no web root; a name with no address has its ✗. */
		if (strncmp(name, "*.", 2) != 0 && addr[0] != '\0')
			break;
	}
	if (qd->web >= job->cmd->n_domains) {
		challenge_solve_release(job, &qd->probe);
		qd->probe_init = 0;
		return query_finish(job);
	}
	if (webprobe_url(name, port, qd->probe.token, qd->url, sizeof qd->url) != 0 ||
	    webprobe_connect_to(name, port, addr, to, sizeof to) != 0) {
		engine_reply_line(job->cmd->reply, QUERY_WARN, "%.200s: not "
		    "fetched: the name is too long", name);
		qd->web++;
		return JOB_AGAIN;
	}
	if (!query_is_ip(name))
		req.connect_to = to;
	return job_request(job, &req, QS_WEB_REPLY);
}

static enum job_next
query_web_next(struct job *job)
{
	((struct query *)job->kind_data)->web++;
	job->state = QS_WEB;
	return JOB_AGAIN;
}

/* The web server's answer, or why there was none: untrusted, so only
 * the status is shown of it, and curl's reason escaped. The reason comes
 * first, the URL after: a narrow screen cuts the end of a line. */
static enum job_next
query_web_reply(struct job *job)
{
	struct query *qd = job->kind_data;
	struct http_response *resp = job->resp;
	const char *name = job->cmd->domains[qd->web];
	const char *msg = job->net_err.msg;
	size_t n = strlen(qd->url);
	char why[300];

	if (job->net_failed) {
		/* The transport's message starts with the URL: it goes last. */
		if (strncmp(msg, qd->url, n) == 0 && strncmp(msg + n, ": ", 2) == 0)
			msg += n + 2;
		esc_buf(msg, strlen(msg), why, sizeof why);
	} else if (webprobe_verdict(resp->status, resp->body.data,
	    resp->body.len, resp->truncated, qd->probe.keyauth, why, sizeof why)) {
		engine_reply_line(job->cmd->reply, QUERY_OK, "%s serves the web "
		    "root", name);
		return query_web_next(job);
	}
	engine_reply_line(job->cmd->reply, QUERY_WARN, "%s: %s (%s)", name, why,
	    qd->url);
	return query_web_next(job);
}

static enum job_next
query_step(struct job *job)
{
	struct query *qd = job->kind_data;

	switch (job->state) {
	case QS_GET:
		return query_get(job);
	case QS_DIR_REPLY:
		return query_dir_reply(job);
	case QS_LOCAL:
		query_local(job);
		query_resolver(job, qd->resolver, sizeof qd->resolver);
		if (qd->resolver[0] == '\0') {
			engine_reply_line(job->cmd->reply, QUERY_WARN, "names not "
			    "checked: no resolver (set dns_resolver)");
			return query_finish(job);
		}
		job->state = QS_NAME;
		return JOB_AGAIN;
	case QS_NAME:
		if (qd->name >= job->cmd->n_domains && query_web_wanted(job)) {
			job->state = QS_WEB_FILE;
			return JOB_AGAIN;
		}
		if (qd->name >= job->cmd->n_domains)
			return query_finish(job);
		if (query_is_ip(query_name(job))) {
			/* Nothing to resolve, and CAA is about names. */
			engine_reply_line(job->cmd->reply, QUERY_OK, "%s: an IP "
			    "address, no DNS to check", query_name(job));
			qd->name++;
			return JOB_AGAIN;
		}
		return query_dns_start(job);
	case QS_DNS:
		return query_dns(job);
	case QS_WEB_FILE:
		return query_web_file(job);
	case QS_WEB:
		return query_web(job);
	case QS_WEB_REPLY:
		return query_web_reply(job);
	}
	return job_failf(job, ERR_FAIL, "query: unknown state %d", job->state);
}

static int
query_init(struct job *job)
{
	const struct engine_cmd *c = job->cmd;

	if (c->url == NULL || c->reply == NULL ||
	    (c->kind == ENGINE_CMD_PREFLIGHT && c->challenge == NULL))
		return err_set(&job->fail, ERR_FAIL, "query: no directory URL, "
		    "reply or challenge given");
	if ((job->kind_data = calloc(1, sizeof(struct query))) == NULL ||
	    (c->n_domains > 0 && (((struct query *)job->kind_data)->addrs =
	    calloc(c->n_domains, QUERY_ADDR_MAX)) == NULL))
		return err_nomem(&job->fail, "query");
	job->no_ca = 1;
	return 0;
}

static void
query_free(struct job *job)
{
	struct query *qd = job->kind_data;

	if (qd != NULL) {
		/* Cancelled or failed mid-way: the test file goes all the same. */
		if (qd->probe_init)
			challenge_solve_release(job, &qd->probe);
		dnsq_free(qd->q);
		acme_directory_free(&qd->dir);
		free(qd->addrs);
	}
	free(qd);
	job->kind_data = NULL;
}

const struct job_ops job_query_ops = {
	.name = "query",
	.first_state = QS_GET,
	.init = query_init,
	.step = query_step,
	.free = query_free,
};
