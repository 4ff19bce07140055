/*
 * fstest: scratch folders and file size limits for the tests (see
 * fstest.h).
 */
#include "autoconfig.h"

#include <sys/stat.h>

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "fstest.h"
#include "store.h"

int
fstest_mkdtemp(char *path, size_t size, const char *tag)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(path, size, "%s/certdeck-%s-XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp", tag);
	return mkdtemp(path) != NULL ? 0 : -1;
}

static int
fstest_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
fstest_rmtree(const char *path)
{
	nftw(path, fstest_rm, 16, FTW_DEPTH | FTW_PHYS);
}

int
fstest_limit_fsize(rlim_t limit, struct rlimit *saved)
{
	struct rlimit low;

	if (getrlimit(RLIMIT_FSIZE, saved) != 0)
		return -1;
	low = *saved;
	low.rlim_cur = limit;
	signal(SIGXFSZ, SIG_IGN);
	return setrlimit(RLIMIT_FSIZE, &low);
}

void
fstest_restore_fsize(const struct rlimit *saved)
{
	setrlimit(RLIMIT_FSIZE, saved);
	signal(SIGXFSZ, SIG_DFL);
}

int
fstest_store_setup(void **state)
{
	struct store_fixture *fx = calloc(1, sizeof *fx);
	struct err err;

	if (fx == NULL || fstest_mkdtemp(fx->top, sizeof fx->top, "store") != 0)
		return -1;
	snprintf(fx->dir, sizeof fx->dir, "%s/state", fx->top);
	if ((fx->s = store_open(fx->dir, &err)) == NULL)
		return -1;
	*state = fx;
	return 0;
}

int
fstest_store_teardown(void **state)
{
	struct store_fixture *fx = *state;

	store_close(fx->s);
	fstest_rmtree(fx->top);
	free(fx);
	return 0;
}
