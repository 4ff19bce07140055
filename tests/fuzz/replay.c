/*
 * replay: runs saved inputs through a fuzz harness without libFuzzer, for
 * `make check`.
 *
 * Built once per harness with FUZZ_NAME set ("json", ...). Without
 * arguments it replays every file in $top_srcdir/tests/fuzz/corpus/NAME
 * and tests/fuzz/crashes/NAME; with arguments, the files and folders given.
 * Each input runs in its own child so a crash, a sanitizer report, a
 * broken promise (fuzz_fail) or a hang fails that input alone, and the
 * result is one TAP line per input.
 */
#include "autoconfig.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

/* Under AddressSanitizer each child checks for leaks itself, as
 * libFuzzer's -detect_leaks does: it ends with _exit(), which LeakSanitizer
 * would not see. */
#if defined(__SANITIZE_ADDRESS__)
#define REPLAY_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REPLAY_LSAN 1
#endif
#endif
#ifdef REPLAY_LSAN
#include <sanitizer/lsan_interface.h>
#define replay_leaked() __lsan_do_recoverable_leak_check()
#else
#define replay_leaked() 0
#endif

#ifndef FUZZ_NAME
#error FUZZ_NAME must name the harness
#endif

/* An input that runs longer than this is a hang, as libFuzzer's -timeout
 * would call it; generous for valgrind and sanitizer builds. */
#define REPLAY_TIMEOUT_S	60
/* Largest input replayed: bigger than any -max_len `make fuzz` uses. */
#define REPLAY_MAX_INPUT	(4 * 1024 * 1024)

#pragma weak LLVMFuzzerInitialize

struct replay_list {
	char	**paths;
	size_t	  n, cap;
};

static int
replay_add(struct replay_list *l, const char *dir, const char *name)
{
	char *p;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **np = realloc(l->paths, cap * sizeof *np);

		if (np == NULL)
			return -1;
		l->paths = np;
		l->cap = cap;
	}
	if (dir == NULL)
		p = strdup(name);
	else if (asprintf(&p, "%s/%s", dir, name) < 0)
		p = NULL;
	if (p == NULL)
		return -1;
	l->paths[l->n++] = p;
	return 0;
}

static int
replay_visible(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Adds `path`, or every visible file in it when it is a folder (sorted,
 * so the TAP numbering is stable). A missing folder adds nothing when
 * `optional`. */
static int
replay_collect(struct replay_list *l, const char *path, int optional)
{
	struct dirent **ents;
	struct stat st;
	int i, n, rc = 0;

	if (stat(path, &st) == -1) {
		if (optional && errno == ENOENT)
			return 0;
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_add(l, NULL, path);
	if ((n = scandir(path, &ents, replay_visible, alphasort)) == -1) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (rc == 0 && replay_add(l, path, ents[i]->d_name) == -1)
			rc = -1;
		free(ents[i]);
	}
	free(ents);
	return rc;
}

static uint8_t *
replay_read(const char *path, size_t *len)
{
	uint8_t *data;
	FILE *f;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	/* One byte past the cap tells an oversized input from a full one. */
	if ((data = malloc(REPLAY_MAX_INPUT + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(data, 1, REPLAY_MAX_INPUT + 1, f);
	if (ferror(f) || n > REPLAY_MAX_INPUT) {
		fclose(f);
		free(data);
		return NULL;
	}
	fclose(f);
	*len = n;
	return data;
}

/* Runs one input in a child; returns 0 when it ran through, else -1 with
 * the reason in `why`. */
static int
replay_one(const char *path, char *why, size_t whysz)
{
	uint8_t *data;
	size_t len;
	pid_t pid;
	int status;

	fflush(stdout);
	if ((pid = fork()) == -1) {
		snprintf(why, whysz, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		alarm(REPLAY_TIMEOUT_S);
		if ((data = replay_read(path, &len)) == NULL) {
			fprintf(stderr, "%s: unreadable or too large\n", path);
			_exit(2);
		}
		LLVMFuzzerTestOneInput(data, len);
		free(data);
		_exit(replay_leaked() ? 3 : 0);
	}
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			snprintf(why, whysz, "waitpid: %s", strerror(errno));
			return -1;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		snprintf(why, whysz, "killed by signal %d%s", WTERMSIG(status),
		    WTERMSIG(status) == SIGALRM ? " (hang)" : "");
	else if (WEXITSTATUS(status) == 3)
		snprintf(why, whysz, "memory leaked");
	else
		snprintf(why, whysz, "exit status %d", WEXITSTATUS(status));
	return -1;
}

int
main(int argc, char **argv)
{
	struct replay_list l = { NULL, 0, 0 };
	const char *top = getenv("top_srcdir");
	char *dir = NULL, why[128];
	size_t i;
	int failed = 0, rc = 0;

	if (top == NULL)
		top = ".";
	if (argc > 1) {
		for (i = 1; i < (size_t)argc && rc == 0; i++)
			rc = replay_collect(&l, argv[i], 0);
	} else {
		if (asprintf(&dir, "%s/tests/fuzz/corpus/%s", top, FUZZ_NAME) < 0)
			return 1;
		rc = replay_collect(&l, dir, 0);
		free(dir);
		if (asprintf(&dir, "%s/tests/fuzz/crashes/%s", top, FUZZ_NAME) < 0)
			return 1;
		if (rc == 0)
			rc = replay_collect(&l, dir, 1);
		free(dir);
	}
	if (rc == -1 || l.n == 0) {
		printf("1..1\nnot ok 1 - fuzz_%s: no inputs to replay\n",
		    FUZZ_NAME);
		return 1;
	}
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	printf("1..%zu\n", l.n);
	for (i = 0; i < l.n; i++) {
		if (replay_one(l.paths[i], why, sizeof why) == 0)
			printf("ok %zu - fuzz_%s %s\n", i + 1, FUZZ_NAME,
			    l.paths[i]);
		else {
			printf("not ok %zu - fuzz_%s %s: %s\n", i + 1,
			    FUZZ_NAME, l.paths[i], why);
			failed = 1;
		}
		free(l.paths[i]);
	}
	free(l.paths);
	return failed;
}
