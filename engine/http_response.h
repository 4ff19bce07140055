/*
 * http_response: how engine/http fills a struct http_response from what
 * libcurl hands it (engine-internal). Only the headers ACME needs are
 * kept, each checked: a Location resolved to an absolute https URL, a
 * Replay-Nonce only when it is base64url, Retry-After and Date as times,
 * Link headers parsed; an unusable value is left out, never guessed.
 */
#ifndef CERTDECK_HTTP_RESPONSE_H
#define CERTDECK_HTTP_RESPONSE_H

#include <stddef.h>

#include "http.h"

/* An empty response to a request for `url` whose body may hold up to
 * `max_body` bytes (the body is "" until data comes); NULL when out of
 * memory. Free with http_response_free(). */
struct http_response *http_response_new(const char *url, size_t max_body);

/* Forgets the headers of an interim (1xx) response. */
void http_response_reset_headers(struct http_response *resp);

/* Records header `name` (`nlen` bytes, any case) with value `v`. */
void http_response_header(struct http_response *resp, const char *name,
    size_t nlen, const char *v);

#endif
