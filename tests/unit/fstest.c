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
