/*
 * proc: child processes run without a shell, inside the engine's one poll
 * loop.
 *
 * Hooks (dns-01 record add and remove) and deploy reload commands run
 * through here: argv and a checked environment handed to the program
 * itself, never to /bin/sh, so nothing a CA sends is ever interpreted.
 * Each child gets its own process group, /dev/null for stdin and one pipe
 * for stdout and stderr together; its output is captured up to a cap and
 * the rest drained, so a flood can neither block the child nor grow our
 * memory. Past its timeout the whole group gets SIGTERM, then SIGKILL two
 * seconds later, so grandchildren go too.
 *
 * The loop asks for the descriptors to watch, polls them with everything
 * else and hands the readiness back, the way the responder does. Only the
 * PIDs started here are ever waited for, never waitpid(-1): the process
 * may have other children. Times are the loop's clock in milliseconds
 * (CLOCK_MONOTONIC); a child's timeout runs from the first proc_handle()
 * after its start.
 */
#ifndef CERTDECK_PROC_H
#define CERTDECK_PROC_H

#include <poll.h>
#include <stddef.h>

#include "err.h"

#define PROC_KILL_GRACE_MS	2000	/* SIGTERM to SIGKILL */
#define PROC_REAP_POLL_MS	20	/* output closed, exit not yet seen */
#define PROC_DEFAULT_PATH	"PATH=/usr/sbin:/usr/bin:/sbin:/bin"

struct proc_spec {
	const char *const *argv;	/* argv[0]: absolute program path */
	const char *const *env;		/* complete environment, "K=V", NULL-terminated; NULL: empty */
	int timeout_ms;			/* > 0; the group is killed past it */
	size_t max_output;		/* bytes of stdout+stderr kept */
	const char *cwd;		/* or NULL: ours */
	const char *stdin_path;		/* file read as stdin, or NULL: /dev/null */
};

/* How a child ended. `output` is NUL-terminated and valid only during the
 * callback. */
struct proc_result {
	int exited;		/* exited by itself; `status` is its code */
	int status;
	int signaled;		/* killed by `signal` */
	int signal;
	int timed_out;		/* we killed it past its timeout */
	const char *output;
	size_t output_len;
	size_t output_dropped;	/* bytes read past max_output */
	long long elapsed_ms;
};

typedef void (*proc_done_fn)(void *arg, const struct proc_result *r);

struct proc_set;

/* Returns an empty set the caller frees with proc_set_free(), or NULL with
 * `err`. */
struct proc_set *proc_set_new(struct err *err);

/* Kills (SIGKILL to each group) and reaps every child left, without
 * callbacks, and frees the set; NULL is allowed. */
void proc_set_free(struct proc_set *ps);

/* Checks that `path` is absolute, exists, is a regular file we may
 * execute and, when we run as root, that neither it nor its folder is
 * group- or world-writable; returns 0, or -1 with `err` saying which and
 * why. */
int proc_check_program(const char *path, struct err *err);

/* Checks the program and the environment and starts the child; returns
 * its id (> 0), or 0 with `err` and nothing started. `done` is called
 * from proc_handle() exactly once, unless the child is cancelled. */
unsigned long proc_start(struct proc_set *ps, const struct proc_spec *spec,
    proc_done_fn done, void *arg, struct err *err);

/* Kills the child's group, reaps the child and forgets it, without a
 * callback; unknown ids are ignored. */
void proc_cancel(struct proc_set *ps, unsigned long id);

/* Fills up to `max` pollfds with the output pipes to watch; returns how
 * many were filled. */
int proc_pollfds(struct proc_set *ps, struct pollfd *fds, int max);

/* Reads the output poll() reported ready in `fds` (matched by descriptor),
 * reaps children that ended, enforces timeouts at `now_ms` and calls the
 * callbacks of children that finished; never blocks. `fds` may be NULL
 * when `n` is 0. Callbacks may start or cancel children. */
void proc_handle(struct proc_set *ps, const struct pollfd *fds, int n,
    long long now_ms);

/* Returns the milliseconds until proc_handle() must run again even
 * without output, 0 when it is due, or -1 with no children. */
int proc_timeout_ms(const struct proc_set *ps, long long now_ms);

/* Returns how many children are running (started, not yet reported). */
size_t proc_running(const struct proc_set *ps);

#endif
