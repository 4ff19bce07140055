/*
 * wizard_steps: the onboarding wizard's steps (see wizard.h). Each step
 * is a few fields; each is checked as it is typed where that is cheap
 * (names) and when Enter asks to go on (paths, ports, agreement), with
 * the reason shown under the fields. Nothing here touches the network:
 * what only the CA can tell is left to the Issue step's job.
 */
#include "autoconfig.h"

#include <sys/stat.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "certlist.h"
#include "cli.h"
#include "deploy.h"
#include "jobs.h"
#include "screen.h"
#include "store.h"
#include "str.h"
#include "wizard.h"

#define WIZ_LABEL 22

const char *const wiz_method_names[WM_COUNT] = {
	[WM_HTTP] = "http-01, built-in responder",
	[WM_WEBROOT] = "http-01, files in a web server's folder",
	[WM_ALPN] = "tls-alpn-01, built-in responder",
	[WM_DNS] = "dns-01, a hook program adds TXT records",
};

const char *const wiz_key_types[] = { "ec256", "ec384", "rsa2048", "rsa3072",
	"rsa4096" };
const size_t wiz_n_key_types = sizeof wiz_key_types / sizeof wiz_key_types[0];

static const char *const wiz_key_words[] = {
	"ECDSA P-256: small and fast, taken everywhere (recommended)",
	"ECDSA P-384: a larger curve",
	"RSA 2048: for very old clients",
	"RSA 3072", "RSA 4096: slow, for policies that ask for it",
};

static const struct {
	enum wiz_field field;
	const char *label;
} wiz_labels[] = {
	{ WF_NAMES, "Names (comma between):" },
	{ WF_CERTNAME, "Certificate name:" },
	{ WF_EMAIL, "Contact e-mail:" },
	{ WF_PORT, "Port:" },
	{ WF_WEBROOT, "Web root folder:" },
	{ WF_HOOK, "DNS hook program:" },
	{ WF_FULLCHAIN, "Copy full chain to:" },
	{ WF_KEYCOPY, "Copy key to:" },
	{ WF_OWNER, "Copies' owner:" },
	{ WF_GROUP, "Copies' group:" },
	{ WF_MODE, "Copies' mode:" },
	{ WF_RELOAD, "Then run:" },
};

size_t
wiz_fields(const struct wizard *w, enum wiz_step step, enum wiz_field *out)
{
	size_t n = 0;

	switch (step) {
	case WIZ_NAMES:
		out[n++] = WF_NAMES;
		if (w->edit[0] == '\0')	/* the store's name stays */
			out[n++] = WF_CERTNAME;
		break;
	case WIZ_ACCOUNT:
		n = wiz_ca_fields(w, out);
		break;
	case WIZ_PROVE:
		out[n++] = WF_METHOD;
		if (w->method == WM_HTTP || w->method == WM_ALPN)
			out[n++] = WF_PORT;
		else if (w->method == WM_WEBROOT)
			out[n++] = WF_WEBROOT;
		else
			out[n++] = WF_HOOK;
		break;
	case WIZ_KEY:
		out[n++] = WF_KEY;
		if (wiz_ca_dir(w) != NULL && wiz_ca_dir(w)->n_profiles > 0)
			out[n++] = WF_PROFILE;
		break;
	case WIZ_DEPLOY:
		out[n++] = WF_FULLCHAIN;
		out[n++] = WF_KEYCOPY;
		out[n++] = WF_OWNER;
		out[n++] = WF_GROUP;
		out[n++] = WF_MODE;
		out[n++] = WF_RELOAD;
		break;
	case WIZ_REVIEW:
		if (w->edit[0] != '\0')
			out[n++] = WF_AFTER;
		break;
	default:
		break;
	}
	return n;
}

void
wiz_find_account(struct ui *ui, struct wizard *w, const char *url)
{
	const char *name = ui->cli->account ? ui->cli->account : "default";
	struct account_rec rec;
	char **cas = NULL;
	size_t n = 0, i;

	w->account_exists = 0;
	if (url == NULL ||
	    store_dir_list(ui->store, "accounts", &cas, &n, NULL) != 0)
		return;
	for (i = 0; i < n && !w->account_exists; i++) {
		memset(&rec, 0, sizeof rec);
		if (account_load(ui->store, cas[i], name, &rec, NULL) == 1 &&
		    rec.directory != NULL && strcmp(rec.directory, url) == 0) {
			w->account_exists = 1;
			snprintf(w->account_contact, sizeof w->account_contact, "%s",
			    rec.n_contacts ? rec.contacts[0] : "no contact");
		}
		account_rec_free(&rec);
	}
	store_names_free(cas, n);
}

void
wiz_defaults(struct ui *ui, struct wizard *w)
{
	char port[16];

	wiz_find_account(ui, w, ui->cli->server);
	form_text_set(&w->text[WF_EMAIL], ui->cli->email ? ui->cli->email : "");
	w->agree = ui->cli->agree_tos;
	w->default_port[0] = ui->cli->http_port ? ui->cli->http_port : 80;
	w->default_port[1] = ui->cli->tls_port ? ui->cli->tls_port : 443;
	snprintf(port, sizeof port, "%d", w->default_port[0]);
	form_text_set(&w->text[WF_PORT], port);
	form_text_set(&w->text[WF_HOOK], ui->cli->dns_hook ? ui->cli->dns_hook : "");
}

/* The next name in a comma-separated list, spaces around it dropped;
 * NULL at the end. */
static const char *
wiz_next_name(const char *p, char *out, size_t outsz)
{
	size_t len;

	while (*p == ' ' || *p == ',')
		p++;
	if (*p == '\0')
		return NULL;
	len = strcspn(p, ",");
	while (len > 0 && p[len - 1] == ' ')
		len--;
	snprintf(out, outsz, "%.*s", (int)(len < outsz ? len : outsz - 1), p);
	p += strcspn(p, ",");
	return p;
}

/* The reason first: a long name would push it off the screen. */
static void
wiz_name_err(char *out, size_t outsz, const char *msg)
{
	const char *why = strstr(msg, "': ");

	if (why != NULL && why - msg > 48 && strncmp(msg, "name '", 6) == 0)
		snprintf(out, outsz, "%.120s (name '%.24s…')", why + 3, msg + 6);
	else
		snprintf(out, outsz, "%.150s", msg);
}

void
wiz_names_check(struct wizard *w)
{
	const char *p = w->text[WF_NAMES].text;
	char one[FORM_TEXT_MAX];
	struct err err;
	size_t i;

	w->n_names = 0;
	w->wildcard = 0;
	while ((p = wiz_next_name(p, one, sizeof one)) != NULL &&
	    w->n_names < WIZ_NAMES_MAX) {
		i = w->n_names++;
		w->name_errs[i][0] = '\0';
		if (names_parse(one, &w->ids[i], &err) != 0) {
			wiz_name_err(w->name_errs[i], sizeof w->name_errs[i], err.msg);
			continue;
		}
		w->wildcard |= w->ids[i].wildcard;
	}
	if (!w->certname_typed) {
		one[0] = '\0';
		if (w->n_names > 0 && w->name_errs[0][0] == '\0')
			names_suggest_cert_name(&w->ids[0], one, 65);
		form_text_set(&w->text[WF_CERTNAME], one);
	}
}

static int
wiz_check_names(struct ui *ui, struct wizard *w)
{
	const char *name = w->text[WF_CERTNAME].text;
	struct err err;
	size_t i, j;

	if (w->n_names == 0)
		return snprintf(w->note, sizeof w->note, "Type at least one name, "
		    "such as example.com."), -1;
	for (i = 0; i < w->n_names; i++) {
		if (w->name_errs[i][0] != '\0')
			return snprintf(w->note, sizeof w->note, "Fix the names marked "
			    "with x first."), -1;
		for (j = 0; j < i; j++)
			if (strcmp(w->ids[i].value, w->ids[j].value) == 0)
				return snprintf(w->note, sizeof w->note, "%s is given "
				    "twice.", w->ids[i].display), -1;
	}
	if (names_cert_name_ok(name, &err) != 0)
		return snprintf(w->note, sizeof w->note, "Certificate name: %.200s",
		    err.msg), -1;
	if (strcmp(name, w->edit) != 0 && certlist_find(ui->certs, name) != (size_t)-1)
		return snprintf(w->note, sizeof w->note, "A certificate named %.64s "
		    "already exists; choose another name.", name), -1;
	return 0;
}

static int
wiz_check_path(struct wizard *w, const char *what, const char *path, int dir)
{
	struct stat st;

	if (*path != '/')
		return snprintf(w->note, sizeof w->note, "%s: give an absolute path "
		    "(starting with /).", what), -1;
	if (stat(path, &st) != 0)
		return snprintf(w->note, sizeof w->note, "%s: %s does not exist.",
		    what, path), -1;
	if (dir && !S_ISDIR(st.st_mode))
		return snprintf(w->note, sizeof w->note, "%s: %s is not a folder.",
		    what, path), -1;
	if (dir && access(path, W_OK | X_OK) != 0)
		return snprintf(w->note, sizeof w->note, "%s: %s is not writable "
		    "here.", what, path), -1;
	if (!dir && (!S_ISREG(st.st_mode) || access(path, X_OK) != 0))
		return snprintf(w->note, sizeof w->note, "%s: %s is not an "
		    "executable program.", what, path), -1;
	return 0;
}

static int
wiz_check_prove(struct ui *ui, struct wizard *w)
{
	char *end;
	long port;
	int running;

	if (w->wildcard && w->method != WM_DNS)
		return snprintf(w->note, sizeof w->note, "A wildcard name can only be "
		    "proven with dns-01."), -1;
	switch (w->method) {
	case WM_HTTP:
	case WM_ALPN:
		port = strtol(w->text[WF_PORT].text, &end, 10);
		if (*end != '\0' || port < 1 || port > 65535)
			return snprintf(w->note, sizeof w->note, "Port: a number from 1 "
			    "to 65535."), -1;
		/* The engine takes its ports when it starts; one busy with jobs
		 * keeps the ports it was started with. */
		running = w->default_port[w->method == WM_ALPN];
		if (ui->engine != NULL && ui->jobs->running > 0 && port != running)
			return snprintf(w->note, sizeof w->note, "Port: jobs are "
			    "running with port %d; wait for them to end, or keep "
			    "that port.", running), -1;
		return 0;
	case WM_WEBROOT:
		return wiz_check_path(w, "Web root", w->text[WF_WEBROOT].text, 1);
	default:
		if (wiz_check_path(w, "DNS hook", w->text[WF_HOOK].text, 0) != 0)
			return -1;
		if (ui->engine != NULL && ui->jobs->running > 0 &&
		    strcmp(w->text[WF_HOOK].text, ui->cli->dns_hook ?
		    ui->cli->dns_hook : "") != 0)
			return snprintf(w->note, sizeof w->note, "DNS hook: jobs are "
			    "running with another hook; wait for them to end."), -1;
		return 0;
	}
}

/* A copy goes to an absolute path in a folder that exists. */
static int
wiz_check_copy(struct wizard *w, const char *what, const char *path)
{
	char dir[FORM_TEXT_MAX];
	struct stat st;

	if (*path == '\0')
		return 0;
	if (*path != '/' || path[strlen(path) - 1] == '/')
		return snprintf(w->note, sizeof w->note, "%s: give an absolute file "
		    "path.", what), -1;
	snprintf(dir, sizeof dir, "%s", path);
	*strrchr(dir, '/') = '\0';
	if (dir[0] != '\0' && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
		return snprintf(w->note, sizeof w->note, "%s: the folder %.200s does "
		    "not exist.", what, dir), -1;
	return 0;
}

int
wiz_check_access(struct wizard *w)
{
	struct err err;
	int mode;

	w->note[0] = '\0';
	/* deploy's own checks: what it would refuse after the issuance is
	 * refused here, before anything is asked of the CA. */
	if (deploy_ids_check(w->text[WF_OWNER].text, NULL, &err) != 0)
		return snprintf(w->note, sizeof w->note, "Owner: %.200s.",
		    err.msg), -1;
	if (deploy_ids_check(NULL, w->text[WF_GROUP].text, &err) != 0)
		return snprintf(w->note, sizeof w->note, "Group: %.200s.",
		    err.msg), -1;
	if (deploy_mode_parse(w->text[WF_MODE].text,
	    w->text[WF_KEYCOPY].text[0] != '\0', &mode, &err) != 0)
		return snprintf(w->note, sizeof w->note, "Mode: %.200s.",
		    err.msg), -1;
	return 0;
}

static int
wiz_check_deploy(struct wizard *w)
{
	char **argv = NULL;
	int n, rc = 0;

	if (wiz_check_copy(w, "Full chain", w->text[WF_FULLCHAIN].text) != 0 ||
	    wiz_check_copy(w, "Key", w->text[WF_KEYCOPY].text) != 0 ||
	    wiz_check_access(w) != 0)
		return -1;
	if ((n = wiz_reload_argv(w, &argv)) < 0)
		return snprintf(w->note, sizeof w->note, "out of memory"), -1;
	if (n > 0 && wiz_check_path(w, "Then run", argv[0], 0) != 0)
		rc = -1;
	strv_free(argv, n > 0 ? (size_t)n : 0);
	return rc;
}

int
wiz_reload_argv(const struct wizard *w, char ***argv)
{
	char copy[FORM_TEXT_MAX], *word, *save = NULL, **v;
	int n = 0;

	*argv = NULL;
	snprintf(copy, sizeof copy, "%s", w->text[WF_RELOAD].text);
	if ((v = calloc(sizeof copy / 2 + 1, sizeof *v)) == NULL)
		return -1;
	for (word = strtok_r(copy, " ", &save); word != NULL;
	    word = strtok_r(NULL, " ", &save))
		if ((v[n++] = strdup(word)) == NULL) {
			strv_free(v, (size_t)n);
			return -1;
		}
	if (n == 0) {
		free(v);
		return 0;
	}
	*argv = v;
	return n;
}

int
wiz_check(struct ui *ui, struct wizard *w, enum wiz_step step)
{
	w->note[0] = '\0';
	switch (step) {
	case WIZ_NAMES:
		return wiz_check_names(ui, w);
	case WIZ_ACCOUNT:
		return wiz_ca_check(ui, w);
	case WIZ_PREFLIGHT:
		return wiz_preflight_check(w);
	case WIZ_PROVE:
		return wiz_check_prove(ui, w);
	case WIZ_DEPLOY:
		return wiz_check_deploy(w);
	default:
		return 0;
	}
}

void
wiz_choose(struct wizard *w, int dir)
{
	char port[16];

	switch (w->focus) {
	case WF_AGREE:
		w->agree = !w->agree;
		break;
	case WF_METHOD:
		w->method = (w->method + (dir > 0 ? 1 : WM_COUNT - 1)) % WM_COUNT;
		if (!w->port_typed) {
			snprintf(port, sizeof port, "%d",
			    w->default_port[w->method == WM_ALPN]);
			form_text_set(&w->text[WF_PORT], port);
		}
		break;
	case WF_KEY:
		w->key = (w->key + (dir > 0 ? 1 : wiz_n_key_types - 1)) % wiz_n_key_types;
		break;
	case WF_AFTER:
		w->renew_now = !w->renew_now;
		break;
	default:
		break;
	}
}

static const char *
wiz_label(enum wiz_field f)
{
	size_t i;

	for (i = 0; i < sizeof wiz_labels / sizeof wiz_labels[0]; i++)
		if (wiz_labels[i].field == f)
			return wiz_labels[i].label;
	return "";
}

static int
wiz_draw_text(struct ui *ui, struct wizard *w, enum wiz_field f, int y, int x,
    int width)
{
	form_text_draw(ui, y, x, width, WIZ_LABEL, wiz_label(f), &w->text[f],
	    w->focus == f);
	return y + 1;
}

/* A choice shown as "< value >", changed with Left/Right or Space. */
int
wiz_draw_choice(struct ui *ui, struct wizard *w, enum wiz_field f, int y, int x,
    int width, const char *label, const char *value)
{
	char text[256];

	snprintf(text, sizeof text, "< %s >", value);
	ui_put(ui, y, x, WIZ_LABEL, w->focus == f ? ROLE_TITLE : ROLE_LABEL, label);
	ui_put(ui, y, x + WIZ_LABEL, width - WIZ_LABEL, w->focus == f ?
	    ROLE_SELECTED : ROLE_DIALOG, text);
	if (w->focus == f) {
		ui->cursor_y = y;
		ui->cursor_x = x + WIZ_LABEL + 2;
	}
	return y + 1;
}

static int
wiz_draw_names(struct ui *ui, struct wizard *w, int y, int x, int width, int rows)
{
	char line[700];
	size_t i;
	int last = y + rows - 3;

	y = wiz_draw_text(ui, w, WF_NAMES, y, x, width);
	if (w->n_names == 0)
		ui_put(ui, y++, x + 2, width - 2, ROLE_DIM, "e.g. example.com, "
		    "www.example.com (IDNs as spelt: bücher.example)");
	for (i = 0; i < w->n_names && y < last; i++) {
		if (w->name_errs[i][0] != '\0')
			snprintf(line, sizeof line, "%s %s", ui->utf8 ? "✗" : "x",
			    w->name_errs[i]);
		else if (strcmp(w->ids[i].display, w->ids[i].value) != 0)
			snprintf(line, sizeof line, "%s %s  =  %s", ui->utf8 ? "✓" : "+",
			    w->ids[i].display, w->ids[i].value);
		else
			snprintf(line, sizeof line, "%s %s%s", ui->utf8 ? "✓" : "+",
			    w->ids[i].value, w->ids[i].wildcard ?
			    "  (wildcard: dns-01 only)" : "");
		ui_put(ui, y++, x + 2, width - 2, w->name_errs[i][0] ?
		    ROLE_LOG_ERROR : ROLE_OK, line);
	}
	y++;
	y = wiz_draw_text(ui, w, WF_CERTNAME, y, x, width);
	ui_put(ui, y++, x + 2, width - 2, ROLE_DIM, w->certname_typed ?
	    "the name in the store, on screen and in the config" :
	    "suggested from the first name; type to change it");
	return y;
}

static int
wiz_draw_prove(struct ui *ui, struct wizard *w, int y, int x, int width)
{
	static const char *const why[WM_COUNT] = {
		[WM_HTTP] = "certdeck answers on this port itself; the CA must "
		    "reach it as port 80 of every name.",
		[WM_WEBROOT] = "a running web server serves this folder; the file "
		    "goes under .well-known/acme-challenge/.",
		[WM_ALPN] = "certdeck answers TLS on this port; the CA must reach "
		    "it as port 443 of every name.",
		[WM_DNS] = "the program is run as HOOK add|del FQDN RECORD VALUE, "
		    "never through a shell.",
	};

	y = wiz_draw_choice(ui, w, WF_METHOD, y, x, width, "Prove control by:",
	    wiz_method_names[w->method]);
	if (w->wildcard)
		ui_put(ui, y++, x + 2, width - 2, ROLE_DUE, "A wildcard is among "
		    "the names: only dns-01 can prove it.");
	y++;
	if (w->method == WM_HTTP || w->method == WM_ALPN)
		y = wiz_draw_text(ui, w, WF_PORT, y, x, width);
	else
		y = wiz_draw_text(ui, w, w->method == WM_WEBROOT ? WF_WEBROOT :
		    WF_HOOK, y, x, width);
	ui_put(ui, y++, x + 2, width - 2, ROLE_DIM, why[w->method]);
	return y;
}

/* Review's Deploy lines: the copies, whose and what mode, the command. */
static int
wiz_draw_review_deploy(struct ui *ui, struct wizard *w, int y, int x, int width)
{
	static const struct {
		enum wiz_field f;
		const char *what;
	} parts[] = { { WF_FULLCHAIN, "full chain to" }, { WF_KEYCOPY, "key to" },
		{ WF_OWNER, "owner" }, { WF_GROUP, "group" }, { WF_MODE, "mode" },
		{ WF_RELOAD, "then run" } };
	char line[600];
	size_t i;
	int none = 1;

	ui_put(ui, y, x, WIZ_LABEL, ROLE_LABEL, "Deploy:");
	for (i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		if (w->text[parts[i].f].text[0] == '\0')
			continue;
		none = 0;
		snprintf(line, sizeof line, "%s %.400s", parts[i].what,
		    w->text[parts[i].f].text);
		y += ui_put_wrapped(ui, y, x + WIZ_LABEL, width - WIZ_LABEL,
		    ROLE_DIALOG, line, 4);
	}
	if (none)
		ui_put(ui, y++, x + WIZ_LABEL, width - WIZ_LABEL, ROLE_DIALOG, "none");
	return y;
}

static int
wiz_draw_review(struct ui *ui, struct wizard *w, int y, int x, int width)
{
	char line[1200], *p = line;
	size_t i;
	const char *detail = w->method == WM_WEBROOT ? w->text[WF_WEBROOT].text :
	    w->method == WM_DNS ? w->text[WF_HOOK].text : w->text[WF_PORT].text;

	line[0] = '\0';
	for (i = 0; i < w->n_names && p < line + sizeof line - 300; i++)
		p += snprintf(p, (size_t)(line + sizeof line - p), "%s%s", i ? ", " : "",
		    w->ids[i].display);
	ui_put(ui, y, x, WIZ_LABEL, ROLE_LABEL, "Names:");
	y += ui_put_wrapped(ui, y, x + WIZ_LABEL, width - WIZ_LABEL, ROLE_DIALOG,
	    line, 4);
	ui_put(ui, y, x, WIZ_LABEL, ROLE_LABEL, "Certificate name:");
	ui_put(ui, y++, x + WIZ_LABEL, width - WIZ_LABEL, ROLE_DIALOG,
	    w->text[WF_CERTNAME].text);
	ui_put(ui, y, x, WIZ_LABEL, ROLE_LABEL, "CA:");
	snprintf(line, sizeof line, "%.600s%s%.64s", w->ca_url,
	    wiz_ca_profile(w) ? ", profile " : "", wiz_ca_profile(w) ?
	    wiz_ca_profile(w) : "");
	y += ui_put_wrapped(ui, y, x + WIZ_LABEL, width - WIZ_LABEL, ROLE_DIALOG,
	    line, 2);
	snprintf(line, sizeof line, "%s", w->account_exists ? "existing" :
	    w->text[WF_EMAIL].text[0] ? w->text[WF_EMAIL].text : "new, no contact");
	ui_put(ui, y, x, WIZ_LABEL, ROLE_LABEL, "Account:");
	ui_put(ui, y++, x + WIZ_LABEL, width - WIZ_LABEL, ROLE_DIALOG, line);
	snprintf(line, sizeof line, "%s: %s", wiz_method_names[w->method], detail);
	ui_put(ui, y, x, WIZ_LABEL, ROLE_LABEL, "Prove control by:");
	y += ui_put_wrapped(ui, y, x + WIZ_LABEL, width - WIZ_LABEL, ROLE_DIALOG,
	    line, 3);
	ui_put(ui, y, x, WIZ_LABEL, ROLE_LABEL, "Key type:");
	ui_put(ui, y++, x + WIZ_LABEL, width - WIZ_LABEL, ROLE_DIALOG,
	    wiz_key_types[w->key]);
	y = wiz_draw_review_deploy(ui, w, y, x, width);
	y++;
	if (w->edit[0] != '\0')
		return wiz_edit_draw_after(ui, w, y, x, width);
	ui_put(ui, y++, x, width, ROLE_TITLE, "Enter issues it. Its definition "
	    "goes into the config file only once it is issued.");
	return y;
}

void
wiz_draw_step(struct ui *ui, struct wizard *w, int y, int x, int width, int rows)
{
	char line[256];

	switch (w->step) {
	case WIZ_NAMES: y = wiz_draw_names(ui, w, y, x, width, rows); break;
	case WIZ_ACCOUNT: y = wiz_ca_draw(ui, w, y, x, width); break;
	case WIZ_PREFLIGHT: y = wiz_preflight_draw(ui, w, y, x, width, rows); break;
	case WIZ_PROVE: y = wiz_draw_prove(ui, w, y, x, width); break;
	case WIZ_KEY:
		y = wiz_draw_choice(ui, w, WF_KEY, y, x, width, "Key type:",
		    wiz_key_types[w->key]);
		snprintf(line, sizeof line, "%s", wiz_key_words[w->key]);
		ui_put(ui, y++, x + 2, width - 2, ROLE_DIM, line);
		y = wiz_ca_draw_profile(ui, w, y, x, width);
		break;
	case WIZ_DEPLOY:
		ui_put(ui, y++, x, width, ROLE_DIM, "Optional: after each issuance "
		    "and renewal, copies for the server, then a command");
		ui_put(ui, y++, x, width, ROLE_DIM, "(a program and its arguments, "
		    "run without a shell). Leave empty for none.");
		y++;
		y = wiz_draw_text(ui, w, WF_FULLCHAIN, y, x, width);
		y = wiz_draw_text(ui, w, WF_KEYCOPY, y, x, width);
		y = wiz_draw_text(ui, w, WF_OWNER, y, x, width);
		y = wiz_draw_text(ui, w, WF_GROUP, y, x, width);
		y = wiz_draw_text(ui, w, WF_MODE, y, x, width);
		ui_put(ui, y++, x + 2, width - 2, ROLE_DIM, "empty: certdeck's own "
		    "user and group, key 0600, full chain 0644; a mode is both copies'");
		y = wiz_draw_text(ui, w, WF_RELOAD, y, x, width);
		break;
	default: y = wiz_draw_review(ui, w, y, x, width); break;
	}
	ui_put_wrapped(ui, y + 1, x, width, ROLE_LOG_ERROR, w->note, 4);
}
