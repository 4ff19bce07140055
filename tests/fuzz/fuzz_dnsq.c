/*
 * fuzz_dnsq: a resolver's answer to our TXT question, through the same
 * parser a live query uses (dnsq_parse_answer): names with compression
 * pointers, CNAME chains, character-strings. The question is fixed, so
 * inputs that echo it (the seeds do) reach the answer section.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "dnsq.h"
#include "fuzz.h"

#define QID	0x1234
#define QNAME	"_acme-challenge.example.com"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err err;
	char **txts;
	size_t n, i;

	if (dnsq_parse_answer(data, size, QID, QNAME, &txts, &n, &err) == -1) {
		FUZZ_CHECK(txts == NULL && n == 0,
		    "failed parse returned strings");
		return 0;
	}
	FUZZ_CHECK(n <= DNSQ_MAX_ANSWERS, "more strings than the bound");
	FUZZ_CHECK(n == 0 || txts != NULL, "strings counted but missing");
	for (i = 0; i < n; i++)
		FUZZ_CHECK(txts[i] != NULL && strlen(txts[i]) < size,
		    "string missing or longer than the packet");
	FUZZ_CHECK(txts == NULL || txts[n] == NULL, "array not terminated");
	dnsq_strings_free(txts);
	return 0;
}
