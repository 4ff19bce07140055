/*
 * config_table: every configuration setting in one table (see config_table.h),
 * the checks string settings go through, and the printed reference.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "config.h"
#include "config_table.h"
#include "deploy.h"
#include "esc.h"
#include "names.h"
#include "str.h"

static const char *const config_key_types[] = {
	"ec256", "ec384", "rsa2048", "rsa3072", "rsa4096", NULL
};
static const char *const config_challenges[] = {
	"http-01", "dns-01", "tls-alpn-01", "dns-persist-01", NULL
};

/* Sets "is not one of: a b c" for `value` against `list`; returns -1. */
static int
config_not_one_of(const char *value, const char *const *list, int empty_ok,
    struct err *err)
{
	char shown[64], all[128] = "";
	size_t i;

	if (empty_ok && *value == '\0')
		return 0;
	for (i = 0; list[i] != NULL; i++) {
		if (strcmp(value, list[i]) == 0)
			return 0;
		strncat(all, " ", sizeof all - strlen(all) - 1);
		strncat(all, list[i], sizeof all - strlen(all) - 1);
	}
	esc_buf(value, strlen(value), shown, sizeof shown);
	return err_set(err, ERR_CONFIG, "'%s' is not one of:%s", shown, all);
}

static int
config_check_key_type(const char *v, struct err *err)
{
	return config_not_one_of(v, config_key_types, 0, err);
}

static int
config_check_key_type_opt(const char *v, struct err *err)
{
	return config_not_one_of(v, config_key_types, 1, err);
}

/* "" or an octal mode no wider than 0777 ("0640"). */
static int
config_check_mode_opt(const char *v, struct err *err)
{
	int mode;

	/* deploy's own reading, so the file and the wizard agree. */
	return deploy_mode_parse(v, 0, &mode, err);
}

static int
config_check_challenge(const char *v, struct err *err)
{
	return config_not_one_of(v, config_challenges, 0, err);
}

/* Nothing below a space and no DEL: such a value would be a trap in a
 * header, a file name or a log line. */
static int
config_check_printable(const char *v, struct err *err)
{
	char shown[64];

	for (; *v != '\0'; v++) {
		if ((unsigned char)*v <= ' ' || *v == 0x7f) {
			esc_buf(v, 1, shown, sizeof shown);
			return err_set(err, ERR_CONFIG, "character '%s' is "
			    "not allowed here", shown);
		}
	}
	return 0;
}

static int
config_check_email(const char *v, struct err *err)
{
	const char *at = strchr(v, '@');

	if (*v == '\0')
		return 0;
	if (config_check_printable(v, err) != 0)
		return -1;
	if (at == NULL || at == v || at[1] == '\0' || strchr(at + 1, '@') ||
	    strlen(v) > 254)
		return err_set(err, ERR_CONFIG, "not an e-mail address "
		    "(like admin@example.com)");
	return 0;
}

static int
config_check_abs_path(const char *v, struct err *err)
{
	if (*v != '/')
		return err_set(err, ERR_CONFIG, "must be an absolute path "
		    "(starting with '/')");
	return 0;
}

static int
config_check_abs_path_opt(const char *v, struct err *err)
{
	return *v == '\0' ? 0 : config_check_abs_path(v, err);
}

static int
config_check_bind(const char *v, struct err *err)
{
	unsigned char addr[16];

	if (*v == '\0' || inet_pton(AF_INET, v, addr) == 1 ||
	    inet_pton(AF_INET6, v, addr) == 1)
		return 0;
	return err_set(err, ERR_CONFIG, "must be an IPv4 or IPv6 address, "
	    "or \"\" for all addresses");
}

static int
config_check_file_name(const char *v, struct err *err)
{
	return names_cert_name_ok(v, err);
}

static int
config_check_file_name_opt(const char *v, struct err *err)
{
	return *v == '\0' ? 0 : names_cert_name_ok(v, err);
}

static int
config_check_https(const char *v, struct err *err)
{
	if (*v == '\0')
		return 0;
	if (config_check_printable(v, err) != 0)
		return -1;
	if (strncmp(v, "https://", 8) != 0 || v[8] == '\0' || v[8] == '/')
		return err_set(err, ERR_CONFIG, "must be an https:// URL");
	return 0;
}

static int
config_check_b64url_opt(const char *v, struct err *err)
{
	if (*v == '\0' || b64url_is_valid(v))
		return 0;
	return err_set(err, ERR_CONFIG, "must be base64url (A-Z a-z 0-9 - _, "
	    "no padding)");
}

#define G(f) offsetof(struct config, f)
#define A(f) offsetof(struct config_ca, f)
#define C(f) offsetof(struct config_cert, f)

static const struct config_entry config_table[] = {
	{ .name = "email", .type = CONFIG_T_STRING, .scope = CONFIG_GLOBAL,
	  .dflt = "", .check = config_check_email, .off = G(email),
	  .help = "Default contact address for CA accounts (\"\" for none)." },
	{ .name = "key_type", .type = CONFIG_T_STRING, .scope = CONFIG_GLOBAL,
	  .dflt = "ec256", .check = config_check_key_type, .off = G(key_type),
	  .help = "Certificate keys: ec256 ec384 rsa2048 rsa3072 rsa4096." },
	{ .name = "account_key_type", .type = CONFIG_T_STRING,
	  .scope = CONFIG_GLOBAL, .dflt = "ec256", .check = config_check_key_type,
	  .off = G(account_key_type),
	  .help = "Key of each new account (and of a rollover's new key): "
	  "ec256 (ES256) ec384 (ES384) rsa2048 rsa3072 rsa4096 (RS256); an "
	  "account keeps the key it has." },
	{ .name = "agree_tos", .type = CONFIG_T_BOOL, .scope = CONFIG_GLOBAL,
	  .dflt = "false", .off = G(agree_tos),
	  .help = "true: agree to a CA's terms of service when registering, "
	  "as --agree-tos does (read them first)." },
	{ .name = "ca", .type = CONFIG_T_STRING, .scope = CONFIG_GLOBAL,
	  .dflt = "letsencrypt", .check = config_check_file_name, .off = G(ca),
	  .help = "Default CA: the name of an entry in cas, or a preset." },
	{ .name = "state_dir", .type = CONFIG_T_STRING, .scope = CONFIG_GLOBAL,
	  .dflt = "/var/lib/certdeck", .check = config_check_abs_path,
	  .off = G(state_dir),
	  .help = "Where accounts, keys and certificates are kept." },
	{ .name = "renew_fraction", .type = CONFIG_T_NUMBER,
	  .scope = CONFIG_GLOBAL, .dflt = "0.333", .min = 0.01, .max = 0.99,
	  .off = G(renew_fraction),
	  .help = "Renew when less than this share of the lifetime is "
	  "left." },
	{ .name = "renew_days", .type = CONFIG_T_INT, .scope = CONFIG_GLOBAL,
	  .dflt = "0", .min = 0, .max = 365, .off = G(renew_days),
	  .help = "Renew this many days before expiry instead (0: use "
	  "renew_fraction)." },
	{ .name = "max_jobs", .type = CONFIG_T_INT, .scope = CONFIG_GLOBAL,
	  .dflt = "8", .min = 1, .max = 64, .off = G(max_jobs),
	  .help = "Jobs (orders, renewals...) running at once." },
	{ .name = "step_timeout", .type = CONFIG_T_INT, .scope = CONFIG_GLOBAL,
	  .dflt = "90", .min = 5, .max = 3600, .off = G(step_timeout),
	  .help = "Seconds a job waits on one order step (polling)." },
	{ .name = "http_port", .type = CONFIG_T_INT, .scope = CONFIG_GLOBAL,
	  .dflt = "80", .min = 1, .max = 65535, .off = G(http_port),
	  .help = "Port of the built-in http-01 responder; the wizard's "
	    "preflight fetches a web root's test file on it too (the port "
	    "the CA validates http-01 on)." },
	{ .name = "tls_port", .type = CONFIG_T_INT, .scope = CONFIG_GLOBAL,
	  .dflt = "443", .min = 1, .max = 65535, .off = G(tls_port),
	  .help = "Port of the built-in tls-alpn-01 responder." },
	{ .name = "http_bind", .type = CONFIG_T_STRING, .scope = CONFIG_GLOBAL,
	  .dflt = "", .check = config_check_bind, .off = G(http_bind),
	  .help = "Address of the built-in http-01 responder (\"\": all "
	  "addresses)." },
	{ .name = "dns_hook", .type = CONFIG_T_STRING, .scope = CONFIG_GLOBAL,
	  .dflt = "", .off = G(dns_hook),
	  .help = "dns-01: absolute path of the program run as 'HOOK add|del FQDN "
	  "RECORD_NAME VALUE' to set and remove the TXT record (no shell)." },
	{ .name = "dns_resolver", .type = CONFIG_T_STRING, .scope = CONFIG_GLOBAL,
	  .dflt = "", .off = G(dns_resolver),
	  .help = "dns-01 and dns-persist-01: resolver (ADDR:PORT) asked until the "
	  "record is visible (\"\": dns-01 trusts the hook, dns-persist-01 asks "
	  "the system's resolver); the wizard's preflight asks it for "
	  "addresses and CAA records." },
	{ .name = "notify_webhook", .type = CONFIG_T_STRING, .scope = CONFIG_GLOBAL,
	  .dflt = "", .off = G(notify_webhook),
	  .help = "https URL that gets a JSON POST when a renewal fails, a "
	  "certificate is in its last days or an endpoint serves a stale one." },
	{ .name = "notify_program", .type = CONFIG_T_STRING, .scope = CONFIG_GLOBAL,
	  .dflt = "", .check = config_check_abs_path_opt, .off = G(notify_program),
	  .help = "Program run as 'PROGRAM EVENT NAME MESSAGE' (no shell) for "
	  "the same." },
	{ .name = "notify_mail", .type = CONFIG_T_STRING, .scope = CONFIG_GLOBAL,
	  .dflt = "", .off = G(notify_mail),
	  .help = "Address mailed through the local /usr/sbin/sendmail for "
	  "the same." },
	{ .name = "metrics_file", .type = CONFIG_T_STRING, .scope = CONFIG_GLOBAL,
	  .dflt = "", .check = config_check_abs_path_opt, .off = G(metrics_file),
	  .help = "Prometheus text file written after every run, for "
	  "node_exporter's textfile collector (\"\": none)." },
	{ .name = "theme", .type = CONFIG_T_STRING, .scope = CONFIG_GLOBAL,
	  .dflt = "default", .check = config_check_file_name, .off = G(theme),
	  .help = "Colour theme: a file name in the themes folder, without "
	  ".theme." },
	{ .name = "cas", .type = CONFIG_T_GROUPS, .scope = CONFIG_GLOBAL,
	  .child = CONFIG_CA, .dflt = "()",
	  .help = "CAs beyond the presets, or presets with settings of "
	  "their own." },
	{ .name = "certificates", .type = CONFIG_T_GROUPS,
	  .scope = CONFIG_GLOBAL, .child = CONFIG_CERT, .dflt = "()",
	  .help = "The certificates to obtain and renew." },

	{ .name = "name", .type = CONFIG_T_STRING, .scope = CONFIG_CA,
	  .check = config_check_file_name, .off = A(name),
	  .help = "Name used by ca settings (a preset's name adds to the "
	  "preset)." },
	{ .name = "directory", .type = CONFIG_T_STRING, .scope = CONFIG_CA,
	  .dflt = "", .check = config_check_https, .off = A(directory),
	  .help = "ACME directory URL, https only (\"\": the preset's)." },
	{ .name = "ca_bundle", .type = CONFIG_T_STRING, .scope = CONFIG_CA,
	  .dflt = "", .check = config_check_abs_path_opt, .off = A(ca_bundle),
	  .help = "PEM file of extra roots trusted for this CA only." },
	{ .name = "eab_kid", .type = CONFIG_T_STRING, .scope = CONFIG_CA,
	  .dflt = "", .check = config_check_printable, .off = A(eab_kid),
	  .help = "External account binding key id, from the CA." },
	{ .name = "eab_hmac_key", .type = CONFIG_T_STRING, .scope = CONFIG_CA,
	  .dflt = "", .check = config_check_b64url_opt,
	  .off = A(eab_hmac_key),
	  .help = "External account binding HMAC key (base64url), from the "
	  "CA." },
	{ .name = "email", .type = CONFIG_T_STRING, .scope = CONFIG_CA,
	  .dflt = "", .check = config_check_email, .off = A(email),
	  .help = "Contact for this CA (\"\": the global email)." },
	{ .name = "account_key_type", .type = CONFIG_T_STRING, .scope = CONFIG_CA,
	  .dflt = "", .check = config_check_key_type_opt,
	  .off = A(account_key_type),
	  .help = "Key of new accounts at this CA (\"\": the global "
	  "account_key_type)." },
	{ .name = "agree_tos", .type = CONFIG_T_BOOL, .scope = CONFIG_CA,
	  .dflt = "false", .off = A(agree_tos),
	  .help = "Agree to this CA's terms of service when registering (left "
	  "out: the global agree_tos)." },

	{ .name = "name", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .check = config_check_file_name, .off = C(name),
	  .help = "Name of the certificate in the store and on screen." },
	{ .name = "domains", .type = CONFIG_T_NAMES, .scope = CONFIG_CERT,
	  .help = "DNS names (\"*.\" for a wildcard, IDNs allowed) and IP "
	  "addresses; at most 100." },
	{ .name = "ca", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .dflt = "", .check = config_check_file_name_opt, .off = C(ca),
	  .help = "CA to issue and renew it at, with that CA's trust, contact "
	  "and binding (\"\": the global ca)." },
	{ .name = "challenge", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .dflt = "http-01", .check = config_check_challenge,
	  .off = C(challenge), .help = "http-01, tls-alpn-01, dns-01 or dns-persist-01." },
	{ .name = "key_type", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .dflt = "", .check = config_check_key_type_opt, .off = C(key_type),
	  .help = "Certificate key (\"\": the global key_type)." },
	{ .name = "webroot", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .dflt = "", .check = config_check_abs_path_opt, .off = C(webroot),
	  .help = "http-01 through files under this folder (\"\": the "
	  "built-in responder)." },
	{ .name = "deploy_cert", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .dflt = "", .check = config_check_abs_path_opt, .off = C(deploy[0]),
	  .help = "After each issuance, copy the certificate here (atomically)." },
	{ .name = "deploy_chain", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .dflt = "", .check = config_check_abs_path_opt, .off = C(deploy[1]),
	  .help = "... the chain (intermediates) here." },
	{ .name = "deploy_fullchain", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .dflt = "", .check = config_check_abs_path_opt, .off = C(deploy[2]),
	  .help = "... the certificate followed by the chain here." },
	{ .name = "deploy_key", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .dflt = "", .check = config_check_abs_path_opt, .off = C(deploy[3]),
	  .help = "... the private key here." },
	{ .name = "deploy_combined", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .dflt = "", .check = config_check_abs_path_opt, .off = C(deploy[4]),
	  .help = "... the key followed by the full chain here (HAProxy)." },
	{ .name = "deploy_owner", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .dflt = "", .off = C(deploy_owner),
	  .help = "Owner of the copies (user name or number; \"\": certdeck's "
	  "user)." },
	{ .name = "deploy_group", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .dflt = "", .off = C(deploy_group),
	  .help = "Group of the copies (group name or number; \"\": "
	  "certdeck's group)." },
	{ .name = "deploy_mode", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .dflt = "", .check = config_check_mode_opt, .off = C(deploy_mode),
	  .help = "Mode of every copy, key and certificates alike, octal "
	  "(\"\": 0600 for keys, 0644 for certificates)." },
	{ .name = "reload", .type = CONFIG_T_STRINGS, .scope = CONFIG_CERT,
	  .dflt = "", .off = C(reload),
	  .help = "Command run after the copies, as argv, never through a shell "
	  "(e.g. [ \"/usr/sbin/nginx\", \"-s\", \"reload\" ]); 60 s at most." },
	{ .name = "endpoints", .type = CONFIG_T_ENDPOINTS, .scope = CONFIG_CERT,
	  .dflt = "()", .off = C(endpoints),
	  .help = "Where the certificate is served, checked after each deploy and "
	  "by 'certdeck probe': ( { address = \"HOST:PORT\"; sni = \"NAME\"; } ) "
	  "(\"[::1]:443\" for IPv6; sni: the first name when left out)." },
	{ .name = "notify", .type = CONFIG_T_BOOL, .scope = CONFIG_CERT,
	  .dflt = "true", .off = C(notify),
	  .help = "false: no notices at all for this certificate, whatever "
	  "the global notify_* say." },
	{ .name = "notify_webhook", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .dflt = "", .off = C(notify_webhook),
	  .help = "This certificate's notices go to this URL (a JSON POST) "
	  "instead of the global channels; any notify_* set here replaces "
	  "all three global ones for it." },
	{ .name = "notify_program", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .dflt = "", .check = config_check_abs_path_opt, .off = C(notify_program),
	  .help = "... or to this program, run as for the global one." },
	{ .name = "notify_mail", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .dflt = "", .off = C(notify_mail),
	  .help = "... or mailed to this address." },
	{ .name = "profile", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .dflt = "", .off = C(profile),
	  .help = "The CA's certificate profile (\"\": its default)." },
	{ .name = "preferred_chain", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .dflt = "", .off = C(preferred_chain),
	  .help = "Of the chains the CA offers, the one whose top is issued by "
	  "this name (\"\": the default chain)." },
	{ .name = "dns_hook", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .dflt = "", .off = C(dns_hook),
	  .help = "dns-01: this certificate's hook, for names whose DNS another "
	  "provider serves (\"\": the global dns_hook)." },
	{ .name = "dns_resolver", .type = CONFIG_T_STRING, .scope = CONFIG_CERT,
	  .dflt = "", .off = C(dns_resolver),
	  .help = "dns-01: resolver (ADDR:PORT) to wait on for this "
	  "certificate's records (\"\": the global dns_resolver)." },
};

#undef G
#undef A
#undef C

#define CONFIG_NTABLE (sizeof config_table / sizeof config_table[0])

static const char *const config_scope_names[] = {
	"Global settings", "Settings of each cas entry",
	"Settings of each certificates entry"
};

static const char *const config_type_names[] = {
	"string", "integer", "number", "list", "list", "strings", "list", "boolean"
};

const struct config_entry *
config_entry_find(const char *name, enum config_scope scope)
{
	size_t i;

	for (i = 0; i < CONFIG_NTABLE; i++) {
		if (config_table[i].scope == scope &&
		    strcmp(config_table[i].name, name) == 0)
			return &config_table[i];
	}
	return NULL;
}

const struct config_entry *
config_entries(size_t *n)
{
	*n = CONFIG_NTABLE;
	return config_table;
}

int
config_scope_defaults(enum config_scope scope, void *base, struct err *err)
{
	const struct config_entry *e;
	char *p = base;
	size_t i;

	for (i = 0; i < CONFIG_NTABLE; i++) {
		e = &config_table[i];
		if (e->scope != scope || e->dflt == NULL)
			continue;
		switch (e->type) {
		case CONFIG_T_STRING:
			if (str_set((char **)(p + e->off), e->dflt,
			    err) != 0)
				return -1;
			break;
		case CONFIG_T_INT:
			*(int *)(p + e->off) = atoi(e->dflt);
			break;
		case CONFIG_T_NUMBER:
			*(double *)(p + e->off) = strtod(e->dflt, NULL);
			break;
		case CONFIG_T_BOOL:
			*(int *)(p + e->off) = strcmp(e->dflt, "true") == 0;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* One line for entry `e`: name, type, default and range. */
static void
config_print_entry(FILE *out, const struct config_entry *e)
{
	fprintf(out, "  %-15s %-8s ", e->name, config_type_names[e->type]);
	if (e->dflt == NULL)
		fprintf(out, "(required)");
	else if (e->type == CONFIG_T_STRING)
		fprintf(out, "default \"%s\"", e->dflt);
	else
		fprintf(out, "default %s", e->dflt);
	if (e->type == CONFIG_T_INT || e->type == CONFIG_T_NUMBER)
		fprintf(out, ", %g to %g", e->min, e->max);
	fprintf(out, "\n      %s\n", e->help);
}

void
config_print_reference(FILE *out)
{
	const struct config_preset *p;
	size_t i, n;
	int scope;

	fprintf(out, "Configuration file settings (libconfig: name = value;)"
	    "\n");
	for (scope = CONFIG_GLOBAL; scope <= CONFIG_CERT; scope++) {
		fprintf(out, "\n%s:\n", config_scope_names[scope]);
		for (i = 0; i < CONFIG_NTABLE; i++) {
			if ((int)config_table[i].scope == scope)
				config_print_entry(out, &config_table[i]);
		}
	}
	fprintf(out, "\nPresets (usable as ca without a cas entry):\n");
	p = config_presets(&n);
	for (i = 0; i < n; i++)
		fprintf(out, "  %-20s %s\n      %s\n", p[i].name,
		    p[i].directory, p[i].notes);
}
