/*
 * http_response: a response as its headers arrive (see http_response.h).
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "b64url.h"
#include "http_response.h"
#include "httphdr.h"

void
http_response_free(struct http_response *resp)
{
	if (resp == NULL)
		return;
	free(resp->content_type);
	free(resp->location);
	free(resp->replay_nonce);
	httphdr_links_free(resp->links, resp->n_links);
	free(resp->links);
	buf_free(&resp->body);
	free(resp->url);
	free(resp);
}

void
http_response_reset_headers(struct http_response *resp)
{
	free(resp->content_type);
	free(resp->location);
	free(resp->replay_nonce);
	resp->content_type = resp->location = resp->replay_nonce = NULL;
	httphdr_links_free(resp->links, resp->n_links);
	resp->n_links = 0;
	resp->retry_after = -1;
	resp->date = 0;
}

struct http_response *
http_response_new(const char *url, size_t max_body)
{
	struct http_response *resp;

	if ((resp = calloc(1, sizeof *resp)) == NULL)
		return NULL;
	resp->retry_after = -1;
	buf_init(&resp->body, max_body);
	resp->links = calloc(HTTP_MAX_LINKS, sizeof *resp->links);
	resp->url = strdup(url);
	/* An empty body is "", never NULL, so callers can read it as text. */
	if (resp->links == NULL || resp->url == NULL ||
	    buf_append(&resp->body, "", 0, NULL) != 0) {
		http_response_free(resp);
		return NULL;
	}
	return resp;
}

void
http_response_header(struct http_response *resp, const char *name, size_t nlen,
    const char *v)
{
	struct err ignored;
	time_t t;

	if (httphdr_name_is(name, nlen, "content-type")) {
		free(resp->content_type);
		resp->content_type = httphdr_media_type(v);
	} else if (httphdr_name_is(name, nlen, "location")) {
		free(resp->location);
		resp->location = httphdr_resolve_https(resp->url, v);
	} else if (httphdr_name_is(name, nlen, "replay-nonce")) {
		free(resp->replay_nonce);
		resp->replay_nonce = b64url_is_valid(v) ? strdup(v) : NULL;
	} else if (httphdr_name_is(name, nlen, "retry-after")) {
		resp->retry_after = httphdr_parse_retry_after(v, time(NULL));
	} else if (httphdr_name_is(name, nlen, "date")) {
		t = curl_getdate(v, NULL);
		resp->date = t == -1 ? 0 : t;
	} else if (httphdr_name_is(name, nlen, "link")) {
		/* A malformed Link header is dropped whole; the rest stands. */
		httphdr_parse_links(v, resp->url, resp->links, HTTP_MAX_LINKS,
		    &resp->n_links, &ignored);
	}
}
