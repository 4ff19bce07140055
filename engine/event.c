/*
 * event: fixed-size records on the engine's event pipe (see event.h).
 */
#include "autoconfig.h"

#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include "event.h"

_Static_assert(sizeof(struct event) <= PIPE_BUF, "an event must fit one atomic pipe write");

static const char *const event_step_names[STEP_COUNT] = {
	[STEP_NONE] = "-",
	[STEP_QUEUED] = "queued",
	[STEP_DIRECTORY] = "directory",
	[STEP_NONCE] = "nonce",
	[STEP_ACCOUNT] = "account",
	[STEP_ORDER_CREATED] = "order",
	[STEP_AUTHZ_FETCHED] = "authorization",
	[STEP_CHALLENGE_SETUP] = "challenge-set",
	[STEP_CHALLENGE_ANSWERED] = "challenge-answered",
	[STEP_POLL] = "poll",
	[STEP_VALIDATED] = "validated",
	[STEP_FINALIZE] = "finalize",
	[STEP_DOWNLOADED] = "downloaded",
	[STEP_STORED] = "stored",
	[STEP_DEPLOYED] = "deployed",
	[STEP_REVOKED] = "revoked",
	[STEP_RETRY] = "retry",
	[STEP_CLEANUP] = "cleanup",
	[STEP_PROBED] = "probed",
};

const char *
event_step_name(enum event_step step)
{
	if ((unsigned)step >= STEP_COUNT || event_step_names[step] == NULL)
		return "?";
	return event_step_names[step];
}

const char *
event_kind_name(enum event_kind kind)
{
	switch (kind) {
	case EVENT_STEP:
		return "step";
	case EVENT_LOG:
		return "log";
	case EVENT_DONE:
		return "done";
	case EVENT_FAILED:
		return "failed";
	case EVENT_STATE_CHANGED:
		return "changed";
	case EVENT_IDLE:
		return "idle";
	}
	return "?";
}

const char *
event_level_name(enum event_level level)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };

	return (unsigned)level < 4 ? names[level] : "?";
}

int
event_write(int fd, const struct event *ev, struct err *err)
{
	ssize_t n;

	do
		n = write(fd, ev, sizeof *ev);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_errno(err, "event pipe write");
	if ((size_t)n != sizeof *ev)
		return err_set(err, ERR_IO, "event pipe: short write of %zd bytes", n);
	return 0;
}

int
event_read(int fd, struct event *ev, struct err *err)
{
	ssize_t n;

	do
		n = read(fd, ev, sizeof *ev);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return err_set(err, ERR_RETRY_LATER, "no event ready");
		return err_errno(err, "event pipe read");
	}
	/* Pipe writes of at most PIPE_BUF are atomic, so this means a bug. */
	if ((size_t)n != sizeof *ev)
		return err_set(err, ERR_IO, "event pipe: torn record of %zd bytes", n);
	return 1;
}
