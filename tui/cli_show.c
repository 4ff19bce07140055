/*
 * cli_show: read-only commands: list, show, account show. They read the
 * store directly (every write there is atomic, so no lock is needed) and
 * never start the engine.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "account.h"
#include "certrec.h"
#include "cli.h"
#include "crypto.h"
#include "due.h"
#include "esc.h"
#include "json.h"
#include "names.h"
#include "status.h"
#include "store.h"

#define SHOW_DOC_MAX (256 * 1024)

/* What list and show print about one certificate. */
struct show_cert {
	struct certrec rec;
	struct crypto_cert_info info;
	int have_info;
	int version;
};

static void
show_cert_free(struct show_cert *sc)
{
	certrec_free(&sc->rec);
	if (sc->have_info)
		crypto_cert_info_free(&sc->info);
}

static int
show_cert_load(struct store *s, const char *name, struct show_cert *sc, struct err *err)
{
	struct store_cert_files f;
	int rc;

	memset(sc, 0, sizeof *sc);
	if (certrec_load(s, name, &sc->rec, err) < 0 ||
	    store_cert_current_version(s, name, &sc->version, err) != 0)
		return -1;
	if (sc->version == 0)
		return 0;
	memset(&f, 0, sizeof f);
	if (store_cert_load(s, name, 0, &f, err) != 0)
		return -1;
	rc = crypto_cert_parse_pem(f.cert, strlen(f.cert), &sc->info, err);
	store_cert_files_free(&f);
	if (rc == 0)
		sc->have_info = 1;
	return rc;
}

/* The status a person needs, by the rules the screens use too. */
static const char *
show_status(const struct show_cert *sc, time_t now, double fraction, int days)
{
	struct status_input in = {
		.status = sc->rec.status,
		.unmanaged = sc->rec.unmanaged,
		.last_error = sc->rec.last_error,
		.have_cert = sc->have_info,
		.not_before = sc->have_info ? sc->info.not_before : 0,
		.not_after = sc->have_info ? sc->info.not_after : 0,
		.renew_fraction = fraction,
		.renew_days = days,
	};

	return status_name(status_of(&in, now));
}

static long
show_days_left(const struct show_cert *sc, time_t now)
{
	return sc->have_info ? (long)((sc->info.not_after - now) / 86400) : 0;
}

static void
show_date(time_t t, char *out, size_t outsz)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outsz, "%Y-%m-%d", &tm);
}

static json_t *
show_cert_json(const struct show_cert *sc, const char *name, time_t now, double fraction,
    int days)
{
	json_t *o = json_object(), *names = json_array();
	char why[300];
	time_t next;
	size_t i;

	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "status", json_string(show_status(sc, now, fraction, days)));
	for (i = 0; i < sc->rec.n_domains; i++)
		json_array_append_new(names, json_string(sc->rec.domains[i]));
	json_object_set_new(o, "domains", names);
	json_object_set_new(o, "version", json_integer(sc->version));
	if (sc->rec.directory != NULL)
		json_object_set_new(o, "directory", json_string(sc->rec.directory));
	if (sc->have_info) {
		json_object_set_new(o, "not_before", json_integer(sc->info.not_before));
		json_object_set_new(o, "not_after", json_integer(sc->info.not_after));
		json_object_set_new(o, "days_left", json_integer(show_days_left(sc, now)));
		json_object_set_new(o, "issuer", json_string(sc->info.issuer));
		json_object_set_new(o, "serial", json_string(sc->info.serial_hex));
		json_object_set_new(o, "sha256", json_string(sc->info.sha256_hex));
		json_object_set_new(o, "key_type", json_string(sc->info.key_type));
	}
	if (sc->rec.last_error != NULL)
		json_object_set_new(o, "last_error", json_string(sc->rec.last_error));
	if (sc->rec.revoked_reason >= 0)
		json_object_set_new(o, "revoked_reason", json_integer(sc->rec.revoked_reason));
	if ((next = due_forecast(&sc->rec, fraction, days, now, why, sizeof why)) > 0)
		json_object_set_new(o, "next_renewal", json_integer(next));
	json_object_set_new(o, "next_renewal_why", json_string(why));
	if (sc->rec.deployed_version > 0)
		json_object_set_new(o, "deployed_version", json_integer(sc->rec.deployed_version));
	if (sc->rec.deploy_error != NULL)
		json_object_set_new(o, "deploy_error", json_string(sc->rec.deploy_error));
	if (sc->rec.n_endpoints > 0)
		json_object_set_new(o, "endpoints", certrec_endpoints_json(&sc->rec));
	return o;
}

/* Each endpoint as last probed: address, SNI, state, what is served. */
static void
show_endpoints(const struct certrec *rec)
{
	char when[32];
	struct tm tm;
	size_t i;

	for (i = 0; i < rec->n_endpoints; i++) {
		const struct certrec_endpoint *ep = &rec->endpoints[i];

		gmtime_r(&ep->checked, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
		printf("%-14s%s (SNI %s): %s: %s (%s)\n", i ? "" : "endpoints:", ep->address,
		    ep->sni && *ep->sni ? ep->sni : "none", endpoint_state_name(ep->state),
		    ep->detail ? ep->detail : "-", when);
	}
}

static void
show_list_row(const struct show_cert *sc, const char *name, time_t now, double fraction,
    int days)
{
	char expires[16] = "-", domains[80], issuer[40] = "-";

	if (sc->have_info) {
		show_date(sc->info.not_after, expires, sizeof expires);
		esc_buf(sc->info.issuer_cn ? sc->info.issuer_cn : sc->info.issuer,
		    strlen(sc->info.issuer_cn ? sc->info.issuer_cn : sc->info.issuer),
		    issuer, sizeof issuer);
	}
	if (sc->rec.n_domains > 1)
		snprintf(domains, sizeof domains, "%s +%zu", sc->rec.domains[0],
		    sc->rec.n_domains - 1);
	else
		snprintf(domains, sizeof domains, "%s",
		    sc->rec.n_domains ? sc->rec.domains[0] : "-");
	printf("%-24s %-9s %5ld  %-10s  %-32s %s\n", name, show_status(sc, now, fraction, days),
	    show_days_left(sc, now), expires, domains, issuer);
}

int
cli_list(const struct cli *c)
{
	struct store *s;
	struct show_cert sc;
	struct err err;
	char **names = NULL;
	size_t n = 0, i;
	time_t now = time(NULL);
	json_t *arr = c->json ? json_array() : NULL;
	double fraction = c->renew_fraction > 0 ? c->renew_fraction : 1.0 / 3;

	if ((s = store_open(c->state_dir, &err)) == NULL ||
	    store_cert_list(s, &names, &n, &err) != 0) {
		fprintf(stderr, "certdeck: %s\n", err.msg);
		store_close(s);
		return CLI_FAILED;
	}
	if (!c->json && n > 0)
		printf("%-24s %-9s %5s  %-10s  %-32s %s\n", "NAME", "STATUS", "DAYS",
		    "EXPIRES", "DOMAINS", "ISSUER");
	for (i = 0; i < n; i++) {
		if (show_cert_load(s, names[i], &sc, &err) != 0)
			fprintf(stderr, "certdeck: %s: %s\n", names[i], err.msg);
		else if (c->json)
			json_array_append_new(arr, show_cert_json(&sc, names[i], now, fraction, c->renew_days));
		else
			show_list_row(&sc, names[i], now, fraction, c->renew_days);
		show_cert_free(&sc);
	}
	if (c->json) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(arr);
	}
	store_names_free(names, n);
	store_close(s);
	return CLI_OK;
}

static void
show_versions(struct store *s, const char *name)
{
	int *versions = NULL;
	size_t n = 0, i;

	if (store_cert_versions(s, name, &versions, &n, NULL) != 0 || n == 0) {
		free(versions);
		return;
	}
	printf("%-14s", "versions:");
	for (i = 0; i < n; i++)
		printf("%s%d", i ? ", " : "", versions[i]);
	printf("\n");
	free(versions);
}

/* One name; an IDN both ways, as the detail screen shows it: the
 * Unicode form a person typed and the A-label the certificate holds. */
static void
show_domain(const char *label, const char *name)
{
	struct names_id id;

	if (strstr(name, "xn--") != NULL && names_parse(name, &id, NULL) == 0 &&
	    strcmp(id.display, id.value) != 0)
		printf("%-14s%s (%s)\n", label, id.display, id.value);
	else
		printf("%-14s%s\n", label, name);
}

static void
show_cert_text(struct store *s, const struct show_cert *sc, const char *name,
    time_t now, double fraction, int days)
{
	char a[16], b[16], text[700];
	size_t i;

	printf("%-14s%s\n", "name:", name);
	printf("%-14s%s\n", "status:", show_status(sc, now, fraction, days));
	for (i = 0; i < sc->rec.n_domains; i++)
		show_domain(i ? "" : "domains:", sc->rec.domains[i]);
	if (sc->have_info) {
		show_date(sc->info.not_before, a, sizeof a);
		show_date(sc->info.not_after, b, sizeof b);
		printf("%-14s%s to %s (%ld days left)\n", "valid:", a, b,
		    show_days_left(sc, now));
		esc_buf(sc->info.issuer, strlen(sc->info.issuer), text, sizeof text);
		printf("%-14s%s\n", "issuer:", text);
		printf("%-14s%s\n", "serial:", sc->info.serial_hex);
		printf("%-14s%s\n", "sha256:", sc->info.sha256_hex);
		printf("%-14s%s\n", "key:", sc->info.key_type);
		printf("%-14s%s/live/%s/fullchain.pem\n", "files:", store_path(s), name);
	}
	printf("%-14s%d\n", "version:", sc->version);
	show_versions(s, name);
	if (sc->rec.directory != NULL)
		printf("%-14s%s\n", "ca:", sc->rec.directory);
	if (sc->rec.revoked_reason >= 0)
		printf("%-14s%d\n", "revoked:", sc->rec.revoked_reason);
	if (sc->rec.last_error != NULL)
		printf("%-14s%s\n", "last error:", sc->rec.last_error);
	due_describe(&sc->rec, fraction, days, now, text, sizeof text);
	printf("%-14s%s\n", "next renewal:", text);
	if (sc->rec.deployed_version > 0 || sc->rec.deploy_error != NULL)
		printf("%-14sversion %d%s%s\n", "deployed:", sc->rec.deployed_version,
		    sc->rec.deploy_error ? "; last attempt failed: " : "",
		    sc->rec.deploy_error ? sc->rec.deploy_error : "");
	show_endpoints(&sc->rec);
}

int
cli_show(const struct cli *c)
{
	struct store *s;
	struct show_cert sc;
	struct err err;
	double fraction = c->renew_fraction > 0 ? c->renew_fraction : 1.0 / 3;
	int rc = CLI_FAILED;

	if (c->n_args != 1) {
		fprintf(stderr, "certdeck: usage: certdeck show NAME [--json]\n");
		return CLI_USAGE;
	}
	if ((s = store_open(c->state_dir, &err)) == NULL) {
		fprintf(stderr, "certdeck: %s\n", err.msg);
		return CLI_FAILED;
	}
	if (show_cert_load(s, c->args[0], &sc, &err) != 0)
		fprintf(stderr, "certdeck: %s: %s\n", c->args[0], err.msg);
	else if (sc.version == 0 && sc.rec.name == NULL)
		fprintf(stderr, "certdeck: no certificate named %s in %s\n", c->args[0],
		    store_path(s));
	else {
		if (c->json) {
			json_t *o = show_cert_json(&sc, c->args[0], time(NULL), fraction, c->renew_days);

			json_dumpf(o, stdout, JSON_INDENT(2));
			putchar('\n');
			json_decref(o);
		} else
			show_cert_text(s, &sc, c->args[0], time(NULL), fraction, c->renew_days);
		rc = CLI_OK;
	}
	show_cert_free(&sc);
	store_close(s);
	return rc;
}

static void
show_account(struct store *s, const char *ca, const char *acct)
{
	struct account_rec rec;
	struct err err;
	size_t i;

	if (account_load(s, ca, acct, &rec, &err) != 1 || rec.url == NULL) {
		printf("%s/%s: not registered (no account record)\n\n", ca, acct);
		account_rec_free(&rec);
		return;
	}
	printf("%-12s%s\n", "account:", acct);
	printf("%-12s%s\n", "url:", rec.url);
	printf("%-12s%s\n", "ca:", rec.directory ? rec.directory : ca);
	printf("%-12s%s\n", "status:", rec.status ? rec.status : "-");
	printf("%-12s%s (%s)\n", "key:", rec.key_type ? rec.key_type : "-",
	    rec.key_file ? rec.key_file : "key.pem");
	if (rec.pending_key != NULL)
		printf("%-12s%s (a key change went unanswered: the next run asks "
		    "the CA which key it has)\n", "pending:", rec.pending_key);
	printf("%-12s%s\n", "created:", rec.created ? rec.created : "-");
	for (i = 0; i < rec.n_contacts; i++)
		printf("%-12s%s\n", i ? "" : "contact:", rec.contacts[i]);
	printf("\n");
	account_rec_free(&rec);
}

int
cli_account_show(const struct cli *c)
{
	struct store *s;
	struct err err;
	char **cas = NULL, **accts;
	size_t n = 0, m, i, j;

	if ((s = store_open(c->state_dir, &err)) == NULL) {
		fprintf(stderr, "certdeck: %s\n", err.msg);
		return CLI_FAILED;
	}
	if (store_dir_list(s, "accounts", &cas, &n, &err) != 0 && errno != ENOENT) {
		fprintf(stderr, "certdeck: %s\n", err.msg);
		store_close(s);
		return CLI_FAILED;
	}
	if (n == 0)
		printf("no accounts in %s ('certdeck account register' creates one)\n",
		    store_path(s));
	for (i = 0; i < n; i++) {
		char path[256];

		snprintf(path, sizeof path, "accounts/%s", cas[i]);
		if (store_dir_list(s, path, &accts, &m, NULL) != 0)
			continue;
		for (j = 0; j < m; j++)
			show_account(s, cas[i], accts[j]);
		store_names_free(accts, m);
	}
	store_names_free(cas, n);
	store_close(s);
	return CLI_OK;
}
