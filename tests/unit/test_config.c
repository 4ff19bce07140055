/*
 * Unit tests for the configuration file: real files in a temporary folder,
 * loaded with config_load(); every error must name the file and line, and
 * a failed load must leave the previous configuration untouched.
 */
#include "autoconfig.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static char tmpdir[256];
static char path[512];

static int
setup(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "%s/certdeck-config.XXXXXX",
	    base != NULL && *base == '/' ? base : "/tmp");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int
teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Writes `len` bytes to NAME in the temporary folder, mode 0600; the path
 * is left in `path`. */
static const char *
write_bytes(const char *name, const char *text, size_t len)
{
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0600), 0);
	return path;
}

static const char *
write_file(const char *name, const char *text)
{
	return write_bytes(name, text, strlen(text));
}

/* Loads `text` and expects a failure whose message starts "PATH:LINE: "
 * and holds `want`. */
static void
load_fails(const char *text, int line, const char *want)
{
	struct config c;
	struct err err;
	char head[600];

	assert_int_equal(config_defaults(&c, &err), 0);
	write_file("bad.conf", text);
	err_clear(&err);
	if (config_load(&c, path, &err) == 0)
		fail_msg("accepted:\n%s", text);
	assert_int_equal(err.code, ERR_CONFIG);
	snprintf(head, sizeof head, "%s:%d: ", path, line);
	if (strncmp(err.msg, head, strlen(head)) != 0 ||
	    strstr(err.msg, want) == NULL)
		fail_msg("got '%s', wanted '%s...%s'", err.msg, head, want);
	assert_null(c.path);	/* still the defaults */
	config_free(&c);
}

static void
test_defaults(void **state)
{
	struct config c;
	struct err err;

	(void)state;
	assert_int_equal(config_defaults(&c, &err), 0);
	assert_null(c.path);
	assert_string_equal(c.email, "");
	assert_string_equal(c.key_type, "ec256");
	assert_string_equal(c.account_key_type, "ec256");
	assert_int_equal(c.agree_tos, 0);
	assert_string_equal(c.ca, "letsencrypt");
	assert_string_equal(c.state_dir, "/var/lib/certdeck");
	assert_string_equal(c.http_bind, "");
	assert_string_equal(c.theme, "default");
	assert_true(c.renew_fraction > 0.3329 && c.renew_fraction < 0.3331);
	assert_int_equal(c.renew_days, 0);
	assert_int_equal(c.max_jobs, 8);
	assert_int_equal(c.step_timeout, 90);
	assert_int_equal(c.http_port, 80);
	assert_int_equal(c.n_cas, 0);
	assert_int_equal(c.n_certs, 0);
	assert_int_equal(c.n_warnings, 0);
	config_free(&c);
	config_free(&c);	/* a freed struct is zeroed and free again */
}

static const char full[] =
    "# certdeck.conf\n"
    "email = \"admin@example.com\";\n"
    "key_type = \"rsa3072\";\n"
    "ca = \"pebble\";\n"
    "state_dir = \"/srv/certdeck\";\n"
    "renew_fraction = 0.5;\n"
    "renew_days = 30;\n"
    "max_jobs = 3;\n"
    "step_timeout = 120;\n"
    "http_port = 5002;  http_bind = \"127.0.0.1\";\n"
    "theme = \"solarized-dark\";\n"
    "cas = (\n"
    "  { name = \"pebble\"; directory = \"https://127.0.0.1:14000/dir\";\n"
    "    ca_bundle = \"/etc/certdeck/pebble.pem\";\n"
    "    eab_kid = \"kid-1\"; eab_hmac_key = \"c2VjcmV0LWtleQ\";\n"
    "    email = \"ops@example.com\"; },\n"
    "  { name = \"letsencrypt-staging\"; }\n"
    ");\n"
    "certificates = (\n"
    "  { name = \"example\"; domains = [ \"Example.COM\", \"www.example.com\","
    " \"b\xc3\xbc" "cher.example\", \"192.0.2.7\" ];\n"
    "    ca = \"letsencrypt-staging\"; challenge = \"tls-alpn-01\";\n"
    "    key_type = \"ec384\"; webroot = \"\"; },\n"
    "  { name = \"wild\"; domains = ( \"*.example.net\" );\n"
    "    challenge = \"dns-01\"; },\n"
    "  { name = \"files\"; domains = [ \"static.example.org\" ];\n"
    "    webroot = \"/var/www/static\"; }\n"
    ");\n";

static void
test_full_file_round_trips(void **state)
{
	const struct config_cert *t;
	const struct config_ca *a;
	struct config c;
	struct err err;

	(void)state;
	assert_int_equal(config_defaults(&c, &err), 0);
	write_file("full.conf", full);
	if (config_load(&c, path, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(c.path, path);
	assert_string_equal(c.email, "admin@example.com");
	assert_string_equal(c.key_type, "rsa3072");
	assert_string_equal(c.ca, "pebble");
	assert_string_equal(c.state_dir, "/srv/certdeck");
	assert_true(c.renew_fraction == 0.5);
	assert_int_equal(c.renew_days, 30);
	assert_int_equal(c.max_jobs, 3);
	assert_int_equal(c.step_timeout, 120);
	assert_int_equal(c.http_port, 5002);
	assert_string_equal(c.http_bind, "127.0.0.1");
	assert_string_equal(c.theme, "solarized-dark");
	assert_int_equal(c.n_warnings, 0);

	assert_int_equal(c.n_cas, 2);
	a = config_find_ca(&c, "pebble");
	assert_non_null(a);
	assert_int_equal(a->line, 13);
	assert_string_equal(a->directory, "https://127.0.0.1:14000/dir");
	assert_string_equal(a->ca_bundle, "/etc/certdeck/pebble.pem");
	assert_string_equal(a->eab_kid, "kid-1");
	assert_string_equal(a->eab_hmac_key, "c2VjcmV0LWtleQ");
	assert_string_equal(a->email, "ops@example.com");
	/* A preset named in cas takes the preset's directory and the
	 * global email. */
	a = config_find_ca(&c, "letsencrypt-staging");
	assert_non_null(a);
	assert_string_equal(a->directory,
	    "https://acme-staging-v02.api.letsencrypt.org/directory");
	assert_string_equal(a->email, "admin@example.com");
	assert_string_equal(a->ca_bundle, "");
	assert_null(config_find_ca(&c, "letsencrypt"));

	assert_int_equal(c.n_certs, 3);
	t = config_find_cert(&c, "example");
	assert_non_null(t);
	assert_int_equal(t->line, 20);
	assert_int_equal(t->n_domains, 4);
	assert_string_equal(t->domains[0], "example.com");
	assert_string_equal(t->domains[1], "www.example.com");
	assert_string_equal(t->domains[2], "xn--bcher-kva.example");
	assert_string_equal(t->domains[3], "192.0.2.7");
	assert_string_equal(t->ca, "letsencrypt-staging");
	assert_string_equal(t->challenge, "tls-alpn-01");
	assert_string_equal(t->key_type, "ec384");
	assert_string_equal(t->webroot, "");
	/* Left out: the global ca and key_type, http-01. */
	t = config_find_cert(&c, "wild");
	assert_non_null(t);
	assert_string_equal(t->domains[0], "*.example.net");
	assert_string_equal(t->ca, "pebble");
	assert_string_equal(t->key_type, "rsa3072");
	assert_string_equal(t->challenge, "dns-01");
	t = config_find_cert(&c, "files");
	assert_string_equal(t->challenge, "http-01");
	assert_string_equal(t->webroot, "/var/www/static");
	assert_null(config_find_cert(&c, "nope"));
	config_free(&c);
}

/* A cas entry's account settings, and what it takes from the top of
 * the file when it leaves them out. */
static void
test_account_settings(void **state)
{
	const struct config_ca *a;
	struct config c;
	struct err err;

	(void)state;
	assert_int_equal(config_defaults(&c, &err), 0);
	write_file("accounts.conf",
	    "account_key_type = \"rsa2048\";\n"
	    "agree_tos = true;\n"
	    "key_type = \"ec384\";\n"
	    "cas = (\n"
	    "  { name = \"own\"; directory = \"https://127.0.0.1:14000/dir\";\n"
	    "    account_key_type = \"ec384\"; agree_tos = false; },\n"
	    "  { name = \"letsencrypt-staging\"; }\n"
	    ");\n");
	if (config_load(&c, path, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(c.n_warnings, 0);
	assert_string_equal(c.account_key_type, "rsa2048");
	assert_int_equal(c.agree_tos, 1);
	a = config_find_ca(&c, "own");
	assert_string_equal(a->account_key_type, "ec384");
	assert_int_equal(a->agree_tos, 0);
	/* Left out: the global ones, not the certificate key_type. */
	a = config_find_ca(&c, "letsencrypt-staging");
	assert_string_equal(a->account_key_type, "rsa2048");
	assert_int_equal(a->agree_tos, 1);
	config_free(&c);

	load_fails("account_key_type = \"ec521\";\n", 1,
	    "'account_key_type': 'ec521' is not one of: ec256 ec384");
	load_fails("cas = ( { name = \"zerossl\";\n  account_key_type = \"dsa\"; } );\n",
	    2, "'account_key_type': 'dsa' is not one of");
	load_fails("agree_tos = \"yes\";\n", 1, "'agree_tos' must be true or false");
	load_fails("cas = ( { name = \"zerossl\"; agree_tos = 1; } );\n", 1,
	    "'agree_tos' must be true or false");
}

static void
test_empty_file_is_defaults(void **state)
{
	struct config c;
	struct err err;

	(void)state;
	assert_int_equal(config_defaults(&c, &err), 0);
	write_file("empty.conf", "");
	assert_int_equal(config_load(&c, path, &err), 0);
	assert_string_equal(c.path, path);
	assert_int_equal(c.max_jobs, 8);
	assert_string_equal(c.ca, "letsencrypt");
	write_file("comments.conf", "# nothing set yet\n\n");
	assert_int_equal(config_load(&c, path, &err), 0);
	assert_int_equal(c.n_certs, 0);
	config_free(&c);
}

static void
test_syntax_errors_name_file_and_line(void **state)
{
	(void)state;
	load_fails("email = \"a@example.com\";\nmax_jobs = ;\n", 2,
	    "syntax error");
	load_fails("\n\ncas = ( { name = \"x\" ;\n", 4, "syntax error");
	load_fails("max_jobs = 1;\nmax_jobs = 2;\n", 2, "duplicate setting");
}

static void
test_wrong_types(void **state)
{
	(void)state;
	load_fails("\n\nmax_jobs = \"8\";\n", 3,
	    "'max_jobs' must be an integer");
	load_fails("max_jobs = 2.5;\n", 1, "'max_jobs' must be an integer");
	load_fails("renew_fraction = \"half\";\n", 1,
	    "'renew_fraction' must be a number");
	load_fails("email = 5;\n", 1, "'email' must be a string");
	load_fails("certificates = \"x\";\n", 1, "'certificates' must be a list");
	load_fails("cas = ( 1 );\n", 1, "each entry of 'cas' must be a group");
	load_fails("certificates = ( { name = \"a\";\n domains = [ 1 ]; } );\n",
	    2, "'domains' must be a list of strings");
}

static void
test_out_of_range_and_bad_values(void **state)
{
	(void)state;
	load_fails("renew_fraction = 1.5;\n", 1,
	    "'renew_fraction' must be between 0.01 and 0.99 (not 1.5)");
	load_fails("\nhttp_port = 0;\n", 2, "'http_port' must be between 1 and "
	    "65535");
	load_fails("max_jobs = 100000;\n", 1, "'max_jobs' must be between");
	load_fails("renew_days = -1;\n", 1, "'renew_days' must be between");
	load_fails("key_type = \"dsa\";\n", 1, "'key_type': 'dsa' is not one "
	    "of: ec256 ec384 rsa2048 rsa3072 rsa4096");
	load_fails("email = \"nobody\";\n", 1, "'email': not an e-mail");
	load_fails("state_dir = \"var/lib\";\n", 1, "'state_dir': must be an "
	    "absolute path");
	load_fails("http_bind = \"localhost\";\n", 1, "'http_bind': must be an "
	    "IPv4 or IPv6");
	load_fails("theme = \"../../etc/x\";\n", 1, "'theme': name "
	    "'../../etc/x': starts with '.'");
	load_fails("theme = \"x/../../y\";\n", 1, "'theme': name "
	    "'x/../../y': character '/'");
	load_fails("cas = ( { name = \"x\";\n directory = \"http://ca/dir\"; } );"
	    "\n", 2, "'directory': must be an https:// URL");
	load_fails("cas = ( { name = \"x\"; directory = \"https://ca/\";\n"
	    " eab_kid = \"k\"; } );\n", 1, "eab_kid and eab_hmac_key go "
	    "together");
	load_fails("cas = ( { name = \"x\"; } );\n", 1, "CA 'x' needs a "
	    "'directory'");
	load_fails("certificates = ( { name = \"a\"; } );\n", 1,
	    "this certificates entry needs 'domains'");
	load_fails("email = \"a@b.example\";\n"
	    "certificates = ( { domains = [\"a.example\"]; } );\n", 2,
	    "this certificates entry needs 'name'");
}

static void
test_unknown_settings_warn_with_line(void **state)
{
	struct config c;
	struct err err;
	char want[600];

	(void)state;
	assert_int_equal(config_defaults(&c, &err), 0);
	write_file("warn.conf", "max_jobs = 2;\ncolour = \"red\";\n"
	    "certificates = ( { name = \"a\"; domains = [\"a.example\"];\n"
	    "  challange = \"dns-01\"; } );\n");
	assert_int_equal(config_load(&c, path, &err), 0);
	assert_int_equal(c.max_jobs, 2);
	assert_int_equal(c.n_warnings, 2);
	snprintf(want, sizeof want, "%s:2: unknown setting 'colour' ignored",
	    path);
	assert_string_equal(c.warnings[0], want);
	snprintf(want, sizeof want, "%s:4: unknown setting 'challange' in a "
	    "certificates entry ignored", path);
	assert_string_equal(c.warnings[1], want);
	/* Not a global setting: it belongs in a certificates entry. */
	write_file("warn2.conf", "challenge = \"dns-01\";\n");
	assert_int_equal(config_load(&c, path, &err), 0);
	assert_int_equal(c.n_warnings, 1);
	assert_non_null(strstr(c.warnings[0], ":1: unknown setting "
	    "'challenge' ignored"));
	config_free(&c);
}

static void
test_references_and_duplicates(void **state)
{
	(void)state;
	load_fails("certificates = (\n { name = \"a\"; domains = [\"a.example\"];"
	    "\n   ca = \"nope\"; } );\n", 3, "certificate 'a' uses CA 'nope', "
	    "which is neither a cas entry nor a preset");
	load_fails("\nca = \"nope\";\n", 2, "'ca' names 'nope'");
	load_fails("certificates = (\n { name = \"a\"; domains = [\"a.example\"]; "
	    "},\n { name = \"a\"; domains = [\"b.example\"]; } );\n", 3,
	    "certificate 'a' is defined twice (first at line 2)");
	load_fails("cas = (\n { name = \"x\"; directory = \"https://x/d\"; },\n"
	    " { name = \"x\"; directory = \"https://y/d\"; } );\n", 3,
	    "CA 'x' is defined twice (first at line 2)");
}

static void
test_bad_domains(void **state)
{
	(void)state;
	load_fails("certificates = ( { name = \"a\";\n"
	    " domains = [\"ok.example\", \"a..b\"]; } );\n", 2,
	    "'domains': name 'a..b': empty label");
	load_fails("certificates = ( { name = \"a\";\n"
	    " domains = [\"www.example.com\", \"WWW.example.com\"]; } );\n", 2,
	    "the same name as www.example.com");
	load_fails("certificates = ( { name = \"a\";\n domains = []; } );\n", 2,
	    "'domains' must hold 1 to 100 names");
	load_fails("certificates = ( { name = \"a\"; domains = [\"*.x.example\"];"
	    "\n challenge = \"http-01\"; } );\n", 2, "the wildcard *.x.example "
	    "needs dns-01, not http-01");
	load_fails("certificates = ( { name = \"a\"; domains = [\"192.0.2.1\"];\n"
	    " challenge = \"dns-01\"; } );\n", 2, "cannot be proved with dns-01");
	load_fails("certificates = ( { name = \"a\"; domains = [\"a.example\"];\n"
	    " challenge = \"dns-01\";\n webroot = \"/var/www\"; } );\n", 3,
	    "'webroot' is for http-01 only");
	load_fails("certificates = ( { name = \"a/b\"; domains = [\"a.example\"];"
	    " } );\n", 1, "'name': name 'a/b'");
}

/* Loads path and expects a failure naming it with `want`. */
static void
file_fails(const char *p, const char *want)
{
	struct config c;
	struct err err;

	assert_int_equal(config_defaults(&c, &err), 0);
	assert_int_equal(config_load(&c, p, &err), -1);
	if (strncmp(err.msg, p, strlen(p)) != 0 || strstr(err.msg, want) == NULL)
		fail_msg("got '%s', wanted '%s: ...%s'", err.msg, p, want);
	config_free(&c);
}

static void
test_unusable_files(void **state)
{
	static const char gz[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03";
	char sub[600], *big;

	(void)state;
	snprintf(sub, sizeof sub, "%s/missing.conf", tmpdir);
	file_fails(sub, "cannot open: No such file or directory");
	snprintf(sub, sizeof sub, "%s/folder.conf", tmpdir);
	assert_int_equal(mkdir(sub, 0700), 0);
	file_fails(sub, "is a directory");
	file_fails(write_bytes("gz.conf", gz, sizeof gz - 1),
	    "binary data (byte 0x1f at offset 0)");
	file_fails(write_bytes("nul.conf", "email = \"\";\0", 12),
	    "binary data (byte 0x00 at offset 11)");
	file_fails(write_file("inc.conf", "max_jobs = 2;\n  @include \"/etc/x\""
	    "\n"), ":2: @include is not supported");
	big = malloc(2 * 1024 * 1024);
	assert_non_null(big);
	memset(big, '#', 2 * 1024 * 1024);
	file_fails(write_bytes("big.conf", big, 2 * 1024 * 1024), "too large");
	free(big);
}

static void
test_root_refuses_writable_or_foreign_file(void **state)
{
	char sub[600], file[700];
	struct err err;

	(void)state;
	if (geteuid() != 0)
		skip();
	write_file("perm.conf", "max_jobs = 2;\n");
	assert_int_equal(config_check_perms(path, &err), 0);
	assert_int_equal(chmod(path, 0620), 0);
	file_fails(path, "refusing it when running as root: group-writable "
	    "(mode 0620");
	assert_int_equal(config_check_perms(path, &err), -1);
	assert_int_equal(chmod(path, 0602), 0);
	file_fails(path, "world-writable (mode 0602");
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(chown(path, 1, 0), 0);
	file_fails(path, "owned by uid 1, not root");
	assert_int_equal(config_check_perms(path, &err), -1);
	assert_int_equal(chown(path, 0, 0), 0);
	assert_int_equal(config_check_perms(path, &err), 0);

	/* A file in a folder others may write can be swapped under us. */
	snprintf(sub, sizeof sub, "%s/open", tmpdir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	snprintf(file, sizeof file, "%s/c.conf", sub);
	assert_non_null(write_file("open/c.conf", "max_jobs = 2;\n"));
	file_fails(file, "lets others replace it");
	assert_int_equal(chmod(sub, 01777), 0);	/* sticky, like /tmp */
	assert_int_equal(config_check_perms(file, &err), 0);
}

static void
test_failed_load_changes_nothing(void **state)
{
	struct config c;
	struct err err;
	char a_path[600];

	(void)state;
	assert_int_equal(config_defaults(&c, &err), 0);
	write_file("a.conf", "email = \"a@example.com\";\nmax_jobs = 5;\n"
	    "certificates = ( { name = \"a\"; domains = [\"a.example\"]; } );\n"
	    "typo = 1;\n");
	snprintf(a_path, sizeof a_path, "%s", path);
	assert_int_equal(config_load(&c, a_path, &err), 0);
	/* B sets everything valid first, then fails at its last line. */
	write_file("b.conf", "email = \"b@example.com\";\nmax_jobs = 7;\n"
	    "certificates = ( { name = \"b\"; domains = [\"b.example\"]; } );\n"
	    "http_port = 70000;\n");
	assert_int_equal(config_load(&c, path, &err), -1);
	assert_non_null(strstr(err.msg, ":4: 'http_port' must be between"));
	assert_string_equal(c.path, a_path);
	assert_string_equal(c.email, "a@example.com");
	assert_int_equal(c.max_jobs, 5);
	assert_int_equal(c.n_certs, 1);
	assert_string_equal(c.certs[0].name, "a");
	assert_int_equal(c.n_warnings, 1);
	assert_int_equal(config_load(&c, "/nonexistent/certdeck.conf", &err),
	    -1);
	assert_int_equal(c.max_jobs, 5);
	config_free(&c);
}

static void
test_presets(void **state)
{
	const struct config_preset *p;
	size_t n;

	(void)state;
	p = config_presets(&n);
	assert_int_equal(n, 6);
	assert_non_null(p);
	p = config_find_preset("letsencrypt");
	assert_string_equal(p->directory,
	    "https://acme-v02.api.letsencrypt.org/directory");
	assert_false(p->needs_eab);
	assert_true(config_find_preset("zerossl")->needs_eab);
	assert_true(config_find_preset("google")->needs_eab);
	assert_true(config_find_preset("sslcom")->needs_eab);
	/* Google's staging CA binds accounts as production does, with
	 * keys of its own. */
	assert_true(config_find_preset("google-staging")->needs_eab);
	assert_string_equal(config_find_preset("google-staging")->directory,
	    "https://dv.acme-v02.test-api.pki.goog/directory");
	assert_null(config_find_preset("pebble"));
	assert_null(config_find_preset(NULL));
}

/* Every setting in the printed reference, and in the user documentation. */
static void
test_reference_lists_every_setting(void **state)
{
	static const char *names[] = { "email", "key_type", "ca", "state_dir",
	    "renew_fraction", "renew_days", "max_jobs", "step_timeout",
	    "http_port", "http_bind", "theme", "cas", "certificates", "name",
	    "directory", "ca_bundle", "eab_kid", "eab_hmac_key", "domains",
	    "challenge", "webroot", "notify", "notify_webhook", "notify_program",
	    "notify_mail", "account_key_type", "agree_tos" };
	const char *srcdir = getenv("top_srcdir");
	char *ref = NULL, *doc, line[128], docpath[600];
	size_t len = 0, i;
	FILE *f;

	(void)state;
	f = open_memstream(&ref, &len);
	assert_non_null(f);
	config_print_reference(f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(ref, "renew_fraction  number   default 0.333"));
	assert_non_null(strstr(ref, "Settings of each certificates entry"));
	snprintf(docpath, sizeof docpath, "%s/docs/configuration.md",
	    srcdir != NULL ? srcdir : ".");
	f = fopen(docpath, "r");
	if (f == NULL)
		fail_msg("cannot open %s", docpath);
	doc = calloc(1, 65536);
	assert_non_null(doc);
	assert_true(fread(doc, 1, 65535, f) > 0);
	fclose(f);
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(line, sizeof line, "\n  %s ", names[i]);
		if (strstr(ref, line) == NULL)
			fail_msg("'%s' missing from the reference", names[i]);
		snprintf(line, sizeof line, "| `%s` |", names[i]);
		if (strstr(doc, line) == NULL)
			fail_msg("'%s' missing from %s", names[i], docpath);
	}
	free(doc);
	free(ref);
}

/* The complete example in the documentation is a valid file. */
static void
test_documented_example_loads(void **state)
{
	const char *srcdir = getenv("top_srcdir");
	char docpath[600], *doc, *start, *end;
	struct config c;
	struct err err;
	FILE *f;

	(void)state;
	snprintf(docpath, sizeof docpath, "%s/docs/configuration.md",
	    srcdir != NULL ? srcdir : ".");
	assert_non_null(f = fopen(docpath, "r"));
	doc = calloc(1, 65536);
	assert_non_null(doc);
	assert_true(fread(doc, 1, 65535, f) > 0);
	fclose(f);
	start = strstr(doc, "# certdeck.conf\n");
	assert_non_null(start);
	end = strstr(start, "```");
	assert_non_null(end);
	*end = '\0';
	assert_int_equal(config_defaults(&c, &err), 0);
	write_file("doc.conf", start);
	if (config_load(&c, path, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(c.n_warnings, 0);
	assert_int_equal(c.n_certs, 4);
	assert_string_equal(config_find_cert(&c, "intranet")->domains[0],
	    "xn--bcher-kva.example");
	assert_int_equal(config_find_cert(&c, "www")->n_endpoints, 2);
	assert_string_equal(config_find_cert(&c, "www")->endpoints[0].sni,
	    "www.example.org");
	assert_string_equal(config_find_cert(&c, "www")->notify_webhook,
	    "https://hooks.example.org/web-team");
	assert_int_equal(config_find_cert(&c, "www")->notify, 1);
	assert_int_equal(config_find_cert(&c, "intranet")->notify, 0);
	assert_string_equal(config_find_cert(&c, "intranet")->notify_webhook, "");
	assert_string_equal(config_find_ca(&c, "zerossl")->directory,
	    "https://acme.zerossl.com/v2/DV90");
	config_free(&c);
	free(doc);
}

/* Runs config_default_path() as an unprivileged user in a child and
 * compares; returns the child's verdict. */
static int
default_path_as_user(const char *xdg, const char *home, const char *want)
{
	struct err err;
	pid_t pid;
	char *p;
	int st;

	if ((pid = fork()) == 0) {
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(2);
		if (xdg != NULL)
			setenv("XDG_CONFIG_HOME", xdg, 1);
		else
			unsetenv("XDG_CONFIG_HOME");
		setenv("HOME", home, 1);
		p = config_default_path(&err);
		st = p != NULL && strcmp(p, want) == 0 ? 0 : 1;
		free(p);
		_exit(st);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_default_path(void **state)
{
	struct err err;
	char *p;

	(void)state;
	if (geteuid() != 0)
		skip();
	p = config_default_path(&err);
	assert_string_equal(p, "/etc/certdeck/certdeck.conf");
	free(p);
	assert_int_equal(default_path_as_user("/x/cfg", "/home/u",
	    "/x/cfg/certdeck/certdeck.conf"), 0);
	assert_int_equal(default_path_as_user(NULL, "/home/u",
	    "/home/u/.config/certdeck/certdeck.conf"), 0);
	/* A relative XDG_CONFIG_HOME is ignored, as the XDG spec says. */
	assert_int_equal(default_path_as_user("rel", "/home/u",
	    "/home/u/.config/certdeck/certdeck.conf"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_file_round_trips),
		cmocka_unit_test(test_account_settings),
		cmocka_unit_test(test_empty_file_is_defaults),
		cmocka_unit_test(test_syntax_errors_name_file_and_line),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_out_of_range_and_bad_values),
		cmocka_unit_test(test_unknown_settings_warn_with_line),
		cmocka_unit_test(test_references_and_duplicates),
		cmocka_unit_test(test_bad_domains),
		cmocka_unit_test(test_unusable_files),
		cmocka_unit_test(test_root_refuses_writable_or_foreign_file),
		cmocka_unit_test(test_failed_load_changes_nothing),
		cmocka_unit_test(test_presets),
		cmocka_unit_test(test_reference_lists_every_setting),
		cmocka_unit_test(test_documented_example_loads),
		cmocka_unit_test(test_default_path),
	};

	return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
