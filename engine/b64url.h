/*
 * b64url: base64url without padding (RFC 4648 §5, as JWS and ACME use it).
 */
#ifndef CERTDECK_B64URL_H
#define CERTDECK_B64URL_H

#include <stddef.h>

#include "err.h"

/* Length of the encoding of `len` bytes, without the NUL. */
size_t b64url_encoded_len(size_t len);

/* Encodes `len` bytes; returns a NUL-terminated string the caller frees,
 * or NULL with `err` set. */
char *b64url_encode(const void *data, size_t len, struct err *err);

/* Decodes `text` (padding and anything outside the alphabet refused);
 * returns a buffer the caller frees and its length in `*out_len`, or NULL
 * with `err` set. The buffer has a NUL after the data for convenience. */
unsigned char *b64url_decode(const char *text, size_t text_len, size_t *out_len,
    struct err *err);

/* True when `s` is non-empty and only [A-Za-z0-9_-], checked with explicit
 * ASCII ranges (locale-independent). */
int b64url_is_valid(const char *s);

#endif
