/*
 * err: a status plus a message a person can read.
 *
 * Every engine function that can fail takes a `struct err *` and fills it.
 * The first, deepest message is the root cause; callers add where it
 * happened with err_prefix(), so the user sees "where: what: why".
 */
#ifndef CERTDECK_ERR_H
#define CERTDECK_ERR_H

#include <stdarg.h>
#include <stddef.h>

#define ERR_MSG_MAX 1024

/* Error classes a caller may branch on; the message carries the details. */
enum err_code {
	ERR_OK = 0,
	ERR_FAIL,	/* generic failure */
	ERR_NOMEM,	/* allocation failed */
	ERR_IO,		/* file system or system call */
	ERR_NET,	/* transport: DNS, connect, TLS, timeout, reset */
	ERR_PROTO,	/* the server answered something we cannot accept */
	ERR_ACME,	/* the CA answered with a problem document */
	ERR_CONFIG,	/* configuration or usage */
	ERR_CRYPTO,	/* key, CSR, certificate or signature */
	ERR_BUSY,	/* a lock is held by someone else */
	ERR_CANCELLED,	/* the job was cancelled */
	ERR_RETRY_LATER	/* the CA asked us to come back later */
};

struct err {
	enum err_code code;
	char msg[ERR_MSG_MAX];
};

/* Clears an error to ERR_OK and an empty message. */
void err_clear(struct err *e);

/* Sets code and message (printf format); returns -1 so callers can
 * `return err_set(...)`. A NULL `e` is allowed and ignored. */
int err_set(struct err *e, enum err_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like err_set, with a va_list. */
int err_vset(struct err *e, enum err_code code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Puts context in front of the existing message ("CONTEXT: old message"),
 * keeping its code; returns -1. */
int err_prefix(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Sets ERR_NOMEM with the name of what could not be allocated; returns -1. */
int err_nomem(struct err *e, const char *what);

/* Sets ERR_IO from errno: "WHAT: strerror(errno)"; returns -1. */
int err_errno(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Copies `src` into `dst` (both may be NULL-checked); returns -1. */
int err_copy(struct err *dst, const struct err *src);

#endif
