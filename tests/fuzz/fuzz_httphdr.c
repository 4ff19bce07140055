/*
 * fuzz_httphdr: the response headers a CA controls. The input is taken as
 * raw header lines (each through httphdr_split) and, whole, as the value
 * of a Link, a Retry-After and a Content-Type header, and as a URL to
 * resolve against the request's.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "httphdr.h"
#include "fuzz.h"

#define BASE "https://ca.test/acme/order/1"
/* 2026-01-01T00:00:00Z: a fixed clock keeps every run reproducible. */
#define NOW ((time_t)1767225600)

static void
fuzz_lines(const char *data, size_t size)
{
	const char *line = data, *nl, *name, *value;
	size_t len, name_len, value_len;

	while (line < data + size) {
		nl = memchr(line, '\n', (size_t)(data + size - line));
		len = nl ? (size_t)(nl - line) + 1 : (size_t)(data + size - line);
		if (httphdr_split(line, len, &name, &name_len, &value,
		    &value_len) == 0) {
			FUZZ_CHECK(name_len > 0, "header split with no name");
			FUZZ_CHECK(name >= line && name + name_len <= line + len,
			    "header name outside the line");
			FUZZ_CHECK(value >= line && value + value_len <= line + len,
			    "header value outside the line");
			(void)httphdr_name_is(name, name_len, "link");
		}
		line += len;
	}
}

static void
fuzz_links(const char *value, const char *base)
{
	struct http_link links[HTTP_MAX_LINKS];
	struct err err;
	size_t i, n = 0;

	if (httphdr_parse_links(value, base, links, HTTP_MAX_LINKS, &n,
	    &err) == -1) {
		FUZZ_CHECK(n == 0, "links kept from a refused value");
		return;
	}
	FUZZ_CHECK(n <= HTTP_MAX_LINKS, "more links than the capacity");
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(strncmp(links[i].url, "https://", 8) == 0,
		    "link that is not https");
		FUZZ_CHECK(links[i].rel[0] != '\0', "link without rel");
	}
	httphdr_links_free(links, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *value, *media, *url;
	long wait;
	size_t i;

	fuzz_lines((const char *)data, size);
	value = fuzz_strndup(data, size);
	fuzz_links(value, BASE);
	fuzz_links(value, NULL);
	wait = httphdr_parse_retry_after(value, NOW);
	FUZZ_CHECK(wait >= -1 && wait <= HTTPHDR_RETRY_AFTER_MAX,
	    "Retry-After outside its bounds");
	if ((media = httphdr_media_type(value)) != NULL) {
		FUZZ_CHECK(strchr(media, '/') != NULL, "media type without /");
		for (i = 0; media[i] != '\0'; i++)
			FUZZ_CHECK(media[i] < 'A' || media[i] > 'Z',
			    "media type not lowercased");
		free(media);
	}
	if ((url = httphdr_resolve_https(BASE, value)) != NULL) {
		FUZZ_CHECK(strncmp(url, "https://", 8) == 0,
		    "resolved URL that is not https");
		free(url);
	}
	free(value);
	return 0;
}
