/*
 * err: status plus message, keeping the root cause (see err.h).
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

void
err_clear(struct err *e)
{
	if (e == NULL)
		return;
	e->code = ERR_OK;
	e->msg[0] = '\0';
}

int
err_vset(struct err *e, enum err_code code, const char *fmt, va_list ap)
{
	if (e == NULL)
		return -1;
	e->code = code;
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	return -1;
}

int
err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, code, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_prefix(struct err *e, const char *fmt, ...)
{
	char ctx[ERR_MSG_MAX], old[ERR_MSG_MAX];
	va_list ap;
	size_t n;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof ctx, fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof old);
	if (e->code == ERR_OK)
		e->code = ERR_FAIL;
	/* Context first, the root cause after it; a long chain loses its
	 * tail rather than its head. */
	n = strlen(ctx);
	memcpy(e->msg, ctx, n + 1);
	if (old[0] != '\0' && n + 2 < sizeof e->msg) {
		memcpy(e->msg + n, ": ", 3);
		strncat(e->msg + n + 2, old, sizeof e->msg - n - 3);
	}
	return -1;
}

int
err_nomem(struct err *e, const char *what)
{
	return err_set(e, ERR_NOMEM, "out of memory allocating %s", what);
}

int
err_errno(struct err *e, const char *fmt, ...)
{
	char what[ERR_MSG_MAX];
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return err_set(e, ERR_IO, "%s: %s", what, strerror(saved));
}

int
err_copy(struct err *dst, const struct err *src)
{
	if (dst != NULL && src != NULL && dst != src)
		*dst = *src;
	return -1;
}
