/*
 * Unit tests for deploy's checks, shared by the config and the wizard:
 * a deploy_mode read as octal up to 0777, a mode giving other users a
 * key copy refused, users and groups by name or number; and copies
 * written with the mode asked for, or the defaults (0600 key, 0644
 * certificates).
 */
#include "autoconfig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "deploy.h"

static void
test_mode_parse(void **state)
{
	struct err err;
	int mode;

	(void)state;
	assert_int_equal(deploy_mode_parse("", 1, &mode, &err), 0);
	assert_int_equal(mode, -1);
	assert_int_equal(deploy_mode_parse(NULL, 0, &mode, &err), 0);
	assert_int_equal(mode, -1);
	assert_int_equal(deploy_mode_parse("0640", 1, &mode, &err), 0);
	assert_int_equal(mode, 0640);
	assert_int_equal(deploy_mode_parse("644", 0, &mode, &err), 0);
	assert_int_equal(mode, 0644);
	assert_int_equal(deploy_mode_parse("0999", 0, &mode, &err), -1);
	assert_non_null(strstr(err.msg, "not an octal mode"));
	assert_int_equal(deploy_mode_parse("01000", 0, &mode, &err), -1);
	assert_int_equal(deploy_mode_parse("-1", 0, &mode, &err), -1);
	assert_int_equal(deploy_mode_parse("0640 ", 0, &mode, &err), -1);
	/* Other users' bits: fine for certificates alone, never with a key. */
	assert_int_equal(deploy_mode_parse("0666", 0, &mode, &err), 0);
	assert_int_equal(deploy_mode_parse("0666", 1, &mode, &err), -1);
	assert_non_null(strstr(err.msg, "every user"));
	assert_int_equal(deploy_mode_parse("0601", 1, &mode, &err), -1);
	assert_int_equal(mode, -1);
}

static void
test_ids_check(void **state)
{
	struct err err;

	(void)state;
	assert_int_equal(deploy_ids_check(NULL, NULL, &err), 0);
	assert_int_equal(deploy_ids_check("", "", &err), 0);
	assert_int_equal(deploy_ids_check("root", "root", &err), 0);
	/* A number the system has no name for is taken as it is. */
	assert_int_equal(deploy_ids_check("4000123", "4000123", &err), 0);
	assert_int_equal(deploy_ids_check("no-such-user-x", NULL, &err), -1);
	assert_string_equal(err.msg, "no user named 'no-such-user-x'");
	assert_int_equal(deploy_ids_check(NULL, "no-such-group-x", &err), -1);
	assert_string_equal(err.msg, "no group named 'no-such-group-x'");
	assert_int_equal(deploy_ids_check("12x", NULL, &err), -1);
	assert_int_equal(deploy_ids_check("-1", NULL, &err), -1);
	assert_int_equal(deploy_ids_check("4294967295", NULL, &err), -1);
}

static mode_t
mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* The copies get the mode asked for, else 0600 for the key and 0644 for
 * the full chain. */
static void
test_copies_modes(void **state)
{
	char dir[] = "deploy-test.XXXXXX", key[64], full[64], nobody[] =
	    "no-such-user-x", cert[] = "C\n", chain[] = "I\n", fullchain[] =
	    "C\nI\n", privkey[] = "K\n";
	struct store_cert_files f = { cert, chain, fullchain, privkey };
	struct engine_deploy d;
	struct err err;
	int n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(key, sizeof key, "%s/key.pem", dir);
	snprintf(full, sizeof full, "%s/full.pem", dir);
	memset(&d, 0, sizeof d);
	d.mode = -1;
	d.to[DEPLOY_KEY] = key;
	d.to[DEPLOY_FULLCHAIN] = full;
	assert_int_equal(deploy_copies(&d, &f, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(mode_of(key), 0600);
	assert_int_equal(mode_of(full), 0644);
	d.mode = 0640;
	assert_int_equal(deploy_copies(&d, &f, &n, &err), 0);
	assert_int_equal(mode_of(key), 0640);
	assert_int_equal(mode_of(full), 0640);
	d.owner = nobody;
	assert_int_equal(deploy_copies(&d, &f, &n, &err), -1);
	assert_string_equal(err.msg, "deploy: no user named 'no-such-user-x'");
	assert_int_equal(unlink(key), 0);
	assert_int_equal(unlink(full), 0);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_parse),
		cmocka_unit_test(test_ids_check),
		cmocka_unit_test(test_copies_modes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
