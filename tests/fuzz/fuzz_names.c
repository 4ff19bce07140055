/*
 * fuzz_names: names a user types or a file holds, one per line, through
 * names_parse() and names_parse_list(), certificate names through
 * names_cert_name_ok() and names_suggest_cert_name(), and the whole input
 * through the escapes every CA string gets (esc_text, esc_buf).
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "names.h"
#include "fuzz.h"

/* What names.h promises of a parsed identifier. */
static void
fuzz_check_id(const struct names_id *id)
{
	char cert[65];
	struct err err;
	const char *p;

	FUZZ_CHECK(memchr(id->value, '\0', sizeof id->value) != NULL,
	    "value not terminated");
	FUZZ_CHECK(memchr(id->display, '\0', sizeof id->display) != NULL,
	    "display not terminated");
	FUZZ_CHECK(id->value[0] != '\0', "empty value");
	FUZZ_CHECK(id->kind == NAMES_DNS || id->kind == NAMES_IP, "bad kind");
	FUZZ_CHECK(id->wildcard == (strncmp(id->value, "*.", 2) == 0),
	    "wildcard flag disagrees with the value");
	for (p = id->value; *p != '\0'; p++)
		FUZZ_CHECK(*p > 0x20 && *p < 0x7f && (*p < 'A' || *p > 'Z'),
		    "value not a lowercase ASCII name");
	names_suggest_cert_name(id, cert, sizeof cert);
	FUZZ_CHECK(names_cert_name_ok(cert, &err) == 0,
	    "suggested certificate name refused");
}

static void
fuzz_escape(const uint8_t *data, size_t size)
{
	char small[8], *out;
	size_t i;
	int plain = 1;

	esc_buf((const char *)data, size, small, sizeof small);
	fuzz_check_escaped(small, sizeof small, "esc_buf");
	if ((out = esc_text((const char *)data, size, 40)) == NULL)
		fuzz_fail("out of memory");
	fuzz_check_escaped(out, 41, "esc_text with a cap");
	free(out);
	if ((out = esc_text((const char *)data, size, 0)) == NULL)
		fuzz_fail("out of memory");
	fuzz_check_escaped(out, strlen(out) + 1, "esc_text");
	for (i = 0; i < size; i++)
		plain = plain && data[i] >= 0x20 && data[i] < 0x7f;
	FUZZ_CHECK(!plain || (strlen(out) == size &&
	    memcmp(out, data, size) == 0), "printable ASCII changed");
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct names_id *ids;
	const char **lines;
	char *text, *p, *nl;
	struct err err;
	size_t n = 0, i;

	fuzz_escape(data, size);
	text = fuzz_strndup(data, size);
	lines = calloc(NAMES_MAX_PER_CERT + 1, sizeof *lines);
	ids = calloc(NAMES_MAX_PER_CERT + 1, sizeof *ids);
	if (lines == NULL || ids == NULL)
		fuzz_fail("out of memory");
	for (p = text; n <= NAMES_MAX_PER_CERT; p = nl + 1) {
		lines[n++] = p;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
	}
	for (i = 0; i < n; i++) {
		(void)names_cert_name_ok(lines[i], &err);
		if (names_parse(lines[i], &ids[i], &err) == 0)
			fuzz_check_id(&ids[i]);
	}
	if (names_parse_list(lines, n, ids, &err) == 0) {
		FUZZ_CHECK(n <= NAMES_MAX_PER_CERT, "list over the bound");
		for (i = 0; i < n; i++)
			fuzz_check_id(&ids[i]);
	}
	free(ids);
	free(lines);
	free(text);
	return 0;
}
