/*
 * proc: child processes without a shell, driven by the engine's poll loop
 * (see proc.h).
 */
#include "autoconfig.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "proc.h"

#define PROC_READ_CHUNK		65536
#define PROC_READS_PER_PASS	16	/* a flood must not starve the loop */
#define PROC_MAX_ENV		1024

struct proc {
	struct proc	*next;
	unsigned long	 id;
	pid_t		 pid;
	int		 fd;		/* read end of the output pipe; -1 at EOF */
	int		 reaped;
	int		 wstatus;
	int		 timed_out;
	int		 term_sent;
	int		 kill_sent;
	int		 timeout_ms;
	long long	 start_ms;	/* -1 until the first proc_handle() */
	long long	 deadline_ms;
	long long	 kill_ms;
	size_t		 max_output;
	struct buf	 out;
	size_t		 dropped;
	proc_done_fn	 done;
	void		*arg;
};

struct proc_set {
	struct proc	*head;
	unsigned long	 next_id;
	size_t		 count;
};

struct proc_set *
proc_set_new(struct err *err)
{
	struct proc_set *ps;

	if ((ps = calloc(1, sizeof *ps)) == NULL) {
		err_nomem(err, "process set");
		return NULL;
	}
	ps->next_id = 1;
	return ps;
}

static void
proc_free_one(struct proc *p)
{
	if (p->fd != -1)
		close(p->fd);
	buf_free(&p->out);
	free(p);
}

/* Waits for the leader itself; the group may outlive it. */
static void
proc_reap(struct proc *p, int options)
{
	pid_t r;

	if (p->reaped)
		return;
	do
		r = waitpid(p->pid, &p->wstatus, options);
	while (r == -1 && errno == EINTR);
	/* ECHILD: someone set SIGCHLD to SIG_IGN and the kernel reaped it. */
	if (r == p->pid || (r == -1 && errno == ECHILD)) {
		if (r == -1)
			p->wstatus = 0;
		p->reaped = 1;
	}
}

/* Kills the group with SIGKILL and reaps the leader, blocking only for
 * the moment SIGKILL takes. */
static void
proc_kill_now(struct proc *p)
{
	kill(-p->pid, SIGKILL);
	proc_reap(p, 0);
}

void
proc_set_free(struct proc_set *ps)
{
	struct proc *p, *next;

	if (ps == NULL)
		return;
	for (p = ps->head; p != NULL; p = next) {
		next = p->next;
		proc_kill_now(p);
		proc_free_one(p);
	}
	free(ps);
}

static int
proc_check_mode(const char *what, const char *path, const struct stat *st,
    struct err *err)
{
	if (geteuid() != 0)
		return 0;
	if (st->st_mode & S_IWOTH)
		return err_set(err, ERR_CONFIG, "%s: %s is world-writable: "
		    "anyone could replace what runs as root", path, what);
	if (st->st_mode & S_IWGRP)
		return err_set(err, ERR_CONFIG, "%s: %s is group-writable: "
		    "group members could replace what runs as root", path,
		    what);
	return 0;
}

int
proc_check_program(const char *path, struct err *err)
{
	char real[PATH_MAX], *slash;
	struct stat st;

	if (path == NULL || path[0] != '/')
		return err_set(err, ERR_CONFIG, "%s: program must be an "
		    "absolute path", path == NULL ? "(none)" : path);
	/* The checks apply to what would run, after symbolic links. */
	if (realpath(path, real) == NULL)
		return err_errno(err, "%s", path);
	if (stat(real, &st) == -1)
		return err_errno(err, "%s", path);
	if (!S_ISREG(st.st_mode))
		return err_set(err, ERR_CONFIG, "%s: not a regular file", path);
	if ((st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) == 0 ||
	    access(real, X_OK) == -1)
		return err_set(err, ERR_CONFIG, "%s: not executable", path);
	if (proc_check_mode("program", path, &st, err) == -1)
		return -1;
	slash = strrchr(real, '/');
	if (slash == real)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (stat(real, &st) == -1)
		return err_errno(err, "%s: folder %s", path, real);
	return proc_check_mode("its folder", path, &st, err);
}

/* Copies the environment after checking each entry, adding a PATH when it
 * has none; returns a NULL-terminated array (the strings are the
 * caller's), or NULL with `err`. */
static char **
proc_env(const char *const *env, struct err *err)
{
	const char *eq;
	char **out;
	size_t n = 0, i, have_path = 0;

	for (; env != NULL && env[n] != NULL; n++) {
		if (n >= PROC_MAX_ENV) {
			err_set(err, ERR_CONFIG, "environment: more than %d "
			    "entries", PROC_MAX_ENV);
			return NULL;
		}
		eq = strchr(env[n], '=');
		if (eq == NULL || eq == env[n]) {
			err_set(err, ERR_CONFIG, "environment entry %zu: not "
			    "NAME=VALUE", n + 1);
			return NULL;
		}
		if (memchr(env[n], '\n', (size_t)(eq - env[n])) != NULL) {
			err_set(err, ERR_CONFIG, "environment entry %zu: "
			    "newline in the name", n + 1);
			return NULL;
		}
		if (strncmp(env[n], "PATH=", 5) == 0)
			have_path = 1;
	}
	if ((out = calloc(n + 2, sizeof *out)) == NULL) {
		err_nomem(err, "environment");
		return NULL;
	}
	for (i = 0; i < n; i++)
		out[i] = (char *)env[i];
	if (!have_path)
		out[n] = (char *)PROC_DEFAULT_PATH;
	return out;
}

/* Moves a descriptor to 3 or above, so it can never be one of the
 * child's 0-2 when the parent started with those closed. */
static int
proc_fd_high(int fd)
{
	int nfd;

	if (fd > 2)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return nfd;
}

static int
proc_pipe(int pfd[2], struct err *err)
{
	if (pipe2(pfd, O_CLOEXEC) == -1)
		return err_errno(err, "pipe");
	pfd[0] = proc_fd_high(pfd[0]);
	pfd[1] = proc_fd_high(pfd[1]);
	/* Only our end is non-blocking: the child writes as usual. */
	if (pfd[0] == -1 || pfd[1] == -1 ||
	    fcntl(pfd[0], F_SETFL, O_NONBLOCK) == -1) {
		err_errno(err, "pipe");
		if (pfd[0] != -1)
			close(pfd[0]);
		if (pfd[1] != -1)
			close(pfd[1]);
		return -1;
	}
	return 0;
}

/* Sets what the child starts with: its own group, default signal
 * dispositions, nothing blocked. */
static int
proc_attr(posix_spawnattr_t *attr)
{
	sigset_t all, none;

	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	sigemptyset(&none);
	if (posix_spawnattr_init(attr) != 0)
		return -1;
	if (posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK) != 0 ||
	    posix_spawnattr_setpgroup(attr, 0) != 0 ||
	    posix_spawnattr_setsigdefault(attr, &all) != 0 ||
	    posix_spawnattr_setsigmask(attr, &none) != 0) {
		posix_spawnattr_destroy(attr);
		return -1;
	}
	return 0;
}

/* stdin from `in` (/dev/null when NULL), stdout and stderr into the
 * pipe, every other descriptor closed whatever its flags. */
static int
proc_actions(posix_spawn_file_actions_t *fa, int wfd, const char *cwd,
    const char *in)
{
	if (posix_spawn_file_actions_init(fa) != 0)
		return -1;
	if ((cwd != NULL &&
	    posix_spawn_file_actions_addchdir_np(fa, cwd) != 0) ||
	    posix_spawn_file_actions_addopen(fa, 0, in != NULL ? in : "/dev/null",
	    O_RDONLY | O_NOFOLLOW, 0) != 0 ||
	    posix_spawn_file_actions_adddup2(fa, wfd, 1) != 0 ||
	    posix_spawn_file_actions_adddup2(fa, wfd, 2) != 0 ||
	    posix_spawn_file_actions_addclosefrom_np(fa, 3) != 0) {
		posix_spawn_file_actions_destroy(fa);
		return -1;
	}
	return 0;
}

static int
proc_check_spec(const struct proc_spec *spec, struct err *err)
{
	struct stat st;

	if (spec == NULL || spec->argv == NULL || spec->argv[0] == NULL)
		return err_set(err, ERR_CONFIG, "no program to run");
	if (spec->timeout_ms <= 0)
		return err_set(err, ERR_CONFIG, "%s: a timeout is required",
		    spec->argv[0]);
	if (proc_check_program(spec->argv[0], err) == -1)
		return -1;
	/* posix_spawn would report a bad folder as if the program failed. */
	if (spec->cwd != NULL && stat(spec->cwd, &st) == -1)
		return err_errno(err, "%s: working folder %s", spec->argv[0],
		    spec->cwd);
	if (spec->cwd != NULL && !S_ISDIR(st.st_mode))
		return err_set(err, ERR_CONFIG, "%s: working folder %s: not "
		    "a folder", spec->argv[0], spec->cwd);
	return 0;
}

static int
proc_spawn(struct proc *p, const struct proc_spec *spec, char **envp,
    struct err *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int pfd[2], rc;

	if (proc_pipe(pfd, err) == -1)
		return -1;
	if (proc_attr(&attr) == -1) {
		close(pfd[0]);
		close(pfd[1]);
		return err_set(err, ERR_IO, "%s: spawn attributes",
		    spec->argv[0]);
	}
	if (proc_actions(&fa, pfd[1], spec->cwd, spec->stdin_path) == -1) {
		posix_spawnattr_destroy(&attr);
		close(pfd[0]);
		close(pfd[1]);
		return err_set(err, ERR_IO, "%s: spawn file actions",
		    spec->argv[0]);
	}
	rc = posix_spawn(&p->pid, spec->argv[0], &fa, &attr,
	    (char *const *)spec->argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(pfd[1]);
	if (rc != 0) {
		close(pfd[0]);
		errno = rc;
		return err_errno(err, "%s: spawn", spec->argv[0]);
	}
	p->fd = pfd[0];
	return 0;
}

unsigned long
proc_start(struct proc_set *ps, const struct proc_spec *spec,
    proc_done_fn done, void *arg, struct err *err)
{
	struct proc *p;
	char **envp;

	if (proc_check_spec(spec, err) == -1)
		return 0;
	if ((envp = proc_env(spec->env, err)) == NULL) {
		err_prefix(err, "%s", spec->argv[0]);
		return 0;
	}
	if ((p = calloc(1, sizeof *p)) == NULL) {
		free(envp);
		err_nomem(err, "process");
		return 0;
	}
	p->fd = -1;
	buf_init(&p->out, 0);
	if (proc_spawn(p, spec, envp, err) == -1) {
		free(envp);
		proc_free_one(p);
		return 0;
	}
	free(envp);
	p->id = ps->next_id++;
	p->start_ms = -1;
	p->timeout_ms = spec->timeout_ms;
	p->max_output = spec->max_output;
	p->done = done;
	p->arg = arg;
	p->next = ps->head;
	ps->head = p;
	ps->count++;
	return p->id;
}

/* Takes `id` out of the set; returns it, or NULL. */
static struct proc *
proc_unlink(struct proc_set *ps, unsigned long id)
{
	struct proc **pp, *p;

	for (pp = &ps->head; (p = *pp) != NULL; pp = &p->next) {
		if (p->id == id) {
			*pp = p->next;
			ps->count--;
			return p;
		}
	}
	return NULL;
}

void
proc_cancel(struct proc_set *ps, unsigned long id)
{
	struct proc *p;

	if (ps == NULL || (p = proc_unlink(ps, id)) == NULL)
		return;
	proc_kill_now(p);
	proc_free_one(p);
}

int
proc_pollfds(struct proc_set *ps, struct pollfd *fds, int max)
{
	struct proc *p;
	int n = 0;

	for (p = ps->head; p != NULL && n < max; p = p->next) {
		if (p->fd == -1)
			continue;
		fds[n].fd = p->fd;
		fds[n].events = POLLIN;
		fds[n].revents = 0;
		n++;
	}
	return n;
}

static void
proc_keep(struct proc *p, const char *data, size_t len)
{
	size_t room = 0;

	if (p->out.len < p->max_output)
		room = p->max_output - p->out.len;
	if (room > len)
		room = len;
	/* Output is a diagnostic: memory short, it is counted, not kept. */
	if (room > 0 && buf_append(&p->out, data, room, NULL) == -1)
		room = 0;
	p->dropped += len - room;
}

/* Reads what the pipe holds, a bounded amount per pass. */
static void
proc_read(struct proc *p)
{
	char chunk[PROC_READ_CHUNK];
	ssize_t k;
	int i;

	for (i = 0; p->fd != -1 && i < PROC_READS_PER_PASS; i++) {
		k = read(p->fd, chunk, sizeof chunk);
		if (k > 0) {
			proc_keep(p, chunk, (size_t)k);
			continue;
		}
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		/* End of file, or an error the pipe will not recover from. */
		close(p->fd);
		p->fd = -1;
	}
}

static void
proc_timers(struct proc *p, long long now_ms)
{
	if (!p->term_sent && now_ms >= p->deadline_ms) {
		p->timed_out = 1;
		p->term_sent = 1;
		p->kill_ms = now_ms + PROC_KILL_GRACE_MS;
		kill(-p->pid, SIGTERM);
	}
	if (p->term_sent && !p->kill_sent && now_ms >= p->kill_ms) {
		p->kill_sent = 1;
		kill(-p->pid, SIGKILL);
	}
}

/* A child is finished when its output is at EOF and its leader reaped;
 * after SIGKILL the leader alone is enough, since whatever still holds the
 * pipe has left the group and will not be waited for. */
static int
proc_finished(struct proc *p)
{
	if (!p->reaped)
		return 0;
	if (p->fd != -1 && p->kill_sent) {
		proc_read(p);
		close(p->fd);
		p->fd = -1;
	}
	return p->fd == -1;
}

static void
proc_step(struct proc *p, const struct pollfd *fds, int n, long long now_ms)
{
	int i;

	/* Clocked by the loop, so every deadline is on the loop's clock. */
	if (p->start_ms == -1) {
		p->start_ms = now_ms;
		p->deadline_ms = now_ms + p->timeout_ms;
	}
	for (i = 0; p->fd != -1 && i < n; i++)
		if (fds[i].fd == p->fd && fds[i].revents != 0)
			proc_read(p);
	proc_reap(p, WNOHANG);
	proc_timers(p, now_ms);
}

static void
proc_report(struct proc *p, long long now_ms)
{
	struct proc_result r;

	memset(&r, 0, sizeof r);
	if (WIFEXITED(p->wstatus)) {
		r.exited = 1;
		r.status = WEXITSTATUS(p->wstatus);
	} else if (WIFSIGNALED(p->wstatus)) {
		r.signaled = 1;
		r.signal = WTERMSIG(p->wstatus);
	}
	r.timed_out = p->timed_out;
	r.output = p->out.data != NULL ? p->out.data : "";
	r.output_len = p->out.len;
	r.output_dropped = p->dropped;
	r.elapsed_ms = now_ms - p->start_ms;
	if (p->done != NULL)
		p->done(p->arg, &r);
}

void
proc_handle(struct proc_set *ps, const struct pollfd *fds, int n,
    long long now_ms)
{
	struct proc *p;

	for (p = ps->head; p != NULL; p = p->next)
		proc_step(p, fds, n, now_ms);
	/* One at a time, from the top: a callback may change the list. */
	for (;;) {
		for (p = ps->head; p != NULL; p = p->next)
			if (proc_finished(p))
				break;
		if (p == NULL)
			return;
		proc_unlink(ps, p->id);
		proc_report(p, now_ms);
		proc_free_one(p);
	}
}

static long long
proc_next_ms(const struct proc *p, long long now_ms)
{
	long long t;

	if (p->start_ms == -1)
		return now_ms;
	t = p->term_sent ? p->kill_ms : p->deadline_ms;
	if (p->kill_sent)
		t = now_ms + PROC_REAP_POLL_MS;
	/* The pipe says nothing more: only waitpid() will tell. */
	if (p->fd == -1 && t > now_ms + PROC_REAP_POLL_MS)
		t = now_ms + PROC_REAP_POLL_MS;
	if (p->reaped && p->fd == -1)
		t = now_ms;
	return t;
}

int
proc_timeout_ms(const struct proc_set *ps, long long now_ms)
{
	const struct proc *p;
	long long t, best = -1;

	for (p = ps->head; p != NULL; p = p->next) {
		t = proc_next_ms(p, now_ms);
		if (best == -1 || t < best)
			best = t;
	}
	if (best == -1)
		return -1;
	if (best <= now_ms)
		return 0;
	return best - now_ms > INT_MAX ? INT_MAX : (int)(best - now_ms);
}

size_t
proc_running(const struct proc_set *ps)
{
	return ps->count;
}
