/*
 * unittest: what several unit test programs share.
 */
#include "autoconfig.h"

#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "unittest.h"

long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
unittest_run_tap(const char *group, const struct CMUnitTest *tests, size_t n)
{
	char *line = NULL;
	size_t cap = 0;
	int pfd[2], status;
	FILE *in;
	pid_t pid;

	fflush(stdout);
	if (pipe(pfd) == -1 || (pid = fork()) == -1)
		return 99;
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		status = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
		fflush(stdout);
		_exit(status);
	}
	close(pfd[1]);
	if ((in = fdopen(pfd[0], "r")) == NULL)
		return 99;
	while (getline(&line, &cap, in) != -1) {
		if (strncmp(line, "not ok ", 7) == 0 &&
		    strstr(line, " # SKIP") != NULL)
			fputs(line + 4, stdout);
		else
			fputs(line, stdout);
	}
	free(line);
	fclose(in);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 99;
	return WEXITSTATUS(status);
}
