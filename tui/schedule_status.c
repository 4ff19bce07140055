/*
 * schedule_status: reading back what `certdeck schedule install` wrote:
 * whose each file is (only files carrying our marker count), what the
 * schedule runs and when it next runs (systemd asked through systemctl
 * as argv, never a shell; otherwise worked out from the timer's
 * OnCalendar or the cron line).
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "job.h"
#include "proc.h"
#include "schedule_int.h"

/* Reads `dir`/`name` under the root into `text` (when not NULL) and
 * says whose it is. */
int
schedule_owner(int rootfd, const char *dir, const char *name,
    struct buf *text, enum schedule_owner *owner, struct err *err)
{
	struct buf local;
	int fd, rc = 0;

	*owner = SCHEDULE_ABSENT;
	if (fsutil_open_dir_at(rootfd, dir, &fd, err) != 0)
		return errno == ENOENT ? 0 : -1;
	buf_init(&local, 0);
	if (text == NULL)
		text = &local;
	buf_reset(text);
	if (fsutil_read_at(fd, name, SCHEDULE_FILE_MAX, text, err) == 0)
		*owner = strstr(text->data, SCHEDULE_MARKER "\n") != NULL ?
		    SCHEDULE_OURS : SCHEDULE_FOREIGN;
	else if (errno != ENOENT)
		rc = -1;
	buf_free(&local);
	close(fd);
	return rc;
}

struct schedule_run {
	int done, ok, timeout_ms;
	char out[512];
};

static void
schedule_run_done(void *arg, const struct proc_result *r)
{
	struct schedule_run *run = arg;
	size_t len = r->output_len;

	while (len > 0 && (r->output[len - 1] == '\n' || r->output[len - 1] == ' '))
		len--;
	run->done = 1;
	run->ok = r->exited && r->status == 0;
	if (run->ok)
		snprintf(run->out, sizeof run->out, "%.*s", (int)len, r->output);
	else if (r->timed_out)
		snprintf(run->out, sizeof run->out, "no answer in %d s",
		    run->timeout_ms / 1000);
	else
		snprintf(run->out, sizeof run->out, "%s %d%s%.*s",
		    r->exited ? "exit status" : "killed by signal",
		    r->exited ? r->status : r->signal, len > 0 ? ": " : "",
		    (int)len, r->output);
	/* Its lines on one, so the error stays one line. */
	for (len = 0; run->out[len] != '\0'; len++)
		if (run->out[len] == '\n')
			run->out[len] = ' ';
}

/* Runs systemctl ARGS... (argv, no shell) and waits; returns 0 with its
 * trimmed output in `out`, or -1 with `err` quoting what it said. */
int
schedule_systemctl(const char *const *args, int timeout_ms, char *out,
    size_t size, struct err *err)
{
	static const char *const env[] = { PROC_DEFAULT_PATH, "LC_ALL=C", NULL };
	const char *argv[SCHEDULE_ARGS_MAX + 1], *prog = "/usr/bin/systemctl";
	struct proc_spec spec = { .argv = argv, .env = env,
	    .timeout_ms = timeout_ms, .max_output = 4096 };
	struct schedule_run run = { .timeout_ms = timeout_ms };
	struct proc_set *ps;
	struct pollfd fds[4];
	char shown[128] = "systemctl";
	int i, n;

	if (access(prog, X_OK) != 0)
		prog = "/bin/systemctl";
	argv[0] = prog;
	for (i = 0; args[i] != NULL && i < SCHEDULE_ARGS_MAX - 1; i++) {
		argv[i + 1] = args[i];
		n = (int)strlen(shown);
		snprintf(shown + n, sizeof shown - (size_t)n, " %s", args[i]);
	}
	argv[i + 1] = NULL;
	if ((ps = proc_set_new(err)) == NULL)
		return -1;
	if (proc_start(ps, &spec, schedule_run_done, &run, err) == 0) {
		proc_set_free(ps);
		return err_prefix(err, "%s", shown);
	}
	while (!run.done) {
		n = proc_pollfds(ps, fds, 4);
		if (poll(fds, (nfds_t)n, proc_timeout_ms(ps, job_now_ms())) == -1 &&
		    errno != EINTR) {
			proc_set_free(ps);
			return err_errno(err, "%s: poll", shown);
		}
		proc_handle(ps, fds, n, job_now_ms());
	}
	proc_set_free(ps);
	if (!run.ok)
		return err_set(err, ERR_FAIL, "%s: %s", shown, run.out);
	if (out != NULL)
		snprintf(out, size, "%s", run.out);
	return 0;
}

int
schedule_systemd_running(void)
{
	return access("/run/systemd/system", F_OK) == 0;
}

/* Parses "N[,N...]" of numbers below `limit` into a bit mask. */
static int
schedule_parse_list(const char *s, size_t len, int limit, unsigned long long *mask)
{
	const char *end = s + len;
	int v;

	*mask = 0;
	while (s < end) {
		if (*s < '0' || *s > '9')
			return -1;
		for (v = 0; s < end && *s >= '0' && *s <= '9' && v < limit; s++)
			v = v * 10 + (*s - '0');
		if (v >= limit || (s < end && *s++ != ','))
			return -1;
		*mask |= 1ULL << v;
	}
	return *mask != 0 ? 0 : -1;
}

/* The first local time after `now` at one of the hours in `hours` and a
 * minute in `minutes`; 0 when there is none in the next two days. */
static time_t
schedule_next(unsigned long long hours, unsigned long long minutes,
    time_t now)
{
	struct tm day, t;
	time_t best = 0, when;
	int d, h, m;

	localtime_r(&now, &day);
	for (d = 0; d < 3 && best == 0; d++)
		for (h = 0; h < 24; h++)
			for (m = 0; m < 60; m++) {
				if (!(hours >> h & 1) || !(minutes >> m & 1))
					continue;
				t = day;
				t.tm_mday += d;
				t.tm_hour = h;
				t.tm_min = m;
				t.tm_sec = 0;
				t.tm_isdst = -1;
				when = mktime(&t);
				if (when > now && (best == 0 || when < best))
					best = when;
			}
	return best;
}

/* The next run of a "hours:minutes" calendar (lists of numbers), or 0
 * when certdeck cannot read it. */
static time_t
schedule_calendar_next(const char *hours, size_t hlen, const char *minutes,
    size_t mlen)
{
	unsigned long long hmask, mmask;

	if (schedule_parse_list(hours, hlen, 24, &hmask) != 0 ||
	    schedule_parse_list(minutes, mlen, 60, &mmask) != 0)
		return 0;
	return schedule_next(hmask, mmask, time(NULL));
}

static void
schedule_print_next(time_t next, const char *extra)
{
	char when[64];
	struct tm tm;

	if (next == 0) {
		printf("next run: unknown (a schedule certdeck does not read)\n");
		return;
	}
	localtime_r(&next, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M %Z", &tm);
	printf("next run: %s%s\n", when, extra);
}

/* Returns the line of `text` starting with `key`, value only, or NULL. */
static const char *
schedule_line(const char *text, const char *key, size_t *len)
{
	size_t klen = strlen(key);

	while (text != NULL && *text != '\0') {
		if (strncmp(text, key, klen) == 0) {
			*len = strcspn(text + klen, "\n");
			return text + klen;
		}
		if ((text = strchr(text, '\n')) != NULL)
			text++;
	}
	return NULL;
}

enum schedule_next_from {
	SCHEDULE_NEXT_UNSAID,	/* nothing to go by */
	SCHEDULE_NEXT_SYSTEMCTL,/* systemd's own answer, in `said` */
	SCHEDULE_NEXT_FAILED,	/* systemctl failed: `err` */
	SCHEDULE_NEXT_CALENDAR	/* worked out from OnCalendar: `when` (0: not
				 * a calendar certdeck reads) */
};

/* When the timer under `x` runs next: on a live systemd, systemd's answer
 * (waiting at most `timeout_ms`); otherwise the timer file's OnCalendar. */
static enum schedule_next_from
schedule_systemd_next(const struct schedule_ctx *x, int timeout_ms,
    time_t *when, char *said, size_t size, struct err *err)
{
	static const char *const show[] = { "show", "--value", "-p",
	    "NextElapseUSecRealtime", SCHEDULE_TIMER, NULL };
	enum schedule_next_from from = SCHEDULE_NEXT_UNSAID;
	enum schedule_owner owner;
	struct buf text;
	const char *v, *colon;
	size_t len;

	*when = 0;
	if (x->live && schedule_systemd_running())
		return schedule_systemctl(show, timeout_ms, said, size, err) == 0 ?
		    SCHEDULE_NEXT_SYSTEMCTL : SCHEDULE_NEXT_FAILED;
	buf_init(&text, 0);
	if (schedule_owner(x->rootfd, SCHEDULE_UNIT_DIR, SCHEDULE_TIMER, &text,
	    &owner, err) == 0 &&
	    (v = schedule_line(text.data, "OnCalendar=*-*-* ", &len)) != NULL &&
	    (colon = strchr(v, ':')) != NULL) {
		*when = schedule_calendar_next(v, (size_t)(colon - v), colon + 1,
		    strcspn(colon + 1, ":\n"));
		from = SCHEDULE_NEXT_CALENDAR;
	}
	buf_free(&text);
	return from;
}

static void
schedule_status_systemd(const struct schedule_ctx *x)
{
	enum schedule_owner owner;
	struct buf text;
	const char *v;
	char out[512];
	size_t len;
	time_t when;
	struct err err;

	printf("systemd timer: %s/%s/%s\n", x->root, SCHEDULE_UNIT_DIR, SCHEDULE_TIMER);
	buf_init(&text, 0);
	if (schedule_owner(x->rootfd, SCHEDULE_UNIT_DIR, SCHEDULE_SERVICE, &text, &owner, &err) == 0 &&
	    owner == SCHEDULE_OURS &&
	    (v = schedule_line(text.data, "ExecStart=", &len)) != NULL)
		printf("runs: %.*s\n", (int)len, v);
	else
		printf("runs: nothing: %s/%s/%s is missing or not certdeck's\n",
		    x->root, SCHEDULE_UNIT_DIR, SCHEDULE_SERVICE);
	buf_free(&text);
	switch (schedule_systemd_next(x, SCHEDULE_SYSTEMCTL_MS, &when, out,
	    sizeof out, &err)) {
	case SCHEDULE_NEXT_SYSTEMCTL:
		printf("next run: %s\n", *out != '\0' ? out :
		    "none (the timer is not active)");
		break;
	case SCHEDULE_NEXT_FAILED:
		printf("next run: unknown: %s\n", err.msg);
		break;
	case SCHEDULE_NEXT_CALENDAR:
		schedule_print_next(when, " plus a random delay of up to "
		    SCHEDULE_SPREAD " (once enabled)");
		break;
	case SCHEDULE_NEXT_UNSAID:
		break;
	}
}

/* A cron line: minute, hour, three '*', user, then the command. */
static void
schedule_status_cron(const struct schedule_ctx *x)
{
	enum schedule_owner owner;
	const char *line = NULL, *f[7], *p;
	struct buf text;
	size_t len[7];
	struct err err;
	int i;

	printf("cron entry: %s/%s/%s\n", x->root, SCHEDULE_CRON_DIR, SCHEDULE_CRON_FILE);
	buf_init(&text, 0);
	if (schedule_owner(x->rootfd, SCHEDULE_CRON_DIR, SCHEDULE_CRON_FILE, &text, &owner, &err) == 0)
		for (p = text.data; p != NULL && line == NULL; p = strchr(p, '\n')) {
			p += *p == '\n';
			if (*p >= '0' && *p <= '9')
				line = p;
		}
	for (i = 0, p = line; p != NULL && i < 7; i++) {
		p += strspn(p, " \t");
		f[i] = p;
		len[i] = i < 6 ? strcspn(p, " \t\n") : strcspn(p, "\n");
		p += len[i];
	}
	if (line == NULL || len[6] == 0) {
		printf("runs: nothing (no schedule line)\n");
		buf_free(&text);
		return;
	}
	printf("runs: %.*s (as %.*s)\n", (int)len[6], f[6], (int)len[5], f[5]);
	if (len[2] == 1 && len[3] == 1 && len[4] == 1 && *f[2] == '*' &&
	    *f[3] == '*' && *f[4] == '*')
		schedule_print_next(schedule_calendar_next(f[1], len[1], f[0],
		    len[0]), "");
	else
		printf("next run: unknown (a schedule certdeck does not read)\n");
	buf_free(&text);
}

int
schedule_detect_at(int rootfd, enum schedule_kind *kind, struct err *err)
{
	enum schedule_owner timer, cron;

	*kind = SCHEDULE_NONE;
	if (schedule_owner(rootfd, SCHEDULE_UNIT_DIR, SCHEDULE_TIMER, NULL, &timer,
	    err) != 0 || schedule_owner(rootfd, SCHEDULE_CRON_DIR,
	    SCHEDULE_CRON_FILE, NULL, &cron, err) != 0)
		return -1;
	if (timer == SCHEDULE_OURS)
		*kind = SCHEDULE_SYSTEMD;
	else if (cron == SCHEDULE_OURS)
		*kind = SCHEDULE_CRON;
	return 0;
}

int
schedule_detect(const char *root, enum schedule_kind *kind, struct err *err)
{
	int rootfd, rc;

	*kind = SCHEDULE_NONE;
	if ((rootfd = open(root ? root : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return err_errno(err, "%s", root ? root : "/");
	rc = schedule_detect_at(rootfd, kind, err);
	close(rootfd);
	return rc;
}

int
schedule_status(const struct schedule_ctx *x, struct err *err)
{
	enum schedule_kind kind;

	if (schedule_detect_at(x->rootfd, &kind, err) != 0)
		return CLI_FAILED;
	if (kind == SCHEDULE_NONE) {
		printf("no renewal schedule installed (certdeck schedule install "
		    "adds one)\n");
		return SCHEDULE_EXIT_NONE;
	}
	if (kind == SCHEDULE_SYSTEMD)
		schedule_status_systemd(x);
	else
		schedule_status_cron(x);
	return CLI_OK;
}


/* "Sun 2026-11-29 12:03:45 UTC", systemd's way, as "Sun 12:03": the next
 * run is always within a day, and the header has little room. */
static void
schedule_view_said(const char *said, char *out, size_t size)
{
	char day[8], clock[8];

	if (sscanf(said, "%7s %*s %5s", day, clock) == 2)
		snprintf(out, size, "%s %s", day, clock);
	else
		snprintf(out, size, "%.20s", said);
}

static void
schedule_view_systemd(const struct schedule_ctx *x, int timeout_ms,
    struct schedule_view *v)
{
	char said[128], when[32];
	struct tm tm;
	time_t next;
	struct err err;

	switch (schedule_systemd_next(x, timeout_ms, &next, said, sizeof said,
	    &err)) {
	case SCHEDULE_NEXT_SYSTEMCTL:
		/* Empty or "n/a": systemd has no next run for it. */
		if (*said == '\0' || strcmp(said, "n/a") == 0) {
			snprintf(v->text, sizeof v->text, "systemd timer not active");
			v->warn = 1;
			return;
		}
		schedule_view_said(said, when, sizeof when);
		break;
	case SCHEDULE_NEXT_CALENDAR:
		if (next == 0)
			goto plain;
		localtime_r(&next, &tm);
		strftime(when, sizeof when, "%a %H:%M", &tm);
		break;
	default:
		goto plain;
	}
	snprintf(v->text, sizeof v->text, "systemd, next %s", when);
	return;
plain:
	snprintf(v->text, sizeof v->text, "systemd timer");
}

int
schedule_view_read(const char *root, int timeout_ms, struct schedule_view *v,
    struct err *err)
{
	struct schedule_ctx x = { .root = root != NULL ? root : "",
	    .live = root == NULL };
	int rc;

	memset(v, 0, sizeof *v);
	if ((x.rootfd = open(root != NULL ? root : "/",
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return err_errno(err, "%s", root != NULL ? root : "/");
	if ((rc = schedule_detect_at(x.rootfd, &v->kind, err)) == 0) {
		if (v->kind == SCHEDULE_SYSTEMD)
			schedule_view_systemd(&x, timeout_ms, v);
		else if (v->kind == SCHEDULE_CRON)
			snprintf(v->text, sizeof v->text, "cron, twice a day");
	}
	close(x.rootfd);
	return rc;
}
