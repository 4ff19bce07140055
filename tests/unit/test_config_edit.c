/*
 * Unit tests for config_edit on the real file system, in a fresh folder:
 * removing a definition archives it under removed.d (0600, a file
 * libconfig reads, never over an earlier one) and keeps every other
 * setting and the file's mode; a name the file does not define, or a
 * missing file, changes nothing; setting a member replaces it and an
 * empty value leaves it out.
 */
#include "autoconfig.h"

#include <sys/stat.h>

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config_edit.h"
#include "fstest.h"

struct fixture {
	char dir[PATH_MAX];
	char conf[PATH_MAX + 32];
};

static const char conf_text[] =
    "renew_days = 30;\n"
    "certificates = (\n"
    "  { name = \"keep\"; domains = [ \"keep.example.test\" ]; },\n"
    "  { name = \"gone\"; domains = [ \"a.example.test\", \"b.example.test\" ];\n"
    "    reload = [ \"/bin/true\", \"x\" ]; deploy_mode = \"0640\";\n"
    "    nested = { n = 5; big = 5000000000L; f = 1.5; on = true; }; }\n"
    ");\n";

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	FILE *f;

	if (fx == NULL || fstest_mkdtemp(fx->dir, sizeof fx->dir, "cfgedit") != 0)
		return -1;
	snprintf(fx->conf, sizeof fx->conf, "%s/certdeck.conf", fx->dir);
	if ((f = fopen(fx->conf, "w")) == NULL)
		return -1;
	fputs(conf_text, f);
	fclose(f);
	chmod(fx->conf, 0640);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	fstest_rmtree(fx->dir);
	free(fx);
	return 0;
}

/* Reads `path` with libconfig into `cfg`; fails the test if it cannot. */
static void
load(config_t *cfg, const char *path)
{
	config_init(cfg);
	if (config_read_file(cfg, path) != CONFIG_TRUE)
		fail_msg("%s:%d: %s", path, config_error_line(cfg),
		    config_error_text(cfg));
}

static void
test_remove_archives_and_keeps_the_rest(void **state)
{
	struct fixture *fx = *state;
	char archived[PATH_MAX + 64], again[PATH_MAX + 64];
	config_setting_t *g;
	struct stat st;
	struct err err;
	const char *s;
	long long big;
	config_t cfg;
	FILE *f;
	int n;

	assert_int_equal(config_edit_remove_cert(fx->conf, "gone", archived,
	    sizeof archived, &err), 1);
	assert_non_null(strstr(archived, "/removed.d/gone-"));
	load(&cfg, fx->conf);
	assert_null(config_edit_cert(&cfg, "gone", NULL));
	assert_non_null(g = config_edit_cert(&cfg, "keep", NULL));
	assert_true(config_lookup_int(&cfg, "renew_days", &n) == CONFIG_TRUE);
	assert_int_equal(n, 30);
	config_destroy(&cfg);
	assert_int_equal(stat(fx->conf, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);

	load(&cfg, archived);
	assert_non_null(g = config_edit_cert(&cfg, "gone", &n));
	assert_int_equal(n, 0);
	assert_string_equal(config_setting_get_string_elem(
	    config_setting_get_member(g, "domains"), 1), "b.example.test");
	assert_true(config_setting_lookup_string(g, "deploy_mode", &s) == CONFIG_TRUE);
	assert_string_equal(s, "0640");
	assert_true(config_lookup_int64(&cfg, "certificates.[0].nested.big",
	    &big) == CONFIG_TRUE);
	assert_true(big == 5000000000LL);
	config_destroy(&cfg);
	assert_int_equal(stat(archived, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* Restored by hand and removed again, within the same second most
	 * likely: a second archive, the first one kept. */
	assert_non_null(f = fopen(fx->conf, "w"));
	fputs(conf_text, f);
	fclose(f);
	assert_int_equal(config_edit_remove_cert(fx->conf, "gone", again,
	    sizeof again, &err), 1);
	assert_string_not_equal(again, archived);
	assert_int_equal(stat(archived, &st), 0);
	assert_int_equal(stat(again, &st), 0);
}

static void
test_remove_unknown_changes_nothing(void **state)
{
	struct fixture *fx = *state;
	char archived[PATH_MAX + 64] = "", missing[PATH_MAX + 32], buf[1024];
	struct err err;
	size_t len;
	FILE *f;

	assert_int_equal(config_edit_remove_cert(fx->conf, "nosuch", archived,
	    sizeof archived, &err), 0);
	assert_non_null(f = fopen(fx->conf, "r"));
	len = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[len] = '\0';
	assert_string_equal(buf, conf_text);
	snprintf(missing, sizeof missing, "%s/none.conf", fx->dir);
	assert_int_equal(config_edit_remove_cert(missing, "keep", archived,
	    sizeof archived, &err), 0);
}

static void
test_set_string_replaces(void **state)
{
	struct fixture *fx = *state;
	config_setting_t *g;
	struct err err;
	const char *s;
	config_t cfg;
	mode_t mode;

	config_init(&cfg);
	assert_int_equal(config_edit_read(&cfg, fx->conf, &mode, &err), 0);
	assert_int_equal(mode, 0640);
	assert_non_null(g = config_edit_cert(&cfg, "gone", NULL));
	assert_int_equal(config_edit_set_string(g, "deploy_mode", "0600"), 0);
	assert_int_equal(config_edit_set_string(g, "webroot", ""), 0);
	config_edit_unset(g, "reload");
	assert_int_equal(config_edit_write(&cfg, fx->conf, mode, &err), 0);
	config_destroy(&cfg);
	load(&cfg, fx->conf);
	g = config_edit_cert(&cfg, "gone", NULL);
	assert_true(config_setting_lookup_string(g, "deploy_mode", &s) == CONFIG_TRUE);
	assert_string_equal(s, "0600");
	assert_null(config_setting_get_member(g, "webroot"));
	assert_null(config_setting_get_member(g, "reload"));
	config_destroy(&cfg);
}

/* A configuration file that is a symbolic link is not replaced. */
static void
test_symlink_refused(void **state)
{
	struct fixture *fx = *state;
	char link[PATH_MAX + 32], archived[PATH_MAX + 64];
	struct stat st;
	struct err err;

	snprintf(link, sizeof link, "%s/link.conf", fx->dir);
	assert_int_equal(symlink("certdeck.conf", link), 0);
	assert_int_equal(config_edit_remove_cert(link, "keep", archived,
	    sizeof archived, &err), -1);
	assert_non_null(strstr(err.msg, "symbolic link"));
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	snprintf(link, sizeof link, "%s/removed.d", fx->dir);
	assert_int_equal(stat(link, &st), -1);	/* nothing archived either */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_remove_archives_and_keeps_the_rest,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_unknown_changes_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_string_replaces, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_symlink_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
