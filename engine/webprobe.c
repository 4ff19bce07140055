/*
 * webprobe: URL, connect-to entry and verdict of the preflight's look at
 * a web root (see webprobe.h).
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "webprobe.h"

/* An IPv6 address (it holds ':') goes in brackets in URLs and in
 * libcurl's connect-to entries. */
static const char *
webprobe_open(const char *host)
{
	return strchr(host, ':') != NULL ? "[" : "";
}

static const char *
webprobe_close(const char *host)
{
	return strchr(host, ':') != NULL ? "]" : "";
}

static int
webprobe_fits(int n, size_t size)
{
	return n >= 0 && (size_t)n < size ? 0 : -1;
}

int
webprobe_url(const char *name, int port, const char *file, char *out,
    size_t size)
{
	char p[8] = "";

	if (port != 80)
		snprintf(p, sizeof p, ":%d", port);
	return webprobe_fits(snprintf(out, size, "http://%s%s%s%s/.well-known/"
	    "acme-challenge/%s", webprobe_open(name), name, webprobe_close(name),
	    p, file), size);
}

int
webprobe_connect_to(const char *name, int port, const char *addr,
    char *out, size_t size)
{
	return webprobe_fits(snprintf(out, size, "%s%s%s:%d:%s%s%s:%d",
	    webprobe_open(name), name, webprobe_close(name), port,
	    webprobe_open(addr), addr, webprobe_close(addr), port), size);
}

int
webprobe_verdict(long status, const char *body, size_t len, int cut,
    const char *expect, char *why, size_t whysz)
{
	if (status == 200 && !cut && len == strlen(expect) &&
	    memcmp(body, expect, len) == 0)
		return 1;
	if (status == 200)
		snprintf(why, whysz, "got other content (%s bytes, not the test "
		    "file): another site answers for the name", cut ? "more" :
		    len == 0 ? "no" : len < strlen(expect) ? "fewer" : "other");
	else if (status >= 300 && status < 400)
		snprintf(why, whysz, "got HTTP %ld, a redirect (not followed)",
		    status);
	else
		snprintf(why, whysz, "got HTTP %ld", status);
	return 0;
}
