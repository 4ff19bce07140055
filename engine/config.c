/*
 * config: the configuration file (see config.h).
 *
 * The table in config_table.c is the one list of settings. Loading walks the
 * file's settings and looks each up in the table for its scope (global, a
 * cas entry, a certificates entry): unknown ones become warnings, known
 * ones are type- and range-checked and stored through the entry's offset.
 * Everything is built in a scratch struct that replaces the caller's only
 * when the whole file has passed, so a bad file changes nothing.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "config.h"
#include "config_endpoint.h"
#include "config_file.h"
#include "config_table.h"
#include "esc.h"
#include "names.h"
#include "str.h"

/* What one load is working on. */
struct config_ctx {
	const char	*path;
	struct config	*c;	/* the scratch struct */
	struct err	*err;
};

/* Lists nest: a cas or certificates entry is applied like the top. */
static int config_load_entries(struct config_ctx *x,
    const struct config_entry *e, const config_setting_t *s, void *base);
static int config_load_strings(struct config_ctx *x,
    const struct config_entry *e, const config_setting_t *s, void *base);
static int config_load_domains(struct config_ctx *x,
    const struct config_entry *e, const config_setting_t *s, void *base);

static int
config_setting_vfail(const char *path, const config_setting_t *s, struct err *err,
    const char *fmt, va_list ap)
{
	char msg[ERR_MSG_MAX];

	vsnprintf(msg, sizeof msg, fmt, ap);
	return err_set(err, ERR_CONFIG, "%s:%u: %s", path, config_setting_source_line(s),
	    msg);
}

int
config_setting_fail(const char *path, const config_setting_t *s, struct err *err,
    const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = config_setting_vfail(path, s, err, fmt, ap);
	va_end(ap);
	return rc;
}

/* Sets "FILE:LINE: message" for setting `s`; returns -1. */
static int __attribute__((format(printf, 3, 4)))
config_fail(struct config_ctx *x, const config_setting_t *s,
    const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = config_setting_vfail(x->path, s, x->err, fmt, ap);
	va_end(ap);
	return rc;
}

/* Puts "FILE:LINE: 'name'" in front of the error a check left. */
static int
config_fail_prefix(struct config_ctx *x, const config_setting_t *s,
    const char *name)
{
	return err_prefix(x->err, "%s:%u: '%s'", x->path,
	    config_setting_source_line(s), name);
}

static int
config_set_number(struct config_ctx *x, const struct config_entry *e,
    const config_setting_t *s, char *p)
{
	int type = config_setting_type(s);
	double v;

	if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64)
		v = (double)config_setting_get_int64(s);
	else if (type == CONFIG_TYPE_FLOAT && e->type == CONFIG_T_NUMBER)
		v = config_setting_get_float(s);
	else
		return config_fail(x, s, "'%s' must be %s", e->name,
		    e->type == CONFIG_T_INT ? "an integer" : "a number");
	if (!(v >= e->min && v <= e->max))
		return config_fail(x, s, "'%s' must be between %g and %g "
		    "(not %g)", e->name, e->min, e->max, v);
	if (e->type == CONFIG_T_INT)
		*(int *)(p + e->off) = (int)v;
	else
		*(double *)(p + e->off) = v;
	return 0;
}

/* Checks and stores one known setting `s` into `base`. */
static int
config_set(struct config_ctx *x, const struct config_entry *e,
    const config_setting_t *s, void *base)
{
	const char *v;
	char *p = base;

	switch (e->type) {
	case CONFIG_T_STRING:
		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			return config_fail(x, s, "'%s' must be a string "
			    "(in double quotes)", e->name);
		v = config_setting_get_string(s);
		if (e->check != NULL && e->check(v, x->err) != 0)
			return config_fail_prefix(x, s, e->name);
		if (str_set((char **)(p + e->off), v, x->err) != 0)
			return -1;
		return 0;
	case CONFIG_T_INT:
	case CONFIG_T_NUMBER:
		return config_set_number(x, e, s, p);
	case CONFIG_T_BOOL:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return config_fail(x, s, "'%s' must be true or false",
			    e->name);
		*(int *)(p + e->off) = config_setting_get_bool(s);
		return 0;
	default:
		break;
	}
	if (!config_setting_is_list(s) && !config_setting_is_array(s))
		return config_fail(x, s, "'%s' must be a list ( ( ... ) or "
		    "[ ... ] )", e->name);
	if (e->type == CONFIG_T_NAMES)
		return config_load_domains(x, e, s, base);
	if (e->type == CONFIG_T_STRINGS)
		return config_load_strings(x, e, s, base);
	if (e->type == CONFIG_T_ENDPOINTS)
		return config_endpoints_load(x->path, s, base, x->err);
	return config_load_entries(x, e, s, base);
}

/* Adds `line` to the warnings the front end shows once after loading. */
static int
config_warn(struct config *c, const char *line, struct err *err)
{
	char **w;

	w = reallocarray(c->warnings, c->n_warnings + 1, sizeof *w);
	if (w == NULL)
		return err_nomem(err, "a configuration warning");
	c->warnings = w;
	if ((w[c->n_warnings] = strdup(line)) == NULL)
		return err_nomem(err, "a configuration warning");
	c->n_warnings++;
	return 0;
}

/* Records a warning for a setting nobody knows. */
static int
config_warn_unknown(struct config_ctx *x, const config_setting_t *s,
    enum config_scope scope)
{
	char line[ERR_MSG_MAX];

	snprintf(line, sizeof line, "%s:%u: unknown setting '%s'%s ignored",
	    x->path, config_setting_source_line(s), config_setting_name(s),
	    scope == CONFIG_GLOBAL ? "" : scope == CONFIG_CA ?
	    " in a cas entry" : " in a certificates entry");
	return config_warn(x->c, line, x->err);
}

/* A file of nothing but white space is most likely one truncated by
 * accident (a full disk, a bad redirection): it loads as every default,
 * so its certificate definitions would vanish without a word. A file of
 * comments was written on purpose and is not warned about. */
static int
config_warn_empty(struct config_ctx *x, const char *text)
{
	char line[ERR_MSG_MAX];

	if (text[strspn(text, " \t\r\n\f")] != '\0')
		return 0;
	snprintf(line, sizeof line, "%s: empty configuration: using the "
	    "defaults", x->path);
	return config_warn(x->c, line, x->err);
}

/* Applies every member of `group` to `base` and checks that required
 * settings of `scope` were given. */
static int
config_apply_group(struct config_ctx *x, const config_setting_t *group,
    enum config_scope scope, void *base)
{
	const struct config_entry *e;
	const config_setting_t *s;
	int i, n = config_setting_length(group);
	const struct config_entry *table;
	size_t j, nt;

	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(group, i);
		e = config_entry_find(config_setting_name(s), scope);
		if (e == NULL) {
			if (config_warn_unknown(x, s, scope) != 0)
				return -1;
		} else if (config_set(x, e, s, base) != 0)
			return -1;
	}
	table = config_entries(&nt);
	for (j = 0; j < nt; j++) {
		e = &table[j];
		if (e->scope == scope && e->dflt == NULL &&
		    config_setting_get_member(group, e->name) == NULL)
			return config_fail(x, group, "this %s entry needs "
			    "'%s'", scope == CONFIG_CA ? "cas" : "certificates",
			    e->name);
	}
	return 0;
}

/* Checks that every element of list `s` is a { ... } group. */
static int
config_all_groups(struct config_ctx *x, const config_setting_t *s,
    const char *what)
{
	int i, n = config_setting_length(s);

	for (i = 0; i < n; i++) {
		if (!config_setting_is_group(config_setting_get_elem(s, i)))
			return config_fail(x, config_setting_get_elem(s, i),
			    "each entry of '%s' must be a group { ... }", what);
	}
	return 0;
}

static void
config_ca_free(struct config_ca *a)
{
	free(a->name);
	free(a->directory);
	free(a->ca_bundle);
	free(a->eab_kid);
	free(a->eab_hmac_key);
	free(a->email);
	free(a->account_key_type);
}

static void
config_cert_free(struct config_cert *t)
{
	size_t i;

	for (i = 0; i < t->n_domains; i++)
		free(t->domains[i]);
	free(t->domains);
	free(t->name);
	free(t->ca);
	free(t->challenge);
	free(t->key_type);
	free(t->webroot);
	free(t->profile);
	free(t->preferred_chain);
	free(t->dns_hook);
	free(t->dns_resolver);
	free(t->notify_webhook);
	free(t->notify_program);
	free(t->notify_mail);
	for (i = 0; i < 5; i++)
		free(t->deploy[i]);
	free(t->deploy_owner);
	free(t->deploy_group);
	free(t->deploy_mode);
	strv_free(t->reload.v, t->reload.n);
	endpoint_free(t->endpoints, t->n_endpoints);
}

/* Loads a cas or certificates list: each group gets the defaults of its
 * scope, then its own settings. */
static int
config_load_entries(struct config_ctx *x, const struct config_entry *e,
    const config_setting_t *s, void *base)
{
	struct config *c = base;
	const config_setting_t *g;
	size_t size, line_off, *count;
	int i, n = config_setting_length(s);
	char *items, *item;

	if (config_all_groups(x, s, e->name) != 0)
		return -1;
	if (e->child == CONFIG_CA) {
		size = sizeof *c->cas;
		line_off = offsetof(struct config_ca, line);
		count = &c->n_cas;
	} else {
		size = sizeof *c->certs;
		line_off = offsetof(struct config_cert, line);
		count = &c->n_certs;
	}
	if (n == 0)
		return 0;
	if ((items = calloc(n, size)) == NULL)
		return err_nomem(x->err, e->name);
	if (e->child == CONFIG_CA)
		c->cas = (struct config_ca *)items;
	else
		c->certs = (struct config_cert *)items;
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(s, i);
		item = items + i * size;
		(*count)++;
		*(int *)(item + line_off) = config_setting_source_line(g);
		if (config_scope_defaults(e->child, item, x->err) != 0 ||
		    config_apply_group(x, g, e->child, item) != 0)
			return -1;
	}
	return 0;
}

#define CONFIG_STRINGS_MAX 64

static int
config_load_strings(struct config_ctx *x, const struct config_entry *e,
    const config_setting_t *s, void *base)
{
	struct config_strv *sv = (struct config_strv *)((char *)base + e->off);
	int i, n = config_setting_length(s);

	if (n > CONFIG_STRINGS_MAX)
		return config_fail(x, s, "'%s' holds more than %d strings", e->name,
		    CONFIG_STRINGS_MAX);
	strv_free(sv->v, sv->n);
	sv->v = NULL;
	sv->n = 0;
	if (n > 0 && (sv->v = calloc(n, sizeof *sv->v)) == NULL)
		return err_nomem(x->err, "a list of strings");
	for (i = 0; i < n; i++) {
		const char *v = config_setting_get_string_elem(s, i);

		if (v == NULL)
			return config_fail(x, config_setting_get_elem(s, i),
			    "'%s' must be a list of strings", e->name);
		if ((sv->v[i] = strdup(v)) == NULL)
			return err_nomem(x->err, "a string");
		sv->n++;
	}
	return 0;
}

static int
config_load_domains(struct config_ctx *x, const struct config_entry *e,
    const config_setting_t *s, void *base)
{
	struct config_cert *t = base;
	const char *texts[NAMES_MAX_PER_CERT];
	struct names_id *ids;
	int i, n = config_setting_length(s), rc = -1;

	if (n > NAMES_MAX_PER_CERT || n == 0)
		return config_fail(x, s, "'%s' must hold 1 to %d names, not "
		    "%d", e->name, NAMES_MAX_PER_CERT, n);
	for (i = 0; i < n; i++) {
		texts[i] = config_setting_get_string_elem(s, i);
		if (texts[i] == NULL)
			return config_fail(x, config_setting_get_elem(s, i),
			    "'%s' must be a list of strings", e->name);
	}
	if ((ids = calloc(n, sizeof *ids)) == NULL ||
	    (t->domains = calloc(n, sizeof *t->domains)) == NULL) {
		free(ids);
		return err_nomem(x->err, "a domain list");
	}
	if (names_parse_list(texts, n, ids, x->err) != 0) {
		config_fail_prefix(x, s, e->name);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((t->domains[i] = strdup(ids[i].value)) == NULL) {
			err_nomem(x->err, "a domain name");
			goto out;
		}
		t->n_domains++;
	}
	rc = 0;
out:
	free(ids);
	return rc;
}

/* The setting `name` inside element `i` of list `list`, for its line. */
static const config_setting_t *
config_member_at(const config_t *lc, const char *list, int i,
    const char *name)
{
	const config_setting_t *g;

	g = config_setting_get_elem(config_lookup(lc, list), i);
	if (config_setting_get_member(g, name) != NULL)
		return config_setting_get_member(g, name);
	return g;
}

static int
config_ca_known(const struct config *c, const char *name)
{
	return config_find_ca(c, name) != NULL ||
	    config_find_preset(name) != NULL;
}

/* What cas entry `i` leaves out it takes from the top of the file: the
 * email, the account key type, the agreement to terms. */
static int
config_ca_inherit(struct config_ctx *x, const config_t *lc, size_t i)
{
	struct config_ca *a = &x->c->cas[i];
	const config_setting_t *g;

	g = config_setting_get_elem(config_lookup(lc, "cas"), (unsigned)i);
	if (config_setting_get_member(g, "agree_tos") == NULL)
		a->agree_tos = x->c->agree_tos;
	if ((*a->email == '\0' && str_set(&a->email, x->c->email, x->err) != 0) ||
	    (*a->account_key_type == '\0' && str_set(&a->account_key_type,
	    x->c->account_key_type, x->err) != 0))
		return -1;
	return 0;
}

/* Duplicate names, preset directories and inherited settings in cas. */
static int
config_finish_cas(struct config_ctx *x, const config_t *lc)
{
	const struct config_preset *p;
	struct config_ca *a;
	size_t i, j;

	for (i = 0; i < x->c->n_cas; i++) {
		a = &x->c->cas[i];
		for (j = 0; j < i; j++) {
			if (strcmp(a->name, x->c->cas[j].name) == 0)
				return config_fail(x, config_member_at(lc,
				    "cas", i, "name"), "CA '%s' is defined "
				    "twice (first at line %d)", a->name,
				    x->c->cas[j].line);
		}
		if (*a->directory == '\0') {
			if ((p = config_find_preset(a->name)) == NULL)
				return config_fail(x, config_member_at(lc,
				    "cas", i, "name"), "CA '%s' needs a "
				    "'directory' (it is not a preset)",
				    a->name);
			if (str_set(&a->directory, p->directory,
			    x->err) != 0)
				return -1;
		}
		if ((*a->eab_kid == '\0') != (*a->eab_hmac_key == '\0'))
			return config_fail(x, config_member_at(lc, "cas", i,
			    "name"), "CA '%s': eab_kid and eab_hmac_key go "
			    "together", a->name);
		if (config_ca_inherit(x, lc, i) != 0)
			return -1;
	}
	return 0;
}

/* The rules a challenge type sets on the names it can prove. */
static int
config_cert_challenge_ok(struct config_ctx *x, const config_t *lc,
    size_t i)
{
	struct config_cert *t = &x->c->certs[i];
	int dns = strncmp(t->challenge, "dns-", 4) == 0;	/* dns-01, dns-persist-01 */
	unsigned char addr[16];
	size_t j;

	for (j = 0; j < t->n_domains; j++) {
		int ip = inet_pton(AF_INET, t->domains[j], addr) == 1 ||
		    inet_pton(AF_INET6, t->domains[j], addr) == 1;

		if (!dns && strncmp(t->domains[j], "*.", 2) == 0)
			return config_fail(x, config_member_at(lc,
			    "certificates", i, "challenge"), "certificate "
			    "'%s': the wildcard %s needs dns-01, not %s",
			    t->name, t->domains[j], t->challenge);
		if (dns && ip)
			return config_fail(x, config_member_at(lc,
			    "certificates", i, "challenge"), "certificate "
			    "'%s': the IP address %s cannot be proved with "
			    "dns-01", t->name, t->domains[j]);
	}
	if (*t->webroot != '\0' && strcmp(t->challenge, "http-01") != 0)
		return config_fail(x, config_member_at(lc, "certificates", i,
		    "webroot"), "certificate '%s': 'webroot' is for http-01 "
		    "only", t->name);
	return 0;
}

/* Duplicate names, inherited ca and key_type, known CAs, challenges. */
static int
config_finish_certs(struct config_ctx *x, const config_t *lc)
{
	struct config_cert *t;
	size_t i, j;

	for (i = 0; i < x->c->n_certs; i++) {
		t = &x->c->certs[i];
		for (j = 0; j < i; j++) {
			if (strcmp(t->name, x->c->certs[j].name) == 0)
				return config_fail(x, config_member_at(lc,
				    "certificates", i, "name"), "certificate "
				    "'%s' is defined twice (first at line %d)",
				    t->name, x->c->certs[j].line);
		}
		if ((*t->ca == '\0' && str_set(&t->ca, x->c->ca,
		    x->err) != 0) || (*t->key_type == '\0' &&
		    str_set(&t->key_type, x->c->key_type,
		    x->err) != 0))
			return -1;
		if (!config_ca_known(x->c, t->ca))
			return config_fail(x, config_member_at(lc,
			    "certificates", i, "ca"), "certificate '%s' uses "
			    "CA '%s', which is neither a cas entry nor a "
			    "preset", t->name, t->ca);
		if (config_cert_challenge_ok(x, lc, i) != 0 ||
		    config_endpoints_finish(x->path, t, x->err) != 0)
			return -1;
	}
	return 0;
}

/* Everything that needs the whole file: cross references. */
static int
config_finish(struct config_ctx *x, const config_t *lc)
{
	const config_setting_t *s;

	if (config_finish_cas(x, lc) != 0)
		return -1;
	if (!config_ca_known(x->c, x->c->ca)) {
		if ((s = config_lookup(lc, "ca")) == NULL)
			s = config_root_setting(lc);
		return config_fail(x, s, "'ca' names '%s', which is neither a "
		    "cas entry nor a preset", x->c->ca);
	}
	return config_finish_certs(x, lc);
}

/* Parses `text` from `path` into the scratch struct x->c. */
static int
config_parse(struct config_ctx *x, const char *text)
{
	config_t lc;
	int rc = -1;

	config_init(&lc);
	if (config_read_string(&lc, text) != CONFIG_TRUE) {
		err_set(x->err, ERR_CONFIG, "%s:%d: %s", x->path,
		    config_error_line(&lc), config_error_text(&lc));
		goto out;
	}
	if (config_apply_group(x, config_root_setting(&lc), CONFIG_GLOBAL,
	    x->c) != 0 || config_finish(x, &lc) != 0)
		goto out;
	rc = 0;
out:
	config_destroy(&lc);
	return rc;
}

int
config_defaults(struct config *c, struct err *err)
{
	memset(c, 0, sizeof *c);
	if (config_scope_defaults(CONFIG_GLOBAL, c, err) != 0) {
		config_free(c);
		return -1;
	}
	return 0;
}

int
config_load(struct config *c, const char *path, struct err *err)
{
	struct config_ctx x;
	struct config tmp;
	char *text;

	if ((text = config_file_text(path, err)) == NULL)
		return -1;
	if (config_defaults(&tmp, err) != 0) {
		free(text);
		return -1;
	}
	x.path = path;
	x.c = &tmp;
	x.err = err;
	if ((tmp.path = strdup(path)) == NULL)
		err_nomem(err, "the configuration path");
	if (tmp.path == NULL || config_parse(&x, text) != 0 ||
	    config_warn_empty(&x, text) != 0) {
		free(text);
		config_free(&tmp);
		return -1;
	}
	free(text);
	config_free(c);
	*c = tmp;
	return 0;
}

void
config_free(struct config *c)
{
	size_t i;

	for (i = 0; i < c->n_cas; i++)
		config_ca_free(&c->cas[i]);
	for (i = 0; i < c->n_certs; i++)
		config_cert_free(&c->certs[i]);
	for (i = 0; i < c->n_warnings; i++)
		free(c->warnings[i]);
	free(c->cas);
	free(c->certs);
	free(c->warnings);
	free(c->path);
	free(c->email);
	free(c->key_type);
	free(c->account_key_type);
	free(c->ca);
	free(c->state_dir);
	free(c->http_bind);
	free(c->dns_hook);
	free(c->dns_resolver);
	free(c->metrics_file);
	free(c->notify_webhook);
	free(c->notify_program);
	free(c->notify_mail);
	free(c->theme);
	memset(c, 0, sizeof *c);
}

const struct config_ca *
config_find_ca(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < c->n_cas; i++) {
		if (c->cas[i].name != NULL && strcmp(c->cas[i].name, name) == 0)
			return &c->cas[i];
	}
	return NULL;
}

const struct config_cert *
config_find_cert(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < c->n_certs; i++) {
		if (c->certs[i].name != NULL &&
		    strcmp(c->certs[i].name, name) == 0)
			return &c->certs[i];
	}
	return NULL;
}
