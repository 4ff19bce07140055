/*
 * names: ACME identifiers and certificate names, checked locally (see
 * names.h).
 *
 * Rules follow RFC 1035/5890 host names as CAs apply them: letters, digits
 * and hyphens, labels of 1-63, 253 in all, a wildcard only as a whole
 * first label. Checks use explicit ASCII ranges, not <ctype.h>, so the
 * locale cannot widen them.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "esc.h"
#include "names.h"

#define NAMES_DNS_MAX	253
#define NAMES_LABEL_MAX	63
#define NAMES_INPUT_MAX	1024	/* Unicode input is longer than its A-label */
#define NAMES_CERT_MAX	64

/* Sets a "name 'TEXT': WHY" error with TEXT escaped; returns -1. */
static int __attribute__((format(printf, 3, 4)))
names_fail(struct err *err, const char *text, const char *fmt, ...)
{
	char shown[96], why[ERR_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	esc_buf(text, strlen(text), shown, sizeof shown);
	return err_set(err, ERR_CONFIG, "name '%s': %s", shown, why);
}

static int
names_is_lower_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* Fills *out when text is an IPv4 or IPv6 literal; returns 1 if it was. */
static int
names_ip(const char *text, struct names_id *out)
{
	unsigned char addr[16];
	int af;

	if (inet_pton(AF_INET, text, addr) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, text, addr) == 1)
		af = AF_INET6;
	else
		return 0;
	if (inet_ntop(af, addr, out->value, sizeof out->value) == NULL)
		return 0;
	out->kind = NAMES_IP;
	memcpy(out->display, out->value, strlen(out->value) + 1);
	return 1;
}

/* Checks one label of `len` bytes at `l`; `text` is the whole name for
 * the message. */
static int
names_label(const char *text, const char *l, size_t len, struct err *err)
{
	size_t i;

	if (len == 0)
		return names_fail(err, text, "empty label");
	if (len > NAMES_LABEL_MAX)
		return names_fail(err, text, "label of %zu characters "
		    "(at most %d)", len, NAMES_LABEL_MAX);
	for (i = 0; i < len; i++) {
		unsigned char c = l[i];
		char shown[16];

		if (names_is_lower_ldh(c))
			continue;
		if (c == '*')
			return names_fail(err, text, "a wildcard is allowed "
			    "only as the whole first label \"*.\"");
		if (c == '_')
			return names_fail(err, text, "underscores are not "
			    "allowed in a host name");
		if (c == ' ')
			return names_fail(err, text, "spaces are not allowed");
		esc_buf(l + i, 1, shown, sizeof shown);
		return names_fail(err, text, "character '%s' is not allowed "
		    "(only a-z, 0-9, '-' and '.')", shown);
	}
	if (l[0] == '-')
		return names_fail(err, text, "a label starts with '-'");
	if (l[len - 1] == '-')
		return names_fail(err, text, "a label ends with '-'");
	/* "ab--" is reserved for encodings; only "xn--" is one. */
	if (len >= 4 && l[2] == '-' && l[3] == '-' && strncmp(l, "xn", 2) != 0)
		return names_fail(err, text, "labels with \"--\" in the third "
		    "and fourth place are reserved");
	return 0;
}

/* Checks the labels of `base` (no wildcard, no trailing dot); returns the
 * number of labels, or -1. Sets *has_alabel when one starts "xn--". */
static int
names_labels(const char *text, const char *base, int *has_alabel,
    struct err *err)
{
	const char *l = base, *dot, *last = base;
	int n = 0, digits = 1;
	size_t len;

	*has_alabel = 0;
	for (;;) {
		dot = strchr(l, '.');
		len = dot != NULL ? (size_t)(dot - l) : strlen(l);
		if (names_label(text, l, len, err) != 0)
			return -1;
		if (strncmp(l, "xn--", 4) == 0)
			*has_alabel = 1;
		n++;
		last = l;
		if (dot == NULL)
			break;
		l = dot + 1;
	}
	for (l = last; *l != '\0'; l++)
		digits = digits && *l >= '0' && *l <= '9';
	if (digits)
		return names_fail(err, text, "the last label is all digits "
		    "(not a host name, and not an IP address either)");
	return n;
}

/* Converts `in` (lowercased, non-ASCII) to its A-label form in `out`. */
static int
names_to_alabel(const char *text, const char *in, char *out, size_t outsz,
    struct err *err)
{
	gnutls_datum_t d = { NULL, 0 };
	int rc;

	rc = gnutls_idna_map(in, strlen(in), &d, GNUTLS_IDNA_FORCE_2008);
	if (rc < 0)
		return names_fail(err, text, "not a valid internationalised "
		    "name: gnutls_idna_map: %s", gnutls_strerror(rc));
	if (d.size >= outsz) {
		gnutls_free(d.data);
		return names_fail(err, text, "longer than %d characters",
		    NAMES_DNS_MAX);
	}
	memcpy(out, d.data, d.size);
	out[d.size] = '\0';
	gnutls_free(d.data);
	return 0;
}

/* Fills out->display with the Unicode form of the A-label name `base`.
 * The reverse mapping alone is lenient ("xn--a" decodes to nothing), so
 * the Unicode form must map back to exactly `base`. */
static int
names_to_display(const char *text, const char *base, struct names_id *out,
    struct err *err)
{
	gnutls_datum_t d = { NULL, 0 }, back = { NULL, 0 };
	size_t off = 0;
	int rc, same;

	rc = gnutls_idna_reverse_map(base, strlen(base), &d, 0);
	if (rc < 0)
		return names_fail(err, text, "not a valid IDN A-label: "
		    "gnutls_idna_reverse_map: %s", gnutls_strerror(rc));
	rc = gnutls_idna_map((const char *)d.data, d.size, &back,
	    GNUTLS_IDNA_FORCE_2008);
	same = rc >= 0 && back.size == strlen(base) &&
	    memcmp(back.data, base, back.size) == 0;
	gnutls_free(back.data);
	if (!same) {
		gnutls_free(d.data);
		return names_fail(err, text, "not a valid IDN A-label: %s",
		    rc < 0 ? gnutls_strerror(rc) : "does not map back to itself");
	}
	if (out->wildcard) {
		memcpy(out->display, "*.", 2);
		off = 2;
	}
	esc_buf((const char *)d.data, d.size, out->display + off,
	    sizeof out->display - off);
	gnutls_free(d.data);
	return 0;
}

/* The DNS half of names_parse(). */
static int
names_dns(const char *text, struct names_id *out, struct err *err)
{
	char lower[NAMES_INPUT_MAX + 1], *base = lower;
	size_t i, len = strlen(text);
	int ascii = 1, has_alabel, off = 0;

	for (i = 0; i <= len; i++) {
		unsigned char c = text[i];

		lower[i] = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
		ascii = ascii && c < 0x80;
	}
	if (len > 0 && lower[len - 1] == '.')
		lower[--len] = '\0';
	if (strncmp(lower, "*.", 2) == 0) {
		out->wildcard = 1;
		base += 2;
		memcpy(out->value, "*.", 2);
		off = 2;
	}
	if (ascii) {
		if (len >= sizeof out->value)
			return names_fail(err, text, "longer than %d "
			    "characters", NAMES_DNS_MAX);
		memcpy(out->value + off, base, len - off + 1);
	} else if (names_to_alabel(text, base, out->value + off,
	    sizeof out->value - off, err) != 0)
		return -1;
	if (strlen(out->value) > NAMES_DNS_MAX)
		return names_fail(err, text, "%zu characters (at most %d)",
		    strlen(out->value), NAMES_DNS_MAX);
	base = out->value + off;
	switch (names_labels(text, base, &has_alabel, err)) {
	case -1:
		return -1;
	case 0:
	case 1:
		return names_fail(err, text, "a single label; a certificate "
		    "name needs at least two (like example.com)");
	}
	out->kind = NAMES_DNS;
	if (has_alabel)
		return names_to_display(text, base, out, err);
	memcpy(out->display, out->value, strlen(out->value) + 1);
	return 0;
}

int
names_parse(const char *text, struct names_id *out, struct err *err)
{
	memset(out, 0, sizeof *out);
	if (text == NULL || *text == '\0')
		return err_set(err, ERR_CONFIG, "empty name");
	if (strlen(text) > NAMES_INPUT_MAX)
		return names_fail(err, text, "longer than %d characters",
		    NAMES_DNS_MAX);
	if (names_ip(text, out))
		return 0;
	return names_dns(text, out, err);
}

int
names_parse_list(const char *const *texts, size_t n, struct names_id *out,
    struct err *err)
{
	size_t i, j;

	if (n == 0)
		return err_set(err, ERR_CONFIG, "no names given");
	if (n > NAMES_MAX_PER_CERT)
		return err_set(err, ERR_CONFIG, "%zu names: at most %d in one "
		    "certificate", n, NAMES_MAX_PER_CERT);
	for (i = 0; i < n; i++) {
		if (names_parse(texts[i], &out[i], err) != 0)
			return -1;
		for (j = 0; j < i; j++) {
			if (out[j].kind == out[i].kind &&
			    strcmp(out[j].value, out[i].value) == 0)
				return names_fail(err, texts[i], "the same "
				    "name as %s, given before it",
				    out[j].value);
		}
	}
	return 0;
}

static int
names_is_cert_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

int
names_cert_name_ok(const char *name, struct err *err)
{
	char shown[96], ch[16];
	size_t i, len;

	if (name == NULL || *name == '\0')
		return err_set(err, ERR_CONFIG, "empty name");
	len = strlen(name);
	esc_buf(name, len, shown, sizeof shown);
	if (len > NAMES_CERT_MAX)
		return err_set(err, ERR_CONFIG, "name '%s': %zu "
		    "characters (at most %d)", shown, len, NAMES_CERT_MAX);
	if (name[0] == '.')
		return err_set(err, ERR_CONFIG, "name '%s': "
		    "starts with '.'", shown);
	for (i = 0; i < len; i++) {
		if (names_is_cert_char(name[i]))
			continue;
		esc_buf(name + i, 1, ch, sizeof ch);
		return err_set(err, ERR_CONFIG, "name '%s': "
		    "character '%s' is not allowed (only A-Z, a-z, 0-9, "
		    "'.', '_' and '-')", shown, ch);
	}
	return 0;
}

void
names_suggest_cert_name(const struct names_id *first, char *out, size_t outsz)
{
	const char *v;
	size_t i, n = 0, max;

	if (outsz == 0)
		return;
	max = outsz - 1 < NAMES_CERT_MAX ? outsz - 1 : NAMES_CERT_MAX;
	v = first != NULL ? first->value : "";
	if (strncmp(v, "*.", 2) == 0)
		v += 2;
	/* IPv6 colons are not allowed in a file name; '-' stands in. */
	for (i = 0; v[i] != '\0' && n < max; i++)
		out[n++] = names_is_cert_char(v[i]) ? v[i] : '-';
	while (n > 0 && (out[n - 1] == '.' || out[n - 1] == '-'))
		n--;
	out[n] = '\0';
	if (n == 0 || out[0] == '.')
		snprintf(out, outsz, "wildcard");
}
