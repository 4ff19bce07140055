/*
 * demo: `certdeck --demo` (see demo.h).
 *
 * Everything lives in one folder made with mkdtemp under $TMPDIR: the
 * state folder, an empty configuration, Pebble's throwaway CA and HTTPS
 * certificate (made by certtool from templates written here), Pebble's
 * JSON configuration and the logs. Pebble and pebble-challtestsrv each run
 * in a process group of their own, so Ctrl-C on the terminal reaches only
 * certdeck, which then stops them itself; challtestsrv answers every DNS
 * query with 127.0.0.1, so Pebble validates http-01 against certdeck's own
 * responder on the port both are given.
 *
 * The front end (on a terminal the screens, where the wizard onboards a
 * name; else one issuance and `certdeck list`) runs in a forked child: whatever it does with signals
 * and the terminal, this process keeps its handlers until the servers are
 * stopped and the folder is gone. Handlers only note the signal and write
 * a byte to a self-pipe; every wait here is a poll() on that pipe, which
 * SIGCHLD wakes too.
 */
#include "autoconfig.h"

#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "cli.h"
#include "demo.h"
#include "esc.h"
#include "fsutil.h"
#include "job.h"

/* 1: on a terminal the demo opens the screens once its certificate is
 * issued; 0: it prints `certdeck list` and waits for Enter. */
#define DEMO_SCREENS		1

#if DEMO_SCREENS
#include "ui.h"
#endif

#define DEMO_NAME		"demo"
#define DEMO_DOMAIN		"demo.example.test"
#define DEMO_EMAIL		"demo@example.test"
#define DEMO_START_MS		30000	/* until both servers answer */
#define DEMO_START_TRIES	3	/* a port taken between pick and bind */
#define DEMO_TOOL_MS		30000	/* one certtool run */
#define DEMO_POLL_MS		100	/* TCP probes while the servers start */
#define DEMO_STOP_MS		5000	/* SIGTERM, then SIGKILL */
#define DEMO_FRONT_STOP_MS	15000	/* the front end's own clean-up */
#define DEMO_NAP_MAX_MS		60000
#define DEMO_TAIL_LINES		10
#define DEMO_LOG_MAX		(4 * 1024 * 1024)
#define DEMO_ARGV_MAX		32

extern char **environ;

enum demo_port {
	DEMO_PORT_ACME,		/* Pebble's listenAddress */
	DEMO_PORT_ACME_MGMT,	/* its managementListenAddress */
	DEMO_PORT_HTTP01,	/* its httpPort: certdeck's responder */
	DEMO_PORT_TLSALPN,	/* its tlsPort */
	DEMO_PORT_DNS,		/* challtestsrv's DNS, Pebble's resolver */
	DEMO_PORT_DNS_MGMT,	/* challtestsrv's management API */
	DEMO_PORT_COUNT
};

enum { DEMO_PEBBLE, DEMO_CHALLTESTSRV, DEMO_SERVER_COUNT };

struct demo_server {
	const char *prog;	/* looked up in PATH */
	const char *log;	/* file in the folder */
	pid_t pid;		/* 0: not running (never started, or reaped) */
};

struct demo {
	char dir[PATH_MAX - 64];	/* leaves room for a file name */
	int dirfd;
	int ports[DEMO_PORT_COUNT];
	struct demo_server srv[DEMO_SERVER_COUNT];
	int exited;			/* a server exited while starting */
	const char *failed_log;		/* shown after a failure */
	enum cli_verbosity verbosity;
};

/* Pebble's throwaway CA and its HTTPS certificate, as in the test
 * harness; certtool runs in the folder, so the names are relative. */
static const char demo_ca_tmpl[] =
    "cn = \"certdeck demo CA\"\nca\ncert_signing_key\nexpiration_days = 7\n";
static const char demo_server_tmpl[] =
    "cn = \"localhost\"\ndns_name = \"localhost\"\nip_address = \"127.0.0.1\"\n"
    "ip_address = \"::1\"\ntls_www_server\nsigning_key\nexpiration_days = 7\n";
static const char *const demo_certtool[][16] = {
	{ "certtool", "--generate-privkey", "--key-type=ecdsa", "--no-text",
	  "--outfile", "ca.key", NULL },
	{ "certtool", "--generate-self-signed", "--load-privkey", "ca.key",
	  "--template", "ca.tmpl", "--no-text", "--outfile", "ca.pem", NULL },
	{ "certtool", "--generate-privkey", "--key-type=ecdsa", "--no-text",
	  "--outfile", "server.key", NULL },
	{ "certtool", "--generate-certificate", "--load-privkey", "server.key",
	  "--load-ca-privkey", "ca.key", "--load-ca-certificate", "ca.pem",
	  "--template", "server.tmpl", "--no-text", "--outfile", "server.pem", NULL },
};

static volatile sig_atomic_t demo_signal;	/* SIGINT, SIGTERM or SIGHUP */
static int demo_pipe[2] = { -1, -1 };

static void
demo_on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	if (sig != SIGCHLD)
		demo_signal = sig;
	(void)write(demo_pipe[1], &b, 1);
	errno = saved;
}

/* Installs the handlers (on) or restores the defaults and closes the
 * pipe. Without SA_RESTART, so a blocking call returns at once. */
static int
demo_signals(int on, struct err *err)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD };
	struct sigaction sa;
	size_t i;

	if (on && pipe2(demo_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return err_errno(err, "demo: pipe");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on ? demo_on_signal : SIG_DFL;
	sa.sa_flags = SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		(void)sigaction(sigs[i], &sa, NULL);
	if (!on) {
		for (i = 0; i < 2; i++)
			if (demo_pipe[i] >= 0)
				close(demo_pipe[i]);
		demo_pipe[0] = demo_pipe[1] = -1;
	}
	return 0;
}

/* Sleeps up to `ms`, or less when a signal (SIGCHLD included) arrives. */
static void
demo_nap(long long ms)
{
	struct pollfd pfd = { .fd = demo_pipe[0], .events = POLLIN };
	unsigned char b[64];

	if (poll(&pfd, 1, ms > DEMO_NAP_MAX_MS ? DEMO_NAP_MAX_MS : (int)ms) > 0)
		while (read(demo_pipe[0], b, sizeof b) > 0)
			;
}

static void
demo_reap(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
}

/* Waits for `pid` until `deadline` (job_now_ms), or until a signal
 * arrives when `interruptible`; returns 1 once it is reaped (`status`
 * set), else 0. */
static int
demo_wait_pid(pid_t pid, long long deadline, int interruptible, int *status)
{
	long long now;
	pid_t r;

	for (;;) {
		if ((r = waitpid(pid, status, WNOHANG)) == pid)
			return 1;
		if (r < 0 && errno == ECHILD) {
			*status = 0;
			return 1;
		}
		if (interruptible && demo_signal != 0)
			return 0;
		if ((now = job_now_ms()) >= deadline)
			return 0;
		demo_nap(deadline - now);
	}
}

static const char *
demo_status_text(int status, char *out, size_t size)
{
	if (WIFSIGNALED(status))
		snprintf(out, size, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(out, size, "exit status %d", WEXITSTATUS(status));
	return out;
}

/* Starts `argv` (argv[0] looked up in PATH) in a process group of its
 * own, in the folder, with stdin from /dev/null and stdout and stderr
 * appended to the folder's `log`; returns its pid, or -1 with `err`. */
static pid_t
demo_spawn(const struct demo *d, const char *const *argv, char *const *envp,
    const char *log, struct err *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	char path[PATH_MAX];
	pid_t pid;
	int rc;

	snprintf(path, sizeof path, "%s/%s", d->dir, log);
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGCHLD);
	sigaddset(&dfl, SIGPIPE);	/* ignored by main() */
	if ((rc = posix_spawnattr_init(&attr)) != 0)
		return err_set(err, ERR_IO, "%s: spawn attributes: %s", argv[0], strerror(rc));
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
		posix_spawnattr_destroy(&attr);
		return err_set(err, ERR_IO, "%s: spawn actions: %s", argv[0], strerror(rc));
	}
	rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	if (rc == 0)
		rc = posix_spawnattr_setpgroup(&attr, 0);
	if (rc == 0)
		rc = posix_spawnattr_setsigdefault(&attr, &dfl);
	if (rc == 0)
		rc = posix_spawnattr_setsigmask(&attr, &none);
	if (rc == 0)
		rc = posix_spawn_file_actions_addchdir_np(&fa, d->dir);
	if (rc == 0)
		rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (rc == 0)
		rc = posix_spawn_file_actions_addopen(&fa, 1, path,
		    O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0600);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (rc == 0)
		rc = posix_spawnp(&pid, argv[0], &fa, &attr, (char *const *)argv,
		    envp != NULL ? envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc == ENOENT)
		return err_set(err, ERR_CONFIG, "%s: not found in PATH "
		    "('sh tools/deps.sh run' installs it)", argv[0]);
	if (rc != 0)
		return err_set(err, ERR_IO, "%s: %s", argv[0], strerror(rc));
	return pid;
}

/* Runs one certtool command to its end; returns 0 when it exits 0. */
static int
demo_tool(struct demo *d, const char *const *argv, struct err *err)
{
	char how[48];
	pid_t pid;
	int status;

	d->failed_log = "certtool.log";
	if ((pid = demo_spawn(d, argv, NULL, d->failed_log, err)) < 0)
		return -1;
	if (!demo_wait_pid(pid, job_now_ms() + DEMO_TOOL_MS, 1, &status)) {
		(void)kill(-pid, SIGKILL);
		demo_reap(pid, &status);
		if (demo_signal != 0)
			return err_set(err, ERR_CANCELLED, "interrupted");
		return err_set(err, ERR_FAIL, "certtool %s: no end after %d s", argv[1],
		    DEMO_TOOL_MS / 1000);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return err_set(err, ERR_CRYPTO, "certtool %s failed (%s)", argv[1],
		    demo_status_text(status, how, sizeof how));
	return 0;
}

/* The folder: state, an empty configuration and Pebble's certificates. */
static int
demo_prepare(struct demo *d, struct err *err)
{
	const char *tmp = getenv("TMPDIR");
	size_t i;
	int n;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	n = snprintf(d->dir, sizeof d->dir, "%s/certdeck-demo.XXXXXX", tmp);
	if (n < 0 || (size_t)n >= sizeof d->dir) {
		d->dir[0] = '\0';
		return err_set(err, ERR_CONFIG, "TMPDIR: path too long");
	}
	if (mkdtemp(d->dir) == NULL) {
		err_errno(err, "%s", d->dir);
		d->dir[0] = '\0';
		return -1;
	}
	if ((d->dirfd = open(d->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_errno(err, "%s", d->dir);
	if (fsutil_mkdirs_at(d->dirfd, "state", 0700, NULL, err) != 0 ||
	    fsutil_write_atomic_at(d->dirfd, "certdeck.conf", "", 0, 0600, 0, err) != 0 ||
	    fsutil_write_atomic_at(d->dirfd, "ca.tmpl", demo_ca_tmpl,
	    strlen(demo_ca_tmpl), 0600, 0, err) != 0 ||
	    fsutil_write_atomic_at(d->dirfd, "server.tmpl", demo_server_tmpl,
	    strlen(demo_server_tmpl), 0600, 0, err) != 0)
		return err_prefix(err, "%s", d->dir);
	for (i = 0; i < sizeof demo_certtool / sizeof demo_certtool[0]; i++)
		if (demo_tool(d, demo_certtool[i], err) != 0)
			return -1;
	d->failed_log = NULL;
	return 0;
}

/* Distinct free TCP ports on 127.0.0.1: every socket stays bound until
 * all are chosen. Another program may still take one before our servers
 * bind it; the start is then tried again. */
static int
demo_pick_ports(int *ports, int n, struct err *err)
{
	struct sockaddr_in sin;
	socklen_t len;
	int fds[DEMO_PORT_COUNT], i, made, rc = 0;

	for (made = 0; made < n && rc == 0; made++) {
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof sin;
		if ((fds[made] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			return err_errno(err, "demo: socket");
		if (bind(fds[made], (struct sockaddr *)&sin, sizeof sin) != 0 ||
		    getsockname(fds[made], (struct sockaddr *)&sin, &len) != 0)
			rc = err_errno(err, "demo: a free port on 127.0.0.1");
		ports[made] = ntohs(sin.sin_port);
	}
	for (i = 0; i < made; i++)
		close(fds[i]);
	return rc;
}

static int
demo_pebble_config(struct demo *d, struct err *err)
{
	char listen[32], mgmt[32], cert[PATH_MAX], key[PATH_MAX];
	json_t *j;
	char *text;
	int rc;

	snprintf(listen, sizeof listen, "127.0.0.1:%d", d->ports[DEMO_PORT_ACME]);
	snprintf(mgmt, sizeof mgmt, "127.0.0.1:%d", d->ports[DEMO_PORT_ACME_MGMT]);
	snprintf(cert, sizeof cert, "%s/server.pem", d->dir);
	snprintf(key, sizeof key, "%s/server.key", d->dir);
	j = json_pack("{s:{s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:b}}", "pebble",
	    "listenAddress", listen, "managementListenAddress", mgmt,
	    "certificate", cert, "privateKey", key,
	    "httpPort", d->ports[DEMO_PORT_HTTP01], "tlsPort", d->ports[DEMO_PORT_TLSALPN],
	    "ocspResponderURL", "", "externalAccountBindingRequired", 0);
	if (j == NULL || (text = json_dumps(j, JSON_INDENT(2))) == NULL) {
		json_decref(j);
		return err_nomem(err, "pebble.json");
	}
	json_decref(j);
	rc = fsutil_write_atomic_at(d->dirfd, "pebble.json", text, strlen(text), 0600, 1, err);
	free(text);
	return rc;
}

/* Our environment without PEBBLE_* settings, plus the demo's: no random
 * wait before validation, and none of the nonces Pebble refuses on
 * purpose, so a first run reads cleanly. The array is the caller's to
 * free, its strings are not. */
static char **
demo_server_env(struct err *err)
{
	static char nosleep[] = "PEBBLE_VA_NOSLEEP=1";
	static char noreject[] = "PEBBLE_WFE_NONCEREJECT=0";
	char **env;
	size_t n = 0, i;

	while (environ[n] != NULL)
		n++;
	if ((env = calloc(n + 3, sizeof *env)) == NULL) {
		err_nomem(err, "environment");
		return NULL;
	}
	for (i = n = 0; environ[i] != NULL; i++)
		if (strncmp(environ[i], "PEBBLE_", 7) != 0)
			env[n++] = environ[i];
	env[n++] = nosleep;
	env[n] = noreject;
	return env;
}

static int
demo_tcp_ok(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd, rc;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((unsigned short)port);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	/* On loopback a connect is answered at once, accepted or refused. */
	rc = connect(fd, (struct sockaddr *)&sin, sizeof sin);
	close(fd);
	return rc == 0;
}

/* Polls until Pebble's ACME port and challtestsrv's DNS port accept TCP
 * connections; -1 with `err` when a server exits (d->exited set), the
 * deadline passes or a signal arrives. */
static int
demo_wait_up(struct demo *d, struct err *err)
{
	long long deadline = job_now_ms() + DEMO_START_MS;
	char how[48];
	int i, status;

	for (;;) {
		for (i = 0; i < DEMO_SERVER_COUNT; i++) {
			if (waitpid(d->srv[i].pid, &status, WNOHANG) != d->srv[i].pid)
				continue;
			d->srv[i].pid = 0;
			d->exited = 1;
			d->failed_log = d->srv[i].log;
			return err_set(err, ERR_FAIL, "%s exited while starting (%s)",
			    d->srv[i].prog, demo_status_text(status, how, sizeof how));
		}
		if (demo_signal != 0)
			return err_set(err, ERR_CANCELLED, "interrupted");
		if (demo_tcp_ok(d->ports[DEMO_PORT_ACME]) && demo_tcp_ok(d->ports[DEMO_PORT_DNS]))
			return 0;
		if (job_now_ms() >= deadline) {
			d->failed_log = d->srv[DEMO_PEBBLE].log;
			return err_set(err, ERR_NET, "pebble: 127.0.0.1:%d accepts no "
			    "connection after %d s", d->ports[DEMO_PORT_ACME],
			    DEMO_START_MS / 1000);
		}
		demo_nap(DEMO_POLL_MS);
	}
}

/* SIGTERM to each server's group, SIGKILL to those still there after
 * DEMO_STOP_MS; every one is reaped. Safe to call twice. */
static void
demo_stop_servers(struct demo *d)
{
	long long deadline = job_now_ms() + DEMO_STOP_MS;
	int i, status;

	/* The leaders are not reaped yet, so their groups still exist. */
	for (i = 0; i < DEMO_SERVER_COUNT; i++)
		if (d->srv[i].pid > 0)
			(void)kill(-d->srv[i].pid, SIGTERM);
	for (i = 0; i < DEMO_SERVER_COUNT; i++) {
		if (d->srv[i].pid <= 0)
			continue;
		if (!demo_wait_pid(d->srv[i].pid, deadline, 0, &status)) {
			(void)kill(-d->srv[i].pid, SIGKILL);
			demo_reap(d->srv[i].pid, &status);
		}
		d->srv[i].pid = 0;
	}
}

/* One start of both servers on fresh ports. */
static int
demo_start_once(struct demo *d, struct err *err)
{
	char config[PATH_MAX], dns[32], mgmt[32];
	const char *const cts[] = { d->srv[DEMO_CHALLTESTSRV].prog, "-management", mgmt,
	    "-dns01", dns, "-http01", "", "-https01", "", "-tlsalpn01", "",
	    "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "", NULL };
	const char *const pebble[] = { d->srv[DEMO_PEBBLE].prog, "-config", config,
	    "-dnsserver", dns, NULL };
	char **env;
	pid_t pid;

	if (demo_pick_ports(d->ports, DEMO_PORT_COUNT, err) != 0 ||
	    demo_pebble_config(d, err) != 0 || (env = demo_server_env(err)) == NULL)
		return -1;
	snprintf(config, sizeof config, "%s/pebble.json", d->dir);
	snprintf(dns, sizeof dns, "127.0.0.1:%d", d->ports[DEMO_PORT_DNS]);
	snprintf(mgmt, sizeof mgmt, "127.0.0.1:%d", d->ports[DEMO_PORT_DNS_MGMT]);
	if ((pid = demo_spawn(d, cts, env, d->srv[DEMO_CHALLTESTSRV].log, err)) > 0) {
		d->srv[DEMO_CHALLTESTSRV].pid = pid;
		if ((pid = demo_spawn(d, pebble, env, d->srv[DEMO_PEBBLE].log, err)) > 0)
			d->srv[DEMO_PEBBLE].pid = pid;
	}
	free(env);
	return pid > 0 ? demo_wait_up(d, err) : -1;
}

static int
demo_start(struct demo *d, struct err *err)
{
	int tries;

	for (tries = 1;; tries++) {
		d->exited = 0;
		if (demo_start_once(d, err) == 0)
			return 0;
		demo_stop_servers(d);
		if (!d->exited || tries == DEMO_START_TRIES || demo_signal != 0)
			return -1;
		if (d->verbosity != CLI_QUIET)
			fprintf(stderr, "certdeck: demo: %s; starting again on other ports\n",
			    err->msg);
	}
}

/* On a terminal the screens, on an empty store, so a newcomer onboards
 * a name through the wizard; else the demo certificate is issued here,
 * then the list and what a real CA would take. */
static int
demo_front_end(const struct cli *c)
{
	char line[16];
	int rc;

#if DEMO_SCREENS
	if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
		return ui_run(c);
#endif
	printf("Issuing certificate '%s' for %s from the demo CA.\n\n", DEMO_NAME, DEMO_DOMAIN);
	fflush(stdout);
	if ((rc = cli_issue(c)) != CLI_OK)
		return rc;
	printf("\n$ certdeck list\n");
	fflush(stdout);
	if ((rc = cli_list(c)) != CLI_OK)
		return rc;
	printf("\nThat was a whole ACME exchange: an account, an order, an http-01 "
	    "challenge\nanswered by certdeck's built-in responder, and the "
	    "certificate stored in\n    %s/live/%s/\nWith a real CA, on the host "
	    "that answers for the name:\n\n"
	    "    certdeck issue example -d example.com --email you@example.com "
	    "--agree-tos\n"
	    "    certdeck renew --all        # from a systemd timer or cron\n",
	    c->state_dir, DEMO_NAME);
	if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		printf("\nPress Enter to stop the demo CA and delete its files. ");
		fflush(stdout);
		if (fgets(line, sizeof line, stdin) == NULL)
			clearerr(stdin);	/* end of input: stop all the same */
	}
	fflush(stdout);
	return CLI_OK;
}

/* In the child: the options as if typed, parsed by the command line's
 * own parser, then the front end. */
static int
demo_child(const struct demo *d)
{
	char config[PATH_MAX], state[PATH_MAX], ca[PATH_MAX], server[64], port[16];
	char dns[64];
	/* challtestsrv's DNS answers the wizard's preflight: the demo asks
	 * nobody outside 127.0.0.1. */
	char *argv[DEMO_ARGV_MAX] = { "certdeck", "--config", config, "--state", state,
	    "--server", server, "--ca-bundle", ca, "--http-port", port,
	    "--http-bind", "127.0.0.1", "--email", DEMO_EMAIL, "--agree-tos",
	    "--dns-resolver", dns };
	struct cli c;
	int argc = 0, rc;

	snprintf(config, sizeof config, "%s/certdeck.conf", d->dir);
	snprintf(state, sizeof state, "%s/state", d->dir);
	snprintf(ca, sizeof ca, "%s/ca.pem", d->dir);
	snprintf(server, sizeof server, "https://127.0.0.1:%d/dir", d->ports[DEMO_PORT_ACME]);
	snprintf(port, sizeof port, "%d", d->ports[DEMO_PORT_HTTP01]);
	snprintf(dns, sizeof dns, "127.0.0.1:%d", d->ports[DEMO_PORT_DNS]);
	while (argv[argc] != NULL)
		argc++;
	if (d->verbosity != CLI_NORMAL)
		argv[argc++] = d->verbosity == CLI_QUIET ? "-q" : "-v";
	argv[argc++] = "-d";
	argv[argc++] = DEMO_DOMAIN;
	argv[argc++] = "issue";
	argv[argc++] = DEMO_NAME;
	argv[argc] = NULL;
	optind = 0;	/* GNU getopt starts over: main() parsed once already */
	if ((rc = cli_parse(&c, argc, argv)) == CLI_OK) {
		c.demo = 1;	/* the screens offer nothing for a store that goes */
		rc = demo_front_end(&c);
	}
	cli_free(&c);
	return rc < 0 ? CLI_FAILED : rc;
}

/* Runs the front end in a child and returns its exit code. A signal here
 * is passed on as SIGTERM (the terminal's Ctrl-C reaches it by itself);
 * it is killed if its own clean-up takes past DEMO_FRONT_STOP_MS. */
static int
demo_front(const struct demo *d, struct err *err)
{
	long long deadline = LLONG_MAX;
	pid_t pid;
	int status;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		err_errno(err, "demo: fork");
		return CLI_FAILED;
	}
	if (pid == 0) {
		(void)demo_signals(0, NULL);
		status = demo_child(d);
		fflush(stdout);
		fflush(stderr);
		_exit(status);
	}
	while (!demo_wait_pid(pid, deadline, deadline == LLONG_MAX, &status)) {
		if (deadline != LLONG_MAX) {
			(void)kill(pid, SIGKILL);
			demo_reap(pid, &status);
			break;
		}
		(void)kill(pid, SIGTERM);
		deadline = job_now_ms() + DEMO_FRONT_STOP_MS;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : CLI_FAILED;
}

static int
demo_rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (remove(path) != 0)
		fprintf(stderr, "certdeck: demo: %s: %s\n", path, strerror(errno));
	return 0;	/* remove what can be removed */
}

/* Prints the last lines of the folder's `log` to stderr, escaped. */
static void
demo_show_tail(const struct demo *d, const char *log)
{
	struct buf b;
	const char *start, *end;
	char *line;
	int lines = 0;

	buf_init(&b, 0);
	if (fsutil_read_at(d->dirfd, log, DEMO_LOG_MAX, &b, NULL) != 0 || b.len == 0) {
		buf_free(&b);
		return;
	}
	end = b.data + b.len;
	if (end[-1] == '\n')
		end--;
	for (start = end; start > b.data && lines < DEMO_TAIL_LINES; start--)
		if (start[-1] == '\n' && ++lines == DEMO_TAIL_LINES)
			break;
	fprintf(stderr, "certdeck: demo: the last lines of %s/%s:\n", d->dir, log);
	while (start < end) {
		const char *nl = memchr(start, '\n', (size_t)(end - start));
		size_t len = nl != NULL ? (size_t)(nl - start) : (size_t)(end - start);

		if ((line = esc_text(start, len, 200)) != NULL)
			fprintf(stderr, "  | %s\n", line);
		free(line);
		start += len + 1;
	}
	buf_free(&b);
}

/* After the servers stopped: the folder goes, unless something failed
 * on its own (not interrupted), in which case it stays and is named. */
static void
demo_finish(struct demo *d, int rc, const struct err *err)
{
	if (demo_signal != 0)
		fprintf(stderr, "certdeck: demo: interrupted; the demo CA is stopped and "
		    "its files are removed\n");
	else if (rc != CLI_OK && d->dir[0] != '\0') {
		if (err->msg[0] != '\0')
			fprintf(stderr, "certdeck: demo: %s\n", err->msg);
		if (d->failed_log != NULL)
			demo_show_tail(d, d->failed_log);
		fprintf(stderr, "certdeck: demo: the demo CA is stopped; its files and logs "
		    "(pebble.log, challtestsrv.log, certtool.log) are kept in %s\n", d->dir);
	} else if (rc != CLI_OK)
		fprintf(stderr, "certdeck: demo: %s\n", err->msg);
	if (d->dirfd >= 0)
		close(d->dirfd);
	if (d->dir[0] == '\0' || (rc != CLI_OK && demo_signal == 0))
		return;
	(void)nftw(d->dir, demo_rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	if (rc == CLI_OK && demo_signal == 0 && d->verbosity != CLI_QUIET)
		printf("Demo over: the demo CA is stopped and its files are deleted.\n");
}

int
demo_run(const struct cli *c)
{
	struct demo d;
	struct err err;
	int rc = CLI_FAILED;

	memset(&d, 0, sizeof d);
	d.dirfd = -1;
	d.verbosity = c->verbosity;
	d.srv[DEMO_PEBBLE] = (struct demo_server){ .prog = "pebble", .log = "pebble.log" };
	d.srv[DEMO_CHALLTESTSRV] = (struct demo_server){ .prog = "pebble-challtestsrv",
	    .log = "challtestsrv.log" };
	err_clear(&err);
	if (demo_signals(1, &err) != 0) {
		fprintf(stderr, "certdeck: %s\n", err.msg);
		return CLI_FAILED;
	}
	if (d.verbosity != CLI_QUIET) {
		printf("Starting a local demo CA (Pebble, with pebble-challtestsrv as its "
		    "DNS) on 127.0.0.1...\n");
		fflush(stdout);
	}
	if (demo_prepare(&d, &err) == 0 && demo_start(&d, &err) == 0) {
		if (d.verbosity != CLI_QUIET)
			printf("Demo CA at https://127.0.0.1:%d/dir; its files, the state "
			    "folder and logs are in %s\n", d.ports[DEMO_PORT_ACME], d.dir);
		if (demo_signal == 0)
			rc = demo_front(&d, &err);
	}
	demo_stop_servers(&d);
	demo_finish(&d, rc, &err);
	(void)demo_signals(0, NULL);
	return demo_signal != 0 ? CLI_FAILED : rc;
}
