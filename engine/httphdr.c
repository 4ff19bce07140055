/*
 * httphdr: parsing of HTTP response headers (see httphdr.h).
 *
 * The grammar follows RFC 9110 (tokens, quoted strings, OWS) and RFC 8288
 * (Link). Character classes use explicit ASCII ranges so the result never
 * depends on the locale.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "httphdr.h"

/* Longest relation parameter kept; real ones are a word or two. */
#define HTTPHDR_MAX_REL 256

static int
is_ows(char ch)
{
	return ch == ' ' || ch == '\t';
}

static int
is_tchar(char ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9'))
		return 1;
	return ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

static char
lower(char ch)
{
	return (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
}

int
httphdr_split(const char *line, size_t len, const char **name,
    size_t *name_len, const char **value, size_t *value_len)
{
	size_t i, start, end;

	for (i = 0; i < len && is_tchar(line[i]); i++)
		;
	if (i == 0 || i == len || line[i] != ':')
		return -1;
	*name = line;
	*name_len = i;
	for (start = i + 1; start < len && is_ows(line[start]); start++)
		;
	end = len;
	while (end > start && (is_ows(line[end - 1]) ||
	    line[end - 1] == '\r' || line[end - 1] == '\n'))
		end--;
	*value = line + start;
	*value_len = end - start;
	return 0;
}

int
httphdr_name_is(const char *name, size_t len, const char *want)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (want[i] == '\0' || lower(name[i]) != lower(want[i]))
			return 0;
	}
	return want[len] == '\0';
}

char *
httphdr_resolve_https(const char *base, const char *ref)
{
	CURLU *u;
	char *scheme = NULL, *abs = NULL, *out = NULL;

	if ((u = curl_url()) == NULL)
		return NULL;
	if (base != NULL && curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK)
		goto done;
	if (curl_url_set(u, CURLUPART_URL, ref, 0) != CURLUE_OK)
		goto done;
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    strcmp(scheme, "https") != 0)
		goto done;
	if (curl_url_get(u, CURLUPART_URL, &abs, 0) != CURLUE_OK)
		goto done;
	out = strdup(abs);
done:
	curl_free(scheme);
	curl_free(abs);
	curl_url_cleanup(u);
	return out;
}

void
httphdr_links_free(struct http_link *links, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(links[i].rel);
		free(links[i].url);
		links[i].rel = links[i].url = NULL;
	}
}

/* A cursor over the Link value, for the small recursive-descent parser. */
struct lcur {
	const char *s;
	size_t pos;
};

static void
lskip_ows(struct lcur *c)
{
	while (is_ows(c->s[c->pos]))
		c->pos++;
}

/* Reads a token or a quoted string into `out` (lowercased, truncated to
 * `size` - 1 bytes); returns 0 or -1 on a syntax error. */
static int
lread_value(struct lcur *c, char *out, size_t size)
{
	size_t n = 0;
	char ch;

	if (c->s[c->pos] != '"') {
		if (!is_tchar(c->s[c->pos]))
			return -1;
		while (is_tchar(ch = c->s[c->pos])) {
			if (n + 1 < size)
				out[n++] = lower(ch);
			c->pos++;
		}
		out[n] = '\0';
		return 0;
	}
	c->pos++;
	while ((ch = c->s[c->pos]) != '"') {
		if (ch == '\\' && c->s[c->pos + 1] != '\0')
			ch = c->s[++c->pos];
		if (ch == '\0' || (ch != '\t' && (unsigned char)ch < 0x20) ||
		    ch == 0x7f)
			return -1;
		if (n + 1 < size)
			out[n++] = lower(ch);
		c->pos++;
	}
	c->pos++;
	out[n] = '\0';
	return 0;
}

/* Reads the ";name=value" parameters of one link, keeping rel in `rel`
 * (empty when absent); stops before the ',' or the end. */
static int
lread_params(struct lcur *c, char *rel, size_t size)
{
	char scratch[HTTPHDR_MAX_REL];
	size_t start;
	int is_rel;

	rel[0] = '\0';
	for (;;) {
		lskip_ows(c);
		if (c->s[c->pos] == ',' || c->s[c->pos] == '\0')
			return 0;
		if (c->s[c->pos++] != ';')
			return -1;
		lskip_ows(c);
		for (start = c->pos; is_tchar(c->s[c->pos]); c->pos++)
			;
		if (c->pos == start)
			return -1;
		is_rel = httphdr_name_is(c->s + start, c->pos - start, "rel");
		lskip_ows(c);
		if (c->s[c->pos] != '=')
			continue;
		c->pos++;
		lskip_ows(c);
		/* RFC 8288 §3.3: only the first rel counts. */
		if (is_rel && rel[0] == '\0') {
			if (lread_value(c, rel, size) != 0)
				return -1;
		} else if (lread_value(c, scratch, sizeof scratch) != 0)
			return -1;
	}
}

/* Appends one link per relation type in `rel` (space-separated). */
static int
links_add(const char *url, const char *rel, struct http_link *links,
    size_t max, size_t *n, struct err *err)
{
	const char *p = rel, *end;

	while (*n < max) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		for (end = p; *end != '\0' && *end != ' '; end++)
			;
		links[*n].rel = strndup(p, (size_t)(end - p));
		links[*n].url = strdup(url);
		if (links[*n].rel == NULL || links[*n].url == NULL) {
			httphdr_links_free(links + *n, 1);
			return err_nomem(err, "link");
		}
		(*n)++;
		p = end;
	}
	return 0;
}

/* Parses "<url>" plus parameters at the cursor and appends what it holds. */
static int
lread_link(struct lcur *c, const char *base_url, struct http_link *links,
    size_t max, size_t *n, struct err *err)
{
	char rel[HTTPHDR_MAX_REL], *ref, *url;
	const char *gt;
	size_t len;
	int rc;

	if (c->s[c->pos] != '<')
		return err_set(err, ERR_PROTO, "Link: expected '<' at offset %zu",
		    c->pos);
	if ((gt = strchr(c->s + c->pos + 1, '>')) == NULL)
		return err_set(err, ERR_PROTO, "Link: unterminated '<'");
	len = (size_t)(gt - (c->s + c->pos + 1));
	if (len > HTTPHDR_MAX_URL)
		return err_set(err, ERR_PROTO, "Link: URL longer than %d bytes",
		    HTTPHDR_MAX_URL);
	if ((ref = strndup(c->s + c->pos + 1, len)) == NULL)
		return err_nomem(err, "link URL");
	c->pos += len + 2;
	if (lread_params(c, rel, sizeof rel) != 0) {
		free(ref);
		return err_set(err, ERR_PROTO,
		    "Link: malformed parameter near offset %zu", c->pos);
	}
	rc = 0;
	if (rel[0] != '\0' && (url = httphdr_resolve_https(base_url, ref)) != NULL) {
		rc = links_add(url, rel, links, max, n, err);
		free(url);
	}
	free(ref);
	return rc;
}

int
httphdr_parse_links(const char *value, const char *base_url,
    struct http_link *links, size_t max, size_t *n, struct err *err)
{
	struct lcur c = { value, 0 };
	size_t first = *n;

	for (;;) {
		while (is_ows(c.s[c.pos]) || c.s[c.pos] == ',')
			c.pos++;
		if (c.s[c.pos] == '\0' || *n >= max)
			return 0;
		if (lread_link(&c, base_url, links, max, n, err) != 0) {
			httphdr_links_free(links + first, *n - first);
			*n = first;
			return -1;
		}
	}
}

/* Parses digits only (surrounding blanks allowed), clamped; -1 otherwise. */
static long
parse_delta(const char *s)
{
	long v = 0;

	while (is_ows(*s))
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v <= HTTPHDR_RETRY_AFTER_MAX)
			v = v * 10 + (*s - '0');
	}
	while (is_ows(*s) || *s == '\r' || *s == '\n')
		s++;
	if (*s != '\0')
		return -1;
	return v > HTTPHDR_RETRY_AFTER_MAX ? HTTPHDR_RETRY_AFTER_MAX : v;
}

long
httphdr_parse_retry_after(const char *value, time_t now)
{
	const char *p;
	time_t when;

	if (value == NULL)
		return -1;
	for (p = value; is_ows(*p); p++)
		;
	if (*p >= '0' && *p <= '9')
		return parse_delta(p);
	/* An HTTP-date starts with a day name; curl_getdate alone would also
	 * take bare numbers and other odd forms we do not want. */
	if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
		return -1;
	if ((when = curl_getdate(p, NULL)) == -1)
		return -1;
	if (when <= now)
		return 0;
	if (when - now > HTTPHDR_RETRY_AFTER_MAX)
		return HTTPHDR_RETRY_AFTER_MAX;
	return (long)(when - now);
}

char *
httphdr_media_type(const char *value)
{
	const char *p, *type, *slash, *end;
	char *out;
	size_t i, len;

	if (value == NULL)
		return NULL;
	for (p = value; is_ows(*p); p++)
		;
	for (type = p; is_tchar(*p); p++)
		;
	if (p == type || *p != '/')
		return NULL;
	slash = p++;
	for (; is_tchar(*p); p++)
		;
	if (p == slash + 1)
		return NULL;
	end = p;
	while (is_ows(*p) || *p == '\r' || *p == '\n')
		p++;
	if (*p != '\0' && *p != ';')
		return NULL;
	len = (size_t)(end - type);
	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		out[i] = lower(type[i]);
	out[len] = '\0';
	return out;
}
