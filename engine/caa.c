/*
 * caa: CAA record data and the issue / issuewild decision (see caa.h).
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "caa.h"
#include "esc.h"

#define CAA_CRITICAL 0x80
#define CAA_TAG_MAX 15

int
caa_rdata_text(const unsigned char *rd, size_t len, char *out, size_t outsz,
    const char **why)
{
	char value[CAA_TEXT_MAX];
	size_t taglen, i;

	if (len < 2 || (taglen = rd[1]) == 0 || taglen > CAA_TAG_MAX ||
	    2 + taglen > len)
		return *why = "CAA record with a bad tag length", -1;
	for (i = 0; i < taglen; i++) {
		unsigned char c = rd[2 + i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9')))
			return *why = "CAA tag that is not letters and digits", -1;
	}
	esc_buf((const char *)rd + 2 + taglen, len - 2 - taglen, value,
	    sizeof value);
	snprintf(out, outsz, "%u %.*s %s", rd[0], (int)taglen,
	    (const char *)rd + 2, value);
	return 0;
}

/* Splits "FLAGS TAG VALUE"; 0, or -1 when it is not that shape. */
static int
caa_split(const char *rec, unsigned *flags, char *tag, const char **value)
{
	char *end;
	size_t n;

	*flags = (unsigned)strtoul(rec, &end, 10);
	if (end == rec || *end != ' ')
		return -1;
	rec = end + 1;
	if ((n = strcspn(rec, " ")) == 0 || n > CAA_TAG_MAX)
		return -1;
	memcpy(tag, rec, n);
	tag[n] = '\0';
	*value = rec[n] == ' ' ? rec + n + 1 : rec + n;
	return 0;
}

/* The issuer domain of an issue value: before any ';', blanks dropped. */
static void
caa_issuer(const char *value, char *out, size_t outsz)
{
	size_t n;

	value += strspn(value, " \t");
	n = strcspn(value, "; \t");
	snprintf(out, outsz, "%.*s", (int)n, value);
}

static int
caa_known(const char *issuer, char *const *ids, size_t n_ids)
{
	size_t i;

	for (i = 0; i < n_ids; i++)
		if (strcasecmp(issuer, ids[i]) == 0)
			return 1;
	return 0;
}

/* Adds `issuer` to the list of who may issue, for the message. */
static void
caa_list_add(char *list, size_t listsz, const char *issuer)
{
	size_t used = strlen(list);

	if (used + 4 >= listsz)
		return;
	snprintf(list + used, listsz - used, "%s%.80s", used ? ", " : "",
	    *issuer ? issuer : "no CA");
}

int
caa_allows(char *const *recs, size_t n, int wildcard, char *const *ids,
    size_t n_ids, char *why, size_t whysz)
{
	const char *want = "issue", *value;
	char tag[CAA_TAG_MAX + 1], issuer[CAA_TEXT_MAX], list[200] = "";
	unsigned flags;
	size_t i, seen = 0;
	int allowed = 0;

	for (i = 0; wildcard && i < n; i++)
		if (caa_split(recs[i], &flags, tag, &value) == 0 &&
		    strcasecmp(tag, "issuewild") == 0)
			want = "issuewild";
	for (i = 0; i < n; i++) {
		if (caa_split(recs[i], &flags, tag, &value) != 0)
			continue;
		if (strcasecmp(tag, want) != 0) {
			if ((flags & CAA_CRITICAL) && strcasecmp(tag, "issue") != 0 &&
			    strcasecmp(tag, "issuewild") != 0 &&
			    strcasecmp(tag, "iodef") != 0)
				return snprintf(why, whysz, "a critical CAA property "
				    "'%s' this check does not know forbids issuing",
				    tag), 0;
			continue;
		}
		seen++;
		caa_issuer(value, issuer, sizeof issuer);
		caa_list_add(list, sizeof list, issuer);
		if (*issuer != '\0' && caa_known(issuer, ids, n_ids))
			allowed = 1;
	}
	if (seen == 0)
		return snprintf(why, whysz, "no CAA %s property: any CA may "
		    "issue", want), 1;
	if (allowed)
		return snprintf(why, whysz, "CAA %s allows this CA", want), 1;
	if (n_ids == 0)
		return snprintf(why, whysz, "CAA %s allows %s; the CA's directory "
		    "names no caaIdentities to compare", want, list), -1;
	return snprintf(why, whysz, "CAA %s allows only %s, not this CA (%s)",
	    want, list, ids[0]), 0;
}
