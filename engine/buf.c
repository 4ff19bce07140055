/*
 * buf: growable, capped, NUL-terminated byte buffer (see buf.h).
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static int
buf_reserve(struct buf *b, size_t extra, struct err *err)
{
	size_t need, ncap;
	char *p;

	if (extra > (size_t)-1 - b->len - 1)
		return err_set(err, ERR_NOMEM, "buffer size overflow");
	need = b->len + extra + 1;
	if (b->max != 0 && need - 1 > b->max)
		return err_set(err, ERR_PROTO, "data exceeds the limit of %zu bytes", b->max);
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap = ncap > (size_t)-1 / 2 ? need : ncap * 2;
	if ((p = realloc(b->data, ncap)) == NULL)
		return err_nomem(err, "buffer");
	b->data = p;
	b->cap = ncap;
	return 0;
}

int
buf_append(struct buf *b, const void *data, size_t len, struct err *err)
{
	if (buf_reserve(b, len, err) != 0)
		return -1;
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s, struct err *err)
{
	return buf_append(b, s, strlen(s), err);
}

int
buf_printf(struct buf *b, struct err *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return err_set(err, ERR_FAIL, "format error");
	if (buf_reserve(b, (size_t)n, err) != 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

char *
buf_steal(struct buf *b)
{
	char *p = b->data;

	if (p == NULL)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}
