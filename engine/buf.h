/*
 * buf: a growable byte buffer, always NUL-terminated so text can be read
 * straight out of it, with an optional size cap (a server cannot make us
 * allocate without bound).
 */
#ifndef CERTDECK_BUF_H
#define CERTDECK_BUF_H

#include <stddef.h>

#include "err.h"

struct buf {
	char *data;	/* owned; NUL-terminated when non-NULL */
	size_t len;	/* bytes used, excluding the NUL */
	size_t cap;	/* bytes allocated */
	size_t max;	/* 0 = no cap; else appends past it fail */
};

/* Initialises an empty buffer that refuses to grow past `max` bytes (0: no cap). */
void buf_init(struct buf *b, size_t max);

/* Releases the storage; the buffer is empty and reusable afterwards. */
void buf_free(struct buf *b);

/* Empties the buffer, keeping its storage. */
void buf_reset(struct buf *b);

/* Appends `len` bytes; returns 0, or -1 with `err` set past the cap or on
 * allocation failure. */
int buf_append(struct buf *b, const void *data, size_t len, struct err *err);

/* Appends a NUL-terminated string. */
int buf_puts(struct buf *b, const char *s, struct err *err);

/* Appends printf-formatted text. */
int buf_printf(struct buf *b, struct err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Hands the data to the caller (who frees it with free()) and empties the
 * buffer. Never NULL: an empty buffer gives an empty string, or NULL only
 * when that allocation fails. */
char *buf_steal(struct buf *b);

#endif
