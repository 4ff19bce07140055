/*
 * screen_detail: the detail views, scrollable pages of text: one for a
 * certificate (every name, serial, fingerprint, validity, key, chain,
 * account and CA, renewal plan, stored versions, the last job's log), one
 * for an account. Only here is a certificate parsed; the list never does.
 * The page is rebuilt when an event says its subject changed.
 */
#include "autoconfig.h"

#include <curses.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "certlist.h"
#include "cli.h"
#include "config.h"
#include "crypto.h"
#include "due.h"
#include "esc.h"
#include "jobs.h"
#include "names.h"
#include "screen.h"
#include "store.h"

#define DETAIL_LABEL 14

struct detail_line {
	enum theme_role role;
	int label;		/* the first DETAIL_LABEL columns are a label */
	char *text;
};

struct detail {
	struct ui_list list;		/* first: see ui_screen_new() */
	char name[160];		/* certificate NAME, or account CA_ID/NAME */
	int account;
	struct detail_line *lines;
	size_t n, cap;
};

static const struct ui_key detail_keys[] = {
	{ 'r', "r", "renew", "renew this certificate if due (asks first)", 1 },
	{ 'D', "D/Del", "revoke", "revoke this certificate (asks a reason, then "
	  "its name)", 2 },
	{ KEY_DC, "Del", NULL, NULL, 2 },
	{ 'e', "e", "edit", "edit its definition with the set-up steps", 3 },
	{ 'x', "x", "remove", "stop managing it: definition archived, files kept "
	  "(asks its name)", 4 },
	{ 'p', "p", "probe", "probe its endpoints: which certificate they serve", 5 },
};

static void
detail_add(struct detail *d, enum theme_role role, int label, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
detail_add(struct detail *d, enum theme_role role, int label, const char *fmt, ...)
{
	struct detail_line *grown;
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	if (text == NULL)
		return;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;

		if ((grown = realloc(d->lines, cap * sizeof *grown)) == NULL) {
			free(text);
			return;
		}
		d->lines = grown;
		d->cap = cap;
	}
	d->lines[d->n].role = role;
	d->lines[d->n].label = label;
	d->lines[d->n++].text = text;
}

/* A "label:  value" line; escapes the value, which may come from a CA. */
static void
detail_kv(struct detail *d, const char *label, const char *value)
{
	char safe[1024];

	esc_buf(value != NULL ? value : "-", strlen(value != NULL ? value : "-"), safe,
	    sizeof safe);
	detail_add(d, ROLE_NORMAL, 1, "%-*s%s", DETAIL_LABEL, label, safe);
}

static void
detail_clear(struct detail *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->lines[i].text);
	d->n = 0;
}

/* Every SAN, IDNs in Unicode with their A-label beside. */
static void
detail_names(struct detail *d, char **names, size_t n)
{
	struct names_id id;
	char text[800];
	size_t i;

	for (i = 0; i < n; i++) {
		if (names_parse(names[i], &id, NULL) == 0 &&
		    strcmp(id.display, id.value) != 0)
			snprintf(text, sizeof text, "%s (%s)", id.display, id.value);
		else
			snprintf(text, sizeof text, "%s", names[i]);
		detail_kv(d, i == 0 ? "names:" : "", text);
	}
	if (n == 0)
		detail_kv(d, "names:", "-");
}

static void
detail_chain(struct ui *ui, struct detail *d, const char *chain)
{
	struct crypto_cert_info info;
	const char *p = chain;
	char text[1200];
	int i = 0;

	(void)ui;
	while (p != NULL && (p = strstr(p, "-----BEGIN CERTIFICATE-----")) != NULL) {
		if (crypto_cert_parse_pem(p, strlen(p), &info, NULL) == 0) {
			snprintf(text, sizeof text, "%d. %s, issued by %s", ++i, info.subject,
			    info.issuer);
			detail_kv(d, i == 1 ? "chain:" : "", text);
			crypto_cert_info_free(&info);
		}
		p++;
	}
	if (i == 0)
		detail_kv(d, "chain:", "none stored");
}

static void
detail_versions(struct ui *ui, struct detail *d, int current)
{
	struct store_cert_files f;
	struct crypto_cert_info info;
	int *v = NULL;
	size_t n = 0, i;
	char text[256], a[32];

	if (store_cert_versions(ui->store, d->name, &v, &n, NULL) != 0 || n == 0) {
		detail_kv(d, "versions:", "none");
		free(v);
		return;
	}
	for (i = n; i > 0; i--) {
		memset(&f, 0, sizeof f);
		snprintf(text, sizeof text, "%d", v[i - 1]);
		if (store_cert_load(ui->store, d->name, v[i - 1], &f, NULL) == 0 &&
		    crypto_cert_parse_pem(f.cert, strlen(f.cert), &info, NULL) == 0) {
			ui_time(info.not_after, 1, a, sizeof a);
			snprintf(text, sizeof text, "%d: serial %.16s…, until %s%s", v[i - 1],
			    info.serial_hex, a, v[i - 1] == current ? " (current)" : "");
			crypto_cert_info_free(&info);
		}
		store_cert_files_free(&f);
		detail_kv(d, i == n ? "versions:" : "", text);
	}
	free(v);
}

static void
detail_plan(struct ui *ui, struct detail *d, const struct cert_row *r)
{
	char text[512], a[32];

	if (r->status == STATUS_REVOKED) {
		detail_kv(d, "renewal:", "none: the certificate is revoked");
		return;
	}
	if (r->status == STATUS_UNMANAGED) {
		detail_kv(d, "renewal:", "none: no longer managed (its definition "
		    "was removed; e defines it again)");
		return;
	}
	/* Worded by due.c, the same as `certdeck show`. */
	due_describe(&r->rec, ui->certs->fraction > 0 ? ui->certs->fraction :
	    1.0 / 3, ui->cli->renew_days, ui->now, text, sizeof text);
	detail_kv(d, "next renewal:", text);
	if (r->rec.ari_explanation != NULL)
		detail_kv(d, "", r->rec.ari_explanation);
	if (r->rec.retry_after > 0) {
		ui_time(r->rec.retry_after, 1, a, sizeof a);
		detail_kv(d, "not before:", a);
	}
}

/* Where the deploy steps of the config put the files, and how they went. */
static void
detail_deploy(struct ui *ui, struct detail *d, const struct cert_row *r)
{
	static const char *const what[5] = {
		"certificate", "chain", "full chain", "key", "key + chain"
	};
	const struct config_cert *cc = config_find_cert(&ui->cli->cfg, d->name);
	char text[1200];
	size_t i, len;
	int n = 0;

	for (i = 0; cc != NULL && i < 5; i++)
		if (cc->deploy[i] != NULL && *cc->deploy[i] != '\0') {
			snprintf(text, sizeof text, "%s to %s", what[i], cc->deploy[i]);
			detail_kv(d, n++ ? "" : "deploy:", text);
		}
	if (cc != NULL && cc->reload.n > 0) {
		for (i = 0, len = 0; i < cc->reload.n && len < sizeof text - 2; i++)
			len += (size_t)snprintf(text + len, sizeof text - len, "%s%s",
			    i ? " " : "then run: ", cc->reload.v[i]);
		detail_kv(d, n++ ? "" : "deploy:", text);
	}
	if (n == 0)
		detail_kv(d, "deploy:", "no deploy steps in the configuration");
	else if (r->rec.deployed_version > 0) {
		snprintf(text, sizeof text, "version %d deployed", r->rec.deployed_version);
		detail_kv(d, "", text);
	}
	if (r->rec.deploy_error != NULL)
		detail_add(d, ROLE_FAILED, 1, "%-*s%s", DETAIL_LABEL, "deploy error:",
		    r->rec.deploy_error);
}

/* Each endpoint of the definition with what its last probe found. */
static void
detail_endpoints(struct ui *ui, struct detail *d, const struct cert_row *r)
{
	const struct config_cert *cc = config_find_cert(&ui->cli->cfg, d->name);
	const struct certrec_endpoint *ep;
	char when[32], text[1200];
	size_t i, j;

	if (cc == NULL || cc->n_endpoints == 0) {
		detail_kv(d, "endpoints:", "none in the configuration (p needs them)");
		return;
	}
	for (i = 0; i < cc->n_endpoints; i++) {
		for (j = 0, ep = NULL; j < r->rec.n_endpoints && ep == NULL; j++)
			if (strcmp(r->rec.endpoints[j].address, cc->endpoints[i].address) == 0)
				ep = &r->rec.endpoints[j];
		snprintf(text, sizeof text, "%s (SNI %s)", cc->endpoints[i].address,
		    cc->endpoints[i].sni[0] ? cc->endpoints[i].sni : "none");
		detail_kv(d, i ? "" : "endpoints:", text);
		if (ep == NULL) {
			detail_kv(d, "", "  not probed yet");
			continue;
		}
		ui_time(ep->checked, 1, when, sizeof when);
		detail_add(d, ep->state == ENDPOINT_SERVED ? ROLE_OK : ROLE_FAILED, 1,
		    "%-*s  %s: %s (%s)", DETAIL_LABEL, "", endpoint_state_name(ep->state),
		    ep->detail ? ep->detail : "-", when);
	}
}

static void
detail_job_log(struct ui *ui, struct detail *d)
{
	const struct jobs_job *job = jobs_latest_for(ui->jobs, d->name);
	const struct jobs_line *l;
	static const enum theme_role roles[] = {
		ROLE_LOG_DEBUG, ROLE_LOG_INFO, ROLE_LOG_WARN, ROLE_LOG_ERROR
	};
	char when[16];
	size_t i;

	detail_add(d, ROLE_NORMAL, 0, "%s", "");
	if (job == NULL) {
		detail_add(d, ROLE_TITLE, 0, "%s", "Last job: none this session");
		return;
	}
	detail_add(d, ROLE_TITLE, 0, "Last job: #%u, %s", (unsigned)job->id,
	    job->state == JOBS_RUNNING ? "running" : job->state == JOBS_DONE ?
	    "done" : "failed");
	if (job->problem[0] != '\0')
		detail_kv(d, "CA problem:", job->problem);
	for (i = 0; (l = jobs_line_at(ui->jobs, i)) != NULL; i++) {
		time_t t = (time_t)(l->time_ms / 1000);
		struct tm tm;

		if (l->job != job->id)
			continue;
		localtime_r(&t, &tm);
		strftime(when, sizeof when, "%H:%M:%S", &tm);
		detail_add(d, l->level < 4 ? roles[l->level] : ROLE_NORMAL, 0, "  %s %s",
		    when, l->text);
	}
}

static void
detail_cert_info(struct ui *ui, struct detail *d, const struct cert_row *r)
{
	struct store_cert_files f;
	struct crypto_cert_info info;
	char a[32], b[32], text[512];

	memset(&f, 0, sizeof f);
	if (r->rec.version == 0 || store_cert_load(ui->store, d->name, 0, &f, NULL) != 0 ||
	    crypto_cert_parse_pem(f.cert, strlen(f.cert), &info, NULL) != 0) {
		detail_names(d, r->rec.domains, r->rec.n_domains);
		detail_kv(d, "certificate:", "none stored");
		store_cert_files_free(&f);
		return;
	}
	detail_names(d, info.names, info.n_names);
	ui_time(info.not_before, 1, a, sizeof a);
	ui_time(info.not_after, 1, b, sizeof b);
	snprintf(text, sizeof text, "%s to %s (%ld days left)", a, b,
	    status_days_left(info.not_after, ui->now));
	detail_kv(d, "valid:", text);
	detail_kv(d, "serial:", info.serial_hex);
	detail_kv(d, "sha256:", info.sha256_hex);
	detail_kv(d, "key:", info.key_type);
	detail_kv(d, "issuer:", info.issuer);
	detail_chain(ui, d, f.chain);
	crypto_cert_info_free(&info);
	store_cert_files_free(&f);
}

static void
detail_cert(struct ui *ui, struct detail *d)
{
	size_t i = certlist_find(ui->certs, d->name);
	const struct cert_row *r = NULL;
	char text[512];

	if (i != (size_t)-1)
		r = certlist_at(ui->certs, i);
	else
		for (i = 0; i < ui->certs->n && r == NULL; i++)
			if (ui->certs->rows[i].loaded &&
			    strcmp(ui->certs->rows[i].name, d->name) == 0)
				r = &ui->certs->rows[i];
	detail_add(d, ROLE_TITLE, 0, "Certificate %s", d->name);
	if (r == NULL) {
		detail_kv(d, "status:", "not in the store");
		return;
	}
	detail_kv(d, "status:", status_name(r->status));
	detail_cert_info(ui, d, r);
	detail_kv(d, "account:", r->rec.account ? r->rec.account : "default");
	detail_kv(d, "CA:", r->rec.directory);
	detail_kv(d, "challenge:", r->rec.challenge ? r->rec.challenge : "http-01");
	if (r->rec.profile != NULL)
		detail_kv(d, "profile:", r->rec.profile);
	detail_plan(ui, d, r);
	detail_deploy(ui, d, r);
	detail_endpoints(ui, d, r);
	snprintf(text, sizeof text, "%s/live/%s/", store_path(ui->store), d->name);
	detail_kv(d, "files:", text);
	detail_versions(ui, d, r->rec.version);
	if (r->rec.revoked_reason >= 0) {
		snprintf(text, sizeof text, "reason code %d", r->rec.revoked_reason);
		detail_kv(d, "revoked:", text);
	}
	if (r->rec.last_error != NULL)
		detail_add(d, ROLE_FAILED, 1, "%-*s%s", DETAIL_LABEL, "last error:",
		    r->rec.last_error);
	detail_job_log(ui, d);
}

static void
detail_account(struct ui *ui, struct detail *d)
{
	struct account_rec rec;
	char ca[80], acct[80];
	size_t i, n = 0;
	int found;

	snprintf(ca, sizeof ca, "%.*s", (int)strcspn(d->name, "/"), d->name);
	snprintf(acct, sizeof acct, "%s", strchr(d->name, '/') ? strchr(d->name, '/') + 1 : "");
	detail_add(d, ROLE_TITLE, 0, "Account %s at %s", acct, ca);
	memset(&rec, 0, sizeof rec);
	found = account_load(ui->store, ca, acct, &rec, NULL);
	if (found != 1) {
		detail_kv(d, "status:", "no account record (not registered yet)");
		account_rec_free(&rec);
		return;
	}
	detail_kv(d, "url:", rec.url);
	detail_kv(d, "CA:", rec.directory);
	detail_kv(d, "status:", rec.status);
	for (i = 0; i < rec.n_contacts; i++)
		detail_kv(d, i ? "" : "contacts:", rec.contacts[i]);
	if (rec.n_contacts == 0)
		detail_kv(d, "contacts:", "none");
	detail_kv(d, "key:", rec.key_type);
	detail_kv(d, "key file:", rec.key_file ? rec.key_file : "key.pem");
	if (rec.pending_key != NULL)
		detail_kv(d, "pending key:", rec.pending_key);
	detail_kv(d, "created:", rec.created);
	for (i = 0; i < ui->certs->n; i++) {
		const struct certrec *c = &ui->certs->rows[i].rec;

		if (c->directory != NULL && rec.directory != NULL &&
		    strcmp(c->directory, rec.directory) == 0 &&
		    strcmp(c->account ? c->account : "default", acct) == 0)
			n++;
	}
	detail_add(d, ROLE_NORMAL, 1, "%-*s%zu", DETAIL_LABEL, "certificates:", n);
	account_rec_free(&rec);
}

static void
detail_build(struct ui *ui, struct detail *d)
{
	detail_clear(d);
	if (d->account)
		detail_account(ui, d);
	else
		detail_cert(ui, d);
	d->list.n = d->n;
}

static void *
detail_open_as(struct ui *ui, const char *arg, int account)
{
	struct detail *d = ui_screen_new(ui, sizeof *d);

	if (d == NULL)
		return NULL;
	d->list.cursor = 0;	/* a page: no row is selected */
	snprintf(d->name, sizeof d->name, "%s", arg);
	d->account = account;
	detail_build(ui, d);
	return d;
}

static void *
detail_open(struct ui *ui, const char *arg)
{
	return detail_open_as(ui, arg, 0);
}

static void *
detail_open_account(struct ui *ui, const char *arg)
{
	return detail_open_as(ui, arg, 1);
}

static void
detail_close(void *st)
{
	struct detail *d = st;

	detail_clear(d);
	free(d->lines);
	free(d);
}

static void
detail_draw(struct ui *ui, void *st)
{
	struct detail *d = st;
	int rows = LINES - 3, i;
	char more[64];

	ui_list_fit(&d->list, 1, rows);
	for (i = 0; i < rows && d->list.top + (size_t)i < d->n; i++) {
		const struct detail_line *l = &d->lines[d->list.top + (size_t)i];

		if (l->label) {
			ui_put(ui, 1 + i, 1, DETAIL_LABEL, ROLE_LABEL, l->text);
			ui_put(ui, 1 + i, 1 + DETAIL_LABEL, COLS - 1 - DETAIL_LABEL, l->role,
			    l->text + DETAIL_LABEL);
		} else
			ui_put(ui, 1 + i, 1, COLS - 1, l->role, l->text);
	}
	if (d->n > (size_t)rows) {
		snprintf(more, sizeof more, " lines %zu-%zu of %zu ", d->list.top + 1,
		    d->list.top + (size_t)rows < d->n ? d->list.top + (size_t)rows : d->n, d->n);
		ui_put_right(ui, 0, COLS - 24, 24, ROLE_HEADER, more);
	}
}

static void
detail_renew_yes(struct ui *ui, const char *name, int force)
{
	(void)ui_renew(ui, name, force);
}

static int
detail_key(struct ui *ui, void *st, int action, int key)
{
	struct detail *d = st;
	char title[200];

	(void)key;
	if (action == 0 || d->account)
		return 0;
	if (action == 5) {
		(void)ui_probe(ui, d->name);
		return UI_HANDLED | UI_REDRAW;
	}
	if (action >= 2 && action <= 4) {
		(void)ui_push(ui, action == 2 ? &screen_revoke_ops : action == 3 ?
		    &screen_wizard_ops : &screen_remove_ops, d->name);
		return UI_HANDLED | UI_REDRAW;
	}
	snprintf(title, sizeof title, "Renew %s", d->name);
	dialog_confirm(ui, title, "Renew this certificate if it is due? The current "
	    "one stays in the archive.", 0, detail_renew_yes, d->name, 0);
	return UI_HANDLED | UI_REDRAW;
}

static int
detail_event(struct ui *ui, void *st, const struct event *ev)
{
	struct detail *d = st;

	if (d->account ? ev->object != OBJECT_ACCOUNT : strcmp(ev->subject, d->name) != 0)
		return 0;
	if (ev->kind == EVENT_STEP && ev->level == EVENT_DEBUG)
		return 0;
	detail_build(ui, d);
	return UI_REDRAW;
}

const struct screen_ops screen_detail_ops = {
	.name = "Certificate detail",
	.keys = detail_keys,
	.n_keys = sizeof detail_keys / sizeof detail_keys[0],
	.open = detail_open,
	.close = detail_close,
	.draw = detail_draw,
	.key = detail_key,
	.event = detail_event,
	.list = ui_screen_list,
};

const struct screen_ops screen_account_detail_ops = {
	.name = "Account detail",
	.open = detail_open_account,
	.close = detail_close,
	.draw = detail_draw,
	.event = detail_event,
	.list = ui_screen_list,
};
