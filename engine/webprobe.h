/*
 * webprobe: the pure parts of the wizard's look at a web root before the
 * CA is asked (job_query's PREFLIGHT): the URL the CA would fetch, where
 * to connect for it, and what the answer means. No I/O here, so each is
 * tested alone.
 */
#ifndef CERTDECK_WEBPROBE_H
#define CERTDECK_WEBPROBE_H

#include <stddef.h>

/* The test file's name prefix under .well-known/acme-challenge/. */
#define WEBPROBE_PREFIX "certdeck-preflight-"

/* Room for a URL or a connect-to entry of a 253-character name. */
#define WEBPROBE_URL_MAX 400

/* The URL an http-01 validation of `name` (a DNS name or an IP address)
 * reads for `file` on `port`: "http://NAME[:PORT]/.well-known/acme-
 * challenge/FILE", the port left out when 80, an IPv6 address in
 * brackets. Returns 0, or -1 when it does not fit in `size`. */
int webprobe_url(const char *name, int port, const char *file, char *out,
    size_t size);

/* libcurl's CURLOPT_CONNECT_TO entry "NAME:PORT:ADDR:PORT" sending the
 * request for `name` to `addr` (IPv6 in brackets), so the name is not
 * resolved again by anyone else. Returns 0, or -1 when it does not fit. */
int webprobe_connect_to(const char *name, int port, const char *addr,
    char *out, size_t size);

/* What the web server's answer says: 1 when it is `expect` with status
 * 200, else 0 with the reason in `why` ("got HTTP 404", "got other
 * content"...); `cut`: the body was cut at the caller's cap. */
int webprobe_verdict(long status, const char *body, size_t len, int cut,
    const char *expect, char *why, size_t whysz);

#endif
