/*
 * httphdr: pure parsing of the HTTP response headers ACME cares about
 * (Link, Retry-After, Content-Type) and of raw header lines, kept apart
 * from the network so it can be unit-tested and fuzzed on its own.
 *
 * Everything here reads untrusted server input: every loop is bounded by
 * the input length, nothing is trusted to be NUL-free or well formed.
 */
#ifndef CERTDECK_HTTPHDR_H
#define CERTDECK_HTTPHDR_H

#include <stddef.h>
#include <time.h>

#include "err.h"

/* Most Link entries kept per response. */
#define HTTP_MAX_LINKS 16

/* Longest URL accepted inside a Link header. */
#define HTTPHDR_MAX_URL 8192

/* Largest Retry-After returned, in seconds (about 115 days); bigger
 * values are clamped to it, since callers bound their waits anyway. */
#define HTTPHDR_RETRY_AFTER_MAX 10000000L

/* One link: relation type (lowercased) and absolute https URL, both owned. */
struct http_link {
	char *rel;
	char *url;
};

/* Splits one raw header line "Name: value\r\n" of `len` bytes into views
 * of the name and of the value (surrounding blanks and CRLF trimmed);
 * returns 0, or -1 when the line is not a header line (status line, blank
 * line, folded continuation, bad name). */
int httphdr_split(const char *line, size_t len, const char **name,
    size_t *name_len, const char **value, size_t *value_len);

/* True when the `len`-byte header name equals `want`, ignoring ASCII case. */
int httphdr_name_is(const char *name, size_t len, const char *want);

/* Parses one Link header value (RFC 8288: several comma-separated links,
 * rel quoted or not, parameters in any order), resolving each URL against
 * `base_url` (may be NULL when all URLs are absolute) and dropping links
 * without rel or whose result is not https. Appends to `links` (capacity
 * `max`, `*n` used); past `max` the rest is ignored. Returns 0, or -1
 * with `err` set on a syntax error or allocation failure, in which case
 * nothing from this value is kept. The caller frees the entries with
 * httphdr_links_free(). */
int httphdr_parse_links(const char *value, const char *base_url,
    struct http_link *links, size_t max, size_t *n, struct err *err);

/* Frees the strings of `n` links (not the array itself). */
void httphdr_links_free(struct http_link *links, size_t n);

/* Parses a Retry-After value, delta-seconds or HTTP-date, against `now`;
 * returns seconds to wait from now (0 for a date in the past, clamped to
 * HTTPHDR_RETRY_AFTER_MAX), or -1 when it is neither. */
long httphdr_parse_retry_after(const char *value, time_t now);

/* Returns the media type of a Content-Type value as "type/subtype",
 * lowercased, without parameters, in a string the caller frees; NULL when
 * the value is malformed (or on allocation failure). */
char *httphdr_media_type(const char *value);

/* Resolves `ref` against `base` (NULL: `ref` must be absolute) with
 * curl's URL parser; returns the absolute URL in a string the caller
 * frees with free(), or NULL when it is invalid or not https. */
char *httphdr_resolve_https(const char *base, const char *ref);

#endif
